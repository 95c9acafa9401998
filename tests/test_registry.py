"""The chapter registry (tools/registry.py): _toc.yml lists the chapters, the README's table is generated from it,
a registry that disagrees with the files fails with a message saying what to fix, and `make chapter` scaffolds a
chapter that runs, in the course's shape, touching five paths."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import REGISTERED, ROOT, execute, registry
from test_exercises import task_kinds
from test_notebooks import shape
from lstm_course.notebooks import cell_source, first_code_cell, repository_url, setup_cell_source
from lstm_course.quiz import validate_bank


def test_the_readme_table_is_generated_from_the_registry():
    assert not registry.stale_readme(ROOT), "README.md's chapter table is stale: run python tools/registry.py --write-readme"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for chapter in REGISTERED:
        assert f"| {chapter.number}. {chapter.title} | `chapters/{chapter.name}.ipynb` |" in readme


def _course(tmp_path, chapters=("01_alpha", "02_beta")):
    """A small course: _toc.yml, README.md, _config.yml and three files per chapter."""
    root = tmp_path / "course"
    for folder in ("chapters", "exercises", "quizzes"):
        (root / folder).mkdir(parents=True)
    lines = ["format: jb-book", "root: intro", "parts:", "  - caption: Chapters", "    chapters:"]
    lines += [f"      - file: chapters/{name}" for name in chapters] + ["      - file: chapters/glossary"]
    lines += ["  - caption: Exercises", "    chapters:"] + [f"      - file: exercises/{name}" for name in chapters]
    lines += ["  - caption: Appendix", "    chapters:", "      - file: appendix/how_fast"]
    (root / "_toc.yml").write_text("\n".join(lines) + "\n")
    shutil.copy(ROOT / "_config.yml", root / "_config.yml")
    for n, name in enumerate(chapters, 1):
        title = {"cell_type": "markdown", "metadata": {}, "source": f"(ch-x)=\n# {n}. Title {name}"}
        (root / "chapters" / f"{name}.ipynb").write_text(json.dumps({"cells": [title]}))
        (root / "exercises" / f"{name}.ipynb").write_text(json.dumps({"cells": []}))
        (root / "quizzes" / f"{name}.yml").write_text("title: x\n")
    (root / "README.md").write_text(f"# Course\n\n{registry.README_START}\n{registry.README_END}\n\nMore.\n")
    registry.write_readme(root)
    return root


def test_a_small_course_lists_its_chapters_in_order_with_titles(tmp_path):
    root = _course(tmp_path)
    found = registry.chapters(root)
    assert [(c.number, c.topic, c.title) for c in found] == [(1, "alpha", "Title 01_alpha"), (2, "beta", "Title 02_beta")]
    assert registry.notebooks(root) == [root / "chapters/01_alpha.ipynb", root / "chapters/02_beta.ipynb",
                                        root / "exercises/01_alpha.ipynb", root / "exercises/02_beta.ipynb"]
    readme = (root / "README.md").read_text()
    assert "| 2. Title 02_beta | `chapters/02_beta.ipynb` | `exercises/02_beta.ipynb` |" in readme
    assert readme.endswith("\n\nMore.\n") and not registry.stale_readme(root)


@pytest.mark.parametrize("breakage, message", [
    (lambda root: (root / "chapters" / "03_gamma.ipynb").write_text("{}"), "chapters/03_gamma.ipynb is not registered"),
    (lambda root: (root / "quizzes" / "02_beta.yml").unlink(), "quizzes/02_beta.yml is missing"),
    (lambda root: (root / "_toc.yml").write_text((root / "_toc.yml").read_text().replace(
        "      - file: exercises/02_beta\n", "")), "missing: ['02_beta']"),
    (lambda root: (root / "_toc.yml").write_text((root / "_toc.yml").read_text().replace(
        "chapters/01_alpha\n      - file: chapters/02_beta", "chapters/02_beta\n      - file: chapters/01_alpha")),
     "not in number order"),
    (lambda root: (root / "chapters" / "02_beta.ipynb").write_text(json.dumps(
        {"cells": [{"cell_type": "markdown", "source": "# 5. Wrong number"}]})), "numbered 5, its file name 2"),
    (lambda root: (root / "README.md").write_text("# no table\n"), "no chapter table"),
])
def test_a_registry_that_disagrees_with_the_files_says_what_to_fix(tmp_path, breakage, message):
    root = _course(tmp_path)
    breakage(root)
    with pytest.raises(registry.RegistryError, match=message.replace("[", r"\[").replace("]", r"\]")):
        [c.title for c in registry.chapters(root)] and registry.stale_readme(root)


def test_a_stale_readme_table_is_detected_and_rewritten(tmp_path):
    root = _course(tmp_path)
    readme = root / "README.md"
    readme.write_text(readme.read_text().replace("Title 02_beta", "An old title"))
    assert registry.stale_readme(root)
    assert registry.write_readme(root) and not registry.stale_readme(root)


@pytest.mark.parametrize("name, message", [("10", "NN_topic"), ("1_topic", "NN_topic"), ("10_Topic", "NN_topic"),
                                           ("10-topic", "NN_topic"), ("02_other", "taken by 02_beta")])
def test_make_chapter_refuses_a_bad_or_taken_name(tmp_path, name, message):
    root = _course(tmp_path)
    with pytest.raises(registry.RegistryError, match=message):
        registry.scaffold(name, root)
    assert [c.name for c in registry.chapters(root)] == ["01_alpha", "02_beta"]


def test_make_chapter_scaffolds_a_chapter_that_runs_in_the_course_shape(tmp_path):
    root = _course(tmp_path)
    written = registry.scaffold("10_scratch_pad", root)
    assert sorted(p.relative_to(root).as_posix() for p in written) == [
        "README.md", "_toc.yml", "chapters/10_scratch_pad.ipynb", "exercises/10_scratch_pad.ipynb",
        "quizzes/10_scratch_pad.yml"]
    chapters = registry.chapters(root)
    assert [c.name for c in chapters] == ["01_alpha", "02_beta", "10_scratch_pad"]
    toc = (root / "_toc.yml").read_text()
    assert toc.index("chapters/10_scratch_pad") < toc.index("chapters/glossary")   # numbered ones stay together
    assert "| 10. Scratch pad | `chapters/10_scratch_pad.ipynb` |" in (root / "README.md").read_text()
    install = setup_cell_source(repository_url(root / "_config.yml"))
    for path in (chapters[-1].chapter, chapters[-1].exercises):
        nb = json.loads(path.read_text())
        assert cell_source(first_code_cell(nb)) == install and "remove-cell" in first_code_cell(nb)["metadata"]["tags"]
    import yaml
    validate_bank(yaml.safe_load(chapters[-1].bank.read_text()), "10_scratch_pad.yml")
    with pytest.raises(registry.RegistryError, match="taken by 10_scratch_pad"):
        registry.scaffold("10_scratch_pad", root)
    # In the course's shape: formatted, lines within 80 characters, big idea and picture first, links, tasks.
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    ruff = Path(sys.executable).parent / "ruff"
    for command in (["format", "--check"], ["check"]):
        made = [str(p.relative_to(root)) for p in (chapters[-1].chapter, chapters[-1].exercises)]
        proc = subprocess.run([str(ruff), *command, "--no-cache", *made], cwd=root, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    chapter_nb, exercise_nb = (json.loads(p.read_text()) for p in (chapters[-1].chapter, chapters[-1].exercises))
    long, picture = shape(chapter_nb)
    assert "**The big idea.**" in cell_source(chapter_nb["cells"][0]) and picture is not None and long is None
    last = cell_source(chapter_nb["cells"][-1])
    assert "(../exercises/10_scratch_pad.ipynb)" in last and "<quiz-10-scratch-pad>`" in last
    kinds = [kind for _, kind in task_kinds(nbformat.reads(chapters[-1].exercises.read_text(), as_version=4))]
    assert {"experiment", "debugging"} <= set(kinds) and len(kinds) == 3, kinds
    assert "(quiz-10-scratch-pad)=\n## Quiz" in "\n".join(cell_source(c) for c in exercise_nb["cells"])
    # The scaffolded chapter runs alone, its quiz bank shipped in a wheel of the small course, as in make test.
    shutil.copytree(ROOT / "lstm_course", root / "lstm_course", ignore=shutil.ignore_patterns("__pycache__"))
    wheel = execute.build_wheel(tmp_path / "wheel", source=root)
    (tmp_path / "run").mkdir()
    result = execute.execute_alone(chapters[-1].chapter, tmp_path / "run", wheel, threads=1)
    assert result["failure"] is None and result["installed_by_notebook"], result["failure"]
    checks = [c for c in result["notebook"].cells if c.cell_type == "code" and "claim(" in c.source]
    printed = "".join(o.get("text", "") for o in checks[-1].outputs)
    assert printed.count("the std of 1,000 normal draws is near 1") == 1, printed
