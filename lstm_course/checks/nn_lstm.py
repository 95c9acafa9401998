"""Checkers for exercises/04_nn_lstm.ipynb: which gate's bias gives a review classifier its memory (an experiment,
checked on its outcome), a padded batch's final states, nn.LSTM's output shapes."""

import math

import torch
from torch import nn

from .feedback import Feedback, _call, _close, _fail, _number, _tensor, checker

__all__ = ["check_lstm_shapes", "check_last_real_step", "check_gate_bias_ablation", "check_review_states"]


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
