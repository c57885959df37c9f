"""lablib.plotting.adaptive: chapter 8's panels, one per start."""
import functools

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lablib import landscapes as ls
from lablib import optim
from lablib.plotting import optimizer_color
from lablib.plotting.adaptive import plot_losses_by_start, plot_runs_by_start, start_bounds

STARTS = [(1.5, 2.0), (0.15, 0.2), (0.015, 0.02)]


@pytest.fixture(scope="module")
def runs_by_start():
    L = ls.elongated_bowl()
    makers = {"SGD": functools.partial(optim.SGD, lr=0.01),
              "AdaGrad": functools.partial(optim.Adagrad, lr=0.01, eps=1e-8)}
    return {s: {n: ls.run(m, L, s, 50, label=n) for n, m in makers.items()} for s in STARTS}


def test_start_bounds_scale_with_the_start():
    big, small = start_bounds(STARTS[0]), start_bounds(STARTS[2])
    np.testing.assert_allclose(small, big / 100)
    b = start_bounds((1.0, 0.0))                    # a start on an axis still gets a square-ish box
    np.testing.assert_allclose(b, [[-0.35, 1.35], [-0.35, 0.35]])
    np.testing.assert_allclose(start_bounds((1.0, 1.0), center=(2.0, 3.0), pad=0.0), [[1, 2], [1, 3]])


@pytest.mark.parametrize("x0, center, pad, match", [
    ((1.0,), (0, 0), 0.3, "2-D points"),
    ((1.0, np.nan), (0, 0), 0.3, "finite"),
    ((1.0, 2.0), (0, 0), -0.1, "pad"),
    ((1.0, 2.0), (1.0, 2.0), 0.3, "minimum itself"),
])
def test_start_bounds_rejects_bad_input(x0, center, pad, match):
    with pytest.raises(ValueError, match=match):
        start_bounds(x0, center, pad)


def test_runs_by_start_draws_each_start_in_its_own_zoom(runs_by_start):
    fig, axes = plt.subplots(1, 3)
    out = plot_runs_by_start(ls.elongated_bowl(), runs_by_start, axes=axes)
    assert list(out) == list(axes)
    for ax, s, (start, runs) in zip(axes, STARTS, runs_by_start.items()):
        assert ax.get_title() == f"start ({s[0]:g}, {s[1]:g})"
        np.testing.assert_allclose(ax.get_xlim(), start_bounds(s)[0])
        np.testing.assert_allclose(ax.get_ylim(), start_bounds(s)[1])
        # each run drawn in its optimizer's colour, through its own points
        drawn = {line.get_label(): line for line in ax.lines if not line.get_label().startswith("_")}
        assert set(drawn) == {"SGD", "AdaGrad"}
        for name, line in drawn.items():
            assert line.get_color() == optimizer_color(name)
            np.testing.assert_array_equal(line.get_xydata(), runs[name].path)
    assert axes[0].get_legend() is not None and axes[1].get_legend() is None


def test_runs_by_start_makes_its_own_axes_and_checks_input(runs_by_start):
    axes = plot_runs_by_start(ls.elongated_bowl(), runs_by_start, legend="all")
    assert len(axes) == 3 and all(ax.get_legend() is not None for ax in axes)
    with pytest.raises(ValueError, match="legend"):
        plot_runs_by_start(ls.elongated_bowl(), runs_by_start, legend="some")
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_runs_by_start(ls.elongated_bowl(), {})
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_runs_by_start(ls.elongated_bowl(), {(1.0, 1.0): {}})
    with pytest.raises(ValueError, match="need 3 axes"):
        plot_runs_by_start(ls.elongated_bowl(), runs_by_start, axes=plt.subplots(1, 2)[1])


def test_losses_by_start_draws_the_losses_on_a_log_scale(runs_by_start):
    axes = plot_losses_by_start(runs_by_start)
    for ax, (start, runs) in zip(axes, runs_by_start.items()):
        assert ax.get_yscale() == "log"
        for line in ax.lines:
            run = runs[line.get_label()]
            np.testing.assert_array_equal(line.get_ydata(), np.maximum(run.losses, 1e-30))
            assert line.get_color() == optimizer_color(line.get_label())
    # plain arrays work too; the floor replaces exact zeros; an unknown name gets a cycle colour
    ax = plot_losses_by_start({(1.0, 1.0): {"run A": [2.0, 0.0]}}, minimum=-1.0, floor=1e-9)[0]
    assert ax.lines[0].get_ydata().tolist() == [3.0, 1.0]
    assert ax.lines[0].get_color() == "#0072B2"
    with pytest.raises(ValueError, match="floor"):
        plot_losses_by_start({(1.0, 1.0): {"SGD": [1.0]}}, floor=0)
    with pytest.raises(ValueError, match="legend"):
        plot_losses_by_start({(1.0, 1.0): {"SGD": [1.0]}}, legend=True)
