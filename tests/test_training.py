"""lablib.training: fit(), evaluate(), the history it records, and its refusals."""
import math
import sys

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lablib import optim, training
from lablib.training import (History, LablibOptimizer, NonFiniteLossError, evaluate, fit, lr_sweep,
                             make_loader, predict, train_val_split)


def blobs(n=120, classes=3, dim=4, seed=0, spread=0.6):
    """A tiny, learnable classification problem: Gaussian blobs around random centres."""
    g = torch.Generator().manual_seed(seed)
    centres = 2.0 * torch.randn(classes, dim, generator=g)
    y = torch.arange(n) % classes
    X = centres[y] + spread * torch.randn(n, dim, generator=g)
    return X, y


@pytest.fixture
def problem():
    X, y = blobs()
    (Xt, yt), (Xv, yv) = train_val_split(X.numpy(), y.numpy(), val_size=30, seed=1)
    return make_loader(Xt, yt, 16, shuffle=True), make_loader(Xv, yv, 64)


def run(problem, lr=0.1, epochs=8, opt=torch.optim.SGD, seed=0, **kw):
    torch.manual_seed(seed)
    model = nn.Linear(4, 3)
    history = fit(model, opt(model.parameters(), lr=lr), *problem, epochs=epochs, seed=seed, **kw)
    return model, history


# --- fit lowers the loss and records a consistent history --------------------------------------

def test_fit_lowers_the_loss_and_learns(problem):
    model, h = run(problem, lr=0.1, epochs=10)
    assert h.val_loss[-1] < 0.5 * h.val_loss[0]
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.val_acc[-1] >= 0.9
    # the recorded validation numbers are what evaluate() says about the final model
    final = evaluate(model, problem[1])
    assert final.loss == pytest.approx(h.val_loss[-1], rel=1e-6)
    assert final.accuracy == h.val_acc[-1]


def test_history_is_consistent(problem):
    _, h = run(problem, epochs=6)
    n_batches = len(problem[0])
    assert len(h.train_loss) == len(h.train_acc) == len(h.val_loss) == len(h.val_acc) == 6
    assert len(h.lr) == len(h.seconds) == 6 and all(s > 0 for s in h.seconds)
    assert h.lr == [0.1] * 6
    assert len(h.batch_loss) == 6 * n_batches
    assert list(h.epochs) == [1, 2, 3, 4, 5, 6]
    # the epoch's training loss is the size-weighted mean of its batch losses
    sizes = [len(yb) for _, yb in problem[0]]
    first_epoch = np.average(h.batch_loss[:n_batches], weights=sizes)
    assert h.train_loss[0] == pytest.approx(first_epoch, rel=1e-12)
    assert all(0.0 <= a <= 1.0 for a in h.train_acc + h.val_acc)
    assert not h.stopped_early and h.stop_reason == "" and not h.diverged
    assert "6 epochs" in repr(h)


def test_train_accuracy_counts_batches_during_the_epoch():
    # one batch per epoch: the recorded accuracy is that of the weights *before* the update
    X, y = blobs(n=30)
    loader = make_loader(X, y, 30)
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    before = evaluate(model, loader)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), loader, epochs=1)
    assert h.train_loss[0] == pytest.approx(before.loss, rel=1e-6)
    assert h.train_acc[0] == before.accuracy


def test_scheduler_changes_the_recorded_lr(problem):
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    h = fit(model, opt, *problem, epochs=5, scheduler=sched)
    assert h.lr == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


# --- best epoch, best weights, early stopping ------------------------------------------------------

def test_best_epoch_is_the_minimum_of_the_validation_loss(problem):
    # a large learning rate makes the validation loss go up and down
    model, h = run(problem, lr=3.0, epochs=12, opt=torch.optim.SGD)
    assert h.best_epoch == int(np.argmin(h.val_loss)) + 1
    assert h.best_value == min(h.val_loss)
    # best_state is a copy of the weights at that epoch: loading it reproduces its validation loss
    assert h.best_epoch != len(h.val_loss), "the test needs a run whose last epoch is not the best"
    fresh = nn.Linear(4, 3)
    fresh.load_state_dict(h.best_state)
    assert evaluate(fresh, problem[1]).loss == pytest.approx(h.best_value, rel=1e-6)
    assert evaluate(model, problem[1]).loss == pytest.approx(h.val_loss[-1], rel=1e-6)


