"""lablib.widgets: build each explorer, move its sliders, check that it recomputed and redrew."""
import io

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from PIL import Image

from lablib import landscapes as ls
from lablib import widgets as w
from lablib.plotting import landscapes as pl
from lablib.plotting import optimizer_color


def _path_lines(ex, label):
    return [ln for ln in ex.figure.axes[0].lines if ln.get_label().startswith(label)]


def test_gd_explorer_redraws_when_the_learning_rate_moves():
    ex = w.gd_explorer(lr=0.01, steps=30)
    assert isinstance(ex, w.Explorer) and ex.redraws == 1
    assert ex.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    before_png, before_xy = ex.image.value, _path_lines(ex, "GD")[0].get_xydata().copy()
    ex.sliders["lr"].value = 0.3
    assert ex.redraws == 2 and ex.image.value != before_png
    after_xy = _path_lines(ex, "GD")[0].get_xydata()
    assert not np.allclose(before_xy, after_xy)
    ref = ls.trajectory("GD", ls.quartic(), -0.1, 30, lr=0.3)
    np.testing.assert_allclose(after_xy[:, 0], ref.path[:, 0])          # the drawn path is the run
    np.testing.assert_allclose(ex.figure.axes[1].lines[0].get_ydata(), ref.losses)
    assert to_hex(_path_lines(ex, "GD")[0].get_color()) == optimizer_color("GD").lower()


def test_steps_and_start_sliders():
    ex = w.gd_explorer(lr=0.3, steps=30)
    ex.sliders["steps"].value = 5
    assert ex.result["GD"].steps == 5 and len(_path_lines(ex, "GD")[0].get_xdata()) == 6
    ex.sliders["x0"].value = -0.5          # left of the local maximum: ends in the local minimum
    assert ex.redraws == 3
    assert ex.result["GD"].path[0, 0] == -0.5
    ex.sliders["steps"].value = 200
    np.testing.assert_allclose(ex.result["GD"].final, ls.quartic().minima[1], atol=1e-6)


def test_momentum_explorer_moves_with_the_momentum_slider():
    ex = w.momentum_explorer(lr=0.01, momentum=0.9, steps=50)
    assert set(ex.sliders) == {"lr", "momentum", "steps", "x0", "show SGD", "show Momentum"}
    first = ex.result["Momentum"].path.copy()
    line = _path_lines(ex, "Momentum")[0].get_xdata().copy()
    ex.sliders["momentum"].value = 0.5
    assert ex.redraws == 2 and not np.allclose(first, ex.result["Momentum"].path)
    assert not np.allclose(line, _path_lines(ex, "Momentum")[0].get_xdata())
    ref = ls.trajectory("Momentum", ls.quartic(), -0.1, 50, lr=0.01, momentum=0.5)
    np.testing.assert_allclose(ex.result["Momentum"].path, ref.path)
    # SGD does not depend on momentum
    np.testing.assert_allclose(ex.result["SGD"].path, ls.trajectory("SGD", ls.quartic(), -0.1, 50, lr=0.01).path)
    ex.sliders["momentum"].value = 0.0
    np.testing.assert_array_equal(ex.result["SGD"].path, ex.result["Momentum"].path)


def test_two_dimensional_explorer_with_start_sliders_and_divergence():
    L = ls.elongated_bowl()
    ex = w.optimizer_explorer(L, (-6.0, 2.0), lr=0.1, steps=30)
    assert set(ex.sliders) == {"lr", "momentum", "steps", "x0", "y0",
                               "show SGD", "show Momentum", "show RMSprop", "show Adam"}
    ex.sliders["y0"].value = -1.0
    assert ex.redraws == 2
    for name in ("SGD", "Momentum", "RMSprop", "Adam"):
        assert ex.result[name].path[0].tolist() == [-6.0, -1.0]
        np.testing.assert_allclose(_path_lines(ex, name)[0].get_xydata(), ex.result[name].path)
    ex = w.optimizer_explorer(ls.rosenbrock(), (-1.5, 2.0), ["SGD", "Adam"], lr=0.0002, steps=30,
                              lr_range=(1e-4, 1.0))
    assert not ex.result["SGD"].diverged
    ex.sliders["lr"].value = 0.1            # far beyond 2 / (largest curvature): SGD blows up
    labels = [t.get_text() for t in ex.figure.axes[0].get_legend().get_texts()]
    assert labels == ["SGD (diverged)", "Adam", "start", "end"] and ex.result["SGD"].diverged


