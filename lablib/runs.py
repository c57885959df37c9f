r"""Optimizer runs on a loss landscape: the path an optimizer takes, and the tools to compare runs.

:func:`run` walks any optimizer with ``torch.optim``'s interface over a
:class:`lablib.landscapes.Landscape` and returns a :class:`Trajectory` (the path
and the losses); it stops cleanly and says so when the run diverges
(``diverged=True``, the runner's form of :class:`lablib.DivergenceError`: a
path that blew up is a result to draw, not an error). :func:`trajectory` does the
same for an optimizer given by its name in the book (``"SGD"``, ``"Momentum"``,
``"Adam"``, ...; the names, classes and settings are
:data:`lablib.optimizers.OPTIMIZERS`), :func:`sweep` for a grid of settings
(what :class:`lablib.explorer.PathExplorer` stores for its sliders) and
:func:`compare` for several optimizers at one learning rate (what the live
sliders of :mod:`lablib.widgets` recompute).

This module computes and never draws (it imports no plotting library): the
figures of these runs are in :mod:`lablib.plotting.landscapes` and
:mod:`lablib.plotting.adaptive`. The surfaces themselves are in :mod:`lablib.landscapes`.

NumPy only. Introduced in chapter 5.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from lablib._validate import integer as _integer, positive_number as _positive_number
from lablib.errors import DivergenceError
from lablib.landscapes import Landscape, _check_start
from lablib.optimizers import OPTIMIZERS, check_names, momentum_names
from lablib.optimizers import get as get_optimizer

__all__ = [
    "Trajectory", "clip_grad_norm", "run", "trajectory", "sweep", "compare",
    "OPTIMIZER_NAMES", "MOMENTUM_OPTIMIZERS",
]


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
        True when the run stopped early because it blew up (발산); :meth:`raise_if_diverged`
        turns it into a :class:`lablib.DivergenceError`.
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

    @property
    def status(self) -> str:
        """One line for a reader: ``"loss 0.0123 after 100 steps"`` or ``"diverged after 12 steps"``.

        The explorers show it under their figures (in the reader's language, through
        :func:`lablib.figure_language.translate`).
        """
        n = self.steps
        steps = f"{n} step{'s' * (n != 1)}"
        return f"diverged after {steps}" if self.diverged else f"loss {self.final_loss:.3g} after {steps}"

    def raise_if_diverged(self) -> "Trajectory":
        """This trajectory, or a :class:`lablib.DivergenceError` with ``reason`` if the run diverged."""
        if self.diverged:
            raise DivergenceError(f"{self.label or 'the run'} diverged: {self.reason}")
        return self

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
    >>> from lablib.landscapes import round_bowl
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
    start = _check_start(landscape, x0)
    steps = _integer(steps, "steps", at_least=0)
    if not callable(make_optimizer):
        raise ValueError(f"make_optimizer must be callable (params -> optimizer), got {make_optimizer!r}")
    _positive_number(limit, "limit", allow_inf=True)
    if max_grad_norm is not None:
        clip_grad_norm(np.zeros(1), max_grad_norm)        # validates max_norm

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
    >>> from lablib.landscapes import quartic
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
    >>> from lablib.landscapes import quartic
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
    >>> from lablib.landscapes import quartic
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
