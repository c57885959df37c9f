"""Autograd: forward + backward of a 100,000-node scalar graph, and of the softmax classifier's loss.

The scalar graph is built the same way in lablib.autograd, micrograd (the
minimal engine many courses use; PyPI ``micrograd``) and PyTorch (0-d tensors).
Goal: lablib no slower than micrograd on the scalar graph.
"""
from __future__ import annotations

import sys
import threading

import numpy as np

from .timing import Row, check, interleaved_medians, median_time

NODES = 100_000


def scalar_graph(make, n_nodes: int = NODES):
    """Forward and backward of a chain of ``n_nodes`` operations on scalars; returns d(out)/d(x).

    Each link is ``h <- h * a + b`` followed by a tanh-free squash ``h <- h * c``
    (three nodes per link: two multiplications and one addition).
    """
    x, a, b, c = make(0.5), make(1.0001), make(1e-6), make(0.9999)
    h = x
    for _ in range(n_nodes // 3):
        h = (h * a + b) * c
    h.backward()
    return x.grad


def _with_big_stack(fn):
    """Run ``fn`` in a thread with a large stack and recursion limit (micrograd's topological sort recurses)."""
    result = {}

    def target():
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(10 * NODES)
        try:
            result["value"] = fn()
        finally:
            sys.setrecursionlimit(old)

    threading.stack_size(1 << 29)
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    threading.stack_size(0)
    return result.get("value")


def run(quick: bool = False) -> list[Row]:
    import torch
    from micrograd.engine import Value as MicroValue

    from lablib import autograd
    from lablib.autograd import Value

    repeats = 3 if quick else 7

    def torch_scalar(v):
        return torch.tensor(v, dtype=torch.float64, requires_grad=True)

    makers = {"lablib": Value, "micrograd": MicroValue, "torch": torch_scalar}
    grads = {k: float(_with_big_stack(lambda m=m: scalar_graph(m, 3000))) for k, m in makers.items()}
    assert max(grads.values()) - min(grads.values()) < 1e-9 * abs(grads["torch"]), grads   # same graph, same answer
    times = {k: _with_big_stack(lambda m=m: median_time(lambda: scalar_graph(m), repeats=repeats, warmup=1))
             for k, m in makers.items()}
    rows = [Row("autograd", f"scalar graph {NODES:,} nodes: {k}", t, "s", note="forward + backward")
            for k, t in times.items()]
    ratio = times["lablib"] / times["micrograd"]
    rows.append(Row("autograd", "scalar graph: lablib / micrograd", ratio, "x", "≤ 1.0×", check(ratio, 1.0)))
    rows.append(Row("autograd", "scalar graph: lablib / torch", times["lablib"] / times["torch"], "x"))

    # the softmax classifier's loss on array Values (a batch of 256 MNIST-sized rows)
    rng = np.random.default_rng(0)
    X = rng.random((256, 785))
    y = rng.integers(0, 10, 256)
    W0 = 0.01 * rng.standard_normal((785, 10))

    def lablib_softmax():
        W = Value(W0)
        autograd.cross_entropy(Value(X) @ W, y).backward()
        return W.grad

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def torch_softmax():
        W = torch.tensor(W0, requires_grad=True)
        torch.nn.functional.cross_entropy(Xt @ W, yt).backward()
        return W.grad

    np.testing.assert_allclose(lablib_softmax(), torch_softmax().numpy(), rtol=1e-10, atol=1e-14)
    both = interleaved_medians({"lablib": lablib_softmax, "torch": torch_softmax}, repeats=repeats * 3, warmup=2)
    t_lab, t_torch = both["lablib"], both["torch"]
    rows.append(Row("autograd", "softmax loss (256×785 @ 785×10): lablib / torch", t_lab / t_torch, "x",
                    note=f"lablib {t_lab * 1e3:.2f} ms, torch {t_torch * 1e3:.2f} ms"))
    return rows
