"""Checkers for exercises/04_nn_lstm.ipynb: which gate's bias gives a review classifier its memory (an experiment,
checked on its outcome), a padded batch's final states."""

import math

import torch
from torch import nn

from .feedback import Feedback, _call, _close, _fail, _number, _tensor, checker

__all__ = ["check_gate_bias_ablation", "check_review_states"]


_GATES = ("input", "forget", "cell", "output")   # the order of nn.LSTM's four blocks of rows


def _accuracies(result, keys, what):
    """The learner's {key: accuracy} as {key: float}, or (None, feedback naming what is wrong with it)."""
    if not isinstance(result, dict):
        return None, _fail(f"return a dict {{{what}: held-out accuracy}}, got {type(result).__name__}")
    if set(result) != set(keys):
        return None, _fail(f"return a dict with the keys {list(keys)}: one held-out accuracy per {what}, "
                           f"got the keys {sorted(map(repr, result))}")
    values = {key: _number(result[key]) for key in keys}
    if any(v is None or not math.isfinite(v) for v in values.values()):
        return None, _fail("every value must be one number, the held-out accuracy of that run; got "
                           + ", ".join(f"{k}: {result[k]!r}" for k in keys))
    if max(values.values()) > 1 and max(values.values()) <= 100:
        return None, _fail("these look like percentages: return accuracies as fractions between 0 and 1")
    if min(values.values()) < 0 or max(values.values()) > 1:
        return None, _fail("an accuracy is a fraction between 0 and 1; you returned "
                           + ", ".join(f"{k}: {v:.3g}" for k, v in values.items()))
    return values, None


@checker
def check_gate_bias_ablation(fn, seed=0):
    """Chapter 4: fn(seed) trains one tiny review classifier per gate block, with that block's bias started at 3,
    and returns {"input", "forget", "cell", "output": held-out accuracy}. Checked on the outcome: only the
    forget-gate start learns 30-word reviews within 100 steps (the input and cell starts stay near chance)."""
    result, bad = _call(fn, seed)
    if bad:
        return bad
    acc, bad = _accuracies(result, _GATES, "gate")
    if bad:
        return bad
    shown = ", ".join(f"{gate} {acc[gate]:.2f}" for gate in _GATES)
    if acc["forget"] >= 0.8 and acc["input"] <= 0.65 and acc["cell"] <= 0.65:
        return Feedback(True, f"{shown}: only the forget-gate start carries the opening words through 30 "
                              "steps; at PyTorch's default start the forget gate keeps about half of c at each step.")
    if acc["forget"] < 0.35 and min(acc[g] for g in _GATES if g != "forget") > 0.55:
        return _fail(f"{shown}: these look like losses (ln 2 = 0.69 is the loss of guessing), with the "
                     "forget run lowest. Return held-out accuracies: the share of reviews classified right")
    if acc["forget"] < 0.8 and max(acc.values()) >= 0.8:
        winner = max(_GATES, key=acc.get)
        rows = {"input": "0:H", "cell": "2H:3H", "output": "3H:4H"}[winner]
        return _fail(f"{shown}: your '{winner}' run learned and your 'forget' run did not, so the bias you "
                     f"called '{winner}' went into the forget gate and the one you called 'forget' did not. "
                     f"nn.LSTM stacks its blocks input, forget, cell, output: rows {rows} are the {winner} "
                     "gate's, rows H:2H the forget gate's")
    if acc["input"] > 0.65 and acc["cell"] > 0.65 and acc["forget"] >= 0.8:
        return _fail(f"{shown}: every run learned, whatever block got the bias. Start each run from a fresh "
                     "model (one model reused keeps the forget bias and the training of the runs before), "
                     "and keep the budget: 30-word reviews, 100 steps")
    if max(acc.values()) < 0.8:
        return _fail(f"{shown}: no run learned, not even the forget-gate start. Set rows H:2H of bias_ih_l0 to "
                     "3 (and bias_hh_l0's to 0) before training, on a fresh model for each gate, and score the "
                     "trained model on held-out reviews")
    return _fail(f"{shown}: expected the forget run above 0.8 and the input and cell runs near chance (0.5)")


