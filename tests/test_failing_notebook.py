"""A notebook with a failing cell fails the suite, and the report names the notebook and the cell."""

import subprocess
import sys

import nbformat


def test_failing_cell_fails_nbval_and_is_named(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("assert x == 2, 'the claimed number does not hold'"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "99_broken_chapter.ipynb"
    nbformat.write(nb, path)
    proc = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
                           "-p", "no:cacheprovider", "-q", str(path)],
                          capture_output=True, text=True, cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "99_broken_chapter.ipynb::Cell 1" in out, out
    assert "the claimed number does not hold" in out, out
    assert "1 failed, 1 passed" in out, out
