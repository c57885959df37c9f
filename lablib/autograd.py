r"""A small reverse-mode automatic differentiation (자동 미분) engine.

A :class:`Value` holds a float64 NumPy array (0-d for a scalar) in ``.data``
and, after :meth:`Value.backward`, the gradient of the output with respect to
it in ``.grad``. Every operation does two things:

* **forward**: it computes its output from its inputs' data, and
* it leaves behind a small closure, ``out._backward``, that turns the
  gradient arriving at the output (the *upstream gradient*
  :math:`\partial L/\partial\,\mathrm{out}`) into the gradient each input
  receives through this operation: the upstream gradient times the
  operation's *local gradient* :math:`\partial\,\mathrm{out}/\partial\,
  \mathrm{in}` (the chain rule).

:meth:`Value.backward` visits the computational graph from the output back
to the inputs in reverse topological order, calls each closure once, sums
each contribution back to the input's shape (undoing NumPy broadcasting) and
accumulates it with ``+=``:

.. math::

    \frac{\partial L}{\partial x} \;=\; \sum_{\text{gates } g
    \text{ that read } x}
    \frac{\partial L}{\partial g}\,\frac{\partial g}{\partial x}.

The engine follows micrograd :cite:p:`karpathy2020micrograd` and PyTorch's
``torch.autograd``: same broadcasting, same gradients, same accumulation into
leaves (the tests compare them in float64 at a relative tolerance of 1e-10).
Operations: ``+ - * / **``, unary ``-``, :meth:`~Value.exp`,
:meth:`~Value.log`, :meth:`~Value.tanh`, :meth:`~Value.sigmoid`,
:meth:`~Value.relu`, :func:`maximum`, :meth:`~Value.max`, :meth:`~Value.sum`,
:meth:`~Value.mean` and ``@`` (matrix multiplication). Each output remembers
its inputs, its operation's name (``op``) and an optional ``label``, which
:mod:`lablib.graph` uses to draw the graph.

Adding an operation
-------------------
Every operation is written the same way: compute the output from the
inputs' ``.data`` with NumPy, then return :meth:`Value.from_op` of that
output, the inputs, the operation's name, and its backward closure. A
``tanh`` written outside the engine::

    def tanh(x: Value) -> Value:
        t = np.tanh(x.data)                         # forward
        return Value.from_op(t, (x,), "tanh",
                             lambda g: (g * (1 - t * t),))   # backward

The closure contract: the backward closure takes the upstream gradient
``g`` (an array of the output's shape) and returns a tuple with **one
gradient per input, in the order of the inputs**, each ``g`` times that
input's local gradient. A gradient may have the output's shape where NumPy
broadcast an input (:meth:`~Value.backward` sums it back); it is a new array
or ``g`` itself, never ``g`` changed in place (``+`` hands the same ``g`` to
both inputs); it is ``None`` only for a constant input
(:attr:`~Value.is_constant`), whose gradient nobody needs. An operation
that accepts numbers as well as Values first makes them constants with
:func:`as_value`. :meth:`~Value.backward` refuses a closure that breaks
the contract, with a ValueError.

The operators in this module follow the pattern with one difference, for
speed: they read their inputs' data as the engine keeps it (see *Speed*),
through ``a, b = _check_binary_args(self, other, "*")``, which also checks
that the shapes broadcast, or ``self._data`` for one input.

Gradients accumulate
--------------------
Leaves (Values you create: inputs and parameters) *accumulate*: a second
:meth:`~Value.backward` adds the same gradient again, exactly like PyTorch's
leaf tensors, which is why a training loop zeroes gradients
(:func:`zero_grad`) before each backward pass. PyTorch frees its graph after
``backward()`` and needs ``retain_graph=True`` for a second call; this engine
keeps the graph, so no flag is needed. Intermediate Values restart from zero
in every call, so they show the gradient of the latest pass, and the leaves
get exactly twice the gradient after two calls, never more. Constants
(numbers written into an expression, like the 1 in ``x + 1``) get no
gradient.

Speed
-----
On a graph of single numbers the engine keeps up with micrograd (see
``benchmarks/bench_autograd.py``), because the work per node is small:
inside the engine a single number is a NumPy scalar, about ten times faster
to compute with than a 0-d array (``.data`` and ``.grad`` still hand out 0-d
arrays, so the operators read ``._data``, the data as the engine keeps it:
reading ``.data`` would turn it into an array for good); results of
operations are kept without checks or copies (:meth:`~Value.from_op`); a
gradient is made only when it is first needed (``_clear_grad``), and copied
only when it is read or added to in place (``_add_grad``); and the
topological order creates no object per node, so Python's garbage collector
is not woken up to trace the whole graph while ``backward()`` runs.

With :mod:`lablib.optim`
------------------------
A :class:`Value` is a parameter for :mod:`lablib.optim`'s optimizers:
``.data`` and ``.grad`` are float64 arrays of one fixed shape, ``.data`` may be
updated in place, and ``.grad`` may be set to None
(``zero_grad(set_to_none=True)``), which :meth:`~Value.backward` treats as
zeros.

NumPy only. Introduced in chapter 4.
"""
from __future__ import annotations

