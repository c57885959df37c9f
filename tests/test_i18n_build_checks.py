"""Bad input stops a translated build, naming the file and line (_ext/book_i18n.py).

A catalog with a syntax error, a msgstr whose MyST lost its markup, a missing figure catalog,
figure text without a translation and glyphs no font has must each fail the Korean build
(warnings are errors there), never give a silently English or broken page.
"""
import logging
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import book_i18n  # noqa: E402
from booktools.catalog_lint import syntax_problems  # noqa: E402
from lablib.figure_language import UNTRANSLATED_MARKER  # noqa: E402

HEADER = 'msgid ""\nmsgstr ""\n"Language: ko\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


@pytest.fixture
def book(tmp_path):
    """A book folder with one page catalog and the figure catalog, both valid."""
    messages = tmp_path / "locales" / "ko" / "LC_MESSAGES" / "chapters"
    messages.mkdir(parents=True)
    (messages / "page.po").write_text(
        HEADER + '#: ../../chapters/page.md:3\nmsgid "The **gradient** of $L$."\n'
                 'msgstr "$L$의 **기울기**."\n', encoding="utf-8")
    (tmp_path / "locales" / "ko" / "figures.po").write_text(
        HEADER + 'msgid "loss after {0} steps"\nmsgstr "{0}단계 후의 손실"\n', encoding="utf-8")
    return tmp_path


def test_the_books_own_catalogs_pass():
    assert book_i18n.check_catalogs("ko") == []


def test_valid_catalogs_pass(book):
    assert book_i18n.check_catalogs("ko", book) == []


def test_a_syntax_error_names_the_file_and_line(book):
    page = book / "locales/ko/LC_MESSAGES/chapters/page.po"
    page.write_text(page.read_text(encoding="utf-8").replace('msgstr "$L$의', 'msgstr "$L$의\n'),
                    encoding="utf-8")                     # the string now ends at the line's end
    problems = book_i18n.check_catalogs("ko", book)
    assert problems and all(str(page) in p for p in problems)
    assert any(re.match(rf"{re.escape(str(page))}:[89]: end-of-line within string", p) for p in problems)


def test_a_syntax_error_in_the_figure_catalog_names_it(book):
    figures = book / "locales/ko/figures.po"
    figures.write_text(HEADER + 'msgid "epoch"\nmsgtr "에폭"\n', encoding="utf-8")
    problems = book_i18n.check_catalogs("ko", book)
    assert any(f"{figures}:7:" in p and "msgtr" in p for p in problems)


def test_broken_myst_in_a_msgstr_names_the_file_and_line(book):
    page = book / "locales/ko/LC_MESSAGES/chapters/page.po"
    page.write_text(page.read_text(encoding="utf-8").replace("**기울기**", "**기울기"), encoding="utf-8")
    problems = book_i18n.check_catalogs("ko", book)
    assert len(problems) == 1 and "page.po:7" in problems[0] and "bold/italic markup lost" in problems[0]


def test_a_changed_math_span_names_the_file_and_line(book):
    page = book / "locales/ko/LC_MESSAGES/chapters/page.po"
    page.write_text(page.read_text(encoding="utf-8").replace("$L$의", "$W$의"), encoding="utf-8")
    problems = book_i18n.check_catalogs("ko", book)
    assert problems and "page.po:7" in problems[0] and "math missing or changed: ['$L$']" in problems[0]


def test_a_missing_figure_catalog_is_named(book):
    (book / "locales/ko/figures.po").unlink()
    assert book_i18n.check_catalogs("ko", book) == [
        f"{book / 'locales/ko/figures.po'}: missing (the figures' text of the ko edition)"]


def test_a_figure_translation_that_drops_a_number_is_named(book):
    figures = book / "locales/ko/figures.po"
    figures.write_text(HEADER + 'msgid "loss after {0} steps"\nmsgstr "손실"\n', encoding="utf-8")
    problems = book_i18n.check_catalogs("ko", book)
    assert any(str(figures) in p and "must keep the placeholders ['{0}']" in p for p in problems)
    assert any("figures.po:6" in p and "number missing" in p for p in problems)


def test_syntax_problems_needs_msgfmt(monkeypatch, book):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="apt-get install gettext"):
        syntax_problems(book / "locales/ko/figures.po")


def _stderr_block(text):
    from docutils import nodes
    from docutils.utils import new_document
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser

    doc = new_document("chapters/page.ipynb", get_default_settings(Parser))
    block = nodes.literal_block(text, text, classes=["output", "stderr"])
    block.source, block.line = "chapters/page.ipynb", 12
    doc += block
    doc += nodes.literal_block("Glyph 44592 missing from font(s) DejaVu Sans.",
                               "Glyph 44592 missing from font(s) DejaVu Sans.", classes=["output", "stream"])
    return doc


def test_figure_text_without_translation_and_missing_glyphs_become_build_warnings(caplog):
    text = (f"{UNTRANSLATED_MARKER} 'loss after {{0}} steps' (add it to locales/ko/figures.po)\n"
            "/x/matplotlib.py:1: UserWarning: Glyph 54617 (\\N{HANGUL SYLLABLE HAG}) missing from font(s) "
            "DejaVu Sans.\nWARNING:matplotlib.mathtext:Font 'default' does not have a glyph for '\\u2212' [U+2212], "
            "substituting with a dummy symbol.\nsome other line on stderr")
    with caplog.at_level(logging.WARNING):
        book_i18n._report_figure_problems(None, _stderr_block(text))
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 3                                   # not the other line, not stdout
    assert "'loss after {0} steps'" in warned[0] and "missing from font" in warned[1]
    assert "does not have a glyph for" in warned[2]
