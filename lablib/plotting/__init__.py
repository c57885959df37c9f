"""Figures for the chapters (matplotlib only).

Conventions every plot function follows:

- it takes the arrays a run returned (a path, a loss history, ...) and an
  optional ``ax``; it draws on that axis (or a new one) and returns the axis;
- it never trains, optimizes or calls ``plt.show()``, and importing it never
  changes matplotlib's global style;
- each optimizer has one colour throughout the book, from the book's one
  table of optimizers (:data:`lablib.optimizers.OPTIMIZERS`):
  :func:`optimizer_color`.

The functions live in one submodule per part of the book or kind of figure
(``lablib.plotting.losses``, ``.gradients``, ``.classifier``,
``.landscapes``, ``.adaptive``, ``.training``, ``.explorer`` for the
kernel-free explorer's picture, ``.glossary`` for the glossary's diagrams and
``.korean`` for the Korean font); this package holds what they share.
"""
from __future__ import annotations

from lablib.optimizers import OPTIMIZERS as _OPTIMIZERS
from lablib.optimizers import find as _find

__all__ = ["OPTIMIZER_COLORS", "optimizer_color", "optimizer_color_or", "get_ax"]

#: Each optimizer's colour by name (read from :data:`lablib.optimizers.OPTIMIZERS`).
OPTIMIZER_COLORS = {name: entry.color for name, entry in _OPTIMIZERS.items()}


def optimizer_color(name: str) -> str:
    """The book's colour for an optimizer, by name (case-insensitive; ``"Adagrad"`` or ``"AdaGrad"``).

    Examples
    --------
    >>> optimizer_color("adam")
    '#000000'
    """
    entry = _find(name)
    if entry is None:
        raise ValueError(f"no colour for optimizer {name!r}; known: {', '.join(_OPTIMIZERS)}")
    return entry.color


def optimizer_color_or(name, default=None):
    """The book's colour for ``name`` if it names an optimizer, else ``default``.

    ``default=None`` lets matplotlib pick its next colour. Plot functions use
    this for run labels that may or may not be optimizer names.

    Examples
    --------
    >>> optimizer_color_or("Momentum"), optimizer_color_or("lr = 0.3", "#123456")
    ('#E69F00', '#123456')
    """
    entry = _find(name) if name else None
    return default if entry is None else entry.color


def get_ax(ax=None, figsize=(5.0, 4.0)):
    """Return ``ax``, or a new axis on a new figure of ``figsize`` when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax
