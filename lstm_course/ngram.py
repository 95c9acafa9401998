"""Character n-gram language model with interpolated Kneser-Ney smoothing: the baseline an LSTM must beat."""

import math
from collections import Counter, defaultdict


class KneserNey:
    """Interpolated Kneser-Ney over characters. P(c | h) for every context h sums to 1 over the vocabulary.

    The highest order uses raw counts; lower orders use continuation counts (in how many different
    contexts a string follows), and the lowest order is mixed with a uniform distribution, so even
    an unseen character in an unseen context gets a probability above zero."""

    def __init__(self, order, discount=0.75):
        if isinstance(order, bool) or not isinstance(order, int) or order < 1:
            raise ValueError(f"order must be an int >= 1, got {order!r}")
        if not isinstance(discount, (int, float)) or not 0 < discount < 1:
            raise ValueError(f"discount must be between 0 and 1, got {discount!r}")
        self.order, self.discount = order, float(discount)
        self.vocab = None

    def fit(self, text):
        """Count every n-gram of the text (n = 1..order); returns self."""
        if not isinstance(text, str) or len(text) < self.order:
            raise ValueError(f"text must be a string of at least {self.order} characters")
        self.vocab = sorted(set(text))
        counts = [None] + [Counter(text[i:i + n] for i in range(len(text) - n + 1)) for n in range(1, self.order + 1)]
        # counts[n][g]: raw count for the top order, continuation count (distinct left neighbours) below it
        self.counts = [None] * (self.order + 1)
        self.counts[self.order] = counts[self.order]
        for n in range(1, self.order):
            self.counts[n] = Counter(g[1:] for g in counts[n + 1])
        self.context_total = [None] + [defaultdict(int) for _ in range(self.order)]
        self.context_types = [None] + [defaultdict(int) for _ in range(self.order)]
        for n in range(1, self.order + 1):
            for g, c in self.counts[n].items():
                self.context_total[n][g[:-1]] += c
                self.context_types[n][g[:-1]] += 1
        return self

    def prob(self, char, context=""):
        """P(char | the last order - 1 characters of context)."""
        if self.vocab is None:
            raise RuntimeError("call fit(text) before prob()")
        if not isinstance(char, str) or len(char) != 1:
            raise ValueError(f"char must be one character, got {char!r}")
        if not isinstance(context, str):
            raise TypeError(f"context must be a string, got {type(context).__name__}")
        context = context[len(context) - self.order + 1:] if self.order > 1 else ""
        p = 1.0 / (len(self.vocab) + 1)  # uniform, with one slot for characters never seen
        for n in range(1, len(context) + 2):
            h = context[len(context) - n + 1:]
            total = self.context_total[n].get(h, 0)
            if total == 0:
                continue  # unseen context: keep the lower-order estimate
            count = self.counts[n].get(h + char, 0)
            p = (max(count - self.discount, 0.0) + self.discount * self.context_types[n][h] * p) / total
        return p

    def bits_per_char(self, text):
        """Average -log2 P(next char | history) over text (the first character is scored with no history)."""
        if not isinstance(text, str) or not text:
            raise ValueError("text must be a non-empty string")
        total = 0.0
        for i, char in enumerate(text):
            total -= math.log2(self.prob(char, text[max(0, i - self.order + 1):i]))
        return total / len(text)
