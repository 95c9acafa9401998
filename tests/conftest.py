"""Shared fixtures: repository paths, the notebooks executed once, the built site, a local web server and Chromium."""

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lstm_course.notebooks import cell_source  # noqa: F401  (tests import cell_source from here)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import execute  # noqa: E402  (tools/execute.py: the one way the tests run notebooks)
import registry  # noqa: E402  (tools/registry.py: _toc.yml lists the chapters; every list here comes from it)

REGISTERED = registry.chapters(ROOT)
CHAPTERS = [c.chapter for c in REGISTERED]
EXERCISES = [c.exercises for c in REGISTERED]
NOTEBOOKS = CHAPTERS + EXERCISES
# Run a second time in the same pool; tests/test_executed.py checks that it prints the same numbers.
REPRODUCED = ["chapters/01_vanishing_gradients.ipynb"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")       # the Makefile's CHROMIUM=/path knob
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def load_notebook(path):
    """The notebook as a plain dict."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def executed(request, tmp_path_factory):
    """Every course notebook executed once, opened alone as in Colab (tools/execute.py); every check reads
    these results. Returns {"results": {relative path: result}, "wheel": the helper's wheel}."""
    plugins = request.config.pluginmanager
    reporter, capture = plugins.getplugin("terminalreporter"), plugins.getplugin("capturemanager")

    def progress(line):                      # a line on the terminal for each notebook, despite output capture
        if reporter is None:
            return
        if capture is None:
            return reporter.write_line(line)
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)

    folder = tmp_path_factory.mktemp("executed")
    wheel = execute.build_wheel(folder / "wheel")
    jobs = 2 if (os.cpu_count() or 1) >= 2 else 1           # two at a time, one CPU thread each
    progress(f"executing {len(NOTEBOOKS)} notebooks once, each opened alone in a fresh environment, {jobs} at a time, "
             f"and {', '.join(REPRODUCED)} a second time ...")
    runs = execute.execute_all(NOTEBOOKS, folder, wheel, progress=progress, jobs=jobs, again=[ROOT / p for p in REPRODUCED])
    again = {path.removesuffix(" (again)"): result for path, result in runs.items() if path.endswith(" (again)")}
    results = {path: result for path, result in runs.items() if not path.endswith(" (again)")}
    return {"results": results, "again": again, "wheel": wheel}


@pytest.fixture(scope="session")
def built_site(executed):
    """Build the site once per test session from the executed notebooks (the build executes nothing), with
    warnings as errors and every page rendered afresh; return (html dir, build log)."""
    failed = [f"{rel}::Cell {r['failure']['cell']}" for rel, r in executed["results"].items() if r["failure"]]
    if failed:
        pytest.fail(f"the site is not built because notebooks failed: {', '.join(failed)}")
    execute.clear_stale_cache()
    execute.fill_cache(executed["results"])
    proc = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--all",
                           "-W", "-n", "--keep-going"], capture_output=True, text=True, cwd=ROOT)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"site build failed:\n{log[-6000:]}"
    return ROOT / "_build" / "html", log


@pytest.fixture(scope="session")
def site_url(built_site):
    """Serve the built site on a free localhost port; yield its base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_site[0]))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make browser` to install it or to see how, "
                    "or point CHROMIUM=/path at yours")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()
