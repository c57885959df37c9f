"""The English–Korean glossary as data, and the check that the book uses its choices.

The glossary page ``chapters/glossary.ipynb`` is the only place the term choices are
written down. One of its Markdown cells is a Sphinx ``glossary`` whose entries all
have the same shape::

    gradient
    기울기
      The vector of all partial derivatives ... *Also seen:* 그래디언트, 경사, 경사도.

first line the English term, second line the Korean term the book uses, then
one indented line: a one-sentence definition and, optionally, the renderings
found elsewhere that the book does **not** use. :func:`load_glossary` reads it,
and :func:`check_text` finds, in any text,

- a rejected rendering (``그래디언트``, ``학습 속도``) that is not part of a
  chosen term (``경사`` is rejected for the gradient, yet fine inside
  ``경사 하강법``), matched only at the start of a word (``우도`` is rejected,
  ``경우도`` is not), with any spacing (``학습속도`` too);
- an English term glossed in parentheses with Korean that lacks the choice,
  e.g. ``learning rate (학습 비율)``.

Standard library only. Introduced in the glossary appendix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Term", "Finding", "parse_glossary", "load_glossary", "default_glossary_path",
           "check_text", "korean_index", "link_first_glosses", "HANGUL"]

#: A Hangul syllable or jamo.
HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
_HANGUL_RE = re.compile(f"[{HANGUL}]")
_WORD_CHAR = f"[{HANGUL}A-Za-z0-9]"
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


@dataclass(frozen=True)
class Finding:
    """A place where a text contradicts the glossary.

    ``kind`` is ``"rejected"`` (a rendering the glossary lists under *Also seen*)
    or ``"gloss"`` (an English term glossed with Korean that lacks the choice).
    """

    term: Term
    kind: str
    found: str
    line: int
    context: str

    def __str__(self) -> str:
        if self.kind == "rejected":
            what = f"uses {self.found!r}, which the glossary rejects"
        else:
            what = f"glosses it as {self.found!r}"
        return (f"line {self.line}: {what}; for {self.term.english!r} the book uses "
                f"{self.term.korean!r}  [...{self.context}...]")


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


def _korean_regex(korean: str) -> str:
    """A Korean term as a regex in which every space may be absent or repeated."""
    return r"\s*".join(re.escape(part) for part in korean.split())


def _english_regex(english: str) -> str:
    """An English term as a regex: hyphen, space or nothing between words; regular plurals."""
    words = re.split(r"[\s\-]+", english)
    last = words[-1]
    if last.endswith("um"):
        last_re = re.escape(last[:-2]) + "(?:um|a)"
    elif last.endswith("x"):
        last_re = re.escape(last[:-1]) + "(?:x|ces)"
    elif last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        last_re = re.escape(last[:-1]) + "(?:y|ies)"
    else:
        last_re = re.escape(last) + "(?:s|es)?"
    return r"[\s\-]*".join([re.escape(w) for w in words[:-1]] + [last_re])


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _context(text: str, start: int, end: int, width: int = 20) -> str:
    return text[max(0, start - width):end + width].replace("\n", " ")


def check_text(text: str, terms) -> list[Finding]:
    """Find where ``text`` contradicts the glossary ``terms``.

    Parameters
    ----------
    text : str
        Markdown, or any text.
    terms : list of Term
        From :func:`load_glossary`.

    Returns
    -------
    list of Finding
        Sorted by position; empty when the text is consistent.

    Examples
    --------
    >>> terms = [Term("gradient", "기울기", ("그래디언트", "경사"), "..."),
    ...          Term("gradient descent", "경사 하강법", ("기울기 하강법",), "..."),
    ...          Term("learning rate", "학습률", ("학습 속도",), "...")]
    >>> check_text("The gradient (기울기) drives 경사 하강법; 경사하강법 too.", terms)
    []
    >>> [f.found for f in check_text("그래디언트를 구하고 학습속도를 정한다.", terms)]
    ['그래디언트', '학습속도']
    >>> [f.kind for f in check_text("the learning rate (학습 단계)", terms)]
    ['gloss']
    """
    terms = list(terms)
    chosen_spans = [m.span() for t in terms for m in re.finditer(_korean_regex(t.korean), text)]
    rejected = []
    if _HANGUL_RE.search(text):
        for term in terms:
            for alt in term.also_seen:
                pattern = f"(?<!{_WORD_CHAR}){_korean_regex(alt)}"
                for m in re.finditer(pattern, text):
                    start, end = m.span()
                    if any(cs <= start and end <= ce and (ce - cs) > (end - start)
                           for cs, ce in chosen_spans):
                        continue          # part of a chosen term, e.g. 경사 in 경사 하강법
                    rejected.append((start, end, term, m.group()))
    findings = [(start, Finding(term, "rejected", found, _line_of(text, start), _context(text, start, end)))
                for start, end, term, found in rejected
                # report 경사도 once, not also the 경사 inside it
                if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _, _ in rejected)]
    # English term followed by a parenthesis whose first part is Korean, as in "learning rate
    # (학습률)" or "loss function (손실 함수, also ...)": that part must contain the choice.
    # "weights (the gradient, 기울기, ...)" starts in English: an aside, not a gloss.
    claimed = set()
    for term in sorted(terms, key=lambda t: -len(t.english)):
        pattern = (rf"(?<![A-Za-z]){_english_regex(term.english)}"
                   rf"\s*\((?P<gloss>[^()]*[{HANGUL}][^()]*)\)")
        for m in re.finditer(pattern, text, flags=re.IGNORECASE):
            paren = m.start("gloss")
            if paren in claimed:
                continue              # a longer term ending here owns this gloss
            claimed.add(paren)
            gloss = re.split(r"[,;:]| [—–-] ", m["gloss"])[0].strip()
            if _HANGUL_RE.search(gloss) and not re.search(_korean_regex(term.korean), gloss):
                findings.append((m.start(), Finding(term, "gloss", gloss, _line_of(text, m.start()),
                                                    _context(text, m.start(), m.end()))))
    return [f for _, f in sorted(findings, key=lambda pair: pair[0])]


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


_MASKS = (
    r"`[^`\n]*`",                      # code spans and roles, {term}`...` included (so linking is idempotent)
    r"\$\$.*?\$\$",                     # display math
    r"(?<!\\)\$[^$\n]+\$",               # inline math
    r"^\s{0,3}#.*$",                   # headings
    r"^\(.*\)=\s*$",                   # labels
    r"\[[^\]\n]*\]\([^)\n]*\)",           # links
)


def _blank(match) -> str:
    return re.sub(r"[^\n]", " ", match.group())


def _masked(text: str) -> str:
    """``text`` with code, math, headings, labels, links and directive titles blanked out (same length).

    A fenced code block is blanked whole; of a directive (```` ```{exercise} ````, ``:::{note}``)
    only the opening line and its ``:option:`` lines, since its body is prose.
    """
    out = re.sub(r"^(`{3,}|~{3,})(?!\{)[^\n]*\n.*?^\1[ \t]*$", _blank, text, flags=re.M | re.S)
    out = re.sub(r"^(`{3,}|:{3,})\{.*$(\n:[^\n]*)*", _blank, out, flags=re.M)
    for pattern in _MASKS:
        out = re.sub(pattern, _blank, out, flags=re.M | (re.S if pattern.startswith(r"\$\$") else 0))
    return out


def link_first_glosses(cells, terms):
    """Turn the first ``English (한국어)`` gloss of each term into a ``{term}`` link to the glossary.

    The book gives a term's Korean in parentheses where the concept first appears,
    e.g. ``learning rate (학습률)``; that is the place to link. For each term,
    the first such gloss across ``cells`` (in order) whose first part contains the
    chosen Korean term becomes ``{term}`learning rate` (학습률)``, or
    ``{term}`weights <weight>` (가중치)`` when the text differs from the entry.
    A longer term owns its gloss (``gradient descent (경사 하강법)`` links gradient
    descent, not gradient). Code, math, headings, labels, links, directive title lines
    and existing roles are left alone, so running it twice changes nothing.

    Parameters
    ----------
    cells : list of str
        A chapter's Markdown, one string per notebook cell (or one string for a page).
    terms : list of Term
        From :func:`load_glossary`.

    Returns
    -------
    (list of str, list of str)
        The cells with links added, and the English terms linked, in order of appearance.

    Examples
    --------
    >>> terms = [Term("gradient", "기울기", (), "..."), Term("gradient descent", "경사 하강법", (), "..."),
    ...          Term("weight", "가중치", (), "...")]
    >>> cells = ["# Gradient (기울기)", "Each **weights (가중치)** moves by gradient descent (경사 하강법).",
    ...          "The gradient (기울기) is $g$; again, the gradient (기울기)."]
    >>> new, linked = link_first_glosses(cells, terms)
    >>> print("\\n".join(new))
    # Gradient (기울기)
    Each **{term}`weights <weight>` (가중치)** moves by {term}`gradient descent` (경사 하강법).
    The {term}`gradient` (기울기) is $g$; again, the gradient (기울기).
    >>> linked
    ['weight', 'gradient descent', 'gradient']
    >>> link_first_glosses(new, terms)[1]
    []
    """
    cells = list(cells)
    if not all(isinstance(c, str) for c in cells):
        raise ValueError("cells must be a list of strings (the Markdown of each cell)")
    terms = sorted(terms, key=lambda t: -len(t.english))
    already = {m[1].split("<")[-1].rstrip(">").strip().lower()
               for c in cells for m in re.finditer(r"\{term\}`([^`]+)`", c)}
    masked = [_masked(c) for c in cells]
    chosen = {}                        # cell index -> list of (start, end, term)
    linked = []
    for term in terms:
        if term.english.lower() in already:
            continue
        pattern = (rf"(?<![A-Za-z\-]){_english_regex(term.english)}(?![A-Za-z])"
                   rf"(?=\s*\((?P<gloss>[^()]*)\))")
        for i, text in enumerate(masked):
            hit = None
            for m in re.finditer(pattern, text, flags=re.IGNORECASE):
                gloss = re.split(r"[,;:]| [—–-] ", m["gloss"])[0]
                if not re.search(_korean_regex(term.korean), gloss):
                    continue
                if any(s < m.end() and m.start() < e for s, e, _ in chosen.get(i, [])):
                    continue           # inside a longer term's gloss
                hit = (m.start(), m.end(), term)
                break
            if hit:
                chosen.setdefault(i, []).append(hit)
                break
    for i, spans in chosen.items():
        text = cells[i]
        for start, end, term in sorted(spans, key=lambda sp: -sp[0]):
            shown = text[start:end]
            role = f"{{term}}`{shown}`" if shown == term.english else f"{{term}}`{shown} <{term.english}>`"
            text = text[:start] + role + text[end:]
        cells[i] = text
    order = sorted((i, start, term.english) for i, spans in chosen.items() for start, _, term in spans)
    linked = [english for _, _, english in order]
    return cells, linked
