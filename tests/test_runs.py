"""lablib.runs: optimizer runs on the landscapes against torch.optim loops (float64, 200 steps), clipping
against torch's clip_grad_norm_, clean stops on divergence, and the runner's argument checks."""
import functools
import warnings

import numpy as np
import pytest
import torch

from lablib import landscapes as ls
from lablib import optim, runs

RNG = np.random.default_rng(0)


def test_the_moved_names_are_still_importable_from_landscapes():
    for name in ("Trajectory", "clip_grad_norm", "run", "trajectory", "sweep", "compare",
                 "OPTIMIZER_NAMES", "MOMENTUM_OPTIMIZERS"):
        assert getattr(ls, name) is getattr(runs, name)
    with pytest.raises(AttributeError, match="no attribute 'trajectry'"):
        ls.trajectry


# ------------------------------------------------------------------ runs against torch.optim loops

def _torch_path(torch_opt, L, x0, steps, max_norm=None, **kw):
    w = torch.tensor(np.atleast_1d(np.asarray(x0, dtype=float)), dtype=torch.float64, requires_grad=True)
    opt = torch_opt([w], **kw)
    path = [w.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        w.grad = torch.tensor(L.grad(w.detach().numpy()), dtype=torch.float64)
        if max_norm is not None:
            torch.nn.utils.clip_grad_norm_([w], max_norm)
        opt.step()
        path.append(w.detach().numpy().copy())
    return np.array(path)


CASES = [
    ("SGD", torch.optim.SGD, {"lr": 0.05}, {}),
    ("Momentum", torch.optim.SGD, {"lr": 0.01, "momentum": 0.9}, {"momentum": 0.9}),
    ("Momentum", torch.optim.SGD, {"lr": 0.003, "momentum": 0.97, "dampening": 0.3}, {"momentum": 0.97, "dampening": 0.3}),
    ("Nesterov", torch.optim.SGD, {"lr": 0.02, "momentum": 0.8, "nesterov": True}, {"momentum": 0.8}),
    ("AdaGrad", torch.optim.Adagrad, {"lr": 0.3}, {}),
    ("RMSprop", torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9}, {"alpha": 0.9}),
    ("Adam", torch.optim.Adam, {"lr": 0.05, "betas": (0.8, 0.99)}, {"betas": (0.8, 0.99)}),
]


