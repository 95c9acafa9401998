"""Checkers for exercises/06_text_generation.ipynb: a temperature tuned to a target entropy (an experiment, checked
on its outcome), a truncated-BPTT loop repaired."""

import copy
import functools
import math

import torch
from torch import nn

from ..corpus import python_help_text
from .feedback import Feedback, _call, _fail, _number, checker

__all__ = ["check_temperature_for_entropy", "check_tbptt_fix"]


@functools.lru_cache(maxsize=1)
def _bigram_scores():
    """Chapter 6's corpus as a 2-gram model: scores[a, b] = log(1 + how often character b follows a), with the
    characters sorted; and the id of the newline character."""
    text = python_help_text()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text])
    counts = torch.ones(len(chars), len(chars))
    counts.index_put_((ids[:-1], ids[1:]), torch.ones(len(ids) - 1), accumulate=True)
    return counts.log(), index["\n"]


def _line_entropy(scores, start, temperature, lines_long=40, base=2.0):
    """The exact mean entropy (in log base `base`) of the distributions a sampler draws from, over lines of
    `lines_long` characters each started after character `start`, at this temperature: what sampling many such
    lines estimates."""
    probs = torch.softmax(scores.double() / temperature, dim=-1)
    entropy = -(probs * probs.log()).sum(-1) / math.log(base)
    where = torch.zeros(len(scores), dtype=torch.float64)
    where[start] = 1.0
    total = 0.0
    for _ in range(lines_long):
        total += float(where @ entropy)
        where = where @ probs
    return total / lines_long


@checker
def check_temperature_for_entropy(fn, seed=0):
    """Chapter 6: fn(scores, target_bits, seed) with a 2-gram model's scores must return the temperature at which
    lines of 40 sampled characters, each started after a newline, draw from distributions of target_bits bits of
    entropy on average. Checked on the outcome: the checker computes that entropy exactly at the returned
    temperature (target 2.5 bits, within 0.1)."""
    scores, newline = _bigram_scores()
    target = 2.5
    answer, bad = _call(fn, scores.clone(), target, seed)
    if bad:
        return bad
    temperature = _number(answer)
    if temperature is None:
        return _fail(f"return the temperature, one number; got {type(answer).__name__}")
    if not math.isfinite(temperature) or temperature <= 0:
        return _fail(f"a temperature is a number above 0, got {temperature:.4g}")
    if temperature == target:
        return _fail("you returned the target entropy itself; return the temperature that gives it")
    bits = _line_entropy(scores, newline, temperature)
    if temperature == 1:
        return _fail(f"temperature 1 leaves the model as it is: its lines draw from {bits:.2f} bits on average, "
                     f"not {target}. Measure the entropy at several temperatures and search for the one that "
                     "hits the target")
    if abs(bits - target) <= 0.1:
        return Feedback(True, f"at temperature {temperature:.3f} the sampled lines draw from {bits:.2f} bits of "
                              f"entropy on average (target {target}): below 1, the text gets safer and more "
                              "repetitive than the model itself.")
    said = f"at temperature {temperature:.3f} the lines draw from {bits:.2f} bits on average, not {target}"
    if abs(_line_entropy(scores, newline, 1 / temperature) - target) <= 0.1:
        return _fail(f"{said}: you multiplied the scores by the temperature. Divide them by it "
                     "(softmax(scores / temperature)): below 1 sharpens")
    if abs(_line_entropy(scores, newline, temperature, base=math.e) - target) <= 0.1:
        return _fail(f"{said}: you measured the entropy in nats (natural log); in bits it is -sum p log2 p")
    probs = torch.softmax(scores.double() / temperature, dim=-1)
    if abs(float(-(probs * probs.log2()).sum(-1).mean()) - target) <= 0.1:
        return _fail(f"{said}: you averaged the entropy over every character of the vocabulary alike. Rare "
                     "characters (their rows nearly uniform) count as much as 'e' that way; sample lines and "
                     "average over the characters the text actually visits")
    direction = "lower" if bits > target else "raise"
    return _fail(f"{said}: {direction} the temperature. Measure by sampling 200 lines of 40 characters "
                 "from softmax(scores[previous] / temperature), each started after a newline")


class _TinyCharLM(nn.Module):
    """Embedding -> LSTM -> linear, in float64; forward(ids, state) returns (scores, state) as chapter 6's CharLM."""

    def __init__(self, vocab_size=6, hidden_size=8):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 5, dtype=torch.float64)
        self.lstm = nn.LSTM(5, hidden_size, batch_first=True, dtype=torch.float64)
        self.head = nn.Linear(hidden_size, vocab_size, dtype=torch.float64)

    def forward(self, ids, state=None):
        output, state = self.lstm(self.embed(ids), state)
        return self.head(output), state


