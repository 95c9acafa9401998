"""Exercise cases for exercises/10_forecasting.ipynb (collected by test_exercises.py): the typical wrong answers
of the debugging and experiment tasks, each with the words its message must contain, and right answers written
differently from the hidden solutions."""

import numpy as np
import statsmodels.api as sm
import torch
from torch import nn

from lstm_course import checks

# --- Task 1 (debugging): the windows a forecaster trains on ----------------------------------------------------


def _windows(drop_first=False, drop_last=False, shuffle=False):
    """Windows series[i : i+w] with targets series[i + w]; the variants learners write."""
    def make(series, window):
        n = len(series) - window
        rows = [i for i in range(n) if not (drop_first and i == 0) and not (drop_last and i == n - 1)]
        x = np.stack([series[i:i + window] for i in rows])
        y = np.array([series[i + window] for i in rows])
        if shuffle:
            order = np.random.default_rng(0).permutation(len(rows))
            x, y = x[order], y[order]
        return x, y
    return make


def _sliding_view(series, window):
    """Right, written with numpy's sliding windows and returned as tensors of shape (N, window, 1)."""
    view = np.lib.stride_tricks.sliding_window_view(series, window)[:-1]
    return torch.tensor(view[..., None]), torch.tensor(series[window:])


def _last_value_as_target(series, window):
    x = np.stack([series[i:i + window] for i in range(len(series) - window)])
    return x, x[:, -1]


def _one_step_late(series, window):
    """Targets two steps after each window: the window count is right, the last target wraps around."""
    x = np.stack([series[i:i + window] for i in range(len(series) - window)])
    return x, np.roll(series, -1)[window:]


# --- Task 2 (experiment): how many years must the forecaster see? ----------------------------------------------


def _window_experiment(seed):
    """The experiment written another way: windows from numpy's sliding view, the model's LSTM and head built
    inline, the validation rows picked by the target's year."""
    data = sm.datasets.sunspots.load_pandas().data
    years, spots = data["YEAR"].to_numpy(), data["SUNACTIVITY"].to_numpy()
    train_end, valid_end = int(0.70 * len(spots)), int(0.85 * len(spots))
    mean, std = spots[:train_end].mean(), spots[:train_end].std()
    scale = np.abs(np.diff(spots[:train_end])).mean()
    result = {}
    for w in (2, 5, 11, 20):
        x = np.lib.stride_tricks.sliding_window_view((spots - mean) / std, w)[:-1]
        target_year = years[w:]
        train = target_year < years[train_end]
        valid = (target_year >= years[train_end]) & (target_year < years[valid_end])
        x = torch.tensor(x, dtype=torch.float32)[..., None]
        y = torch.tensor((spots[w:] - mean) / std, dtype=torch.float32)
        torch.manual_seed(seed)
        lstm, head = nn.LSTM(1, 32, batch_first=True), nn.Linear(32, 1)
        optimiser = torch.optim.Adam([*lstm.parameters(), *head.parameters()], lr=0.01)

        def predict(rows):
            return head(lstm(x[rows])[0][:, -1])[:, 0]
        for _ in range(150):
            loss = ((predict(train) - y[train]) ** 2).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        with torch.no_grad():
            guess = predict(valid).numpy() * std + mean
        result[w] = float(np.abs(guess - spots[w:][valid]).mean() / scale)
    return result


def _outcome(**mase):
    values = {int(k[1:]): v for k, v in mase.items()}
    return lambda seed: values


WRONG = [
    (checks.check_forecast_windows, _last_value_as_target, "last value of its own window"),
    (checks.check_forecast_windows, _one_step_late, "off by one"),
    (checks.check_forecast_windows, _windows(drop_last=True), "last window"),
    (checks.check_forecast_windows, _windows(drop_first=True), "first window"),
    (checks.check_forecast_windows, _windows(shuffle=True), "time order"),
    (checks.check_forecast_windows, lambda s, w: (np.stack([s[i:i + w] for i in range(len(s) - w)]), s[w:-1]),
     "one target per window"),
    (checks.check_forecast_windows, lambda s, w: (s[:-w], s[w:]), "one window of 6 values per row"),
    (checks.check_window_experiment, _outcome(w2=0.8, w5=0.8, w11=0.79, w20=0.81), "not clearly worse"),
    (checks.check_window_experiment, _outcome(w2=1.53, w5=1.5, w11=1.55, w20=1.52), "persistence"),
    (checks.check_window_experiment, _outcome(w2=20.1, w5=18.0, w11=15.2, w20=16.0), "unscaled"),
    (checks.check_window_experiment, _outcome(w2=0.9, w5=0.8, w11=5.7, w20=4.2), "far worse than persistence"),
    (checks.check_window_experiment, lambda seed: {2: 0.9, 5: 0.8, 11: 0.75}, "one validation MASE per window"),
    (checks.check_window_experiment, _outcome(w2=-0.9, w5=0.8, w11=0.75, w20=0.8), "above 0"),
]

RIGHT = [
    (checks.check_forecast_windows, _sliding_view),
    (checks.check_forecast_windows, _windows()),
    (checks.check_window_experiment, _outcome(w2=np.float32(0.87), w5=torch.tensor(0.8), w11=0.82, w20=0.95)),
    (checks.check_window_experiment, _window_experiment),
]

# Bad input for test_bad_inputs.py (same shape as its CHECKER_CASES): feedback, never a traceback.
BAD = [
    (checks.check_forecast_windows, (lambda s, w: "windows",), "pair (inputs, targets)"),
    (checks.check_forecast_windows, (lambda s, w: (["a", "b"], [1, 2]),), "array of numbers"),
    (checks.check_window_experiment, (lambda seed: {w: "low" for w in (2, 5, 11, 20)},), "one number"),
]
