"""Tooling for the book itself (checks on its pages), kept out of lablib, which students install.

Not packaged: ``pyproject.toml`` ships only ``lablib``. The tests import it from the
repository root (``tests/conftest.py`` puts the root on ``sys.path``), and ``make test``
runs its doctests.
"""
