"""Figures for chapter 2: searches, loss slices, finite-difference errors, gradient checks.

Every function takes arrays a run or a computation returned, draws on ``ax``
(or a new axis) and returns the axis. Nothing here searches, trains or
differentiates.

matplotlib only. Introduced in chapter 2.
"""
from __future__ import annotations

import numpy as np

from lablib.plotting import get_ax, optimizer_color

__all__ = ["STRATEGY_COLORS", "strategy_color", "plot_search_histories", "plot_loss_histogram",
           "plot_loss_slice", "plot_directional_derivatives", "plot_error_vs_h", "plot_relative_errors",
           "GRADCHECK_BANDS"]

#: One colour per optimization strategy of chapter 2 (gradient descent keeps the book's "GD" colour).
STRATEGY_COLORS = {
    "random search": "#999999",
    "random local search": "#882255",
    "gradient descent": optimizer_color("GD"),
}

#: Rules of thumb for the relative error of a float64 gradient check: (low, high, colour, meaning).
GRADCHECK_BANDS = (
    (0.0, 1e-7, "#009E73", "correct"),
    (1e-7, 1e-4, "#F0E442", "probably fine (tiny entries, kinks)"),
    (1e-4, 1e-2, "#E69F00", "suspicious"),
    (1e-2, 2.0, "#D55E00", "wrong"),          # rel_error reaches 2 for opposite signs
)


def strategy_color(name: str, fallback=None):
    """The colour of a strategy (``"random search"``, ...), an optimizer's colour, or ``fallback``.

    Examples
    --------
    >>> strategy_color("Random search"), strategy_color("SGD"), strategy_color("other", "k")
    ('#999999', '#0072B2', 'k')
    """
    key = str(name).strip().lower()
    if key in STRATEGY_COLORS:
        return STRATEGY_COLORS[key]
    try:
        return optimizer_color(name)
    except ValueError:
        return fallback


