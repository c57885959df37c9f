"""lablib.plotting.tuning: the range test, TensorBoard curves and schedules drawn from what the runs returned."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from lablib.monitoring import Scalars, smooth  # noqa: E402
from lablib.plotting.tuning import SCHEDULE_COLORS, plot_range_test, plot_scalar, plot_schedules  # noqa: E402
from lablib.tuning import SCHEDULES, RangeTest  # noqa: E402


def test_every_schedule_has_its_own_colour():
    assert set(SCHEDULE_COLORS) == set(SCHEDULES)
    assert len(set(SCHEDULE_COLORS.values())) == len(SCHEDULE_COLORS)


def test_plot_range_test_draws_raw_smoothed_and_both_marks():
    lrs = np.logspace(-4, 0, 50)
    losses = 2.3 - np.log10(lrs / 1e-4) * 0.3 + np.where(lrs > 0.1, 5 * lrs, 0)
    result = RangeTest(lrs, losses, smooth(losses, 0.5), 0.004, 0.04, None)
    ax = plot_range_test(result)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert np.allclose(lines["mini-batch loss"].get_ydata(), losses)
    assert np.allclose(lines["smoothed"].get_ydata(), result.smoothed)
    marks = [label for label in lines if label.startswith("lowest")]
    assert marks == ["lowest smoothed loss (lr = 0.04)"]
    assert lines["suggested lr = 0.004 (a tenth)"].get_xdata()[0] == 0.004
    assert ax.get_xscale() == "log"
    plt.close("all")


def test_plot_scalar_smooths_as_tensorboard_and_can_show_raw_points():
    s = Scalars(np.arange(1, 6), np.array([1.0, 3.0, 2.0, 4.0, 3.0]), np.zeros(5))
    ax = plot_scalar(s, smoothing=0.6, label="val")
    raw, smoothed = ax.get_lines()
    assert np.allclose(raw.get_ydata(), s.values)
    assert np.allclose(smoothed.get_ydata(), smooth(s.values, 0.6)) and smoothed.get_label() == "val"
    ax = plot_scalar(s, smoothing=0)
    assert len(ax.get_lines()) == 1 and np.allclose(ax.get_lines()[0].get_ydata(), s.values)
    plt.close("all")


def test_plot_schedules_one_line_per_schedule_in_its_colour():
    rates = {"constant": np.full(10, 0.1), "one-cycle": np.linspace(0.01, 0.1, 10)}
    ax = plot_schedules(rates)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == set(rates)
    assert lines["one-cycle"].get_color() == SCHEDULE_COLORS["one-cycle"]
    assert list(lines["constant"].get_xdata()) == list(range(1, 11))
    plt.close("all")
