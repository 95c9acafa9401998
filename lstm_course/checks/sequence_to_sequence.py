"""Checkers for exercises/08_sequence_to_sequence.ipynb: a sequence loss that counted the padding (debugging), how
wide a beam must be (experiment)."""

import math

import torch
from torch import nn

from .feedback import Feedback, _call, _fail, _number, checker

__all__ = ["check_sequence_loss", "check_beam_widths"]


_PAD, _EOS = 0, 2


def _loss_batch():
    """Scores (B, T, V) that require grad and targets (B, T) of three lengths, each ending in <eos> (2), then <pad> (0)."""
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 6, 7, generator=generator).requires_grad_()
    target = torch.tensor([[5, 3, 6, 4, 3, _EOS],
                           [4, 6, _EOS, _PAD, _PAD, _PAD],
                           [3, _EOS, _PAD, _PAD, _PAD, _PAD]])
    return logits, target


def _token_losses(logits, target):
    return nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten(), reduction="none").view(target.shape)


def _sequence_loss_mistake(value, logits, target):
    """Name the usual wrong sequence losses that give `value` on this batch, or None."""
    every = _token_losses(logits, target).detach()
    real = (target != _PAD).double()
    not_eos = real * (target != _EOS)
    wrong = {
        "the padding positions count: every <pad> after <eos> adds a term, so the model is rewarded for writing "
        "<pad> and the loss depends on how long the longest target in the batch is. Leave them out "
        "(ignore_index=PAD, or a mask)": every.mean(),
        "you zeroed the padding's terms but still divide by every position, pads included: the loss still shrinks "
        "as padding grows. Divide by the number of real tokens": (every * real).sum() / every.numel(),
        "you averaged each target first and then the targets, so a short target's tokens weigh more; average over "
        "all real tokens of the batch (what ignore_index does)": ((every * real).sum(1) / real.sum(1)).mean(),
        "you left out <eos> (id 2) as well as the padding: the decoder must learn to stop, so <eos> is a real "
        "target. Leave out only <pad> (id 0)": (every * not_eos).sum() / not_eos.sum(),
        "you summed the real tokens' losses; take their mean, so that the loss (and the step size) does not grow "
        "with the batch or the targets' length": (every * real).sum(),
    }
    for message, loss in wrong.items():
        if math.isclose(value, float(loss), rel_tol=1e-4, abs_tol=1e-6):
            return message
    return None


@checker
def check_sequence_loss(fn):
    """Chapter 8: fn(logits, target) with scores (B, T, V) and target ids (B, T), padded with PAD = 0 after <eos> = 2,
    must return the mean cross-entropy over the real target tokens only, as a tensor that backpropagates: no
    gradient reaches a padding position, and adding padding leaves the loss as it was."""
    logits, target = _loss_batch()
    answer, bad = _call(fn, logits, target.clone())
    if bad:
        return bad
    value = _number(answer)
    if value is None:
        return _fail(f"return the loss as one number (a 0-dimensional tensor), got {type(answer).__name__}"
                     + (f" of shape {tuple(answer.shape)}: average the token losses" if torch.is_tensor(answer) else ""))
    right = nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten(), ignore_index=_PAD)
    if not math.isclose(value, right.item(), rel_tol=1e-4, abs_tol=1e-6):
        mistake = _sequence_loss_mistake(value, logits, target)
        return _fail(mistake or f"expected the mean cross-entropy over the {int((target != _PAD).sum())} real "
                                f"target tokens, {right.item():.4f}; got {value:.4f}")
    if not torch.is_tensor(answer) or answer.grad_fn is None:
        return _fail("the value is right, but it is cut off from the graph (.item(), float() or .detach()): return "
                     "the loss tensor itself, so that loss.backward() reaches the model")
    answer.reshape(()).backward()
    grad = logits.grad
    reference = torch.autograd.grad(right, logits)[0]
    if grad[target == _PAD].abs().max() > 0:
        return _fail("the value is right, but gradient still reaches the padding positions' scores: leave the pads "
                     "out of the computation, not just out of the value")
    if not torch.allclose(grad, reference, rtol=1e-4, atol=1e-7):
        return _fail("the value is right, but its gradient differs from the cross-entropy's over the real tokens")
    longer_logits = torch.cat([logits.detach(), torch.randn(3, 4, 7, generator=torch.Generator().manual_seed(1))], 1)
    longer, bad = _call(fn, longer_logits, nn.functional.pad(target, (0, 4), value=_PAD))
    if bad:
        return bad
    if _number(longer) is None or not math.isclose(_number(longer), value, rel_tol=1e-5, abs_tol=1e-7):
        return _fail("with four more columns of padding (and any scores there) your loss changed: it must not "
                     "depend on how much padding the batch has")
    return Feedback(True, f"{right.item():.4f}, the mean over the {int((target != _PAD).sum())} real tokens, "
                          "<eos> included: padding changes neither the value nor the gradient.")


