"""Exercise cases for exercises/04_nn_lstm.ipynb (collected by test_exercises.py): the typical wrong answers of the
experiment and debugging tasks, each with the words its message must contain, and right answers written
differently from the hidden solutions."""

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_course import checks
from lstm_course.data import review_vocabulary, synthetic_reviews

# --- Task 1 (experiment): which gate's bias gives the classifier its memory -----------------------------------

WORD_IDS = {word: i + 1 for i, word in enumerate(review_vocabulary())}


def _reviews(n, seed, length=30):
    texts, labels = synthetic_reviews(n, length, seed=seed)
    return torch.tensor([[WORD_IDS[w] for w in t.split()] for t in texts]), torch.tensor(labels).float()


class _Classifier(nn.Module):
    def __init__(self, hidden_size=16):
        super().__init__()
        self.embed = nn.Embedding(len(WORD_IDS) + 1, 8)
        self.lstm = nn.LSTM(8, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, ids):
        return self.head(self.lstm(self.embed(ids))[1][0][-1]).squeeze(-1)


def _score_after_training(model, seed, steps=100):
    """The task's budget, written another way: Adam 0.01, 100 batches of 32, held-out accuracy."""
    (x, y), (test_x, test_y) = _reviews(1024, 200 + seed), _reviews(400, 9)
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01)
    order = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        pick = torch.randint(len(y), (32,), generator=order)
        optimiser.zero_grad()
        nn.functional.binary_cross_entropy_with_logits(model(x[pick]), y[pick]).backward()
        optimiser.step()
    with torch.no_grad():
        return np.float32(((model(test_x) > 0) == test_y.bool()).float().mean())


def _ablation(order=("input", "forget", "cell", "output"), split=False):
    """The experiment with the blocks named in `order` (the wrong order is a typical mistake); split=True puts
    half of the bias in bias_ih and half in bias_hh, which sums to the same start."""
    def experiment(seed):
        results = {}
        for k, name in enumerate(order):
            torch.manual_seed(seed)
            model = _Classifier()
            H = model.lstm.hidden_size
            with torch.no_grad():
                model.lstm.bias_ih_l0[k * H:(k + 1) * H] = 1.5 if split else 3.0
                model.lstm.bias_hh_l0[k * H:(k + 1) * H] = 1.5 if split else 0.0
            results[name] = _score_after_training(model, seed)
        return results
    return experiment


def _gates_by_chunk(seed):
    results = {}
    for k, gate in enumerate(["input", "forget", "cell", "output"]):
        torch.manual_seed(seed)
        model = _Classifier()
        with torch.no_grad():
            ih, hh = model.lstm.bias_ih_l0.chunk(4), model.lstm.bias_hh_l0.chunk(4)
            ih[k].fill_(3.0)
            hh[k].zero_()
        results[gate] = torch.tensor(_score_after_training(model, seed))
    return results


def _outcome(input, forget, cell, output):
    return lambda seed: {"input": input, "forget": forget, "cell": cell, "output": output}


# --- Task 2 (debugging): the final states of a padded batch ----------------------------------------------------

def _packed(lstm, x, lengths, enforce_sorted=False):
    return lstm(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=enforce_sorted))


def _buggy_review_states(lstm, x, lengths):
    output, (h_n, c_n) = lstm(x)
    return h_n[-1]


def _unpacked_last_output(lstm, x, lengths):
    return pad_packed_sequence(_packed(lstm, x, lengths)[0], batch_first=True)[0][:, -1]


def _states_one_by_one(lstm, x, lengths):
    return torch.stack([lstm(x[b, :n].unsqueeze(0))[1][0][-1, 0] for b, n in enumerate(lengths.tolist())]).float()


def _gathered(lstm, x, lengths):
    output = lstm(x)[0]
    return output.gather(1, (lengths - 1).view(-1, 1, 1).expand(-1, 1, output.shape[-1])).squeeze(1)


WRONG = [
    (checks.check_gate_bias_ablation, _ablation(order=("forget", "input", "cell", "output")),
     "stacks its blocks input, forget, cell, output"),
    (checks.check_gate_bias_ablation, _outcome(0.69, 0.04, 0.69, 0.68), "look like losses"),
    (checks.check_gate_bias_ablation, _outcome(51.0, 98.0, 50.0, 52.0), "percentages"),
    (checks.check_gate_bias_ablation, _outcome(0.97, 0.99, 0.98, 0.99), "fresh model"),
    (checks.check_gate_bias_ablation, _outcome(0.51, 0.52, 0.5, 0.49), "no run learned"),
    (checks.check_gate_bias_ablation, lambda seed: {"forget": 0.98, "default": 0.5}, "one held-out accuracy per gate"),
    (checks.check_gate_bias_ablation, lambda seed: [0.5, 0.98, 0.5, 0.5], "return a dict"),
    (checks.check_review_states, _buggy_review_states, "still reads the padding"),
    (checks.check_review_states, lambda lstm, x, n: lstm(x)[0][:, -1], "still reads the padding"),
    (checks.check_review_states, lambda lstm, x, n: _packed(lstm, x, n, enforce_sorted=True)[1][0][-1],
     "enforce_sorted=False"),
    (checks.check_review_states, lambda lstm, x, n: lstm(x)[0][torch.arange(len(n)), n], "ends at index n - 1"),
    (checks.check_review_states, lambda lstm, x, n: _packed(lstm, x, n)[1][0][0], "first layer"),
    (checks.check_review_states, lambda lstm, x, n: _packed(lstm, x, n)[1][1][-1], "cell state"),
    (checks.check_review_states, _unpacked_last_output, "holds zeros"),
    (checks.check_review_states, lambda lstm, x, n: _packed(lstm, x, n)[1][0], "shape (batch, hidden)"),
]

RIGHT = [
    (checks.check_gate_bias_ablation, _ablation(split=True)),
    (checks.check_gate_bias_ablation, _gates_by_chunk),
    (checks.check_review_states, lambda lstm, x, n: lstm(x)[0][torch.arange(len(n)), n - 1]),
    (checks.check_review_states, _states_one_by_one),
    (checks.check_review_states, _gathered),
]

# Bad input for test_bad_inputs.py (same shape as its CHECKER_CASES): feedback, never a traceback.
BAD = [
    (checks.check_gate_bias_ablation, ("experiment",), "expected a function"),
    (checks.check_gate_bias_ablation, (lambda seed: [0.5, 0.98, 0.5, 0.5],), "return a dict"),
    (checks.check_review_states, (None,), "expected a function"),
]
