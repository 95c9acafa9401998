"""Exercise cases for exercises/03_gates.ipynb's newer tasks (collected by test_exercises.py): typical wrong answers
with the words their feedback must use, and right answers written unlike the solutions."""

import numpy as np
import torch
from torch import nn

from lstm_course import checks

FILLERS, NAMES = 6, 3


# --- the forget-gate trace to debug ------------------------------------------------------------------------------

def _trace(lstm, x, bias_hh=True, f_rows=1, carry_h=True, sigmoid=True):
    """The debugging task's loop with each fix switched on or off; f_rows: which block of H rows is read as f."""
    H = lstm.hidden_size
    h, c, out = x.new_zeros(x.shape[0], H), x.new_zeros(x.shape[0], H), []
    with torch.no_grad():
        for t in range(x.shape[1]):
            z = x[:, t] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h @ lstm.weight_hh_l0.T
            z = z + lstm.bias_hh_l0 if bias_hh else z
            f_pre = z[:, f_rows * H:(f_rows + 1) * H]
            i_pre = z[:, (1 - f_rows) * H:(2 - f_rows) * H]
            c = torch.sigmoid(f_pre) * c + torch.sigmoid(i_pre) * torch.tanh(z[:, 2 * H:3 * H])
            h_t = torch.sigmoid(z[:, 3 * H:]) * torch.tanh(c)
            h = h_t if carry_h else h
            out.append(torch.sigmoid(f_pre) if sigmoid else f_pre)
    return torch.stack(out, dim=1)


def _trace_from_outputs(lstm, x):
    """All steps at once: nn.LSTM gives every h_t, so h_(t-1) is its output shifted by one step."""
    H = lstm.hidden_size
    with torch.no_grad():
        outputs, _ = lstm(x)
        h_prev = torch.cat([outputs.new_zeros(x.shape[0], 1, H), outputs[:, :-1]], dim=1)
        f_pre = (x @ lstm.weight_ih_l0[H:2 * H].T + lstm.bias_ih_l0[H:2 * H]
                 + h_prev @ lstm.weight_hh_l0[H:2 * H].T + lstm.bias_hh_l0[H:2 * H])
    return torch.sigmoid(f_pre)


def _trace_with_cell(lstm, x):
    """Steps nn.LSTMCell (loaded with the weights) for h and c; the forget gate from its slices, in numpy."""
    H = lstm.hidden_size
    cell = nn.LSTMCell(lstm.input_size, H)
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    w_ih, w_hh = lstm.weight_ih_l0.detach().numpy(), lstm.weight_hh_l0.detach().numpy()
    b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy()
    h, c, out = torch.zeros(x.shape[0], H), torch.zeros(x.shape[0], H), []
    with torch.no_grad():
        for t in range(x.shape[1]):
            z = x[:, t].numpy() @ w_ih.T + h.numpy() @ w_hh.T + b
            out.append(1 / (1 + np.exp(-z[:, H:2 * H])))
            h, c = cell(x[:, t], (h, c))
    return np.stack(out, axis=1)


# --- the gate-clamping experiment --------------------------------------------------------------------------------

def _subject_batch(batch, generator, length=40, p_name=0.12):
    tokens = torch.randint(0, FILLERS, (batch, length), generator=generator)
    is_name = torch.rand(batch, length, generator=generator) < p_name
    is_name[:, 0] = True
    tokens[is_name] = FILLERS + torch.randint(0, NAMES, (int(is_name.sum()),), generator=generator)
    targets, current = torch.empty_like(tokens), torch.zeros(batch, dtype=torch.long)
    for t in range(length):
        current = torch.where(is_name[:, t], tokens[:, t] - FILLERS, current)
        targets[:, t] = current
    return tokens, targets


