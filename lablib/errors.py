"""The one family of errors for a run that blew up (발산): :class:`DivergenceError` and its kinds.

A run diverges when a number it needs stops being finite, or grows past a limit. Each part of lablib
reports it where it sees it, under one base class, so ``except lablib.DivergenceError`` catches all of
them and each kind keeps the built-in class that older code catches:

- :class:`lablib.optim.NonFiniteGradientError` (also a ``ValueError``): ``Optimizer.step`` was
  handed a NaN or infinite gradient, and updated nothing;
- :class:`lablib.numpy_training.NonFiniteWeightsError` (also a ``ValueError``): the weights of
  ``numpy_training.train`` stopped being finite;
- :class:`lablib.training.NonFiniteLossError` (also a ``FloatingPointError``): ``training.fit`` met
  a NaN or infinite loss, and stopped before the update.

The optimizer runs of :mod:`lablib.runs` do not raise: a path that blew up is a result to draw, so the
:class:`~lablib.runs.Trajectory` says ``diverged=True`` and why (``reason``), and
``Trajectory.raise_if_diverged()`` turns that into a :class:`DivergenceError`.

Standard library only. Introduced in chapter 5.
"""
from __future__ import annotations

__all__ = ["DivergenceError"]


class DivergenceError(Exception):
    """A run stopped being finite (or left its limits): the learning rate is usually far too large.

    Introduced in chapter 5.
    """
