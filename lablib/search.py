r"""Optimization without gradients: random search and random local search.

Both treat the loss as a black box :math:`W \mapsto L(W)` that can only be
evaluated, and keep the best :math:`W` seen so far.

* :func:`random_search` (the course's Algorithm 1) draws every candidate
  afresh, :math:`W \sim \mathcal N(0, \text{scale}^2)`, and keeps the best.
* :func:`random_local_search` (Algorithm 2) starts somewhere and tries a small
  random step :math:`W + \delta`, :math:`\delta \sim \mathcal N(0, \text{step\_size}^2)`,
  keeping it only if the loss goes down: *iterative refinement*.

They are chapter 2's baselines, which following the gradient then beats by
a wide margin.

NumPy only. Introduced in chapter 2.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np

from lablib._validate import positive_int as _positive_int, positive_number as _positive_number

__all__ = ["random_search", "random_local_search", "SearchResult"]


@dataclass
class SearchResult:
    """What a search returns; unpacks as ``W, history = random_search(...)``.

    Attributes
    ----------
    W : ndarray
        The best weights found.
    loss : float
        Their loss, ``history[-1]``.
    history : ndarray
        ``history[k]`` is the best loss after ``k + 1`` evaluations of the loss
        (never increases).
    losses : ndarray
        The loss of every candidate evaluated, in order (same length as ``history``).
    num_accepted : int
        How many candidates became the new best (the first evaluation counts).
    """

    W: np.ndarray
    loss: float
    history: np.ndarray
    losses: np.ndarray
    num_accepted: int

    def __iter__(self):
        """Unpack as ``(W, history)``."""
        yield self.W
        yield self.history


# --------------------------------------------------------------------------- checks
def _loss_value(value, k: int) -> float:
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        raise ValueError(f"loss_fn must return a single real number; evaluation {k + 1} returned "
                         f"{type(value).__name__} with shape {arr.shape}")
    loss = float(arr.reshape(()))
    if not np.isfinite(loss):
        raise ValueError(f"loss_fn returned {loss} at evaluation {k + 1}; a search needs finite losses")
    return loss


def _normal(rng) -> Callable:
    """``standard_normal`` of ``rng`` (a Generator, an int seed) or of NumPy's global generator (None)."""
    if rng is None:
        return np.random.standard_normal
    if isinstance(rng, np.random.Generator):
        return rng.standard_normal
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(int(rng)).standard_normal
    raise ValueError(f"rng must be a numpy.random.Generator, an integer seed or None, got {rng!r}")


def _check_callable(loss_fn) -> None:
    if not callable(loss_fn):
        raise ValueError(f"loss_fn must be a function W -> loss, got {type(loss_fn).__name__}")


# ---------------------------------------------------------------------- searches
def random_search(loss_fn: Callable[[np.ndarray], float], shape, num_tries: int = 1000, scale: float = 1.0,
                  rng=None) -> SearchResult:
    r"""Try ``num_tries`` random weight matrices and keep the one with the lowest loss.

    .. math::

        W^{(k)} \sim \mathcal N(0, \text{scale}^2)\ \text{entrywise}, \qquad
        W^\star = \arg\min_{k} L(W^{(k)}).

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(W)`` returns the loss (one finite number) of weights ``W``.
    shape : tuple of int
        The shape of ``W``, e.g. ``(785, 10)`` for MNIST with the bias trick.
    num_tries : int, default 1000
        How many candidates to draw (and evaluate).
    scale : float, default 1.0
        Standard deviation of the entries of each candidate.
    rng : numpy.random.Generator or int, optional
        Where the candidates come from (default: NumPy's global generator,
        which :func:`lablib.set_seed` seeds).

    Returns
    -------
    SearchResult
        Unpacks as ``(W, history)``.

    Examples
    --------
    >>> f = lambda W: float(np.sum((W - 0.5) ** 2))
    >>> W, history = random_search(f, (2,), num_tries=200, rng=0)
    >>> bool(history[-1] < history[0]), bool(np.all(np.diff(history) <= 0)), len(history)
    (True, True, 200)

    Introduced in chapter 2.
    """
    _check_callable(loss_fn)
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f"shape must be a tuple of positive integers, got {shape!r}") from None
    if not shape or any(isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Integral) or s < 1
                        for s in shape):
        raise ValueError(f"shape must be a tuple of positive integers, got {shape!r}")
    num_tries = _positive_int(num_tries, "num_tries")
    scale = _positive_number(scale, "scale")
    normal = _normal(rng)
    losses = np.empty(num_tries)
    history = np.empty(num_tries)
    best_loss, best_W, accepted = np.inf, None, 0
    for k in range(num_tries):
        W = scale * normal(shape)                       # a fresh random guess
        loss = _loss_value(loss_fn(W), k)
        if loss < best_loss:                            # keep the best so far
            best_loss, best_W, accepted = loss, W, accepted + 1
        losses[k], history[k] = loss, best_loss
    return SearchResult(best_W, best_loss, history, losses, accepted)


