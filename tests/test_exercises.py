"""Exercise notebooks: every hidden solution passes its checker, every untouched stub is told it is
unfinished, and typical wrong answers are rejected with the message that names the mistake."""

import importlib
import math
import pkgutil
import re
import types
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from torch import nn

from conftest import EXERCISES, ROOT
from lstm_course import checks
from lstm_course.checks.feedback import checker



def _verdicts(nb):
    """(tags, ok, message) for every checker verdict a cell of an executed notebook displayed."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            text = output.get("data", {}).get("text/plain", "") if output.get("output_type") in ("execute_result", "display_data") else ""
            if text[:2] in ("✓ ", "✗ "):
                yield cell.metadata.get("tags", []), text.startswith("✓"), text[2:]


def test_there_is_one_exercise_notebook_per_chapter():
    chapters = {p.name for p in (ROOT / "chapters").glob("*.ipynb")}
    assert chapters and chapters == {p.name for p in EXERCISES} == {p.name for p in (ROOT / "exercises").glob("*.ipynb")}


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_solutions_pass_and_stubs_are_told_they_are_unfinished(path, executed):
    """Read from the notebook's one execution (opened alone, as a learner runs it top to bottom)."""
    result = executed["results"][str(path.relative_to(ROOT))]
    assert result["failure"] is None, result["failure"]
    verdicts = list(_verdicts(result["notebook"]))
    solved = [(ok, message) for tags, ok, message in verdicts if "solution" in tags]
    stubs = [(ok, message) for tags, ok, message in verdicts if "solution" not in tags]
    assert len(solved) >= 2, f"{path.name}: fewer than 2 checked coding tasks"
    assert all(ok for ok, _ in solved), [message for ok, message in solved if not ok]
    assert len(stubs) == len(solved), f"{path.name}: every solution needs a starter cell with a check"
    assert all(not ok and ("NotImplementedError" in message or "no answer yet" in message) for ok, message in stubs), stubs