def test_best_epoch_ties_choose_the_earliest():
    X, y = blobs(n=12)
    loader = make_loader(X, y, 12)

    class Frozen(nn.Module):       # a model that never changes: every epoch ties
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.zeros(4, 3))

        def forward(self, x):
            return x @ self.w

    model = Frozen()
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.0), loader, loader, epochs=3)
    assert np.allclose(h.val_loss, math.log(3)) and len(set(h.val_loss)) == 1
    assert h.best_epoch == 1 and History(val_loss=[2.0], train_loss=[2.0], best_epoch=1).best_value == 2.0


def test_monitor_validation_accuracy(problem):
    _, h = run(problem, lr=3.0, epochs=12, monitor="val_acc")
    assert h.monitor == "val_acc" and h.best_value == max(h.val_acc)
    assert h.best_epoch == int(np.argmax(h.val_acc)) + 1
    _, h = run(problem, lr=3.0, epochs=12, monitor="train_acc", patience=1)
    assert h.best_epoch == int(np.argmax(h.train_acc)) + 1
    with pytest.raises(ValueError, match="needs a val_loader"):
        fit(nn.Linear(4, 3), torch.optim.SGD(nn.Linear(4, 3).parameters(), lr=0.1), problem[0], monitor="val_acc")


def test_without_validation_the_best_epoch_follows_the_training_loss(problem):
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), problem[0], epochs=4)
    assert h.val_loss == [] and h.val_acc == []
    assert h.best_epoch == int(np.argmin(h.train_loss)) + 1


def test_restore_best_loads_the_best_weights(problem):
    model, h = run(problem, lr=3.0, epochs=12, restore_best=True)
    assert evaluate(model, problem[1]).loss == pytest.approx(h.best_value, rel=1e-6)


def test_patience_stops_early_and_keeps_the_best(problem):
    _, full = run(problem, lr=3.0, epochs=12)
    model, h = run(problem, lr=3.0, epochs=12, patience=2, restore_best=True)
    # the same run, cut where the validation loss failed to improve for 2 epochs
    stop = next(e for e in range(1, 13) if e - (int(np.argmin(full.val_loss[:e])) + 1) >= 2)
    assert len(h.val_loss) == stop < 12
    assert h.val_loss == pytest.approx(full.val_loss[:stop], rel=1e-12)
    assert h.stopped_early and "early stopping at epoch" in h.stop_reason
    assert evaluate(model, problem[1]).loss == pytest.approx(h.best_value, rel=1e-6)


# --- reproducibility --------------------------------------------------------------------------------

def test_same_seed_same_history(problem):
    _, a = run(problem, seed=3, opt=torch.optim.Adam, lr=0.05)
    _, b = run(problem, seed=3, opt=torch.optim.Adam, lr=0.05)
    _, c = run(problem, seed=4, opt=torch.optim.Adam, lr=0.05)
    assert a.batch_loss == b.batch_loss and a.val_loss == b.val_loss
    assert a.batch_loss != c.batch_loss


# --- bad input -----------------------------------------------------------------------------------------

def test_non_finite_loss_stops_before_the_update():
    X, y = blobs(n=32)
    X[20] = float("nan")           # the third batch of 8 (unshuffled) holds a NaN
    loader = make_loader(X, y, 8)
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(NonFiniteLossError, match=r"epoch 1, batch 3 of 4"):
        fit(model, opt, loader, epochs=2)
    assert all(torch.isfinite(p).all() for p in model.parameters()), "weights were updated with NaN"


def test_non_finite_loss_from_a_diverging_learning_rate_can_stop_the_run(problem):
    model, h = run(problem, lr=1e38, epochs=5, on_nonfinite="stop")
    assert h.diverged and "non-finite loss" in h.stop_reason and "epoch 1, batch" in h.stop_reason
    assert len(h.lr) == len(h.train_loss)     # only completed epochs are recorded
    with pytest.raises(NonFiniteLossError, match="epoch 1, batch"):
        run(problem, lr=1e38, epochs=5)


