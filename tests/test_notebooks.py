"""Conventions every notebook keeps: clean outputs, the canonical install cell, seeds, checks, figures, quizzes."""

import ast
import re

import pytest
import yaml

from conftest import CHAPTERS, NOTEBOOKS, ROOT, cell_source, load_notebook
from lstm_course.notebooks import SETUP_TAG, first_code_cell, repository_url, setup_cell_source, sync
from lstm_course.quiz import load_bank


def _code(nb):
    return [cell_source(c) for c in nb["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert CHAPTERS, "no chapter notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_without_outputs(path):
    nb = load_notebook(path)
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_cell_has_an_id_of_its_own(path):
    # Jupyter renames a repeated id when it reads the notebook: the file would change at every save.
    ids = [c.get("id") for c in load_notebook(path)["cells"]]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert all(ids) and not repeated, f"{path.name}: cells without an id or with a repeated one: {repeated}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_first_code_cell_is_the_canonical_install_cell(path):
    cell = first_code_cell(load_notebook(path))
    assert cell_source(cell) == setup_cell_source(repository_url(ROOT / "_config.yml")), \
        f"{path.name}: first code cell differs from the canonical install cell; run `make sync`"
    assert SETUP_TAG in cell.get("metadata", {}).get("tags", []), f"{path.name}: install cell needs tag {SETUP_TAG}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_seeds_checks_figures_and_quizzes(path):
    nb = load_notebook(path)
    code = _code(nb)
    joined = "\n".join(code)
    assert "seed_everything(" in code[1], f"{path.name}: the second code cell must seed (seed_everything)"
    assert "plt.show(" not in joined, f"{path.name}: display figures with show_figure(fig, alt=...)"
    shown = joined.count("show_figure(") + joined.count("show_animation(")
    assert joined.count("plt.subplots(") + joined.count("plt.figure(") <= shown, \
        f"{path.name}: every figure must go through show_figure/show_animation (title, labels, alt text)"
    checks = [i for i, src in enumerate(code) if src.count("assert ") + src.count("claim(") >= 3]
    assert checks, f"{path.name}: needs a final checks cell with the chapter's asserts and claims"
    if path.parent.name == "chapters":
        assert code[checks[-1]].count("claim(") >= 3, \
            f"{path.name}: its checks cell states the measured claims with claim(statement, values, holds)"
    assert all("show_figure(" not in src and "show_animation(" not in src for src in code[checks[-1]:]), \
        f"{path.name}: checks must come after all figures"
    assert re.match(r"\(ch-[a-z0-9-]+\)=\n# \d+\. ", cell_source(nb["cells"][0])), f"{path.name}: starts with label and numbered title"
    bank = load_bank(path.stem)
    ids = {q["id"] for q in bank["questions"]}
    calls = re.findall(r'show_quiz\("([^"]+)"((?:, "[^"]+")*)\)', joined)
    assert calls, f"{path.name}: embeds no quiz"
    for chapter, rest in calls:
        assert chapter == path.stem, f"{path.name}: shows quiz of another chapter {chapter}"
        unknown = set(re.findall(r'"([^"]+)"', rest)) - ids
        assert not unknown, f"{path.name}: quiz ids {unknown} are not in quizzes/{path.stem}.yml"


def quiz_questions_embedded(nb):
    """The question ids of every show_quiz(bank, id, ...) call in the notebook's code, however it is wrapped."""
    for source in _code(nb):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "show_quiz":
                yield from (arg.value for arg in node.args[1:] if isinstance(arg, ast.Constant))


def test_embedded_quiz_questions_are_found_in_wrapped_calls():
    nb = {"cells": [{"cell_type": "code", "source": 'show_quiz(\n    "01_x",\n    "a",\n    "b",\n)\n'},
                    {"cell_type": "code", "source": 'show_quiz("01_x", "c")'}]}
    assert list(quiz_questions_embedded(nb)) == ["a", "b", "c"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_links_to_its_exercises_whose_last_section_shows_its_whole_quiz(path):
    nb = load_notebook(path)
    last = cell_source(nb["cells"][-1])
    label = "quiz-" + path.stem.replace("_", "-")
    assert "(glossary.md)" in last, f"{path.name}: last cell must link to the glossary"
    assert f"(../exercises/{path.name})" in last, f"{path.name}: last cell must link to ../exercises/{path.name}"
    assert f"<{label}>`" in last, f"{path.name}: last cell must link to its quiz with {{ref}}`Quiz N <{label}>`"
    exercises = load_notebook(ROOT / "exercises" / path.name)
    quiz_at = [i for i, c in enumerate(exercises["cells"]) if cell_source(c).startswith(f"({label})=\n## Quiz")]
    assert quiz_at, f"exercises/{path.name} needs a last section '({label})=' / '## Quiz'"
    after = "\n".join(_code({"cells": exercises["cells"][quiz_at[0]:]}))
    assert f'show_quiz("{path.stem}")' in after, f"exercises/{path.name}: its quiz section must show the whole bank"
    embedded = set(quiz_questions_embedded(nb))
    assert len(embedded) >= 3, f"{path.name}: embeds {len(embedded)} quiz questions, needs at least 3"


def test_toc_lists_every_page_and_nothing_missing():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {c["file"] for part in toc["parts"] for c in part["chapters"]}
    notebooks = [p for folder in ("chapters", "exercises", "quizzes") for p in sorted((ROOT / folder).glob("*.ipynb"))]
    pages = notebooks + [md for folder in ("chapters", "appendix") for md in sorted((ROOT / folder).glob("*.md"))]
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in pages}
    assert on_disk == files, f"in _toc.yml but not on disk: {files - on_disk}; on disk but not in _toc.yml: {on_disk - files}"


def test_sync_rewrites_a_stale_install_cell(tmp_path):
    src = next(iter(CHAPTERS))
    copy = tmp_path / src.name
    copy.write_text(src.read_text())
    url = "https://example.org/fork/course"
    assert sync([copy], url) == [str(copy)]
    assert cell_source(first_code_cell(load_notebook(copy))) == setup_cell_source(url)
    assert sync([copy], url) == []
    with pytest.raises(ValueError, match="https URL"):
        setup_cell_source("file:///tmp/x")


# Terms a reader may not know, each defined in the glossary (a line of its own in the glossary directive).
GLOSSARY_TERMS = ["Elman network", "Jacobian", "retain_grad", "cuDNN", "teacher forcing", "one-cycle schedule",
                  "variational dropout", "Mamba and RWKV", "truncated backpropagation through time", "gate",
                  "exposure bias", "beam search", "attention", "stateful model", "weight tying",
                  "chrono initialisation", "activation regularisation", "IRNN", "fair comparison"]


def test_glossary_defines_the_terms_the_chapters_use():
    glossary = (ROOT / "chapters" / "glossary.md").read_text(encoding="utf-8")
    block = glossary[glossary.index("```{glossary}"):]
    defined = {line.strip() for line in block.splitlines()[1:] if line and not line.startswith((" ", "`"))}
    assert set(GLOSSARY_TERMS) <= defined, f"not defined in the glossary: {set(GLOSSARY_TERMS) - defined}"
    chapters_text = "\n".join(cell_source(c) for p in CHAPTERS for c in load_notebook(p)["cells"])
    for term in ("Jacobian", "Elman", "cuDNN", "one-cycle", "Mamba", "retain_grad", "teacher forcing", "exposure bias",
                 "beam search", "chrono initialisation", "activation regularisation"):
        assert term.lower() in chapters_text.lower(), f"the glossary defines {term!r}, which no chapter uses"


def test_the_gates_are_previewed_before_a_chapter_first_uses_them():
    for chapter, first_use in (("01_vanishing_gradients", "nn.LSTMCell(INPUT"), ("02_cell_state", ".chunk(4")):
        cells = [cell_source(c) for c in load_notebook(ROOT / "chapters" / f"{chapter}.ipynb")["cells"]]
        used = next(i for i, src in enumerate(cells) if first_use in src)
        preview = next((i for i, src in enumerate(cells) if "o_t" in src and "f_t" in src and "i_t" in src), None)
        assert preview is not None and preview < used, f"{chapter}: name the gates (i, f, g, o) before cell {used} uses them"


# Chapter shape: the first cell states the chapter's one idea, and its key picture (a diagram or a figure)
# comes before the first long teaching cell (the imports cell, the second code cell, does not count).
LONG_CELL = 30
PICTURE = re.compile(r"show_(?:diagram|figure|animation)\(")


def shape(nb):
    """(index of the first visible code cell after the imports with over LONG_CELL lines or None, index of
    the first cell showing a picture or None)."""
    code = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    long = next((i for i in code[2:] if not FOLDED & set(nb["cells"][i].get("metadata", {}).get("tags", []))
                 and len([ln for ln in cell_source(nb["cells"][i]).splitlines() if ln.strip()]) > LONG_CELL), None)
    picture = next((i for i in code if PICTURE.search(cell_source(nb["cells"][i]))), None)
    return long, picture


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_states_its_big_idea_and_shows_its_picture_before_its_first_long_code_cell(path):
    nb = load_notebook(path)
    assert "**The big idea.**" in cell_source(nb["cells"][0]), f"{path.name}: the first cell states **The big idea.**"
    long, picture = shape(nb)
    assert picture is not None, f"{path.name}: shows no picture (show_diagram, show_figure, show_animation)"
    assert long is None or picture < long, \
        f"{path.name}: its first picture (cell {picture}) comes after its first long code cell (cell {long})"


def test_shape_finds_the_first_long_cell_and_the_first_picture():
    def cell(kind, lines, *tags):
        return {"cell_type": kind, "source": "\n".join(lines), "metadata": {"tags": list(tags)}}
    long_code = [f"x{n} = {n}" for n in range(LONG_CELL + 1)]
    nb = {"cells": [cell("markdown", ["# 1. T"]), cell("code", ["install"]), cell("code", long_code),
                    cell("code", long_code, "hide-input"), cell("code", ["show_figure(fig, alt='a')"]),
                    cell("code", long_code)]}
    assert shape(nb) == (5, 4)
    nb["cells"].insert(3, cell("code", long_code))
    assert shape(nb) == (3, 5)


# Cells whose job is a figure, an animation, a computed sentence or an HTML display are plumbing for the
# site's reader: folded (hide-input) or removed there, so the visible code is the teaching code.
PLUMBING = re.compile(r"show_figure\(|show_animation\(|show_diagram\(|Markdown\(|\bglue\(|HTML\(")
FOLDED = {"hide-input", "remove-input", "remove-cell"}
MAX_PLUMBING_SHARE = 0.10


def visible_code_lines(nb):
    """(all visible code lines, those in plumbing cells) of a notebook, as the site shows it unfolded."""
    total = plumbing = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or FOLDED & set(cell.get("metadata", {}).get("tags", [])):
            continue
        lines = len([line for line in cell_source(cell).splitlines() if line.strip()])
        total += lines
        plumbing += lines if PLUMBING.search(cell_source(cell)) else 0
    return total, plumbing


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_visible_code_is_mostly_teaching_code(path):
    total, plumbing = visible_code_lines(load_notebook(path))
    assert total and plumbing <= MAX_PLUMBING_SHARE * total, (
        f"{path.name}: {plumbing} of {total} visible code lines build figures or sentences; tag those "
        "cells hide-input (split teaching code into a cell of its own) or move the styling into lstm_course")


def test_plumbing_count_sees_visible_figure_cells_and_skips_folded_ones():
    def cell(source, *tags):
        return {"cell_type": "code", "source": source, "metadata": {"tags": list(tags)}}
    nb = {"cells": [cell("x = 1\ny = 2\n"), cell("fig = plot()\nshow_figure(fig, alt='a')\n"),
                    cell("display(Markdown(f'{x}'))\n", "hide-input"), cell("z = 3\n", "remove-cell")]}
    assert visible_code_lines(nb) == (4, 2)
