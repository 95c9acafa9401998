"""Plot checks (title, axis labels, alt text) and seeding."""

import random

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lstm_course.plots import PALETTE, check_figure, figure_html, use_course_style  # noqa: E402
from lstm_course.repro import seed_everything  # noqa: E402


def _fig(title="t", xlabel="x", ylabel="y"):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig


@pytest.mark.parametrize("kwargs, message", [
    ({"title": ""}, "no title"), ({"xlabel": ""}, "no x-axis label"), ({"ylabel": ""}, "no y-axis label")])
def test_figure_without_title_or_labels_is_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_figure(_fig(**kwargs))


def test_suptitle_counts_as_title_and_empty_figure_is_rejected():
    fig = _fig(title="")
    fig.suptitle("overall")
    check_figure(fig)
    with pytest.raises(ValueError, match="no visible axes"):
        check_figure(plt.figure())


@pytest.mark.parametrize("alt", ["", "   ", "a plot", None, 42])
def test_figure_needs_real_alt_text(alt):
    with pytest.raises(ValueError, match="alt text"):
        figure_html(_fig(), alt)


def test_figure_html_escapes_alt_and_embeds_png():
    out = figure_html(_fig(), 'A line "rising" <from> 0 to 1 & beyond')
    assert 'alt="A line &quot;rising&quot; &lt;from&gt; 0 to 1 &amp; beyond"' in out
    assert out.count("data:image/png;base64,") == 1


def test_course_style_uses_colour_blind_safe_palette():
    use_course_style()
    colours = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert colours == PALETTE and len(set(colours)) == len(colours)


def test_seed_everything_makes_all_generators_repeat():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()
    seed_everything(123)
    first = draw()
    seed_everything(123)
    assert draw() == first
    seed_everything(124)
    assert draw() != first


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (2**32, ValueError), (1.5, TypeError),
                                         ("1", TypeError), (True, TypeError)])
def test_seed_everything_rejects_bad_seeds(seed, error):
    with pytest.raises(error, match="seed must be"):
        seed_everything(seed)


def test_shared_x_axes_need_only_one_x_label():
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True)
    for ax in (top, bottom):
        ax.set_title("panel")
        ax.set_ylabel("y")
    with pytest.raises(ValueError, match="no x-axis label"):
        check_figure(fig)
    bottom.set_xlabel("time")
    check_figure(fig)
    fig2, (left, right) = plt.subplots(1, 2)          # not shared: each needs its own
    for ax in (left, right):
        ax.set_title("panel")
        ax.set_ylabel("y")
    left.set_xlabel("x")
    with pytest.raises(ValueError, match="axes 2 of 2 has no x-axis label"):
        check_figure(fig2)


def test_animation_gets_alt_text_and_checks_labels():
    from matplotlib import animation
    from lstm_course.plots import animation_html

    fig = _fig()
    anim = animation.FuncAnimation(fig, lambda k: None, frames=2)
    out = animation_html(anim, "A two-frame animation of a rising line")
    assert out.count('alt="A two-frame animation of a rising line"') == 1
    assert 'type="range" aria-label="animation frame"' in out
    assert "https://" not in out and 'class="fa' not in out, "no CDN icon font"
    with pytest.raises(ValueError, match="alt text"):
        animation_html(anim, "")
    with pytest.raises(TypeError, match="expected a matplotlib animation"):
        animation_html(fig, "A figure is not an animation at all")
    bad = _fig(ylabel="")
    with pytest.raises(ValueError, match="no y-axis label"):
        animation_html(animation.FuncAnimation(bad, lambda k: None, frames=2), "An animation lacking labels")


def test_course_seed_knob_drives_seed_everything_and_the_seed_lists(monkeypatch):
    from lstm_course.repro import course_seed, course_seeds

    monkeypatch.delenv("COURSE_SEED", raising=False)
    assert course_seed() == 0 and course_seeds(3) == [0, 1, 2] and seed_everything() == 0
    monkeypatch.setenv("COURSE_SEED", " 2 ")
    assert course_seed() == 2 and course_seeds(3) == [6, 7, 8] and course_seeds(5) == [10, 11, 12, 13, 14]
    assert seed_everything() == 2
    first = torch.rand(1).item()
    seed_everything(2)
    assert torch.rand(1).item() == first, "seed_everything() must seed with COURSE_SEED"
    # lists drawn from different base seeds never overlap, so `make robustness` sees new seeds
    seen = set()
    for base in range(4):
        monkeypatch.setenv("COURSE_SEED", str(base))
        assert not seen & set(course_seeds(3))
        seen |= set(course_seeds(3))


@pytest.mark.parametrize("value, message", [("one", "must be a whole number"), ("1.5", "must be a whole number"), ("-3", "must be in")])
def test_course_seed_rejects_bad_values_with_a_clear_message(monkeypatch, value, message):
    from lstm_course.repro import course_seed, course_seeds

    monkeypatch.setenv("COURSE_SEED", value)
    with pytest.raises(ValueError, match=f"COURSE_SEED {message}"):
        course_seed()
    monkeypatch.delenv("COURSE_SEED")
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        course_seeds(0)