import numbers
from typing import Iterable, Optional

import numpy as np

__all__ = ["Value", "as_value", "maximum", "topological_order", "zero_grad",
           "cross_entropy"]

# What users may pass as data: booleans, integers and real floats.
_REAL_KINDS = "biuf"

# The .grad of a new Value, and of an intermediate one at the start of each
# backward pass: zeros, not yet made. Most of these gradients are replaced by
# backward() before anyone reads them, so the zeros are made only when read.
_ZEROS = object()

# Inside the engine a single number is a NumPy scalar (np.float64): NumPy
# computes with it about ten times faster than with a 0-d array. .data and
# .grad hand it out as a 0-d array, made once, on the first read.
_FAST = (np.ndarray, np.float64)


def _as_float_array(x, what: str) -> np.ndarray:
    """``x`` as a new float64 array, or a ValueError saying what is wrong."""
    if isinstance(x, Value):
        raise ValueError(f"{what} must be numbers, not a Value (use .data)")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{what} must be a real number or an array of real "
                         f"numbers; got {type(x).__name__} ({err})") from None
    if arr.dtype.kind not in _REAL_KINDS:
        raise ValueError(f"{what} must be a real number or an array of real "
                         f"numbers; got {type(x).__name__} with dtype "
                         f"{arr.dtype}")
    return np.array(arr, dtype=np.float64)   # a copy: a Value owns its data


def _unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``g`` down to ``shape``: the gradient of NumPy broadcasting.

    Broadcasting copies an input along new leading axes and along axes of
    length 1; each copy sends its own gradient back, and they add up.
    """
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:                                # new leading axes
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape)
                      if n == 1 and g.shape[i] != 1)
    if stretched:                            # axes of length 1, stretched
        g = g.sum(axis=stretched, keepdims=True)
    return g.reshape(shape)


def _closure_error(node: "Value", grads) -> ValueError:
    """What is wrong with what ``node``'s backward closure returned."""
    got = (f"{len(grads)} gradients" if type(grads) is tuple
           else f"an object of type {type(grads).__name__}")
    return ValueError(
        f"the backward closure of a {node.op!r} operation returned {got}; it "
        f"must return a tuple with one gradient per input ({len(node._prev)}"
        f", None only for a constant input)")


def _check_binary_args(a: "Value", b: "Value", symbol: str) -> tuple:
    """The data of ``a`` and ``b`` as the engine keeps it (see *Speed*).

    A ValueError if their shapes do not broadcast.
    """
    x, y = a._data, b._data
    if x.shape == y.shape or not x.shape or not y.shape:
        return x, y
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ValueError(
            f"cannot broadcast shapes {x.shape} and {y.shape} in a {symbol} "
            f"b: aligned from the right, each pair of axis lengths must be "
            f"equal or one of them 1") from None
    return x, y


def _format_number(x: float) -> str:
    x = float(x)
    return repr(int(x)) if x.is_integer() and abs(x) < 1e15 else f"{x:g}"


