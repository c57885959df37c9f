"""Sliders for chapters 5-8: learning rate, momentum, start point and steps, redrawn live.

ipywidgets glue only. Each explorer wires its sliders to one computation from
:mod:`lablib.runs` (:func:`~lablib.runs.compare`) and one drawing
from :mod:`lablib.plotting.landscapes`; when a slider moves it recomputes the
runs and redraws the figure into an image widget (this works the same in
JupyterLab, classic Jupyter and Colab, and needs no interactive matplotlib
backend). The landscape is drawn once; a move redraws only the runs and the
loss plot, which takes a fraction of the time of drawing it all again.

These sliders need a running kernel. The chapters show them through
:class:`lablib.explorer.PathExplorer`, whose output carries this widget and a
kernel-free HTML twin: the book's website shows the twin, whose sliders
redraw in the browser from runs computed when the book was built (on a
grid of settings). Any other ipywidget on the website is greyed out, with a
note that it needs a notebook (``_ext/book_site.py``).

Every function returns the widget (an :class:`Explorer`), so that a test can
build it and move a slider without a screen::

    ex = momentum_explorer()
    ex.sliders["momentum"].value = 0.5      # recomputes and redraws
    ex.result["Momentum"].path              # the run now shown

Introduced in chapter 5.
"""
from __future__ import annotations

import html
import io
import math
import sys
from typing import Callable, Mapping, Sequence

import ipywidgets as widgets
import numpy as np

from . import landscapes as _ls
from . import runs as _runs
from ._validate import positive_int as _positive_int
from .figure_language import translate
from .optimizers import check_names
from .plotting import landscapes as _pl

__all__ = [
    "Explorer", "lr_slider", "momentum_slider", "steps_slider", "start_sliders",
    "trajectory_explorer", "gd_explorer", "momentum_explorer", "optimizer_explorer",
]

_STYLE = {"description_width": "initial"}
_LAYOUT = {"width": "360px"}


def lr_slider(value: float = 0.01, low: float = 1e-3, high: float = 1.0) -> widgets.FloatLogSlider:
    """A learning-rate (학습률) slider on a log scale from ``low`` to ``high``.

    Examples
    --------
    >>> s = lr_slider(0.3)
    >>> s.value, s.min, s.max
    (0.3, -3.0, 0.0)
    """
    if not (0 < low < high and math.isfinite(high)):
        raise ValueError(f"need 0 < low < high for the learning-rate range, got {low!r}, {high!r}")
    if not low <= value <= high:
        raise ValueError(f"learning rate {value!r} is outside the slider's range [{low:g}, {high:g}]")
    return widgets.FloatLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high), step=0.01,
                                  description=translate("learning rate α"), readout_format=".3g",
                                  continuous_update=True, style=_STYLE, layout=_LAYOUT)


def momentum_slider(value: float = 0.9) -> widgets.FloatSlider:
    """A momentum (모멘텀) slider from 0 to 0.99 in steps of 0.01.

    Examples
    --------
    >>> momentum_slider(0.95).max
    0.99
    """
    if not 0 <= value <= 0.99:
        raise ValueError(f"momentum {value!r} is outside the slider's range [0, 0.99]")
    return widgets.FloatSlider(value=value, min=0.0, max=0.99, step=0.01, description=translate("momentum γ"),
                               readout_format=".2f", continuous_update=True, style=_STYLE, layout=_LAYOUT)


def steps_slider(value: int = 50, high: int = 200) -> widgets.IntSlider:
    """A slider for the number of updates, 1 to ``high``.

    Examples
    --------
    >>> steps_slider(30).value
    30
    """
    high = _positive_int(high, "high")
    value = _positive_int(value, "steps", at_most=high)
    return widgets.IntSlider(value=value, min=1, max=high, description=translate("steps"),
                             continuous_update=True, style=_STYLE, layout=_LAYOUT)


