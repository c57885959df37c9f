r"""Loss landscapes (손실 지형) with their gradients, and optimizer runs on them.

A :class:`Landscape` is a small loss function of one or two weights that a
chapter can draw and an optimizer can walk on: call it on a point to get the
loss, call :meth:`Landscape.grad` to get the gradient (기울기), and read its
``name``, plotting ``bounds`` and known ``minima`` / ``saddles`` / ``maxima``.

The landscapes of chapters 5, 7 and 8:

=========================  ====  ============================================================
factory                    dim   loss
=========================  ====  ============================================================
:func:`quartic`            1     :math:`L(w) = (w-0.9)\,w\,(w+0.3)\,(w+0.9)` (the course's curve)
:func:`plateau`            1     :math:`L(w) = 1 - e^{-w^2/(2s^2)}`
:func:`cliff`              1     :math:`L(w) = \tfrac12 w^2 + h\,\sigma(k(w-c))`
:func:`bowl`               2     :math:`L(x, y) = a x^2 + b y^2`
:func:`round_bowl`         2     :math:`x^2 + y^2`
:func:`elongated_bowl`     2     :math:`x^2/20 + y^2`
:func:`saddle`             2     :math:`x^2 - y^2`
:func:`rosenbrock`         2     :math:`(a-x)^2 + b\,(y-x^2)^2`
:func:`several_minima`     2     :math:`(x^2-1)^2 + (y^2-1)^2 + c_x x + c_y y`
=========================  ====  ============================================================

:func:`run` walks any optimizer with ``torch.optim``'s interface over a
landscape and returns a :class:`Trajectory` (the path and the losses); it
stops cleanly and says so when the run diverges. :func:`trajectory` does the
same for an optimizer given by its name in the book (``"SGD"``,
``"Momentum"``, ``"Adam"``, ...; the names, classes and settings are
:data:`lablib.optimizers.OPTIMIZERS`), :func:`sweep` for a grid of settings
(what :class:`lablib.explorer.PathExplorer` stores for its sliders) and
:func:`compare` for several optimizers at one learning rate (what the live
sliders of :mod:`lablib.widgets` recompute).
This module computes and never draws (it imports no plotting library): the
figures of these runs are in :mod:`lablib.plotting.landscapes` and
:mod:`lablib.plotting.adaptive`, the explorer's picture in
:mod:`lablib.plotting.explorer`.

NumPy only. Introduced in chapter 5.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from lablib._validate import positive_number as _positive_number
from lablib.optimizers import OPTIMIZERS, check_names, momentum_names
from lablib.optimizers import get as get_optimizer

__all__ = [
    "Landscape", "Trajectory",
    "quartic", "plateau", "cliff", "bowl", "round_bowl", "elongated_bowl", "saddle",
    "rosenbrock", "several_minima", "LANDSCAPES",
    "clip_grad_norm", "run", "trajectory", "sweep", "compare", "OPTIMIZER_NAMES", "MOMENTUM_OPTIMIZERS",
]


def _points(arr, kind: str) -> np.ndarray:
    out = np.asarray(arr, dtype=float)
    if out.ndim != 2:
        raise ValueError(f"{kind} must have shape (k, dim), got shape {out.shape}")
    return out


class Landscape:
    r"""A loss function of ``dim`` weights (1 or 2) with its gradient.

    Parameters
    ----------
    name : str
        A short name for legends and titles.
    dim : int
        Number of weights: 1 (a curve :math:`L(w)`) or 2 (a surface :math:`L(x, y)`).
    value : callable
        ``value(*coords)`` returns the loss elementwise for ``dim`` arrays of one shape.
    partials : callable
        ``partials(*coords)`` returns a tuple of ``dim`` arrays, the partial
        derivatives (편미분) :math:`\partial L/\partial x_i`, elementwise.
    bounds : sequence of (low, high) pairs
        The region to draw, one pair per weight.
    minima, saddles, maxima : array-like of shape (k, dim), optional
        Known stationary points, minima sorted from lowest loss up
        (so ``minima[0]`` is the global minimum (전역 최솟값) when there is one).
    formula : str, optional
        The loss as a LaTeX string (without dollars), for titles.

    Examples
    --------
    >>> L = quartic()
    >>> round(L(0.5), 6), round(L.grad(0.5), 6)
    (-0.224, -0.328)
    >>> L(np.array([[0.5], [1.0]]))          # points along the last axis
    array([-0.224,  0.247])
    >>> round_bowl().grad([1.0, -2.0])
    array([ 2., -4.])

    Introduced in chapter 5.
    """

    def __init__(self, name: str, dim: int, value: Callable, partials: Callable,
                 bounds: Sequence[Sequence[float]], minima=None, saddles=None, maxima=None,
                 formula: str = ""):
        if dim not in (1, 2):
            raise ValueError(f"dim must be 1 or 2, got {dim!r}")
        bounds = np.asarray(bounds, dtype=float)
        if bounds.shape != (dim, 2) or not np.all(bounds[:, 0] < bounds[:, 1]):
            raise ValueError(f"bounds must be {dim} (low, high) pair(s) with low < high, got {bounds.tolist()}")
        self.name = name
        self.dim = dim
        self.value = value
        self.partials = partials
        self.bounds = bounds
        self.formula = formula
        empty = np.zeros((0, dim))
        self.minima = _points(empty if minima is None else minima, "minima")
        self.saddles = _points(empty if saddles is None else saddles, "saddles")
        self.maxima = _points(empty if maxima is None else maxima, "maxima")
        for kind in ("minima", "saddles", "maxima"):
            if getattr(self, kind).shape[1] != dim:
                raise ValueError(f"{kind} must have {dim} column(s), got shape {getattr(self, kind).shape}")

    def __repr__(self) -> str:
        return f"Landscape({self.name!r}, dim={self.dim})"

    def _coords(self, x):
        arr = np.asarray(x, dtype=float)
        if self.dim == 1 and arr.ndim == 0:
            return arr[None], True
        if arr.ndim == 0 or arr.shape[-1] != self.dim:
            raise ValueError(
                f"{self.name}: a point must have {self.dim} coordinate(s) along the last axis, "
                f"got an array of shape {arr.shape}")
        return arr, False

    def __call__(self, x):
        """The loss at a point ``x`` of shape ``(dim,)`` (or at points of shape ``(..., dim)``).

        For ``dim == 1`` a plain number is accepted too. Returns a float for one
        point, else an array of shape ``x.shape[:-1]``.
        """
        arr, scalar = self._coords(x)
        out = np.asarray(self.value(*np.moveaxis(arr, -1, 0)), dtype=float)
        return float(out) if out.ndim == 0 else out

    def grad(self, x) -> np.ndarray:
        """The gradient :math:`\\nabla L` at ``x``, an array of the same shape as ``x``."""
        arr, scalar = self._coords(x)
        g = np.stack([np.asarray(p, dtype=float) * np.ones(arr.shape[:-1])
                      for p in self.partials(*np.moveaxis(arr, -1, 0))], axis=-1)
        return float(g[0]) if scalar else g

    @property
    def global_minimum(self) -> np.ndarray | None:
        """The lowest known minimum (shape ``(dim,)``), or None when the loss has none (the saddle)."""
        return self.minima[0].copy() if len(self.minima) else None


# --------------------------------------------------------------------------- 1-D


def _real_roots(coeffs) -> np.ndarray:
    roots = np.roots(coeffs)
    return np.sort(roots[np.abs(roots.imag) < 1e-12].real)


def _polish(roots, f, df, iters=5):
    """A few Newton steps so the stationary points are exact to machine precision."""
    r = np.array(roots, dtype=float)
    for _ in range(iters):
        r = r - f(r) / df(r)
    return r


def quartic() -> Landscape:
    r"""The course's 1-D curve :math:`L(w) = (w - 0.9)\,w\,(w + 0.3)\,(w + 0.9)`.

    .. math::

        L(w) = w^4 + 0.3w^3 - 0.81w^2 - 0.243w, \qquad
        L'(w) = 4w^3 + 0.9w^2 - 1.62w - 0.243 .

    It has a local minimum (국소 최솟값) near :math:`w = -0.686`, a local maximum
    near :math:`w = -0.146` and the global minimum near :math:`w = 0.607`.

    Examples
    --------
    >>> L = quartic()
    >>> L.minima.round(4).ravel(), L.maxima.round(4).ravel()
    (array([ 0.607 , -0.6862]), array([-0.1458]))

    Introduced in chapter 5.
    """
    def value(w):
        return (w - 0.9) * w * (w + 0.3) * (w + 0.9)

    def partials(w):
        return (4 * w**3 + 0.9 * w**2 - 1.62 * w - 0.243,)

    dL = lambda w: partials(w)[0]                      # noqa: E731
    d2L = lambda w: 12 * w**2 + 1.8 * w - 1.62         # noqa: E731
    crit = _polish(_real_roots([4, 0.9, -1.62, -0.243]), dL, d2L)
    minima = sorted(crit[d2L(crit) > 0], key=value)
    return Landscape("quartic", 1, value, partials, bounds=[(-1.05, 1.05)],
                     minima=np.array(minima)[:, None], maxima=crit[d2L(crit) < 0][:, None],
                     formula=r"L(w) = (w-0.9)\,w\,(w+0.3)\,(w+0.9)")


def plateau(scale: float = 1.0) -> Landscape:
    r"""A narrow valley in a wide plateau (고원): :math:`L(w) = 1 - e^{-w^2/(2s^2)}`.

    .. math::

        L'(w) = \frac{w}{s^2}\, e^{-w^2/(2s^2)},

    which is tiny once :math:`|w|` is a few :math:`s` (at :math:`|w| = 4s`, about
    :math:`1.3\times10^{-3}/s`): gradient descent crawls there.

    Parameters
    ----------
    scale : float
        The valley's width :math:`s > 0`.

    Examples
    --------
    >>> L = plateau()
    >>> round(L(4.0), 4), float(L.grad(4.0)).__round__(5)
    (0.9997, 0.00134)

    Introduced in chapter 5.
    """
    s = _positive_number(scale, "scale")

    def value(w):
        return 1.0 - np.exp(-w**2 / (2 * s * s))

    def partials(w):
        return (w / (s * s) * np.exp(-w**2 / (2 * s * s)),)

    return Landscape("plateau", 1, value, partials, bounds=[(-6 * s, 6 * s)],
                     minima=[[0.0]], formula=r"L(w) = 1 - e^{-w^2/(2s^2)}")


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))          # stable for any z


def cliff(height: float = 4.0, steepness: float = 40.0, edge: float = 1.0) -> Landscape:
    r"""A gentle bowl with a cliff (절벽): :math:`L(w) = \tfrac12 w^2 + h\,\sigma(k(w - c))`.

    .. math::

        L'(w) = w + h k\, \sigma(k(w-c))\,\bigl(1 - \sigma(k(w-c))\bigr),

    where :math:`\sigma` is the sigmoid. Right of the edge :math:`c` the loss
    sits :math:`h` higher; on the edge the gradient reaches about
    :math:`c + hk/4` (41 with the defaults), so one gradient step there can
    throw :math:`w` far away: an exploding gradient (기울기 폭발).

    Parameters
    ----------
    height, steepness, edge : float
        :math:`h > 0`, :math:`k > 0` and :math:`c`.

    Examples
    --------
    >>> L = cliff()
    >>> round(L(1.0), 4), round(float(L.grad(1.0)), 4)
    (2.5, 41.0)

    Introduced in chapter 5.
    """
    h, k, c = _positive_number(height, "height"), _positive_number(steepness, "steepness"), float(edge)
    if not np.isfinite(c):
        raise ValueError(f"edge must be a finite number, got {edge!r}")

    def value(w):
        return 0.5 * w**2 + h * _sigmoid(k * (w - c))

    def partials(w):
        s = _sigmoid(k * (w - c))
        return (w + h * k * s * (1 - s),)

    # the minimum: Newton from 0 (the bowl's bottom, pushed slightly left by the cliff's foot)
    w = np.array([0.0])
    for _ in range(50):
        s = _sigmoid(k * (w - c))
        w = w - partials(w)[0] / (1 + h * k * k * s * (1 - s) * (1 - 2 * s))
    return Landscape("cliff", 1, value, partials, bounds=[(-3.0, 3.0)], minima=[w],
                     formula=r"L(w) = \tfrac12 w^2 + h\,\sigma(k(w-c))")


# --------------------------------------------------------------------------- 2-D


def bowl(a: float = 1.0, b: float = 1.0, name: str | None = None) -> Landscape:
    r"""A convex (볼록 함수) quadratic bowl :math:`L(x, y) = a x^2 + b y^2`.

    .. math::

        \nabla L = (2ax,\; 2by).

    With :math:`a = b` the contours are circles; with :math:`a \ll b` the
    bowl is a long narrow valley (its condition number is :math:`b/a`).

    Parameters
    ----------
    a, b : float
        Curvatures, both positive.
    name : str, optional
        Defaults to ``"bowl"``.

    Examples
    --------
    >>> L = bowl(0.5, 2.0)
    >>> L([1.0, 1.0]), L.grad([1.0, 1.0])
    (2.5, array([1., 4.]))

    Introduced in chapter 5.
    """
    a, b = _positive_number(a, "a"), _positive_number(b, "b")

    def value(x, y):
        return a * x**2 + b * y**2

    def partials(x, y):
        return 2 * a * x, 2 * b * y

    return Landscape(name or "bowl", 2, value, partials, bounds=[(-2.0, 2.0), (-2.0, 2.0)],
                     minima=[[0.0, 0.0]], formula=rf"L(x, y) = {a:g}x^2 + {b:g}y^2")


def round_bowl() -> Landscape:
    r"""The round bowl :math:`L(x, y) = x^2 + y^2` (every direction equally curved).

    Examples
    --------
    >>> round_bowl()([1.0, 2.0])
    5.0

    Introduced in chapter 5.
    """
    L = bowl(1.0, 1.0, name="round bowl")
    L.formula = r"L(x, y) = x^2 + y^2"
    return L


def elongated_bowl() -> Landscape:
    r"""The elongated bowl :math:`L(x, y) = x^2/20 + y^2`: 20 times more curved along :math:`y`.

    A learning rate that suits the steep :math:`y` direction crawls along the
    flat :math:`x` direction; one that suits :math:`x` makes :math:`y` oscillate.

    Examples
    --------
    >>> L = elongated_bowl()
    >>> L([2.0, 1.0]), L.grad([2.0, 1.0])
    (1.2, array([0.2, 2. ]))

    Introduced in chapter 5.
    """
    L = bowl(1 / 20, 1.0, name="elongated bowl")
    L.bounds = np.array([[-8.0, 8.0], [-3.0, 3.0]])
    L.formula = r"L(x, y) = x^2/20 + y^2"
    return L


def saddle() -> Landscape:
    r"""The saddle :math:`z = x^2 - y^2`: a minimum along :math:`x`, a maximum along :math:`y`.

    .. math::

        \nabla L = (2x,\; -2y),

    so the gradient vanishes at the saddle point (안장점) :math:`(0, 0)`,
    which is not a minimum. The loss is unbounded below (no minima).

    Examples
    --------
    >>> L = saddle()
    >>> L([1.0, 2.0]), L.grad([0.0, 0.0]), L.saddles
    (-3.0, array([ 0., -0.]), array([[0., 0.]]))

    Introduced in chapter 5.
    """
    def value(x, y):
        return x**2 - y**2

    def partials(x, y):
        return 2 * x, -2 * y

    return Landscape("saddle", 2, value, partials, bounds=[(-2.0, 2.0), (-2.0, 2.0)],
                     saddles=[[0.0, 0.0]], formula=r"z = x^2 - y^2")


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Landscape:
    r"""Rosenbrock's banana valley :math:`L(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    .. math::

        \nabla L = \bigl(-2(a - x) - 4bx\,(y - x^2),\;\; 2b\,(y - x^2)\bigr),

    with its only minimum at :math:`(a, a^2)`, at the end of a long curved
    valley: easy to find, slow to follow.

    Examples
    --------
    >>> L = rosenbrock()
    >>> L([1.0, 1.0]), L.grad([0.0, 0.0]), L.minima
    (0.0, array([-2.,  0.]), array([[1., 1.]]))

    Introduced in chapter 5.
    """
    a, b = float(a), _positive_number(b, "b")

    def value(x, y):
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def partials(x, y):
        return -2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)

    return Landscape("Rosenbrock", 2, value, partials, bounds=[(-2.0, 2.0), (-1.0, 3.0)],
                     minima=[[a, a * a]], formula=rf"L(x, y) = ({a:g}-x)^2 + {b:g}\,(y-x^2)^2")


def several_minima(tilt_x: float = 0.4, tilt_y: float = 0.2) -> Landscape:
    r"""A surface with four minima of different depths (one global, three local).

    .. math::

        L(x, y) = (x^2 - 1)^2 + (y^2 - 1)^2 + c_x x + c_y y, \qquad
        \nabla L = \bigl(4x(x^2-1) + c_x,\; 4y(y^2-1) + c_y\bigr).

    The tilts :math:`c_x, c_y` make the four wells unequal: the global minimum
    is near :math:`(-1, -1)`. Where gradient descent ends depends on where it
    starts. Besides the minima there are four saddle points and one maximum.

    Parameters
    ----------
    tilt_x, tilt_y : float
        :math:`c_x, c_y`, each with :math:`|c| < 8/(3\sqrt3) \approx 1.54`
        so that every well exists.

    Examples
    --------
    >>> L = several_minima()
    >>> L.minima.round(3)
    array([[-1.047, -1.024],
           [-1.047,  0.974],
           [ 0.946, -1.024],
           [ 0.946,  0.974]])
    >>> bool(np.abs(L.grad(L.minima)).max() < 1e-12)
    True

    Introduced in chapter 5.
    """
    cx, cy = float(tilt_x), float(tilt_y)
    limit = 8 / (3 * np.sqrt(3))
    if not (abs(cx) < limit and abs(cy) < limit):
        raise ValueError(f"|tilt_x| and |tilt_y| must be below {limit:.4f}, got {tilt_x!r}, {tilt_y!r}")

    def value(x, y):
        return (x**2 - 1) ** 2 + (y**2 - 1) ** 2 + cx * x + cy * y

    def partials(x, y):
        return 4 * x * (x**2 - 1) + cx, 4 * y * (y**2 - 1) + cy

    def roots(c):   # stationary points of (u^2 - 1)^2 + c u, sorted: min, max, min
        f = lambda u: 4 * u**3 - 4 * u + c        # noqa: E731
        return _polish(_real_roots([4.0, 0.0, -4.0, c]), f, lambda u: 12 * u**2 - 4)

    (xl, xm, xr), (yl, ym, yr) = roots(cx), roots(cy)
    mins = [(x, y) for x in (xl, xr) for y in (yl, yr)]
    mins.sort(key=lambda p: value(*p))
    saddles = [(xm, yl), (xm, yr), (xl, ym), (xr, ym)]
    return Landscape("several minima", 2, value, partials, bounds=[(-2.0, 2.0), (-2.0, 2.0)],
                     minima=mins, saddles=saddles, maxima=[(xm, ym)],
                     formula=rf"L(x, y) = (x^2-1)^2 + (y^2-1)^2 + {cx:g}x + {cy:g}y")


#: Every landscape factory by name.
LANDSCAPES = {
    "quartic": quartic, "plateau": plateau, "cliff": cliff,
    "round bowl": round_bowl, "elongated bowl": elongated_bowl, "saddle": saddle,
    "Rosenbrock": rosenbrock, "several minima": several_minima,
}


# --------------------------------------------------------------------------- runs


@dataclass
class Trajectory:
    """What an optimizer run on a landscape returns.

    Attributes
    ----------
    path : ndarray, shape (n + 1, dim)
        The start point, then the point after each of the ``n`` updates.
    losses : ndarray, shape (n + 1,)
        The loss at each point of ``path``.
    grads : ndarray, shape (n + 1, dim)
        The gradient at each point of ``path`` (before any clipping).
    diverged : bool
        True when the run stopped early because it blew up (발산).
    reason : str
        Why it stopped early ("" when it ran all its steps).
    label : str
        A name for legends (the optimizer's, when known).
    """

    path: np.ndarray
    losses: np.ndarray
    grads: np.ndarray
    diverged: bool = False
    reason: str = ""
    label: str = ""
    settings: dict = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Number of updates made (``len(path) - 1``)."""
        return len(self.path) - 1

    @property
    def final(self) -> np.ndarray:
        """The last point reached."""
        return self.path[-1].copy()

    @property
    def final_loss(self) -> float:
        """The loss at the last point."""
        return float(self.losses[-1])

    @property
    def step_sizes(self) -> np.ndarray:
        r"""The length of each update, :math:`\lVert w_{t+1} - w_t\rVert`, shape ``(n,)``."""
        return np.linalg.norm(np.diff(self.path, axis=0), axis=1)

    def __repr__(self) -> str:
        end = np.array2string(self.final, precision=4)
        state = f", diverged ({self.reason})" if self.diverged else ""
        return (f"Trajectory({self.label or 'run'}: {self.steps} steps, final point {end}, "
                f"final loss {self.final_loss:.4g}{state})")


class _Point:
    """A parameter holding the current point: ``.data`` and ``.grad`` like a torch tensor."""

    def __init__(self, data: np.ndarray):
        self.data = data
        self.grad = None


def clip_grad_norm(grad, max_norm: float) -> np.ndarray:
    r"""Gradient clipping (기울기 클리핑) by norm, as ``torch.nn.utils.clip_grad_norm_``.

    .. math::

        g \leftarrow g \cdot \min\Bigl(1,\; \frac{\text{max\_norm}}{\lVert g\rVert + 10^{-6}}\Bigr)

    The direction is kept; only a gradient longer than ``max_norm`` is shortened.

    Examples
    --------
    >>> clip_grad_norm(np.array([3.0, 4.0]), 1.0).round(6)
    array([0.6, 0.8])
    >>> clip_grad_norm(np.array([0.3, 0.4]), 1.0)
    array([0.3, 0.4])

    Introduced in chapter 5.
    """
    max_norm = _positive_number(max_norm, "max_norm", allow_inf=True)
    g = np.asarray(grad, dtype=float)
    coef = max_norm / (np.linalg.norm(g) + 1e-6)
    return g * coef if coef < 1 else g.copy()


def run(make_optimizer: Callable, landscape: Landscape, x0, steps: int, *,
        max_grad_norm: float | None = None, limit: float = 1e6, label: str = "") -> Trajectory:
    r"""Run an optimizer for ``steps`` updates on a landscape, starting at ``x0``.

    Each update is the ``torch.optim`` loop: ``opt.zero_grad()``, set the
    gradient :math:`g_t = \nabla L(w_t)` (clipped to ``max_grad_norm`` if given),
    ``opt.step()``.

    The run stops early, with ``diverged=True`` and a ``reason``, when a
    gradient, point or loss stops being finite, or a coordinate or the loss
    grows beyond ``limit`` in absolute value (a point beyond ``limit`` that is
    still finite is kept in the path; a non-finite one is not). It never raises
    because of a blow-up.

    Parameters
    ----------
    make_optimizer : callable
        ``make_optimizer(params)`` builds an optimizer from a list of parameters
        (objects with ``.data`` and ``.grad`` arrays), e.g.
        ``functools.partial(lablib.optim.SGD, lr=0.1, momentum=0.9)``.
    landscape : Landscape
    x0 : float or array-like of shape (dim,)
        The start point.
    steps : int
        Number of updates (>= 0).
    max_grad_norm : float, optional
        Clip each gradient to this norm first (:func:`clip_grad_norm`).
    limit : float
        The size beyond which the run counts as diverged.
    label : str
        A name stored on the result, for legends.

    Returns
    -------
    Trajectory
        ``path`` of shape ``(n + 1, dim)`` and ``losses`` of shape ``(n + 1,)``
        with ``n = steps`` unless the run diverged.

    Examples
    --------
    A tiny optimizer with the torch interface (plain gradient descent, 경사 하강법):

    >>> class GD:
    ...     def __init__(self, params, lr): self.params, self.lr = params, lr
    ...     def zero_grad(self): [setattr(p, "grad", None) for p in self.params]
    ...     def step(self):
    ...         for p in self.params: p.data = p.data - self.lr * p.grad
    >>> out = run(functools.partial(GD, lr=0.25), round_bowl(), [1.0, 2.0], steps=3)
    >>> out.path
    array([[1.   , 2.   ],
           [0.5  , 1.   ],
           [0.25 , 0.5  ],
           [0.125, 0.25 ]])
    >>> run(functools.partial(GD, lr=1.5), round_bowl(), [1.0, 2.0], steps=100).reason
    'a coordinate or the loss exceeded 1e+06 after update 9'

    Introduced in chapter 5.
    """
    if not isinstance(landscape, Landscape):
        raise ValueError(f"landscape must be a Landscape, got {type(landscape).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if not callable(make_optimizer):
        raise ValueError(f"make_optimizer must be callable (params -> optimizer), got {make_optimizer!r}")
    _positive_number(limit, "limit", allow_inf=True)
    if max_grad_norm is not None:
        clip_grad_norm(np.zeros(1), max_grad_norm)        # validates max_norm
    start = np.array(x0, dtype=float).reshape(-1)
    if start.shape != (landscape.dim,):
        raise ValueError(f"x0 must have {landscape.dim} coordinate(s) for {landscape.name}, got {x0!r}")
    if not np.all(np.isfinite(start)):
        raise ValueError(f"x0 must be finite, got {x0!r}")

    point = _Point(start.copy())
    opt = make_optimizer([point])
    for method in ("step", "zero_grad"):
        if not callable(getattr(opt, method, None)):
            raise ValueError(f"make_optimizer must return an optimizer with .{method}(); got {type(opt).__name__}")
    with np.errstate(all="ignore"):
        path, losses, grads = [start.copy()], [landscape(start)], [landscape.grad(start)]
        diverged, reason = False, ""
        for t in range(1, steps + 1):
            g = grads[-1]
            if not np.all(np.isfinite(g)):
                diverged, reason = True, f"the gradient was not finite at update {t}"
                break
            opt.zero_grad()
            point.grad = clip_grad_norm(g, max_grad_norm) if max_grad_norm is not None else g.copy()
            opt.step()
            w = np.array(point.data, dtype=float).reshape(-1)
            loss = landscape(w) if np.all(np.isfinite(w)) else np.nan
            if not (np.all(np.isfinite(w)) and np.isfinite(loss)):
                diverged, reason = True, f"the point or the loss stopped being finite after update {t}"
                break
            path.append(w)
            losses.append(loss)
            grads.append(landscape.grad(w))
            if np.max(np.abs(w)) > limit or abs(loss) > limit:
                diverged, reason = True, f"a coordinate or the loss exceeded {limit:g} after update {t}"
                break
    return Trajectory(np.array(path), np.array(losses, dtype=float), np.array(grads),
                      diverged=diverged, reason=reason, label=label)


#: The optimizer names :func:`trajectory` knows, with the ``lablib.optim`` class each uses
#: (read from :data:`lablib.optimizers.OPTIMIZERS`, the one table of them).
OPTIMIZER_NAMES = {name: entry.cls.__name__ for name, entry in OPTIMIZERS.items()}


def trajectory(name: str, landscape: Landscape, x0, steps: int, *, lr: float,
               max_grad_norm: float | None = None, limit: float = 1e6, **hyperparameters) -> Trajectory:
    r"""Run the optimizer the book calls ``name`` (a key of :data:`lablib.optimizers.OPTIMIZERS`) on a landscape.

    ``"GD"`` and ``"SGD"`` are ``optim.SGD`` without momentum; ``"Momentum"`` is
    ``optim.SGD`` with ``momentum`` (default 0.9); ``"Nesterov"`` adds
    ``nesterov=True``; the others are the ``lablib.optim`` classes of those
    names (the registry's entry says which). Other keyword arguments go to the
    optimizer. This is the computation behind the explorers of
    :mod:`lablib.explorer` and :mod:`lablib.widgets`, kept apart from any
    drawing so it can be reused.

    Examples
    --------
    >>> out = trajectory("Momentum", quartic(), -0.1, steps=2, lr=0.01, momentum=0.9)
    >>> out.label, out.path.ravel().round(5)
    ('Momentum', array([-0.1    , -0.09924, -0.09778]))

    Introduced in chapter 5.
    """
    entry = get_optimizer(name)
    kwargs = entry.settings_with(**hyperparameters)
    make = functools.partial(entry.cls, lr=lr, **kwargs)
    out = run(make, landscape, x0, steps, max_grad_norm=max_grad_norm, limit=limit, label=name)
    out.settings = {"lr": lr, **kwargs}
    return out


def sweep(name: str, landscape: Landscape, x0, steps: int, grid: Mapping[str, Sequence],
          **fixed) -> list[Trajectory]:
    """:func:`trajectory` for every combination of the settings in ``grid``.

    Parameters
    ----------
    name, landscape, x0, steps
        As for :func:`trajectory`.
    grid : mapping of str to sequence
        Hyperparameter names and the values to try, e.g. ``{"lr": [0.01, 0.3]}``.
    **fixed
        Settings shared by every run.

    Returns
    -------
    list of Trajectory
        One per combination (in ``itertools.product`` order); each one's
        ``settings`` says which.

    Examples
    --------
    >>> runs = sweep("GD", quartic(), -0.1, 100, {"lr": [0.01, 0.3]})
    >>> [(r.settings["lr"], round(r.final_loss, 4)) for r in runs]
    [(0.01, -0.0289), (0.3, -0.2431)]

    Introduced in chapter 5.
    """
    if not grid:
        raise ValueError("grid must name at least one hyperparameter to vary")
    keys = list(grid)
    for k in keys:
        if k in fixed:
            raise ValueError(f"{k!r} is both varied (grid) and fixed")
        if isinstance(grid[k], (str, bytes)) or len(grid[k]) == 0:
            raise ValueError(f"grid[{k!r}] must be a non-empty sequence of values, got {grid[k]!r}")
    runs = []
    for values in itertools.product(*(grid[k] for k in keys)):
        runs.append(trajectory(name, landscape, x0, steps, **fixed, **dict(zip(keys, values))))
    return runs


#: The names in :data:`OPTIMIZER_NAMES` that take a ``momentum`` setting (from the registry too).
MOMENTUM_OPTIMIZERS = momentum_names()


def compare(names: Sequence[str], landscape: Landscape, x0, steps: int, *, lr: float,
            momentum: float = 0.9, max_grad_norm: float | None = None,
            limit: float = 1e6) -> dict[str, Trajectory]:
    """Run several optimizers from the same start with the same learning rate.

    ``momentum`` goes to the optimizers that take one (``takes_momentum`` in
    :data:`lablib.optimizers.OPTIMIZERS`) only;
    the others use their defaults besides ``lr``. This is all a slider's
    callback computes (:mod:`lablib.widgets`), kept apart from the drawing.

    Returns
    -------
    dict of str to Trajectory
        In the order of ``names``.

    Examples
    --------
    >>> runs = compare(["SGD", "Momentum"], quartic(), -0.1, steps=50, lr=0.01, momentum=0.9)
    >>> {name: round(float(r.final[0]), 4) for name, r in runs.items()}
    {'SGD': -0.0411, 'Momentum': 0.6375}

    Introduced in chapter 7.
    """
    out = {}
    for name in check_names(names, "names"):
        extra = {"momentum": momentum} if get_optimizer(name).takes_momentum else {}
        out[name] = trajectory(name, landscape, x0, steps, lr=lr, max_grad_norm=max_grad_norm,
                               limit=limit, **extra)
    return out
