"""Tuning a network: the learning-rate range test, learning-rate schedules, and Optuna studies.

- :func:`lr_range_test` raises the learning rate geometrically over a few hundred
  mini-batches (Smith, 2017) and records the loss of each; the loss falls faster and
  faster until the rate is too large and it shoots up. A good rate sits well below
  that point (the rule used here: a tenth of the rate at the lowest smoothed loss).
- :data:`SCHEDULES` and :func:`make_schedule`: constant, step decay, warm-up then
  cosine, and one-cycle, all as ``torch.optim.lr_scheduler`` objects stepped once
  per update (``fit(..., scheduler_step="batch")``).
- :func:`optuna_pruning` reports each epoch's validation loss to an Optuna trial and
  stops the trial when Optuna's pruner says it is worse than earlier trials were at
  that epoch; :func:`best_trial` refuses a study with no completed trial.

torch (and optuna for the last two). Introduced in chapter 10.
"""
from __future__ import annotations

import copy
import math
from typing import Callable, NamedTuple

import numpy as np
import torch
from torch import nn
from torch.optim import lr_scheduler

from lablib._validate import positive_int as _positive_int
from lablib._validate import positive_number as _positive_number
from lablib.monitoring import smooth
from lablib.training import Run, _model_device

__all__ = ["RangeTest", "lr_range_test", "SCHEDULES", "make_schedule", "optuna_pruning", "best_trial"]