def start_sliders(landscape, x0) -> dict:
    """Sliders for the start point, one per weight, spanning the landscape's bounds.

    Returns ``{"x0": slider}`` for a 1-D landscape and ``{"x0": ..., "y0": ...}`` for a 2-D one.

    Examples
    --------
    >>> from lablib.landscapes import quartic
    >>> start_sliders(quartic(), -0.1)["x0"].value
    -0.1
    """
    start = _ls._check_start(landscape, x0, within_bounds=True)
    names = ["x0"] if landscape.dim == 1 else ["x0", "y0"]
    labels = ["start w₀"] if landscape.dim == 1 else ["start x₀", "start y₀"]
    out = {}
    for name, label, v, (lo, hi) in zip(names, labels, start, landscape.bounds):
        out[name] = widgets.FloatSlider(value=float(v), min=float(lo), max=float(hi), step=(hi - lo) / 400,
                                        description=translate(label), readout_format=".3f", continuous_update=True,
                                        style=_STYLE, layout=_LAYOUT)
    return out


def _enable_colab_widgets() -> None:
    """On Colab, turn on the widget manager that ipywidgets 8 needs there (elsewhere: nothing)."""
    if "google.colab" in sys.modules:
        try:
            from google.colab import output

            output.enable_custom_widget_manager()
        except Exception:        # an older or newer Colab without it: the core widgets may still work
            pass


