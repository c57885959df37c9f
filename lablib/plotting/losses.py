"""Figures for chapter 1 (loss functions). matplotlib only.

Every function takes arrays computed by :mod:`lablib.losses` (or by the chapter)
and an optional ``ax``; it draws, labels and returns the axis. Nothing here
computes a loss, so a figure always shows the numbers the chapter checked.

Introduced in chapter 1.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from . import get_ax

__all__ = [
    "LOSS_COLORS",
    "plot_information",
    "plot_bce_branches",
    "plot_binary_entropy",
    "plot_distributions",
    "plot_kl_asymmetry",
    "plot_stability",
]

#: Colours of the chapter's recurring roles (Okabe–Ito, colour-blind safe).
LOSS_COLORS = {
    "label 1": "#0072B2",     # y = 1, P, the stable computation
    "label 0": "#D55E00",     # y = 0, Q, the naive computation
    "highlight": "#009E73",   # marked points
    "neutral": "#555555",
}


def _vector(x, name):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {x.shape}")
    return x


def _same_length(x, y, name_x, name_y):
    if len(x) != len(y):
        raise ValueError(f"{name_x} and {name_y} must have the same length, got {len(x)} and {len(y)}")


def plot_information(q, info, ax=None, points: Sequence[tuple] | None = None, unit: str = "nats"):
    r"""The information :math:`I = -\log q` of an outcome against its probability :math:`q`.

    Parameters
    ----------
    q, info : array_like
        Probabilities in (0, 1] and their information :math:`-\log q`.
    ax : matplotlib Axes, optional
    points : sequence of (label, q, information), optional
        Outcomes to mark on the curve (e.g. the probabilities a model gave the
        true classes), each annotated with its label and information.
    unit : str
        Label for the information axis.

    Returns
    -------
    matplotlib Axes

    Introduced in chapter 1.
    """
    q, info = _vector(q, "q"), _vector(info, "info")
    _same_length(q, info, "q", "info")
    ax = get_ax(ax)
    ax.plot(q, info, color=LOSS_COLORS["label 1"], lw=2, label=r"$I(q) = -\log q$")
    # labels stacked in a column in the empty upper middle of the plot, each with an arrow to its point
    for k, (label, qi, yi) in enumerate(sorted(points or (), key=lambda pt: pt[1])):
        ax.plot([qi], [yi], "o", color=LOSS_COLORS["highlight"], zorder=3)
        ax.annotate(f"{label}: $-\\log {qi:g} = {yi:.4f}$", (qi, yi), xytext=(0.45, 0.30 + 0.11 * k),
                    textcoords="axes fraction", fontsize=9,
                    arrowprops=dict(arrowstyle="->", color=LOSS_COLORS["neutral"], lw=0.8))
    ax.set_xlabel("probability $q$ of the outcome")
    ax.set_ylabel(f"information $-\\log q$ ({unit})")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, None)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    return ax


def plot_bce_branches(y_hat, loss_if_1, loss_if_0, ax=None, points: Sequence[tuple] | None = None):
    r"""The two branches of binary cross-entropy against the predicted probability :math:`\hat y`.

    Parameters
    ----------
    y_hat : array_like
        Predicted probabilities :math:`\hat y = P(y = 1)`.
    loss_if_1, loss_if_0 : array_like
        The loss at each :math:`\hat y` when the label is 1 (:math:`-\log \hat y`)
        and when it is 0 (:math:`-\log(1 - \hat y)`).
    ax : matplotlib Axes, optional
    points : sequence of (y_hat, label, loss), optional
        Predictions to mark on the branch of their label.

    Returns
    -------
    matplotlib Axes

    Introduced in chapter 1.
    """
    y_hat, l1, l0 = _vector(y_hat, "y_hat"), _vector(loss_if_1, "loss_if_1"), _vector(loss_if_0, "loss_if_0")
    _same_length(y_hat, l1, "y_hat", "loss_if_1")
    _same_length(y_hat, l0, "y_hat", "loss_if_0")
    ax = get_ax(ax)
    ax.plot(y_hat, l1, color=LOSS_COLORS["label 1"], lw=2, label=r"label $y=1$: $-\log \hat y$")
    ax.plot(y_hat, l0, color=LOSS_COLORS["label 0"], lw=2, ls="--", label=r"label $y=0$: $-\log(1-\hat y)$")
    for yh, label, loss in points or ():
        color = LOSS_COLORS["label 1"] if label == 1 else LOSS_COLORS["label 0"]
        ax.plot([yh], [loss], "o", color=color, zorder=3)
        ax.annotate(f"$\\hat y={yh:g}$, $y={label:g}$: {loss:.4f}", (yh, loss), xytext=(6, 6),
                    textcoords="offset points", fontsize=9)
    ax.set_xlabel(r"predicted probability $\hat y = P(y=1)$")
    ax.set_ylabel("loss of one sample")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, None)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center")
    return ax


def plot_binary_entropy(p, H, ax=None, unit: str = "bits", mark: Sequence[float] = ()):
    r"""The entropy of a coin that lands heads with probability :math:`p`.

    Parameters
    ----------
    p, H : array_like
        Probabilities of heads and the coin's entropy at each.
    ax : matplotlib Axes, optional
    unit : str
        Unit of ``H`` for the axis label ("bits" or "nats").
    mark : sequence of float
        Values of ``p`` to mark (looked up in ``p``).

    Returns
    -------
    matplotlib Axes

    Introduced in chapter 1.
    """
    p, H = _vector(p, "p"), _vector(H, "H")
    _same_length(p, H, "p", "H")
    ax = get_ax(ax)
    ax.plot(p, H, color=LOSS_COLORS["label 1"], lw=2)
    for pm in mark:
        i = int(np.argmin(np.abs(p - pm)))
        ax.plot([p[i]], [H[i]], "o", color=LOSS_COLORS["highlight"], zorder=3)
        near_top = abs(p[i] - 0.5) < 0.15              # below the peak, or to the left of a slope
        ax.annotate(f"$p={p[i]:g}$: {H[i]:.3f} {unit}", (p[i], H[i]), xytext=(0, -22) if near_top else (-8, -4),
                    textcoords="offset points", fontsize=9, ha="center" if near_top else "right")
    ax.set_xlabel("probability of heads $p$")
    ax.set_ylabel(f"entropy $H$ ({unit})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, None)
    ax.grid(alpha=0.3)
    return ax


def plot_distributions(dists: Mapping[str, Sequence[float]], ax=None, categories: Sequence[str] | None = None):
    """Grouped bars: one group per outcome, one bar per distribution.

    Parameters
    ----------
    dists : mapping name -> probabilities
        Distributions over the same outcomes (e.g. ``{"P": p, "Q": q}``).
    ax : matplotlib Axes, optional
    categories : sequence of str, optional
        Names of the outcomes (default ``"1", "2", ...``).

    Returns
    -------
    matplotlib Axes

    Introduced in chapter 1.
    """
    arrays = {name: _vector(d, name) for name, d in dists.items()}
    if not arrays:
        raise ValueError("dists is empty")
    sizes = {len(a) for a in arrays.values()}
    if len(sizes) != 1:
        raise ValueError(f"all distributions must have the same length, got {sorted(sizes)}")
    C = sizes.pop()
    categories = list(categories) if categories is not None else [str(i + 1) for i in range(C)]
    if len(categories) != C:
        raise ValueError(f"{len(categories)} category names for {C} outcomes")
    ax = get_ax(ax)
    palette = [LOSS_COLORS["label 1"], LOSS_COLORS["label 0"], LOSS_COLORS["highlight"], LOSS_COLORS["neutral"]]
    width = 0.8 / len(arrays)
    x = np.arange(C)
    for k, (name, a) in enumerate(arrays.items()):
        ax.bar(x + (k - (len(arrays) - 1) / 2) * width, a, width, label=name, color=palette[k % len(palette)])
    ax.set_xticks(x, categories)
    ax.set_xlabel("outcome")
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1)
    ax.legend()
    ax.grid(alpha=0.3, axis="y")
    return ax


def plot_kl_asymmetry(q, kl_pq, kl_qp, p: float, ax=None, mark: Sequence[float] = ()):
    r""":math:`D_{KL}(P \Vert Q)` and :math:`D_{KL}(Q \Vert P)` for coins, as :math:`Q` varies.

    Parameters
    ----------
    q : array_like
        Probabilities of heads of the coin :math:`Q`.
    kl_pq, kl_qp : array_like
        :math:`D_{KL}(P \Vert Q)` and :math:`D_{KL}(Q \Vert P)` at each ``q``.
    p : float
        The probability of heads of the fixed coin :math:`P` (marked on the axis).
    ax : matplotlib Axes, optional
    mark : sequence of float
        Values of ``q`` at which to mark and label both divergences (looked up in ``q``).

    Returns
    -------
    matplotlib Axes

    Introduced in chapter 1.
    """
    q, a, b = _vector(q, "q"), _vector(kl_pq, "kl_pq"), _vector(kl_qp, "kl_qp")
    _same_length(q, a, "q", "kl_pq")
    _same_length(q, b, "q", "kl_qp")
    ax = get_ax(ax)
    ax.plot(q, a, color=LOSS_COLORS["label 1"], lw=2, label=r"$D_{KL}(P\,\Vert\,Q)$")
    ax.plot(q, b, color=LOSS_COLORS["label 0"], lw=2, ls="--", label=r"$D_{KL}(Q\,\Vert\,P)$")
    ax.axvline(p, color=LOSS_COLORS["neutral"], lw=1, ls=":")
    ax.annotate(f"$Q = P$ ($q = {p:g}$): both 0", (p, 0), xytext=(6, 40), textcoords="offset points",
                fontsize=9, arrowprops=dict(arrowstyle="->", color=LOSS_COLORS["neutral"]))
    for qm in mark:
        i = int(np.argmin(np.abs(q - qm)))
        for values, color, dy in ((a, LOSS_COLORS["label 1"], -16), (b, LOSS_COLORS["label 0"], 8)):
            ax.plot([q[i]], [values[i]], "o", color=color, zorder=3)
            ax.annotate(f"{values[i]:.4f}", (q[i], values[i]), xytext=(6, dy), textcoords="offset points",
                        fontsize=9, color=color)
    ax.set_xlabel(r"probability of heads $q$ of coin $Q$")
    ax.set_ylabel("KL divergence (nats)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, None)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center")
    return ax


def plot_stability(scale, naive, stable, ax=None):
    """A loss computed naively and stably as the logits grow; where the naive one breaks.

    Points where ``naive`` is ``inf`` or ``nan`` are drawn as markers along the
    top edge, labelled by what went wrong.

    Parameters
    ----------
    scale : array_like
        The size of the logits (x axis, drawn on a log scale).
    naive, stable : array_like
        The loss from the naive formula and from the stable one at each scale.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Introduced in chapter 1.
    """
    s, naive, stable = _vector(scale, "scale"), _vector(naive, "naive"), _vector(stable, "stable")
    _same_length(s, naive, "scale", "naive")
    _same_length(s, stable, "scale", "stable")
    ax = get_ax(ax)
    ok = np.isfinite(naive)
    ax.plot(s, stable, color=LOSS_COLORS["label 1"], lw=2, label="stable (log-sum-exp)")
    ax.plot(s[ok], naive[ok], color=LOSS_COLORS["label 0"], lw=2, ls="--", label="naive: log(softmax)")
    top = np.nanmax(stable[np.isfinite(stable)]) * 1.8
    for mask, marker, text in ((np.isinf(naive), "^", "naive = inf"), (np.isnan(naive), "x", "naive = nan")):
        if mask.any():
            every = max(1, int(mask.sum()) // 15)          # about 15 markers, however fine the grid
            ax.plot(s[mask], np.full(mask.sum(), top), marker, ls="none", markevery=every,
                    color=LOSS_COLORS["label 0"], label=text)
    if not ok.all():
        ax.axvline(s[~ok][0], color=LOSS_COLORS["neutral"], lw=1, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("size of the logits $s$")
    ax.set_ylabel("cross-entropy loss")
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper left")
    return ax
