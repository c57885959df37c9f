"""lablib: the small library behind *How Neural Networks Learn*.

Every algorithm the chapters use lives here once, so a chapter can import it,
show its real source with :func:`show_source`, and trust that the same code is
tested against PyTorch in ``tests/``.

Importing ``lablib`` is light on purpose: it imports only the standard library.
The algorithm modules (``lablib.losses``, ``lablib.optim``, ...) need only
NumPy; ``lablib.training`` needs torch, ``lablib.plotting`` matplotlib and
``lablib.widgets`` ipywidgets, and each imports them itself.
"""
from __future__ import annotations

import ast
import inspect
import os
import random
import sys
import textwrap

from lablib.errors import DivergenceError  # the base of every "this run blew up" error (standard library only)

__version__ = "0.1.0"

__all__ = ["__version__", "set_seed", "show_source", "Source", "DivergenceError"]


def set_seed(seed: int = 0):
    """Seed every random number generator a chapter uses.

    Seeds Python's :mod:`random`, NumPy's legacy global generator and, when
    PyTorch is installed, ``torch`` (CPU and, if present, CUDA).

    Parameters
    ----------
    seed : int
        A non-negative integer below 2**32.

    Returns
    -------
    numpy.random.Generator
        A fresh generator seeded with ``seed``; chapters draw from it so that
        their numbers do not depend on what ran before.

    Examples
    --------
    >>> rng = set_seed(0)
    >>> float(rng.standard_normal()) == float(set_seed(0).standard_normal())
    True
    """
    import numpy as np

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # for subprocesses a chapter starts
    torch = sys.modules.get("torch")
    if torch is None:
        try:
            import torch  # noqa: F811  (seed it when installed, as promised)
        except ImportError:
            torch = None
    if torch is not None:
        torch.manual_seed(seed)
    return np.random.default_rng(seed)


class Source:
    """The source code of a lablib object, shown as a highlighted code block.

    In Jupyter and in the built book it renders as a Python code block with a
    caption naming the file and lines (and saying when docstrings were left
    out); ``str()`` gives the plain code.
    """

    def __init__(self, code: str, filename: str, first_line: int, last_line: int | None = None,
                 docstring_omitted: bool = False):
        self.code = code
        self.filename = filename
        self.first_line = first_line
        self._last_line = last_line
        self.docstring_omitted = docstring_omitted

    @property
    def last_line(self) -> int:
        """The file's line number of the last line shown."""
        if self._last_line is not None:
            return self._last_line
        return self.first_line + self.code.count("\n")

    def caption(self) -> str:
        omitted = " (docstring omitted)" if self.docstring_omitted else ""
        return f"{self.filename}, lines {self.first_line}–{self.last_line}{omitted}"

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"# {self.caption()}\n{self.code}"

    def _repr_markdown_(self) -> str:
        return f"*{self.caption()}*\n\n```python\n{self.code}\n```\n"


def _docstring_lines(code: str) -> set[int]:
    """0-based indices of the lines of ``code`` that hold docstrings (and the blank lines after them).

    Every docstring counts: the object's own and those of the functions and classes inside it. A
    docstring is left in place when it shares a line with other code or is the only statement of
    its body (removing it would leave no valid Python).
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:             # e.g. a lambda's line: show it as it is
        return set()
    lines = code.splitlines()
    drop = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = node.body
        if len(body) < 2 or ast.get_docstring(node, clean=False) is None:
            continue
        doc = body[0]
        start, end = doc.lineno - 1, doc.end_lineno - 1
        if lines[start][:doc.col_offset].strip() or lines[end][doc.end_col_offset:].strip():
            continue                # `def f(): """doc"""; ...` and the like
        drop.update(range(start, end + 1))
        while end + 1 < len(lines) and not lines[end + 1].strip():
            end += 1
            drop.add(end)
    return drop


def show_source(obj, docstring: bool = False) -> Source:
    """Return the source of a lablib function, class or method for display.

    Chapters call this instead of copying an algorithm, so the book always
    shows the code that actually runs (and is tested). A listing is the
    algorithm: by default the docstrings are left out (the API appendix shows
    them) and the caption says so.

    Parameters
    ----------
    obj : function, class, method or module
        Something defined in a Python file.
    docstring : bool, default False
        Show the docstrings too (those inside a class or module as well).

    Returns
    -------
    Source
        Displays as a highlighted code block captioned with its file and lines.

    Examples
    --------
    >>> src = show_source(set_seed)
    >>> str(src).splitlines()[:2]
    ['def set_seed(seed: int = 0):', '    import numpy as np']
    >>> src.caption().endswith("(docstring omitted)"), "Seed every" in str(src)
    (True, False)
    >>> "Seed every" in str(show_source(set_seed, docstring=True))
    True
    """
    if not isinstance(docstring, bool):
        raise ValueError(f"show_source(): docstring must be True or False, got {docstring!r}")
    target = inspect.unwrap(obj)
    if isinstance(target, property):
        target = target.fget
    try:
        lines, first = inspect.getsourcelines(target)
        path = inspect.getsourcefile(target) or "<unknown>"
    except (TypeError, OSError) as err:
        raise ValueError(
            f"show_source() needs a function, class, method or module defined in a "
            f"Python file; got {obj!r} ({err})"
        ) from None
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shown = os.path.relpath(path, package_root) if path.startswith(package_root) else os.path.basename(path)
    first = max(first, 1)
    code = textwrap.dedent("".join(lines)).rstrip("\n")
    last = first + code.count("\n")
    drop = set() if docstring else _docstring_lines(code)
    if drop:
        code = "\n".join(line for i, line in enumerate(code.splitlines()) if i not in drop)
    return Source(code, shown.replace(os.sep, "/"), first, last, docstring_omitted=bool(drop))


# The book's Korean build (make book) names the Korean figure catalog here: figures and the
# explorers' labels are then drawn in Korean (lablib.figure_language). Unset everywhere else.
if os.environ.get("LABLIB_FIGURE_CATALOG"):
    from lablib.figure_language import activate_from_environment as _activate_figure_language

    _activate_figure_language()
