"""lablib.plotting.training: the figures draw what the runs returned, and refuse nonsense."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lablib.plotting import optimizer_color  # noqa: E402
from lablib.plotting.training import (color_for, mark_best_epoch, plot_histories,  # noqa: E402
                                      plot_history, plot_loss_curves, plot_lr_sweep, sequential_colors)
from lablib.training import History, SweepResult  # noqa: E402


def history(val=(1.0, 0.6, 0.5, 0.55, 0.7), best=3):
    n = len(val)
    return History(train_loss=list(np.linspace(1.2, 0.2, n)), train_acc=list(np.linspace(0.6, 0.99, n)),
                   val_loss=list(val), val_acc=list(np.linspace(0.6, 0.9, n)), best_epoch=best)


def test_plot_history_draws_both_curves_and_the_best_epoch():
    h = history()
    ax = plot_history(h, label="Adam")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert np.allclose(lines["Adam: validation"].get_ydata(), h.val_loss)
    assert np.allclose(lines["Adam: training"].get_ydata(), h.train_loss)
    assert lines["Adam: validation"].get_color() == optimizer_color("Adam")
    star = lines["best epoch (3)"]
    assert star.get_xdata()[0] == 3 and star.get_ydata()[0] == 0.5
    ax = plot_history(h, metric="accuracy", show_train=False, mark_best=False)
    assert [line.get_label() for line in ax.get_lines()] == ["validation"]
    assert ax.get_ylabel() == "accuracy"
    with pytest.raises(ValueError, match="metric"):
        plot_history(h, metric="f1")


def test_plot_histories_uses_the_optimizer_colours():
    hs = {"SGD": history(), "RMSprop": history(val=(2.0, 1.5, 1.4, 1.3, 1.2), best=5), "custom": history()}
    ax = plot_histories(hs, mark_best=True)
    by_label = {line.get_label(): line for line in ax.get_lines()}
    assert by_label["SGD"].get_color() == optimizer_color("SGD")
    assert by_label["RMSprop"].get_color() == optimizer_color("RMSprop")
    assert np.allclose(by_label["RMSprop"].get_ydata(), hs["RMSprop"].val_loss)
    ax = plot_histories(hs, split="both", metric="accuracy")
    assert "SGD (training)" in [line.get_label() for line in ax.get_lines()]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["SGD", "RMSprop", "custom", "validation", "training"]
    for bad in ({"split": "test"}, {"metric": "recall"}):
        with pytest.raises(ValueError):
            plot_histories(hs, **bad)
    with pytest.raises(ValueError, match="empty"):
        plot_histories({})


def test_mark_best_epoch_needs_a_best_epoch():
    with pytest.raises(ValueError, match="no best epoch"):
        mark_best_epoch(History())


def test_plot_lr_sweep_marks_diverged_runs_and_the_best_rate():
    sweep = SweepResult(np.array([1e-3, 1e-2, 1e-1, 1.0]), np.array([0.9, 0.4, 0.6, np.inf]),
                        np.array([0.9, 0.35, 0.5, np.inf]), [])
    ax = plot_lr_sweep({"Adam": sweep, "SGD": ([1e-2, 1e-1], [0.8, 0.5])})
    lines = ax.get_lines()
    adam = [line for line in lines if line.get_label() == "Adam"][0]
    assert np.allclose(adam.get_xdata(), [1e-3, 1e-2, 1e-1]) and np.allclose(adam.get_ydata(), [0.9, 0.4, 0.6])
    crosses = [line for line in lines if line.get_marker() == "x"]
    assert len(crosses) == 1 and crosses[0].get_xdata()[0] == 1.0
    assert crosses[0].get_ydata()[0] < ax.get_ylim()[1]
    stars = [line for line in lines if line.get_marker() == "*"]
    assert sorted(float(s.get_xdata()[0]) for s in stars) == [1e-2, 1e-1]
    assert ax.get_xscale() == "log" and "diverged" in ax.get_legend().get_title().get_text()
    best = plot_lr_sweep({"Adam": sweep}, which="best")
    assert np.allclose(best.get_lines()[0].get_ydata(), [0.9, 0.35, 0.5])
    with pytest.raises(ValueError, match="which"):
        plot_lr_sweep({"Adam": sweep}, which="median")
    with pytest.raises(ValueError, match="2 learning rates but 3 losses"):
        plot_lr_sweep({"SGD": ([1, 2], [1, 2, 3])})


def test_plot_loss_curves():
    ax = plot_loss_curves({"B = 8": ([0, 10], [2.3, 0.5]), "B = 512": ([0, 10], [2.3, 1.5])},
                          xlabel="seconds", logx=True)
    assert ax.get_xlabel() == "seconds" and ax.get_xscale() == "log"
    assert ax.get_lines()[0].get_color() != ax.get_lines()[1].get_color()
    with pytest.raises(ValueError, match="shape"):
        plot_loss_curves({"a": ([0, 1], [1.0])})
    with pytest.raises(ValueError, match="colours"):
        plot_loss_curves({"a": ([0], [1.0]), "b": ([0], [1.0])}, colors=["r"])


def test_colours():
    assert color_for("momentum") == optimizer_color("Momentum") and color_for("B = 8") is None
    assert len(set(map(str, sequential_colors(5)))) == 5
    with pytest.raises(ValueError):
        sequential_colors(0)
