"""The synthetic data generators: deterministic for a seed, balanced, honest about what decides a label."""

import numpy as np
import pytest

from lstm_course import data


def test_reviews_are_deterministic_balanced_and_sized():
    texts, labels = data.synthetic_reviews(101, 30, seed=4, min_length=10)
    assert (texts, labels) == data.synthetic_reviews(101, 30, seed=4, min_length=10)
    assert (texts, labels) != data.synthetic_reviews(101, 30, seed=5, min_length=10)
    assert sorted(set(labels)) == [0, 1] and abs(sum(labels) - 50.5) <= 0.5
    lengths = [len(t.split()) for t in texts]
    assert min(lengths) >= 10 and max(lengths) <= 30 and len(set(lengths)) > 5
    assert set(" ".join(texts).split()) <= set(data.review_vocabulary())


def test_only_the_opening_carries_the_label():
    texts, labels = data.synthetic_reviews(400, 40, seed=0, opening=5)
    for text, label in zip(texts, labels):
        words = text.split()
        opening = [w for w in words[:5] if w in data.POSITIVE + data.NEGATIVE]
        assert len(opening) == 2 and all((w in data.POSITIVE) == bool(label) for w in opening)
        assert all(w in data.NEUTRAL for w in words[5:]), "the tail must say nothing about the label"


def test_bank_meaning_is_decided_by_a_later_word_and_is_balanced():
    tokens, targets, vocab = data.bank_sentences(300, 40, seed=1, lookahead=3)
    assert tokens.shape == targets.shape == (300, 40) and tokens.max() < vocab
    np.testing.assert_array_equal(tokens, data.bank_sentences(300, 40, seed=1, lookahead=3)[0])
    rows, cols = np.nonzero(targets != -100)
    assert (tokens[rows, cols] == 0).all() and (tokens == 0).sum() == len(rows)
    for r, c in zip(rows, cols):
        later = [t for t in tokens[r, c + 1:c + 4] if t in (1, 2)]
        assert later and later[0] == 1 + targets[r, c]
    assert 0.45 < targets[rows, cols].mean() < 0.55


def test_waves_are_deterministic_with_the_requested_noise():
    a = data.noisy_waves(8, 50, seed=3, noise=0.0)
    assert a.shape == (8, 50) and a.dtype == np.float32
    np.testing.assert_array_equal(a, data.noisy_waves(8, 50, seed=3, noise=0.0))
    noise = data.noisy_waves(8, 50, seed=3, noise=0.1) - a
    assert 0.08 < noise.std() < 0.12


@pytest.mark.parametrize("call, error, message", [
    (lambda: data.synthetic_reviews(10, -5), ValueError, "length must be at least 1"),
    (lambda: data.synthetic_reviews(1, 10), ValueError, "n must be at least 2"),
    (lambda: data.synthetic_reviews(10, 10, min_length=20), ValueError, "must not exceed length"),
    (lambda: data.synthetic_reviews(10, 10, opening=12), ValueError, "must fit in the shortest review"),
    (lambda: data.synthetic_reviews(10.0, 10), TypeError, "n must be an int"),
    (lambda: data.bank_sentences(5, 3, lookahead=3), ValueError, "must exceed lookahead"),
    (lambda: data.bank_sentences(0, 10), ValueError, "n must be at least 1"),
    (lambda: data.noisy_waves(4, 10, noise=-1), ValueError, "noise must be a number >= 0"),
    (lambda: data.noisy_waves(4, "10"), TypeError, "length must be an int"),
])
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_the_corpus_snapshot_is_the_same_text_everywhere_and_refuses_damage(monkeypatch):
    import gzip

    from lstm_course import corpus

    text = corpus.python_help_text()
    assert len(text) == corpus.SNAPSHOT_CHARACTERS and "The \"with\" statement" in text
    assert text.count("\n\n") > 1000, "the topics are joined by blank lines (chapter 6 splits paragraphs on them)"

    class Damaged:
        def joinpath(self, name):
            return self

        def read_bytes(self):
            return gzip.compress(text[:-1].encode("utf-8"))
    monkeypatch.setattr(corpus.resources, "files", lambda package: Damaged())
    with pytest.raises(RuntimeError, match="is damaged .* reinstall lstm_course"):
        corpus.python_help_text()


def test_numbers_in_words_follow_the_human_numbers_style():
    assert data.number_words(1) == ["one"] and data.number_words(19) == ["nineteen"]
    assert data.number_words(20) == ["twenty"] and data.number_words(21) == ["twenty", "one"]
    assert data.number_words(110) == ["one", "hundred", "ten"]
    assert data.number_words(1005) == ["one", "thousand", "five"]
    assert data.number_words(9999) == ["nine", "thousand", "nine", "hundred", "ninety", "nine"]
    assert len({" ".join(data.number_words(n)) for n in range(1, 10_000)}) == 9_999, "every number has its own words"


