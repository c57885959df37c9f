"""The book in two languages from one source: the Sphinx side of the Korean edition, and its build configs.

The English notebooks and pages are the only source. The Korean text lives in gettext catalogs
(``locales/ko/LC_MESSAGES/<page>.po``), made by Sphinx's gettext builder and ``sphinx-intl``; the
Korean site is the same book built with ``language: ko`` into ``_build/html/ko``.

As a Sphinx extension (listed in ``_config.yml``) this module

- puts a language switch on every page, to the same page in the other language;
- makes sphinx-exercise's exercise titles translatable (the directive builds them without a
  source line, so Sphinx's gettext builder skips them);
- gives Korean pages the theme strings the theme takes from the configuration ("Contents", the
  search box's placeholder);
- indexes the Korean site for search with a Korean stemmer (Sphinx has none): particles and
  common endings come off each word, in the index and in the reader's query alike, so that
  학습률 finds 학습률을 and 학습률의;
- draws the Korean site's figures in Korean: it names the figure catalog (``locales/ko/figures.po``)
  in ``LABLIB_FIGURE_CATALOG`` for the notebooks' kernels (see :mod:`lablib.figure_language`),
  and turns what lablib reports on standard error (figure text the catalog lacks) and
  matplotlib's missing-glyph warnings into build warnings, so a strict build fails on them;
- refuses to build a language from a broken catalog: a syntax error (GNU ``msgfmt``), or a
  msgstr that lost a math span, role, inline code, number or bold/italic markup of its msgid,
  is an error naming the catalog's file and line (:mod:`booktools.catalog_lint`);
- serves a Korean web font on both sites (Noto Sans KR from the pinned npm package
  ``@fontsource/noto-sans-kr``, SIL Open Font License 1.1), so that Hangul is drawn on machines
  without a Korean font. Only the font's Hangul slices are served, each with its ``unicode-range``:
  a browser loads just the slices holding the syllables a page uses, and Latin text keeps the
  theme's font.

As a script it writes the configuration of a build that differs from the English site::

    python _ext/book_i18n.py config ko OUT.yml        # the Korean site
    python _ext/book_i18n.py config gettext OUT.yml   # message extraction: no notebook execution
    python _ext/book_i18n.py prune locales/ko         # drop obsolete messages (after sphinx-intl update)

(``jupyter-book build . --config OUT.yml``; the Makefile's ``book``, ``pot`` and ``test-build``
targets do this.)
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "ko")
#: the link text of the switch, in the language it leads to
SWITCH_LABELS = {"en": "English", "ko": "한국어"}
#: where each language's site lives, relative to the English site's root
SITE_DIRS = {"en": "", "ko": "ko/"}
#: theme strings that come from the configuration, not from the theme's catalogs
KOREAN_THEME_OPTIONS = {"search_bar_text": "이 책에서 검색...", "toc_title": "목차"}
#: the Korean site's author and description (its title is the intro page's, from intro.po)
KOREAN_BOOK = {"author": "AI 기반 영상 데이터 분석 실습 강의 팀",
               "description": "손실 함수, 기울기, 역전파, 옵티마이저(SGD, Momentum, AdaGrad, RMSprop, Adam)를 "
                              "장마다 계산하고 확인하는 교재."}


FONT_PACKAGE = "@fontsource/noto-sans-kr"
FONT_WEIGHTS = (400, 700)
FONT_DIR = "fonts/noto-sans-kr"                     # under _static/
_HANGUL_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7A3))


def _covers_hangul(unicode_range: str) -> bool:
    """Whether a CSS ``unicode-range`` value holds any Hangul (jamo, compatibility jamo, syllables)."""
    for part in unicode_range.replace(" ", "").split(","):
        lo, _, hi = part.upper().removeprefix("U+").partition("-")
        lo_i = int(lo.replace("?", "0"), 16)
        hi_i = int(hi, 16) if hi else int(lo.replace("?", "F"), 16)
        if any(lo_i <= b and a <= hi_i for a, b in _HANGUL_RANGES):
            return True
    return False


def hangul_font_faces(css: str) -> list[tuple[str, str]]:
    """``[(rule, woff2 file)]``: the ``@font-face`` rules of a Fontsource CSS file that cover Hangul,
    rewritten to load the WOFF2 file from the same folder.

    >>> css = ("@font-face { font-family: 'Noto Sans KR'; font-weight: 400; "
    ...        "src: url(./files/a.woff2) format('woff2'), url(./files/a.woff) format('woff'); "
    ...        "unicode-range: U+ac00-ac2f; }"
    ...        "@font-face { font-family: 'Noto Sans KR'; src: url(./files/b.woff2) format('woff2'); "
    ...        "unicode-range: U+0000-00ff; }")
    >>> [(file, "url(a.woff2)" in rule) for rule, file in hangul_font_faces(css)]
    [('a.woff2', True)]
    """
    faces = []
    for body in re.findall(r"@font-face\s*\{([^}]*)\}", css):
        woff2 = re.search(r"url\(\./files/([^)]+\.woff2)\)", body)
        ranges = re.search(r"unicode-range:\s*([^;]+);", body)
        if woff2 and ranges and _covers_hangul(ranges.group(1)):
            src = f"src: url({woff2.group(1)}) format('woff2');"
            rule = re.sub(r"src:[^;]+;", src, body.strip())
            faces.append((f"@font-face {{ {rule} }}", woff2.group(1)))
    return faces


def copy_korean_font(root: Path, static_dir: Path) -> int:
    """Copy the Hangul slices of the pinned font and write ``hangul.css``; return the bytes copied."""
    from sphinx.errors import ExtensionError

    folder = root / "node_modules" / FONT_PACKAGE
    manifest = folder / "package.json"
    pins = json.loads((root / "package.json").read_text(encoding="utf-8")).get("dependencies", {})
    if not manifest.is_file():
        raise ExtensionError(f"book_i18n: {FONT_PACKAGE} is not installed in {root / 'node_modules'}; "
                             "run `npm ci` in the book's folder (`make setup` does it)")
    version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    if pins.get(FONT_PACKAGE) != version:
        raise ExtensionError(f"book_i18n: node_modules has {FONT_PACKAGE} {version}, package.json pins "
                             f"{pins.get(FONT_PACKAGE)}; run `npm ci`")
    dest = static_dir / FONT_DIR
    dest.mkdir(parents=True, exist_ok=True)
    rules, total = [], 0
    for weight in FONT_WEIGHTS:
        faces = hangul_font_faces((folder / f"{weight}.css").read_text(encoding="utf-8"))
        if not faces:
            raise ExtensionError(f"book_i18n: {FONT_PACKAGE}/{weight}.css has no Hangul @font-face")
        for rule, name in faces:
            source = folder / "files" / name
            if not source.is_file():
                raise ExtensionError(f"book_i18n: {FONT_PACKAGE} lacks files/{name}")
            shutil.copy2(source, dest / name)
            total += source.stat().st_size
            rules.append(rule)
    licence = (folder / "LICENSE").read_text(encoding="utf-8") if (folder / "LICENSE").is_file() else ""
    (dest / "hangul.css").write_text(
        f"/* Noto Sans KR {version} (Hangul slices), from the npm package {FONT_PACKAGE}; "
        "SIL Open Font License 1.1 (LICENSE beside this file). */\n" + "\n".join(rules) + "\n",
        encoding="utf-8")
    if licence:
        (dest / "LICENSE").write_text(licence, encoding="utf-8")
    return total


def _on_builder_inited(app) -> None:
    if app.builder.format == "html":
        copy_korean_font(Path(app.srcdir), Path(app.outdir) / "_static")
        if (app.config.language or "en") != "en":
            prefer_book_catalog(Path(app.srcdir), app.config.language, "booktheme")


def prefer_book_catalog(root: Path, language: str, domain: str) -> bool:
    """Put the book's catalog of a theme's domain first, the theme's own as its fallback.

    Sphinx reads the book's ``locale_dirs`` first for its own domain (``sphinx``: the
    pydata theme's strings, which the theme has no Korean for), but a theme's own domain
    (sphinx-book-theme's ``booktheme``) only from the theme, whose Korean lacks the launch
    and repository buttons and machine-translates others ("Launch": 시작하다). Returns
    whether the book has such a catalog.
    """
    import gettext
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from sphinx import locale

    path = root / "locales" / language / "LC_MESSAGES" / f"{domain}.po"
    if not path.is_file():
        return False
    compiled = io.BytesIO()
    with open(path, "rb") as f:
        write_mo(compiled, read_po(f))
    compiled.seek(0)
    ours = gettext.GNUTranslations(compiled)
    theirs = locale.translators.get(("general", domain))
    if theirs is not None:
        ours.add_fallback(theirs)
    locale.translators["general", domain] = ours
    return True


# --- Korean search --------------------------------------------------------------------------------

#: particles and endings stripped from the end of a Korean word, longest first; a stem keeps at
#: least two syllables, so 차이 and 모이다 stay whole while 손실을 becomes 손실
KOREAN_ENDINGS = tuple(sorted({
    "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "만", "나",
    "에서", "에게", "으로", "까지", "부터", "보다", "처럼", "이다", "이며", "이고", "이나", "에는",
    "로는", "과의", "와의", "에서는", "으로는", "으로써", "에서의", "이라는", "라는", "이란", "란",
    "한다", "된다", "하는", "되는", "하면", "하고", "해서", "했다", "하여", "하지", "한", "할",
    "된", "될", "이다", "입니다", "합니다", "됩니다",
}, key=lambda e: (-len(e), e)))
_MIN_STEM = 2


def korean_stem(word: str) -> str:
    """``word`` without a trailing particle or ending, lower-cased (Latin words only lower-cased).

    >>> [korean_stem(w) for w in ("학습률을", "손실의", "기울기는", "하강법으로", "차이", "Momentum")]
    ['학습률', '손실', '기울기', '하강법', '차이', 'momentum']
    """
    word = word.lower()
    for ending in KOREAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


def _korean_search_language():
    from sphinx.search import SearchLanguage

    endings = json.dumps(list(KOREAN_ENDINGS), ensure_ascii=False)

    class SearchKorean(SearchLanguage):
        lang = "ko"
        language_name = "Korean"
        js_stemmer_code = (
            "/* _ext/book_i18n.py: the Korean stemmer, the same rules as korean_stem() */\n"
            f"var Stemmer = function() {{ const endings = {endings};\n"
            f"  this.stemWord = function(w) {{ w = w.toLowerCase();\n"
            f"    for (const e of endings) if (w.endsWith(e) && w.length - e.length >= {_MIN_STEM})\n"
            "      return w.slice(0, w.length - e.length);\n"
            "    return w; }; };\n")

        def stem(self, word: str) -> str:
            return korean_stem(word)

    return SearchKorean


# --- the build configurations -----------------------------------------------------------------

def _translated(language: str, page: str, msgid: str) -> str:
    """The translation of ``msgid`` in ``page``'s catalog (``msgid`` itself if it has none)."""
    from babel.messages.pofile import read_po

    path = ROOT / "locales" / language / "LC_MESSAGES" / f"{page}.po"
    if path.is_file():
        with open(path, "rb") as f:
            message = read_po(f).get(msgid)
        if message is not None and message.string and not message.fuzzy:
            return message.string
    return msgid


def build_config(kind: str, base: Path = ROOT / "_config.yml") -> dict:
    """``_config.yml`` changed for a Korean (``"ko"``) or a message-extraction (``"gettext"``) build."""
    import yaml

    if kind not in ("ko", "gettext"):
        raise ValueError(f"kind must be 'ko' or 'gettext', got {kind!r}")
    config = yaml.safe_load(base.read_text(encoding="utf-8"))
    sphinx = config.setdefault("sphinx", {})
    # the generated file lives elsewhere: local extensions and the bibliography by absolute path
    sphinx["local_extensions"] = {name: str((ROOT / path).resolve())
                                  for name, path in sphinx.get("local_extensions", {}).items()}
    config["bibtex_bibfiles"] = [str((ROOT / b).resolve()) for b in config.get("bibtex_bibfiles", [])]
    if kind == "ko":
        sphinx.setdefault("config", {})["language"] = "ko"
        config["title"] = _translated("ko", "intro", config["title"])     # the intro page's title
        config.update(KOREAN_BOOK)
    else:
        config.setdefault("execute", {})["execute_notebooks"] = "off"
    return config


def write_config(kind: str, out: Path) -> Path:
    import yaml

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(build_config(kind), allow_unicode=True, sort_keys=False),
                   encoding="utf-8")
    return out


