r"""A learning-rate / momentum explorer that needs no kernel: paths computed at build time, drawn in the browser.

An ipywidgets slider on the book's website moves but never redraws its plot:
there is no kernel behind the page. :class:`PathExplorer` runs the optimizers
(with :func:`lablib.runs.sweep`) for every setting on a grid — learning
rate (학습률) :math:`\alpha` times momentum (모멘텀) :math:`\gamma`, for each
optimizer chosen — and writes one self-contained piece of HTML: the landscape's
contours as a picture (:func:`lablib.plotting.explorer.backdrop`), every path as
a line over it, and a few lines of JavaScript that show the path for the
settings under the sliders (``lablib/web/explorer.js``, styled by ``explorer.css``).
No kernel, no network, nothing loaded from elsewhere.

In a notebook the same object shows the live ipywidgets version
(:func:`lablib.widgets.trajectory_explorer`) instead: its output carries both
the widget and the HTML, and the book's ``_config.yml``
(``nb_mime_priority_overrides``) makes the website choose the HTML.

>>> from lablib.landscapes import elongated_bowl
>>> ex = PathExplorer(elongated_bowl(), (-6.0, 2.0), ["SGD", "Momentum"], steps=40,
...                   lrs=[0.1, 0.5], momenta=[0.0, 0.9], lr=0.1, momentum=0.9)
>>> ex.run("Momentum", lr=0.5, momentum=0.9).settings
{'lr': 0.5, 'momentum': 0.9}
>>> "<svg" in ex.html() and "<script" in ex.html()
True

Introduced in chapter 7.
"""
from __future__ import annotations

import hashlib
import html as _html
import itertools
import json
import math
from typing import Sequence

import numpy as np

from . import landscapes as _ls
from ._validate import positive_int as _positive_int
from . import runs as _runs
from . import optimizers as _optimizers
from . import web
from .figure_language import translate

__all__ = ["PathExplorer", "LR_GRID", "MOMENTUM_GRID", "path_data"]

#: The default learning rates: a 1-2-5 series from 0.001 to 1.
LR_GRID = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
#: The default momenta (0 is plain SGD).
MOMENTUM_GRID = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99)

_UNITS = 2          # SVG units per CSS pixel of the picture: paths are stored to half a pixel
_counter = itertools.count()


def _grid(values, name: str, low: float, high: float, low_open: bool) -> tuple:
    if isinstance(values, (str, bytes)):
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}")
    try:
        out = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}") from None
    if not out:
        raise ValueError(f"{name} must hold at least one value")
    if any(not math.isfinite(v) for v in out) or any(b <= a for a, b in zip(out, out[1:])):
        raise ValueError(f"{name} must be finite and strictly increasing, got {list(out)}")
    if (out[0] <= low if low_open else out[0] < low) or out[-1] > high:
        interval = f"({low:g}, {high:g}]" if low_open else f"[{low:g}, {high:g}]"
        raise ValueError(f"{name} must lie in {interval}, got {list(out)}")
    return out


def _takes_momentum(name: str) -> bool:
    return _optimizers.get(name).takes_momentum


def _fmt(v: float) -> str:
    return f"{v:g}"


def _number_string(values) -> str:
    """Integers joined as compactly as SVG path data allows (a minus sign separates too)."""
    parts = []
    for k, v in enumerate(values):
        s = str(int(v))
        parts.append(s if (k == 0 or s.startswith("-")) else " " + s)
    return "".join(parts)


def _clip_segment(p, q, lo, hi):
    """The part of segment p->q inside the box [lo, hi] (Liang–Barsky), or None."""
    t0, t1 = 0.0, 1.0
    d = q - p
    for axis in range(2):
        for sign, bound in ((-1.0, lo[axis]), (1.0, hi[axis])):
            denom = sign * d[axis]
            num = sign * (bound - p[axis])
            if denom == 0:
                if num < 0:
                    return None
            elif denom > 0:
                t1 = min(t1, num / denom)
            else:
                t0 = max(t0, num / denom)
    if t0 > t1:
        return None
    return p + t0 * d, p + t1 * d


