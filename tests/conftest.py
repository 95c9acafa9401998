"""Shared fixtures: repository paths, the notebooks, the built site, a local web server and Chromium."""

import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lstm_course.notebooks import cell_source, course_notebooks  # noqa: F401  (tests import cell_source from here)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = course_notebooks(ROOT)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def load_notebook(path):
    """The notebook as a plain dict."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_site():
    """Build the site once per test session, with warnings as errors; return (html dir, build log)."""
    proc = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT),
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
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()
