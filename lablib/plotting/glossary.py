"""Bilingual summary figures for the glossary: the learning loop and the optimizer family tree.

Every label is a pair, the Korean term the glossary chooses over the English
term, drawn with NanumGothic (see :mod:`lablib.plotting.korean`) without changing
any global setting. The Korean terms come from :data:`TERMS`, which
``tests/test_glossary.py`` checks against the glossary page.

Introduced in the glossary appendix.
"""
from __future__ import annotations

from lablib.plotting import get_ax, optimizer_color
from lablib.plotting.korean import korean_font_families

__all__ = ["TERMS", "bilingual", "plot_learning_loop", "plot_optimizer_tree"]

#: English term -> the Korean term the glossary chooses, for every term the figures use.
TERMS = {
    "weight": "가중치",
    "mini-batch": "미니배치",
    "forward pass": "순전파",
    "logit": "로짓",
    "loss function": "손실 함수",
    "backward pass": "역방향 계산",
    "backpropagation": "역전파",
    "gradient": "기울기",
    "optimizer": "옵티마이저",
    "learning rate": "학습률",
    "iteration": "반복",
    "epoch": "에폭",
    "training set": "훈련 세트",
    "gradient descent": "경사 하강법",
    "stochastic gradient descent": "확률적 경사 하강법",
    "momentum": "모멘텀",
    "velocity": "속도",
    "Nesterov momentum": "네스테로프 모멘텀",
    "adaptive learning rate": "적응적 학습률",
    "exponential moving average": "지수 이동 평균",
    "first moment": "1차 모멘트",
    "second moment": "2차 모멘트",
    "bias correction": "편향 보정",
    "decoupled weight decay": "분리된 가중치 감쇠",
}


def bilingual(english: str, shown: str | None = None, sep: str = "\n") -> str:
    """``"<Korean>\\n(<English>)"`` for a term of :data:`TERMS`; ``shown`` replaces the English text.

    Examples
    --------
    >>> bilingual("learning rate", sep=" ")
    '학습률 (learning rate)'
    >>> bilingual("stochastic gradient descent", "SGD")
    '확률적 경사 하강법\\n(SGD)'
    """
    if english not in TERMS:
        raise ValueError(f"{english!r} is not in lablib.plotting.glossary.TERMS; known: {', '.join(TERMS)}")
    return f"{TERMS[english]}{sep}({shown or english})"


def _box(ax, xy, text, face, edge, fontfamily, fontsize=11.5, weight="normal"):
    return ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, fontfamily=fontfamily,
                   fontweight=weight, linespacing=1.35, zorder=3,
                   bbox=dict(boxstyle="round,pad=0.5", facecolor=face, edgecolor=edge, linewidth=1.6))


def _connect(ax, box_a, box_b, color="#444444", rad=0.0):
    """An arrow from one box to another, clipped at both boxes' edges."""
    # drawn after the boxes (higher zorder), when their bbox patches have their final size
    ax.annotate("", xy=box_b.get_position(), xytext=box_a.get_position(), zorder=3.5,
                arrowprops=dict(arrowstyle="-|>", mutation_scale=16, linewidth=1.6, color=color,
                                patchA=box_a.get_bbox_patch(), patchB=box_b.get_bbox_patch(),
                                shrinkA=3, shrinkB=3, connectionstyle=f"arc3,rad={rad}"))


def _note(ax, xy, text, fontfamily, fontsize=10.0, color="#222222", **kwargs):
    return ax.text(*xy, text, ha="center", va="center", fontsize=fontsize, fontfamily=fontfamily,
                   color=color, linespacing=1.3, zorder=4, **kwargs)


