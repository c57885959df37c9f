"""lablib.plotting.landscapes: draws what it is given, on the given axis, in the book's colours."""
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from lablib import landscapes as ls
from lablib.plotting import landscapes as pl
from lablib.plotting import optimizer_color


@pytest.fixture
def no_runs(monkeypatch):
    """Plotting must never run an optimizer: make every run entry point explode."""
    def boom(*a, **k):
        raise AssertionError("a plot function ran an optimizer")

    for name in ("run", "trajectory", "sweep", "compare"):
        monkeypatch.setattr(ls, name, boom)


def _traj(path, label="", diverged=False, L=None):
    path = np.asarray(path, dtype=float)
    L = L or (ls.quartic() if path.shape[1] == 1 else ls.round_bowl())
    return ls.Trajectory(path, L(path), L.grad(path), diverged=diverged, label=label)


def test_curve_and_1d_path_draw_the_given_points(no_runs):
    L = ls.quartic()
    fig, ax = plt.subplots()
    path = np.array([[-0.1], [0.3], [0.7], [0.5]])
    assert pl.plot_path_1d(L, path, ax=ax, label="GD") is ax
    curve, steps, start, end = ax.lines
    np.testing.assert_allclose(curve.get_ydata(), L.value(curve.get_xdata()))
    np.testing.assert_allclose(steps.get_xydata(), np.c_[path[:, 0], L.value(path[:, 0])])
    np.testing.assert_allclose(start.get_xydata(), [[-0.1, L(-0.1)]])
    np.testing.assert_allclose(end.get_xydata(), [[0.5, L(0.5)]])
    assert to_hex(steps.get_color()) == optimizer_color("GD").lower()
    # minima and maxima marked, inside the curve's range
    offsets = np.vstack([c.get_offsets() for c in ax.collections])
    np.testing.assert_allclose(sorted(offsets[:, 0]), sorted(np.r_[L.minima.ravel(), L.maxima.ravel()]))
    # a Trajectory and a flat path are accepted; max_points cuts it
    ax2 = pl.plot_path_1d(L, _traj(path), max_points=2, curve=False)
    assert ax2.lines[0].get_xdata().tolist() == [-0.1, 0.3]
    ax3 = pl.plot_path_1d(L, path[:, 0], curve=False, color="#123456")
    assert to_hex(ax3.lines[0].get_color()) == "#123456"


def test_contour_and_2d_path(no_runs):
    L = ls.several_minima()
    fig, ax = plt.subplots()
    assert pl.plot_contour(L, ax=ax) is ax
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-2.0, 2.0)
    starred = [c for c in ax.collections if c.get_offsets().shape[0] == 4]
    assert any(np.allclose(np.sort(c.get_offsets(), axis=0), np.sort(L.minima, axis=0)) for c in starred)
    path = np.array([[1.5, 1.5], [1.0, 1.2], [0.9, 1.0]])
    pl.plot_path(path, ax=ax, label="Adam")
    line = ax.lines[0]
    np.testing.assert_allclose(line.get_xydata(), path)
    assert to_hex(line.get_color()) == optimizer_color("Adam").lower()
    # explicit levels, unfilled, custom bounds
    ax2 = pl.plot_contour(L, levels=[-1, 0, 1, 2], filled=False, bounds=[(-1, 1), (0, 2)])
    assert ax2.get_xlim() == (-1.0, 1.0) and ax2.get_ylim() == (0.0, 2.0)


def test_quantile_levels_follow_the_valley():
    fig, ax = plt.subplots()
    pl.plot_contour(ls.rosenbrock(), ax=ax, levels=10)
    levels = ax.collections[0].levels
    assert len(levels) == 10 and np.all(np.diff(levels) > 0)
    assert levels[5] < 0.1 * levels[-1]          # dense near the valley, not evenly spaced


