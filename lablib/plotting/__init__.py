"""Figures for the chapters (matplotlib only).

Conventions every plot function follows:

- it takes the arrays a run returned (a path, a loss history, ...) and an
  optional ``ax``; it draws on that axis (or a new one) and returns the axis;
- it never trains, optimizes or calls ``plt.show()``, and importing it never
  changes matplotlib's global style;
- each optimizer has one colour throughout the book: :data:`OPTIMIZER_COLORS`.

The functions live in one submodule per part of the book
(``lablib.plotting.losses``, ``.gradients``, ``.classifier``,
``.landscapes``, ``.training``); this package holds what they share.
"""
from __future__ import annotations

__all__ = ["OPTIMIZER_COLORS", "optimizer_color", "optimizer_color_or", "get_ax"]

#: One colour per optimizer, everywhere in the book (colour-blind-safe Okabe–Ito palette).
OPTIMIZER_COLORS = {
    "GD": "#000000",
    "SGD": "#0072B2",
    "Momentum": "#E69F00",
    "Nesterov": "#CC79A7",
    "AdaGrad": "#009E73",
    "RMSprop": "#D55E00",
    "Adam": "#56B4E9",
    "AdamW": "#8C6D1F",
}

_ALIASES = {
    "gd": "GD", "gradient descent": "GD",
    "sgd": "SGD",
    "momentum": "Momentum", "sgd+momentum": "Momentum", "sgd with momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}


def optimizer_color(name: str) -> str:
    """The book's colour for an optimizer, by name (case-insensitive; ``"Adagrad"`` or ``"AdaGrad"``).

    Examples
    --------
    >>> optimizer_color("adam")
    '#56B4E9'
    """
    key = _ALIASES.get(str(name).strip().lower())
    if key is None:
        raise ValueError(f"no colour for optimizer {name!r}; known: {', '.join(OPTIMIZER_COLORS)}")
    return OPTIMIZER_COLORS[key]


def optimizer_color_or(name, default=None):
    """The book's colour for ``name`` if it names an optimizer, else ``default``.

    ``default=None`` lets matplotlib pick its next colour. Plot functions use
    this for run labels that may or may not be optimizer names.

    Examples
    --------
    >>> optimizer_color_or("Momentum"), optimizer_color_or("lr = 0.3", "#123456")
    ('#E69F00', '#123456')
    """
    if name:
        try:
            return optimizer_color(name)
        except ValueError:
            pass
    return default


def get_ax(ax=None, figsize=(5.0, 4.0)):
    """Return ``ax``, or a new axis on a new figure of ``figsize`` when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax
