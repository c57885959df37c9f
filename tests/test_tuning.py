"""lablib.tuning: the learning-rate range test, the schedules' rates, Optuna pruning and best_trial."""
import math

import numpy as np
import optuna
import pytest
import torch
from optuna.trial import TrialState
from torch import nn

from lablib.monitoring import smooth
from lablib.training import evaluate, fit, make_loader
from lablib.tuning import SCHEDULES, RangeTest, best_trial, lr_range_test, make_schedule, optuna_pruning

optuna.logging.set_verbosity(optuna.logging.WARNING)


def blobs(n=96, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    centres = 2.0 * torch.randn(3, 4, generator=g)
    y = torch.arange(n) % 3
    X = scale * (centres[y] + 0.6 * torch.randn(n, 4, generator=g))
    return X, y


@pytest.fixture
def problem():
    X, y = blobs()
    return make_loader(X[:64], y[:64], 16, shuffle=True), make_loader(X[64:], y[64:], 32)


def mlp(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3))


SGD = lambda params, lr: torch.optim.SGD(params, lr=lr)           # noqa: E731


def state_copy(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def same_state(model, state):
    return all(torch.equal(v, state[k]) for k, v in model.state_dict().items())


# --- the learning-rate range test ---------------------------------------------------------------------------

def test_range_test_restores_the_weights_exactly(problem):
    model = mlp()
    before = state_copy(model)
    res = lr_range_test(model, SGD, problem[0], start_lr=1e-3, end_lr=10.0, num_steps=30)
    assert isinstance(res, RangeTest)
    assert same_state(model, before)                 # weights and BatchNorm's running statistics
    assert model[1].num_batches_tracked == 0


def test_rates_rise_geometrically_from_start_to_end(problem):
    res = lr_range_test(mlp(), SGD, problem[0], start_lr=1e-4, end_lr=1e-2, num_steps=20)
    assert res.stopped_at is None and len(res.lrs) == len(res.losses) == len(res.smoothed) == 20
    assert res.lrs[0] == 1e-4 and res.lrs[-1] == pytest.approx(1e-2, rel=1e-14)
    np.testing.assert_allclose(res.lrs, 1e-4 * 100 ** (np.arange(20) / 19), rtol=1e-14)
    np.testing.assert_allclose(res.lrs[1:] / res.lrs[:-1], 100 ** (1 / 19), rtol=1e-12)
    np.testing.assert_array_equal(res.smoothed, smooth(res.losses, 0.9))
    low = int(np.argmin(res.smoothed))
    assert res.min_loss_lr == res.lrs[low] and res.suggested_lr == res.min_loss_lr / 10


def test_the_losses_are_those_of_training_at_those_rates(problem):
    # 12 steps over 4 batches: the loader is cycled; each loss is the batch's loss before its update
    model = mlp()
    res = lr_range_test(model, SGD, problem[0], start_lr=1e-3, end_lr=1e-1, num_steps=12, seed=3)
    twin = mlp()
    opt = torch.optim.SGD(twin.parameters(), lr=1.0)
    torch.manual_seed(3)
    twin.train()
    losses = []
    batches = [b for _ in range(3) for b in problem[0]]
    for lr, (X, y) in zip(res.lrs, batches):
        opt.param_groups[0]["lr"] = float(lr)
        opt.zero_grad()
        loss = nn.functional.cross_entropy(twin(X), y)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    assert res.losses.tolist() == losses


def test_the_test_stops_when_the_loss_diverges(problem):
    res = lr_range_test(mlp(), SGD, problem[0], start_lr=1e-3, end_lr=1e4, num_steps=100)
    k = res.stopped_at
    assert k is not None and 10 <= k < 99
    assert len(res.lrs) == len(res.losses) == k + 1               # the diverging step is recorded
    np.testing.assert_allclose(res.lrs, 1e-3 * 1e7 ** (np.arange(k + 1) / 99), rtol=1e-14)
    assert not (res.smoothed[k] <= 4.0 * res.smoothed[:k].min())  # above 4x the lowest (or not finite)
    assert np.all(res.smoothed[1:k] <= 4.0 * np.minimum.accumulate(res.smoothed[:k - 1]))
    low = int(np.argmin(res.smoothed[:k]))
    assert res.min_loss_lr == res.lrs[low]
    assert res.suggested_lr == res.min_loss_lr / 10
    # a smaller diverge_factor stops sooner
    sooner = lr_range_test(mlp(), SGD, problem[0], start_lr=1e-3, end_lr=1e4, num_steps=100, diverge_factor=1.5)
    assert sooner.stopped_at is not None and sooner.stopped_at <= k


def test_a_loss_that_diverges_at_once_asks_for_a_lower_start_lr():
    X, y = blobs(scale=100.0)                         # large inputs: lr=1e4 blows up at the first update
    loader = make_loader(X, y, 16)
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    before = state_copy(model)
    with pytest.raises(ValueError, match=r"diverged at once \(step \d of 50, lr=.*\): start_lr=10000 is already too "
                                         r"large .*Lower start_lr \(e\.g\. to 100\)"):
        lr_range_test(model, SGD, loader, start_lr=1e4, end_lr=1e6, num_steps=50)
    assert same_state(model, before)


@pytest.mark.parametrize("kwargs, message", [
    ({"start_lr": 0.0}, "start_lr"),
    ({"start_lr": -1e-3}, "start_lr"),
    ({"end_lr": 0.0}, "end_lr"),
    ({"start_lr": 1.0, "end_lr": 1.0}, "start_lr must be smaller than end_lr, got 1 and 1"),
    ({"start_lr": 1.0, "end_lr": 0.1}, "start_lr must be smaller than end_lr"),
    ({"num_steps": 9}, "num_steps must be an integer of at least 10, got 9"),
    ({"num_steps": 20.0}, "num_steps"),
    ({"smoothing": 1.0}, r"smoothing must be in \[0, 1\)"),
    ({"smoothing": -0.5}, r"smoothing must be in \[0, 1\)"),
    ({"diverge_factor": 1.0}, "diverge_factor must be larger than 1"),
])
def test_range_test_bad_arguments(problem, kwargs, message):
    model = mlp()
    before = state_copy(model)
    with pytest.raises(ValueError, match=message):
        lr_range_test(model, SGD, problem[0], **kwargs)
    assert same_state(model, before)


def test_range_test_refuses_an_empty_loader():
    with pytest.raises(ValueError, match="yielded no batches"):
        lr_range_test(mlp(), SGD, [], num_steps=10)


# --- schedules -------------------------------------------------------------------------------------------------

def rates_of(name, total, warmup=None, lr=0.1):
    """The rate of every update when the schedule is stepped once per update."""
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=lr)
    sched = make_schedule(name, opt, total, warmup)
    rates = []
    for _ in range(total):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(rates)


def cos_between(start, end, pct):
    """From start (pct = 0) to end (pct = 1) along half a cosine."""
    return end + (start - end) / 2 * (1 + np.cos(np.pi * pct))


T, W, LR = 30, 6, 0.1


def test_schedule_names():
    assert list(SCHEDULES) == ["constant", "step decay", "warm-up + cosine", "one-cycle"]


def test_constant_schedule():
    assert rates_of("constant", T).tolist() == [LR] * T


def test_step_decay_divides_by_10_for_the_last_third():
    rates = rates_of("step decay", T)
    assert rates[:20].tolist() == [LR] * 20
    np.testing.assert_allclose(rates[20:], LR / 10, rtol=1e-14)
    rates = rates_of("step decay", 10)             # int(10 * 2/3) = 6
    assert rates[:6].tolist() == [LR] * 6 and np.allclose(rates[6:], LR / 10, rtol=1e-14)


def test_warm_up_then_cosine():
    rates = rates_of("warm-up + cosine", T, W)
    k = np.arange(T)
    expected = np.where(k < W, LR * (0.01 + 0.99 * k / W), cos_between(LR, 0.0, (k - W) / (T - W)))
    np.testing.assert_allclose(rates, expected, rtol=1e-10, atol=1e-16)
    assert rates[0] == pytest.approx(0.01 * LR, rel=1e-12)
    assert int(np.argmax(rates)) == W and rates[W] == pytest.approx(LR, rel=1e-14)
    assert 0 < rates[-1] < 0.01 * LR                  # cosine down to almost 0 (one update short of it)


def test_warm_up_defaults_to_a_tenth_of_the_updates():
    rates = rates_of("warm-up + cosine", 50)
    assert int(np.argmax(rates)) == 5 and rates[0] == pytest.approx(0.01 * LR, rel=1e-12)


def test_one_cycle():
    rates = rates_of("one-cycle", T, W)
    peak = int(np.argmax(rates))
    assert peak == W
    k = np.arange(T)
    start, low = LR / 25, LR / 25 / 1e4               # OneCycleLR's div_factor and final_div_factor
    expected = np.where(k <= peak, cos_between(start, LR, k / peak),
                        cos_between(LR, low, (k - peak) / (T - 1 - peak)))
    np.testing.assert_allclose(rates, expected, rtol=1e-9, atol=1e-15)
    assert rates[peak] == pytest.approx(LR, rel=1e-14) and rates[-1] == pytest.approx(low, rel=1e-9)


def test_both_warm_up_schedules_peak_after_warmup_steps_updates():
    assert int(np.argmax(rates_of("warm-up + cosine", T, W))) == W
    assert int(np.argmax(rates_of("one-cycle", T, W))) == W


@pytest.mark.parametrize("args, message", [
    (("linear", 10), r"unknown schedule 'linear'; choose one of 'constant', 'step decay', 'warm-up \+ cosine', 'one-cycle'"),
    (("warm-up + cosine", 10, 10), r"warmup_steps \(10\) must be fewer than total_steps \(10\)"),
    (("one-cycle", 10, 12), r"warmup_steps \(12\) must be fewer than total_steps \(10\)"),
    (("one-cycle", 10, 0), "warmup_steps must be a positive integer"),
    (("constant", 1), "total_steps must be an integer of at least 2"),
])
def test_make_schedule_refusals(args, message):
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=LR)
    with pytest.raises(ValueError, match=message):
        make_schedule(args[0], opt, *args[1:])


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_fit_steps_a_schedule_once_per_update(name, problem):
    epochs, n_batches = 5, len(problem[0])
    total = epochs * n_batches
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    h = fit(model, opt, *problem, epochs=epochs, scheduler=make_schedule(name, opt, total, 3),
            scheduler_step="batch", seed=0)
    assert h.batch_lr == rates_of(name, total, 3).tolist()
    assert len(h.batch_lr) == len(h.batch_loss) == total
    assert h.lr == h.batch_lr[::n_batches]            # the rate at the start of each epoch


# --- Optuna ---------------------------------------------------------------------------------------------------------

def test_a_clearly_worse_trial_is_pruned_after_its_first_epoch(problem):
    histories, initial = {}, {}

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-6, 1.0, log=True)
        torch.manual_seed(0)
        model = nn.Linear(4, 3)
        initial[trial.number] = evaluate(model, problem[1]).loss
        h = fit(model, torch.optim.SGD(model.parameters(), lr=lr), *problem, epochs=3, seed=0,
                callbacks=[optuna_pruning(trial)])
        histories[trial.number] = h
        return h.val_loss[-1]

    study = optuna.create_study(pruner=optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=0))
    for lr in (0.5, 1e-6, 0.5):                        # the second learns (almost) nothing
        study.enqueue_trial({"lr": lr})
    study.optimize(objective, n_trials=3)
    first, bad, third = study.get_trials()
    assert [t.state for t in (first, bad, third)] == [TrialState.COMPLETE, TrialState.PRUNED, TrialState.COMPLETE]
    # one reported value per epoch, at steps 1, 2, 3: the history's validation losses
    assert first.intermediate_values == {1: histories[0].val_loss[0], 2: histories[0].val_loss[1],
                                         3: histories[0].val_loss[2]}
    assert first.value == histories[0].val_loss[-1]
    # the pruned trial reported only its first epoch, and was stopped there
    assert list(bad.intermediate_values) == [1] and 1 not in histories
    assert bad.intermediate_values[1] == pytest.approx(initial[1], rel=1e-4)
    assert bad.intermediate_values[1] > first.intermediate_values[1]
    assert third.intermediate_values == first.intermediate_values
    assert best_trial(study).number == study.best_trial.number == 0


def test_pruning_raises_trial_pruned_with_the_epoch(problem):
    study = optuna.create_study(pruner=optuna.pruners.MedianPruner(n_startup_trials=0, n_warmup_steps=0))
    study.add_trial(optuna.trial.create_trial(value=0.0, intermediate_values={1: 0.0, 2: 0.0},
                                              distributions={}, params={}))
    trial = study.ask()
    model = nn.Linear(4, 3)
    with pytest.raises(optuna.TrialPruned, match=r"pruned after epoch 1 \(val_acc = 0\.\d{4}\)"):
        fit(model, torch.optim.SGD(model.parameters(), lr=1e-6), *problem, epochs=3,
            monitor="val_acc", callbacks=[optuna_pruning(trial, monitor="val_acc")])
    # the callback reports to the trial even when it does not prune
    trial = optuna.create_study(pruner=optuna.pruners.NopPruner()).ask()
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), *problem, epochs=2,
            callbacks=[optuna_pruning(trial, monitor="train_loss")])
    assert len(h.train_loss) == 2


def test_optuna_pruning_refusals(problem):
    trial = optuna.create_study().ask()
    with pytest.raises(ValueError, match="monitor must be 'val_loss', 'val_acc', 'train_loss' or 'train_acc', got 'loss'"):
        optuna_pruning(trial, monitor="loss")
    model = nn.Linear(4, 3)
    with pytest.raises(ValueError, match=r"optuna_pruning\(monitor='val_loss'\) needs fit\(\) to have a val_loader"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), problem[0], epochs=1,
            callbacks=[optuna_pruning(trial)])


def test_best_trial_refuses_a_study_without_a_completed_trial():
    study = optuna.create_study()
    with pytest.raises(ValueError, match=r"no completed trial \(no trials at all\)"):
        best_trial(study)
    for state in (TrialState.PRUNED, TrialState.PRUNED, TrialState.FAIL):
        study.tell(study.ask(), state=state)
    with pytest.raises(ValueError, match=r"the study has no completed trial \(2 pruned, 1 fail\): run more trials "
                                         r".*n_warmup_steps"):
        best_trial(study)
    study.ask()                                        # one still running
    with pytest.raises(ValueError, match=r"\(1 running, 2 pruned, 1 fail\)"):
        best_trial(study)


def test_best_trial_is_the_studys_best():
    study = optuna.create_study(direction="minimize")
    study.optimize(lambda t: (t.suggest_float("x", -2, 2) - 0.5) ** 2, n_trials=8)
    study.tell(study.ask(), state=TrialState.PRUNED)
    best = best_trial(study)
    assert best.number == study.best_trial.number and best.value == min(
        t.value for t in study.trials if t.state == TrialState.COMPLETE)
    assert math.isfinite(best.value)
