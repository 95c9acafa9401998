"""Run each notebook once, as a learner who opens it alone (Colab) would, and hand the results to every check.

`make test` executes every notebook exactly once through `execute_all`: each one is copied into an empty folder
and run in a fresh virtual environment that sees the course's dependencies (torch, matplotlib ...) but not
`lstm_course`, so its own install cell must install the helper (from a wheel of this checkout, through
LSTM_COURSE_SOURCE). The executed notebooks then feed the tests (cell failures as `path::Cell N`, exercise
verdicts, reproducibility) and the site build: `fill_cache` stores them in Jupyter Book's execution cache, so
`jupyter-book build` executes nothing.

`run_notebook` is the one way tests and tools run a notebook (this module, `tools/robustness.py`).

    python tools/execute.py [--record] [notebooks ...]     # run them alone, report failures, fill the cache
    python tools/execute.py --check-cache                  # clear the site's cache if the helper changed
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"
# What the notebooks' outputs depend on besides their own code: the helper package and the quiz bank.
HELPER_FILES = ("pyproject.toml", "lstm_course/**/*", "quizzes/*.yml")
HELPER_KEY_FILE = BUILD / ".helper-key"
ENV_VAR = "LSTM_COURSE_SOURCE"
CELL_TIMEOUT_S = 300


def run_notebook(path, env_changes=None, cwd=None, kernel_dir=None, base_env=None, timeout=CELL_TIMEOUT_S):
    """Execute a notebook top to bottom in a fresh kernel; return (executed notebook, seconds, failure or None).

    The kernel's environment is base_env (default: this process's) plus env_changes; kernel_dir names a folder
    holding one kernel spec to use instead of the default python3 kernel. A failure names the cell as nbval does
    (Cell N counts code cells from 0) with the error's last line; the notebook keeps the outputs of what ran."""
    import nbformat
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    if not Path(path).is_file():
        raise FileNotFoundError(f"no such notebook: {path}")
    nb = nbformat.read(path, as_version=4)
    km = None
    if kernel_dir is not None:
        kernel_dir = Path(kernel_dir)
        km = KernelManager(kernel_name=kernel_dir.name,
                           kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir.parent)]))
    start = time.perf_counter()
    failure = None
    try:
        NotebookClient(nb, km=km, timeout=timeout, kernel_name=kernel_dir.name if kernel_dir else "python3",
                       resources={"metadata": {"path": str(cwd or Path(path).parent)}}
                       ).execute(env=dict(os.environ if base_env is None else base_env) | (env_changes or {}))
    except CellExecutionError:
        failure = first_error(nb)
    except Exception as err:                      # a dead kernel, a timeout: the run has no failing cell
        failure = {"cell": None, "error": f"execution stopped: {type(err).__name__}: {err}"[:500]}
    finally:
        if km is not None and km.has_kernel:      # nbclient shuts down only the kernels it started itself
            km.shutdown_kernel(now=True)
    return nb, time.perf_counter() - start, failure


