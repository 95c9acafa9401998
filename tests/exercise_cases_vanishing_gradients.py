"""Exercise cases for exercises/01_vanishing_gradients.ipynb's newer tasks (collected by test_exercises.py):
typical wrong answers with the words their feedback must use, and right answers written unlike the solutions."""

import numpy as np
import torch
from torch import nn

from lstm_course import checks
from lstm_course.checks import vanishing_gradients

# the exercise's sizes, as its checker sets them up
INPUT, HIDDEN = vanishing_gradients._INPUT, vanishing_gradients._HIDDEN
STEPS, BATCH = vanishing_gradients._STEPS, vanishing_gradients._BATCH


def _rnn_cell(scale, seed):
    """The exercise notebook's rnn_cell: a float64 tanh cell, recurrent matrix scale times a random orthogonal one."""
    torch.manual_seed(seed)
    cell = nn.RNNCell(INPUT, HIDDEN, dtype=torch.float64)
    with torch.no_grad():
        q, _ = torch.linalg.qr(torch.randn(HIDDEN, HIDDEN, dtype=torch.float64))
        cell.weight_hh.copy_(scale * q)
    return cell


def _random_inputs(seed):
    return torch.randn(STEPS, BATCH, INPUT, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


def _ratios_by_grad(scale, seed):
    """||dL/dh_1|| / ||dL/dh_50|| with torch.autograd.grad instead of retain_grad."""
    cell, x = _rnn_cell(scale, seed), _random_inputs(seed)
    h, states = torch.zeros(BATCH, HIDDEN, dtype=torch.float64), []
    for x_t in x:
        h = cell(x_t, h)
        states.append(h)
    far, near = torch.autograd.grad(h.square().sum(), [states[0], states[-2]])
    return (far.norm() / near.norm()).item()


def _window_by_grad(scales, seeds):
    keep = [all(0.1 <= _ratios_by_grad(s, seed) <= 10 for seed in seeds) for s in scales]
    return np.array(scales)[keep]                                   # a numpy array, not a list


def _window_in_logs(scales, seeds):
    logs = torch.tensor([[np.log10(_ratios_by_grad(s, seed)) for seed in seeds] for s in scales])
    return torch.tensor(scales)[(logs.abs() <= 1).all(dim=1)]      # |log10 r| <= 1, as a tensor


def _not_vanishing(scales, seeds):
    """Tests only that the gradient does not vanish: every scale above the window passes too."""
    return [s for s in scales if all(_ratios_by_grad(s, seed) >= 0.1 for seed in seeds)]


def _smallest_stable(scales, seeds):
    return [next(s for s in scales if all(0.1 <= _ratios_by_grad(s, seed) <= 10 for seed in seeds))]


def _train(cell, head, xs, target, steps, max_norm, reset=True, clip_before_step=True, reset_after_backward=False):
    """The debugging task's loop with each fix switched on or off."""
    params = list(cell.parameters()) + list(head.parameters())
    optimiser = torch.optim.SGD(params, lr=0.1)
    losses = []
    for _ in range(steps):
        h = xs.new_zeros(xs.shape[1], cell.hidden_size)
        for x_t in xs:
            h = cell(x_t, h)
        loss = nn.functional.mse_loss(head(h), target)
        if reset:
            optimiser.zero_grad()
        loss.backward()
        if reset_after_backward:
            optimiser.zero_grad()
        if clip_before_step:
            nn.utils.clip_grad_norm_(params, max_norm)
        optimiser.step()
        if not clip_before_step:
            nn.utils.clip_grad_norm_(params, max_norm)
        losses.append(loss.item())
    return losses


def _as_given(*args):
    return _train(*args, reset=False, clip_before_step=False)


def _reset_only(*args):
    return _train(*args, clip_before_step=False)


def _clip_only(*args):
    return _train(*args, reset=False)


def _reset_between_backward_and_step(*args):
    return _train(*args, reset=False, reset_after_backward=True)


def _manual_sgd(cell, head, xs, target, steps, max_norm):
    """SGD written out: zero the grads by hand, clip, then p -= 0.1 * p.grad; losses as tensors."""
    params = [*cell.parameters(), *head.parameters()]
    losses = []
    for _ in range(steps):
        for p in params:
            p.grad = None
        h = torch.zeros(xs.shape[1], cell.hidden_size, dtype=xs.dtype)
        for x_t in xs:
            h = cell(x_t, h)
        loss = ((head(h) - target) ** 2).mean()
        loss.backward()
        nn.utils.clip_grad_norm_(params, max_norm)
        with torch.no_grad():
            for p in params:
                p -= 0.1 * p.grad
        losses.append(loss.detach())
    return losses


def _reset_after_step(cell, head, xs, target, steps, max_norm):
    """Resets the gradients at the end of each step instead of the start: the same updates."""
    params = list(cell.parameters()) + list(head.parameters())
    optimiser = torch.optim.SGD(params, lr=0.1)
    losses = []
    for _ in range(steps):
        h = xs.new_zeros(xs.shape[1], cell.hidden_size)
        for x_t in xs:
            h = cell(x_t, h)
        loss = nn.functional.mse_loss(head(h), target)
        loss.backward()
        nn.utils.clip_grad_norm_(params, max_norm)
        optimiser.step()
        optimiser.zero_grad()
        losses.append(float(loss.detach()))
    return tuple(losses)


WRONG = [
    (checks.check_stable_scales, _not_vanishing, "You tested only one side"),
    (checks.check_stable_scales, _smallest_stable, "only the smallest stable scale"),
    (checks.check_stable_scales, lambda scales, seeds: {s: 1.0 for s in scales}, "not the ratios"),
    (checks.check_stable_scales, lambda scales, seeds: [1.3, 1.4, 1.5, 2.5], "from the list you were given"),
    (checks.check_clipped_training, _as_given, "nothing is fixed yet"),
    (checks.check_clipped_training, _reset_only, "clips a gradient that has already been used"),
    (checks.check_clipped_training, _clip_only, "still add up across steps"),
    (checks.check_clipped_training, _reset_between_backward_and_step, "the parameters never moved"),
    (checks.check_clipped_training, lambda *args: _train(*args)[:-1], "return the list of the 5 losses"),
]

RIGHT = [
    (checks.check_stable_scales, _window_by_grad),
    (checks.check_stable_scales, _window_in_logs),
    (checks.check_clipped_training, _manual_sgd),
    (checks.check_clipped_training, _reset_after_step),
]

# Bad input for test_bad_inputs.py (same shape as its CHECKER_CASES): feedback, never a traceback.
BAD = [
    (checks.check_stable_scales, (None,), "expected a function"),
    (checks.check_stable_scales, (lambda s, sd: "1.3",), "return a list of scales"),
    (checks.check_clipped_training, ("loop",), "expected a function"),
]