def path_data(points, box) -> str:
    """SVG path data for picture points, clipped to ``box`` = ``(x, y, w, h)`` grown by its size on each side.

    Coordinates are rounded to whole SVG units; consecutive repeats are dropped
    (they draw nothing); a path that leaves the grown box is cut there and
    resumes (with a new ``M``) where it comes back. Relative ``l`` commands keep
    the string short.

    Examples
    --------
    >>> path_data([[0, 0], [10, 0], [10, 0], [10, 5]], (0, 0, 100, 100))
    'M0 0l10 0 0 5'
    >>> path_data([[0, 0], [1000, 0], [0, 10]], (0, 0, 100, 100))    # out and back
    'M0 0l200 0M200 8l-200 2'
    """
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {pts.shape}")
    x, y, w, h = box
    lo, hi = np.array([x - w, y - h]), np.array([x + 2 * w, y + 2 * h])
    pieces: list[list] = []
    inside_prev = False
    for k, p in enumerate(pts):
        if not np.all(np.isfinite(p)):
            break
        inside = bool(np.all(p >= lo) and np.all(p <= hi))
        if k == 0:
            if inside:
                pieces.append([p])
        elif inside and inside_prev:
            pieces[-1].append(p)
        else:
            seg = _clip_segment(pts[k - 1], p, lo, hi)
            if seg is not None:
                a, b = seg
                if inside_prev:
                    pieces[-1].append(b)
                else:
                    pieces.append([a, b])
        inside_prev = inside
    out = []
    for piece in pieces:
        q = np.rint(np.array(piece)).astype(int)
        keep = np.ones(len(q), bool)
        keep[1:] = np.any(q[1:] != q[:-1], axis=1)
        q = q[keep]
        cmd = "M" + _number_string(q[0])
        if len(q) > 1:
            cmd += "l" + _number_string(np.diff(q, axis=0).ravel())
        out.append(cmd)
    return "".join(out)


