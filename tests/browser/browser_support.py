"""Helpers for the browser tests of the built website: a real headless Chromium over the site served on 127.0.0.1.

The browser is Debian's ``chromium`` package driven by Playwright for Python (``playwright
install`` is never run: the test machines have no internet). Every request that leaves
127.0.0.1 is blocked and recorded, so a page that needs the network fails its test.

Settings (environment variables):

``BOOK_HTML``      the built site (default ``_build/html``; ``make test-build`` or ``make book``)
``BOOK_CHROMIUM``  the browser (default ``/usr/bin/chromium``)
"""
from __future__ import annotations

import functools
import http.server
import os
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
# milliseconds Playwright waits for a page or an element (generous: CI machines can be busy)
TIMEOUT_MS = 60_000
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def site_pages(site: Path = SITE) -> list[str]:
    """Every HTML page of the built site, as paths relative to its root."""
    skip = {"_static", "_sources", "_images"}
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not skip & set(p.relative_to(site).parts))        # also ko/_static/...


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 at a free port in a thread; return (server, base URL)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class PageLog:
    """What a page did while it loaded: console errors, failed and outside requests."""

    def __init__(self, page, base_url: str):
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(
            f"{m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: self.console_errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: r.url.startswith(base_url) and self.failed.append(
            f"{r.url}: {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(
            f"{r.url}: HTTP {r.status}"))
        # requests in flight, for wait_idle (Chromium's own "networkidle" does not always come)
        self._inflight: set[int] = set()
        self._last = time.monotonic()

        def started(r):
            self._inflight.add(id(r))
            self._last = time.monotonic()

        def ended(r):
            self._inflight.discard(id(r))
            self._last = time.monotonic()

        page.on("request", started)
        page.on("requestfinished", ended)
        page.on("requestfailed", ended)
        self._page = page

        def route(route):
            if route.request.url.startswith(base_url) or route.request.url.startswith("data:"):
                route.continue_()
            else:                       # the site must not need the network
                self.outside.append(route.request.url)
                route.abort("internetdisconnected")

        page.route("**/*", route)

    def wait_idle(self, quiet: float = 0.5, timeout: float = 60.0) -> None:
        """Wait until no request has been in flight for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while self._inflight or time.monotonic() - self._last < quiet:
            if time.monotonic() > deadline:
                raise TimeoutError(f"requests still in flight after {timeout:g} s")
            self._page.wait_for_timeout(100)
