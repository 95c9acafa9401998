"""Exercise cases for exercises/09_word_language_model.ipynb (collected by test_exercises.py): the typical wrong
answers of the debugging and experiment tasks, each with the words its message must contain, and right answers
written differently from the hidden solutions."""

import numpy as np
import torch
from torch import nn

from lstm_course import checks
from lstm_course.data import human_numbers


# --- Task 2 (debugging): a stateful loop that crashed (no detach) and drifted (no zero_grad) -------------------

def _loop(detach="both", zero_grad=True, reset=False, retain_graph=False):
    """The exercise's loop with each of its two bugs fixed or not, and the usual half-fixes."""
    def train(model, rows, bptt, optimiser):
        losses, state = [], None
        for start in range(0, rows.shape[1] - 1, bptt):
            target = rows[:, start + 1:start + 1 + bptt]
            logits, state = model(rows[:, start:start + target.shape[1]], None if reset else state)
            if detach == "both":
                state = tuple(s.detach() for s in state)
            elif detach == "h only":
                state = (state[0].detach(), state[1])
            loss = nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten())
            if zero_grad:
                optimiser.zero_grad()
            loss.backward(retain_graph=retain_graph)
            optimiser.step()
            losses.append(loss.item())
        return losses
    return train


def _zero_grad_between_backward_and_step(model, rows, bptt, optimiser):
    losses, state = [], None
    for start in range(0, rows.shape[1] - 1, bptt):
        target = rows[:, start + 1:start + 1 + bptt]
        logits, state = model(rows[:, start:start + target.shape[1]], state)
        state = tuple(s.detach() for s in state)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten())
        loss.backward()
        optimiser.zero_grad()
        optimiser.step()
        losses.append(loss.item())
    return losses


def _detach_on_the_way_in(model, rows, bptt, optimiser):
    """Right, written differently: detach the incoming state, chunk list built first, set_to_none=False."""
    starts = range(0, rows.shape[1] - 1, bptt)
    pieces = [(rows[:, s:min(s + bptt, rows.shape[1] - 1)], rows[:, s + 1:min(s + bptt, rows.shape[1] - 1) + 1])
              for s in starts]
    state, losses = None, []
    for x, y in pieces:
        if state is not None:
            h, c = state
            state = (h.detach(), c.detach())
        optimiser.zero_grad(set_to_none=False)
        logits, state = model(x, state)
        loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        loss.backward()
        optimiser.step()
        losses.append(torch.tensor(loss.item()))
    return losses


def _zero_each_parameter(model, rows, bptt, optimiser):
    """Right, written differently: gradients zeroed on the model's parameters by hand, losses returned as a tensor."""
    losses, state = [], None
    for start in range(0, rows.shape[1] - 1, bptt):
        x, y = rows[:, start:start + bptt + 1][:, :-1], rows[:, start + 1:start + bptt + 1]
        x = x[:, :y.shape[1]]
        for p in model.parameters():
            p.grad = None
        logits, (h, c) = model(x, state)
        state = (h.detach(), c.detach())
        nn.functional.cross_entropy(logits.transpose(1, 2), y).backward()
        optimiser.step()
        with torch.no_grad():
            losses.append(nn.functional.cross_entropy(logits.transpose(1, 2), y).item())
    return torch.tensor(losses)


# --- Task 3 (experiment): accuracy at each position of a chunk, state carried or reset ---------------------------

def _curves(carried, reset):
    """A function that returns measured curves without training (to test the checker's reading of them)."""
    return lambda carry, seed=0: carried if carry else reset


CARRIED = [0.467, 0.475, 0.465, 0.472, 0.468, 0.474, 0.467, 0.471]  # measured, seed 5
RESET = [0.155, 0.399, 0.39, 0.398, 0.391, 0.399, 0.39, 0.395]
CARRIED_READ_RESET = [0.18, 0.443, 0.285, 0.422, 0.305, 0.346, 0.365, 0.404]  # trained carried, read reset
RESET_READ_CARRIED = [0.388, 0.399, 0.388, 0.395, 0.393, 0.398, 0.393, 0.396]  # trained reset, read carried


