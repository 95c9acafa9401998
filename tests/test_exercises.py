"""Exercise notebooks: every hidden solution passes its checker, every untouched stub is told it is
unfinished, and typical wrong answers are rejected with the message that names the mistake."""

import copy
import importlib
import math
import pkgutil
import re
import types
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from torch import nn

from conftest import ROOT
from lstm_course import checks
from lstm_course.checks.feedback import checker

EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def _verdicts(nb):
    """(tags, ok, message) for every checker verdict a cell of an executed notebook displayed."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            text = output.get("data", {}).get("text/plain", "") if output.get("output_type") in ("execute_result", "display_data") else ""
            if text[:2] in ("✓ ", "✗ "):
                yield cell.metadata.get("tags", []), text.startswith("✓"), text[2:]


def test_there_is_one_exercise_notebook_per_chapter():
    chapters = {p.name for p in (ROOT / "chapters").glob("*.ipynb")}
    assert chapters == {p.name for p in EXERCISES}


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_solutions_pass_and_stubs_are_told_they_are_unfinished(path, executed):
    """Read from the notebook's one execution (opened alone, as a learner runs it top to bottom)."""
    result = executed["results"][str(path.relative_to(ROOT))]
    assert result["failure"] is None, result["failure"]
    verdicts = list(_verdicts(result["notebook"]))
    solved = [(ok, message) for tags, ok, message in verdicts if "solution" in tags]
    stubs = [(ok, message) for tags, ok, message in verdicts if "solution" not in tags]
    assert len(solved) >= 2, f"{path.name}: fewer than 2 checked coding tasks"
    assert all(ok for ok, _ in solved), [message for ok, message in solved if not ok]
    assert len(stubs) == len(solved), f"{path.name}: every solution needs a starter cell with a check"
    assert all(not ok and ("NotImplementedError" in message or "no answer yet" in message) for ok, message in stubs), stubs


