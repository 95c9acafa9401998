"""Chapter claims: an assert that shows, and records for the appendix, the measurement behind it."""

import json
import math
import os
import textwrap

PRINT_WIDTH = 78       # characters: a printed claim fits the site's code column
CLAIMS_VARIABLE = "COURSE_CLAIMS_FILE"   # set by `make robustness`: where each claim is appended as JSON


def _numbers(values, name="values"):
    """One number or a sequence of numbers (list, tuple, NumPy array, tensor) as a list of floats."""
    if hasattr(values, "tolist"):                 # NumPy arrays and torch tensors
        values = values.tolist()
    if isinstance(values, (int, float)) and not isinstance(values, bool):
        values = [values]
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} must be a number or a sequence of numbers (one per seed), "
                        f"got {type(values).__name__}")
    values = [v.tolist() if hasattr(v, "tolist") else v for v in values]   # a list of tensors or arrays
    while any(isinstance(v, (list, tuple)) for v in values):     # a table (seeds x lengths ...): every entry
        values = [w for v in values for w in (v if isinstance(v, (list, tuple)) else [v])]
    if not values:
        raise ValueError(f"{name} is empty: a claim needs the numbers it rests on")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{name} must all be numbers, got {values!r}")
    return [float(v) for v in values]


def measurements(values) -> dict:
    """values as {label: [floats]}: a dict of labelled groups, or one group (labelled '')."""
    if isinstance(values, dict):
        if not values:
            raise ValueError("values is an empty dict: a claim needs the numbers it rests on")
        if not all(isinstance(k, str) and k for k in values):
            raise TypeError(f"the groups of values are labelled by non-empty strings, got {list(values)!r}")
        return {label: _numbers(v, f"values[{label!r}]") for label, v in values.items()}
    return {"": _numbers(values)}


def spread(values) -> str:
    """Each group as 'v' (one number) or 'lo to hi (n)' with 3 significant digits, labelled groups joined by '; '."""
    return describe(measurements(values))


def describe(groups) -> str:
    """The spread text for groups as measurements() returns them (make robustness pools runs this way)."""
    empty = [label for label, numbers in groups.items() if not numbers]
    if empty:
        raise ValueError(f"no numbers in group {empty[0]!r}: a spread needs at least one")
    fmt = lambda v: f"{v:.3g}" if math.isfinite(v) else str(v)   # noqa: E731
    parts = []
    for label, numbers in groups.items():
        text = fmt(numbers[0]) if len(numbers) == 1 else f"{fmt(min(numbers))} to {fmt(max(numbers))} ({len(numbers)})"
        parts.append(f"{label} {text}" if label else text)
    return "; ".join(parts)


def claim(statement, values, holds, *, isolates=None):
    """Assert a chapter's measured claim: raise AssertionError naming it unless `holds` is true.

    `values` are the numbers it rests on: one per seed (or one number), or a dict of labelled groups such as
    {"chrono": acc_chrono, "default": acc_default}. `isolates` names the factor the experiment varies
    ("initialisation", "architecture", "budget" ...). The claim is printed with its spread and, where the
    environment variable COURSE_CLAIMS_FILE names a file (as `make robustness` does), appended there as JSON."""
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError(f"statement must be a non-empty sentence, got {statement!r}")
    if hasattr(holds, "item"):                    # a one-element tensor or NumPy bool
        holds = holds.item()
    if not isinstance(holds, bool):
        raise TypeError(f"holds must be True or False (the claim's condition), got {holds!r}")
    if isolates is not None and (not isinstance(isolates, str) or not isolates.strip()):
        raise TypeError(f"isolates must be a short phrase such as 'initialisation', or None, got {isolates!r}")
    groups = measurements(values)
    target = os.environ.get(CLAIMS_VARIABLE, "").strip()
    if target:
        record = {"statement": statement, "values": groups, "isolates": isolates, "holds": holds}
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
    if not holds:
        raise AssertionError(f"{statement} (measured: {describe(groups)})")
    # wrapped to fit the site's column, continuation lines indented
    print(textwrap.fill(f"✓ {statement} [{describe(groups)}]", PRINT_WIDTH, subsequent_indent="  ",
                        break_long_words=False, break_on_hyphens=False))


def headline(name, values):
    """Print a chapter's headline number as 'headline: name = mean (n seeds, min m)', the line tools can grep.

    `values` holds one number per seed (a single number counts as one seed). `name` is a short
    identifier such as 'forecast_lstm_mase': letters, digits and underscores."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be an identifier such as 'forecast_lstm_mase', got {name!r}")
    numbers = _numbers(values, "values")
    if not all(math.isfinite(v) for v in numbers):
        raise ValueError(f"headline {name!r} needs finite numbers, got {numbers!r}")
    mean = sum(numbers) / len(numbers)
    # always "seeds", even for one: tools parse this exact shape
    print(f"headline: {name} = {mean:.4g} ({len(numbers)} seeds, min {min(numbers):.4g})")
