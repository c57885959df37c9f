r"""Optimization without gradients: random search and random local search.

Both treat the loss as a black box :math:`W \mapsto L(W)` that can only be
evaluated, and keep the best :math:`W` seen so far.

* :func:`random_search` (the course's Algorithm 1) draws every candidate
  afresh, :math:`W \sim \mathcal N(0, \text{scale}^2)`, and keeps the best.
* :func:`random_local_search` (Algorithm 2) starts somewhere and tries a small
  random step :math:`W + \delta`, :math:`\delta \sim \mathcal N(0, \text{step\_size}^2)`,
  keeping it only if the loss goes down: *iterative refinement*. By default
  the record starts at the loss of the start (the book's choice);
  ``initial_loss=math.inf`` starts it at ``bestloss ← ∞`` as the slide writes.

They are chapter 2's baselines, which following the gradient then beats by
a wide margin.

NumPy only. Introduced in chapter 2.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np

from lablib._validate import array as _array, generator as _generator, returned_number
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
    loss = returned_number(value, "loss_fn", f"at evaluation {k + 1}")
    if not np.isfinite(loss):
        raise ValueError(f"loss_fn returned {loss} at evaluation {k + 1}; a search needs finite losses")
    return loss


def _normal(rng) -> Callable:
    """``standard_normal`` of ``rng`` (a Generator, an int seed) or of NumPy's global generator (None)."""
    rng = _generator(rng)
    return np.random.standard_normal if rng is None else rng.standard_normal


def _check_callable(loss_fn) -> None:
    if not callable(loss_fn):
        raise ValueError(f"loss_fn must be a function W -> loss, got {type(loss_fn).__name__}")


def _check_search_args(loss_fn, shape, num_tries, scale, rng):
    """Validated ``(shape, num_tries, scale, normal)`` for :func:`random_search`, or a ValueError."""
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
    return shape, _positive_int(num_tries, "num_tries"), _positive_number(scale, "scale"), _normal(rng)


def _check_local_search_args(loss_fn, W0, num_steps, step_size, rng, initial_loss):
    """Validated ``(W, num_steps, step_size, normal)`` for :func:`random_local_search`, or a ValueError.

    ``W`` is a copy of ``W0``; ``initial_loss`` must be None, a finite number or ``math.inf``.
    """
    _check_callable(loss_fn)
    W = _array(W0, "W0", "an array of floats", copy=True)
    if W.dtype.kind != "f":
        raise ValueError(f"W0 must be an array of floats, got dtype {W.dtype}")
    if W.size == 0:
        raise ValueError("W0 is empty: there is nothing to search over")
    if not np.all(np.isfinite(W)):
        raise ValueError("W0 contains NaN or inf")
    if initial_loss is not None and (isinstance(initial_loss, (bool, np.bool_))
                                     or not isinstance(initial_loss, numbers.Real)
                                     or np.isnan(initial_loss) or initial_loss == -np.inf):
        raise ValueError(f"initial_loss must be None (evaluate the loss at W0), a finite number or "
                         f"math.inf (the slide's bestloss ← ∞), got {initial_loss!r}")
    return W, _positive_int(num_steps, "num_steps"), _positive_number(step_size, "step_size"), _normal(rng)


# ---------------------------------------------------------------------- searches
def random_search(loss_fn: Callable[[np.ndarray], float], shape, num_tries: int = 1000, scale: float = 1.0,
                  rng=None) -> SearchResult:
    r"""Try ``num_tries`` random weight matrices and keep the one with the lowest loss.

    .. math::

        W^{(k)} \sim \mathcal N(0, \text{scale}^2)\ \text{entrywise}, \qquad
        W^\star = \arg\min_{k} L(W^{(k)}).

    The record starts at ``bestloss = ∞``, so the first candidate is always
    kept, as in the course's Algorithm 1 (whose settings are the defaults:
    1000 tries, :math:`\mathcal N(0, 1)`).

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
    shape, num_tries, scale, normal = _check_search_args(loss_fn, shape, num_tries, scale, rng)
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
                        step_size: float = 1e-3, rng=None, initial_loss: float | None = None) -> SearchResult:
    r"""Improve ``W0`` by random steps, keeping a step only when it lowers the loss.

    .. math::

        W_{\text{try}} = W + \delta, \quad \delta \sim \mathcal N(0, \text{step\_size}^2); \qquad
        W \leftarrow W_{\text{try}} \ \text{ if } L(W_{\text{try}}) < \text{bestloss}.

    Where the record starts is ``initial_loss``:

    * ``None`` (the default, the book's choice): ``bestloss = L(W0)``, so a step
      is kept only if it is better than where the search stands. The loss is
      evaluated once at ``W0`` and once per step: ``num_steps + 1`` evaluations.
    * ``math.inf`` (the course's Algorithm 2, ``bestloss ← ∞``): ``W0`` is never
      evaluated and the first step is always kept, whatever its loss:
      ``num_steps`` evaluations.
    * a finite number, e.g. a loss at ``W0`` computed earlier: used as given.

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
    initial_loss : float, optional
        The ``bestloss`` the search starts with (see above); not NaN or ``-inf``.

    Returns
    -------
    SearchResult
        ``history`` and ``losses`` have one entry per evaluation: ``num_steps + 1``
        (the first is the loss at ``W0``) when ``initial_loss`` is None, else
        ``num_steps``. ``num_accepted`` counts every accepted step, and ``W0``
        too when it was evaluated.

    Examples
    --------
    >>> f = lambda W: float(np.sum((W - 0.5) ** 2))
    >>> res = random_local_search(f, np.zeros(2), num_steps=500, step_size=0.05, rng=0)
    >>> float(res.history[0]), bool(res.loss < 0.01), len(res.history)
    (0.5, True, 501)
    >>> slide = random_local_search(f, np.zeros(2), num_steps=500, step_size=0.05, rng=0,
    ...                             initial_loss=float("inf"))
    >>> len(slide.history), bool(slide.history[0] == slide.losses[0])   # first step kept
    (500, True)

    Introduced in chapter 2.
    """
    W, num_steps, step_size, normal = _check_local_search_args(loss_fn, W0, num_steps, step_size, rng,
                                                               initial_loss)
    losses, history, accepted = [], [], 0
    if initial_loss is None:                            # the book: start from the loss of W0
        initial_loss = _loss_value(loss_fn(W.copy()), 0)
        losses, history, accepted = [initial_loss], [initial_loss], 1
    best_loss = initial_loss                            # the slide: bestloss ← ∞
    for _ in range(num_steps):
        W_try = W + step_size * normal(W.shape)         # a small random step from the current W
        loss = _loss_value(loss_fn(W_try), len(losses))
        if loss < best_loss:                            # keep it only if it helps
            W, best_loss, accepted = W_try, loss, accepted + 1
        losses.append(loss)
        history.append(best_loss)
    return SearchResult(W, float(best_loss), np.array(history), np.array(losses), accepted)
