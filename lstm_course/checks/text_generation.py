"""Checkers for exercises/06_text_generation.ipynb: bits per character and the distribution sampling draws from."""

import torch

from .feedback import Feedback, _call, _close, _fail, _number, _tensor, checker

__all__ = ["check_bits_per_char", "check_sampling_distribution"]


@checker
def check_bits_per_char(fn):
    """Chapter 6: fn(probs) with probs[i] = P(actual i-th character) must return the average -log2 p."""
    probs = torch.tensor([0.5, 0.25, 0.125, 0.9, 0.01], dtype=torch.float64)
    answer, bad = _call(fn, probs.clone())
    if bad:
        return bad
    out = _number(answer)
    if out is None:
        return _fail(f"return one number (a float, or a one-element tensor or array), got {type(answer).__name__}")
    right = (-probs.log2()).mean().item()
    tol = 1e-5 * max(1.0, abs(right))
    if abs(out - right) <= tol:
        return Feedback(True, f"{right:.3f} bits per character: the mean of -log2 p.")
    if abs(out - (-probs.log()).mean().item()) <= tol:
        return _fail("that is nats (natural log); bits use log base 2: divide by ln 2 or use log2")
    if abs(out + right) <= tol:
        return _fail("sign error: log2 p is negative for p < 1, so bits = -log2 p")
    if abs(out - (-probs.log2()).sum().item()) <= tol:
        return _fail("that is the total over all characters; bits per character is the mean")
    return _fail(f"expected the mean of -log2 p = {right:.3f}, got {out:.4g}")


@checker
def check_sampling_distribution(fn):
    """Chapter 6: fn(scores, temperature, top_k) must return the probabilities sampling draws from:
    softmax(scores / temperature), restricted to the top_k scores and renormalised."""
    scores = torch.tensor([2.0, 1.0, 0.5, -1.0, 3.0])
    for temperature, top_k in ((1.0, 5), (0.5, 2), (2.0, 3)):
        answer, bad = _call(fn, scores.clone(), temperature, top_k)
        if bad:
            return bad
        out, tol = _tensor(answer, scores)
        if out is None or out.shape != scores.shape:
            return _fail(f"return a tensor of probabilities, one per score: shape {tuple(scores.shape)}")
        scaled = scores / temperature
        kth = torch.topk(scaled, top_k).values[-1]
        right = torch.softmax(scaled.masked_fill(scaled < kth, float("-inf")), -1)
        if _close(out, right, tol):
            continue
        if abs(out.sum().item() - 1) > 1e-4:
            return _fail(f"the probabilities sum to {out.sum().item():.3f}; after keeping the top k, renormalise")
        if _close(out, torch.softmax((scores * temperature).masked_fill(
                scores * temperature < (scores * temperature).topk(top_k).values[-1], float("-inf")), -1), tol):
            return _fail("you multiplied by the temperature; divide the scores by it (temperature < 1 sharpens)")
        if _close(out, torch.softmax(scaled, -1), tol):
            return _fail(f"with top_k={top_k} only the {top_k} highest scores may keep probability")
        return _fail(f"for temperature {temperature} and top_k {top_k} "
                     f"expected {[round(v, 3) for v in right.tolist()]}")
    return Feedback(True, "temperature divides the scores, top-k keeps the k largest, softmax renormalises.")
