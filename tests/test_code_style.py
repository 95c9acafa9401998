"""The notebooks' code fits the site's column: `ruff format` leaves it unchanged and no line is over 80
characters (pyproject.toml's [tool.ruff] says which files and which rule)."""

import json
import subprocess
import sys
from pathlib import Path

from conftest import NOTEBOOKS, ROOT

RUFF = Path(sys.executable).parent / "ruff"


def _ruff(*args, cwd=ROOT):
    assert RUFF.exists(), f"ruff is missing at {RUFF}: `make test` installs it from requirements.txt"
    return subprocess.run([str(RUFF), *args, "--no-cache"], capture_output=True, text=True, cwd=cwd)


def test_notebook_code_is_formatted():
    proc = _ruff("format", "--check", ".")
    assert proc.returncode == 0, ("run `.venv/bin/ruff format` to format these notebooks:\n"
                                  + proc.stdout + proc.stderr)


def test_no_notebook_code_line_is_over_80_characters():
    proc = _ruff("check", "--output-format", "concise", ".")
    assert proc.returncode == 0, ("code lines too long for the site's column (split strings, rewrap "
                                  "comments):\n" + proc.stdout + proc.stderr)


def test_the_style_checks_cover_every_course_notebook():
    proc = _ruff("check", "--show-files", ".")
    shown = {Path(line.strip()).resolve() for line in proc.stdout.splitlines() if line.strip()}
    notebooks = {p.resolve() for p in NOTEBOOKS}
    assert notebooks and notebooks <= shown, sorted(str(p) for p in notebooks - shown)


def test_the_style_checks_fail_on_a_long_line_and_on_unformatted_code(tmp_path):
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (tmp_path / "chapters").mkdir()
    cell = {"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "execution_count": None,
            "source": "x = 1\nlabel = '" + "y" * 90 + "'\ny=[1,2]\n"}
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "chapters" / "99_bad.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    long_line = _ruff("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert long_line.returncode == 1 and "E501" in long_line.stdout, long_line.stdout + long_line.stderr
    unformatted = _ruff("format", "--check", ".", cwd=tmp_path)
    assert unformatted.returncode == 1 and "99_bad.ipynb" in unformatted.stdout, unformatted.stdout
