"""Every page of the built site, in headless Chromium with the network cut off.

Each page is visited once (at 1280 px, then resized to a phone's 390 px) and the tests below
read what that visit recorded. Pages are found in the built site, so new chapters are tested
as soon as they are built.
"""
from __future__ import annotations

import os
import re
from urllib.parse import urljoin
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from browser_support import SITE, TIMEOUT_MS, PageLog, site_pages

if not (SITE / "index.html").is_file():
    raise RuntimeError(f"no built site at {SITE}: build it first (`make book` or "
                       "`make test-build`), or point BOOK_HTML at one")

PAGES = site_pages()
SCREENSHOTS = os.environ.get("BOOK_SCREENSHOTS")   # a folder: save what the browser drew

# Text outside code that means TeX was not typeset: $$, \( \[ \begin{, or $ right before a command.
RAW_TEX = re.compile(r"\$\$|\\\(|\\\[|\\begin\{|\$\\[A-Za-z]")

REDIRECT = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)"', re.I)

READ_MATH = """() => {
  const maths = [...document.querySelectorAll('.math')];
  const skip = 'pre, code, script, style, textarea, mjx-container, .highlight, .MathJax';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (el && !el.closest(skip)) texts.push(n.textContent);
  }
  return {
    count: maths.length,
    typeset: maths.filter(m => m.querySelector('mjx-container') || m.matches('mjx-container')).length,
    errors: [...document.querySelectorAll('mjx-merror')].map(e => e.getAttribute('data-mjx-error') || e.textContent),
    text: texts.join(' '),
  };
}"""

LOAD_IMAGES = """async () => {
  const imgs = [...document.images];
  for (const img of imgs) img.loading = 'eager';
  await Promise.all(imgs.map(img => img.complete ? null :
      new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
  return imgs.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.currentSrc || img.src);
}"""

# At phone width: how far the page scrolls sideways, and text blocks that stick out of the
# screen (text inside a container that scrolls on its own — code, wide tables, long formulas —
# is allowed to).
READ_PHONE = """() => {
  const W = document.documentElement.clientWidth;
  const inScroller = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'auto' || s.overflowX === 'scroll') return true;
    }
    return false;
  };
  const wide = [];
  const blocks = 'p, li, dt, dd, h1, h2, h3, h4, h5, h6, caption, figcaption, .admonition-title';
  for (const el of document.querySelectorAll('article ' + blocks.split(', ').join(', article '))) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || inScroller(el)) continue;
    if (r.right > W + 1 || r.left < -1)
      wide.push(`${el.tagName} (${Math.round(r.left)}..${Math.round(r.right)} px): ` +
                el.textContent.trim().slice(0, 60));
  }
  return {overflow: document.documentElement.scrollWidth - W, width: W, wide};
}"""


# Hangul on the page: which characters, whether the elements holding them ask for the web font
# first, and whether the faces of that font that cover them have loaded (this machine has no
# Korean system font, so anything else would be drawn as empty boxes).
READ_HANGUL = """async () => {
  await document.fonts.ready;
  const skip = 'script, style, textarea, mjx-container';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const chars = new Set(), noWebFont = [], byWeight = {normal: new Set(), bold: new Set()};
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    const found = n.textContent.match(/[\\u1100-\\u11ff\\u3130-\\u318f\\uac00-\\ud7a3]/g);
    if (!el || el.closest(skip) || !found) continue;
    if (el.getClientRects().length === 0) continue;            // not displayed
    const weight = parseInt(getComputedStyle(el).fontWeight, 10) >= 600 ? 'bold' : 'normal';
    found.forEach(c => { chars.add(c); byWeight[weight].add(c); });
    if (!getComputedStyle(el).fontFamily.includes('"Noto Sans KR"'))
      noWebFont.push(`${el.tagName}.${el.className}: ${n.textContent.trim().slice(0, 30)}`);
  }
  const text = [...chars].join('');
  // each character must be loaded in the weight it is drawn in (400 or 700); faces load as the
  // text is laid out, so give them a moment
  const ok = () => ['normal', 'bold'].every(w => !byWeight[w].size ||
      document.fonts.check(`${w} 16px "Noto Sans KR"`, [...byWeight[w]].join('')));
  let loaded = !text;
  for (let i = 0; i < 20 && !loaded; i++) {
    await document.fonts.ready;
    loaded = ok();
    if (!loaded) await new Promise(done => setTimeout(done, 250));
  }
  return {count: chars.size, noWebFont: noWebFont.slice(0, 5), loaded,
          faces: [...document.fonts].filter(f => f.family.includes('Noto Sans KR') && f.status === 'loaded').length};
}"""


@dataclass
class Visit:
    log: PageLog
    math: dict
    broken_images: list
    phone: dict
    hangul: dict
    weight: int = 0                     # bytes of the page and everything it loaded
    notes: list = field(default_factory=list)


def _visit(browser, site_url: str, path: str) -> Visit:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        log = PageLog(page, site_url)
        loaded: dict[str, int] = {}

        def count(response):
            try:
                loaded[response.url] = len(response.body())
            except Exception:                   # a redirect or an aborted request has no body
                pass

        page.on("response", count)
        page.goto(site_url + path, wait_until="load")
        target = REDIRECT.search((SITE / path).read_text(encoding="utf-8"))
        if target:                              # index.html sends the reader on to the first page
            page.wait_for_url(urljoin(site_url + path, target.group(1)), wait_until="load")
        page.evaluate("async () => { if (window.MathJax && MathJax.startup && "
                      "MathJax.startup.promise) await MathJax.startup.promise; }")
        log.wait_idle()                         # fonts and extensions MathJax asked for
        broken = page.evaluate(LOAD_IMAGES)
        math = page.evaluate(READ_MATH)
        hangul = page.evaluate(READ_HANGUL)
        if SCREENSHOTS:
            out = Path(SCREENSHOTS) / (path.replace("/", "__") + ".png")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)              # let the layout settle after the resize
        phone = page.evaluate(READ_PHONE)
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / (path.replace("/", "__") + ".390.png")),
                            full_page=True)
        log.wait_idle()                         # anything the narrow layout loads
        return Visit(log, math, broken, phone, hangul, weight=sum(loaded.values()))
    finally:
        context.close()


@pytest.fixture(scope="session")
def visit(browser, site_url):
    cache: dict[str, Visit] = {}

    def get(path: str) -> Visit:
        if path not in cache:
            cache[path] = _visit(browser, site_url, path)
        return cache[path]

    return get


def test_the_site_has_its_pages():
    assert "index.html" in PAGES and "search.html" in PAGES and "intro.html" in PAGES
    assert any(p.startswith("chapters/") for p in PAGES), PAGES


@pytest.mark.parametrize("path", PAGES)
def test_no_console_errors(visit, path):
    assert visit(path).log.console_errors == []


@pytest.mark.parametrize("path", PAGES)
def test_no_failed_requests(visit, path):
    assert visit(path).log.failed == []


@pytest.mark.parametrize("path", PAGES)
def test_needs_no_network(visit, path):
    assert visit(path).log.outside == [], "the page asked for files from outside the site"


@pytest.mark.parametrize("path", PAGES)
def test_formulas_are_rendered(visit, path):
    math = visit(path).math
    assert math["typeset"] == math["count"], f"{math['count'] - math['typeset']} formulas not typeset"
    assert math["errors"] == []
    leftovers = [m.group(0) + "…" + math["text"][m.start():m.start() + 60]
                 for m in RAW_TEX.finditer(math["text"])]
    assert leftovers == [], "raw TeX left in the text"


def test_formulas_exist_somewhere():
    """The formula check above must see formulas (so it can fail)."""
    assert any(".math" in p.read_text(encoding="utf-8") or 'class="math' in
               p.read_text(encoding="utf-8") for p in (SITE / q for q in PAGES))


@pytest.mark.parametrize("path", PAGES)
def test_hangul_is_drawn_with_the_web_font(visit, path):
    hangul = visit(path).hangul
    assert not hangul["noWebFont"], f"Hangul not set in Noto Sans KR: {hangul['noWebFont']}"
    assert hangul["loaded"], "the Noto Sans KR faces for this page's Hangul did not load"
    if hangul["count"]:
        assert hangul["faces"] > 0


def test_hangul_pages_exist():
    """The check above looks at something: the glossary shows Hangul on either site."""
    assert any("용어" in (SITE / p).read_text(encoding="utf-8") for p in PAGES)


#: the most a page may load, with everything it loads (HTML, scripts, styles, fonts incl. the
#: Korean web font, images): about 20 s on a slow phone connection (1.2 Mbit/s)
PAGE_BUDGET = 3_000_000


@pytest.mark.parametrize("path", PAGES)
def test_page_weight_is_within_budget(visit, path):
    weight = visit(path).weight
    assert 10_000 < weight <= PAGE_BUDGET, f"{path} loads {weight / 1e6:.2f} MB"


@pytest.mark.parametrize("path", PAGES)
def test_images_load(visit, path):
    assert visit(path).broken_images == []


@pytest.mark.parametrize("path", PAGES)
def test_phone_width_no_sideways_scroll(visit, path):
    phone = visit(path).phone
    assert phone["width"] <= 390
    assert phone["overflow"] <= 0, f"the page scrolls {phone['overflow']} px sideways at 390 px"
    assert phone["wide"] == [], "text wider than the screen"


WIDGET_PAGES = [p for p in PAGES
                if "application/vnd.jupyter.widget-view+json" in (SITE / p).read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", WIDGET_PAGES)
def test_ipywidgets_say_they_need_a_kernel(new_page, site_url, path):
    """A widget has no kernel on the website: its controls are greyed out, with a note."""
    page, log = new_page()
    page.goto(site_url + path, wait_until="load")
    page.wait_for_selector(".book-static-widget .jupyter-widgets")   # the widget manager drew it
    found = page.evaluate("""() => [...document.querySelectorAll('.book-static-widget')].map(w => ({
        drawn: !!w.querySelector('.jupyter-widgets'),
        note: !!w.querySelector('.book-widget-note'),
        live: [...w.querySelectorAll('.widget-slider, .widget-dropdown, .widget-checkbox')]
              .filter(c => getComputedStyle(c).pointerEvents !== 'none').length }))""")
    assert found and all(w["drawn"] and w["note"] and w["live"] == 0 for w in found), found
    assert log.console_errors == [] and log.failed == [] and log.outside == []


def test_search_finds_momentum(new_page, site_url):
    page, log = new_page()
    page.goto(site_url + "search.html?q=momentum", wait_until="load")
    page.wait_for_function(
        "() => /finished|found/i.test(document.querySelector('#search-results')?.innerText || '')",
        timeout=15_000)
    hits = page.eval_on_selector_all("#search-results ul.search li a",
                                     "links => links.map(a => a.getAttribute('href'))")
    assert hits, page.inner_text("#search-results")
    pages = {h.split("#")[0].split("?")[0] for h in hits}
    assert all((SITE / p).is_file() for p in pages), pages
    for chapter in ("chapters/07_momentum.html",):
        if chapter in PAGES:
            assert chapter in pages, f"searching 'momentum' does not find {chapter}"
    assert log.console_errors == [] and log.failed == [] and log.outside == []
