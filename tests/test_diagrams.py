"""The schematic SVG diagrams (lstm_course/*.svg) and their display helper (lstm_course.diagrams): valid,
self-contained, accessible, legible in light and dark mode, and drawn with no line that ends nowhere."""

import html
import math
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT
from lstm_course import diagrams
from lstm_course.plots import PALETTE

SVG_NS = "http://www.w3.org/2000/svg"
NAMES = diagrams.DIAGRAMS     # every shipped diagram is checked
BASICS = ("lstm_cell", "unrolled_rnn", "bidirectional", "encoder_decoder")
GATE_COLOURS = {"forget": "#E69F00", "input": "#56B4E9", "candidate": "#009E73", "output": "#CC79A7"}
MAX_BYTES = 15_000
TOUCH = 2.5        # how near (in viewBox units) a line's end must come to a node's outline
LABEL_NEAR = 24    # how near a line's free end must come to a label outside every node


def _tag(el):
    return el.tag.rsplit("}", 1)[-1]


def _svg_files():
    return {p.stem: p for p in sorted((ROOT / "lstm_course").glob("*.svg"))}


# --- checks written as helpers that return a list of problems, so that the tests below can show they fail ---

def svg_problems(text):
    """Everything wrong with an SVG as a self-contained, accessible course diagram ([] if nothing)."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        return [f"{len(text.encode('utf-8'))} bytes, over {MAX_BYTES}"]
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        return [f"not valid XML: {err}"]
    problems = []
    if root.tag != f"{{{SVG_NS}}}svg":
        problems.append(f"root element is {root.tag}, not an <svg> in the SVG namespace")
    if len(root.get("viewBox", "").split()) != 4:
        problems.append("no viewBox")
    if root.get("width") != "100%" or "max-width" not in root.get("style", "") or root.get("height"):
        problems.append('size should be width="100%" with a max-width, no fixed pixel size')
    if root.get("role") != "img":
        problems.append('root has no role="img"')
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    for kind in ("title", "desc"):
        found = root.find(f"{{{SVG_NS}}}{kind}")
        if found is None or not "".join(found.itertext()).strip():
            problems.append(f"no <{kind}> with text as a child of the root")
        elif found.get("id") not in root.get("aria-labelledby", "").split():
            problems.append(f"aria-labelledby does not point to the <{kind}>")
    for ref in root.get("aria-labelledby", "").split():
        if ref not in ids:
            problems.append(f"aria-labelledby names a missing id {ref!r}")
    for el in root.iter():
        if _tag(el) in ("script", "foreignObject", "image", "use", "style", "iframe"):
            problems.append(f"<{_tag(el)}> is not allowed")
        for key, value in el.attrib.items():
            name = key.rsplit("}", 1)[-1]
            if name.startswith("on"):
                problems.append(f"event handler attribute {name}")
            if name in ("href", "src") and not value.startswith("#"):
                problems.append(f"external reference {name}={value!r}")
            for url in re.findall(r"url\(([^)]*)\)", value):
                if not url.strip("'\" ").startswith("#"):
                    problems.append(f"external url({url})")
                elif url.strip("'\" ")[1:] not in ids:
                    problems.append(f"url({url}) points to a missing id")
    if re.search(r"@import|@font-face|<script|javascript:", text, re.I):
        problems.append("imports, fonts or scripts in the text")
    return problems


def _parents(root):
    return {child: parent for parent in root.iter() for child in parent}


def _inherited(el, attr, parents, default=None):
    while el is not None:
        if el.get(attr) is not None:
            return el.get(attr)
        el = parents.get(el)
    return default


def _path_points(d):
    """The vertices of an SVG path (absolute M, L, H, V, A, C commands only) as a list of (x, y)."""
    tokens = re.findall(r"[A-Za-z]|-?\d*\.?\d+(?:e-?\d+)?", d)
    points, i, cmd = [], 0, None
    nargs = {"M": 2, "L": 2, "H": 1, "V": 1, "A": 7, "C": 6, "Z": 0}
    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd not in nargs:
                raise ValueError(f"unsupported path command {cmd!r} (the checker reads absolute M L H V A C Z)")
            if cmd == "Z":
                points.append(points[0])
                continue
        args = [float(t) for t in tokens[i:i + nargs[cmd]]]
        i += nargs[cmd]
        x, y = points[-1] if points else (0.0, 0.0)
        points.append((args[0], y) if cmd == "H" else (x, args[0]) if cmd == "V" else (args[-2], args[-1]))
        cmd = "L" if cmd == "M" else cmd
    return points


def _shapes(root):
    """The nodes a line may start or end at: (tag, geometry) for every circle, ellipse and rect."""
    out = []
    for el in root.iter():
        if _tag(el) not in ("circle", "ellipse", "rect"):
            continue
        g = {k: float(el.get(k, 0)) for k in ("cx", "cy", "r", "rx", "ry", "x", "y", "width", "height")}
        if _tag(el) == "circle":
            out.append(("circle", (g["cx"], g["cy"], g["r"])))
        elif _tag(el) == "ellipse":
            out.append(("ellipse", (g["cx"], g["cy"], g["rx"], g["ry"])))
        elif _tag(el) == "rect":
            out.append(("rect", (g["x"], g["y"], g["x"] + g["width"], g["y"] + g["height"])))
    return out


def _touches(point, shape):
    """Whether a point lies on the shape's outline (or anywhere inside a small junction dot)."""
    (px, py), (kind, geo) = point, shape
    if kind == "circle":
        cx, cy, r = geo
        d = math.hypot(px - cx, py - cy)
        return abs(d - r) <= TOUCH or (r <= 6 and d <= r)
    if kind == "ellipse":
        cx, cy, rx, ry = geo
        rho = math.hypot((px - cx) / rx, (py - cy) / ry)
        return abs(rho - 1) * min(rx, ry) <= TOUCH
    x0, y0, x1, y1 = geo
    inside_outer = x0 - TOUCH <= px <= x1 + TOUCH and y0 - TOUCH <= py <= y1 + TOUCH
    inside_inner = x0 + TOUCH < px < x1 - TOUCH and y0 + TOUCH < py < y1 - TOUCH
    return inside_outer and not inside_inner