class PathExplorer:
    r"""Optimizer paths on a landscape for a grid of settings, shown with sliders in the browser.

    For every optimizer in ``optimizers``, every learning rate in ``lrs`` and
    (for the optimizers that take one: ``takes_momentum`` in :data:`lablib.optimizers.OPTIMIZERS`)
    every momentum in ``momenta``, a run of ``steps`` updates from ``x0``:

    .. math::

        w_{t+1} = w_t - \alpha\, d_t(\gamma), \qquad t = 0, \dots, \text{steps} - 1,

    with the step direction :math:`d_t` of the optimizer (for SGD with momentum,
    :math:`b_t = \gamma b_{t-1} + g_t` and :math:`d_t = b_t`). Display the object
    in a notebook cell: the website shows the kernel-free HTML (:meth:`html`),
    a live notebook the ipywidgets explorer (:meth:`widget`).

    Parameters
    ----------
    landscape : lablib.landscapes.Landscape
        1-D (paths drawn on the curve) or 2-D (paths drawn over the contours).
    x0 : float or (x, y)
        The start point, inside the landscape's drawn range.
    optimizers : sequence of str
        Names from :data:`lablib.optimizers.OPTIMIZERS`; with more than one,
        each gets a check box.
    steps : int
        Updates per run, 1 to 1000.
    lrs : sequence of float
        The learning rates of the slider, increasing, in (0, 10].
    momenta : sequence of float
        The momenta of the slider, increasing, in [0, 0.99]
        (used only if an optimizer takes a momentum).
    lr, momentum : float, optional
        The slider's first position; must be one of ``lrs`` / ``momenta``
        (default: the middle learning rate, momentum 0.9 or the nearest).
    title : str, optional
        The picture's title (default: the landscape's name).
    max_grad_norm : float, optional
        Passed to every run (gradient clipping, 기울기 클리핑).

    Attributes
    ----------
    runs : dict of str to list
        ``runs[name][i]`` (no momentum) or ``runs[name][i][j]`` (momentum
        optimizers): the :class:`lablib.runs.Trajectory` for ``lrs[i]``
        and ``momenta[j]``.

    Examples
    --------
    >>> from lablib.landscapes import quartic
    >>> ex = PathExplorer(quartic(), -0.1, ["SGD", "Momentum"], steps=50,
    ...                   lrs=[0.01, 0.1], momenta=[0.0, 0.9], lr=0.01)
    >>> round(float(ex.run("Momentum", lr=0.01, momentum=0.9).final[0]), 4)  # escapes to the global minimum
    0.6375
    >>> round(float(ex.run("SGD", lr=0.01).final[0]), 4)
    -0.0411

    Introduced in chapter 7.
    """

    def __init__(self, landscape, x0, optimizers: Sequence[str] = ("SGD", "Momentum"), steps: int = 100,
                 lrs: Sequence[float] = LR_GRID, momenta: Sequence[float] = MOMENTUM_GRID,
                 lr: float | None = None, momentum: float | None = None, title: str | None = None,
                 max_grad_norm: float | None = None):
        start = _ls._check_start(landscape, x0, within_bounds=True)
        names = _optimizers.check_names(optimizers)
        steps = _positive_int(steps, "steps", at_most=1000)
        self.lrs = _grid(lrs, "lrs", 0.0, 10.0, low_open=True)
        self.momenta = _grid(momenta, "momenta", 0.0, 0.99, low_open=False)
        self.uses_momentum = any(_takes_momentum(n) for n in names)
        if lr is None:
            lr = self.lrs[(len(self.lrs) - 1) // 2]
        if lr not in self.lrs:
            raise ValueError(f"lr={lr!r} is not one of the slider's learning rates {list(self.lrs)}")
        if momentum is None:
            momentum = min(self.momenta, key=lambda m: abs(m - 0.9))
        if momentum not in self.momenta:
            raise ValueError(f"momentum={momentum!r} is not one of the slider's momenta {list(self.momenta)}")
        self.landscape = landscape
        self.x0 = start
        self.optimizers = names
        self.steps = int(steps)
        self.lr = float(lr)
        self.momentum = float(momentum)
        self.title = landscape.name if title is None else title
        self.max_grad_norm = max_grad_norm
        self._html = None
        self._widget = None
        self.runs = {}
        for name in names:
            if _takes_momentum(name):
                flat = _runs.sweep(name, landscape, start, self.steps,
                                 {"lr": self.lrs, "momentum": self.momenta}, max_grad_norm=max_grad_norm)
                m = len(self.momenta)
                self.runs[name] = [flat[i * m:(i + 1) * m] for i in range(len(self.lrs))]
            else:
                self.runs[name] = _runs.sweep(name, landscape, start, self.steps, {"lr": self.lrs},
                                            max_grad_norm=max_grad_norm)

    def __repr__(self) -> str:
        grid = f"{len(self.lrs)} learning rates" + (f" x {len(self.momenta)} momenta" if self.uses_momentum else "")
        return (f"PathExplorer({', '.join(self.optimizers)} on {self.landscape.name}: {grid}, "
                f"{self.steps} steps)")

    def run(self, name: str, lr: float, momentum: float | None = None):
        """The stored run of optimizer ``name`` at a grid setting (a Trajectory)."""
        if name not in self.runs:
            raise ValueError(f"{name!r} is not one of this explorer's optimizers {self.optimizers}")
        if lr not in self.lrs:
            raise ValueError(f"lr={lr!r} is not on the grid {list(self.lrs)}")
        row = self.runs[name][self.lrs.index(lr)]
        if not _takes_momentum(name):
            if momentum not in (None, 0, 0.0):
                raise ValueError(f"{name} takes no momentum, got momentum={momentum!r}")
            return row
        momentum = self.momentum if momentum is None else momentum
        if momentum not in self.momenta:
            raise ValueError(f"momentum={momentum!r} is not on the grid {list(self.momenta)}")
        return row[self.momenta.index(momentum)]

    # ------------------------------------------------------------------ the web page's version

    def _status(self, t) -> str:
        return translate(t.status)

    def _picture_points(self, t, bd) -> np.ndarray:
        if self.landscape.dim == 1:
            x, y = t.path[:, 0], t.losses
        else:
            x, y = t.path[:, 0], t.path[:, 1]
        return bd.to_picture(x, y) * _UNITS

    def html(self) -> str:
        """The explorer as one self-contained HTML fragment (a picture, paths, sliders and a script)."""
        if self._html is None:
            self._html = self._make_html()
        return self._html

    def _repr_html_(self) -> str:
        return self.html()

    @property
    def nbytes(self) -> int:
        """Size of :meth:`html` in bytes (UTF-8): what the explorer adds to a page."""
        return len(self.html().encode("utf-8"))

    def save(self, path) -> None:
        """Write :meth:`html` as a complete web page (UTF-8) to ``path``."""
        page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<link rel=\"icon\" href=\"data:,\">"
                f"<title>{_html.escape(self.title)}</title></head>\n<body>\n{self.html()}\n</body></html>\n")
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)

    def _make_html(self) -> str:
        import base64

        from .plotting.explorer import backdrop

        bd = backdrop(self.landscape, title=self.title)
        box = tuple(v * _UNITS for v in bd.axes_box)
        opts, runs = [], []
        for name in self.optimizers:
            entry = _optimizers.get(name)
            with_m = entry.takes_momentum
            opts.append({"name": name, "color": entry.color, "m": with_m})

            def entry(t):
                return [path_data(self._picture_points(t, bd), box), self._status(t)]

            rows = self.runs[name]
            runs.append([[entry(t) for t in row] for row in rows] if with_m else [entry(t) for t in rows])
        data = {"lrs": [_fmt(v) for v in self.lrs], "momenta": [_fmt(v) for v in self.momenta],
                "opts": opts, "runs": runs}
        blob = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha1(blob.encode() + bd.image).hexdigest()[:8]
        uid = f"lx-{digest}-{next(_counter)}"
        i0 = self.lrs.index(self.lr)
        j0 = self.momenta.index(self.momentum)
        W, H = bd.width * _UNITS, bd.height * _UNITS
        esc = _html.escape
        parts = [f'<div class="lablib-explorer" id="{uid}">', web.style("explorer.css", uid)]
        # the controls
        parts.append('<div class="lx-controls">')
        parts.append(f'<label>{esc(translate("learning rate α"))} <input type="range" class="lx-lr" min="0" '
                     f'max="{len(self.lrs) - 1}" step="1" value="{i0}" '
                     f'aria-label="{esc(translate("learning rate"))}"> '
                     f'<output class="lx-lr-out">{_fmt(self.lr)}</output></label>')
        if self.uses_momentum:
            parts.append(f'<label>{esc(translate("momentum γ"))} <input type="range" class="lx-momentum" '
                         f'min="0" max="{len(self.momenta) - 1}" step="1" value="{j0}" '
                         f'aria-label="{esc(translate("momentum"))}"> '
                         f'<output class="lx-momentum-out">{_fmt(self.momentum)}</output></label>')
        if len(opts) > 1:
            parts.append('<span class="lx-opts">')
            for k, o in enumerate(opts):
                parts.append(f'<label><input type="checkbox" class="lx-opt" data-k="{k}" checked> '
                             f'<span class="lx-swatch" style="background:{o["color"]}"></span>'
                             f'{esc(o["name"])}</label>')
            parts.append('</span>')
        parts.append('</div>')
        # the picture: the landscape, then one path per optimizer (a white halo under a coloured line)
        picture = base64.b64encode(bd.image).decode("ascii")
        bx, by, bw, bh = (round(v, 1) for v in box)
        label = translate(f"{', '.join(self.optimizers)} on {self.landscape.name}, starting at "
                          "(" + ", ".join(_fmt(v) for v in self.x0) + ")")
        parts.append(f'<svg class="lx-plot" viewBox="0 0 {W} {H}" role="img" aria-label="{esc(label)}">'
                     f'<image href="data:{bd.mime};base64,{picture}" x="0" y="0" width="{W}" height="{H}"/>'
                     f'<defs><clipPath id="{uid}-clip"><rect x="{bx}" y="{by}" width="{bw}" height="{bh}"/>'
                     '</clipPath>')
        for k, o in enumerate(opts):
            c = o["color"]
            first = runs[k][i0][j0] if o["m"] else runs[k][i0]
            parts.append(
                f'<path id="{uid}-d{k}" class="lx-d-{k}" d="{first[0]}"/>'
                f'<marker id="{uid}-dot{k}" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" '
                f'refX="5" refY="5"><circle cx="5" cy="5" r="4" fill="{c}"/></marker>'
                f'<marker id="{uid}-start{k}" markerUnits="userSpaceOnUse" markerWidth="16" markerHeight="16" '
                f'refX="8" refY="8"><rect x="2" y="2" width="12" height="12" fill="{c}" stroke="black" '
                f'stroke-width="1.5"/></marker>'
                f'<marker id="{uid}-end{k}" markerUnits="userSpaceOnUse" markerWidth="20" markerHeight="20" '
                f'refX="10" refY="10"><circle cx="10" cy="10" r="7" fill="white" stroke="{c}" '
                f'stroke-width="3"/></marker>')
        parts.append(f'</defs><g clip-path="url(#{uid}-clip)" fill="none" stroke-linejoin="round">')
        for k, o in enumerate(opts):
            parts.append(
                f'<g class="lx-path-{k}"><use href="#{uid}-d{k}" stroke="white" stroke-width="6" '
                f'stroke-opacity="0.75"/><use href="#{uid}-d{k}" stroke="{o["color"]}" stroke-width="3" '
                f'marker-start="url(#{uid}-start{k})" marker-mid="url(#{uid}-dot{k})" '
                f'marker-end="url(#{uid}-end{k})"/></g>')
        parts.append('</g></svg>')
        # what each run did, for the settings shown
        parts.append('<ul class="lx-status" aria-live="polite">')
        for k, o in enumerate(opts):
            first = runs[k][i0][j0] if o["m"] else runs[k][i0]
            parts.append(f'<li class="lx-status-{k}"><span class="lx-swatch" style="background:{o["color"]}">'
                         f'</span>{esc(o["name"])}: <span class="lx-text-{k}">{esc(first[1])}</span></li>')
        parts.append('</ul>')
        safe_blob = blob.replace("</", "<\\/")          # cannot end the script element early
        parts.append(f'<script type="application/json" class="lx-data">{safe_blob}</script>')
        parts.append(web.script("explorer.js", uid))     # shows the runs for the sliders' settings
        parts.append('</div>')
        return "".join(parts)

    # ------------------------------------------------------------------ the notebook's version

    def widget(self, new: bool = False):
        """The live ipywidgets explorer with the same landscape, start, optimizers and settings.

        It recomputes on every slider move, so its learning rate and momentum are
        not limited to the grid, and it has sliders for the number of steps and the
        start point too. See :func:`lablib.widgets.trajectory_explorer`.

        The explorer shown in the notebook is made once and kept; ``new=True`` builds
        another one, for a check that must not depend on, or move, the reader's sliders.
        """
        if new or self._widget is None:
            from . import widgets

            made = widgets.trajectory_explorer(
                self.landscape, self.x0 if self.landscape.dim == 2 else float(self.x0[0]),
                self.optimizers, lr=self.lr, momentum=self.momentum if self.uses_momentum else None,
                steps=self.steps, lr_range=(self.lrs[0], self.lrs[-1]), max_steps=max(200, self.steps),
                start=True)
            if new:
                return made
            self._widget = made
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Both versions: Jupyter shows the widget, the website (``nb_mime_priority_overrides``) the HTML."""
        bundle = {"text/plain": repr(self), "text/html": self.html()}
        try:
            view = self.widget()._repr_mimebundle_()
        except ImportError:               # no ipywidgets: the HTML version only
            return bundle
        bundle.update({k: v for k, v in (view or {}).items() if k != "text/plain"})
        return bundle