def test_empty_loaders_are_refused():
    X, y = blobs(n=8)
    empty = DataLoader(TensorDataset(X[:0], y[:0]), batch_size=4)
    good = make_loader(X, y, 4)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="train_loader is empty"):
        fit(model, opt, empty, epochs=1)
    with pytest.raises(ValueError, match="val_loader is empty"):
        fit(model, opt, good, empty, epochs=1)
    with pytest.raises(ValueError, match="empty"):
        evaluate(model, empty)
    with pytest.raises(ValueError, match="yielded no examples"):
        fit(model, opt, iter([]), epochs=1)       # no len(): found while iterating
    with pytest.raises(ValueError, match="no examples"):
        make_loader(X[:0], y[:0])


def test_model_output_must_match_the_number_of_classes():
    X, y = blobs(n=30, classes=3)
    loader = make_loader(X, y, 10)
    for wrong in (nn.Linear(4, 2), nn.Linear(4, 5)):
        with pytest.raises(ValueError, match=r"outputs \d scores per example but the data have 3 classes"):
            fit(wrong, torch.optim.SGD(wrong.parameters(), lr=0.1), loader, epochs=1)
    model = nn.Linear(4, 3)
    with pytest.raises(ValueError, match="data have 4 classes"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), loader, epochs=1, num_classes=4)
    flat = nn.Sequential(nn.Linear(4, 1), nn.Flatten(0))
    with pytest.raises(ValueError, match="output has shape"):
        fit(flat, torch.optim.SGD(flat.parameters(), lr=0.1), loader, epochs=1)


def test_labels_out_of_range_are_refused_without_dataset_labels():
    X, y = blobs(n=30, classes=3)
    batches = [(X[:10], y[:10] + 5)]               # a plain list: no dataset to read labels from
    model = nn.Linear(4, 3)
    with pytest.raises(ValueError, match="labels run from 5 to 7"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), batches, epochs=1)


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "epochs must be a positive integer"),
    ({"epochs": 2.5}, "epochs must be a positive integer"),
    ({"epochs": True}, "epochs must be a positive integer"),
    ({"patience": 0}, "patience must be a positive integer"),
    ({"on_nonfinite": "ignore"}, "on_nonfinite"),
    ({"num_classes": 1}, "num_classes"),
    ({"monitor": "val_f1"}, "monitor must be"),
])
def test_bad_arguments(problem, kwargs, message):
    model = nn.Linear(4, 3)
    args = {"epochs": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), problem[0], **args)


def test_split_and_loader_validation():
    X, y = np.zeros((10, 2)), np.arange(10)
    (Xt, yt), (Xv, yv) = train_val_split(X, y, val_size=0.2, seed=0)
    assert len(yv) == 2 and len(yt) == 8 and set(yt) | set(yv) == set(range(10))
    (_, yt2), (_, yv2) = train_val_split(X, y, val_size=0.2, seed=0)
    assert np.array_equal(yv, yv2)
    for bad in (0, 10, 1.0, 0.0, -0.1, True, "a"):
        with pytest.raises(ValueError, match="val_size"):
            train_val_split(X, y, val_size=bad)
    with pytest.raises(ValueError, match="X has 10 examples but y has 9"):
        train_val_split(X, y[:9])
    with pytest.raises(ValueError, match="integer class labels"):
        make_loader(X, y.astype(float))
    with pytest.raises(ValueError, match="batch_size"):
        make_loader(X, y, batch_size=0)


def test_make_loader_gives_the_batches_of_a_plain_dataloader():
    X, y = blobs(n=100)
    torch.manual_seed(5)
    ours = [yb.tolist() for _, yb in make_loader(X, y, 16, shuffle=True)]
    torch.manual_seed(5)
    plain = [yb.tolist() for _, yb in DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)]
    assert ours == plain and len(make_loader(X, y, 16)) == 7


def test_predict_and_evaluate_agree(problem):
    model, _ = run(problem, epochs=3)
    preds, labels = predict(model, problem[1])
    assert preds.shape == labels.shape == (30,)
    assert np.mean(preds == labels) == evaluate(model, problem[1]).accuracy


