"""Figures in the reader's language: figure text translated from a catalog as it is drawn.

The chapters are written once, in English, and a chapter cell keeps saying
``ax.set_title("loss against iteration")``. When the book is built in Korean,
``make book`` starts every kernel with ``LABLIB_FIGURE_CATALOG`` naming the
Korean catalog (``locales/ko/figures.po``); importing :mod:`lablib` then calls
:func:`activate`, and from there on every piece of text matplotlib is given
(titles, axis labels, legends, annotations, tick labels) is looked up in that
catalog, and the labels lablib writes into widgets and explorers go through
:func:`translate` too. Nothing changes when the variable is not set.

Numbers are not part of a message: the text ``"SGD, α = 0.1, 50 steps"`` is
looked up as ``"SGD, α = {0}, {1} steps"`` and the translation gets the same
numbers back, digit for digit, so a figure can never show a translated number
that the code did not compute. Text with no Latin word outside its math
(``"$w_1$"``, ``"0.5"``, ``"α = 0.1"``) is drawn as it is.

Text with no translation is drawn in English and reported on standard error
(:data:`UNTRANSLATED_MARKER`); the book's Sphinx extension turns each report
into a build error naming the page, so the Korean edition cannot silently show
English figures. The catalog is a gettext ``.po`` file read with Babel.

Used by the Korean edition of the book; no chapter calls it (chapters draw in English).
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

__all__ = ["CATALOG_ENV", "UNTRANSLATED_MARKER", "message_key", "needs_translation",
           "FigureCatalog", "load_catalog", "activate", "deactivate", "active_catalog",
           "translate", "translate_template", "activate_from_environment"]

#: The environment variable that names the catalog; set by ``make book`` for the Korean build.
CATALOG_ENV = "LABLIB_FIGURE_CATALOG"

#: The start of the line written to standard error for text the catalog lacks.
UNTRANSLATED_MARKER = "lablib.figure_language: no translation for figure text"

# a number: digits with an optional fraction and exponent, not part of a name (float64, w1, x_2)
_NUMBER = re.compile(r"(?<![A-Za-z_\d.])\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?(?![A-Za-z_\d])")
# ...nor a power or an index in math ($x^4$, $10^{-6}$, $w_{t-1}$), which belongs to the formula
_EXPONENT_BEFORE = re.compile(r"[\^_]\{?[-−]?$|[\^_]\{[^{}]*$")
_PLACEHOLDER = re.compile(r"\{(\d+)\}")
_NAMED = re.compile(r"\{([A-Za-z_]\w*)\}")
_MATH = re.compile(r"(?<!\\)\$.+?(?<!\\)\$", re.S)
_WORD = re.compile(r"[A-Za-z]{2,}")

_active: FigureCatalog | None = None
_original_set_text = None
_original_layout = None


def message_key(text: str) -> tuple[str, list[str]]:
    """The catalog key of ``text`` and the numbers taken out of it.

    Each number becomes ``{0}``, ``{1}``, ... in order; a translation puts them back with
    the same placeholders (it may reorder them).

    Examples
    --------
    >>> message_key("SGD, α = 0.1, 50 steps")
    ('SGD, α = {0}, {1} steps', ['0.1', '50'])
    >>> message_key("float64 loss after 1,000 steps")
    ('float64 loss after {0} steps', ['1,000'])
    >>> message_key("$L = x^2/20 + y^2$ from $10^{-6}$")     # powers belong to the formula
    ('$L = x^2/{0} + y^2$ from ${1}^{-6}$', ['20', '10'])
    """
    numbers = []

    def take(match):
        if _EXPONENT_BEFORE.search(text, 0, match.start()):
            return match.group(0)
        numbers.append(match.group(0))
        return "{" + str(len(numbers) - 1) + "}"

    return _NUMBER.sub(take, text), numbers


def needs_translation(text: str) -> bool:
    """Whether ``text`` has a Latin word (two letters or more) outside its ``$…$`` math.

    Examples
    --------
    >>> needs_translation("learning rate"), needs_translation("$w_1$"), needs_translation("α = 0.1")
    (True, False, False)
    """
    return bool(_WORD.search(_MATH.sub(" ", text)))


def _placeholders(text: str) -> list[str]:
    return sorted(set(m.group(0) for m in re.finditer(r"\{(\d+|[A-Za-z_]\w*)\}", _MATH.sub(" ", text)))
                  | set(m.group(0) for m in _PLACEHOLDER.finditer(text)))


def _fill(template: str, numbers: list[str], key: str) -> str:
    def put(match):
        i = int(match.group(1))
        if i >= len(numbers):
            raise ValueError(f"the translation of {key!r} uses {{{i}}}, but the text has only "
                             f"{len(numbers)} number(s)")
        return numbers[i]

    return _PLACEHOLDER.sub(put, template)


class FigureCatalog:
    """Translations of figure text, keyed by :func:`message_key`.

    Parameters
    ----------
    messages : dict of str to str
        Key (numbers as ``{0}``, ``{1}``, ...) to translation.
    language : str
        The language code, e.g. ``"ko"``.
    source : str
        Where the messages came from (for error messages).

    Raises
    ------
    ValueError
        If a translation uses a placeholder its key does not have, or drops one it has.

    Examples
    --------
    >>> catalog = FigureCatalog({"loss after {0} steps": "{0}단계 후의 손실"}, "ko")
    >>> catalog.translate("loss after 50 steps")
    '50단계 후의 손실'
    >>> catalog.translate("$w_1$")
    '$w_1$'
    """

    def __init__(self, messages: dict[str, str], language: str, source: str = "<dict>"):
        if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", language):
            raise ValueError(f"language must be a code such as 'ko', got {language!r}")
        for key, value in messages.items():
            want, got = _placeholders(key), _placeholders(value)
            if want != got:
                raise ValueError(f"{source}: the translation of {key!r} must keep the placeholders "
                                 f"{want}, it has {got}")
        self.messages = dict(messages)
        self.language = language
        self.source = source
        self.missing: list[str] = []
        self._produced: set[str] = set()       # translations given out: drawn as they are

    def lookup(self, text: str) -> str | None:
        """The translation of ``text``, or ``None`` when the catalog has none."""
        key, numbers = message_key(text)
        if key not in self.messages:
            return None
        return _fill(self.messages[key], numbers, key)

    def translate_template(self, template: str, **fields) -> str:
        """``template`` translated, then filled with ``fields`` (``str.format``).

        For sentences built from parts (chapter 4's step captions): the catalog holds
        ``"Forward {i}/{n}: the {gate} gate computes {out}"`` once, not every sentence made from it.
        """
        if not needs_translation(template):
            return template.format(**fields)
        found = self.lookup(template)
        if found is None:
            self.translate(template)                    # reports it
            found = template
        text = found.format(**fields)
        self._produced.add(text)
        return text

    def translate(self, text: str) -> str:
        """``text`` in the catalog's language; text with nothing to translate is returned as it is.

        Text the catalog lacks is returned unchanged, and its key is reported once (on standard
        error, starting with :data:`UNTRANSLATED_MARKER`) and kept in :attr:`missing`.
        """
        if not isinstance(text, str) or text in self._produced or not needs_translation(text):
            return text
        found = self.lookup(text)
        if found is not None:
            self._produced.add(found)
            return found
        key, _ = message_key(text)
        if key not in self.missing:
            self.missing.append(key)
            print(f"{UNTRANSLATED_MARKER} {key!r} (add it to {self.source})", file=sys.stderr)
        return text


def load_catalog(path) -> FigureCatalog:
    """Read a gettext catalog (``.po``) of figure text.

    Untranslated and fuzzy messages are left out (their text is reported when drawn).

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not a valid catalog (the message names the file and line), has no
        ``Language`` header, or a translation breaks its placeholders.
    """
    try:
        from babel.messages.pofile import PoFileError, read_po
    except ImportError as exc:  # pragma: no cover - babel comes with Sphinx
        raise ImportError("reading a figure catalog needs Babel: pip install babel") from exc
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no figure catalog at {path} (set by {CATALOG_ENV})")
    try:
        with path.open("rb") as f:
            catalog = read_po(f, abort_invalid=True)
    except PoFileError as exc:                           # babel counts lines from 0
        line = f":{exc.lineno + 1}" if isinstance(getattr(exc, "lineno", None), int) else ""
        message = re.sub(r" on \d+$", "", str(exc))
        raise ValueError(f"{path}{line}: not a valid gettext catalog: {message}") from None
    if catalog.locale is None:
        raise ValueError(f"{path}: the catalog has no Language header")
    messages = {m.id: m.string for m in catalog
                if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}
    return FigureCatalog(messages, str(catalog.locale), source=str(path))


def _translated_set_text(self, s):
    if _active is not None and isinstance(s, str):
        s = _active.translate(s)
    return _original_set_text(self, s)


_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def _korean_first_for_mixed_math(text) -> None:
    """A text with both Hangul and ``$…$`` math is laid out by mathtext, which takes the text
    outside the math from the first font family only: put NanumGothic first for that text
    (the math itself keeps mathtext's fonts, so its minus signs stay)."""
    s = text.get_text()
    if "$" not in s or not _HANGUL.search(s):
        return
    from lablib.plotting.korean import KOREAN_FONT_FAMILY

    families = list(text.get_fontfamily())
    if families and families[0] != KOREAN_FONT_FAMILY:
        text.set_fontfamily([KOREAN_FONT_FAMILY] + [f for f in families if f != KOREAN_FONT_FAMILY])


def _laid_out_with_korean_font(self, renderer):
    if _active is not None and _active.language.startswith("ko"):
        _korean_first_for_mixed_math(self)
    return _original_layout(self, renderer)


def activate(catalog) -> FigureCatalog:
    """Draw figure text in ``catalog``'s language from now on (a path or a :class:`FigureCatalog`).

    Wraps :meth:`matplotlib.text.Text.set_text`, through which every text of a figure
    passes, and, for Korean, adds NanumGothic after the current font families (and puts it
    first for a text that mixes Hangul and math, as it is measured and drawn).
    """
    global _active, _original_set_text, _original_layout
    if not isinstance(catalog, FigureCatalog):
        catalog = load_catalog(catalog)
    from matplotlib.text import Text

    if _original_set_text is None:
        _original_set_text, _original_layout = Text.set_text, Text._get_layout
        Text.set_text = _translated_set_text
        # where a text is measured and drawn (its font is only final then: a new Text gets its
        # font properties after its text, and a legend measures its texts itself)
        Text._get_layout = _laid_out_with_korean_font
    _active = catalog
    if catalog.language.startswith("ko"):
        _add_korean_font()
    return catalog


def _add_korean_font() -> None:
    """Hangul from NanumGothic, everything else from the fonts the English figures use.

    NanumGothic comes after the current families, not before (as in
    :func:`lablib.plotting.korean.use_korean_font`): matplotlib takes each glyph from the first
    family that has it, so Latin text, digits and the minus sign look as in the English edition,
    and mathtext's ``\\mathdefault`` (log-axis ticks such as 10⁻²), which uses only the first
    family, keeps a font with the minus sign U+2212, which NanumGothic lacks.
    """
    import matplotlib

    from lablib.plotting.korean import KOREAN_FONT_FAMILY, register_korean_font

    register_korean_font()
    families = matplotlib.rcParams["font.family"]
    families = [families] if isinstance(families, str) else list(families)
    matplotlib.rcParams["font.family"] = [f for f in families if f != KOREAN_FONT_FAMILY] + [KOREAN_FONT_FAMILY]


def deactivate() -> None:
    """Undo :func:`activate`: figure text is drawn as given again."""
    global _active, _original_set_text, _original_layout
    _active = None
    if _original_set_text is not None:
        from matplotlib.text import Text

        Text.set_text, Text._get_layout = _original_set_text, _original_layout
        _original_set_text = _original_layout = None


def active_catalog() -> FigureCatalog | None:
    """The catalog in use, or ``None`` (the book's English edition, or any notebook of yours)."""
    return _active


def translate(text: str) -> str:
    """``text`` in the active catalog's language, or unchanged when none is active.

    For labels lablib writes outside matplotlib (widget descriptions, the explorers' HTML).

    Examples
    --------
    >>> translate("learning rate")   # no catalog active
    'learning rate'
    """
    return text if _active is None else _active.translate(text)


def translate_template(template: str, **fields) -> str:
    """``template.format(**fields)``, with ``template`` translated first when a catalog is active.

    Examples
    --------
    >>> translate_template("the {gate} gate", gate="×")   # no catalog active
    'the × gate'
    """
    if _active is None:
        return template.format(**fields)
    return _active.translate_template(template, **fields)


def activate_from_environment() -> FigureCatalog | None:
    """Call :func:`activate` with the catalog named by ``LABLIB_FIGURE_CATALOG``, if it is set."""
    path = os.environ.get(CATALOG_ENV)
    return activate(path) if path else None
