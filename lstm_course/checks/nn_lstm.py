"""Checkers for exercises/04_nn_lstm.ipynb: nn.LSTM's output shapes and a padded sequence's last real step."""

import torch
from torch import nn

from .feedback import Feedback, _call, _close, _fail, _tensor, checker

__all__ = ["check_lstm_shapes", "check_last_real_step"]


@checker
def check_lstm_shapes(fn):
    """Chapter 4: fn(batch, seq_len, input_size, hidden_size, num_layers, bidirectional, batch_first) must
    return {"output": shape, "h_n": shape, "c_n": shape} as nn.LSTM produces them."""
    for B, T, I, H, L, bi, bf in ((4, 7, 3, 5, 1, False, True), (4, 7, 3, 5, 2, True, True),
                                  (2, 6, 3, 4, 2, False, False), (3, 5, 2, 6, 1, True, False)):
        out, bad = _call(fn, B, T, I, H, L, bi, bf)
        if bad:
            return bad
        if not isinstance(out, dict) or set(out) != {"output", "h_n", "c_n"}:
            return _fail('return a dict with the keys "output", "h_n" and "c_n"')
        got = {k: tuple(v) if isinstance(v, (tuple, list, torch.Size)) else v for k, v in out.items()}
        lstm = nn.LSTM(I, H, num_layers=L, bidirectional=bi, batch_first=bf)
        output, (h_n, c_n) = lstm(torch.randn((B, T, I) if bf else (T, B, I)))
        right = {"output": tuple(output.shape), "h_n": tuple(h_n.shape), "c_n": tuple(c_n.shape)}
        if got == right:
            continue
        D = 2 if bi else 1
        case = f"(batch {B}, time {T}, hidden {H}, num_layers {L}, bidirectional={bi}, batch_first={bf})"
        if got["h_n"] != right["h_n"] and got["h_n"] == (B, D * L, H):
            return _fail(f"{case}: h_n is {right['h_n']}; batch_first applies to input and output only, "
                         "h_n and c_n are always (num_layers * directions, batch, hidden)")
        if bi and got["output"][-1] == H:
            return _fail(f"{case}: a bidirectional output concatenates both directions: last dimension 2 * {H}")
        if bi and got["h_n"] == (L, B, H):
            return _fail(f"{case}: h_n has a row per layer and direction: {D * L}, not {L}")
        if (got["output"] == right["output"][::-1][1:] + (right["output"][-1],)
                or got["output"][:2] == right["output"][:2][::-1]):
            return _fail(f"{case}: output is {right['output']}; batch and time are swapped "
                         f"({'batch' if bf else 'time'} comes first when batch_first={bf})")
        if got["c_n"] != got["h_n"]:
            return _fail(f"{case}: c_n has the same shape as h_n, {right['h_n']}")
        return _fail(f"{case}: expected {right}, got {got}")
    return Feedback(True, "all shapes match nn.LSTM, for every combination tried.")


@checker
def check_last_real_step(fn):
    """Chapter 4: fn(output, lengths) with a padded batch-first output (B, T, H) must return (B, H): each
    sequence's output at its own last real step."""
    torch.manual_seed(0)
    output = torch.randn(4, 6, 3)
    lengths = torch.tensor([6, 2, 4, 1])
    right = output[torch.arange(4), lengths - 1]
    answer, bad = _call(fn, output.clone(), lengths.clone())
    if bad:
        if "index" in bad.message and "out of bounds" in bad.message:
            return _fail(bad.message + ": a sequence of length n ends at index n - 1")
        return bad
    out, tol = _tensor(answer, output)
    if out is None or out.shape != (4, 3):
        shape = tuple(out.shape) if out is not None else type(answer).__name__
        return _fail(f"expected a tensor of shape (batch, hidden) = (4, 3), got {shape}")
    if _close(out, right, tol):
        return Feedback(True, "each sequence is read at index length - 1, never in the padding.")
    if _close(out, output[:, -1], tol):
        return _fail("output[:, -1] is the last padded position: for the short sequences it is the state after "
                     "reading padding. Index each row at its own length - 1")
    if _close(out, output[:, 0], tol):
        return _fail("that is the first step of every sequence; take the last real one, at index length - 1")
    return _fail("expected output[b, lengths[b] - 1] for every b")
