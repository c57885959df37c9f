r"""Optimizers written from scratch in NumPy, with the API of :mod:`torch.optim`.

Each optimizer has torch's argument names, defaults, validation and update
rule, so that ``lablib.optim.Adam(params, lr=0.1)`` and
``torch.optim.Adam(params, lr=0.1)`` take the same steps (the tests check this
in float64 for hundreds of steps at a relative tolerance of 1e-10). The loop is
torch's loop::

    opt = Adam(params, lr=0.1)
    for _ in range(num_steps):
        opt.zero_grad()
        ...                 # compute the gradients into p.grad for p in params
        opt.step()

``params`` are objects with a ``.data`` and a ``.grad`` float array:
:class:`Parameter` wraps a plain array, and :class:`lablib.autograd.Value`
qualifies as it is. Parameters are updated in place (``p.data -= ...``, so a
view of ``p.data`` sees the step), and the gradient and the state are kept in
the parameter's dtype (float64 for :class:`Parameter`), as torch does. The
state arrays are computed anew at every step, as the equations write them
(``s.m = b1 * s.m + (1 - b1) * g``): an array read from ``opt.state[0].m``
keeps the value it had at that step.

**How the code is organised.**
:class:`Optimizer` does what every optimizer shares: it checks the gradients,
flips their sign for ``maximize``, adds weight decay, counts steps, and
applies ``θ ← θ - step_size · d``. Each optimizer only supplies
``direction(g, s)``: a few lines that read like its equations and return the
direction ``d`` (``s`` is that parameter's state). The chapters show these
methods with :func:`lablib.show_source`.

**State names.**
Per-parameter state is named after the symbols in the chapters' equations;
torch stores the same quantities under other names (``TORCH_STATE_NAMES`` on
each class holds this table):

============================  =========  ===================
quantity                      lablib     torch
============================  =========  ===================
step count                    ``t``      ``step``
momentum buffer               ``b``      ``momentum_buffer``
AdaGrad's sum of squares      ``G``      ``sum``
RMSprop's mean square         ``v``      ``square_avg``
RMSprop's mean (centered)     ``g_avg``  ``grad_avg``
Adam's first moment           ``m``      ``exp_avg``
Adam's second moment          ``v``      ``exp_avg_sq``
AMSGrad's running max of v    ``v_max``  ``max_exp_avg_sq``
velocity (textbook momentum)  ``v``      (none)
============================  =========  ===================

**Non-finite gradients.**
torch applies a NaN or infinite gradient as it is: the parameters (and the
optimizer's state) silently become NaN or inf, and stay so. Here
:meth:`Optimizer.step` checks every gradient first and raises
:class:`NonFiniteGradientError` (a ``ValueError``) naming the parameter and the
step, **before changing anything**: no parameter and no state is updated by
that call. A learner then sees where a run blew up instead of a plot of NaNs,
and code that wants to record a divergence (a trajectory that leaves the
screen) can catch the error and stop there.

**Speed lives beside this code, not inside it.**
:meth:`Optimizer.step` is the plain loop and ``direction`` reads like the
equations, as torch keeps a plain ``_single_tensor_adam`` beside its faster
paths. NumPy has no fused operations like torch's ``addcmul_``:
``b1 * s.m + (1 - b1) * g`` is three operations, each writing a temporary
array as long as the parameter, which for a large parameter goes to main
memory and back once per operation. The fix is to hand the optimizer pieces
small enough for the CPU's cache: every rule here works element by element
(``elementwise = True``), so a large array can be given to the optimizer as
many small parameters, views of pieces of it, each with its own state, and
the plain step then gives exactly the whole-array numbers, faster.
:class:`lablib.training.LablibOptimizer` does this for PyTorch models (pieces
of 32,768 elements); ``benchmarks/bench_optim.py`` times it against torch's
single-tensor step (``foreach=False``), both in float64 on one CPU thread:
AdaGrad, RMSprop and Adam take 1.4 to 1.5 times torch's time at 10⁵ elements
and 0.7 to 0.8 times at 10⁷, SGD with momentum 1.5 and 1.3 times. Plain SGD
takes about twice as long: torch does all of
:math:`\theta \leftarrow \theta - \alpha g` in one fused operation, NumPy needs
two, and the check reads :math:`g` once more. The plain step on one whole
array of 10⁷ elements takes 1.6 to 2.7 times as long as on the pieces. The
NaN/inf check reads each gradient once and makes no temporary array (see
``_all_finite``).

Not implemented (production features of torch): parameter groups, closures,
``foreach``/``fused``/``capturable``/``differentiable`` paths, sparse or complex
gradients, ``state_dict``.

Introduced in chapter 7 (SGD and momentum) and chapter 8 (AdaGrad, RMSprop, Adam).
"""
from __future__ import annotations

