"""Exercise cases for exercises/02_cell_state.ipynb's newer tasks (collected by test_exercises.py): typical wrong
answers with the words their feedback must use, and right answers written unlike the solutions.

The forget-bias sweep is checked on its outcome, so its cases are outcomes: the accuracies the usual mistakes
produce (measured once with the mistaken code, seed 0) and right outcomes in other shapes and from other seeds."""

import numpy as np
import torch

from lstm_course import checks


def _set_bias_as_given(lstm, value):
    """The debugging task's helper as given: input-gate rows, both biases, layer 0 only."""
    H = lstm.hidden_size
    with torch.no_grad():
        lstm.bias_ih_l0[:H] = value
        lstm.bias_hh_l0[:H] = value


def _outcome(*accuracies):
    return lambda biases, seed: dict(zip(biases, accuracies))


WRONG = [
    (checks.check_set_forget_bias, _set_bias_as_given, "rows 0 to hidden_size are the input gate"),
    # the head reads output[:, 0], where the bit itself is: every bias "solves" the delay
    (checks.check_forget_bias_sweep, _outcome(1.0, 1.0, 1.0, 1.0, 1.0), "output[:, 0] sees the bit itself"),
    # the bias written into the input gate's rows: the forget gates stay near 0.5 and nothing is learned
    (checks.check_forget_bias_sweep, _outcome(0.51, 0.51, 0.51, 0.51, 0.51), "no bias solved the delay"),
    (checks.check_forget_bias_sweep, _outcome(51.0, 51.0, 100.0, 100.0, 100.0), "look like percentages"),
    # the final training loss returned instead of the held-out accuracy
    (checks.check_forget_bias_sweep, _outcome(0.69, 0.69, 0.004, 0.003, 0.003), "look like losses"),
    # 20 training steps instead of 200: even the large biases are only half-way
    (checks.check_forget_bias_sweep, _outcome(0.5, 0.5, 0.62, 0.81, 0.9), "biases 3 and 4 solved"),
    (checks.check_forget_bias_sweep, lambda biases, seed: [0.5, 1.0], "one accuracy for each of the 5 biases"),
    (checks.check_forget_bias_sweep, lambda biases, seed: {"low": 0.5}, "key the dict by the biases"),
]

RIGHT = [
    (checks.check_set_forget_bias, lambda lstm, value: [
        torch.nn.init.constant_(p[lstm.hidden_size:2 * lstm.hidden_size].detach(), value if "ih" in n else 0.0)
        for n, p in lstm.named_parameters() if n.startswith("bias")]),
    # seed 0: the edge at bias 2, keyed by ints, numpy floats
    (checks.check_forget_bias_sweep, lambda biases, seed: {int(b): np.float32(a) for b, a in
                                                          zip(biases, (0.51, 0.51, 1.0, 1.0, 1.0))}),
    # a seed whose edge is at bias 3, as a list in the order of the biases
    (checks.check_forget_bias_sweep, lambda biases, seed: [0.45, 0.45, 0.45, 1.0, 1.0]),
    # a seed whose edge is at bias 1, as a tensor
    (checks.check_forget_bias_sweep, lambda biases, seed: torch.tensor([0.48, 0.99, 1.0, 1.0, 0.998])),
]

# Bad input for test_bad_inputs.py (same shape as its CHECKER_CASES): feedback, never a traceback.
BAD = [
    (checks.check_forget_bias_sweep, (lambda b, s: None,), "return a dict {bias: held-out accuracy}"),
]