# --- progress bars --------------------------------------------------------------------------------------

def test_progress_bars_only_when_asked(problem, capsys):
    run(problem, epochs=2)                     # default: nobody is watching under pytest
    assert capsys.readouterr().err == ""
    run(problem, epochs=2, progress=True, desc="test run")
    assert "test run" in capsys.readouterr().err
    assert training._someone_is_watching() is False


def test_progress_default_follows_whether_a_person_is_watching(monkeypatch):
    """In a notebook frontend that accepts input (Jupyter, Colab) bars show; in nbclient runs
    (the book's build, nbval), which send allow_stdin=False, they do not."""
    import types

    kernel = types.SimpleNamespace(_allow_stdin=True)
    shell = types.SimpleNamespace(kernel=kernel)
    fake_ipython = types.SimpleNamespace(get_ipython=lambda: shell)
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython)
    assert training._someone_is_watching() is True
    kernel._allow_stdin = False
    assert training._someone_is_watching() is False
    fake_ipython.get_ipython = lambda: None        # IPython imported, but not running: a script
    assert training._someone_is_watching() is False  # pytest captures stderr: not a terminal


# --- learning-rate sweep -----------------------------------------------------------------------------------

def test_lr_sweep_matches_individual_runs_and_marks_divergence(problem):
    res = lr_sweep(lambda: nn.Linear(4, 3), lambda p, lr: torch.optim.SGD(p, lr=lr),
                   [0.01, 0.1, 1e38], *problem, epochs=3, seed=0)
    assert res.lrs.tolist() == [0.01, 0.1, 1e38]
    _, h = run(problem, lr=0.1, epochs=3, seed=0)
    assert res.final_val_loss[1] == h.val_loss[-1] and res.best_val_loss[1] == min(h.val_loss)
    assert res.final_val_loss[2] == math.inf and res.histories[2].diverged
    assert res.final_val_loss[1] < res.final_val_loss[0]
    with pytest.raises(ValueError, match="positive learning rates"):
        lr_sweep(lambda: nn.Linear(4, 3), lambda p, lr: torch.optim.SGD(p, lr=lr), [0.1, -1], *problem, epochs=1)


# --- a NumPy optimizer driving a torch model -----------------------------------------------------------------

