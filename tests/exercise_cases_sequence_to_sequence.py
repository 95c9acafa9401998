"""Exercise cases for exercises/08_sequence_to_sequence.ipynb (collected by test_exercises.py): the typical wrong
answers of the debugging and experiment tasks, each with the words its message must contain, and right answers
written differently from the hidden solutions."""

import itertools

import numpy as np
import torch
from torch import nn

from lstm_course import checks
from lstm_course.checks import sequence_to_sequence

PAD, EOS = sequence_to_sequence._PAD, sequence_to_sequence._EOS     # the exercise's token ids, as its checker has them


# --- Task 2 (debugging): a sequence loss that counted the padding ----------------------------------------------

def _token_losses(logits, target):
    return nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten(), reduction="none").view(target.shape)


def _buggy_loss(logits, target):
    return nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten())


def _pads_in_denominator(logits, target):
    return (_token_losses(logits, target) * (target != PAD)).mean()


def _mean_per_target(logits, target):
    real = (target != PAD).float()
    return ((_token_losses(logits, target) * real).sum(1) / real.sum(1)).mean()


def _eos_left_out_too(logits, target):
    keep = target > EOS
    return nn.functional.cross_entropy(logits[keep], target[keep])


def _right_value_as_float(logits, target):
    return nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten(), ignore_index=PAD).item()


def _loss_by_boolean_index(logits, target):
    real = target != PAD
    return nn.functional.cross_entropy(logits[real], target[real])


def _loss_by_hand_in_float64(logits, target):
    log_probs = logits.double().log_softmax(-1).gather(-1, target[..., None]).squeeze(-1)
    real = (target != PAD).double()
    return -(log_probs * real).sum() / real.sum()


# --- Task 3 (experiment): how wide must the beam be? -------------------------------------------------------------

def _best_score(decoder, width, length, rank_by_last=False):
    prefixes, scores = torch.zeros(1, 0, dtype=torch.long), torch.zeros(1)
    for _ in range(length):
        step = decoder(prefixes)
        total = scores[:, None] + step
        top = (step if rank_by_last else total).flatten().topk(min(width, total.numel())).indices
        beams, tokens = top // decoder.vocabulary, top % decoder.vocabulary
        prefixes = torch.cat([prefixes[beams], tokens[:, None]], dim=1)
        scores = total[beams, tokens]
    return scores.max().item()


def _fractions(best_of, found_by):
    """An experiment from two functions: the best score of a decoder, and the score a width finds."""
    def experiment(decoders, length, widths):
        best = [best_of(d, length) for d in decoders]
        return {w: sum(found_by(d, w, length) >= b - 1e-4 for d, b in zip(decoders, best)) / len(decoders)
                for w in widths}
    return experiment


_exhaustive = lambda d, length: _best_score(d, d.vocabulary ** length, length)


def _score_of_every_output(decoder, length):
    """Right, written differently: score all vocabulary ** length outputs one token at a time, in one batch."""
    outputs = torch.tensor(list(itertools.product(range(decoder.vocabulary), repeat=length)))
    total = torch.zeros(len(outputs), dtype=torch.float64)
    for t in range(length):
        total += decoder(outputs[:, :t]).double().gather(1, outputs[:, t:t + 1]).squeeze(1)
    return total.max().item()


def _beam_with_python_lists(decoder, width, length):
    """Right, written differently: the beam as a sorted list of (score, output) pairs."""
    beam = [(0.0, [])]
    for _ in range(length):
        prefixes = torch.tensor([output for _, output in beam], dtype=torch.long).reshape(len(beam), -1)
        step = decoder(prefixes).tolist()
        options = [(score + step[b][v], output + [v]) for b, (score, output) in enumerate(beam)
                   for v in range(decoder.vocabulary)]
        beam = sorted(options, key=lambda option: -option[0])[:width]
    return beam[0][0]


def _counts(decoders, length, widths):
    fractions = _fractions(_exhaustive, _best_score)(decoders, length, widths)
    return {w: round(f * len(decoders)) for w, f in fractions.items()}


def _misses(decoders, length, widths):
    return {w: 1 - f for w, f in _fractions(_exhaustive, _best_score)(decoders, length, widths).items()}


def _as_numpy_with_str_keys(decoders, length, widths):
    fractions = _fractions(_score_of_every_output, _beam_with_python_lists)(decoders, length, widths)
    return {str(w): np.float64(f) for w, f in fractions.items()}


WRONG = [
    (checks.check_sequence_loss, _buggy_loss, "the padding positions count"),
    (checks.check_sequence_loss, _pads_in_denominator, "still divide by every position"),
    (checks.check_sequence_loss, _mean_per_target, "a short target's tokens weigh more"),
    (checks.check_sequence_loss, _eos_left_out_too, "you left out <eos>"),
    (checks.check_sequence_loss, lambda logits, target: (_token_losses(logits, target) * (target != PAD)).sum(),
     "take their mean"),
    (checks.check_sequence_loss, _right_value_as_float, "cut off from the graph"),
    # compared with greedy decoding instead of the most probable output
    (checks.check_beam_widths, _fractions(lambda d, n: _best_score(d, 1, n), _best_score), "compared each beam with greedy"),
    (checks.check_beam_widths, _fractions(_exhaustive, lambda d, w, n: _best_score(d, w, n, rank_by_last=True)),
     "last token's log-probability alone"),
    # each beam extended by its own best token only: the beam never grows
    (checks.check_beam_widths, _fractions(_exhaustive, lambda d, w, n: _best_score(d, 1, n)), "never holds more than one"),
    (checks.check_beam_widths, _counts, "these are counts"),
    (checks.check_beam_widths, _misses, "how often each beam missed"),
    (checks.check_beam_widths, lambda decoders, length, widths: _fractions(_exhaustive, _best_score)(
        decoders, length + 1, widths), "outputs of 6 tokens"),
]

RIGHT = [
    (checks.check_sequence_loss, _loss_by_boolean_index),
    (checks.check_sequence_loss, _loss_by_hand_in_float64),
    (checks.check_beam_widths, _fractions(_score_of_every_output, _best_score)),
    (checks.check_beam_widths, _as_numpy_with_str_keys),
]

# Bad input for test_bad_inputs.py (same shape as its CHECKER_CASES): feedback, never a traceback.
BAD = [
    (checks.check_sequence_loss, ("loss",), "expected a function"),
    (checks.check_sequence_loss, (lambda logits, target: "small",), "return the loss as one number"),
    (checks.check_beam_widths, (None,), "expected a function"),
    (checks.check_beam_widths, (lambda d, n, w: [0.5] * len(w),), "return a dict"),
]
