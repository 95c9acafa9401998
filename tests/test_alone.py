"""Each notebook opened alone (as in Colab): copied into an empty folder, run in a kernel that cannot
import the helper package, so its first cell must install it from LSTM_COURSE_SOURCE. The printed
results must equal those of the site build's own, independent execution: the notebooks are reproducible."""

import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import NOTEBOOKS, ROOT, load_notebook
from lstm_course.notebooks import ENV_VAR

RUNNER = """
import sys, nbformat
from nbclient import NotebookClient
path, folder = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=300, kernel_name="alone", resources={"metadata": {"path": folder}}).execute()
nbformat.write(nb, path)
"""


@pytest.fixture(scope="session")
def alone_env(tmp_path_factory):
    """A bare virtual environment that sees the course's packages but not lstm_course, and a wheel of it."""
    base = tmp_path_factory.mktemp("alone")
    wheel_dir = base / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(wheel_dir), str(ROOT)], check=True, cwd=base)
    wheel = next(wheel_dir.glob("lstm_course-*.whl"))
    venv = base / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    child_site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                              text=True).strip())
    # Only the parent's site-packages directory, not its .pth files: the editable lstm_course stays invisible.
    (child_site / "course_parent.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    kernels = base / "jupyter" / "kernels" / "alone"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "alone", "language": "python"}))
    probe = subprocess.run([str(python), "-c", "import lstm_course"], capture_output=True, text=True, cwd=base)
    assert probe.returncode != 0, "the bare environment can import lstm_course; the test would prove nothing"
    return {"python": python, "wheel": wheel, "jupyter_path": base / "jupyter"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_runs_alone(path, alone_env, built_site, tmp_path):
    folder = tmp_path / "colab"
    folder.mkdir()
    copy = folder / path.name
    copy.write_bytes(path.read_bytes())
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "JUPYTER_PATH": str(alone_env["jupyter_path"]),
           "JUPYTER_PREFER_ENV_PATH": "0", "MPLBACKEND": "Agg", ENV_VAR: str(alone_env["wheel"]),
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    proc = subprocess.run([str(alone_env["python"]), "-c", RUNNER, str(copy), str(folder)],
                          env=env, capture_output=True, text=True, cwd=folder)
    assert proc.returncode == 0, f"{path.name} failed when opened alone:\n{proc.stderr[-4000:]}"
    cells = [c for c in load_notebook(copy)["cells"] if c["cell_type"] == "code"]
    assert cells and all(c["execution_count"] for c in cells), f"{path.name}: not every code cell ran"
    assert not any(o.get("output_type") == "error" for c in cells for o in c["outputs"])
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".ipynb") == [path.name]
    # Reproducibility: same printed numbers as the site build's execution of the same notebook.
    built = load_notebook(ROOT / "_build" / "jupyter_execute" / path.relative_to(ROOT))
    built_cells = [c for c in built["cells"] if c["cell_type"] == "code"]
    assert len(built_cells) == len(cells)
    for n, (mine, theirs) in enumerate(zip(cells, built_cells)):
        assert _stdout(mine) == _stdout(theirs), f"{path.name} cell {n}: printed output differs between two runs"


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
