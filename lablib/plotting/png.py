"""Smaller PNG figures for the web: a 256-colour palette where the eye cannot tell the difference.

matplotlib writes a figure as a full-colour PNG. A plot has few colours (its lines, its
colour map, white, grey, and the antialiased mixes at their edges), and a 256-colour
palette image of it is two to four times smaller. :func:`compact_png` makes that image with
Pillow (which matplotlib itself depends on) and keeps it only when it is visually the
same: the mean difference per channel at most ``max_mean_error`` of 255 levels, no pixel
losing its transparency. The book uses it for chapter 4's step frames and, when the site is
built, for every figure (``_ext/book_site.py``).
"""
from __future__ import annotations

import io

__all__ = ["compact_png", "MAX_MEAN_ERROR"]

#: Largest mean per-channel difference (of 255 levels) a palette image may have (0.5: invisible).
MAX_MEAN_ERROR = 0.5

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def compact_png(png: bytes, max_mean_error: float = MAX_MEAN_ERROR) -> bytes:
    """``png`` as a 256-colour palette PNG if that is smaller and looks the same, else ``png``.

    Parameters
    ----------
    png : bytes
        A PNG image.
    max_mean_error : float
        The largest mean difference per channel and pixel, in levels of 255, that is accepted.

    Returns
    -------
    bytes
        A PNG image, never larger than ``png``.

    Raises
    ------
    ValueError
        If ``png`` is not PNG data, or ``max_mean_error`` is negative.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(3, 2)); _ = ax.plot([0, 1, 0.5])
    >>> buf = io.BytesIO(); fig.savefig(buf, format="png"); plt.close(fig)
    >>> small = compact_png(buf.getvalue())
    >>> len(small) < len(buf.getvalue()) / 2
    True
    """
    import numpy as np
    from PIL import Image

    if not isinstance(png, (bytes, bytearray)) or bytes(png[:8]) != _PNG_SIGNATURE:
        raise ValueError("compact_png() needs PNG data (bytes starting with the PNG signature)")
    if not max_mean_error >= 0:
        raise ValueError(f"max_mean_error must be >= 0, got {max_mean_error!r}")
    image = Image.open(io.BytesIO(png))
    if image.mode == "P":                                   # already a palette image
        return bytes(png)
    rgba = np.asarray(image.convert("RGBA"))
    opaque = bool((rgba[..., 3] == 255).all())
    source = image.convert("RGB") if opaque else image.convert("RGBA")
    method = Image.Quantize.MEDIANCUT if opaque else Image.Quantize.FASTOCTREE
    palette = source.quantize(colors=256, method=method, dither=Image.Dither.NONE)
    back = np.asarray(palette.convert(source.mode), dtype=float)
    error = np.abs(back - np.asarray(source, dtype=float)).mean()
    if not opaque and not np.array_equal(back[..., 3] == 0, rgba[..., 3] == 0):
        return bytes(png)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    small = out.getvalue()
    if error > max_mean_error or len(small) >= len(png):
        return bytes(png)
    return small
