"""Checkers for exercises/09_word_language_model.ipynb: a stateful training loop that crashed and drifted
(debugging), what carrying the state buys at each position of a chunk (experiment)."""

import copy
import math

import torch
from torch import nn

from .feedback import Feedback, _call, _fail, _number, _tensor, checker

__all__ = ["check_stateful_training", "check_accuracy_by_position"]


class _TinyLM(nn.Module):
    """The exercise's language model, smaller: model(x, state) -> (scores, new state)."""

    def __init__(self, words=10, hidden=8):
        super().__init__()
        self.embed = nn.Embedding(words, hidden)
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, words)

    def forward(self, x, state=None):
        output, state = self.lstm(self.embed(x), state)
        return self.out(output), state


def _stateful_losses(model, rows, bptt, optimiser, carry=True, zero_grad="before backward"):
    """The chapter's stateful loop (state carried and detached, gradients zeroed before each backward pass), and the
    usual half-fixes: the state reset at every chunk, zero_grad forgotten or called between backward and step."""
    losses, state = [], None
    for start in range(0, rows.shape[1] - 1, bptt):
        target = rows[:, start + 1:start + 1 + bptt]
        logits, state = model(rows[:, start:start + target.shape[1]], state if carry else None)
        state = tuple(s.detach() for s in state)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten())
        if zero_grad == "before backward":
            optimiser.zero_grad()
        loss.backward()
        if zero_grad == "before step":
            optimiser.zero_grad()
        optimiser.step()
        losses.append(loss.item())
    return losses


@checker
def check_stateful_training(fn):
    """Chapter 9: fn(model, rows, bptt, optimiser) must walk along the rows in chunks of bptt tokens (the target one
    token on), carry the state from chunk to chunk but detach it, zero the gradients before each backward pass,
    step, and return each chunk's loss. Checked by training a small model from the same start with a right loop."""
    if not callable(fn):
        return _fail(f"expected a function, got {type(fn).__name__}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        start_model = _TinyLM()
        rows = torch.randint(0, 10, (3, 23))
    bptt = 6

    def losses_of(loop, **how):
        model = copy.deepcopy(start_model)
        return loop(model, rows.clone(), bptt, torch.optim.SGD(model.parameters(), lr=0.5), **how), model

    answer, bad = _call(lambda: losses_of(fn))
    if bad:
        if "backward through the graph a second time" in bad.message:
            return _fail("the second chunk's backward pass still runs into the first chunk's graph: detach the "
                         "state after each chunk, both parts of it (an LSTM's state is the pair (h, c))")
        if "modified by an inplace operation" in bad.message:
            return _fail("the graphs of earlier chunks were kept (retain_graph=True?), but the optimiser has changed "
                         "the weights they were built with since. Keeping them is not the fix: detach the state "
                         "after each chunk, so each backward pass stops at its chunk's start")
        return bad
    losses, model = answer
    right, right_model = losses_of(_stateful_losses)
    if not isinstance(losses, (list, tuple)) and not (torch.is_tensor(losses) and losses.dim() == 1):
        return _fail(f"return the list of the chunks' losses, got {type(losses).__name__}")
    values = [_number(v) for v in losses]
    if any(v is None for v in values):
        return _fail("each chunk's loss must be one number (loss.item())")
    if len(values) != len(right):
        return _fail(f"rows of {rows.shape[1]} tokens in chunks of {bptt} make {len(right)} chunks (the last one "
                     f"shorter), so {len(right)} losses; you returned {len(values)}")
    same = lambda got, expected: all(math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6) for a, b in zip(got, expected))
    if same(values, right):
        drift = max((p - q).abs().max().item() for p, q in zip(model.parameters(), right_model.parameters()))
        if drift > 1e-4:
            return _fail("the losses you returned are right, but the model you trained ended elsewhere: train the "
                         "model you are given, with the optimiser you are given")
        return Feedback(True, "The state's values are carried, its graph is not, and each step uses only its own "
                              "chunk's gradient: the losses match a right loop, chunk by chunk.")
    halves = {
        "the state is reset at every chunk, so each chunk starts from zeros and forgets the text before it. "
        "Carry it, detached: state = tuple(s.detach() for s in state)": dict(carry=False),
        "no crash now, but the gradients add up across chunks: .backward() adds to .grad, so each step also "
        "pushes along every earlier chunk's gradient. Call optimiser.zero_grad() before loss.backward()":
            dict(zero_grad="never"),
        "zero_grad between backward and step throws the gradient away before the optimiser uses it: call it "
        "before loss.backward()": dict(zero_grad="before step"),
    }
    for message, how in halves.items():
        if same(values, losses_of(_stateful_losses, **how)[0]):
            return _fail(message)
    if math.isclose(values[0], right[0], rel_tol=1e-4):
        return _fail(f"the first chunk's loss is right, the later ones are not (expected "
                     f"{[round(v, 4) for v in right]}, got {[round(v, 4) for v in values]}): the state carried "
                     "into a chunk, or the gradient a step uses, is not that of a right loop")
    return _fail(f"expected the chunks' losses {[round(v, 4) for v in right]}, got {[round(v, 4) for v in values]}: "
                 "chunk the rows as the buggy loop does, the target one token on")


