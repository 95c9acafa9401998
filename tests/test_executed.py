"""Every notebook executed once, opened alone as in Colab (tools/execute.py): it runs top to bottom in a fresh
environment where only its own install cell can provide the helper, a broken install cell fails its notebook,
and a second run prints the same numbers."""

import os
import re

import nbformat
import pytest

from conftest import NOTEBOOKS, REPRODUCED, ROOT, execute
from lstm_course.notebooks import repository_url, setup_cell_source


def _rel(path):
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_rel)
def test_notebook_runs_alone_and_installs_the_helper_itself(path, executed):
    result = executed["results"][_rel(path)]
    failure = result["failure"]
    assert failure is None, f"{_rel(path)}::Cell {failure['cell']}: {failure['error']}"
    cells = [c for c in result["notebook"].cells if c.cell_type == "code"]
    assert cells and all(c.execution_count for c in cells), f"{_rel(path)}: not every code cell ran"
    assert result["installed_by_notebook"], \
        f"{_rel(path)}: its install cell did not install lstm_course into the fresh environment"
    assert not result["other_files"], f"{_rel(path)} needs other notebooks beside it: {result['other_files']}"


def _two_cell_notebook(install_source):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(install_source),
                                         nbformat.v4.new_code_cell("from lstm_course.repro import seed_everything")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_a_broken_install_cell_fails_its_notebook_with_a_clear_message(executed, tmp_path):
    canonical = setup_cell_source(repository_url(ROOT / "_config.yml"))
    broken = canonical.replace('"install", "--quiet", source]', '"--version"]')
    assert broken != canonical
    for name, source in (("good", canonical), ("broken", broken)):
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(_two_cell_notebook(source), path)
        (tmp_path / name).mkdir()
        result = execute.execute_alone(path, tmp_path / name, executed["wheel"])
        if name == "good":
            assert result["failure"] is None and result["installed_by_notebook"], result["failure"]
        else:
            assert result["failure"]["cell"] == 0, result["failure"]
            assert result["failure"]["error"].startswith("RuntimeError: this notebook needs lstm_course"), result["failure"]
            assert not result["installed_by_notebook"]


# Chapter 1 (gradients, then a short training experiment) runs a second time, in the same pool as the others
# (running every notebook twice would double the suite's time).
def test_every_notebook_ran_once_in_order_on_one_thread_when_two_ran_at_once(executed):
    results = executed["results"]
    assert list(results) == [str(p.relative_to(ROOT)) for p in NOTEBOOKS]
    threads = {r["threads"] for r in results.values()}
    assert threads == ({1} if (os.cpu_count() or 1) >= 2 else {None}), threads


@pytest.mark.parametrize("rel", REPRODUCED)
def test_a_second_run_prints_the_same_numbers(rel, executed):
    again = executed["again"][rel]
    assert again["failure"] is None, again["failure"]
    assert again["threads"] == executed["results"][rel]["threads"]
    first = [c for c in executed["results"][rel]["notebook"].cells if c.cell_type == "code"]
    second = [c for c in again["notebook"].cells if c.cell_type == "code"]
    assert len(first) == len(second)
    for n, (a, b) in enumerate(zip(first, second)):
        assert _stdout(a) == _stdout(b), f"{rel}::Cell {n}: printed output differs between two runs"


# Wall-clock measurements ("1.4 s for 300 steps", "speed-up: 1.6x") differ from run to run; nothing else may.
WALL_CLOCK = re.compile(r"\b\d+(?:\.\d+)?(?= s\b|x\b)")


def test_only_wall_clock_figures_are_masked():
    assert _mask("accuracy 0.978, 0.9 s for 300 steps") == _mask("accuracy 0.978, 1.1 s for 300 steps")
    assert _mask("speed-up of training: 1.6x") == _mask("speed-up of training: 2.0x")
    assert _mask("accuracy 0.978, 0.9 s") != _mask("accuracy 0.979, 0.9 s")
    assert _mask("shape (4, 7, 5)") == "shape (4, 7, 5)" and _mask("1.3 MB, 3 steps") == "1.3 MB, 3 steps"


def _mask(text):
    return WALL_CLOCK.sub("<time>", text)