def _padded_batches(bidirectional=False):
    """A 2-layer float64 LSTM and a batch of 4 sequences of lengths 5, 2, 7, 3 (not sorted), padded once with
    zeros and once with large random values: (lstm, zero-padded, garbage-padded, lengths)."""
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=bidirectional, dtype=torch.float64)
    lengths = torch.tensor([5, 2, 7, 3])
    x = torch.randn(4, 7, 3, dtype=torch.float64)
    real = (torch.arange(7)[None, :] < lengths[:, None])[..., None]
    return lstm, x * real, torch.where(real, x, 5 * torch.randn_like(x)), lengths


def _packing_hint(message):
    """A hint for the errors packing raises most often, or None."""
    if "sorted in decreasing order" in message:
        return ("pack_padded_sequence wants the lengths longest first unless you pass enforce_sorted=False; "
                "the batch here is not sorted")
    if "out of bounds" in message or "out of range" in message:
        return "a sequence of length n ends at index n - 1"
    return None


def _final_states_read_wrong(lstm, x, lengths):
    """{what was done wrong: the (batch, hidden) it gives} for the usual ways of reading a padded batch's final
    states wrongly from a one-directional lstm."""
    with torch.no_grad():
        output, (h_n, c_n) = lstm(x)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        packed_out, (h_p, c_p) = lstm(packed)
        unpacked, _ = nn.utils.rnn.pad_packed_sequence(packed_out, batch_first=True, total_length=x.shape[1])
    return {
        "still reads the padding: without packing, h_n[-1] (and output[:, -1]) is the state after the last "
        "padded position. Pack with the lengths, or read output at each sequence's own last real step": h_n[-1],
        "that is the first layer: with num_layers=2, h_n[0] is the bottom layer's state; the top layer's is "
        "h_n[-1]": h_p[0],
        "that is the cell state c_n[-1]; the summary is the hidden state h_n[-1]": c_p[-1],
        "after pad_packed_sequence every position after a sequence's end holds zeros, so output[:, -1] is zero "
        "for the short sequences: take h_n[-1] from the packed run": unpacked[:, -1],
        "that is every sequence's first step; take the last real one": output[:, 0],
    }


@checker
def check_review_states(fn):
    """Chapter 4: fn(lstm, x, lengths) for a padded batch-first x must return (batch, hidden): each sequence's
    top-layer hidden state after its own last real step, whatever the padding holds."""
    lstm, zero_padded, garbage_padded, lengths = _padded_batches()
    with torch.no_grad():
        right = torch.stack([lstm(zero_padded[b:b + 1, :n])[1][0][-1, 0] for b, n in enumerate(lengths.tolist())])
    for x, padding in ((zero_padded, "zeros"), (garbage_padded, "large random values")):
        answer, bad = _call(fn, lstm, x.clone(), lengths.clone())
        if bad:
            hint = _packing_hint(bad.message)
            return _fail(f"{bad.message}: {hint}") if hint else bad
        out, tol = _tensor(answer, right)
        if out is None or out.shape != right.shape:
            shape = tuple(out.shape) if out is not None else type(answer).__name__
            return _fail(f"expected a tensor of shape (batch, hidden) = {tuple(right.shape)}, got {shape}")
        if _close(out, right, tol):
            continue
        for mistake, wrong in _final_states_read_wrong(lstm, x, lengths).items():
            if _close(out, wrong, tol):
                return _fail(mistake)
        if padding != "zeros":
            return _fail("right with zeros in the padding, wrong when the padding holds other values: the result "
                         "still depends on the padded positions. Pack, or index each sequence at length - 1")
        return _fail("expected each sequence's top-layer state after its last real step, as running it alone gives")
    return Feedback(True, "each sequence's state after its own last real step, whatever the padding holds.")
