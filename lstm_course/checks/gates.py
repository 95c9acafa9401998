"""Checkers for exercises/03_gates.ipynb: a forget-gate trace to debug, clamping one gate of a trained subject
tracker (an experiment, checked on its outcome), a bidirectional classifier's head."""

import itertools
import math

import torch
from torch import nn

from .bidirectional import _bidirectional_states_mistake
from .feedback import Feedback, _call, _close, _fail, _number, _tensor, checker

__all__ = ["check_bidirectional_head", "check_forget_gate_trace", "check_clamped_gate"]


@checker
def check_bidirectional_head(make_head, head_input):
    """Chapter 3 (preview of 5): make_head(hidden_size, num_classes) -> the nn.Linear on top of a bidirectional
    LSTM, and head_input(output, h_n) -> the (batch, 2 * hidden) features it reads: each direction's final state."""
    out, bad = _call(make_head, 128, 3)
    if bad:
        return bad
    if not isinstance(out, nn.Linear):
        return _fail(f"make_head must return an nn.Linear, got {type(out).__name__}")
    if out.in_features == 128:
        return _fail("in_features = 128 reads one direction only; "
                     "a bidirectional LSTM concatenates both, 2 × 128 = 256")
    if out.in_features != 256:
        return _fail(f"in_features should be 2 × hidden_size = 256, got {out.in_features}")
    if out.out_features != 3:
        return _fail(f"out_features should be the number of classes (3), got {out.out_features}")
    generator = torch.Generator().manual_seed(0)
    for layers in (1, 2):
        torch.manual_seed(layers)
        lstm = nn.LSTM(3, 4, num_layers=layers, batch_first=True, bidirectional=True)
        with torch.no_grad():
            output, (h_n, _) = lstm(torch.randn(2, 6, 3, generator=generator))
            features, bad = _call(head_input, output, h_n)
        if bad:
            return bad
        right = torch.cat([h_n[-2], h_n[-1]], dim=-1)
        answer, tol = _tensor(features, right)
        if answer is None:
            return _fail(f"head_input must return a tensor, got {type(features).__name__}")
        features = answer
        if features.shape != right.shape:
            return _fail(f"head_input should return shape (batch, 2 × hidden) = {tuple(right.shape)}, "
                         f"got {tuple(features.shape)}")
        mistake = _bidirectional_states_mistake(features, output, h_n, tol)
        if mistake:
            return _fail(mistake)
    return Feedback(True, "256 = 2 directions × 128 units, fed with each direction's final state: the forward one "
                          "after the last token, the backward one after the first.")


# --- the debugging task: a forget-gate trace with three bugs ---------------------------------------------------

def _gate_trace(lstm, x, bias_hh=True, swapped=False, carry_h=True, activate=True):
    """Forget gates (batch, time, hidden) of a one-layer batch-first nn.LSTM reading x, or what the usual bugs
    give instead: bias_hh left out, the input and forget rows swapped, h never updated, no sigmoid."""
    H = lstm.hidden_size
    h, c, trace = x.new_zeros(x.shape[0], H), x.new_zeros(x.shape[0], H), []
    with torch.no_grad():
        for t in range(x.shape[1]):
            z = x[:, t] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h @ lstm.weight_hh_l0.T
            if bias_hh:
                z = z + lstm.bias_hh_l0
            i, f, g, o = z.chunk(4, dim=-1)
            if swapped:
                i, f = f, i
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            if carry_h:
                h = torch.sigmoid(o) * torch.tanh(c)
            trace.append(torch.sigmoid(f) if activate else f)
    return torch.stack(trace, dim=1)


_TRACE_BUGS = {
    "bias_hh": "bias_hh_l0 is left out of the gates (PyTorch adds both bias vectors)",
    "swapped": "the forget gate is read from rows 0 to hidden_size, which are the input gate (the order is i, f, "
               "g, o: f is rows hidden_size to 2 * hidden_size, and i_t must come from rows 0 to hidden_size)",
    "carry_h": "h is never updated: the new hidden state goes into h_t, so every step's gates still read the zero "
               "state. Assign it to h",
}


@checker
def check_forget_gate_trace(fn):
    """Chapter 3 (debugging): fn(lstm, x) must return the forget gate f_t of every unit at every step, shape
    (batch, time, hidden), for a one-layer batch-first nn.LSTM reading x (batch, time, input)."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        lstm = nn.LSTM(5, 6, batch_first=True)
        x = torch.randn(3, 7, 5)
    right = _gate_trace(lstm, x)
    answer, bad = _call(fn, lstm, x.clone())
    if bad:
        return bad
    out, tol = _tensor(answer, right)
    if out is None:
        return _fail(f"return a tensor of gate values, got {type(answer).__name__}")
    if out.shape == (7, 3, 6):
        return _fail("expected (batch, time, hidden) = (3, 7, 6), got (time, batch, hidden): stack the steps "
                     "along dim=1")
    if out.shape != right.shape:
        return _fail(f"expected (batch, time, hidden) = {tuple(right.shape)}, got {tuple(out.shape)}")
    if _close(out, right, tol):
        return Feedback(True, "your trace equals the forget gates nn.LSTM computes: both biases, the rows "
                              "hidden_size to 2 * hidden_size, and h carried from step to step.")
    if _close(out, _gate_trace(lstm, x, activate=False), tol):
        return _fail("these are the forget gate's pre-activations: apply the sigmoid, so that every value lies "
                     "between 0 and 1")
    for flags in itertools.product((True, False), repeat=3):
        if all(flags):
            continue
        bias_hh, fixed_rows, carry_h = flags
        if _close(out, _gate_trace(lstm, x, bias_hh, not fixed_rows, carry_h), tol):
            left = [message for ok, (_, message) in zip(flags, _TRACE_BUGS.items()) if not ok]
            count = "one bug is" if len(left) == 1 else f"{len(left)} bugs are"
            return _fail(f"{count} still there: " + "; ".join(left))
    return _fail("these are not the forget gates of this nn.LSTM. Start from the buggy version and change only "
                 "what is wrong: the biases, the rows of each gate, and the state carried to the next step")


# --- the experiment: clamp one gate of a trained subject tracker ------------------------------------------------
# The vocabulary of chapter 3's subject tracker: six filler words, then three names.

_FILLERS, _NAMES = 6, 3
_CLAMP_SETTINGS = [(None, None), ("forget", 1.0), ("forget", 0.0), ("output", 1.0), ("input", 0.0)]


def _subject_batch(batch, generator, length=40, p_name=0.12):
    """Token ids (batch, length) of filler words and names, and the most recent name at each step."""
    tokens = torch.randint(0, _FILLERS, (batch, length), generator=generator)
    is_name = torch.rand(batch, length, generator=generator) < p_name
    is_name[:, 0] = True
    tokens[is_name] = _FILLERS + torch.randint(0, _NAMES, (int(is_name.sum()),), generator=generator)
    targets, current = torch.empty_like(tokens), torch.zeros(batch, dtype=torch.long)
    for t in range(length):
        current = torch.where(is_name[:, t], tokens[:, t] - _FILLERS, current)
        targets[:, t] = current
    return tokens, targets


def _clamped(model, tokens, targets, gate, value, order="ifgo", before_sigmoid=False, score="filler"):
    """Accuracy of a trained tracker with one gate held at value at every step (gate None: nothing held), scored
    on filler steps; or what the usual mistakes measure instead."""
    lstm = model.lstm
    x = nn.functional.one_hot(tokens, _FILLERS + _NAMES).float()
    h = torch.zeros(x.shape[0], lstm.hidden_size)
    c, outputs = torch.zeros_like(h), []
    with torch.no_grad():
        for t in range(x.shape[1]):
            z = x[:, t] @ lstm.weight_ih_l0.T + lstm.bias_ih_l0 + h @ lstm.weight_hh_l0.T + lstm.bias_hh_l0
            blocks = dict(zip(order, z.chunk(4, dim=-1)))
            gates = {k: torch.sigmoid(blocks[k]) for k in "ifo"}
            if gate is not None:
                held = 1 / (1 + math.exp(-value)) if before_sigmoid else value
                gates[gate[0]] = torch.full_like(gates[gate[0]], held)
            c = gates["f"] * c + gates["i"] * torch.tanh(blocks["g"])
            h = gates["o"] * torch.tanh(c)
            outputs.append(h)
        guess = model.head(torch.stack(outputs, dim=1)).argmax(-1)
    right = guess == targets
    return right[tokens < _FILLERS].float().mean().item() if score == "filler" else right.float().mean().item()


def _tracker_problem(model):
    """None if model looks like chapter 3's subject tracker (model.lstm, model.head), else what is wrong."""
    lstm, head = getattr(model, "lstm", None), getattr(model, "head", None)
    if not isinstance(lstm, nn.LSTM) or not isinstance(head, nn.Linear):
        return f"pass the trained tracker (a module with .lstm and .head), got {type(model).__name__}"
    if lstm.input_size != _FILLERS + _NAMES or not lstm.batch_first or lstm.num_layers != 1 or lstm.bidirectional:
        return "the tracker's lstm must be a one-layer, batch-first nn.LSTM reading 9 one-hot tokens"
    if head.out_features != _NAMES or head.in_features != lstm.hidden_size:
        return "the tracker's head must map the hidden state to the 3 names"
    return None


