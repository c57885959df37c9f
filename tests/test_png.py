"""lablib.plotting.png.compact_png: smaller, and the same to the eye, or left as it is."""
import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from lablib.plotting.png import MAX_MEAN_ERROR, compact_png

matplotlib.use("Agg")


def _png(fig, **kwargs) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", **kwargs)
    plt.close(fig)
    return buf.getvalue()


def _pixels(png: bytes, mode="RGBA") -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert(mode), dtype=float)


def test_a_plot_with_a_colour_map_gets_much_smaller_and_looks_the_same():
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    x, y = np.meshgrid(np.linspace(-2, 2, 200), np.linspace(-2, 2, 200))
    ax.contourf(x, y, x**2 + 3 * y**2, levels=30)
    ax.plot([-2, 2], [1, -1], color="C1", lw=2, label="a path")
    ax.set_title("loss contours"); ax.legend()
    original = _png(fig)
    small = compact_png(original)
    assert len(small) < 0.6 * len(original)
    assert Image.open(io.BytesIO(small)).mode == "P"
    assert np.abs(_pixels(small) - _pixels(original)).mean() <= MAX_MEAN_ERROR
    assert _pixels(small).shape == _pixels(original).shape


def test_an_image_a_palette_cannot_hold_is_left_as_it_is():
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, size=(120, 160, 3), dtype=np.uint8)    # thousands of colours
    buf = io.BytesIO(); Image.fromarray(noise).save(buf, format="PNG")
    assert compact_png(buf.getvalue()) == buf.getvalue()
    assert compact_png(buf.getvalue(), max_mean_error=255) != buf.getvalue()   # unless told to accept


def test_transparency_is_kept():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    original = _png(fig, transparent=True)
    small = compact_png(original)
    alpha_before, alpha_after = _pixels(original)[..., 3], _pixels(small)[..., 3]
    assert np.array_equal(alpha_before == 0, alpha_after == 0)


def test_a_palette_image_comes_back_unchanged_and_nothing_grows():
    fig, ax = plt.subplots(figsize=(2, 2)); ax.plot([0, 1])
    once = compact_png(_png(fig))
    assert compact_png(once) == once
    tiny = io.BytesIO(); Image.new("RGB", (1, 1), "white").save(tiny, format="PNG")
    assert len(compact_png(tiny.getvalue())) <= len(tiny.getvalue())


@pytest.mark.parametrize("bad, message", [(b"GIF89a...", "needs PNG data"), ("a string", "needs PNG data")])
def test_what_is_not_png_is_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        compact_png(bad)


def test_a_negative_error_budget_is_refused():
    tiny = io.BytesIO(); Image.new("RGB", (2, 2), "white").save(tiny, format="PNG")
    with pytest.raises(ValueError, match="max_mean_error must be >= 0"):
        compact_png(tiny.getvalue(), max_mean_error=-1)
