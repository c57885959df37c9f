"""lablib.plotting.korean: Hangul renders with no missing glyph, minus signs render, no side effects."""
import io
import json
import logging
import subprocess
import sys
import types
import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager

from lablib.plotting import korean
from lablib.plotting.korean import (KOREAN_FONT_FAMILY, korean_font_families, korean_font_files,
                                    missing_glyphs, register_korean_font, use_korean_font)

# Every Hangul syllable the book's figures and glossary are likely to use, plus rarer ones.
KOREAN_SAMPLE = "기울기 학습률 손실 함수 옵티마이저 확률적 경사 하강법 에폭 미니배치 역전파 모멘텀 과적합 똠얌꿳뷁"
DISTINCT_SYLLABLES = "기울학습률손실함수"


@pytest.fixture
def fresh_rc():
    """Run a test inside its own rc_context, starting from matplotlib's defaults."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        yield


def _glyph_bitmaps(chars, fontfamily=None):
    """Render each character alone (Agg, large) and return its grey-level bitmap, cropped to ink."""
    out = []
    for char in chars:
        fig = plt.figure(figsize=(1, 1), dpi=100)
        fig.text(0.5, 0.5, char, fontsize=48, ha="center", va="center", fontfamily=fontfamily)
        fig.canvas.draw()
        grey = np.asarray(fig.canvas.buffer_rgba())[..., :3].mean(axis=2)
        plt.close(fig)
        ink = grey < 128
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        assert rows.size and cols.size, f"nothing drawn for {char!r}"
        out.append(ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])
    return out


def _all_distinct(bitmaps):
    return all(a.shape != b.shape or not np.array_equal(a, b)
               for i, a in enumerate(bitmaps) for b in bitmaps[i + 1:])


def test_importing_changes_nothing():
    code = ("import json, matplotlib\nfrom matplotlib import font_manager as fm\n"
            "before = {k: repr(v) for k, v in matplotlib.rcParams.items()}\n"
            "n = len(fm.fontManager.ttflist)\n"
            "import lablib.plotting.korean\n"
            "after = {k: repr(v) for k, v in matplotlib.rcParams.items()}\n"
            "print(json.dumps([before == after, n == len(fm.fontManager.ttflist),\n"
            "                  'koreanize_matplotlib' in __import__('sys').modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.splitlines()[-1]) == [True, True, False]
    assert "Warning" not in out.stderr, out.stderr


def test_without_the_font_hangul_is_missing(fresh_rc):
    """The control: the checks below would fail if the font were not used."""
    assert missing_glyphs("기울기") == "기울"
    with pytest.warns(UserWarning, match=r"Glyph \d+ .*HANGUL SYLLABLE .* missing from font"):
        fig, ax = plt.subplots()
        ax.set_title("기울기")
        fig.canvas.draw()
    # missing glyphs are all drawn as the same empty box
    with pytest.warns(UserWarning, match="missing from font"):
        boxes = _glyph_bitmaps(DISTINCT_SYLLABLES[:3])
    assert not _all_distinct(boxes)


def test_korean_figure_renders_every_glyph_and_the_minus_sign(fresh_rc, caplog):
    assert use_korean_font() == KOREAN_FONT_FAMILY
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("error")        # "Glyph ... missing from font(s)" becomes an error
        fig, ax = plt.subplots(figsize=(4, 3))
        x = np.linspace(-3, 3, 7)
        ax.plot(x, -x ** 2, label="손실 함수 (loss function)")
        ax.plot(x, x - 2, label="기울기 (gradient) −∇L")
        ax.set_title("학습률 η = 0.1 · 에폭 (epoch)", fontweight="bold")
        ax.set_xlabel("가중치 $w$")
        ax.set_ylabel(KOREAN_SAMPLE[:12])
        ax.legend(title="옵티마이저")
        fig.text(0.01, 0.01, KOREAN_SAMPLE, fontsize=6)
        fig.canvas.draw()
        for fmt in ("png", "pdf", "svg"):
            fig.savefig(io.BytesIO(), format=fmt)
        tick_labels = [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert not [r for r in caplog.records if "findfont" in r.getMessage()], caplog.text
    negatives = [t for t in tick_labels if t.startswith("-")]
    assert negatives and not any("\u2212" in t for t in tick_labels), tick_labels
    texts = tick_labels + [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    assert missing_glyphs("".join(texts)) == ""
    assert missing_glyphs(KOREAN_SAMPLE + "-0123456789") == ""


def test_glyphs_are_real_shapes_not_boxes(fresh_rc):
    families = korean_font_families()
    assert _all_distinct(_glyph_bitmaps(DISTINCT_SYLLABLES, families))
    (minus,) = _glyph_bitmaps("-", families)
    height, width = minus.shape
    assert width > 2 * height, "the minus sign should be a flat dash, not a box"


def test_the_font_has_no_unicode_minus_which_is_why_it_is_switched_off():
    register_korean_font()
    assert missing_glyphs("\u2212", [KOREAN_FONT_FAMILY]) == "\u2212"
    assert missing_glyphs("-", [KOREAN_FONT_FAMILY]) == ""


def test_use_korean_font_keeps_fallbacks_and_is_idempotent(fresh_rc):
    matplotlib.rcParams["font.family"] = ["serif"]
    use_korean_font()
    use_korean_font()
    assert matplotlib.rcParams["font.family"] == [KOREAN_FONT_FAMILY, "serif"]
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    assert matplotlib.rcParams["font.size"] == matplotlib.rcParamsDefault["font.size"]


def test_register_is_idempotent_and_changes_no_style(fresh_rc):
    register_korean_font()
    before_rc = dict(matplotlib.rcParams)
    count = len(font_manager.fontManager.ttflist)
    assert register_korean_font() == KOREAN_FONT_FAMILY
    assert len(font_manager.fontManager.ttflist) == count
    assert dict(matplotlib.rcParams) == before_rc
    entries = [e for e in font_manager.fontManager.ttflist if e.name == KOREAN_FONT_FAMILY]
    assert sorted(e.weight for e in entries) == [400, 700]
    bold = font_manager.findfont(font_manager.FontProperties(family=[KOREAN_FONT_FAMILY], weight="bold"))
    assert str(bold).endswith("NanumGothicBold.ttf")


def test_font_files_come_from_the_package_and_say_how_to_install(monkeypatch, tmp_path):
    paths = korean_font_files()
    assert all(p.is_file() and p.parent.name == "fonts" for p in paths)
    assert "koreanize_matplotlib" in str(paths[0])
    monkeypatch.setattr(korean.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match="pip install koreanize-matplotlib"):
        korean_font_files()
    with pytest.raises(ModuleNotFoundError):
        use_korean_font()
    (tmp_path / "fonts").mkdir()
    fake = types.SimpleNamespace(submodule_search_locations=[str(tmp_path)])
    monkeypatch.setattr(korean.importlib.util, "find_spec", lambda name: fake)
    with pytest.raises(FileNotFoundError, match="NanumGothic.ttf.*reinstall"):
        korean_font_files()


def test_missing_glyphs_rejects_bad_input():
    with pytest.raises(ValueError, match="text must be a str"):
        missing_glyphs(b"\xea\xb8\xb0")
    with pytest.raises(ValueError, match="at least one"):
        missing_glyphs("x", [])
    with pytest.raises(ValueError, match="no installed font.*No Such Font"):
        missing_glyphs("x", ["No Such Font"])
    assert missing_glyphs(" \n\t", ["DejaVu Sans"]) == ""
    assert missing_glyphs("기기기", "DejaVu Sans") == "기"
