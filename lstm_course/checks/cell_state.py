"""Checkers for exercises/02_cell_state.ipynb: the forget-gate bias for a gate value, setting it in every layer
(a buggy version to fix), and how far a forget bias lets an LSTM recall (an experiment, checked on its outcome)."""

import math

import torch
from torch import nn

from .feedback import Feedback, _call, _fail, _number, checker

__all__ = ["check_forget_bias_for", "check_set_forget_bias", "check_forget_bias_sweep"]


@checker
def check_forget_bias_for(fn):
    """Chapter 2: fn(f) must return the bias b with sigmoid(b) = f (for 0 < f < 1)."""
    for f in (0.5, 0.73, 0.95, 0.99):
        answer, bad = _call(fn, f)
        if bad:
            return bad
        out = _number(answer)
        if out is None:
            return _fail(f"return one number (a float, or a one-element tensor or array), got {type(answer).__name__}")
        right = math.log(f / (1 - f))
        tol = 1e-5 * max(1.0, abs(right))       # float32 arithmetic (torch.logit on a float32 tensor) is this close
        if abs(out - right) <= tol:
            continue
        if abs(out - f) <= tol:
            return _fail("you returned the gate value itself; the bias is the pre-activation, so invert the sigmoid")
        if abs(out + right) <= tol:
            return _fail("sign error: sigmoid(b) = f means b = log(f / (1 - f)), which is positive for f > 0.5")
        gate = 1 / (1 + math.exp(-out)) if out > -700 else 0.0
        return _fail(f"for f = {f}, sigmoid({out:.7g}) = {gate:.7g}, not {f}")
    return Feedback(True, "b = log(f / (1 - f)): forget bias 3 gives f ≈ 0.95, as used in chapter 2.")


@checker
def check_set_forget_bias(fn):
    """Chapter 2: fn(lstm, value) must set every layer's forget-gate bias so that the gate starts at sigmoid(value)."""
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2)
    before = {k: v.detach().clone() for k, v in lstm.state_dict().items()}
    _, bad = _call(fn, lstm, 2.0)
    if bad:
        return bad
    H = 4
    for layer in range(2):
        b_ih = getattr(lstm, f"bias_ih_l{layer}").detach()
        b_hh = getattr(lstm, f"bias_hh_l{layer}").detach()
        total = b_ih + b_hh
        if (torch.allclose(total[:H], torch.full((H,), 2.0))
                and not torch.allclose(total[H:2 * H], torch.full((H,), 2.0))):
            return _fail("you set the first quarter, which is the input gate: PyTorch's order is i, f, g, o, so the "
                         "forget gate is rows hidden_size to 2 * hidden_size")
        if torch.allclose(total[H:2 * H], torch.full((H,), 4.0)):
            return _fail("both bias_ih and bias_hh hold the value, so the gate sees twice it; "
                         "set one and zero the other")
        if not torch.allclose(total[H:2 * H], torch.full((H,), 2.0)):
            if layer == 1 and torch.allclose(getattr(lstm, "bias_ih_l1").detach(), before["bias_ih_l1"]):
                return _fail("layer 0 is right, but a 2-layer LSTM has biases bias_ih_l1, bias_hh_l1 too")
            start = before[f"bias_ih_l{layer}"] + before[f"bias_hh_l{layer}"]
            if torch.allclose(total[H:2 * H], start[H:2 * H]) and not torch.allclose(total[:H], start[:H]):
                return _fail(f"layer {layer}: the forget gate's biases are untouched and the input gate's changed: "
                             "rows 0 to hidden_size are the input gate. PyTorch's order is i, f, g, o, so the "
                             "forget gate is rows hidden_size to 2 * hidden_size")
            return _fail(f"layer {layer}: bias_ih + bias_hh for the forget gate should be 2.0, "
                         f"got {total[H:2 * H].tolist()}")
        others = torch.cat([total[:H], total[2 * H:]])
        before_others = torch.cat([(before[f"bias_ih_l{layer}"] + before[f"bias_hh_l{layer}"])[:H],
                                   (before[f"bias_ih_l{layer}"] + before[f"bias_hh_l{layer}"])[2 * H:]])
        if not torch.allclose(others, before_others):
            return _fail("you changed the other gates' biases too; "
                         "only rows hidden_size to 2 * hidden_size belong to f")
    return Feedback(True, "every layer's forget gate now starts at sigmoid(2.0) ≈ 0.88, the other gates untouched.")


