"""One source for every chapter number: a protocol constant a chapter defines (MAX_STEPS, BATCH, LEARNED ...) is
read from the chapter by tools/ and tests/ (lstm_course.notebooks.load_definitions), never typed again there."""

import ast
import json

from conftest import REGISTERED, ROOT, cell_source

# Constants every notebook has (the install cell's) or that name the run, not a protocol value.
NOT_PROTOCOL = {"HELPER_VERSION", "RELEASE", "SEED", "SEEDS"}


def _literal(node):
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return False, None


def _numeric(value):
    """A number, or a list, tuple, set or dict holding at least one number (where retyping is a drift)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, dict):
        return any(_numeric(v) for v in value.values())
    return isinstance(value, (list, tuple, set)) and any(_numeric(v) for v in value)


def constants(tree):
    """{NAME: literal value} for the top-level assignments of UPPER_CASE names (tuple targets too)."""
    found = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, (ok, value) = node.targets[0], _literal(node.value)
        if not ok:
            continue
        if isinstance(target, ast.Name):
            pairs = [(target.id, value)]
        elif isinstance(target, ast.Tuple) and isinstance(value, tuple) and len(value) == len(target.elts):
            pairs = [(t.id, v) for t, v in zip(target.elts, value) if isinstance(t, ast.Name)]
        else:
            pairs = []
        found |= {name: v for name, v in pairs if name.isupper() and name not in NOT_PROTOCOL}
    return found


def chapter_constants(paths):
    """{NAME: (chapter file name, value)} for every chapter's numeric protocol constants."""
    found = {}
    for path in paths:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                found |= {name: (path.name, value) for name, value in constants(ast.parse(cell_source(cell))).items()
                          if _numeric(value)}
    return found


def _targets(node):
    """The names an assignment binds directly (x = ..., x, y = ...), not the names inside x[i] = ... ."""
    names = []
    for target in node.targets:
        elements = target.elts if isinstance(target, ast.Tuple) else [target]
        names += [e.id for e in elements if isinstance(e, ast.Name)]
    return names


def retyped(chapter_values, files):
    """'file:line: NAME = value retypes chapter's NAME' for each literal in files that copies a chapter constant:
    a collection of numbers equal to a chapter constant's, anywhere; or, in a file that names the chapter (its
    file name without .ipynb), an assignment to the constant's own name."""
    problems = []
    for file in files:
        text = file.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Assign):
                continue
            ok, value = _literal(node.value)
            if not ok or not _numeric(value):
                continue
            names = _targets(node)
            for name, (chapter, original) in chapter_values.items():
                same_name = name in names and chapter.removesuffix(".ipynb") in text
                same_table = isinstance(value, (list, tuple, dict, set)) and len(value) >= 2 and value == original
                if same_name or same_table:
                    problems.append(f"{file.relative_to(file.parents[1])}:{node.lineno}: {', '.join(names)} = "
                                    f"{str(value)[:60]} retypes {chapter}'s {name}; read it with load_definitions")
    return problems


def test_no_chapter_constant_is_retyped_in_tools_or_tests():
    values = chapter_constants([c.chapter for c in REGISTERED])
    assert {"MAX_STEPS", "BATCH", "LEARNED", "RECALL_DELAY", "FAIR_STEPS"} <= set(values), sorted(values)
    files = sorted((ROOT / "tools").glob("*.py")) + sorted((ROOT / "tests").glob("*.py"))
    problems = retyped(values, files)
    assert not problems, "\n".join(problems)


def test_a_retyped_constant_is_found(tmp_path):
    chapter = tmp_path / "chapters" / "04_x.ipynb"
    chapter.parent.mkdir()
    code = 'MAX_STEPS, BATCH = 300, 32\nRATES = [0.001, 0.01]\nNAMES = ["a", "b"]\nSEEDS = [0, 1]\n'
    chapter.write_text(json.dumps({"cells": [{"cell_type": "code", "source": code}]}))
    values = chapter_constants([chapter])
    assert values == {"MAX_STEPS": ("04_x.ipynb", 300), "BATCH": ("04_x.ipynb", 32), "RATES": ("04_x.ipynb", [0.001, 0.01])}
    tool = tmp_path / "tools" / "bench.py"
    tool.parent.mkdir()
    tool.write_text('CHAPTER = "04_x"\nBATCH = 64\nSWEEP = [0.001, 0.01]\nNAMES = ("x", "y")\nsteps = 300\n'
                    'x = [0] * 9\nx[BATCH] = 1.0\n\ndef f():\n    MAX_STEPS = 300\n')
    other = tmp_path / "tools" / "other.py"              # names no chapter: only a copied table counts
    other.write_text('BATCH = 64\nSWEEP = (0.001, 0.01)\nTABLE = [0.001, 0.01]\n')
    found = retyped(values, [tool, other])
    assert len(found) == 4 and [p.split(":")[0] for p in found] == ["tools/bench.py"] * 3 + ["tools/other.py"], found
    assert "BATCH = 64 retypes 04_x.ipynb's BATCH" in found[0] and "RATES" in found[1] and "MAX_STEPS" in found[2]
    assert "TABLE = [0.001, 0.01] retypes 04_x.ipynb's RATES" in found[3]