import math
import numbers
from types import SimpleNamespace

import numpy as np

from lablib._validate import flag as _flag
from lablib.errors import DivergenceError

__all__ = [
    "Parameter",
    "Optimizer",
    "NonFiniteGradientError",
    "SGD",
    "VelocityMomentum",
    "Adagrad",
    "RMSprop",
    "Adam",
    "AdamW",
]


class NonFiniteGradientError(DivergenceError, ValueError):
    """A gradient handed to :meth:`Optimizer.step` contains NaN or inf.

    One kind of :class:`lablib.DivergenceError` (and still a ``ValueError``).

    Raised before any parameter or state is changed. ``index`` is the
    position of the parameter in the optimizer's list, ``step`` the number of
    the step that was refused (1 for the first call of ``step()``).
    """

    def __init__(self, message: str, index: int, step: int):
        super().__init__(message)
        self.index = index
        self.step = step


class Parameter:
    """A float64 array with a gradient: the smallest thing an optimizer can update.

    Parameters
    ----------
    data : array_like
        The initial value; copied into a float64 array.
    name : str, optional
        Used in error messages.

    Attributes
    ----------
    data : numpy.ndarray
        The current value (optimizers update it in place).
    grad : numpy.ndarray
        The gradient, same shape as ``data``; starts at zero.

    Examples
    --------
    >>> p = Parameter([1.0, 2.0], name="w")
    >>> p
    Parameter(name='w', data=[1. 2.])
    >>> p.grad
    array([0., 0.])

    Introduced in chapter 7.
    """

    def __init__(self, data, name: str | None = None):
        self.data = np.array(data, dtype=np.float64)
        self.grad = np.zeros_like(self.data)
        self.name = name

    def __repr__(self) -> str:
        name = "" if self.name is None else f"name={self.name!r}, "
        return f"Parameter({name}data={self.data})"


