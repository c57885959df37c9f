"""Argument checks shared by lablib's modules: a clear ValueError that says what is wrong.

One function per kind of check, so that every module words the same mistake the same way:
:func:`array` (coercion), :func:`flag` (True or False), :func:`integer` and
:func:`positive_int`, :func:`positive_number`, :func:`number_between`, :func:`returned_number` (what a user's function returned) and
:func:`generator` (an ``rng`` argument).
"""
from __future__ import annotations

import numbers

import numpy as np


def array(value, name: str, what: str = "a numeric array", copy: bool = False) -> np.ndarray:
    """``value`` as a NumPy array (a copy if ``copy``), or a ValueError saying ``name`` must be ``what``.

    Only the conversion is checked (ragged lists and the like); dtype and shape are the caller's.
    """
    try:
        return np.array(value) if copy else np.asarray(value)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{name} must be {what}; could not convert it ({err})") from None


def flag(value, name: str) -> bool:
    """``value`` as a bool if it is True or False (NumPy's too), else a ValueError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def integer(value, name: str, *, at_least: int | None = None, at_most: int | None = None) -> int:
    """``value`` as an int if it is an integer (not a bool) from ``at_least`` to ``at_most`` (either
    bound may be None), else a ValueError naming ``name`` and the range."""
    ok = (not isinstance(value, (bool, np.bool_)) and isinstance(value, numbers.Integral)
          and (at_least is None or value >= at_least) and (at_most is None or value <= at_most))
    if not ok:
        if at_most is not None:
            kind = f"an integer from {at_least} to {at_most}" if at_least is not None else f"an integer of at most {at_most}"
        else:
            kind = {None: "an integer", 0: "a non-negative integer", 1: "a positive integer"}.get(
                at_least, f"an integer of at least {at_least}")
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def positive_int(value, name: str, *, at_least: int = 1, at_most: int | None = None) -> int:
    """``value`` as an int if it is an integer >= ``at_least`` (1 by default; e.g. 2 for a number of
    classes) and <= ``at_most`` if given, else a ValueError naming ``name`` (see :func:`integer`)."""
    return integer(value, name, at_least=at_least, at_most=at_most)


def number_between(value, name: str, low: float, high: float) -> float:
    """``value`` as a float if it is a real number (not a bool, not NaN) from ``low`` to ``high``,
    else a ValueError naming ``name`` and the range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not low <= value <= high:
        raise ValueError(f"{name} must be a number between {low:g} and {high:g}, got {value!r}")
    return float(value)


def positive_number(value, name: str, *, allow_zero: bool = False, allow_inf: bool = False) -> float:
    """``value`` as a float if it is a real number > 0 (not a bool, not NaN), else a ValueError naming ``name``.

    ``allow_zero`` accepts 0 too (a non-negative number); ``allow_inf`` accepts ``inf`` (for a limit
    that may be switched off). By default the number must be finite.
    """
    ok = (not isinstance(value, (bool, np.bool_)) and isinstance(value, numbers.Real)
          and not np.isnan(value) and (value >= 0 if allow_zero else value > 0)
          and (allow_inf or np.isfinite(value)))
    if not ok:
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {kind} {'' if allow_inf else 'finite '}number, got {value!r}")
    return float(value)


def returned_number(value, fn_name: str, where: str) -> float:
    """What a user's function returned (``value``) as a float if it is one real number, else a
    ValueError saying ``fn_name`` must return one and what it returned ``where`` (e.g. "at x")."""
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        raise ValueError(f"{fn_name} must return a single real number; {where} it returned "
                         f"{type(value).__name__} with shape {arr.shape} and dtype {arr.dtype}")
    return float(arr.reshape(()))


def generator(rng) -> np.random.Generator | None:
    """``rng`` as a Generator (an int seeds a new one); None stays None (NumPy's global generator)."""
    if rng is None or isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(int(rng))
    raise ValueError(f"rng must be a numpy.random.Generator, an integer seed or None, got {rng!r}")
