"""Checkers for exercises/05_bidirectional.ipynb: how late a left-to-right tagger must answer (an experiment, checked
on its outcome), a bidirectional summary of a padded batch."""

import torch
from torch import nn

from .feedback import Feedback, _call, _close, _fail, _tensor, checker
from .nn_lstm import _accuracies, _packing_hint, _padded_batches

__all__ = ["check_bank_delay", "check_bidirectional_padded_summary"]


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


_DELAYS = (0, 1, 2, 3, 4)


def _bank_ceiling(delay, lookahead=3):
    """The best accuracy at "bank" for a left-to-right tagger that answers `delay` steps late: the deciding word
    comes 1 to lookahead steps after the bank, uniformly, and a guess is right half the time."""
    seen = min(max(delay, 0), lookahead) / lookahead
    return seen + (1 - seen) / 2


@checker
def check_bank_delay(fn, seed=0):
    """Chapter 5: fn(seed) trains a one-directional tagger on the river-bank sentences once per delay d in 0..4,
    the answer for step t read at step t + d, and returns {d: accuracy at the bank tokens of held-out sentences}.
    Checked on the outcome: each accuracy near the ceiling the delay allows, 0.5, 0.67, 0.83, 1, 1."""
    result, bad = _call(fn, seed)
    if bad:
        return bad
    acc, bad = _accuracies(result, _DELAYS, "delay")
    if bad:
        return bad
    shown = ", ".join(f"delay {d}: {acc[d]:.2f}" for d in _DELAYS)

    def near(shift):
        return all(abs(acc[d] - _bank_ceiling(d + shift)) <= 0.08 for d in _DELAYS)

    if near(0):
        return Feedback(True, f"{shown}. Each step of delay lets the tagger see the deciding word for a third more "
                              "of the banks; from delay 3 (the look-ahead) it sees them all. A left-to-right model "
                              "can do what a bidirectional one does, if it may answer that late.")
    if min(acc.values()) >= 0.9:
        return _fail(f"{shown}: solved even with no delay, so your tagger reads the future. Use a left-to-right "
                     "LSTM (bidirectional=False): the experiment asks what delay buys a model that cannot")
    if acc[0] > acc[4] + 0.2:
        return _fail(f"{shown}: lower with more delay. These look like losses (ln 2 = 0.69 is the loss of a "
                     "guess): return the share of bank tokens tagged right")
    if max(acc.values()) <= 0.3:
        return _fail(f"{shown}: far below guessing. You counted the positions whose target is -100 (not a bank): "
                     "score only the positions where the target is 0 or 1")
    if max(acc.values()) <= 0.6:
        return _fail(f"{shown}: no delay helped. The output at step t + d must answer for the bank at step t: "
                     "compare logits[:, d:] with targets[:, :T - d]. Shifted the other way, the model must answer "
                     "before it has read the deciding word")
    if near(1):
        return _fail(f"{shown}: each result is the one expected for one step more delay: off by one. With delay "
                     "d, step t + d answers for step t (delay 0: each step answers for itself)")
    if near(-1):
        return _fail(f"{shown}: each result is the one expected for one step less delay: off by one. With delay "
                     "d, step t + d answers for step t")
    expected = ", ".join(f"{_bank_ceiling(d):.2f}" for d in _DELAYS)
    return _fail(f"{shown}: expected about {expected} (the deciding word comes 1 to 3 steps after the bank). "
                 "Train each delay from a fresh model, long enough (100 steps), and score held-out sentences")


def _bidirectional_summary_wrong(lstm, x, lengths):
    """{what was done wrong: the (batch, 2 * hidden) it gives} for the usual ways of summarising a padded batch
    with a bidirectional lstm wrongly."""
    H, rows = lstm.hidden_size, torch.arange(len(lengths))
    with torch.no_grad():
        output, (h_n, _) = lstm(x)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        packed_out, (h_p, _) = lstm(packed)
        unpacked, _ = nn.utils.rnn.pad_packed_sequence(packed_out, batch_first=True, total_length=x.shape[1])
    return {
        "output[:, -1] is still there: its backward half has read one step, and here that step is padding. The "
        "backward direction ends at step 0; and without packing both directions read the padding": output[:, -1],
        "the right states, h_n[-2] and h_n[-1], but without packing: the forward direction read the padding after "
        "each end, and the backward direction even started in it. Pack with the lengths first":
            torch.cat([h_n[-2], h_n[-1]], dim=-1),
        "the forward half is right, but the backward direction, unpacked, started in the padding: its state at "
        "step 0 has read the pads first. Pack with the lengths":
            torch.cat([output[rows, lengths - 1, :H], output[:, 0, H:]], dim=-1),
        "packed, good, but the backward half of the output at the last real step has read only that step; the "
        "backward direction's final state is at step 0 (or h_n[-1])":
            unpacked[rows, lengths - 1],
        "after pad_packed_sequence the positions after each end hold zeros, and the backward half of the last "
        "step has read one step at most: take h_n[-2] and h_n[-1] from the packed run": unpacked[:, -1],
        "backward first: the right states in the wrong order. Put the forward direction (h_n[-2]) first":
            torch.cat([h_p[-1], h_p[-2]], dim=-1),
        "with num_layers=2, h_n[0] and h_n[1] are the first layer's states; the top layer's are h_n[-2] and "
        "h_n[-1]": torch.cat([h_p[0], h_p[1]], dim=-1),
    }


@checker
def check_bidirectional_padded_summary(fn):
    """Chapter 5: fn(lstm, x, lengths) for a bidirectional, 2-layer lstm and a padded batch-first x must return
    (batch, 2 * hidden): the top layer's forward and backward final states of each sequence, forward first, as
    running the sequence alone gives them, whatever the padding holds."""
    lstm, zero_padded, garbage_padded, lengths = _padded_batches(bidirectional=True)
    with torch.no_grad():
        alone = [lstm(zero_padded[b:b + 1, :n])[1][0] for b, n in enumerate(lengths.tolist())]
    right = torch.stack([torch.cat([h_n[-2, 0], h_n[-1, 0]]) for h_n in alone])
    for x, padding in ((zero_padded, "zeros"), (garbage_padded, "large random values")):
        answer, bad = _call(fn, lstm, x.clone(), lengths.clone())
        if bad:
            hint = _packing_hint(bad.message)
            return _fail(f"{bad.message}: {hint}") if hint else bad
        out, tol = _tensor(answer, right)
        if out is None:
            return _fail(f"return a tensor, got {type(answer).__name__}")
        if out.shape == (4, 4):
            return _fail("that is one direction (hidden_size features); join the forward and backward final states")
        if out.shape != right.shape:
            return _fail(f"expected (batch, 2 * hidden) = {tuple(right.shape)}, got {tuple(out.shape)}")
        if _close(out, right, tol):
            continue
        for mistake, wrong in _bidirectional_summary_wrong(lstm, x, lengths).items():
            if _close(out, wrong, tol):
                return _fail(mistake)
        if padding != "zeros":
            return _fail("right with zeros in the padding, wrong when the padding holds other values: the result "
                         "still depends on the padded positions. Pack the batch with its lengths")
        return _fail("expected torch.cat([h_n[-2], h_n[-1]], dim=-1) of each sequence run alone; pack the batch "
                     "so that each direction reads only the real steps")
    return Feedback(True, "both directions' final states of the top layer, read from the real steps only: the "
                          "backward direction starts at each sequence's own end.")
