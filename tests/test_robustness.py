"""`make robustness` (tools/robustness.py): failures are named by notebook and cell, and the appendix page is
generated from the committed report."""

import json
import re
import sys

import pytest

from conftest import ROOT, cell_source

sys.path.insert(0, str(ROOT / "tools"))
import registry  # noqa: E402
import robustness  # noqa: E402


def test_committed_page_is_generated_from_committed_report():
    report = json.loads(robustness.REPORT.read_text(encoding="utf-8"))
    assert robustness.PAGE.read_text(encoding="utf-8") == robustness.render_page(report), \
        ("appendix/robustness.md is not what appendix/robustness.json generates (a chapter not yet run, such as a new "
         "one, or a hand edit): run `.venv/bin/python tools/robustness.py --merge chapters/NN_topic.ipynb`")
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


def test_claims_are_recorded_per_run_and_pooled_in_the_register(tmp_path):
    source = ("import os\nfrom lstm_course.claims import claim\nseed = int(os.environ['COURSE_SEED'])\n"
              "claim('x stays small', [seed / 10, 0.5], seed < 3, isolates='the seed')")
    nb = {"cells": [{"cell_type": "code", "id": "a", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": source}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "claims.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    rows = []
    for seed in (1, 3):
        seconds, failure, claims = robustness.run_with_claims(path, {"COURSE_SEED": str(seed)})
        rows.append({"run": f"COURSE_SEED={seed}", "notebook": "chapters/claims.ipynb", "seconds": seconds,
                     "failure": failure, "claims": claims})
    assert rows[0]["failure"] is None and rows[1]["failure"]["error"].startswith("AssertionError: x stays small")
    assert [c["holds"] for r in rows for c in r["claims"]] == [True, False], "a failing claim is recorded too"
    page = robustness.render_page(robustness.summary(rows))
    assert "| x stays small | the seed | 0.1 to 0.5 (4) | 1 of 2 runs |" in page, page


def test_committed_register_has_every_claim_of_every_chapter():
    # fails when a chapter gains, loses or renames a claim and `make robustness` was not rerun for it
    report = json.loads(robustness.REPORT.read_text(encoding="utf-8"))
    for path in (c.chapter for c in registry.chapters(ROOT)):
        nb = json.loads(path.read_text(encoding="utf-8"))
        checks = next((cell_source(c) for c in reversed(nb["cells"]) if "all checks passed" in cell_source(c)), None)
        assert checks is not None, f"{path.name}: no checks cell (one that ends by printing 'all checks passed')"
        expected = len(re.findall(r"^claim\(", checks, flags=re.MULTILINE))
        runs = [r for r in report["runs"] if r["notebook"] == f"chapters/{path.name}"]
        assert runs, f"{path.name} is not in the robustness report"
        for run in runs:
            assert len(run.get("claims", [])) == expected, \
                f"{path.name} ({run['run']}): {len(run.get('claims', []))} claims recorded, the chapter makes {expected}"
