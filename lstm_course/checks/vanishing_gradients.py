"""Checkers for exercises/01_vanishing_gradients.ipynb: steps until a product vanishes, clipping by total norm."""

import math

import torch

from .feedback import Feedback, _as_int, _call, _close, _fail, _tensor, checker

__all__ = ["check_steps_below", "clip_reference", "check_clip_by_total_norm"]


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


def clip_reference(grads, max_norm):
    """Gradients scaled the way torch.nn.utils.clip_grad_norm_ scales them (one factor for all)."""
    if isinstance(grads, torch.Tensor) or not grads or not all(torch.is_tensor(g) for g in grads):
        raise TypeError("grads must be a non-empty list of tensors")
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float)) or not max_norm > 0:
        raise ValueError(f"max_norm must be a positive number, got {max_norm!r}")
    total = torch.sqrt(sum(g.pow(2).sum() for g in grads))
    factor = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    return [g * factor for g in grads]


@checker
def check_clip_by_total_norm(fn):
    """Chapter 1: fn(grads, max_norm) must return grads scaled like torch.nn.utils.clip_grad_norm_."""
    torch.manual_seed(0)
    cases = [([torch.randn(3, 4) * 10, torch.randn(5) * 10], 1.0),    # must shrink
             ([torch.randn(3, 4) * 1e-3, torch.randn(5) * 1e-3], 1.0)]  # must stay as is
    for originals, max_norm in cases:
        out, bad = _call(fn, [g.clone() for g in originals], max_norm)
        if bad:
            return bad
        converted = [_tensor(o, g) for o, g in zip(out, originals)] if isinstance(out, (list, tuple)) else []
        if len(converted) != len(originals) or any(t is None for t, _ in converted):
            return _fail("return a list of tensors, one per gradient, in the same order")
        out, tol = [t for t, _ in converted], converted[0][1]
        if any(o.shape != g.shape for o, g in zip(out, originals)):
            return _fail("each returned tensor must keep the shape of its gradient")
        if all(_close(o, r, tol) for o, r in zip(out, clip_reference(originals, max_norm))):
            continue
        total = torch.sqrt(sum(g.pow(2).sum() for g in originals))
        per_tensor = [g * min(1.0, max_norm / g.norm().item()) for g in originals]
        if all(_close(o, p, tol) for o, p in zip(out, per_tensor)):
            return _fail("you clipped each tensor by its own norm; clipping uses the norm of all gradients "
                         "together, so every tensor is scaled by the same factor")
        if total < max_norm and all(_close(o, g * max_norm / total, tol) for o, g in zip(out, originals)):
            return _fail("your function scaled a small gradient up to max_norm; clipping only ever shrinks "
                         "(factor min(1, max_norm / total_norm))")
        return _fail(f"for total norm {total:.3g} and max_norm {max_norm}, expected every gradient scaled by "
                     f"{min(1.0, max_norm / total.item()):.3g}")
    return Feedback(True, "your clipping matches torch.nn.utils.clip_grad_norm_, for large and small gradients.")
