r"""Loss functions and their gradients, in NumPy, exactly as PyTorch computes them.

Three groups of functions live here.

* **Building blocks**: :func:`softmax`, :func:`log_softmax`, :func:`logsumexp`,
  :func:`sigmoid`, :func:`one_hot`.
* **Information theory** on discrete probability distributions (along the last
  axis, natural logarithm, so the unit is the *nat*; divide by :math:`\ln 2`
  for bits): :func:`entropy`, :func:`kl_divergence`.
* **Losses**, each with its analytic gradient ``*_grad`` with respect to its
  first argument (chapters 2 and 3 train with them):

  ========================================  ===========================================
  lablib                                    PyTorch (same arguments, same values)
  ========================================  ===========================================
  :func:`cross_entropy`                     ``torch.nn.functional.cross_entropy``
  :func:`binary_cross_entropy`              ``torch.nn.functional.binary_cross_entropy``
  :func:`binary_cross_entropy_with_logits`  ``torch.nn.functional.binary_cross_entropy_with_logits``
  :func:`mse_loss`                          ``torch.nn.functional.mse_loss``
  :func:`categorical_cross_entropy`         ``nll_loss(log(probs).clamp(min=-100), target)``
  ========================================  ===========================================

  Every loss takes ``reduction="mean" | "sum" | "none"`` as PyTorch does.
  The ``*_grad`` functions return :math:`\partial L/\partial(\text{first argument})`
  with the same shape as that argument; with ``reduction="none"`` row (element)
  :math:`i` holds the gradient of loss :math:`i`, which is the gradient of the sum.

**Numerical stability.** Functions that take logits never exponentiate a large
number: they subtract the row maximum first (log-sum-exp), so logits of
:math:`\pm 10^4` give finite losses and gradients. Functions that take
probabilities clamp :math:`\log` at :math:`-100` as PyTorch's
``binary_cross_entropy`` does, so a probability of exactly 0 or 1 gives a loss
of at most 100 per term instead of ``inf`` or ``nan``.

**Checked input.** Bad input raises :class:`ValueError` saying what is wrong:
non-numeric or NaN arrays, shapes that do not match, class indices out of
range, probabilities outside :math:`[0, 1]`, rows that should sum to 1 and do
not (tolerance :data:`SUM_TOL`), an unknown ``reduction``.

Not supported (PyTorch extras a first course does not need): ``weight``,
``ignore_index``, ``label_smoothing``, ``pos_weight`` and extra spatial
dimensions ``(n, C, d1, ...)``.

NumPy only. Introduced in chapter 1.
"""
from __future__ import annotations

import numpy as np

from lablib._validate import array as _array, positive_int as _positive_int

__all__ = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "one_hot",
    "entropy",
    "kl_divergence",
    "cross_entropy",
    "cross_entropy_grad",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "mse_loss",
    "mse_loss_grad",
    "categorical_cross_entropy",
    "categorical_cross_entropy_grad",
    "LOG_CLAMP",
    "SUM_TOL",
]

#: Lower bound on :math:`\log q` for losses that take probabilities (PyTorch's value).
LOG_CLAMP = -100.0
#: How far a probability row's sum may be from 1 (absolute) and still count as a distribution.
SUM_TOL = 1e-6
#: PyTorch's floor on :math:`\hat y (1-\hat y)` in the gradient of binary cross-entropy.
_BCE_GRAD_EPS = float(np.float32(1e-12))   # 9.99999996e-13: PyTorch stores its EPSILON as a C++ float
_REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- checks
def _as_array(x, name: str, allow_inf: bool = False) -> np.ndarray:
    """``x`` as a float64 array; ValueError if it is not numeric or holds NaN (or inf)."""
    arr = _array(x, name)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if allow_inf:
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains NaN")
    elif not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite; it contains NaN or inf")
    return arr


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_probabilities(p: np.ndarray, name: str) -> None:
    if not ((p >= 0) & (p <= 1)).all():
        bad = float(p[~((p >= 0) & (p <= 1))].ravel()[0])
        raise ValueError(f"{name} must hold probabilities in [0, 1]; found {bad:g}")


def _check_distribution(p: np.ndarray, name: str) -> None:
    """Entries in [0, 1] and every slice along the last axis summing to 1."""
    if p.ndim == 0:
        raise ValueError(f"{name} must be a distribution along its last axis, got a scalar")
    if p.shape[-1] == 0:
        raise ValueError(f"{name} has an empty last axis; a distribution needs at least one outcome")
    _check_probabilities(p, name)
    sums = p.sum(axis=-1)
    off = np.abs(sums - 1.0) > SUM_TOL
    if off.any():
        raise ValueError(
            f"{name} must sum to 1 along its last axis (within {SUM_TOL:g}); "
            f"a row sums to {float(sums[off].ravel()[0]):.10g}"
        )


def _check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}")


def _check_nonempty(a: np.ndarray, name: str) -> None:
    if a.size == 0:
        raise ValueError(f"{name} is empty; a loss needs at least one sample")


def _reduce(per_sample: np.ndarray, reduction: str, n: int):
    if reduction == "none":
        return per_sample
    total = per_sample.sum()
    return float(total / n) if reduction == "mean" else float(total)


def _scale(reduction: str, n: int) -> float:
    """d(reduced loss)/d(loss_i): 1/n for the mean, 1 for the sum (and per-sample for none)."""
    return 1.0 / n if reduction == "mean" else 1.0


def _class_target(scores: np.ndarray, target, score_name: str):
    """Turn ``target`` into a float (n, C) matrix of class probabilities.

    ``scores`` is (n, C). ``target`` is either integer class indices of shape
    (n,) or probability rows of shape (n, C) (one-hot rows included).
    """
    n, C = scores.shape
    t = _array(target, "target")
    if t.dtype.kind not in "biuf":
        raise ValueError(f"target must be a numeric array, got dtype {t.dtype}")
    if t.shape == (n,):
        if t.dtype.kind not in "iu":
            raise ValueError(
                f"a target of shape {(n,)} is read as class indices, which must be integers; "
                f"got dtype {t.dtype} (use target.astype(int), or pass probability rows of shape {(n, C)})"
            )
        if n and (t.min() < 0 or t.max() >= C):
            bad = t[(t < 0) | (t >= C)][0]
            raise ValueError(f"class index {int(bad)} is out of range for {C} classes (valid: 0..{C - 1})")
        probs = np.zeros((n, C))
        probs[np.arange(n), t] = 1.0
        return probs
    if t.shape == (n, C):
        if t.dtype.kind == "b":
            raise ValueError("target probabilities must be numbers, got a boolean array")
        t = t.astype(np.float64)
        _check_distribution(t, "target")
        return t
    raise ValueError(
        f"target must be class indices of shape {(n,)} or class probabilities of shape {(n, C)} "
        f"to match {score_name} of shape {scores.shape}; got shape {t.shape}"
    )


def _batched(scores, name: str, allow_inf: bool = False):
    """``scores`` as a float (n, C) array, and whether it was a single unbatched (C,) row."""
    z = _as_array(scores, name, allow_inf=allow_inf)
    if z.ndim == 1:
        z, single = z[None, :], True
    elif z.ndim == 2:
        single = False
    else:
        raise ValueError(f"{name} must have shape (n, C) or (C,), got shape {z.shape}")
    if z.shape[1] == 0:
        raise ValueError(f"{name} has no classes (shape {z.shape})")
    _check_nonempty(z, name)
    return z, single


def _unbatched_target(target, single: bool):
    """For a single (C,) row PyTorch takes a 0-d class index or a (C,) probability row."""
    if not single:
        return target
    t = _array(target, "target")
    return t[None] if t.ndim in (0, 1) else t


def _class_args(scores, target, reduction: str, name: str, probs: bool = False):
    """The checks of the class losses: ``(z, y, single)`` with ``z`` the (n, C) scores (or
    probabilities, if ``probs``), ``y`` the (n, C) target rows and ``single`` whether one
    unbatched (C,) row was given; a ValueError says what is wrong."""
    _check_reduction(reduction)
    z, single = _batched(scores, name)
    if probs:
        _check_distribution(z, name)
    return z, _class_target(z, _unbatched_target(target, single), name), single


