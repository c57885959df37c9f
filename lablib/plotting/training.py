"""Figures of training runs: learning curves, learning-rate sweeps, loss against updates or seconds.

Every function takes what a run returned (a :class:`lablib.training.History`,
a learning-rate sweep, arrays of losses), draws on ``ax`` (or a new axis) and
returns the axis. Nothing here trains. Optimizers keep their book-wide colours
(:func:`lablib.plotting.optimizer_color`).

matplotlib only. Introduced in chapters 6 and 9.
"""
from __future__ import annotations

import numpy as np

from lablib.plotting import get_ax, optimizer_color, optimizer_color_or

__all__ = ["color_for", "plot_history", "plot_histories", "mark_best_epoch", "plot_lr_sweep",
           "plot_loss_curves", "sequential_colors"]

_METRICS = {"loss": ("loss", "loss (cross-entropy)"), "acc": ("acc", "accuracy"), "accuracy": ("acc", "accuracy")}


#: The book's colour for an optimizer name, else a fallback (shared with the other plot modules).
color_for = optimizer_color_or


def sequential_colors(n: int, cmap: str = "viridis"):
    """``n`` colours along a sequential colour map (for ordered settings such as batch sizes).

    Examples
    --------
    >>> len(sequential_colors(4))
    4

    Introduced in chapter 6.
    """
    import matplotlib

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    cm = matplotlib.colormaps[cmap]
    return [cm(x) for x in np.linspace(0.0, 0.85, n)]


def _metric(metric):
    if metric not in _METRICS:
        raise ValueError(f"metric must be 'loss' or 'accuracy', got {metric!r}")
    return _METRICS[metric]


def _curve(history, split, key):
    values = getattr(history, f"{split}_{key}")
    return np.arange(1, len(values) + 1), np.asarray(values, dtype=float)


def mark_best_epoch(history, ax=None, color="k", metric="loss", label=True):
    """Mark the best epoch (lowest validation loss) with a dotted vertical line and a star.

    With ``metric="accuracy"`` the star sits on the validation accuracy *at the best-loss epoch*.

    Introduced in chapter 9.
    """
    ax = get_ax(ax)
    if history.best_epoch is None:
        raise ValueError("the history has no best epoch (no epoch completed)")
    key, _ = _metric(metric)
    split = "val" if history.val_loss else "train"
    _, values = _curve(history, split, key)
    best = history.best_epoch
    ax.axvline(best, color=color, lw=1, ls=":", alpha=0.8)
    ax.plot([best], [values[best - 1]], marker="*", ms=14, color=color, mec="k", mew=0.6, zorder=5,
            ls="none", label=f"best epoch ({best})" if label else None)
    return ax


def plot_history(history, metric: str = "loss", ax=None, color=None, label: str | None = None,
                 show_train: bool = True, mark_best: bool = True):
    """Learning curves of one run: validation (solid) and training (dashed) against epoch.

    Parameters
    ----------
    history : lablib.training.History
        What :func:`lablib.training.fit` returned.
    metric : {"loss", "accuracy"}
    ax : matplotlib Axes, optional
    color : colour, optional
        Default: the optimizer's colour when ``label`` names one, else black.
    label : str, optional
        Legend name of the run (e.g. the optimizer).
    show_train : bool
        Also draw the training curve (dashed).
    mark_best : bool
        Mark the best epoch (:func:`mark_best_epoch`).

    Returns
    -------
    matplotlib Axes

    Introduced in chapter 9.
    """
    ax = get_ax(ax)
    key, ylabel = _metric(metric)
    color = color or color_for(label, "k")
    name = f"{label}: " if label else ""
    if history.val_loss:
        ax.plot(*_curve(history, "val", key), color=color, lw=2, marker="o", ms=3, label=f"{name}validation")
    if show_train or not history.val_loss:
        ax.plot(*_curve(history, "train", key), color=color, lw=1.5, ls="--", label=f"{name}training")
    if mark_best and history.best_epoch is not None:
        mark_best_epoch(history, ax, color=color, metric=metric)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return ax


def plot_histories(histories: dict, metric: str = "loss", split: str = "val", ax=None, mark_best: bool = False,
                   title: str | None = None):
    """Learning curves of several runs (e.g. one per optimizer) on shared axes.

    Parameters
    ----------
    histories : dict of name -> History
        Names that are optimizers ("SGD", "Momentum", "AdaGrad", "RMSprop", "Adam") get the book's colours.
    metric : {"loss", "accuracy"}
    split : {"val", "train", "both"}
        Which curve of each run; "both" draws validation solid and training dashed.
    mark_best : bool
        Star each run's best epoch.

    Returns
    -------
    matplotlib Axes

    Introduced in chapter 9.
    """
    ax = get_ax(ax)
    key, ylabel = _metric(metric)
    if split not in ("val", "train", "both"):
        raise ValueError(f"split must be 'val', 'train' or 'both', got {split!r}")
    if not histories:
        raise ValueError("histories is empty")
    from matplotlib.lines import Line2D

    handles = []
    for name, history in histories.items():
        color = color_for(name)
        if split in ("val", "both") and history.val_loss:
            (line,) = ax.plot(*_curve(history, "val", key), color=color, lw=2, label=name)
            color = line.get_color()
        if split == "train" or (split == "both"):
            (line,) = ax.plot(*_curve(history, "train", key), color=color, lw=1.5,
                              ls="--" if split == "both" else "-",
                              label=name if split == "train" else f"{name} (training)")
            color = line.get_color()
        handles.append(Line2D([], [], color=color, lw=2, label=name))
        if mark_best and history.best_epoch is not None:
            mark_best_epoch(history, ax, color=color, metric=metric, label=False)
    ax.set_xlabel("epoch")
    which = {"val": "validation ", "train": "training ", "both": ""}[split]
    ax.set_ylabel(which + ylabel)
    if title:
        ax.set_title(title)
    if split == "both":     # one entry per run (its colour), and one per line style
        handles += [Line2D([], [], color="0.3", lw=2, label="validation"),
                    Line2D([], [], color="0.3", lw=1.5, ls="--", label="training")]
    ax.legend(handles=handles, fontsize="small")
    return ax


