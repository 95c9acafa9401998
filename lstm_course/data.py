"""Synthetic datasets made by code (no downloads): long reviews, "river bank" sentences, noisy waves, a bit to
recall after a delay, numbers in words, and lists of numbers to translate from words into digits."""

import random

import numpy as np

POSITIVE = ["great", "wonderful", "brilliant", "moving", "superb", "delightful", "loved", "gripping"]
NEGATIVE = ["awful", "boring", "dreadful", "clumsy", "tedious", "dull", "hated", "lifeless"]
NEUTRAL = ["the", "a", "film", "plot", "actor", "scene", "camera", "then", "and", "of", "we", "see",
           "story", "music", "city", "night", "house", "later", "character", "director", "with", "in",
           "it", "is", "was", "her", "his", "they", "walks", "talks", "into", "room", "after", "before"]


def _need_int(value, name, low):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    return int(value)


def review_vocabulary():
    """All words synthetic_reviews can produce, sentiment words first (a fixed order, for embeddings)."""
    return POSITIVE + NEGATIVE + NEUTRAL


def synthetic_reviews(n, length, seed=0, opening=2, min_length=None):
    """n reviews as strings and their labels (1 positive, 0 negative), exactly half of each.

    The label is decided only by the opening: two sentiment words of one polarity placed among the
    first `opening` words (by default they are the first two words); the rest of the review, up to `length` words in all, is neutral filler that
    says nothing about the label. So a classifier must carry what it read at the start to the end:
    the data isolates long-range memory. Lengths vary uniformly in [min_length, length]
    (min_length defaults to length, i.e. all reviews equally long)."""
    n = _need_int(n, "n", 2)
    length = _need_int(length, "length", 1)
    opening = _need_int(opening, "opening", 2)
    min_length = length if min_length is None else _need_int(min_length, "min_length", 1)
    if opening > min(length, min_length):
        raise ValueError(f"opening ({opening}) must fit in the shortest review (min_length {min_length}, length {length})")
    if min_length > length:
        raise ValueError(f"min_length ({min_length}) must not exceed length ({length})")
    rng = random.Random(seed)
    labels = [1] * (n // 2) + [0] * (n - n // 2)
    rng.shuffle(labels)
    texts = []
    for label in labels:
        words = [rng.choice(NEUTRAL) for _ in range(rng.randint(min_length, length))]
        for slot in rng.sample(range(opening), 2):
            words[slot] = rng.choice(POSITIVE if label else NEGATIVE)
        texts.append(" ".join(words))
    return texts, labels


def bank_sentences(n, length, seed=0, lookahead=3):
    """Token sequences where the meaning of each "bank" token is decided by a word that comes later.

    Tokens: 0 = "bank", 1 = "river", 2 = "money", 3.. = filler. After each bank comes, within
    `lookahead` steps, "river" or "money" (at random). Targets: at a bank position, 0 (riverside)
    or 1 (finance) by that later word; elsewhere -100 (ignored by cross-entropy). Returns two int64
    arrays of shape (n, length) and the vocabulary size."""
    n = _need_int(n, "n", 1)
    length = _need_int(length, "length", 2)
    lookahead = _need_int(lookahead, "lookahead", 1)
    if length <= lookahead:
        raise ValueError(f"length ({length}) must exceed lookahead ({lookahead})")
    rng = np.random.default_rng(seed)
    vocab = 12
    tokens = rng.integers(3, vocab, size=(n, length))
    targets = np.full((n, length), -100, dtype=np.int64)
    for row in range(n):
        t = int(rng.integers(0, 3))
        while t + lookahead < length:
            meaning = int(rng.integers(0, 2))
            tokens[row, t] = 0
            tokens[row, t + int(rng.integers(1, lookahead + 1))] = 1 + meaning
            targets[row, t] = meaning
            t += lookahead + 1 + int(rng.integers(0, 3))
    return tokens.astype(np.int64), targets, vocab


def noisy_waves(n, length, seed=0, noise=0.05):
    """n series of `length` steps, each a sum of two sines with random periods and phases plus
    Gaussian noise: float32 array (n, length), for next-step forecasting."""
    n = _need_int(n, "n", 1)
    length = _need_int(length, "length", 2)
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or noise < 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    t = np.arange(length)[None, :]
    p1, p2 = rng.uniform(15, 40, (n, 1)), rng.uniform(5, 12, (n, 1))
    f1, f2 = rng.uniform(0, 2 * np.pi, (n, 1)), rng.uniform(0, 2 * np.pi, (n, 1))
    x = np.sin(2 * np.pi * t / p1 + f1) + 0.5 * np.sin(2 * np.pi * t / p2 + f2)
    return (x + noise * rng.standard_normal((n, length))).astype(np.float32)


def delayed_recall(batch, delay, generator=None, noise=0.2):
    """Chapters 2 and 3: inputs (batch, delay + 1, 3) and target bits (0. or 1.) as torch tensors. Channel 0 holds
    the bit as -1 or +1 at t = 0, channel 1 Gaussian noise of standard deviation `noise` at every step, channel 2 a
    marker at the last step, where the bit must be recalled. Draws from `generator` (a torch.Generator) if given."""
    import torch

    batch, delay = _need_int(batch, "batch", 1), _need_int(delay, "delay", 1)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0:
        raise ValueError(f"noise must be a number >= 0 (a standard deviation), got {noise!r}")
    bits = torch.randint(0, 2, (batch,), generator=generator)
    x = torch.zeros(batch, delay + 1, 3)
    x[:, 0, 0] = 2.0 * bits - 1.0
    x[:, :, 1] = noise * torch.randn(batch, delay + 1, generator=generator)
    x[:, -1, 2] = 1.0
    return x, bits.float()


def marked_recall(batch, length, generator=None, window=10):
    """Chapter 1's fair memory test: inputs (batch, length, 3) and target bits (0. or 1.) as torch tensors.
    Channel 0 holds a random sign, -1 or +1, at every step (the distractors); channel 1 marks one step among the
    first `window`; channel 2 marks the last step, where the sign seen at the marked step must be recalled."""
    import torch

    batch, length, window = _need_int(batch, "batch", 1), _need_int(length, "length", 2), _need_int(window, "window", 1)
    if window >= length:
        raise ValueError(f"window must be shorter than length (the mark comes before the question), "
                         f"got window={window}, length={length}")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    signs = 2.0 * torch.randint(0, 2, (batch, length), generator=generator) - 1.0
    marked = torch.randint(0, window, (batch,), generator=generator)
    rows = torch.arange(batch)
    x = torch.zeros(batch, length, 3)
    x[:, :, 0] = signs
    x[rows, marked, 1] = 1.0
    x[:, -1, 2] = 1.0
    return x, (signs[rows, marked] > 0).float()


ONES = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen").split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n):
    """The English words for 1 <= n <= 9,999 as the Human Numbers dataset writes them: no "and", no hyphens
    ("nine thousand nine hundred ninety nine")."""
    n = _need_int(n, "n", 1)
    if n > 9_999:
        raise ValueError(f"n must be at most 9999, got {n}")
    words = []
    if n >= 1000:
        words += [ONES[n // 1000 - 1], "thousand"]
        n %= 1000
    if n >= 100:
        words += [ONES[n // 100 - 1], "hundred"]
        n %= 100
    if n >= 20:
        words.append(TENS[n // 10 - 2])
        n %= 10
    if n:
        words.append(ONES[n - 1])
    return words


def human_numbers(last=9_999, valid_fraction=0.2):
    """The numbers 1 ... last written in words and joined by " . " into one token stream, split as fastbook's
    chapter 12 does: the first (1 - valid_fraction) of the tokens to train on, the rest to validate.
    Return (train tokens, validation tokens, vocabulary in order of first appearance)."""
    last = _need_int(last, "last", 2)
    if last > 9_999:
        raise ValueError(f"last must be at most 9999, got {last}")
    if isinstance(valid_fraction, bool) or not isinstance(valid_fraction, (int, float)) or not 0 < valid_fraction < 1:
        raise ValueError(f"valid_fraction must be a number strictly between 0 and 1, got {valid_fraction!r}")
    tokens = []
    for n in range(1, last + 1):
        if tokens:
            tokens.append(".")
        tokens += number_words(n)
    vocabulary = list(dict.fromkeys(tokens))
    cut = int(len(tokens) * (1 - valid_fraction))
    return tokens[:cut], tokens[cut:], vocabulary


def held_out_numbers(top=999, fraction=0.2, seed=0):
    """Chapter 8: the numbers 1 ... top split at random into (numbers to train on, numbers held out), so a test
    built from the held-out ones contains only numbers the model has never seen written down. The building
    blocks (1-19, the tens, the round hundreds and thousands) always stay in training: every held-out number
    is a new combination of words the model has seen in the same roles."""
    top = _need_int(top, "top", 5)
    if top > 9_999:
        raise ValueError(f"top must be at most 9999, got {top}")
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise ValueError(f"fraction must be a number strictly between 0 and 1, got {fraction!r}")
    blocks = {n for n in range(1, top + 1) if n < 20 or (n < 100 and n % 10 == 0) or n % 100 == 0}
    combinations = [n for n in range(1, top + 1) if n not in blocks]
    random.Random(seed).shuffle(combinations)
    cut = max(1, round(top * fraction))
    if cut >= len(combinations):
        raise ValueError(f"top={top} leaves too few numbers to hold out {fraction:.0%} of them")
    return sorted(blocks | set(combinations[cut:])), sorted(combinations[:cut])


def number_lists(n, numbers, count=1, seed=0):
    """Chapter 8: n translation pairs (source words, target characters). Each source is `count` numbers drawn
    from `numbers`, written in words and separated by ","; its target is the same list in digits:
    (["forty", "two", ",", "seven"], "42,7"). count may be a (low, high) pair: each pair then draws its own
    count uniformly from low ... high."""
    n = _need_int(n, "n", 1)
    low, high = (count, count) if not isinstance(count, (tuple, list)) else tuple(count)
    low, high = _need_int(low, "count", 1), _need_int(high, "count", 1)
    if low > high:
        raise ValueError(f"count must be a number or a (low, high) pair with low <= high, got {count!r}")
    numbers = list(numbers)
    if not numbers or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 1 <= v <= 9_999
                              for v in numbers):
        raise ValueError("numbers must be a non-empty list of whole numbers from 1 to 9999")
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        chosen = [rng.choice(numbers) for _ in range(rng.randint(low, high))]
        source = []
        for value in chosen:
            source += ([","] if source else []) + number_words(int(value))
        pairs.append((source, ",".join(str(int(v)) for v in chosen)))
    return pairs