def _train_windows(model, streams, window, lr, carry=True, zero_grad="before"):
    """Reference SGD along streams in windows: the right loop (carry the state, detach it, zero the gradients
    before backward) and its usual wrong versions; return the loss of every window."""
    optimiser = torch.optim.SGD(model.parameters(), lr=lr)
    state, losses = None, []
    for start in range(0, streams.shape[1] - window, window):
        x = streams[:, start:start + window]
        y = streams[:, start + 1:start + window + 1]
        logits, state = model(x, state if carry else None)
        state = tuple(s.detach() for s in state)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        if zero_grad == "before":
            optimiser.zero_grad()
        loss.backward()
        if zero_grad == "after":
            optimiser.zero_grad()
        optimiser.step()
        losses.append(loss.item())
    return losses


def _tbptt_hint(message):
    """What an error from a truncated-BPTT loop usually means, or None."""
    if "second time" in message:
        return ("the state still carries the previous window's graph, which backward() has freed: detach both h "
                "and c after each window, state = tuple(s.detach() for s in state) (clone() keeps the graph)")
    if "inplace operation" in message:
        return ("retain_graph=True keeps the old graph, but backward() then runs into weights that "
                "optimiser.step() has changed since: detach the state instead, so backward stops at the window")
    return None


@checker
def check_tbptt_fix(fn):
    """Chapter 6: fn(model, streams, window, lr) must train model in place with plain SGD along the streams in
    windows, carrying the state detached from window to window and zeroing the gradients before each backward,
    and return the loss of every window; compared with a reference on a tiny float64 model."""
    torch.manual_seed(0)
    start = _TinyCharLM()
    streams = torch.randint(0, 6, (3, 41))
    window, lr = 10, 0.5
    variants = {}
    for name, options in (("right", {}), ("accumulates", {"zero_grad": None}), ("no carry", {"carry": False}),
                          ("no carry, accumulates", {"carry": False, "zero_grad": None}),
                          ("zeroed after backward", {"zero_grad": "after"})):
        model = copy.deepcopy(start)
        variants[name] = (torch.tensor(_train_windows(model, streams, window, lr, **options), dtype=torch.float64),
                          torch.cat([p.detach().flatten() for p in model.parameters()]))
    model = copy.deepcopy(start)
    answer, bad = _call(fn, model, streams.clone(), window, lr)
    if bad:
        hint = _tbptt_hint(bad.message)
        return _fail(f"{bad.message}: {hint}") if hint else bad
    if not isinstance(answer, (list, tuple)) and not torch.is_tensor(answer):
        return _fail(f"return the list of every window's loss, got {type(answer).__name__}")
    losses = [_number(v.detach() if torch.is_tensor(v) else v) for v in answer]
    if any(v is None for v in losses):
        return _fail("return the list of every window's loss, one number each (loss.item())")
    losses = torch.tensor(losses, dtype=torch.float64)
    params = torch.cat([p.detach().flatten() for p in model.parameters()]).double()
    right_losses, right_params = variants["right"]
    if len(losses) != len(right_losses):
        return _fail(f"{len(losses)} losses for {len(right_losses)} windows: keep the loop over the windows as "
                     "it was and return one loss per window")
    tol = {"rtol": 1e-5, "atol": 1e-7}
    if torch.allclose(losses, right_losses, **tol) and torch.allclose(params, right_params, **tol):
        return Feedback(True, "the state flows from window to window, the gradient stops at the window's edge, "
                              "and each step uses this window's gradient only.")
    if torch.allclose(losses, right_losses, **tol):
        return _fail("the right losses, but the model passed in did not end up trained: train it in place (no copy)")
    messages = {
        "accumulates": "it runs now, but without optimiser.zero_grad() every backward() adds to the gradients of "
                       "all the windows before: each step follows their sum. Zero the gradients before backward()",
        "no carry": "you start every window from a zero state: that runs, but the model can no longer use the "
                    "text before the window. Keep the state and detach it",
        "no carry, accumulates": "two things: every window starts from a zero state (keep the state, detached), "
                                 "and the gradients pile up across windows (call optimiser.zero_grad())",
        "zeroed after backward": "the model never changes: zero_grad() between backward() and step() wipes the "
                                 "gradients before step() uses them. Zero them before backward()",
    }
    for name, message in messages.items():
        if torch.allclose(losses, variants[name][0], **tol):
            return _fail(message)
    return _fail("the losses differ from those of the loop with the state carried and detached and the gradients "
                 "zeroed before each backward(); change only what is broken")
