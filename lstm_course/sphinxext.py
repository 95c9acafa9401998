"""Sphinx extension for the book's build: removes duplicated inline scripts that break pages."""


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


def setup(app):
    """Register the page-context hook with Sphinx."""
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