# --- the Sphinx extension ---------------------------------------------------------------------

def other_language(language: str, pagename: str) -> dict:
    """Where the language switch of ``pagename`` (a docname such as ``chapters/07_momentum``) leads.

    >>> other_language("en", "chapters/07_momentum")["url"]
    '../ko/chapters/07_momentum.html'
    >>> other_language("ko", "intro")["url"]
    '../intro.html'
    """
    here = "ko" if language == "ko" else "en"
    there = "en" if here == "ko" else "ko"
    to_site_root = "../" * pagename.count("/")            # from the page to its own site's root
    to_en_root = to_site_root + ("../" if here == "ko" else "")
    return {"code": there, "label": SWITCH_LABELS[there],
            "url": f"{to_en_root}{SITE_DIRS[there]}{pagename}.html"}


def figure_catalog_path(language: str, root: Path = ROOT) -> Path:
    """The catalog of the figures' text for ``language``: ``locales/<language>/figures.po``."""
    return root / "locales" / language / "figures.po"


def check_catalogs(language: str, root: Path = ROOT) -> list[str]:
    """Problems that must stop a build in ``language``, each as 'file:line: problem'.

    Every catalog of the language (the pages' and the figures') must parse (GNU ``msgfmt``);
    every translated msgstr of a page must keep its msgid's math, roles, code, numbers and
    emphasis (untranslated messages are ``tests/test_translations.py``'s business: the
    build shows their English); the figure catalog must load (placeholders kept), and exist.

    Examples
    --------
    >>> check_catalogs("ko")
    []
    """
    sys.path.insert(0, str(root))
    from booktools.catalog_lint import catalog_problems, syntax_problems
    from lablib.figure_language import load_catalog

    figures = figure_catalog_path(language, root)
    if not figures.is_file():
        return [f"{figures}: missing (the figures' text of the {language} edition)"]
    pages = sorted((root / "locales" / language / "LC_MESSAGES").rglob("*.po"))
    problems = [p for path in [figures, *pages] for p in syntax_problems(path)]
    if problems:
        return problems
    for path in [figures, *pages]:
        problems += [f"{path.parent / p}" for p in catalog_problems(path) if not p.endswith(": untranslated")]
    try:
        load_catalog(figures)
    except ValueError as exc:
        problems.append(str(exc))
    return problems