def test_surface_with_path(no_runs):
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    path = np.array([[1.0, 0.1], [0.8, 0.2], [5.0, 5.0], [0.1, 0.1]])      # the third point leaves the box
    assert pl.plot_surface(ls.saddle(), ax=ax, path=path) is ax
    xs, ys, zs = ax.lines[0].get_data_3d()
    np.testing.assert_allclose(np.c_[xs, ys], path[:2])                    # drawn up to where it left
    np.testing.assert_allclose(zs, ls.saddle()(path[:2]))
    with pytest.raises(ValueError, match="3-D axis"):
        pl.plot_surface(ls.saddle(), ax=plt.subplots()[1])


def test_trajectories_colours_labels_and_divergence(no_runs):
    L = ls.round_bowl()
    runs = {"SGD": _traj([[1, 1], [0.5, 0.5]]), "Momentum": _traj([[1, 1], [3, 3]], diverged=True),
            "lr = 0.3": np.array([[1.0, 1.0], [0.2, 0.1]])}
    ax = pl.plot_trajectories(L, runs)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["SGD", "Momentum (diverged)", "lr = 0.3"]
    paths = [ln for ln in ax.lines if ln.get_label() in labels]
    assert [to_hex(ln.get_color()) for ln in paths[:2]] == [optimizer_color("SGD").lower(),
                                                           optimizer_color("Momentum").lower()]
    ax = pl.plot_trajectories(L, [_traj([[1, 1], [0, 0]], label="AdaGrad")], colors={"AdaGrad": "#111111"})
    assert to_hex(ax.lines[0].get_color()) == "#111111"
    ax = pl.plot_trajectories(ls.quartic(), {"GD": _traj([[-0.1], [0.2]])})
    assert ax.get_xlabel() == "$w$"
    with pytest.raises(ValueError, match="Trajectory"):
        pl.plot_trajectories(L, [np.zeros((2, 2))])


def test_loss_plots(no_runs):
    ax = pl.plot_losses(_traj([[1.0, 1.0], [0.5, 0.5], [0.1, 0.1]], label="RMSprop"))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [2.0, 0.5, 0.02])
    assert to_hex(ax.lines[0].get_color()) == optimizer_color("RMSprop").lower()
    ax = pl.plot_loss_histories({"SGD": [1.0, 0.5, 0.0], "Adam": _traj([[1.0, 1.0], [0.1, 0.1]])},
                                minimum=0.0, log=True)
    assert ax.get_yscale() == "log"
    assert ax.lines[0].get_ydata()[-1] == 1e-16       # exactly at the minimum: the floor
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [2.0, 0.02])
    with pytest.raises(ValueError, match="positive"):
        pl.plot_losses([1.0, -1.0], log=True)
    with pytest.raises(ValueError, match="1-D"):
        pl.plot_losses(np.zeros((2, 2)))


def test_bad_inputs():
    with pytest.raises(ValueError, match="1-D landscape"):
        pl.plot_curve(ls.saddle())
    with pytest.raises(ValueError, match="2-D landscape"):
        pl.plot_contour(ls.quartic())
    with pytest.raises(ValueError, match="Landscape"):
        pl.plot_contour(lambda x, y: x)
    with pytest.raises(ValueError, match="path"):
        pl.plot_path(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="path"):
        pl.plot_path(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="path"):
        pl.plot_path_1d(ls.quartic(), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="levels"):
        pl.plot_contour(ls.saddle(), levels=1)
    with pytest.raises(ValueError, match="levels"):
        pl.plot_contour(ls.saddle(), levels=[1.0, 0.0])
    with pytest.raises(ValueError, match="bounds"):
        pl.plot_contour(ls.saddle(), bounds=[(1, 0), (0, 1)])
    with pytest.raises(ValueError, match="max_points"):
        pl.plot_path(np.zeros((3, 2)), max_points=0)


def test_import_changes_no_global_style():
    code = ("import matplotlib; before = dict(matplotlib.rcParams); "
            "import lablib.plotting.landscapes; "
            "changed = [k for k in before if matplotlib.rcParams[k] != before[k]]; print(changed)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
