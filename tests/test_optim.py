"""lablib.optim against torch.optim: float64, hundreds of steps, every option, rtol 1e-10 after every step."""
import math

import numpy as np
import pytest
import torch

from lablib import optim

STEPS = 250
RTOL = 1e-10
SHAPES = [(3,), (2, 4), (), (4, 1, 2)]


def make_problem(seed=0):
    """Start values, targets and curvatures for a separable non-convex loss on several arrays."""
    rng = np.random.default_rng(seed)
    starts = [rng.normal(size=s) * 2 for s in SHAPES]
    targets = [rng.normal(size=s) for s in SHAPES]
    curv = [rng.uniform(0.2, 3.0, size=s) for s in SHAPES]
    return starts, targets, curv


def gradients(values, targets, curv, sign=1.0, noise=None):
    """Gradient of L = sum 0.5 c (w - t)^2 + 0.1 cos(3 w), times ``sign`` (``-1``: of -L), plus ``noise``.

    The noise stands for mini-batch noise. It keeps the gradients from vanishing: near a
    minimum a gradient is a difference of nearly equal numbers, so two runs whose
    parameters differ in the last bit get gradients that differ in the 7th digit, and
    the update g / sqrt(v) of RMSprop and Adam amplifies that (a property of the
    closed loop, not of either implementation).
    """
    noise = noise or [0.0] * len(values)
    return [sign * (c * (w - t) - 0.3 * np.sin(3 * w)) + n
            for w, t, c, n in zip(values, targets, curv, noise)]


def noise_sequence(steps, seed):
    rng = np.random.default_rng(seed + 1000)
    return [[0.5 * rng.normal(size=s) for s in SHAPES] for _ in range(steps)]


def assert_close(actual, desired, err_msg=""):
    """assert_allclose(rtol=RTOL, atol=0), with a fast path (this runs ~50,000 times)."""
    actual, desired = np.asarray(actual), np.asarray(desired)
    if actual.shape != desired.shape or not np.all(np.abs(actual - desired) <= RTOL * np.abs(desired)):
        np.testing.assert_allclose(actual, desired, rtol=RTOL, atol=0, err_msg=err_msg)


def torch_pair(cls_name):
    return getattr(optim, cls_name), getattr(torch.optim, cls_name)


def run_side_by_side(cls_name, kwargs, steps=STEPS, skip=None, seed=0):
    """Run lablib and torch on the same problem, each computing gradients at its own point.

    ``skip(step, i)`` -> True leaves parameter i without a gradient at that step.
    Checks parameters and state after every step; returns both parameter lists.
    """
    ours_cls, torch_cls = torch_pair(cls_name)
    starts, targets, curv = make_problem(seed)
    sign = -1.0 if kwargs.get("maximize") else 1.0
    ours = [optim.Parameter(w) for w in starts]
    theirs = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in starts]
    opt = ours_cls(ours, **kwargs)
    topt = torch_cls(theirs, **kwargs)
    noise = noise_sequence(steps, seed)
    for step in range(1, steps + 1):
        g_ours = gradients([p.data for p in ours], targets, curv, sign, noise[step - 1])
        g_theirs = gradients([p.detach().numpy() for p in theirs], targets, curv, sign, noise[step - 1])
        opt.zero_grad()
        topt.zero_grad()
        for i, (p, tp) in enumerate(zip(ours, theirs)):
            if skip is not None and skip(step, i):
                p.grad = None
                continue
            p.grad += g_ours[i]
            tp.grad = torch.from_numpy(np.array(g_theirs[i]))
        opt.step()
        topt.step()
        for i, (p, tp) in enumerate(zip(ours, theirs)):
            assert_close(p.data, tp.detach().numpy(), f"{cls_name}{kwargs} parameter {i} at step {step}")
            check_state(opt, topt, i, tp, f"{cls_name}{kwargs} step {step}")
    return ours, theirs


