"""Schematic diagrams shipped as SVG, shown inline with alt text in Jupyter, Colab and the site."""

import html
import re
from importlib import resources

# The diagrams are the package's *.svg files (lstm_cell, unrolled_rnn, ...), named without the suffix.
DIAGRAMS = tuple(sorted(f.name[:-4] for f in resources.files("lstm_course").iterdir() if f.name.endswith(".svg")))


def diagram_svg(name: str) -> str:
    """Return the SVG text of a diagram; raise ValueError naming the available ones for any other name."""
    if not isinstance(name, str) or name not in DIAGRAMS:
        raise ValueError(f"unknown diagram {name!r}: choose one of {', '.join(DIAGRAMS)}")
    return resources.files("lstm_course").joinpath(f"{name}.svg").read_text(encoding="utf-8")


def diagram_html(name: str, alt: str) -> str:
    """Return the diagram as inline SVG in a <figure>, named by the alt text and described by its <desc>.
    Inline (not <img>) so the page's text colour reaches the diagram's currentColor lines in dark mode."""
    if not isinstance(alt, str) or len(alt.strip()) < 15:
        raise ValueError("alt text must be a sentence describing the diagram (at least 15 characters)")
    svg = diagram_svg(name)
    start = svg.index("<svg")
    end = svg.index(">", start)
    # The alt text names the figure (aria-labelledby would override aria-label); the <desc> describes it.
    tag = re.sub(r'\saria-(?:label|labelledby|describedby)="[^"]*"', "", svg[start:end])
    tag += f' aria-label="{html.escape(alt.strip(), quote=True)}"'
    desc = re.search(r'<desc id="([^"]+)"', svg)
    if desc:
        tag += f' aria-describedby="{desc.group(1)}"'
    return f'<figure class="lc-diagram">{tag}{svg[end:].strip()}</figure>'


def show_diagram(name: str, alt: str) -> None:
    """Display a diagram with its alt text in Jupyter, Colab and the site."""
    from IPython.display import HTML, display

    display(HTML(diagram_html(name, alt)))
