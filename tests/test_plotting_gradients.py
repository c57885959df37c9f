"""lablib.plotting.gradients: the figures draw the arrays they are given, and refuse nonsense."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lablib.plotting import optimizer_color  # noqa: E402
from lablib.plotting.gradients import (GRADCHECK_BANDS, STRATEGY_COLORS, plot_directional_derivatives,  # noqa: E402
                                       plot_error_vs_h, plot_loss_histogram, plot_loss_slice,
                                       plot_relative_errors, plot_search_histories, strategy_color)


def test_strategy_colours():
    assert strategy_color("gradient descent") == optimizer_color("GD") == STRATEGY_COLORS["gradient descent"]
    assert strategy_color(" Random Local Search ") == STRATEGY_COLORS["random local search"]
    assert strategy_color("Adam") == optimizer_color("Adam")
    assert strategy_color("nothing") is None
    assert len(set(STRATEGY_COLORS.values())) == 3


def test_search_histories_draw_each_curve_from_one():
    ax = plot_search_histories({"random search": [5.0, 4.0, 4.0], "random local search": [3.0, 2.0, 1.0]},
                               reference=2.3, reference_label="ln 10")
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["random search"].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines["random local search"].get_ydata(), [3.0, 2.0, 1.0])
    assert lines["random search"].get_color() == STRATEGY_COLORS["random search"]
    assert lines["ln 10"].get_ydata()[0] == 2.3
    assert ax.get_yscale() == "log"
    assert plot_search_histories({"x": [1.0, 2.0]}, logy=False).get_yscale() == "linear"
    with pytest.raises(ValueError, match="empty"):
        plot_search_histories({})
    with pytest.raises(ValueError, match="1-D"):
        plot_search_histories({"x": [[1.0, 2.0]]})


def test_loss_histogram_marks_the_best():
    losses = np.array([3.0, 2.0, 5.0, 4.0])
    ax = plot_loss_histogram(losses, reference=2.3, reference_label="ln 10")
    assert sum(p.get_height() for p in ax.patches) == 4
    labels = [line.get_label() for line in ax.get_lines()]
    assert "best: 2" in labels and "ln 10" in labels
    with pytest.raises(ValueError, match="losses"):
        plot_loss_histogram([])


def test_loss_slice_contours_and_arrow():
    a, b = np.linspace(-1, 1, 5), np.linspace(-2, 2, 7)
    L = 1 + (a[None, :] - 0.5) ** 2 + b[:, None] ** 2
    ax = plot_loss_slice(a, b, L, arrow=(0.8, 0.0))
    assert len(ax.collections) >= 2 and ax.texts[-1].get_text().strip() == r"$-\nabla L$"
    assert ax.get_lines()[0].get_xdata()[0] == 0
    ax = plot_loss_slice(a, b, L, log=True, colorbar=False)
    with pytest.raises(ValueError, match="shape"):
        plot_loss_slice(a, b, L.T)
    with pytest.raises(ValueError, match="positive"):
        plot_loss_slice(a, b, L - 5, log=True)


def test_directional_derivatives_star_the_steepest_descent():
    theta = np.radians(np.arange(0, 360, 30))
    values = -2 * np.cos(theta - np.radians(60))
    ax = plot_directional_derivatives(theta, values, reference=values)
    star = [line for line in ax.get_lines() if line.get_label().startswith("steepest")][0]
    assert star.get_xdata()[0] == pytest.approx(60) and star.get_ydata()[0] == -2
    with pytest.raises(ValueError, match="same length"):
        plot_directional_derivatives(theta, values[:-1])
    with pytest.raises(ValueError, match="reference"):
        plot_directional_derivatives(theta, values, reference=values[:3])


def test_error_vs_h_draws_curves_reference_slopes_and_best():
    h = 10.0 ** -np.arange(1, 10)
    fwd = h / 2 + 1e-16 / h
    cen = h ** 2 / 6 + 1e-16 / h
    ax = plot_error_vs_h(h, {"forward": fwd, "central": cen}, orders={"forward": 1, "central": 2})
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert "slope 1: $O(h)$" in lines and "slope 2: $O(h^2)$" in lines
    ref2 = lines["slope 2: $O(h^2)$"]
    x, y = ref2.get_xdata(), ref2.get_ydata()
    np.testing.assert_allclose(np.diff(np.log10(y)) / np.diff(np.log10(x)), 2)   # slope 2 on log-log
    assert min(x) >= h[np.argmin(cen)]                                            # only where truncation rules
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    # a zero error (exact) is skipped, not drawn at -inf
    ax = plot_error_vs_h(h[:3], {"exact": np.array([0.0, 1e-3, 1e-5])})
    assert len(ax.get_lines()[0].get_xdata()) == 2
    with pytest.raises(ValueError, match="positive"):
        plot_error_vs_h([0.0, 1.0], {"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="values for"):
        plot_error_vs_h(h, {"x": fwd[:-1]})
    with pytest.raises(ValueError, match="empty"):
        plot_error_vs_h(h, {})


def test_relative_errors_scatter_and_bands():
    mag = np.array([1e-3, 1e-2, 0.0, 1e-1])
    errs = {"central": np.array([1e-8, 1e-9, 0.0, 1e-10]), "bug": np.full(4, 0.98)}
    ax = plot_relative_errors(mag, errs)
    assert len(ax.collections) == 2
    offsets = ax.collections[0].get_offsets()
    assert len(offsets) == 3                                   # the zero-gradient entry is not drawn
    assert len(ax.patches) == len(GRADCHECK_BANDS)
    assert [t.get_text() for t in ax.texts] == [band[3] for band in GRADCHECK_BANDS]
    assert ax.get_ylim()[1] == 3
    with pytest.raises(ValueError, match="values for"):
        plot_relative_errors(mag, {"x": np.ones(3)})
    with pytest.raises(ValueError, match="empty"):
        plot_relative_errors(mag, {})


def test_bands_are_contiguous():
    for (lo, hi, *_), (lo2, *_rest) in zip(GRADCHECK_BANDS, GRADCHECK_BANDS[1:]):
        assert hi == lo2 and lo < hi
