"""Plotting style (colour-blind-safe palette); figures and animations shown with enforced title, labels and alt text."""

import base64
import html
import io
import re

import matplotlib

# Okabe & Ito's palette: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def use_course_style() -> None:
    """Apply the course's matplotlib style (every chapter calls this in its setup cell)."""
    matplotlib.rcParams.update({
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "figure.figsize": (7.0, 4.0),
        "figure.dpi": 100,
        "figure.constrained_layout.use": True,   # labels stay inside saved frames and figures
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 11,
        "image.cmap": "viridis",
    })


def check_figure(fig) -> None:
    """Raise ValueError unless the figure has a title and every visible axes has x and y labels
    (an x label on one of several axes that share their x axis serves them all)."""
    if not hasattr(fig, "get_axes") or not hasattr(fig, "savefig"):
        raise TypeError(f"expected a matplotlib Figure, got {type(fig).__name__}")
    axes = [ax for ax in fig.get_axes() if ax.axison and ax.get_label() != "<colorbar>"]
    if not axes:
        raise ValueError("figure has no visible axes to show")
    has_suptitle = fig._suptitle is not None and fig._suptitle.get_text().strip() != ""
    for n, ax in enumerate(axes, start=1):
        where = f"axes {n} of {len(axes)}"
        if not has_suptitle and not ax.get_title().strip():
            raise ValueError(f"{where} has no title (set ax.set_title or fig.suptitle)")
        siblings = ax.get_shared_x_axes().get_siblings(ax)   # sharex=True: one label serves the column
        if not any(a.get_xlabel().strip() for a in siblings):
            raise ValueError(f"{where} has no x-axis label (ax.set_xlabel)")
        if not ax.get_ylabel().strip():
            raise ValueError(f"{where} has no y-axis label (ax.set_ylabel)")


def figure_html(fig, alt: str) -> str:
    """Return the figure as an accessible <img> with alt text, after checking title and labels."""
    if not isinstance(alt, str) or len(alt.strip()) < 15:
        raise ValueError("alt text must be a sentence describing the figure (at least 15 characters)")
    check_figure(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<figure class="lc-figure"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt.strip(), quote=True)}" style="max-width:100%;height:auto"></figure>')


def show_figure(fig, alt: str) -> None:
    """Display a checked figure with its alt text in Jupyter, Colab and the site, then close it."""
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    try:
        display(HTML(figure_html(fig, alt)))
    finally:
        plt.close(fig)


_ICONS = {"minus": "−", "plus": "+", "fast-backward": "«", "step-backward": "‹", "play fa-flip-horizontal": "◀",
          "play": "▶", "pause": "||", "step-forward": "›", "fast-forward": "»"}


def animation_html(anim, alt: str) -> str:
    """Return a matplotlib animation as self-contained HTML frames with a slider (no kernel needed)."""
    if not isinstance(alt, str) or len(alt.strip()) < 15:
        raise ValueError("alt text must be a sentence describing the animation (at least 15 characters)")
    fig = getattr(anim, "_fig", None)
    if fig is None:
        raise TypeError(f"expected a matplotlib animation, got {type(anim).__name__}")
    anim._init_draw()
    check_figure(fig)
    out = anim.to_jshtml(default_mode="once")
    if out.count("<img id=") != 1 or out.count('type="range"') != 1:
        raise RuntimeError("unexpected to_jshtml output: cannot attach the alt text and slider label")
    # matplotlib links Font Awesome 4 from a CDN for its button icons: use plain symbols instead,
    # so the page makes no outside request, and give the slider an accessible name.
    out = re.sub(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">', "", out)
    out = re.sub(r'<i class="fa fa-([a-z -]+)"></i>',
                 lambda m: f'<span aria-hidden="true">{_ICONS.get(m.group(1), "?")}</span>', out)
    out = out.replace('type="range"', 'type="range" aria-label="animation frame"', 1)
    return out.replace("<img id=", f'<img alt="{html.escape(alt.strip(), quote=True)}" id=', 1)


def show_animation(anim, alt: str) -> None:
    """Display an animation as frames behind a JavaScript slider, with alt text, then close its figure."""
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    try:
        display(HTML(animation_html(anim, alt)))
    finally:
        if getattr(anim, "_fig", None) is not None:
            plt.close(anim._fig)