def _vector(values, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got shape {arr.shape}")
    return arr


def plot_search_histories(histories: dict, ax=None, logy: bool = True, xlabel: str = "loss evaluations",
                          ylabel: str = "best loss so far", reference: float | None = None,
                          reference_label: str | None = None):
    """Best-loss-so-far curves of several strategies against the number of evaluations.

    Parameters
    ----------
    histories : dict of name -> 1-D array
        ``history[k]`` is the best loss after ``k + 1`` evaluations (or steps).
    logy : bool, default True
    reference : float, optional
        A horizontal dotted line, e.g. the loss :math:`\\ln 10` of all-zero weights.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_search_histories({"random search": [3.0, 2.0, 2.0], "gradient descent": [3.0, 1.0, 0.5]})
    >>> [line.get_label() for line in ax.get_lines()]
    ['random search', 'gradient descent']
    """
    ax = get_ax(ax)
    if not histories:
        raise ValueError("histories is empty")
    for name, history in histories.items():
        y = _vector(history, f"history of {name!r}")
        ax.plot(np.arange(1, len(y) + 1), y, lw=2, color=strategy_color(name), label=str(name))
    if reference is not None:
        ax.axhline(reference, color="k", lw=1, ls=":", label=reference_label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return ax


def plot_loss_histogram(losses, ax=None, bins: int = 40, color: str | None = None, label: str | None = None,
                        reference: float | None = None, reference_label: str | None = None):
    """Histogram of the losses of many candidates, with the best one marked.

    Parameters
    ----------
    losses : 1-D array
        One loss per candidate (e.g. ``SearchResult.losses``).
    reference : float, optional
        A dotted vertical line, e.g. :math:`\\ln 10`.

    Returns
    -------
    matplotlib Axes
    """
    ax = get_ax(ax)
    losses = _vector(losses, "losses")
    color = color or STRATEGY_COLORS["random search"]
    ax.hist(losses, bins=bins, color=color, alpha=0.8, label=label)
    best = float(losses.min())
    ax.axvline(best, color="k", lw=1.5, label=f"best: {best:.3g}")
    if reference is not None:
        ax.axvline(reference, color="k", lw=1, ls=":", label=reference_label)
    ax.set_xlabel("loss of a candidate")
    ax.set_ylabel("number of candidates")
    ax.legend(fontsize="small")
    return ax


def plot_loss_slice(a, b, L, ax=None, arrow=None, levels: int = 20, xlabel: str = "a", ylabel: str = "b",
                    arrow_label: str = r"$-\nabla L$", colorbar: bool = True, log: bool = False):
    """Contours of the loss on a 2-D slice :math:`L(W_0 + a\\,d_1 + b\\,d_2)` through :math:`W_0`.

    Parameters
    ----------
    a, b : 1-D arrays
        Grid coordinates along the two directions.
    L : 2-D array, shape (len(b), len(a))
        ``L[j, i]`` is the loss at ``(a[i], b[j])``.
    arrow : (float, float), optional
        A vector drawn from :math:`(0, 0)`, e.g. the negative gradient projected on the slice.
    levels : int, default 20
        Number of contour levels.
    log : bool, default False
        Space the levels geometrically (for losses that span orders of magnitude).

    Returns
    -------
    matplotlib Axes
    """
    ax = get_ax(ax)
    a, b = _vector(a, "a"), _vector(b, "b")
    L = np.asarray(L, dtype=float)
    if L.shape != (len(b), len(a)):
        raise ValueError(f"L must have shape (len(b), len(a)) = {(len(b), len(a))}, got {L.shape}")
    if log:
        if np.any(L <= 0):
            raise ValueError("log=True needs positive losses")
        from matplotlib.colors import LogNorm
        levels_ = np.geomspace(L.min(), L.max(), levels)
        norm = LogNorm(L.min(), L.max())
    else:
        levels_, norm = levels, None
    filled = ax.contourf(a, b, L, levels=levels_, cmap="viridis", norm=norm)
    ax.contour(a, b, L, levels=levels_, colors="white", linewidths=0.4, alpha=0.6)
    if colorbar:
        bar = ax.figure.colorbar(filled, ax=ax, label="loss" + (" (log scale)" if log else ""))
        if log:
            ticks = np.geomspace(L.min(), L.max(), 6)
            bar.set_ticks(ticks)
            bar.set_ticklabels([f"{t:.3g}" for t in ticks])
    ax.plot([0], [0], marker="o", color="white", mec="k", ms=7, ls="none", label=r"$W_0$")
    if arrow is not None:
        dx, dy = (float(v) for v in arrow)
        ax.annotate("", xy=(dx, dy), xytext=(0, 0),
                    arrowprops=dict(arrowstyle="-|>", color="#D55E00", lw=2.5, mutation_scale=18))
        ax.text(dx, dy, f" {arrow_label}", color="#D55E00", fontsize=12, fontweight="bold",
                va="bottom", ha="left" if dx >= 0 else "right")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_aspect("equal", adjustable="box")
    return ax


def plot_directional_derivatives(theta, values, ax=None, reference=None, label: str = "finite differences",
                                 reference_label: str = r"$\nabla L\cdot u(\theta)$"):
    """Slope of the loss along the unit direction at angle :math:`\\theta` (radians), against :math:`\\theta`.

    Parameters
    ----------
    theta, values : 1-D arrays of the same length
        Angles and the measured slopes :math:`D_u L` there (dots).
    reference : 1-D array, optional
        The predicted slopes (a line), same length.

    Returns
    -------
    matplotlib Axes
    """
    ax = get_ax(ax)
    theta, values = _vector(theta, "theta"), _vector(values, "values")
    if theta.shape != values.shape:
        raise ValueError(f"theta and values must have the same length, got {len(theta)} and {len(values)}")
    deg = np.degrees(theta)
    if reference is not None:
        reference = _vector(reference, "reference")
        if reference.shape != theta.shape:
            raise ValueError("reference must have the same length as theta")
        ax.plot(deg, reference, color="k", lw=1.5, label=reference_label)
    ax.plot(deg, values, "o", color="#D55E00", ms=4, label=label)
    i = int(np.argmin(values))
    ax.plot(deg[i], values[i], marker="*", ms=15, color="#D55E00", mec="k", ls="none",
            label=f"steepest descent: θ = {deg[i]:.0f}°")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel(r"direction $\theta$ (degrees from $-\nabla L$)")
    ax.set_ylabel("slope of the loss along the direction")
    ax.legend(fontsize="small")
    return ax


def plot_error_vs_h(h, errors: dict, ax=None, orders: dict | None = None, colors: dict | None = None,
                    best: bool = True):
    """Absolute error of finite differences against the step :math:`h`, log-log.

    Parameters
    ----------
    h : 1-D array of positive steps
    errors : dict of label -> 1-D array
        The error at each ``h`` (zeros are not drawn: they have no logarithm).
    orders : dict of label -> int, optional
        Draw a dashed reference line :math:`C h^p` parallel to that curve, a decade
        below it at its largest ``h`` and drawn down to its best ``h`` (where
        truncation dominates), labelled with its slope.
    colors : dict of label -> colour, optional
    best : bool, default True
        Mark each curve's smallest error.

    Returns
    -------
    matplotlib Axes
    """
    ax = get_ax(ax)
    h = _vector(h, "h")
    if np.any(h <= 0):
        raise ValueError("h must be positive")
    if not errors:
        raise ValueError("errors is empty")
    orders = orders or {}
    default = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
    for k, (label, err) in enumerate(errors.items()):
        err = _vector(err, f"errors[{label!r}]")
        if err.shape != h.shape:
            raise ValueError(f"errors[{label!r}] has {len(err)} values for {len(h)} steps")
        color = (colors or {}).get(label, default[k % len(default)])
        shown = err > 0
        ax.plot(h[shown], err[shown], "o-", color=color, lw=1.5, ms=3, label=str(label))
        if label in orders:
            p = orders[label]
            i = int(np.argmax(np.where(shown, h, -np.inf)))
            j = int(np.argmin(np.where(shown, err, np.inf)))
            span = (h >= h[j]) & (h <= h[i])             # from the best h up: where truncation rules
            ref = 0.1 * err[i] * (h[span] / h[i]) ** p   # a decade below the curve, so both show
            ax.plot(h[span], ref, "--", color=color, lw=1.2,
                    label=f"slope {p}: $O(h^{p})$" if p != 1 else "slope 1: $O(h)$")
        if best and shown.any():
            j = int(np.argmin(np.where(shown, err, np.inf)))
            ax.plot(h[j], err[j], marker="*", ms=14, color=color, mec="k", ls="none")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step $h$")
    ax.set_ylabel("|numerical − analytic|")
    ax.legend(fontsize="small")
    return ax


def plot_relative_errors(magnitude, errors: dict, ax=None, bands: bool = True, colors: dict | None = None,
                         floor: float = 1e-17):
    """Entrywise relative error of gradients against the size of the true gradient entry, log-log.

    Parameters
    ----------
    magnitude : 1-D array
        :math:`|g_i|` of the reference (analytic) gradient at the checked entries.
    errors : dict of label -> 1-D array
        The relative error of each entry, one array per method (e.g. central,
        forward, a buggy gradient).
    bands : bool, default True
        Shade :data:`GRADCHECK_BANDS` (what a relative error usually means).
    floor : float
        Errors below it (an exact 0 included) are drawn at ``floor``.

    Returns
    -------
    matplotlib Axes
    """
    ax = get_ax(ax)
    magnitude = _vector(magnitude, "magnitude")
    if not errors:
        raise ValueError("errors is empty")
    default = ["#0072B2", "#E69F00", "#D55E00", "#CC79A7"]
    keep = magnitude > 0
    if bands:
        for low, high, color, meaning in GRADCHECK_BANDS:
            ax.axhspan(max(low, floor), high, color=color, alpha=0.13, lw=0)
            ax.text(1.01, np.sqrt(max(low, floor * 1e6) * high), meaning, transform=ax.get_yaxis_transform(),
                    fontsize=8, va="center", ha="left", color="0.25")
    for k, (label, err) in enumerate(errors.items()):
        err = _vector(err, f"errors[{label!r}]")
        if err.shape != magnitude.shape:
            raise ValueError(f"errors[{label!r}] has {len(err)} values for {len(magnitude)} entries")
        color = (colors or {}).get(label, default[k % len(default)])
        ax.scatter(magnitude[keep], np.maximum(err[keep], floor), s=10, color=color, alpha=0.75,
                   label=str(label))
    ax.set_xscale("log")
    ax.set_yscale("log")
    smallest = min(float(np.maximum(np.asarray(e, float)[keep], floor).min()) for e in errors.values())
    ax.set_ylim(10 ** np.floor(np.log10(smallest)) / 3, 3)
    ax.set_xlabel(r"size of the true gradient entry $|g_i|$")
    ax.set_ylabel("relative error of the entry")
    ax.legend(fontsize="small", loc="lower left")
    return ax
