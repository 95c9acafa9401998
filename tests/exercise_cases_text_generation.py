"""Exercise cases for exercises/06_text_generation.ipynb (collected by test_exercises.py): the typical wrong answers
of the debugging and experiment tasks, each with the words its message must contain, and right answers written
differently from the hidden solutions."""

import math

import numpy as np
import torch
from torch import nn

from lstm_course import checks
from lstm_course.corpus import python_help_text

# --- Task 1 (debugging): a truncated-BPTT loop -----------------------------------------------------------------


def _window_loop(detach="both", zero_grad="before", carry=True, retain_graph=False):
    """The loop of the task with one choice per typical fix (or non-fix)."""
    def train_windows(model, streams, window, lr):
        optimiser = torch.optim.SGD(model.parameters(), lr=lr)
        state, losses = None, []
        for start in range(0, streams.shape[1] - window, window):
            x = streams[:, start:start + window]
            y = streams[:, start + 1:start + window + 1]
            logits, state = model(x, state if carry else None)
            if detach == "both":
                state = tuple(s.detach() for s in state)
            elif detach == "h only":
                state = (state[0].detach(), state[1])
            elif detach == "clone":
                state = tuple(s.clone() for s in state)
            loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
            if zero_grad == "before":
                optimiser.zero_grad()
            loss.backward(retain_graph=retain_graph)
            if zero_grad == "after":
                optimiser.zero_grad()
            optimiser.step()
            losses.append(loss.item())
        return losses
    return train_windows


def _detach_at_the_top(model, streams, window, lr):
    optimiser = torch.optim.SGD(model.parameters(), lr=lr)
    state, losses = None, []
    for start in range(0, streams.shape[1] - window, window):
        if state is not None:
            h, c = state
            state = (h.detach(), c.detach())
        logits, state = model(streams[:, start:start + window], state)
        target = streams[:, start + 1:start + window + 1]
        loss = nn.functional.nll_loss(logits.log_softmax(-1).transpose(1, 2), target)
        model.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(loss.detach())
    return torch.stack(losses)


def _updates_by_hand(model, streams, window, lr):
    state, losses = None, []
    for start in range(0, streams.shape[1] - window, window):
        logits, state = model(streams[:, start:start + window], state)
        state = (state[0].detach(), state[1].detach())
        target = streams[:, start + 1:start + window + 1].reshape(-1)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target)
        grads = torch.autograd.grad(loss, list(model.parameters()))
        with torch.no_grad():
            for p, g in zip(model.parameters(), grads):
                p -= lr * g
        losses.append(float(loss.detach()))
    return losses


# --- Task 2 (experiment): a temperature for a target entropy ---------------------------------------------------

NEWLINE = sorted(set(python_help_text())).index("\n")


def _entropy_bits(probs):
    return -(probs * probs.log2()).sum(-1)


def _sampled_entropy(scores, temperature, seed, multiply=False, log=torch.log2):
    """The measurement of the task (200 lines of 40 characters from a newline), with a typical mistake or not."""
    probs = torch.softmax(scores * temperature if multiply else scores / temperature, dim=-1)
    entropy = -(probs * log(probs)).sum(-1)
    generator = torch.Generator().manual_seed(seed)
    previous, total = torch.full((200,), NEWLINE), 0.0
    for _ in range(40):
        total += entropy[previous].mean().item()
        previous = torch.multinomial(probs[previous], 1, generator=generator).squeeze(1)
    return total / 40


def _bisect(measure, target, low=0.05, high=5.0, steps=20):
    for _ in range(steps):
        middle = math.sqrt(low * high)
        low, high = (middle, high) if measure(middle) < target else (low, middle)
    return math.sqrt(low * high)


def _multiplied(scores, target, seed):
    # with scores * T the entropy falls as T grows: bisect on 1 / T to keep the search the same
    return 1 / _bisect(lambda t: _sampled_entropy(scores, 1 / t, seed, multiply=True), target)


def _exact_walk(scores, target, seed):
    """Right, without sampling: carry the distribution of the previous character along the 40 steps."""
    def measure(temperature):
        probs = torch.softmax(scores.double() / temperature, -1)
        where, total = torch.zeros(len(scores), dtype=torch.float64), 0.0
        where[NEWLINE] = 1
        for _ in range(40):
            total += float(where @ _entropy_bits(probs))
            where = where @ probs
        return total / 40
    return np.float64(_bisect(measure, target, steps=40))


def _grid_then_closest(scores, target, seed):
    """Right, by a sweep: the temperature on a grid whose sampled lines come closest to the target."""
    grid = torch.arange(0.40, 1.00, 0.01)
    measured = torch.tensor([_sampled_entropy(scores, t.item(), seed + 1) for t in grid])
    return grid[(measured - target).abs().argmin()]


WRONG = [
    (checks.check_tbptt_fix, _window_loop(detach=None, zero_grad=None), "detach both h and c"),
    (checks.check_tbptt_fix, _window_loop(detach="h only"), "detach both h and c"),
    (checks.check_tbptt_fix, _window_loop(detach="clone"), "clone() keeps the graph"),
    (checks.check_tbptt_fix, _window_loop(detach=None, retain_graph=True), "retain_graph=True keeps the old graph"),
    (checks.check_tbptt_fix, _window_loop(zero_grad=None), "without optimiser.zero_grad()"),
    (checks.check_tbptt_fix, _window_loop(carry=False), "zero state"),
    (checks.check_tbptt_fix, _window_loop(carry=False, zero_grad=None), "two things"),
    (checks.check_tbptt_fix, _window_loop(zero_grad="after"), "never changes"),
    (checks.check_tbptt_fix, lambda model, streams, window, lr: "done", "list of every window's loss"),
    (checks.check_temperature_for_entropy, _multiplied, "multiplied the scores by the temperature"),
    (checks.check_temperature_for_entropy,
     lambda scores, target, seed: _bisect(lambda t: _sampled_entropy(scores, t, seed, log=torch.log), target),
     "nats"),
    (checks.check_temperature_for_entropy,
     lambda scores, target, seed: _bisect(lambda t: _entropy_bits(torch.softmax(scores / t, -1)).mean(), target),
     "over every character of the vocabulary"),
    (checks.check_temperature_for_entropy, lambda scores, target, seed: target, "the target entropy itself"),
    (checks.check_temperature_for_entropy, lambda scores, target, seed: 1.0, "leaves the model as it is"),
    (checks.check_temperature_for_entropy, lambda scores, target, seed: 1.3, "lower the temperature"),
    (checks.check_temperature_for_entropy, lambda scores, target, seed: 0.3, "raise the temperature"),
    (checks.check_temperature_for_entropy, lambda scores, target, seed: -0.6, "above 0"),
]

RIGHT = [
    (checks.check_tbptt_fix, _detach_at_the_top),
    (checks.check_tbptt_fix, _updates_by_hand),
    (checks.check_temperature_for_entropy, _exact_walk),
    (checks.check_temperature_for_entropy, _grid_then_closest),
]

# Bad input for test_bad_inputs.py (same shape as its CHECKER_CASES): feedback, never a traceback.
BAD = [
    (checks.check_tbptt_fix, (lambda model, streams, window, lr: "done",), "list of every window's loss"),
    (checks.check_temperature_for_entropy, (lambda scores, target, seed: "warm",), "return the temperature"),
]