class _TinyDecoder(nn.Module):
    """An untrained decoder over a tiny vocabulary: decoder(prefixes) with prefixes (n, t) of token ids returns the
    log-probabilities (n, vocabulary) of the next token after each prefix."""

    def __init__(self, seed, vocabulary=4, hidden=16, sharpness=2.0):
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.embed = nn.Embedding(vocabulary + 1, 8)  # the last id is <bos>
            self.lstm = nn.LSTM(8, hidden, batch_first=True)
            self.out = nn.Linear(hidden, vocabulary)
        self.vocabulary, self.sharpness = vocabulary, sharpness

    @torch.no_grad()
    def forward(self, prefixes):
        prefixes = torch.as_tensor(prefixes, dtype=torch.long).reshape(len(prefixes), -1)
        start = torch.full((len(prefixes), 1), self.vocabulary)
        h = self.lstm(self.embed(torch.cat([start, prefixes], dim=1)))[0][:, -1]
        return (self.sharpness * self.out(h)).log_softmax(-1)


def _best_found(decoder, width, length, rank="total"):
    """The total log-probability of the best output of exactly `length` tokens that a beam of `width` keeps (with
    rank="last", the usual mistake of ranking partial outputs by their last token alone)."""
    V = decoder.vocabulary
    prefixes, scores = torch.zeros(1, 0, dtype=torch.long), torch.zeros(1)
    for _ in range(length):
        step = decoder(prefixes)
        total = scores[:, None] + step
        top = (total if rank == "total" else step).flatten().topk(min(width, total.numel())).indices
        beams, tokens = top // V, top % V
        prefixes = torch.cat([prefixes[beams], tokens[:, None]], dim=1)
        scores = total[beams, tokens]
    return scores.max().item()


def _width_fractions(decoders, length, widths, **mistake):
    best = [_best_found(d, d.vocabulary ** length, length) for d in decoders]
    return {w: sum(_best_found(d, w, length, **mistake) >= b - 1e-4 for d, b in zip(decoders, best)) / len(decoders)
            for w in widths}


@checker
def check_beam_widths(fn):
    """Chapter 8: fn(decoders, length, widths) must return {width: fraction}: for each beam width, the fraction of
    the decoders for which beam search finds the most probable output of exactly `length` tokens (its total
    log-probability within 1e-4 of the best of all vocabulary ** length outputs). Checked against a re-measurement
    on the checker's own decoders."""
    decoders = [_TinyDecoder(seed) for seed in range(100, 116)]
    length, widths = 5, [1, 2, 3, 8]
    answer, bad = _call(fn, decoders, length, list(widths))
    if bad:
        return bad
    if not isinstance(answer, dict):
        return _fail(f"return a dict {{width: fraction of decoders}}, got {type(answer).__name__}")
    try:
        answer = {int(k): v for k, v in answer.items()}  # keys written as "1" or 1.0 are fine
    except (TypeError, ValueError):
        return _fail(f"key the fractions by width, {widths}; your keys are {list(answer)}")
    if set(answer) != set(widths):
        return _fail(f"return one fraction for each width asked for, {widths}; your keys are {sorted(answer, key=str)}")
    got = {w: _number(answer[w]) for w in widths}
    if any(v is None for v in got.values()):
        return _fail("each width's fraction must be one number")
    right = _width_fractions(decoders, length, widths)
    close = lambda a, b: all(abs(a[w] - b[w]) < 1e-6 for w in widths)
    if close(got, right):
        shares = ", ".join(f"width {w}: {right[w]:.0%}" for w in widths)
        return Feedback(True, f"On {len(decoders)} decoders the beam found the most probable output for {shares}. "
                              "Greedy decoding misses it often; a wider beam misses it less, and only a beam as wide "
                              "as all outputs is sure to find it.")
    n = len(decoders)
    if any(v > 1 for v in got.values()) and close({w: v / n for w, v in got.items()}, right):
        return _fail(f"these are counts of decoders; return fractions (divide by the {n} decoders)")
    if close({w: 1 - v for w, v in got.items()}, right):
        return _fail("you returned how often each beam missed the most probable output: return how often it found it")
    if abs(got[1] - 1.0) < 1e-6 and right[1] < 1:
        return _fail("width 1 found the best output for every decoder: you compared each beam with greedy decoding, "
                     "not with the most probable output. Find that one by keeping every output: a beam as wide as "
                     "vocabulary ** length")
    if close(got, _width_fractions(decoders, length, widths, rank="last")):
        return _fail("you ranked the partial outputs by their last token's log-probability alone; an output's "
                     "log-probability is the sum over its tokens, so rank by beam score + log-probability")
    if len(set(right.values())) > 1 and all(abs(got[w] - right[1]) < 1e-6 for w in widths):
        return _fail("every width did exactly as well as greedy decoding: your beam never holds more than one output. "
                     "Keep the best `width` of all beams × tokens, even when several come from the same beam")
    for other in (length - 1, length + 1):
        if close(got, _width_fractions(decoders, other, widths)):
            return _fail(f"these are the fractions for outputs of {other} tokens: the outputs have exactly "
                         f"`length` = {length}")
    worse = [w for w in widths if got[w] < right[w]]
    return _fail("for widths " + ", ".join(f"{w}: expected {right[w]:.4g}, got {got[w]:.4g}" for w in widths)
                 + (". Compare total log-probabilities with a tolerance (1e-4): the same output can score a hair "
                    "differently in a different batch" if worse and len(worse) == len(widths) else ""))