def _inside(point, shape):
    (px, py), (kind, geo) = point, shape
    if kind == "rect":
        return geo[0] <= px <= geo[2] and geo[1] <= py <= geo[3]
    r = geo[2] if kind == "circle" else max(geo[2], geo[3])
    return math.hypot(px - geo[0], py - geo[1]) <= r


def _text_boxes(root, parents):
    """Rough boxes of the labels outside every node: (x0, y0, x1, y1) from position, size and length."""
    shapes = _shapes(root)
    boxes = []
    for el in root.iter(f"{{{SVG_NS}}}text"):
        x, y = float(el.get("x", 0)), float(el.get("y", 0))
        if any(_inside((x, y), s) for s in shapes):
            continue
        size = float(_inherited(el, "font-size", parents, "16"))
        width = 0.6 * size * len("".join(el.itertext()))
        anchor = _inherited(el, "text-anchor", parents, "start")
        x0 = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
        boxes.append((x0, y - size, x0 + width, y + 0.3 * size))
    return boxes


def _near_label(point, boxes):
    px, py = point
    return any(math.hypot(max(b[0] - px, 0, px - b[2]), max(b[1] - py, 0, py - b[3])) <= LABEL_NEAR for b in boxes)


def dangling_lines(text):
    """Every flow line (<line>/<path> outside <defs>) that has no arrowhead, or whose start or end touches
    neither a node nor a label outside the nodes (a labelled edge of the picture)."""
    root = ET.fromstring(text)
    parents = _parents(root)
    markers = {m.get("id") for m in root.iter(f"{{{SVG_NS}}}marker")}
    defs = {el for d in root.iter(f"{{{SVG_NS}}}defs") for el in d.iter()}
    shapes = _shapes(root)
    boxes = _text_boxes(root, parents)
    problems = []
    for el in root.iter():
        if el.get("transform"):
            problems.append(f"<{_tag(el)}> has a transform (the checker reads plain coordinates)")
        if _tag(el) not in ("line", "path", "polyline") or el in defs:
            continue
        if _tag(el) == "line":
            pts = [(float(el.get("x1", 0)), float(el.get("y1", 0))), (float(el.get("x2", 0)), float(el.get("y2", 0)))]
            what = f"<line {pts}>"
        elif _tag(el) == "polyline":
            nums = [float(n) for n in re.findall(r"-?\d*\.?\d+", el.get("points", ""))]
            pts, what = list(zip(nums[::2], nums[1::2])), f"<polyline {el.get('points')}>"
        else:
            pts, what = _path_points(el.get("d", "")), f"<path d={el.get('d')!r}>"
        marker = re.fullmatch(r"url\(#([^)]+)\)", _inherited(el, "marker-end", parents, "") or "")
        if not marker or marker.group(1) not in markers:
            problems.append(f"{what} has no arrowhead (marker-end)")
        for end, point in (("start", pts[0]), ("end", pts[-1])):
            if not (any(_touches(point, s) for s in shapes) or _near_label(point, boxes)):
                problems.append(f"{what}: its {end} {point} touches no node and no label at the edge")
    return problems


