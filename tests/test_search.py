"""lablib.search: random search and random local search on known functions and on the softmax loss."""
import math

import numpy as np
import pytest

from lablib import set_seed
from lablib.models import softmax_loss
from lablib.search import SearchResult, random_local_search, random_search


def bowl(W):
    return float(np.sum((W - 0.5) ** 2))


def test_random_search_keeps_the_best_of_exactly_the_candidates_drawn():
    seen = []

    def f(W):
        seen.append(W.copy())
        return bowl(W)

    res = random_search(f, (3, 2), num_tries=50, scale=2.0, rng=np.random.default_rng(1))
    # the candidates are scale * N(0, 1) from the given generator, in order
    expected = 2.0 * np.random.default_rng(1).standard_normal((50, 3, 2))
    np.testing.assert_array_equal(np.array(seen), expected)
    losses = np.array([bowl(W) for W in expected])
    np.testing.assert_array_equal(res.losses, losses)
    np.testing.assert_array_equal(res.history, np.minimum.accumulate(losses))
    best = int(np.argmin(losses))
    np.testing.assert_array_equal(res.W, expected[best])
    assert res.loss == losses[best] == res.history[-1]
    assert res.num_accepted == np.sum(losses == np.minimum.accumulate(losses)) == \
        1 + np.sum(np.diff(np.minimum.accumulate(losses)) < 0)


def test_random_search_unpacks_and_is_reproducible():
    W, history = random_search(bowl, (4,), num_tries=20, rng=3)
    again = random_search(bowl, (4,), num_tries=20, rng=3)
    np.testing.assert_array_equal(W, again.W)
    np.testing.assert_array_equal(history, again.history)
    assert isinstance(again, SearchResult) and len(history) == 20
    set_seed(5)
    a = random_search(bowl, 4, num_tries=10)
    set_seed(5)
    np.testing.assert_array_equal(a.W, random_search(bowl, 4, num_tries=10).W)
    assert a.W.shape == (4,)


def test_random_search_scale_matters_on_a_bowl_far_from_zero():
    # the minimum is at 0.5 everywhere: scale 0.5 candidates land nearer than scale 10
    near = random_search(bowl, (5,), num_tries=300, scale=0.5, rng=0).loss
    far = random_search(bowl, (5,), num_tries=300, scale=10.0, rng=0).loss
    assert near < far


def test_random_local_search_accepts_only_improvements():
    W0 = np.zeros((2, 2))
    res = random_local_search(bowl, W0, num_steps=300, step_size=0.05, rng=np.random.default_rng(2))
    assert np.array_equal(W0, np.zeros((2, 2)))                  # W0 untouched
    assert res.history[0] == res.losses[0] == bowl(W0) == 1.0
    np.testing.assert_array_equal(res.history, np.minimum.accumulate(res.losses))
    assert res.loss == bowl(res.W) == res.history[-1] < 0.05
    assert 1 < res.num_accepted < 301
    assert res.num_accepted == 1 + np.sum(np.diff(res.history) < 0)
    # replay: the same steps from the same generator give the same path
    rng = np.random.default_rng(2)
    W, best = W0.copy(), bowl(W0)
    for _ in range(300):
        W_try = W + 0.05 * rng.standard_normal(W.shape)
        if bowl(W_try) < best:
            W, best = W_try, bowl(W_try)
    np.testing.assert_array_equal(res.W, W)


def test_random_local_search_beats_random_search_on_the_softmax_loss():
    rng = np.random.default_rng(4)
    D, C, n = 20, 3, 90
    centers = 3 * rng.standard_normal((C, D))
    y = rng.integers(0, C, n)
    X = centers[y] + rng.standard_normal((n, D))
    f = lambda W: softmax_loss(W, X, y)                       # noqa: E731
    rs = random_search(f, (D + 1, C), num_tries=200, scale=0.01, rng=0)
    rls = random_local_search(f, 0.01 * rng.standard_normal((D + 1, C)), num_steps=199, step_size=0.01, rng=0)
    assert len(rs.history) == len(rls.history) == 200          # same number of loss evaluations
    assert rls.loss < rs.loss < np.log(C) + 0.05


def test_float32_start_and_int_seed():
    res = random_local_search(bowl, np.zeros(3, dtype=np.float32), num_steps=5, rng=0)
    assert res.W.dtype == np.float64 and len(res.losses) == 6


@pytest.mark.parametrize("kwargs,match", [
    (dict(loss_fn="bowl"), "loss_fn must be a function"),
    (dict(shape=(0, 3)), "shape"), (dict(shape=()), "shape"), (dict(shape=(2.0,)), "shape"),
    (dict(shape=None), "shape"), (dict(shape=(True,)), "shape"),
    (dict(num_tries=0), "num_tries"), (dict(num_tries=1.5), "num_tries"),
    (dict(scale=0), "scale"), (dict(scale=-1.0), "scale"), (dict(scale=np.inf), "scale"),
    (dict(rng="0"), "rng"), (dict(rng=1.5), "rng"),
    (dict(loss_fn=lambda W: W), "single real number"),
    (dict(loss_fn=lambda W: np.nan), "finite"),
    (dict(loss_fn=lambda W: np.inf), "finite"),
    (dict(loss_fn=lambda W: "0.5"), "single real number"),
])
def test_random_search_bad_input(kwargs, match):
    args = dict(loss_fn=bowl, shape=(2, 2), num_tries=3) | kwargs
    with pytest.raises(ValueError, match=match):
        random_search(**args)