def test_verdicts_are_read_from_displayed_feedback():
    shown = [checks.Feedback(True, "all good"), checks.Feedback(False, "no answer yet: NotImplementedError")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", metadata={"tags": tags}) for tags in (["solution"], [])])
    for cell, feedback in zip(nb.cells, shown):
        cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": repr(feedback)}, execution_count=1)]
    assert list(_verdicts(nb)) == [(["solution"], True, "all good"), ([], False, "no answer yet: NotImplementedError")]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_notebook_has_three_tasks_and_hidden_model_answers(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert text.count("## Task") >= 3
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []):
            assert "hide-input" in cell.metadata.tags and cell.metadata.get("jupyter", {}).get("source_hidden")
    if "(written" in text:
        assert "<details><summary>Model answer</summary>" in text


TASK_HEADING = re.compile(r"^## Task (\d+) \((easy|medium|harder|experiment|debugging)\): \S", re.MULTILINE)


def task_kinds(nb):
    """(number, kind) of every task heading in a notebook's markdown."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return [(int(n), kind) for n, kind in TASK_HEADING.findall(text)]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_every_exercise_notebook_has_an_experiment_and_a_debugging_task(path):
    nb = nbformat.read(path, as_version=4)
    tasks = task_kinds(nb)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert len(tasks) == text.count("## Task"), f"{path.name}: a task heading is not '## Task N (kind): title'"
    assert [n for n, _ in tasks] == list(range(1, len(tasks) + 1)), f"{path.name}: tasks numbered {tasks}"
    kinds = {kind for _, kind in tasks}
    assert {"experiment", "debugging"} <= kinds, f"{path.name}: needs an experiment and a debugging task, has {tasks}"


def test_task_kinds_are_read_from_the_headings():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Task 1 (easy): a\n\n## Task 2 (debugging): b"),
                                         nbformat.v4.new_markdown_cell("## Task 3 (experiment): c\n## Task 4: d")])
    assert task_kinds(nb) == [(1, "easy"), (2, "debugging"), (3, "experiment")]


# --- typical wrong answers ------------------------------------------------------------------------

def _set_bias(rows, layers=(0, 1), both=False):
    def fn(lstm, value):
        H = lstm.hidden_size
        with torch.no_grad():
            for layer in layers:
                getattr(lstm, f"bias_ih_l{layer}")[rows(H)] = value
                getattr(lstm, f"bias_hh_l{layer}")[rows(H)] = value if both else 0.0
    return fn


def _head(in_features, out_features=3):
    return lambda hidden, classes: nn.Linear(in_features, out_features)


def _final_states(output, h_n):
    return torch.cat([h_n[-2], h_n[-1]], dim=-1)


WRONG = [
    (checks.check_steps_below, 65, "off by one"),
    (checks.check_steps_below, 67, "off by one"),
    (checks.check_steps_below, 10, "multiply, they do not subtract"),
    (checks.check_steps_below, 3, "Solve factor**k < threshold"),
    (checks.check_forget_bias_for, lambda f: f, "gate value itself"),
    (checks.check_forget_bias_for, lambda f: -math.log(f / (1 - f)), "sign error"),
    (checks.check_forget_bias_for, lambda f: math.log(f), "not"),
    (checks.check_forget_bias_for, lambda f: 1 / 0, "ZeroDivisionError"),
    (checks.check_set_forget_bias, _set_bias(lambda H: slice(0, H)), "input gate"),
    (checks.check_set_forget_bias, _set_bias(lambda H: slice(H, 2 * H), both=True), "both bias_ih and bias_hh"),
    (checks.check_set_forget_bias, _set_bias(lambda H: slice(H, 2 * H), layers=(0,)), "layer 0 is right"),
    (checks.check_set_forget_bias, _set_bias(lambda H: slice(0, 2 * H)), "changed the other gates"),
    (checks.check_bidirectional_head, (_head(128), _final_states), "reads one direction only"),
    (checks.check_bidirectional_head, (_head(512), _final_states), "2 × hidden_size = 256"),
    (checks.check_bidirectional_head, (_head(256, 1), _final_states), "number of classes"),
    (checks.check_bidirectional_head, (lambda h, c: nn.LSTM(h, c), _final_states), "return an nn.Linear"),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: o[:, -1]), "backward direction ends at step 0"),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: torch.cat([h[-1], h[-2]], -1)), "wrong order"),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: torch.cat([h[0], h[1]], -1)), "first layer's states"),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: o.mean(1)), "not each direction's final state"),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: h[-1]), "shape (batch, 2 × hidden)"),
]

# Cases of newer tasks live beside this file, one module per chapter: tests/exercise_cases_<topic>.py defines
# WRONG (checker, answer, message fragment) and RIGHT (checker, answer) lists in the same shapes as here.
CASE_MODULES = [importlib.import_module(p.stem) for p in sorted(Path(__file__).parent.glob("exercise_cases_*.py"))]
WRONG += [case for module in CASE_MODULES for case in module.WRONG]


@pytest.mark.parametrize("checker, answer, message", WRONG, ids=[f"{c[0].__name__}-{n}" for n, c in enumerate(WRONG)])
def test_typical_wrong_answer_is_rejected_with_the_intended_message(checker, answer, message):
    verdict = checker(*answer) if isinstance(answer, tuple) else checker(answer)
    assert not verdict.ok, f"{checker.__name__} accepted a wrong answer"
    assert message in verdict.message, f"{checker.__name__}: got {verdict.message!r}, wanted {message!r}"


def test_feedback_html_escapes_the_message():
    html = checks.Feedback(False, "<script>alert(1)</script>")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- correct answers written differently from the hidden solutions -----------------------------
# A learner's right answer must pass whatever its dtype (float32, float64, numpy) or formula.

def _set_bias_by_name(lstm, value):
    H = lstm.hidden_size
    with torch.no_grad():
        for name, param in lstm.named_parameters():
            if name.startswith("bias_ih"):
                param[H:2 * H] = value
            elif name.startswith("bias_hh"):
                param[H:2 * H] = 0.0


def _split_bias_in_halves(lstm, value):
    H = lstm.hidden_size
    with torch.no_grad():
        for layer in range(lstm.num_layers):
            getattr(lstm, f"bias_ih_l{layer}")[H:2 * H] = value / 2
            getattr(lstm, f"bias_hh_l{layer}")[H:2 * H] = value / 2


RIGHT = [
    (checks.check_steps_below, np.int64(66)),
    (checks.check_steps_below, 66.0),
    (checks.check_steps_below, torch.tensor(66)),
    (checks.check_forget_bias_for, lambda f: torch.logit(torch.tensor(f))),          # float32: 1e-6 off at 0.99
    (checks.check_forget_bias_for, lambda f: np.log(f) - np.log1p(-f)),
    (checks.check_forget_bias_for, lambda f: -math.log(1 / f - 1)),
    (checks.check_set_forget_bias, _set_bias_by_name),
    (checks.check_set_forget_bias, _split_bias_in_halves),
    (checks.check_bidirectional_head, (lambda h, c: nn.Linear(h * 2, c, bias=False),
                                       lambda o, h: torch.cat([o[:, -1, :o.shape[-1] // 2], o[:, 0, o.shape[-1] // 2:]], -1))),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: h[-2:].transpose(0, 1).reshape(h.shape[1], -1))),
]
RIGHT += [case for module in CASE_MODULES for case in module.RIGHT]


@pytest.mark.parametrize("checker, answer", RIGHT, ids=[f"{c[0].__name__}-{n}" for n, c in enumerate(RIGHT)])
def test_a_right_answer_written_differently_passes(checker, answer):
    verdict = checker(*answer) if isinstance(answer, tuple) else checker(answer)
    assert verdict.ok, f"{checker.__name__} rejected a right answer: {verdict.message}"


def test_every_checker_has_two_alternative_right_answers():
    names = [name for name in dir(checks) if name.startswith("check_")]
    counts = {name: sum(c.__name__ == name for c, _ in RIGHT) for name in names}
    assert all(n >= 2 for n in counts.values()), {name: n for name, n in counts.items() if n < 2}


def test_an_unforeseen_answer_gets_feedback_not_a_traceback():
    gates = ("input", "forget", "cell", "output")
    verdict = checks.check_gate_bias_ablation(lambda seed: {gate: object() for gate in gates})
    assert not verdict.ok and verdict.message


# --- the checkers package: every checker decorated, every checker a notebook imports exported --------------

CHECK_MODULES = [importlib.import_module(f"{checks.__name__}.{module.name}")
                 for module in pkgutil.iter_modules(checks.__path__)]


def _undecorated_checkers(module):
    """The check_* functions a module offers (its __all__, else all its names) that @checker does not wrap."""
    names = getattr(module, "__all__", None) or dir(module)
    return sorted(name for name in names
                  if name.startswith("check_") and not getattr(getattr(module, name), "is_checker", False))


def test_every_exported_checker_is_wrapped_by_the_decorator():
    exported = sorted(name for name in checks.__all__ if name.startswith("check_"))
    assert len(exported) >= 2 * len(EXERCISES), exported
    assert _undecorated_checkers(checks) == [], "define every checker with @checker (lstm_course/checks/feedback.py)"
    assert sorted(name for name in dir(checks) if name.startswith("check_")) == exported
    defined = sorted(name for module in CHECK_MODULES for name, obj in vars(module).items()
                     if name.startswith("check_") and obj.__module__ == module.__name__)
    assert defined == exported, "every checker a chapter's module defines is exported in lstm_course/checks/__init__.py"


def test_a_checker_defined_without_the_decorator_is_detected():
    def first_is_one(answer):
        return checks.Feedback(answer[0] == 1, "the first item is 1")

    crafted = types.ModuleType("crafted_checks")
    crafted.check_wrapped, crafted.check_bare = checker(first_is_one), first_is_one
    crafted.__all__ = ["check_wrapped", "check_bare"]
    assert _undecorated_checkers(crafted) == ["check_bare"]
    verdict = crafted.check_wrapped(None)
    assert not verdict.ok and "could not be checked: TypeError" in verdict.message
    with pytest.raises(TypeError):
        crafted.check_bare(None)


_CHECKS_IMPORT = re.compile(r"^\s*from lstm_course\.checks import (\([^)]*\)|.*)$", re.MULTILINE)


def _imported_checkers(path):
    """The check_* names an exercise notebook imports from lstm_course.checks, read from its code as text."""
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    names = {name for imported in _CHECKS_IMPORT.findall(code) for name in re.findall(r"\bcheck_\w+", imported)}
    return names | set(re.findall(r"\bchecks\.(check_\w+)", code))


def test_imported_checkers_are_read_from_one_line_and_parenthesised_imports(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from lstm_course.checks import check_a, check_b  # two\nprint(check_x)"),
        nbformat.v4.new_code_cell("from lstm_course.checks import (\n    check_c,\n    check_d,\n)"),
        nbformat.v4.new_code_cell("from lstm_course import checks\nchecks.check_e(f)"),
        nbformat.v4.new_markdown_cell("from lstm_course.checks import check_prose")])
    nbformat.write(nb, tmp_path / "nb.ipynb")
    assert _imported_checkers(tmp_path / "nb.ipynb") == {"check_a", "check_b", "check_c", "check_d", "check_e"}


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_every_checker_an_exercise_notebook_imports_is_exported_from_its_chapters_module(path):
    imported = _imported_checkers(path)
    assert imported, f"{path.name}: imports no checker from lstm_course.checks"
    missing = sorted(imported - set(checks.__all__))
    assert not missing, f"{path.name} imports checkers that lstm_course.checks does not export: {missing}"
    module = f"{checks.__name__}.{path.stem.split('_', 1)[1]}"
    elsewhere = {name: getattr(checks, name).__module__ for name in sorted(imported)
                 if getattr(checks, name).__module__ != module}
    assert not elsewhere, f"{path.name}'s checkers belong in {module}: {elsewhere}"
