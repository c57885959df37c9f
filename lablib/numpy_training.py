r"""Training the NumPy softmax classifier: mini-batches, the training loop and its history, the slide's loop.

:func:`minibatches` is a NumPy ``DataLoader``; :func:`train` runs mini-batch gradient descent on a
:class:`lablib.models.SoftmaxClassifier`,

.. math::

    W \leftarrow W - \alpha\, \frac{\partial L(W; X_B, y_B)}{\partial W}
    \quad\text{for each mini-batch } (X_B, y_B) \text{ of each epoch,}

and returns a :class:`TrainHistory` with the epoch convention of :class:`lablib.training.History`
(one entry per completed epoch, epochs counting from 1; the numbers before training are kept apart
in ``initial``). Weights that stop being finite raise :class:`NonFiniteWeightsError`, one kind of
:class:`lablib.DivergenceError`. :func:`slide_loop` is the course slide's own NumPy training loop
(chapter 3 runs it and explains what it does). The model itself is in :mod:`lablib.models`.

NumPy only. Introduced in chapter 3.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from lablib._validate import array as _array, flag as _flag, generator as _as_rng
from lablib._validate import positive_int as _positive_int, positive_number as _positive_number
from lablib.errors import DivergenceError
from lablib.losses import cross_entropy, softmax
from lablib.models import SoftmaxClassifier, _check_labels, _check_X

__all__ = ["minibatches", "train", "TrainHistory", "NonFiniteWeightsError", "slide_loop"]


# ---------------------------------------------------------------- mini-batches
def minibatches(X, y, batch_size: int, shuffle: bool = True, rng=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    r"""Yield ``(X_batch, y_batch)`` pairs covering the data once (one epoch).

    Like ``torch.utils.data.DataLoader(..., batch_size, shuffle)`` with
    ``drop_last=False``: every sample appears exactly once, in batches of
    ``batch_size`` and a last, smaller batch when ``batch_size`` does not divide
    :math:`n`. There are :math:`\lceil n / \text{batch\_size} \rceil` batches.

    Parameters
    ----------
    X : ndarray, shape (n, ...)
    y : ndarray, shape (n, ...)
        Same first dimension as ``X``.
    batch_size : int
        A positive integer (larger than :math:`n` gives one batch).
    shuffle : bool, default True
        Visit the samples in a fresh random order (a new permutation per call).
    rng : numpy.random.Generator or int, optional
        Source of the permutation (default: NumPy's global generator, seeded by
        :func:`lablib.set_seed`).

    Yields
    ------
    X_batch, y_batch : ndarray
        Copies (fancy-indexed) when shuffling, views otherwise.

    Examples
    --------
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in minibatches(X, y, batch_size=2, shuffle=False)]
    [[0, 1], [2, 3], [4]]

    Introduced in chapter 3.
    """
    X, y, batch_size, rng = _check_minibatch_args(X, y, batch_size, shuffle, rng)
    n = len(X)
    if shuffle:
        order = rng.permutation(n) if rng is not None else np.random.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            yield X[idx], y[idx]
    else:
        for start in range(0, n, batch_size):
            yield X[start:start + batch_size], y[start:start + batch_size]


def _check_minibatch_args(X, y, batch_size, shuffle, rng):
    """Validated ``X, y, batch_size, rng`` for :func:`minibatches`, or a ValueError saying what is wrong."""
    X = _array(X, "X", "an array with one row per sample")
    y = _array(y, "y", "an array with one row per sample")
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y must be arrays with one row per sample, got shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of samples, got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError("X and y are empty: there is nothing to batch")
    _flag(shuffle, "shuffle")
    return X, y, _positive_int(batch_size, "batch_size"), _as_rng(rng)


# -------------------------------------------------------------------- training
@dataclass
class TrainHistory:
    """What :func:`train` records: one entry per completed epoch, epochs counting from 1.

    The convention of :class:`lablib.training.History`: entry ``k - 1`` of a per-epoch array is
    the value after epoch ``k``. What the model scored before its first step (epoch 0) is kept
    apart, in ``initial``.

    Attributes
    ----------
    train_loss, train_acc : ndarray, shape (num_epochs,)
        Loss and accuracy on the whole training set after each epoch.
    val_loss, val_acc : ndarray or None
        The same on the validation data, if it was given.
    batch_loss : ndarray
        The loss of every mini-batch at the moment its gradient was taken (one per step).
    initial : dict of str to float
        The same measurements before training: ``"train_loss"``, ``"train_acc"`` and, with
        validation data, ``"val_loss"`` and ``"val_acc"``.

    Introduced in chapter 3.
    """

    train_loss: np.ndarray
    train_acc: np.ndarray
    batch_loss: np.ndarray
    val_loss: np.ndarray | None = None
    val_acc: np.ndarray | None = None
    initial: dict = field(default_factory=dict)

    @property
    def epochs(self) -> np.ndarray:
        """The completed epochs, ``1, 2, ..., n`` (as :attr:`lablib.training.History.epochs`)."""
        return np.arange(1, len(self.train_loss) + 1)


class NonFiniteWeightsError(DivergenceError, ValueError):
    """The weights stopped being finite during :func:`train` (the learning rate is far too large).

    One kind of :class:`lablib.DivergenceError` (and still a ``ValueError``); ``epoch`` is the
    epoch in which it happened.

    Introduced in chapter 3.
    """

    def __init__(self, message: str, epoch: int):
        super().__init__(message)
        self.epoch = epoch


def train(model: SoftmaxClassifier, X, y, *, lr: float, num_epochs: int, batch_size: int | None = None,
          shuffle: bool = True, rng=None, X_val=None, y_val=None) -> TrainHistory:
    r"""Train ``model`` in place by (mini-batch) gradient descent; return its history.

    For each epoch, for each mini-batch :math:`(X_B, y_B)`:

    .. math::

        W \leftarrow W - \alpha\, \frac{\partial L(W; X_B, y_B)}{\partial W}.

    With ``batch_size=None`` each epoch is a single step on the whole training
    set: plain gradient descent, the course's Algorithm 4.

    Parameters
    ----------
    model : SoftmaxClassifier
        Updated in place.
    X, y : ndarray
        Training samples ``(n, D)`` and integer labels ``(n,)``.
    lr : float
        The learning rate :math:`\alpha > 0`.
    num_epochs : int
        Passes over the training set (a positive integer).
    batch_size : int, optional
        Mini-batch size; None means the whole set (full-batch gradient descent).
    shuffle : bool, default True
        Reshuffle the samples every epoch (see :func:`minibatches`).
    rng : numpy.random.Generator or int, optional
        For the shuffling.
    X_val, y_val : ndarray, optional
        Data to evaluate after every epoch (both or neither).

    Returns
    -------
    TrainHistory

    Raises
    ------
    ValueError
        On bad arguments.
    NonFiniteWeightsError
        (a :class:`lablib.DivergenceError` and a ``ValueError``) naming the epoch, when the
        weights stop being finite: the learning rate is far too large and they blew up.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(-2, 1, (50, 2)), rng.normal(2, 1, (50, 2))])
    >>> y = np.repeat([0, 1], 50)
    >>> model = SoftmaxClassifier(2, 2, rng=rng)
    >>> hist = train(model, X, y, lr=0.5, num_epochs=20, batch_size=10, rng=rng)
    >>> len(hist.train_loss), bool(hist.train_loss[-1] < hist.initial["train_loss"]), bool(hist.train_acc[-1] >= 0.95)
    (20, True, True)

    Introduced in chapter 3.
    """
    X, y, batch_size, rng, X_val, y_val = _check_train_args(model, X, y, lr, num_epochs, batch_size,
                                                            rng, X_val, y_val)
    history = _Recorder(model, X, y, X_val, y_val)             # measures the model before training
    for epoch in range(1, num_epochs + 1):
        for X_batch, y_batch in minibatches(X, y, batch_size, shuffle=shuffle, rng=rng):
            loss, dW = model.loss_and_grad(X_batch, y_batch)   # evaluate the gradient
            model.weight.data -= lr * dW                       # take the step (W, in place)
            history.batch_loss.append(loss)
            _check_finite(model.W, epoch, lr)
        history.record_epoch()
    return history.result()


def _check_train_args(model, X, y, lr, num_epochs, batch_size, rng, X_val, y_val):
    """Validate :func:`train`'s arguments; return ``X, y, batch_size, rng, X_val, y_val`` ready to use."""
    if not isinstance(model, SoftmaxClassifier):
        raise ValueError(f"model must be a SoftmaxClassifier, got {type(model).__name__}")
    X = _check_X(X, model.num_features)
    y = _check_labels(y, X.shape[0], model.num_classes)
    if y.ndim != 1:
        raise ValueError("train needs integer class labels y of shape (n,)")
    _positive_number(lr, "lr")
    _positive_int(num_epochs, "num_epochs")
    batch_size = X.shape[0] if batch_size is None else _positive_int(batch_size, "batch_size")
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if X_val is not None:
        X_val = _check_X(X_val, model.num_features, "X_val")
        y_val = _check_labels(y_val, X_val.shape[0], model.num_classes)
    return X, y, batch_size, _as_rng(rng), X_val, y_val