def test_explorer_without_start_sliders_and_a_custom_explorer():
    ex = w.trajectory_explorer(ls.round_bowl(), (1.0, 1.0), ["Nesterov"], lr=0.1, momentum=0.5, start=False)
    assert set(ex.sliders) == {"lr", "momentum", "steps"}
    assert ex.result["Nesterov"].settings["nesterov"] is True
    calls = []
    custom = w.Explorer({"a": w.momentum_slider(0.2)}, compute=lambda a: a * 2,
                        draw=lambda r, axes: (calls.append(r), axes[0].plot([0, r])), ncols=1)
    custom.sliders["a"].value = 0.4
    assert calls == [0.4, 0.8] and custom.redraws == 2 and custom.result == 0.8
    assert custom.values() == {"a": 0.4}


def test_bad_arguments():
    with pytest.raises(ValueError, match="outside"):
        w.lr_slider(2.0)
    with pytest.raises(ValueError, match="low < high"):
        w.lr_slider(0.1, 1.0, 0.01)
    with pytest.raises(ValueError, match="momentum"):
        w.momentum_slider(0.995)
    with pytest.raises(ValueError, match="momentum"):
        w.momentum_slider(-0.1)
    with pytest.raises(ValueError, match="steps"):
        w.steps_slider(0)
    with pytest.raises(ValueError, match="steps"):
        w.steps_slider(300, high=200)
    with pytest.raises(ValueError, match="high"):
        w.steps_slider(1, high=0)
    with pytest.raises(ValueError, match="outside"):
        w.gd_explorer(x0=3.0)
    with pytest.raises(ValueError, match="coordinate"):
        w.optimizer_explorer(ls.saddle(), 1.0)
    with pytest.raises(ValueError, match="outside"):
        w.trajectory_explorer(ls.saddle(), (1.0, 5.0), start=False)
    with pytest.raises(ValueError, match="unknown optimizer"):
        w.trajectory_explorer(ls.saddle(), (1.0, 1.0), ["Adamax"])
    with pytest.raises(ValueError, match="Landscape"):
        w.trajectory_explorer("quartic", 0.0)
    with pytest.raises(ValueError, match="slider"):
        w.Explorer({}, compute=lambda: None, draw=lambda r, a: None)


def test_colab_widget_manager_is_enabled_only_on_colab(monkeypatch):
    import sys
    import types

    calls = []
    colab = types.ModuleType("google.colab")
    colab.output = types.SimpleNamespace(enable_custom_widget_manager=lambda: calls.append("on"))
    google = types.ModuleType("google")
    google.colab = colab
    w.Explorer({"a": w.momentum_slider(0.2)}, compute=lambda a: a, draw=lambda r, axes: None, ncols=1)
    assert calls == []
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    w.Explorer({"a": w.momentum_slider(0.2)}, compute=lambda a: a, draw=lambda r, axes: None, ncols=1)
    assert calls == ["on"]


# ---------------------------------------------------------------- fast redraws: only what moved is drawn


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _full_draw(ex):
    """The explorer's figure drawn in full (as savefig does), as pixels."""
    buf = io.BytesIO()
    ex.figure.savefig(buf, format="png", dpi=ex.dpi)
    return _pixels(buf.getvalue())


def _count_full_draws(ex, monkeypatch):
    calls = []
    draw = ex.canvas.draw
    monkeypatch.setattr(ex.canvas, "draw", lambda: (calls.append(1), draw()))
    return calls