class _Tracker(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(FILLERS + NAMES, 8, batch_first=True)
        self.head = nn.Linear(8, NAMES)

    def forward(self, tokens):
        return self.head(self.lstm(nn.functional.one_hot(tokens, FILLERS + NAMES).float())[0])


def _trained_tracker(steps=150):
    """A subject tracker trained as in the exercise, shorter (well under a second; right on every filler step)."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = _Tracker()
        optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
        batches = torch.Generator().manual_seed(1000)
        for _ in range(steps):
            tokens, targets = _subject_batch(32, batches)
            loss = nn.functional.cross_entropy(model(tokens).reshape(-1, NAMES), targets.reshape(-1))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return model


TRACKER = _trained_tracker()
ROWS = {"input": 0, "forget": 1, "output": 3}


def _clamp(model, tokens, targets, gate=None, value=None, rows=ROWS, before_sigmoid=False, every_step=False,
           clamp=True):
    """Accuracy on filler steps with the gate held, by weight slices; the switches give the usual mistakes."""
    lstm, H = model.lstm, model.lstm.hidden_size
    x = nn.functional.one_hot(tokens, FILLERS + NAMES).float()
    h = torch.zeros(len(tokens), H)
    c, guesses = torch.zeros_like(h), []
    block = {name: slice(r * H, (r + 1) * H) for name, r in rows.items()}
    with torch.no_grad():
        for t in range(tokens.shape[1]):
            z = x[:, t] @ lstm.weight_ih_l0.T + h @ lstm.weight_hh_l0.T + lstm.bias_ih_l0 + lstm.bias_hh_l0
            pre = {name: z[:, s] for name, s in block.items()}
            if gate is not None and clamp and before_sigmoid:
                pre[gate] = torch.full_like(pre[gate], value)
            act = {name: torch.sigmoid(p) for name, p in pre.items()}
            if gate is not None and clamp and not before_sigmoid:
                held = torch.zeros_like(act[gate]) + value
                act[gate] = held
            c = act["forget"] * c + act["input"] * torch.tanh(z[:, 2 * H:3 * H])
            h = act["output"] * torch.tanh(c)
            guesses.append(model.head(h).argmax(-1))
    right = torch.stack(guesses, dim=1) == targets
    return right.float().mean().item() if every_step else right[tokens < FILLERS].float().mean().item()


def _clamp_by_mask(model, tokens, targets, gate=None, value=None):
    """Holds the gate by blending with a mask over all four blocks; returns a numpy float."""
    lstm, H = model.lstm, model.lstm.hidden_size
    mask = torch.zeros(4 * H)
    if gate is not None:
        mask[ROWS[gate] * H:(ROWS[gate] + 1) * H] = 1.0
    h = torch.zeros(len(tokens), H)
    c, outputs = torch.zeros_like(h), []
    with torch.no_grad():
        for t in range(tokens.shape[1]):
            x_t = nn.functional.one_hot(tokens[:, t], FILLERS + NAMES).float()
            z = torch.addmm(lstm.bias_ih_l0 + lstm.bias_hh_l0, x_t, lstm.weight_ih_l0.T) + h @ lstm.weight_hh_l0.T
            a = torch.sigmoid(z)
            a = a * (1 - mask) + (value if gate is not None else 0.0) * mask
            i, f, _, o = a.chunk(4, dim=-1)
            c = f * c + i * torch.tanh(z[:, 2 * H:3 * H])
            h = o * torch.tanh(c)
            outputs.append(h)
        guess = model.head(torch.stack(outputs, dim=1)).argmax(-1).numpy()
    filler = tokens.numpy() < FILLERS
    return np.float64((guess == targets.numpy())[filler].mean())


WRONG = [
    (checks.check_forget_gate_trace, lambda lstm, x: _trace(lstm, x, bias_hh=False, f_rows=0, carry_h=False),
     "3 bugs are still there"),
    (checks.check_forget_gate_trace, lambda lstm, x: _trace(lstm, x, f_rows=0, carry_h=False),
     "h is never updated"),
    (checks.check_forget_gate_trace, lambda lstm, x: _trace(lstm, x, bias_hh=False), "bias_hh_l0 is left out"),
    (checks.check_forget_gate_trace, lambda lstm, x: _trace(lstm, x, f_rows=0), "which are the input gate"),
    (checks.check_forget_gate_trace, lambda lstm, x: _trace(lstm, x, sigmoid=False), "pre-activations"),
    (checks.check_forget_gate_trace, lambda lstm, x: _trace(lstm, x).transpose(0, 1), "along dim=1"),
    (checks.check_clamped_gate, (lambda m, t, y, g, v: _clamp(m, t, y, g, v, every_step=True), TRACKER),
     "you scored every step"),
    (checks.check_clamped_gate, (lambda m, t, y, g, v: _clamp(m, t, y, g, v, before_sigmoid=True), TRACKER),
     "held the gate's pre-activation"),
    (checks.check_clamped_gate, (lambda m, t, y, g, v: _clamp(m, t, y, g, v, {"input": 1, "forget": 0,
                                                                              "output": 3}), TRACKER),
     "order f, i, g, o"),
    (checks.check_clamped_gate, (lambda m, t, y, g, v: _clamp(m, t, y, g, v, clamp=False), TRACKER),
     "your clamp changes nothing"),
    (checks.check_clamped_gate, (lambda m, t, y, g, v: 100 * _clamp(m, t, y, g, v), TRACKER),
     "look like percentages"),
    (checks.check_clamped_gate, (_clamp, _Tracker()), "train it first"),
    (checks.check_clamped_gate, (_clamp, TRACKER.lstm), "pass the trained tracker"),
]

RIGHT = [
    (checks.check_forget_gate_trace, _trace_from_outputs),
    (checks.check_forget_gate_trace, _trace_with_cell),
    (checks.check_clamped_gate, (_clamp, TRACKER)),
    (checks.check_clamped_gate, (_clamp_by_mask, TRACKER)),
]

# Bad input for test_bad_inputs.py (same shape as its CHECKER_CASES): feedback, never a traceback.
BAD = [
    (checks.check_forget_gate_trace, (lambda l, x: "gates",), "return a tensor of gate values"),
    (checks.check_clamped_gate, (lambda *a: 0.5, None), "pass the trained tracker"),
]
