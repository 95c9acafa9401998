"""Checkers for exercises/07_mistakes_and_practices.ipynb: a GRU's parameter count, Conv1d's output length."""

import torch
from torch import nn

from .feedback import Feedback, _as_int, _call, _fail, checker

__all__ = ["check_gru_param_count", "check_conv_output_length"]


@checker
def check_gru_param_count(fn):
    """Chapter 7: fn(input_size, hidden_size) must return the parameter count of nn.GRU(input_size, hidden_size)."""
    for inp, hid in ((10, 20), (1, 1), (100, 256)):
        out, bad = _call(fn, inp, hid)
        if bad:
            return bad
        n, bad = _as_int(out, "the parameter count")
        if bad:
            return bad
        right = sum(p.numel() for p in nn.GRU(inp, hid).parameters())
        if n == right:
            continue
        if n == 4 * (hid * inp + hid * hid + 2 * hid):
            return _fail("that is an LSTM's count (4 blocks); a GRU has 3: reset, update, candidate")
        if n == 3 * (hid * inp + hid * hid + hid):
            return _fail("you counted one bias vector per block; PyTorch keeps two (bias_ih and bias_hh)")
        return _fail(f"nn.GRU({inp}, {hid}) has {right} parameters, you returned {n}")
    return Feedback(True, "3 × (H·I + H·H + 2·H), matching sum(p.numel()) for every size tried.")


@checker
def check_conv_output_length(fn):
    """Chapter 7: fn(length, kernel_size, stride, padding) must return nn.Conv1d's output length."""
    for L, k, s, p in ((200, 4, 4, 0), (200, 5, 1, 0), (200, 5, 1, 2), (101, 3, 2, 1), (10, 3, 4, 0)):
        out, bad = _call(fn, L, k, s, p)
        if bad:
            return bad
        n, bad = _as_int(out, "the length")
        if bad:
            return bad
        right = nn.Conv1d(1, 1, k, stride=s, padding=p)(torch.zeros(1, 1, L)).shape[-1]
        if n == right:
            continue
        case = f"length {L}, kernel {k}, stride {s}, padding {p}"
        if n == L // s:
            return _fail(f"{case}: dividing by the stride ignores the kernel; "
                         f"use floor((L + 2p - k) / s) + 1 = {right}")
        if n == (L + 2 * p - k) // s:
            return _fail(f"{case}: off by one, the formula ends with + 1")
        if n == (L - k) // s + 1:
            return _fail(f"{case}: you left out the padding: it adds 2 * padding to the length")
        return _fail(f"{case}: expected {right}, got {n}")
    return Feedback(True, "floor((L + 2p - k) / s) + 1, matching nn.Conv1d for every case tried.")
