"""Figures for chapter 3: the sigmoid, decision boundaries, class probabilities, weight templates,
digits and confusion matrices.

Every function takes arrays (computed elsewhere), draws on ``ax`` (or new axes) and returns the
axis, or the array of axes for the multi-panel figures. Nothing here trains or predicts.

matplotlib only. Introduced in chapter 3.
"""
from __future__ import annotations

import numpy as np

from lablib.plotting import get_ax

__all__ = ["plot_sigmoid", "plot_decision_boundary", "plot_probabilities", "plot_weight_templates",
           "plot_digits", "plot_confusion_matrix"]

_CLASS_COLORS = ("#0072B2", "#D55E00")


def _axes_grid(axes, n: int, ncols: int, size: float):
    """``axes`` flattened (checked to hold at least ``n``), or a new grid of ``n`` panels."""
    import matplotlib.pyplot as plt

    if axes is None:
        nrows = int(np.ceil(n / ncols))
        _, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.1), squeeze=False)
    flat = np.asarray(axes).ravel()
    if len(flat) < n:
        raise ValueError(f"{n} panels need at least {n} axes, got {len(flat)}")
    for ax in flat[n:]:
        ax.axis("off")
    return flat


def plot_sigmoid(x, s, ax=None, color: str = "#0072B2", mark: float | None = 2.0):
    """The sigmoid curve with its landmarks: the range (0, 1), :math:`\\sigma(0) = 1/2`, and the symmetry.

    Parameters
    ----------
    x, s : 1-D arrays
        Inputs and :math:`\\sigma(x)` (computed by the caller).
    mark : float, optional
        Mark :math:`\\sigma(m)` and :math:`\\sigma(-m) = 1 - \\sigma(m)` at :math:`\\pm m`
        (interpolated from ``s``); None for no marks.

    Returns
    -------
    matplotlib Axes
    """
    ax = get_ax(ax, figsize=(6, 3.6))
    x, s = np.asarray(x, float), np.asarray(s, float)
    if x.ndim != 1 or x.shape != s.shape or len(x) < 2:
        raise ValueError(f"x and s must be 1-D arrays of the same length (>= 2), got {x.shape} and {s.shape}")
    for level in (0.0, 1.0):
        ax.axhline(level, color="0.6", lw=0.8, ls=":")
    ax.axhline(0.5, color="0.6", lw=0.8)
    ax.axvline(0.0, color="0.6", lw=0.8)
    ax.plot(x, s, color=color, lw=2.5, label=r"$\sigma(x) = 1/(1 + e^{-x})$")
    ax.plot([0], [0.5], "o", color="k", ms=6, label=r"$\sigma(0) = 1/2$: the decision boundary")
    if mark is not None:
        m = float(mark)
        sp, sm = np.interp(m, x, s), np.interp(-m, x, s)
        ax.vlines([m, -m], [0.5, 0.5], [sp, sm], colors="#D55E00", lw=2)
        ax.plot([m, -m], [sp, sm], "o", color="#D55E00", ms=5,
                label=rf"$\sigma({-m:g}) = 1 - \sigma({m:g})$")
    ax.set_xlabel("$x$ (the score $w \\cdot x$)")
    ax.set_ylabel(r"$\sigma(x)$")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize="small", loc="upper left")
    return ax


def plot_decision_boundary(X, y, xx, yy, prob, ax=None, levels=(0.1, 0.25, 0.5, 0.75, 0.9),
                           colorbar: bool = True):
    """Two-class data in the plane, the predicted probability of class 1, and the 0.5 contour.

    Parameters
    ----------
    X : array, shape (n, 2)
    y : array of 0/1, shape (n,)
    xx, yy : 2-D arrays
        A grid (from ``np.meshgrid``).
    prob : 2-D array, same shape as ``xx``
        :math:`P(y = 1 \\mid x)` on the grid.
    levels : sequence of float
        Probability contours to draw; 0.5 (the decision boundary) is drawn bold.

    Returns
    -------
    matplotlib Axes
    """
    ax = get_ax(ax, figsize=(5.5, 4.5))
    X, y = np.asarray(X, float), np.asarray(y)
    xx, yy, prob = np.asarray(xx, float), np.asarray(yy, float), np.asarray(prob, float)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),):
        raise ValueError(f"X must have shape (n, 2) and y shape (n,), got {X.shape} and {y.shape}")
    if not (xx.shape == yy.shape == prob.shape) or xx.ndim != 2:
        raise ValueError(f"xx, yy and prob must be 2-D arrays of one shape, got {xx.shape}, {yy.shape}, {prob.shape}")
    if np.any((prob < 0) | (prob > 1)):
        raise ValueError("prob must hold probabilities in [0, 1]")
    filled = ax.contourf(xx, yy, prob, levels=np.linspace(0, 1, 21), cmap="RdBu_r", alpha=0.35)
    if colorbar:
        ax.figure.colorbar(filled, ax=ax, label=r"$P(y = 1 \mid x)$", ticks=[0, 0.25, 0.5, 0.75, 1])
    others = [lv for lv in levels if lv != 0.5]
    if others:
        ax.contour(xx, yy, prob, levels=sorted(others), colors="0.3", linewidths=0.8, linestyles="--")
    ax.contour(xx, yy, prob, levels=[0.5], colors="k", linewidths=2.5)
    for label, color in zip((0, 1), _CLASS_COLORS):
        pts = X[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=20, color=color, edgecolor="k", lw=0.5, label=f"class {label}")
    ax.plot([], [], color="k", lw=2.5, label="decision boundary ($p = 0.5$)")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(fontsize="small", loc="lower right", framealpha=0.9)
    return ax