def _stdout(cell):
    """Everything a code cell printed to stdout (tqdm's progress bars go to stderr and are ignored)."""
    return _mask("".join("".join(o["text"]) for o in cell.get("outputs", [])
                         if o.get("output_type") == "stream" and o.get("name") == "stdout"))


def test_a_helper_change_clears_the_sites_cached_outputs(tmp_path):
    root, build = tmp_path / "course", tmp_path / "_build"
    (root / "lstm_course").mkdir(parents=True)
    (root / "quizzes").mkdir()
    (root / "lstm_course" / "quiz.js").write_text("// version 1\n")
    (root / "quizzes" / "01_x.yml").write_text("title: x\n")
    (root / "chapters").mkdir()
    (root / "chapters" / "notes.txt").write_text("not part of the helper\n")
    assert not execute.clear_stale_cache(build, root)              # first build: nothing stale yet
    (build / ".jupyter_cache").mkdir()
    (build / "html").mkdir()
    key = execute.helper_key(root)
    (root / "chapters" / "notes.txt").write_text("changed, but not the helper\n")
    assert execute.helper_key(root) == key and not execute.clear_stale_cache(build, root)
    assert (build / ".jupyter_cache").is_dir() and (build / "html").is_dir()
    (root / "lstm_course" / "quiz.js").write_text("// version 2: the quiz renderer changed\n")
    assert execute.helper_key(root) != key
    assert execute.clear_stale_cache(build, root), "a changed quiz renderer must clear the cached outputs"
    assert not (build / ".jupyter_cache").exists() and not (build / "html").exists()
    (root / "quizzes" / "01_x.yml").write_text("title: y\n")
    assert execute.clear_stale_cache(build, root), "a changed quiz bank must clear the cached outputs too"


def test_an_older_helper_is_replaced_by_the_version_the_notebook_asks_for(executed, tmp_path):
    from lstm_course import __version__

    old = tmp_path / "old_helper"
    (old / "lstm_course").mkdir(parents=True)
    (old / "lstm_course" / "__init__.py").write_text('__version__ = "0.0.1"\n')
    (old / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
                                        '[project]\nname = "lstm_course"\nversion = "0.0.1"\n')
    old_wheel = execute.build_wheel(tmp_path / "old_wheel", source=old)
    nb = _two_cell_notebook(setup_cell_source(repository_url(ROOT / "_config.yml")))
    nb.cells[1].source = f"import lstm_course\nassert lstm_course.__version__ == {__version__!r}, lstm_course.__version__"
    path = tmp_path / "notebook.ipynb"
    nbformat.write(nb, path)
    (tmp_path / "run").mkdir()
    result = execute.execute_alone(path, tmp_path / "run", executed["wheel"], preinstalled=old_wheel)
    assert result["failure"] is None and result["installed_by_notebook"], result["failure"]


def test_the_slowest_notebooks_start_first_and_an_untimed_one_before_them(tmp_path):
    # A hand-made scheduling file: the order is written out, not recomputed with the code under test.
    timed = tmp_path / "seconds.json"
    execute.record_seconds({"chapters/02_b.ipynb": 80, "exercises/01_a.ipynb": 5.04}, timed)
    execute.record_seconds({"chapters/01_a.ipynb": 60}, timed)          # merged into the file, not replacing it
    assert execute.expected_seconds(timed) == {"chapters/01_a.ipynb": 60.0, "chapters/02_b.ipynb": 80.0,
                                               "exercises/01_a.ipynb": 5.0}
    paths = [ROOT / p for p in ("chapters/01_a.ipynb", "chapters/02_b.ipynb", "chapters/10_new.ipynb",
                                "exercises/01_a.ipynb")]
    assert execute.longest_first(paths, timed) == [2, 1, 0, 3]       # never timed (a new chapter) comes first
    assert execute.expected_seconds(tmp_path / "no" / "such.json") == {}
    (tmp_path / "bad.json").write_text('{"chapters/01_a.ipynb": "slow"}')
    with pytest.raises(ValueError, match="notebook path: seconds"):
        execute.expected_seconds(tmp_path / "bad.json")


def test_the_scheduling_file_names_only_registered_notebooks():
    stale = set(execute.expected_seconds()) - {str(p.relative_to(ROOT)) for p in NOTEBOOKS}
    assert not stale, f"tools/notebook_seconds.json times notebooks that no longer exist: {sorted(stale)}"
