"""Checkers for exercises/08_sequence_to_sequence.ipynb: teacher forcing's inputs, attention weights, a beam step."""

import math

import torch

from .feedback import Feedback, _call, _close, _fail, _ids, _tensor, checker

__all__ = ["check_teacher_forcing_inputs", "check_attention_weights", "check_beam_step"]


@checker
def check_teacher_forcing_inputs(fn):
    """Chapter 8: fn(target, bos) with target ids (batch, T) must return the decoder's inputs under teacher
    forcing: bos, then the target shifted right by one, shape (batch, T)."""
    target = torch.tensor([[5, 3, 9, 2], [7, 2, 0, 0]])
    bos = 1
    answer, bad = _call(fn, target.clone(), bos)
    if bad:
        return bad
    out = _ids(answer)
    if out is None:
        return _fail(f"return a tensor of token ids, got {type(answer).__name__}")
    right = torch.cat([torch.full((2, 1), bos), target[:, :-1]], dim=1)
    if out.shape == right.shape and torch.equal(out, right):
        return Feedback(True, "<bos>, then the true target shifted right: "
                              "at step t the decoder has seen tokens 0 … t-1.")
    if out.shape == target.shape and torch.equal(out, target):
        return _fail("those are the targets themselves: the decoder would be given the very token it must predict. "
                     "Shift them right by one and start with bos")
    if out.shape == (2, 5) and torch.equal(out, torch.cat([torch.full((2, 1), bos), target], dim=1)):
        return _fail("one step too long: the decoder's inputs have the targets' length T, "
                     "so drop the last target token")
    if out.shape == target.shape and torch.equal(out[:, :-1], target[:, 1:]):
        return _fail("shifted the wrong way: the input at step t is the target of step t - 1, not t + 1")
    if out.shape == target.shape and torch.equal(out[:, 1:], target[:, :-1]):
        return _fail("the shift is right, but the first input must be the bos token")
    if out.shape != right.shape:
        return _fail(f"expected shape (batch, T) = {tuple(right.shape)}, got {tuple(out.shape)}")
    return _fail(f"expected {right.tolist()}, got {out.tolist()}")


def _attention_reference(queries, keys, mask):
    scores = queries @ keys.transpose(1, 2)
    return scores.masked_fill(~mask[:, None, :], float("-inf")).softmax(dim=-1), scores


@checker
def check_attention_weights(fn):
    """Chapter 8: fn(queries, keys, mask) with queries (B, T, H), keys (B, S, H) and a bool mask (B, S) of real
    source positions must return dot-product attention weights (B, T, S): softmax over S, padding weight 0."""
    torch.manual_seed(0)
    queries, keys = torch.randn(2, 3, 4), torch.randn(2, 5, 4)
    mask = torch.tensor([[True] * 5, [True, True, True, False, False]])
    right, scores = _attention_reference(queries, keys, mask)
    answer, bad = _call(fn, queries.clone(), keys.clone(), mask.clone())
    if bad:
        return bad
    out, tol = _tensor(answer, right)
    if out is None:
        return _fail(f"return a tensor of weights, got {type(answer).__name__}")
    if out.shape != right.shape:
        return _fail(f"expected weights of shape (batch, T, S) = {tuple(right.shape)}, got {tuple(out.shape)}")
    if _close(out, right, tol):
        return Feedback(True, "softmax over the source of the dot products, with padding at weight 0: "
                              "each row sums to 1.")
    if _close(out, scores.softmax(-1), tol):
        return _fail("the padded source positions got weight: set their scores to -inf before the softmax")
    if _close(out, scores.masked_fill(~mask[:, None, :], 0.0).softmax(-1), tol):
        return _fail("a masked score of 0 still gets weight after the softmax (e^0 = 1): fill with -inf instead")
    if _close(out, scores.softmax(-1) * mask[:, None, :], tol):
        return _fail("zeroing the padding after the softmax leaves rows that no longer sum to 1: "
                     "mask the scores before")
    wrong_dimension = scores.masked_fill(~mask[:, None, :], float("-inf")).softmax(dim=1)
    if _close(out.nan_to_num(-1.0), wrong_dimension.nan_to_num(-1.0), tol):
        return _fail("the softmax runs over the wrong dimension: each decoder step's weights must sum to 1 over the "
                     "source positions (the last dimension)")
    scaled = (scores / math.sqrt(queries.shape[-1])).masked_fill(~mask[:, None, :], float("-inf")).softmax(-1)
    if _close(out, scaled, tol):
        return _fail("you divided the scores by sqrt(H): that is the Transformer's scaled version; this task asks for "
                     "plain dot products")
    if torch.isclose(out.sum(-1), torch.ones(2, 3), atol=1e-4).all():
        return _fail("the weights sum to 1 but are not softmax(queries · keys): score each source position by the "
                     "dot product of the query with its key")
    return _fail("expected softmax(queries @ keys.transpose(1, 2)) over the source positions, with padding masked "
                 "to -inf first; your rows do not sum to 1")


