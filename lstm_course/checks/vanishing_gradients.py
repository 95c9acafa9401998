"""Checkers for exercises/01_vanishing_gradients.ipynb: steps until a product vanishes, the recurrent scales whose
gradient neither vanishes nor explodes (an experiment, checked on its outcome), a clipped training loop to
debug."""

import copy
import math

import torch
from torch import nn

from .feedback import Feedback, _as_int, _call, _fail, _number, checker

__all__ = ["check_steps_below", "check_stable_scales", "check_clipped_training"]


@checker
def check_steps_below(answer, factor=0.9, threshold=1e-3):
    """Chapter 1: the fewest steps k with factor**k < threshold."""
    k, bad = _as_int(answer, "the number of steps")
    if bad:
        return bad
    right = math.floor(math.log(threshold) / math.log(factor)) + 1
    if k == right:
        return Feedback(True, f"{factor}^{k} = {factor ** k:.2e} < {threshold}, "
                              f"and {factor}^{k - 1} = {factor ** (k - 1):.2e} is not.")
    if k == right - 1:
        return _fail(f"off by one: {factor}^{k} = {factor ** k:.2e} is not yet below {threshold}.")
    if k == right + 1:
        return _fail(f"off by one: {factor}^{k - 1} = {factor ** (k - 1):.2e} is already below {threshold}.")
    if k == round(threshold / (1 - factor)) or k == round((1 - threshold) / (1 - factor)):
        return _fail("the factors multiply, they do not subtract: solve factor**k < threshold with logarithms.")
    return _fail(f"{factor}^{k} = {factor ** k:.2e}. Solve factor**k < threshold: k > log(threshold) / log(factor).")


# --- the experiment: where a tanh RNN's gradient neither vanishes nor explodes ---------------------------------
# The same set-up as the exercise notebook's rnn_cell and random_inputs (chapter 1, scaled down to 51 steps).

_INPUT, _HIDDEN, _STEPS, _BATCH = 8, 32, 51, 16
STABLE_SCALES = [round(0.8 + 0.1 * n, 1) for n in range(13)]


def _rnn_cell(scale, seed):
    torch.manual_seed(seed)
    cell = nn.RNNCell(_INPUT, _HIDDEN, dtype=torch.float64)
    with torch.no_grad():
        q, _ = torch.linalg.qr(torch.randn(_HIDDEN, _HIDDEN, dtype=torch.float64))
        cell.weight_hh.copy_(scale * q)
    return cell


def _random_inputs(seed):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(_STEPS, _BATCH, _INPUT, dtype=torch.float64, generator=generator)


def _gradient_ratios(scale, seed):
    """(||dL/dh_1|| / ||dL/dh_50||, ||dL/dh_1|| / ||dL/dh_51||) for L = ||h_51||^2: the gradient 50 steps back
    relative to 1 step back, and (a mistake) relative to the last state itself."""
    with torch.random.fork_rng():
        cell, x = _rnn_cell(scale, seed), _random_inputs(seed)
    h, states = torch.zeros(_BATCH, _HIDDEN, dtype=torch.float64), []
    for x_t in x:
        h = cell(x_t, h)
        h.retain_grad()
        states.append(h)
    h.pow(2).sum().backward()
    first = states[0].grad.norm()
    return (first / states[-2].grad.norm()).item(), (first / states[-1].grad.norm()).item()


def _scales_list(answer):
    """The learner's scales as a sorted list of floats rounded to the grid, or None."""
    if isinstance(answer, (dict, str)) or answer is None:
        return None
    if torch.is_tensor(answer):
        answer = answer.detach().flatten().tolist()
    try:
        values = [_number(v) for v in answer]
    except TypeError:
        return None
    if any(v is None for v in values):
        return None
    return sorted({round(v, 1) for v in values})


