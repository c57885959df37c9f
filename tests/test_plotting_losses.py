"""lablib.plotting.losses: each figure draws the arrays it is given, on the axis it is given."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lablib import losses  # noqa: E402
from lablib.plotting import losses as lp  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_plot_information_draws_the_curve_and_marks(ax):
    q = np.linspace(0.01, 1, 50)
    out = lp.plot_information(q, -np.log(q), ax=ax, points=[("data 1", 0.8, -np.log(0.8)), ("data 2", 0.9, -np.log(0.9))])
    assert out is ax
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), -np.log(q))
    marked = [line.get_xydata()[0].tolist() for line in ax.lines[1:]]
    assert marked == [[0.8, -np.log(0.8)], [0.9, -np.log(0.9)]]
    assert any("0.2231" in t.get_text() for t in ax.texts)


def test_plot_bce_branches_uses_the_given_losses(ax):
    y_hat = np.linspace(0.01, 0.99, 20)
    l1 = losses.binary_cross_entropy(y_hat, np.ones(20), reduction="none")
    l0 = losses.binary_cross_entropy(y_hat, np.zeros(20), reduction="none")
    lp.plot_bce_branches(y_hat, l1, l0, ax=ax, points=[(0.9, 1, -np.log(0.9))])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), l1)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), l0)
    assert len(ax.lines) == 3 and len(ax.get_legend().get_texts()) == 2


def test_plot_binary_entropy_marks_points(ax):
    p = np.linspace(0, 1, 11)
    H = losses.entropy(np.stack([p, 1 - p], -1)) / np.log(2)
    lp.plot_binary_entropy(p, H, ax=ax, mark=[0.5, 0.9])
    assert ax.lines[1].get_xydata()[0].tolist() == [0.5, 1.0]
    assert "1.000 bits" in ax.texts[0].get_text() and "bits" in ax.get_ylabel()


def test_plot_distributions_draws_one_bar_per_outcome_and_distribution(ax):
    lp.plot_distributions({"P": [0.9, 0.1], "Q": [0.5, 0.5]}, ax=ax, categories=["heads", "tails"])
    heights = sorted(round(b.get_height(), 6) for b in ax.patches)
    assert heights == [0.1, 0.5, 0.5, 0.9]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["heads", "tails"]


def test_plot_kl_asymmetry_and_marks(ax):
    q = np.linspace(0.01, 0.99, 99)
    Q = np.stack([q, 1 - q], -1)
    P = np.broadcast_to([0.9, 0.1], Q.shape)
    a, b = losses.kl_divergence(P, Q), losses.kl_divergence(Q, P)
    lp.plot_kl_asymmetry(q, a, b, p=0.9, ax=ax, mark=[0.5])
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), a)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), b)
    assert {"0.3681", "0.5108"} <= {t.get_text() for t in ax.texts}


def test_plot_stability_skips_and_marks_broken_points(ax):
    s = np.array([1.0, 10.0, 100.0, 1000.0])
    naive = np.array([1.0, 10.0, np.inf, np.nan])
    stable = np.array([1.0, 10.0, 100.0, 1000.0])
    lp.plot_stability(s, naive, stable, ax=ax)
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [1.0, 10.0])          # finite naive points only
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "naive = inf" in labels and "naive = nan" in labels
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"


def test_new_axis_when_none_given():
    out = lp.plot_binary_entropy([0.0, 0.5, 1.0], [0.0, 1.0, 0.0])
    assert out.figure is not None
    plt.close(out.figure)


@pytest.mark.parametrize("call", [
    lambda ax: lp.plot_information([0.5, 1.0], [0.69], ax=ax),
    lambda ax: lp.plot_bce_branches([0.5], [0.69, 1.0], [0.69], ax=ax),
    lambda ax: lp.plot_binary_entropy([0.5], [[1.0]], ax=ax),
    lambda ax: lp.plot_distributions({"P": [0.5, 0.5], "Q": [1.0]}, ax=ax),
    lambda ax: lp.plot_distributions({"P": [0.5, 0.5]}, ax=ax, categories=["a"]),
    lambda ax: lp.plot_distributions({}, ax=ax),
    lambda ax: lp.plot_kl_asymmetry([0.5], [0.1, 0.2], [0.1], p=0.5, ax=ax),
    lambda ax: lp.plot_stability([1.0, 2.0], [1.0], [1.0, 2.0], ax=ax),
])
def test_mismatched_arrays_are_rejected(call, ax):
    with pytest.raises(ValueError):
        call(ax)