@checker
def check_clamped_gate(fn, model=None):
    """Chapter 3 (experiment): fn(model, tokens, targets, gate, value) returns the trained tracker's accuracy on
    filler steps with gate ("input", "forget", "output"; None: none) held at value at every step. Checked by
    re-measuring each setting on the same model and fresh sentences."""
    problem = _tracker_problem(model)
    if problem:
        return _fail(problem)
    tokens, targets = _subject_batch(200, torch.Generator().manual_seed(7))
    measured = {}
    for gate, value in _CLAMP_SETTINGS:
        answer, bad = _call(fn, model, tokens.clone(), targets.clone(), gate, value)
        if bad:
            return bad
        number = _number(answer)
        if number is None:
            return _fail(f"return one number, the accuracy on filler steps, got {type(answer).__name__}")
        measured[gate, value] = number
    right = {key: _clamped(model, tokens, targets, *key) for key in _CLAMP_SETTINGS}

    def name(key):
        return "nothing held" if key[0] is None else f"{key[0]} gate held at {key[1]:g}"

    def matches(other):
        return all(abs(measured[k] - other[k]) <= 0.005 for k in _CLAMP_SETTINGS)

    if right[None, None] < 0.9:
        return _fail(f"with nothing held your tracker is right on only {right[None, None]:.2f} of filler steps: "
                     "train it first (the cell above), then measure what each gate does")
    if matches(right):
        return Feedback(True, "on filler steps: " + "; ".join(f"{name(k)} {right[k]:.2f}" for k in _CLAMP_SETTINGS)
                        + ". Holding the forget gate at 1 keeps every old name on the belt; at 0 the name survives "
                          "only where the candidate writes it again from h; with no writing (input at 0) nothing is "
                          "kept. The output gate, held open, costs "
                        + f"{right[None, None] - right['output', 1.0]:.2f}: here it hides almost nothing.")
    if max(measured.values()) > 1 and max(measured.values()) <= 100:
        return _fail("these look like percentages: return the share of filler steps predicted right, between 0 and 1")
    if matches({k: right[None, None] for k in _CLAMP_SETTINGS}):
        return _fail("every setting gives the unclamped accuracy: your clamp changes nothing. Replace the gate's "
                     "value (after its sigmoid) by `value` at every step, before c_t and h_t are computed")
    if matches({k: _clamped(model, tokens, targets, *k, score="all") for k in _CLAMP_SETTINGS}):
        return _fail("you scored every step; score only the filler steps (tokens < 6): a name step is right by "
                     "reading its own token, whatever the memory holds")
    if matches({k: _clamped(model, tokens, targets, *k, before_sigmoid=True) for k in _CLAMP_SETTINGS}):
        return _fail("you held the gate's pre-activation at value, so the gate sat at sigmoid(value): 0.73 instead "
                     "of 1, 0.5 instead of 0. Hold the gate itself, after the sigmoid")
    for order in ("figo", "igfo", "ifog"):
        if matches({k: _clamped(model, tokens, targets, *k, order=order) for k in _CLAMP_SETTINGS}):
            return _fail(f"you split the gates in the order {', '.join(order)}; nn.LSTM stacks them as i, f, g, o, so "
                         "you held a different gate from the one asked")
    wrong = [k for k in _CLAMP_SETTINGS if abs(measured[k] - right[k]) > 0.005]
    key = wrong[0]
    return _fail(f"with the {name(key)}, this tracker is right on {right[key]:.3f} of filler steps, you measured "
                 f"{measured[key]:.3f}. Run the cell by hand with the trained weights (order i, f, g, o, both biases), "
                 "hold the gate after its sigmoid at every step, and score the filler steps")
