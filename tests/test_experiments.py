"""lablib.experiments: gradient noise, batch-size runs, the line fit and noisy descent."""
import numpy as np
import pytest
import torch

from lablib import experiments as ex
from lablib.landscapes import Trajectory, round_bowl, saddle, several_minima
from lablib.models import SoftmaxClassifier, softmax_loss, softmax_loss_and_grad
from lablib.optim import SGD


def toy(n=120, d=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centres = 2 * rng.standard_normal((classes, d))
    y = np.arange(n) % classes
    return centres[y] + rng.standard_normal((n, d)), y


# ---------------------------------------------------------------- gradient noise
def test_gradient_noise_sigma2_matches_per_example_gradients_from_torch():
    X, y = toy()
    model = SoftmaxClassifier(6, 3, rng=0, weight_scale=0.5)
    out = ex.gradient_noise(model, X, y, [1, 7, 120], num_batches=5, rng=0)
    # per-example gradients from torch autograd, in float64
    W = torch.tensor(model.W, requires_grad=True)
    Xt = torch.tensor(np.column_stack([X, np.ones(len(X))]))
    grads = []
    for i in range(len(X)):
        loss = torch.nn.functional.cross_entropy((Xt[i:i + 1] @ W), torch.tensor(y[i:i + 1]))
        (g,) = torch.autograd.grad(loss, W)
        grads.append(g.numpy())
    grads = np.array(grads)
    full = grads.mean(axis=0)
    np.testing.assert_allclose(out.full_grad_norm2, np.sum(full ** 2), rtol=1e-10)
    np.testing.assert_allclose(out.sigma2, np.mean(np.sum((grads - full) ** 2, axis=(1, 2))), rtol=1e-10)
    # B = n: the mini-batch is the whole set, no noise; the formula says 0 too
    assert out.measured[2] < 1e-25 and out.predicted[2] == 0


def test_gradient_noise_follows_the_sampling_formula():
    X, y = toy(n=400)
    model = SoftmaxClassifier(6, 3, rng=1, weight_scale=0.3)
    out = ex.gradient_noise(model, X, y, [1, 4, 32, 128], num_batches=400, rng=2)
    np.testing.assert_allclose(out.measured, out.predicted, rtol=0.15)
    assert np.all(np.diff(out.measured) < 0)
    assert out.batch_sizes.tolist() == [1, 4, 32, 128]


def test_gradient_noise_rejects_bad_input():
    X, y = toy()
    model = SoftmaxClassifier(6, 3, rng=0)
    for sizes in ([], [0], [121], [2.5]):
        with pytest.raises(ValueError):
            ex.gradient_noise(model, X, y, sizes)
    with pytest.raises(ValueError, match="num_batches"):
        ex.gradient_noise(model, X, y, [2], num_batches=0)
    with pytest.raises(ValueError, match="SoftmaxClassifier"):
        ex.gradient_noise(object(), X, y, [2])
    with pytest.raises(ValueError, match="integer class labels"):
        ex.gradient_noise(model, X, y.astype(float), [2])


# ---------------------------------------------------------------- batch-size runs
def test_batch_size_runs_record_consistent_budgets():
    X, y = toy(n=100)
    runs = ex.batch_size_runs(X, y, [1, 8, 100], lr=0.1, epochs=2, num_evals=8, measure_at=[5])
    assert list(runs) == [1, 8, 100]
    for B, r in runs.items():
        assert r.updates_per_epoch == -(-100 // B)
        assert r.updates[0] == 0 and r.updates[-1] == 2 * r.updates_per_epoch
        assert r.examples[-1] == 200                     # the same number of examples for every B
        assert np.all(np.diff(r.updates) > 0) and np.all(np.diff(r.seconds) >= 0)
        assert r.loss.shape == r.updates.shape == r.seconds.shape == r.examples.shape
        assert r.loss[0] == pytest.approx(runs[1].loss[0])          # the same start
        assert r.loss_at(r.updates[-1]) == r.loss[-1]
        np.testing.assert_allclose(r.epochs[-1], 2.0)
    assert 5 in runs[1].updates and 5 in runs[8].updates
    with pytest.raises(ValueError, match="no measurement"):
        runs[100].loss_at(3)


def test_batch_size_runs_reproduce_a_hand_written_sgd_loop():
    """Full-batch gradient descent: no shuffling matters, so a plain loop must agree exactly."""
    X, y = toy(n=60)
    r = ex.batch_size_runs(X, y, [60], lr=0.3, updates=12, num_evals=12, seed=3)[60]
    W = SoftmaxClassifier(6, 3, rng=np.random.default_rng(3)).W.copy()
    losses = [softmax_loss(W, X, y)]
    for _ in range(12):
        _, dW = softmax_loss_and_grad(W, X, y)
        W = W - 0.3 * dW
        losses.append(softmax_loss(W, X, y))
    np.testing.assert_allclose(r.loss, np.array(losses)[r.updates], rtol=1e-12)
    np.testing.assert_allclose(r.model.W, W, rtol=1e-12)


def test_batch_size_runs_are_seeded_and_small_batches_learn_more_per_epoch():
    X, y = toy(n=240)
    a = ex.batch_size_runs(X, y, [4, 240], lr=0.2, epochs=3, num_evals=6, seed=0)
    b = ex.batch_size_runs(X, y, [4, 240], lr=0.2, epochs=3, num_evals=6, seed=0)
    c = ex.batch_size_runs(X, y, [4], lr=0.2, epochs=3, num_evals=6, seed=1)
    np.testing.assert_array_equal(a[4].loss, b[4].loss)
    assert not np.array_equal(a[4].loss, c[4].loss)
    assert a[4].loss[-1] < a[240].loss[-1]


def test_batch_size_runs_with_an_update_budget_and_an_eval_set():
    X, y = toy(n=90)
    runs = ex.batch_size_runs(X, y, [10, 90], lr=0.1, updates=25, num_evals=5, X_eval=X[:30], y_eval=y[:30])
    for r in runs.values():
        assert r.updates[-1] == 25
        assert r.loss[0] == pytest.approx(softmax_loss(SoftmaxClassifier(6, 3, rng=np.random.default_rng(0)).W,
                                                       X[:30], y[:30]))
    assert runs[10].examples[-1] == 250 and runs[90].examples[-1] == 25 * 90


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 1, "updates": 3}, "exactly one budget"),
    ({}, "exactly one budget"),
    ({"epochs": 0}, "epochs"),
    ({"updates": 0}, "updates"),
    ({"epochs": 1, "lr": -1.0}, "lr"),
    ({"epochs": 1, "lr": float("nan")}, "lr"),
    ({"epochs": 1, "num_evals": 0}, "num_evals"),
    ({"epochs": 1, "X_eval": np.zeros((2, 6))}, "X_eval and y_eval"),
    ({"epochs": 0.001}, "no update"),
])
def test_batch_size_runs_reject_bad_arguments(kwargs, message):
    X, y = toy(n=30)
    args = {"lr": 0.1, **kwargs}
    with pytest.raises(ValueError, match=message):
        ex.batch_size_runs(X, y, [5], **args)
    with pytest.raises(ValueError, match="batch_sizes"):
        ex.batch_size_runs(X, y, [31], lr=0.1, epochs=1)