class Value:
    r"""A node of a computational graph (계산 그래프).

    It holds data, a gradient, and how it was made.

    Parameters
    ----------
    data : float, int or array_like of real numbers
        Copied into a float64 array (0-d for a scalar).
    label : str, optional
        A name used by :mod:`lablib.graph` when drawing and by ``repr``.

    Attributes
    ----------
    is_constant : bool
        True for a number written into an expression, made a Value by
        :func:`as_value`: a leaf that gets no gradient, for which a
        backward closure may return ``None``.
    op : str
        The operation that produced this Value (``""`` for a leaf: an
        input or a parameter).
    label : str
        Its name, if it has one.

    Examples
    --------
    The course's first circuit, :math:`f = (x + y)\,z` at
    :math:`(-2, 5, -4)`:

    >>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    >>> q = x + y
    >>> f = q * z
    >>> f
    Value(-12.0, op='*')
    >>> f.backward()
    >>> x.grad, y.grad, z.grad
    (array(-4.), array(-4.), array(3.))

    Introduced in chapter 4.
    """

    __slots__ = ("_data", "_grad", "_owns_grad", "label", "op", "_prev",
                 "_backward", "is_constant", "__weakref__")
    # NumPy defers to Value: ndarray * Value calls Value.__rmul__.
    __array_ufunc__ = None

    def __init__(self, data, label: str = ""):
        if not isinstance(label, str):
            raise ValueError(f"label must be a string, got "
                             f"{type(label).__name__}")
        data = _as_float_array(data, "Value data")
        self._data = data[()] if data.ndim == 0 else data   # see _FAST
        self._grad = _ZEROS        # zeros, made when first read
        self._owns_grad = False    # see _add_grad
        self.label = label
        self.op = ""
        self._prev: tuple = ()     # the inputs, in order (a leaf has none)
        self._backward = None      # upstream gradient -> one per input
        self.is_constant = False   # a number in an expression (as_value)

    # -- data and grad: float64 arrays of one fixed shape ---------------------
    @property
    def data(self) -> np.ndarray:
        """The value from the forward pass (순전파), a float64 array.

        0-d for a single number. It may be updated in place
        (``v.data -= lr * v.grad``) or assigned an array of the same shape.
        """
        if type(self._data) is not np.ndarray:   # a NumPy scalar (_FAST)
            self._data = np.array(self._data, dtype=np.float64)
        return self._data

    @data.setter
    def data(self, new) -> None:
        arr = None if isinstance(new, Value) else np.asarray(
            new, dtype=np.float64)
        if arr is None or arr.shape != self._data.shape:
            got = "a Value" if arr is None else f"shape {arr.shape}"
            raise ValueError(f"Value.data must keep its shape "
                             f"{self._data.shape}; got {got}")
        self._data = arr

    @property
    def grad(self) -> Optional[np.ndarray]:
        r""":math:`\partial L/\partial\,\mathrm{self}` from :meth:`backward`.

        A float64 array of the data's shape; zeros at first. Leaves
        accumulate over calls of :meth:`backward`. None (set by an
        optimizer's ``zero_grad(set_to_none=True)``) counts as zeros.
        """
        if self._grad is _ZEROS:
            self._grad = np.zeros(self._data.shape)
            self._owns_grad = True
        elif self._grad is not None and not (
                self._owns_grad and isinstance(self._grad, np.ndarray)):
            # a NumPy scalar (_FAST), or an array that other Values may
            # share (_add_grad): from now on, an array of its own
            self._grad = np.array(self._grad, dtype=np.float64)
            self._owns_grad = True
        return self._grad

    @grad.setter
    def grad(self, new) -> None:
        if new is None:
            self._grad = None
            return
        if not (isinstance(new, np.ndarray) and new.dtype == np.float64):
            new = _as_float_array(new, "Value.grad")
        if new.shape != self._data.shape:
            raise ValueError(f"Value.grad must have the data's shape "
                             f"{self._data.shape}; got shape {new.shape}")
        self._grad, self._owns_grad = new, True

    @property
    def shape(self) -> tuple:
        """The data's shape."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """The data's number of axes."""
        return self._data.ndim

    @property
    def inputs(self) -> tuple:
        """The Values this one was computed from, in order (none: a leaf)."""
        return self._prev

    @property
    def is_leaf(self) -> bool:
        """True for a Value made by the user, not by an operation."""
        return not self._prev

    def item(self) -> float:
        """The data as a Python float, like ``torch.Tensor.item``."""
        if self._data.size != 1:
            raise ValueError(f"item() needs a single number; this Value has "
                             f"shape {self.shape}")
        return float(self._data.reshape(()))

    def __repr__(self) -> str:
        if self.ndim == 0:
            data = repr(float(self._data))
        else:
            data = np.array2string(self._data, precision=4, threshold=6,
                                   separator=", ")
        extras = "".join(f", {k}={v!r}" for k, v in
                         (("op", self.op), ("label", self.label)) if v)
        return f"Value({data}{extras})"

    # -- building the graph ---------------------------------------------------
    @staticmethod
    def from_op(data, inputs: tuple, op: str, backward) -> "Value":
        r"""The output of an operation: its data, inputs, name and closure.

        Every operation ends with it (see *Adding an operation* in the
        module's notes).

        Parameters
        ----------
        data : numpy.ndarray or numpy.float64
            The output, computed with NumPy from the inputs' data. Kept as
            it is, without checks or a copy: pass a fresh result.
        inputs : tuple of Value
            The Values it was computed from, in order.
        op : str
            The operation's name, shown when the graph is drawn.
        backward : callable
            The backward closure: ``backward(g)`` takes the upstream
            gradient :math:`\partial L/\partial\,\mathrm{out}` (the
            output's shape) and returns a tuple with one gradient per
            input, in order: ``g`` times the local gradient, ``None`` only
            for a constant input.

        Examples
        --------
        A new operation, :math:`x^3` with local gradient :math:`3x^2`:

        >>> def cube(x):
        ...     a = x.data
        ...     return Value.from_op(a ** 3, (x,), "cube",
        ...                          lambda g: (g * 3 * a ** 2,))
        >>> x = Value(2.0)
        >>> y = cube(x); y.backward()
        >>> y, float(x.grad)
        (Value(8.0, op='cube'), 12.0)
        """
        out = Value.__new__(Value)
        out._data = (data if type(data) in _FAST
                     else np.asarray(data, dtype=np.float64))
        out._grad, out._owns_grad = _ZEROS, False
        out.label, out.op, out._prev = "", op, inputs
        out._backward, out.is_constant = backward, False
        return out

    # -- arithmetic -----------------------------------------------------------
    def __add__(self, other) -> "Value":
        other = as_value(other)                       # a number: a constant
        a, b = _check_binary_args(self, other, "+")   # self.data, other.data
        # add distributes: each input receives the upstream gradient as is
        return Value.from_op(a + b, (self, other), "+", lambda g: (g, g))

    def __mul__(self, other) -> "Value":
        other = as_value(other)                       # a number: a constant
        a, b = _check_binary_args(self, other, "*")   # self.data, other.data
        # multiply swaps: each input receives the upstream gradient
        # times the *other* input
        return Value.from_op(a * b, (self, other), "*",
                             lambda g: (g * b, g * a))

    def __sub__(self, other) -> "Value":
        other = as_value(other)
        a, b = _check_binary_args(self, other, "-")
        return Value.from_op(a - b, (self, other), "-", lambda g: (g, -g))

    def __truediv__(self, other) -> "Value":
        other = as_value(other)
        a, b = _check_binary_args(self, other, "/")
        if np.any(b == 0):
            raise ValueError("division by zero: the divisor has entries "
                             "equal to 0")
        return Value.from_op(a / b, (self, other), "/",
                             lambda g: (g / b, -g * a / (b * b)))

    def __pow__(self, other) -> "Value":
        if not isinstance(other, Value):     # a constant exponent
            p = _as_float_array(other, "the exponent")
            if p.ndim:
                raise ValueError("a constant exponent must be a single "
                                 "number; use a Value for an array of them")
            return self._pow_const(float(p))
        a, b = _check_binary_args(self, other, "**")
        if np.any(a <= 0):
            raise ValueError("a ** b with a Value exponent b needs a base "
                             "a > 0 everywhere (the gradient with respect "
                             "to b is a^b log a)")
        out = a ** b
        return Value.from_op(out, (self, other), "**",
                             lambda g: (g * b * a ** (b - 1),
                                        g * out * np.log(a)))

    def _pow_const(self, p: float) -> "Value":
        """a ** p for a number p: the local gradient is p a^(p-1)."""
        a = self._data
        if not p.is_integer() and np.any(a < 0):
            raise ValueError(f"a ** {p:g} of a negative number is not a "
                             f"real number")
        if p < 0 and np.any(a == 0):
            raise ValueError(f"a ** {p:g} of 0 is infinite (division by "
                             f"zero)")

        def local():
            return np.zeros_like(a) if p == 0 else p * a ** (p - 1)
        return Value.from_op(a ** p, (self, as_value(p)), "**",
                             lambda g: (g * local(), None))

    def __neg__(self) -> "Value":
        return Value.from_op(-self._data, (self,), "neg", lambda g: (-g,))

    def __radd__(self, other) -> "Value":
        return as_value(other) + self

    def __rsub__(self, other) -> "Value":
        return as_value(other) - self

    def __rmul__(self, other) -> "Value":
        return as_value(other) * self

    def __rtruediv__(self, other) -> "Value":
        return as_value(other) / self

    def __rpow__(self, other) -> "Value":
        return as_value(other) ** self

    # -- elementwise functions ------------------------------------------------
    def exp(self) -> "Value":
        """e^x; the local gradient is e^x itself."""
        out = np.exp(self._data)
        return Value.from_op(out, (self,), "exp", lambda g: (g * out,))

    def log(self) -> "Value":
        """Natural logarithm, local gradient 1/x.

        Non-positive entries raise a ValueError (PyTorch would give -inf or
        NaN).
        """
        if np.any(self._data <= 0):
            raise ValueError(f"log of a non-positive number (smallest entry "
                             f"{np.min(self._data):g}); log needs x > 0")
        a = self._data
        return Value.from_op(np.log(a), (self,), "log", lambda g: (g / a,))

    def tanh(self) -> "Value":
        """tanh x; the local gradient is 1 - tanh² x."""
        t = np.tanh(self._data)
        return Value.from_op(t, (self,), "tanh",
                             lambda g: (g * (1 - t * t),))

    def sigmoid(self) -> "Value":
        r""":math:`\sigma(x) = 1/(1 + e^{-x})`, one gate.

        Its local gradient is :math:`\sigma(1 - \sigma)`. Computed without
        overflow for large :math:`|x|`.
        """
        s = np.exp(-np.logaddexp(0.0, -self._data))
        return Value.from_op(s, (self,), "sigmoid",
                             lambda g: (g * s * (1 - s),))

    def relu(self) -> "Value":
        """max(x, 0); local gradient 1 where x > 0, else 0 (as PyTorch)."""
        a = self._data
        return Value.from_op(np.maximum(a, 0.0), (self,), "relu",
                             lambda g: (g * (a > 0),))

    # -- reductions -----------------------------------------------------------
    def _expand(self, g: np.ndarray, axis, keepdims: bool) -> np.ndarray:
        """Put reduced axes back into ``g``; broadcast it to this shape."""
        if axis is not None and not keepdims:
            g = np.expand_dims(g, axis)
        return np.broadcast_to(g, self.shape)

    def _check_axis(self, axis):
        """``axis`` as a sorted tuple of axes (or None), or a ValueError."""
        if axis is None:
            return None
        axes = axis if isinstance(axis, tuple) else (axis,)
        if not all(isinstance(a, (int, np.integer))
                   and not isinstance(a, bool) for a in axes):
            raise ValueError(f"axis must be None, an int or a tuple of ints;"
                             f" got {axis!r}")
        if not all(-self.ndim <= a < self.ndim for a in axes):
            raise ValueError(f"axis {axis!r} is out of range for a Value "
                             f"with shape {self.shape}")
        normalized = tuple(sorted(int(a) % self.ndim for a in axes))
        if len(set(normalized)) != len(normalized):
            raise ValueError(f"axis {axis!r} names an axis twice")
        return normalized

    def sum(self, axis=None, keepdims: bool = False) -> "Value":
        """Sum (along ``axis``); every entry gets the upstream gradient."""
        axis = self._check_axis(axis)
        out = np.sum(self._data, axis=axis, keepdims=keepdims)
        return Value.from_op(out, (self,), "sum",
                             lambda g: (self._expand(g, axis, keepdims),))

    def mean(self, axis=None, keepdims: bool = False) -> "Value":
        """Mean (along ``axis``); each entry gets 1/count of the gradient."""
        axis = self._check_axis(axis)
        if self._data.size == 0:
            raise ValueError("mean of an empty Value")
        out = np.mean(self._data, axis=axis, keepdims=keepdims)
        count = self._data.size / np.size(out)   # entries per mean
        return Value.from_op(
            out, (self,), "mean",
            lambda g: (self._expand(g, axis, keepdims) / count,))

    def max(self, axis=None, keepdims: bool = False) -> "Value":
        """Largest entry (along ``axis``); max routes the gradient to it.

        Ties share the gradient equally, as ``torch.amax`` does.
        """
        axis = self._check_axis(axis)
        if self._data.size == 0:
            raise ValueError("max of an empty Value")
        out = np.max(self._data, axis=axis, keepdims=keepdims)

        def backward(g):
            winners = self._data == self._expand(out, axis, keepdims)
            share = winners / np.sum(winners, axis=axis, keepdims=True)
            return (self._expand(g, axis, keepdims) * share,)
        return Value.from_op(out, (self,), "max", backward)

    # -- matrix multiplication ------------------------------------------------
    def __matmul__(self, other) -> "Value":
        other = as_value(other)
        a, b = self._data, other._data
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"a @ b needs arrays with at least one axis; "
                             f"got shapes {a.shape} and {b.shape}")
        try:
            out = np.matmul(a, b)
        except ValueError:
            axis = "first" if b.ndim == 1 else "second-to-last"
            n = b.shape[0] if b.ndim == 1 else b.shape[-2]
            raise ValueError(
                f"cannot multiply shapes {a.shape} @ {b.shape}: the last "
                f"axis of a ({a.shape[-1]}) must match the {axis} axis of "
                f"b ({n}), and leading (batch) axes must broadcast") from None

        def backward(g):
            if a.ndim == 1 and b.ndim == 1:          # a dot product
                return g * b, g * a
            # vectors act as a row (a) or a column (b), as in np.matmul
            a2 = a[None, :] if a.ndim == 1 else a
            b2 = b[:, None] if b.ndim == 1 else b
            g2 = np.expand_dims(g, -2) if a.ndim == 1 else g
            g2 = np.expand_dims(g2, -1) if b.ndim == 1 else g2
            ga = gb = None               # a constant (e.g. data) needs none
            if not self.is_constant:
                ga = _unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape)
                ga = ga.reshape(a.shape)
            if not other.is_constant:
                gb = _unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape)
                gb = gb.reshape(b.shape)
            return ga, gb
        return Value.from_op(out, (self, other), "@", backward)

    def __rmatmul__(self, other) -> "Value":
        return as_value(other) @ self

    # -- the backward pass ----------------------------------------------------
    def backward(self, gradient=None) -> None:
        r"""Backpropagation (역전파): fill ``.grad`` of everything upstream.

        Parameters
        ----------
        gradient : array_like, optional
            The seed :math:`\partial L/\partial\,\mathrm{self}`; only for a
            Value holding a single number may it be omitted (it is then 1).

        Leaves accumulate over calls, as in PyTorch (see the module's
        notes).

        Examples
        --------
        >>> w = Value(3.0)
        >>> loss = w * w
        >>> loss.backward(); float(w.grad)
        6.0
        >>> loss.backward(); float(w.grad)      # accumulated
        12.0
        """
        seed = self._check_backward_args(gradient)   # dL/dself: 1 for a loss
        order = topological_order(self)
        for node in order:
            if node._prev:                 # intermediate results restart at 0
                node._clear_grad()
        self._add_grad(seed)
        # one node at a time, the output first: apply the chain rule
        for node in reversed(order):
            if not node._prev:             # an input: nothing to pass on
                continue
            grads = node._backward(node._grad)   # upstream x local, per input
            if type(grads) is not tuple or len(grads) != len(node._prev):
                raise _closure_error(node, grads)
            for inp, g in zip(node._prev, grads):
                if not inp.is_constant:
                    inp._add_grad(g)       # inp.grad += g

    def _check_backward_args(self, gradient) -> np.ndarray:
        """The seed gradient for :meth:`backward`, or a ValueError."""
        if gradient is None:
            if self._data.size != 1:
                raise ValueError(
                    f"backward() without a gradient needs a single number "
                    f"(the loss); this Value has shape {self.shape}. Pass "
                    f"gradient= (dL/dself) of that shape")
            return np.ones_like(self._data)
        seed = _as_float_array(gradient, "the gradient")
        if seed.shape != self.shape:
            raise ValueError(f"the gradient must have this Value's shape"
                             f" {self.shape}; got shape {seed.shape}")
        return seed

    def _clear_grad(self) -> None:
        """``.grad = 0`` at the start of a backward pass (zeros made on read)."""
        self._grad = _ZEROS

    def _add_grad(self, g) -> None:
        """``.grad += g``, with ``g`` first summed back to the data's shape.

        ``g`` has the shape of the operation's output, which is larger than
        this Value's where NumPy broadcast it (:func:`_unbroadcast`). The
        first ``g`` is kept as it is, without a copy; as it may be another
        Value's gradient too (``+`` passes its upstream gradient on
        unchanged), it is never changed in place, and ``.grad`` hands out a
        copy of it.
        """
        try:
            if g.shape != self._data.shape:
                g = _unbroadcast(g, self._data.shape)
        except (AttributeError, IndexError, ValueError):
            got = f"shape {g.shape}" if hasattr(g, "shape") else repr(g)
            raise ValueError(
                f"a backward closure gave a gradient of {got} for an input "
                f"of shape {self.shape}: it must return one gradient per "
                f"input, of the input's or the output's shape (None only for "
                f"a constant)") from None
        grad = self._grad
        if grad is _ZEROS or grad is None:     # the first contribution
            self._grad, self._owns_grad = g, False
        elif self._owns_grad and isinstance(grad, np.ndarray):
            grad += g                  # in place: whoever holds it sees it
        else:                          # a NumPy scalar, or not ours alone
            self._grad, self._owns_grad = grad + g, True

    def zero_grad(self) -> None:
        """Set ``.grad`` to zeros (in place when it is an array)."""
        grad = self._grad
        if (self._owns_grad and isinstance(grad, np.ndarray)
                and grad.flags.writeable):
            grad[...] = 0.0
        else:
            self._grad = _ZEROS