class RangeTest(NamedTuple):
    """The result of :func:`lr_range_test`: a loss for every tried rate, and the suggested rate.

    Introduced in chapter 10.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float
    min_loss_lr: float
    stopped_at: int | None


def _batches(loader):
    while True:                               # cycle through the loader as long as needed
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError("the loader yielded no batches")


def lr_range_test(model: nn.Module, make_optimizer: Callable, loader, start_lr: float = 1e-5,
                  end_lr: float = 1.0, num_steps: int = 200, *, smoothing: float = 0.9,
                  diverge_factor: float = 4.0, loss_fn=None, seed: int | None = 0, device=None) -> RangeTest:
    """Train for ``num_steps`` mini-batches with the rate rising from ``start_lr`` to ``end_lr``.

    Step :math:`k = 0, \\dots, K-1` uses the rate

    .. math::

        \\eta_k = \\eta_{\\text{start}} \\left(\\eta_{\\text{end}} / \\eta_{\\text{start}}\\right)^{k/(K-1)},

    and records the mini-batch loss before its update. The test stops early once the
    smoothed loss (:func:`lablib.monitoring.smooth`) exceeds ``diverge_factor`` times its
    lowest value. The model's weights are restored afterwards, so the test does not
    change the model it measures.

    Parameters
    ----------
    model : torch.nn.Module
        The untrained model (its weights are put back at the end).
    make_optimizer : callable
        ``make_optimizer(parameters, lr)``, e.g. ``lambda p, lr: torch.optim.SGD(p, lr, momentum=0.9)``.
    loader : iterable of (X, y) batches
        Cycled through if it has fewer than ``num_steps`` batches.
    start_lr, end_lr : float
        The range (``0 < start_lr < end_lr``).
    num_steps : int
        Number of updates (at least 10).
    smoothing : float in [0, 1)
        Weight of the moving average that smooths the noisy mini-batch losses.
    diverge_factor : float > 1
        Stop when the smoothed loss is this many times its minimum.

    Returns
    -------
    RangeTest
        ``lrs`` and ``losses`` as tried (shorter if the test stopped early), ``smoothed``,
        ``min_loss_lr`` (the rate at the lowest smoothed loss), ``suggested_lr``
        (a tenth of it) and ``stopped_at`` (the step where it diverged, or None).

    Raises
    ------
    ValueError
        Bad settings, or a loss that diverges within the first tenth of the steps:
        then even ``start_lr`` is too large for this model, and the test cannot see a
        range of good rates.

    Introduced in chapter 10.
    """
    start_lr = _positive_number(start_lr, "start_lr")
    end_lr = _positive_number(end_lr, "end_lr")
    if not start_lr < end_lr:
        raise ValueError(f"start_lr must be smaller than end_lr, got {start_lr:g} and {end_lr:g}")
    num_steps = _positive_int(num_steps, "num_steps", at_least=10)
    if not 0 <= smoothing < 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
    if not diverge_factor > 1:
        raise ValueError(f"diverge_factor must be larger than 1, got {diverge_factor!r}")
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    device = _model_device(model, device)
    saved = copy.deepcopy(model.state_dict())
    if seed is not None:
        torch.manual_seed(seed)
    lrs = start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))
    optimizer = make_optimizer(model.parameters(), float(lrs[0]))
    model.train()
    losses, stopped_at, best = [], None, math.inf
    try:
        for k, (X, y) in zip(range(num_steps), _batches(loader)):
            for group in optimizer.param_groups:
                group["lr"] = float(lrs[k])
            X, y = X.to(device), y.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(X), y)
            losses.append(loss.item())
            smoothed_now = smooth(losses, smoothing)[-1]
            if not math.isfinite(smoothed_now) or smoothed_now > diverge_factor * best:
                stopped_at = k
                break
            best = min(best, smoothed_now)
            loss.backward()
            optimizer.step()
    finally:
        model.load_state_dict(saved)
    losses = np.array(losses)
    if stopped_at is not None and stopped_at < max(num_steps // 10, 2):
        raise ValueError(f"the loss diverged at once (step {stopped_at + 1} of {num_steps}, lr={lrs[stopped_at]:.3g}): "
                         f"start_lr={start_lr:g} is already too large for this model and optimizer. "
                         f"Lower start_lr (e.g. to {start_lr / 100:g}) and run the test again")
    smoothed = smooth(losses, smoothing)
    finite = np.where(np.isfinite(smoothed), smoothed, np.inf)
    low = int(np.argmin(finite[:stopped_at] if stopped_at else finite))
    return RangeTest(lrs[:len(losses)], losses, smoothed, float(lrs[low] / 10), float(lrs[low]), stopped_at)


def _constant(optimizer, total_steps, warmup_steps):
    return lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)


def _step_decay(optimizer, total_steps, warmup_steps):
    # a tenth of the rate for the last third, the classic "divide by 10 when the loss plateaus"
    return lr_scheduler.MultiStepLR(optimizer, milestones=[int(total_steps * 2 / 3)], gamma=0.1)


def _warmup_cosine(optimizer, total_steps, warmup_steps):
    warmup = lr_scheduler.LinearLR(optimizer, start_factor=0.01, end_factor=1.0, total_iters=warmup_steps)
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps - warmup_steps)
    return lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_steps])


def _one_cycle(optimizer, total_steps, warmup_steps):
    max_lr = [group["lr"] for group in optimizer.param_groups]
    # OneCycleLR peaks at update pct_start * total_steps - 1 (counting from 0): at update
    # warmup_steps, as the warm-up of "warm-up + cosine" does, with one more
    pct_start = min(warmup_steps + 1, total_steps - 1) / total_steps
    return lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, total_steps=total_steps, pct_start=pct_start)


#: The book's learning-rate schedules: name → a function ``(optimizer, total_steps, warmup_steps)``
#: returning a ``torch.optim.lr_scheduler`` object, to be stepped once per update. The
#: optimizer's ``lr`` is the peak rate of each.
SCHEDULES = {
    "constant": _constant,
    "step decay": _step_decay,
    "warm-up + cosine": _warmup_cosine,
    "one-cycle": _one_cycle,
}


def make_schedule(name: str, optimizer, total_steps: int, warmup_steps: int | None = None):
    """The schedule ``name`` of :data:`SCHEDULES` for ``total_steps`` updates.

    Parameters
    ----------
    name : str
        ``"constant"``, ``"step decay"``, ``"warm-up + cosine"`` or ``"one-cycle"``.
    optimizer : torch.optim.Optimizer
        Its learning rate is the schedule's peak.
    total_steps : int
        Updates in the whole run (``epochs * len(train_loader)``).
    warmup_steps : int, optional
        Updates of the warm-up (default a tenth of ``total_steps``), for the two schedules that warm up.

    Examples
    --------
    >>> opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    >>> sched = make_schedule("warm-up + cosine", opt, total_steps=100, warmup_steps=10)
    >>> rates = []
    >>> for _ in range(100):
    ...     rates.append(opt.param_groups[0]["lr"]); opt.step(); sched.step()
    >>> round(rates[0], 4), round(max(rates), 4), int(np.argmax(rates)), round(rates[-1], 6)
    (0.001, 0.1, 10, 3e-05)

    Introduced in chapter 10.
    """
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(map(repr, SCHEDULES))}")
    total_steps = _positive_int(total_steps, "total_steps", at_least=2)
    warmup_steps = max(1, total_steps // 10) if warmup_steps is None else _positive_int(warmup_steps, "warmup_steps")
    if warmup_steps >= total_steps:
        raise ValueError(f"warmup_steps ({warmup_steps}) must be fewer than total_steps ({total_steps})")
    return SCHEDULES[name](optimizer, total_steps, warmup_steps)


def optuna_pruning(trial, monitor: str = "val_loss") -> Callable[[Run], None]:
    """A :func:`lablib.training.fit` callback: report each epoch's ``monitor`` to ``trial``; stop it if pruned.

    After each epoch it calls ``trial.report(value, epoch)`` and, when
    ``trial.should_prune()`` (the study's pruner compares the value with what earlier
    trials had at the same epoch), raises ``optuna.TrialPruned``, which ends the run
    and marks the trial as pruned.

    Introduced in chapter 10.
    """
    import optuna

    if monitor not in ("val_loss", "val_acc", "train_loss", "train_acc"):
        raise ValueError(f"monitor must be 'val_loss', 'val_acc', 'train_loss' or 'train_acc', got {monitor!r}")

    def report(run: Run) -> None:
        values = getattr(run.history, monitor)
        if not values:
            raise ValueError(f"optuna_pruning(monitor={monitor!r}) needs fit() to have a val_loader")
        trial.report(values[-1], run.epoch)
        if trial.should_prune():
            raise optuna.TrialPruned(f"pruned after epoch {run.epoch} ({monitor} = {values[-1]:.4f})")

    return report


def best_trial(study):
    """The study's best completed trial, or a ``ValueError`` that says why there is none.

    Introduced in chapter 10.
    """
    from optuna.trial import TrialState

    trials = study.get_trials(deepcopy=False)
    if not any(t.state == TrialState.COMPLETE for t in trials):
        counts = {s.name.lower(): sum(t.state == s for t in trials) for s in TrialState}
        detail = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        raise ValueError(f"the study has no completed trial ({detail or 'no trials at all'}): run more trials "
                         f"(study.optimize(objective, n_trials=...)), or prune less eagerly "
                         f"(a larger n_warmup_steps of the pruner)")
    return study.best_trial
