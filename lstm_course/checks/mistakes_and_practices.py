"""Checkers for exercises/07_mistakes_and_practices.ipynb: a classifier whose batch leaks (debugging), early
stopping with clean and noisy labels (experiment)."""

import math

import torch
from torch import nn

from .feedback import Feedback, _as_int, _call, _fail, _number, checker

__all__ = ["check_fixed_classifier", "check_early_stopping"]


def _classifier_reference(model, ids):
    """What the model should compute with its own weights: embedding, the LSTM read as (batch, time, features),
    the top layer's final state h_n[-1], the head; plus the same read from the first layer, h_n[0]."""
    lstm = model.lstm
    right = nn.LSTM(lstm.input_size, lstm.hidden_size, num_layers=lstm.num_layers, bias=lstm.bias,
                    batch_first=True, bidirectional=lstm.bidirectional)
    right.load_state_dict(lstm.state_dict())
    _, (h_n, _) = right(model.embed(ids))
    return model.head(h_n[-1]).squeeze(-1), model.head(h_n[0]).squeeze(-1)


@checker
def check_fixed_classifier(cls):
    """Chapter 7: cls() must build the chapter's review classifier (embed, a 2-layer lstm, head) with its bug fixed:
    one logit per review, from the top layer's final state, read with the batch first, so that no review's logit
    depends on another review of the batch."""
    with torch.random.fork_rng(devices=[]):  # the learner's random state is left as it was
        torch.manual_seed(0)
        model, bad = _call(cls)
    if bad:
        return bad
    if not isinstance(model, nn.Module):
        return _fail(f"FixedClassifier() must build an nn.Module, got {type(model).__name__}")
    parts = (getattr(model, "embed", None), getattr(model, "lstm", None), getattr(model, "head", None))
    if not (isinstance(parts[0], nn.Embedding) and isinstance(parts[1], nn.LSTM) and isinstance(parts[2], nn.Linear)):
        return _fail("keep BuggyClassifier's layers (self.embed, self.lstm, self.head): the bug is in how they "
                     "are used, not in which layers there are")
    if parts[1].num_layers < 2:
        return _fail("keep the LSTM's two layers: the task is to read the right one, not to remove one")
    model.eval()
    batch, steps = 5, 12
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(1, parts[0].num_embeddings, (batch, steps), generator=generator)
    changed = ids.clone()
    changed[0] = torch.randint(1, parts[0].num_embeddings, (steps,), generator=generator)
    with torch.no_grad():
        answer, bad = _call(model, ids)
        if bad:
            return bad
        if not torch.is_tensor(answer):
            return _fail(f"forward must return a tensor of logits, got {type(answer).__name__}")
        right, first_layer = _classifier_reference(model, ids)
        if answer.shape == (steps,) or answer.shape == (steps, 1):
            return _fail(f"{steps} logits for {batch} reviews of {steps} words: the LSTM reads the batch as time. "
                         "nn.LSTM expects (time, batch, features) unless you build it with batch_first=True")
        if answer.shape == (batch, 1):
            return _fail("one logit per review, shape (batch,): squeeze the last dimension, as BuggyClassifier does")
        if answer.shape != (batch,):
            return _fail(f"expected one logit per review, shape ({batch},), got {tuple(answer.shape)}")
        moved = (model(changed)[1:] - answer[1:]).abs().max().item()
        if torch.allclose(answer, right, rtol=1e-4, atol=1e-5):
            return Feedback(True, "Each review's logit now comes from its own words: changing review 0 moved the "
                                  f"others by {moved:.1g}. The buggy model ran the LSTM across the batch.")
        if moved > 1e-6:
            return _fail(f"changing review 0 moved the other reviews' logits by up to {moved:.3f}: reviews still "
                         "leak into each other. nn.LSTM reads (time, batch, features) by default; build it with "
                         "batch_first=True (or transpose the input and read the time axis)")
        if torch.allclose(answer, first_layer, rtol=1e-4, atol=1e-5):
            return _fail("no leak now, but you read h_n[0], the first layer's final state; the head must read the "
                         "top layer's, h_n[-1] (which is output[:, -1] with batch_first=True)")
    return _fail("no leak, but the logits are not head(top layer's final state): read h_n[-1] of an LSTM that "
                 "takes (batch, time, features)")