def check_state(opt, topt, i, tp, where):
    tstate = topt.state.get(tp, {})
    ours = opt.state[i]
    if not tstate:              # torch keeps no state here (SGD without momentum)
        return
    for name, tname in type(opt).TORCH_STATE_NAMES.items():
        if tname is None or tname not in tstate or tstate[tname] is None:
            continue
        theirs = tstate[tname]
        theirs = float(theirs) if tname == "step" else theirs.numpy()
        if tname == "step":
            assert ours.t == theirs, f"{where}: step"
        else:
            assert_close(getattr(ours, name), theirs, f"{where}: state {name} (torch {tname}) of parameter {i}")


CONFIGS = [
    ("SGD", {}),                                     # torch's defaults (lr 1e-3)
    ("SGD", {"lr": 0.02}),
    ("SGD", {"lr": 0.02, "momentum": 0.9}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.02, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.02, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.02, "momentum": 0.5, "dampening": 0.1, "weight_decay": 0.05, "maximize": True}),
    ("SGD", {"lr": 0.01, "momentum": 0.95, "nesterov": True, "weight_decay": 0.1, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "eps": 1e-3}),
    ("Adagrad", {"lr": 0.1, "maximize": True}),
    ("Adagrad", {"lr": 0.2, "lr_decay": 0.05, "weight_decay": 0.2, "initial_accumulator_value": 0.1,
                 "eps": 1e-6, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "eps": 1e-4, "maximize": True}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.95, "centered": True, "momentum": 0.5, "weight_decay": 0.1,
                 "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99)}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "eps": 1e-4}),
    ("Adam", {"lr": 0.05, "maximize": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.2, "amsgrad": True, "maximize": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-5, "maximize": True}),
]


@pytest.mark.parametrize("cls_name, kwargs", CONFIGS, ids=[f"{c}-{k}" for c, k in CONFIGS])
def test_matches_torch_every_step(cls_name, kwargs):
    ours, theirs = run_side_by_side(cls_name, kwargs)
    # the run went somewhere: the parameters moved away from their start
    starts, _, _ = make_problem(0)
    moved = max(float(np.max(np.abs(p.data - w))) for p, w in zip(ours, starts))
    assert moved > 1e-3


@pytest.mark.parametrize("cls_name, kwargs", [
    ("SGD", {"lr": 0.02, "momentum": 0.9}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
])
def test_matches_torch_when_some_gradients_are_missing(cls_name, kwargs):
    # parameter 1 has no gradient on every third step: torch skips it and its step count stays
    run_side_by_side(cls_name, kwargs, steps=200, skip=lambda step, i: i == 1 and step % 3 == 0)


def test_velocity_momentum_equals_sgd_momentum_for_constant_lr():
    lr, mu = 0.02, 0.9
    starts, targets, curv = make_problem(1)
    vel = [optim.Parameter(w) for w in starts]
    buf = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in starts]
    ovel = optim.VelocityMomentum(vel, lr=lr, momentum=mu)
    obuf = torch.optim.SGD(buf, lr=lr, momentum=mu)
    noise = noise_sequence(STEPS, 1)
    for step in range(STEPS):
        ovel.zero_grad()
        for p, g in zip(vel, gradients([p.data for p in vel], targets, curv, noise=noise[step])):
            p.grad += g
        for p, g in zip(buf, gradients([p.detach().numpy() for p in buf], targets, curv, noise=noise[step])):
            p.grad = torch.from_numpy(np.array(g))
        ovel.step()
        obuf.step()
        for i, (p, tp) in enumerate(zip(vel, buf)):
            np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=RTOL, atol=0)
            # v_t = lr * b_t
            np.testing.assert_allclose(ovel.state[i].v, lr * obuf.state[tp]["momentum_buffer"].numpy(),
                                       rtol=RTOL, atol=0)


def test_velocity_momentum_differs_from_sgd_when_lr_changes():
    w1, w2 = optim.Parameter([1.0]), optim.Parameter([1.0])
    a, b = optim.VelocityMomentum([w1], lr=0.1, momentum=0.9), optim.SGD([w2], lr=0.1, momentum=0.9)
    for step in range(5):
        if step == 2:
            a.lr = b.lr = 0.01
        for w, o in ((w1, a), (w2, b)):
            o.zero_grad()
            w.grad += 2 * w.data
            o.step()
    assert abs(w1.data[0] - w2.data[0]) > 1e-2


