r"""The softmax classifier in NumPy, and the pieces to train it.

:class:`SoftmaxClassifier` is a linear classifier with the bias trick: an
image :math:`x \in \mathbb{R}^D` gets a constant 1 appended, and one matrix
:math:`W \in \mathbb{R}^{(D+1) \times C}` holds the weights and, in its last
row, the biases. For a batch :math:`X` of :math:`n` images (one per row)

.. math::

    X_1 = [X \;\; \mathbf 1], \qquad Z = X_1 W, \qquad \hat Y = \operatorname{softmax}(Z), \qquad
    L = -\frac1n \sum_i \log \hat Y_{i, y_i}, \qquad
    \frac{\partial L}{\partial W} = \frac1n X_1^\top (\hat Y - Y).

The loss and :math:`\partial L/\partial Z` come from :mod:`lablib.losses`
(:func:`~lablib.losses.cross_entropy`, :func:`~lablib.losses.cross_entropy_grad`);
this module only adds the linear layer and the chain rule
:math:`\partial L/\partial W = X_1^\top\, \partial L/\partial Z`. (The code never
builds :math:`X_1`, which would copy the data: it computes the same numbers as
:math:`X_1 W = X W_{1:D} + \mathbf 1 b^\top` and
:math:`X_1^\top G = [X^\top G;\ \mathbf 1^\top G]`, where :math:`b^\top` is the last row of :math:`W`.)

The weights are also available as ``model.weight``, a
:class:`lablib.optim.Parameter` with ``.data`` (the same array as ``model.W``)
and ``.grad``, so the optimizers of :mod:`lablib.optim` can train the model in
torch's loop::

    opt = SGD(model.parameters(), lr=0.5)
    for X_batch, y_batch in minibatches(X, y, batch_size=100, rng=rng):
        opt.zero_grad()
        model.loss_and_grad(X_batch, y_batch)    # writes model.weight.grad
        opt.step()

Also here: :func:`minibatches` (a NumPy ``DataLoader``), :func:`train`
(mini-batch gradient descent with a per-epoch history),
:func:`confusion_matrix`, and :func:`slide_loop`, the course slide's own NumPy
training loop (chapter 3 runs it and explains what it does).

NumPy only. Introduced in chapter 3.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from lablib._validate import array as _array, flag as _flag, generator as _as_rng
from lablib._validate import positive_int as _positive_int, positive_number as _positive_number
from lablib.losses import cross_entropy, cross_entropy_grad, softmax
from lablib.optim import Parameter

__all__ = [
    "SoftmaxClassifier",
    "add_bias_column",
    "softmax_loss",
    "softmax_loss_and_grad",
    "minibatches",
    "train",
    "TrainHistory",
    "confusion_matrix",
    "slide_loop",
]


# --------------------------------------------------------------------------- checks
def _check_X(X, num_features: int | None = None, name: str = "X") -> np.ndarray:
    """``X`` as a non-empty 2-D float array of finite numbers with ``num_features`` columns."""
    X = _array(X, name)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {X.dtype}")
    if X.ndim != 2:
        hint = " (flatten images first: X.reshape(len(X), -1))" if X.ndim == 3 else ""
        raise ValueError(f"{name} must be a 2-D array (n samples, D features), got shape {X.shape}{hint}")
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}): a batch needs at least one sample")
    if num_features is not None and X.shape[1] != num_features:
        raise ValueError(f"{name} has {X.shape[1]} features per sample but the model expects {num_features} "
                         f"(without the bias column: the model appends the 1 itself)")
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    return X


def _check_labels(y, n: int, num_classes: int) -> np.ndarray:
    """Integer class indices of shape (n,), or probability rows of shape (n, C) passed through."""
    y = _array(y, "y", "an array of class indices")
    if y.ndim == 0 or y.shape[0] != n:
        raise ValueError(f"y must have one label per sample: X has {n} samples, y has shape {y.shape}")
    if y.ndim == 1:
        if y.dtype.kind not in "iu":
            raise ValueError(f"y must hold integer class indices 0..{num_classes - 1}, got dtype {y.dtype}")
        if y.min() < 0 or y.max() >= num_classes:
            bad = y[(y < 0) | (y >= num_classes)][0]
            raise ValueError(f"label {int(bad)} is out of range for {num_classes} classes "
                             f"(valid: 0..{num_classes - 1})")
    elif y.shape != (n, num_classes):
        raise ValueError(f"y must be class indices of shape ({n},) or class probabilities of shape "
                         f"({n}, {num_classes}), got shape {y.shape}")
    return y


def _check_W(W, name: str = "W") -> np.ndarray:
    W = _array(W, name)
    if W.dtype.kind != "f":
        raise ValueError(f"{name} must be a float array, got dtype {W.dtype}")
    if W.ndim != 2 or W.shape[0] < 2 or W.shape[1] < 2:
        raise ValueError(f"{name} must have shape (D + 1, C) with D >= 1 features and C >= 2 classes "
                         f"(the last row holds the biases), got shape {W.shape}")
    if not np.all(np.isfinite(W)):
        raise ValueError(f"{name} contains NaN or inf")
    return W


def _check_loss_args(W, X, y):
    """``W``, ``X`` and ``y`` checked against each other, ready for :func:`softmax_loss` (or a ValueError)."""
    W = _check_W(W)
    X = _check_X(X, W.shape[0] - 1)
    return W, X, _check_labels(y, X.shape[0], W.shape[1])


# ------------------------------------------------------------------ the functions
def _scores(W: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``[X 1] @ W`` computed as ``X @ W[:-1] + W[-1]`` (no copy of X); ValueError if not finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        Z = X @ W[:-1] + W[-1]
    if not np.all(np.isfinite(Z)):
        raise ValueError("the scores X1 W are not finite: X or W contains NaN or inf, "
                         "or they are so large that X1 W overflows")
    return Z


def add_bias_column(X) -> np.ndarray:
    r"""The bias trick: append a column of ones, :math:`X_1 = [X \;\; \mathbf 1]`.

    With it, :math:`X_1 W = X W_{1:D} + \mathbf 1\, b^\top` where :math:`b^\top`
    is the last row of :math:`W`: one matrix product does weights and biases.
    (The model computes the right-hand side, which gives the same numbers without
    copying ``X``; this function is for showing the trick.)

    Parameters
    ----------
    X : array_like, shape (n, D)

    Returns
    -------
    ndarray, shape (n, D + 1)
        Float (``X``'s float dtype, or float64 for integer input).

    Examples
    --------
    >>> add_bias_column([[2.0, 3.0], [4.0, 5.0]])
    array([[2., 3., 1.],
           [4., 5., 1.]])

    Introduced in chapter 3.
    """
    X = _check_X(X)
    return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])


def softmax_loss(W, X, y) -> float:
    r"""The softmax classifier's mean cross-entropy :math:`L(W; X, y)`, as a function of ``W``.

    .. math::

        L(W) = \frac1n \sum_{i=1}^n \Bigl(-z_{i, y_i} + \log \sum_c e^{z_{i,c}}\Bigr),
        \qquad Z = [X \;\; \mathbf 1]\, W .

    This is the course's ``L(X_train, Y_train, W)``: the searches of chapter 2
    call it for many different ``W``.

    Parameters
    ----------
    W : ndarray, shape (D + 1, C)
        Weights; the last row holds the biases.
    X : array_like, shape (n, D)
        One sample per row, without the bias column.
    y : array_like, shape (n,) of int, or (n, C)
        Class indices, or class probabilities (one-hot rows).

    Returns
    -------
    float

    Examples
    --------
    With all-zero weights every class gets probability :math:`1/C`:

    >>> X, y = np.array([[0.5, -1.0], [2.0, 0.0]]), np.array([0, 2])
    >>> bool(np.isclose(softmax_loss(np.zeros((3, 3)), X, y), np.log(3)))
    True

    Introduced in chapter 2.
    """
    W, X, y = _check_loss_args(W, X, y)
    return cross_entropy(_scores(W, X), y)


def softmax_loss_and_grad(W, X, y) -> tuple[float, np.ndarray]:
    r"""The loss :func:`softmax_loss` and its analytic gradient with respect to ``W``.

    .. math::

        \frac{\partial L}{\partial Z} = \frac1n (\hat Y - Y), \qquad
        \frac{\partial L}{\partial W} = X_1^\top \frac{\partial L}{\partial Z}
                                      = \frac1n X_1^\top (\hat Y - Y).

    Parameters
    ----------
    W, X, y
        As in :func:`softmax_loss`.

    Returns
    -------
    loss : float
    dW : ndarray of float64, shape (D + 1, C)

    Examples
    --------
    >>> X, y = np.array([[1.0, 0.0]]), np.array([1])
    >>> loss, dW = softmax_loss_and_grad(np.zeros((3, 2)), X, y)
    >>> dW          # (1/n) X1ᵀ(Ŷ - Y) with Ŷ = [0.5, 0.5], Y = [0, 1], X1 = [1, 0, 1]
    array([[ 0.5, -0.5],
           [ 0. ,  0. ],
           [ 0.5, -0.5]])

    Introduced in chapter 3.
    """
    W, X, y = _check_loss_args(W, X, y)
    Z = _scores(W, X)                            # Z = X1 W, shape (n, C)
    loss = cross_entropy(Z, y)                   # mean over the n samples
    dZ = cross_entropy_grad(Z, y)                # dL/dZ = (Ŷ - Y) / n
    dW = np.empty(W.shape)                       # dL/dW = X1ᵀ dZ, where X1 = [X 1]:
    dW[:-1] = X.T @ dZ                           #   the rows of the weights get Xᵀ dZ,
    dW[-1] = dZ.sum(axis=0)                      #   the bias row gets 1ᵀ dZ
    return loss, dW


# -------------------------------------------------------------------- the model
class SoftmaxClassifier:
    r"""A linear classifier with softmax outputs, trained by cross-entropy.

    .. math::

        z = W^\top \begin{bmatrix} x \\ 1 \end{bmatrix}, \qquad
        \hat y = \operatorname{softmax}(z), \qquad \text{prediction} = \arg\max_c z_c .

    (Stacking the samples as rows gives :math:`Z = X_1 W`; with :math:`W` written
    the other way round, :math:`C \times (D+1)`, this is the course's :math:`f(x; W) = Wx`.)

    Parameters
    ----------
    num_features : int, default 784
        :math:`D`, the number of inputs (28 × 28 = 784 pixels for MNIST).
    num_classes : int, default 10
        :math:`C \ge 2`.
    weight_scale : float, default 0.01
        Initial weights are drawn from :math:`\mathcal N(0, \text{weight\_scale}^2)`;
        biases start at zero. 0 gives all-zero weights.
    rng : numpy.random.Generator or int, optional
        Where the initial weights come from (default: NumPy's global generator,
        which :func:`lablib.set_seed` seeds).
    W : array_like, shape (num_features + 1, num_classes), optional
        Start from these weights (copied) instead of random ones; then
        ``num_features`` and ``num_classes`` are taken from its shape.

    Attributes
    ----------
    weight : lablib.optim.Parameter
        ``weight.data`` is :math:`W`, shape (D + 1, C), the last row holding the
        biases (also available as the property ``W``); ``weight.grad`` is its last gradient.

    Examples
    --------
    >>> model = SoftmaxClassifier(num_features=2, num_classes=3, weight_scale=0)
    >>> model.W.shape
    (3, 3)
    >>> X = np.array([[1.0, 2.0], [0.0, -1.0]])
    >>> model.predict_proba(X)
    array([[0.33333333, 0.33333333, 0.33333333],
           [0.33333333, 0.33333333, 0.33333333]])
    >>> loss, dW = model.loss_and_grad(X, np.array([0, 2]))
    >>> round(loss, 4), dW.shape, model.weight.grad is not dW
    (1.0986, (3, 3), True)

    Introduced in chapter 3.
    """

    def __init__(self, num_features: int = 784, num_classes: int = 10, *, weight_scale: float = 0.01,
                 rng=None, W=None):
        if W is not None:
            W = _check_W(W)
        else:
            num_features = _positive_int(num_features, "num_features")
            num_classes = _positive_int(num_classes, "num_classes")
            if num_classes < 2:
                raise ValueError(f"num_classes must be at least 2, got {num_classes}")
            weight_scale = _positive_number(weight_scale, "weight_scale", allow_zero=True)
            rng = _as_rng(rng)
            draw = rng.standard_normal if rng is not None else np.random.standard_normal
            W = np.zeros((num_features + 1, num_classes))
            if weight_scale > 0:
                W[:-1] = weight_scale * draw((num_features, num_classes))
        self.weight = Parameter(W, name="W")

    # --- the weights ----------------------------------------------------------------
    @property
    def W(self) -> np.ndarray:
        """The weight matrix, shape (D + 1, C): the same array as ``self.weight.data``."""
        return self.weight.data

    @W.setter
    def W(self, value) -> None:
        value = _check_W(value)
        if value.shape != self.weight.data.shape:
            raise ValueError(f"W must keep its shape {self.weight.data.shape}, got {value.shape}")
        self.weight.data[...] = value            # in place: optimizers keep their reference

    @property
    def num_features(self) -> int:
        return self.weight.data.shape[0] - 1

    @property
    def num_classes(self) -> int:
        return self.weight.data.shape[1]

    def parameters(self) -> list:
        """The trainable parameters, ``[self.weight]``, for :mod:`lablib.optim` optimizers."""
        return [self.weight]

    def zero_grad(self) -> None:
        """Set ``weight.grad`` to zeros."""
        self.weight.grad = np.zeros_like(self.weight.data)

    @classmethod
    def from_linear(cls, weight, bias) -> "SoftmaxClassifier":
        """A model with the weights of ``torch.nn.Linear(D, C)``: ``weight`` (C, D) and ``bias`` (C,).

        Pass NumPy arrays (e.g. ``linear.weight.detach().numpy()``); then
        :math:`W = [\\text{weight}^\\top;\\ \\text{bias}]` and the model computes
        the same scores as the layer.
        """
        weight = np.asarray(weight, dtype=np.float64)
        bias = np.asarray(bias, dtype=np.float64)
        if weight.ndim != 2 or bias.shape != (weight.shape[0],):
            raise ValueError(f"weight must have shape (C, D) and bias shape (C,), got {weight.shape} and {bias.shape}")
        return cls(W=np.vstack([weight.T, bias[None, :]]))

    def to_linear(self) -> tuple[np.ndarray, np.ndarray]:
        """``(weight, bias)`` shaped like ``torch.nn.Linear``'s: (C, D) and (C,) (copies)."""
        return self.W[:-1].T.copy(), self.W[-1].copy()

    # --- forward ------------------------------------------------------------------------
    def scores(self, X) -> np.ndarray:
        r"""The class scores (logits) :math:`Z = [X \;\; \mathbf 1] W`, shape (n, C)."""
        return _scores(self.W, _check_X(X, self.num_features))

    def predict_proba(self, X) -> np.ndarray:
        r"""Class probabilities :math:`\hat Y = \operatorname{softmax}(Z)`, shape (n, C); rows sum to 1."""
        return softmax(self.scores(X))

    def predict(self, X) -> np.ndarray:
        """The most probable class of each sample (the largest score), shape (n,) of int64."""
        return np.argmax(self.scores(X), axis=1).astype(np.int64)

    def accuracy(self, X, y) -> float:
        """The fraction of samples whose predicted class is ``y``."""
        X = _check_X(X, self.num_features)
        y = _check_labels(y, X.shape[0], self.num_classes)
        if y.ndim != 1:
            raise ValueError("accuracy needs integer class labels of shape (n,)")
        return float(np.mean(self.predict(X) == y))

    # --- loss and gradient --------------------------------------------------------------
    def loss(self, X, y) -> float:
        """The mean cross-entropy :func:`softmax_loss` at the current weights."""
        return softmax_loss(self.W, X, y)

    def loss_and_grad(self, X, y) -> tuple[float, np.ndarray]:
        r"""The loss and :math:`\partial L/\partial W = \frac1n X_1^\top(\hat Y - Y)`; also stored in ``weight.grad``.

        The gradient is written into ``self.weight.grad`` (replacing what was
        there, so calling ``zero_grad`` first is not needed), which is what an
        optimizer's ``step()`` reads. The returned ``dW`` is a separate array:
        later steps do not change it.

        Returns
        -------
        loss : float
        dW : ndarray, shape (D + 1, C)
        """
        loss, dW = softmax_loss_and_grad(self.W, X, y)
        grad = self.weight.grad
        if isinstance(grad, np.ndarray) and grad.shape == dW.shape and grad.flags.writeable:
            grad[...] = dW
        else:
            self.weight.grad = dW.copy()
        return loss, dW

    def __repr__(self) -> str:
        return f"SoftmaxClassifier(num_features={self.num_features}, num_classes={self.num_classes})"


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
    """What :func:`train` records. Per-epoch arrays have ``num_epochs + 1`` entries: before training, then after each epoch.

    Attributes
    ----------
    train_loss, train_acc : ndarray
        Loss and accuracy on the whole training set.
    val_loss, val_acc : ndarray or None
        The same on the validation data, if it was given.
    batch_loss : ndarray
        The loss of every mini-batch at the moment its gradient was taken (one per step).
    """

    train_loss: np.ndarray
    train_acc: np.ndarray
    batch_loss: np.ndarray
    val_loss: np.ndarray | None = None
    val_acc: np.ndarray | None = None
    epochs: np.ndarray = field(init=False)

    def __post_init__(self):
        self.epochs = np.arange(len(self.train_loss))


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
        On bad arguments, or (naming the epoch) when the loss stops being
        finite: the learning rate is far too large and the weights blew up.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(-2, 1, (50, 2)), rng.normal(2, 1, (50, 2))])
    >>> y = np.repeat([0, 1], 50)
    >>> model = SoftmaxClassifier(2, 2, rng=rng)
    >>> hist = train(model, X, y, lr=0.5, num_epochs=20, batch_size=10, rng=rng)
    >>> len(hist.train_loss), bool(hist.train_loss[-1] < hist.train_loss[0]), bool(hist.train_acc[-1] >= 0.95)
    (21, True, True)

    Introduced in chapter 3.
    """
    X, y, batch_size, rng, X_val, y_val = _check_train_args(model, X, y, lr, num_epochs, batch_size,
                                                            rng, X_val, y_val)
    history = _Recorder(model, X, y, X_val, y_val)             # records epoch 0: before training
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
        raise ValueError(f"the weights became infinite in epoch {epoch}: lr={lr} is far too large")


class _Recorder:
    """Collects :func:`train`'s history: loss and accuracy on each data set, once per epoch."""

    def __init__(self, model, X, y, X_val, y_val):
        self.model, self.batch_loss = model, []
        self.sets = {"train": (X, y)} | ({"val": (X_val, y_val)} if X_val is not None else {})
        self.values = {f"{name}_{kind}": [] for name in self.sets for kind in ("loss", "acc")}
        self.record_epoch()

    def record_epoch(self) -> None:
        for name, (X, y) in self.sets.items():
            Z = self.model.scores(X)                 # once for both the loss and the accuracy
            self.values[f"{name}_loss"].append(cross_entropy(Z, y))
            self.values[f"{name}_acc"].append(float(np.mean(np.argmax(Z, axis=1) == y)))

    def result(self) -> TrainHistory:
        arrays = {key: np.array(v, dtype=np.float64) for key, v in self.values.items()}
        return TrainHistory(arrays["train_loss"], arrays["train_acc"],
                            np.array(self.batch_loss, dtype=np.float64),
                            arrays.get("val_loss"), arrays.get("val_acc"))


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
    ``tests/test_models.py`` checks it against the slide's code, copied verbatim.

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


