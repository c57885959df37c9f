"""Figures of tuning and monitoring: the learning-rate range test, TensorBoard's curves, schedules.

Every function takes what a run returned (a :class:`lablib.tuning.RangeTest`, the
scalars :func:`lablib.monitoring.read_scalars` read, arrays of learning rates),
draws on ``ax`` (or a new axis) and returns the axis. Nothing here trains.

matplotlib only. Introduced in chapter 10.
"""
from __future__ import annotations

import numpy as np

from lablib.plotting import get_ax

__all__ = ["plot_range_test", "plot_scalar", "plot_schedules", "SCHEDULE_COLORS"]

#: One colour per learning-rate schedule of :data:`lablib.tuning.SCHEDULES` (Okabe–Ito, colour-blind safe).
SCHEDULE_COLORS = {"constant": "#000000", "step decay": "#56B4E9", "warm-up + cosine": "#D55E00",
                   "one-cycle": "#009E73"}


def plot_range_test(result, ax=None, color="#0072B2"):
    """The range test: mini-batch loss against learning rate (log axis), raw and smoothed,
    with the rate of the lowest smoothed loss and the suggested rate (a tenth of it) marked.

    Introduced in chapter 10.
    """
    ax = get_ax(ax, (6.4, 4.0))
    ax.plot(result.lrs, result.losses, color=color, alpha=0.3, lw=1, label="mini-batch loss")
    ax.plot(result.lrs, result.smoothed, color=color, lw=2, label="smoothed")
    low = int(np.argmin(np.abs(result.lrs - result.min_loss_lr)))
    ax.plot(result.min_loss_lr, result.smoothed[low], "v", color="k", ms=8,
            label=f"lowest smoothed loss (lr = {result.min_loss_lr:.2g})")
    ax.axvline(result.suggested_lr, color="#D55E00", ls="--", lw=1.5,
               label=f"suggested lr = {result.suggested_lr:.2g} (a tenth)")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("training loss")
    ax.legend(fontsize=8)
    return ax


def plot_scalar(scalars, ax=None, smoothing: float = 0.6, color="#0072B2", label=None, xlabel="step"):
    """One TensorBoard curve as TensorBoard draws it: the raw values faint, the smoothed ones solid.

    Parameters
    ----------
    scalars : lablib.monitoring.Scalars
        One tag of :func:`lablib.monitoring.read_scalars`.
    smoothing : float in [0, 1)
        TensorBoard's smoothing slider (0: no smoothed line).

    Introduced in chapter 10.
    """
    from lablib.monitoring import smooth

    ax = get_ax(ax, (5.0, 3.5))
    if smoothing > 0:
        ax.plot(scalars.steps, scalars.values, color=color, alpha=0.3, lw=1)
        ax.plot(scalars.steps, smooth(scalars.values, smoothing), color=color, lw=2, label=label)
    else:
        ax.plot(scalars.steps, scalars.values, color=color, lw=2, marker="o", ms=3, label=label)
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3)
    return ax


def plot_schedules(rates: dict, ax=None, xlabel="update"):
    """Learning rate against update for each schedule (``{name: rates}``), in the schedules' colours.

    Introduced in chapter 10.
    """
    ax = get_ax(ax, (5.0, 3.5))
    for name, r in rates.items():
        ax.plot(np.arange(1, len(r) + 1), r, color=SCHEDULE_COLORS.get(name), lw=2, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("learning rate")
    ax.legend(fontsize=8)
    return ax