def test_velocity_momentum_first_steps_by_hand():
    w = optim.Parameter([1.0, -2.0])
    opt = optim.VelocityMomentum([w], lr=0.1, momentum=0.5)
    v = np.zeros(2)
    x = np.array([1.0, -2.0])
    for _ in range(10):
        g = 2 * x
        v = 0.5 * v + 0.1 * g
        x = x - v
        opt.zero_grad()
        w.grad += 2 * w.data
        opt.step()
        np.testing.assert_allclose(w.data, x, rtol=1e-14)


def test_defaults_match_torch():
    import inspect

    for name in ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]:
        ours, theirs = torch_pair(name)
        ours_sig = inspect.signature(ours.__init__).parameters
        torch_sig = inspect.signature(theirs.__init__).parameters
        for arg, p in ours_sig.items():
            if arg in ("self", "params", "eps_root"):          # eps_root: optax's, not torch's
                continue
            assert arg in torch_sig, f"{name}: {arg} is not a torch argument"
            assert p.default == torch_sig[arg].default, f"{name}.{arg}: {p.default} vs {torch_sig[arg].default}"
        # a positional call means the same thing in both: our positional arguments are a prefix of torch's
        positional = [a for a, p in ours_sig.items() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        torch_positional = [a for a, p in torch_sig.items() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
        assert positional == torch_positional[:len(positional)], name


# --- Adam with the course's denominator ------------------------------------------------------


def test_adam_eps_root_is_the_course_formula():
    lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
    starts, targets, curv = make_problem(2)
    ps = [optim.Parameter(w) for w in starts]
    opt = optim.Adam(ps, lr=lr, eps=0.0, eps_root=eps)
    xs = [w.copy() for w in starts]
    m = [np.zeros_like(w) for w in starts]
    v = [np.zeros_like(w) for w in starts]
    for t in range(1, STEPS + 1):
        gs = gradients(xs, targets, curv)
        for k, g in enumerate(gs):
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g**2
            xs[k] = xs[k] - lr / np.sqrt(v[k] / (1 - b2**t) + eps) * (m[k] / (1 - b1**t))
        opt.zero_grad()
        for p, g in zip(ps, gradients([p.data for p in ps], targets, curv)):
            p.grad += g
        opt.step()
        for p, x in zip(ps, xs):
            np.testing.assert_allclose(p.data, x, rtol=RTOL, atol=0)


def _slides_adagrad(xs, gs, state, lr, eps):
    """One AdaGrad step as the slides write it: G += g^2, w -= lr / sqrt(G + eps) * g."""
    for k, g in enumerate(gs):
        state[k] = state[k] + g**2
        xs[k] = xs[k] - lr / np.sqrt(state[k] + eps) * g


def _slides_rmsprop(xs, gs, state, lr, eps, gamma=0.9):
    """One RMSprop step as the slides write it: h = gamma h + (1-gamma) g^2, w -= lr / sqrt(h + eps) * g."""
    for k, g in enumerate(gs):
        state[k] = gamma * state[k] + (1 - gamma) * g**2
        xs[k] = xs[k] - lr / np.sqrt(state[k] + eps) * g


@pytest.mark.parametrize("name, slides_step, kwargs", [
    ("Adagrad", _slides_adagrad, {}),
    ("RMSprop", _slides_rmsprop, {"alpha": 0.9}),
])
def test_eps_root_is_the_slides_formula(name, slides_step, kwargs):
    lr, eps = 0.05, 1e-4            # a large eps, so that where it sits matters in every step
    starts, targets, curv = make_problem(3)
    ps = [optim.Parameter(w) for w in starts]
    opt = getattr(optim, name)(ps, lr=lr, eps=0.0, eps_root=eps, **kwargs)
    torch_form = getattr(optim, name)([optim.Parameter(w) for w in starts], lr=lr, eps=eps, **kwargs)
    xs = [w.copy() for w in starts]
    state = [np.zeros_like(w) for w in starts]
    for _ in range(STEPS):
        slides_step(xs, gradients(xs, targets, curv), state, lr, eps)
        for o in (opt, torch_form):
            o.zero_grad()
            for p, g in zip(o.params, gradients([p.data for p in o.params], targets, curv)):
                p.grad += g
            o.step()
        for p, x in zip(ps, xs):
            np.testing.assert_allclose(p.data, x, rtol=RTOL, atol=0)
    gap = max(np.abs(p.data - q.data).max() for p, q in zip(ps, torch_form.params))
    assert gap > 1e-6, f"{name}: eps inside or outside the root made no difference ({gap:.1e})"


def test_rmsprop_centered_eps_root():
    w = optim.Parameter([1.0])
    opt = optim.RMSprop([w], lr=0.1, alpha=0.9, eps=0.0, eps_root=1e-2, centered=True)
    w.grad[:] = 2.0
    opt.step()                      # v = 0.4, g_avg = 0.2, v - g_avg^2 = 0.36
    assert w.data[0] == pytest.approx(1 - 0.1 * 2 / math.sqrt(0.36 + 1e-2), rel=1e-14)


@pytest.mark.parametrize("name", ["Adagrad", "RMSprop", "Adam"])
@pytest.mark.parametrize("bad", [-1e-8, float("nan"), float("inf"), "1e-8", True, None])
def test_eps_root_is_checked_like_eps(name, bad):
    with pytest.raises(ValueError, match=r"^Invalid eps_root value: "):
        getattr(optim, name)([optim.Parameter([1.0])], eps_root=bad)


@pytest.mark.parametrize("name, kwargs, v", [
    ("Adagrad", {}, lambda g: g * g),
    ("RMSprop", {"alpha": 0.9}, lambda g: 0.1 * g * g),
    ("Adam", {}, lambda g: g * g),          # v_hat_1 = g^2
])
def test_eps_root_and_eps_together(name, kwargs, v):
    # denominator sqrt(x + eps_root) + eps, as optax writes it: both numbers count
    g = np.array([3e-3, -0.5, 2.0])
    w = optim.Parameter(np.zeros(3))
    opt = getattr(optim, name)([w], lr=0.1, eps=1e-3, eps_root=1e-4, **kwargs)
    w.grad[:] = g
    opt.step()
    np.testing.assert_allclose(w.data, -0.1 * g / (np.sqrt(v(g) + 1e-4) + 1e-3), rtol=1e-14)
    assert opt.eps_root == 1e-4 and "eps_root=0.0001" in repr(opt)


def test_adam_eps_root_differs_from_torch_by_a_measurable_amount():
    # one step with a small gradient: sqrt(v_hat) = |g| = 1e-3 vs sqrt(g^2 + 1e-8) ~ 1.005e-3
    a, b = optim.Parameter([0.0]), optim.Parameter([0.0])
    oa = optim.Adam([a], lr=0.1)
    ob = optim.Adam([b], lr=0.1, eps=0.0, eps_root=1e-8)
    a.grad[:] = b.grad[:] = 1e-3
    oa.step()
    ob.step()
    assert a.data[0] == pytest.approx(-0.1 * 1e-3 / (1e-3 + 1e-8), rel=1e-14)
    assert b.data[0] == pytest.approx(-0.1 * 1e-3 / math.sqrt(1e-6 + 1e-8), rel=1e-14)
    assert abs(a.data[0] - b.data[0]) > 4e-4


# --- bad hyperparameters: the same ValueError as torch -----------------------------------------

BAD = [
    ("SGD", {"lr": -0.1}),
    ("SGD", {"lr": 0.1, "momentum": -0.5}),
    ("SGD", {"lr": 0.1, "weight_decay": -1.0}),
    ("SGD", {"lr": 0.1, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}),
    ("Adagrad", {"lr": -1.0}),
    ("Adagrad", {"lr_decay": -0.1}),
    ("Adagrad", {"weight_decay": -0.1}),
    ("Adagrad", {"initial_accumulator_value": -0.1}),
    ("Adagrad", {"eps": -1e-10}),
    ("RMSprop", {"lr": -1.0}),
    ("RMSprop", {"eps": -1.0}),
    ("RMSprop", {"momentum": -0.9}),
    ("RMSprop", {"weight_decay": -0.1}),
    ("RMSprop", {"alpha": -0.5}),
    ("Adam", {"lr": -1e-3}),
    ("Adam", {"eps": -1e-8}),
    ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (-0.1, 0.999)}),
    ("Adam", {"betas": (0.9, 1.0)}),
    ("Adam", {"betas": (0.9, 1.5)}),
    ("Adam", {"weight_decay": -0.1}),
    ("AdamW", {"lr": -1e-3}),
    ("AdamW", {"betas": (0.9, 1.0)}),
    ("AdamW", {"weight_decay": -0.01}),
]