def test_slider_moves_draw_only_the_runs_and_show_the_same_picture_as_a_full_draw(monkeypatch):
    ex = w.momentum_explorer(lr=0.01, momentum=0.9, steps=50)
    ex.sliders["momentum"].value = 0.5     # wider tick labels than at the start: a new layout (see below)
    ex.sliders["momentum"].value = 0.6     # saves a picture of the still part
    full_draws = _count_full_draws(ex, monkeypatch)
    for value in (0.7, 0.3, 0.0):
        ex.sliders["momentum"].value = value
        np.testing.assert_array_equal(_pixels(ex.image.value), _full_draw(ex))
    assert full_draws == []                # the landscape was not drawn again
    for name, value in [("lr", 0.05), ("steps", 120), ("x0", 0.8)]:
        ex.sliders[name].value = value
        np.testing.assert_array_equal(_pixels(ex.image.value), _full_draw(ex))
    assert ex.redraws == 9
    # the same drawing as an explorer opened at these settings (its layout may leave less room)
    fresh = w.momentum_explorer(x0=0.8, lr=0.05, momentum=0.0, steps=120)
    for ax, ax_fresh in zip(ex.axes, fresh.axes):
        np.testing.assert_allclose(ax.get_xlim(), ax_fresh.get_xlim())
        np.testing.assert_allclose(ax.get_ylim(), ax_fresh.get_ylim())
        assert len(ax.lines) == len(ax_fresh.lines)
        for line, line_fresh in zip(ax.lines, ax_fresh.lines):
            np.testing.assert_array_equal(line.get_xydata(), line_fresh.get_xydata())
            assert line.get_label() == line_fresh.get_label()


def test_wider_tick_labels_lay_the_figure_out_again(monkeypatch):
    ex = w.momentum_explorer(x0=1.0, lr=0.01, momentum=0.95, steps=150)
    full_draws = _count_full_draws(ex, monkeypatch)
    settings = dict(lr=0.00107, momentum=0.62, steps=9, x0=-0.475)   # losses -0.0485 ... -0.0505: long labels
    for name, value in settings.items():
        ex.sliders[name].value = value
    assert len(full_draws) >= 2          # the saved picture, then a new layout
    renderer = ex.canvas.get_renderer()
    assert ex.axes[1].yaxis.label.get_window_extent(renderer).x0 > ex.axes[0].bbox.x1   # "loss" clear of the left plot
    fresh = w.momentum_explorer(**settings)           # the layout an explorer opened here gets
    for ax, ax_fresh in zip(ex.axes, fresh.axes):
        np.testing.assert_allclose(ax.bbox.bounds, ax_fresh.bbox.bounds, atol=0.5)
    np.testing.assert_array_equal(_pixels(ex.image.value), _full_draw(ex))
    before = len(full_draws)
    for value in (0.6, 0.5, 0.7):                   # the new layout is kept: only the runs are drawn
        ex.sliders["momentum"].value = value
    assert len(full_draws) == before + 1            # (one to save the picture of the still part)
    np.testing.assert_array_equal(_pixels(ex.image.value), _full_draw(ex))


def test_two_dimensional_moves_with_divergence_match_a_full_draw():
    ex = w.optimizer_explorer(ls.rosenbrock(), (-1.5, 2.0), ["SGD", "Adam"], lr=0.0002, steps=30,
                              lr_range=(1e-4, 1.0))
    legend = lambda: [t.get_text() for t in ex.axes[0].get_legend().get_texts()]   # noqa: E731
    ex.sliders["lr"].value = 0.1
    assert legend() == ["SGD (diverged)", "Adam", "start", "end"]
    assert ex.axes[1].get_ylim()[1] > 1e5                        # the loss axis follows the blow-up
    np.testing.assert_array_equal(_pixels(ex.image.value), _full_draw(ex))
    ex.sliders["lr"].value = 0.001
    assert legend() == ["SGD", "Adam", "start", "end"] and not ex.result["SGD"].diverged
    assert ex.axes[1].get_ylim()[1] < 20                         # and comes back
    np.testing.assert_allclose(_path_lines(ex, "SGD")[0].get_xydata(), ex.result["SGD"].path)
    np.testing.assert_array_equal(_pixels(ex.image.value), _full_draw(ex))


