"""The two sites: every page has its counterpart in the other language, linked both ways.

Reads the built HTML (``make test-build`` builds the English site into ``_build/html`` and the
Korean one into ``_build/html/ko``).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from browser_support import ROOT, SITE, site_pages

ALL = site_pages() if (SITE / "index.html").is_file() else []
KOREAN = [p for p in ALL if p.startswith("ko/")]
ENGLISH = [p for p in ALL if not p.startswith("ko/")]
CONTENT = [p for p in ENGLISH if p not in ("index.html", "search.html", "genindex.html")]
SWITCH = re.compile(r'<a class="btn btn-sm book-language-switch" href="([^"]+)"\s+hreflang="(\w+)"')
HTML_LANG = re.compile(r'<html lang="(\w+)"')


def _read(path: str) -> str:
    return (SITE / path).read_text(encoding="utf-8")


def test_there_is_a_korean_site():
    assert KOREAN, "no Korean pages under _build/html/ko: build with `make test-build`"
    assert {p.removeprefix("ko/") for p in KOREAN} == set(ENGLISH)


@pytest.mark.parametrize("path", CONTENT)
def test_each_english_page_links_to_its_korean_page_and_back(path):
    english = _read(path)
    assert HTML_LANG.search(english).group(1) == "en"
    href, lang = SWITCH.search(english).groups()
    assert lang == "ko"
    korean_path = Path(urljoin("/" + path, href).lstrip("/")).as_posix()
    assert korean_path == "ko/" + path
    korean = _read(korean_path)
    assert HTML_LANG.search(korean).group(1) == "ko"
    back, lang = SWITCH.search(korean).groups()
    assert lang == "en" and Path(urljoin("/" + korean_path, back).lstrip("/")).as_posix() == path


def test_korean_pages_have_korean_theme_strings():
    page = _read("ko/chapters/glossary.html")
    assert 'placeholder="이 책에서 검색..."' in page and "목차" in page


def _english_chrome_strings() -> set[str]:
    """What the themes would show in English: the msgids of the book's theme catalogs
    (locales/ko/LC_MESSAGES/sphinx.po, booktheme.po), the _toc.yml captions and the book's title."""
    from babel.messages.pofile import read_po
    import yaml

    found = set()
    for domain in ("sphinx", "booktheme"):
        with open(ROOT / "locales" / "ko" / "LC_MESSAGES" / f"{domain}.po", "rb") as f:
            found |= {m.id for m in read_po(f) if m.id and "%(" not in m.id and m.string != m.id}
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found |= {part["caption"] for part in toc.get("parts", []) if part.get("caption")}
    found.add(yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"])
    return found


_CHROME_TEXT = re.compile(r">\s*([^<>]*?[A-Za-z][^<>]*?)\s*<")
_CHROME_ATTR = re.compile(r'\b(?:title|aria-label|placeholder|data-bs-title)="([^"]*)"')


@pytest.mark.parametrize("path", KOREAN)
def test_korean_page_chrome_has_no_english_theme_string(path):
    page = _read(path)
    page = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", "", page, flags=re.S)
    chrome = re.sub(r"<article\b.*?</article>", "", page, flags=re.S)       # the page's own text is the catalog's
    shown = {m.group(1).strip() for m in _CHROME_TEXT.finditer(chrome)}
    shown |= {m.group(1).strip() for m in _CHROME_ATTR.finditer(page)}
    english = sorted(shown & _english_chrome_strings())
    assert english == [], f"{path} shows the theme's English: {english}"


# --- Korean search: particles come off, so a bare term finds the pages that inflect it ----------

KOREAN_QUERIES = {                      # query -> a page that teaches it (its gloss is on the page)
    "손실": "chapters/01_loss_functions.html",
    "기울기": "chapters/02_optimization_and_gradients.html",
    "경사 하강법": "chapters/05_gradient_descent_struggles.html",
    "학습률": "chapters/05_gradient_descent_struggles.html",
    "역전파": "chapters/04_backpropagation.html",
    "모멘텀": "chapters/07_momentum.html",
    "편향 보정": "chapters/08_adagrad_rmsprop_adam.html",
}


def _search(new_page, site_url, where: str, query: str) -> list[str]:
    page, log = new_page()
    page.goto(f"{site_url}{where}search.html?q={query}", wait_until="load")
    page.wait_for_function(
        "() => /finished|found|완료|검색/i.test(document.querySelector('#search-results')?.innerText || '')"
        " && !document.querySelector('#search-progress')?.innerText", timeout=15_000)
    page.wait_for_timeout(200)
    hits = page.eval_on_selector_all("#search-results ul.search li a",
                                     "links => links.map(a => a.getAttribute('href'))")
    assert log.console_errors == [] and log.failed == [] and log.outside == []
    return [h.split("#")[0].split("?")[0] for h in hits]


@pytest.mark.parametrize("query, chapter", KOREAN_QUERIES.items())
def test_korean_search_finds_the_chapter(new_page, site_url, query, chapter):
    if "ko/" + chapter not in KOREAN:
        pytest.skip(f"{chapter} is not built")
    hits = _search(new_page, site_url, "ko/", query)
    assert chapter in hits, f"searching {query!r} on the Korean site: {hits}"


def test_korean_stemmer_runs_in_the_browser(new_page, site_url):
    """The query is stemmed the same way as the index: 학습률을 finds what 학습률 finds."""
    bare = set(_search(new_page, site_url, "ko/", "학습률"))
    inflected = set(_search(new_page, site_url, "ko/", "학습률을"))
    assert bare and inflected == bare


def test_korean_api_page_says_the_docstrings_stay_english():
    page = _read("ko/chapters/api.html")
    assert "docstring" in page and "영어 그대로" in page
