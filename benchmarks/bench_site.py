"""Site weight: every built page with everything it loads, measured in a real headless Chromium."""
from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from .timing import Row, check

ROOT = Path(__file__).resolve().parents[1]
PAGE_BUDGET_MB = 3.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def page_weights(site: Path) -> dict[str, int]:
    """Bytes loaded by each page of ``site`` (HTML + scripts + styles + fonts + images + data)."""
    from playwright.sync_api import sync_playwright

    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if "_sources" not in p.parts and "_static" not in p.parts)
    server = _serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    weights = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for rel in pages:
                page = browser.new_page()
                loaded = {}

                def on_response(response, loaded=loaded):
                    try:
                        loaded[response.url] = len(response.body())
                    except Exception:        # redirects and aborted requests have no body
                        pass

                page.on("response", on_response)
                page.goto(base + rel, wait_until="networkidle")
                weights[rel] = sum(loaded.values())
                page.close()
            browser.close()
    finally:
        server.shutdown()
    return weights


def run(site: Path | None = None) -> list[Row]:
    site = Path(site) if site else ROOT / "_build" / "html"
    if not (site / "index.html").is_file():
        print(f"  site weight: no built site at {site}; run `make book` first", file=sys.stderr)
        return [Row("site", "site weight", float("nan"), "MB", note="no built site: run `make book` first")]
    rows = []
    weights = page_weights(site)
    for rel, size in weights.items():
        mb = size / 2**20
        rows.append(Row("site", f"page {rel}", mb, "MB", "< 3 MB", check(mb, PAGE_BUDGET_MB),
                        "HTML and everything it loads, as Chromium fetched it"))
    total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file()) / 2**20
    rows.append(Row("site", "whole site on disk", total, "MB", note=f"{sum(1 for _ in site.rglob('*'))} files"))
    return rows
