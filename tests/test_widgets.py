"""lablib.widgets: build each explorer, move its sliders, check that it recomputed and redrew."""
import numpy as np
import pytest
from matplotlib.colors import to_hex

from lablib import landscapes as ls
from lablib import widgets as w
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
    assert set(ex.sliders) == {"lr", "momentum", "steps", "x0"}
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
    assert set(ex.sliders) == {"lr", "momentum", "steps", "x0", "y0"}
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
    assert labels == ["SGD (diverged)", "Adam"] and ex.result["SGD"].diverged


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
