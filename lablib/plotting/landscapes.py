"""Figures for chapters 5-8: loss landscapes, optimizer paths and loss curves. matplotlib only.

Every function takes a :class:`lablib.landscapes.Landscape` and/or the arrays
an optimizer run returned (a path, a loss history, or a whole
:class:`lablib.landscapes.Trajectory`) and an optional ``ax``; it draws and
returns the axis. Nothing here runs an optimizer: evaluating the loss to draw
its curve or contours is all it computes. Each optimizer is drawn in its
colour from :func:`lablib.plotting.optimizer_color`. For sliders,
:func:`update_trajectories` and :func:`update_loss_histories` give the lines
already drawn new runs' data instead of drawing everything again.

Introduced in chapter 5.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from . import get_ax, optimizer_color, optimizer_color_or

__all__ = ["explain_markers", 
    "path_color",
    "plot_curve",
    "plot_path_1d",
    "plot_contour",
    "plot_path",
    "plot_surface",
    "plot_trajectories",
    "plot_losses",
    "plot_loss_histories",
    "update_trajectories",
    "update_loss_histories",
]

#: Markers for the known stationary points of a landscape.
POINT_STYLES = {
    "minima": dict(marker="*", s=120, color="white", edgecolor="black", linewidths=0.8, zorder=5),
    "saddles": dict(marker="X", s=70, color="white", edgecolor="black", linewidths=0.8, zorder=5),
    "maxima": dict(marker="^", s=60, color="white", edgecolor="black", linewidths=0.8, zorder=5),
}


#: The optimizer colour for a run's name, else a default (shared with the other plot modules).
path_color = optimizer_color_or


def _landscape(landscape, dim=None):
    from lablib.landscapes import Landscape

    if not isinstance(landscape, Landscape):
        raise ValueError(f"expected a lablib.landscapes.Landscape, got {type(landscape).__name__}")
    if dim is not None and landscape.dim != dim:
        raise ValueError(f"this plot needs a {dim}-D landscape; {landscape.name} is {landscape.dim}-D")
    return landscape


def _path(path, dim=None):
    from lablib.runs import Trajectory

    if isinstance(path, Trajectory):
        path = path.path
    arr = np.asarray(path, dtype=np.float64)
    if dim == 1 and arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or len(arr) == 0 or (dim is not None and arr.shape[1] != dim):
        want = f"(n, {dim})" if dim else "(n, dim)"
        raise ValueError(f"path must have shape {want} with n >= 1, got {arr.shape}")
    return arr


def _bounds(landscape, bounds):
    if bounds is None:
        return landscape.bounds
    b = np.asarray(bounds, dtype=float).reshape(landscape.dim, 2)
    if not np.all(b[:, 0] < b[:, 1]):
        raise ValueError(f"bounds must be (low, high) pairs with low < high, got {b.tolist()}")
    return b


def plot_curve(landscape, ax=None, bounds=None, num: int = 400, color: str = "0.6",
               show_points: bool = True, label: str | None = None):
    r"""Draw a 1-D landscape :math:`L(w)` with its known minima (stars) and maxima (triangles).

    Examples
    --------
    >>> from lablib.landscapes import quartic
    >>> ax = plot_curve(quartic())
    >>> ax.get_xlabel(), len(ax.lines[0].get_xdata())
    ('$w$', 400)

    Introduced in chapter 5.
    """
    L = _landscape(landscape, 1)
    (lo, hi), = _bounds(L, bounds)
    ax = get_ax(ax)
    w = np.linspace(lo, hi, num)
    loss = L.value(w)
    ax.plot(w, loss, color=color, lw=2.2, label=label, zorder=1)
    if show_points:
        for kind in ("minima", "maxima"):
            pts = getattr(L, kind).ravel()
            pts = pts[(pts >= lo) & (pts <= hi)]
            if len(pts):
                ax.scatter(pts, L.value(pts), **POINT_STYLES[kind])
    ax.set_xlim(float(lo), float(hi))
    span = float(loss.max() - loss.min())
    ax.set_ylim(float(loss.min()) - 0.08 * span, float(loss.max()) + 0.08 * span)
    ax.set_xlabel("$w$")
    ax.set_ylabel("$L(w)$")
    return ax


def plot_path_1d(landscape, path, ax=None, color: str | None = None, label: str | None = None,
                 max_points: int | None = None, marker_size: float = 5.0, curve: bool = True):
    r"""Draw the steps :math:`w_0, w_1, \dots` of a 1-D run as points on the curve :math:`L(w)`.

    Consecutive points are joined by straight segments, so a run that bounces
    between the walls of a valley draws a zig-zag. The start is a square and
    the last point a circled dot. Points outside the curve's range are clipped.

    Parameters
    ----------
    landscape : Landscape
        A 1-D landscape.
    path : array of shape (n, 1) or (n,), or a Trajectory
    ax : matplotlib Axes, optional
    color, label : str, optional
        The colour defaults to the optimizer colour when ``label`` names one.
    max_points : int, optional
        Draw only the first ``max_points`` points.
    curve : bool
        Also draw the curve (:func:`plot_curve`) first.

    Examples
    --------
    >>> from lablib.landscapes import quartic
    >>> ax = plot_path_1d(quartic(), [[-0.1], [0.2], [0.5]], label="GD")
    >>> ax.lines[1].get_xdata().tolist()        # lines[0] is the curve
    [-0.1, 0.2, 0.5]

    Introduced in chapter 5.
    """
    L = _landscape(landscape, 1)
    w = _path(path, 1)[:, 0]
    if max_points is not None:
        if not (isinstance(max_points, (int, np.integer)) and max_points >= 1):
            raise ValueError(f"max_points must be a positive integer, got {max_points!r}")
        w = w[:max_points]
    ax = get_ax(ax)
    if curve:
        plot_curve(L, ax=ax)
    color = color or path_color(label, "#0072B2")
    loss = L.value(w)
    ax.plot(w, loss, "-o", color=color, lw=1.0, ms=marker_size, alpha=0.85, label=label, zorder=3)
    ax.plot(w[:1], loss[:1], "s", color=color, ms=marker_size + 3, mec="black", zorder=4)
    ax.plot(w[-1:], loss[-1:], "o", color="white", ms=marker_size + 4, mec=color, mew=2, zorder=4)
    return ax


def _grid(L, bounds, num):
    (x0, x1), (y0, y1) = bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, num), np.linspace(y0, y1, num))
    return X, Y, L.value(X, Y)


def _default_cmap():
    """Greys from mid-grey (low loss) to white (high loss): coloured paths stay readable on it."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    return ListedColormap(colormaps["Greys_r"](np.linspace(0.42, 1.0, 256)), name="lablib_landscape")