def _on_config_inited(app, config) -> None:
    # first: the book's copies of theme components (translatable strings) win over the themes' own
    config.templates_path.insert(0, str(Path(__file__).parent / "templates"))
    options = config.html_theme_options
    end = list(options.get("article_header_end", ["article-header-buttons.html"]))
    if "language-switch.html" not in end:
        options["article_header_end"] = ["language-switch.html", *end]
    language = config.language or "en"
    if language != "en":
        from sphinx.errors import ConfigError

        problems = check_catalogs(language, Path(app.srcdir))
        if problems:
            raise ConfigError(f"the {language} catalogs cannot be built:\n  " + "\n  ".join(problems))
        from lablib.figure_language import CATALOG_ENV
        os.environ[CATALOG_ENV] = str(figure_catalog_path(language, Path(app.srcdir)))  # for the kernels
    if language == "ko":
        options.update(KOREAN_THEME_OPTIONS)


def _translate_toctree_captions(app, doctree) -> None:
    """Translate the captions of the table of contents ("Chapters", "Appendices").

    Jupyter Book's ``_toc.yml`` becomes toctrees in a transform that runs after Sphinx has
    translated the page, so their captions would stay English in the sidebar although the
    root page's catalog has them.
    """
    if (app.config.language or "en") == "en" or app.builder.name == "gettext":
        return
    from sphinx import addnodes
    from sphinx.locale import init as init_locale
    from sphinx.util.i18n import docname_to_domain

    toctrees = [n for n in doctree.findall(addnodes.toctree) if n.get("caption")]
    if not toctrees:
        return
    dirs = [str(Path(app.srcdir) / d) for d in app.config.locale_dirs]
    domain = docname_to_domain(app.env.docname, app.config.gettext_compact)
    catalog, found = init_locale(dirs, app.config.language, domain)
    if found:
        for node in toctrees:
            node["caption"] = catalog.gettext(node["caption"])


