"""Answer checkers for the exercise notebooks: each compares a learner's answer with the reference and
with typical mistakes, and returns Feedback that names the mistake."""

import functools
import html
import math

import numpy as np
import torch
from torch import nn


class Feedback:
    """The verdict of a checker: ok (bool) and a message; shows as a coloured box in Jupyter."""

    def __init__(self, ok, message):
        self.ok, self.message = bool(ok), str(message)

    def __repr__(self):
        return ("✓ " if self.ok else "✗ ") + self.message

    def _repr_html_(self):
        colour = "#009E73" if self.ok else "#D55E00"
        return (f'<div style="border-left:4px solid {colour};padding:.3em .7em" role="status">'
                f'{"✓ Correct." if self.ok else "✗ Not yet."} {html.escape(self.message)}</div>')


def _fail(msg):
    return Feedback(False, msg)


def _call(fn, *args):
    """Run the learner's function; turn an exception into Feedback instead of a traceback."""
    if not callable(fn):
        return None, _fail(f"expected a function, got {type(fn).__name__}")
    try:
        return fn(*args), None
    except NotImplementedError:
        return None, _fail("the function still raises NotImplementedError: replace it with your code")
    except Exception as err:  # the learner's bug, reported plainly
        return None, _fail(f"your function raised {type(err).__name__}: {err}")


def _as_int(value, what):
    if value is None:
        return None, _fail(f"no answer yet: replace None with {what}")
    number = _number(value)
    if number is None or not number.is_integer():
        return None, _fail(f"{what} must be a whole number, got {value!r}")
    return int(number), None


def _number(value):
    """The learner's answer as a Python float (from int, float, a numpy scalar or a one-element tensor or
    array), or None if it is not one number."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if torch.is_tensor(value) and value.numel() == 1 and value.dtype != torch.bool:
        return float(value.item())
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu":
        return float(value.item())
    return None


def _tensor(value, like):
    """The learner's answer (a tensor of any float dtype, a numpy array, a list of numbers) as a tensor of
    like's dtype, with the tolerance its own precision allows; (None, None) if it is not an array of numbers."""
    if torch.is_tensor(value):
        source_dtype = value.dtype
        value = value.detach().cpu()
    elif isinstance(value, (np.ndarray, np.generic, list, tuple)):
        try:
            array = np.asarray(value)
        except (TypeError, ValueError):
            return None, None
        if array.dtype.kind not in "fiu":
            return None, None
        source_dtype = torch.float32 if array.dtype == np.float32 else torch.float64
        value = torch.as_tensor(array.astype(np.float64))
    else:
        return None, None
    if source_dtype in (torch.float16, torch.bfloat16):
        tolerance = {"rtol": 1e-2, "atol": 1e-3}
    elif torch.float32 in (source_dtype, like.dtype):
        tolerance = {"rtol": 1e-4, "atol": 1e-5}
    else:
        tolerance = {"rtol": 1e-7, "atol": 1e-9}
    return value.to(like.dtype), tolerance


def _close(answer, right, tolerance):
    """True if answer matches right within the tolerance of the answer's precision."""
    return answer.shape == right.shape and torch.allclose(answer, right, **tolerance)


# --- chapter 1 ---------------------------------------------------------------------------------

def check_steps_below(answer, factor=0.9, threshold=1e-3):
    """Chapter 1: the fewest steps k with factor**k < threshold."""
    k, bad = _as_int(answer, "the number of steps")
    if bad:
        return bad
    right = math.floor(math.log(threshold) / math.log(factor)) + 1
    if k == right:
        return Feedback(True, f"{factor}^{k} = {factor ** k:.2e} < {threshold}, and {factor}^{k - 1} = {factor ** (k - 1):.2e} is not.")
    if k == right - 1:
        return _fail(f"off by one: {factor}^{k} = {factor ** k:.2e} is not yet below {threshold}.")
    if k == right + 1:
        return _fail(f"off by one: {factor}^{k - 1} = {factor ** (k - 1):.2e} is already below {threshold}.")
    if k == round(threshold / (1 - factor)) or k == round((1 - threshold) / (1 - factor)):
        return _fail("the factors multiply, they do not subtract: solve factor**k < threshold with logarithms.")
    return _fail(f"{factor}^{k} = {factor ** k:.2e}. Solve factor**k < threshold: k > log(threshold) / log(factor).")


def clip_reference(grads, max_norm):
    """Gradients scaled the way torch.nn.utils.clip_grad_norm_ scales them (one factor for all)."""
    if isinstance(grads, torch.Tensor) or not grads or not all(torch.is_tensor(g) for g in grads):
        raise TypeError("grads must be a non-empty list of tensors")
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float)) or not max_norm > 0:
        raise ValueError(f"max_norm must be a positive number, got {max_norm!r}")
    total = torch.sqrt(sum(g.pow(2).sum() for g in grads))
    factor = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    return [g * factor for g in grads]