# ------------------------------------------------------------------ building blocks
def logsumexp(z, axis: int = -1) -> np.ndarray:
    r"""The log-sum-exp :math:`\log \sum_c e^{z_c}`, computed without overflow.

    .. math::

        \operatorname{LSE}(z) = m + \log \sum_c e^{z_c - m}, \qquad m = \max_c z_c .

    Every exponent is :math:`\le 0`, so nothing overflows, and the largest term is
    :math:`e^0 = 1`, so the sum is at least 1 and its log never underflows.

    Parameters
    ----------
    z : array_like
        Finite numbers.
    axis : int
        The axis to sum over (default: the last).

    Returns
    -------
    ndarray
        ``z`` with ``axis`` removed.

    Examples
    --------
    >>> float(logsumexp([1000.0, 1000.0]))   # naive: log(inf + inf) = inf
    1000.6931471805599

    Introduced in chapter 1.
    """
    z = _as_array(z, "z")
    m = np.max(z, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(z - m), axis=axis))


def softmax(z, axis: int = -1) -> np.ndarray:
    r"""Turn scores (logits) into a probability distribution along ``axis``.

    .. math::

        \operatorname{softmax}(z)_c = \frac{e^{z_c}}{\sum_k e^{z_k}}
                                    = \frac{e^{z_c - m}}{\sum_k e^{z_k - m}},

        m = \max_k z_k .

    Subtracting :math:`m` changes nothing mathematically and keeps
    :math:`e^{(\cdot)}` from overflowing.

    Parameters
    ----------
    z : array_like
        Finite logits.
    axis : int
        The class axis (default: the last).

    Returns
    -------
    ndarray of float64
        Same shape as ``z``; non-negative and summing to 1 along ``axis``.

    Examples
    --------
    >>> softmax([1.0, 2.0, 3.0]).round(4)
    array([0.09  , 0.2447, 0.6652])
    >>> softmax([1000.0, 0.0])               # no overflow
    array([1., 0.])

    Introduced in chapter 1.
    """
    z = _as_array(z, "z")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis: int = -1) -> np.ndarray:
    r"""The logarithm of :func:`softmax`, computed without ever taking ``log(0)``.

    .. math::

        \log \operatorname{softmax}(z)_c = z_c - \operatorname{LSE}(z)
                                          = (z_c - m) - \log \sum_k e^{z_k - m}.

    Parameters
    ----------
    z : array_like
        Finite logits.
    axis : int
        The class axis (default: the last).

    Returns
    -------
    ndarray of float64
        Same shape as ``z``; every entry :math:`\le 0`.

    Examples
    --------
    >>> log_softmax([0.0, 1000.0])          # naive: log(softmax) = [-inf, 0]
    array([-1000.,     0.])

    Introduced in chapter 1.
    """
    z = _as_array(z, "z")
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def sigmoid(x) -> np.ndarray:
    r"""The logistic sigmoid :math:`\sigma(x) = 1/(1 + e^{-x})`, without overflow.

    For :math:`x < 0` it uses the equal form :math:`e^{x}/(1 + e^{x})`, so
    :math:`e^{(\cdot)}` is only ever taken of a non-positive number.

    Parameters
    ----------
    x : array_like
        Numbers (``±inf`` allowed, giving 1 and 0).

    Returns
    -------
    ndarray of float64
        Values in :math:`[0, 1]`, same shape as ``x``.

    Examples
    --------
    >>> sigmoid([-1000.0, 0.0, 1000.0])
    array([0. , 0.5, 1. ])

    Introduced in chapter 1.
    """
    x = _as_array(x, "x", allow_inf=True)
    e = np.exp(-np.abs(x))                       # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log σ(x) = min(x, 0) - log1p(exp(-|x|)), stable for any x."""
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))