@pytest.mark.parametrize("cls_name, kwargs", BAD, ids=[f"{c}-{k}" for c, k in BAD])
def test_bad_hyperparameters_raise_like_torch(cls_name, kwargs):
    ours_cls, torch_cls = torch_pair(cls_name)
    with pytest.raises(ValueError) as theirs:
        torch_cls([torch.zeros(2, dtype=torch.float64, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        ours_cls([optim.Parameter([0.0, 0.0])], **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("cls_name, kwargs, match", [
    ("SGD", {"lr": float("nan")}, "learning rate"),          # torch accepts these silently
    ("SGD", {"lr": float("inf")}, "learning rate"),
    ("Adam", {"eps": float("nan")}, "epsilon"),
    ("Adam", {"betas": (0.9,)}, "betas"),
    ("Adam", {"betas": 0.9}, "betas"),
    ("Adam", {"betas": (0.9, "0.999")}, "beta parameter at index 1"),
    ("RMSprop", {"alpha": float("nan")}, "alpha"),
    ("SGD", {"lr": "0.1"}, "learning rate"),
    ("SGD", {"lr": True}, "learning rate"),
    ("SGD", {"lr": 0.1, "nesterov": 1}, "nesterov"),
    ("RMSprop", {"centered": "yes"}, "centered"),
    ("Adam", {"amsgrad": None}, "amsgrad"),
    ("Adagrad", {"maximize": 1}, "maximize"),
    ("VelocityMomentum", {"lr": -0.1}, "learning rate"),
    ("VelocityMomentum", {"momentum": -0.1}, "momentum"),
])
def test_more_bad_hyperparameters(cls_name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(optim, cls_name)([optim.Parameter([0.0])], **kwargs)


def test_bad_params():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="iterable of parameters.*single Parameter"):
        optim.SGD(optim.Parameter([1.0]), lr=0.1)
    with pytest.raises(ValueError, match="iterable"):
        optim.SGD(3, lr=0.1)
    with pytest.raises(ValueError, match="groups"):
        optim.SGD([{"params": [optim.Parameter([1.0])]}], lr=0.1)
    with pytest.raises(ValueError, match="no .data and .grad"):
        optim.SGD([np.zeros(3)], lr=0.1)
    p = optim.Parameter([1.0])
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([p, p], lr=0.1)
    p.data = np.array([1, 2])
    with pytest.raises(ValueError, match="dtype int"):
        optim.SGD([p], lr=0.1)


def test_gradient_of_the_wrong_shape():
    p = optim.Parameter(np.zeros((2, 3)))
    opt = optim.Adam([p])
    p.grad = np.zeros(3)
    with pytest.raises(ValueError, match=r"shape \(3,\) but the parameter has shape \(2, 3\)"):
        opt.step()


# --- NaN and inf gradients: refused, nothing changed ----------------------------------------------


@pytest.mark.parametrize("cls_name, kwargs", [
    ("SGD", {"lr": 0.02, "momentum": 0.9}),
    ("VelocityMomentum", {"lr": 0.02, "momentum": 0.9}),
    ("Adagrad", {"lr": 0.1}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05}),
])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_gradient_raises_and_changes_nothing(cls_name, kwargs, bad):
    starts, targets, curv = make_problem(3)
    ps = [optim.Parameter(w, name=f"w{k}") for k, w in enumerate(starts)]
    opt = getattr(optim, cls_name)(ps, **kwargs)
    for _ in range(5):
        opt.zero_grad()
        for p, g in zip(ps, gradients([p.data for p in ps], targets, curv)):
            p.grad += g
        opt.step()
    before = [p.data.copy() for p in ps]
    state_before = [{k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(s).items()}
                    for s in opt.state]
    opt.zero_grad()
    for p, g in zip(ps, gradients([p.data for p in ps], targets, curv)):
        p.grad += g
    ps[3].grad[1, 0, 1] = bad                  # the last parameter, so the others would go first
    with pytest.raises(optim.NonFiniteGradientError) as err:
        opt.step()
    assert isinstance(err.value, ValueError)
    assert err.value.index == 3 and err.value.step == 6
    kind = "NaN" if np.isnan(bad) else "inf"
    assert f"parameter 3 ('w3') contains {kind} at step 6" in str(err.value)
    assert opt.step_count == 5
    for p, b in zip(ps, before):
        np.testing.assert_array_equal(p.data, b)
    for s, sb in zip(opt.state, state_before):
        assert s.t == sb["t"] == 5
        for k, v in sb.items():
            np.testing.assert_array_equal(getattr(s, k), v)
    # with the gradient repaired the run goes on as if nothing happened
    ps[3].grad[1, 0, 1] = 0.0
    opt.step()
    assert opt.step_count == 6 and all(s.t == 6 for s in opt.state)


def test_torch_propagates_non_finite_gradients_silently():
    # the behaviour lablib refuses to copy (see the module docstring)
    p = torch.ones(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.1)
    p.grad = torch.tensor([float("nan"), 1.0], dtype=torch.float64)
    opt.step()
    assert torch.isnan(p).any()


def test_error_names_a_value_by_its_label():
    class Value:                       # what lablib.autograd.Value looks like to an optimizer
        def __init__(self, data, label):
            self.data, self.grad, self.label = np.array(data, float), np.zeros(np.shape(data)), label

    v = Value([1.0, 2.0], "W1")
    opt = optim.SGD([v], lr=0.1)
    v.grad[0] = np.nan
    with pytest.raises(optim.NonFiniteGradientError, match=r"parameter 0 \('W1'\) contains NaN at step 1"):
        opt.step()
    v.grad[0] = 1.0
    opt.step()
    np.testing.assert_allclose(v.data, [0.9, 2.0])


# --- the loop ----------------------------------------------------------------------------------------


def test_zero_grad_in_place_or_to_none_and_none_is_skipped():
    p, q = optim.Parameter([1.0, 2.0]), optim.Parameter([3.0])
    opt = optim.Adam([p, q], lr=0.1)
    g = p.grad
    p.grad += 5.0
    opt.zero_grad()
    assert p.grad is g and not p.grad.any()             # same array, zeroed
    opt.zero_grad(set_to_none=True)
    assert p.grad is None and q.grad is None
    q.grad = np.array([1.0])
    opt.step()
    np.testing.assert_array_equal(p.data, [1.0, 2.0])  # no gradient: untouched, no state
    assert opt.state[0] is None and opt.state[1].t == 1
    opt.zero_grad()
    assert isinstance(p.grad, np.ndarray) and p.grad.shape == (2,)
    assert opt.step_count == 1


def test_parameter_copies_to_float64_and_updates_in_place():
    data = np.array([1, 2, 3])
    p = optim.Parameter(data)
    assert p.data.dtype == np.float64 and p.grad.dtype == np.float64
    view = p.data
    opt = optim.SGD([p], lr=0.5)
    p.grad[:] = 1.0
    opt.step()
    assert view is p.data                        # updated in place, like torch's param.add_
    np.testing.assert_array_equal(data, [1, 2, 3])
    np.testing.assert_array_equal(p.data, [0.5, 1.5, 2.5])


def test_hyperparameters_can_change_between_steps_like_a_schedule():
    a = optim.Parameter([1.0])
    t = torch.ones(1, dtype=torch.float64, requires_grad=True)
    oa, ot = optim.Adam([a], lr=0.1), torch.optim.Adam([t], lr=0.1)
    for step in range(50):
        lr = 0.1 * 0.95**step
        oa.lr = lr
        ot.param_groups[0]["lr"] = lr
        a.grad = 2 * a.data
        t.grad = 2 * t.detach().clone()
        oa.step()
        ot.step()
        np.testing.assert_allclose(a.data, t.detach().numpy(), rtol=RTOL)


@pytest.mark.parametrize("cls_name", ["SGD", "Adagrad", "RMSprop", "Adam"])
def test_float32_parameters_stay_float32_and_follow_torch(cls_name):
    kwargs = {"lr": 0.05, "momentum": 0.9} if cls_name in ("SGD", "RMSprop") else {"lr": 0.05}
    rng = np.random.default_rng(5)
    w0 = rng.normal(size=(3, 4)).astype(np.float32)
    p = optim.Parameter(w0)
    p.data = p.data.astype(np.float32)
    p.grad = np.zeros_like(p.data)
    tp = torch.tensor(w0, requires_grad=True)
    opt, topt = getattr(optim, cls_name)([p], **kwargs), getattr(torch.optim, cls_name)([tp], **kwargs)
    for _ in range(50):
        p.grad = (2 * p.data - 1).astype(np.float32)
        tp.grad = 2 * tp.detach() - 1
        opt.step()
        topt.step()
    assert p.data.dtype == np.float32
    assert all(v.dtype == np.float32 for v in vars(opt.state[0]).values() if isinstance(v, np.ndarray))
    np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_repr_and_state_names():
    opt = optim.RMSprop([optim.Parameter([1.0])], lr=0.01, centered=True, momentum=0.9)
    assert repr(opt).startswith("RMSprop(lr=0.01")
    opt.params[0].grad[:] = 1.0
    opt.step()
    assert set(vars(opt.state[0])) == {"t", "v", "g_avg", "b"}
    assert set(vars(opt.state[0])) <= set(optim.RMSprop.TORCH_STATE_NAMES)


# --- large parameters (the piece-by-piece speed path is training.LablibOptimizer's) -----------------

BIG = 2**13 + 123


@pytest.mark.parametrize("cls_name, kwargs", [
    ("SGD", {"lr": 0.02, "momentum": 0.9, "dampening": 0.3}),     # the buffer is created at step 1
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.05}),
])
def test_large_parameters_match_torch(cls_name, kwargs):
    # Among 40,000 values some are near zero (differences of nearly equal numbers), where a
    # relative tolerance alone says nothing; the values are of order 1, so atol 1e-14 is at
    # the rounding level. (The small problems above use rtol 1e-10 alone.)
    def close(ours, theirs, where):
        np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-14, err_msg=where)

    rng = np.random.default_rng(3)
    w0 = rng.normal(size=(5, BIG))
    p = optim.Parameter(w0)
    tp = torch.tensor(w0, requires_grad=True)
    opt, topt = torch_pair(cls_name)[0]([p], **kwargs), torch_pair(cls_name)[1]([tp], **kwargs)
    for step in range(1, 21):
        noise = 0.5 * rng.normal(size=w0.shape)
        p.grad = np.sin(3 * p.data) + noise
        tp.grad = torch.from_numpy(np.sin(3 * tp.detach().numpy()) + noise)
        opt.step()
        topt.step()
        close(p.data, tp.detach().numpy(), f"{cls_name} step {step}")
        tstate = topt.state[tp]
        assert opt.state[0].t == int(tstate.get("step", step))      # (torch's SGD keeps no count)
        for name, tname in type(opt).TORCH_STATE_NAMES.items():
            if tname in tstate and name != "t":
                close(getattr(opt.state[0], name), tstate[tname].numpy(), f"{cls_name} step {step}: {name}")


