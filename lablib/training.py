"""Training PyTorch models: the course's training loop as :func:`fit`, plus :func:`evaluate`.

The loop is the one the course writes by hand, and nothing more::

    for epoch in range(epochs):
        for X, y in train_loader:
            optimizer.zero_grad()          # forget the last batch's gradients
            loss = loss_fn(model(X), y)    # forward pass and mean loss of the batch
            loss.backward()                # backward pass: fill p.grad for every parameter
            optimizer.step()               # update the weights
        # then: the epoch's training loss, validation loss and accuracy

:func:`fit` runs it and records a :class:`History` (per-epoch training and
validation loss and accuracy, the best epoch and a copy of the best weights).
It never draws: the figures are in :mod:`lablib.plotting.training`.
It checks what would otherwise fail late or silently: an empty loader, a model
whose output does not match the number of classes, labels out of range, and a
loss that is NaN or infinite (it stops *before* updating the weights with it,
naming the epoch and batch).

:class:`LablibOptimizer` lets one of lablib's NumPy optimizers
(:mod:`lablib.optim`) train a PyTorch model, through NumPy views of the model's
parameters (a large one in cache-sized pieces: lablib's speed path, beside the
plain :meth:`lablib.optim.Optimizer.step`); chapter 9 uses it to show that
lablib's Adam follows ``torch.optim.Adam``.

torch only (and tqdm for the optional progress bar). Introduced in chapter 9.
"""
from __future__ import annotations

import copy
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np
import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset

from lablib._validate import positive_int as _positive_int
from lablib.errors import DivergenceError

__all__ = [
    "History", "Evaluation", "NonFiniteLossError", "fit", "evaluate", "predict",
    "default_device", "train_val_split", "make_loader", "lr_sweep", "SweepResult",
    "LablibOptimizer", "Run",
]


class NonFiniteLossError(DivergenceError, FloatingPointError):
    """The training loss became NaN or infinite; :func:`fit` stopped before using it.

    One kind of :class:`lablib.DivergenceError` (and still a ``FloatingPointError``).

    Introduced in chapter 9.
    """


class Evaluation(NamedTuple):
    """Mean loss and accuracy of a model on a data set (what :func:`evaluate` returns).

    Introduced in chapter 9.
    """

    loss: float
    accuracy: float


@dataclass
class History:
    """What :func:`fit` recorded, one entry per completed epoch (epochs count from 1).

    Attributes
    ----------
    train_loss, train_acc : list of float
        The epoch's training loss and accuracy, averaged over its batches as the
        course's loop does (weighted by batch size). The weights change during
        the epoch, so these describe the model *during* the epoch.
    val_loss, val_acc : list of float
        Loss and accuracy on the validation loader after the epoch (empty without one).
    lr : list of float
        The learning rate at the start of each epoch (it changes only with a scheduler).
    batch_lr : list of float
        The learning rate of every update, in order (it changes within an epoch only
        with a per-batch scheduler, ``scheduler_step="batch"``).
    seconds : list of float
        Wall-clock seconds of each epoch, validation included (machine-dependent).
    batch_loss : list of float
        The loss of every mini-batch, one per update, in order.
    monitor : str
        The curve that picks the best epoch: ``"val_loss"`` (default with a
        validation loader), ``"val_acc"``, ``"train_loss"`` (default without one) or ``"train_acc"``.
    best_epoch : int or None
        The epoch with the lowest monitored loss (or highest monitored accuracy);
        the earliest one on ties.
    best_state : dict or None
        A copy (on the CPU) of the model's ``state_dict()`` at ``best_epoch``;
        ``model.load_state_dict(history.best_state)`` restores it.
    stopped_early : bool
        True when ``patience`` ended the run before ``epochs``.
    stop_reason : str
        Empty, or why the run ended early (patience, or a non-finite loss with
        ``on_nonfinite="stop"``).

    Introduced in chapter 9.
    """

    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    batch_lr: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    batch_loss: list = field(default_factory=list)
    monitor: str = "val_loss"
    best_epoch: int | None = None
    best_state: dict | None = None
    stopped_early: bool = False
    stop_reason: str = ""

    @property
    def epochs(self) -> np.ndarray:
        """The completed epochs, ``1, 2, ..., n``."""
        return np.arange(1, len(self.train_loss) + 1)

    @property
    def diverged(self) -> bool:
        """True when the run was stopped by a NaN or infinite loss."""
        return self.stop_reason.startswith("non-finite")

    @property
    def monitored(self) -> list:
        """The curve named by ``monitor`` (e.g. ``val_loss``)."""
        return getattr(self, self.monitor)

    @property
    def best_value(self) -> float:
        """The monitored value at ``best_epoch`` (NaN if no epoch completed)."""
        return self.monitored[self.best_epoch - 1] if self.best_epoch else math.nan

    def _improves(self, value: float) -> bool:
        if self.best_epoch is None:
            return True
        return value > self.best_value if self.monitor.endswith("acc") else value < self.best_value

    def __repr__(self) -> str:
        n = len(self.train_loss)
        if n == 0:
            return f"History(0 epochs{', ' + self.stop_reason if self.stop_reason else ''})"
        last = f"train_loss={self.train_loss[-1]:.4f}"
        if self.val_loss:
            last += f", val_loss={self.val_loss[-1]:.4f}, val_acc={self.val_acc[-1]:.4f}"
        text = f"History({n} epochs, last: {last}; best_epoch={self.best_epoch}"
        return text + (f"; {self.stop_reason})" if self.stop_reason else ")")


