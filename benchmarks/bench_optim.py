"""Optimizers: one step() of each lablib.optim optimizer against the same torch.optim optimizer.

lablib is timed on a torch parameter through ``training.LablibOptimizer`` (its
speed path: a large tensor handed over in pieces of ``training.PIECE_SIZE``)
and, for the note, as the plain ``Optimizer.step`` on one whole
``optim.Parameter``. torch is timed single-tensor (``foreach=False``) and with
its default implementation; all run in float64. The four contenders are timed
in turn within every repeat (same load for all). Goal: lablib within 1.5x of
torch's single-tensor step at 10^5 and 10^7 elements.
"""
from __future__ import annotations

import numpy as np

from .timing import Row, calls_per_run, check, interleaved_medians

SIZES = (10**3, 10**5, 10**7)
GOAL_RATIO = 1.5

# (name, lablib class name, torch class name, keyword arguments shared by both)
CASES = [
    ("SGD", "SGD", "SGD", {"lr": 0.01}),
    ("SGD momentum 0.9", "SGD", "SGD", {"lr": 0.01, "momentum": 0.9}),
    ("Adagrad", "Adagrad", "Adagrad", {"lr": 0.01}),
    ("RMSprop", "RMSprop", "RMSprop", {"lr": 0.01}),
    ("Adam", "Adam", "Adam", {"lr": 0.001}),
    ("AdamW", "AdamW", "AdamW", {"lr": 0.001}),
]


def _lablib_step(cls_name, kwargs, n, rng):
    """lablib's step on a torch parameter, through the adapter that hands it cache-sized pieces."""
    import torch

    from lablib import optim
    from lablib.training import LablibOptimizer

    p = torch.nn.Parameter(torch.from_numpy(rng.standard_normal(n)))
    p.grad = torch.from_numpy(rng.standard_normal(n))
    return LablibOptimizer([p], getattr(optim, cls_name), **kwargs).step


def _lablib_plain_step(cls_name, kwargs, n, rng):
    """The plain Optimizer.step on one whole array (what chapters 7 and 8 show)."""
    from lablib import optim

    p = optim.Parameter(rng.standard_normal(n))
    p.grad = rng.standard_normal(n)
    return getattr(optim, cls_name)([p], **kwargs).step


def _torch_step(cls_name, kwargs, n, rng, foreach):
    import torch

    p = torch.nn.Parameter(torch.from_numpy(rng.standard_normal(n)))
    p.grad = torch.from_numpy(rng.standard_normal(n))
    opt = getattr(torch.optim, cls_name)([p], foreach=foreach, **kwargs)
    return opt.step


def run(quick: bool = False) -> list[Row]:
    import torch

    rng = np.random.default_rng(0)
    repeats = 5 if quick else 15
    rows = []
    for size in SIZES:
        for name, lab_cls, torch_cls, kwargs in CASES:
            steps = {"lablib": _lablib_step(lab_cls, kwargs, size, rng),
                     "lablib plain": _lablib_plain_step(lab_cls, kwargs, size, rng),
                     "torch single-tensor": _torch_step(torch_cls, kwargs, size, rng, foreach=False),
                     "torch default": _torch_step(torch_cls, kwargs, size, rng, foreach=None)}
            with torch.no_grad():
                number = {label: calls_per_run(fn, 0.02) for label, fn in steps.items()}
                times = interleaved_medians(steps, repeats=repeats, warmup=2, number=number)
            ratio = times["lablib"] / times["torch single-tensor"]
            has_goal = size >= 10**5
            rows.append(Row("optim", f"{name} n=1e{int(np.log10(size))}: lablib / torch single", ratio, "x",
                            f"< {GOAL_RATIO}×" if has_goal else "", check(ratio, GOAL_RATIO) if has_goal else "",
                            f"lablib {times['lablib'] * 1e6:.1f} µs (plain step, whole array "
                            f"{times['lablib plain'] * 1e6:.1f} µs), torch single {times['torch single-tensor'] * 1e6:.1f} µs, "
                            f"torch default {times['torch default'] * 1e6:.1f} µs"))
    return rows