def as_value(x) -> Value:
    """A Value as it is; a number or an array as a constant Value.

    A constant is a leaf that gets no gradient (:attr:`Value.is_constant`),
    like a tensor without ``requires_grad`` in PyTorch: the 1 in ``x + 1``,
    or the data ``X`` in ``X @ W``. Operations that accept numbers call it
    on their operands.

    Examples
    --------
    >>> c = as_value(2)
    >>> c, c.is_constant
    (Value(2.0, label='2'), True)
    >>> x = Value(1.0); as_value(x) is x
    True

    Introduced in chapter 4.
    """
    if isinstance(x, Value):
        return x
    if type(x) in (float, int):          # the common case, kept fast
        const = Value.__new__(Value)
        const._data = np.float64(x)
        const._grad, const._owns_grad = _ZEROS, False
        const.op, const._prev, const._backward = "", (), None
        const.is_constant, const.label = True, _format_number(x)
        return const
    if not isinstance(x, (numbers.Real, np.ndarray, np.generic, list, tuple)):
        raise ValueError(f"cannot combine a Value with "
                         f"{type(x).__name__} {x!r}")
    const = Value(x)
    const.is_constant = True
    if const._data.size == 1:
        const.label = _format_number(const._data.reshape(()))
    return const


def maximum(a, b) -> Value:
    """Elementwise max of two Values (or a Value and a number).

    Max routes the gradient: where ``a > b`` all of the upstream gradient
    goes to ``a``, where ``a < b`` to ``b``; at ties each gets half, as
    ``torch.maximum`` does.

    Examples
    --------
    >>> x, y = Value(4.0), Value(-3.0)
    >>> m = maximum(x, y); m.backward()
    >>> float(m.data), float(x.grad), float(y.grad)
    (4.0, 1.0, 0.0)

    Introduced in chapter 4.
    """
    if not isinstance(a, Value) and not isinstance(b, Value):
        raise ValueError("maximum() needs at least one Value")
    a, b = as_value(a), as_value(b)
    x, y = _check_binary_args(a, b, "max")
    share = np.where(x > y, 1.0, np.where(x < y, 0.0, 0.5))
    return Value.from_op(np.maximum(x, y), (a, b), "max",
                         lambda g: (g * share, g * (1 - share)))


