"""lablib.gradcheck: finite differences on known functions, against torch autograd, and bad input."""
import numpy as np
import pytest
import torch

from lablib.gradcheck import numerical_gradient, partial_derivative, rel_error, relative_errors


def test_quadratic_and_cubic_known_gradients():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    f = lambda v: 0.5 * v @ A @ v + np.sum(v ** 3)          # noqa: E731
    exact = 0.5 * (A + A.T) @ x + 3 * x ** 2
    central = numerical_gradient(f, x)
    forward = numerical_gradient(f, x, method="forward")
    np.testing.assert_allclose(central, exact, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(forward, exact, rtol=1e-3, atol=1e-4)
    # the central difference is much closer than the forward one
    assert np.max(np.abs(central - exact)) < 1e-3 * np.max(np.abs(forward - exact))


def test_central_difference_is_exact_for_quadratics_up_to_roundoff():
    # (f(x+h) - f(x-h)) / 2h has no truncation error for a quadratic
    x = np.array([0.3, -1.7])
    g = numerical_gradient(lambda v: 3 * v[0] ** 2 - 2 * v[0] * v[1] + v[1] ** 2, x, h=1e-2)
    np.testing.assert_allclose(g, [6 * 0.3 + 2 * 1.7, -2 * 0.3 - 2 * 1.7], rtol=1e-10)


def test_error_orders_forward_O_h_central_O_h2():
    # f = exp on one entry: forward error ≈ h/2·f'', central error ≈ h²/6·f'''
    x = np.array([0.5])
    exact = np.exp(0.5)
    for h in (1e-2, 1e-3):
        fwd = numerical_gradient(lambda v: np.exp(v[0]), x, h=h, method="forward")[0]
        cen = numerical_gradient(lambda v: np.exp(v[0]), x, h=h)[0]
        assert abs((fwd - exact) / (h / 2 * exact) - 1) < 0.01
        assert abs((cen - exact) / (h ** 2 / 6 * exact) - 1) < 0.01


def test_matrix_input_matches_torch_autograd():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((5, 3))
    X = rng.standard_normal((7, 5))

    def f(w):
        return float(np.sum(np.tanh(X @ w) ** 2) + np.log(np.sum(np.exp(w))))

    Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    Xt = torch.tensor(X, dtype=torch.float64)
    (torch.tanh(Xt @ Wt).pow(2).sum() + torch.logsumexp(Wt.reshape(-1), 0)).backward()
    num = numerical_gradient(f, W)
    assert num.shape == W.shape and num.dtype == np.float64
    np.testing.assert_allclose(num, Wt.grad.numpy(), rtol=1e-7, atol=1e-9)
    assert rel_error(num, Wt.grad.numpy()) < 1e-7


def test_x_is_restored_bit_for_bit_and_closure_sees_the_nudge():
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((3, 2)).astype(dtype)
        before = x.copy()
        seen = []

        def f(_):
            seen.append(x.copy())           # f reads x through the closure
            return float(np.sum(x.astype(np.float64) ** 2))

        g = numerical_gradient(f, x)
        assert np.array_equal(x, before) and x.dtype == dtype
        assert len(seen) == 2 * x.size              # central: two calls per entry
        assert not np.array_equal(seen[0], before)  # the closure saw the perturbed array
        np.testing.assert_allclose(g, 2 * before, rtol=1e-2 if dtype == np.float32 else 1e-8)
        assert len(numerical_gradient(lambda _: 0.0, x, method="forward")) == 3


def test_x_is_restored_when_f_raises():
    x = np.array([1.0, 2.0])

    def f(v):
        if v[1] != 2.0:
            raise RuntimeError("boom")
        return 0.0

    with pytest.raises(RuntimeError):
        numerical_gradient(f, x)
    assert np.array_equal(x, [1.0, 2.0])


def test_forward_evaluates_f_once_per_entry_plus_one():
    calls = []
    x = np.zeros((2, 3))
    numerical_gradient(lambda v: calls.append(1) or 0.0, x, method="forward")
    assert len(calls) == x.size + 1


def test_non_contiguous_view_is_nudged_and_restored():
    base = np.arange(12, dtype=np.float64).reshape(3, 4)
    view = base[:, ::2]
    g = numerical_gradient(lambda v: float(np.sum(v ** 2)), view)
    np.testing.assert_allclose(g, 2 * view, rtol=1e-8)
    assert np.array_equal(base, np.arange(12, dtype=np.float64).reshape(3, 4))


def test_scalar_zero_d_input():
    x = np.array(2.0)
    g = numerical_gradient(lambda v: float(v) ** 3, x)
    assert g.shape == () and abs(float(g) - 12.0) < 1e-8


@pytest.mark.parametrize("x", [np.array([1, 2, 3]), np.array([True, False]), np.array([1 + 2j]),
                               np.array([1.0], dtype=np.float16), [1.0, 2.0], 3.0])
def test_bad_x(x):
    with pytest.raises(ValueError, match="x"):
        numerical_gradient(lambda v: 0.0, x)


def test_read_only_x():
    x = np.ones(3)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        numerical_gradient(lambda v: 0.0, x)


@pytest.mark.parametrize("h", [0, -1e-5, np.inf, np.nan, True, "1e-5", None])
def test_bad_h(h):
    with pytest.raises(ValueError, match="h must be"):
        numerical_gradient(lambda v: 0.0, np.ones(2), h=h)


def test_bad_method():
    with pytest.raises(ValueError, match="method"):
        numerical_gradient(lambda v: 0.0, np.ones(2), method="backward")


@pytest.mark.parametrize("out", [np.ones(2), "a", None, np.array([1j])])
def test_f_must_return_one_real_number(out):
    with pytest.raises(ValueError, match="single real number"):
        numerical_gradient(lambda v: out, np.ones(2))


def test_rel_error_values():
    # |a - b| / max(|a|, |b|, eps), the largest over the entries (CS231n's formula)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0            # both zero: floor, no error
    assert rel_error([2.0], [-2.0]) == 2.0                       # opposite signs: above 1
    assert rel_error([2.0], [0.0]) == rel_error([0.0], [-5.0]) == 1.0   # one of them is 0
    assert rel_error([1e-12], [0.0]) < 1e-3                      # below the floor: negligible
    assert rel_error([1e-12], [0.0]) == pytest.approx(1e-4)      # 1e-12 / eps
    assert rel_error([3.0, 1.0], [3.0, 1.0 + 1e-6]) == pytest.approx(1e-6 / (1 + 1e-6))
    assert rel_error([1.0], [1.001]) == pytest.approx(0.001 / 1.001, rel=1e-12)
    # the largest entry wins, and the order of a and b does not matter
    a, b = np.array([1.0, -2.0, 0.5]), np.array([1.001, -2.0, 0.55])
    assert rel_error(a, b) == pytest.approx(0.05 / 0.55) == rel_error(b, a)
    # scale invariance
    assert rel_error(1000 * a, 1000 * b) == pytest.approx(rel_error(a, b), rel=1e-12)
    assert rel_error(np.array([1, 2]), np.array([1, 2])) == 0.0  # integer inputs are fine here
    assert rel_error([1.0], [1.0], eps=1.0) == 0.0
    assert rel_error([1e-3], [2e-3], eps=1.0) == pytest.approx(1e-3)   # a large floor


def test_rel_error_is_between_half_and_all_of_the_sum_form():
    # max(|a|, |b|) <= |a| + |b| <= 2 max(|a|, |b|): the sum form (CS231n's assignment helper)
    # is never larger, and about half when the two agree
    rng = np.random.default_rng(8)
    a = rng.standard_normal(1000)
    for b in (a * (1 + 1e-6 * rng.standard_normal(1000)), rng.standard_normal(1000)):
        ours = np.abs(a - b) / np.maximum(np.abs(a), np.abs(b))
        summed = np.abs(a - b) / (np.abs(a) + np.abs(b))
        assert np.all(summed <= ours) and np.all(ours <= 2 * summed * (1 + 1e-12))
        assert rel_error(a, b) == pytest.approx(ours.max(), rel=1e-12)
    close = a * (1 + 1e-6)
    assert rel_error(a, close) == pytest.approx(1e-6 / (1 + 1e-6), rel=1e-6)


@pytest.mark.parametrize("a,b,match", [
    (np.ones(3), np.ones(4), "same shape"),
    (np.ones((2, 3)), np.ones(6), "same shape"),
    (np.array([]), np.array([]), "empty"),
    (np.array([np.nan]), np.array([1.0]), "finite"),
    (np.array([1.0]), np.array([np.inf]), "finite"),
    (np.array(["a"]), np.array(["b"]), "real numbers"),
    ([[1.0], [1.0, 2.0]], np.ones(2), "a must be an array of real numbers; could not convert it"),
    (np.ones(2), [[1.0], [1.0, 2.0]], "b must be an array of real numbers; could not convert it"),
])
def test_rel_error_bad_input(a, b, match):
    with pytest.raises(ValueError, match=match):
        rel_error(a, b)


@pytest.mark.parametrize("eps", [0, -1.0, np.nan, np.inf, True, "1e-8", None])
def test_rel_error_bad_eps(eps):
    with pytest.raises(ValueError, match="eps"):
        rel_error([1.0], [1.0], eps=eps)


# ------------------------------------------------------------------ one entry at a time
def test_partial_derivative_matches_numerical_gradient_entrywise():
    rng = np.random.default_rng(4)
    W = rng.standard_normal((4, 3))
    f = lambda w: float(np.sum(np.sin(w) * w[::-1]))      # noqa: E731
    for method in ("central", "forward"):
        full = numerical_gradient(f, W, method=method)
        for flat in range(W.size):
            ix = np.unravel_index(flat, W.shape)
            assert partial_derivative(f, W, ix, method=method) == full[ix]
            assert partial_derivative(f, W, flat, method=method) == full[ix]
            assert partial_derivative(f, W, np.int64(flat), method=method) == full[ix]


def test_partial_derivative_calls_f_twice_and_restores_x():
    calls = []
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    d = partial_derivative(lambda v: calls.append(v[1, 0]) or float(v[1, 0] ** 2), x, (1, 0), h=1e-3)
    assert calls == [3.0 + 1e-3, 3.0 - 1e-3] and abs(d - 6.0) < 1e-9
    assert np.array_equal(x, [[1.0, 2.0], [3.0, 4.0]])
    calls.clear()
    partial_derivative(lambda v: calls.append(1) or 0.0, x, 0, method="forward")
    assert len(calls) == 2                       # f(x) and f(x + h e_i)


@pytest.mark.parametrize("index,match", [
    ((0, 5), "out of range"), ((2, 0), "out of range"), ((-1, 0), "out of range"), (6, "out of range"),
    (-1, "out of range"), ((0,), "tuple of 2 integers"), ((0, 0, 0), "tuple of 2 integers"),
    ((0.0, 1), "tuple of 2 integers"), ((True, 1), "tuple of 2 integers"), (1.5, "index must be"),
    (None, "index must be"),
])
def test_partial_derivative_bad_index(index, match):
    with pytest.raises(ValueError, match=match):
        partial_derivative(lambda v: 0.0, np.zeros((2, 3)), index)


def test_partial_derivative_bad_x_h_method():
    with pytest.raises(ValueError, match="floating-point"):
        partial_derivative(lambda v: 0.0, np.zeros(3, dtype=int), 0)
    with pytest.raises(ValueError, match="h must be"):
        partial_derivative(lambda v: 0.0, np.zeros(3), 0, h=-1.0)
    with pytest.raises(ValueError, match="method"):
        partial_derivative(lambda v: 0.0, np.zeros(3), 0, method="left")


def test_relative_errors_entrywise_and_rel_error_is_their_max():
    a = np.array([[1.0, -2.0], [0.0, 3.0]])
    b = np.array([[1.001, 2.0], [0.0, 3.0]])
    r = relative_errors(a, b)
    assert r.shape == a.shape and r.dtype == np.float64
    np.testing.assert_allclose(r, [[0.001 / 1.001, 2.0], [0.0, 0.0]], rtol=1e-12)
    assert rel_error(a, b) == r.max() == 2.0
    assert relative_errors(np.array(3.0), np.array(3.0)).shape == ()
    with pytest.raises(ValueError, match="same shape"):
        relative_errors(np.ones(2), np.ones(3))