def _check_finite(W: np.ndarray, epoch: int, lr: float) -> None:
    if not np.all(np.isfinite(W)):
        raise NonFiniteWeightsError(f"the weights became infinite in epoch {epoch}: lr={lr} is far too large",
                                    epoch=epoch)


class _Recorder:
    """Collects :func:`train`'s history: loss and accuracy on each data set, before training and once per epoch."""

    def __init__(self, model, X, y, X_val, y_val):
        self.model, self.batch_loss = model, []
        self.sets = {"train": (X, y)} | ({"val": (X_val, y_val)} if X_val is not None else {})
        self.initial = self.measure()                # epoch 0, kept apart from the per-epoch lists
        self.values = {key: [] for key in self.initial}

    def measure(self) -> dict:
        out = {}
        for name, (X, y) in self.sets.items():
            Z = self.model.scores(X)                 # once for both the loss and the accuracy
            out[f"{name}_loss"] = float(cross_entropy(Z, y))
            out[f"{name}_acc"] = float(np.mean(np.argmax(Z, axis=1) == y))
        return out

    def record_epoch(self) -> None:
        for key, value in self.measure().items():
            self.values[key].append(value)

    def result(self) -> TrainHistory:
        arrays = {key: np.array(v, dtype=np.float64) for key, v in self.values.items()}
        return TrainHistory(arrays["train_loss"], arrays["train_acc"],
                            np.array(self.batch_loss, dtype=np.float64),
                            arrays.get("val_loss"), arrays.get("val_acc"), initial=self.initial)