def test_sliders_follow_a_drag_continuously():
    ex = w.optimizer_explorer(ls.elongated_bowl(), (-6.0, 2.0), lr=0.1, steps=20)
    sliders = [s for name, s in ex.sliders.items() if not name.startswith("show ")]
    assert sliders and all(s.continuous_update for s in sliders)


def test_the_status_line_gives_each_runs_result():
    ex = w.optimizer_explorer(ls.rosenbrock(), (-1.5, 2.0), ["SGD", "Adam"], lr=0.0002, steps=30,
                              lr_range=(1e-4, 1.0))
    sgd, adam = ex.result["SGD"], ex.result["Adam"]
    assert ex.status_line.value == (f"SGD: loss {sgd.final_loss:.3g} after 30 steps  ·  "
                                    f"Adam: loss {adam.final_loss:.3g} after 30 steps")
    ex.sliders["lr"].value = 0.1
    n = ex.result["SGD"].steps
    assert ex.result["SGD"].diverged and n < 30
    assert ex.status_line.value.startswith(f"SGD: diverged after {n} step{'s' * (n != 1)}  ·  Adam: loss ")


def test_toggles_show_and_hide_runs_and_keep_one_on():
    ex = w.optimizer_explorer(ls.elongated_bowl(), (-6.0, 2.0), lr=0.1, steps=20)
    legend = lambda: [t.get_text() for t in ex.axes[0].get_legend().get_texts()]   # noqa: E731
    assert legend() == ["SGD", "Momentum", "RMSprop", "Adam", "start", "end"]
    ex.sliders["show RMSprop"].value = False
    assert list(ex.result) == ["SGD", "Momentum", "Adam"]
    assert legend() == ["SGD", "Momentum", "Adam", "start", "end"]
    assert "RMSprop" not in ex.status_line.value
    assert not [line for line in ex.axes[0].lines if (line.get_gid() or "").startswith("RMSprop")]
    np.testing.assert_array_equal(_pixels(ex.image.value), _full_draw(ex))
    ex.sliders["lr"].value = 0.05                      # a slider move after a toggle: the fast path again
    np.testing.assert_array_equal(_pixels(ex.image.value), _full_draw(ex))
    for name in ("SGD", "Momentum", "Adam"):
        ex.sliders[f"show {name}"].value = False
    assert ex.sliders["show Adam"].value is True and list(ex.result) == ["Adam"]   # the last stays on
    ex.sliders["show RMSprop"].value = True
    assert list(ex.result) == ["RMSprop", "Adam"]      # in the book's order


def test_one_optimizer_gets_no_toggle_and_layout_controls_are_checked():
    assert not [n for n in w.gd_explorer().sliders if n.startswith("show ")]
    with pytest.raises(ValueError, match="not among the controls"):
        w.Explorer({"a": w.lr_slider()}, lambda a: None, lambda r, axes: None, layout_controls=["b"])


def test_update_helpers_give_the_drawn_lines_new_runs():
    L = ls.quartic()
    runs = ls.compare(["SGD", "Momentum"], L, -0.1, 20, lr=0.05)
    fig = Figure()
    left, right = fig.subplots(1, 2)
    pl.plot_trajectories(L, runs, ax=left)
    pl.plot_loss_histories(runs, ax=right)
    new = ls.compare(["SGD", "Momentum"], L, 0.9, 40, lr=0.02, momentum=0.5)
    assert pl.update_trajectories(L, new, left, max_points=30) is left
    assert pl.update_loss_histories(new, right) is right
    w_new = new["Momentum"].path[:30, 0]
    path, start, end = [ln for ln in left.lines if ln.get_gid() and ln.get_gid().startswith("Momentum")]
    np.testing.assert_allclose(path.get_xydata(), np.c_[w_new, L.value(w_new)])
    np.testing.assert_allclose(start.get_xydata(), [[0.9, L(0.9)]])
    np.testing.assert_allclose(end.get_xydata(), [[w_new[-1], L(w_new[-1])]])
    # the loss axis has the limits a fresh drawing of the new runs has
    fresh = Figure().subplots()
    pl.plot_loss_histories(new, ax=fresh)
    np.testing.assert_allclose(right.get_ylim(), fresh.get_ylim())
    np.testing.assert_allclose(right.get_xlim(), fresh.get_xlim())
    np.testing.assert_allclose(right.lines[1].get_ydata(), new["Momentum"].losses)
    # with minimum and log, as plot_loss_histories draws them
    ax = pl.plot_loss_histories(runs, ax=Figure().subplots(), minimum=L(L.minima[1]), log=True)
    pl.update_loss_histories(new, ax, minimum=L(L.minima[1]), log=True)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.maximum(new["SGD"].losses - L(L.minima[1]), 1e-16))