def one_hot(y, num_classes: int) -> np.ndarray:
    r"""One-hot encoding: class index :math:`c` becomes a row with a 1 in column :math:`c`.

    Like ``torch.nn.functional.one_hot`` but returns float64 (ready to be used as
    a target distribution) and needs ``num_classes``.

    Parameters
    ----------
    y : array_like of int
        Class indices in ``0 .. num_classes-1``, any shape.
    num_classes : int
        The number of classes :math:`C \ge 1`.

    Returns
    -------
    ndarray of float64
        Shape ``y.shape + (num_classes,)``.

    Examples
    --------
    >>> one_hot([1, 2, 0, 1], 3)      # the course's categories 2, 3, 1, 2 (0-based here)
    array([[0., 1., 0.],
           [0., 0., 1.],
           [1., 0., 0.],
           [0., 1., 0.]])

    Introduced in chapter 1.
    """
    num_classes = _positive_int(num_classes, "num_classes")
    y = _array(y, "y", "an array of class indices")
    if y.dtype.kind not in "iu":
        raise ValueError(f"y must hold integer class indices, got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        bad = y[(y < 0) | (y >= num_classes)].ravel()[0]
        raise ValueError(f"class index {int(bad)} is out of range for {num_classes} classes "
                         f"(valid: 0..{num_classes - 1})")
    return (y[..., None] == np.arange(num_classes)).astype(np.float64)


# -------------------------------------------------------------- information theory
def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x * log(y) with 0 * log(anything) = 0 (the convention 0 log 0 = 0)."""
    out = np.zeros(np.broadcast(x, y).shape)
    nz = np.broadcast_to(x != 0, out.shape)
    xb, yb = np.broadcast_to(x, out.shape), np.broadcast_to(y, out.shape)
    with np.errstate(divide="ignore"):
        out[nz] = xb[nz] * np.log(yb[nz])
    return out


def entropy(p) -> np.ndarray:
    r"""Shannon entropy of a distribution: the average information of its outcomes.

    .. math::

        H(P) = -\sum_x P(x) \log P(x), \qquad 0 \log 0 = 0 .

    Parameters
    ----------
    p : array_like
        Probabilities in :math:`[0, 1]` summing to 1 along the last axis.

    Returns
    -------
    ndarray of float64
        In nats; the last axis removed (a 0-d array for one distribution).

    Examples
    --------
    >>> float(entropy([0.5, 0.5]))           # a fair coin: ln 2 nats = 1 bit
    0.6931471805599453
    >>> float(entropy([1.0, 0.0]))           # a certain outcome carries no information
    0.0

    Introduced in chapter 1.
    """
    p = _as_array(p, "p")
    _check_distribution(p, "p")
    return 0.0 - np.sum(_xlogy(p, p), axis=-1)      # 0.0 - ... : no -0.0 for certain outcomes


def kl_divergence(p, q) -> np.ndarray:
    r"""Kullback–Leibler divergence :math:`D_{KL}(P \Vert Q)` (relative entropy).

    .. math::

        D_{KL}(P \Vert Q) = \sum_x P(x) \bigl(\log P(x) - \log Q(x)\bigr)
                          = H(P, Q) - H(P) \;\ge\; 0 .

    Terms with :math:`P(x) = 0` contribute 0; a term with :math:`P(x) > 0` and
    :math:`Q(x) = 0` makes the divergence ``inf`` (Q calls impossible what P says
    happens). It is not symmetric: in general
    :math:`D_{KL}(P \Vert Q) \ne D_{KL}(Q \Vert P)`.
    Matches ``torch.nn.functional.kl_div(q.log(), p, reduction="none").sum(-1)``.

    Parameters
    ----------
    p, q : array_like
        Distributions along the last axis, same shape.

    Returns
    -------
    ndarray of float64
        In nats; the last axis removed.

    Examples
    --------
    >>> p, q = [0.9, 0.1], [0.5, 0.5]
    >>> round(float(kl_divergence(p, q)), 4), round(float(kl_divergence(q, p)), 4)
    (0.3681, 0.5108)

    Introduced in chapter 1.
    """
    p = _as_array(p, "p")
    q = _as_array(q, "q")
    _check_same_shape(p, q, "p", "q")
    _check_distribution(p, "p")
    _check_distribution(q, "q")
    with np.errstate(divide="ignore"):
        terms = _xlogy(p, p) - _xlogy(p, q)
    return np.sum(terms, axis=-1)


# ------------------------------------------------------------------------ losses
def cross_entropy(logits, target, reduction: str = "mean"):
    r"""Cross-entropy of a softmax over logits, as ``torch.nn.functional.cross_entropy``.

    With target probabilities :math:`y_{i,c}` (one-hot rows when the target is
    class indices) and :math:`n` samples,

    .. math::

        \ell_i = -\sum_c y_{i,c} \log \operatorname{softmax}(z_i)_c
               = \sum_c y_{i,c} \bigl(\operatorname{LSE}(z_i) - z_{i,c}\bigr),

        L = \frac1n \sum_i \ell_i \ \ (\text{mean}).

    The log-probabilities come from :func:`log_softmax`, never from
    ``log(softmax(z))``, so any finite logits give a finite loss.

    Parameters
    ----------
    logits : array_like, shape (n, C) or (C,)
        Unnormalised scores :math:`z` (finite).
    target : array_like
        Integer class indices of shape ``(n,)`` (a scalar for a single ``(C,)`` row),
        or class probabilities of shape ``(n, C)`` (``(C,)``) whose rows sum to 1.
    reduction : {"mean", "sum", "none"}
        Average over samples, sum, or return the ``(n,)`` per-sample losses.

    Returns
    -------
    float or ndarray
        A float for "mean"/"sum"; per-sample losses for "none".

    Examples
    --------
    >>> z = [[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]
    >>> round(cross_entropy(z, [0, 1]), 4)
    0.3185
    >>> cross_entropy(z, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]) == cross_entropy(z, [0, 1])
    True

    Introduced in chapter 1.
    """
    z, y, single = _class_args(logits, target, reduction, "logits")
    per_sample = 0.0 - np.sum(y * log_softmax(z), axis=-1)
    if single and reduction == "none":
        return per_sample[0]
    return _reduce(per_sample, reduction, z.shape[0])


def cross_entropy_grad(logits, target, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to the logits.

    .. math::

        \frac{\partial \ell_i}{\partial z_{i,c}}
            = \operatorname{softmax}(z_i)_c \sum_k y_{i,k} - y_{i,c}
            = \hat y_{i,c} - y_{i,c},

        \frac{\partial L}{\partial z} = \frac1n (\hat Y - Y)\ \ (\text{mean}).

    Parameters
    ----------
    logits, target, reduction
        As in :func:`cross_entropy`.

    Returns
    -------
    ndarray of float64
        Same shape as ``logits``. For "none", row :math:`i` is
        :math:`\partial \ell_i / \partial z_i` (the same as for "sum").

    Examples
    --------
    >>> cross_entropy_grad([[0.0, 0.0]], [1])
    array([[ 0.5, -0.5]])

    Introduced in chapter 1.
    """
    z, y, single = _class_args(logits, target, reduction, "logits")
    grad = softmax(z) * y.sum(axis=-1, keepdims=True) - y
    grad *= _scale(reduction, z.shape[0])
    return grad[0] if single else grad


def _elementwise_args(first, target, reduction: str, first_name: str, probabilities: tuple = ()):
    """The checks of the elementwise losses: ``first`` and ``target`` as float arrays of one
    non-empty shape (those named in ``probabilities`` in [0, 1]), or a ValueError."""
    _check_reduction(reduction)
    x = _as_array(first, first_name)
    t = _as_array(target, "target")
    _check_same_shape(x, t, first_name, "target")
    _check_nonempty(x, first_name)
    for name, arr in ((first_name, x), ("target", t)):
        if name in probabilities:
            _check_probabilities(arr, name)
    return x, t


def binary_cross_entropy(probs, target, reduction: str = "mean"):
    r"""Binary cross-entropy of predicted probabilities, as ``torch.nn.functional.binary_cross_entropy``.

    .. math::

        \ell_i = -\bigl[y_i \log \hat y_i + (1 - y_i) \log (1 - \hat y_i)\bigr],

        L = \frac1n \sum_i \ell_i \ \ (\text{mean}),

    elementwise over arrays of any shape (:math:`n` = number of elements). Label 1
    leaves :math:`-\log \hat y`; label 0 leaves :math:`-\log(1 - \hat y)`.
    As in PyTorch each log is clamped at :data:`LOG_CLAMP` :math:`= -100` and
    :math:`\log(1-\hat y)` is computed as ``log1p(-ŷ)``, so :math:`\hat y \in \{0, 1\}`
    gives at most 100 per element, never ``inf`` or ``nan``.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities :math:`\hat y \in [0, 1]`.
    target : array_like
        Labels :math:`y \in [0, 1]` (usually 0 or 1), same shape as ``probs``.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(binary_cross_entropy([0.9, 0.2], [1, 0]), 4)    # (-log 0.9 - log 0.8) / 2
    0.1643
    >>> binary_cross_entropy([0.0], [1])                       # clamped, not inf
    100.0

    Introduced in chapter 1.
    """
    p, t = _elementwise_args(probs, target, reduction, "probs", probabilities=("probs", "target"))
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), LOG_CLAMP)
        log_1mp = np.maximum(np.log1p(-p), LOG_CLAMP)
    per_element = (t - 1.0) * log_1mp - t * log_p
    return _reduce(per_element, reduction, p.size)


