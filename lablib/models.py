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
    for X_batch, y_batch in numpy_training.minibatches(X, y, batch_size=100, rng=rng):
        opt.zero_grad()
        model.loss_and_grad(X_batch, y_batch)    # writes model.weight.grad
        opt.step()

Also here: :func:`confusion_matrix`. Training the model (:func:`~lablib.numpy_training.minibatches`,
:func:`~lablib.numpy_training.train` and its history, the course slide's own loop
:func:`~lablib.numpy_training.slide_loop`) is in :mod:`lablib.numpy_training`.

NumPy only. Introduced in chapter 3.
"""
from __future__ import annotations

import numpy as np

from lablib._validate import array as _array, generator as _as_rng
from lablib._validate import positive_int as _positive_int, positive_number as _positive_number
from lablib.losses import cross_entropy, cross_entropy_grad, softmax
from lablib.optim import Parameter

__all__ = [
    "SoftmaxClassifier",
    "add_bias_column",
    "softmax_loss",
    "softmax_loss_and_grad",
    "confusion_matrix",
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
            num_classes = _positive_int(num_classes, "num_classes", at_least=2)
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


#: The training names, which lived here before :mod:`lablib.numpy_training` had them: still
#: importable from this module (looked up there on first use, since that module imports this one),
#: for code written against the old layout. New code imports them from lablib.numpy_training.
_MOVED_TO_NUMPY_TRAINING = ("minibatches", "train", "TrainHistory", "slide_loop")


def __getattr__(name: str):
    if name in _MOVED_TO_NUMPY_TRAINING:
        from lablib import numpy_training
        return getattr(numpy_training, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
