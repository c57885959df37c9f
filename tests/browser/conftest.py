"""Fixtures for the browser tests (helpers and settings: browser_support.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import CHROMIUM, FLAGS, SITE, TIMEOUT_MS, PageLog, serve


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built site at {SITE}: build it first (`make book`), "
                    "or point BOOK_HTML at one")
    server, url = serve(SITE)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no browser at {CHROMIUM}: install Debian's chromium package "
                    "(`make test-browser` does it as root) or set BOOK_CHROMIUM")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, site_url):
    """``new_page(width=1280)`` -> (page, PageLog) in a fresh browser context."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        return page, PageLog(page, site_url)

    yield make
    for context in contexts:
        context.close()