def topological_order(root: Value) -> list:
    """Every Value ``root`` depends on, each after its inputs; root last.

    An iterative depth-first search: no recursion, however long the graph.

    Examples
    --------
    >>> x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    >>> [v.label or v.op for v in topological_order((x + y) * z)]
    ['x', 'y', '+', 'z', '*']

    Introduced in chapter 4.
    """
    if not isinstance(root, Value):
        raise ValueError(f"topological_order() needs a Value, got "
                         f"{type(root).__name__}")
    order, seen, done = [], set(), set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node in done:
            continue
        if node in seen:               # back again: its inputs are done
            done.add(node)
            order.append(node)
        else:
            seen.add(node)
            stack.append(node)         # come back after the inputs
            for inp in reversed(node._prev):
                if inp not in seen:
                    stack.append(inp)
    return order


def zero_grad(parameters: Iterable[Value]) -> None:
    """Zero the ``.grad`` of every Value in ``parameters``.

    Call it before each backward pass of a training loop.

    Examples
    --------
    >>> w, b = Value([1.0, 2.0]), Value(0.5)
    >>> (w.sum() * b).backward()
    >>> zero_grad([w, b]); w.grad, b.grad
    (array([0., 0.]), array(0.))

    Introduced in chapter 4.
    """
    for i, p in enumerate(parameters):
        if not isinstance(p, Value):
            raise ValueError(f"zero_grad() needs Values; item {i} is "
                             f"{type(p).__name__}")
        p.zero_grad()