def _check_number(value, message: str, low: float = 0.0, high: float | None = None,
                  high_open: bool = True) -> float:
    """Return ``value`` as a float if it is a finite real number in range, else raise ``message``."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        raise ValueError(message)
    return float(value)


def _all_finite(g: np.ndarray) -> bool:
    """True if no element of ``g`` is NaN or inf.

    A NaN or an inf anywhere makes the sum NaN or inf, so a finite sum proves
    every element finite, in one pass and without the temporary boolean array
    of ``np.isfinite(g).all()``. Only a sum that overflows (finite values near
    the largest float) is decided by that exact check.
    (``np.einsum`` sums faster than ``np.sum``, which adds pairwise for accuracy
    that this check does not need.)

    >>> _all_finite(np.array([1.0, -2.0])), _all_finite(np.array([1.0, np.nan]))
    (True, False)
    >>> _all_finite(np.array([1e308, 1e308, -np.inf])), _all_finite(np.array([1e308, 1e308]))
    (False, True)
    """
    total = np.einsum("i->", g.reshape(-1))
    return math.isfinite(total) or bool(np.isfinite(g).all())


def _zeros(p) -> np.ndarray:
    """Zeros of a parameter's shape and dtype (state is kept in the parameter's dtype, as in torch)."""
    data = np.asarray(p.data)
    return np.zeros(data.shape, dtype=data.dtype)


class Optimizer:
    r"""What every optimizer shares: the loop, weight decay, step counts and checks.

    A subclass supplies :meth:`direction` (and, if it needs state,
    :meth:`init_state`). For each parameter with a gradient, :meth:`step` does

    .. math::

        g &\leftarrow -g \quad\text{if maximize} \\
        g &\leftarrow g + \lambda\,\theta \quad\text{(L2 weight decay, } \lambda
            = \texttt{weight\_decay}\text{)} \\
        t &\leftarrow t + 1 \\
        \theta &\leftarrow \theta - \alpha_t\, d_t(g)

    where :math:`d_t` is :meth:`direction` and :math:`\alpha_t` is
    :meth:`step_size` (the learning rate :math:`\alpha` unless a subclass says otherwise).
    With ``decoupled_weight_decay`` (AdamW) the decay is applied to the weights
    instead, :math:`\theta \leftarrow (1 - \alpha\lambda)\,\theta`, before the
    step.

    Parameters whose ``.grad`` is ``None`` are skipped, as in torch (their
    step count does not advance).

    A subclass whose update treats every element on its own (each element's
    step depends only on that element's gradient, value and state, and on
    numbers such as the step count ``t``; all of lablib's optimizers) sets
    ``elementwise = True``. Then a large parameter may be handed to it as
    several parameters, views of its pieces, each with its own state (array
    or scalar), and the result is the whole parameter's to the last bit:
    :class:`lablib.training.LablibOptimizer` does so for speed. A subclass that
    needs the whole array at once (a norm, a matrix product) keeps the default
    ``False``.

    Attributes
    ----------
    params : list
        The parameters, in order.
    state : list of types.SimpleNamespace
        ``state[i]`` holds parameter ``i``'s state, named after the chapter's
        symbols (see the module docstring for the table to torch's names);
        ``None`` until the parameter's first step, as in torch.
    step_count : int
        How many times :meth:`step` has run.

    Introduced in chapter 7.
    """

    #: lablib state name -> torch.optim state name
    TORCH_STATE_NAMES: dict = {"t": "step"}
    decoupled_weight_decay: bool = False
    #: the update works element by element, so a large parameter may be handed over in pieces
    elementwise: bool = False

    def __init__(self, params, lr: float, weight_decay: float = 0.0, maximize: bool = False):
        self.lr = _check_number(lr, f"Invalid learning rate: {lr}")
        self.weight_decay = _check_number(weight_decay, f"Invalid weight_decay value: {weight_decay}")
        self.maximize = _flag(maximize, "maximize")
        self.params = self._check_params(params)
        self.step_count = 0
        self.state = [None] * len(self.params)     # created at a parameter's first step, as in torch

    @staticmethod
    def _check_params(params) -> list:
        if hasattr(params, "data") and hasattr(params, "grad"):
            raise ValueError(
                "params argument given to the optimizer should be an iterable of parameters, "
                f"but got a single {type(params).__name__}; wrap it in a list: [p]"
            )
        try:
            params = list(params)
        except TypeError:
            raise ValueError(
                "params argument given to the optimizer should be an iterable of parameters, "
                f"but got {type(params).__name__}"
            ) from None
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        seen = set()
        for i, p in enumerate(params):
            if isinstance(p, dict):
                raise ValueError("parameter groups (dicts) are not supported by lablib.optim; pass parameters")
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                raise ValueError(f"parameter {i} ({type(p).__name__}) has no .data and .grad")
            if not np.issubdtype(np.asarray(p.data).dtype, np.floating):
                raise ValueError(
                    f"parameter {i} has dtype {np.asarray(p.data).dtype}; optimizers update float arrays"
                )
            if id(p) in seen:
                raise ValueError(f"parameter {i} appears more than once in the parameter list")
            seen.add(id(p))
        return params

    # --- what a subclass provides ------------------------------------------------
    def init_state(self, p) -> dict:
        """The initial state of parameter ``p`` (besides the step count ``t``)."""
        return {}

    def direction(self, g: np.ndarray, s: SimpleNamespace) -> np.ndarray:
        """The update direction for gradient ``g`` (after weight decay); may update state ``s``."""
        raise NotImplementedError

    def step_size(self, s: SimpleNamespace) -> float:
        """The factor the direction is multiplied by: the learning rate."""
        return self.lr

    # --- the loop ------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = False) -> None:
        """Set every parameter's gradient to zero (or to ``None``).

        torch's default is ``set_to_none=True``; here it is ``False`` because
        NumPy code accumulates gradients with ``p.grad += ...``, which needs an
        array.
        """
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif isinstance(p.grad, np.ndarray) and p.grad.shape == np.shape(p.data) and p.grad.flags.writeable:
                p.grad.fill(0.0)
            else:
                p.grad = _zeros(p)

    def _checked_grads(self) -> list:
        grads = []
        step = self.step_count + 1
        for i, p in enumerate(self.params):
            if p.grad is None:
                grads.append(None)
                continue
            data = p.data
            if not (isinstance(data, np.ndarray) and data.flags.writeable):
                raise ValueError(
                    f"parameter {i}'s .data is not a writeable NumPy array "
                    f"({type(data).__name__}); optimizers update it in place"
                )
            g = np.asarray(p.grad, dtype=data.dtype)    # in the parameter's dtype (no copy if it is already)
            if g.shape != data.shape:
                raise ValueError(
                    f"gradient of parameter {i} has shape {g.shape} but the parameter has shape {data.shape}"
                )
            if not _all_finite(g):
                name = getattr(p, "name", None) or getattr(p, "label", None)
                what = f"parameter {i}" + (f" ({name!r})" if name else "")
                kinds = [k for k, bad in (("NaN", np.isnan(g).any()), ("inf", np.isinf(g).any())) if bad]
                raise NonFiniteGradientError(
                    f"the gradient of {what} contains {' and '.join(kinds)} at step {step}; "
                    "no parameter was updated (torch would make the parameters NaN/inf)",
                    index=i, step=step,
                )
            grads.append(g)
        return grads

    def step(self) -> None:
        """Update every parameter that has a gradient, by one step.

        Raises
        ------
        NonFiniteGradientError
            If a gradient contains NaN or inf; nothing is changed then.
        ValueError
            If a gradient's shape differs from its parameter's, or a parameter's
            ``.data`` is not a writeable NumPy array.
        """
        grads = self._checked_grads()      # all checked before anything changes
        self.step_count += 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            if g is None:                  # no gradient: skipped, as in torch
                continue
            if self.maximize:
                g = -g
            if self.weight_decay != 0:
                if self.decoupled_weight_decay:
                    p.data *= 1 - self.lr * self.weight_decay
                else:
                    g = g + self.weight_decay * p.data
            if self.state[i] is None:
                self.state[i] = SimpleNamespace(t=0, **self.init_state(p))
            s = self.state[i]
            s.t += 1
            p.data -= self.step_size(s) * self.direction(g, s)

    def __repr__(self) -> str:
        skip = {"params", "state", "step_count"}
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k not in skip)
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional momentum, as :class:`torch.optim.SGD`.

    With momentum :math:`\mu`, dampening :math:`\tau` and learning rate
    :math:`\alpha` (gradient :math:`g_t` after weight decay):

    .. math::

        b_1 &= g_1, \qquad b_t = \mu\, b_{t-1} + (1-\tau)\, g_t \quad (t > 1) \\
        d_t &= \begin{cases} g_t + \mu\, b_t & \text{nesterov} \\ b_t & \text{otherwise} \end{cases} \\
        \theta_t &= \theta_{t-1} - \alpha\, d_t

    Without momentum (:math:`\mu = 0`), :math:`d_t = g_t`: plain gradient
    descent. Note the buffer starts at the first gradient, not at zero.

    Parameters
    ----------
    params : iterable of parameters
        Objects with ``.data`` and ``.grad`` float arrays.
    lr : float, default 1e-3
        Learning rate :math:`\alpha \ge 0`.
    momentum : float, default 0
        :math:`\mu \ge 0`.
    dampening : float, default 0
        :math:`\tau`: the weight of the new gradient is :math:`1-\tau`.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda`: the gradient becomes :math:`g + \lambda\theta`.
    nesterov : bool, default False
        Nesterov momentum (needs :math:`\mu > 0` and :math:`\tau = 0`).
    maximize : bool, default False
        Ascend instead of descend.

    Examples
    --------
    Minimise :math:`L(w) = w^2` from :math:`w = 1`:

    >>> w = Parameter([1.0])
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     w.grad += 2 * w.data
    ...     opt.step()
    >>> w.data          # 1 - 0.1*2 = 0.8; then b = 0.9*2 + 1.6 = 3.4, 0.8 - 0.34
    array([0.46])
    >>> opt.state[0].b
    array([3.4])

    Introduced in chapter 7.
    """

    TORCH_STATE_NAMES = {"t": "step", "b": "momentum_buffer"}
    elementwise = True

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False):
        super().__init__(params, lr, weight_decay, maximize)
        self.momentum = _check_number(momentum, f"Invalid momentum value: {momentum}")
        self.dampening = _check_number(dampening, f"Invalid dampening value: {dampening}", low=-math.inf)
        self.nesterov = _flag(nesterov, "nesterov")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def init_state(self, p) -> dict:
        return {"b": None}          # torch: the buffer is created from the first gradient

    def direction(self, g, s):
        if self.momentum == 0:
            return g
        if s.b is None:
            s.b = g.copy()                                          # b_1 = g_1
        elif self.dampening == 0:
            s.b = self.momentum * s.b + g                           # b ← μ b + g
        else:
            s.b = self.momentum * s.b + (1 - self.dampening) * g    # b ← μ b + (1-τ) g
        return g + self.momentum * s.b if self.nesterov else s.b


class VelocityMomentum(Optimizer):
    r"""Momentum in the course's (and CS231n's) velocity form.

    .. math::

        v_0 = 0, \qquad v_t = \gamma\, v_{t-1} + \alpha\, \nabla L(w_{t-1}), \qquad w_t = w_{t-1} - v_t

    with learning rate :math:`\alpha` (``lr``) and momentum :math:`\gamma`
    (``momentum``). The velocity carries the learning rate, so the step size
    is 1. For a constant :math:`\alpha` this is exactly :class:`SGD` with the
    same ``momentum`` (torch's buffer form :math:`b_t = \gamma b_{t-1} + g_t`,
    :math:`w_t = w_{t-1} - \alpha b_t`), since :math:`v_t = \alpha\, b_t`;
    the two differ when :math:`\alpha` changes during training.

    Parameters
    ----------
    params : iterable of parameters
        Objects with ``.data`` and ``.grad`` float arrays.
    lr : float, default 1e-3
        :math:`\alpha \ge 0`.
    momentum : float, default 0.9
        :math:`\gamma \ge 0`.
    weight_decay : float, default 0
        L2 penalty added to the gradient.
    maximize : bool, default False
        Ascend instead of descend.

    Examples
    --------
    >>> w = Parameter([1.0])
    >>> opt = VelocityMomentum([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     w.grad += 2 * w.data
    ...     opt.step()
    >>> opt.state[0].v, w.data      # v = 0.2, then 0.9*0.2 + 0.1*1.6 = 0.34
    (array([0.34]), array([0.46]))

    Introduced in chapter 7.
    """

    TORCH_STATE_NAMES = {"t": "step", "v": None}
    elementwise = True

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.9, weight_decay: float = 0,
                 *, maximize: bool = False):
        super().__init__(params, lr, weight_decay, maximize)
        self.momentum = _check_number(momentum, f"Invalid momentum value: {momentum}")

    def init_state(self, p) -> dict:
        return {"v": _zeros(p)}

    def direction(self, g, s):
        s.v = self.momentum * s.v + self.lr * g
        return s.v

    def step_size(self, s) -> float:
        return 1.0                  # the velocity already contains the learning rate


