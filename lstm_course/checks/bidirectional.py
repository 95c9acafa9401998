"""Checkers for exercises/05_bidirectional.ipynb: a bidirectional LSTM's final states and a causal forecast."""

import torch
from torch import nn

from .feedback import Feedback, _call, _close, _fail, _tensor, checker

__all__ = ["check_bidirectional_summary", "check_causal_forecast"]


def _bidirectional_states_mistake(features, output, h_n, tol):
    """None if features are the top layer's forward and backward final states of a bidirectional LSTM, joined in
    that order; otherwise what is wrong with them (the mistakes learners make, each named)."""
    if _close(features, torch.cat([h_n[-2], h_n[-1]], dim=-1), tol):
        return None
    if _close(features, output[:, -1], tol):
        return ("output[:, -1] is the forward direction's final state, but for the backward direction it is its state "
                "after reading only the last token: the backward direction ends at step 0. Take h_n[-2] and h_n[-1] "
                "(or output[:, -1, :H] with output[:, 0, H:])")
    if _close(features, torch.cat([h_n[-1], h_n[-2]], dim=-1), tol):
        return ("backward first: the right states in the wrong order. Put the forward direction (h_n[-2]) first, as "
                "nn.LSTM's own output does")
    if h_n.shape[0] > 2 and _close(features, torch.cat([h_n[0], h_n[1]], dim=-1), tol):
        return ("with num_layers=2, h_n[0] and h_n[1] are the first layer's states; the top layer's are h_n[-2] "
                "and h_n[-1]")
    return "these features are not each direction's final state: expected torch.cat([h_n[-2], h_n[-1]], dim=-1)"


@checker
def check_bidirectional_summary(fn):
    """Chapter 5: fn(h_n) for a bidirectional nn.LSTM must return the top layer's forward and backward final
    states, concatenated in that order: shape (batch, 2 * hidden)."""
    torch.manual_seed(0)
    for layers in (1, 2):
        lstm = nn.LSTM(3, 4, num_layers=layers, bidirectional=True, batch_first=True)
        output, (h_n, _) = lstm(torch.randn(2, 5, 3))
        h_n = h_n.detach()
        answer, bad = _call(fn, h_n.clone())
        if bad:
            return bad
        out, tol = _tensor(answer, h_n)
        if out is None:
            return _fail(f"return a tensor, got {type(answer).__name__}")
        if out.shape == (2, 4):
            return _fail("that is one direction (hidden_size features); join the forward and backward final states")
        if out.shape != (2, 8):
            return _fail(f"expected (batch, 2 * hidden) = (2, 8), got {tuple(out.shape)}")
        mistake = _bidirectional_states_mistake(out, output.detach(), h_n, tol)
        if mistake:
            return _fail(mistake)
    return Feedback(True, "forward final and backward final state of the top layer, for 1 and 2 layers.")


@checker
def check_causal_forecast(fn):
    """Chapter 5: fn(model, series) with series (batch, T, 1) must return (batch, T - 1, 1) predictions where
    the prediction for step t + 1 is computed from x_0..x_t only, as a deployed model would."""
    torch.manual_seed(0)

    class Probe(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(1, 4, batch_first=True, bidirectional=True)
            self.head = nn.Linear(8, 1)

        def forward(self, x):
            return self.head(self.lstm(x)[0])

    model, series = Probe().eval(), torch.randn(2, 7, 1)
    with torch.no_grad():
        right = torch.stack([model(series[:, :t + 1])[:, -1] for t in range(6)], dim=1)
        leak = model(series[:, :-1])
    answer, bad = _call(fn, model, series.clone())
    if bad:
        return bad
    out, tol = _tensor(answer, right)
    if out is None or out.shape != (2, 6, 1):
        shape = tuple(out.shape) if out is not None else type(answer).__name__
        return _fail(f"expected predictions of shape (batch, T - 1, 1) = (2, 6, 1), got {shape}")
    if _close(out, right, tol):
        return Feedback(True, "each prediction uses the prefix up to now only: what a deployed model can do.")
    if _close(out, leak, tol):
        return _fail("you ran the model on the whole window at once: its backward half reads the future. "
                     "Run it on series[:, :t + 1] for each t and keep the last output")
    with torch.no_grad():
        short = torch.stack([model(series[:, :max(t, 1)])[:, -1] for t in range(6)], dim=1)
    if _close(out, short, tol):
        return _fail("off by one: the prediction for step t + 1 may use x_0..x_t, i.e. series[:, :t + 1]")
    return _fail("expected, for t = 0..T-2, model(series[:, :t + 1])[:, -1]")
