"""Chapter 10's CNN: training throughput (images/s) of ``lablib.training.fit`` against the plain PyTorch loop.

Both train the same ``SmallResNet`` (width 8, chapter 10's CPU setting) with SGD and
momentum on the same mini-batches of 28×28 images for one epoch; the plain loop is
the one chapter 10 prints at its end (zero_grad, forward, loss, backward, step, and
an evaluation on the validation images). ``fit`` adds its bookkeeping: the loss of
every batch as a Python float, the accuracy, the first epoch's shape checks, the
learning rate of every update, the history, and the copy of the best weights.
The two are timed in turn within every repeat (same load for both); the figure is
the ratio of the medians. Goal: fit's bookkeeping costs at most 5 % (ratio ≤ 1.05).
"""
from __future__ import annotations

from .timing import Row, check, interleaved_medians

GOAL_RATIO = 1.05


def _setup(n_train: int, n_val: int):
    import numpy as np
    import torch

    from lablib import images
    from lablib.resnet import SmallResNet

    rng = np.random.default_rng(0)
    X = rng.random((n_train + n_val, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, n_train + n_val)
    train = images.make_image_loader(X[:n_train], y[:n_train], 64, shuffle=True)
    val = images.make_image_loader(X[n_train:], y[n_train:], 1000)
    torch.manual_seed(0)
    model = SmallResNet(width=8)
    return model, train, val


def _plain_epoch(model, train_loader, val_loader):
    import torch
    from torch import nn

    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for X, y in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        return sum(loss_fn(model(X), y).item() * len(y) for X, y in val_loader)


def _fit_epoch(model, train_loader, val_loader):
    import torch

    from lablib import training

    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return training.fit(model, optimizer, train_loader, val_loader, epochs=1, progress=False)


def run(quick: bool = False) -> list[Row]:
    n_train, repeats = (640, 3) if quick else (1920, 7)
    model, train, val = _setup(n_train, 1000)
    medians = interleaved_medians({"plain": lambda: _plain_epoch(model, train, val),
                                   "fit": lambda: _fit_epoch(model, train, val)}, repeats=repeats)
    ratio = medians["fit"] / medians["plain"]
    rows = [Row("cnn", f"plain PyTorch loop, SmallResNet(width=8), one epoch of {n_train} images",
                n_train / medians["plain"], "images/s", note="training and validation"),
            Row("cnn", "lablib.training.fit, the same epoch", n_train / medians["fit"], "images/s"),
            Row("cnn", "fit / plain loop (time per epoch)", ratio, "x", goal=f"≤ {GOAL_RATIO}",
                status=check(ratio, GOAL_RATIO))]
    return rows