class Adagrad(Optimizer):
    r"""AdaGrad, as :class:`torch.optim.Adagrad`.

    Each weight gets its own effective learning rate, which shrinks with the
    sum :math:`G_t` of that weight's squared gradients:

    .. math::

        G_t &= G_{t-1} + g_t \odot g_t, \qquad G_0 = \texttt{initial\_accumulator\_value} \\
        \alpha_t &= \frac{\alpha}{1 + (t-1)\,\texttt{lr\_decay}} \\
        \theta_t &= \theta_{t-1} - \alpha_t\, \frac{g_t}{\sqrt{G_t} + \epsilon}

    (element-wise; :math:`g_t` after weight decay). Note :math:`\epsilon`
    is outside the square root and defaults to 1e-10. ``eps_root`` (not in
    torch; optax's name) adds a number inside the root,
    :math:`g_t / (\sqrt{G_t + \epsilon_{\text{root}}} + \epsilon)`: the slides'
    form :math:`g_t / \sqrt{G_t + 10^{-8}}` is ``eps=0.0, eps_root=1e-8``.

    Parameters
    ----------
    params : iterable of parameters
        Objects with ``.data`` and ``.grad`` float arrays.
    lr : float, default 1e-2
        :math:`\alpha \ge 0`.
    lr_decay : float, default 0
        Learning-rate decay (per step, see :math:`\alpha_t`).
    weight_decay : float, default 0
        L2 penalty added to the gradient.
    initial_accumulator_value : float, default 0
        :math:`G_0 \ge 0`.
    eps : float, default 1e-10
        :math:`\epsilon \ge 0`.
    maximize : bool, default False
        Ascend instead of descend.
    eps_root : float, default 0
        :math:`\epsilon_{\text{root}} \ge 0`, added inside the square root.

    Examples
    --------
    The first step moves every weight by :math:`\alpha` whatever its gradient:

    >>> w = Parameter([1.0, 1.0])
    >>> opt = Adagrad([w], lr=0.1)
    >>> w.grad = np.array([100.0, 0.01])
    >>> opt.step()
    >>> w.data.round(6)
    array([0.9, 0.9])

    Introduced in chapter 8.
    """

    TORCH_STATE_NAMES = {"t": "step", "G": "sum"}
    elementwise = True

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, *, maximize: bool = False,
                 eps_root: float = 0.0):
        super().__init__(params, lr, weight_decay, maximize)
        self.lr_decay = _check_number(lr_decay, f"Invalid lr_decay value: {lr_decay}")
        self.initial_accumulator_value = _check_number(
            initial_accumulator_value,
            f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        self.eps = _check_number(eps, f"Invalid epsilon value: {eps}")
        self.eps_root = _check_number(eps_root, f"Invalid eps_root value: {eps_root}")

    def init_state(self, p) -> dict:
        return {"G": _zeros(p) + self.initial_accumulator_value}

    def direction(self, g, s):
        s.G = s.G + g * g
        return g / (np.sqrt(s.G + self.eps_root) + self.eps)

    def step_size(self, s) -> float:
        return self.lr / (1 + (s.t - 1) * self.lr_decay)


class RMSprop(Optimizer):
    r"""RMSprop, as :class:`torch.optim.RMSprop`.

    AdaGrad with the sum of squared gradients replaced by an exponential moving
    average :math:`v_t` with decay :math:`\rho` (torch calls it ``alpha``):

    .. math::

        v_t &= \rho\, v_{t-1} + (1-\rho)\, g_t \odot g_t, \qquad v_0 = 0 \\
        \bar g_t &= \rho\, \bar g_{t-1} + (1-\rho)\, g_t
            \quad\text{(only if centered; then } v_t \leftarrow v_t - \bar g_t^{\,2}
            \text{ in the denominator)} \\
        d_t &= \frac{g_t}{\sqrt{v_t} + \epsilon} \\
        b_t &= \mu\, b_{t-1} + d_t, \quad b_0 = 0 \quad\text{(only if } \mu > 0
            \text{; then } d_t \leftarrow b_t\text{)} \\
        \theta_t &= \theta_{t-1} - \alpha\, d_t

    Note :math:`\epsilon` is outside the square root, and torch's default
    decay is :math:`\rho = 0.99` (the slides use 0.9). ``eps_root`` (not in
    torch; optax's name) adds a number inside the root,
    :math:`g_t / (\sqrt{v_t + \epsilon_{\text{root}}} + \epsilon)`: the slides'
    form :math:`g_t / \sqrt{v_t + 10^{-8}}` is ``eps=0.0, eps_root=1e-8``.

    Parameters
    ----------
    params : iterable of parameters
        Objects with ``.data`` and ``.grad`` float arrays.
    lr : float, default 1e-2
        :math:`\alpha \ge 0`.
    alpha : float, default 0.99
        Decay :math:`\rho \ge 0` of the moving averages.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`.
    weight_decay : float, default 0
        L2 penalty added to the gradient.
    momentum : float, default 0
        :math:`\mu \ge 0`.
    centered : bool, default False
        Divide by an estimate of the gradient's variance instead of its
        mean square.
    maximize : bool, default False
        Ascend instead of descend.
    eps_root : float, default 0
        :math:`\epsilon_{\text{root}} \ge 0`, added inside the square root.

    Examples
    --------
    >>> w = Parameter([1.0])
    >>> opt = RMSprop([w], lr=0.01, alpha=0.9)
    >>> w.grad = np.array([2.0])
    >>> opt.step()                  # v = 0.1*4 = 0.4; step = 0.01*2/sqrt(0.4)
    >>> round(float(opt.state[0].v[0]), 6), round(float(w.data[0]), 6)
    (0.4, 0.968377)

    Introduced in chapter 8.
    """

    TORCH_STATE_NAMES = {"t": "step", "v": "square_avg", "g_avg": "grad_avg", "b": "momentum_buffer"}
    elementwise = True

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 *, maximize: bool = False, eps_root: float = 0.0):
        super().__init__(params, lr, weight_decay, maximize)
        self.alpha = _check_number(alpha, f"Invalid alpha value: {alpha}")
        self.eps = _check_number(eps, f"Invalid epsilon value: {eps}")
        self.momentum = _check_number(momentum, f"Invalid momentum value: {momentum}")
        self.centered = _flag(centered, "centered")
        self.eps_root = _check_number(eps_root, f"Invalid eps_root value: {eps_root}")

    def init_state(self, p) -> dict:
        state = {"v": _zeros(p)}
        if self.centered:
            state["g_avg"] = _zeros(p)
        if self.momentum > 0:
            state["b"] = _zeros(p)
        return state

    def direction(self, g, s):
        rho = self.alpha                            # the decay ρ (torch's name: alpha)
        s.v = rho * s.v + (1 - rho) * g * g
        v_tilde = s.v
        if self.centered:
            s.g_avg = rho * s.g_avg + (1 - rho) * g
            v_tilde = s.v - s.g_avg**2
        d = g / (np.sqrt(v_tilde + self.eps_root) + self.eps)
        if self.momentum > 0:
            s.b = self.momentum * s.b + d
            return s.b
        return d