def first_error(nb):
    """{cell, error} for the first code cell with an error output (cells counted as nbval counts them)."""
    if not hasattr(nb, "cells"):
        raise TypeError(f"expected an executed notebook (an nbformat node), got {type(nb).__name__}")
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for n, cell in enumerate(code_cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return {"cell": n, "error": f"{output.get('ename')}: {output.get('evalue')}"[:500]}
    return {"cell": None, "error": "execution failed outside a cell (kernel died or timed out)"}


def build_wheel(folder, source=ROOT):
    """A wheel of lstm_course (from this checkout, or from the project folder `source`), built offline into
    folder; return its path. It is built from a copy, so the checkout gets no build/ or egg-info folders."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "src"
        ignore = shutil.ignore_patterns(".*", "_build", "build", "*.egg-info", "__pycache__", "node_modules")
        shutil.copytree(source, copy, ignore=ignore)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "-w", str(folder), str(copy)], check=True, cwd=folder, capture_output=True)
    return next(folder.glob("lstm_course-*.whl"))


def bare_environment(folder):
    """A new virtual environment in folder that sees this environment's packages but not lstm_course, with a
    Jupyter kernel named "alone"; return (python, the kernel's folder)."""
    folder = Path(folder)
    venv = folder / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    child_site = Path(subprocess.check_output(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    # Only the parent's site-packages folder, not its .pth files: the editable lstm_course stays invisible.
    (child_site / "course_parent.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    kernels = folder / "jupyter" / "kernels" / "alone"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "alone", "language": "python"}))
    return python, kernels


def _imports_helper(python, cwd):
    """Where this environment imports lstm_course from, or None if it cannot."""
    probe = subprocess.run([str(python), "-c", "import lstm_course; print(lstm_course.__file__)"],
                           capture_output=True, text=True, cwd=cwd)
    return probe.stdout.strip() if probe.returncode == 0 else None


def _relative(path):
    """A resolved notebook path as results name it: relative to the repository root when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def execute_alone(path, folder, wheel, timeout=CELL_TIMEOUT_S, preinstalled=None, threads=None):
    """Run one notebook opened alone: a copy in an empty folder, a fresh environment without lstm_course, the
    helper installed only by the notebook's own install cell. Return a result dict (see execute_all).
    preinstalled: a wheel put into the environment first (say, an older helper the notebook must replace);
    threads: the CPU threads the kernel's torch may use (default: as this process's environment says)."""
    path, folder = Path(path).resolve(), Path(folder)
    if not path.is_file():
        raise FileNotFoundError(f"no such notebook: {path}")
    python, kernel_dir = bare_environment(folder / "env")
    work = folder / "work"
    work.mkdir()
    copy = work / path.name
    shutil.copyfile(path, copy)
    if preinstalled is not None:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(preinstalled)],
                       check=True, capture_output=True)
    before = _imports_helper(python, work)
    if (before is None) != (preinstalled is None):
        raise RuntimeError(f"the fresh environment imports lstm_course from {before}: the test would prove nothing")
    # A bare environment, as on a learner's machine: nothing of this checkout or this process leaks in.
    env = {"PATH": f"{python.parent}:/usr/bin:/bin", "HOME": str(folder), "MPLBACKEND": "Agg", ENV_VAR: str(wheel),
           "PYDEVD_DISABLE_FILE_VALIDATION": "1", "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    keep = {k: os.environ[k] for k in ("COURSE_SEED", "OMP_NUM_THREADS", "MKL_NUM_THREADS") if k in os.environ}
    if threads is not None:
        keep |= {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    nb, seconds, failure = run_notebook(copy, keep, cwd=work, kernel_dir=kernel_dir, base_env=env, timeout=timeout)
    installed = _imports_helper(python, work)
    return {"path": _relative(path), "notebook": nb,
            "seconds": round(seconds, 1), "failure": failure, "threads": threads,
            "installed_by_notebook": installed is not None and installed.startswith(str(folder)),
            "other_files": sorted(p.name for p in work.iterdir() if p.suffix == ".ipynb" and p.name != path.name)}


# Scheduling metadata, in a file of its own: each notebook's last measured time (alone, 2 threads), written by
# `make bench` and by `python tools/execute.py --record`. A notebook missing from it (a new chapter) counts as the
# slowest, so a new chapter needs no full benchmark before `make test` schedules it well.
SECONDS_FILE = ROOT / "tools" / "notebook_seconds.json"


def expected_seconds(seconds_file=SECONDS_FILE):
    """{notebook path relative to the root: seconds} from the scheduling file ({} if there is none)."""
    try:
        text = Path(seconds_file).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        timed = json.loads(text)
    except ValueError as err:
        raise ValueError(f"{seconds_file}: expected {{notebook path: seconds}} as JSON ({err})") from None
    if not isinstance(timed, dict) or not all(isinstance(v, (int, float)) for v in timed.values()):
        raise ValueError(f"{seconds_file}: expected {{notebook path: seconds}}, got {str(timed)[:80]}")
    return {str(k): float(v) for k, v in timed.items()}


def record_seconds(seconds, seconds_file=SECONDS_FILE):
    """Merge {notebook path relative to the root: seconds} into the scheduling file, sorted by path."""
    merged = expected_seconds(seconds_file) | {str(k): round(float(v), 1) for k, v in seconds.items()}
    Path(seconds_file).write_text(json.dumps(dict(sorted(merged.items())), indent=1) + "\n", encoding="utf-8")


def longest_first(paths, seconds_file=SECONDS_FILE):
    """Indices of paths, the notebooks timed longest first (one never timed, say a new chapter, counts as the
    longest): with several workers the slow ones start at once instead of ending the run alone."""
    if isinstance(paths, (str, Path)):
        raise TypeError("paths must be a list of notebook paths, not one path")
    expected = expected_seconds(seconds_file)
    return sorted(range(len(paths)), key=lambda n: -expected.get(_relative(Path(paths[n]).resolve()), float("inf")))


def execute_all(paths, folder, wheel, progress=print, jobs=1, again=()):
    """Run each notebook once with execute_alone; return {relative path: result}, in the order given. A result
    holds the executed notebook, seconds, failure (None, or {cell, error}), the CPU threads its kernel had and
    whether the notebook's install cell installed the helper into its fresh environment. jobs > 1 runs that many
    notebooks at once, each kernel on one CPU thread: torch's threads in two kernels would fight over the cores
    (the claims hold on one thread too: `make robustness` checks every chapter that way), starting the notebooks
    timed longest first. `again`: some of paths to run a second time in the same pool (a reproducibility check);
    their second results come back under the key "<relative path> (again)", after the others."""
    if isinstance(paths, (str, Path)):
        raise TypeError("paths must be a list of notebook paths, not one path")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number >= 1, got {jobs!r}")
    resolved = [Path(p).resolve() for p in paths]
    extra = [Path(p).resolve() for p in again]
    if not set(extra) <= set(resolved):
        raise ValueError(f"again must name notebooks among paths, got {[str(p) for p in extra if p not in resolved]}")
    folder = Path(folder)
    threads = 1 if jobs > 1 else None
    one_at_a_time = threading.Lock()             # progress lines from two workers must not interleave
    runs = resolved + extra

    def run(n, path):
        result = execute_alone(path, folder / f"nb{n:02d}", wheel, threads=threads)
        if n >= len(resolved):
            result["path"] += " (again)"
        verdict = "ok" if result["failure"] is None else f"FAILED at Cell {result['failure']['cell']}: {result['failure']['error']}"
        with one_at_a_time:
            progress(f"executed {result['path']:<45} {result['seconds']:6.1f} s  {verdict}")
        return result

    order = longest_first(runs) if jobs > 1 else list(range(len(runs)))
    with ThreadPoolExecutor(max_workers=jobs) as pool:      # the kernels are processes; threads only wait on them
        done = dict(zip(order, pool.map(run, order, [runs[n] for n in order])))
    return {done[n]["path"]: done[n] for n in range(len(runs))}


def helper_key(root=ROOT):
    """SHA-256 over the files the notebooks' outputs depend on besides their code (helper package, quiz bank)."""
    root = Path(root)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a folder: expected the course's repository root")
    digest = hashlib.sha256()
    for pattern in HELPER_FILES:
        for file in sorted(root.glob(pattern)):
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def clear_stale_cache(build=BUILD, root=ROOT):
    """Drop the executed outputs and the parsed pages when the helper changed since they were made, so no page
    keeps an old helper's output (Jupyter Book's cache is keyed on notebook code only). Return True if cleared."""
    build = Path(build)
    key_file = build / HELPER_KEY_FILE.name
    key = helper_key(root)
    stale = key_file.is_file() and key_file.read_text().strip() != key
    if stale or not key_file.is_file():
        for name in (".jupyter_cache", ".doctrees", "jupyter_execute", "html"):
            shutil.rmtree(build / name, ignore_errors=True)
    build.mkdir(parents=True, exist_ok=True)
    key_file.write_text(key + "\n")
    return stale


def fill_cache(results, cache=CACHE):
    """Store executed notebooks in Jupyter Book's execution cache under their source notebooks, so the site
    build takes their outputs instead of executing them. Failed notebooks are not stored."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    if not isinstance(results, dict):
        raise TypeError(f"results must be the dict execute_all returns, got {type(results).__name__}")
    store = get_cache(str(cache))
    for rel, result in results.items():
        if result["failure"] is not None:
            continue
        source = nbformat.read(ROOT / rel, as_version=4)            # the hash covers code and kernelspec
        executed = {c.get("id"): c for c in result["notebook"].cells}
        for cell in source.cells:
            if cell.cell_type == "code":
                ran = executed[cell.get("id")]
                cell.outputs, cell.execution_count = ran.outputs, ran.execution_count
        for key in ("language_info", "widgets"):                   # saved widget views render from "widgets"
            if key in result["notebook"].metadata:
                source.metadata[key] = result["notebook"].metadata[key]
        store.cache_notebook_bundle(CacheBundleIn(source, str(ROOT / rel), data={"execution_seconds": result["seconds"]}),
                                    check_validity=False, overwrite=True)


def main(argv=None):
    """Command line: run notebooks alone and fill the site's cache, or (--check-cache) only clear a stale cache."""
    from registry import notebooks

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: every course notebook)")
    parser.add_argument("--record", action="store_true",
                        help=f"write each notebook's time into {SECONDS_FILE.relative_to(ROOT)} (scheduling)")
    parser.add_argument("--check-cache", action="store_true",
                        help="only clear the site's execution cache if the helper package changed")
    args = parser.parse_args(argv)
    if args.check_cache:
        if clear_stale_cache():
            print("the helper package changed: cleared the executed outputs, every notebook runs again")
        return 0
    paths = [Path(p).resolve() for p in args.notebooks] or notebooks(ROOT)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    with tempfile.TemporaryDirectory() as folder:
        results = execute_all(paths, folder, build_wheel(Path(folder) / "wheel"))
    clear_stale_cache()
    fill_cache(results)
    if args.record:
        record_seconds({rel: r["seconds"] for rel, r in results.items() if r["failure"] is None})
    failed = [r for r in results.values() if r["failure"]]
    print(f"{len(results) - len(failed)} of {len(results)} notebooks ran; the site build will reuse their outputs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
