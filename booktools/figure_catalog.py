"""Bring the figure catalog (``locales/<lang>/figures.po``) in step with what the chapters draw.

The figures' text is not in the pages, so Sphinx's gettext builder cannot extract it: it is
made by running the chapters. ``make figures-po`` executes every chapter with the catalog
active (:mod:`lablib.figure_language`), so each figure text the catalog lacks is reported on
the cell's standard error; this module reads those reports out of the executed notebooks and
adds each as an empty message, with the chapter as its location, for a translator to fill::

    python -m booktools.figure_catalog locales/ko/figures.po _build/figures/*.ipynb
"""
from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

from lablib.figure_language import UNTRANSLATED_MARKER

_REPORT = re.compile(re.escape(UNTRANSLATED_MARKER) + r" (?P<key>'.*'|\".*\") \(add it to ")


def reported_keys(notebook: Path) -> list[str]:
    """The figure texts an executed notebook reported as untranslated, in order, each once.

    Examples
    --------
    >>> import json, tempfile
    >>> out = {"output_type": "stream", "name": "stderr",
    ...        "text": [UNTRANSLATED_MARKER + " 'loss after {0} steps' (add it to f.po)\\n"]}
    >>> nb = {"cells": [{"cell_type": "code", "outputs": [out]}]}
    >>> path = Path(tempfile.mkdtemp()) / "ch.ipynb"; _ = path.write_text(json.dumps(nb))
    >>> reported_keys(path)
    ['loss after {0} steps']
    """
    keys = []
    for cell in json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", []):
        for output in cell.get("outputs", []):
            if output.get("output_type") != "stream" or output.get("name") != "stderr":
                continue
            text = output["text"] if isinstance(output["text"], str) else "".join(output["text"])
            for match in _REPORT.finditer(text):
                key = ast.literal_eval(match.group("key"))
                if key not in keys:
                    keys.append(key)
    return keys


def add_messages(catalog_path: Path, found: dict[str, list[str]]) -> int:
    """Add each key of ``found`` (key -> locations) the catalog lacks as an empty message.

    Returns how many were added. Existing messages, their translations and order are kept.
    """
    from babel.messages.pofile import read_po, write_po

    with open(catalog_path, "rb") as f:
        catalog = read_po(f, abort_invalid=True)
    added = 0
    for key, where in found.items():
        if key not in catalog:
            catalog.add(key, "", locations=[(w, None) for w in where])
            added += 1
    with open(catalog_path, "wb") as f:
        write_po(f, catalog, width=100, omit_header=False, sort_output=False)
    return added


def main(args: list[str]) -> int:
    if len(args) < 2:
        print(__doc__)
        return 2
    catalog_path, notebooks = Path(args[0]), [Path(a) for a in args[1:]]
    found: dict[str, list[str]] = {}
    for notebook in notebooks:
        for key in reported_keys(notebook):
            found.setdefault(key, []).append(f"chapters/{notebook.name}")
    added = add_messages(catalog_path, found)
    print(f"{catalog_path}: {added} new messages to translate ({len(found)} reported in "
          f"{len(notebooks)} notebooks)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
