"""Argument checks shared by lablib's modules: a clear ValueError that says what is wrong."""
from __future__ import annotations

import numbers

import numpy as np


def positive_int(value, name: str) -> int:
    """``value`` as an int if it is an integer >= 1 (not a bool), else a ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def positive_number(value, name: str) -> float:
    """``value`` as a float if it is a finite real number > 0 (not a bool), else a ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)