# matplotlib's words for a character no font has: text ("Glyph 54617 (...) missing from
# font(s) DejaVu Sans."), and mathtext ("Font 'default' does not have a glyph for '\u2212'")
_MISSING_GLYPH = re.compile(r"Glyph \d+ .*missing from font|does not have a glyph for")


def _report_figure_problems(app, doctree) -> None:
    """Figure text without a translation, and glyphs no font has, as warnings at their cell."""
    from docutils import nodes
    from lablib.figure_language import UNTRANSLATED_MARKER
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    for node in doctree.findall(nodes.literal_block):
        if "stderr" not in node.get("classes", []):
            continue
        for line in node.astext().splitlines():
            if UNTRANSLATED_MARKER in line or _MISSING_GLYPH.search(line):
                logger.warning(line.strip(), location=node, type="book", subtype="figure")


def _on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    context["book_other_language"] = other_language(app.config.language or "en", pagename)


def _exercise_titles_translatable(app, doctree) -> None:
    """Give exercise subtitles the source and line of their directive, so gettext extracts them."""
    try:
        from sphinx_exercise.nodes import exercise_subtitle
    except ImportError:                                      # pragma: no cover
        return
    for node in doctree.findall(exercise_subtitle):
        holder = node.parent
        while holder is not None and not holder.source:
            holder = holder.parent
        if holder is not None:
            node.source, node.line = holder.source, holder.line or 1
            node.rawsource = node.rawsource or node.astext()


