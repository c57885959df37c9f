"""lablib.landscapes: losses and gradients against torch autograd (the runs on them: tests/test_runs.py)."""
import functools

import numpy as np
import pytest
import torch

from lablib import landscapes as ls

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
