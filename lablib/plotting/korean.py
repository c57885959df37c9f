"""Hangul in figures: register the NanumGothic font and let matplotlib use it.

matplotlib's default font, DejaVu Sans, has no Hangul, so Korean labels come out
as empty boxes with a warning like ``Glyph 44592 (\\N{HANGUL SYLLABLE GI}) missing
from font(s) DejaVu Sans``. Most Linux machines, Binder and Colab have no Korean
font installed either. The book therefore takes its font from the
``koreanize-matplotlib`` package on PyPI (installed with ``requirements.txt`` and
with ``pip install "lablib[plots] @ ..."``), which ships NanumGothic under the SIL
Open Font Licence. Only its font files are used: importing ``koreanize_matplotlib``
would change matplotlib's global style as a side effect, so this module never
imports it.

Nothing happens on import. :func:`register_korean_font` makes the font known to
matplotlib's font manager (in memory, no cache to delete); :func:`use_korean_font`
also makes it the first font family, with the previous families as fallback for
glyphs it lacks, and switches tick labels to the ASCII hyphen-minus, because
NanumGothic has no glyph for the Unicode minus sign U+2212.

Introduced in the glossary appendix.
"""
from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

__all__ = ["KOREAN_FONT_FAMILY", "korean_font_files", "register_korean_font",
           "use_korean_font", "korean_font_families", "missing_glyphs"]

#: The family name matplotlib reads from the shipped font files.
KOREAN_FONT_FAMILY = "NanumGothic"

#: Font files used, from ``koreanize_matplotlib/fonts/``, with the weight matplotlib should
#: file them under. The Bold file declares weight 600, so ``fontweight="bold"`` (700) would log
#: "Failed to find font weight bold"; it is filed as 700. The Light face is left out on purpose:
#: it holds only 3,478 glyphs (a subset of Hangul), so light text could lose syllables.
_FONT_FILES = {"NanumGothic.ttf": 400, "NanumGothicBold.ttf": 700}

_INSTALL_HINT = ('pip install koreanize-matplotlib   (or: pip install "lablib[plots] @ '
                 'git+https://github.com/aivision-course/how-networks-learn")')