def plot_contour(landscape, ax=None, bounds=None, levels: int | Sequence[float] = 25, num: int = 200,
                 filled: bool = True, cmap=None, show_points: bool = True):
    r"""Draw the contours of a 2-D landscape :math:`L(x, y)` and its known stationary points.

    With an integer ``levels`` the contour levels are quantiles of the loss on
    the grid, so a landscape with a steep rim (Rosenbrock) still shows its
    valley; pass explicit levels to choose them. The default colours run from
    mid-grey (low loss) to white (high loss), so that the optimizers' coloured
    paths stay readable; pass ``cmap`` (e.g. ``"viridis"``) to change them.

    Examples
    --------
    >>> from lablib.landscapes import saddle
    >>> ax = plot_contour(saddle())
    >>> tuple(map(float, ax.get_xlim())), ax.get_ylabel()
    ((-2.0, 2.0), '$y$')

    Introduced in chapter 5.
    """
    L = _landscape(landscape, 2)
    b = _bounds(L, bounds)
    ax = get_ax(ax)
    X, Y, Z = _grid(L, b, num)
    if isinstance(levels, (int, np.integer)):
        if levels < 2:
            raise ValueError(f"levels must be at least 2, got {levels}")
        lv = np.unique(np.quantile(Z, np.linspace(0, 1, int(levels))))
    else:
        lv = np.asarray(levels, dtype=float)
        if lv.ndim != 1 or len(lv) < 2 or np.any(np.diff(lv) <= 0):
            raise ValueError("levels must be an integer or an increasing sequence of at least 2 values")
    cmap = _default_cmap() if cmap is None else cmap
    if filled:
        ax.contourf(X, Y, Z, levels=lv, cmap=cmap)
        ax.contour(X, Y, Z, levels=lv, colors="0.35", linewidths=0.35, alpha=0.6)
    else:
        ax.contour(X, Y, Z, levels=lv, cmap=cmap, linewidths=0.9)
    if show_points:
        for kind, style in POINT_STYLES.items():
            pts = getattr(L, kind)
            inside = np.all((pts >= b[:, 0]) & (pts <= b[:, 1]), axis=1)
            if inside.any():
                ax.scatter(pts[inside, 0], pts[inside, 1], **style)
    ax.set_xlim(float(b[0, 0]), float(b[0, 1]))
    ax.set_ylim(float(b[1, 0]), float(b[1, 1]))
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    return ax


def plot_path(path, ax=None, color: str | None = None, label: str | None = None,
              marker_size: float = 3.0, max_points: int | None = None):
    """Draw a 2-D optimizer path (on a contour plot): the points joined in order.

    The start is a square and the last point a circled dot. Points outside the
    axis limits are clipped, so a diverging path simply leaves the picture.

    Examples
    --------
    >>> ax = plot_path([[1.0, 1.0], [0.5, 0.2], [0.1, 0.0]], label="SGD")
    >>> ax.lines[0].get_color()
    '#0072B2'

    Introduced in chapter 5.
    """
    p = _path(path, 2)
    if max_points is not None:
        if not (isinstance(max_points, (int, np.integer)) and max_points >= 1):
            raise ValueError(f"max_points must be a positive integer, got {max_points!r}")
        p = p[:max_points]
    ax = get_ax(ax)
    color = color or path_color(label, "#D55E00")
    ax.plot(p[:, 0], p[:, 1], "-o", color=color, lw=1.5, ms=marker_size, label=label, zorder=3)
    ax.plot(p[:1, 0], p[:1, 1], "s", color=color, ms=marker_size + 5, mec="black", zorder=4)
    ax.plot(p[-1:, 0], p[-1:, 1], "o", color="white", ms=marker_size + 5, mec=color, mew=2, zorder=4)
    return ax


def plot_surface(landscape, ax=None, bounds=None, num: int = 80, path=None, color: str | None = None,
                 cmap: str = "viridis", elev: float = 30, azim: float = -60):
    r"""Draw a 2-D landscape as a 3-D surface, optionally with a path on it.

    ``ax`` must be a 3-D axis (``projection="3d"``); without one a new figure
    is made.

    Examples
    --------
    >>> from lablib.landscapes import saddle
    >>> ax = plot_surface(saddle(), path=[[1.0, 0.1], [0.5, 0.2]])
    >>> ax.name
    '3d'

    Introduced in chapter 5.
    """
    L = _landscape(landscape, 2)
    b = _bounds(L, bounds)
    if ax is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(5.5, 4.5))
        ax = fig.add_subplot(projection="3d")
    elif getattr(ax, "name", "") != "3d":
        raise ValueError("plot_surface needs a 3-D axis: fig.add_subplot(projection='3d')")
    X, Y, Z = _grid(L, b, num)
    ax.plot_surface(X, Y, Z, cmap=cmap, alpha=0.6, linewidth=0, antialiased=True, rstride=2, cstride=2)
    if path is not None:
        p = _path(path, 2)
        inside = np.all((p >= b[:, 0]) & (p <= b[:, 1]), axis=1)
        p = p[np.cumprod(inside).astype(bool)]        # up to where it leaves the box
        c = color or "#D55E00"
        ax.plot(p[:, 0], p[:, 1], L.value(p[:, 0], p[:, 1]), "-o", color=c, ms=3, lw=1.5, zorder=10)
    ax.view_init(elev=elev, azim=azim)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_zlabel("$L$")
    return ax


