"""The kernel-free explorer (lablib.explorer) in headless Chromium: its sliders redraw the paths.

Every explorer on the built site is tested, and the chapters that must have one (momentum,
adaptive optimizers) are checked for it. A small explorer made by lablib at test time is
tested too, so the explorer is covered whatever the chapters hold.
"""
from __future__ import annotations

import re

import pytest

from browser_support import SITE, TIMEOUT_MS, PageLog, serve, site_pages

# chapter pages that must carry an explorer (when they are built)
EXPLORER_CHAPTERS = ("chapters/07_momentum.html", "chapters/08_adagrad_rmsprop_adam.html")

PAGES = site_pages() if (SITE / "index.html").is_file() else []
EXPLORER_PAGES = [p for p in PAGES if 'class="lablib-explorer"' in (SITE / p).read_text(encoding="utf-8")]
# what a run's status line says, on the English site and (from locales/ko/figures.po) the Korean one
STATUS = r"(loss \S+|diverged) after \d+ steps?|\d+스텝 후 (손실 \S+|발산)"

READ = """root => ({
  d: [...root.querySelectorAll('path[class^="lx-d-"]')].map(p => p.getAttribute('d')),
  text: [...root.querySelectorAll('[class^="lx-text-"]')].map(s => s.textContent),
  lr: root.querySelector('.lx-lr-out').textContent,
  momentum: root.querySelector('.lx-momentum-out') ? root.querySelector('.lx-momentum-out').textContent : null,
  shown: root.dataset.shown,
  hidden: [...root.querySelectorAll('[class^="lx-path-"]')].map(g => getComputedStyle(g).display === 'none'),
})"""


def check_explorer(page, root) -> None:
    """Move each slider with the keyboard and check that what is drawn changes with it."""
    root.scroll_into_view_if_needed()
    before, picture = root.evaluate(READ), root.query_selector("svg.lx-plot").screenshot()
    assert before["shown"], "the explorer's script did not run"
    assert all(d.startswith("M") for d in before["d"]), before["d"]
    slider = root.query_selector(".lx-lr")
    lo, hi, value = (int(slider.get_attribute(a)) for a in ("min", "max", "value"))
    key = "ArrowRight" if value < hi else "ArrowLeft"
    slider.focus()
    page.keyboard.press(key)
    after = root.evaluate(READ)
    assert after["lr"] != before["lr"], "the learning-rate readout did not change"
    assert after["d"] != before["d"], "moving the learning-rate slider did not change the paths"
    # the status line describes the run now shown (two settings can end at the same loss,
    # so the text itself need not change)
    assert after["text"] and all(re.fullmatch(STATUS, t) for t in after["text"]), after["text"]
    assert root.query_selector("svg.lx-plot").screenshot() != picture, "the picture did not change"

    momentum = root.query_selector(".lx-momentum")
    if momentum is not None:
        value, hi = int(momentum.get_attribute("value")), int(momentum.get_attribute("max"))
        momentum.focus()
        page.keyboard.press("ArrowLeft" if value > 0 else "ArrowRight")
        moved = root.evaluate(READ)
        assert moved["momentum"] != after["momentum"]
        assert moved["d"] != after["d"], "moving the momentum slider did not change the paths"
        after = moved

    boxes = root.query_selector_all(".lx-opt")
    if boxes:
        boxes[0].click()
        hidden = root.evaluate(READ)["hidden"]
        assert hidden[0] and not any(hidden[1:]), hidden
        boxes[0].click()
        assert not any(root.evaluate(READ)["hidden"])


def test_the_explorer_chapters_have_explorers():
    for chapter in EXPLORER_CHAPTERS:
        if chapter in PAGES:
            assert chapter in EXPLORER_PAGES, f"{chapter} has no kernel-free explorer"


@pytest.mark.parametrize("path", EXPLORER_PAGES)
def test_site_explorers_redraw_under_their_sliders(new_page, site_url, path):
    for width in (1280, 390):
        page, log = new_page(width=width)
        page.goto(site_url + path, wait_until="load")
        roots = page.query_selector_all(".lablib-explorer")
        assert roots
        for root in roots:
            check_explorer(page, root)
        if width == 390:        # the explorer fits a phone
            for root in roots:
                box = root.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box
        assert log.console_errors == [] and log.failed == [] and log.outside == []


def test_a_fresh_explorer_redraws_and_weighs_little(browser, tmp_path):
    """An explorer made now by lablib, alone on a page: no kernel, no network, sliders redraw."""
    from lablib import landscapes
    from lablib.explorer import PathExplorer

    ex = PathExplorer(landscapes.elongated_bowl(), (-6.0, 2.0), ["SGD", "Momentum", "Adam"],
                      steps=60, lrs=[0.01, 0.1, 0.5], momenta=[0.0, 0.5, 0.9], lr=0.1, momentum=0.9)
    assert ex.nbytes < 80_000
    ex.save(tmp_path / "explorer.html")
    server, url = serve(tmp_path)
    context = browser.new_context(viewport={"width": 800, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        log = PageLog(page, url)
        page.goto(url + "explorer.html", wait_until="load")
        root = page.query_selector(".lablib-explorer")
        # what the page draws at first is the run lablib computed for the first settings
        first = root.evaluate(READ)
        assert first["lr"] == "0.1" and first["momentum"] == "0.9"
        run = ex.run("Momentum", lr=0.1, momentum=0.9)
        assert first["text"][1] == f"loss {run.final_loss:.3g} after {run.steps} steps"
        check_explorer(page, root)
        assert log.console_errors == [] and log.failed == [] and log.outside == []
    finally:
        context.close()
        server.shutdown()