def binary_cross_entropy_grad(probs, target, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`binary_cross_entropy` with respect to ``probs``, as PyTorch computes it.

    .. math::

        \frac{\partial \ell_i}{\partial \hat y_i}
            = -\frac{y_i}{\hat y_i} + \frac{1 - y_i}{1 - \hat y_i}
            = \frac{\hat y_i - y_i}{\max\bigl(\hat y_i (1 - \hat y_i),\ 10^{-12}\bigr)} .

    The floor :math:`10^{-12}` is PyTorch's (stored as a 32-bit float, so
    exactly ``float32(1e-12)``): at :math:`\hat y \in \{0, 1\}` the
    gradient is large but finite.

    Parameters
    ----------
    probs, target, reduction
        As in :func:`binary_cross_entropy`.

    Returns
    -------
    ndarray of float64
        Same shape as ``probs``.

    Examples
    --------
    >>> binary_cross_entropy_grad([0.5, 0.5], [1, 0], reduction="sum")
    array([-2.,  2.])

    Introduced in chapter 1.
    """
    p, t = _elementwise_args(probs, target, reduction, "probs", probabilities=("probs", "target"))
    grad = (p - t) / np.maximum(p * (1.0 - p), _BCE_GRAD_EPS)
    return grad * _scale(reduction, p.size)


def binary_cross_entropy_with_logits(logits, target, reduction: str = "mean"):
    r"""Binary cross-entropy of :math:`\sigma(x)`, as ``torch.nn.functional.binary_cross_entropy_with_logits``.

    .. math::

        \ell_i = -\bigl[y_i \log \sigma(x_i) + (1 - y_i) \log(1 - \sigma(x_i))\bigr]
               = (1 - y_i)\, x_i - \log \sigma(x_i),

    using :math:`\log(1 - \sigma(x)) = \log \sigma(x) - x` and the stable
    :math:`\log \sigma(x) = \min(x, 0) - \log(1 + e^{-|x|})`: no clamping needed,
    exact for logits of any size.

    Parameters
    ----------
    logits : array_like
        Finite scores :math:`x`, any shape.
    target : array_like
        Labels :math:`y \in [0, 1]`, same shape.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> binary_cross_entropy_with_logits([-1000.0], [1])   # -log σ(-1000) = 1000, exactly
    1000.0

    Introduced in chapter 1.
    """
    x, t = _elementwise_args(logits, target, reduction, "logits", probabilities=("target",))
    per_element = (1.0 - t) * x - _log_sigmoid(x)
    return _reduce(per_element, reduction, x.size)


def binary_cross_entropy_with_logits_grad(logits, target, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`binary_cross_entropy_with_logits` with respect to the logits.

    .. math::

        \frac{\partial \ell_i}{\partial x_i} = \sigma(x_i) - y_i .

    Parameters
    ----------
    logits, target, reduction
        As in :func:`binary_cross_entropy_with_logits`.

    Returns
    -------
    ndarray of float64
        Same shape as ``logits``.

    Examples
    --------
    >>> binary_cross_entropy_with_logits_grad([0.0, 0.0], [1, 0])
    array([-0.25,  0.25])

    Introduced in chapter 1.
    """
    x, t = _elementwise_args(logits, target, reduction, "logits", probabilities=("target",))
    return (sigmoid(x) - t) * _scale(reduction, x.size)


