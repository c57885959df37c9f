"""Checks of the Korean catalogs (locales/ko/LC_MESSAGES/**.po) against their English msgids.

A translation must keep what the reader of either edition relies on being the same:
every math span, every role's target (``{term}`경사 하강법 <gradient descent>``` may change the
text but not the target), every inline-code span and every number of its msgid. It must also be
Korean as the book writes it: no space between a word and its particle (``PyTorch의``, ``$v$는``),
one register (평서체, "-다", not 합니다체), and the glossary's terms.

Run on one catalog from the book's folder (no argument: every catalog)::

    .venv/bin/python tests/i18n_checks.py locales/ko/LC_MESSAGES/chapters/01_loss_functions.po

The Korean build runs :func:`syntax_problems` and :func:`catalog_problems` on every catalog
(``_ext/book_i18n.py``), so a broken catalog or a msgstr whose MyST lost its markup fails the
build with the catalog's file and line; ``tests/test_translations.py`` runs them too.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE_DIR = ROOT / "locales" / "ko" / "LC_MESSAGES"

# --- what a msgstr must keep ------------------------------------------------------------------
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<![\\$])\$")
_ROLE = re.compile(r"\{([a-z:]+)\}`([^`]*)`")
_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
# a number: not part of a Latin word or identifier (x2, float64), but "3개" and "0.25만큼" count
_NUMBER = re.compile(r"(?<![0-9A-Za-z_.])[-−]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?%?(?![0-9A-Za-z_])")
_URL = re.compile(r"https?://\S+")


def _role_target(role: str, content: str) -> str:
    """The target of a role: what is inside ``<...>``, or the whole content."""
    m = re.search(r"<([^<>]+)>\s*$", content)
    return f"{role}:{(m.group(1) if m else content).strip()}"


def protected_spans(text: str) -> dict[str, Counter]:
    """Math spans, role targets, inline code and numbers of ``text`` (each a multiset)."""
    found = {"math": Counter(), "role": Counter(), "code": Counter(), "number": Counter()}
    rest = text
    for m in _DISPLAY_MATH.finditer(rest):
        found["math"][m.group(0)] += 1
    rest = _DISPLAY_MATH.sub(" ", rest)
    for m in _ROLE.finditer(rest):
        found["role"][_role_target(m.group(1), m.group(2))] += 1
    rest = _ROLE.sub(" ", rest)
    for m in _CODE.finditer(rest):
        found["code"][m.group(2)] += 1
    rest = _CODE.sub(" ", rest)
    for m in _INLINE_MATH.finditer(rest):
        found["math"][m.group(0)] += 1
    rest = _INLINE_MATH.sub(" ", rest)
    rest = _URL.sub(" ", rest)
    for m in _NUMBER.finditer(rest):
        found["number"][m.group(0).replace("−", "-")] += 1
    return found


# --- Korean as the book writes it -------------------------------------------------------------
_PARTICLES = ("은", "는", "이", "가", "을", "를", "의", "에", "에서", "에게", "로", "으로", "와", "과",
              "도", "만", "까지", "부터", "보다", "처럼", "이다", "이며", "이고", "으로는", "에는", "로는")
# a particle after Latin text, a digit, code, math or a closing bracket, then a space: "PyTorch 의"
# (bold or italic may close between them: "(gradient)** 를"; but not after punctuation: "**목표.** 이 실습")
_DETACHED_PARTICLE = re.compile(
    r"([A-Za-z0-9`$)\]]\**)\s+(" + "|".join(sorted(_PARTICLES, key=len, reverse=True)) + r")(?=[\s.,;:!?)]|$)")
# 합쇼체/해요체 endings: -습니다, a syllable with final ㅂ before 니다 (합니다, 입니다, 됩니다), -세요,
# -습니까; "아니다" is 평서체 and passes
_POLITE_ENDING = re.compile(r"(습니다|습니까|[\uac00-\ud7a3]니다|세요)(?=[.!?\s)]|$)")


def _final_is_bieup(syllable: str) -> bool:
    return (ord(syllable) - 0xAC00) % 28 == 17
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def korean_style_problems(msgstr: str) -> list[str]:
    """Particle spacing and register (평서체) of a Korean msgstr."""
    text = _CODE.sub(lambda m: "`code`", _DISPLAY_MATH.sub("$m$", msgstr))
    problems = [f"space before the particle {m.group(2)!r} in {m.group(0)!r}: write it attached"
                for m in _DETACHED_PARTICLE.finditer(text)]
    problems += [f"polite ending {m.group(0).strip()!r}: the book writes 평서체 (-다)"
                 for m in _POLITE_ENDING.finditer(text)
                 if m.group(1) in ("습니다", "습니까", "세요") or _final_is_bieup(m.group(1)[0])]
    return problems


def _emphasis(text: str) -> Counter:
    """How many bold and italic spans CommonMark (as MyST reads it) makes of ``text``."""
    from markdown_it import MarkdownIt

    found = Counter()
    for block in MarkdownIt("commonmark").parseInline(text):
        for token in block.children or []:
            if token.type in ("strong_open", "em_open"):
                found[token.type] += 1
    return found


def _glossary_terms_with_digits() -> tuple[str, ...]:
    """Korean glossary terms that contain a digit (1차 모멘트): their digits are no added number."""
    try:
        from lablib.glossary import load_glossary
    except ImportError:                                     # pragma: no cover
        return ()
    return tuple(sorted({t.korean for t in load_glossary() if re.search(r"\d", t.korean)}, key=len,
                        reverse=True))


_DIGIT_TERMS: tuple[str, ...] | None = None


def message_problems(msgid: str, msgstr: str) -> list[str]:
    """Everything wrong with one translation (empty when it is fine)."""
    global _DIGIT_TERMS
    if not msgstr.strip():
        return ["untranslated"]
    if _DIGIT_TERMS is None:
        _DIGIT_TERMS = _glossary_terms_with_digits()
    problems = []
    counted_id, counted_str = msgid, msgstr
    for term in _DIGIT_TERMS:
        counted_id, counted_str = counted_id.replace(term, "용어"), counted_str.replace(term, "용어")
    want, got = protected_spans(counted_id), protected_spans(counted_str)
    for kind in want:
        missing = want[kind] - got[kind]
        extra = got[kind] - want[kind]
        if missing:
            problems.append(f"{kind} missing or changed: {sorted(missing)}")
        if extra:
            problems.append(f"{kind} not in the English: {sorted(extra)}")
    if _emphasis(msgid) - _emphasis(msgstr):           # fewer bold/italic spans than the English
        problems.append("bold/italic markup lost (a closing ** or * right after "
                        "')' or '`' and before a particle does not close: end the span before the "
                        "parenthesis, e.g. **{term}`기울기 <gradient>`**(gradient)를)")
    if _HANGUL.search(msgstr):
        problems += korean_style_problems(msgstr)
    return problems


def _locations_by_line(path: Path) -> dict[int, list[str]]:
    """{line of a msgid: its '#:' locations}, read from the file itself (babel splits a location
    such as 'lablib/optim.py:docstring of lablib.optim.SGD:1' at its spaces)."""
    found, pending = {}, []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#: "):
            pending.append(line[3:].strip())
        elif line.startswith("msgid "):
            found[number], pending = pending, []
    return found


def _is_docstring(locations: list[str]) -> bool:
    """A message from lablib's docstrings (on the API page), which stay English: none of its
    locations is a page of the book. (Sphinx writes 'lablib/optim.py:docstring of name:line', which
    sphinx-intl's babel rewrites in several ways, so the page locations are what is reliable.)"""
    return bool(locations) and not re.search(r"\.(md|ipynb)\b", " ".join(locations))


def catalog_problems(path: Path) -> list[str]:
    """Problems of every message of one catalog, each as 'file:line: msgid...: problem'."""
    with open(path, "rb") as f:
        catalog = read_po(f)
    locations = _locations_by_line(path)
    out = []
    for message in catalog:
        if not message.id or _is_docstring(locations.get(message.lineno, [])):
            continue
        where = f"{Path(path).name}:{message.lineno}"
        head = message.id[:60].replace("\n", " ")
        if message.fuzzy:
            out.append(f"{where}: {head!r}: fuzzy (the English changed; update the Korean)")
        for problem in message_problems(message.id, message.string):
            out.append(f"{where}: {head!r}: {problem}")
    return out


def syntax_problems(path: Path) -> list[str]:
    """What GNU ``msgfmt`` finds wrong in a catalog, each as 'file:line: problem'.

    Babel, which Sphinx reads catalogs with, accepts some broken files without a word (an
    unterminated string becomes an empty translation, so the page would silently stay English);
    ``msgfmt`` is the reference parser of the format.

    Raises
    ------
    FileNotFoundError
        If ``msgfmt`` is not installed (Debian: ``apt-get install gettext``; ``make setup`` does it).
    """
    import shutil
    import subprocess

    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise FileNotFoundError("checking the translation catalogs needs GNU msgfmt: "
                                "apt-get install gettext (make setup installs it)")
    done = subprocess.run([msgfmt, "-o", "/dev/null", str(path)],
                          capture_output=True, text=True, env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    if done.returncode == 0:
        return []
    found = [line for line in done.stderr.splitlines()
             if line.startswith(str(path)) and ": warning: " not in line]
    return found or [f"{path}: {done.stderr.strip()}"]


def main(args: list[str]) -> int:
    paths = [Path(p) for p in args] or sorted(LOCALE_DIR.rglob("*.po"))
    problems = [p for path in paths for p in syntax_problems(path) or catalog_problems(path)]
    print("\n".join(problems) if problems else "no problems")
    untranslated = sum("untranslated" in p for p in problems)
    print(f"{len(problems)} problems ({untranslated} untranslated) in {len(paths)} catalogs")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