class Explorer(widgets.VBox):
    """Sliders, a computation and a drawing: moving a slider recomputes and redraws.

    Parameters
    ----------
    sliders : dict of str to widget
        Their values are passed to ``compute`` by these names.
    compute : callable
        ``compute(**values)`` returns a result (e.g. a dict of Trajectory).
    draw : callable
        ``draw(result, axes)`` draws the result on the figure's axes.
    ncols : int
        Number of side-by-side axes.
    figsize : (float, float)
    dpi : int
        Pixels per inch of the image.
    status : callable, optional
        ``status(result)`` returns a line of text shown under the controls (e.g. each
        run's final loss, or where it diverged), updated with every redraw.
    layout_controls : sequence of str
        Controls (by name) whose change alters what is drawn, not only where (e.g. which
        optimizers are shown): they make the figure be drawn afresh.
    update : callable, optional
        ``update(result, axes)`` gives the artists that ``draw`` made the new
        result's data (e.g. with :func:`lablib.plotting.landscapes.update_trajectories`)
        and returns the artists (or whole axes) it changed. With it, the
        figure is drawn in full only once, and a slider move redraws just the
        changed artists over a saved picture of the rest ("blitting"): the
        landscape, its contours and the layout stay. That is several times
        faster, and the picture is the same as a full draw. Without
        ``update``, every move draws the figure afresh.

    Attributes
    ----------
    sliders : dict
    result
        What ``compute`` returned for the current slider values.
    figure : matplotlib.figure.Figure
        The figure as last drawn (made without pyplot, so it is never shown twice).
    axes : array of matplotlib Axes
        The figure's axes, as passed to ``draw`` and ``update``.
    image : ipywidgets.Image
        The PNG of the figure that the notebook shows.
    redraws : int
        How many times the figure has been drawn.
    status_line : ipywidgets.HTML
        The ``status`` text (empty without ``status``).

    Sliders update continuously while dragged (a redraw takes well under 0.2 s).

    Introduced in chapter 5.
    """

    def __init__(self, sliders: Mapping[str, widgets.Widget], compute: Callable, draw: Callable,
                 ncols: int = 2, figsize=(10.0, 4.0), dpi: int = 90, update: Callable | None = None,
                 status: Callable | None = None, layout_controls=()):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        if not sliders:
            raise ValueError("an Explorer needs at least one slider")
        _enable_colab_widgets()
        self.sliders = dict(sliders)
        self.compute = compute
        self.draw = draw
        self.update = update
        self.ncols = int(ncols)
        self.dpi = dpi
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)     # renders to pixels, no pyplot, no screen
        self.axes = None
        self._moving, self._still = [], None      # for update: the artists redrawn, a picture of the rest
        self._room = {}                           # where each axis' labels were when laid out
        self.image = widgets.Image(format="png", layout={"max_width": "100%"})
        self.status = status
        self.status_line = widgets.HTML()
        unknown = [name for name in layout_controls if name not in self.sliders]
        if unknown:
            raise ValueError(f"layout_controls {unknown} are not among the controls {list(self.sliders)}")
        self._layout_controls = {id(self.sliders[name]) for name in layout_controls}
        self.result = None
        self.redraws = 0
        for s in self.sliders.values():
            s.observe(self._on_change, names="value")
        super().__init__([widgets.HBox([widgets.VBox(list(self.sliders.values()))]), self.status_line,
                          self.image])
        self.redraw()

    def values(self) -> dict:
        """The sliders' current values by name."""
        return {name: s.value for name, s in self.sliders.items()}

    def _on_change(self, change):
        if id(change.get("owner")) in self._layout_controls:
            self.axes = None                       # a different set of artists: draw afresh
        self.redraw()

    def redraw(self) -> None:
        """Recompute with the current slider values and redraw the figure."""
        self.result = self.compute(**self.values())
        if self.update is not None and self.axes is not None:
            self._draw_changes(self.update(self.result, self.axes))
        else:
            self.figure.clear()
            self.axes = self.figure.subplots(1, self.ncols, squeeze=False)[0]
            self.draw(self.result, self.axes)
            if self.update is None:
                self.canvas.draw()             # constrained layout places the axes on every draw
            else:
                self._lay_out()
        self.image.value = _png(self.canvas)
        if self.status is not None:
            self.status_line.value = html.escape(self.status(self.result))
        self.redraws += 1

    def _lay_out(self) -> None:
        """Draw the figure with constrained layout, then keep the axes where it put them.

        Working the layout out takes longer than the rest of a redraw, so it is
        done again only when an axis outgrows the room it was given (wider
        tick labels, say).
        """
        self.figure.set_layout_engine("constrained")
        self.canvas.draw()
        self.figure.set_layout_engine("none")
        self._room = {ax: _labels_box(ax, self.canvas.get_renderer()) for ax in self.figure.axes}
        self._moving = []                      # the saved picture of the still part is out of date

    def _draw_changes(self, changed) -> None:
        """Draw the changed artists over a saved picture of everything else (blitting)."""
        moving = self._moving_artists(changed)
        if not moving:                         # nothing changed: the canvas shows it already
            return
        if moving != self._moving:     # the first move (or other artists move now): save the still part
            animated = [artist.get_animated() for artist in moving]
            for artist in moving:
                artist.set_animated(True)      # a full draw on the screen leaves animated artists out
            self.canvas.draw()
            for artist, flag in zip(moving, animated):
                artist.set_animated(flag)      # as before: savefig would leave out an animated axis
            self._still = self.canvas.copy_from_bbox(self.figure.bbox)
            self._moving = moving
        self.canvas.restore_region(self._still)
        for artist in moving:
            self.figure.draw_artist(artist)
        for ax in [a for a in moving if a in self._room]:
            if not _fits(_labels_box(ax, self.canvas.get_renderer()), self._room[ax]):
                self._lay_out()                # e.g. wider tick labels would overlap the next axis
                break

    def _moving_artists(self, changed) -> list:
        """The changed artists and, to keep the stacking of a full draw, all drawn above them.

        In a full draw each axis draws its artists from low to high ``zorder``;
        the changed artists are drawn last here, so whatever lies above them
        (markers, the legend) is drawn again after them, in the same order.
        """
        if changed is None:
            raise ValueError("update(result, axes) must return the artists (or axes) it changed")
        changed = list(changed)
        moving = []
        for ax in self.figure.axes:           # (with any twin axes that draw added)
            if ax in changed:                  # a whole axis (e.g. its limits changed)
                moving.append(ax)
                continue
            mine = [a for a in changed if a.axes is ax]
            if mine:
                lowest = min(a.get_zorder() for a in mine)
                above = [a for a in ax.get_children() if a is not ax.patch and a.get_zorder() >= lowest]
                moving += sorted(above, key=lambda a: a.get_zorder())     # stable, as in Axes.draw
        return moving + [a for a in changed if a.axes is None]            # e.g. a figure title