def _extract_exercise_titles(app, doctree) -> None:
    """For the gettext builder: add the exercise titles to the page's catalog.

    sphinx-exercise folds each title into a plain title node in a post-transform, which runs
    before the builder extracts messages, so the titles would never reach a catalog; they are
    added here, when the page has been read (the Korean build translates them before the fold).
    """
    if app.builder.name != "gettext":
        return
    from sphinx.util.i18n import docname_to_domain
    from sphinx_exercise.nodes import exercise_subtitle

    catalog = app.builder.catalogs[docname_to_domain(app.env.docname, app.config.gettext_compact)]
    for node in doctree.findall(exercise_subtitle):
        if node.rawsource:
            node.uid = getattr(node, "uid", None) or uuid.uuid4().hex   # the catalog wants one
            catalog.add(node.rawsource, node)


def setup(app) -> dict:
    from sphinx.transforms import SphinxTransform

    class ExerciseTitles(SphinxTransform):
        default_priority = 15                                # before sphinx's Locale (20)

        def apply(self, **kwargs) -> None:
            _exercise_titles_translatable(self.app, self.document)

    app.add_transform(ExerciseTitles)
    from sphinx.search import languages
    languages.setdefault("ko", _korean_search_language())
    app.add_css_file(f"{FONT_DIR}/hangul.css")
    app.connect("builder-inited", _on_builder_inited)
    app.connect("config-inited", _on_config_inited)
    app.connect("html-page-context", _on_html_page_context)
    app.connect("doctree-read", _extract_exercise_titles)
    app.connect("doctree-read", _report_figure_problems)
    app.connect("doctree-read", _translate_toctree_captions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def drop_obsolete(path: Path) -> int:
    """Remove the obsolete (``#~``) messages ``sphinx-intl update`` keeps; return how many.

    An obsolete message whose msgid is live again makes the catalog invalid for ``msgfmt``
    ("duplicate message definition"); the translations of changed messages have already been
    carried over, marked fuzzy, when this runs.
    """
    from babel.messages.pofile import read_po, write_po

    with open(path, "rb") as f:
        catalog = read_po(f)
    n = len(catalog.obsolete)
    if n:
        with open(path, "wb") as f:
            write_po(f, catalog, width=100, ignore_obsolete=True)
    return n


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "prune":
        dropped = sum(drop_obsolete(p) for p in sorted(Path(sys.argv[2]).rglob("*.po")))
        print(f"dropped {dropped} obsolete messages")
        sys.exit(0)
    if len(sys.argv) != 4 or sys.argv[1] != "config":
        sys.exit(__doc__)
    print(write_config(sys.argv[2], Path(sys.argv[3])))