class Adam(Optimizer):
    r"""Adam, as :class:`torch.optim.Adam`: momentum plus RMSprop, with bias correction.

    .. math::

        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \qquad m_0 = 0
            &&\text{(first moment)} \\
        v_t &= \beta_2 v_{t-1} + (1-\beta_2)\, g_t \odot g_t, \qquad v_0 = 0
            &&\text{(second moment)} \\
        \hat m_t &= \frac{m_t}{1-\beta_1^t}, \qquad \hat v_t = \frac{v_t}{1-\beta_2^t}
            &&\text{(bias correction)} \\
        \theta_t &= \theta_{t-1} - \alpha\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    With ``amsgrad``, :math:`\hat v_t` uses :math:`v^{\max}_t = \max(v^{\max}_{t-1}, v_t)`
    instead of :math:`v_t`. Weight decay is L2 (added to :math:`g_t`) unless
    ``decoupled_weight_decay`` (that is :class:`AdamW`).

    ``eps_root`` (not in torch; optax's name) adds a number inside the root,
    :math:`\alpha\, \hat m_t / (\sqrt{\hat v_t + \epsilon_{\text{root}}} + \epsilon)`:
    the slides' form :math:`\alpha\, \hat m_t / \sqrt{\hat v_t + 10^{-8}}` is
    ``eps=0.0, eps_root=1e-8``; the default is torch's.

    Parameters
    ----------
    params : iterable of parameters
        Objects with ``.data`` and ``.grad`` float arrays.
    lr : float, default 1e-3
        :math:`\alpha \ge 0`.
    betas : (float, float), default (0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in :math:`[0, 1)`.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`.
    weight_decay : float, default 0
        :math:`\lambda \ge 0`.
    amsgrad : bool, default False
        Use the running maximum of :math:`v_t`.
    maximize : bool, default False
        Ascend instead of descend.
    decoupled_weight_decay : bool, default False
        Decay the weights, :math:`\theta \leftarrow (1-\alpha\lambda)\theta`, instead of adding
        :math:`\lambda\theta` to the gradient.
    eps_root : float, default 0
        :math:`\epsilon_{\text{root}} \ge 0`, added inside the square root.

    Examples
    --------
    Bias correction makes the first step :math:`\alpha\, g/(|g| + \epsilon)`, about
    :math:`\alpha` in size:

    >>> w = Parameter([1.0, 1.0])
    >>> opt = Adam([w], lr=0.1)
    >>> w.grad = np.array([100.0, -0.01])
    >>> opt.step()
    >>> w.data.round(6)
    array([0.9, 1.1])
    >>> opt.state[0].m.round(6).tolist()     # 0.1 g: biased towards zero
    [10.0, -0.001]

    Introduced in chapter 8.
    """

    TORCH_STATE_NAMES = {"t": "step", "m": "exp_avg", "v": "exp_avg_sq", "v_max": "max_exp_avg_sq"}
    elementwise = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False, eps_root: float = 0.0):
        super().__init__(params, lr, weight_decay, maximize)
        self.eps = _check_number(eps, f"Invalid epsilon value: {eps}")
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair of floats, got {betas!r}") from None
        self.betas = (
            _check_number(beta1, f"Invalid beta parameter at index 0: {beta1}", high=1.0),
            _check_number(beta2, f"Invalid beta parameter at index 1: {beta2}", high=1.0),
        )
        self.amsgrad = _flag(amsgrad, "amsgrad")
        self.decoupled_weight_decay = _flag(decoupled_weight_decay, "decoupled_weight_decay")
        self.eps_root = _check_number(eps_root, f"Invalid eps_root value: {eps_root}")

    def init_state(self, p) -> dict:
        state = {"m": _zeros(p), "v": _zeros(p)}
        if self.amsgrad:
            state["v_max"] = _zeros(p)
        return state

    def direction(self, g, s):
        b1, b2 = self.betas
        s.m = b1 * s.m + (1 - b1) * g
        s.v = b2 * s.v + (1 - b2) * g * g
        if self.amsgrad:
            s.v_max = np.maximum(s.v_max, s.v)
        m_hat = s.m / (1 - b1**s.t)
        v_hat = (s.v_max if self.amsgrad else s.v) / (1 - b2**s.t)
        return m_hat / (np.sqrt(v_hat + self.eps_root) + self.eps)


class AdamW(Adam):
    r"""Adam with decoupled weight decay, as :class:`torch.optim.AdamW`.

    Before Adam's step the weights shrink, :math:`\theta \leftarrow (1 - \alpha\lambda)\,\theta`,
    instead of :math:`\lambda\theta` being added to the gradient (so the decay is
    not divided by :math:`\sqrt{\hat v_t}`). Default :math:`\lambda = 10^{-2}`.
    The rest is :class:`Adam`.

    Examples
    --------
    With a zero gradient only the decay acts: :math:`1 - 0.1 \cdot 0.01 = 0.999`.

    >>> w = Parameter([1.0])
    >>> opt = AdamW([w], lr=0.1)
    >>> w.grad = np.array([0.0])
    >>> opt.step()
    >>> w.data
    array([0.999])

    Introduced in chapter 8.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