def plot_lr_sweep(sweeps: dict, ax=None, which: str = "final", ylim=None):
    """Validation loss against learning rate (log scale), one line per optimizer.

    Runs that diverged (loss ``inf``/NaN) are drawn as crosses along the top edge.

    Parameters
    ----------
    sweeps : dict of name -> SweepResult or (lrs, losses)
        What :func:`lablib.training.lr_sweep` returned for each optimizer, or plain arrays.
    which : {"final", "best"}
        The loss after the last epoch, or the lowest over the epochs (for SweepResults).
    ylim : (low, high), optional
        Default: from the finite losses.

    Returns
    -------
    matplotlib Axes

    Introduced in chapter 9.
    """
    ax = get_ax(ax)
    if which not in ("final", "best"):
        raise ValueError(f"which must be 'final' or 'best', got {which!r}")
    finite_all = []
    series = []
    for name, sweep in sweeps.items():
        if hasattr(sweep, "lrs"):
            lrs, losses = sweep.lrs, getattr(sweep, f"{which}_val_loss")
        else:
            lrs, losses = sweep
        lrs, losses = np.asarray(lrs, float), np.asarray(losses, float)
        if lrs.shape != losses.shape:
            raise ValueError(f"{name}: {len(lrs)} learning rates but {len(losses)} losses")
        series.append((name, lrs, losses))
        finite_all.extend(losses[np.isfinite(losses)])
    if ylim is None:
        low, high = (min(finite_all), max(finite_all)) if finite_all else (0.0, 1.0)
        pad = 0.08 * (high - low or 1.0)
        ylim = (low - pad, high + 2 * pad)
    top = ylim[1] - 0.03 * (ylim[1] - ylim[0])
    for name, lrs, losses in series:
        ok = np.isfinite(losses)
        best = np.argmin(np.where(ok, losses, np.inf)) if ok.any() else None
        (line,) = ax.plot(lrs[ok], losses[ok], marker="o", lw=2, color=color_for(name), label=name)
        if (~ok).any():
            ax.plot(lrs[~ok], np.full((~ok).sum(), top), ls="none", marker="x", ms=9, mew=2, color=line.get_color())
        if best is not None:
            ax.plot([lrs[best]], [losses[best]], marker="*", ms=15, color=line.get_color(), mec="k", mew=0.6,
                    zorder=5)
    ax.set_xscale("log")
    ax.set_ylim(*ylim)
    ax.set_xlabel("learning rate")
    ax.set_ylabel(f"{which} validation loss")
    diverged = any((~np.isfinite(losses)).any() for _, _, losses in series)
    ax.legend(fontsize="small", title="★ best" + ("   × diverged" if diverged else ""), title_fontsize="small")
    return ax


def plot_loss_curves(curves: dict, ax=None, xlabel: str = "updates", ylabel: str = "training loss",
                     colors=None, logx: bool = False, logy: bool = False, title: str | None = None):
    """Several loss curves on one axis, e.g. loss against updates (or seconds) for several batch sizes.

    Parameters
    ----------
    curves : dict of label -> (x, loss)
    colors : list of colours, optional
        Default: a sequential colour map in the dict's order (optimizer names get their own colours).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_loss_curves({"B = 8": ([0, 1, 2], [2.3, 1.0, 0.7]), "B = 64": ([0, 1, 2], [2.3, 1.5, 1.1])})
    >>> [line.get_label() for line in ax.get_lines()]
    ['B = 8', 'B = 64']

    Introduced in chapter 6.
    """
    ax = get_ax(ax)
    if not curves:
        raise ValueError("curves is empty")
    colors = list(colors) if colors is not None else sequential_colors(len(curves))
    if len(colors) < len(curves):
        raise ValueError(f"{len(curves)} curves but only {len(colors)} colours")
    for (label, (x, y)), color in zip(curves.items(), colors):
        x, y = np.asarray(x, float), np.asarray(y, float)
        if x.shape != y.shape:
            raise ValueError(f"{label}: x has shape {x.shape} but the loss has shape {y.shape}")
        ax.plot(x, y, lw=2, color=color_for(label, color), label=str(label))
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax
