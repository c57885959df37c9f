"""Numerical gradients and gradient checking.

A gradient can be computed without any calculus: nudge one number of the
input by a small step :math:`h`, see how much the function changes, divide.
:func:`numerical_gradient` does that for every entry of an array (the forward
difference of the course's Algorithm 3, or the more accurate central
difference), and :func:`rel_error` measures how far an analytic gradient is
from it (the largest of the entrywise :func:`relative_errors`, each measured
against the larger of the two values), which is how every hand-written
gradient in this book is checked.

NumPy only. Introduced in chapter 2.
"""
from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from lablib._validate import array as _array, positive_number as _positive_number, returned_number

__all__ = ["numerical_gradient", "partial_derivative", "relative_errors", "rel_error", "METHODS"]

#: The finite-difference formulas :func:`numerical_gradient` knows.
METHODS = ("central", "forward")


def _scalar(value, where: str) -> float:
    """``value`` as a Python float, or a ValueError saying ``f`` must return one number."""
    return returned_number(value, "f", where)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5,
                       method: str = "central") -> np.ndarray:
    r"""Finite-difference gradient of a scalar function ``f`` at ``x``.

    Each entry :math:`x_i` is nudged in place, ``f`` is evaluated, and
    :math:`x_i` is put back exactly as it was before the next entry is touched:

    .. math::

        \text{forward:}\quad \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x)}{h}
        \qquad
        \text{central:}\quad \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    The forward difference is off by :math:`O(h)`, the central difference by
    :math:`O(h^2)`; for very small ``h`` round-off dominates both. The cost is
    one (forward) or two (central) evaluations of ``f`` per entry of ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns one real number. It is called with ``x`` itself
        (modified in place), so it may also read ``x`` through a closure,
        e.g. ``lambda _: model.loss(X, y)`` with ``x = model.W``.
    x : ndarray of floats
        Where to take the gradient. Any shape; float16 is refused (too coarse
        for finite differences) and so are integer arrays (they cannot hold
        ``x + h``). Modified during the call and restored afterwards.
    h : float, default 1e-5
        The step, a positive finite number.
    method : {"central", "forward"}, default "central"

    Returns
    -------
    ndarray of float64
        Same shape as ``x``.

    Raises
    ------
    ValueError
        If ``x`` is not a floating-point array, ``h`` is not a positive finite
        number, ``method`` is unknown, or ``f`` does not return one real number.

    Examples
    --------
    The gradient of :math:`f(x) = \sum_i x_i^2` is :math:`2x`:

    >>> x = np.array([1.0, -2.0, 3.0])
    >>> numerical_gradient(lambda v: np.sum(v ** 2), x).round(6)
    array([ 2., -4.,  6.])
    >>> x                                   # restored
    array([ 1., -2.,  3.])
    >>> numerical_gradient(lambda v: np.sum(v ** 2), x, method="forward").round(4)
    array([ 2., -4.,  6.])

    Introduced in chapter 2.
    """
    x, h = _check_args(x, h, method)
    grad = np.zeros(x.shape, dtype=np.float64)
    fx = _scalar(f(x), "at x") if method == "forward" else None   # shared by every entry
    for ix in np.ndindex(x.shape):                                 # every entry, one at a time
        grad[ix] = _difference(f, x, ix, h, method, fx)
    return grad


def partial_derivative(f: Callable[[np.ndarray], float], x: np.ndarray, index, h: float = 1e-5,
                       method: str = "central") -> float:
    r"""Finite-difference estimate of one partial derivative :math:`\partial f/\partial x_i`.

    The same formula as :func:`numerical_gradient`, for one entry only: checking
    a few hundred random entries of a large gradient costs a few hundred
    evaluations of ``f`` instead of one or two per weight.

    Parameters
    ----------
    f, x, h, method
        As in :func:`numerical_gradient` (``x`` is nudged in place and restored).
    index : int or tuple of int
        The entry: a tuple with one integer per axis of ``x``, or a flat index
        into ``x.ravel()``.

    Returns
    -------
    float

    Examples
    --------
    >>> W = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> f = lambda w: float(np.sum(w ** 3))          # ∂f/∂w_ij = 3 w_ij²
    >>> round(partial_derivative(f, W, (1, 0)), 6), round(partial_derivative(f, W, 3), 6)
    (27.0, 48.0)

    Introduced in chapter 2.
    """
    x, h = _check_args(x, h, method)
    ix = _check_index(index, x)
    fx = _scalar(f(x), "at x") if method == "forward" else None
    return float(_difference(f, x, ix, h, method, fx))