def test_parameter_is_updated_in_place_and_state_arrays_are_new_each_step():
    p = optim.Parameter(np.ones(BIG))
    opt = optim.Adam([p], lr=0.1)
    p.grad[:] = 1.0
    opt.step()
    m, v, data = opt.state[0].m, opt.state[0].v, p.data
    opt.step()
    assert p.data is data                               # in place, like torch's param.add_
    assert opt.state[0].m is not m and opt.state[0].v is not v
    np.testing.assert_allclose(m, 0.1)                  # what was read after step 1 keeps its value
    np.testing.assert_allclose(opt.state[0].m, 0.19)    # 0.9 * 0.1 + 0.1 * 1


def test_the_optimizers_say_they_are_elementwise():
    # training.LablibOptimizer hands an elementwise optimizer a large tensor in pieces
    assert not optim.Optimizer.elementwise
    assert all(getattr(optim, name).elementwise
               for name in ["SGD", "VelocityMomentum", "Adagrad", "RMSprop", "Adam", "AdamW"])


def test_non_contiguous_and_float32_parameters_of_any_size():
    rng = np.random.default_rng(4)
    base = rng.normal(size=(301, 97))
    holder = optim.Parameter([0.0])
    holder.data = base.T                                  # a transposed view: not C-contiguous
    holder.grad = rng.normal(size=(97, 301))
    ref = optim.Parameter(base.T.copy())
    ref.grad = holder.grad.copy()
    for opt in (optim.Adam([holder], lr=0.1), optim.Adam([ref], lr=0.1)):
        opt.step()
    np.testing.assert_array_equal(holder.data, ref.data)
    np.testing.assert_array_equal(base.T, ref.data)       # the view's memory was updated
    p32 = optim.Parameter([0.0])
    p32.data = np.ones(2 * BIG + 1, dtype=np.float32)
    p32.grad = np.full(p32.data.shape, 2.0)               # float64 gradient: used in float32
    opt = optim.RMSprop([p32], lr=0.01, momentum=0.9)
    opt.step()
    assert p32.data.dtype == np.float32 and all(a.dtype == np.float32 for a in (opt.state[0].v, opt.state[0].b))
    np.testing.assert_allclose(p32.data, 1 - 0.01 * 2 / (np.sqrt(0.01 * 4) + 1e-8), rtol=1e-6)