def check_clip_by_total_norm(fn):
    """Chapter 1: fn(grads, max_norm) must return grads scaled like torch.nn.utils.clip_grad_norm_."""
    torch.manual_seed(0)
    cases = [([torch.randn(3, 4) * 10, torch.randn(5) * 10], 1.0),    # must shrink
             ([torch.randn(3, 4) * 1e-3, torch.randn(5) * 1e-3], 1.0)]  # must stay as is
    for originals, max_norm in cases:
        out, bad = _call(fn, [g.clone() for g in originals], max_norm)
        if bad:
            return bad
        converted = [_tensor(o, g) for o, g in zip(out, originals)] if isinstance(out, (list, tuple)) else []
        if len(converted) != len(originals) or any(t is None for t, _ in converted):
            return _fail("return a list of tensors, one per gradient, in the same order")
        out, tol = [t for t, _ in converted], converted[0][1]
        if any(o.shape != g.shape for o, g in zip(out, originals)):
            return _fail("each returned tensor must keep the shape of its gradient")
        if all(_close(o, r, tol) for o, r in zip(out, clip_reference(originals, max_norm))):
            continue
        total = torch.sqrt(sum(g.pow(2).sum() for g in originals))
        per_tensor = [g * min(1.0, max_norm / g.norm().item()) for g in originals]
        if all(_close(o, p, tol) for o, p in zip(out, per_tensor)):
            return _fail("you clipped each tensor by its own norm; clipping uses the norm of all gradients "
                         "together, so every tensor is scaled by the same factor")
        if total < max_norm and all(_close(o, g * max_norm / total, tol) for o, g in zip(out, originals)):
            return _fail("your function scaled a small gradient up to max_norm; clipping only ever shrinks "
                         "(factor min(1, max_norm / total_norm))")
        return _fail(f"for total norm {total:.3g} and max_norm {max_norm}, expected every gradient scaled by "
                     f"{min(1.0, max_norm / total.item()):.3g}")
    return Feedback(True, "your clipping matches torch.nn.utils.clip_grad_norm_, for large and small gradients.")


# --- chapter 2 ---------------------------------------------------------------------------------

def check_belt_factor(fn):
    """Chapter 2: fn(forget_gates) with forget_gates of shape (time, hidden) must return the per-unit product."""
    torch.manual_seed(0)
    f = torch.rand(12, 5, dtype=torch.float64) * 0.5 + 0.5
    answer, bad = _call(fn, f.clone())
    if bad:
        return bad
    out, tol = _tensor(answer, f)
    if out is None:
        return _fail(f"return a tensor (or array) of numbers, got {type(answer).__name__}")
    if out.shape != (5,):
        hint = " (you reduced over the wrong dimension: time is dim 0)" if out.shape == (12,) else ""
        return _fail(f"expected one factor per unit, shape (5,), got {tuple(out.shape)}{hint}")
    right = f.prod(dim=0)
    if _close(out, right, tol):
        return Feedback(True, "the gradient along the belt is the product of the forget gates over time, unit by unit.")
    if _close(out, f.sum(dim=0), tol):
        return _fail("you added the forget gates; along the belt each step multiplies the gradient by f_t")
    if _close(out, f.mean(dim=0), tol):
        return _fail("you averaged the forget gates; the per-step factors multiply")
    if _close(out, f[-1], tol) or _close(out, f[0], tol):
        return _fail("you used one step's forget gate; every step on the way contributes a factor")
    return _fail("expected the product over time of the forget gates, for each unit")


def check_forget_bias_for(fn):
    """Chapter 2: fn(f) must return the bias b with sigmoid(b) = f (for 0 < f < 1)."""
    for f in (0.5, 0.73, 0.95, 0.99):
        answer, bad = _call(fn, f)
        if bad:
            return bad
        out = _number(answer)
        if out is None:
            return _fail(f"return one number (a float, or a one-element tensor or array), got {type(answer).__name__}")
        right = math.log(f / (1 - f))
        tol = 1e-5 * max(1.0, abs(right))       # float32 arithmetic (torch.logit on a float32 tensor) is this close
        if abs(out - right) <= tol:
            continue
        if abs(out - f) <= tol:
            return _fail("you returned the gate value itself; the bias is the pre-activation, so invert the sigmoid")
        if abs(out + right) <= tol:
            return _fail("sign error: sigmoid(b) = f means b = log(f / (1 - f)), which is positive for f > 0.5")
        gate = 1 / (1 + math.exp(-out)) if out > -700 else 0.0
        return _fail(f"for f = {f}, sigmoid({out:.7g}) = {gate:.7g}, not {f}")
    return Feedback(True, "b = log(f / (1 - f)): forget bias 3 gives f ≈ 0.95, as used in chapter 2.")


