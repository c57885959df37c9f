"""lablib._validate: the one copy of each argument check the modules share."""
import re

import numpy as np
import pytest

from lablib import _validate as v


def test_array_converts_or_says_it_could_not():
    x = [1.0, 2.0]
    assert isinstance(v.array(x, "x"), np.ndarray)
    a = np.ones(3)
    assert v.array(a, "a") is a and v.array(a, "a", copy=True) is not a
    with pytest.raises(ValueError, match=r"^W0 must be an array of floats; could not convert it \("):
        v.array([[1.0], [1.0, 2.0]], "W0", "an array of floats")
    with pytest.raises(ValueError, match=r"^X must be a numeric array; could not convert it"):
        v.array([[1.0], [1.0, 2.0]], "X")


@pytest.mark.parametrize("good", [True, False, np.bool_(True)])
def test_flag_accepts_true_and_false(good):
    assert v.flag(good, "shuffle") is bool(good)


@pytest.mark.parametrize("bad", [1, 0, "yes", None, np.array([True])])
def test_flag_rejects_everything_else(bad):
    with pytest.raises(ValueError, match="shuffle must be True or False"):
        v.flag(bad, "shuffle")


def test_positive_int():
    assert v.positive_int(np.int64(3), "n") == 3 and type(v.positive_int(np.int64(3), "n")) is int
    for bad in (0, -1, 2.0, True, "3", None):
        with pytest.raises(ValueError, match="n must be a positive integer"):
            v.positive_int(bad, "n")


def test_integer_ranges_say_the_range():
    assert v.integer(-3, "step", at_least=-3, at_most=2) == -3 and type(v.integer(np.int64(2), "s")) is int
    assert v.positive_int(2, "num_classes", at_least=2) == 2 and v.positive_int(1000, "steps", at_most=1000) == 1000
    for value, kwargs, message in [
            (3, dict(at_least=-3, at_most=2), "step must be an integer from -3 to 2, got 3"),
            (-1, dict(at_least=0), "step must be a non-negative integer, got -1"),
            (1, dict(at_least=2), "step must be an integer of at least 2, got 1"),
            (5, dict(at_most=4), "step must be an integer of at most 4, got 5"),
            (True, {}, "step must be an integer, got True"), (2.0, {}, "step must be an integer, got 2.0")]:
        with pytest.raises(ValueError, match=re.escape(message)):
            v.integer(value, "step", **kwargs)
    with pytest.raises(ValueError, match=re.escape("steps must be an integer from 1 to 1000, got 1001")):
        v.positive_int(1001, "steps", at_most=1000)


def test_number_between():
    assert v.number_between(10, "dpi", 10, 600) == 10.0 and v.number_between(600.0, "dpi", 10, 600) == 600.0
    for bad in (9.99, 601, np.nan, True, "100", None):
        with pytest.raises(ValueError, match="dpi must be a number between 10 and 600"):
            v.number_between(bad, "dpi", 10, 600)


def test_positive_number_and_its_two_relaxations():
    assert v.positive_number(np.float32(0.5), "lr") == 0.5 and v.positive_number(2, "lr") == 2.0
    for bad in (0, -1.0, np.inf, np.nan, True, np.bool_(True), "1", None, 1j):
        with pytest.raises(ValueError, match="lr must be a positive finite number"):
            v.positive_number(bad, "lr")
    assert v.positive_number(0, "weight_scale", allow_zero=True) == 0.0
    with pytest.raises(ValueError, match="weight_scale must be a non-negative finite number"):
        v.positive_number(-1e-9, "weight_scale", allow_zero=True)
    assert v.positive_number(np.inf, "limit", allow_inf=True) == np.inf
    for bad in (0, np.nan, -np.inf):
        with pytest.raises(ValueError, match="limit must be a positive number"):
            v.positive_number(bad, "limit", allow_inf=True)


def test_generator():
    g = np.random.default_rng(0)
    assert v.generator(g) is g and v.generator(None) is None
    assert v.generator(np.int64(5)).standard_normal() == np.random.default_rng(5).standard_normal()
    for bad in ("0", 1.5, True, np.random.RandomState(0)):
        with pytest.raises(ValueError, match="rng must be a numpy.random.Generator, an integer seed or None"):
            v.generator(bad)


def test_returned_number():
    assert v.returned_number(np.array([[2.5]]), "f", "at x") == 2.5
    assert v.returned_number(np.float32(1), "f", "at x") == 1.0
    for bad, shown in ((np.ones(2), "ndarray with shape (2,)"), ("0.5", "str with shape ()"), (None, "NoneType")):
        with pytest.raises(ValueError, match="^" + re.escape(f"loss_fn must return a single real number; "
                                                             f"at evaluation 3 it returned {shown}")):
            v.returned_number(bad, "loss_fn", "at evaluation 3")
