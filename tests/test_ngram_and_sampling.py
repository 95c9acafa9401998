"""The n-gram baseline (a proper distribution for every context) and chapter 6's sampling checks."""

import random

import pytest
import torch
from torch import nn

from conftest import ROOT
from lstm_course.notebooks import load_definitions
from lstm_course.ngram import KneserNey

TEXT = "the cat sat on the mat. the dog sat on the log! (a cat, a dog)\n" * 3


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_probabilities_sum_to_one_for_every_context(order):
    model = KneserNey(order).fit(TEXT)
    rng = random.Random(order)
    contexts = {TEXT[i:i + order - 1] for i in range(len(TEXT) - order)}          # every seen context
    contexts |= {"".join(rng.choice("xyz#tca ") for _ in range(order - 1)) for _ in range(20)}  # unseen ones
    for context in contexts:
        total = sum(model.prob(c, context) for c in model.vocab) + model.prob("\x00", context)
        assert abs(total - 1) < 1e-9, (context, total)
        assert all(model.prob(c, context) > 0 for c in model.vocab)


def test_higher_orders_fit_repetitive_text_better_and_unseen_characters_cost_more():
    bpc = [KneserNey(n).fit(TEXT).bits_per_char(TEXT[:60]) for n in (1, 2, 3, 4)]
    assert bpc == sorted(bpc, reverse=True), bpc
    model = KneserNey(3).fit(TEXT)
    assert model.prob("☃", "th") < model.prob("e", "th") / 100


@pytest.mark.parametrize("call, error, message", [
    (lambda: KneserNey(0), ValueError, "order must be an int >= 1"),
    (lambda: KneserNey(3, discount=1.5), ValueError, "discount must be between 0 and 1"),
    (lambda: KneserNey(3).fit("ab"), ValueError, "at least 3 characters"),
    (lambda: KneserNey(3).prob("a", "b"), RuntimeError, "call fit"),
    (lambda: KneserNey(2).fit(TEXT).prob("ab"), ValueError, "one character"),
    (lambda: KneserNey(2).fit(TEXT).prob("a", 5), TypeError, "context must be a string"),
    (lambda: KneserNey(2).fit(TEXT).bits_per_char(""), ValueError, "non-empty string"),
])
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.fixture(scope="module")
def chapter6():
    """The cells of chapter 6 that define check_generation_args and sample, run against a tiny model."""
    namespace = load_definitions(ROOT / "chapters" / "06_text_generation.ipynb", ["check_generation_args", "sample"],
                                 {"torch": torch, "nn": nn})

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed, self.lstm, self.head = nn.Embedding(4, 3), nn.LSTM(3, 5, batch_first=True), nn.Linear(5, 4)

        def forward(self, ids, state=None):
            out, state = self.lstm(self.embed(ids), state)
            return self.head(out), state

    torch.manual_seed(0)
    namespace["tiny"] = Tiny()
    return namespace


def test_sampling_is_deterministic_and_respects_top_k(chapter6):
    sample, tiny = chapter6["sample"], chapter6["tiny"]
    a = sample(tiny, "ab", 40, "abcd", temperature=1.0, top_k=None, seed=3)
    assert a == sample(tiny, "ab", 40, "abcd", temperature=1.0, top_k=None, seed=3) and len(a) == 40
    assert set(a) <= set("abcd")
    greedy = sample(tiny, "ab", 20, "abcd", temperature=1.0, top_k=1, seed=0)
    assert greedy == sample(tiny, "ab", 20, "abcd", temperature=1.0, top_k=1, seed=99), "top-k 1 must be greedy"


@pytest.mark.parametrize("kwargs, message", [
    (dict(prompt=""), "prompt must be a non-empty string"),
    (dict(prompt=None), "prompt must be a non-empty string"),
    (dict(prompt="abz"), "never seen in training: ['z']"),
    (dict(temperature=0), "temperature must be a number > 0"),
    (dict(temperature=-1.0), "temperature must be a number > 0"),
    (dict(temperature="hot"), "temperature must be a number > 0"),
    (dict(top_k=0), "top_k must be an int >= 1"),
    (dict(top_k=2.5), "top_k must be an int >= 1"),
])
def test_sampling_rejects_bad_input_clearly(chapter6, kwargs, message):
    args = dict(prompt="ab", temperature=1.0, top_k=None) | kwargs
    with pytest.raises(ValueError) as err:
        chapter6["sample"](chapter6["tiny"], length=3, vocabulary="abcd", **args)
    assert message in str(err.value)