def _labels_box(ax, renderer):
    """The box around an axis' title, axis labels and offset texts, as last drawn (in pixels).

    They sit just outside the tick labels, so the box grows when the tick labels do.
    """
    from matplotlib.transforms import Bbox

    texts = [ax.title, ax.xaxis.label, ax.yaxis.label, ax.xaxis.offsetText, ax.yaxis.offsetText]
    return Bbox.union([t.get_window_extent(renderer) for t in texts if t.get_visible()])


def _fits(box, room, tolerance: float = 1.0) -> bool:
    """Whether the bounding box ``box`` lies inside ``room`` (both in pixels)."""
    return (box.x0 >= room.x0 - tolerance and box.y0 >= room.y0 - tolerance
            and box.x1 <= room.x1 + tolerance and box.y1 <= room.y1 + tolerance)


def _png(canvas) -> bytes:
    """The canvas as last drawn, as PNG bytes (a fast zlib level: the image only goes to the browser)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()


def trajectory_explorer(landscape, x0, optimizers: Sequence[str] = ("GD",), lr: float = 0.01,
                        momentum: float | None = None, steps: int = 50, lr_range=(1e-3, 1.0),
                        max_steps: int = 200, start: bool = True, figsize=(10.0, 4.0),
                        toggles: bool | None = None) -> Explorer:
    """Runs of one or more optimizers on a landscape, with sliders; the path on the left, the loss on the right.

    Parameters
    ----------
    landscape : Landscape
    x0 : float or (x, y)
        The initial start point.
    optimizers : sequence of str
        Names from :data:`lablib.optimizers.OPTIMIZERS`, all run with the slider's learning rate.
    lr, momentum, steps : initial slider values
        ``momentum=None`` shows no momentum slider (the optimizers then use 0.9 if they take one).
    lr_range : (low, high)
        The learning-rate slider's range (log scale).
    max_steps : int
        The steps slider's maximum.
    start : bool
        Show sliders for the start point.
    toggles : bool, optional
        A checkbox per optimizer to show or hide its run (default: when there are
        several); at least one stays on.

    Returns
    -------
    Explorer
        Under the controls, a line gives each shown run's final loss, or the step
        where it diverged; the legend explains the start and end markers.

    Examples
    --------
    >>> from lablib.landscapes import quartic
    >>> ex = trajectory_explorer(quartic(), -0.1, ["GD"], lr=0.3, steps=20)
    >>> ex.sliders["lr"].value = 0.6
    >>> ex.redraws, round(ex.result["GD"].final_loss, 4)
    (2, -0.1966)
    >>> ex.status_line.value
    'GD: loss -0.197 after 20 steps'

    Introduced in chapter 5.
    """
    _ls._check_landscape(landscape)
    names = check_names(optimizers)
    toggles = len(names) > 1 if toggles is None else bool(toggles)
    sliders = {"lr": lr_slider(lr, *lr_range)}
    if momentum is not None:
        sliders["momentum"] = momentum_slider(momentum)
    sliders["steps"] = steps_slider(steps, max_steps)
    start_point = np.array(x0, dtype=float).reshape(-1)
    if start:
        sliders.update(start_sliders(landscape, start_point))
    else:
        start_sliders(landscape, start_point)            # validates x0 all the same

    shown = {}
    if toggles:
        shown = {name: widgets.Checkbox(value=True, description=name, indent=False,
                                        layout={"width": "auto"}) for name in names}

        def keep_one_on(change):          # hiding every run would leave nothing to explore
            if not any(box.value for box in shown.values()):
                change["owner"].value = True

        for box in shown.values():
            box.observe(keep_one_on, names="value")
        sliders.update({f"show {name}": box for name, box in shown.items()})

    def compute(lr, steps, momentum=0.9, x0=None, y0=None, **show):
        point = start_point if x0 is None else ([x0] if y0 is None else [x0, y0])
        chosen = [n for n in names if show.get(f"show {n}", True)]
        return _runs.compare(chosen, landscape, point, steps, lr=lr, momentum=momentum)

    def status(runs):
        return "  ·  ".join(f"{name}: {translate(t.status)}" for name, t in runs.items())

    def draw(runs, axes):
        _pl.plot_trajectories(landscape, runs, ax=axes[0])
        _pl.explain_markers(axes[0])
        axes[0].set_title(landscape.name)
        _pl.plot_loss_histories(runs, ax=axes[1])
        axes[1].set_title("loss against iteration")

    def update(runs, axes):
        _pl.update_trajectories(landscape, runs, ax=axes[0])
        _pl.update_loss_histories(runs, ax=axes[1])
        paths = [line for line in axes[0].lines if line.get_gid()]   # the runs' lines, named when drawn
        return paths + [axes[1]]               # the loss plot's limits change too: all of it is redrawn

    return Explorer(sliders, compute, draw, ncols=2, figsize=figsize, update=update, status=status,
                    layout_controls=[f"show {name}" for name in shown])


def gd_explorer(landscape=None, x0=-0.1, lr: float = 0.01, steps: int = 30, **kwargs) -> Explorer:
    """Gradient descent with a learning-rate slider (chapter 5); the quartic by default.

    Examples
    --------
    >>> ex = gd_explorer(lr=0.4)
    >>> sorted(ex.sliders), ex.redraws
    (['lr', 'steps', 'x0'], 1)

    Introduced in chapter 5.
    """
    landscape = _ls.quartic() if landscape is None else landscape
    return trajectory_explorer(landscape, x0, ["GD"], lr=lr, steps=steps, **kwargs)


def momentum_explorer(landscape=None, x0=-0.1, lr: float = 0.01, momentum: float = 0.9,
                      steps: int = 50, **kwargs) -> Explorer:
    """SGD against SGD with momentum, with learning-rate and momentum sliders (chapter 7).

    Examples
    --------
    >>> ex = momentum_explorer()
    >>> ex.sliders["momentum"].value = 0.0      # momentum 0 is plain SGD
    >>> bool(np.array_equal(ex.result["SGD"].path, ex.result["Momentum"].path))
    True

    Introduced in chapter 7.
    """
    landscape = _ls.quartic() if landscape is None else landscape
    return trajectory_explorer(landscape, x0, ["SGD", "Momentum"], lr=lr, momentum=momentum,
                               steps=steps, **kwargs)


def optimizer_explorer(landscape, x0, optimizers: Sequence[str] = ("SGD", "Momentum", "RMSprop", "Adam"),
                       lr: float = 0.01, momentum: float = 0.9, steps: int = 100, **kwargs) -> Explorer:
    """Several optimizers from one start with one learning rate, with sliders (chapter 8).

    Examples
    --------
    >>> from lablib.landscapes import elongated_bowl
    >>> ex = optimizer_explorer(elongated_bowl(), (-6.0, 2.0), lr=0.1, steps=20)
    >>> list(ex.result)
    ['SGD', 'Momentum', 'RMSprop', 'Adam']

    Introduced in chapter 8.
    """
    return trajectory_explorer(landscape, x0, optimizers, lr=lr, momentum=momentum, steps=steps, **kwargs)
