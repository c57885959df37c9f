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

The runs on them (an optimizer's path, :func:`~lablib.runs.trajectory`,
:func:`~lablib.runs.compare`, ...) are in :mod:`lablib.runs`; this module
holds only the surfaces, computes and never draws: their pictures are in
:mod:`lablib.plotting.landscapes`.

NumPy only. Introduced in chapter 5.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from lablib._validate import positive_number as _positive_number

__all__ = [
    "Landscape",
    "quartic", "plateau", "cliff", "bowl", "round_bowl", "elongated_bowl", "saddle",
    "rosenbrock", "several_minima", "LANDSCAPES",
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


def _check_landscape(value) -> "Landscape":
    """``value`` if it is a :class:`Landscape`, else a ValueError (the runner, explorers and widgets use it)."""
    if not isinstance(value, Landscape):
        raise ValueError(f"landscape must be a lablib.landscapes.Landscape, got {type(value).__name__}")
    return value


def _check_start(landscape, x0, *, within_bounds: bool = False) -> np.ndarray:
    """``x0`` as a finite point of ``landscape`` (float array of shape (dim,)), else a ValueError;
    ``within_bounds`` also asks for it to lie in the drawn range (a slider's start)."""
    _check_landscape(landscape)
    try:
        start = np.array(x0, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        start = None
    if start is None or start.shape != (landscape.dim,) or not np.all(np.isfinite(start)):
        raise ValueError(f"x0 must be {landscape.dim} finite coordinate(s) for {landscape.name}, got {x0!r}")
    if within_bounds and not np.all((start >= landscape.bounds[:, 0]) & (start <= landscape.bounds[:, 1])):
        raise ValueError(f"x0={x0!r} is outside {landscape.name}'s drawn range {landscape.bounds.tolist()}")
    return start


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


#: The runner's names, which lived here before :mod:`lablib.runs` had them: still importable from
#: this module (looked up in :mod:`lablib.runs` on first use, so neither module imports the other at
#: load time), for code written against the old layout. New code imports them from lablib.runs.
_MOVED_TO_RUNS = ("Trajectory", "clip_grad_norm", "run", "trajectory", "sweep", "compare",
                  "OPTIMIZER_NAMES", "MOMENTUM_OPTIMIZERS")


def __getattr__(name: str):
    if name in _MOVED_TO_RUNS:
        from lablib import runs
        return getattr(runs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