@checker
def check_stable_scales(fn, seed=0):
    """Chapter 1 (experiment): fn(scales, seeds) returns the scales at which, for every seed, the gradient 50 steps
    back is between 0.1 and 10 times the gradient 1 step back. Checked by re-measuring every scale here."""
    seeds = [seed, seed + 1, seed + 2]
    answer, bad = _call(fn, list(STABLE_SCALES), list(seeds))
    if bad:
        return bad
    if isinstance(answer, dict):
        return _fail("you returned a dict; return a list of the scales that stay within a factor of 10, "
                     "not the ratios you measured")
    chosen = _scales_list(answer)
    if chosen is None:
        return _fail(f"return a list of scales (numbers taken from `scales`), got {type(answer).__name__}")
    if any(min(abs(c - s) for s in STABLE_SCALES) > 1e-9 for c in chosen):
        return _fail(f"return scales from the list you were given ({STABLE_SCALES[0]} to {STABLE_SCALES[-1]}); "
                     f"you returned {chosen}")
    table = {s: [_gradient_ratios(s, sd) for sd in seeds] for s in STABLE_SCALES}
    ratio = {s: [r for r, _ in rows] for s, rows in table.items()}
    to_last = {s: [r for _, r in rows] for s, rows in table.items()}

    def window(ratios, keep=all):
        return [s for s in STABLE_SCALES if keep(0.1 <= r <= 10 for r in ratios[s])]

    right = window(ratio)
    shown = ", ".join(f"{s:g}" for s in right)
    if chosen == right:
        low, high = ratio[right[0]], ratio[right[-1]]
        below, above = right[0] - 0.1, right[-1] + 0.1
        return Feedback(True, f"scales {shown}: a window of {len(right)} grid points. Just below it, at "
                              f"{below:.1f}, the gradient 50 steps back falls to {min(ratio[round(below, 1)]):.2g} of "
                              f"the one 1 step back (vanishing); just above, at {above:.1f}, it reaches "
                              f"{max(ratio[round(above, 1)]):.0f} times it (exploding). Inside, it ranges "
                              f"from {min(low):.2f} to {max(high):.1f}: a narrow balance, not a safe setting.")
    if right and chosen == [right[0]]:
        return _fail(f"you returned only the smallest stable scale; return every scale whose ratio stays between "
                     f"0.1 and 10 in every seed ({len(right)} of them here)")
    if chosen == window(to_last) and chosen != right:
        return _fail("you divided by the gradient at the last state h_T. 'One step back' is the state before it, "
                     "h_(T-1): the loss is computed from h_T, so its own gradient is not a step back")
    if chosen == window(ratio, any) and chosen != right:
        return _fail("a scale counts only if the ratio stays between 0.1 and 10 in every seed; you kept scales "
                     "where one seed was enough")
    for s in chosen:
        if s not in right:
            worst = min(ratio[s]) if max(ratio[s]) <= 10 else max(ratio[s])
            kind = "vanishes" if worst < 0.1 else "explodes"
            hint = (" You tested only one side: check that the ratio is at most 10 as well"
                    if kind == "explodes" and all(r >= 0.1 for r in ratio[s]) else "")
            return _fail(f"at scale {s:g} the gradient {kind}: 50 steps back it is {worst:.2g} times the gradient "
                         f"one step back in seed {seeds[ratio[s].index(worst)]}, outside 0.1 to 10.{hint}")
    missing = [s for s in right if s not in chosen]
    s = missing[0]
    return _fail(f"scale {s:g} is missing: 50 steps back the gradient is {min(ratio[s]):.2g} to "
                 f"{max(ratio[s]):.2g} times the gradient one step back in seeds {seeds}, within 0.1 to 10. "
                 "Measure ||dL/dh_1|| / ||dL/dh_50|| for L = ||h_51||^2 (sum of squares)")


# --- the debugging task: a training loop with clipping in the wrong place and no zero_grad ------------------------

def _train_variant(cell, head, xs, target, steps, max_norm, zero_grad="before", clip="before_step"):
    """Train in place with SGD(lr=0.1); zero_grad in "before", "after_backward", "none"; clip in "before_step",
    "after_step", "none". Returns the losses."""
    params = list(cell.parameters()) + list(head.parameters())
    optimiser = torch.optim.SGD(params, lr=0.1)
    losses = []
    for _ in range(steps):
        h = xs.new_zeros(xs.shape[1], cell.hidden_size)
        for x_t in xs:
            h = cell(x_t, h)
        loss = nn.functional.mse_loss(head(h), target)
        if zero_grad == "before":
            optimiser.zero_grad()
        loss.backward()
        if zero_grad == "after_backward":
            optimiser.zero_grad()
        if clip == "before_step":
            nn.utils.clip_grad_norm_(params, max_norm)
        optimiser.step()
        if clip == "after_step":
            nn.utils.clip_grad_norm_(params, max_norm)
        losses.append(loss.item())
    return losses


