"""lablib.landscapes: losses and gradients against torch autograd, runs against torch.optim loops."""
import functools
import warnings

import numpy as np
import pytest
import torch

from lablib import landscapes as ls
from lablib import optim

RNG = np.random.default_rng(0)


# Each landscape written again, independently, in torch: autograd gives the reference gradient.
def _torch_sigmoid(z):
    return torch.sigmoid(z)


TORCH_FORMULAS = {
    "quartic": (ls.quartic, lambda w: (w - 0.9) * w * (w + 0.3) * (w + 0.9)),
    "plateau": (ls.plateau, lambda w: 1 - torch.exp(-w**2 / 2)),
    "plateau s=0.5": (functools.partial(ls.plateau, 0.5), lambda w: 1 - torch.exp(-w**2 / (2 * 0.25))),
    "cliff": (ls.cliff, lambda w: 0.5 * w**2 + 4 * _torch_sigmoid(40 * (w - 1))),
    "cliff h=2,k=10,c=-1": (functools.partial(ls.cliff, 2.0, 10.0, -1.0),
                            lambda w: 0.5 * w**2 + 2 * _torch_sigmoid(10 * (w + 1))),
    "round bowl": (ls.round_bowl, lambda x, y: x**2 + y**2),
    "elongated bowl": (ls.elongated_bowl, lambda x, y: x**2 / 20 + y**2),
    "bowl(0.3, 7)": (functools.partial(ls.bowl, 0.3, 7.0), lambda x, y: 0.3 * x**2 + 7 * y**2),
    "saddle": (ls.saddle, lambda x, y: x**2 - y**2),
    "rosenbrock": (ls.rosenbrock, lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
    "rosenbrock(2, 5)": (functools.partial(ls.rosenbrock, 2.0, 5.0), lambda x, y: (2 - x) ** 2 + 5 * (y - x**2) ** 2),
    "several minima": (ls.several_minima, lambda x, y: (x**2 - 1) ** 2 + (y**2 - 1) ** 2 + 0.4 * x + 0.2 * y),
    "several minima(-0.7, 0.5)": (functools.partial(ls.several_minima, -0.7, 0.5),
                                  lambda x, y: (x**2 - 1) ** 2 + (y**2 - 1) ** 2 - 0.7 * x + 0.5 * y),
}


def _sample(L, n=200):
    lo, hi = L.bounds[:, 0], L.bounds[:, 1]
    return lo + (hi - lo) * RNG.random((n, L.dim))


@pytest.mark.parametrize("key", list(TORCH_FORMULAS))
def test_value_and_gradient_match_torch_autograd(key):
    factory, formula = TORCH_FORMULAS[key]
    L = factory()
    X = _sample(L)
    t = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    loss = formula(*t.unbind(-1))
    loss.sum().backward()
    np.testing.assert_allclose(L(X), loss.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(L.grad(X), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    # one point at a time gives the same
    for x, g in zip(X[:5], t.grad.numpy()[:5]):
        np.testing.assert_allclose(L.grad(x), g, rtol=1e-10, atol=1e-12)
        assert isinstance(L(x), float)


@pytest.mark.parametrize("factory", list(ls.LANDSCAPES.values()), ids=list(ls.LANDSCAPES))
def test_gradient_matches_central_differences(factory):
    L = factory()
    h = 1e-6
    for x in _sample(L, 50):
        num = np.array([(L(x + h * e) - L(x - h * e)) / (2 * h) for e in np.eye(L.dim)])
        np.testing.assert_allclose(L.grad(x), num, rtol=1e-6, atol=1e-6)


def _hessian(L, x, h=1e-5):
    return np.array([(L.grad(x + h * e) - L.grad(x - h * e)) / (2 * h) for e in np.eye(L.dim)])


@pytest.mark.parametrize("factory", list(ls.LANDSCAPES.values()), ids=list(ls.LANDSCAPES))
def test_stationary_points_are_what_they_claim(factory):
    L = factory()
    for kind, sign in (("minima", 1), ("maxima", -1), ("saddles", 0)):
        for p in getattr(L, kind):
            assert np.abs(L.grad(p)).max() < 1e-10, (kind, p)
            eig = np.linalg.eigvalsh((_hessian(L, p) + _hessian(L, p).T) / 2)
            if sign == 1:
                assert eig.min() > 0, (kind, p, eig)
            elif sign == -1:
                assert eig.max() < 0, (kind, p, eig)
            else:
                assert eig.min() < 0 < eig.max(), (kind, p, eig)
    # minima sorted by loss, the first one the lowest point of a fine grid
    vals = [L(m) for m in L.minima]
    assert vals == sorted(vals)
    if len(L.minima):
        grid = np.stack(np.meshgrid(*[np.linspace(lo, hi, 301) for lo, hi in L.bounds], indexing="ij"), -1)
        assert L(L.global_minimum) <= L(grid).min() + 1e-12
        for p in L.minima:      # every minimum is inside the drawn region
            assert np.all((L.bounds[:, 0] < p) & (p < L.bounds[:, 1]))
    else:
        assert L.global_minimum is None


def test_counts_of_stationary_points():
    counts = {name: (len(f().minima), len(f().saddles), len(f().maxima)) for name, f in ls.LANDSCAPES.items()}
    assert counts == {"quartic": (2, 0, 1), "plateau": (1, 0, 0), "cliff": (1, 0, 0),
                      "round bowl": (1, 0, 0), "elongated bowl": (1, 0, 0), "saddle": (0, 1, 0),
                      "Rosenbrock": (1, 0, 0), "several minima": (4, 4, 1)}


def test_quartic_stationary_points_are_the_roots_of_its_derivative():
    L = ls.quartic()
    roots = np.sort(np.roots([4, 0.9, -1.62, -0.243]).real)
    np.testing.assert_allclose(np.sort(np.r_[L.minima.ravel(), L.maxima.ravel()]), roots, rtol=1e-12)
    np.testing.assert_allclose(L.global_minimum, [0.6070363938358327], rtol=1e-12)
    # it is the course's product form
    w = np.linspace(-1, 1, 11)
    np.testing.assert_allclose(L.value(w), (w - 0.9) * w * (w + 0.3) * (w + 0.9), rtol=1e-14, atol=1e-15)


def test_point_shapes():
    L2 = ls.saddle()
    assert L2(np.zeros((4, 3, 2))).shape == (4, 3)
    assert L2.grad(np.zeros((4, 3, 2))).shape == (4, 3, 2)
    L1 = ls.quartic()
    assert isinstance(L1(0.3), float) and isinstance(L1.grad(0.3), float)
    assert L1(np.array([0.3])) == L1(0.3)
    assert L1.grad(np.array([0.3])).shape == (1,)
    assert L1(np.zeros((5, 1))).shape == (5,)
    for bad in ([1.0, 2.0, 3.0], 1.0, np.zeros((3, 3))):
        with pytest.raises(ValueError, match="coordinate"):
            L2(bad)
        with pytest.raises(ValueError, match="coordinate"):
            L2.grad(bad)
    with pytest.raises(ValueError, match="coordinate"):
        L1([0.1, 0.2])


def test_bad_landscape_arguments():
    f = lambda x: x      # noqa: E731
    with pytest.raises(ValueError, match="dim"):
        ls.Landscape("x", 3, f, f, [(0, 1)] * 3)
    with pytest.raises(ValueError, match="bounds"):
        ls.Landscape("x", 2, f, f, [(0, 1)])
    with pytest.raises(ValueError, match="bounds"):
        ls.Landscape("x", 1, f, f, [(1, 0)])
    with pytest.raises(ValueError, match="minima"):
        ls.Landscape("x", 2, f, f, [(0, 1), (0, 1)], minima=[[0.0]])
    with pytest.raises(ValueError, match="saddles"):
        ls.Landscape("x", 2, f, f, [(0, 1), (0, 1)], saddles=[0.0, 0.0])
    for call in (lambda: ls.plateau(0), lambda: ls.plateau(-1), lambda: ls.cliff(height=0),
                 lambda: ls.cliff(steepness=-1), lambda: ls.cliff(edge=np.inf), lambda: ls.bowl(0, 1),
                 lambda: ls.bowl(1, -1), lambda: ls.rosenbrock(b=0), lambda: ls.several_minima(2.0),
                 lambda: ls.several_minima(0.1, -1.6)):
        with pytest.raises(ValueError):
            call()
    for call, match in ((lambda: ls.plateau(np.inf), "scale must be a positive finite number"),
                        (lambda: ls.plateau("1"), "scale"), (lambda: ls.bowl(1, True), "b must be"),
                        (lambda: ls.bowl(np.nan, 1), "a must be"), (lambda: ls.cliff(height=-1), "height"),
                        (lambda: ls.cliff(steepness=0), "steepness"), (lambda: ls.cliff(edge=np.nan), "edge"),
                        (lambda: ls.rosenbrock(b=-1), "b must be a positive finite number")):
        with pytest.raises(ValueError, match=match):
            call()


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
    out = ls.trajectory(name, L, x0, 200, lr=lr, **ours)
    ref = _torch_path(torch_opt, L, x0, 200, **{**torch_kw, "lr": lr})
    assert not out.diverged and out.path.shape == (201, L.dim) and out.losses.shape == (201,)
    np.testing.assert_allclose(out.path, ref, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(out.losses, L(ref), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(out.grads, L.grad(ref), rtol=1e-10, atol=1e-12)
    assert out.label == name and out.settings["lr"] == lr


def test_run_with_any_optimizer_class_and_clipping_matches_torch():
    L = ls.cliff()
    for max_norm in (None, 1.0, 0.25):
        out = ls.run(functools.partial(optim.SGD, lr=0.1, momentum=0.5), L, [2.5], 150, max_grad_norm=max_norm)
        ref = _torch_path(torch.optim.SGD, L, [2.5], 150, max_norm=max_norm, lr=0.1, momentum=0.5)
        np.testing.assert_allclose(out.path, ref, rtol=1e-10, atol=1e-13)
    # clipping changes this run (the cliff's gradient reaches 41)
    a = ls.run(functools.partial(optim.SGD, lr=0.1), L, [2.5], 50)
    b = ls.run(functools.partial(optim.SGD, lr=0.1), L, [2.5], 50, max_grad_norm=1.0)
    assert np.abs(a.path - b.path).max() > 0.5
    assert np.all(b.step_sizes <= 0.1 + 1e-12)


def test_velocity_momentum_runs_through_trajectory():
    L = ls.quartic()
    a = ls.trajectory("VelocityMomentum", L, -0.1, 100, lr=0.01, momentum=0.9)
    b = ls.trajectory("Momentum", L, -0.1, 100, lr=0.01, momentum=0.9)
    np.testing.assert_allclose(a.path, b.path, rtol=1e-10, atol=1e-14)


def test_clip_grad_norm_matches_torch():
    for _ in range(20):
        g = RNG.normal(size=3) * 10 ** RNG.uniform(-3, 3)
        max_norm = 10 ** RNG.uniform(-2, 2)
        t = torch.tensor(g.copy(), requires_grad=True)
        t.grad = torch.tensor(g.copy())
        torch.nn.utils.clip_grad_norm_([t], max_norm)
        np.testing.assert_allclose(ls.clip_grad_norm(g, max_norm), t.grad.numpy(), rtol=1e-12)
    g = np.array([1.0, 2.0])
    assert ls.clip_grad_norm(g, 10.0) is not g          # a copy, never the caller's array
    for bad in (0, -1.0, None, "1", np.nan, True):
        with pytest.raises(ValueError, match="max_norm"):
            ls.clip_grad_norm(g, bad)
    np.testing.assert_array_equal(ls.clip_grad_norm(g, np.inf), g)     # no clipping at all


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
    out = ls.run(functools.partial(_GD, lr=0.1), L, (1.0, -2.0), 30, label="GD")
    np.testing.assert_allclose(out.path, np.array([1.0, -2.0]) * 0.8 ** np.arange(31)[:, None], rtol=1e-14)
    assert out.steps == 30 and out.label == "GD" and not out.diverged and out.reason == ""
    np.testing.assert_allclose(out.final, out.path[-1])
    assert out.final_loss == out.losses[-1]
    np.testing.assert_allclose(out.step_sizes, np.linalg.norm(np.diff(out.path, axis=0), axis=1))
    assert "30 steps" in repr(out)
    assert ls.run(functools.partial(_GD, lr=0.1), L, (1.0, -2.0), 0).path.shape == (1, 2)


def test_run_stops_cleanly_on_divergence_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # too large a learning rate on a bowl: |w| grows by 2x per step
        out = ls.run(functools.partial(optim.SGD, lr=1.5), ls.round_bowl(), [1.0, 1.0], 1000)
        assert out.diverged and "exceeded 1e+06" in out.reason and out.steps < 1000
        size = np.maximum(np.abs(out.path).max(axis=1), np.abs(out.losses))
        assert np.all(np.isfinite(out.path)) and size[-1] > 1e6 and np.all(size[:-1] <= 1e6)
        # the saddle is unbounded below: leaving along y is a divergence too
        out = ls.run(functools.partial(optim.SGD, lr=0.1), ls.saddle(), [1.0, 1e-3], 1000)
        assert out.diverged and out.losses[-1] < -1e6
        # Rosenbrock overflows to inf quickly with a huge step: stopped, nothing non-finite kept
        out = ls.run(functools.partial(optim.SGD, lr=10.0), ls.rosenbrock(), [-1.5, 2.0], 1000, limit=1e300)
        assert out.diverged and "finite" in out.reason
        assert np.all(np.isfinite(out.path)) and np.all(np.isfinite(out.losses))
        # a lower limit stops earlier
        short = ls.run(functools.partial(optim.SGD, lr=1.5), ls.round_bowl(), [1.0, 1.0], 1000, limit=10)
        assert short.diverged and short.steps == 2


def test_run_reports_non_finite_gradients_and_points():
    def value(w):
        return w**2

    def partials(w):
        return (np.where(w > 1, np.inf, 2 * w),)

    L = ls.Landscape("wall", 1, value, partials, bounds=[(-2, 2)])
    out = ls.run(functools.partial(optim.SGD, lr=0.5), L, [3.0], 10)
    assert out.diverged and "gradient was not finite at update 1" in out.reason and out.steps == 0

    class NaNOpt(_GD):
        def step(self):
            for p in self.params:
                p.data = p.data * np.nan

    out = ls.run(functools.partial(NaNOpt, lr=0.1), ls.round_bowl(), [1.0, 1.0], 10)
    assert out.diverged and "finite" in out.reason and out.path.shape == (1, 2)


def test_run_rejects_bad_arguments():
    L = ls.round_bowl()
    make = functools.partial(_GD, lr=0.1)
    for bad_steps in (-1, 2.0, True, None):
        with pytest.raises(ValueError, match="steps"):
            ls.run(make, L, [0.0, 0.0], bad_steps)
    for bad_x0 in ([1.0], [1.0, 2.0, 3.0], [np.nan, 0.0], [[1.0, 2.0], [3.0, 4.0]]):
        with pytest.raises(ValueError, match="x0"):
            ls.run(make, L, bad_x0, 3)
    with pytest.raises(ValueError, match="Landscape"):
        ls.run(make, lambda x: x, [0.0, 0.0], 3)
    with pytest.raises(ValueError, match="callable"):
        ls.run(optim.SGD(params=[optim.Parameter([0.0])], lr=0.1), L, [0.0, 0.0], 3)
    with pytest.raises(ValueError, match="step"):
        ls.run(lambda params: object(), L, [0.0, 0.0], 3)
    for bad in (0, -1.0, "big", np.nan, False):
        with pytest.raises(ValueError, match="limit must be a positive number"):
            ls.run(make, L, [0.0, 0.0], 3, limit=bad)
    assert not ls.run(make, L, [0.0, 0.0], 3, limit=np.inf).diverged         # no limit at all
    with pytest.raises(ValueError, match="max_norm"):
        ls.run(make, L, [0.0, 0.0], 3, max_grad_norm=0.0)


def test_trajectory_and_sweep_reject_bad_arguments():
    L = ls.quartic()
    with pytest.raises(ValueError, match="unknown optimizer"):
        ls.trajectory("Adamax", L, 0.0, 3, lr=0.1)
    with pytest.raises(ValueError, match="no momentum"):
        ls.trajectory("SGD", L, 0.0, 3, lr=0.1, momentum=0.9)
    with pytest.raises(ValueError):          # the optimizer's own validation
        ls.trajectory("Momentum", L, 0.0, 3, lr=-0.1)
    with pytest.raises(ValueError, match="grid"):
        ls.sweep("GD", L, 0.0, 3, {})
    with pytest.raises(ValueError, match="non-empty"):
        ls.sweep("GD", L, 0.0, 3, {"lr": []})
    with pytest.raises(ValueError, match="both"):
        ls.sweep("Momentum", L, 0.0, 3, {"momentum": [0.5]}, momentum=0.9, lr=0.1)


def test_sweep_order_and_settings():
    runs = ls.sweep("Momentum", ls.quartic(), -0.1, 20, {"lr": [0.01, 0.1], "momentum": [0.0, 0.9]})
    assert [(r.settings["lr"], r.settings["momentum"]) for r in runs] == [
        (0.01, 0.0), (0.01, 0.9), (0.1, 0.0), (0.1, 0.9)]
    one = ls.trajectory("Momentum", ls.quartic(), -0.1, 20, lr=0.1, momentum=0.9)
    np.testing.assert_array_equal(runs[3].path, one.path)


def test_compare_passes_momentum_only_where_it_belongs():
    L = ls.elongated_bowl()
    runs = ls.compare(["SGD", "Momentum", "Nesterov", "Adam"], L, [-6.0, 2.0], 40, lr=0.05, momentum=0.8)
    assert list(runs) == ["SGD", "Momentum", "Nesterov", "Adam"]
    assert runs["SGD"].settings == {"lr": 0.05}
    assert runs["Momentum"].settings == {"lr": 0.05, "momentum": 0.8}
    assert runs["Nesterov"].settings == {"lr": 0.05, "momentum": 0.8, "nesterov": True}
    ref = _torch_path(torch.optim.Adam, L, [-6.0, 2.0], 40, lr=0.05)
    np.testing.assert_allclose(runs["Adam"].path, ref, rtol=1e-10, atol=1e-13)
    for bad in ("SGD", [], ["SGD", "SGD"]):
        with pytest.raises(ValueError, match="names"):
            ls.compare(bad, L, [0.0, 0.0], 3, lr=0.1)
