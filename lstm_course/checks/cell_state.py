"""Checkers for exercises/02_cell_state.ipynb: the gradient factor along the belt and the forget-gate bias."""

import math

import torch
from torch import nn

from .feedback import Feedback, _call, _close, _fail, _number, _tensor, checker

__all__ = ["check_belt_factor", "check_forget_bias_for", "check_set_forget_bias"]


@checker
def check_belt_factor(fn):
    """Chapter 2: fn(forget_gates) with forget_gates of shape (time, hidden) must return the per-unit product."""
    torch.manual_seed(0)
    f = torch.rand(12, 5, dtype=torch.float64) * 0.5 + 0.5
    answer, bad = _call(fn, f.clone())
    if bad:
        return bad
    out, tol = _tensor(answer, f)
    if out is None:
        return _fail(f"return a tensor (or array) of numbers, got {type(answer).__name__}")
    if out.shape != (5,):
        hint = " (you reduced over the wrong dimension: time is dim 0)" if out.shape == (12,) else ""
        return _fail(f"expected one factor per unit, shape (5,), got {tuple(out.shape)}{hint}")
    right = f.prod(dim=0)
    if _close(out, right, tol):
        return Feedback(True, "the gradient along the belt is the product of the forget gates over time, unit by unit.")
    if _close(out, f.sum(dim=0), tol):
        return _fail("you added the forget gates; along the belt each step multiplies the gradient by f_t")
    if _close(out, f.mean(dim=0), tol):
        return _fail("you averaged the forget gates; the per-step factors multiply")
    if _close(out, f[-1], tol) or _close(out, f[0], tol):
        return _fail("you used one step's forget gate; every step on the way contributes a factor")
    return _fail("expected the product over time of the forget gates, for each unit")


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
            return _fail(f"layer {layer}: bias_ih + bias_hh for the forget gate should be 2.0, "
                         f"got {total[H:2 * H].tolist()}")
        others = torch.cat([total[:H], total[2 * H:]])
        before_others = torch.cat([(before[f"bias_ih_l{layer}"] + before[f"bias_hh_l{layer}"])[:H],
                                   (before[f"bias_ih_l{layer}"] + before[f"bias_hh_l{layer}"])[2 * H:]])
        if not torch.allclose(others, before_others):
            return _fail("you changed the other gates' biases too; "
                         "only rows hidden_size to 2 * hidden_size belong to f")
    return Feedback(True, "every layer's forget gate now starts at sigmoid(2.0) ≈ 0.88, the other gates untouched.")