def plot_trajectories(landscape, trajectories: Mapping[str, object] | Sequence, ax=None,
                      colors: Mapping[str, str] | None = None, max_points: int | None = None,
                      legend: bool = True, **landscape_kw):
    """Draw a landscape (curve or contours) and several runs on it, one colour each.

    Parameters
    ----------
    landscape : Landscape
    trajectories : dict of label to Trajectory (or path), or a list of Trajectory
        A list uses each Trajectory's ``label``. A run that diverged gets
        "(diverged)" in the legend.
    ax : matplotlib Axes, optional
    colors : dict of label to colour, optional
        Defaults to the optimizer colour for optimizer names, else matplotlib's cycle.
    max_points : int, optional
        Draw only the first points of each run.
    **landscape_kw
        Passed to :func:`plot_curve` (1-D) or :func:`plot_contour` (2-D).

    Examples
    --------
    >>> import numpy as np
    >>> from lablib.landscapes import round_bowl
    >>> ax = plot_trajectories(round_bowl(), {"SGD": np.array([[1.0, 1.0], [0.0, 0.5]])})
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['SGD']

    Introduced in chapter 5.
    """
    from lablib.runs import Trajectory

    L = _landscape(landscape)
    if isinstance(trajectories, Mapping):
        items = list(trajectories.items())
    else:
        items = []
        for t in trajectories:
            if not isinstance(t, Trajectory):
                raise ValueError("a list of runs must hold Trajectory objects; pass a dict {label: path} otherwise")
            items.append((t.label, t))
    ax = get_ax(ax)
    if L.dim == 1:
        plot_curve(L, ax=ax, **landscape_kw)
    else:
        plot_contour(L, ax=ax, **landscape_kw)
    cycle = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    for i, (label, t) in enumerate(items):
        c = (colors or {}).get(label) or path_color(label, cycle[i % len(cycle)])
        shown = f"{label} (diverged)" if isinstance(t, Trajectory) and t.diverged else label
        if L.dim == 1:
            plot_path_1d(L, t, ax=ax, color=c, label=shown, max_points=max_points, curve=False)
        else:
            plot_path(t, ax=ax, color=c, label=shown, max_points=max_points)
        for line, part in zip(ax.lines[-3:], _RUN_PARTS):     # named, so update_trajectories finds them
            line.set_gid(f"{label}: {part}")
    if legend and items:
        ax.legend(loc="best", fontsize="small", framealpha=0.9)
    return ax


def explain_markers(ax, fontsize="small"):
    """Add the run markers to ``ax``'s legend: the start (square) and the end (open circle) of every path.

    Examples
    --------
    >>> import numpy as np
    >>> from lablib.landscapes import round_bowl
    >>> ax = explain_markers(plot_trajectories(round_bowl(), {"SGD": np.array([[1.0, 1.0], [0.0, 0.5]])}))
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['SGD', 'start', 'end']

    Introduced in chapter 8.
    """
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    handles += [Line2D([], [], ls="none", marker="s", ms=8, color="0.6", mec="black"),
                Line2D([], [], ls="none", marker="o", ms=8, color="white", mec="0.3", mew=2)]
    labels += ["start", "end"]
    ax.legend(handles, labels, loc="best", fontsize=fontsize, framealpha=0.9)
    return ax


#: The three lines that plot_path and plot_path_1d draw for one run, in order.
_RUN_PARTS = ("path", "start", "end")


