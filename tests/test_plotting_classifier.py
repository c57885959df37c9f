"""lablib.plotting.classifier: the figures draw the arrays they are given, and refuse nonsense."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lablib.models import confusion_matrix  # noqa: E402
from lablib.plotting.classifier import (plot_confusion_matrix, plot_decision_boundary, plot_digits,  # noqa: E402
                                        plot_probabilities, plot_sigmoid, plot_weight_templates)


def test_sigmoid_curve_and_symmetry_marks():
    x = np.linspace(-6, 6, 121)
    s = 1 / (1 + np.exp(-x))
    ax = plot_sigmoid(x, s, mark=2.0)
    curve = [line for line in ax.get_lines() if line.get_label().startswith(r"$\sigma(x)")][0]
    np.testing.assert_array_equal(curve.get_ydata(), s)
    marks = [line for line in ax.get_lines() if "1 - " in line.get_label()][0]
    np.testing.assert_allclose(marks.get_ydata(), [1 / (1 + np.exp(-2)), 1 / (1 + np.exp(2))], rtol=1e-3)
    assert not [line for line in plot_sigmoid(x, s, mark=None).get_lines() if "1 - " in line.get_label()]
    with pytest.raises(ValueError, match="same length"):
        plot_sigmoid(x, s[:-1])


def test_decision_boundary():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 2))
    y = (X[:, 0] > 0).astype(int)
    xx, yy = np.meshgrid(np.linspace(-2, 2, 30), np.linspace(-2, 2, 30))
    prob = 1 / (1 + np.exp(-3 * xx))
    ax = plot_decision_boundary(X, y, xx, yy, prob)
    scatters = [c for c in ax.collections if c.get_label().startswith("class")]
    assert [c.get_label() for c in scatters] == ["class 0", "class 1"]
    assert sum(len(c.get_offsets()) for c in scatters) == 20
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        plot_decision_boundary(X[:, :1], y, xx, yy, prob)
    with pytest.raises(ValueError, match="one shape"):
        plot_decision_boundary(X, y, xx, yy, prob[:-1])
    with pytest.raises(ValueError, match="probabilities"):
        plot_decision_boundary(X, y, xx, yy, prob * 2)


def test_probabilities_bars():
    p = np.array([0.1, 0.7, 0.2])
    ax = plot_probabilities(p, true_label=2)
    heights = [bar.get_height() for bar in ax.patches[:3]]
    np.testing.assert_allclose(heights, p)
    assert ax.patches[1].get_linewidth() == 1.5                # the predicted class is outlined
    with pytest.raises(ValueError, match="distribution"):
        plot_probabilities([0.5, 0.6])
    with pytest.raises(ValueError, match="out of range"):
        plot_probabilities(p, true_label=3)
    with pytest.raises(ValueError, match="class names"):
        plot_probabilities(p, class_names=["a", "b"])


def test_weight_templates_one_panel_per_class_symmetric_scale():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((785, 10))
    axes = plot_weight_templates(W)
    assert len(axes) == 10 and [ax.get_title() for ax in axes] == [str(c) for c in range(10)]
    image = axes[3].get_images()[0]
    np.testing.assert_array_equal(image.get_array(), W[:784, 3].reshape(28, 28))   # bias row dropped
    lo, hi = image.get_clim()
    assert lo == -hi == -np.abs(W[:784]).max()
    fig, grid = plt.subplots(2, 3)
    axes = plot_weight_templates(W[:784, :4], axes=grid, ncols=3)
    assert len(axes) == 4 and not grid.ravel()[5].axison
    with pytest.raises(ValueError, match="shape"):
        plot_weight_templates(np.ones((100, 10)))
    with pytest.raises(ValueError, match="at least 10 axes"):
        plot_weight_templates(W, axes=grid)


def test_digits_with_titles():
    images = np.random.default_rng(2).random((5, 784))
    axes = plot_digits(images, titles=[f"d{k}" for k in range(5)], ncols=3)
    assert len(axes) == 5 and axes[4].get_title() == "d4"
    np.testing.assert_array_equal(axes[0].get_images()[0].get_array(), images[0].reshape(28, 28))
    with pytest.raises(ValueError, match="titles"):
        plot_digits(images, titles=["a"])
    with pytest.raises(ValueError, match="images"):
        plot_digits(np.ones(784))


def test_confusion_matrix_counts_and_fractions():
    cm = confusion_matrix(np.array([0, 0, 1, 1, 1, 2]), np.array([0, 1, 1, 1, 2, 2]))
    ax = plot_confusion_matrix(cm)
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), cm)
    assert [t.get_text() for t in ax.texts][:3] == ["1", "1", "0"]
    ax = plot_confusion_matrix(cm, normalize=True)
    np.testing.assert_allclose(ax.get_images()[0].get_array().sum(axis=1), 1)
    assert ax.texts[4].get_text() == "67%"
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.ones((2, 3)))
    with pytest.raises(ValueError, match="counts"):
        plot_confusion_matrix(-np.ones((2, 2)))