# ------------------------------------------------------------- the course's loop
def slide_loop(w, x_train, y_train_onehot, x_test, y_test, *, alpha: float = 0.0005, epochs: int = 100,
               batch_size: int = 64, apply_softmax: bool = False) -> tuple[np.ndarray, np.ndarray]:
    r"""The NumPy training loop of the course's slide "Softmax Classifier – Python implementation".

    The slide's lines, with its names and defaults (``alpha``, ``epochs``, ``batch_size``);
    ``Clf(batch)`` is written out as ``batch @ w.T``. Batches are taken in order (no
    shuffling), the bias trick appends a column of ones, and the update is

    .. math::

        w \leftarrow w - \alpha\, (P - Y_B)^\top \tilde X_B, \qquad
        P = \tilde X_B w^\top \ \text{(the slide)} \quad\text{or}\quad
        P = \operatorname{softmax}(\tilde X_B w^\top) \ \text{(the fix)},

    with ``w`` of shape (C, D + 1), the transpose of :class:`SoftmaxClassifier`'s ``W``.
    ``tests/test_numpy_training.py`` checks it against the slide's code, copied verbatim.

    Parameters
    ----------
    w : ndarray, shape (C, D + 1)
        The starting weights (the slide draws them from :math:`\mathcal N(0, 1)`).
    x_train, y_train_onehot : ndarray, shapes (n, D) and (n, C)
        Training images, one per row, and their one-hot labels.
    x_test, y_test : ndarray, shapes (m, D) and (m,)
        Test images and their integer labels.
    alpha : float, default 0.0005
        The learning rate, applied to the gradient of the *sum* over a batch (no 1/n).
    epochs, batch_size : int, default 100 and 64
    apply_softmax : bool, default False
        False: ``pred`` is the raw scores, as on the slide. True: ``pred`` is their softmax,
        which makes the update the gradient of the summed cross-entropy.

    Returns
    -------
    w : ndarray, shape (C, D + 1)
        The weights after ``epochs`` passes (a new array; the argument is not changed).
    val_acc : ndarray, shape (epochs,)
        The test accuracy after each epoch (what the slide prints).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.random((128, 4)), rng.integers(0, 3, 128)
    >>> w, acc = slide_loop(np.zeros((3, 5)), x, np.eye(3)[y], x, y, epochs=2)
    >>> w.shape, acc.shape
    ((3, 5), (2,))

    Introduced in chapter 3.
    """
    _check_slide_loop_args(w, x_train, y_train_onehot, x_test, y_test, alpha, epochs, batch_size)
    val_acc = []
    for epoch in range(epochs):
        for i in range(0, len(x_train), batch_size):
            batch = x_train[i:i+batch_size]
            batch = np.concatenate([batch, np.ones(shape=(len(batch), 1))], axis=1)

            batch_label = y_train_onehot[i:i+batch_size]
            pred = batch @ w.T                     # Clf(batch): the raw scores
            if apply_softmax:
                pred = softmax(pred)               # the fix: probabilities

            w = w - alpha * (pred - batch_label).T @ batch  # calculate gradient and update

        # Test
        pred_test = np.concatenate([x_test, np.ones(shape=(len(x_test), 1))], axis=1) @ w.T
        pred_label_test = np.argmax(pred_test, axis=1)
        val_acc.append(np.average(pred_label_test == y_test))
    return w, np.array(val_acc)


def _check_slide_loop_args(w, x_train, y_train_onehot, x_test, y_test, alpha, epochs, batch_size):
    for name, arr in (("w", w), ("x_train", x_train), ("y_train_onehot", y_train_onehot),
                      ("x_test", x_test), ("y_test", y_test)):
        if not isinstance(arr, np.ndarray):
            raise ValueError(f"{name} must be a NumPy array, got {type(arr).__name__}")
    if w.ndim != 2 or x_train.ndim != 2 or x_test.ndim != 2 or w.shape[1] != x_train.shape[1] + 1 \
            or x_test.shape[1] != x_train.shape[1]:
        raise ValueError(f"w must have shape (C, D + 1) for x_train and x_test of shape (n, D), got "
                         f"{w.shape}, {x_train.shape} and {x_test.shape}")
    if y_train_onehot.shape != (len(x_train), w.shape[0]) or y_test.shape != (len(x_test),):
        raise ValueError(f"y_train_onehot must have shape {(len(x_train), w.shape[0])} and y_test "
                         f"{(len(x_test),)}, got {y_train_onehot.shape} and {y_test.shape}")
    _positive_number(alpha, "alpha")
    _positive_int(epochs, "epochs")
    _positive_int(batch_size, "batch_size")
