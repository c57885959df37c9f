"""lablib.DivergenceError: one family for "this run blew up"; each kind keeps the built-in class it had."""
import functools

import numpy as np
import pytest
import torch

import lablib
from lablib import landscapes, optim, runs
from lablib.errors import DivergenceError
from lablib.numpy_training import NonFiniteWeightsError
from lablib.training import NonFiniteLossError, fit, make_loader


def test_every_kind_is_a_divergence_error_and_keeps_its_builtin_class():
    assert lablib.DivergenceError is DivergenceError
    assert issubclass(optim.NonFiniteGradientError, DivergenceError) and issubclass(optim.NonFiniteGradientError, ValueError)
    assert issubclass(NonFiniteWeightsError, DivergenceError) and issubclass(NonFiniteWeightsError, ValueError)
    assert issubclass(NonFiniteLossError, DivergenceError) and issubclass(NonFiniteLossError, FloatingPointError)


def test_an_optimizer_refusing_a_nan_gradient_is_caught_as_divergence():
    p = optim.Parameter([1.0, 2.0])
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.array([np.nan, 0.0])
    with pytest.raises(DivergenceError, match="NaN") as info:
        opt.step()
    assert info.value.index == 0 and info.value.step == 1


def test_fit_with_a_nan_loss_is_caught_as_divergence():
    torch.manual_seed(0)
    X, y = torch.randn(16, 3), torch.randint(0, 2, (16,))
    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        model.weight.fill_(float("nan"))
    with pytest.raises(DivergenceError):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), make_loader(X, y, 8), epochs=1, progress=False)


def test_a_diverged_trajectory_can_raise_it():
    out = runs.trajectory("GD", landscapes.round_bowl(), [1.0, 1.0], 100, lr=1.5)
    assert out.diverged
    with pytest.raises(DivergenceError, match="GD diverged: a coordinate or the loss exceeded 1e"):
        out.raise_if_diverged()
    calm = runs.run(functools.partial(optim.SGD, lr=0.1), landscapes.round_bowl(), [1.0, 1.0], 10)
    assert calm.raise_if_diverged() is calm
