"""Sphinx extension for the book's build: dedupes inline scripts, labels hidden-cell toggles, writes favicon.ico."""

from html import escape
from pathlib import Path


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    """sphinx-thebe (via Jupyter Book 1) adds its `const THEBE_JS_URL = ...` script twice; a page that
    declares a const twice throws a SyntaxError. Keep the first copy of each identical script."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        key = (getattr(js, "filename", js) or None, getattr(js, "attributes", {}).get("body"))
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    context["script_files"] = kept


def _write_favicon_ico(app, exception):
    """Browsers ask for /favicon.ico on pages without an icon link (the root redirect page): serve one,
    drawn like _static/favicon.svg, so that request is not a 404."""
    if exception is not None or app.builder.format != "html":
        return
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, 31, 31), radius=6, fill="#0072B2")
    draw.rectangle((5, 21, 27, 23), fill="#FFFFFF")
    draw.ellipse((6, 8, 14, 16), fill="#E69F00")
    draw.ellipse((18, 8, 26, 16), fill="#009E73")
    img.save(Path(app.outdir) / "favicon.ico", format="ICO", sizes=[(32, 32)])


def _visit_hidden_cell(self, node):
    """myst-nb's toggle for a hidden cell, minus its aria-label "Toggle hidden content": a label that
    differs from the visible text ("Show code cell source") is an axe violation. The text names it."""
    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n<summary>\n'
                     f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n'
                     f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n</summary>\n')


def _depart_hidden_cell(self, node):
    self.body.append("</details>\n")


def setup(app):
    """Register the page-context and build-finished hooks with Sphinx."""
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("build-finished", _write_favicon_ico)
    from myst_nb.sphinx_ import HideCodeCellNode

    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_cell, _depart_hidden_cell))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