def _exploding_setup():
    """A scale-3 tanh RNN cell (float64), a linear head, 20 steps of inputs for 8 sequences and a target."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        cell = nn.RNNCell(4, 16, dtype=torch.float64)
        head = nn.Linear(16, 1, dtype=torch.float64)
        with torch.no_grad():
            q, _ = torch.linalg.qr(torch.randn(16, 16, dtype=torch.float64))
            cell.weight_hh.copy_(3.0 * q)
        xs = torch.randn(20, 8, 4, dtype=torch.float64)
        target = torch.randn(8, 1, dtype=torch.float64)
    return cell, head, xs, target


def _parameters(cell, head):
    return torch.cat([p.detach().flatten() for p in list(cell.parameters()) + list(head.parameters())])


_LOOP_MISTAKES = {
    ("none", "after_step"): "nothing is fixed yet: the gradients still pile up from step to step (no zero_grad()) "
                            "and clip_grad_norm_ still runs after optimiser.step(), when the step has already used "
                            "the unclipped gradient",
    ("before", "after_step"): "zero_grad() is in place, but the step still uses the unclipped gradient: "
                              "clip_grad_norm_ after optimiser.step() clips a gradient that has already been used. "
                              "Clip between backward() and step()",
    ("none", "before_step"): "clipping is in the right place, but the gradients still add up across steps: call "
                             "optimiser.zero_grad() before loss.backward() in every step",
    ("none", "none"): "the gradients still add up across steps (no zero_grad() before backward()) and nothing "
                      "clips them before the step: clip between backward() and step()",
    ("after_backward", "before_step"): "the parameters never moved: zero_grad() between backward() and step() "
                                       "wipes the gradient before the step can use it. Reset it before backward()",
    ("after_backward", "after_step"): "the parameters never moved: zero_grad() between backward() and step() "
                                      "wipes the gradient before the step can use it. Reset it before backward()",
}


@checker
def check_clipped_training(fn):
    """Chapter 1 (debugging): fn(cell, head, xs, target, steps, max_norm) must train the exploding RNN in place
    with SGD(lr=0.1), resetting and clipping the gradients at every step, and return the loss of each step."""
    cell, head, xs, target = _exploding_setup()
    steps, max_norm = 5, 1.0
    learner_cell, learner_head = copy.deepcopy(cell), copy.deepcopy(head)
    losses, bad = _call(fn, learner_cell, learner_head, xs.clone(), target.clone(), steps, max_norm)
    if bad:
        return bad
    trained = _parameters(learner_cell, learner_head)

    def variant(zero_grad, clip):
        c, h = copy.deepcopy(cell), copy.deepcopy(head)
        variant_losses = _train_variant(c, h, xs, target, steps, max_norm, zero_grad, clip)
        return _parameters(c, h), variant_losses

    # Rounding differences between right loops (another loss formula, a hand-written update) grow to about 1e-9
    # in five steps; the usual bugs move the weights by 1e-2 or more.
    tolerance = {"rtol": 0.0, "atol": 1e-5}
    right, right_losses = variant("before", "before_step")
    if not torch.allclose(trained, right, **tolerance):
        if torch.equal(trained, _parameters(cell, head)):
            return _fail("the parameters never moved. Call optimiser.step() in every step, after backward() and "
                         "clipping, and reset the gradient before backward(), not between backward() and step()")
        for key, message in _LOOP_MISTAKES.items():
            if torch.allclose(trained, variant(*key)[0], **tolerance):
                return _fail(message)
        return _fail("after 5 steps your parameters differ from a correct loop's. Keep the buggy loop's set-up "
                     "(SGD with lr=0.1, the mse loss of head(h_T)) and change only where the gradients are reset "
                     "and clipped")
    if not isinstance(losses, (list, tuple)) or len(losses) != steps:
        return _fail(f"the training is right; now return the list of the {steps} losses, one per step")
    values = [_number(v) for v in losses]
    if any(v is None for v in values):
        return _fail("return the losses as numbers (loss.item()), one per step")
    if not all(math.isclose(v, r, rel_tol=1e-6) for v, r in zip(values, right_losses)):
        return _fail("the training is right, but the losses you returned are not each step's loss before its update")
    start = _parameters(cell, head)
    moved = (right - start).norm().item()
    unclipped = (variant("before", "none")[0] - start).norm().item()
    return Feedback(True, f"reset, backward, clip, step. In {steps} steps your parameters moved {moved:.2f} in all; "
                          f"without the clip the same loop throws them {unclipped:.0f} away (the loss need not show "
                          "it: saturated tanh units can land anywhere).")