def _items(trajectories):
    """``(label, run)`` pairs from a dict of runs or a list of Trajectory."""
    if isinstance(trajectories, Mapping):
        return list(trajectories.items())
    return [(t.label, t) for t in trajectories]


def _lines(ax, label, parts, drawn_by):
    """The lines named ``"label: part"`` on ``ax`` (see plot_trajectories and plot_loss_histories)."""
    named = {line.get_gid(): line for line in ax.lines}
    missing = [p for p in parts if f"{label}: {p}" not in named]
    if missing:
        raise ValueError(f"no run labelled {label!r} on this axis: draw it with {drawn_by} first")
    return [named[f"{label}: {p}"] for p in parts]


def update_trajectories(landscape, trajectories: Mapping[str, object] | Sequence, ax,
                        max_points: int | None = None):
    """Move the runs that :func:`plot_trajectories` drew on ``ax`` to new runs with the same labels.

    For sliders: only the runs' lines get new data (and the legend a new
    "(diverged)" mark), while the landscape, its contours and the axis limits
    stay as drawn, so the figure redraws much faster than when drawn afresh.
    The result looks the same as :func:`plot_trajectories` with the new runs.

    Parameters
    ----------
    landscape : Landscape
        The landscape the runs were drawn on.
    trajectories : dict of label to Trajectory (or path), or a list of Trajectory
        The same labels as when drawn.
    ax : matplotlib Axes
        The axis :func:`plot_trajectories` drew on.
    max_points : int, optional
        Draw only the first points of each run.

    Examples
    --------
    >>> import numpy as np
    >>> from lablib.landscapes import round_bowl
    >>> ax = plot_trajectories(round_bowl(), {"SGD": np.array([[1.0, 1.0], [0.0, 0.5]])})
    >>> ax = update_trajectories(round_bowl(), {"SGD": np.array([[1.0, 1.0], [0.5, 0.5], [0.2, 0.1]])}, ax)
    >>> ax.lines[0].get_xdata().tolist()
    [1.0, 0.5, 0.2]

    Introduced in chapter 5.
    """
    from lablib.runs import Trajectory

    L = _landscape(landscape)
    if ax is None:
        raise ValueError("update_trajectories needs the axis that plot_trajectories drew on")
    legend = ax.get_legend()
    texts = {t.get_text(): t for t in legend.get_texts()} if legend is not None else {}
    for label, t in _items(trajectories):
        path_line, start, end = _lines(ax, label, _RUN_PARTS, "plot_trajectories")
        p = _path(t, L.dim)
        if max_points is not None:
            if not (isinstance(max_points, (int, np.integer)) and max_points >= 1):
                raise ValueError(f"max_points must be a positive integer, got {max_points!r}")
            p = p[:max_points]
        x, y = (p[:, 0], L.value(p[:, 0])) if L.dim == 1 else (p[:, 0], p[:, 1])
        path_line.set_data(x, y)
        start.set_data(x[:1], y[:1])
        end.set_data(x[-1:], y[-1:])
        shown = f"{label} (diverged)" if isinstance(t, Trajectory) and t.diverged else label
        if shown != path_line.get_label():
            if path_line.get_label() in texts:
                texts[path_line.get_label()].set_text(shown)
            path_line.set_label(shown)
    return ax