SWEEP_BIASES = [0.0, 1.0, 2.0, 3.0, 4.0]
_SWEEP_DELAY = 40


def _sweep_accuracies(answer, biases):
    """{bias: accuracy} from a dict keyed by the biases or a sequence in their order; (None, message) if neither."""
    if isinstance(answer, dict):
        found = {}
        for key, value in answer.items():
            number = _number(key)
            if number is None:
                return None, f"key the dict by the biases themselves (numbers), got the key {key!r}"
            found[round(number, 6)] = value
        if sorted(found) != biases:
            return None, f"return one accuracy for each bias in {biases}, got the keys {sorted(found)}"
        values = [found[b] for b in biases]
    elif isinstance(answer, (list, tuple)) or torch.is_tensor(answer):
        values = answer.tolist() if torch.is_tensor(answer) else list(answer)
        if len(values) != len(biases):
            return None, f"return one accuracy for each of the {len(biases)} biases, got {len(values)} values"
    else:
        return None, f"return a dict {{bias: held-out accuracy}}, got {type(answer).__name__}"
    numbers = [_number(v) for v in values]
    if any(v is None or math.isnan(v) for v in numbers):
        return None, "each accuracy must be one number (the share of held-out sequences recalled right)"
    return dict(zip(biases, numbers)), None


@checker
def check_forget_bias_sweep(fn, seed=0):
    """Chapter 2 (experiment): fn(biases, seed) trains a small LSTM on delayed recall over 40 steps once per
    starting forget bias and returns {bias: held-out accuracy}. Checked on the outcome, with margins that held in
    20 seeds: bias 0 stays near chance, biases 3 and 4 solve the delay."""
    answer, bad = _call(fn, list(SWEEP_BIASES), seed)
    if bad:
        return bad
    acc, problem = _sweep_accuracies(answer, SWEEP_BIASES)
    if problem:
        return _fail(problem)
    shown = ", ".join(f"bias {b:g}: {a:.2f}" for b, a in acc.items())
    values = list(acc.values())
    if max(values) > 1:
        if max(values) <= 100 and min(values) >= 0:
            return _fail(f"{shown}: these look like percentages; return the share recalled right, between 0 and 1")
        return _fail(f"{shown}: an accuracy lies between 0 and 1")
    if min(values) < 0:
        return _fail(f"{shown}: an accuracy lies between 0 and 1")
    if acc[0.0] > acc[4.0] + 0.3:
        return _fail(f"{shown}: highest where the model learned least. These look like losses (ln 2 = 0.69 is a "
                     "guess's loss); return the share of held-out sequences whose sign of the logit matches the bit")
    if acc[0.0] >= 0.75:
        return _fail(f"{shown}: bias 0 solved delay {_SWEEP_DELAY}, which its belt cannot carry (forget gates near "
                     f"0.5 shrink the gradient like 0.5^{_SWEEP_DELAY}, about 1e-12). Does the head read the output "
                     "at the last step, output[:, -1]? output[:, 0] sees the bit itself. And is the delay 40?")
    if max(values) < 0.75:
        return _fail(f"{shown}: no bias solved the delay. Check that the bias goes into the forget gate's rows "
                     "(hidden_size to 2 * hidden_size, in bias_ih_l0, with bias_hh_l0 at 0 there), that each run "
                     "trains a fresh model for up to 200 steps (Adam, lr 0.01, 64 sequences a step), and that the "
                     "accuracy compares (logit > 0) with the bits, which are 0 or 1")
    if min(acc[3.0], acc[4.0]) < 0.95:
        return _fail(f"{shown}: biases 3 and 4 solved delay {_SWEEP_DELAY} within 100 steps in each of 20 seeds we "
                     "tried. Train each run up to 200 steps and stop early only after 10 perfect batches in a row; "
                     "score 500 fresh held-out sequences")
    smallest = min(b for b, a in acc.items() if a >= 0.95)
    gate = 1 / (1 + math.exp(-smallest))
    return Feedback(True, f"{shown}. The smallest bias that solved delay {_SWEEP_DELAY} here is {smallest:g}: "
                          f"forget gates near {gate:.2f}, so along the belt the gradient over {_SWEEP_DELAY} steps "
                          f"starts near {gate:.2f}^{_SWEEP_DELAY} = {gate ** _SWEEP_DELAY:.0e}. In 20 seeds we tried, "
                          "bias 2 solved it in 18 and bias 1 in one: where the edge lies depends on the seed; bias "
                          "0 failing and biases 3 and 4 succeeding does not.")
