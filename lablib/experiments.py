r"""Experiments of the stochastic-gradient-descent chapter: mini-batch noise and batch size.

- :func:`gradient_noise` measures how far a mini-batch gradient falls from the
  full gradient, for several batch sizes, and compares it with the formula for
  sampling without replacement.
- :func:`batch_size_runs` trains the NumPy softmax classifier with mini-batch
  SGD at several batch sizes and records the training loss against updates,
  examples seen and seconds.
- :class:`LineFit` is a two-weight problem with real data (fitting a line by
  least squares), small enough to draw: its loss is a 2-D landscape and its
  mini-batch SGD path can be plotted on the contours.
- :func:`noisy_descent` runs many copies of SGD at once on a landscape with
  Gaussian noise added to the gradient (a model of mini-batch noise), to count
  how often the noise carries a run out of a local minimum.

Runs return arrays; nothing here draws. NumPy only (with :mod:`lablib.models`,
:mod:`lablib.numpy_training`, :mod:`lablib.optim`, :mod:`lablib.landscapes` and :mod:`lablib.runs`). Introduced in chapter 6.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import NamedTuple, Sequence

import numpy as np

from lablib._validate import positive_int as _positive_int, positive_number as _positive_float
from lablib.landscapes import Landscape, _check_landscape
from lablib.runs import Trajectory
from lablib.losses import softmax
from lablib.models import SoftmaxClassifier, softmax_loss, softmax_loss_and_grad
from lablib.numpy_training import minibatches
from lablib.optim import SGD, Parameter

__all__ = ["GradientNoise", "gradient_noise", "BatchSizeRun", "batch_size_runs", "LineFit", "make_line_data",
           "noisy_descent", "NoisyDescent"]


def _rng(rng):
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _data(X, y):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X must be (n, D) and y (n,) with n > 0, got shapes {X.shape} and {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}")
    return X, y


# ---------------------------------------------------------------- gradient noise
class GradientNoise(NamedTuple):
    """What :func:`gradient_noise` measured (one entry per batch size in the arrays).

    Introduced in chapter 6.
    """

    #: The batch sizes :math:`B`.
    batch_sizes: np.ndarray
    #: Mean of :math:`\lVert g_B - \nabla L\rVert^2` over the sampled mini-batches.
    measured: np.ndarray
    #: :math:`\frac{\sigma^2}{B}\,\frac{n-B}{n-1}` (sampling without replacement).
    predicted: np.ndarray
    #: :math:`\sigma^2`, the mean squared distance of one example's gradient from the full gradient.
    sigma2: float
    #: :math:`\lVert\nabla L\rVert^2`, the squared length of the full gradient (the signal).
    full_grad_norm2: float


def gradient_noise(model: SoftmaxClassifier, X, y, batch_sizes: Sequence[int], num_batches: int = 200,
                   rng=None) -> GradientNoise:
    r"""How noisy is a mini-batch gradient? Measure it, and compare with the formula.

    With :math:`g_i` the gradient of example :math:`i`'s loss and
    :math:`\nabla L = \frac1n\sum_i g_i` the full gradient, a mini-batch
    :math:`\mathcal B` of :math:`B` distinct examples drawn at random gives
    :math:`g_{\mathcal B} = \frac1B \sum_{i\in\mathcal B} g_i`, with
    :math:`\mathbb E[g_{\mathcal B}] = \nabla L` and

    .. math::

        \mathbb E\,\lVert g_{\mathcal B} - \nabla L\rVert^2 = \frac{\sigma^2}{B}\,\frac{n-B}{n-1},
        \qquad \sigma^2 = \frac1n\sum_{i=1}^n \lVert g_i - \nabla L\rVert^2 .

    For the softmax classifier :math:`g_i = \tilde x_i (\hat y_i - y_i)^\top` (with
    :math:`\tilde x_i = [x_i; 1]`), so :math:`\lVert g_i\rVert^2 = \lVert\tilde x_i\rVert^2\,\lVert\hat y_i - y_i\rVert^2`
    and :math:`\sigma^2 = \frac1n\sum_i\lVert g_i\rVert^2 - \lVert\nabla L\rVert^2` needs no loop over examples.

    Parameters
    ----------
    model : SoftmaxClassifier
        The weights at which to measure (not changed).
    X, y : ndarray
        The training set, ``(n, D)`` and integer labels ``(n,)``.
    batch_sizes : sequence of int
        Each between 1 and n.
    num_batches : int
        Mini-batches drawn per batch size.
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    GradientNoise

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((50, 3)), np.arange(50) % 2
    >>> out = gradient_noise(SoftmaxClassifier(3, 2, rng=0), X, y, [1, 50], num_batches=20, rng=1)
    >>> bool(np.isclose(out.measured[0], out.sigma2, rtol=0.5)), float(out.measured[1]) < 1e-25
    (True, True)

    Introduced in chapter 6.
    """
    if not isinstance(model, SoftmaxClassifier):
        raise ValueError(f"model must be a SoftmaxClassifier, got {type(model).__name__}")
    X, y = _data(X, y)
    n = len(X)
    sizes = np.array([_positive_int(b, "each batch size") for b in batch_sizes], dtype=int)
    if len(sizes) == 0 or sizes.max() > n:
        raise ValueError(f"batch_sizes must be a non-empty list of sizes between 1 and n = {n}, got {list(batch_sizes)}")
    num_batches = _positive_int(num_batches, "num_batches")
    rng = _rng(rng)
    W = model.W
    _, full = softmax_loss_and_grad(W, X, y)
    P = softmax(model.scores(X))
    P[np.arange(n), y] -= 1.0                                   # ŷ_i - y_i
    per_example = (np.sum(X * X, axis=1) + 1.0) * np.sum(P * P, axis=1)
    full2 = float(np.sum(full * full))
    sigma2 = float(per_example.mean() - full2)
    measured = []
    for B in sizes:
        total = 0.0
        for _ in range(num_batches):
            idx = rng.choice(n, size=B, replace=False)
            _, g = softmax_loss_and_grad(W, X[idx], y[idx])
            total += float(np.sum((g - full) ** 2))
        measured.append(total / num_batches)
    predicted = sigma2 / sizes * (n - sizes) / (n - 1)
    return GradientNoise(sizes, np.array(measured), predicted, sigma2, full2)


# ---------------------------------------------------------------- batch size on MNIST
@dataclass
class BatchSizeRun:
    """One run of :func:`batch_size_runs`: the training loss measured along the way.

    Attributes
    ----------
    batch_size : int
    lr : float
    updates : ndarray of int
        The update count at each measurement (starting with 0).
    examples : ndarray of int
        Training examples processed by then (``updates × batch_size``, less for short last batches).
    seconds : ndarray
        Seconds spent on training by then (measurements excluded); machine-dependent.
    loss : ndarray
        The mean cross-entropy on the evaluation set at each measurement.
    updates_per_epoch : int
        :math:`\\lceil n / B\\rceil`.

    Introduced in chapter 6.
    """

    batch_size: int
    lr: float
    updates: np.ndarray
    examples: np.ndarray
    seconds: np.ndarray
    loss: np.ndarray
    updates_per_epoch: int
    model: SoftmaxClassifier = field(repr=False, default=None)

    @property
    def epochs(self) -> np.ndarray:
        """Epochs completed at each measurement (fractional)."""
        return self.updates / self.updates_per_epoch

    @property
    def seconds_per_update(self) -> float:
        """Mean training time of one update."""
        return float(self.seconds[-1] / self.updates[-1]) if self.updates[-1] else float("nan")

    def loss_at(self, updates: int) -> float:
        """The measured loss at an update count that was measured."""
        hits = np.flatnonzero(self.updates == updates)
        if len(hits) == 0:
            raise ValueError(f"no measurement at {updates} updates; measured at {self.updates.tolist()}")
        return float(self.loss[hits[0]])


def _measure_points(total: int, num_evals: int, extra=()) -> np.ndarray:
    pts = np.unique(np.round(np.logspace(0, np.log10(max(total, 1)), num_evals)).astype(int))
    return np.unique(np.concatenate([[0], pts[pts <= total], [total], np.asarray(extra, dtype=int)]))


def batch_size_runs(X, y, batch_sizes: Sequence[int], *, lr: float, epochs: float | None = None,
                    updates: int | None = None, num_evals: int = 30, measure_at=(), X_eval=None, y_eval=None,
                    seed: int = 0, weight_scale: float = 0.01) -> dict:
    r"""Train the softmax classifier by mini-batch SGD at several batch sizes.

    Every run starts from the same weights and uses the same learning rate
    :math:`\alpha`; only the batch size :math:`B` changes. Each update is

    .. math::

        W \leftarrow W - \alpha\, \frac1B \sum_{i\in\mathcal B} \nabla_W\, \ell(W; x_i, y_i)

    (``lablib.optim.SGD`` on ``lablib.models.SoftmaxClassifier``), with the
    examples reshuffled every epoch (``lablib.numpy_training.minibatches``). The loss
    on the evaluation set is measured at log-spaced update counts (and at
    ``measure_at``), outside the timed part.

    Parameters
    ----------
    X, y : ndarray
        Training images ``(n, D)`` and labels ``(n,)``.
    batch_sizes : sequence of int
        Between 1 and n; ``n`` is full-batch gradient descent.
    lr : float
        The learning rate, the same for every batch size.
    epochs : float, optional
        Budget in passes over the data (the same number of examples for every batch size).
    updates : int, optional
        Budget in updates instead (give exactly one of ``epochs`` and ``updates``).
    num_evals : int
        About how many measurements per run (log-spaced in updates).
    measure_at : sequence of int
        Update counts at which every run also measures (those within its budget).
    X_eval, y_eval : ndarray, optional
        Where the loss is measured; default the training set.
    seed : int
        Seeds the initial weights (the same for every run) and each run's shuffling.
    weight_scale : float
        Standard deviation of the initial weights.

    Returns
    -------
    dict of int -> BatchSizeRun

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((64, 5)); y = (X[:, 0] > 0).astype(int)
    >>> runs = batch_size_runs(X, y, [8, 64], lr=0.5, epochs=4, num_evals=5)
    >>> [(int(r.updates[-1]), int(r.examples[-1])) for r in runs.values()]
    [(32, 256), (4, 256)]
    >>> bool(runs[8].loss[-1] < runs[64].loss[-1] < runs[64].loss[0])
    True

    Introduced in chapter 6.
    """
    X, y = _data(X, y)
    n = len(X)
    sizes = [_positive_int(b, "each batch size") for b in batch_sizes]
    if not sizes or max(sizes) > n:
        raise ValueError(f"batch_sizes must be a non-empty list of sizes between 1 and n = {n}, got {list(batch_sizes)}")
    lr = _positive_float(lr, "lr")
    if (epochs is None) == (updates is None):
        raise ValueError("give exactly one budget: epochs=... or updates=...")
    if epochs is not None:
        epochs = _positive_float(epochs, "epochs")
    else:
        updates = _positive_int(updates, "updates")
    num_evals = _positive_int(num_evals, "num_evals")
    if (X_eval is None) != (y_eval is None):
        raise ValueError("give both X_eval and y_eval, or neither")
    X_eval, y_eval = (X, y) if X_eval is None else _data(X_eval, y_eval)
    init = SoftmaxClassifier(X.shape[1], int(max(y.max(), y_eval.max())) + 1, weight_scale=weight_scale,
                             rng=np.random.default_rng(seed)).W.copy()

    runs = {}
    for k, B in enumerate(sizes):
        per_epoch = -(-n // B)
        total = updates if updates is not None else int(round(epochs * per_epoch))
        if total < 1:
            raise ValueError(f"the budget gives batch size {B} no update at all")
        points = set(_measure_points(total, num_evals, [m for m in measure_at if 0 <= m <= total]).tolist())
        model = SoftmaxClassifier(W=init)
        opt = SGD(model.parameters(), lr=lr)
        shuffle_rng = np.random.default_rng([seed, k])
        rec = {"updates": [], "examples": [], "seconds": [], "loss": []}

        def measure(t, seen, seconds):
            rec["updates"].append(t)
            rec["examples"].append(seen)
            rec["seconds"].append(seconds)
            rec["loss"].append(softmax_loss(model.W, X_eval, y_eval))

        t, seen, seconds = 0, 0, 0.0
        measure(0, 0, 0.0)
        while t < total:
            start = time.perf_counter()
            for X_batch, y_batch in minibatches(X, y, B, shuffle=True, rng=shuffle_rng):
                model.loss_and_grad(X_batch, y_batch)      # writes model.weight.grad
                opt.step()
                t += 1
                seen += len(y_batch)
                if t in points or t == total:
                    seconds += time.perf_counter() - start
                    measure(t, seen, seconds)
                    start = time.perf_counter()
                if t == total:
                    break
            else:
                seconds += time.perf_counter() - start
        runs[B] = BatchSizeRun(B, lr, np.array(rec["updates"]), np.array(rec["examples"]),
                               np.array(rec["seconds"]), np.array(rec["loss"]), per_epoch, model)
    return runs


# ---------------------------------------------------------------- a 2-D problem with data
def make_line_data(n: int = 200, slope: float = 2.0, intercept: float = -1.0, noise: float = 0.5,
                   seed: int = 0):
    """Points ``(x, y)`` scattered around the line ``y = slope·x + intercept`` (x uniform in [-1, 1]).

    Examples
    --------
    >>> x, y = make_line_data(n=5, seed=0)
    >>> x.shape, y.shape
    ((5,), (5,))

    Introduced in chapter 6.
    """
    n = _positive_int(n, "n")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n)
    return x, slope * x + intercept + noise * rng.standard_normal(n)


class LineFit:
    r"""Fit a line :math:`\hat y = w x + b` by least squares: a loss of two weights with real mini-batches.

    .. math::

        L(w, b) = \frac1n \sum_{i=1}^n (w x_i + b - y_i)^2, \qquad
        \nabla L = \frac2n \sum_{i=1}^n (w x_i + b - y_i)\,(x_i, 1).

    A mini-batch gives the same sums over its examples only. :meth:`landscape`
    returns :math:`L` as a :class:`lablib.landscapes.Landscape` (for contour plots,
    with its minimum, the least-squares solution), and :meth:`sgd` the path of
    mini-batch SGD on it.

    Examples
    --------
    >>> fit = LineFit(*make_line_data(seed=0))
    >>> w_star = fit.minimum
    >>> bool(np.allclose(fit.grad(w_star), 0, atol=1e-12))
    True

    Introduced in chapter 6.
    """

    def __init__(self, x, y):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        if x.ndim != 1 or x.shape != y.shape or len(x) < 2:
            raise ValueError(f"x and y must be 1-D of the same length >= 2, got shapes {x.shape} and {y.shape}")
        if np.ptp(x) == 0:
            raise ValueError("x must not be constant (the line would not be determined)")
        self.x, self.y = x, y
        A = np.column_stack([x, np.ones_like(x)])
        self.minimum = np.linalg.lstsq(A, y, rcond=None)[0]
        # sufficient statistics: L(w, b) = w²Sxx + 2wb·Sx + b² - 2w·Sxy - 2b·Sy + Syy
        self._s = (np.mean(x * x), np.mean(x), np.mean(x * y), np.mean(y), np.mean(y * y))

    @property
    def n(self) -> int:
        return len(self.x)

    def loss(self, w, b):
        """:math:`L(w, b)` on the whole data set, elementwise for arrays ``w`` and ``b``."""
        sxx, sx, sxy, sy, syy = self._s
        return w * w * sxx + 2 * w * b * sx + b * b - 2 * w * sxy - 2 * b * sy + syy

    def grad(self, theta, idx=None) -> np.ndarray:
        """The gradient at ``theta = (w, b)``: on the examples ``idx`` (a mini-batch), or on all of them."""
        w, b = np.asarray(theta, dtype=float)
        x, y = (self.x, self.y) if idx is None else (self.x[idx], self.y[idx])
        r = w * x + b - y
        return np.array([2 * np.mean(r * x), 2 * np.mean(r)])

    def landscape(self, bounds=None) -> Landscape:
        """:math:`L(w, b)` as a Landscape (coordinates ``(w, b)``), for :mod:`lablib.plotting.landscapes`."""
        sxx, sx, sxy, sy, _ = self._s
        if bounds is None:
            w0, b0 = self.minimum
            bounds = [(w0 - 2.5, w0 + 2.5), (b0 - 2.0, b0 + 2.0)]
        return Landscape("least squares", 2, self.loss,
                         lambda w, b: (2 * (w * sxx + b * sx - sxy), 2 * (w * sx + b - sy)),
                         bounds=bounds, minima=[self.minimum], formula=r"L(w, b) = \frac1n\sum_i (w x_i + b - y_i)^2")

    def sgd(self, theta0, lr: float, batch_size: int, epochs: int, rng=None, label: str | None = None) -> Trajectory:
        """Mini-batch SGD (``lablib.optim.SGD``) from ``theta0``: every update's point, loss and gradient.

        Returns
        -------
        lablib.runs.Trajectory
            ``path`` of shape ``(updates + 1, 2)``; ``losses`` are the full-data loss at each point;
            ``grads`` the mini-batch gradient used by each update (one fewer).
        """
        B = _positive_int(batch_size, "batch_size")
        if B > self.n:
            raise ValueError(f"batch_size must be at most n = {self.n}, got {B}")
        lr = _positive_float(lr, "lr")
        epochs = _positive_int(epochs, "epochs")
        rng = _rng(rng)
        theta = Parameter(np.array(theta0, dtype=float).reshape(2))
        opt = SGD([theta], lr=lr)
        path, grads = [theta.data.copy()], []
        index = np.arange(self.n)
        for _ in range(epochs):
            for idx, _unused in minibatches(index, index, B, shuffle=True, rng=rng):
                opt.zero_grad()
                theta.grad = self.grad(theta.data, idx)
                grads.append(theta.grad.copy())
                opt.step()
                path.append(theta.data.copy())
        path = np.array(path)
        return Trajectory(path, self.loss(path[:, 0], path[:, 1]), np.array(grads),
                          label=label or (f"B = {B}" if B < self.n else f"full batch (B = {B})"))


# ---------------------------------------------------------------- noise and local minima
class NoisyDescent(NamedTuple):
    """What :func:`noisy_descent` returns: every run's end point and which minimum it is nearest.

    Introduced in chapter 6.
    """

    noise_std: float
    final: np.ndarray          # (runs, dim)
    nearest: np.ndarray        # (runs,) index into landscape.minima
    final_loss: np.ndarray     # (runs,)
    paths: np.ndarray          # (steps + 1, kept runs, dim)

    def fraction_at(self, k: int = 0) -> float:
        """The fraction of runs that ended nearest to minimum ``k`` (0: the global minimum)."""
        return float(np.mean(self.nearest == k))


def noisy_descent(landscape: Landscape, x0, *, lr: float, steps: int, noise_std: float, runs: int = 100,
                  seed: int = 0, keep_paths: int = 3) -> NoisyDescent:
    r"""Many runs of SGD on a landscape whose gradient carries random noise.

    Mini-batch noise is modelled as Gaussian noise on the gradient:

    .. math::

        w_{t+1} = w_t - \alpha\,\bigl(\nabla L(w_t) + \sigma\,\xi_t\bigr), \qquad \xi_t \sim \mathcal N(0, I).

    All runs start at ``x0`` and take ``steps`` updates of ``lablib.optim.SGD``
    (one parameter array holds every run, so they go in parallel). With
    :math:`\sigma = 0` this is plain gradient descent and all runs coincide.

    Parameters
    ----------
    landscape : Landscape
        A 1-D or 2-D landscape with known ``minima``.
    x0 : array_like of shape (dim,) or (runs, dim)
        One start point for every run, or one per run (e.g. where earlier runs ended).
    lr : float
    steps : int
    noise_std : float
        :math:`\sigma \ge 0`.
    runs : int
    seed : int
    keep_paths : int
        How many runs' full paths to return (for plotting).

    Returns
    -------
    NoisyDescent

    Examples
    --------
    >>> from lablib.landscapes import several_minima
    >>> L = several_minima()
    >>> still = noisy_descent(L, [0.9, 0.9], lr=0.05, steps=200, noise_std=0.0, runs=5)
    >>> still.fraction_at(3)       # gradient descent stays in the well it starts in
    1.0

    Introduced in chapter 6.
    """
    _check_landscape(landscape)
    if len(landscape.minima) == 0:
        raise ValueError(f"{landscape.name} has no known minima to count arrivals at")
    lr = _positive_float(lr, "lr")
    steps = _positive_int(steps, "steps")
    runs = _positive_int(runs, "runs")
    noise_std = _positive_float(noise_std, "noise_std", allow_zero=True)
    start = np.array(x0, dtype=float)
    if start.shape == (landscape.dim,):
        start = np.tile(start, (runs, 1))
    if start.shape != (runs, landscape.dim) or not np.all(np.isfinite(start)):
        raise ValueError(f"x0 must be a finite point of {landscape.dim} coordinate(s), or one per run "
                         f"(shape ({runs}, {landscape.dim})); got shape {start.shape}")
    rng = np.random.default_rng(seed)
    w = Parameter(start)
    opt = SGD([w], lr=lr)
    kept = min(int(keep_paths), runs)
    paths = [w.data[:kept].copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            opt.zero_grad()
            w.grad = landscape.grad(w.data) + noise_std * rng.standard_normal(w.data.shape)
            if not np.all(np.isfinite(w.grad)):
                raise ValueError(f"a run blew up (non-finite gradient); lower lr={lr} or noise_std={noise_std}")
            opt.step()
            paths.append(w.data[:kept].copy())
    final = w.data.copy()
    dist = np.linalg.norm(final[:, None, :] - landscape.minima[None, :, :], axis=2)
    return NoisyDescent(float(noise_std), final, np.argmin(dist, axis=1), np.asarray(landscape(final)),
                        np.array(paths))
