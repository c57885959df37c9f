"""The optimizers the book names, in one table: class, settings, colour, momentum or not.

:mod:`lablib.optim` holds the update rules, one class each with torch's names. The
chapters call optimizers by the names the course uses, and some of those are one class
with a setting: "Momentum" is ``optim.SGD`` with ``momentum=0.9``, "Nesterov" adds
``nesterov=True``, "GD" and "SGD" are ``optim.SGD`` with no momentum. :data:`OPTIMIZERS`
says this once for every name, with the colour the name has in every figure and whether
its runs take a ``momentum`` slider. Everything else reads this table: the runner
(:func:`lablib.runs.trajectory` and :func:`~lablib.runs.compare`), the
colours (:func:`lablib.plotting.optimizer_color`), the kernel-free explorer
(:class:`lablib.explorer.PathExplorer`) and the live widgets (:mod:`lablib.widgets`).
A new optimizer is one class in :mod:`lablib.optim` and one entry here.

>>> for entry in OPTIMIZERS.values():
...     print(f"{entry.name:17} optim.{entry.cls.__name__:17} {entry.color}  "
...           f"{'momentum ' if entry.takes_momentum else '         '}{entry.settings}")
GD                optim.SGD               #D55E00           {}
SGD               optim.SGD               #0072B2           {}
Momentum          optim.SGD               #E69F00  momentum {'momentum': 0.9}
Nesterov          optim.SGD               #882255  momentum {'momentum': 0.9, 'nesterov': True}
VelocityMomentum  optim.VelocityMomentum  #56B4E9  momentum {'momentum': 0.9}
AdaGrad           optim.Adagrad           #009E73           {}
RMSprop           optim.RMSprop           #332288           {}
Adam              optim.Adam              #000000           {}
AdamW             optim.AdamW             #994F00           {}

The colours are the Okabe–Ito palette's blue, orange, bluish green, vermilion and sky
blue with black, and three of Paul Tol's (indigo, wine, brown), chosen so that the five
that chapters 8 and 9 draw together (SGD, Momentum, AdaGrad, RMSprop, Adam) have five
different hues, and every two stay apart for readers with red-green colour blindness
(``tests/test_registry.py`` measures it).

NumPy only. Introduced in chapter 5.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from . import optim

__all__ = ["BookOptimizer", "OPTIMIZERS", "get", "find", "check_names", "momentum_names"]


@dataclass(frozen=True)
class BookOptimizer:
    """One optimizer as the book names it.

    Attributes
    ----------
    name : str
        The name the chapters and figures use (``"Momentum"``).
    cls : type
        The :mod:`lablib.optim` class that does the updates.
    color : str
        Its colour in every figure, as ``"#RRGGBB"``.
    settings : dict
        Settings passed to ``cls`` unless the caller gives others (``{"momentum": 0.9}``).
    fixed : dict
        Settings that the name stands for, which a caller may not change
        (``"SGD"`` is ``optim.SGD`` with ``momentum=0``).
    takes_momentum : bool
        Whether its runs take a ``momentum`` setting (and the explorers a momentum slider).
    at_zero_momentum : dict
        Settings that replace these when ``momentum`` is 0: Nesterov's look-ahead point
        is then the point itself, which is plain SGD, and ``optim.SGD`` (as torch's)
        refuses ``nesterov=True`` without a momentum. So a momentum slider may go to 0.
    aliases : tuple of str
        Other spellings :func:`find` accepts, in lower case (``"gradient descent"``).
    """

    name: str
    cls: type
    color: str
    settings: Mapping = field(default_factory=dict)
    fixed: Mapping = field(default_factory=dict)
    takes_momentum: bool = False
    at_zero_momentum: Mapping = field(default_factory=dict)
    aliases: tuple = ()

    def settings_with(self, **overrides) -> dict:
        """The settings for ``cls``: this entry's, then ``overrides``; a changed fixed setting is an error.

        Examples
        --------
        >>> OPTIMIZERS["Momentum"].settings_with(momentum=0.5)
        {'momentum': 0.5}
        >>> OPTIMIZERS["Nesterov"].settings_with(momentum=0.0)
        {'momentum': 0.0, 'nesterov': False}
        >>> OPTIMIZERS["SGD"].settings_with(momentum=0.9)
        Traceback (most recent call last):
        ...
        ValueError: SGD has no momentum of its own (it is optim.SGD with momentum=0), got momentum=0.9; \
the optimizers with momentum: Momentum, Nesterov, VelocityMomentum
        """
        for key, value in self.fixed.items():
            if key in overrides and overrides[key] != value:
                hint = f"; the optimizers with momentum: {', '.join(momentum_names())}" if key == "momentum" else ""
                raise ValueError(f"{self.name} has no {key} of its own (it is optim.{self.cls.__name__} with "
                                 f"{key}={value!r}), got {key}={overrides[key]!r}{hint}")
        settings = {**self.settings, **overrides}
        if settings.get("momentum") == 0:
            settings.update(self.at_zero_momentum)
        return settings

    def build(self, params, lr: float, **overrides):
        """An instance of ``cls`` for ``params`` with learning rate ``lr`` and :meth:`settings_with` the rest.

        Examples
        --------
        >>> opt = OPTIMIZERS["Nesterov"].build([optim.Parameter([1.0])], lr=0.1)
        >>> type(opt).__name__, opt.momentum, opt.nesterov
        ('SGD', 0.9, True)
        """
        return self.cls(params, lr=lr, **self.settings_with(**overrides))


#: The book's optimizers by name, in the order the chapters meet them.
OPTIMIZERS: dict[str, BookOptimizer] = {entry.name: entry for entry in (
    BookOptimizer("GD", optim.SGD, "#D55E00", fixed={"momentum": 0}, aliases=("gradient descent",)),
    BookOptimizer("SGD", optim.SGD, "#0072B2", fixed={"momentum": 0}),
    BookOptimizer("Momentum", optim.SGD, "#E69F00", settings={"momentum": 0.9}, takes_momentum=True,
                  aliases=("sgd+momentum", "sgd with momentum")),
    BookOptimizer("Nesterov", optim.SGD, "#882255", settings={"momentum": 0.9, "nesterov": True},
                  fixed={"nesterov": True}, takes_momentum=True, at_zero_momentum={"nesterov": False}),
    BookOptimizer("VelocityMomentum", optim.VelocityMomentum, "#56B4E9", settings={"momentum": 0.9},
                  takes_momentum=True),
    BookOptimizer("AdaGrad", optim.Adagrad, "#009E73"),
    BookOptimizer("RMSprop", optim.RMSprop, "#332288"),
    BookOptimizer("Adam", optim.Adam, "#000000"),
    BookOptimizer("AdamW", optim.AdamW, "#994F00"),
)}


def get(name: str) -> BookOptimizer:
    """The entry of the optimizer called exactly ``name``, or a ValueError listing the names.

    Examples
    --------
    >>> get("Adam").cls.__name__
    'Adam'
    >>> get("Lion")
    Traceback (most recent call last):
    ...
    ValueError: unknown optimizer 'Lion'; known: GD, SGD, Momentum, Nesterov, VelocityMomentum, AdaGrad, \
RMSprop, Adam, AdamW
    """
    entry = OPTIMIZERS.get(name) if isinstance(name, str) else None
    if entry is None:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    return entry


def find(name) -> BookOptimizer | None:
    """The entry for ``name`` in any case or by an alias (``"adagrad"``, ``"gradient descent"``); else None.

    Examples
    --------
    >>> find("sgd with momentum").name, find("lr = 0.3")
    ('Momentum', None)
    """
    key = str(name).strip().lower()
    for entry in OPTIMIZERS.values():
        if key == entry.name.lower() or key in entry.aliases:
            return entry
    return None


def check_names(names: Iterable[str], arg: str = "optimizers") -> list:
    """``names`` as a list if it is a non-empty sequence of known optimizer names without repeats.

    Examples
    --------
    >>> check_names(("SGD", "Adam"))
    ['SGD', 'Adam']
    >>> check_names(["SGD", "SGD"])
    Traceback (most recent call last):
    ...
    ValueError: optimizers must not repeat, got ['SGD', 'SGD']
    """
    out = [] if isinstance(names, (str, bytes)) or not isinstance(names, Iterable) else list(names)
    if not out:
        raise ValueError(f"{arg} must be a non-empty sequence of optimizer names, got {names!r}")
    for name in out:
        get(name)
    if len(set(out)) != len(out):
        raise ValueError(f"{arg} must not repeat, got {out}")
    return out


def momentum_names() -> tuple:
    """The names of the optimizers that take a ``momentum`` setting.

    Examples
    --------
    >>> momentum_names()
    ('Momentum', 'Nesterov', 'VelocityMomentum')
    """
    return tuple(name for name, entry in OPTIMIZERS.items() if entry.takes_momentum)