def default_device() -> torch.device:
    """``cuda`` when an NVIDIA GPU is available (the course's one-liner), else Apple's ``mps``, else ``cpu``.

    Examples
    --------
    >>> default_device().type in ("cpu", "cuda", "mps")
    True

    Introduced in chapter 9.
    """
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def train_val_split(X, y, val_size=0.125, seed: int = 0):
    """Carve a validation set out of a training set, at random (seeded).

    Parameters
    ----------
    X, y : array_like
        Inputs and labels with the same first dimension.
    val_size : float in (0, 1) or int
        The validation set's share of the examples, or its number of examples.
    seed : int
        Seed of the permutation (NumPy ``default_rng``).

    Returns
    -------
    (X_train, y_train), (X_val, y_val)
        NumPy arrays; together they hold every example exactly once.

    Examples
    --------
    >>> X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    >>> (Xt, yt), (Xv, yv) = train_val_split(X, y, val_size=3, seed=0)
    >>> len(yt), len(yv), sorted(np.concatenate([yt, yv]).tolist()) == list(range(10))
    (7, 3, True)

    Introduced in chapter 9.
    """
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X has {n} examples but y has {len(y)}")
    if isinstance(val_size, (bool, np.bool_)):
        raise ValueError(f"val_size must be a fraction in (0, 1) or a count, got {val_size!r}")
    if isinstance(val_size, (int, np.integer)):
        n_val = int(val_size)
    elif isinstance(val_size, (float, np.floating)) and 0 < val_size < 1:
        n_val = int(round(val_size * n))
    else:
        raise ValueError(f"val_size must be a fraction in (0, 1) or a count, got {val_size!r}")
    if not 0 < n_val < n:
        raise ValueError(f"val_size={val_size!r} leaves {n_val} of {n} examples for validation; "
                         f"both parts must be non-empty")
    order = np.random.default_rng(seed).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return (X[train], y[train]), (X[val], y[val])


def make_loader(X, y, batch_size: int = 64, shuffle: bool = False, device=None) -> DataLoader:
    """A ``DataLoader`` over arrays: float32 inputs, int64 class labels.

    The shuffled order comes from torch's global random generator, so
    ``lablib.set_seed`` (or ``fit(..., seed=...)``) makes it repeat exactly.

    Parameters
    ----------
    X, y : array_like or Tensor
        Inputs ``(n, ...)`` and integer labels ``(n,)``.
    batch_size : int
        Examples per mini-batch (the last one may be smaller).
    shuffle : bool
        Reshuffle at every epoch (for training); keep the order for evaluation.
    device : str or torch.device, optional
        Put the whole data set on this device once (fast for MNIST on a GPU).

    Examples
    --------
    >>> loader = make_loader(np.zeros((10, 3)), np.arange(10) % 2, batch_size=4)
    >>> [len(xb) for xb, yb in loader], next(iter(loader))[0].dtype
    ([4, 4, 2], torch.float32)

    Introduced in chapter 9.
    """
    X = torch.as_tensor(np.asarray(X) if not isinstance(X, torch.Tensor) else X, dtype=torch.float32)
    y = torch.as_tensor(np.asarray(y) if not isinstance(y, torch.Tensor) else y)
    if len(X) == 0:
        raise ValueError("make_loader() got no examples")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}")
    if y.dtype.is_floating_point or y.dtype == torch.bool or y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of integer class labels, got {y.dtype} of shape {tuple(y.shape)}")
    batch_size = _positive_int(batch_size, "batch_size")
    y = y.long()
    if device is not None:
        X, y = X.to(device), y.to(device)
    dataset = TensorDataset(X, y)
    # Hand the dataset a whole batch of indices at once (one tensor indexing per batch
    # instead of one per example): the same batches as DataLoader(dataset, batch_size,
    # shuffle), about twice as fast for small models.
    order = RandomSampler(dataset) if shuffle else SequentialSampler(dataset)
    return DataLoader(dataset, sampler=BatchSampler(order, int(batch_size), drop_last=False), batch_size=None)


def _model_device(model: nn.Module, device):
    if device is not None:
        return torch.device(device)
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _num_classes(loader, num_classes):
    """Number of classes: given, or read off a TensorDataset's or torchvision dataset's labels."""
    if num_classes is not None:
        return _positive_int(num_classes, "num_classes", at_least=2)
    dataset = getattr(loader, "dataset", None)
    labels = None
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) >= 2:
        labels = dataset.tensors[1]
    elif hasattr(dataset, "classes") and len(getattr(dataset, "classes")) > 0:
        return len(dataset.classes)
    elif hasattr(dataset, "targets"):
        labels = torch.as_tensor(dataset.targets)
    if labels is None or labels.numel() == 0 or labels.dtype.is_floating_point:
        return None
    return int(labels.max()) + 1


def _check_batch(output, yb, num_classes, where):
    if output.ndim != 2 or output.shape[0] != yb.shape[0]:
        raise ValueError(f"{where}: the model's output has shape {tuple(output.shape)}; expected "
                         f"(batch size, number of classes) = ({yb.shape[0]}, {num_classes or 'C'})")
    n_out = output.shape[1]
    if num_classes is not None and n_out != num_classes:
        raise ValueError(f"{where}: the model outputs {n_out} scores per example but the data have "
                         f"{num_classes} classes; its last layer should have {num_classes} outputs")
    if yb.numel() and (int(yb.min()) < 0 or int(yb.max()) >= n_out):
        raise ValueError(f"{where}: labels run from {int(yb.min())} to {int(yb.max())} but the model "
                         f"outputs only {n_out} scores per example (labels must be 0..{n_out - 1})")


def _check_loader(loader, name):
    try:
        n = len(loader)
    except TypeError:          # an iterable without a length: checked while iterating
        return
    if n == 0:
        raise ValueError(f"{name} is empty (0 batches): it has no examples to "
                         f"{'train' if name == 'train_loader' else 'evaluate'} on")


@torch.no_grad()
def evaluate(model: nn.Module, loader, loss_fn=None, device=None) -> Evaluation:
    """Mean loss and accuracy of ``model`` on every example of ``loader``.

    .. math::

        \\bar L = \\frac{1}{n}\\sum_{i=1}^{n} L(f(x_i), y_i), \\qquad
        \\text{accuracy} = \\frac{1}{n}\\sum_{i=1}^{n} [\\arg\\max_k f(x_i)_k = y_i]

    The model is put in evaluation mode (``model.eval()``) and no gradients are kept.

    Parameters
    ----------
    model : torch.nn.Module
        Maps a batch of inputs to class scores (logits) of shape ``(batch, classes)``.
    loader : iterable of (X, y) batches
        Usually a ``DataLoader``; must not be empty.
    loss_fn : callable, optional
        ``loss_fn(scores, y)`` returning the batch's *mean* loss; default ``nn.CrossEntropyLoss()``.
    device : str or torch.device, optional
        Where to run; default the device of the model's parameters.

    Returns
    -------
    Evaluation
        ``(loss, accuracy)``, both Python floats.

    Examples
    --------
    >>> model = nn.Linear(2, 2)
    >>> with torch.no_grad():
    ...     _ = model.weight.copy_(torch.eye(2)); _ = model.bias.zero_()
    >>> loader = make_loader([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], [0, 1, 1])
    >>> evaluate(model, loader).accuracy
    0.6666666666666666

    Introduced in chapter 9.
    """
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    device = _model_device(model, device)
    _check_loader(loader, "loader")
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        scores = model(X)
        if n == 0:
            _check_batch(scores, y, None, "evaluate(), first batch")
        total_loss += loss_fn(scores, y).item() * len(y)
        correct += (scores.argmax(dim=1) == y).sum().item()
        n += len(y)
    if n == 0:
        raise ValueError("loader is empty: it yielded no examples to evaluate on")
    return Evaluation(total_loss / n, correct / n)


@torch.no_grad()
def predict(model: nn.Module, loader, device=None):
    """Predicted classes and true labels for every example of ``loader``, as NumPy arrays.

    Returns
    -------
    predictions, labels : ndarray of int64
        ``argmax`` of the model's scores, and the loader's labels, in loader order.

    Examples
    --------
    >>> model = nn.Linear(2, 2)
    >>> with torch.no_grad():
    ...     _ = model.weight.copy_(torch.eye(2)); _ = model.bias.zero_()
    >>> predict(model, make_loader([[2.0, 1.0], [0.0, 1.0]], [0, 0]))
    (array([0, 1]), array([0, 0]))

    Introduced in chapter 9.
    """
    device = _model_device(model, device)
    _check_loader(loader, "loader")
    model.eval()
    preds, labels = [], []
    for X, y in loader:
        preds.append(model(X.to(device)).argmax(dim=1).cpu())
        labels.append(y.cpu())
    if not preds:
        raise ValueError("loader is empty: it yielded no examples")
    return torch.cat(preds).numpy(), torch.cat(labels).numpy()


def _current_lr(optimizer) -> float:
    groups = getattr(optimizer, "param_groups", None)
    if groups:
        return float(groups[0]["lr"])
    return float(getattr(optimizer, "lr", math.nan))


def _someone_is_watching() -> bool:
    """True when a person runs this interactively: a notebook frontend that accepts
    input (Jupyter, Colab, VS Code), or a terminal. False for automated runs
    (the book's build, nbval, nbconvert, CI logs), which then get no progress bars."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        return bool(getattr(kernel, "_allow_stdin", False))
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


def _progress_bar(iterable, show, **kwargs):
    if not show:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, **kwargs)


def fit(model: nn.Module, optimizer, train_loader, val_loader=None, epochs: int = 10, *,
        loss_fn: Callable | None = None, scheduler=None, patience: int | None = None,
        restore_best: bool = False, monitor: str | None = None, num_classes: int | None = None, on_nonfinite: str = "raise",
        seed: int | None = None, device=None, progress: bool | None = None,
        desc: str | None = None, scheduler_step: str = "epoch", callbacks=(),
        history: History | None = None) -> History:
    """Train ``model`` with ``optimizer`` for ``epochs`` epochs; return its :class:`History`.

    Each mini-batch is one update (:math:`\\mathcal B` the batch, :math:`\\eta` the learning rate):

    .. math::

        L_{\\mathcal B}(\\theta) = \\frac{1}{|\\mathcal B|}\\sum_{i\\in\\mathcal B} L(f_\\theta(x_i), y_i),
        \\qquad \\theta \\leftarrow \\operatorname{step}\\big(\\theta, \\nabla_\\theta L_{\\mathcal B}\\big)

    where ``step`` is the optimizer's rule (for plain SGD, :math:`\\theta - \\eta\\nabla_\\theta L_{\\mathcal B}`).
    After every epoch the model is evaluated on ``val_loader`` (:func:`evaluate`);
    the epoch with the lowest validation loss (or what ``monitor`` names) is the
    *best epoch*, and a copy of the weights at that epoch is kept (``history.best_state``).

    Parameters
    ----------
    model : torch.nn.Module
        Maps a batch of inputs to class scores ``(batch, classes)``.
    optimizer : torch.optim.Optimizer or LablibOptimizer
        Anything with ``zero_grad()`` and ``step()`` over the model's parameters.
    train_loader : iterable of (X, y) batches
        Usually a shuffling ``DataLoader`` (:func:`make_loader`); must not be empty.
    val_loader : iterable of (X, y) batches, optional
        Evaluated after every epoch; without it the best epoch follows the training loss.
    epochs : int
        Number of passes over ``train_loader`` (fewer if ``patience`` stops the run).
    loss_fn : callable, optional
        Returns a batch's *mean* loss; default ``nn.CrossEntropyLoss()`` (softmax + cross-entropy on logits).
    scheduler : optional
        A learning-rate scheduler; ``scheduler.step()`` is called after every epoch,
        or after every update with ``scheduler_step="batch"`` (warm-up, ``OneCycleLR``).
    scheduler_step : {"epoch", "batch"}
        When the scheduler steps.
    patience : int, optional
        Early stopping: end the run when the monitored curve has not improved for this many epochs.
    restore_best : bool, default False
        Load ``best_state`` into ``model`` at the end (early stopping that keeps the best weights).
    monitor : {"val_loss", "val_acc", "train_loss", "train_acc"}, optional
        The curve that picks the best epoch (lowest loss, highest accuracy). Default
        ``"val_loss"``, or ``"train_loss"`` without a validation loader.
    num_classes : int, optional
        The number of classes the model must output; default: read off the labels of
        ``train_loader``'s dataset when it is a ``TensorDataset`` (or has ``classes``/``targets``).
    on_nonfinite : {"raise", "stop"}
        What to do when a batch's loss is NaN or infinite (the weights are never updated with it):
        raise :class:`NonFiniteLossError`, or end the run and say so in ``history.stop_reason``
        (useful in a learning-rate sweep, where large rates blow up on purpose).
    seed : int, optional
        Seed torch's global generator first, so the batch order (and any dropout) repeat exactly.
    device : str or torch.device, optional
        Where batches are sent; default the device of the model's parameters.
    progress : bool, optional
        Show tqdm progress bars over epochs and batches. Default: only when someone is
        watching (a notebook or terminal run by hand), never in the built book or the tests.
    desc : str, optional
        Label of the progress bar.
    callbacks : sequence of callables
        Each is called as ``callback(Run(epoch, history, model, optimizer, scheduler, epoch_updates))``
        after every completed epoch, e.g. :class:`lablib.checkpoints.Checkpoint`,
        :class:`lablib.monitoring.TensorBoardLogger`, :func:`lablib.tuning.optuna_pruning`.
        An exception a callback raises ends the run (Optuna's ``TrialPruned`` does so on purpose).
    history : History, optional
        Resume a run: the history :func:`lablib.checkpoints.resume` returned, whose
        checkpoint also restored the model, the optimizer, the scheduler and the random
        state. Training continues with epoch ``len(history.train_loss) + 1`` up to
        ``epochs``, appending to this history, exactly as if it had never stopped.
        (Don't pass ``seed`` with it: that would restart the random numbers.)

    Returns
    -------
    History
        Per-epoch losses and accuracies, per-batch losses, best epoch and best weights.

    Raises
    ------
    ValueError
        An empty loader; ``epochs`` or ``patience`` not a positive integer; a model output
        that is not ``(batch, num_classes)``; labels outside ``0..classes-1``.
    NonFiniteLossError
        A NaN or infinite loss (with ``on_nonfinite="raise"``); the message names the epoch and batch.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> X = torch.randn(64, 2); y = (X[:, 0] > 0).long()
    >>> model = nn.Linear(2, 2)
    >>> opt = torch.optim.SGD(model.parameters(), lr=0.5)
    >>> history = fit(model, opt, make_loader(X, y, 16, shuffle=True), make_loader(X, y, 64), epochs=5, seed=0)
    >>> len(history.val_loss), history.val_loss[-1] < history.val_loss[0], history.val_acc[-1] > 0.9
    (5, True, True)

    Introduced in chapter 9.
    """
    epochs = _positive_int(epochs, "epochs")
    if patience is not None:
        patience = _positive_int(patience, "patience")
    if monitor is None:
        monitor = "val_loss" if val_loader is not None else "train_loss"
    if monitor not in ("val_loss", "val_acc", "train_loss", "train_acc"):
        raise ValueError(f"monitor must be 'val_loss', 'val_acc', 'train_loss' or 'train_acc', got {monitor!r}")
    if monitor.startswith("val") and val_loader is None:
        raise ValueError(f"monitor={monitor!r} needs a val_loader")
    if on_nonfinite not in ("raise", "stop"):
        raise ValueError(f"on_nonfinite must be 'raise' or 'stop', got {on_nonfinite!r}")
    if scheduler_step not in ("epoch", "batch"):
        raise ValueError(f"scheduler_step must be 'epoch' or 'batch', got {scheduler_step!r}")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise ValueError(f"each callback must be callable as callback(run), got {cb!r}")
    first_epoch = 1
    if history is not None:
        if not isinstance(history, History):
            raise ValueError(f"history must be the History of the run to resume, got {type(history).__name__}")
        if seed is not None:
            raise ValueError("pass seed or history, not both: a resumed run continues the random numbers "
                             "its checkpoint saved, and a seed would restart them")
        if history.monitor != monitor:
            raise ValueError(f"the run to resume picked its best epoch by {history.monitor!r}, not {monitor!r}")
        if history.stop_reason:
            raise ValueError(f"the run to resume has ended ({history.stop_reason}); start a new one")
        first_epoch = len(history.train_loss) + 1
        if first_epoch > epochs:
            raise ValueError(f"the run to resume has already completed {first_epoch - 1} epochs; "
                             f"ask for more than that (epochs={epochs})")
    _check_loader(train_loader, "train_loader")
    if val_loader is not None:
        _check_loader(val_loader, "val_loader")
    if seed is not None:
        torch.manual_seed(seed)
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    device = _model_device(model, device)
    num_classes = _num_classes(train_loader, num_classes)
    show = _someone_is_watching() if progress is None else bool(progress)
    try:
        n_batches = len(train_loader)
    except TypeError:
        n_batches = None

    history = History(monitor=monitor) if history is None else history
    epoch_bar = _progress_bar(range(first_epoch, int(epochs) + 1), show, desc=desc or "epochs", unit="epoch",
                              initial=first_epoch - 1, total=int(epochs))
    for epoch in epoch_bar:
        start = time.perf_counter()
        model.train()
        total_loss, correct, n = 0.0, 0, 0
        batches = _progress_bar(train_loader, show, desc=f"epoch {epoch}", leave=False, unit="batch",
                                total=n_batches)
        history.lr.append(_current_lr(optimizer))
        updates_before = len(history.batch_loss)
        for batch, (X, y) in enumerate(batches, start=1):
            X, y = X.to(device), y.to(device)
            optimizer.zero_grad()
            scores = model(X)
            if epoch == 1:
                _check_batch(scores, y, num_classes, f"epoch 1, batch {batch}")
            loss = loss_fn(scores, y)
            loss_value = loss.item()
            if not math.isfinite(loss_value):
                where = f"epoch {epoch}, batch {batch}" + (f" of {n_batches}" if n_batches else "")
                message = (f"non-finite loss ({loss_value}) at {where} (lr={history.lr[-1]:g}); the weights "
                           f"were not updated with it. The learning rate is probably too large for this "
                           f"optimizer, or the inputs contain NaN/inf.")
                if on_nonfinite == "raise":
                    raise NonFiniteLossError(message)
                history.lr.pop()
                history.stop_reason = message
                break
            loss.backward()
            history.batch_lr.append(_current_lr(optimizer))
            optimizer.step()
            if scheduler is not None and scheduler_step == "batch":
                scheduler.step()
            history.batch_loss.append(loss_value)
            total_loss += loss_value * len(y)
            correct += (scores.detach().argmax(dim=1) == y).sum().item()
            n += len(y)
            if show:
                batches.set_postfix(loss=f"{loss_value:.4f}", refresh=False)
        if history.stop_reason:
            break
        if n == 0:
            raise ValueError(f"train_loader yielded no examples in epoch {epoch}")
        history.train_loss.append(total_loss / n)
        history.train_acc.append(correct / n)
        if val_loader is not None:
            val = evaluate(model, val_loader, loss_fn, device)
            history.val_loss.append(val.loss)
            history.val_acc.append(val.accuracy)
        if scheduler is not None and scheduler_step == "epoch":
            scheduler.step()
        history.seconds.append(time.perf_counter() - start)

        if history._improves(history.monitored[-1]):
            history.best_epoch = epoch
            history.best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        stop = patience is not None and epoch - history.best_epoch >= patience and epoch < epochs
        if stop:                       # recorded before the callbacks, so a checkpoint knows the run ended
            history.stopped_early = True
            history.stop_reason = (f"early stopping at epoch {epoch}: no improvement in {monitor} for "
                                   f"{patience} epoch{'s' if patience > 1 else ''} (best epoch {history.best_epoch})")
        for callback in callbacks:
            callback(Run(epoch, history, model, optimizer, scheduler, len(history.batch_loss) - updates_before))
        if show:
            epoch_bar.set_postfix({"train_loss": f"{history.train_loss[-1]:.4f}",
                                   **({"val_loss": f"{history.val_loss[-1]:.4f}"} if history.val_loss else {})})
        if stop:
            break
    if show and hasattr(epoch_bar, "close"):
        epoch_bar.close()
    if restore_best and history.best_state is not None:
        model.load_state_dict(history.best_state)
    return history


class Run(NamedTuple):
    """What a callback of :func:`fit` is handed after each epoch.

    Introduced in chapter 10.
    """

    epoch: int
    history: History
    model: nn.Module
    optimizer: object
    scheduler: object
    #: the updates of this epoch: the last ``epoch_updates`` entries of ``history.batch_loss``
    epoch_updates: int = 0


class SweepResult(NamedTuple):
    """A learning-rate sweep: the rates, the final and best validation losses, the histories.

    Introduced in chapter 9.
    """

    lrs: np.ndarray
    final_val_loss: np.ndarray
    best_val_loss: np.ndarray
    histories: list


def lr_sweep(make_model: Callable[[], nn.Module], make_optimizer: Callable, lrs, train_loader, val_loader,
             epochs: int, *, seed: int = 0, **fit_kwargs) -> SweepResult:
    """Train a fresh model at each learning rate; return the validation losses.

    Every run starts from the same initial weights and sees the same batches
    (``torch.manual_seed(seed)`` before ``make_model()`` and in :func:`fit`), so
    the learning rate is the only thing that changes. A run whose loss becomes NaN
    or infinite stops there (``on_nonfinite="stop"``) and counts as ``inf``.

    Parameters
    ----------
    make_model : callable
        ``make_model()`` returns a new, untrained model.
    make_optimizer : callable
        ``make_optimizer(parameters, lr)`` returns an optimizer, e.g.
        ``lambda p, lr: torch.optim.Adam(p, lr=lr)``.
    lrs : sequence of float
        The learning rates to try (positive).
    train_loader, val_loader, epochs, **fit_kwargs
        Passed to :func:`fit`.

    Returns
    -------
    SweepResult
        ``lrs``, ``final_val_loss`` (after the last epoch) and ``best_val_loss``
        (lowest over the epochs) as arrays (``inf`` where the run diverged), and the histories.

    Examples
    --------
    >>> X = torch.randn(32, 2, generator=torch.Generator().manual_seed(0)); y = (X[:, 0] > 0).long()
    >>> res = lr_sweep(lambda: nn.Linear(2, 2), lambda p, lr: torch.optim.SGD(p, lr=lr), [0.01, 1.0],
    ...                make_loader(X, y, 8, shuffle=True), make_loader(X, y, 32), epochs=3)
    >>> bool(res.final_val_loss[1] < res.final_val_loss[0])
    True

    Introduced in chapter 9.
    """
    lrs = np.asarray(lrs, dtype=float)
    if lrs.ndim != 1 or len(lrs) == 0 or not np.all(lrs > 0):
        raise ValueError(f"lrs must be a non-empty list of positive learning rates, got {lrs!r}")
    fit_kwargs.setdefault("on_nonfinite", "stop")
    final, best, histories = [], [], []
    for lr in lrs:
        torch.manual_seed(seed)
        model = make_model()
        history = fit(model, make_optimizer(model.parameters(), float(lr)), train_loader, val_loader,
                      epochs, seed=seed, **fit_kwargs)
        if history.diverged or not history.val_loss:
            final.append(math.inf)
        else:
            final.append(history.val_loss[-1])
        best.append(min(history.val_loss) if history.val_loss else math.inf)
        histories.append(history)
    return SweepResult(lrs, np.array(final), np.array(best), histories)


#: A tensor with more elements than this is handed to an elementwise lablib optimizer
#: in pieces of this size (see :class:`LablibOptimizer`). A piece of 32,768 float64
#: numbers is 256 KiB: a piece of the parameter, its gradient, its state and the
#: temporaries of one step (about 2 MiB for Adam) stay in a core's L2 cache, and it is
#: the smallest array for which NumPy reuses a temporary in place (``b1 * m + (1 - b1) * g``
#: then allocates two arrays, not three). Measured (``benchmarks/bench_optim.py``, one
#: thread): 32,768 is faster than 8,192 or 16,384 (less Python per element) and than
#: 65,536 or more (out of cache), for every optimizer at 10^5 and 10^7 elements.
PIECE_SIZE = 2**15


class _TensorAsArray:
    """A torch parameter, or a piece of one, seen as NumPy arrays: ``.data`` and ``.grad`` are views of its memory.

    ``part`` is ``None`` for the whole tensor (arrays of its shape) or a slice
    of the flattened tensor (1-d arrays of that piece). :func:`_look` takes
    fresh views before every step, so a new gradient from ``backward()`` (or a
    tensor given new memory by ``tensor.data = ...``) is seen. Assigning
    ``.data`` or ``.grad`` copies into the tensor, so an optimizer may update in
    place (``p.data -= step``) or by rebinding (``p.data = p.data - step``).
    """

    def __init__(self, tensor: torch.Tensor, part: slice | None = None, name: str | None = None):
        self.tensor, self.part, self.name = tensor, part, name
        _look(tensor, [self])

    @property
    def data(self) -> np.ndarray:
        return self._data

    @data.setter
    def data(self, value):
        if value is not self._data and not np.shares_memory(value, self._data):
            self._data[...] = value

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is None:
            self.tensor.grad = self._grad = None
            return
        if self._grad is None:
            if self.tensor.grad is None:            # (another piece of the tensor may have made one)
                self.tensor.grad = torch.zeros_like(self.tensor)
            _look(self.tensor, [self])
        if value is not self._grad and not np.shares_memory(value, self._grad):
            self._grad[...] = value

    @property
    def shape(self):
        return self._data.shape

    def __repr__(self) -> str:
        return f"_TensorAsArray(shape={self.shape}" + (f", name={self.name!r})" if self.name else ")")


def _look(tensor: torch.Tensor, arrays: list) -> None:
    """Point each of ``arrays`` (the views of ``tensor`` and its pieces) at the tensor's memory and gradient now."""
    data = tensor.detach().numpy()
    grad = None if tensor.grad is None else tensor.grad.numpy()
    flat_data = flat_grad = None
    for a in arrays:
        if a.part is None:
            a._data, a._grad = data, grad
            continue
        if flat_data is None:
            flat_data = data.reshape(-1)                            # a view: the tensor is contiguous
            flat_grad = None if grad is None else grad.reshape(-1)
        a._data = flat_data[a.part]
        a._grad = None if flat_grad is None else flat_grad[a.part]


def _arrays_for(tensor: torch.Tensor, k: int, in_pieces: bool) -> list:
    """What the lablib optimizer sees of tensor ``k``: the whole tensor, or views of pieces of ``PIECE_SIZE``.

    Pieces only for an elementwise optimizer (each piece then gets its own
    state, and the result is the whole tensor's) and a C-contiguous tensor
    (whose flattened view is its memory).
    """
    n = tensor.numel()
    if not (in_pieces and n > PIECE_SIZE and tensor.is_contiguous()):
        return [_TensorAsArray(tensor, name=f"tensor {k}")]
    return [_TensorAsArray(tensor, slice(a, min(a + PIECE_SIZE, n)),
                           name=f"tensor {k}, elements {a}:{min(a + PIECE_SIZE, n)}")
            for a in range(0, n, PIECE_SIZE)]


class LablibOptimizer:
    """Train a PyTorch model with one of lablib's NumPy optimizers.

    Each torch parameter is handed to the lablib optimizer as an object whose
    ``.data`` and ``.grad`` are NumPy *views* of the tensor and its gradient, so
    ``opt.step()`` runs lablib's update rule (in the parameters' dtype) directly on the model's weights.
    Used exactly like a ``torch.optim`` optimizer::

        opt = LablibOptimizer(model.parameters(), lablib.optim.Adam, lr=1e-3)
        opt.zero_grad(); loss.backward(); opt.step()

    **The speed path.** If the optimizer's update is elementwise
    (``optimizer_class.elementwise``, true for all of :mod:`lablib.optim`), a
    tensor of more than ``PIECE_SIZE`` (32,768) elements is handed over as
    several parameters, views of pieces of 32,768 elements, each with its own
    state. The plain :meth:`lablib.optim.Optimizer.step` then works on arrays
    that fit in the CPU's cache instead of sending each temporary array through
    main memory, and gives exactly the numbers it gives on the whole tensor,
    whatever the state holds (arrays, or running scalars such as torch's NAdam
    keeps). ``opt.optimizer.params`` and ``opt.optimizer.state`` list the
    pieces; a piece's ``name`` says which tensor and elements it is.

    Parameters
    ----------
    params : iterable of torch.nn.Parameter
        The model's parameters (on the CPU: NumPy cannot see GPU memory).
    optimizer_class : type
        A lablib optimizer class, e.g. ``lablib.optim.Adam``.
    **hyperparameters
        Passed to ``optimizer_class`` (``lr``, ``betas``, ...).

    Examples
    --------
    >>> class PlainSGD:              # any class with lablib's optimizer interface will do
    ...     def __init__(self, params, lr): self.params, self.lr = list(params), lr
    ...     def zero_grad(self):
    ...         for p in self.params: p.grad = None
    ...     def step(self):
    ...         for p in self.params: p.data -= self.lr * p.grad
    >>> w = nn.Parameter(torch.tensor([1.0, 2.0]))
    >>> opt = LablibOptimizer([w], PlainSGD, lr=0.5)
    >>> opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
    >>> w.detach()
    tensor([0., 0.])

    Introduced in chapter 9.
    """

    def __init__(self, params, optimizer_class, **hyperparameters):
        self.tensors = [p for p in params if p.requires_grad]
        if not self.tensors:
            raise ValueError("LablibOptimizer got no parameters that require gradients")
        for p in self.tensors:
            if p.device.type != "cpu":
                raise ValueError(f"lablib's optimizers work on NumPy arrays, which live on the CPU; "
                                 f"got a parameter on {p.device}. Train on the CPU (model.to('cpu')).")
        in_pieces = bool(getattr(optimizer_class, "elementwise", False))
        self.views = [(p, _arrays_for(p, k, in_pieces)) for k, p in enumerate(self.tensors)]
        self.params = [a for _, arrays in self.views for a in arrays]
        self.optimizer = optimizer_class(self.params, **hyperparameters)

    def zero_grad(self) -> None:
        """Clear the gradients (torch's default: set them to None)."""
        for p in self.tensors:
            p.grad = None

    def step(self) -> None:
        """One update of lablib's optimizer on the model's weights (in place).

        A parameter without a gradient (``.grad is None``) is seen as such; lablib's
        optimizers skip it, as torch's do."""
        for tensor, arrays in self.views:
            _look(tensor, arrays)        # .data and .grad: views of the tensor's memory now
        self.optimizer.step()

    @property
    def lr(self) -> float:
        """The lablib optimizer's learning rate."""
        return self.optimizer.lr

    def __repr__(self) -> str:
        return f"LablibOptimizer({self.optimizer!r})"