def _check_index(index, x) -> tuple:
    """``index`` (flat, or one integer per axis) as a tuple of ints into ``x``, or a ValueError."""
    def is_int(i):
        return isinstance(i, numbers.Integral) and not isinstance(i, (bool, np.bool_))

    if is_int(index):
        if not 0 <= index < x.size:
            raise ValueError(f"flat index {index} is out of range for x of size {x.size}")
        return tuple(int(i) for i in np.unravel_index(int(index), x.shape))
    try:
        ix = tuple(index)
    except TypeError:
        raise ValueError(f"index must be an integer or a tuple of integers, got {index!r}") from None
    if len(ix) != x.ndim or not all(is_int(i) for i in ix):
        raise ValueError(f"index must be a tuple of {x.ndim} integers for x of shape {x.shape}, got {index!r}")
    if any(not 0 <= i < n for i, n in zip(ix, x.shape)):
        raise ValueError(f"index {ix} is out of range for x of shape {x.shape}")
    return tuple(int(i) for i in ix)


def _check_args(x, h, method):
    """Validate ``x``, ``h`` and ``method`` for the finite-difference functions."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    h = _positive_number(h, "h")
    if not isinstance(x, np.ndarray):
        raise ValueError(f"x must be a NumPy array of floats (it is modified in place and restored), "
                         f"got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise ValueError(f"x must hold floating-point numbers to be nudged by h={h}; it has dtype "
                         f"{x.dtype} (convert it first, e.g. x.astype(np.float64))")
    if x.dtype.itemsize < 4:
        raise ValueError(f"x has dtype {x.dtype}, too coarse for finite differences; use float32 or float64")
    if not x.flags.writeable:
        raise ValueError("x must be writeable: numerical_gradient nudges its entries in place")
    return x, h


def _difference(f, x, ix, h, method, fx):
    """One finite difference at entry ``ix``: nudge x[ix], evaluate f, put x[ix] back exactly."""
    old = x[ix].copy()                   # a 0-d copy, so restoring is exact in any dtype
    try:
        x[ix] = old + h
        f_plus = _scalar(f(x), f"at x + h·e{list(ix)}")
        if method == "forward":
            return (f_plus - fx) / h
        x[ix] = old - h
        f_minus = _scalar(f(x), f"at x - h·e{list(ix)}")
        return (f_plus - f_minus) / (2 * h)
    finally:
        x[ix] = old


def relative_errors(a, b, eps: float = 1e-8) -> np.ndarray:
    r"""Entrywise relative error of two arrays of the same shape, measured against the larger value.

    .. math::

        r_i = \frac{|a_i - b_i|}{\max(|a_i|,\ |b_i|,\ \varepsilon)}

    This is the formula of the CS231n notes on gradient checking, whose rules
    of thumb are stated for it: 1 and 1.001 differ by about 1e-3. (CS231n's
    assignment code divides by :math:`|a_i| + |b_i|` instead, which gives
    about half as much when the two agree.) :math:`r_i` does not change if both
    arrays are scaled; it is 1 when one of the two is 0, and above 1 only when
    their signs differ (2 for opposite values). The floor :math:`\varepsilon`
    keeps entries where both are (almost) zero from counting as errors.

    Parameters
    ----------
    a, b : array_like
        Two arrays of the same shape (e.g. an analytic and a numerical gradient).
    eps : float, default 1e-8
        Floor of the denominator, a positive number.

    Returns
    -------
    ndarray of float64
        Same shape as ``a``.

    Examples
    --------
    >>> relative_errors([1.0, 2.0, 0.0, 1.0], [1.0, 2.002, 0.0, -1.0]).round(6).tolist()
    [0.0, 0.000999, 0.0, 2.0]

    Introduced in chapter 2.
    """
    a, b, eps = _check_rel_error_args(a, b, eps)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), eps)


def rel_error(a, b, eps: float = 1e-8) -> float:
    r"""The largest entrywise relative error, :math:`\max_i r_i` of :func:`relative_errors`.

    For gradients computed in float64 and checked with a central difference,
    the rules of thumb (CS231n's): below 1e-7 the analytic gradient is right;
    1e-7 to 1e-4 is fine only with kinks (ReLU) or tiny entries; 1e-4 to 1e-2
    is suspicious; above 1e-2 it is almost certainly wrong.

    Parameters
    ----------
    a, b, eps
        As in :func:`relative_errors`.

    Returns
    -------
    float

    Examples
    --------
    >>> rel_error([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> round(rel_error([1.0, 2.0], [1.0, 2.002]), 6)   # 0.002 / 2.002
    0.000999
    >>> rel_error([1.0], [0.0]), rel_error([1.0], [-1.0])
    (1.0, 2.0)

    Introduced in chapter 2.
    """
    return float(np.max(relative_errors(a, b, eps)))


def _check_rel_error_args(a, b, eps):
    """``a`` and ``b`` as float64 arrays and ``eps`` as a float, or a ValueError saying what is wrong."""
    a = _array(a, "a", "an array of real numbers")
    b = _array(b, "b", "an array of real numbers")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    for name, arr in (("a", a), ("b", b)):
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    eps = _positive_number(eps, "eps")
    if a.size == 0:
        raise ValueError("a and b are empty: there is nothing to compare")
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("a and b must be finite (a NaN or inf means the gradient itself is broken)")
    return a, b, eps