@checker
def check_accuracy_by_position(fn):
    """Chapter 9: fn(carry) trains the exercise's TinyLM for one epoch with the state carried between chunks (or reset
    at each) and must return its validation accuracy at each position 0 ... bptt-1 of a chunk, read the way it was
    trained. Checked on the outcome: resetting leaves the first position blind, carrying does not."""
    curves = {}
    for carry in (True, False):
        answer, bad = _call(fn, carry)
        if bad:
            return bad
        curve, _ = _tensor(answer, torch.zeros(1, dtype=torch.float64))
        if curve is None or curve.dim() != 1:
            return _fail(f"accuracy_by_position({carry}) must return one accuracy per position of a chunk (a list or "
                         f"1-D tensor), got {type(answer).__name__}")
        if len(curve) != 8:
            return _fail(f"accuracy_by_position({carry}) returned {len(curve)} numbers: return one per position of a "
                         "chunk of BPTT = 8 tokens")
        if not torch.isfinite(curve).all() or curve.min() < 0 or curve.max() > 1:
            return _fail("accuracies are fractions between 0 and 1" +
                         (" (not percentages)" if curve.max() > 1 else ""))
        curves[carry] = curve
    carried, reset = curves[True], curves[False]
    if torch.equal(carried, reset):
        return _fail("both runs gave the same numbers: `carry` must change how the model is trained and how the "
                     "validation stream is read")
    c0, c_rest, r0, r_rest = carried[0].item(), carried[1:].mean().item(), reset[0].item(), reset[1:].mean().item()
    if min(c_rest, r_rest) < 0.25:
        return _fail(f"the models barely learned (accuracy {min(c_rest, r_rest):.2f} away from a chunk's start): "
                     "train for one whole epoch over as_streams(train_ids, 64) with Adam at lr 0.02")
    if reset[-1].item() < reset[:-1].mean().item() - 0.1 and r0 > r_rest - 0.1:
        return _fail("the reset model is worst at the last position: your positions run backwards. Position 0 is "
                     "the first word of a chunk")
    if c0 < c_rest - 0.08:
        return _fail(f"the carried model also predicts a chunk's first word badly ({c0:.2f} against {c_rest:.2f}): "
                     "carry the state while reading the validation stream too, from chunk to chunk")
    if r0 > r_rest - 0.1:
        return _fail(f"the reset model predicts a chunk's first word about as well as the rest ({r0:.2f} against "
                     f"{r_rest:.2f}): with carry=False, start every chunk from a zero state, in training and while "
                     "reading the validation stream")
    if c0 < r0 + 0.1:
        return _fail(f"at a chunk's first position the carried model ({c0:.2f}) should be clearly better than the "
                     f"reset one ({r0:.2f})")
    return Feedback(True, f"Reset at every chunk, the model got a chunk's first word right {r0:.0%} of the time and "
                          f"the later ones {r_rest:.0%}; carrying the state, {c0:.0%} and {c_rest:.0%}. Resetting "
                          "leaves the first word of every chunk to be guessed without context.")
