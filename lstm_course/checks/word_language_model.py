"""Checkers for exercises/09_word_language_model.ipynb: a token stream in rows, its BPTT chunks, tied weights."""

import torch
from torch import nn

from .feedback import Feedback, _call, _fail, _ids, checker

__all__ = ["check_as_streams", "check_shifted_chunk", "check_tied_weights"]


@checker
def check_as_streams(fn):
    """Chapter 9: fn(ids, batch) with a 1-D token stream must return (batch, len(ids) // batch) rows, row b the
    b-th contiguous stretch of the stream (the leftover tokens at the end dropped)."""
    ids = torch.arange(23)
    answer, bad = _call(fn, ids.clone(), 4)
    if bad:
        return bad
    out = _ids(answer)
    if out is None:
        return _fail(f"return a tensor of token ids, got {type(answer).__name__}")
    right = ids[:20].view(4, 5)
    if out.shape == right.shape and torch.equal(out, right):
        return Feedback(True, "4 rows of 5: each row is one stretch of the stream, "
                              "so the next chunk of a row continues it.")
    if out.shape == right.shape and torch.equal(out, ids[:20].view(5, 4).T):
        return _fail("your rows interleave the stream (row 0 holds tokens 0, 4, 8, ...): "
                     "along a row, neighbours must be neighbours in the text. "
                     "Cut the stream into `batch` consecutive pieces instead")
    if out.shape == (5, 4):
        return _fail("rows and columns swapped: the result has one row per stream, shape (batch, length)")
    if out.numel() == len(ids) or (out.dim() == 2 and out.shape[0] == 4 and out.shape[1] == 6):
        return _fail("keep only the first batch * (len(ids) // batch) tokens: the leftover ones do not fill a row")
    return _fail(f"expected shape (batch, len(ids) // batch) = {tuple(right.shape)}, got {tuple(out.shape)}")


@checker
def check_shifted_chunk(fn):
    """Chapter 9: fn(rows, start, bptt) must return the chunk (input, target) at column start: input up to bptt
    tokens of every row, target the same positions moved one token on; at the end both stop where the rows do."""
    rows = torch.arange(20).view(2, 10)
    answers = []
    for start in (0, 8):
        answer, bad = _call(fn, rows.clone(), start, 4)
        if bad:
            return bad
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            return _fail("return two things: (input, target)")
        x, y = _ids(answer[0]), _ids(answer[1])
        if x is None or y is None:
            return _fail("input and target must be tensors of token ids")
        answers.append((x, y))
    (x, y), (x_end, y_end) = answers
    if torch.equal(x, rows[:, 0:4]) and torch.equal(y, rows[:, 0:4]):
        return _fail("input and target are the same tokens: the model would learn to copy its input. "
                     "The target is the input moved one token on")
    if torch.equal(x, rows[:, 1:5]) and torch.equal(y, rows[:, 0:4]):
        return _fail("input and target swapped: the target is the token *after* each input token")
    if not (torch.equal(x, rows[:, 0:4]) and torch.equal(y, rows[:, 1:5])):
        return _fail(f"at start 0 with bptt 4 expected input {rows[:, 0:4].tolist()} "
                     f"and target {rows[:, 1:5].tolist()}, got {x.tolist()} and {y.tolist()}")
    if torch.equal(x_end, rows[:, 8:10]) and torch.equal(y_end, rows[:, 9:10]):
        return _fail("at the end of the rows your input is one token longer than its target: cut the input to the "
                     "target's length, since the last token has no next token to predict")
    if torch.equal(x_end, rows[:, 8:9]) and torch.equal(y_end, rows[:, 9:10]):
        return Feedback(True, "Right, including the last chunk, which is shorter: the last token has no target.")
    return _fail(f"at the end (start 8, rows of 10 tokens) expected input {rows[:, 8:9].tolist()} and target "
                 f"{rows[:, 9:10].tolist()}, got {x_end.tolist()} and {y_end.tolist()}")


class _TinyWordModel(nn.Module):
    """An embedding and an output layer of the same size, as the learner's tie_weights expects."""
    def __init__(self, words=7, size=5):
        super().__init__()
        self.embed = nn.Embedding(words, size)
        self.out = nn.Linear(size, words)

    def forward(self, x):
        return self.out(self.embed(x))


@checker
def check_tied_weights(fn):
    """Chapter 9: fn(model) must tie model.out's weight to model.embed's (one shared parameter, trained by both)."""
    torch.manual_seed(0)
    model = _TinyWordModel()
    before = sum(p.numel() for p in model.parameters())
    answer, bad = _call(fn, model)
    if bad:
        return bad
    if isinstance(answer, nn.Module) and answer is not model:
        model = answer
    if (not isinstance(getattr(model, "out", None), nn.Linear)
            or not isinstance(getattr(model, "embed", None), nn.Embedding)):
        return _fail("keep model.embed an nn.Embedding and model.out an nn.Linear; tie their weights")
    weight, embedding = model.out.weight, model.embed.weight
    if weight.shape != embedding.shape:
        return _fail(f"the output weight has shape {tuple(weight.shape)}, "
                     f"the embedding {tuple(embedding.shape)}: both are "
                     "(words, size), so share the matrix itself, not its transpose")
    if weight is embedding:
        after = sum(p.numel() for p in model.parameters())
        return Feedback(True, f"Tied: one matrix, {before - after} fewer parameters, "
                              "and its gradient comes from both uses.")
    if weight.data_ptr() == embedding.data_ptr():
        return _fail("the two share memory now, but they are still two parameters, each with its own gradient and "
                     "optimiser state. Assign the Parameter itself: model.out.weight = model.embed.weight")
    if torch.equal(weight, embedding):
        return _fail("you copied the embedding's values into the output layer: they start equal but train apart. "
                     "Make them the same Parameter: model.out.weight = model.embed.weight")
    return _fail("model.out.weight is not model.embed.weight: assign the embedding's Parameter to the output layer")
