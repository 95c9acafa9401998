"""Checkers for exercises/10_forecasting.ipynb: the windows a forecaster trains on (a debugging task whose bug makes
a forecast that lags the truth), and how long a window the sunspot forecaster needs (an experiment, checked on its
outcome)."""

import math

import numpy as np

from .feedback import Feedback, _call, _fail, _number, checker

__all__ = ["check_forecast_windows", "check_window_experiment"]


def _as_array(value, what):
    """The learner's inputs or targets as a float array, or (None, feedback)."""
    if hasattr(value, "detach"):                       # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None, _fail(f"{what} must be an array of numbers, got {type(value).__name__}")
    return array, None


@checker
def check_forecast_windows(fn):
    """Chapter 10: fn(series, window) returns (inputs, targets): inputs[i] the `window` values series[i : i+window]
    and targets[i] the value right after them, series[i+window], for every i where that value exists."""
    series = np.arange(100, 130, dtype=float) ** 1.5 / 10      # every value distinct, so each mistake shows
    window = 6
    result, bad = _call(fn, series, window)
    if bad:
        return bad
    if not isinstance(result, tuple) or len(result) != 2:
        return _fail(f"return a pair (inputs, targets), got {type(result).__name__}")
    (inputs, bad_x), (targets, bad_y) = _as_array(result[0], "inputs"), _as_array(result[1], "targets")
    if bad_x or bad_y:
        return bad_x or bad_y
    inputs = inputs.reshape(inputs.shape[0], -1) if inputs.ndim == 3 else inputs   # (N, window, 1) is fine
    targets = targets.reshape(-1)
    n = len(series) - window
    right_x = np.stack([series[i:i + window] for i in range(n)])
    right_y = series[window:]
    if inputs.ndim != 2 or inputs.shape[1] != window:
        return _fail(f"inputs must hold one window of {window} values per row; got shape {inputs.shape}")
    if len(inputs) != len(targets):
        return _fail(f"{len(inputs)} input windows but {len(targets)} targets: one target per window")
    if len(inputs) == n and np.allclose(inputs, right_x):
        # len(targets) == n too: a length mismatch returned above
        if np.allclose(targets, right_y):
            return Feedback(True, f"{n} windows of {window} values, each paired with the value after it. Trained on "
                                  "these, a model has to predict the next value; trained on the last value of its own "
                                  "window, it learns to copy it, the forecast that lags the truth by one step.")
        if np.allclose(targets, inputs[:, -1]):
            return _fail("each target is the last value of its own window, which the model already reads: it learns "
                         "to copy it, and its forecast lags the truth by one step. The target is the value after "
                         "the window, series[i + window]")
        if np.allclose(targets[:-1], series[window + 1:]):
            return _fail("each target is two steps after the window: off by one. The target of series[i : i+window] "
                         "is series[i + window]")
        if np.allclose(np.sort(targets), np.sort(right_y)):
            return _fail("the right targets in the wrong order: keep windows and targets in time order, and never "
                         "shuffle a series before splitting it")
        return _fail("the inputs are right, but the targets are not the value after each window: expected "
                     "series[i + window] for window i")
    if len(inputs) == n - 1 and np.allclose(inputs, right_x[:-1]):
        if np.allclose(targets, right_y[:-1]):
            return _fail(f"{n - 1} windows: the last window, whose target is the series' last value, is missing")
        if np.allclose(targets, right_x[1:, -1]):
            return _fail("each target is the value after the window, but one window is missing at the end")
    if len(inputs) == n - 1 and np.allclose(inputs, right_x[1:]) and np.allclose(targets, right_y[1:]):
        return _fail(f"{n - 1} windows: the first window, series[0 : {window}], is missing")
    if np.allclose(np.sort(inputs[:, 0]), np.sort(right_x[:, 0])) and len(inputs) == n:
        return _fail("the windows are shuffled or out of order: keep them in time order, as series[i : i+window] "
                     "for i = 0, 1, 2, ...")
    return _fail(f"expected {n} windows series[i : i+{window}] for i = 0 .. {n - 1}, each with target "
                 f"series[i + {window}]; your inputs start {np.round(inputs[0], 2).tolist()}")


_WINDOWS = (2, 5, 11, 20)


@checker
def check_window_experiment(fn, seed=0):
    """Chapter 10: fn(seed) trains the chapter's one-step sunspot forecaster once per window length in (2, 5, 11,
    20) and returns {window: validation MASE one year ahead}. Checked on the outcome: a window
    of 2 years is clearly worse than the best longer window (the exercise's solution, seeds 0 to 4: 0.87 against
    0.78 to 0.81)."""
    result, bad = _call(fn, seed)
    if bad:
        return bad
    if not isinstance(result, dict):
        return _fail(f"return a dict {{window: validation MASE}}, got {type(result).__name__}")
    if set(result) != set(_WINDOWS):
        return _fail(f"return a dict with the keys {list(_WINDOWS)}: one validation MASE per window, got the keys "
                     f"{sorted(map(repr, result))}")
    values = {w: _number(result[w]) for w in _WINDOWS}
    if any(v is None or not math.isfinite(v) for v in values.values()):
        return _fail("every value must be one number, the validation MASE of that window; got "
                     + ", ".join(f"{w}: {result[w]!r}" for w in _WINDOWS))
    shown = ", ".join(f"window {w}: {values[w]:.2f}" for w in _WINDOWS)
    if min(values.values()) <= 0:
        return _fail(f"{shown}: a MASE is a ratio of mean absolute errors, above 0")
    if min(values.values()) > 10:
        return _fail(f"{shown}: these look like unscaled errors (sunspot numbers) or MSEs. Divide the mean "
                     "absolute error by the mean absolute one-step change of the training part")
    if all(abs(v - 1.53) < 0.1 for v in values.values()):
        return _fail(f"{shown}: every window scores like persistence (1.53 on the validation part). Check that the "
                     "forecast comes from the model, not from the last value of the history")
    if max(values.values()) > 3:
        return _fail(f"{shown}: far worse than persistence (1.53). Undo the scaling of the forecast before "
                     "scoring it, and train on the training part's windows only")
    longer = min(values[w] for w in _WINDOWS if w >= 5)
    if values[2] > longer + 0.04:
        return Feedback(True, f"{shown}. Two years are too few to tell where in the 11-year cycle the sun is, so "
                              "the short window cannot place the next value; a longer window shows it. Longer is "
                              "not always better: trained for a fixed 150 steps without early stopping, the "
                              "20-year window can fit its 216 training years too closely.")
    return _fail(f"{shown}: the 2-year window is not clearly worse than the best longer one here, as it is with "
                 "the chapter's set-up in every seed we measured. Train as the task says: a fresh "
                 "NextValue() per window, 150 full-batch Adam steps with lr 0.01 on the windows whose target is in the "
                 "training part, scored on the windows whose target is in the validation part")
