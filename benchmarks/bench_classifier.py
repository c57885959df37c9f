"""Softmax classifier: one epoch of the NumPy classifier over 60,000×784 images at batch size 256,
against the matrix products alone (the floor for this algorithm) and against PyTorch (chapter 3's model).

Without the full MNIST the shipped 10,000-image sample is tiled to 60,000 rows.
Goal: NumPy classifier within 2x of the matrix-product floor.
"""
from __future__ import annotations

import numpy as np

from .timing import Row, check, median_time

N_IMAGES = 60_000
BATCH = 256
LR = 0.1
GOAL_RATIO = 2.0


def _images():
    from lablib.data import load_mnist

    data = load_mnist(verbose=False)
    X, y = np.concatenate([data.X_train, data.X_test]), np.concatenate([data.y_train, data.y_test])
    reps = -(-N_IMAGES // len(X))
    return np.tile(X, (reps, 1))[:N_IMAGES].astype(np.float64), np.tile(y, reps)[:N_IMAGES], data.source


def run(quick: bool = False) -> list[Row]:
    import torch

    from lablib.models import SoftmaxClassifier
    from lablib.numpy_training import minibatches

    X, y, source = _images()
    repeats = 3 if quick else 7
    model = SoftmaxClassifier(784, 10, rng=0)
    batches = list(minibatches(X, y, BATCH, shuffle=False))

    def numpy_epoch():
        for Xb, yb in batches:
            _, dW = model.loss_and_grad(Xb, yb)
            model.W -= LR * dW

    W = np.zeros((785, 10))
    G = np.zeros((BATCH, 10))

    def matmul_floor():
        for Xb, _ in batches:
            Z = Xb @ W[:-1]                       # forward: scores
            g = G[: len(Xb)]
            W[:-1] -= LR * (Xb.T @ g)             # backward: the gradient's product, and the update
            del Z

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    torch_model = torch.nn.Linear(784, 10).double()
    opt = torch.optim.SGD(torch_model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()

    def torch_epoch():
        for start in range(0, N_IMAGES, BATCH):
            opt.zero_grad()
            loss_fn(torch_model(Xt[start:start + BATCH]), yt[start:start + BATCH]).backward()
            opt.step()

    t_np = median_time(numpy_epoch, repeats=repeats, warmup=1)
    t_floor = median_time(matmul_floor, repeats=repeats, warmup=1)
    t_torch = median_time(torch_epoch, repeats=repeats, warmup=1)
    note = f"{N_IMAGES:,} images ({'full MNIST' if source == 'full' else 'shipped sample tiled'}), batch {BATCH}, float64"
    return [
        Row("classifier", "NumPy epoch", t_np, "s", note=note),
        Row("classifier", "matrix products alone (floor)", t_floor, "s", note="X_B W and X_Bᵀ G per batch"),
        Row("classifier", "PyTorch epoch (nn.Linear + CrossEntropyLoss + SGD)", t_torch, "s",
            note=f"{torch.get_num_threads()} threads"),
        Row("classifier", "NumPy epoch / floor", t_np / t_floor, "x", f"< {GOAL_RATIO}×", check(t_np / t_floor, GOAL_RATIO)),
        Row("classifier", "NumPy epoch / PyTorch epoch", t_np / t_torch, "x"),
    ]
