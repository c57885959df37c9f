"""The picture behind the kernel-free explorer (:mod:`lablib.explorer`). matplotlib only.

:func:`backdrop` draws a landscape (its contours, or its curve) with
:func:`lablib.plotting.landscapes.plot_contour` / :func:`~lablib.plotting.landscapes.plot_curve`
into a small image (WebP or PNG) and reports where the axes' data coordinates land on that picture, so
that a browser can draw optimizer paths on top of it in SVG.

Introduced in chapter 7.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from .landscapes import plot_contour, plot_curve

__all__ = ["Backdrop", "backdrop"]


@dataclass
class Backdrop:
    """A landscape drawn as a PNG, and the map from data to the picture's coordinates.

    Attributes
    ----------
    image : bytes
        The picture, in the format ``mime`` says.
    mime : str
        ``"image/webp"`` or ``"image/png"``.
    width, height : int
        Its size in picture units (CSS pixels at 100 % zoom; the image itself has
        ``scale`` times as many pixels, for sharp high-density screens).
    scale : float
    axes_box : (x, y, w, h)
        The axes' plotting area in picture units, from the top-left corner.
    x_map, y_map : (offset, slope)
        ``u = offset + slope * x`` and ``v = offset + slope * y`` (``v`` grows downwards).
    """

    image: bytes
    mime: str
    width: int
    height: int
    scale: float
    axes_box: tuple
    x_map: tuple
    y_map: tuple

    def to_picture(self, x, y) -> np.ndarray:
        """Data coordinates -> picture coordinates, an array of shape ``(n, 2)``.

        Examples
        --------
        >>> from lablib.landscapes import round_bowl
        >>> b = backdrop(round_bowl(), figsize=(4, 4))
        >>> u, v = b.to_picture([-2.0, 2.0], [-2.0, 2.0]).T
        >>> bool(u[0] < u[1] and v[0] > v[1])      # right is right, up is up
        True
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        return np.stack([self.x_map[0] + self.x_map[1] * x, self.y_map[0] + self.y_map[1] * y], axis=-1)


def backdrop(landscape, figsize=(6.4, 4.4), scale: float = 1.5, image_format: str = "webp",
             quality: int = 80, colors: int | None = 32, title: str | None = None,
             **landscape_kw) -> Backdrop:
    r"""Draw ``landscape`` (contours if 2-D, the curve :math:`L(w)` if 1-D) as a small picture.

    Parameters
    ----------
    landscape : lablib.landscapes.Landscape
    figsize : (float, float)
        Inches at 100 picture units per inch.
    scale : float
        Image pixels per picture unit (1.5 is sharp enough on most phones and small).
    image_format : {"webp", "png"}
        WebP (lossy, at ``quality``) is 2 to 3 times smaller than a palette PNG for the
        shaded contours; every current browser shows it.
    quality : int
        WebP quality, 1 to 100.
    colors : int or None
        Save a PNG with a palette of this many colours (2 to 256; None: full colour).
    title : str, optional
        Defaults to the landscape's name.
    **landscape_kw
        Passed to ``plot_contour`` or ``plot_curve``.

    Returns
    -------
    Backdrop

    Examples
    --------
    >>> from lablib.landscapes import quartic
    >>> b = backdrop(quartic())
    >>> (b.width, b.height), b.mime, b.image[8:12]
    ((640, 440), 'image/webp', b'WEBP')
    >>> backdrop(quartic(), image_format="png").image[:4]
    b'\x89PNG'

    Introduced in chapter 7.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not (isinstance(scale, (int, float)) and 0.5 <= scale <= 4):
        raise ValueError(f"scale must be between 0.5 and 4, got {scale!r}")
    if image_format not in ("webp", "png"):
        raise ValueError(f"image_format must be 'webp' or 'png', got {image_format!r}")
    if not (isinstance(quality, int) and 1 <= quality <= 100):
        raise ValueError(f"quality must be an integer from 1 to 100, got {quality!r}")
    if colors is not None and not (isinstance(colors, int) and 2 <= colors <= 256):
        raise ValueError(f"colors must be an integer from 2 to 256, or None; got {colors!r}")
    if getattr(landscape, "dim", None) not in (1, 2):
        raise ValueError(f"expected a lablib.landscapes.Landscape, got {type(landscape).__name__}")
    dpi = 100 * scale
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if landscape.dim == 2:
        plot_contour(landscape, ax=ax, **landscape_kw)
    else:
        plot_curve(landscape, ax=ax, **landscape_kw)
    ax.set_title(landscape.name if title is None else title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    data = buf.getvalue()
    if image_format == "webp" or colors is not None:
        from PIL import Image

        picture = Image.open(io.BytesIO(data)).convert("RGB")
        buf = io.BytesIO()
        if image_format == "webp":
            picture.save(buf, format="WEBP", quality=quality, method=6)
        else:                           # a palette PNG: shaded contours shrink about 3 times
            picture = picture.quantize(colors=colors, method=Image.Quantize.MEDIANCUT,
                                       dither=Image.Dither.NONE)
            picture.save(buf, format="PNG", optimize=True)
        data = buf.getvalue()
    # the transforms now hold for the saved picture: PNG pixels, origin bottom-left;
    # divide by scale for picture units and flip for an origin at the top-left
    w_px, h_px = fig.canvas.get_width_height()
    width, height = w_px / scale, h_px / scale
    (u0, v0), (u1, v1) = ax.transData.transform([[0.0, 0.0], [1.0, 1.0]]) / scale
    x_map = (float(u0), float(u1 - u0))
    y_map = (float(height - v0), float(-(v1 - v0)))
    (bx0, by0), (bx1, by1) = ax.bbox.get_points() / scale
    box = (float(bx0), float(height - by1), float(bx1 - bx0), float(by1 - by0))
    return Backdrop(data, f"image/{image_format}", int(round(width)), int(round(height)), float(scale), box, x_map, y_map)