def check_set_forget_bias(fn):
    """Chapter 2: fn(lstm, value) must set every layer's forget-gate bias so that the gate starts at sigmoid(value)."""
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2)
    before = {k: v.detach().clone() for k, v in lstm.state_dict().items()}
    _, bad = _call(fn, lstm, 2.0)
    if bad:
        return bad
    H = 4
    for layer in range(2):
        b_ih = getattr(lstm, f"bias_ih_l{layer}").detach()
        b_hh = getattr(lstm, f"bias_hh_l{layer}").detach()
        total = b_ih + b_hh
        if torch.allclose(total[:H], torch.full((H,), 2.0)) and not torch.allclose(total[H:2 * H], torch.full((H,), 2.0)):
            return _fail("you set the first quarter, which is the input gate: PyTorch's order is i, f, g, o, so the "
                         "forget gate is rows hidden_size to 2 * hidden_size")
        if torch.allclose(total[H:2 * H], torch.full((H,), 4.0)):
            return _fail("both bias_ih and bias_hh hold the value, so the gate sees twice it; set one and zero the other")
        if not torch.allclose(total[H:2 * H], torch.full((H,), 2.0)):
            if layer == 1 and torch.allclose(getattr(lstm, "bias_ih_l1").detach(), before["bias_ih_l1"]):
                return _fail("layer 0 is right, but a 2-layer LSTM has biases bias_ih_l1, bias_hh_l1 too")
            return _fail(f"layer {layer}: bias_ih + bias_hh for the forget gate should be 2.0, got {total[H:2 * H].tolist()}")
        others = torch.cat([total[:H], total[2 * H:]])
        before_others = torch.cat([(before[f"bias_ih_l{layer}"] + before[f"bias_hh_l{layer}"])[:H],
                                   (before[f"bias_ih_l{layer}"] + before[f"bias_hh_l{layer}"])[2 * H:]])
        if not torch.allclose(others, before_others):
            return _fail("you changed the other gates' biases too; only rows hidden_size to 2 * hidden_size belong to f")
    return Feedback(True, "every layer's forget gate now starts at sigmoid(2.0) ≈ 0.88, the other gates untouched.")


# --- chapter 3 ---------------------------------------------------------------------------------

def _reference_step(x, h, c, w_ih, w_hh, b_ih, b_hh, order="ifgo", tanh_c=True):
    gates = dict(zip(order, (x @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4, dim=-1)))
    i, f, g, o = torch.sigmoid(gates["i"]), torch.sigmoid(gates["f"]), torch.tanh(gates["g"]), torch.sigmoid(gates["o"])
    c_next = f * c + i * g
    return o * (torch.tanh(c_next) if tanh_c else c_next), c_next


def check_lstm_step(fn):
    """Chapter 3: fn(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh) -> (h_t, c_t) must equal nn.LSTMCell."""
    torch.manual_seed(0)
    cell = nn.LSTMCell(3, 5, dtype=torch.float64)
    x, h, c = torch.randn(2, 3, dtype=torch.float64), torch.randn(2, 5, dtype=torch.float64), torch.randn(2, 5, dtype=torch.float64)
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


def _bidirectional_states_mistake(features, output, h_n, tol):
    """None if features are the top layer's forward and backward final states of a bidirectional LSTM, joined in
    that order; otherwise what is wrong with them (the mistakes learners make, each named)."""
    if _close(features, torch.cat([h_n[-2], h_n[-1]], dim=-1), tol):
        return None
    if _close(features, output[:, -1], tol):
        return ("output[:, -1] is the forward direction's final state, but for the backward direction it is its state "
                "after reading only the last token: the backward direction ends at step 0. Take h_n[-2] and h_n[-1] "
                "(or output[:, -1, :H] with output[:, 0, H:])")
    if _close(features, torch.cat([h_n[-1], h_n[-2]], dim=-1), tol):
        return ("backward first: the right states in the wrong order. Put the forward direction (h_n[-2]) first, as "
                "nn.LSTM's own output does")
    if h_n.shape[0] > 2 and _close(features, torch.cat([h_n[0], h_n[1]], dim=-1), tol):
        return ("with num_layers=2, h_n[0] and h_n[1] are the first layer's states; the top layer's are h_n[-2] "
                "and h_n[-1]")
    return "these features are not each direction's final state: expected torch.cat([h_n[-2], h_n[-1]], dim=-1)"


def check_bidirectional_head(make_head, head_input):
    """Chapter 3 (preview of 5): make_head(hidden_size, num_classes) -> the nn.Linear on top of a bidirectional
    LSTM, and head_input(output, h_n) -> the (batch, 2 * hidden) features it reads: each direction's final state."""
    out, bad = _call(make_head, 128, 3)
    if bad:
        return bad
    if not isinstance(out, nn.Linear):
        return _fail(f"make_head must return an nn.Linear, got {type(out).__name__}")
    if out.in_features == 128:
        return _fail("in_features = 128 reads one direction only; a bidirectional LSTM concatenates both, 2 × 128 = 256")
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
            return _fail(f"head_input should return shape (batch, 2 × hidden) = {tuple(right.shape)}, got {tuple(features.shape)}")
        mistake = _bidirectional_states_mistake(features, output, h_n, tol)
        if mistake:
            return _fail(mistake)
    return Feedback(True, "256 = 2 directions × 128 units, fed with each direction's final state: the forward one "
                          "after the last token, the backward one after the first.")


# --- chapter 4 ---------------------------------------------------------------------------------