# --------------------------------------------------------------------- evaluation
def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    r"""Count how often each true class was predicted as each class.

    Entry :math:`(i, j)` is the number of samples of true class :math:`i`
    predicted as class :math:`j`; the diagonal holds the correct predictions,
    so ``np.trace(cm) / cm.sum()`` is the accuracy.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (n,)
        Labels in ``0 .. num_classes - 1``.
    num_classes : int, optional
        Default: one more than the largest label seen.

    Returns
    -------
    ndarray of int64, shape (num_classes, num_classes)

    Examples
    --------
    >>> confusion_matrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0])
    array([[1, 1, 0],
           [0, 1, 0],
           [1, 0, 1]])

    Introduced in chapter 3.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.size == 0 and y_pred.size == 0:
        raise ValueError("y_true and y_pred are empty")
    for name, arr in (("y_true", y_true), ("y_pred", y_pred)):
        if arr.ndim != 1 or arr.dtype.kind not in "iu":
            raise ValueError(f"{name} must be a 1-D array of integer labels, got shape {arr.shape} "
                             f"and dtype {arr.dtype}")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")
    if min(y_true.min(), y_pred.min()) < 0:
        raise ValueError("labels must be non-negative")
    if num_classes is None:
        num_classes = int(max(y_true.max(), y_pred.max())) + 1
    num_classes = _positive_int(num_classes, "num_classes")
    if max(y_true.max(), y_pred.max()) >= num_classes:
        raise ValueError(f"a label is out of range for num_classes={num_classes}")
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm
