"""Exercise notebooks: every hidden solution passes its checker, every untouched stub is told it is
unfinished, and typical wrong answers are rejected with the message that names the mistake."""

import ast
import math

import nbformat
import pytest
import torch
from torch import nn

from conftest import ROOT
from lstm_course import checks

EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def _run_cells(path):
    """Execute a notebook's code cells in one namespace; yield (tags, value of the last expression)."""
    namespace = {}
    for cell in nbformat.read(path, as_version=4).cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "remove-cell" in tags:
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, str(path), "exec"), namespace)
        value = eval(compile(ast.Expression(last.value), str(path), "eval"), namespace) if last else None
        yield tags, value


def test_there_is_one_exercise_notebook_per_chapter():
    chapters = {p.name for p in (ROOT / "chapters").glob("*.ipynb")}
    assert chapters == {p.name for p in EXERCISES}


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_solutions_pass_and_stubs_are_told_they_are_unfinished(path):
    verdicts = [(tags, v) for tags, v in _run_cells(path) if isinstance(v, checks.Feedback)]
    solved = [v for tags, v in verdicts if "solution" in tags]
    stubs = [v for tags, v in verdicts if "solution" not in tags]
    assert len(solved) >= 2, f"{path.name}: fewer than 2 checked coding tasks"
    assert all(v.ok for v in solved), [v.message for v in solved if not v.ok]
    assert len(stubs) == len(solved), f"{path.name}: every solution needs a starter cell with a check"
    assert all(not v.ok and ("NotImplementedError" in v.message or "no answer yet" in v.message) for v in stubs)


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_notebook_has_three_tasks_and_hidden_model_answers(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert text.count("## Task") >= 3
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []):
            assert "hide-input" in cell.metadata.tags and cell.metadata.get("jupyter", {}).get("source_hidden")
    if "(written" in text:
        assert "<details><summary>Model answer</summary>" in text


# --- typical wrong answers ------------------------------------------------------------------------

def _per_tensor_clip(grads, max_norm):
    return [g * min(1.0, max_norm / g.norm().item()) for g in grads]


def _always_rescale(grads, max_norm):
    total = torch.sqrt(sum(g.pow(2).sum() for g in grads))
    return [g * max_norm / total for g in grads]


def _set_bias(rows, layers=(0, 1), both=False):
    def fn(lstm, value):
        H = lstm.hidden_size
        with torch.no_grad():
            for layer in layers:
                getattr(lstm, f"bias_ih_l{layer}")[rows(H)] = value
                getattr(lstm, f"bias_hh_l{layer}")[rows(H)] = value if both else 0.0
    return fn


def _step(order="ifgo", tanh_c=True, bias_hh=True, swap=False):
    def fn(x, h, c, w_ih, w_hh, b_ih, b_hh):
        b = b_hh if bias_hh else torch.zeros_like(b_hh)
        h_t, c_t = checks._reference_step(x, h, c, w_ih, w_hh, b_ih, b, order=order, tanh_c=tanh_c)
        return (c_t, h_t) if swap else (h_t, c_t)
    return fn


def _head(in_features, out_features=3):
    return lambda hidden, classes: nn.Linear(in_features, out_features)


def _shapes(h_n_batch_first=False, one_direction=False, layers_only=False, ignore_batch_first=False):
    def fn(B, T, I, H, L, bi, bf):
        D = 1 if one_direction or not bi else 2
        output = (B, T, D * H) if bf or ignore_batch_first else (T, B, D * H)
        state = (B, D * L, H) if h_n_batch_first else ((L if layers_only else (2 if bi else 1) * L), B, H)
        return {"output": output, "h_n": state, "c_n": state}
    return fn


def _top_k_mask(scores, k):
    return scores.masked_fill(scores < scores.topk(k).values[-1], float("-inf"))


def _raises(*args):
    raise NotImplementedError