def _as_triple(value):
    """(best_epoch, test_at_best, test_at_end) from the learner's tuple, or a message saying what is wrong."""
    if isinstance(value, dict) or not isinstance(value, (tuple, list)) or len(value) != 3:
        return None, ("return three things: (best_epoch, test_at_best, test_at_end), "
                      f"got {type(value).__name__}")
    epoch, bad = _as_int(value[0], "best_epoch")
    if bad:
        return None, bad.message
    losses = [_number(v) for v in value[1:]]
    if any(v is None or not math.isfinite(v) for v in losses):
        return None, "test_at_best and test_at_end must be numbers (test losses)"
    if epoch < 1:
        return None, f"best_epoch counts from 1 (the epoch after the first update), got {epoch}"
    return (epoch, *losses), None


@checker
def check_early_stopping(fn):
    """Chapter 7: fn(flip) trains the exercise's classifier on reviews with a fraction `flip` of wrong labels and must
    return (best_epoch, test_at_best, test_at_end): the epoch of lowest validation loss and the test losses there and
    at the last epoch. Checked on the outcome: with 30% wrong labels early stopping must gain clearly, with clean
    labels hardly at all."""
    runs = {}
    for name, flip in (("clean", 0.0), ("noisy", 0.3)):
        answer, bad = _call(fn, flip)
        if bad:
            return bad
        runs[name], problem = _as_triple(answer)
        if problem:
            return _fail(f"early_stopping_gain({flip}): {problem}")
    (clean_epoch, clean_best, clean_end), (noisy_epoch, noisy_best, noisy_end) = runs["clean"], runs["noisy"]
    clean_gain, noisy_gain = clean_end - clean_best, noisy_end - noisy_best
    losses = (clean_best, clean_end, noisy_best, noisy_end)
    if min(losses) < 0:
        return _fail("a binary cross-entropy is never negative: return test losses, not their logarithms or "
                     "differences")
    if noisy_best > noisy_end + 0.05 and max(losses) <= 1:
        return _fail("with wrong labels your kept epoch scores higher than the last one: these look like "
                     "accuracies. Return test losses (binary cross-entropy)")
    for flip, best, end in ((0.0, clean_best, clean_end), (0.3, noisy_best, noisy_end)):
        if best > end + 0.05:
            return _fail(f"with flip={flip} the epoch you kept tests worse ({best:.3f}) than the last one "
                         f"({end:.3f}): keep the epoch with the *lowest* validation loss, not the highest")
    if abs(noisy_gain) < 1e-9 and abs(clean_gain) < 1e-9:
        return _fail(f"you kept the last epoch in both runs (best_epoch {clean_epoch} and {noisy_epoch}): choosing "
                     "by the training loss does that, since it falls at every epoch. Choose the epoch with the "
                     "lowest validation loss")
    if clean_gain > noisy_gain + 0.1:
        return _fail(f"early stopping gained more on clean labels ({clean_gain:.3f}) than on noisy ones "
                     f"({noisy_gain:.3f}): are the two runs swapped? flip is the fraction of wrong labels")
    if noisy_end < 0.6:
        return _fail(f"with 30% wrong labels the last epoch's test loss is only {noisy_end:.3f}: the model did not "
                     "memorise them. Train without regularisation on labels flipped with flip=0.3, for all 50 "
                     "epochs, and measure on the clean test reviews")
    if clean_end > 0.5:
        return _fail(f"with clean labels the test loss ends at {clean_end:.3f}: with flip=0.0 no label is wrong, "
                     "and the model should get the clean test reviews nearly all right. Flip only the training "
                     "labels, and only by `flip`")
    if noisy_gain < 0.4 or clean_gain > 0.25:
        return _fail(f"early stopping gained {noisy_gain:.3f} in test loss with wrong labels and {clean_gain:.3f} "
                     "with clean ones; a run as described gains over 0.4 with wrong labels and under 0.25 with "
                     "clean ones. Check the setting: 200 reviews, 50 full-batch epochs, Adam at lr 0.01")
    return Feedback(True, f"With 30% wrong labels the kept epoch ({noisy_epoch}) tested {noisy_gain:.2f} better "
                          f"than the last; with clean labels the gain was {clean_gain:.2f}. Early stopping guards "
                          "against memorising noise; with nothing to memorise there is little to stop.")
