"""Set-up: the prerequisites are checked before the long install, each missing one named with how to get
it; the Chromium check never calls sudo; TORCH_INDEX installs torch from the index given."""

import os
import shutil
import subprocess
import sys
import time

from conftest import ROOT

MAKE = shutil.which("make")


def _bin_with(tmp_path, tools, fake_id=None):
    """A folder for PATH holding only the named tools (and a fake `id` printing fake_id, if given)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in tools:           # python3: the real interpreter (a pyenv shim would need pyenv on PATH)
        (folder / tool).symlink_to(sys._base_executable if tool == "python3" else shutil.which(tool))
    if fake_id is not None:
        (folder / "id").write_text(f"#!/bin/sh\necho {fake_id}\n")
        (folder / "id").chmod(0o755)
    return folder


def _make(args, path, **env):
    start = time.perf_counter()
    proc = subprocess.run([MAKE, "-s", *args], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": str(path), "HOME": os.environ.get("HOME", "/tmp"), **env})
    return proc, time.perf_counter() - start


def test_missing_npm_is_named_within_seconds(tmp_path):
    path = _bin_with(tmp_path, ["bash", "python3"])
    proc, seconds = _make(["prerequisites"], path)
    assert proc.returncode != 0 and "npm is needed" in proc.stderr and "apt-get install npm" in proc.stderr, proc.stderr
    assert seconds < 10


def test_an_old_python_is_named(tmp_path):
    path = _bin_with(tmp_path, ["bash", "python3"])
    (path / "python2").write_text("#!/bin/sh\nexec python3 -c 'import sys; sys.exit(1)' \"$@\"\n")
    (path / "python2").chmod(0o755)
    proc, _ = _make(["prerequisites", "PYTHON=python2"], path)
    assert proc.returncode != 0 and "Python 3.10 or newer is needed" in proc.stderr, proc.stderr


def test_missing_chromium_prints_the_command_instead_of_running_sudo(tmp_path):
    path = _bin_with(tmp_path, ["bash"], fake_id=1000)        # not root: nothing may be installed
    proc, seconds = _make(["browser", "CHROMIUM=/nonexistent/chromium"], path)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Chromium at /nonexistent/chromium" in proc.stderr and "sudo apt-get install chromium" in proc.stderr
    assert "CHROMIUM=/path" in proc.stderr and seconds < 10


def test_torch_index_installs_torch_from_that_index_first():
    with_index = subprocess.run([MAKE, "-n", "-B", ".venv/.installed", "TORCH_INDEX=https://download.pytorch.org/whl/cpu"],
                                cwd=ROOT, capture_output=True, text=True).stdout
    without = subprocess.run([MAKE, "-n", "-B", ".venv/.installed"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "--index-url https://download.pytorch.org/whl/cpu" in with_index and "torch==" in with_index, with_index
    assert "--index-url" not in without
    assert "-c constraints.txt" in without, "the toolchain's versions come from constraints.txt"