@pytest.mark.parametrize("landscape", [ls.quartic, ls.elongated_bowl, ls.rosenbrock, ls.several_minima],
                         ids=["quartic", "elongated", "rosenbrock", "several"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_trajectory_matches_a_torch_optim_loop(landscape, case):
    name, torch_opt, torch_kw, ours = case
    L = landscape()
    x0 = {1: [-0.1], 2: [-1.5, 1.7]}[L.dim]
    lr = torch_kw["lr"] if L.name != "Rosenbrock" else torch_kw["lr"] / 100
    out = runs.trajectory(name, L, x0, 200, lr=lr, **ours)
    ref = _torch_path(torch_opt, L, x0, 200, **{**torch_kw, "lr": lr})
    assert not out.diverged and out.path.shape == (201, L.dim) and out.losses.shape == (201,)
    np.testing.assert_allclose(out.path, ref, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(out.losses, L(ref), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(out.grads, L.grad(ref), rtol=1e-10, atol=1e-12)
    assert out.label == name and out.settings["lr"] == lr


def test_run_with_any_optimizer_class_and_clipping_matches_torch():
    L = ls.cliff()
    for max_norm in (None, 1.0, 0.25):
        out = runs.run(functools.partial(optim.SGD, lr=0.1, momentum=0.5), L, [2.5], 150, max_grad_norm=max_norm)
        ref = _torch_path(torch.optim.SGD, L, [2.5], 150, max_norm=max_norm, lr=0.1, momentum=0.5)
        np.testing.assert_allclose(out.path, ref, rtol=1e-10, atol=1e-13)
    # clipping changes this run (the cliff's gradient reaches 41)
    a = runs.run(functools.partial(optim.SGD, lr=0.1), L, [2.5], 50)
    b = runs.run(functools.partial(optim.SGD, lr=0.1), L, [2.5], 50, max_grad_norm=1.0)
    assert np.abs(a.path - b.path).max() > 0.5
    assert np.all(b.step_sizes <= 0.1 + 1e-12)


def test_velocity_momentum_runs_through_trajectory():
    L = ls.quartic()
    a = runs.trajectory("VelocityMomentum", L, -0.1, 100, lr=0.01, momentum=0.9)
    b = runs.trajectory("Momentum", L, -0.1, 100, lr=0.01, momentum=0.9)
    np.testing.assert_allclose(a.path, b.path, rtol=1e-10, atol=1e-14)


def test_clip_grad_norm_matches_torch():
    for _ in range(20):
        g = RNG.normal(size=3) * 10 ** RNG.uniform(-3, 3)
        max_norm = 10 ** RNG.uniform(-2, 2)
        t = torch.tensor(g.copy(), requires_grad=True)
        t.grad = torch.tensor(g.copy())
        torch.nn.utils.clip_grad_norm_([t], max_norm)
        np.testing.assert_allclose(runs.clip_grad_norm(g, max_norm), t.grad.numpy(), rtol=1e-12)
    g = np.array([1.0, 2.0])
    assert runs.clip_grad_norm(g, 10.0) is not g          # a copy, never the caller's array
    for bad in (0, -1.0, None, "1", np.nan, True):
        with pytest.raises(ValueError, match="max_norm"):
            runs.clip_grad_norm(g, bad)
    np.testing.assert_array_equal(runs.clip_grad_norm(g, np.inf), g)     # no clipping at all


class _GD:
    """plain gradient descent with the torch interface (no lablib.optim needed)"""

    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        for p in self.params:
            p.data = p.data - self.lr * p.grad


def test_run_records_every_point_exactly():
    L = ls.round_bowl()
    out = runs.run(functools.partial(_GD, lr=0.1), L, (1.0, -2.0), 30, label="GD")
    np.testing.assert_allclose(out.path, np.array([1.0, -2.0]) * 0.8 ** np.arange(31)[:, None], rtol=1e-14)
    assert out.steps == 30 and out.label == "GD" and not out.diverged and out.reason == ""
    np.testing.assert_allclose(out.final, out.path[-1])
    assert out.final_loss == out.losses[-1]
    np.testing.assert_allclose(out.step_sizes, np.linalg.norm(np.diff(out.path, axis=0), axis=1))
    assert "30 steps" in repr(out)
    assert runs.run(functools.partial(_GD, lr=0.1), L, (1.0, -2.0), 0).path.shape == (1, 2)


def test_run_stops_cleanly_on_divergence_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # too large a learning rate on a bowl: |w| grows by 2x per step
        out = runs.run(functools.partial(optim.SGD, lr=1.5), ls.round_bowl(), [1.0, 1.0], 1000)
        assert out.diverged and "exceeded 1e+06" in out.reason and out.steps < 1000
        size = np.maximum(np.abs(out.path).max(axis=1), np.abs(out.losses))
        assert np.all(np.isfinite(out.path)) and size[-1] > 1e6 and np.all(size[:-1] <= 1e6)
        # the saddle is unbounded below: leaving along y is a divergence too
        out = runs.run(functools.partial(optim.SGD, lr=0.1), ls.saddle(), [1.0, 1e-3], 1000)
        assert out.diverged and out.losses[-1] < -1e6
        # Rosenbrock overflows to inf quickly with a huge step: stopped, nothing non-finite kept
        out = runs.run(functools.partial(optim.SGD, lr=10.0), ls.rosenbrock(), [-1.5, 2.0], 1000, limit=1e300)
        assert out.diverged and "finite" in out.reason
        assert np.all(np.isfinite(out.path)) and np.all(np.isfinite(out.losses))
        # a lower limit stops earlier
        short = runs.run(functools.partial(optim.SGD, lr=1.5), ls.round_bowl(), [1.0, 1.0], 1000, limit=10)
        assert short.diverged and short.steps == 2


def test_run_reports_non_finite_gradients_and_points():
    def value(w):
        return w**2

    def partials(w):
        return (np.where(w > 1, np.inf, 2 * w),)

    L = ls.Landscape("wall", 1, value, partials, bounds=[(-2, 2)])
    out = runs.run(functools.partial(optim.SGD, lr=0.5), L, [3.0], 10)
    assert out.diverged and "gradient was not finite at update 1" in out.reason and out.steps == 0

    class NaNOpt(_GD):
        def step(self):
            for p in self.params:
                p.data = p.data * np.nan

    out = runs.run(functools.partial(NaNOpt, lr=0.1), ls.round_bowl(), [1.0, 1.0], 10)
    assert out.diverged and "finite" in out.reason and out.path.shape == (1, 2)


def test_run_rejects_bad_arguments():
    L = ls.round_bowl()
    make = functools.partial(_GD, lr=0.1)
    for bad_steps in (-1, 2.0, True, None):
        with pytest.raises(ValueError, match="steps"):
            runs.run(make, L, [0.0, 0.0], bad_steps)
    for bad_x0 in ([1.0], [1.0, 2.0, 3.0], [np.nan, 0.0], [[1.0, 2.0], [3.0, 4.0]]):
        with pytest.raises(ValueError, match="x0"):
            runs.run(make, L, bad_x0, 3)
    with pytest.raises(ValueError, match="Landscape"):
        runs.run(make, lambda x: x, [0.0, 0.0], 3)
    with pytest.raises(ValueError, match="callable"):
        runs.run(optim.SGD(params=[optim.Parameter([0.0])], lr=0.1), L, [0.0, 0.0], 3)
    with pytest.raises(ValueError, match="step"):
        runs.run(lambda params: object(), L, [0.0, 0.0], 3)
    for bad in (0, -1.0, "big", np.nan, False):
        with pytest.raises(ValueError, match="limit must be a positive number"):
            runs.run(make, L, [0.0, 0.0], 3, limit=bad)
    assert not runs.run(make, L, [0.0, 0.0], 3, limit=np.inf).diverged         # no limit at all
    with pytest.raises(ValueError, match="max_norm"):
        runs.run(make, L, [0.0, 0.0], 3, max_grad_norm=0.0)


def test_trajectory_and_sweep_reject_bad_arguments():
    L = ls.quartic()
    with pytest.raises(ValueError, match="unknown optimizer"):
        runs.trajectory("Adamax", L, 0.0, 3, lr=0.1)
    with pytest.raises(ValueError, match="no momentum"):
        runs.trajectory("SGD", L, 0.0, 3, lr=0.1, momentum=0.9)
    with pytest.raises(ValueError):          # the optimizer's own validation
        runs.trajectory("Momentum", L, 0.0, 3, lr=-0.1)
    with pytest.raises(ValueError, match="grid"):
        runs.sweep("GD", L, 0.0, 3, {})
    with pytest.raises(ValueError, match="non-empty"):
        runs.sweep("GD", L, 0.0, 3, {"lr": []})
    with pytest.raises(ValueError, match="both"):
        runs.sweep("Momentum", L, 0.0, 3, {"momentum": [0.5]}, momentum=0.9, lr=0.1)


def test_sweep_order_and_settings():
    swept = runs.sweep("Momentum", ls.quartic(), -0.1, 20, {"lr": [0.01, 0.1], "momentum": [0.0, 0.9]})
    assert [(r.settings["lr"], r.settings["momentum"]) for r in swept] == [
        (0.01, 0.0), (0.01, 0.9), (0.1, 0.0), (0.1, 0.9)]
    one = runs.trajectory("Momentum", ls.quartic(), -0.1, 20, lr=0.1, momentum=0.9)
    np.testing.assert_array_equal(swept[3].path, one.path)


def test_compare_passes_momentum_only_where_it_belongs():
    L = ls.elongated_bowl()
    out = runs.compare(["SGD", "Momentum", "Nesterov", "Adam"], L, [-6.0, 2.0], 40, lr=0.05, momentum=0.8)
    assert list(out) == ["SGD", "Momentum", "Nesterov", "Adam"]
    assert out["SGD"].settings == {"lr": 0.05}
    assert out["Momentum"].settings == {"lr": 0.05, "momentum": 0.8}
    assert out["Nesterov"].settings == {"lr": 0.05, "momentum": 0.8, "nesterov": True}
    ref = _torch_path(torch.optim.Adam, L, [-6.0, 2.0], 40, lr=0.05)
    np.testing.assert_allclose(out["Adam"].path, ref, rtol=1e-10, atol=1e-13)
    for bad in ("SGD", [], ["SGD", "SGD"]):
        with pytest.raises(ValueError, match="names"):
            runs.compare(bad, L, [0.0, 0.0], 3, lr=0.1)
