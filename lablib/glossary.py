"""The English–Korean glossary as data: the page's entries parsed, and a Korean index of them.

The glossary page ``chapters/glossary.ipynb`` is the only place the term choices are
written down. One of its Markdown cells is a Sphinx ``glossary`` whose entries all
have the same shape::

    gradient
    기울기
      The vector of all partial derivatives ... *Also seen:* 그래디언트, 경사, 경사도.

first line the English term, second line the Korean term the book uses, then
one indented line: a one-sentence definition and, optionally, the renderings
found elsewhere that the book does **not** use. :func:`load_glossary` reads it and
:func:`korean_index` lists the terms in 가나다 order. The check that the book's pages
use these choices is book tooling, not part of lablib: ``booktools/glossary_lint.py``
in the book's repository, run by its tests.

Standard library only. Introduced in the glossary appendix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Term", "parse_glossary", "load_glossary", "default_glossary_path", "korean_index", "HANGUL"]

#: A Hangul syllable or jamo.
HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
_HANGUL_RE = re.compile(f"[{HANGUL}]")
_ALSO_SEEN = re.compile(r"^(?P<definition>.+?)\s+\*Also seen:\*\s+(?P<alts>[^.]+)\.$")
_FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{glossary\}\s*$")


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes
    ----------
    english : str
        The English term, as the chapters write it (singular).
    korean : str
        The one Korean rendering the book uses.
    also_seen : tuple of str
        Renderings found elsewhere that the book does not use.
    definition : str
        One sentence.
    line : int
        Line of the English term in the glossary file (1-based).
    """

    english: str
    korean: str
    also_seen: tuple
    definition: str
    line: int = 0


def default_glossary_path() -> Path:
    """``chapters/glossary.ipynb`` of the repository lablib is installed from (editable install)."""
    return Path(__file__).resolve().parents[1] / "chapters" / "glossary.ipynb"


def parse_glossary(text: str) -> list[Term]:
    """Read the entries of the ``{glossary}`` directive in a MyST page.

    Parameters
    ----------
    text : str
        The page's source.

    Returns
    -------
    list of Term
        In the order written.

    Raises
    ------
    ValueError
        If there is not exactly one ``{glossary}`` block, or an entry does not have
        the shape English line, Korean line, one indented definition line, or a
        Korean term has no Hangul, or a term appears twice.

    Examples
    --------
    >>> page = '''
    ... ```{glossary}
    ... learning rate
    ... 학습률
    ...   The step size η that scales the gradient. *Also seen:* 학습 속도, 학습 비율.
    ... ```
    ... '''
    >>> [term] = parse_glossary(page)
    >>> term.english, term.korean, term.also_seen
    ('learning rate', '학습률', ('학습 속도', '학습 비율'))
    """
    lines = text.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if match:
            fence, start = match["fence"], i + 1
            i += 1
            while i < len(lines) and lines[i].rstrip() != fence:
                i += 1
            if i == len(lines):
                raise ValueError(f"the {{glossary}} block opened on line {start} is never closed")
            blocks.append((start, lines[start:i]))
        i += 1
    if len(blocks) != 1:
        raise ValueError(f"expected exactly one {{glossary}} block, found {len(blocks)}")
    first_line, body = blocks[0]

    entries, current = [], None
    for offset, raw in enumerate(body):
        lineno = first_line + offset + 1
        if not raw.strip():
            current = None
            continue
        if raw.startswith(":") and current is None and not entries:   # directive options
            continue
        if raw[0].isspace():
            if current is None or not current["terms"]:
                raise ValueError(f"line {lineno}: a definition line with no term above it")
            current["definition"].append(raw.strip())
            continue
        if current is None or current["definition"]:
            current = {"line": lineno, "terms": [], "definition": []}
            entries.append(current)
        current["terms"].append(raw.strip())

    terms, seen = [], {}
    for entry in entries:
        where = f"glossary entry on line {entry['line']}"
        if len(entry["terms"]) != 2:
            raise ValueError(f"{where}: expected two term lines (English, then Korean), "
                             f"got {entry['terms']}")
        english, korean = entry["terms"]
        if _HANGUL_RE.search(english) or not _HANGUL_RE.search(korean):
            raise ValueError(f"{where}: the first term line must be English and the second Korean, "
                             f"got {english!r} / {korean!r}")
        if len(entry["definition"]) != 1:
            raise ValueError(f"{where} ({english}): the definition must be exactly one indented line")
        definition = entry["definition"][0]
        also_seen = ()
        match = _ALSO_SEEN.match(definition)
        if match:
            also_seen = tuple(alt.strip() for alt in match["alts"].split(","))
            definition = match["definition"].strip()
            if not all(also_seen):
                raise ValueError(f"{where} ({english}): an empty name in 'Also seen'")
        elif "*also seen" in definition.lower():
            raise ValueError(f"{where} ({english}): write 'Definition. *Also seen:* A, B.'")
        for name in (english.lower(), korean):
            if name in seen:
                raise ValueError(f"{where}: {name!r} is already defined on line {seen[name]}")
            seen[name] = entry["line"]
        terms.append(Term(english, korean, also_seen, definition, entry["line"]))
    return terms


def load_glossary(path=None) -> list[Term]:
    """Parse the glossary page; default :func:`default_glossary_path`.

    A notebook (``.ipynb``) is read as its Markdown cells joined by blank lines, so
    line numbers in error messages count in that joined text; any other file as
    MyST Markdown.

    Examples
    --------
    >>> terms = load_glossary()
    >>> {t.english: t.korean for t in terms}["gradient"]
    '기울기'
    """
    path = Path(path) if path is not None else default_glossary_path()
    if not path.is_file():
        raise ValueError(f"no glossary page at {path}")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        import json

        cells = json.loads(text)["cells"]
        text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return parse_glossary(text)


_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_PLAIN = {"ㄲ": "ㄱ", "ㄸ": "ㄷ", "ㅃ": "ㅂ", "ㅆ": "ㅅ", "ㅉ": "ㅈ"}


def _initial(word: str) -> str:
    """The initial consonant heading a Korean word is filed under (ㄲ under ㄱ); '0–Z' for others."""
    code = ord(word[0]) - 0xAC00
    if 0 <= code < 11172:
        letter = _INITIALS[code // 588]
        return _PLAIN.get(letter, letter)
    return "0–Z"


def korean_index(terms) -> str:
    """A Korean-to-English index in MyST Markdown, in 가나다 order, linking each term.

    Returns a table with one row per initial consonant; each Korean term (bold) is
    followed by its English term as a ``{term}`` link to the glossary entry.

    Examples
    --------
    >>> print(korean_index([Term("weight", "가중치", (), "..."), Term("epoch", "에폭", (), "...")]))
    | 초성 | 한국어 → English |
    |:---:|---|
    | ㄱ | **가중치** {term}`weight` |
    | ㅇ | **에폭** {term}`epoch` |
    """
    groups: dict[str, list[str]] = {}
    for term in sorted(terms, key=lambda t: t.korean):
        groups.setdefault(_initial(term.korean), []).append(f"**{term.korean}** {{term}}`{term.english}`")
    rows = ["| 초성 | 한국어 → English |", "|:---:|---|"]
    order = ["0–Z"] + [c for c in _INITIALS if c not in _PLAIN]
    rows += [f"| {key} | {' · '.join(groups[key])} |" for key in order if key in groups]
    return "\n".join(rows)