def check_lstm_shapes(fn):
    """Chapter 4: fn(batch, seq_len, input_size, hidden_size, num_layers, bidirectional, batch_first) must
    return {"output": shape, "h_n": shape, "c_n": shape} as nn.LSTM produces them."""
    for B, T, I, H, L, bi, bf in ((4, 7, 3, 5, 1, False, True), (4, 7, 3, 5, 2, True, True),
                                  (2, 6, 3, 4, 2, False, False), (3, 5, 2, 6, 1, True, False)):
        out, bad = _call(fn, B, T, I, H, L, bi, bf)
        if bad:
            return bad
        if not isinstance(out, dict) or set(out) != {"output", "h_n", "c_n"}:
            return _fail('return a dict with the keys "output", "h_n" and "c_n"')
        got = {k: tuple(v) if isinstance(v, (tuple, list, torch.Size)) else v for k, v in out.items()}
        lstm = nn.LSTM(I, H, num_layers=L, bidirectional=bi, batch_first=bf)
        output, (h_n, c_n) = lstm(torch.randn((B, T, I) if bf else (T, B, I)))
        right = {"output": tuple(output.shape), "h_n": tuple(h_n.shape), "c_n": tuple(c_n.shape)}
        if got == right:
            continue
        D = 2 if bi else 1
        case = f"(batch {B}, time {T}, hidden {H}, num_layers {L}, bidirectional={bi}, batch_first={bf})"
        if got["h_n"] != right["h_n"] and got["h_n"] == (B, D * L, H):
            return _fail(f"{case}: h_n is {right['h_n']}; batch_first applies to input and output only, "
                         "h_n and c_n are always (num_layers * directions, batch, hidden)")
        if bi and got["output"][-1] == H:
            return _fail(f"{case}: a bidirectional output concatenates both directions: last dimension 2 * {H}")
        if bi and got["h_n"] == (L, B, H):
            return _fail(f"{case}: h_n has a row per layer and direction: {D * L}, not {L}")
        if got["output"] == right["output"][::-1][1:] + (right["output"][-1],) or got["output"][:2] == right["output"][:2][::-1]:
            return _fail(f"{case}: output is {right['output']}; batch and time are swapped "
                         f"({'batch' if bf else 'time'} comes first when batch_first={bf})")
        if got["c_n"] != got["h_n"]:
            return _fail(f"{case}: c_n has the same shape as h_n, {right['h_n']}")
        return _fail(f"{case}: expected {right}, got {got}")
    return Feedback(True, "all shapes match nn.LSTM, for every combination tried.")


def check_last_real_step(fn):
    """Chapter 4: fn(output, lengths) with a padded batch-first output (B, T, H) must return (B, H): each
    sequence's output at its own last real step."""
    torch.manual_seed(0)
    output = torch.randn(4, 6, 3)
    lengths = torch.tensor([6, 2, 4, 1])
    right = output[torch.arange(4), lengths - 1]
    answer, bad = _call(fn, output.clone(), lengths.clone())
    if bad:
        if "index" in bad.message and "out of bounds" in bad.message:
            return _fail(bad.message + ": a sequence of length n ends at index n - 1")
        return bad
    out, tol = _tensor(answer, output)
    if out is None or out.shape != (4, 3):
        shape = tuple(out.shape) if out is not None else type(answer).__name__
        return _fail(f"expected a tensor of shape (batch, hidden) = (4, 3), got {shape}")
    if _close(out, right, tol):
        return Feedback(True, "each sequence is read at index length - 1, never in the padding.")
    if _close(out, output[:, -1], tol):
        return _fail("output[:, -1] is the last padded position: for the short sequences it is the state after "
                     "reading padding. Index each row at its own length - 1")
    if _close(out, output[:, 0], tol):
        return _fail("that is the first step of every sequence; take the last real one, at index length - 1")
    return _fail("expected output[b, lengths[b] - 1] for every b")


# --- chapter 5 ---------------------------------------------------------------------------------

def check_bidirectional_summary(fn):
    """Chapter 5: fn(h_n) for a bidirectional nn.LSTM must return the top layer's forward and backward final
    states, concatenated in that order: shape (batch, 2 * hidden)."""
    torch.manual_seed(0)
    for layers in (1, 2):
        lstm = nn.LSTM(3, 4, num_layers=layers, bidirectional=True, batch_first=True)
        output, (h_n, _) = lstm(torch.randn(2, 5, 3))
        h_n = h_n.detach()
        answer, bad = _call(fn, h_n.clone())
        if bad:
            return bad
        out, tol = _tensor(answer, h_n)
        if out is None:
            return _fail(f"return a tensor, got {type(answer).__name__}")
        if out.shape == (2, 4):
            return _fail("that is one direction (hidden_size features); join the forward and backward final states")
        if out.shape != (2, 8):
            return _fail(f"expected (batch, 2 * hidden) = (2, 8), got {tuple(out.shape)}")
        mistake = _bidirectional_states_mistake(out, output.detach(), h_n, tol)
        if mistake:
            return _fail(mistake)
    return Feedback(True, "forward final and backward final state of the top layer, for 1 and 2 layers.")


