"""Figures for chapter 8: the same optimizers from starts of very different scales. matplotlib only.

Chapter 8 runs each optimizer from three starts, (1.5, 2.0), (0.15, 0.2) and
(0.015, 0.02), that differ only in scale. Drawn on one set of axes the two
small runs would be invisible, so each start gets its own panel, zoomed to
the box between that start and the minimum: :func:`plot_runs_by_start` draws
the paths, :func:`plot_losses_by_start` the losses. Nothing here runs an
optimizer; the runs come from :mod:`lablib.landscapes`.

Introduced in chapter 8.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from . import get_ax
from .landscapes import path_color, plot_losses, plot_trajectories

__all__ = ["start_bounds", "plot_runs_by_start", "plot_losses_by_start"]

_CYCLE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def start_bounds(x0, center=(0.0, 0.0), pad: float = 0.35) -> np.ndarray:
    """The box that holds a start point and the minimum, padded: plot limits that fit a run's scale.

    Each side is padded by ``pad`` times the box's larger side, so a start on
    an axis still gets a box of its size.

    Parameters
    ----------
    x0, center : array-like of shape (2,)
        The start point and the point the runs head for (the minimum).
    pad : float
        Padding as a fraction of the box's larger side (>= 0).

    Returns
    -------
    ndarray, shape (2, 2)
        ``[[x_low, x_high], [y_low, y_high]]``, for ``bounds=`` of the plot functions.

    Examples
    --------
    >>> start_bounds((1.5, 2.0))
    array([[-0.7,  2.2],
           [-0.7,  2.7]])
    >>> start_bounds((0.015, 0.02)).round(4)
    array([[-0.007,  0.022],
           [-0.007,  0.027]])

    Introduced in chapter 8.
    """
    a = np.asarray(x0, dtype=float).reshape(-1)
    c = np.asarray(center, dtype=float).reshape(-1)
    if a.shape != (2,) or c.shape != (2,) or not (np.all(np.isfinite(a)) and np.all(np.isfinite(c))):
        raise ValueError(f"x0 and center must be finite 2-D points, got {x0!r} and {center!r}")
    if not (np.isfinite(pad) and pad >= 0):
        raise ValueError(f"pad must be a non-negative number, got {pad!r}")
    lo, hi = np.minimum(a, c), np.maximum(a, c)
    size = float(np.max(hi - lo))
    if size == 0:
        raise ValueError("the start is the minimum itself: there is no box to draw")
    return np.stack([lo - pad * size, hi + pad * size], axis=1)


def _items(runs_by_start):
    if not isinstance(runs_by_start, Mapping) or not runs_by_start:
        raise ValueError("runs_by_start must be a non-empty dict {start: {name: Trajectory}}")
    for start, runs in runs_by_start.items():
        if not isinstance(runs, Mapping) or not runs:
            raise ValueError(f"the runs from {start!r} must be a non-empty dict {{name: Trajectory}}")
    return list(runs_by_start.items())


def _axes(axes, n, figsize):
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, n, figsize=figsize, squeeze=False)
    axes = np.asarray(axes, dtype=object).ravel()
    if len(axes) < n:
        raise ValueError(f"need {n} axes (one per start), got {len(axes)}")
    return axes[:n]


def _start_label(start) -> str:
    return "start (" + ", ".join(f"{v:g}" for v in np.asarray(start, dtype=float).ravel()) + ")"


def plot_runs_by_start(landscape, runs_by_start: Mapping, axes: Sequence | None = None,
                       center=None, pad: float = 0.35, levels: int = 20, legend: str = "first"):
    """One panel per start: the landscape's contours zoomed to that start, and the runs from it.

    Parameters
    ----------
    landscape : Landscape
        A 2-D landscape.
    runs_by_start : dict
        ``{start: {name: Trajectory}}``; each start gets a panel, each name its
        optimizer colour.
    axes : sequence of matplotlib Axes, optional
        At least one per start; new ones side by side when omitted.
    center : (x, y), optional
        The point every box includes; the landscape's global minimum by default.
    pad : float
        Passed to :func:`start_bounds`.
    levels : int
        Number of contour levels.
    legend : {"first", "all", "none"}
        Which panels get a legend.

    Returns
    -------
    ndarray of Axes

    Examples
    --------
    >>> from lablib.landscapes import elongated_bowl
    >>> path = np.array([[1.5, 2.0], [1.0, 1.0]])
    >>> axes = plot_runs_by_start(elongated_bowl(), {(1.5, 2.0): {"SGD": path}, (0.15, 0.2): {"SGD": path / 10}})
    >>> [ax.get_title() for ax in axes]
    ['start (1.5, 2)', 'start (0.15, 0.2)']

    Introduced in chapter 8.
    """
    if legend not in ("first", "all", "none"):
        raise ValueError(f"legend must be 'first', 'all' or 'none', got {legend!r}")
    items = _items(runs_by_start)
    if center is None:
        center = landscape.global_minimum if getattr(landscape, "global_minimum", None) is not None else (0.0, 0.0)
    axes = _axes(axes, len(items), (4.2 * len(items), 3.8))
    for i, (ax, (start, runs)) in enumerate(zip(axes, items)):
        show = legend == "all" or (legend == "first" and i == 0)
        plot_trajectories(landscape, dict(runs), ax=ax, legend=show,
                          bounds=start_bounds(start, center, pad), levels=levels)
        ax.set_title(_start_label(start))
    return axes


def plot_losses_by_start(runs_by_start: Mapping, axes: Sequence | None = None, minimum: float = 0.0,
                         floor: float = 1e-30, legend: str = "first"):
    r"""One panel per start: :math:`L(w_t) - L^\star` against iteration on a log scale, one line per run.

    Parameters
    ----------
    runs_by_start : dict
        ``{start: {name: Trajectory}}``, as for :func:`plot_runs_by_start`.
    axes : sequence of matplotlib Axes, optional
    minimum : float
        :math:`L^\star`, subtracted so the curves can be drawn on a log scale.
    floor : float
        Values below it (a run that reached the minimum exactly) are drawn at it.
    legend : {"first", "all", "none"}

    Returns
    -------
    ndarray of Axes

    Examples
    --------
    >>> axes = plot_losses_by_start({(1.5, 2.0): {"Adam": [4.2, 3.9, 0.0]}})
    >>> axes[0].get_yscale(), axes[0].lines[0].get_ydata().tolist()
    ('log', [4.2, 3.9, 1e-30])

    Introduced in chapter 8.
    """
    from lablib.runs import Trajectory

    if legend not in ("first", "all", "none"):
        raise ValueError(f"legend must be 'first', 'all' or 'none', got {legend!r}")
    if not (np.isfinite(floor) and floor > 0):
        raise ValueError(f"floor must be a positive number, got {floor!r}")
    items = _items(runs_by_start)
    axes = _axes(axes, len(items), (4.2 * len(items), 3.2))
    for i, (ax, (start, runs)) in enumerate(zip(axes, items)):
        for k, (name, run) in enumerate(runs.items()):
            y = np.asarray(run.losses if isinstance(run, Trajectory) else run, dtype=float) - minimum
            plot_losses(np.maximum(y, floor), ax=get_ax(ax), color=path_color(name, _CYCLE[k % len(_CYCLE)]),
                        label=name, log=True, ylabel=r"$L(w_t) - L^\star$")
        ax.set_title(_start_label(start))
        if legend == "all" or (legend == "first" and i == 0):
            ax.legend(loc="best", fontsize="small")
    return axes