def korean_font_files() -> list[Path]:
    """Paths of the NanumGothic regular and bold font files shipped by ``koreanize-matplotlib``.

    The package is located without being imported (importing it restyles matplotlib).

    Returns
    -------
    list of Path
        ``[.../NanumGothic.ttf, .../NanumGothicBold.ttf]``.

    Raises
    ------
    ModuleNotFoundError
        If ``koreanize-matplotlib`` is not installed; the message says how to install it.
    FileNotFoundError
        If the package is there but a font file is missing (a damaged install).

    Examples
    --------
    >>> [path.name for path in korean_font_files()]
    ['NanumGothic.ttf', 'NanumGothicBold.ttf']
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "Korean text in figures needs the NanumGothic font from the koreanize-matplotlib "
            f"package, which is not installed. Install it with:  {_INSTALL_HINT}",
            name="koreanize_matplotlib")
    font_dir = Path(list(spec.submodule_search_locations)[0]) / "fonts"
    paths = [font_dir / name for name in _FONT_FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"koreanize-matplotlib is installed but its font file(s) {', '.join(missing)} are missing; "
            "reinstall it with:  pip install --force-reinstall koreanize-matplotlib")
    return paths


def register_korean_font() -> str:
    """Make NanumGothic (regular and bold) known to matplotlib's font manager.

    Safe to call any number of times; changes no style setting (``rcParams``),
    so a figure uses the font only where it asks for it, e.g.
    ``ax.set_title("기울기", fontfamily=korean_font_families())``.

    Returns
    -------
    str
        The family name, :data:`KOREAN_FONT_FAMILY`.

    Examples
    --------
    >>> import matplotlib
    >>> before = dict(matplotlib.rcParams)
    >>> register_korean_font()
    'NanumGothic'
    >>> dict(matplotlib.rcParams) == before
    True
    """
    import dataclasses

    from matplotlib import font_manager

    ttflist = font_manager.fontManager.ttflist
    known = {str(Path(entry.fname).resolve()) for entry in ttflist}
    for path in korean_font_files():
        if str(path.resolve()) in known:
            continue
        first_new = len(ttflist)
        font_manager.fontManager.addfont(str(path))   # appends entries, then clears the lookup cache
        for i in range(first_new, len(ttflist)):     # nothing was looked up since: safe to amend
            ttflist[i] = dataclasses.replace(ttflist[i], weight=_FONT_FILES[path.name])
    return KOREAN_FONT_FAMILY


def korean_font_families() -> list[str]:
    """The font-family list that draws Hangul: NanumGothic first, then the current families.

    Registers the font (see :func:`register_korean_font`) and returns
    ``["NanumGothic", *rcParams["font.family"]]``, for a ``fontfamily=`` argument.
    matplotlib takes each glyph from the first family that has it.

    Examples
    --------
    >>> import matplotlib
    >>> with matplotlib.rc_context({"font.family": ["sans-serif"]}):
    ...     korean_font_families()
    ['NanumGothic', 'sans-serif']
    """
    import matplotlib

    register_korean_font()
    current = matplotlib.rcParams["font.family"]
    current = [current] if isinstance(current, str) else list(current)
    return [KOREAN_FONT_FAMILY] + [family for family in current if family != KOREAN_FONT_FAMILY]


def use_korean_font() -> str:
    """Let every following figure draw Korean text: call once, before plotting.

    Registers NanumGothic, puts it first in ``rcParams["font.family"]`` (the
    families set before stay as fallback, so nothing that drew before goes
    missing) and sets ``rcParams["axes.unicode_minus"] = False``, so negative
    tick labels use the hyphen-minus, which NanumGothic has, instead of U+2212,
    which it lacks. Nothing else changes, and importing this module changes
    nothing. To undo, call ``matplotlib.rcdefaults()``; to limit it to one
    figure, call it inside ``with matplotlib.rc_context():``.

    .. math::

       \\text{font.family} \\leftarrow [\\text{NanumGothic}, \\text{font.family}_{\\text{before}}]

    Returns
    -------
    str
        The family name, :data:`KOREAN_FONT_FAMILY`.

    Raises
    ------
    ModuleNotFoundError
        If ``koreanize-matplotlib`` is not installed (the message says how to install it).

    Examples
    --------
    >>> import matplotlib
    >>> with matplotlib.rc_context():
    ...     use_korean_font()
    ...     matplotlib.rcParams["font.family"][0], matplotlib.rcParams["axes.unicode_minus"]
    'NanumGothic'
    ('NanumGothic', False)
    """
    import matplotlib

    families = korean_font_families()
    matplotlib.rcParams["font.family"] = families
    matplotlib.rcParams["axes.unicode_minus"] = False
    return KOREAN_FONT_FAMILY


def missing_glyphs(text: str, families=None) -> str:
    """The characters of ``text`` that none of the font families can draw.

    A check you can run before drawing: ``missing_glyphs("학습률 η")`` is
    ``""`` after :func:`use_korean_font` and ``"학습률"`` before it (with
    matplotlib's default DejaVu Sans). Whitespace and control characters are ignored.

    Parameters
    ----------
    text : str
        The text to check.
    families : str or list of str, optional
        Font families, tried in order as matplotlib does; default ``rcParams["font.family"]``.
        A family that matches no installed font raises ``ValueError``.

    Returns
    -------
    str
        The missing characters, each once, in order of first appearance.

    Examples
    --------
    >>> missing_glyphs("기울기 −0.5", ["DejaVu Sans"])
    '기울'
    >>> missing_glyphs("기울기 −0.5", korean_font_families() + ["DejaVu Sans"])
    ''
    >>> missing_glyphs("−", ["NanumGothic"])   # U+2212: why use_korean_font() turns it off
    '−'
    """
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    if families is None:
        families = matplotlib.rcParams["font.family"]
    families = [families] if isinstance(families, str) else list(families)
    if not families:
        raise ValueError("families must name at least one font family")
    if KOREAN_FONT_FAMILY in families:
        register_korean_font()
    charmaps = []
    for family in families:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=[family]),
                                         fallback_to_default=False)
        except ValueError:
            raise ValueError(f"no installed font matches the family {family!r}") from None
        charmaps.append(FT2Font(str(path)).get_charmap())
    missing = []
    for char in text:
        if char.isspace() or unicodedata.category(char) == "Cc" or char in missing:
            continue
        if not any(ord(char) in charmap for charmap in charmaps):
            missing.append(char)
    return "".join(missing)
