"""Seeding from the COURSE_SEED knob, so every notebook can be rerun under other seeds unedited."""

import os
import random

import numpy as np

SEED_VARIABLE = "COURSE_SEED"


def course_seed() -> int:
    """The course's base seed: the environment variable COURSE_SEED (an int >= 0), or 0 when unset."""
    raw = os.environ.get(SEED_VARIABLE, "").strip()
    if raw == "":
        return 0
    try:
        seed = int(raw)
    except ValueError:
        raise ValueError(f"{SEED_VARIABLE} must be a whole number such as 0, 1 or 2, got {raw!r}") from None
    if not 0 <= seed < 2**28:
        raise ValueError(f"{SEED_VARIABLE} must be in [0, 2**28), got {seed}")
    return seed


def course_seeds(n: int) -> list:
    """n seeds for a multi-seed experiment, disjoint between base seeds: COURSE_SEED=0 gives 0..n-1, 1 gives n..2n-1."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    base = course_seed()
    return [n * base + k for k in range(n)]


def seed_everything(seed=None) -> int:
    """Seed Python, NumPy and PyTorch with `seed` (default: course_seed()); return the seed used."""
    if seed is None:
        seed = course_seed()
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:  # the helper package does not require torch
        return seed
    torch.manual_seed(seed)
    return seed