WRONG = [
    (checks.check_steps_below, 65, "off by one"),
    (checks.check_steps_below, 67, "off by one"),
    (checks.check_steps_below, 10, "multiply, they do not subtract"),
    (checks.check_steps_below, 3, "Solve factor**k < threshold"),
    (checks.check_clip_by_total_norm, _per_tensor_clip, "clipped each tensor by its own norm"),
    (checks.check_clip_by_total_norm, _always_rescale, "only ever shrinks"),
    (checks.check_clip_by_total_norm, lambda g, m: g[0], "list of tensors"),
    (checks.check_clip_by_total_norm, _raises, "NotImplementedError"),
    (checks.check_belt_factor, lambda f: f.sum(dim=0), "added the forget gates"),
    (checks.check_belt_factor, lambda f: f.mean(dim=0), "averaged"),
    (checks.check_belt_factor, lambda f: f[-1], "one step's forget gate"),
    (checks.check_belt_factor, lambda f: f.prod(dim=1), "wrong dimension"),
    (checks.check_belt_factor, lambda f: f.prod(), "shape (5,)"),
    (checks.check_forget_bias_for, lambda f: f, "gate value itself"),
    (checks.check_forget_bias_for, lambda f: -math.log(f / (1 - f)), "sign error"),
    (checks.check_forget_bias_for, lambda f: math.log(f), "not"),
    (checks.check_forget_bias_for, lambda f: 1 / 0, "ZeroDivisionError"),
    (checks.check_set_forget_bias, _set_bias(lambda H: slice(0, H)), "input gate"),
    (checks.check_set_forget_bias, _set_bias(lambda H: slice(H, 2 * H), both=True), "both bias_ih and bias_hh"),
    (checks.check_set_forget_bias, _set_bias(lambda H: slice(H, 2 * H), layers=(0,)), "layer 0 is right"),
    (checks.check_set_forget_bias, _set_bias(lambda H: slice(0, 2 * H)), "changed the other gates"),
    (checks.check_lstm_step, _step(order="figo"), "order f, i, g, o"),
    (checks.check_lstm_step, _step(order="igfo"), "order i, g, f, o"),
    (checks.check_lstm_step, _step(tanh_c=False), "left out the tanh"),
    (checks.check_lstm_step, _step(bias_hh=False), "left out bias_hh"),
    (checks.check_lstm_step, _step(swap=True), "in that order"),
    (checks.check_lstm_step, lambda x, h, c, *p: (h.T, c.T), "check the transposes"),
    (checks.check_lstm_step, lambda x, h, c, *p: h, "return the pair"),
    (checks.check_lstm_param_count, lambda i, h: 4 * (h * i + h * h + h), "one bias vector per block"),
    (checks.check_lstm_param_count, lambda i, h: 4 * (h * i + h * h), "left out the biases"),
    (checks.check_lstm_param_count, lambda i, h: 3 * (h * i + h * h + 2 * h), "GRU"),
    (checks.check_lstm_param_count, lambda i, h: h * i + h * h + 2 * h, "that is one block"),
    (checks.check_lstm_param_count, lambda i, h: i * h, "parameters, you returned"),
    (checks.check_bidirectional_head, _head(128), "reads one direction only"),
    (checks.check_bidirectional_head, _head(512), "2 × hidden_size = 256"),
    (checks.check_bidirectional_head, _head(256, 1), "number of classes"),
    (checks.check_bidirectional_head, lambda h, c: nn.LSTM(h, c), "return an nn.Linear"),
    (checks.check_lstm_shapes, _shapes(h_n_batch_first=True), "h_n and c_n are always"),
    (checks.check_lstm_shapes, _shapes(one_direction=True), "concatenates both directions"),
    (checks.check_lstm_shapes, _shapes(layers_only=True), "a row per layer and direction"),
    (checks.check_lstm_shapes, _shapes(ignore_batch_first=True), "batch and time are swapped"),
    (checks.check_last_real_step, lambda o, n: o[:, -1], "last padded position"),
    (checks.check_last_real_step, lambda o, n: o[torch.arange(len(n)), n], "ends at index n - 1"),
    (checks.check_last_real_step, lambda o, n: o[:, 0], "first step"),
    (checks.check_last_real_step, lambda o, n: o[0], "shape (batch, hidden)"),
    (checks.check_bidirectional_summary, lambda h: h[-1], "one direction"),
    (checks.check_bidirectional_summary, lambda h: torch.cat([h[-1], h[-2]], dim=-1), "backward first"),
    (checks.check_bidirectional_summary, lambda h: torch.cat([h[0], h[1]], dim=-1), "first layer"),
    (checks.check_causal_forecast, lambda m, s: m(s[:, :-1]), "whole window at once"),
    (checks.check_causal_forecast, lambda m, s: torch.stack([m(s[:, :max(t, 1)])[:, -1] for t in range(6)], 1), "off by one"),
    (checks.check_causal_forecast, lambda m, s: m(s), "shape (batch, T - 1, 1)"),
    (checks.check_bits_per_char, lambda p: (-p.log()).mean(), "nats"),
    (checks.check_bits_per_char, lambda p: p.log2().mean(), "sign error"),
    (checks.check_bits_per_char, lambda p: (-p.log2()).sum(), "the total"),
    (checks.check_bits_per_char, lambda p: (1 / p).mean(), "expected the mean of -log2 p"),
    (checks.check_sampling_distribution, lambda s, t, k: torch.softmax(s / t, -1), "highest scores"),
    (checks.check_sampling_distribution, lambda s, t, k: _top_k_mask(s * t, k).softmax(-1), "multiplied by the temperature"),
    (checks.check_sampling_distribution, lambda s, t, k: torch.softmax(s / t, -1) * (s >= s.topk(k).values[-1]), "renormalise"),
    (checks.check_gru_param_count, lambda i, h: 4 * (h * i + h * h + 2 * h), "LSTM's count"),
    (checks.check_gru_param_count, lambda i, h: 3 * (h * i + h * h + h), "one bias vector per block"),
    (checks.check_gru_param_count, lambda i, h: h * i, "parameters, you returned"),
    (checks.check_conv_output_length, lambda n, k, s, p: n // s, "ignores the kernel"),
    (checks.check_conv_output_length, lambda n, k, s, p: (n + 2 * p - k) // s, "+ 1"),
    (checks.check_conv_output_length, lambda n, k, s, p: (n - k) // s + 1, "left out the padding"),
    (checks.check_conv_output_length, lambda n, k, s, p: n, "expected"),
]


@pytest.mark.parametrize("checker, answer, message", WRONG, ids=[f"{c[0].__name__}-{n}" for n, c in enumerate(WRONG)])
def test_typical_wrong_answer_is_rejected_with_the_intended_message(checker, answer, message):
    verdict = checker(answer)
    assert not verdict.ok, f"{checker.__name__} accepted a wrong answer"
    assert message in verdict.message, f"{checker.__name__}: got {verdict.message!r}, wanted {message!r}"


def test_feedback_html_escapes_the_message():
    html = checks.Feedback(False, "<script>alert(1)</script>")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
