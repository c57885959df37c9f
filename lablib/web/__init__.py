"""The browser side of lablib's kernel-free pieces: JavaScript and CSS files, read as package data.

* ``explorer.js`` / ``explorer.css``: :class:`lablib.explorer.PathExplorer`. The script
  reads the slider positions, picks the stored runs (the JSON in ``script.lx-data``) and
  swaps their path data and status texts in.
* ``step_player.js`` / ``step_player.css``: :class:`lablib.graph.StepPlayer`. The script
  shows one frame at a time from the JSON in ``script.lablib-steps-data``
  (``{"frames": [data URLs], "captions": [...], "interval": milliseconds}``).

Each file is written for one element on a page, named ``__ROOT_ID__`` where it refers to
it; :func:`script` and :func:`style` put in the element's id and wrap the file in its tag.
They are files, not Python strings, so that an editor highlights them and a browser's
tools show them as they are (``tests/test_explorer.py`` checks that the package ships them).

>>> style("step_player.css", "p-1").splitlines()[1]
'#p-1{max-width:100%}'
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

__all__ = ["script", "style", "read"]

ROOT_ID = "__ROOT_ID__"


@lru_cache(maxsize=None)
def read(name: str) -> str:
    """The text of the file ``name`` in this folder (UTF-8)."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def script(name: str, root_id: str) -> str:
    """``<script>`` holding the JavaScript file ``name`` for the element with id ``root_id``."""
    return "<script>" + read(name).replace(ROOT_ID, root_id) + "</script>"


def style(name: str, root_id: str) -> str:
    """``<style>`` holding the CSS file ``name`` for the element with id ``root_id``."""
    return "<style>\n" + read(name).replace(ROOT_ID, root_id) + "</style>"