def _colour_problems(text):
    """Fills and strokes that would not read on both a light and a dark page."""
    root = ET.fromstring(text)
    parents = _parents(root)
    allowed = {"currentcolor", "none", "#000"} | {c.lower() for c in PALETTE}
    problems = [f"<{_tag(el)}> {attr}={el.get(attr)!r}" for el in root.iter() for attr in ("fill", "stroke", "color")
                if el.get(attr) is not None and el.get(attr).lower() not in allowed]
    coloured = [s for s, el in zip(_shapes(root), [e for e in root.iter() if _tag(e) in ("circle", "ellipse", "rect")])
                if (el.get("fill") or "").lower() in {c.lower() for c in PALETTE} - {"#000000"}]
    for el in root.iter(f"{{{SVG_NS}}}text"):
        point = (float(el.get("x", 0)), float(el.get("y", 0)))
        fill = (_inherited(el, "fill", parents, "#000") or "").lower()
        if any(_inside(point, s) for s in coloured) and fill != "#000":
            problems.append(f"text {''.join(el.itertext())!r} on a coloured node is {fill}, not black")
    return problems


def _subscripted(root):
    """The (letter, subscript) pairs written with a raised-then-lowered tspan, e.g. ('c', 't−1')."""
    pairs = set()
    for el in root.iter(f"{{{SVG_NS}}}text"):
        chunks = [(el.text or "", 0.0)]
        for span in el.iter(f"{{{SVG_NS}}}tspan"):
            chunks.append((span.text or "", float(span.get("dy", 0) or 0)))
            if span.get("baseline-shift") == "sub":
                chunks[-1] = (span.text or "", 1.0)
        for (before, _), (sub, dy) in zip(chunks, chunks[1:]):
            if dy > 0 and before.strip():
                pairs.add((before.strip()[-1], sub.strip()))
    return pairs


# --- the shipped diagrams ---

def test_package_finds_the_worktree_diagrams():
    print("lstm_course from", diagrams.__file__)
    assert set(BASICS) <= set(diagrams.DIAGRAMS)
    assert set(diagrams.DIAGRAMS) == set(_svg_files()), "DIAGRAMS must list exactly the package's *.svg files"
    for name in diagrams.DIAGRAMS:
        assert diagrams.diagram_svg(name) == _svg_files()[name].read_text(encoding="utf-8")


def test_svgs_ship_as_package_data():
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.svg" in config["tool"]["setuptools"]["package-data"]["lstm_course"]


