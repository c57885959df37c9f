"""Step through a circuit's forward and backward pass with a slider (ipywidgets, live notebooks).

Only glue: the frames (each titled with what happens in its step) come from
:func:`lablib.graph.render_frames`. On the static site use :func:`lablib.graph.step_player`, which
shows the same frames with no kernel; a chapter puts it right before this widget.

Introduced in chapter 4.
"""
from __future__ import annotations

import ipywidgets as widgets

from lablib import graph
from lablib.figure_language import translate

__all__ = ["step_through"]


def step_through(root, dpi: int = 100) -> widgets.VBox:
    """A slider (with Play, Back and Next) over the steps of ``root``'s circuit.

    Parameters
    ----------
    root : Value or lablib.graph.Trace
        The output of the circuit.
    dpi : int, default 100
        Resolution of the frames.

    Returns
    -------
    ipywidgets.VBox
        Its ``.slider`` (IntSlider over the steps ``1, ..., n``, shown as "step k / n", as the
        website's player counts them), ``.image`` (Image, frame ``k - 1``, whose title says what
        happens in that step), ``.back`` and ``.forward`` (Buttons) and ``.frames`` (the PNG
        frames) are the parts a test can move and read.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from lablib.autograd import Value
    >>> w = step_through(Value(2.0, label="a") * Value(3.0, label="b"), dpi=40)
    >>> w.slider.min, w.slider.max, w.image.value == w.frames[0]
    (1, 4, True)
    >>> w.forward.click(); w.slider.value, w.image.value == w.frames[1]
    (2, True)

    Introduced in chapter 4.
    """
    t = root if isinstance(root, graph.Trace) else graph.trace(root)
    frames = graph.render_frames(t, dpi=dpi)
    n = len(frames)
    image = widgets.Image(value=frames[0], format="png", layout=widgets.Layout(max_width="100%"))
    slider = widgets.IntSlider(value=1, min=1, max=n, description=translate("step"), continuous_update=True)
    of_n = widgets.Label(f"/ {n}")
    play = widgets.Play(value=1, min=1, max=n, interval=1200, description=translate("play"))
    back = widgets.Button(description=translate("◀ back"), layout=widgets.Layout(width="6em"))
    forward = widgets.Button(description=translate("next ▶"), layout=widgets.Layout(width="6em"))
    widgets.jslink((play, "value"), (slider, "value"))

    def show(change):
        image.value = frames[change["new"] - 1]

    slider.observe(show, names="value")
    back.on_click(lambda _: setattr(slider, "value", max(slider.value - 1, 1)))
    forward.on_click(lambda _: setattr(slider, "value", min(slider.value + 1, n)))
    box = widgets.VBox([widgets.HBox([play, back, forward, slider, of_n]), image])
    box.slider, box.image, box.back, box.forward, box.frames = slider, image, back, forward, frames
    return box
