"""Exercise cases for exercises/05_bidirectional.ipynb (collected by test_exercises.py): the typical wrong answers
of the debugging and experiment tasks, each with the words its message must contain, and right answers written
differently from the hidden solutions."""

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_course import checks
from lstm_course.data import bank_sentences

# --- Task 2 (debugging): a bidirectional summary of a padded batch ---------------------------------------------


def _packed(lstm, x, lengths, enforce_sorted=False):
    return lstm(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=enforce_sorted))


def _buggy_summary(lstm, x, lengths):
    output, _ = lstm(x)
    return output[:, -1]


def _final_states_unpacked(lstm, x, lengths):
    _, (h_n, _) = lstm(x)
    return torch.cat([h_n[-2], h_n[-1]], dim=-1)


def _forward_at_end_backward_at_start_unpacked(lstm, x, lengths):
    output, H = lstm(x)[0], lstm.hidden_size
    return torch.cat([output[torch.arange(len(lengths)), lengths - 1, :H], output[:, 0, H:]], dim=-1)


def _packed_output_at_last_real_step(lstm, x, lengths):
    output = pad_packed_sequence(_packed(lstm, x, lengths)[0], batch_first=True)[0]
    return output[torch.arange(len(lengths)), lengths - 1]


def _packed_states(order):
    def summary(lstm, x, lengths):
        h_n = _packed(lstm, x, lengths)[1][0]
        return torch.cat([h_n[i] for i in order], dim=-1)
    return summary


def _packed_then_read_the_output(lstm, x, lengths):
    output, H = pad_packed_sequence(_packed(lstm, x, lengths)[0], batch_first=True)[0], lstm.hidden_size
    return torch.cat([output[torch.arange(len(lengths)), lengths - 1, :H], output[:, 0, H:]], dim=-1)


def _each_sequence_alone(lstm, x, lengths):
    rows = []
    for b, n in enumerate(lengths.tolist()):
        _, (h_n, _) = lstm(x[b:b + 1, :n])
        rows.append(h_n[-2:, 0].reshape(-1))
    return np.stack([row.detach().numpy() for row in rows])


# --- Task 3 (experiment): how late must a left-to-right tagger answer? -----------------------------------------

class _Tagger(nn.Module):
    def __init__(self, hidden_size=16):
        super().__init__()
        self.embed = nn.Embedding(12, 8)
        self.lstm = nn.LSTM(8, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 2)

    def forward(self, tokens):
        return self.head(self.lstm(self.embed(tokens))[0])


def _delayed(targets, delay):
    """Targets moved `delay` steps later, -100 (ignored) in front: step t + delay answers for step t."""
    return torch.cat([torch.full_like(targets[:, :delay], -100), targets[:, :targets.shape[1] - delay]], dim=1)


def _early(targets, delay):
    """The typical wrong shift: step t answers for step t + delay, before it has read the deciding word."""
    return torch.cat([targets[:, delay:], torch.full_like(targets[:, :delay], -100)], dim=1)


def _delay_experiment(shift=_delayed, length=24):
    """The experiment written another way: the targets are shifted instead of the scores."""
    def experiment(seed):
        tokens, targets, _ = (torch.as_tensor(a) for a in bank_sentences(512, length, seed=50 + seed))
        test_tokens, test_targets, _ = (torch.as_tensor(a) for a in bank_sentences(300, length, seed=5))
        results = {}
        for delay in range(5):
            torch.manual_seed(seed)
            tagger = _Tagger()
            optimiser = torch.optim.Adam(tagger.parameters(), lr=0.01)
            order = torch.Generator().manual_seed(seed)
            goal = shift(targets, delay)
            for _ in range(100):
                pick = torch.randint(len(tokens), (32,), generator=order)
                loss = nn.functional.cross_entropy(tagger(tokens[pick]).transpose(1, 2), goal[pick])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
            with torch.no_grad():
                guess = tagger(test_tokens).argmax(-1).numpy()
            goal_test = shift(test_targets, delay).numpy()
            scored = goal_test >= 0
            results[delay] = float(np.mean(guess[scored] == goal_test[scored]))
        return results
    return experiment


def _outcome(*accuracies):
    return lambda seed: dict(enumerate(accuracies))


WRONG = [
    (checks.check_bidirectional_padded_summary, _buggy_summary, "output[:, -1] is still there"),
    (checks.check_bidirectional_padded_summary, _final_states_unpacked, "the backward direction even started in it"),
    (checks.check_bidirectional_padded_summary, _forward_at_end_backward_at_start_unpacked, "forward half is right"),
    (checks.check_bidirectional_padded_summary, _packed_output_at_last_real_step, "has read only that step"),
    (checks.check_bidirectional_padded_summary, _packed_states([-1, -2]), "backward first"),
    (checks.check_bidirectional_padded_summary, _packed_states([0, 1]), "first layer's states"),
    (checks.check_bidirectional_padded_summary, _packed_states([-1]), "that is one direction"),
    (checks.check_bidirectional_padded_summary,
     lambda lstm, x, n: torch.cat(list(_packed(lstm, x, n, enforce_sorted=True)[1][0][-2:]), -1),
     "enforce_sorted=False"),
    (checks.check_bank_delay, _delay_experiment(shift=_early), "no delay helped"),
    (checks.check_bank_delay, _outcome(1.0, 1.0, 1.0, 1.0, 1.0), "reads the future"),
    (checks.check_bank_delay, _outcome(0.1, 0.13, 0.16, 0.2, 0.2), "-100"),
    (checks.check_bank_delay, _outcome(0.67, 0.83, 1.0, 1.0, 1.0), "off by one"),
    (checks.check_bank_delay, _outcome(0.5, 0.5, 0.67, 0.83, 1.0), "off by one"),
    (checks.check_bank_delay, _outcome(0.69, 0.62, 0.45, 0.01, 0.01), "look like losses"),
    (checks.check_bank_delay, _outcome(50, 67, 83, 100, 100), "percentages"),
    (checks.check_bank_delay, lambda seed: {1: 0.67, 2: 0.83, 3: 1.0}, "one held-out accuracy per delay"),
]

RIGHT = [
    (checks.check_bidirectional_padded_summary, _packed_then_read_the_output),
    (checks.check_bidirectional_padded_summary, _each_sequence_alone),
    (checks.check_bank_delay, _delay_experiment()),
    (checks.check_bank_delay, _outcome(np.float32(0.49), 0.68, torch.tensor(0.82), 0.99, 1)),
]

# Bad input for test_bad_inputs.py (same shape as its CHECKER_CASES): feedback, never a traceback.
BAD = [
    (checks.check_bank_delay, (lambda seed: {d: "high" for d in range(5)},), "every value must be one number"),
    (checks.check_bidirectional_padded_summary, (lambda lstm, x, n: "states",), "return a tensor"),
]