def test_update_helpers_bad_arguments():
    L = ls.round_bowl()
    runs = {"SGD": np.array([[1.0, 1.0], [0.5, 0.5]])}
    ax = pl.plot_trajectories(L, runs, ax=Figure().subplots())
    with pytest.raises(ValueError, match="no run labelled 'Adam'"):
        pl.update_trajectories(L, {"Adam": runs["SGD"]}, ax)
    with pytest.raises(ValueError, match="axis"):
        pl.update_trajectories(L, runs, None)
    with pytest.raises(ValueError, match="max_points"):
        pl.update_trajectories(L, runs, ax, max_points=0)
    with pytest.raises(ValueError, match="shape"):
        pl.update_trajectories(L, {"SGD": np.array([[1.0], [0.5]])}, ax)
    with pytest.raises(ValueError, match="Landscape"):
        pl.update_trajectories("round bowl", runs, ax)
    losses = pl.plot_loss_histories({"SGD": [2.0, 1.0]}, ax=Figure().subplots(), log=True)
    with pytest.raises(ValueError, match="plot_loss_histories"):
        pl.update_loss_histories({"Adam": [1.0]}, losses)
    with pytest.raises(ValueError, match="axis"):
        pl.update_loss_histories({"SGD": [1.0]}, None)
    with pytest.raises(ValueError, match="non-empty"):
        pl.update_loss_histories({"SGD": []}, losses)
    with pytest.raises(ValueError, match="positive"):
        pl.update_loss_histories({"SGD": [1.0, -1.0]}, losses, log=True)


def test_custom_explorer_with_update_redraws_what_lies_above_the_change():
    def draw(a, axes):
        axes[0].plot([0, 1], [0, a], lw=8, color="C0", zorder=2)
        axes[0].text(0.5, 0.25, "above the line", fontsize=20, zorder=5)     # drawn over the line
        axes[0].set_xlim(0, 1)
        axes[0].set_ylim(0, 1)

    def update(a, axes):
        line = axes[0].lines[0]
        line.set_ydata([0, a])
        if a < 0.6:
            return [line]
        axes[0].set_title(f"a = {a}")          # now the title changes too: another set of artists moves
        return [line, axes[0].title]

    ex = w.Explorer({"a": w.momentum_slider(0.2)}, compute=lambda a: a, draw=draw, ncols=1, update=update)
    for a in (0.4, 0.5, 0.7, 0.3):
        ex.sliders["a"].value = a
        np.testing.assert_array_equal(_pixels(ex.image.value), _full_draw(ex))
    assert list(ex.axes[0].lines[0].get_ydata()) == [0, 0.3] and ex.redraws == 5
    assert ex.axes[0].get_title() == "a = 0.7"
    still = w.Explorer({"a": w.momentum_slider(0.2)}, compute=lambda a: a, draw=draw, ncols=1,
                       update=lambda a, axes: [])          # nothing changed: the same picture
    first = still.image.value
    still.sliders["a"].value = 0.9
    assert still.redraws == 2 and still.image.value == first
    bad = w.Explorer({"a": w.momentum_slider(0.2)}, compute=lambda a: a, draw=draw, ncols=1,
                     update=lambda a, axes: None)
    with pytest.raises(ValueError, match="must return"):
        bad.sliders["a"].value = 0.3