def plot_learning_loop(ax=None):
    """Draw one training iteration as a loop, with Korean and English labels.

    weights → forward pass (on a mini-batch) → loss → backward pass
    (backpropagation) → gradient → optimizer step → weights:

    .. math::

       W \\leftarrow W - \\eta \\, \\nabla_W L

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw; a new 8.4 × 5.2 in figure if omitted.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_learning_loop()
    >>> [t.get_text().split("\\n")[0] for t in ax.texts][:2]
    ['가중치', '순전파']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    family = korean_font_families()
    ax = get_ax(ax, figsize=(8.4, 5.2))
    weight = _box(ax, (0.0, 1.3), bilingual("weight", "weights") + "\n$W$", "#FFF3D6", "#E69F00", family)
    forward = _box(ax, (2.85, 0.0), bilingual("forward pass"), "#E3F1FB", "#0072B2", family)
    loss = _box(ax, (0.0, -1.3), bilingual("loss function") + "\n$L$", "#FBE5DA", "#D55E00", family)
    backward = _box(ax, (-2.85, 0.0), bilingual("backward pass") + "\n= " + bilingual("backpropagation", sep=" "),
                    "#DDF2EA", "#009E73", family)
    for a, b in ((weight, forward), (forward, loss), (loss, backward), (backward, weight)):
        _connect(ax, a, b, rad=-0.2)
    _note(ax, (2.05, 1.05), bilingual("mini-batch", sep=" ") + "\n$X, y$", family)
    _note(ax, (2.05, -1.05), bilingual("logit", "logits", sep=" ") + "\n$z = XW$", family)
    _note(ax, (-1.75, -1.0), "$L$", family, fontsize=10)
    _note(ax, (-2.3, 1.15), bilingual("gradient", sep=" ") + " $\\nabla_W L$ $\\rightarrow$\n" + bilingual("optimizer", sep=" ")
          + "\n$W \\leftarrow W - \\eta\\,\\nabla_W L$", family)
    _note(ax, (0.0, 0.32), "1 " + bilingual("iteration", sep=" ") + "\n= " + bilingual("mini-batch", sep=" ")
          + " 하나", family, color="#444444")
    _note(ax, (0.0, -0.32), "1 " + bilingual("epoch", sep=" ") + "\n= " + bilingual("training set", sep=" ")
          + " 전체", family, color="#444444")
    _note(ax, (0.0, -2.05), "$\\eta$: " + bilingual("learning rate", sep=" "), family, fontsize=10, color="#444444")
    ax.set_xlim(-4.0, 4.0)
    ax.set_ylim(-2.3, 1.95)
    ax.set_axis_off()
    return ax


#: The optimizer family tree, top to bottom: name -> (x, y, label, parents).
_TREE = {
    "GD": (0.0, 0.0, bilingual("gradient descent", "GD"), ()),
    "SGD": (0.0, -1.45, bilingual("stochastic gradient descent", "SGD"), ("GD",)),
    "Momentum": (-1.9, -2.95, bilingual("momentum", "Momentum"), ("SGD",)),
    "AdaGrad": (1.9, -2.95, "AdaGrad", ("SGD",)),
    "Nesterov": (-3.5, -4.45, bilingual("Nesterov momentum", "Nesterov"), ("Momentum",)),
    "RMSprop": (1.9, -4.45, "RMSprop", ("AdaGrad",)),
    "Adam": (0.0, -5.95, "Adam", ("Momentum", "RMSprop")),
    "AdamW": (0.0, -7.35, "AdamW", ("Adam",)),
}

#: What each newer method adds, and where that note sits.
_GAINS = {
    ("GD", "SGD"): ("+ " + bilingual("mini-batch"), (1.35, -0.72)),
    ("SGD", "Momentum"): ("+ " + bilingual("velocity"), (-2.15, -1.9)),
    ("SGD", "AdaGrad"): ("+ " + bilingual("adaptive learning rate"), (2.55, -1.9)),
    ("Momentum", "Nesterov"): ("기울기를 앞선 점에서\n(look-ahead gradient)", (-4.05, -3.5)),
    ("AdaGrad", "RMSprop"): ("+ " + bilingual("exponential moving average"), (3.5, -3.7)),
    ("Adam", "AdamW"): ("+ " + bilingual("decoupled weight decay"), (1.75, -6.65)),
}


def plot_optimizer_tree(ax=None):
    """Draw how the book's optimizers grow out of gradient descent, with Korean and English labels.

    Each box has the optimizer's colour (:func:`lablib.plotting.optimizer_color`);
    each arrow says what the newer method adds. Adam combines Momentum's
    first moment with RMSprop's second moment and adds bias correction:

    .. math::

       m \\leftarrow \\beta_1 m + (1-\\beta_1) g, \\qquad v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw; a new 7.5 × 7.4 in figure if omitted.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_optimizer_tree()
    >>> any(t.get_text() == "AdamW" for t in ax.texts)
    True
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    from matplotlib.colors import to_rgba

    family = korean_font_families()
    ax = get_ax(ax, figsize=(7.5, 7.4))
    boxes = {}
    for name, (x, y, label, parents) in _TREE.items():
        color = optimizer_color(name)
        boxes[name] = _box(ax, (x, y), label, to_rgba(color, 0.18), color, family, fontsize=11, weight="bold")
        for parent in parents:
            _connect(ax, boxes[parent], boxes[name], color=color)
            if (parent, name) in _GAINS:
                text, xy = _GAINS[(parent, name)]
                _note(ax, xy, text, family, fontsize=9.5)
    _note(ax, (-3.0, -6.5), "= " + bilingual("first moment", sep=" ") + " (Momentum)\n+ "
          + bilingual("second moment", sep=" ") + " (RMSprop)\n+ " + bilingual("bias correction", sep=" "),
          family, fontsize=9.5)
    ax.set_xlim(-5.1, 4.9)
    ax.set_ylim(-7.85, 0.5)
    ax.set_axis_off()
    return ax