def check_causal_forecast(fn):
    """Chapter 5: fn(model, series) with series (batch, T, 1) must return (batch, T - 1, 1) predictions where
    the prediction for step t + 1 is computed from x_0..x_t only, as a deployed model would."""
    torch.manual_seed(0)

    class Probe(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(1, 4, batch_first=True, bidirectional=True)
            self.head = nn.Linear(8, 1)

        def forward(self, x):
            return self.head(self.lstm(x)[0])

    model, series = Probe().eval(), torch.randn(2, 7, 1)
    with torch.no_grad():
        right = torch.stack([model(series[:, :t + 1])[:, -1] for t in range(6)], dim=1)
        leak = model(series[:, :-1])
    answer, bad = _call(fn, model, series.clone())
    if bad:
        return bad
    out, tol = _tensor(answer, right)
    if out is None or out.shape != (2, 6, 1):
        shape = tuple(out.shape) if out is not None else type(answer).__name__
        return _fail(f"expected predictions of shape (batch, T - 1, 1) = (2, 6, 1), got {shape}")
    if _close(out, right, tol):
        return Feedback(True, "each prediction uses the prefix up to now only: what a deployed model can do.")
    if _close(out, leak, tol):
        return _fail("you ran the model on the whole window at once: its backward half reads the future. "
                     "Run it on series[:, :t + 1] for each t and keep the last output")
    with torch.no_grad():
        short = torch.stack([model(series[:, :max(t, 1)])[:, -1] for t in range(6)], dim=1)
    if _close(out, short, tol):
        return _fail("off by one: the prediction for step t + 1 may use x_0..x_t, i.e. series[:, :t + 1]")
    return _fail("expected, for t = 0..T-2, model(series[:, :t + 1])[:, -1]")


# --- chapter 6 ---------------------------------------------------------------------------------

def check_bits_per_char(fn):
    """Chapter 6: fn(probs) with probs[i] = P(actual i-th character) must return the average -log2 p."""
    probs = torch.tensor([0.5, 0.25, 0.125, 0.9, 0.01], dtype=torch.float64)
    answer, bad = _call(fn, probs.clone())
    if bad:
        return bad
    out = _number(answer)
    if out is None:
        return _fail(f"return one number (a float, or a one-element tensor or array), got {type(answer).__name__}")
    right = (-probs.log2()).mean().item()
    tol = 1e-5 * max(1.0, abs(right))
    if abs(out - right) <= tol:
        return Feedback(True, f"{right:.3f} bits per character: the mean of -log2 p.")
    if abs(out - (-probs.log()).mean().item()) <= tol:
        return _fail("that is nats (natural log); bits use log base 2: divide by ln 2 or use log2")
    if abs(out + right) <= tol:
        return _fail("sign error: log2 p is negative for p < 1, so bits = -log2 p")
    if abs(out - (-probs.log2()).sum().item()) <= tol:
        return _fail("that is the total over all characters; bits per character is the mean")
    return _fail(f"expected the mean of -log2 p = {right:.3f}, got {out:.4g}")


def check_sampling_distribution(fn):
    """Chapter 6: fn(scores, temperature, top_k) must return the probabilities sampling draws from:
    softmax(scores / temperature), restricted to the top_k scores and renormalised."""
    scores = torch.tensor([2.0, 1.0, 0.5, -1.0, 3.0])
    for temperature, top_k in ((1.0, 5), (0.5, 2), (2.0, 3)):
        answer, bad = _call(fn, scores.clone(), temperature, top_k)
        if bad:
            return bad
        out, tol = _tensor(answer, scores)
        if out is None or out.shape != scores.shape:
            return _fail(f"return a tensor of probabilities, one per score: shape {tuple(scores.shape)}")
        scaled = scores / temperature
        kth = torch.topk(scaled, top_k).values[-1]
        right = torch.softmax(scaled.masked_fill(scaled < kth, float("-inf")), -1)
        if _close(out, right, tol):
            continue
        if abs(out.sum().item() - 1) > 1e-4:
            return _fail(f"the probabilities sum to {out.sum().item():.3f}; after keeping the top k, renormalise")
        if _close(out, torch.softmax((scores * temperature).masked_fill(scores * temperature < (scores * temperature).topk(top_k).values[-1], float("-inf")), -1), tol):
            return _fail("you multiplied by the temperature; divide the scores by it (temperature < 1 sharpens)")
        if _close(out, torch.softmax(scaled, -1), tol):
            return _fail(f"with top_k={top_k} only the {top_k} highest scores may keep probability")
        return _fail(f"for temperature {temperature} and top_k {top_k} expected {[round(v, 3) for v in right.tolist()]}")
    return Feedback(True, "temperature divides the scores, top-k keeps the k largest, softmax renormalises.")


# --- chapter 7 ---------------------------------------------------------------------------------

def check_gru_param_count(fn):
    """Chapter 7: fn(input_size, hidden_size) must return the parameter count of nn.GRU(input_size, hidden_size)."""
    for inp, hid in ((10, 20), (1, 1), (100, 256)):
        out, bad = _call(fn, inp, hid)
        if bad:
            return bad
        n, bad = _as_int(out, "the parameter count")
        if bad:
            return bad
        right = sum(p.numel() for p in nn.GRU(inp, hid).parameters())
        if n == right:
            continue
        if n == 4 * (hid * inp + hid * hid + 2 * hid):
            return _fail("that is an LSTM's count (4 blocks); a GRU has 3: reset, update, candidate")
        if n == 3 * (hid * inp + hid * hid + hid):
            return _fail("you counted one bias vector per block; PyTorch keeps two (bias_ih and bias_hh)")
        return _fail(f"nn.GRU({inp}, {hid}) has {right} parameters, you returned {n}")
    return Feedback(True, "3 × (H·I + H·H + 2·H), matching sum(p.numel()) for every size tried.")


def check_conv_output_length(fn):
    """Chapter 7: fn(length, kernel_size, stride, padding) must return nn.Conv1d's output length."""
    for L, k, s, p in ((200, 4, 4, 0), (200, 5, 1, 0), (200, 5, 1, 2), (101, 3, 2, 1), (10, 3, 4, 0)):
        out, bad = _call(fn, L, k, s, p)
        if bad:
            return bad
        n, bad = _as_int(out, "the length")
        if bad:
            return bad
        right = nn.Conv1d(1, 1, k, stride=s, padding=p)(torch.zeros(1, 1, L)).shape[-1]
        if n == right:
            continue
        case = f"length {L}, kernel {k}, stride {s}, padding {p}"
        if n == L // s:
            return _fail(f"{case}: dividing by the stride ignores the kernel; use floor((L + 2p - k) / s) + 1 = {right}")
        if n == (L + 2 * p - k) // s:
            return _fail(f"{case}: off by one, the formula ends with + 1")
        if n == (L - k) // s + 1:
            return _fail(f"{case}: you left out the padding: it adds 2 * padding to the length")
        return _fail(f"{case}: expected {right}, got {n}")
    return Feedback(True, "floor((L + 2p - k) / s) + 1, matching nn.Conv1d for every case tried.")


# --- chapter 8 ---------------------------------------------------------------------------------

def _ids(value):
    """The learner's answer as a tensor of whole numbers (from a tensor, array or list), or None."""
    try:
        ids = torch.as_tensor(np.asarray(value.detach().cpu() if torch.is_tensor(value) else value))
    except (TypeError, ValueError):
        return None
    if ids.dtype.is_floating_point:
        if not torch.equal(ids, ids.round()):
            return None
    elif ids.dtype == torch.bool or ids.dtype.is_complex:
        return None
    return ids.long()


def check_teacher_forcing_inputs(fn):
    """Chapter 8: fn(target, bos) with target ids (batch, T) must return the decoder's inputs under teacher
    forcing: bos, then the target shifted right by one, shape (batch, T)."""
    target = torch.tensor([[5, 3, 9, 2], [7, 2, 0, 0]])
    bos = 1
    answer, bad = _call(fn, target.clone(), bos)
    if bad:
        return bad
    out = _ids(answer)
    if out is None:
        return _fail(f"return a tensor of token ids, got {type(answer).__name__}")
    right = torch.cat([torch.full((2, 1), bos), target[:, :-1]], dim=1)
    if out.shape == right.shape and torch.equal(out, right):
        return Feedback(True, "<bos>, then the true target shifted right: at step t the decoder has seen tokens 0 … t-1.")
    if out.shape == target.shape and torch.equal(out, target):
        return _fail("those are the targets themselves: the decoder would be given the very token it must predict. "
                     "Shift them right by one and start with bos")
    if out.shape == (2, 5) and torch.equal(out, torch.cat([torch.full((2, 1), bos), target], dim=1)):
        return _fail("one step too long: the decoder's inputs have the targets' length T, so drop the last target token")
    if out.shape == target.shape and torch.equal(out[:, :-1], target[:, 1:]):
        return _fail("shifted the wrong way: the input at step t is the target of step t - 1, not t + 1")
    if out.shape == target.shape and torch.equal(out[:, 1:], target[:, :-1]):
        return _fail("the shift is right, but the first input must be the bos token")
    if out.shape != right.shape:
        return _fail(f"expected shape (batch, T) = {tuple(right.shape)}, got {tuple(out.shape)}")
    return _fail(f"expected {right.tolist()}, got {out.tolist()}")


def _attention_reference(queries, keys, mask):
    scores = queries @ keys.transpose(1, 2)
    return scores.masked_fill(~mask[:, None, :], float("-inf")).softmax(dim=-1), scores


def check_attention_weights(fn):
    """Chapter 8: fn(queries, keys, mask) with queries (B, T, H), keys (B, S, H) and a bool mask (B, S) of real
    source positions must return dot-product attention weights (B, T, S): softmax over S, padding weight 0."""
    torch.manual_seed(0)
    queries, keys = torch.randn(2, 3, 4), torch.randn(2, 5, 4)
    mask = torch.tensor([[True] * 5, [True, True, True, False, False]])
    right, scores = _attention_reference(queries, keys, mask)
    answer, bad = _call(fn, queries.clone(), keys.clone(), mask.clone())
    if bad:
        return bad
    out, tol = _tensor(answer, right)
    if out is None:
        return _fail(f"return a tensor of weights, got {type(answer).__name__}")
    if out.shape != right.shape:
        return _fail(f"expected weights of shape (batch, T, S) = {tuple(right.shape)}, got {tuple(out.shape)}")
    if _close(out, right, tol):
        return Feedback(True, "softmax over the source of the dot products, with padding at weight 0: each row sums to 1.")
    if _close(out, scores.softmax(-1), tol):
        return _fail("the padded source positions got weight: set their scores to -inf before the softmax")
    if _close(out, scores.masked_fill(~mask[:, None, :], 0.0).softmax(-1), tol):
        return _fail("a masked score of 0 still gets weight after the softmax (e^0 = 1): fill with -inf instead")
    if _close(out, scores.softmax(-1) * mask[:, None, :], tol):
        return _fail("zeroing the padding after the softmax leaves rows that no longer sum to 1: mask the scores before")
    wrong_dimension = scores.masked_fill(~mask[:, None, :], float("-inf")).softmax(dim=1)
    if _close(out.nan_to_num(-1.0), wrong_dimension.nan_to_num(-1.0), tol):
        return _fail("the softmax runs over the wrong dimension: each decoder step's weights must sum to 1 over the "
                     "source positions (the last dimension)")
    scaled = (scores / math.sqrt(queries.shape[-1])).masked_fill(~mask[:, None, :], float("-inf")).softmax(-1)
    if _close(out, scaled, tol):
        return _fail("you divided the scores by sqrt(H): that is the Transformer's scaled version; this task asks for "
                     "plain dot products")
    if torch.isclose(out.sum(-1), torch.ones(2, 3), atol=1e-4).all():
        return _fail("the weights sum to 1 but are not softmax(queries · keys): score each source position by the "
                     "dot product of the query with its key")
    return _fail("expected softmax(queries @ keys.transpose(1, 2)) over the source positions, with padding masked "
                 "to -inf first; your rows do not sum to 1")


def check_beam_step(fn):
    """Chapter 8: fn(scores, log_probs, width) with beam scores (K,) and next-token log-probabilities (K, V) must
    return (new scores, beam indices, tokens), each of length width, best first: the width best of all K × V
    extensions, scored by beam score + log-probability."""
    scores = torch.tensor([-0.5, -5.0, -1.0])
    log_probs = torch.tensor([[-3.0, -0.2, -2.5, -0.6],
                              [-0.05, -4.0, -3.1, -6.0],
                              [-0.4, -1.3, -5.0, -0.7]]).log_softmax(-1)
    width = 3
    answer, bad = _call(fn, scores.clone(), log_probs.clone(), width)
    if bad:
        return bad
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return _fail(f"return three things, (new scores, beam indices, tokens); got {type(answer).__name__}")
    new_scores, tol = _tensor(answer[0], scores)
    beams, tokens = _ids(answer[1]), _ids(answer[2])
    if new_scores is None or beams is None or tokens is None:
        return _fail("the scores must be numbers and the beam indices and tokens whole numbers")
    if not (new_scores.shape == beams.shape == tokens.shape == (width,)):
        return _fail(f"each of the three must have length width = {width}, got "
                     f"{tuple(new_scores.shape)}, {tuple(beams.shape)}, {tuple(tokens.shape)}")
    K, V = log_probs.shape
    as_pairs = lambda flat_indices: [(int(i) // V, int(i) % V) for i in flat_indices]    # flat K × V index -> (beam, token)
    total = scores[:, None] + log_probs
    top = total.flatten().topk(width)
    right = as_pairs(top.indices)
    chosen = [(int(b), int(t)) for b, t in zip(beams, tokens)]
    if chosen == right and _close(new_scores, top.values, tol):
        return Feedback(True, "the best extensions of all beams together, each scored by its beam's log-probability plus its own.")
    if sorted(chosen) == sorted(right):
        if not _close(new_scores.sort(descending=True).values, top.values, tol):
            return _fail("the right extensions, but their scores are not beam score + log-probability")
        return _fail("the right extensions, in the wrong order: return them best first")
    if chosen == as_pairs(log_probs.flatten().topk(width).indices):
        return _fail("you ranked by the new token's log-probability alone: add each beam's score, since a sequence's "
                     "log-probability is the sum over all its tokens")
    per_beam = total.max(dim=1)
    if sorted(chosen) == sorted((b, int(per_beam.indices[b])) for b in range(K)):
        return _fail("you kept each beam's best continuation; compare all beams × tokens together and keep the best "
                     "width, even if several come from one beam")
    swapped = [(int(i) % K, int(i) // K) for i in total.T.flatten().topk(width).indices]
    if chosen == swapped or chosen == [(t, b) for b, t in right]:
        return _fail("beam and token are mixed up: in the flattened (K × V) scores, index // V is the beam and "
                     "index % V the token")
    if chosen == as_pairs((scores.exp()[:, None] + log_probs.exp()).flatten().topk(width).indices):
        return _fail("you added probabilities; probabilities multiply, so log-probabilities add: "
                     "score = beam score + log-probability")
    return _fail(f"expected (beam, token) pairs {right}, got {chosen}")


def check_as_streams(fn):
    """Chapter 9: fn(ids, batch) with a 1-D token stream must return (batch, len(ids) // batch) rows, row b the
    b-th contiguous stretch of the stream (the leftover tokens at the end dropped)."""
    ids = torch.arange(23)
    answer, bad = _call(fn, ids.clone(), 4)
    if bad:
        return bad
    out = _ids(answer)
    if out is None:
        return _fail(f"return a tensor of token ids, got {type(answer).__name__}")
    right = ids[:20].view(4, 5)
    if out.shape == right.shape and torch.equal(out, right):
        return Feedback(True, "4 rows of 5: each row is one stretch of the stream, so the next chunk of a row continues it.")
    if out.shape == right.shape and torch.equal(out, ids[:20].view(5, 4).T):
        return _fail("your rows interleave the stream (row 0 holds tokens 0, 4, 8, ...): along a row, neighbours must be "
                     "neighbours in the text. Cut the stream into `batch` consecutive pieces instead")
    if out.shape == (5, 4):
        return _fail("rows and columns swapped: the result has one row per stream, shape (batch, length)")
    if out.numel() == len(ids) or (out.dim() == 2 and out.shape[0] == 4 and out.shape[1] == 6):
        return _fail("keep only the first batch * (len(ids) // batch) tokens: the leftover ones do not fill a row")
    return _fail(f"expected shape (batch, len(ids) // batch) = {tuple(right.shape)}, got {tuple(out.shape)}")


def check_shifted_chunk(fn):
    """Chapter 9: fn(rows, start, bptt) must return the chunk (input, target) at column start: input up to bptt
    tokens of every row, target the same positions moved one token on; at the end both stop where the rows do."""
    rows = torch.arange(20).view(2, 10)
    answers = []
    for start in (0, 8):
        answer, bad = _call(fn, rows.clone(), start, 4)
        if bad:
            return bad
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            return _fail("return two things: (input, target)")
        x, y = _ids(answer[0]), _ids(answer[1])
        if x is None or y is None:
            return _fail("input and target must be tensors of token ids")
        answers.append((x, y))
    (x, y), (x_end, y_end) = answers
    if torch.equal(x, rows[:, 0:4]) and torch.equal(y, rows[:, 0:4]):
        return _fail("input and target are the same tokens: the model would learn to copy its input. "
                     "The target is the input moved one token on")
    if torch.equal(x, rows[:, 1:5]) and torch.equal(y, rows[:, 0:4]):
        return _fail("input and target swapped: the target is the token *after* each input token")
    if not (torch.equal(x, rows[:, 0:4]) and torch.equal(y, rows[:, 1:5])):
        return _fail(f"at start 0 with bptt 4 expected input {rows[:, 0:4].tolist()} and target {rows[:, 1:5].tolist()}, "
                     f"got {x.tolist()} and {y.tolist()}")
    if torch.equal(x_end, rows[:, 8:10]) and torch.equal(y_end, rows[:, 9:10]):
        return _fail("at the end of the rows your input is one token longer than its target: cut the input to the "
                     "target's length, since the last token has no next token to predict")
    if torch.equal(x_end, rows[:, 8:9]) and torch.equal(y_end, rows[:, 9:10]):
        return Feedback(True, "Right, including the last chunk, which is shorter: the last token has no target.")
    return _fail(f"at the end (start 8, rows of 10 tokens) expected input {rows[:, 8:9].tolist()} and target "
                 f"{rows[:, 9:10].tolist()}, got {x_end.tolist()} and {y_end.tolist()}")


class _TinyWordModel(nn.Module):
    """An embedding and an output layer of the same size, as the learner's tie_weights expects."""
    def __init__(self, words=7, size=5):
        super().__init__()
        self.embed = nn.Embedding(words, size)
        self.out = nn.Linear(size, words)

    def forward(self, x):
        return self.out(self.embed(x))


def check_tied_weights(fn):
    """Chapter 9: fn(model) must tie model.out's weight to model.embed's (one shared parameter, trained by both)."""
    torch.manual_seed(0)
    model = _TinyWordModel()
    before = sum(p.numel() for p in model.parameters())
    answer, bad = _call(fn, model)
    if bad:
        return bad
    if isinstance(answer, nn.Module) and answer is not model:
        model = answer
    if not isinstance(getattr(model, "out", None), nn.Linear) or not isinstance(getattr(model, "embed", None), nn.Embedding):
        return _fail("keep model.embed an nn.Embedding and model.out an nn.Linear; tie their weights")
    weight, embedding = model.out.weight, model.embed.weight
    if weight.shape != embedding.shape:
        return _fail(f"the output weight has shape {tuple(weight.shape)}, the embedding {tuple(embedding.shape)}: both are "
                     "(words, size), so share the matrix itself, not its transpose")
    if weight is embedding:
        after = sum(p.numel() for p in model.parameters())
        return Feedback(True, f"Tied: one matrix, {before - after} fewer parameters, and its gradient comes from both uses.")
    if weight.data_ptr() == embedding.data_ptr():
        return _fail("the two share memory now, but they are still two parameters, each with its own gradient and "
                     "optimiser state. Assign the Parameter itself: model.out.weight = model.embed.weight")
    if torch.equal(weight, embedding):
        return _fail("you copied the embedding's values into the output layer: they start equal but train apart. "
                     "Make them the same Parameter: model.out.weight = model.embed.weight")
    return _fail("model.out.weight is not model.embed.weight: assign the embedding's Parameter to the output layer")


def _never_raises(checker):
    """Wrap a checker so that anything going wrong while checking becomes feedback, never a traceback."""
    @functools.wraps(checker)
    def wrapped(*args, **kwargs):
        try:
            return checker(*args, **kwargs)
        except Exception as err:  # an answer of a type the checks did not foresee
            return _fail(f"your answer could not be checked: {type(err).__name__}: {err}. Return the type the task asks for")
    return wrapped


for _name in [n for n in list(globals()) if n.startswith("check_")]:
    globals()[_name] = _never_raises(globals()[_name])