def test_verdicts_are_read_from_displayed_feedback():
    shown = [checks.Feedback(True, "all good"), checks.Feedback(False, "no answer yet: NotImplementedError")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", metadata={"tags": tags}) for tags in (["solution"], [])])
    for cell, feedback in zip(nb.cells, shown):
        cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": repr(feedback)}, execution_count=1)]
    assert list(_verdicts(nb)) == [(["solution"], True, "all good"), ([], False, "no answer yet: NotImplementedError")]


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


TASK_HEADING = re.compile(r"^## Task (\d+) \((easy|medium|harder|experiment|debugging)\): \S", re.MULTILINE)


def task_kinds(nb):
    """(number, kind) of every task heading in a notebook's markdown."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return [(int(n), kind) for n, kind in TASK_HEADING.findall(text)]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_every_exercise_notebook_has_an_experiment_and_a_debugging_task(path):
    nb = nbformat.read(path, as_version=4)
    tasks = task_kinds(nb)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert len(tasks) == text.count("## Task"), f"{path.name}: a task heading is not '## Task N (kind): title'"
    assert [n for n, _ in tasks] == list(range(1, len(tasks) + 1)), f"{path.name}: tasks numbered {tasks}"
    kinds = {kind for _, kind in tasks}
    assert {"experiment", "debugging"} <= kinds, f"{path.name}: needs an experiment and a debugging task, has {tasks}"


def test_task_kinds_are_read_from_the_headings():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Task 1 (easy): a\n\n## Task 2 (debugging): b"),
                                         nbformat.v4.new_markdown_cell("## Task 3 (experiment): c\n## Task 4: d")])
    assert task_kinds(nb) == [(1, "easy"), (2, "debugging"), (3, "experiment")]


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


def _final_states(output, h_n):
    return torch.cat([h_n[-2], h_n[-1]], dim=-1)


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


def _masked_scores(queries, keys, mask):
    return (queries @ keys.transpose(1, 2)).masked_fill(~mask[:, None, :], float("-inf"))


def _beam(scores, log_probs, width, add_scores=True, swap=False):
    total = (scores[:, None] + log_probs) if add_scores else log_probs
    best = total.flatten().topk(width)
    V = log_probs.shape[1]
    beams, tokens = best.indices // V, best.indices % V
    return (best.values, tokens, beams) if swap else (best.values, beams, tokens)


def _best_of_each_beam(scores, log_probs, width):
    values, tokens = (scores[:, None] + log_probs).max(dim=1)
    order = values.argsort(descending=True)[:width]
    return values[order], order, tokens[order]


def _tie_by_copy(model):
    with torch.no_grad():
        model.out.weight.copy_(model.embed.weight)


def _tie_by_data(model):
    model.out.weight.data = model.embed.weight.data


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
    (checks.check_bidirectional_head, (_head(128), _final_states), "reads one direction only"),
    (checks.check_bidirectional_head, (_head(512), _final_states), "2 × hidden_size = 256"),
    (checks.check_bidirectional_head, (_head(256, 1), _final_states), "number of classes"),
    (checks.check_bidirectional_head, (lambda h, c: nn.LSTM(h, c), _final_states), "return an nn.Linear"),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: o[:, -1]), "backward direction ends at step 0"),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: torch.cat([h[-1], h[-2]], -1)), "wrong order"),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: torch.cat([h[0], h[1]], -1)), "first layer's states"),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: o.mean(1)), "not each direction's final state"),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: h[-1]), "shape (batch, 2 × hidden)"),
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
    (checks.check_teacher_forcing_inputs, lambda t, b: t, "the very token it must predict"),
    (checks.check_teacher_forcing_inputs, lambda t, b: torch.cat([torch.full_like(t[:, :1], b), t], 1), "one step too long"),
    (checks.check_teacher_forcing_inputs, lambda t, b: torch.cat([t[:, 1:], t[:, :1]], 1), "shifted the wrong way"),
    (checks.check_teacher_forcing_inputs, lambda t, b: torch.cat([torch.zeros_like(t[:, :1]), t[:, :-1]], 1), "bos token"),
    (checks.check_attention_weights, lambda q, k, m: (q @ k.transpose(1, 2)).softmax(-1), "padded source positions got weight"),
    (checks.check_attention_weights, lambda q, k, m: (q @ k.transpose(1, 2)).masked_fill(~m[:, None], 0).softmax(-1), "fill with -inf"),
    (checks.check_attention_weights, lambda q, k, m: (q @ k.transpose(1, 2)).softmax(-1) * m[:, None], "no longer sum to 1"),
    (checks.check_attention_weights, lambda q, k, m: _masked_scores(q, k, m).softmax(1), "wrong dimension"),
    (checks.check_attention_weights, lambda q, k, m: (_masked_scores(q, k, m) / q.shape[-1] ** 0.5).softmax(-1), "sqrt(H)"),
    (checks.check_attention_weights, lambda q, k, m: _masked_scores(q, k, m), "rows do not sum to 1"),
    (checks.check_beam_step, lambda s, p, w: _beam(s, p, w, add_scores=False), "log-probability alone"),
    (checks.check_beam_step, _best_of_each_beam, "each beam's best continuation"),
    (checks.check_beam_step, lambda s, p, w: _beam(s, p, w, swap=True), "mixed up"),
    (checks.check_beam_step, lambda s, p, w: tuple(x.flip(0) for x in _beam(s, p, w)), "best first"),
    (checks.check_beam_step, lambda s, p, w: _beam(s.exp(), p.exp(), w), "log-probabilities add"),
    (checks.check_as_streams, lambda ids, b: ids[:len(ids) // b * b].view(-1, b).T, "interleave"),
    (checks.check_as_streams, lambda ids, b: ids[:len(ids) // b * b].view(b, -1).T, "rows and columns swapped"),
    (checks.check_as_streams, lambda ids, b: torch.nn.functional.pad(ids, (0, 1)).view(b, -1), "leftover"),
    (checks.check_shifted_chunk, lambda r, s, t: (r[:, s:s + t], r[:, s:s + t]), "copy its input"),
    (checks.check_shifted_chunk, lambda r, s, t: (r[:, s + 1:s + 1 + t], r[:, s:s + t]), "swapped"),
    (checks.check_shifted_chunk, lambda r, s, t: (r[:, s:s + t], r[:, s + 1:s + 1 + t]), "one token longer"),
    (checks.check_tied_weights, _tie_by_copy, "copied the embedding's values"),
    (checks.check_tied_weights, _tie_by_data, "still two parameters"),
    (checks.check_tied_weights, lambda m: None, "is not model.embed.weight"),
]

# Cases of newer tasks live beside this file, one module per chapter: tests/exercise_cases_<topic>.py defines
# WRONG (checker, answer, message fragment) and RIGHT (checker, answer) lists in the same shapes as here.
CASE_MODULES = [importlib.import_module(p.stem) for p in sorted(Path(__file__).parent.glob("exercise_cases_*.py"))]
WRONG += [case for module in CASE_MODULES for case in module.WRONG]


@pytest.mark.parametrize("checker, answer, message", WRONG, ids=[f"{c[0].__name__}-{n}" for n, c in enumerate(WRONG)])
def test_typical_wrong_answer_is_rejected_with_the_intended_message(checker, answer, message):
    verdict = checker(*answer) if isinstance(answer, tuple) else checker(answer)
    assert not verdict.ok, f"{checker.__name__} accepted a wrong answer"
    assert message in verdict.message, f"{checker.__name__}: got {verdict.message!r}, wanted {message!r}"


def test_feedback_html_escapes_the_message():
    html = checks.Feedback(False, "<script>alert(1)</script>")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


# --- correct answers written differently from the hidden solutions -----------------------------
# A learner's right answer must pass whatever its dtype (float32, float64, numpy) or formula.

def _clip_with_torch(grads, max_norm):
    params = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad for p in params]


def _clip_in_numpy(grads, max_norm):
    arrays = [g.numpy() for g in grads]
    total = np.sqrt(sum(float((a ** 2).sum()) for a in arrays))
    return [a * min(1.0, max_norm / total) for a in arrays]


def _set_bias_by_name(lstm, value):
    H = lstm.hidden_size
    with torch.no_grad():
        for name, param in lstm.named_parameters():
            if name.startswith("bias_ih"):
                param[H:2 * H] = value
            elif name.startswith("bias_hh"):
                param[H:2 * H] = 0.0


def _split_bias_in_halves(lstm, value):
    H = lstm.hidden_size
    with torch.no_grad():
        for layer in range(lstm.num_layers):
            getattr(lstm, f"bias_ih_l{layer}")[H:2 * H] = value / 2
            getattr(lstm, f"bias_hh_l{layer}")[H:2 * H] = value / 2


def _step_float32(x, h, c, w_ih, w_hh, b_ih, b_hh):
    x, h, c, w_ih, w_hh, b_ih, b_hh = (t.float() for t in (x, h, c, w_ih, w_hh, b_ih, b_hh))
    i, f, g, o = (x @ w_ih.T + h @ w_hh.T + b_ih + b_hh).chunk(4, dim=1)
    c_t = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_t), c_t


def _step_numpy(x, h, c, w_ih, w_hh, b_ih, b_hh):
    x, h, c, w_ih, w_hh, b_ih, b_hh = (t.numpy() for t in (x, h, c, w_ih, w_hh, b_ih, b_hh))
    H = h.shape[1]
    z = x @ w_ih.T + h @ w_hh.T + b_ih + b_hh
    sig = lambda v: 1 / (1 + np.exp(-v))
    c_t = sig(z[:, H:2 * H]) * c + sig(z[:, :H]) * np.tanh(z[:, 2 * H:3 * H])
    return sig(z[:, 3 * H:]) * np.tanh(c_t), c_t


def _shapes_by_running(B, T, I, H, L, bi, bf):
    output, (h_n, c_n) = nn.LSTM(I, H, num_layers=L, bidirectional=bi, batch_first=bf)(torch.zeros((B, T, I) if bf else (T, B, I)))
    return {"output": output.shape, "h_n": h_n.shape, "c_n": c_n.shape}


def _shapes_as_lists(B, T, I, H, L, bi, bf):
    D = 2 if bi else 1
    return {"output": [B, T, D * H] if bf else [T, B, D * H], "h_n": [D * L, B, H], "c_n": [D * L, B, H]}


def _forecast_by_cat(model, series):
    return torch.cat([model(series[:, :t])[:, -1:] for t in range(1, series.shape[1])], dim=1)


def _sampling_numpy(scores, temperature, top_k):
    s = scores.numpy().astype(np.float64) / temperature
    keep = s >= np.sort(s)[-top_k]
    e = np.where(keep, np.exp(s - s.max()), 0.0)
    return e / e.sum()


def _sampling_scatter(scores, temperature, top_k):
    scaled = scores.double() / temperature
    top = scaled.topk(top_k)
    return torch.zeros_like(scaled).scatter(0, top.indices, torch.softmax(top.values, 0))


def _attention_numpy(queries, keys, mask):
    scores = np.einsum("bth,bsh->bts", queries.numpy().astype(np.float64), keys.numpy().astype(np.float64))
    e = np.where(mask.numpy()[:, None, :], np.exp(scores - scores.max(-1, keepdims=True)), 0.0)
    return e / e.sum(-1, keepdims=True)


def _beam_numpy(scores, log_probs, width):
    total = (scores.numpy()[:, None] + log_probs.numpy()).ravel()
    best = np.argsort(-total)[:width]
    return total[best], best // log_probs.shape[1], best % log_probs.shape[1]


def _beam_by_sorting(scores, log_probs, width):
    options = sorted(((float(scores[b] + log_probs[b, v]), b, v) for b in range(len(scores))
                      for v in range(log_probs.shape[1])), reverse=True)[:width]
    return [o[0] for o in options], [o[1] for o in options], [o[2] for o in options]


def _chunk_with_end_check(rows, start, bptt):
    end = min(start + bptt, rows.shape[1] - 1)
    return rows[:, start:end].clone(), rows[:, start + 1:end + 1].clone()


def _tie_and_return_new(model):
    tied = copy.deepcopy(model)
    tied.out.weight = tied.embed.weight
    return tied


RIGHT = [
    (checks.check_steps_below, np.int64(66)),
    (checks.check_steps_below, 66.0),
    (checks.check_steps_below, torch.tensor(66)),
    (checks.check_clip_by_total_norm, _clip_with_torch),
    (checks.check_clip_by_total_norm, _clip_in_numpy),
    (checks.check_belt_factor, lambda f: torch.exp(torch.log(f).sum(dim=0))),
    (checks.check_belt_factor, lambda f: np.prod(f.numpy(), axis=0)),
    (checks.check_belt_factor, lambda f: f.float().prod(dim=0)),
    (checks.check_forget_bias_for, lambda f: torch.logit(torch.tensor(f))),          # float32: 1e-6 off at 0.99
    (checks.check_forget_bias_for, lambda f: np.log(f) - np.log1p(-f)),
    (checks.check_forget_bias_for, lambda f: -math.log(1 / f - 1)),
    (checks.check_set_forget_bias, _set_bias_by_name),
    (checks.check_set_forget_bias, _split_bias_in_halves),
    (checks.check_lstm_step, _step_float32),
    (checks.check_lstm_step, _step_numpy),
    (checks.check_lstm_param_count, lambda i, h: 4 * h * (i + h + 2)),
    (checks.check_lstm_param_count, lambda i, h: np.int64(sum(p.numel() for p in nn.LSTM(i, h).parameters()))),
    (checks.check_bidirectional_head, (lambda h, c: nn.Linear(h * 2, c, bias=False),
                                       lambda o, h: torch.cat([o[:, -1, :o.shape[-1] // 2], o[:, 0, o.shape[-1] // 2:]], -1))),
    (checks.check_bidirectional_head, (_head(256), lambda o, h: h[-2:].transpose(0, 1).reshape(h.shape[1], -1))),
    (checks.check_lstm_shapes, _shapes_by_running),
    (checks.check_lstm_shapes, _shapes_as_lists),
    (checks.check_last_real_step, lambda o, n: o.gather(1, (n - 1).view(-1, 1, 1).expand(-1, 1, o.shape[-1])).squeeze(1)),
    (checks.check_last_real_step, lambda o, n: torch.stack([o[b, n[b] - 1] for b in range(len(n))])),
    (checks.check_last_real_step, lambda o, n: o.numpy()[np.arange(len(n)), n.numpy() - 1]),
    (checks.check_bidirectional_summary, lambda h: h[-2:].permute(1, 0, 2).reshape(h.shape[1], -1)),
    (checks.check_bidirectional_summary, lambda h: torch.hstack((h[-2], h[-1])).double()),
    (checks.check_causal_forecast, _forecast_by_cat),
    (checks.check_causal_forecast, lambda m, s: torch.stack([m(s[:, :t + 1])[0, -1].new_tensor(m(s[:, :t + 1])[:, -1].tolist())
                                                              for t in range(s.shape[1] - 1)], 1)),
    (checks.check_bits_per_char, lambda p: np.float32((-np.log2(p.numpy())).mean())),
    (checks.check_bits_per_char, lambda p: -(p.float().log() / math.log(2)).mean()),
    (checks.check_bits_per_char, lambda p: sum(-math.log2(x) for x in p.tolist()) / len(p)),
    (checks.check_sampling_distribution, _sampling_numpy),
    (checks.check_sampling_distribution, _sampling_scatter),
    (checks.check_gru_param_count, lambda i, h: 3 * h * (i + h + 2)),
    (checks.check_gru_param_count, lambda i, h: torch.tensor(sum(p.numel() for p in nn.GRU(i, h).parameters()))),
    (checks.check_conv_output_length, lambda n, k, s, p: math.floor((n + 2 * p - k) / s) + 1),
    (checks.check_conv_output_length, lambda n, k, s, p: len(range(0, n + 2 * p - k + 1, s))),
    (checks.check_teacher_forcing_inputs, lambda t, b: np.pad(t.numpy(), ((0, 0), (1, 0)), constant_values=b)[:, :-1]),
    (checks.check_teacher_forcing_inputs, lambda t, b: [[b] + row[:-1] for row in t.tolist()]),
    (checks.check_attention_weights, lambda q, k, m: torch.einsum("bth,bsh->bts", q, k).masked_fill(~m[:, None], -1e9).softmax(-1)),
    (checks.check_attention_weights, _attention_numpy),
    (checks.check_beam_step, _beam_numpy),
    (checks.check_beam_step, _beam_by_sorting),
    (checks.check_as_streams, lambda ids, b: torch.stack(list(ids[:len(ids) // b * b].chunk(b)))),
    (checks.check_as_streams, lambda ids, b: np.array(ids.tolist()[:len(ids) // b * b]).reshape(b, -1)),
    (checks.check_shifted_chunk, _chunk_with_end_check),
    (checks.check_shifted_chunk, lambda r, s, t: (r[:, s:min(s + t, r.shape[1] - 1)], r[:, s + 1:min(s + t, r.shape[1] - 1) + 1])),
    (checks.check_tied_weights, _tie_and_return_new),
    (checks.check_tied_weights, lambda m: setattr(m.out, "weight", m.embed.weight)),
]
RIGHT += [case for module in CASE_MODULES for case in module.RIGHT]


@pytest.mark.parametrize("checker, answer", RIGHT, ids=[f"{c[0].__name__}-{n}" for n, c in enumerate(RIGHT)])
def test_a_right_answer_written_differently_passes(checker, answer):
    verdict = checker(*answer) if isinstance(answer, tuple) else checker(answer)
    assert verdict.ok, f"{checker.__name__} rejected a right answer: {verdict.message}"


def test_every_checker_has_two_alternative_right_answers():
    names = [name for name in dir(checks) if name.startswith("check_")]
    counts = {name: sum(c.__name__ == name for c, _ in RIGHT) for name in names}
    assert all(n >= 2 for n in counts.values()), {name: n for name, n in counts.items() if n < 2}


def test_an_unforeseen_answer_gets_feedback_not_a_traceback():
    verdict = checks.check_lstm_shapes(lambda *a: {"output": object(), "h_n": object(), "c_n": object()})
    assert not verdict.ok and verdict.message


# --- the checkers package: every checker decorated, every checker a notebook imports exported --------------

CHECK_MODULES = [importlib.import_module(f"{checks.__name__}.{module.name}")
                 for module in pkgutil.iter_modules(checks.__path__)]


def _undecorated_checkers(module):
    """The check_* functions a module offers (its __all__, else all its names) that @checker does not wrap."""
    names = getattr(module, "__all__", None) or dir(module)
    return sorted(name for name in names
                  if name.startswith("check_") and not getattr(getattr(module, name), "is_checker", False))


def test_every_exported_checker_is_wrapped_by_the_decorator():
    exported = sorted(name for name in checks.__all__ if name.startswith("check_"))
    assert len(exported) >= 2 * len(EXERCISES), exported
    assert _undecorated_checkers(checks) == [], "define every checker with @checker (lstm_course/checks/feedback.py)"
    assert sorted(name for name in dir(checks) if name.startswith("check_")) == exported
    defined = sorted(name for module in CHECK_MODULES for name, obj in vars(module).items()
                     if name.startswith("check_") and obj.__module__ == module.__name__)
    assert defined == exported, "every checker a chapter's module defines is exported in lstm_course/checks/__init__.py"


def test_a_checker_defined_without_the_decorator_is_detected():
    def first_is_one(answer):
        return checks.Feedback(answer[0] == 1, "the first item is 1")

    crafted = types.ModuleType("crafted_checks")
    crafted.check_wrapped, crafted.check_bare = checker(first_is_one), first_is_one
    crafted.__all__ = ["check_wrapped", "check_bare"]
    assert _undecorated_checkers(crafted) == ["check_bare"]
    verdict = crafted.check_wrapped(None)
    assert not verdict.ok and "could not be checked: TypeError" in verdict.message
    with pytest.raises(TypeError):
        crafted.check_bare(None)


_CHECKS_IMPORT = re.compile(r"^\s*from lstm_course\.checks import (\([^)]*\)|.*)$", re.MULTILINE)


def _imported_checkers(path):
    """The check_* names an exercise notebook imports from lstm_course.checks, read from its code as text."""
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    names = {name for imported in _CHECKS_IMPORT.findall(code) for name in re.findall(r"\bcheck_\w+", imported)}
    return names | set(re.findall(r"\bchecks\.(check_\w+)", code))


def test_imported_checkers_are_read_from_one_line_and_parenthesised_imports(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from lstm_course.checks import check_a, check_b  # two\nprint(check_x)"),
        nbformat.v4.new_code_cell("from lstm_course.checks import (\n    check_c,\n    check_d,\n)"),
        nbformat.v4.new_code_cell("from lstm_course import checks\nchecks.check_e(f)"),
        nbformat.v4.new_markdown_cell("from lstm_course.checks import check_prose")])
    nbformat.write(nb, tmp_path / "nb.ipynb")
    assert _imported_checkers(tmp_path / "nb.ipynb") == {"check_a", "check_b", "check_c", "check_d", "check_e"}


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_every_checker_an_exercise_notebook_imports_is_exported_from_its_chapters_module(path):
    imported = _imported_checkers(path)
    assert imported, f"{path.name}: imports no checker from lstm_course.checks"
    missing = sorted(imported - set(checks.__all__))
    assert not missing, f"{path.name} imports checkers that lstm_course.checks does not export: {missing}"
    module = f"{checks.__name__}.{path.stem.split('_', 1)[1]}"
    elsewhere = {name: getattr(checks, name).__module__ for name in sorted(imported)
                 if getattr(checks, name).__module__ != module}
    assert not elsewhere, f"{path.name}'s checkers belong in {module}: {elsewhere}"
