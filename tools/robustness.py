"""`make robustness`: run every chapter under other seeds and with one CPU thread; report each failing assert.

A chapter's claims are asserted in its last code cells. They must hold for any seed and any CPU, not only for
the run the site shows, so this runs every chapter notebook under COURSE_SEED=1, 2 and 3 (each chapter draws
several seeds from it) and once more under COURSE_SEED=0 with a single torch thread (a different order of
floating-point sums, as on another machine), and lists every failure by notebook, run and cell.

    python tools/robustness.py [--seeds 1,2,3] [--no-one-thread] [chapters/01_*.ipynb ...]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "appendix" / "robustness.json"


def run_notebook(path, env_changes, timeout=600):
    """Execute a notebook in a fresh kernel with extra environment variables; return (seconds, failure or None).

    A failure is a dict naming the cell (as nbval does: Cell N counts code cells from 0) and the error's last line."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    saved = {key: os.environ.get(key) for key in env_changes}
    os.environ.update(env_changes)   # the kernel inherits this process's environment
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(Path(path).parent)}}).execute()
        failure = None
    except CellExecutionError:
        failure = _first_error(nb)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return time.perf_counter() - start, failure


def _first_error(nb):
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for n, cell in enumerate(code_cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return {"cell": n, "error": f"{output.get('ename')}: {output.get('evalue')}"[:500]}
    return {"cell": None, "error": "execution failed outside a cell (kernel died or timed out)"}


def runs(seeds, one_thread):
    """The (label, environment) pairs every chapter is run under."""
    plan = [(f"COURSE_SEED={s}", {"COURSE_SEED": str(s)}) for s in seeds]
    if one_thread:
        plan.append(("COURSE_SEED=0, one thread", {"COURSE_SEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}))
    return plan


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="chapter notebooks (default: every chapters/*.ipynb)")
    parser.add_argument("--seeds", default="1,2,3", help="COURSE_SEED values, separated by commas")
    parser.add_argument("--no-one-thread", action="store_true", help="skip the single-thread run")
    parser.add_argument("--report", default=str(REPORT), help="where to write the JSON summary ('' for nowhere)")
    args = parser.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--seeds must be whole numbers separated by commas, got {args.seeds!r}")
    if not seeds or any(s < 0 for s in seeds):
        parser.error(f"--seeds needs at least one seed >= 0, got {args.seeds!r}")
    notebooks = [Path(p).resolve() for p in args.notebooks] or sorted((ROOT / "chapters").glob("*.ipynb"))
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")

    rows = []
    for label, env in runs(seeds, not args.no_one_thread):
        for path in notebooks:
            seconds, failure = run_notebook(path, env)
            name = str(path.relative_to(ROOT))
            verdict = "ok" if failure is None else f"FAILED at {name}::Cell {failure['cell']}: {failure['error']}"
            print(f"{label:<28} {name:<45} {seconds:6.1f} s  {verdict}", flush=True)
            rows.append({"run": label, "notebook": name, "seconds": round(seconds, 1), "failure": failure})
    failed = [r for r in rows if r["failure"]]
    print(f"\nclaims held in {len(rows) - len(failed)} of {len(rows)} chapter runs")
    if args.report:
        Path(args.report).write_text(json.dumps({"runs": rows, "held": len(rows) - len(failed), "total": len(rows)},
                                                indent=1) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