def plot_probabilities(probs, ax=None, true_label: int | None = None, class_names=None):
    """Bar chart of one predicted distribution over the classes; the true class in a second colour.

    Returns
    -------
    matplotlib Axes
    """
    ax = get_ax(ax, figsize=(5, 3))
    probs = np.asarray(probs, float)
    if probs.ndim != 1 or probs.size == 0:
        raise ValueError(f"probs must be a 1-D array, got shape {probs.shape}")
    if np.any(probs < 0) or abs(probs.sum() - 1) > 1e-6:
        raise ValueError("probs must be a probability distribution (non-negative, summing to 1)")
    names = [str(c) for c in (class_names if class_names is not None else range(len(probs)))]
    if len(names) != len(probs):
        raise ValueError(f"{len(probs)} probabilities but {len(names)} class names")
    colors = ["0.65"] * len(probs)
    if true_label is not None:
        if not 0 <= true_label < len(probs):
            raise ValueError(f"true_label {true_label} is out of range")
        colors[true_label] = "#009E73"
    bars = ax.bar(names, probs, color=colors)
    pred = int(np.argmax(probs))
    bars[pred].set_edgecolor("k")
    bars[pred].set_linewidth(1.5)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("class")
    ax.set_ylabel("predicted probability")
    if true_label is not None:
        ax.bar([names[true_label]], [0], color="#009E73", label="true class")
        ax.legend(fontsize="small")
    return ax


def plot_weight_templates(W, axes=None, image_shape=(28, 28), class_names=None, ncols: int = 5,
                          cmap: str = "RdBu_r"):
    """The weights of each class drawn as an image: what the linear classifier "looks for".

    Parameters
    ----------
    W : array, shape (D + 1, C) or (D, C)
        Weights with one column per class; a last (bias) row is dropped when
        ``D + 1 = prod(image_shape) + 1``.
    axes : array of Axes, optional
        At least ``C`` axes; default: a new grid with ``ncols`` columns.
    cmap : str
        A diverging colour map: positive weights (pixels that raise the class's
        score) red, negative blue, one symmetric scale shared by all panels.

    Returns
    -------
    ndarray of Axes
    """
    W = np.asarray(W, float)
    D = int(np.prod(image_shape))
    if W.ndim != 2 or W.shape[0] not in (D, D + 1):
        raise ValueError(f"W must have shape ({D} or {D + 1}, C) for images of shape {image_shape}, got {W.shape}")
    W = W[:D]
    C = W.shape[1]
    names = list(class_names) if class_names is not None else [str(c) for c in range(C)]
    if len(names) != C:
        raise ValueError(f"{C} classes but {len(names)} class names")
    flat = _axes_grid(axes, C, ncols, 1.9)
    limit = float(np.abs(W).max()) or 1.0
    image = None
    for c in range(C):
        image = flat[c].imshow(W[:, c].reshape(image_shape), cmap=cmap, vmin=-limit, vmax=limit)
        flat[c].set_title(names[c])
        flat[c].set_xticks([])
        flat[c].set_yticks([])
    fig = flat[0].figure
    fig.colorbar(image, ax=list(flat[:C]), shrink=0.8, label="weight")
    return flat[:C]


def plot_digits(images, titles=None, axes=None, ncols: int = 6, image_shape=(28, 28), cmap: str = "gray_r"):
    """A grid of images with optional titles (e.g. ``"true 4 → 9 (p = 0.83)"``).

    Parameters
    ----------
    images : array, shape (k, 784) or (k, 28, 28)
    titles : list of str, optional

    Returns
    -------
    ndarray of Axes
    """
    images = np.asarray(images, float)
    if images.ndim == 2:
        images = images.reshape(len(images), *image_shape)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must have shape (k, {np.prod(image_shape)}) or (k, *image_shape), "
                         f"got {np.shape(images)}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(images)} images but {len(titles)} titles")
    flat = _axes_grid(axes, len(images), min(ncols, len(images)), 1.7)
    for k, image in enumerate(images):
        flat[k].imshow(image, cmap=cmap, vmin=0, vmax=max(1.0, float(image.max())))
        if titles is not None:
            flat[k].set_title(titles[k], fontsize=9)
        flat[k].set_xticks([])
        flat[k].set_yticks([])
    return flat[:len(images)]


def plot_confusion_matrix(cm, ax=None, class_names=None, normalize: bool = False, cmap: str = "Blues",
                          annotate: bool = True):
    """A confusion matrix as a heat map: rows are true classes, columns predicted ones.

    Parameters
    ----------
    cm : 2-D array of counts, shape (C, C)
    normalize : bool, default False
        Show each row as fractions of its true class (the diagonal is then each class's recall).
    annotate : bool, default True
        Write the number in each cell (counts, or percentages when normalized).

    Returns
    -------
    matplotlib Axes
    """
    ax = get_ax(ax, figsize=(6, 5.2))
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ValueError(f"cm must be a square matrix, got shape {cm.shape}")
    if np.any(cm < 0):
        raise ValueError("cm must hold counts (non-negative)")
    C = cm.shape[0]
    names = [str(c) for c in (class_names if class_names is not None else range(C))]
    if len(names) != C:
        raise ValueError(f"{C} classes but {len(names)} class names")
    shown = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    image = ax.imshow(shown, cmap=cmap, norm=None)
    ax.figure.colorbar(image, ax=ax, label="fraction of the true class" if normalize else "count")
    if annotate:
        threshold = shown.max() / 2
        for i in range(C):
            for j in range(C):
                text = f"{shown[i, j]:.0%}" if normalize else f"{int(cm[i, j])}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="white" if shown[i, j] > threshold else "black")
    ax.set_xticks(range(C), names)
    ax.set_yticks(range(C), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    return ax