# --- the cheap NaN/inf check and its exact fallback --------------------------------------------------


@pytest.mark.parametrize("values, finite", [
    ([1.0, -2.0, 3.0], True),
    ([1e308, 1e308, 1e308], True),                 # the sum overflows to inf: the exact check decides
    ([-1e308, -1e308, 5.0], True),
    ([1e308, 1e308, -np.inf], False),
    ([np.inf, -np.inf], False),                    # the sum is NaN
    ([0.0, np.nan, 1.0], False),
    ([], True),
])
def test_all_finite(values, finite):
    assert optim._all_finite(np.array(values, dtype=float)) is finite
    # float32 sums overflow at 3.4e38; same cases in float32's range, as a 2-d array
    values32 = np.array(values, dtype=float) * (3e38 / 1e308)
    assert optim._all_finite(values32.astype(np.float32).reshape(-1, 1)) is finite


def test_huge_finite_gradients_are_accepted_and_applied():
    p = optim.Parameter(np.zeros(4))
    opt = optim.SGD([p], lr=1e-300)
    p.grad = np.full(4, 1e308)                     # their sum overflows; each one is finite
    opt.step()
    np.testing.assert_allclose(p.data, -1e8)


def test_data_that_is_not_a_writeable_array_is_refused_before_any_change():
    p, q = optim.Parameter([1.0, 2.0]), optim.Parameter([3.0])
    opt = optim.Adam([p, q], lr=0.1)
    p.grad[:] = q.grad[:] = 1.0
    q.data = np.broadcast_to(np.array([3.0]), (1,))         # read-only
    with pytest.raises(ValueError, match=r"parameter 1's .data is not a writeable NumPy array"):
        opt.step()
    assert opt.step_count == 0 and opt.state == [None, None]
    np.testing.assert_array_equal(p.data, [1.0, 2.0])
    q.data = 3.0
    with pytest.raises(ValueError, match=r"parameter 1's .data is not a writeable NumPy array \(float\)"):
        opt.step()