def cross_entropy(logits: Value, y) -> Value:
    r"""Mean softmax cross-entropy (교차 엔트로피) of logits and labels.

    Built from the engine's own operations, so that its gradient is
    backpropagated like any other:

    .. math::

        L = -\frac1n \sum_{i=1}^{n} \log \operatorname{softmax}(s_i)_{y_i},
        \qquad
        \log\operatorname{softmax}(s)_k
        = (s_k - m) - \log\textstyle\sum_j e^{s_j - m},

    where the shift :math:`m = \max_j s_j` is a constant (log-softmax does
    not change when every logit moves by the same amount) that keeps
    :math:`e^{s_j - m} \le 1` (수치 안정성). Same result as
    ``torch.nn.functional.cross_entropy(logits, y)``.

    Parameters
    ----------
    logits : Value of shape (n, C)
        Scores (로짓) for n examples and C classes.
    y : array_like of ints, shape (n,)
        The correct class of each example, in ``0 .. C-1``.

    Returns
    -------
    Value
        A single number.

    Examples
    --------
    >>> s = Value([[2.0, 0.0], [0.0, 0.0]])
    >>> L = cross_entropy(s, [0, 1])
    >>> round(L.item(), 6)         # (log(1 + e^-2) + log 2) / 2
    0.410038
    >>> L.backward(); s.grad.round(4)
    array([[-0.0596,  0.0596],
           [ 0.25  , -0.25  ]])

    Introduced in chapter 4.
    """
    if not isinstance(logits, Value) or logits.ndim != 2:
        got = (f"shape {logits.shape}" if isinstance(logits, Value)
               else type(logits).__name__)
        raise ValueError(f"logits must be a Value of shape (n, C); got {got}")
    n, num_classes = logits.shape
    y = np.asarray(y)
    if y.dtype.kind not in "iu" or y.shape != (n,):
        raise ValueError(f"y must be {n} integer class labels (shape ({n},));"
                         f" got dtype {y.dtype} and shape {y.shape}")
    if n == 0:
        raise ValueError("cross_entropy needs at least one example")
    if y.min() < 0 or y.max() >= num_classes:
        raise ValueError(f"labels must be in 0..{num_classes - 1}; got "
                         f"values from {y.min()} to {y.max()}")
    shifted = logits - logits.data.max(axis=1, keepdims=True)  # a constant
    log_probs = shifted - shifted.exp().sum(axis=1, keepdims=True).log()
    one_hot = np.eye(num_classes)[y]
    return -(log_probs * one_hot).sum() / n