@pytest.mark.parametrize("kwargs,match", [
    (dict(loss_fn=None), "loss_fn must be a function"),
    (dict(W0=np.zeros(3, dtype=int)), "floats"), (dict(W0=[1, 2]), "floats"),
    (dict(W0=np.array([])), "empty"), (dict(W0=np.array([np.nan])), "NaN"),
    (dict(W0=np.array(["a"])), "floats"),
    (dict(W0=[[1.0], [1.0, 2.0]]), "W0 must be an array of floats; could not convert it"),
    (dict(num_steps=0), "num_steps"), (dict(num_steps=True), "num_steps"),
    (dict(step_size=0.0), "step_size"), (dict(step_size=np.nan), "step_size"),
    (dict(rng=object()), "rng"),
    (dict(loss_fn=lambda W: np.ones(2)), "single real number"),
    (dict(loss_fn=lambda W: float("nan")), "evaluation 1"),
])
def test_random_local_search_bad_input(kwargs, match):
    args = dict(loss_fn=bowl, W0=np.zeros(3), num_steps=3) | kwargs
    with pytest.raises(ValueError, match=match):
        random_local_search(**args)


def test_nan_later_in_the_search_is_reported_with_its_evaluation():
    calls = []

    def f(W):
        calls.append(1)
        return np.nan if len(calls) == 4 else bowl(W)

    with pytest.raises(ValueError, match="evaluation 4"):
        random_local_search(f, np.zeros(2), num_steps=10, rng=0)


# ------------------------------------------------------- the slide's start: bestloss ← ∞
def test_initial_loss_inf_is_the_slides_algorithm_2():
    # bestloss ← ∞: W0 is never evaluated, the first step is kept whatever its loss,
    # and num_steps steps make exactly num_steps evaluations
    W0 = np.full(3, 10.0)                                   # far from the bowl's minimum
    seen = []

    def f(W):
        seen.append(W.copy())
        return bowl(W)

    res = random_local_search(f, W0, num_steps=200, step_size=0.1, rng=7, initial_loss=math.inf)
    assert len(seen) == len(res.losses) == len(res.history) == 200
    assert not any(np.array_equal(W, W0) for W in seen)     # L(W0) was never asked for
    assert res.history[0] == res.losses[0]                  # the first try is always accepted
    np.testing.assert_array_equal(res.history, np.minimum.accumulate(res.losses))
    assert res.num_accepted == 1 + np.sum(np.diff(res.history) < 0)
    # replay the slide's pseudocode line by line
    rng = np.random.default_rng(7)
    W, bestloss = W0.copy(), math.inf
    for _ in range(200):
        W_try = W + 0.1 * rng.standard_normal(W.shape)
        loss = bowl(W_try)
        if loss < bestloss:
            W, bestloss = W_try, loss
    np.testing.assert_array_equal(res.W, W)
    assert res.loss == bestloss


def test_first_step_is_kept_even_when_worse_than_the_start():
    # a step that raises the loss is refused by the book's start, kept by the slide's
    W0 = np.array([0.5])                                    # the minimum: every step is worse
    book = random_local_search(bowl, W0, num_steps=1, step_size=0.1, rng=0)
    slide = random_local_search(bowl, W0, num_steps=1, step_size=0.1, rng=0, initial_loss=math.inf)
    assert book.num_accepted == 1 and np.array_equal(book.W, W0) and book.loss == 0.0
    assert slide.num_accepted == 1 and not np.array_equal(slide.W, W0) and slide.loss > 0.0
    assert slide.losses[0] == book.losses[1]                # the same step, judged differently


def test_finite_initial_loss_is_used_as_given():
    W0 = np.zeros(2)
    given = random_local_search(bowl, W0, num_steps=50, step_size=0.05, rng=1, initial_loss=bowl(W0))
    evaluated = random_local_search(bowl, W0, num_steps=50, step_size=0.05, rng=1)
    np.testing.assert_array_equal(given.W, evaluated.W)
    np.testing.assert_array_equal(given.history, evaluated.history[1:])
    assert given.num_accepted == evaluated.num_accepted - 1  # W0 was not evaluated
    # a bar nothing can beat: W stays at W0 and the loss reported is the bar
    stuck = random_local_search(bowl, W0, num_steps=20, rng=1, initial_loss=-1.0)
    assert stuck.num_accepted == 0 and np.array_equal(stuck.W, W0) and stuck.loss == -1.0
    assert np.all(stuck.history == -1.0)


@pytest.mark.parametrize("initial_loss", [np.nan, -math.inf, "inf", True, [1.0], 1 + 2j])
def test_bad_initial_loss(initial_loss):
    with pytest.raises(ValueError, match="initial_loss"):
        random_local_search(bowl, np.zeros(2), num_steps=3, initial_loss=initial_loss)