# ---------------------------------------------------------------- the line fit
def test_line_fit_loss_gradient_and_landscape_agree_with_torch():
    x, y = ex.make_line_data(n=50, seed=1)
    fit = ex.LineFit(x, y)
    theta = torch.tensor([0.3, -0.7], dtype=torch.float64, requires_grad=True)
    xt, yt = torch.tensor(x), torch.tensor(y)
    loss = torch.mean((theta[0] * xt + theta[1] - yt) ** 2)
    loss.backward()
    L = fit.landscape()
    np.testing.assert_allclose(fit.loss(0.3, -0.7), loss.item(), rtol=1e-12)
    np.testing.assert_allclose(L([0.3, -0.7]), loss.item(), rtol=1e-12)
    np.testing.assert_allclose(fit.grad([0.3, -0.7]), theta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(L.grad(np.array([0.3, -0.7])), theta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(fit.minimum, np.polyfit(x, y, 1), rtol=1e-10)
    assert np.allclose(L.minima[0], fit.minimum)
    # a mini-batch gradient is the gradient of the mini-batch's own loss
    idx = np.array([3, 7, 11])
    np.testing.assert_allclose(fit.grad([0.3, -0.7], idx), ex.LineFit(x[idx], y[idx]).grad([0.3, -0.7]), rtol=1e-12)


def test_line_fit_sgd_paths():
    fit = ex.LineFit(*ex.make_line_data(n=40, seed=0))
    full = fit.sgd([-1.0, 2.0], lr=0.2, batch_size=40, epochs=30)
    assert isinstance(full, Trajectory) and full.steps == 30 and full.label.startswith("full batch")
    # full batch: plain gradient descent on the landscape
    L = fit.landscape()
    theta = np.array([-1.0, 2.0])
    for _ in range(30):
        theta = theta - 0.2 * L.grad(theta)
    np.testing.assert_allclose(full.final, theta, rtol=1e-12)
    assert np.all(np.diff(full.losses) < 0)
    one = fit.sgd([-1.0, 2.0], lr=0.2, batch_size=1, epochs=2, rng=0)
    assert one.steps == 80 and one.label == "B = 1" and one.grads.shape == (80, 2)
    assert np.any(np.diff(one.losses) > 0)            # single-example steps go uphill sometimes
    again = fit.sgd([-1.0, 2.0], lr=0.2, batch_size=1, epochs=2, rng=0)
    np.testing.assert_array_equal(one.path, again.path)
    with pytest.raises(ValueError, match="batch_size"):
        fit.sgd([0, 0], lr=0.1, batch_size=41, epochs=1)
    with pytest.raises(ValueError, match="lr"):
        fit.sgd([0, 0], lr=0, batch_size=1, epochs=1)
    with pytest.raises(ValueError, match="constant"):
        ex.LineFit(np.ones(5), np.arange(5.0))
    with pytest.raises(ValueError, match="same length"):
        ex.LineFit(np.arange(5.0), np.arange(4.0))


# ---------------------------------------------------------------- noisy descent
def test_noisy_descent_without_noise_is_gradient_descent():
    L = several_minima()
    out = ex.noisy_descent(L, [1.2, 1.2], lr=0.05, steps=100, noise_std=0.0, runs=4, keep_paths=2)
    ref = [np.array([1.2, 1.2])]
    for _ in range(100):
        ref.append(ref[-1] - 0.05 * L.grad(ref[-1]))
    np.testing.assert_allclose(out.paths[:, 0], np.array(ref), rtol=1e-12)
    assert out.paths.shape == (101, 2, 2)
    assert out.fraction_at(3) == 1.0 and np.allclose(out.final, out.final[0])


def test_noise_can_carry_runs_out_of_a_local_minimum():
    L = several_minima()
    small = ex.noisy_descent(L, [1.2, 1.2], lr=0.05, steps=300, noise_std=1.0, runs=100, seed=0)
    large = ex.noisy_descent(L, [1.2, 1.2], lr=0.05, steps=300, noise_std=4.0, runs=100, seed=0)
    assert small.fraction_at(3) == 1.0
    assert large.fraction_at(0) > 0.3 and large.fraction_at(3) < 0.2
    # continuing the large-noise runs without noise, each settles in the well it is in
    settled = ex.noisy_descent(L, large.final, lr=0.05, steps=300, noise_std=0.0, runs=100)
    assert np.allclose(settled.final, L.minima[settled.nearest], atol=1e-6)
    np.testing.assert_array_equal(settled.nearest, large.nearest)


def test_noisy_descent_is_seeded_and_checks_its_input():
    L = several_minima()
    a = ex.noisy_descent(L, [1.0, 1.0], lr=0.05, steps=20, noise_std=2.0, runs=10, seed=5)
    b = ex.noisy_descent(L, [1.0, 1.0], lr=0.05, steps=20, noise_std=2.0, runs=10, seed=5)
    np.testing.assert_array_equal(a.final, b.final)
    for kwargs, message in [({"noise_std": -1.0}, "noise_std"), ({"lr": 0.0}, "lr"), ({"steps": 0}, "steps"),
                            ({"runs": 0}, "runs")]:
        args = {"lr": 0.05, "steps": 5, "noise_std": 1.0, "runs": 3, **kwargs}
        with pytest.raises(ValueError, match=message):
            ex.noisy_descent(L, [1.0, 1.0], **args)
    with pytest.raises(ValueError, match="x0"):
        ex.noisy_descent(L, [1.0, 1.0, 1.0], lr=0.05, steps=5, noise_std=1.0)
    with pytest.raises(ValueError, match="no known minima"):
        ex.noisy_descent(saddle(), [1.0, 1.0], lr=0.05, steps=5, noise_std=1.0)
    with pytest.raises(ValueError, match="blew up"):
        ex.noisy_descent(round_bowl(), [1.0, 1.0], lr=5.0, steps=2000, noise_std=1.0, runs=2)
    with pytest.raises(ValueError, match="Landscape"):
        ex.noisy_descent("bowl", [1.0, 1.0], lr=0.05, steps=5, noise_std=1.0)