def plot_losses(losses, ax=None, color: str | None = None, label: str | None = None,
                log: bool = False, ylabel: str = "loss", marker: str | None = None):
    """Draw a loss history against iteration (iteration 0 is the start point).

    Parameters
    ----------
    losses : array_like of shape (n,), or a Trajectory
    log : bool
        Use a logarithmic y axis (for losses that stay positive, e.g. distances to the minimum).
    ylabel : str
        Also useful for other per-iteration series (step sizes, distances).

    Examples
    --------
    >>> ax = plot_losses([3.0, 2.0, 1.5], label="Adam")
    >>> ax.lines[0].get_xdata().tolist(), ax.get_xlabel()
    ([0, 1, 2], 'iteration')

    Introduced in chapter 5.
    """
    from lablib.runs import Trajectory

    if isinstance(losses, Trajectory):
        label = label or losses.label
        losses = losses.losses
    y = np.asarray(losses, dtype=np.float64)
    if y.ndim != 1 or len(y) == 0:
        raise ValueError(f"losses must be a non-empty 1-D array, got shape {y.shape}")
    if log and np.any(y[np.isfinite(y)] <= 0):
        raise ValueError("log=True needs positive values (plot the loss minus its minimum, for example)")
    ax = get_ax(ax)
    ax.plot(np.arange(len(y)), y, color=color or path_color(label, None), label=label, lw=1.6, marker=marker, ms=3)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    return ax


def plot_loss_histories(trajectories: Mapping[str, object] | Sequence, ax=None, log: bool = False,
                        minimum: float | None = None, colors: Mapping[str, str] | None = None,
                        legend: bool = True):
    r"""Draw the loss against iteration for several runs (a dict label -> Trajectory or losses).

    With ``minimum`` the curves show :math:`L(w_t) - L^\star` (use with ``log=True``).

    Examples
    --------
    >>> ax = plot_loss_histories({"SGD": [2.0, 1.0], "Momentum": [2.0, 0.5]}, minimum=0.0, log=True)
    >>> [line.get_label() for line in ax.lines]
    ['SGD', 'Momentum']

    Introduced in chapter 5.
    """
    items = _items(trajectories)
    ax = get_ax(ax)
    cycle = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    for i, (label, t) in enumerate(items):
        c = (colors or {}).get(label) or path_color(label, cycle[i % len(cycle)])
        plot_losses(_history(t, minimum, log), ax=ax, color=c, label=label, log=log,
                    ylabel="loss" if minimum is None else r"$L(w_t) - L^\star$")
        ax.lines[-1].set_gid(f"{label}: loss")          # named, so update_loss_histories finds it
    if legend and items:
        ax.legend(loc="best", fontsize="small")
    return ax


def _history(t, minimum, log):
    """The values plot_loss_histories draws for one run."""
    from lablib.runs import Trajectory

    y = np.asarray(t.losses if isinstance(t, Trajectory) else t, dtype=np.float64)
    if minimum is not None:
        y = y - minimum
        if log:
            y = np.maximum(y, 1e-16)      # exactly at the minimum: drawn at the floor
    return y


def update_loss_histories(trajectories: Mapping[str, object] | Sequence, ax, log: bool = False,
                          minimum: float | None = None):
    """Give the loss curves that :func:`plot_loss_histories` drew on ``ax`` new runs' losses.

    For sliders: the curves get new data and the axis limits follow them, as if
    drawn afresh; everything else stays as drawn. Pass the same ``log`` and
    ``minimum`` as when drawing.

    Examples
    --------
    >>> ax = plot_loss_histories({"SGD": [2.0, 1.0]})
    >>> ax = update_loss_histories({"SGD": [4.0, 3.0, 1.0]}, ax)
    >>> ax.lines[0].get_ydata().tolist(), float(ax.get_ylim()[1]) > 4
    ([4.0, 3.0, 1.0], True)

    Introduced in chapter 5.
    """
    if ax is None:
        raise ValueError("update_loss_histories needs the axis that plot_loss_histories drew on")
    for label, t in _items(trajectories):
        line, = _lines(ax, label, ["loss"], "plot_loss_histories")
        y = _history(t, minimum, log)
        if y.ndim != 1 or len(y) == 0:
            raise ValueError(f"losses must be a non-empty 1-D array, got shape {y.shape}")
        if log and np.any(y[np.isfinite(y)] <= 0):
            raise ValueError("log=True needs positive values (pass the same minimum as when drawing)")
        line.set_data(np.arange(len(y)), y)
    ax.relim()                 # the limits follow the new curves
    ax.autoscale_view()
    return ax