def mse_loss(input, target, reduction: str = "mean"):
    r"""Mean squared error, as ``torch.nn.functional.mse_loss``.

    .. math::

        \ell_i = (x_i - y_i)^2, \qquad L = \frac1n \sum_i \ell_i \ \ (\text{mean}),

    elementwise over arrays of any shape (:math:`n` = number of elements).

    Parameters
    ----------
    input : array_like
        Predictions :math:`x` (finite).
    target : array_like
        Targets :math:`y`, same shape (no broadcasting).
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> mse_loss([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])    # (0 + 4 + 9) / 3
    4.333333333333333

    Introduced in chapter 1.
    """
    x, t = _elementwise_args(input, target, reduction, "input")
    return _reduce((x - t) ** 2, reduction, x.size)


def mse_loss_grad(input, target, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`mse_loss` with respect to ``input``: :math:`2 (x_i - y_i)` (over :math:`n` for the mean).

    Examples
    --------
    >>> mse_loss_grad([1.0, 2.0], [0.0, 0.0])
    array([1., 2.])

    Introduced in chapter 1.
    """
    x, t = _elementwise_args(input, target, reduction, "input")
    return 2.0 * (x - t) * _scale(reduction, x.size)


def categorical_cross_entropy(probs, target, reduction: str = "mean"):
    r"""The course's categorical cross-entropy, on predicted *probabilities*.

    .. math::

        \ell_i = -\sum_c y_{i,c} \log \hat y_{i,c},

        L = -\frac1n \sum_i \sum_c y_{i,c} \log \hat y_{i,c} \ \ (\text{mean}).

    With one-hot :math:`y` only the true class survives: :math:`\ell_i = -\log \hat y_{i, c_i}`.
    Each :math:`\log \hat y` is clamped at :data:`LOG_CLAMP` :math:`= -100` (PyTorch's
    convention for probability inputs), so :math:`\hat y = 0` in the true class
    costs 100 rather than ``inf``, and in another class costs nothing.
    Equals ``F.nll_loss(probs.log().clamp(min=-100), target)`` in PyTorch; prefer
    :func:`cross_entropy` on logits when you have them.

    Parameters
    ----------
    probs : array_like, shape (n, C) or (C,)
        Predicted distributions :math:`\hat y`: entries in [0, 1], rows summing to 1.
    target : array_like
        Integer class indices of shape ``(n,)``, or one-hot (or probability) rows
        of shape ``(n, C)``.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    float or ndarray

    Examples
    --------
    The course's three samples:

    >>> y_hat = [[0.8, 0.1, 0.1], [0.1, 0.0, 0.9], [0.2, 0.6, 0.2]]
    >>> y = [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    >>> round(categorical_cross_entropy(y_hat, y), 4)
    0.2798

    Introduced in chapter 1.
    """
    p, y, single = _class_args(probs, target, reduction, "probs", probs=True)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), LOG_CLAMP)
    per_sample = 0.0 - np.sum(y * log_p, axis=-1)
    if single and reduction == "none":
        return per_sample[0]
    return _reduce(per_sample, reduction, p.shape[0])


def categorical_cross_entropy_grad(probs, target, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`categorical_cross_entropy` with respect to ``probs``.

    .. math::

        \frac{\partial \ell_i}{\partial \hat y_{i,c}} = -\frac{y_{i,c}}{\hat y_{i,c}}
        \quad\text{where } \log \hat y_{i,c} > -100, \text{ else } 0

    (where the log is clamped the loss is flat). The probabilities are treated as
    free variables; the gradient through a softmax is :func:`cross_entropy_grad`.
    Matches PyTorch's autograd wherever that is defined (at :math:`\hat y = 0`
    PyTorch's autograd computes :math:`0 \cdot \infty` = ``nan``; this returns 0).

    Parameters
    ----------
    probs, target, reduction
        As in :func:`categorical_cross_entropy`.

    Returns
    -------
    ndarray of float64
        Same shape as ``probs``.

    Examples
    --------
    >>> categorical_cross_entropy_grad([[0.8, 0.2]], [0])
    array([[-1.25,  0.  ]])

    Introduced in chapter 1.
    """
    p, y, single = _class_args(probs, target, reduction, "probs", probs=True)
    with np.errstate(divide="ignore"):
        live = np.log(p) > LOG_CLAMP
    grad = np.zeros_like(p)
    grad[live] = -y[live] / p[live] + 0.0          # + 0.0 turns -0.0 into 0.0
    grad *= _scale(reduction, p.shape[0])
    return grad[0] if single else grad
