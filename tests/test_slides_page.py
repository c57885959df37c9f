"""The instructors' appendix "From the slides to the book" (chapters/slides.md).

Two promises of that page are checked here:
- its lab-time table quotes each chapter's own "Estimated lab time" and their sum;
- it has a row for every slide section of the course's Day 4 deck, in the deck's order.

The deck is course material and not part of the repository. The second test reads it from
``$BOOK_SLIDES`` or, by default, ``../shared/course/day4-slides.txt`` beside the checkout, and is
skipped where neither exists (a clean CI checkout); the page's own list of headings is still
checked for order and duplicates there.
"""
import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "chapters" / "slides.md"
DECK = Path(os.environ.get("BOOK_SLIDES", ROOT.parent / "shared" / "course" / "day4-slides.txt"))
LAB_TIME = re.compile(r"Estimated lab time: (\d+) minutes")


def _chapter_lab_times():
    times = {}
    for nb in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        text = "".join("".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"])
        found = LAB_TIME.findall(text)
        assert len(found) == 1, f"{nb.name}: expected one 'Estimated lab time: N minutes', found {found}"
        times[int(nb.name[:2])] = int(found[0])
    return times


def _page_lab_times(text):
    """{chapter: minutes} from the page's rows '| {ref}`...` (chapter N) | M min | ...'."""
    rows = re.findall(r"^\|[^|\n]*\(chapter (\d+)\)[^|\n]*\|\s*(\d+) min\s*\|", text, flags=re.M)
    return {int(ch): int(minutes) for ch, minutes in rows}


def _normalise(heading):
    heading = heading.replace("~~", "").replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", heading).strip().casefold()


CONCORDANCE_HEADER = "| Deck part | Slide heading | Taught in | What the book does |"


def _page_slide_headings(text):
    """The slide headings (second column) of the page's concordance tables, in order."""
    headings, in_table = [], False
    for line in text.splitlines():
        if line.strip() == CONCORDANCE_HEADER:
            in_table = True
        elif in_table and line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            assert len(cells) == 4, f"a concordance row needs 4 cells (no '|' inside one): {line[:80]}"
            if not set("".join(cells)) <= set("-: "):    # not the |---|---| line
                headings.append(_normalise(cells[1]))
        else:
            in_table = False
    return headings


def _deck_headings(deck_text):
    """The deck's slide sections in order: each '## ' heading, consecutive repeats as one, and
    the '# ' titles of slides that have no '## ' heading of their own (but not the repeated part
    titles that only introduce the next '## ')."""
    lines, fenced = [], False
    for line in deck_text.splitlines():                   # code listings' "# comments" are no titles
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.strip() not in ("", "---"):
            lines.append(line)
    sections = []
    for i, line in enumerate(lines):
        if line.startswith("## "):
            sections.append(_normalise(line[3:]))
        elif line.startswith("# "):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if not nxt.startswith("#"):                   # a slide with a title and no heading
                sections.append(_normalise(line[2:]))
    deduped = [s for k, s in enumerate(sections) if k == 0 or s != sections[k - 1]]
    return deduped


def test_lab_times_are_the_chapters_own():
    text = PAGE.read_text(encoding="utf-8")
    chapters = _chapter_lab_times()
    assert _page_lab_times(text) == chapters
    total = sum(chapters.values())
    assert f"| **Total** | **{total} min**" in text, f"the total row should say {total} min"
    hours, minutes = divmod(total, 60)
    assert f"{hours} h {minutes:02d} min" in text


def test_page_rows_are_distinct_consecutive_sections():
    headings = _page_slide_headings(PAGE.read_text(encoding="utf-8"))
    assert len(headings) >= 50
    assert all(a != b for a, b in zip(headings, headings[1:])), "merge consecutive rows of one section"
    assert all(headings), "every row names its slide heading"


@pytest.mark.skipif(not DECK.is_file(), reason=f"the course's deck is not here ({DECK})")
def test_every_slide_section_has_a_row_in_deck_order():
    deck = _deck_headings(DECK.read_text(encoding="utf-8"))
    page = _page_slide_headings(PAGE.read_text(encoding="utf-8"))
    # the deck's sections must appear among the page's rows in the same order (a subsequence)
    rows = iter(enumerate(page))
    for heading in deck:
        assert any(row == heading for _, row in rows), \
            f"no row for the slide section {heading!r} (or it is out of the deck's order)"


def test_deck_reader_on_a_small_deck():
    deck = "# Loss\n\n## Loss function\n\ntext\n\n# Loss\n\n## Loss function\n\nmore\n\n" \
           "# Learning curve\n\nWhere is optimal point?\n\n# Adam\n\n## ~~Role~~ – x\n"
    assert _deck_headings(deck) == ["loss function", "learning curve", "role - x"]
