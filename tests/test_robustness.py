"""`make robustness` (tools/robustness.py): failures are named by notebook and cell, and the appendix page is
generated from the committed report."""

import json
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import robustness  # noqa: E402


def test_committed_page_is_generated_from_committed_report():
    report = json.loads(robustness.REPORT.read_text(encoding="utf-8"))
    assert robustness.PAGE.read_text(encoding="utf-8") == robustness.render_page(report), \
        "appendix/robustness.md was edited by hand: rerun `make robustness`"
    assert report["held"] == report["total"] == len(report["runs"]), "a committed robustness run has failures"
    assert {r["run"] for r in report["runs"]} >= {"COURSE_SEED=1", "COURSE_SEED=2", "COURSE_SEED=3"}


def test_a_failing_assert_is_named_by_notebook_and_cell(tmp_path):
    nb = {"cells": [{"cell_type": "code", "id": "a", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": "import os\nseed = int(os.environ['COURSE_SEED'])"},
                    {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": "assert seed != 2, 'this claim fails for seed 2'"}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "claim.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert robustness.run_notebook(path, {"COURSE_SEED": "1"})[2] is None
    _, seconds, failure = robustness.run_notebook(path, {"COURSE_SEED": "2"})
    assert failure == {"cell": 1, "error": "AssertionError: this claim fails for seed 2"}
    page = robustness.render_page({"runs": [{"run": "COURSE_SEED=2", "notebook": "chapters/claim.ipynb",
                                             "seconds": seconds, "failure": failure}], "held": 0, "total": 1})
    assert "Claims held in 0 of 1" in page and "`chapters/claim.ipynb::Cell 1` (COURSE_SEED=2): AssertionError" in page


def test_bad_arguments_get_a_clear_message(capsys):
    with pytest.raises(SystemExit):
        robustness.main(["--seeds", "one,two"])
    assert "--seeds must be whole numbers" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        robustness.main(["chapters/no_such_chapter.ipynb"])
    assert "no such notebook" in capsys.readouterr().err
    with pytest.raises(ValueError, match="robustness report is a dict"):
        robustness.render_page({"runs": []})


def test_merge_replaces_the_rechecked_chapters_runs_and_keeps_the_others():
    def run(notebook, label, failure=None):
        return {"run": label, "notebook": notebook, "seconds": 1.0, "failure": failure}
    old = {"runs": [run("chapters/01.ipynb", "COURSE_SEED=1"), run("chapters/02.ipynb", "COURSE_SEED=1"),
                    run("chapters/02.ipynb", "COURSE_SEED=2", {"cell": 3, "error": "AssertionError"})],
           "held": 2, "total": 3}
    merged = robustness.merge_reports(old, [run("chapters/02.ipynb", "COURSE_SEED=1"), run("chapters/02.ipynb", "COURSE_SEED=2")])
    assert [(r["notebook"], r["run"]) for r in merged["runs"]] == [
        ("chapters/01.ipynb", "COURSE_SEED=1"), ("chapters/02.ipynb", "COURSE_SEED=1"), ("chapters/02.ipynb", "COURSE_SEED=2")]
    assert merged["held"] == merged["total"] == 3, "the old failure of chapter 2 must be gone once it is rerun"
    with pytest.raises(ValueError, match="can only merge into a robustness report"):
        robustness.merge_reports([], [])