def test_human_numbers_stream_split_and_vocabulary():
    train, valid, vocabulary = data.human_numbers()
    tokens = train + valid
    # 1 ... 9,999: 63,098 tokens (fastai's files hold 9,998 of these lines, 63,095 tokens)
    assert len(tokens) == sum(len(data.number_words(n)) for n in range(1, 10_000)) + 9_998 == 63_098
    assert tokens[:7] == ["one", ".", "two", ".", "three", ".", "four"] and tokens[-1] == "nine"
    assert len(train) == int(0.8 * len(tokens)), "the first 80% of the tokens train, the rest validate"
    assert len(vocabulary) == 30 and vocabulary[:2] == ["one", "."] and set(vocabulary) == set(tokens)
    assert tokens.count(".") == 9_998
    small_train, small_valid, _ = data.human_numbers(last=10, valid_fraction=0.5)
    assert small_train + small_valid == "one . two . three . four . five . six . seven . eight . nine . ten".split()
    assert (len(small_train), len(small_valid)) == (9, 10), "19 tokens: int(19 * 0.5) = 9 train the model"


def test_held_out_numbers_split_the_numbers_without_overlap():
    train, held = data.held_out_numbers(top=999, fraction=0.2, seed=0)
    assert len(held) == 200 and len(train) == 799 and not set(train) & set(held)
    assert sorted(train + held) == list(range(1, 1000)) and held == sorted(held)
    assert data.held_out_numbers(seed=0) == (train, held) != data.held_out_numbers(seed=1)
    blocks = [n for n in range(1, 1000) if n < 20 or (n < 100 and n % 10 == 0) or n % 100 == 0]
    assert set(blocks) <= set(train), "numbers written with one word, and round hundreds, are always trained on"


def test_number_lists_pair_words_with_digits():
    pairs = data.number_lists(200, [7, 42, 703], count=(1, 3), seed=3)
    assert {len(digits.split(",")) for _, digits in pairs} == {1, 2, 3}, "counts drawn from 1 ... 3"
    for words, digits in pairs:
        numbers = [int(d) for d in digits.split(",")]
        spoken = " ".join(words).split(" , ")
        assert spoken == [" ".join(data.number_words(n)) for n in numbers]
    assert data.number_lists(1, [703], count=2) == [(["seven", "hundred", "three", ",", "seven", "hundred", "three"], "703,703")]
    assert data.number_lists(5, [7, 42], seed=1) == data.number_lists(5, [7, 42], seed=1) != data.number_lists(5, [7, 42], seed=2)


def test_delayed_recall_puts_the_bit_first_the_marker_last_and_noise_between():
    import torch

    x, bits = data.delayed_recall(500, 30, torch.Generator().manual_seed(0))
    assert x.shape == (500, 31, 3) and bits.shape == (500,)
    assert torch.equal(x[:, 0, 0], 2 * bits - 1) and (x[:, 1:, 0] == 0).all(), "the bit, as -1 or +1, only at t = 0"
    assert (x[:, -1, 2] == 1).all() and (x[:, :-1, 2] == 0).all(), "the marker only at the last step"
    assert 0.15 < x[:, :, 1].std().item() < 0.25 and 0.4 < bits.mean().item() < 0.6
    again, _ = data.delayed_recall(500, 30, torch.Generator().manual_seed(0))
    other, _ = data.delayed_recall(500, 30, torch.Generator().manual_seed(1))
    assert torch.equal(x, again) and not torch.equal(x, other), "the generator decides the batch"
    assert (data.delayed_recall(8, 5, noise=0)[0][:, :, 1] == 0).all()


def test_marked_recall_marks_one_early_step_whose_sign_is_the_target():
    import torch
    x, bits = data.marked_recall(400, 50, torch.Generator().manual_seed(0), window=10)
    assert x.shape == (400, 50, 3) and bits.shape == (400,)
    assert set(x[:, :, 0].unique().tolist()) == {-1.0, 1.0}, "a sign at every step"
    marks = x[:, :, 1]
    assert (marks.sum(1) == 1).all() and (marks[:, 10:] == 0).all(), "one mark, among the first 10 steps"
    assert set(marks.argmax(1).unique().tolist()) == set(range(10)), "every early step gets marked sometimes"
    assert (x[:, :-1, 2] == 0).all() and (x[:, -1, 2] == 1).all(), "the question comes at the last step"
    at_mark = x[torch.arange(400), marks.argmax(1), 0]
    assert torch.equal(bits, (at_mark > 0).float()), "the target is the sign at the marked step"
    assert 0.4 < bits.mean() < 0.6 and not torch.equal(bits, (x[:, -1, 0] > 0).float())
    again, _ = data.marked_recall(400, 50, torch.Generator().manual_seed(0), window=10)
    assert torch.equal(x, again)