def random_local_search(loss_fn: Callable[[np.ndarray], float], W0, num_steps: int = 1000,
                        step_size: float = 1e-3, rng=None) -> SearchResult:
    r"""Improve ``W0`` by random steps, keeping a step only when it lowers the loss.

    .. math::

        W_{\text{try}} = W + \delta, \quad \delta \sim \mathcal N(0, \text{step\_size}^2); \qquad
        W \leftarrow W_{\text{try}} \ \text{ if } L(W_{\text{try}}) < L(W).

    The loss is evaluated once at ``W0`` and once per step: ``num_steps + 1``
    evaluations in all.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(W)`` returns the loss (one finite number) of weights ``W``.
    W0 : array_like of float
        Where to start (not modified).
    num_steps : int, default 1000
        How many random steps to try.
    step_size : float, default 1e-3
        Standard deviation of each entry of a step.
    rng : numpy.random.Generator or int, optional
        Where the steps come from (default: NumPy's global generator).

    Returns
    -------
    SearchResult
        ``history`` and ``losses`` have ``num_steps + 1`` entries (the first is
        the loss at ``W0``); ``num_accepted`` counts ``W0`` and every accepted step.

    Examples
    --------
    >>> f = lambda W: float(np.sum((W - 0.5) ** 2))
    >>> res = random_local_search(f, np.zeros(2), num_steps=500, step_size=0.05, rng=0)
    >>> float(res.history[0]), bool(res.loss < 0.01), len(res.history)
    (0.5, True, 501)

    Introduced in chapter 2.
    """
    _check_callable(loss_fn)
    try:
        W = np.array(W0)
    except (ValueError, TypeError) as err:
        raise ValueError(f"W0 must be an array of floats; could not convert it ({err})") from None
    if W.dtype.kind != "f":
        raise ValueError(f"W0 must be an array of floats, got dtype {W.dtype}")
    if W.size == 0:
        raise ValueError("W0 is empty: there is nothing to search over")
    if not np.all(np.isfinite(W)):
        raise ValueError("W0 contains NaN or inf")
    num_steps = _positive_int(num_steps, "num_steps")
    step_size = _positive_number(step_size, "step_size")
    normal = _normal(rng)
    losses = np.empty(num_steps + 1)
    history = np.empty(num_steps + 1)
    best_loss = _loss_value(loss_fn(W.copy()), 0)
    losses[0] = history[0] = best_loss
    accepted = 1
    for k in range(1, num_steps + 1):
        W_try = W + step_size * normal(W.shape)         # a small random step from the current W
        loss = _loss_value(loss_fn(W_try), k)
        if loss < best_loss:                            # keep it only if it helps
            W, best_loss, accepted = W_try, loss, accepted + 1
        losses[k], history[k] = loss, best_loss
    return SearchResult(W, best_loss, history, losses, accepted)
