"""The book's glossary linter: does a text use the glossary's Korean choices?

Book tooling, not part of lablib (students install lablib; this package is not in
its wheel). ``tests/test_glossary.py`` runs :func:`check_text` over every page,
notebook and lablib module, and uses :func:`link_first_glosses` to check that each
term is linked to its glossary entry where the book first glosses it.

:func:`check_text` finds, in any text,

- a rejected rendering (``그래디언트``, ``학습 속도``) that is not part of a
  chosen term (``경사`` is rejected for the gradient, yet fine inside
  ``경사 하강법``), matched only at the start of a word (``우도`` is rejected,
  ``경우도`` is not), with any spacing (``학습속도`` too);
- an English term glossed in parentheses with Korean that lacks the choice,
  e.g. ``learning rate (학습 비율)``.

The terms come from :func:`lablib.glossary.load_glossary`, which reads the
glossary page. Standard library and lablib.glossary only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lablib.glossary import HANGUL, Term

__all__ = ["Finding", "check_text", "link_first_glosses"]

_HANGUL_RE = re.compile(f"[{HANGUL}]")
_WORD_CHAR = f"[{HANGUL}A-Za-z0-9]"


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
        From :func:`lablib.glossary.load_glossary`.

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
        From :func:`lablib.glossary.load_glossary`.

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
