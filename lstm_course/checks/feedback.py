"""What every checker shares: Feedback, the failure helper, the coercion of answers, and the @checker decorator."""

import functools
import html

import numpy as np
import torch


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


def checker(check):
    """Decorate an answer checker so that anything going wrong while checking becomes feedback, never a traceback.
    Every public check_* is defined with it; the wrapper is marked is_checker = True, so tests can tell."""
    if not callable(check):
        raise TypeError(f"@checker decorates a checker function, got {type(check).__name__}")

    @functools.wraps(check)
    def wrapped(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except Exception as err:  # an answer of a type the checks did not foresee
            return _fail(f"your answer could not be checked: {type(err).__name__}: {err}. "
                         "Return the type the task asks for")
    wrapped.is_checker = True
    return wrapped
