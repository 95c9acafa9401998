"""Seeding, so every notebook gives the same numbers on every run."""

import random

import numpy as np


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch (every chapter calls this in its setup cell)."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
    except ImportError:  # the helper package does not require torch
        return
    torch.manual_seed(seed)
