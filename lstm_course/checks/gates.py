"""Checkers for exercises/03_gates.ipynb: one LSTM step, its parameter count, a bidirectional classifier's head."""

import torch
from torch import nn

from .bidirectional import _bidirectional_states_mistake
from .feedback import Feedback, _as_int, _call, _close, _fail, _tensor, checker

__all__ = ["check_lstm_step", "check_lstm_param_count", "check_bidirectional_head"]


def _reference_step(x, h, c, w_ih, w_hh, b_ih, b_hh, order="ifgo", tanh_c=True):
    gates = dict(zip(order, (x @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4, dim=-1)))
    i, f, g, o = torch.sigmoid(gates["i"]), torch.sigmoid(gates["f"]), torch.tanh(gates["g"]), torch.sigmoid(gates["o"])
    c_next = f * c + i * g
    return o * (torch.tanh(c_next) if tanh_c else c_next), c_next


@checker
def check_lstm_step(fn):
    """Chapter 3: fn(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh) -> (h_t, c_t) must equal nn.LSTMCell."""
    torch.manual_seed(0)
    cell = nn.LSTMCell(3, 5, dtype=torch.float64)
    x, h, c = (torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 5, dtype=torch.float64),
               torch.randn(2, 5, dtype=torch.float64))
    params = [p.detach() for p in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]
    out, bad = _call(fn, x, h, c, *params)
    if bad:
        return bad
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return _fail("return the pair (h_t, c_t)")
    (h_t, tol), (c_t, _) = _tensor(out[0], h), _tensor(out[1], c)
    if h_t is None or c_t is None:
        return _fail("h_t and c_t must be tensors (or arrays) of numbers")
    if h_t.shape != (2, 5) or c_t.shape != (2, 5):
        return _fail(f"expected h_t and c_t of shape (batch, hidden) = (2, 5), got {tuple(h_t.shape)} and "
                     f"{tuple(c_t.shape)}; check the transposes: gates = x @ weight_ih.T + h @ weight_hh.T + biases")
    with torch.no_grad():
        h_ref, c_ref = cell(x, (h, c))
    if _close(h_t, h_ref, tol) and _close(c_t, c_ref, tol):
        return Feedback(True, "your step equals nn.LSTMCell, to the precision of your dtype.")
    if _close(h_t, c_ref, tol) and _close(c_t, h_ref, tol):
        return _fail("you returned (c_t, h_t): return (h_t, c_t) in that order, as nn.LSTMCell does")
    for order in ("figo", "igfo", "ifog", "fiog", "oifg"):
        h_w, c_w = _reference_step(x, h, c, *params, order=order)
        if _close(h_t, h_w, tol) and _close(c_t, c_w, tol):
            return _fail(f"you read the gates in the order {', '.join(order)}; PyTorch stacks them as i, f, g, o")
    h_w, c_w = _reference_step(x, h, c, *params, tanh_c=False)
    if _close(c_t, c_ref, tol) and _close(h_t, h_w, tol):
        return _fail("c_t is right, but h_t = o_t * tanh(c_t): you left out the tanh")
    if _close(c_t, c_ref, tol):
        return _fail("c_t is right but h_t is not: h_t = o_t * tanh(c_t)")
    if _close(h_t, h_ref, tol):
        return _fail("h_t is right but you returned something else as c_t: return (h_t, c_t) in that order")
    h_w, c_w = _reference_step(x, h, c, params[0], params[1], params[2], torch.zeros_like(params[3]))
    if _close(c_t, c_w, tol):
        return _fail("you left out bias_hh: PyTorch adds both bias vectors")
    return _fail("your (h_t, c_t) differ from nn.LSTMCell; compare each gate with the equations in chapter 3")


@checker
def check_lstm_param_count(fn):
    """Chapter 3: fn(input_size, hidden_size) must return the parameter count of nn.LSTM(input_size, hidden_size)."""
    for inp, hid in ((10, 20), (1, 1), (128, 256)):
        out, bad = _call(fn, inp, hid)
        if bad:
            return bad
        n, bad = _as_int(out, "the parameter count")
        if bad:
            return bad
        right = sum(p.numel() for p in nn.LSTM(inp, hid).parameters())
        if n == right:
            continue
        if n == 4 * (hid * inp + hid * hid + hid):
            return _fail("you counted one bias vector per block; PyTorch keeps two (bias_ih and bias_hh)")
        if n == 4 * (hid * inp + hid * hid):
            return _fail("you left out the biases: two vectors of hidden_size per block")
        if n == 3 * (hid * inp + hid * hid + 2 * hid):
            return _fail("that is a GRU's count (3 blocks); an LSTM has 4 (i, f, g, o)")
        if n == right // 4:
            return _fail("that is one block; an LSTM stacks four")
        return _fail(f"nn.LSTM({inp}, {hid}) has {right} parameters, you returned {n}")
    return Feedback(True, "4 × (H·I + H·H + 2·H), matching sum(p.numel()) for every size tried.")


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