class NumpyAdam:
    """Adam written on NumPy arrays, rebinding .data and keeping state by position (float64 math)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = list(params), lr, betas, eps, 0
        self.m = [np.zeros(p.data.shape) for p in self.params]
        self.v = [np.zeros(p.data.shape) for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = np.zeros_like(p.data)

    def step(self):
        self.t += 1
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            g = p.grad.astype(np.float64)
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            m_hat, v_hat = self.m[i] / (1 - b1 ** self.t), self.v[i] / (1 - b2 ** self.t)
            p.data = p.data - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def test_lablib_optimizer_drives_a_torch_model_like_torch_adam():
    X, y = blobs(n=64)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    twin = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    twin.load_state_dict(model.state_dict())
    ours = LablibOptimizer(model.parameters(), NumpyAdam, lr=0.01)
    theirs = torch.optim.Adam(twin.parameters(), lr=0.01)
    X = X.double()
    for step in range(100):
        idx = torch.arange(step % 8 * 8, step % 8 * 8 + 8)
        for m, opt in ((model, ours), (twin, theirs)):
            opt.zero_grad()
            nn.functional.cross_entropy(m(X[idx]), y[idx]).backward()
            opt.step()
        for p, q in zip(model.parameters(), twin.parameters()):
            np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-13)
    assert ours.lr == 0.01 and "LablibOptimizer" in repr(ours)


def test_lablib_optimizer_works_in_fit_and_in_place():
    class InPlaceSGD:
        def __init__(self, params, lr):
            self.params, self.lr = list(params), lr

        def zero_grad(self):      # not called: LablibOptimizer.zero_grad clears torch's gradients
            raise AssertionError

        def step(self):
            for p in self.params:
                p.data -= self.lr * p.grad

    X, y = blobs(n=48)
    loader = make_loader(X, y, 8, shuffle=True)
    torch.manual_seed(0)
    a = nn.Linear(4, 3)
    b = nn.Linear(4, 3)
    b.load_state_dict(a.state_dict())
    ha = fit(a, LablibOptimizer(a.parameters(), InPlaceSGD, lr=0.1), loader, epochs=3, seed=1)
    hb = fit(b, torch.optim.SGD(b.parameters(), lr=0.1), loader, epochs=3, seed=1)
    np.testing.assert_allclose(ha.batch_loss, hb.batch_loss, rtol=1e-5)
    assert ha.lr == [0.1] * 3
    with pytest.raises(ValueError, match="no parameters"):
        LablibOptimizer([], InPlaceSGD, lr=0.1)


# --- LablibOptimizer's speed path: a large tensor handed over in pieces, the whole tensor's numbers ------------

PIECE = training.PIECE_SIZE
PIECE_SHAPES = [(3 * PIECE + 17,), (97, 701), (2, 3)]            # split, split, one piece

PIECE_CONFIGS = [
    ("SGD", {"lr": 0.02}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "dampening": 0.3}),      # the buffer is created at step 1
    ("SGD", {"lr": 0.01, "momentum": 0.95, "nesterov": True, "weight_decay": 0.1, "maximize": True}),
    ("VelocityMomentum", {"lr": 0.02, "momentum": 0.9, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.2, "lr_decay": 0.05, "weight_decay": 0.2, "initial_accumulator_value": 0.1}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.95, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.2, "amsgrad": True, "maximize": True}),
    ("Adam", {"lr": 0.05, "eps": 0.0, "eps_root": 1e-8}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
]


def run_both_ways(make_optimizer, shapes, steps=6, seed=7, skip=None):
    """The same steps through LablibOptimizer (torch tensors, in pieces) and piece-free (optim.Parameter).

    ``skip(step, k)`` -> True leaves tensor k without a gradient at that step.
    Returns the adapter, the plain optimizer and both lists of parameters.
    """
    rng = np.random.default_rng(seed)
    starts = [rng.normal(size=s) for s in shapes]
    tensors = [nn.Parameter(torch.tensor(w)) for w in starts]
    plain = [optim.Parameter(w) for w in starts]
    ours, whole = LablibOptimizer(tensors, make_optimizer), make_optimizer(plain)
    for step in range(steps):
        ours.zero_grad()
        for k, (t, p) in enumerate(zip(tensors, plain)):
            if skip is not None and skip(step, k):
                p.grad = None
                continue
            g = np.sin(3 * p.data) + 3 * rng.normal(size=p.data.shape)    # elementwise in the weights
            t.grad, p.grad = torch.tensor(g), g.copy()
        ours.step()
        whole.step()
    return ours, whole, tensors, plain


def test_a_large_tensor_is_handed_over_in_pieces():
    ours, _, tensors, _ = run_both_ways(optim.Adam, PIECE_SHAPES, steps=1)
    names = [p.name for p in ours.optimizer.params]
    assert len(names) == 4 + 3 + 1
    assert names[0] == f"tensor 0, elements 0:{PIECE}" and names[3] == f"tensor 0, elements {3 * PIECE}:{3 * PIECE + 17}"
    assert names[-1] == "tensor 2" and ours.optimizer.params[-1].data.shape == (2, 3)
    assert all(p.data.size <= PIECE for p in ours.optimizer.params)
    assert np.shares_memory(ours.optimizer.params[1].data, tensors[0].detach().numpy())


@pytest.mark.parametrize("cls_name, kwargs", PIECE_CONFIGS, ids=[f"{c}-{k}" for c, k in PIECE_CONFIGS])
def test_pieces_give_the_whole_tensor_result_to_the_last_bit(cls_name, kwargs):
    make = lambda params: getattr(optim, cls_name)(params, **kwargs)             # noqa: E731
    ours, whole, tensors, plain = run_both_ways(make, PIECE_SHAPES, skip=lambda step, k: step == 2 and k == 1)
    for k, (t, p) in enumerate(zip(tensors, plain)):
        np.testing.assert_array_equal(t.detach().numpy(), p.data, err_msg=f"tensor {k}")
        # the pieces' states, put together, are the whole tensor's state
        states = [s for a, s in zip(ours.optimizer.params, ours.optimizer.state) if a.tensor is t]
        for name, value in vars(whole.state[k]).items():
            if isinstance(value, np.ndarray):
                joined = np.concatenate([getattr(s, name).reshape(-1) for s in states])
                np.testing.assert_array_equal(joined, value.reshape(-1), err_msg=f"state {name} of tensor {k}")
            else:
                assert all(getattr(s, name) == value for s in states), f"state {name} of tensor {k}"
    assert whole.state[1].t == 5                       # tensor 1 had no gradient once


class ScheduledMomentum(optim.Optimizer):
    """Momentum with NAdam's schedule, keeping a running scalar in its state as torch's NAdam keeps mu_product.

    mu_t = beta1 (1 - 0.5 * 0.96^(0.004 t)), mu_product_t = mu_1 ... mu_t,
    m_t = mu_t m_{t-1} + (1 - mu_t) g_t, d_t = m_t / (1 - mu_product_t).
    A piece that did not carry mu_product on from step to step (as optim's old in-step pieces did not)
    would use mu_t alone and step wrongly (by 0.27 after 20 steps at 10^5 elements).
    """

    elementwise = True

    def __init__(self, params, lr=0.01, beta1=0.9):
        super().__init__(params, lr)
        self.beta1 = beta1

    def init_state(self, p):
        return {"m": np.zeros(p.data.shape), "mu_product": 1.0}

    def direction(self, g, s):
        mu = self.beta1 * (1 - 0.5 * 0.96 ** (0.004 * s.t))
        s.mu_product = s.mu_product * mu
        s.m = mu * s.m + (1 - mu) * g
        return s.m / (1 - s.mu_product)


def test_scalar_state_is_carried_by_every_piece():
    big, small = 10**5, 10**3
    ours, whole, tensors, plain = run_both_ways(ScheduledMomentum, [(big,)], steps=20)
    assert len(ours.optimizer.params) == math.ceil(big / PIECE) > 1
    np.testing.assert_array_equal(tensors[0].detach().numpy(), plain[0].data)      # = piece-free, at 10^5
    assert all(s.mu_product == whole.state[0].mu_product for s in ours.optimizer.state)
    assert 0 < whole.state[0].mu_product < 0.9 ** 19
    # at 10^3 (one piece) the first 1,000 weights take the same path: same starts, same gradients
    rng = np.random.default_rng(7)
    w = nn.Parameter(torch.tensor(rng.normal(size=big)[:small]))
    opt = LablibOptimizer([w], ScheduledMomentum)
    rng = np.random.default_rng(7)
    rng.normal(size=big)
    for _ in range(20):
        opt.zero_grad()
        w.grad = torch.tensor(np.sin(3 * w.detach().numpy()) + 3 * rng.normal(size=big)[:small])
        opt.step()
    assert len(opt.optimizer.params) == 1
    np.testing.assert_array_equal(w.detach().numpy(), plain[0].data[:small])


def test_an_optimizer_that_is_not_elementwise_sees_the_whole_tensor():
    class NormalizedGD(optim.Optimizer):             # d = g / |g|: needs all of g at once
        def __init__(self, params, lr=0.1):
            super().__init__(params, lr)

        def direction(self, g, s):
            return g / np.linalg.norm(g)

    g = np.arange(1.0, 3 * PIECE + 2).reshape(1, -1)
    w = nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))
    opt = LablibOptimizer([w], NormalizedGD)
    w.grad = torch.tensor(g)
    opt.step()
    assert [p.data.shape for p in opt.optimizer.params] == [g.shape]
    np.testing.assert_allclose(w.detach().numpy(), -0.1 * g / np.linalg.norm(g), rtol=1e-14)


def test_a_piece_may_be_updated_by_rebinding_its_data():
    class RebindingSGD(optim.Optimizer):
        elementwise = True

        def __init__(self, params, lr=0.5):
            super().__init__(params, lr)

        def step(self):                                 # p.data = ... instead of p.data -= ...
            for p in self.params:
                p.data = p.data - self.lr * p.grad

    w = nn.Parameter(torch.ones(2 * PIECE + 3, dtype=torch.float64))
    opt = LablibOptimizer([w], RebindingSGD)
    w.grad = torch.full_like(w, 2.0)
    opt.step()
    assert len(opt.optimizer.params) == 3
    np.testing.assert_array_equal(w.detach().numpy(), 0.0)


def test_a_nan_in_one_piece_names_it_and_changes_nothing():
    w = nn.Parameter(torch.ones(2 * PIECE + 3, dtype=torch.float64))
    opt = LablibOptimizer([w], optim.Adam, lr=0.1)
    g = torch.ones_like(w)
    g[PIECE + 5] = float("nan")
    w.grad = g
    with pytest.raises(optim.NonFiniteGradientError,
                       match=rf"parameter 1 \('tensor 0, elements {PIECE}:{2 * PIECE}'\) contains NaN at step 1"):
        opt.step()
    assert (w.detach() == 1).all() and opt.optimizer.state == [None] * 3


# --- callbacks, per-batch schedulers, the rate of every update ------------------------------------------------

def test_callbacks_are_called_once_per_epoch_with_the_run(problem):
    calls = []

    def callback(run):
        calls.append((run.epoch, len(run.history.train_loss), len(run.history.val_loss), run.history.best_epoch,
                      run.epoch_updates, len(run.history.batch_loss)))
        objects.append((run.history, run.model, run.optimizer, run.scheduler))

    objects = []
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.9)
    h = fit(model, opt, *problem, epochs=3, scheduler=sched, callbacks=[callback, callback])
    n = len(problem[0])
    assert [c[0] for c in calls] == [1, 1, 2, 2, 3, 3]           # each callback once per epoch, in order
    assert calls == [c for e in (1, 2, 3)                        # the history as it stands after epoch e
                     for c in 2 * [(e, e, e, int(np.argmin(h.val_loss[:e])) + 1, n, e * n)]]
    assert all(obj == (h, model, opt, sched) for obj in objects)
    assert training.Run._fields == ("epoch", "history", "model", "optimizer", "scheduler", "epoch_updates")


def test_a_callback_that_raises_ends_the_run(problem):
    class Stop(Exception):
        pass

    def stop_after_two(run):
        if run.epoch == 2:
            raise Stop

    model = nn.Linear(4, 3)
    seen = []
    with pytest.raises(Stop):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), *problem, epochs=5,
            callbacks=[lambda run: seen.append(run.epoch), stop_after_two])
    assert seen == [1, 2]


def test_a_callback_must_be_callable(problem):
    model = nn.Linear(4, 3)
    with pytest.raises(ValueError, match=r"each callback must be callable as callback\(run\), got 'checkpoint'"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), *problem, epochs=1, callbacks=["checkpoint"])
    with pytest.raises(ValueError, match="each callback must be callable"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), *problem, epochs=1, callbacks=[print, None])


@pytest.mark.parametrize("bad", ["step", "Batch", None, 1])
def test_scheduler_step_must_be_epoch_or_batch(problem, bad):
    model = nn.Linear(4, 3)
    with pytest.raises(ValueError, match=r"scheduler_step must be 'epoch' or 'batch', got"):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), *problem, epochs=1, scheduler_step=bad)


def test_batch_lr_has_one_rate_per_update(problem):
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = fit(model, opt, *problem, epochs=3, scheduler=sched)
    n = len(problem[0])
    assert len(h.batch_lr) == len(h.batch_loss) == 3 * n
    assert h.batch_lr == pytest.approx([0.1] * n + [0.05] * n + [0.025] * n, rel=1e-15)
    # stepped per batch, the rate changes within the epoch
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = fit(model, opt, *problem, epochs=2, scheduler=sched, scheduler_step="batch")
    assert len(h.batch_lr) == len(h.batch_loss) == 2 * n
    assert h.batch_lr == pytest.approx([0.1 * 0.5 ** k for k in range(2 * n)], rel=1e-12)
    assert h.lr == [h.batch_lr[0], h.batch_lr[n]]
    # a run stopped by a non-finite loss records neither the loss nor the rate of the update it refused
    _, h = run(problem, lr=1e38, epochs=3, on_nonfinite="stop")
    assert h.diverged and len(h.batch_lr) == len(h.batch_loss)