class _Data:
    words = None

    @classmethod
    def ids(cls):
        if cls.words is None:
            train_words, valid_words, vocab = human_numbers()
            word_id = {word: n for n, word in enumerate(vocab)}
            cls.words = (torch.tensor([word_id[w] for w in train_words]),
                         torch.tensor([word_id[w] for w in valid_words]), len(vocab))
        return cls.words


def _by_position_with_unfold(carry, seed=3):
    """Right, written differently: another seed, rows cut with unfold, the state zeroed explicitly when reset."""
    train_ids, valid_ids, words = _Data.ids()
    torch.manual_seed(seed)
    embed, lstm, out = nn.Embedding(words, 32), nn.LSTM(32, 32, batch_first=True), nn.Linear(32, words)
    params = [*embed.parameters(), *lstm.parameters(), *out.parameters()]
    optimiser = torch.optim.Adam(params, lr=0.02)
    zeros = lambda n: (torch.zeros(1, n, 32), torch.zeros(1, n, 32))
    rows = train_ids[:len(train_ids) // 64 * 64].view(64, -1)
    state = zeros(64)
    for start in range(0, rows.shape[1] - 1, 8):
        y = rows[:, start + 1:start + 9]
        x = rows[:, start:start + y.shape[1]]
        output, new_state = lstm(embed(x), state if carry else zeros(64))
        state = tuple(s.detach() for s in new_state)
        loss = nn.functional.cross_entropy(out(output).flatten(0, 1), y.flatten())
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        optimiser.step()
    valid = valid_ids[:len(valid_ids) // 8 * 8].view(8, -1)
    windows = valid.unfold(1, 9, 8)  # (8 rows, chunks, 9): a chunk and its next token
    right, state = torch.zeros(8), zeros(8)
    with torch.no_grad():
        for k in range(windows.shape[1]):
            output, new_state = lstm(embed(windows[:, k, :8]), state if carry else zeros(8))
            state = new_state
            right += (out(output).argmax(-1) == windows[:, k, 1:]).float().sum(0)
    return right / (8 * windows.shape[1])


WRONG = [
    (checks.check_stateful_training, _loop(detach="none", zero_grad=False), "detach the state after each chunk"),
    (checks.check_stateful_training, _loop(detach="h only"), "both parts of it"),
    (checks.check_stateful_training, _loop(detach="none", retain_graph=True), "retain_graph=True?"),
    (checks.check_stateful_training, _loop(zero_grad=False), "the gradients add up across chunks"),
    (checks.check_stateful_training, _loop(detach="none", reset=True), "the state is reset at every chunk"),
    (checks.check_stateful_training, _zero_grad_between_backward_and_step, "before loss.backward()"),
    (checks.check_accuracy_by_position, _curves(CARRIED_READ_RESET, RESET), "carry the state while reading"),
    (checks.check_accuracy_by_position, _curves(CARRIED, RESET_READ_CARRIED), "start every chunk from a zero state"),
    (checks.check_accuracy_by_position, _curves(CARRIED[::-1], RESET[::-1]), "your positions run backwards"),
    (checks.check_accuracy_by_position, _curves([100 * v for v in CARRIED], [100 * v for v in RESET]), "percentages"),
    (checks.check_accuracy_by_position, _curves(CARRIED, CARRIED), "both runs gave the same numbers"),
    # the optimiser never stepped: untrained models
    (checks.check_accuracy_by_position, _curves([0.04, 0.05, 0.03, 0.04, 0.05, 0.04, 0.04, 0.03], [0.03] * 8),
     "the models barely learned"),
]

RIGHT = [
    (checks.check_stateful_training, _detach_on_the_way_in),
    (checks.check_stateful_training, _zero_each_parameter),
    (checks.check_accuracy_by_position, _by_position_with_unfold),
    (checks.check_accuracy_by_position, _curves(np.array(CARRIED, dtype=np.float32), torch.tensor(RESET))),
]

# Bad input for test_bad_inputs.py (same shape as its CHECKER_CASES): feedback, never a traceback.
BAD = [
    (checks.check_stateful_training, ("train",), "expected a function"),
    (checks.check_stateful_training, (lambda model, rows, bptt, optimiser: None,), "return the list"),
    (checks.check_accuracy_by_position, (3,), "expected a function"),
    (checks.check_accuracy_by_position, (lambda carry: "good",), "one accuracy per position"),
]