@checker
def check_beam_step(fn):
    """Chapter 8: fn(scores, log_probs, width) with beam scores (K,) and next-token log-probabilities (K, V) must
    return (new scores, beam indices, tokens), each of length width, best first: the width best of all K × V
    extensions, scored by beam score + log-probability."""
    scores = torch.tensor([-0.5, -5.0, -1.0])
    log_probs = torch.tensor([[-3.0, -0.2, -2.5, -0.6],
                              [-0.05, -4.0, -3.1, -6.0],
                              [-0.4, -1.3, -5.0, -0.7]]).log_softmax(-1)
    width = 3
    answer, bad = _call(fn, scores.clone(), log_probs.clone(), width)
    if bad:
        return bad
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return _fail(f"return three things, (new scores, beam indices, tokens); got {type(answer).__name__}")
    new_scores, tol = _tensor(answer[0], scores)
    beams, tokens = _ids(answer[1]), _ids(answer[2])
    if new_scores is None or beams is None or tokens is None:
        return _fail("the scores must be numbers and the beam indices and tokens whole numbers")
    if not (new_scores.shape == beams.shape == tokens.shape == (width,)):
        return _fail(f"each of the three must have length width = {width}, got "
                     f"{tuple(new_scores.shape)}, {tuple(beams.shape)}, {tuple(tokens.shape)}")
    K, V = log_probs.shape
    # flat K × V index -> (beam, token)
    as_pairs = lambda flat_indices: [(int(i) // V, int(i) % V) for i in flat_indices]
    total = scores[:, None] + log_probs
    top = total.flatten().topk(width)
    right = as_pairs(top.indices)
    chosen = [(int(b), int(t)) for b, t in zip(beams, tokens)]
    if chosen == right and _close(new_scores, top.values, tol):
        return Feedback(True, "the best extensions of all beams together, "
                              "each scored by its beam's log-probability plus its own.")
    if sorted(chosen) == sorted(right):
        if not _close(new_scores.sort(descending=True).values, top.values, tol):
            return _fail("the right extensions, but their scores are not beam score + log-probability")
        return _fail("the right extensions, in the wrong order: return them best first")
    if chosen == as_pairs(log_probs.flatten().topk(width).indices):
        return _fail("you ranked by the new token's log-probability alone: add each beam's score, since a sequence's "
                     "log-probability is the sum over all its tokens")
    per_beam = total.max(dim=1)
    if sorted(chosen) == sorted((b, int(per_beam.indices[b])) for b in range(K)):
        return _fail("you kept each beam's best continuation; compare all beams × tokens together and keep the best "
                     "width, even if several come from one beam")
    swapped = [(int(i) % K, int(i) // K) for i in total.T.flatten().topk(width).indices]
    if chosen == swapped or chosen == [(t, b) for b, t in right]:
        return _fail("beam and token are mixed up: in the flattened (K × V) scores, index // V is the beam and "
                     "index % V the token")
    if chosen == as_pairs((scores.exp()[:, None] + log_probs.exp()).flatten().topk(width).indices):
        return _fail("you added probabilities; probabilities multiply, so log-probabilities add: "
                     "score = beam score + log-probability")
    return _fail(f"expected (beam, token) pairs {right}, got {chosen}")