@pytest.mark.parametrize("name", NAMES)
def test_svg_is_self_contained_and_accessible(name):
    assert svg_problems(_svg_files()[name].read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("name", NAMES)
def test_no_line_ends_nowhere(name):
    assert dangling_lines(_svg_files()[name].read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("name", NAMES)
def test_colours_work_in_light_and_dark_mode(name):
    assert _colour_problems(_svg_files()[name].read_text(encoding="utf-8")) == []


def test_ids_are_unique_across_diagrams():
    """Two diagrams on one page must not share marker or title ids."""
    ids = [el.get("id") for p in _svg_files().values() for el in ET.parse(p).getroot().iter() if el.get("id")]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_lstm_cell_shows_every_gate_and_label():
    text = _svg_files()["lstm_cell"].read_text(encoding="utf-8")
    root = ET.fromstring(text)
    fills = {(el.get("fill") or "").upper() for el in root.iter(f"{{{SVG_NS}}}rect")}
    for gate, colour in GATE_COLOURS.items():
        assert colour in fills, f"no {gate} gate box in {colour}"
    pairs = _subscripted(root)
    for pair in [("c", "t−1"), ("c", "t"), ("h", "t−1"), ("h", "t"), ("x", "t"),
                 ("f", "t"), ("i", "t"), ("g", "t"), ("o", "t")]:
        assert pair in pairs, f"no label {pair[0]} with subscript {pair[1]}"
    texts = ["".join(el.itertext()).strip() for el in root.iter(f"{{{SVG_NS}}}text")]
    assert texts.count("×") == 3 and texts.count("+") == 1 and "tanh" in texts
    for gate in ("ft = σ", "it = σ", "gt = tanh", "ot = σ"):
        assert gate in texts, f"no gate box reading {gate!r}"
    assert not any(re.search(r"t-1", t) for t in texts), "write t−1 with a minus sign, not a hyphen"
    assert any("to the layer above" in t for t in texts) and sum("to step t+1" in t for t in texts) == 2


# --- the display helper ---

ALT = 'An LSTM cell: the "cell state" c runs <along> the top & h below'


def test_diagram_html_is_inline_svg_named_by_the_alt_text():
    out = diagrams.diagram_html("lstm_cell", ALT)
    assert out.startswith('<figure class="lc-diagram"><svg ') and out.endswith("</svg></figure>")
    assert 'role="img"' in out and html.escape(ALT, quote=True) in out and ALT not in out
    svg = ET.fromstring(out).find(f"{{{SVG_NS}}}svg")
    assert svg.get("aria-label") == ALT
    assert svg.get("aria-labelledby") is None, "aria-labelledby would override the alt text"
    assert svg.get("aria-describedby") == "lstm-cell-desc"
    assert "<img" not in out, "inline SVG, so that currentColor follows the page's text colour"


def test_show_diagram_displays_the_html(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    diagrams.show_diagram("unrolled_rnn", "A recurrent cell unrolled over four steps.")
    assert len(shown) == 1 and shown[0].data == diagrams.diagram_html(
        "unrolled_rnn", "A recurrent cell unrolled over four steps.")


@pytest.mark.parametrize("name", ["gru_cell", "", "LSTM_CELL", "lstm_cell.svg", None, 3, ROOT])
def test_unknown_diagram_names_the_available_ones(name):
    with pytest.raises(ValueError, match=r"unknown diagram .*lstm_cell.*unrolled_rnn"):
        diagrams.diagram_svg(name)
    with pytest.raises(ValueError, match="unknown diagram"):
        diagrams.diagram_html(name, ALT)


@pytest.mark.parametrize("alt", [None, 42, "", "an LSTM cell", "      short      ", b"bytes are not a description"])
def test_alt_text_must_be_a_sentence(alt):
    with pytest.raises(ValueError, match="alt text must be a sentence"):
        diagrams.diagram_html("lstm_cell", alt)


# --- the checks above can fail ---

GOOD = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" width="100%" style="max-width:200px" '
        'role="img" aria-labelledby="t d"><title id="t">A box</title><desc id="d">A line into a box.</desc>'
        '<defs><marker id="m"><path d="M0,0 L10,5 L0,10 Z"/></marker></defs>'
        '<text x="4" y="54">in</text><path d="M20,50 H99" stroke="currentColor" marker-end="url(#m)"/>'
        '<rect x="100" y="30" width="60" height="40" fill="#56B4E9"/><text x="130" y="55" fill="#000">box</text></svg>')


def test_checks_pass_a_good_svg():
    assert svg_problems(GOOD) == [] and dangling_lines(GOOD) == [] and _colour_problems(GOOD) == []


@pytest.mark.parametrize("bad, expected", [
    (GOOD.replace('<title id="t">A box</title>', ""), "no <title>"),
    (GOOD.replace('<title id="t">A box</title>', '<title id="t"> </title>'), "no <title>"),
    (GOOD.replace("<desc", "<g").replace("</desc>", "</g>"), "no <desc>"),
    (GOOD.replace(' role="img"', ""), 'role="img"'),
    (GOOD.replace(' viewBox="0 0 200 100"', ""), "viewBox"),
    (GOOD.replace('width="100%"', 'width="640"'), "no fixed pixel size"),
    (GOOD.replace('aria-labelledby="t d"', 'aria-labelledby="t"'), "does not point to the <desc>"),
    (GOOD.replace("</svg>", '<image href="https://example.org/x.png"/></svg>'), "external reference"),
    (GOOD.replace("</svg>", "<script>alert(1)</script></svg>"), "<script> is not allowed"),
    (GOOD.replace("</svg>", '<rect fill="url(https://example.org/p)"/></svg>'), "external url"),
    (GOOD.replace("<title", "<titl"), "not valid XML"),
    (GOOD.replace("</svg>", f"<!-- {'x' * MAX_BYTES} --></svg>"), "bytes, over"),
])
def test_svg_problems_catches(bad, expected):
    assert any(expected in p for p in svg_problems(bad)), svg_problems(bad)


@pytest.mark.parametrize("bad, expected", [
    (GOOD.replace(' marker-end="url(#m)"', ""), "no arrowhead"),
    (GOOD.replace('marker-end="url(#m)"', 'marker-end="url(#gone)"'), "no arrowhead"),
    (GOOD.replace('H99"', 'H80"'), "its end (80.0, 50.0) touches no node"),
    (GOOD.replace('M20,50', 'M60,90'), "its start (60.0, 90.0) touches no node"),
    (GOOD.replace("</svg>", '<line x1="100" y1="10" x2="120" y2="10" marker-end="url(#m)"/></svg>'), "<line"),
])
def test_dangling_lines_catches(bad, expected):
    assert any(expected in p for p in dangling_lines(bad)), dangling_lines(bad)


@pytest.mark.parametrize("bad, expected", [
    (GOOD.replace('fill="#000"', 'fill="currentColor"'), "not black"),
    (GOOD.replace('stroke="currentColor"', 'stroke="#222"'), "stroke='#222'"),
])
def test_colour_problems_catches(bad, expected):
    assert any(expected in p for p in _colour_problems(bad)), _colour_problems(bad)
