"""lablib.losses against torch.nn.functional and torch autograd, in float64 at rtol 1e-10."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lablib import losses as L

RTOL = 1e-10
REDUCTIONS = ["mean", "sum", "none"]
SCALES = [1.0, 30.0, 1e4]          # ordinary, large, extreme logits (±1e4)


def T(x, grad=False):
    return torch.tensor(np.asarray(x, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def close(actual, expected, rtol=RTOL, atol=0.0):
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else np.asarray(expected)
    np.testing.assert_allclose(np.asarray(actual, dtype=np.float64), expected, rtol=rtol, atol=atol)


def torch_grad(fn, x, reduction):
    """d(loss)/dx from autograd; for 'none' the gradient of the sum of the per-sample losses."""
    xt = T(x, grad=True)
    out = fn(xt)
    (out.sum() if reduction == "none" else out).backward()
    return xt.grad.numpy()


def random_logits(rng, n, C, scale):
    z = rng.standard_normal((n, C)) * scale
    if scale >= 1e4:                       # make sure the extremes ±1e4 themselves appear
        z[0, 0], z[0, -1] = 1e4, -1e4
    return z


def random_distributions(rng, n, C, zeros=False):
    p = rng.random((n, C)) + 0.05
    if zeros:
        p[rng.random((n, C)) < 0.3] = 0.0
        p[:, 0] += 0.1                      # keep every row non-zero somewhere
    return p / p.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- building blocks
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax_match_torch(scale, axis):
    z = random_logits(np.random.default_rng(1), 6, 5, scale)
    close(L.softmax(z, axis=axis), F.softmax(T(z), dim=axis), atol=1e-300)
    close(L.log_softmax(z, axis=axis), F.log_softmax(T(z), dim=axis))
    assert np.isfinite(L.log_softmax(z, axis=axis)).all()
    np.testing.assert_allclose(L.softmax(z, axis=axis).sum(axis=axis), 1.0, rtol=1e-15)


def test_softmax_on_three_dimensional_input_and_one_row():
    z = np.random.default_rng(2).standard_normal((2, 3, 4)) * 5
    close(L.softmax(z), F.softmax(T(z), dim=-1))
    close(L.log_softmax(z, axis=1), F.log_softmax(T(z), dim=1))
    close(L.softmax([3.0, 1.0, -2.0]), F.softmax(T([3.0, 1.0, -2.0]), dim=0))


@pytest.mark.parametrize("scale", SCALES)
def test_logsumexp_matches_torch(scale):
    z = random_logits(np.random.default_rng(3), 4, 6, scale)
    close(L.logsumexp(z), torch.logsumexp(T(z), dim=-1))
    close(L.logsumexp(z, axis=0), torch.logsumexp(T(z), dim=0))


def test_naive_formulas_overflow_where_lablib_does_not():
    z = np.array([[1000.0, 0.0, -1000.0]])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        naive_softmax = np.exp(z) / np.exp(z).sum()
        naive_log = np.log(np.exp(z) / np.exp(z).sum())
    assert np.isnan(naive_softmax).any() and not np.isfinite(naive_log).all()
    assert np.isfinite(L.softmax(z)).all() and np.isfinite(L.log_softmax(z)).all()
    close(L.log_softmax(z), [[0.0, -1000.0, -2000.0]])


def test_sigmoid_matches_torch_including_extremes_and_inf():
    x = np.concatenate([np.random.default_rng(4).standard_normal(50) * 20,
                        [-1e4, -745.0, -1.0, 0.0, 1.0, 745.0, 1e4, -np.inf, np.inf]])
    with np.errstate(over="raise"):           # no overflow warnings inside lablib
        s = L.sigmoid(x)
    close(s, torch.sigmoid(T(x)), atol=1e-300)
    assert s[-2] == 0.0 and s[-1] == 1.0 and L.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(L.sigmoid(x[:50]) + L.sigmoid(-x[:50]), 1.0, rtol=1e-15)


def test_one_hot_matches_torch_and_returns_floats():
    y = np.array([[1, 2], [0, 4]])
    out = L.one_hot(y, 5)
    assert out.dtype == np.float64 and out.shape == (2, 2, 5)
    np.testing.assert_array_equal(out, F.one_hot(torch.tensor(y), 5).numpy())
    # the course's table: categories 2, 3, 1, 2 (1-based) -> 0-based indices 1, 2, 0, 1
    np.testing.assert_array_equal(L.one_hot(np.array([2, 3, 1, 2]) - 1, 3),
                                  [[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert L.one_hot(np.array([], dtype=int), 3).shape == (0, 3)
    assert L.one_hot(np.uint8(2), np.int64(3)).tolist() == [0.0, 0.0, 1.0]


# ----------------------------------------------------------------------- information theory
def test_entropy_matches_torch_categorical_including_zeros():
    p = random_distributions(np.random.default_rng(5), 7, 4, zeros=True)
    assert (p == 0).any()
    close(L.entropy(p), torch.distributions.Categorical(probs=T(p)).entropy(), atol=1e-15)


def test_entropy_known_values():
    assert L.entropy([0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-15)
    assert L.entropy([0.25] * 4) == pytest.approx(math.log(4), rel=1e-15)
    assert L.entropy([1.0, 0.0, 0.0]) == 0.0
    p = np.linspace(0, 1, 11)
    H = L.entropy(np.stack([p, 1 - p], axis=-1))
    assert H.shape == (11,) and np.argmax(H) == 5 and H[0] == H[-1] == 0.0


def test_kl_divergence_matches_torch_kl_div():
    rng = np.random.default_rng(6)
    p = random_distributions(rng, 5, 6, zeros=True)
    q = random_distributions(rng, 5, 6)
    expected = F.kl_div(T(q).log(), T(p), reduction="none").sum(-1)
    close(L.kl_divergence(p, q), expected, atol=1e-15)


def test_kl_divergence_properties():
    rng = np.random.default_rng(7)
    p, q = random_distributions(rng, 20, 3), random_distributions(rng, 20, 3)
    d_pq, d_qp = L.kl_divergence(p, q), L.kl_divergence(q, p)
    assert (d_pq > 0).all() and not np.allclose(d_pq, d_qp)        # positive, not symmetric
    np.testing.assert_allclose(L.kl_divergence(p, p), 0.0, atol=1e-15)
    # H(P, Q) = H(P) + D_KL(P || Q)
    cross = -(p * np.log(q)).sum(-1)
    np.testing.assert_allclose(L.entropy(p) + d_pq, cross, rtol=1e-12)
    assert L.kl_divergence([0.9, 0.1], [0.5, 0.5]) == pytest.approx(0.9 * math.log(1.8) + 0.1 * math.log(0.2))
    # Q says "impossible" where P says "happens": infinite; the reverse is finite
    assert L.kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
    assert np.isfinite(L.kl_divergence([1.0, 0.0], [0.5, 0.5]))


# --------------------------------------------------------------------------- cross_entropy
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("form", ["indices", "probabilities"])
def test_cross_entropy_and_grad_match_torch(reduction, scale, form):
    rng = np.random.default_rng(8)
    z = random_logits(rng, 9, 5, scale)
    y = rng.integers(0, 5, size=9) if form == "indices" else random_distributions(rng, 9, 5, zeros=True)
    ty = torch.tensor(y) if form == "indices" else T(y)
    value = L.cross_entropy(z, y, reduction=reduction)
    expected = F.cross_entropy(T(z), ty, reduction=reduction)
    close(value, expected)
    assert np.isfinite(value).all()
    assert isinstance(value, float) if reduction != "none" else value.shape == (9,)
    grad = L.cross_entropy_grad(z, y, reduction=reduction)
    close(grad, torch_grad(lambda t: F.cross_entropy(t, ty, reduction=reduction), z, reduction), atol=1e-300)
    assert grad.shape == z.shape and np.isfinite(grad).all()


def test_cross_entropy_integer_one_hot_rows_equal_indices():
    rng = np.random.default_rng(9)
    z, y = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    Y = F.one_hot(torch.tensor(y), 4).numpy()              # int64 rows, as torch makes them
    assert L.cross_entropy(z, Y) == pytest.approx(L.cross_entropy(z, y), rel=1e-15)
    np.testing.assert_allclose(L.cross_entropy_grad(z, Y), L.cross_entropy_grad(z, y), rtol=1e-15)
    # the gradient is (softmax - one_hot) / n
    np.testing.assert_allclose(L.cross_entropy_grad(z, y), (L.softmax(z) - L.one_hot(y, 4)) / 6, rtol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_single_row_matches_torch(reduction):
    z = np.array([0.3, -1.2, 2.0, 0.1])
    for y, ty in [(2, torch.tensor(2)), (np.array([0.1, 0.2, 0.3, 0.4]), T([0.1, 0.2, 0.3, 0.4]))]:
        value = L.cross_entropy(z, y, reduction=reduction)
        close(value, F.cross_entropy(T(z), ty, reduction=reduction))
        assert np.ndim(value) == 0
        grad = L.cross_entropy_grad(z, y, reduction=reduction)
        close(grad, torch_grad(lambda t: F.cross_entropy(t, ty, reduction=reduction), z, reduction))
        assert grad.shape == (4,)


def test_cross_entropy_extreme_logits_known_values():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]])
    assert L.cross_entropy(z, [0, 1]) == 0.0
    assert L.cross_entropy(z, [1, 0], reduction="none").tolist() == [2e4, 2e4]
    np.testing.assert_array_equal(L.cross_entropy_grad(z, [1, 0], reduction="sum"),
                                  [[1.0, -1.0, 0.0], [-1.0, 1.0, 0.0]])


# ------------------------------------------------------------------- binary cross-entropy
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("soft", [False, True])
def test_binary_cross_entropy_and_grad_match_torch(reduction, soft):
    rng = np.random.default_rng(10)
    p = rng.random((4, 5))
    y = rng.random((4, 5)) if soft else rng.integers(0, 2, (4, 5)).astype(float)
    close(L.binary_cross_entropy(p, y, reduction=reduction), F.binary_cross_entropy(T(p), T(y), reduction=reduction))
    close(L.binary_cross_entropy_grad(p, y, reduction=reduction),
          torch_grad(lambda t: F.binary_cross_entropy(t, T(y), reduction=reduction), p, reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_exact_zero_and_one_are_clamped_like_torch(reduction):
    p = np.array([0.0, 0.0, 1.0, 1.0, 1e-50, 1 - 1e-16, 0.5])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    value = L.binary_cross_entropy(p, y, reduction=reduction)
    close(value, F.binary_cross_entropy(T(p), T(y), reduction=reduction))
    per = L.binary_cross_entropy(p, y, reduction="none")
    assert per[0] == 0.0 and per[1] == 100.0 and per[2] == 100.0 and per[3] == 0.0 and per[4] == 100.0
    grad = L.binary_cross_entropy_grad(p, y, reduction=reduction)
    close(grad, torch_grad(lambda t: F.binary_cross_entropy(t, T(y), reduction=reduction), p, reduction))
    assert np.isfinite(grad).all()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("scale", SCALES)
def test_binary_cross_entropy_with_logits_and_grad_match_torch(reduction, scale):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 6)) * scale
    x[0, :2] = [1e4, -1e4]
    y = rng.integers(0, 2, (3, 6)).astype(float)
    y[1] = rng.random(6)                                   # some soft labels too
    value = L.binary_cross_entropy_with_logits(x, y, reduction=reduction)
    close(value, F.binary_cross_entropy_with_logits(T(x), T(y), reduction=reduction))
    assert np.isfinite(value).all()
    grad = L.binary_cross_entropy_with_logits_grad(x, y, reduction=reduction)
    close(grad, torch_grad(lambda t: F.binary_cross_entropy_with_logits(t, T(y), reduction=reduction), x, reduction),
          atol=1e-300)


def test_bce_with_logits_equals_bce_of_sigmoid_for_moderate_logits():
    rng = np.random.default_rng(12)
    x, y = rng.standard_normal(20) * 3, rng.integers(0, 2, 20)
    assert L.binary_cross_entropy_with_logits(x, y) == pytest.approx(L.binary_cross_entropy(L.sigmoid(x), y), rel=1e-12)


# ------------------------------------------------------------------------------- mse
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 2)])
def test_mse_loss_and_grad_match_torch(reduction, shape):
    rng = np.random.default_rng(13)
    x, y = rng.standard_normal(shape) * 10, rng.standard_normal(shape)
    close(L.mse_loss(x, y, reduction=reduction), F.mse_loss(T(x), T(y), reduction=reduction))
    close(L.mse_loss_grad(x, y, reduction=reduction),
          torch_grad(lambda t: F.mse_loss(t, T(y), reduction=reduction), x, reduction))


# ------------------------------------------------------------- categorical cross-entropy
def torch_categorical(p, y, reduction):
    logp = p.log().clamp(min=L.LOG_CLAMP)
    if y.dtype == torch.int64:
        return F.nll_loss(logp, y, reduction=reduction)
    per = -(y * logp).sum(-1)
    return {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("form", ["indices", "one-hot", "probabilities"])
def test_categorical_cross_entropy_and_grad_match_torch(reduction, form):
    rng = np.random.default_rng(14)
    p = random_distributions(rng, 8, 4)
    idx = rng.integers(0, 4, 8)
    y = {"indices": idx, "one-hot": L.one_hot(idx, 4), "probabilities": random_distributions(rng, 8, 4)}[form]
    ty = torch.tensor(y) if form == "indices" else T(y)
    close(L.categorical_cross_entropy(p, y, reduction=reduction), torch_categorical(T(p), ty, reduction))
    close(L.categorical_cross_entropy_grad(p, y, reduction=reduction),
          torch_grad(lambda t: torch_categorical(t, ty, reduction), p, reduction))


def test_categorical_cross_entropy_of_softmax_equals_cross_entropy_of_logits():
    rng = np.random.default_rng(15)
    z, y = rng.standard_normal((10, 6)) * 2, rng.integers(0, 6, 10)
    assert L.categorical_cross_entropy(L.softmax(z), y) == pytest.approx(L.cross_entropy(z, y), rel=1e-12)


def test_categorical_cross_entropy_with_zero_probability_is_clamped():
    p = np.array([[0.1, 0.0, 0.9], [0.0, 1.0, 0.0]])
    per = L.categorical_cross_entropy(p, [2, 0], reduction="none")
    close(per, [-math.log(0.9), 100.0], rtol=1e-15)
    close(per, torch_categorical(T(p), torch.tensor([2, 0]), "none"))
    grad = L.categorical_cross_entropy_grad(p, [2, 0], reduction="sum")
    # flat where the log is clamped (torch's autograd gives 0 * inf = nan there)
    np.testing.assert_array_equal(grad, [[0.0, 0.0, -1 / 0.9], [0.0, 0.0, 0.0]])


# ------------------------------------------------------------------------ the course's slide
SLIDE_Y = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0]])
SLIDE_Y_HAT = np.array([[0.8, 0.1, 0.1], [0.1, 0.0, 0.9], [0.2, 0.6, 0.2]])


def test_the_slides_numbers():
    per = L.categorical_cross_entropy(SLIDE_Y_HAT, SLIDE_Y, reduction="none")
    assert per[0] == pytest.approx(-math.log(0.8), rel=1e-15)          # CE of data 1
    close(per, [-math.log(0.8), -math.log(0.9), -math.log(0.6)], rtol=1e-15)
    mean = L.categorical_cross_entropy(SLIDE_Y_HAT, SLIDE_Y)
    assert mean == pytest.approx(-(math.log(0.8) + math.log(0.9) + math.log(0.6)) / 3, rel=1e-15)
    assert round(mean, 4) == 0.2798
    assert L.categorical_cross_entropy(SLIDE_Y_HAT, [0, 2, 1]) == mean          # indices, same number
    assert L.categorical_cross_entropy(SLIDE_Y_HAT, SLIDE_Y, reduction="sum") == pytest.approx(3 * mean, rel=1e-15)
    close(mean, torch_categorical(T(SLIDE_Y_HAT), torch.tensor([0, 2, 1]), "mean"))
    # the same numbers through logits: log of the table is a valid set of logits
    with np.errstate(divide="ignore"):
        z = np.log(np.where(SLIDE_Y_HAT > 0, SLIDE_Y_HAT, 1e-300))
    assert L.cross_entropy(z, [0, 2, 1]) == pytest.approx(mean, rel=1e-12)


# ------------------------------------------------------------------------------- bad input
LOSSES_WITH_LOGITS = [L.cross_entropy, L.cross_entropy_grad]
CATEGORICAL = [L.categorical_cross_entropy, L.categorical_cross_entropy_grad]
ELEMENTWISE = [L.binary_cross_entropy, L.binary_cross_entropy_grad, L.binary_cross_entropy_with_logits,
               L.binary_cross_entropy_with_logits_grad, L.mse_loss, L.mse_loss_grad]
ALL_LOSSES = LOSSES_WITH_LOGITS + CATEGORICAL + ELEMENTWISE
P3 = [[0.2, 0.3, 0.5], [0.1, 0.8, 0.1]]


def _name(f):
    return f.__name__


@pytest.mark.parametrize("fn", ALL_LOSSES, ids=_name)
def test_unknown_reduction_is_rejected(fn):
    first = P3 if fn in LOSSES_WITH_LOGITS + CATEGORICAL else [0.5, 0.5]
    target = [0, 1] if fn in LOSSES_WITH_LOGITS + CATEGORICAL else [1.0, 0.0]
    with pytest.raises(ValueError, match="reduction must be one of"):
        fn(first, target, reduction="avg")


@pytest.mark.parametrize("fn", LOSSES_WITH_LOGITS + CATEGORICAL, ids=_name)
def test_class_losses_reject_bad_targets(fn):
    with pytest.raises(ValueError, match="out of range"):
        fn(P3, [0, 3])
    with pytest.raises(ValueError, match="out of range"):
        fn(P3, [-1, 0])
    with pytest.raises(ValueError, match="must be integers"):
        fn(P3, [0.0, 1.0])
    with pytest.raises(ValueError, match="shape"):
        fn(P3, [0, 1, 2])
    with pytest.raises(ValueError, match="shape"):
        fn(P3, [[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="sum to 1"):
        fn(P3, [[0.5, 0.0, 0.0], [0.0, 1.0, 0.0]])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        fn(P3, [[1.5, -0.5, 0.0], [0.0, 1.0, 0.0]])
    with pytest.raises(ValueError, match="numeric"):
        fn(P3, ["a", "b"])
    with pytest.raises(ValueError, match="boolean"):
        fn(P3, np.eye(3, dtype=bool)[:2])


@pytest.mark.parametrize("fn", LOSSES_WITH_LOGITS + CATEGORICAL, ids=_name)
def test_class_losses_reject_bad_scores(fn):
    with pytest.raises(ValueError, match=r"\(n, C\) or \(C,\)"):
        fn(np.full((2, 3, 4), 1 / 4), [0, 1])
    with pytest.raises(ValueError, match="numeric"):
        fn([["a", "b"], ["c", "d"]], [0, 1])
    with pytest.raises(ValueError, match="numeric"):
        fn([[0.5, 0.5], [0.5]], [0, 1])                       # ragged
    with pytest.raises(ValueError, match="numeric"):
        fn(np.array(P3, dtype=complex), [0, 1])
    with pytest.raises(ValueError, match="finite|NaN"):
        fn([[np.nan, 0.5, 0.5], [0.2, 0.3, 0.5]], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        fn(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="no classes"):
        fn(np.zeros((2, 0)), [0, 0])


@pytest.mark.parametrize("fn", LOSSES_WITH_LOGITS, ids=_name)
def test_cross_entropy_rejects_infinite_logits(fn):
    with pytest.raises(ValueError, match="finite"):
        fn([[np.inf, 0.0]], [0])


@pytest.mark.parametrize("fn", CATEGORICAL, ids=_name)
def test_categorical_cross_entropy_rejects_non_distributions(fn):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        fn([[1.2, -0.2, 0.0]], [0])
    with pytest.raises(ValueError, match=r"\[0, 1\]; found 2"):
        fn([[2.0, 1.0, 0.5]], [0])                            # logits passed where probabilities belong
    with pytest.raises(ValueError, match="a row sums to 2.4"):
        fn([[0.9, 0.8, 0.7]], [0])
    with pytest.raises(ValueError, match="sum to 1"):
        fn([[0.5, 0.3, 0.1]], [0])


@pytest.mark.parametrize("fn", ELEMENTWISE, ids=_name)
def test_elementwise_losses_reject_bad_input(fn):
    with pytest.raises(ValueError, match="same shape"):
        fn([0.5, 0.5], [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="same shape"):
        fn([[0.5, 0.5]], [1.0, 0.0])                          # no silent broadcasting
    with pytest.raises(ValueError, match="numeric"):
        fn(["0.5"], [1.0])
    with pytest.raises(ValueError, match="numeric"):
        fn([0.5], [None])
    with pytest.raises(ValueError, match="finite|NaN"):
        fn([np.nan], [1.0])
    with pytest.raises(ValueError, match="finite|NaN"):
        fn([0.5], [np.nan])
    with pytest.raises(ValueError, match="empty"):
        fn([], [])


@pytest.mark.parametrize("fn", ELEMENTWISE[:4], ids=_name)
def test_binary_losses_reject_targets_outside_0_1(fn):
    with pytest.raises(ValueError, match=r"target must hold probabilities in \[0, 1\]"):
        fn([0.5, 0.5], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"target must hold probabilities in \[0, 1\]"):
        fn([0.5, 0.5], [-1.0, 0.0])


@pytest.mark.parametrize("fn", ELEMENTWISE[:2], ids=_name)
def test_binary_cross_entropy_rejects_probabilities_outside_0_1(fn):
    with pytest.raises(ValueError, match=r"probs must hold probabilities in \[0, 1\]; found 1.5"):
        fn([0.5, 1.5], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"probs must hold probabilities"):
        fn([-0.1], [1.0])                                     # logits passed where probabilities belong


def test_information_functions_reject_bad_input():
    with pytest.raises(ValueError, match="sum to 1"):
        L.entropy([0.5, 0.4])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        L.entropy([1.5, -0.5])
    with pytest.raises(ValueError, match="scalar"):
        L.entropy(1.0)
    with pytest.raises(ValueError, match="empty last axis"):
        L.entropy(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="numeric"):
        L.entropy(["x", "y"])
    with pytest.raises(ValueError, match="same shape"):
        L.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="q must sum to 1"):
        L.kl_divergence([0.5, 0.5], [0.5, 0.6])
    with pytest.raises(ValueError, match=r"p must hold probabilities in \[0, 1\]"):
        L.kl_divergence([1.5, -0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="NaN"):
        L.kl_divergence([np.nan, 1.0], [0.5, 0.5])


def test_building_blocks_reject_bad_input():
    for fn in (L.softmax, L.log_softmax, L.logsumexp):
        with pytest.raises(ValueError, match="numeric"):
            fn(["a", "b"])
        with pytest.raises(ValueError, match="finite"):
            fn([np.inf, 0.0])
        with pytest.raises(ValueError, match="finite"):
            fn([np.nan, 0.0])
    with pytest.raises(ValueError, match="NaN"):
        L.sigmoid([np.nan])
    with pytest.raises(ValueError, match="numeric"):
        L.sigmoid(np.array([1 + 2j]))
    with pytest.raises(ValueError, match="out of range"):
        L.one_hot([0, 3], 3)
    with pytest.raises(ValueError, match="out of range"):
        L.one_hot([-1], 3)
    with pytest.raises(ValueError, match="integer class indices"):
        L.one_hot([0.0, 1.0], 3)
    for bad in (3.0, True, 0, -1):
        with pytest.raises(ValueError, match="num_classes must be a positive integer"):
            L.one_hot([0, 1], bad)
    with pytest.raises(ValueError, match="y must be an array of class indices; could not convert it"):
        L.one_hot([[0], [1, 2]], 3)
    for fn in (L.softmax, L.entropy):
        with pytest.raises(ValueError, match="must be a numeric array; could not convert it"):
            fn([[0.5], [0.25, 0.25]])
    with pytest.raises(ValueError, match="target must be a numeric array; could not convert it"):
        L.cross_entropy(np.zeros((2, 3)), [[0], [1, 2]])


def test_inputs_are_not_modified():
    rng = np.random.default_rng(16)
    z, y = rng.standard_normal((4, 3)), rng.integers(0, 3, 4)
    p = L.softmax(z)
    copies = z.copy(), y.copy(), p.copy()
    for fn, first in [(L.cross_entropy, z), (L.cross_entropy_grad, z),
                      (L.categorical_cross_entropy, p), (L.categorical_cross_entropy_grad, p)]:
        for reduction in REDUCTIONS:
            fn(first, y, reduction=reduction)
    np.testing.assert_array_equal(z, copies[0])
    np.testing.assert_array_equal(y, copies[1])
    np.testing.assert_array_equal(p, copies[2])
