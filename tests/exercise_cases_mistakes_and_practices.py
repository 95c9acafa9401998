"""Exercise cases for exercises/07_mistakes_and_practices.ipynb (collected by test_exercises.py): the typical wrong
answers of the debugging and experiment tasks, each with the words its message must contain, and right answers
written differently from the hidden solutions."""

import numpy as np
import torch
from torch import nn

from lstm_course import checks
from lstm_course.data import review_vocabulary, synthetic_reviews

VOCAB = {word: i + 1 for i, word in enumerate(review_vocabulary())}


# --- Task 1 (debugging): a classifier whose reviews leak into each other ---------------------------------------

class _Layers(nn.Module):
    def __init__(self, batch_first):
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB) + 1, 8)
        self.lstm = nn.LSTM(8, 16, num_layers=2, batch_first=batch_first)
        self.head = nn.Linear(16, 1)


class _Buggy(_Layers):
    """The notebook's bug: (time, batch) layout fed a (batch, time) batch."""
    def __init__(self):
        super().__init__(batch_first=False)

    def forward(self, ids):
        return self.head(self.lstm(self.embed(ids))[0][:, -1]).squeeze(-1)


class _FirstLayer(_Layers):
    """batch_first fixed, but the head reads h_n[0], the first layer."""
    def __init__(self):
        super().__init__(batch_first=True)

    def forward(self, ids):
        return self.head(self.lstm(self.embed(ids))[1][0][0]).squeeze(-1)


class _FinalStateStillTimeFirst(_Buggy):
    """Reads h_n[-1] instead of output[:, -1], but the LSTM still takes the batch as time."""
    def forward(self, ids):
        return self.head(self.lstm(self.embed(ids))[1][0][-1]).squeeze(-1)


class _FixedTwice(_Layers):
    """batch_first=True and a transpose as well: the two fixes cancel."""
    def __init__(self):
        super().__init__(batch_first=True)

    def forward(self, ids):
        return self.head(self.lstm(self.embed(ids).transpose(0, 1))[1][0][-1]).squeeze(-1)


class _TransposeInstead(_Layers):
    """Right: keep the default layout, transpose the batch into it, read the last time step."""
    def __init__(self):
        super().__init__(batch_first=False)

    def forward(self, ids):
        output, _ = self.lstm(self.embed(ids).transpose(0, 1))
        return self.head(output[-1]).flatten()


class _SwitchAfterBuilding(_Buggy):
    """Right: the buggy class with its LSTM switched to batch_first after it is built."""
    def __init__(self):
        super().__init__()
        self.lstm.batch_first = True


# --- Task 2 (experiment): early stopping with clean and noisy labels ---------------------------------------------

def _reviews(n, length, seed, flip=0.0):
    texts, labels = synthetic_reviews(n, length, seed=seed)
    ids = torch.tensor([[VOCAB[w] for w in t.split()] for t in texts])
    labels = torch.tensor(labels, dtype=torch.float32)
    wrong = torch.rand(n, generator=torch.Generator().manual_seed(seed)) < flip
    labels[wrong] = 1 - labels[wrong]
    return ids, labels


class _Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB) + 1, 16)
        self.lstm = nn.LSTM(16, 32, batch_first=True)
        self.head = nn.Linear(32, 1)

    def forward(self, ids):
        return self.head(self.lstm(self.embed(ids))[1][0][-1]).squeeze(-1)


def _stopping_with_curves_as_tensors(flip, seed=1):
    """Right, written differently: another seed, curves kept as a tensor, the kept epoch found with argmin."""
    torch.manual_seed(seed)
    x, y = _reviews(200, 8, seed=1000 + seed, flip=flip)
    checks_at = {name: _reviews(300, 8, seed=s) for name, s in (("valid", 2), ("test", 3))}
    model, curves = _Classifier(), torch.zeros(2, 50)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(50):
        optimiser.zero_grad()
        nn.functional.binary_cross_entropy_with_logits(model(x), y).backward()
        optimiser.step()
        model.eval()
        with torch.no_grad():
            for row, (ids, labels) in enumerate(checks_at.values()):
                curves[row, epoch] = nn.functional.binary_cross_entropy(torch.sigmoid(model(ids)), labels)
        model.train()
    best = int(curves[0].argmin())
    return np.int64(best + 1), curves[1, best], curves[1, -1]


def _canned(clean, noisy):
    """A function that returns measured outcomes without training (to test the checker's reading of them)."""
    return lambda flip, seed=0: noisy if flip > 0 else clean


WRONG = [
    (checks.check_fixed_classifier, _Buggy, "leak into each other"),
    (checks.check_fixed_classifier, _FirstLayer, "h_n[0], the first layer's final state"),
    (checks.check_fixed_classifier, _FinalStateStillTimeFirst, "the LSTM reads the batch as time"),
    (checks.check_fixed_classifier, _FixedTwice, "the LSTM reads the batch as time"),
    # chosen by the training loss, which falls every epoch: the last epoch is kept
    (checks.check_early_stopping, _canned((50, 0.0003, 0.0003), (50, 1.46, 1.46)), "you kept the last epoch"),
    # the epoch of the *highest* validation loss
    (checks.check_early_stopping, _canned((1, 0.69, 0.0003), (50, 1.46, 1.46)), "keep the epoch with the *lowest*"),
    # test accuracies instead of losses
    (checks.check_early_stopping, _canned((50, 1.0, 1.0), (14, 0.84, 0.66)), "these look like accuracies"),
    # the two runs' flips swapped
    (checks.check_early_stopping, _canned((14, 0.42, 1.46), (50, 0.0003, 0.0003)), "are the two runs swapped"),
    # wrong labels in the validation and test sets as well: the "clean" run is not clean
    (checks.check_early_stopping, _canned((30, 0.62, 0.65), (14, 0.75, 1.6)), "with clean labels the test loss"),
    # trained with strong weight decay: nothing memorised, nothing to stop
    (checks.check_early_stopping, _canned((50, 0.02, 0.02), (40, 0.45, 0.47)), "did not memorise them"),
]

RIGHT = [
    (checks.check_fixed_classifier, _TransposeInstead),
    (checks.check_fixed_classifier, _SwitchAfterBuilding),
    (checks.check_early_stopping, _stopping_with_curves_as_tensors),
    (checks.check_early_stopping, _canned([50, np.float32(3e-4), 3e-4], [np.int64(17), torch.tensor(0.57), 2.21])),
]

# Bad input for test_bad_inputs.py (same shape as its CHECKER_CASES): feedback, never a traceback.
BAD = [
    (checks.check_fixed_classifier, ("FixedClassifier",), "expected a function"),
    (checks.check_fixed_classifier, (lambda: nn.Linear(3, 1),), "keep BuggyClassifier's layers"),
    (checks.check_early_stopping, (None,), "expected a function"),
    (checks.check_early_stopping, (lambda flip: {"best": 3},), "return three things"),
]
