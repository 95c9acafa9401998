"""Every page of the built site: no request leaves localhost, no console error, maths renders, and
axe-core finds no serious or critical accessibility violation."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import CHROMIUM, CHROMIUM_FLAGS, ROOT

AXE = ROOT / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"


def _pages(html_dir):
    return sorted(str(p.relative_to(html_dir)) for p in html_dir.rglob("*.html")
                  if not p.relative_to(html_dir).parts[0].startswith(("_", "mathjax")))


@pytest.fixture(scope="module")
def pages(built_site):
    found = _pages(built_site[0])
    assert "intro.html" in found and any(p.startswith("chapters/") for p in found)
    return found


def _visit(browser, site_url, page_path, colour_mode="light", wait_until="networkidle"):
    page = browser.new_page(color_scheme=colour_mode)
    requests, console_errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: console_errors.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    page.goto(f"{site_url}/{page_path}", wait_until=wait_until)
    return page, requests, console_errors


def _outside(requests, site_url):
    """The requested URLs that leave the local site."""
    return [u for u in requests if not u.startswith((site_url, "data:", "blob:", "about:"))]


# The rules whose outcome depends on the colour scheme. Dark mode changes only colours, so the dark-mode audit
# runs these; the light-mode audit runs every rule.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def _axe_violations(page, rules=None):
    """axe-core's serious and critical violations on the page as it is drawn now (fonts and maths settled);
    rules: only these axe rules (default: all)."""
    page.evaluate("""() => document.fonts.ready.then(() => (window.MathJax && MathJax.startup) ? MathJax.startup.promise : null)
        .then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))""")
    page.add_script_tag(path=str(AXE))
    options = {"resultTypes": ["violations"]} | ({"runOnly": {"type": "rule", "values": rules}} if rules else {})
    return page.evaluate("""async (options) => {
        const r = await axe.run(document, options);
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""", options)


def _redirects(html_dir, path):
    return 'http-equiv="refresh"' in (html_dir / path).read_text(encoding="utf-8")[:2000].lower()


def _audit_every_page(site_url, html_dir, pages, colour_mode):
    """Visit every page in one colour mode with a browser of this thread's own (Playwright's sync API is one
    instance per thread). Light: wait until the network is idle, record outside requests and console errors,
    run every axe rule; dark: once the page has loaded, run the colour rules. Return the requests counted and
    the problems by page."""
    from playwright.sync_api import sync_playwright

    found = {"requests": 0, "outside": {}, "errors": {}, "violations": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for path in pages:
            redirect = _redirects(html_dir, path)      # a redirect page has already moved on to its target
            if colour_mode == "dark" and redirect:
                continue
            page, requests, errors = _visit(browser, site_url, path, colour_mode,
                                            wait_until="networkidle" if colour_mode == "light" else "load")
            found["requests"] += len(requests)
            outside = _outside(requests, site_url)
            if outside:
                found["outside"][path] = outside
            if errors and colour_mode == "light":
                found["errors"][path] = errors
            if not redirect:
                violations = _axe_violations(page, COLOUR_RULES if colour_mode == "dark" else None)
                if violations:
                    found["violations"][path] = violations
            page.close()
        browser.close()
    return found


@pytest.fixture(scope="module")
def audits(site_url, built_site, pages):
    """Both colour modes audited at once, one browser per mode in its own thread (the two cores share the work)."""
    assert AXE.exists(), f"{AXE} missing: run `make test` (it installs axe-core from npm)"
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = {mode: pool.submit(_audit_every_page, site_url, built_site[0], pages, mode) for mode in ("light", "dark")}
        return {mode: run.result() for mode, run in runs.items()}


def test_every_page_stays_offline_without_errors_and_passes_axe_in_light_mode(audits, pages):
    """One visit per page (waiting until the network is idle): no request leaves localhost, no console error,
    and axe-core finds no serious or critical violation."""
    light = audits["light"]
    assert not light["outside"], "\n".join(f"{p} requested {u}" for p, u in light["outside"].items())
    assert not light["errors"], "\n".join(f"{p}: console errors {e}" for p, e in light["errors"].items())
    assert light["requests"] > 10 * len(pages) // 2, "suspiciously few requests recorded"
    assert not light["violations"], "\n".join(f"{p}: {v}" for p, vs in light["violations"].items() for v in vs)


def test_axe_finds_no_serious_colour_violations_in_dark_mode(audits):
    dark = audits["dark"]
    assert not dark["outside"], dark["outside"]
    assert not dark["violations"], "\n".join(f"{p}: {v}" for p, vs in dark["violations"].items() for v in vs)


def test_the_audit_reports_a_violation_when_there_is_one(browser):
    page = browser.new_page(color_scheme="dark")
    page.set_content('<html lang="en"><body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                     '<p style="color:#777;background:#888">low contrast</p></main></body></html>')
    found = " ".join(_axe_violations(page))
    assert "image-alt" in found and "color-contrast" in found, found
    colours_only = " ".join(_axe_violations(page, COLOUR_RULES))       # what the dark-mode audit runs
    assert "color-contrast" in colours_only and "image-alt" not in colours_only, colours_only
    page.close()


def test_maths_renders_offline(browser, site_url):
    page, _, _ = _visit(browser, site_url, "chapters/02_cell_state.html")
    page.wait_for_selector("mjx-container", timeout=15000)
    assert page.locator("mjx-container").count() >= 5
    assert page.locator("mjx-merror").count() == 0, "MathJax reported an error in a formula"
    page.close()


def test_saved_widget_views_render_offline(browser, site_url):
    """Chapter 3's ipywidgets explorer, saved at build time, is drawn by the site's own widget files."""
    page, requests, errors = _visit(browser, site_url, "chapters/03_gates.html")
    page.wait_for_selector(".widget-hslider", timeout=15000)
    sliders = page.locator(".widget-hslider")
    labels = [sliders.nth(i).locator("label").inner_text().strip() for i in range(sliders.count())]
    assert labels == ["forget", "inp", "out"], f"saved sliders: {labels}"
    saved_plot = page.locator(".widget-output img")
    assert saved_plot.count() == 1 and "forget gate 0.90" in saved_plot.get_attribute("alt"), \
        "the saved output widget should show the explorer's first plot with its alt text"
    assert not _outside(requests, site_url)
    assert not errors, f"console errors: {errors}"
    page.close()


def test_every_code_block_is_reachable_with_the_keyboard(browser, site_url):
    """_static/scrollable-focus.js gives every code block a tab stop, overflowing or not, so that no block that
    starts to scroll after the layout settles is left out (axe's scrollable-region-focusable)."""
    page, _, _ = _visit(browser, site_url, "chapters/03_gates.html")
    blocks = page.locator("div.highlight pre")
    assert blocks.count() > 10, blocks.count()
    unmarked = page.locator("div.highlight pre:not([tabindex='0'])").count()
    assert unmarked == 0, f"{unmarked} of {blocks.count()} code blocks have no tab stop"
    page.close()
