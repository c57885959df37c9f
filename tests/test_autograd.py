"""lablib.autograd: random expressions against torch.autograd (float64, rtol 1e-10), a 100,000-node
chain, backward twice, the course's numbers, training, use as an optimizer parameter, and bad input."""
import gc
import inspect
import sys

import numpy as np
import pytest
import torch

from lablib.autograd import Value, as_value, cross_entropy, maximum, topological_order, zero_grad

RTOL, ATOL = 1e-10, 1e-12


def close(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=RTOL, atol=ATOL)


def leaf(data, label=""):
    """The same leaf in both engines."""
    data = np.asarray(data, dtype=np.float64)
    return Value(data, label=label), torch.tensor(data, dtype=torch.float64, requires_grad=True)


def backward_like_torch(out, leaves, rng=None):
    """Check the output pair (lablib, torch) agrees, backward both, check every leaf pair's gradient agrees.

    With ``rng``, both backward passes start from the same random seed gradient (any output shape);
    without, from 1 (a single number). A leaf torch gave no gradient (not on the output's path) must
    have zeros. Returns the lablib output.
    """
    out, out_t = out
    assert out.shape == tuple(out_t.shape)
    close(out.data, out_t.detach().numpy())
    if rng is None:
        out.backward()
        out_t.backward()
    else:
        seed = rng.normal(size=out.shape)
        out.backward(seed)
        out_t.backward(torch.from_numpy(seed))
    for v, t in leaves:
        assert v.grad.shape == v.data.shape and v.grad.dtype == np.float64
        close(v.grad, t.grad.numpy() if t.grad is not None else np.zeros(v.shape))
    return out


# ------------------------------------------------------------------------------------------
# random expressions built from every operator, mirrored in torch
# ------------------------------------------------------------------------------------------
BROADCAST_SHAPES = [(), (3,), (1, 3), (2, 1), (2, 3), (4, 1, 3)]   # any two of these broadcast


def broadcastable(s1, s2):
    try:
        np.broadcast_shapes(s1, s2)
        return True
    except ValueError:
        return False


def positive(pair):
    """A strictly positive function of a pair (so log, division and powers are defined)."""
    v, t = pair
    return v * v + 0.5, t * t + 0.5


def _unary_ops(rng):
    p = float(rng.choice([2.0, 3.0, -1.0, 0.5, 1.5, 0.0]))
    axis_choice = rng.integers(0, 10**6)
    keep = bool(rng.integers(0, 2))

    def reduce(name):
        def op(pair):
            v, t = pair
            if v.ndim == 0:
                axis = None
            else:
                axis = int(axis_choice % (v.ndim + 1)) - 1       # -1 .. ndim-1, -1 meaning "all"
                axis = None if axis == -1 else axis
            torch_fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax}[name]
            if axis is None:
                tt = torch_fn(t) if name != "max" else torch.amax(t, dim=tuple(range(t.ndim)), keepdim=keep)
                if name != "max" and keep:
                    tt = tt.reshape((1,) * t.ndim)
                return getattr(v, name)(axis=None, keepdims=keep), tt
            return getattr(v, name)(axis=axis, keepdims=keep), torch_fn(t, dim=axis, keepdim=keep)
        return op

    def power(pair):
        v, t = pair
        if p.is_integer() and p >= 0:
            return v ** p, t ** p
        v, t = positive((v, t))
        return v ** p, t ** p

    const = float(rng.normal())
    return {
        "neg": lambda pr: (-pr[0], -pr[1]),
        "exp": lambda pr: (pr[0].exp(), torch.exp(pr[1])),
        "log": lambda pr: (lambda q: (q[0].log(), torch.log(q[1])))(positive(pr)),
        "tanh": lambda pr: (pr[0].tanh(), torch.tanh(pr[1])),
        "sigmoid": lambda pr: (pr[0].sigmoid(), torch.sigmoid(pr[1])),
        "relu": lambda pr: (pr[0].relu(), torch.relu(pr[1])),
        "pow_const": power,
        "sum": reduce("sum"),
        "mean": reduce("mean"),
        "max": reduce("max"),
        "radd": lambda pr: (const + pr[0], const + pr[1]),
        "rsub": lambda pr: (const - pr[0], const - pr[1]),
        "rmul": lambda pr: (const * pr[0], const * pr[1]),
        "rtruediv": lambda pr: (lambda q: (const / q[0], const / q[1]))(positive(pr)),
        "rpow": lambda pr: (1.7 ** pr[0], 1.7 ** pr[1]),
    }


def _binary_ops():
    def div(a, b):
        bb = positive(b)
        return a[0] / bb[0], a[1] / bb[1]

    def pow_value(a, b):
        aa = positive(a)
        return aa[0] ** b[0], aa[1] ** b[1]

    return {
        "add": lambda a, b: (a[0] + b[0], a[1] + b[1]),
        "sub": lambda a, b: (a[0] - b[0], a[1] - b[1]),
        "mul": lambda a, b: (a[0] * b[0], a[1] * b[1]),
        "div": div,
        "pow_value": pow_value,
        "maximum": lambda a, b: (maximum(a[0], b[0]), torch.maximum(a[1], b[1])),
    }


def _matmul(rng, pair, leaves):
    """pair @ W for a new leaf W, W @ pair, or a constant array @ pair (torch's matmul rules)."""
    v, t = pair
    if v.ndim == 0:
        return None
    kind = rng.integers(0, 4)
    if kind == 0:                                   # (..., n) @ (n,) or (n, m)
        shape = (v.shape[-1],) if rng.integers(0, 2) else (v.shape[-1], int(rng.integers(1, 4)))
        w = leaf(rng.normal(size=shape))
        leaves.append(w)
        return v @ w[0], t @ w[1]
    if kind == 1 and v.ndim >= 2:                   # (m, k) @ (..., k, n): broadcast over batch axes
        w = leaf(rng.normal(size=(int(rng.integers(1, 4)), v.shape[-2])))
        leaves.append(w)
        return w[0] @ v, w[1] @ t
    if kind == 2:                                   # (k,) @ (..., k, n) or (k,) @ (k,)
        n = v.shape[-2] if v.ndim >= 2 else v.shape[0]
        w = leaf(rng.normal(size=(n,)))
        leaves.append(w)
        return w[0] @ v, w[1] @ t
    c = rng.normal(size=(2, v.shape[-2] if v.ndim >= 2 else v.shape[0]))   # a constant on the left
    return c @ v, torch.from_numpy(c) @ t


def random_expression(seed: int, used: set):
    """A random graph over leaves of broadcastable shapes; returns (output pair, leaves)."""
    rng = np.random.default_rng(seed)
    leaves = [leaf(rng.normal(size=BROADCAST_SHAPES[rng.integers(len(BROADCAST_SHAPES))]), f"x{i}")
              for i in range(int(rng.integers(2, 5)))]
    pool = list(leaves)
    binary = _binary_ops()
    for _ in range(int(rng.integers(4, 10))):
        unary = _unary_ops(rng)
        r = rng.random()
        a = pool[int(rng.integers(len(pool)))]
        if r < 0.45:
            name = str(rng.choice(sorted(unary)))
            out = unary[name](a)
        elif r < 0.9:
            name = str(rng.choice(sorted(binary)))
            partners = [p for p in pool if broadcastable(a[0].shape, p[0].shape)]   # a itself at least
            b = partners[int(rng.integers(len(partners)))]
            if rng.random() < 0.3:                    # sometimes a fresh leaf of another shape
                shape = BROADCAST_SHAPES[rng.integers(len(BROADCAST_SHAPES))]
                b = leaf(rng.normal(size=shape if broadcastable(a[0].shape, shape) else ()))
                leaves.append(b)
            out = binary[name](a, b)
        else:
            name = "matmul"
            out = _matmul(rng, a, leaves)
            if out is None:
                continue
        if np.max(np.abs(out[0].data), initial=0) > 30:   # keep the numbers moderate
            out = (out[0].tanh(), torch.tanh(out[1]))
        used.add(name)
        pool.append(out)
    # combine the last result with another one, so that gradients flow along several paths
    other = pool[int(rng.integers(len(pool)))]
    last = pool[-1]
    return (last[0].sum() + (other[0] * other[0]).mean(), last[1].sum() + (other[1] * other[1]).mean()), leaves


ALL_OPS = {"neg", "exp", "log", "tanh", "sigmoid", "relu", "pow_const", "sum", "mean", "max", "radd", "rsub",
           "rmul", "rtruediv", "rpow", "add", "sub", "mul", "div", "pow_value", "maximum", "matmul"}


@pytest.mark.parametrize("chunk", range(8))
def test_random_expressions_match_torch_autograd(chunk):
    used = set()
    for seed in range(chunk * 40, chunk * 40 + 40):
        backward_like_torch(*random_expression(seed, used))
    assert used == ALL_OPS, f"operators not exercised: {ALL_OPS - used}"


def test_random_expression_with_a_seed_gradient_matches_torch():
    rng = np.random.default_rng(7)
    for seed in range(400, 430):
        rng_e = np.random.default_rng(seed)
        a, b = leaf(rng_e.normal(size=(4, 1, 3))), leaf(rng_e.normal(size=(2, 3)))
        out = (a[0] * b[0]).tanh() - b[0].exp().sum(axis=0, keepdims=True)
        out_t = (a[1] * b[1]).tanh() - b[1].exp().sum(dim=0, keepdim=True)
        backward_like_torch((out, out_t), [a, b], rng)


# ------------------------------------------------------------------------------------------
# every operator on its own, with broadcasting
# ------------------------------------------------------------------------------------------
CASES = {
    "add": (lambda a, b: a + b), "sub": (lambda a, b: a - b), "mul": (lambda a, b: a * b),
    "div": (lambda a, b: a / b), "pow": (lambda a, b: a ** b),
    "maximum": (lambda a, b: maximum(a, b) if isinstance(a, Value) else torch.maximum(a, b)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("shapes", [((2, 3), (3,)), ((4, 1, 3), (2, 1)), ((), (2, 3)), ((1, 3), (1, 3))])
def test_each_binary_operator_broadcasts_like_torch(name, shapes):
    rng = np.random.default_rng(abs(hash((name, shapes))) % 2**32)
    a = leaf(rng.uniform(0.5, 2.0, size=shapes[0]))          # positive: a ** b and a / b are defined
    b = leaf(rng.uniform(-1.5, 1.5, size=shapes[1]) + (2.0 if name == "div" else 0.0))
    backward_like_torch((CASES[name](a[0], b[0]), CASES[name](a[1], b[1])), [a, b], rng)


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                                    ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2))])
def test_matmul_every_shape_rule_like_torch(shapes):
    rng = np.random.default_rng(len(shapes[0]) * 10 + len(shapes[1]))
    a, b = leaf(rng.normal(size=shapes[0])), leaf(rng.normal(size=shapes[1]))
    backward_like_torch((a[0] @ b[0], a[1] @ b[1]), [a, b], rng)


@pytest.mark.parametrize("name", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_like_torch(name, axis, keepdims):
    rng = np.random.default_rng(3)
    a = leaf(rng.normal(size=(2, 3, 4)))
    out = getattr(a[0], name)(axis=axis, keepdims=keepdims)
    dims = tuple(range(3)) if axis is None else axis
    fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax}[name]
    backward_like_torch((out, fn(a[1], dim=dims, keepdim=keepdims)), [a], rng)


def test_ties_share_the_gradient_like_torch():
    # max of a vector with a tied maximum, and elementwise maximum at ties: torch splits evenly
    a = leaf([1.0, 3.0, 3.0, -2.0])
    backward_like_torch((a[0].max(), torch.amax(a[1])), [a])
    np.testing.assert_array_equal(a[0].grad, [0.0, 0.5, 0.5, 0.0])
    x, y = leaf([1.0, 2.0, 5.0]), leaf([1.0, 3.0, 4.0])
    backward_like_torch((maximum(x[0], y[0]).sum(), torch.maximum(x[1], y[1]).sum()), [x, y])
    np.testing.assert_array_equal(x[0].grad, [0.5, 0.0, 1.0])


def test_relu_at_zero_and_pow_edge_cases_like_torch():
    a = leaf([-1.0, 0.0, 2.0])
    backward_like_torch(((a[0].relu() + a[0] ** 0 + a[0] ** 2).sum(),
                         (torch.relu(a[1]) + a[1] ** 0 + a[1] ** 2).sum()), [a])
    np.testing.assert_array_equal(a[0].grad, [-2.0, 0.0, 5.0])


def test_sigmoid_is_stable_for_large_inputs():
    a = leaf([-800.0, -30.0, 0.0, 30.0, 800.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # underflow to 0 is fine
        s = a[0].sigmoid()
    close(s.data, torch.sigmoid(a[1]).detach().numpy())
    backward_like_torch((s.sum(), torch.sigmoid(a[1]).sum()), [a])


def test_numpy_operands_on_either_side():
    x = Value([1.0, 2.0])
    for out in (np.array([2.0, 3.0]) * x, np.float64(2.0) * x, x * np.array([2.0, 3.0]), 2 * x, [2.0, 3.0] * x):
        assert isinstance(out, Value)
    y = np.array([[1.0, 2.0]]) @ Value([[1.0], [1.0]])
    assert isinstance(y, Value) and y.shape == (1, 1) and float(y.data[0, 0]) == 3.0


# ------------------------------------------------------------------------------------------
# a new operation, written as the module's notes say ("Adding an operation")
# ------------------------------------------------------------------------------------------
def softsign(x):
    """x / (1 + |x|), tanh-like; local gradient 1 / (1 + |x|)^2."""
    a = x.data
    return Value.from_op(a / (1 + np.abs(a)), (x,), "softsign", lambda g: (g / (1 + np.abs(a)) ** 2,))


def logaddexp(x, y):
    """log(e^x + e^y), broadcasting; local gradients e^x / (e^x + e^y) and e^y / (e^x + e^y)."""
    x, y = as_value(x), as_value(y)
    a, b = x.data, y.data
    out = np.logaddexp(a, b)

    def backward(g):
        return (None if x.is_constant else g * np.exp(a - out),
                None if y.is_constant else g * np.exp(b - out))
    return Value.from_op(out, (x, y), "logaddexp", backward)


@pytest.mark.parametrize("shapes", [((), ()), ((2, 3), (3,)), ((4, 1, 3), (2, 1))])
def test_an_operation_added_by_the_documented_pattern_matches_torch(shapes):
    rng = np.random.default_rng(11)
    x, y = leaf(3 * rng.normal(size=shapes[0])), leaf(3 * rng.normal(size=shapes[1]))
    out = softsign(logaddexp(x[0], y[0]) * y[0])
    out_t = torch.nn.functional.softsign(torch.logaddexp(x[1], y[1]) * y[1])
    assert out.op == "softsign" and out.inputs[0].inputs[0].op == "logaddexp"
    backward_like_torch((out, out_t), [x, y], rng)
    z = leaf(rng.normal(size=shapes[0]))         # with a number: a constant, given no gradient
    backward_like_torch((logaddexp(z[0], 0.5).sum(), torch.logaddexp(z[1], torch.tensor(0.5)).sum()), [z])
    assert logaddexp(0.5, z[0]).inputs[0].is_constant


@pytest.mark.parametrize("closure, message", [
    (lambda g: g, "returned an object of type ndarray"),                            # not a tuple
    (lambda g: (g, g), "returned 2 gradients"),                      # one too many
    (lambda g: (None,), "gradient of None for an input"),            # None for a Value that needs one
    (lambda g: (np.ones(4),), r"gradient of shape \(4,\) for an input of shape \(3,\)"),
])
def test_a_closure_that_breaks_the_contract_is_refused_with_a_message(closure, message):
    x = Value(np.ones(3))
    out = Value.from_op(np.exp(x.data), (x,), "bad", closure)
    with pytest.raises(ValueError, match=message):
        out.backward(np.ones(3))


def test_as_value_passes_values_and_makes_constants():
    x = Value([1.0, 2.0])
    assert as_value(x) is x and not x.is_constant
    for number in (2, 2.0, np.float64(2.0), [2.0, 3.0], np.ones((2, 1))):
        c = as_value(number)
        assert isinstance(c, Value) and c.is_constant and c.is_leaf and c.data.dtype == np.float64
    assert as_value(2).label == "2" and as_value([2.0, 3.0]).label == ""
    with pytest.raises(ValueError, match="cannot combine"):
        as_value("2")


# ------------------------------------------------------------------------------------------
# the course's numbers
# ------------------------------------------------------------------------------------------
def test_course_circuit_minus2_5_minus4():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    f = q * z
    f.backward()
    assert f.item() == -12.0 and q.item() == 3.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)
    assert q.grad == -4.0 and f.grad == 1.0
    xt, yt, zt = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    ft = (xt + yt) * zt
    ft.backward()
    assert [t.grad.item() for t in (xt, yt, zt)] == [float(x.grad), float(y.grad), float(z.grad)]


def test_sigmoid_neuron_course_numbers_and_single_gate():
    w0, x0, w1, x1, w2 = (Value(v) for v in (2.0, -1.0, -3.0, -2.0, -3.0))
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    f.backward()
    assert abs(f.item() - 0.7310585786300049) < 1e-15
    np.testing.assert_allclose([w0.grad, w1.grad, w2.grad], [-0.19661193, -0.39322387, 0.19661193], atol=1e-8)
    np.testing.assert_allclose([x0.grad, x1.grad], [0.39322387, -0.58983580], atol=1e-8)
    grads_long = [float(v.grad) for v in (w0, x0, w1, x1, w2)]
    zero_grad([w0, x0, w1, x1, w2])
    g = (w0 * x0 + w1 * x1 + w2).sigmoid()
    g.backward()
    close([float(v.grad) for v in (w0, x0, w1, x1, w2)], grads_long)
    assert len(topological_order(g)) < len(topological_order(f))


def test_backward_flow_patterns_example():
    x, y, z, w = Value(3.0), Value(-4.0), Value(2.0), Value(-1.0)
    f = 2 * (x * y + maximum(z, w))
    f.backward()
    assert f.item() == -20.0
    assert [float(v.grad) for v in (x, y, z, w)] == [-8.0, 6.0, 2.0, 0.0]


def test_gradients_add_up_at_forks():
    x = leaf(1.7)
    backward_like_torch((x[0] * x[0] + x[0].exp() * x[0], x[1] * x[1] + torch.exp(x[1]) * x[1]), [x])
    close(x[0].grad, 2 * 1.7 + np.exp(1.7) * (1 + 1.7))


# ------------------------------------------------------------------------------------------
# a long chain, backward twice, zero_grad
# ------------------------------------------------------------------------------------------
def test_chain_of_100_000_nodes_without_recursion():
    n = 100_000
    x = Value(0.7)
    v = x
    for _ in range(n // 2):                  # two operations per round: 100,000 gates
        v = (v * 1.00001).tanh()
    order = topological_order(v)
    assert sum(not node.is_leaf for node in order) == n     # 100,000 gates (plus x and the constants)
    depth = len(inspect.stack())
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 60)        # far below 100,000: backward must not recurse
    try:
        v.backward()
    finally:
        sys.setrecursionlimit(old)
    # the chain rule by hand: the product of the 100,000 local gradients
    value, grad = 0.7, 1.0
    for _ in range(n // 2):
        value = np.tanh(value * 1.00001)
        grad *= 1.00001 * (1 - value * value)
    close(v.data, value)
    close(x.grad, grad)
    assert 1e-9 < grad < 1e-3                # small, but far from underflow: a meaningful check
    del v, order
    gc.collect()                             # freeing the long graph must not crash either


def test_backward_twice_accumulates_in_leaves_like_torch():
    a, b = leaf([1.0, -2.0, 0.5]), leaf(0.3)
    mid = (a[0] * b[0]).tanh()
    out = (mid * mid).sum()
    mid_t = torch.tanh(a[1] * b[1])
    out_t = (mid_t * mid_t).sum()
    out.backward()
    once_a, once_b, once_mid = a[0].grad.copy(), b[0].grad.copy(), mid.grad.copy()
    out.backward()                           # torch needs retain_graph=True for this; we keep the graph
    out_t.backward(retain_graph=True)
    out_t.backward()
    close(a[0].grad, a[1].grad.numpy())
    close(b[0].grad, b[1].grad.numpy())
    close(a[0].grad, 2 * once_a)             # exactly twice, not more
    close(b[0].grad, 2 * once_b)
    close(mid.grad, once_mid)                # intermediate results show the latest pass
    assert out.grad == 1.0
    zero_grad([a[0], b[0]])
    out.backward()
    close(a[0].grad, once_a)


def test_two_outputs_sharing_a_graph_accumulate_like_torch():
    a = leaf([0.5, -1.5])
    h = a[0].exp()
    l1, l2 = h.sum(), (h * a[0]).mean()
    l1.backward()
    l2.backward()
    ht = torch.exp(a[1])
    ht.sum().backward(retain_graph=True)
    (ht * a[1]).mean().backward()
    close(a[0].grad, a[1].grad.numpy())


# ------------------------------------------------------------------------------------------
# what the fast paths must not change (single numbers are NumPy scalars inside, gradients are
# made when first needed): 0-d float64 arrays handed out, updated in place, owned by one Value
# ------------------------------------------------------------------------------------------
def test_single_numbers_are_handed_out_as_float64_0d_arrays():
    x = Value(2.0)
    y = x * 3.0 + 1.0
    for v in (x, y):
        for arr in (v.data, v.grad):
            assert type(arr) is np.ndarray and arr.shape == () and arr.dtype == np.float64
        assert v.data is v.data and v.grad is v.grad          # the same array on every read
        assert v.grad == 0.0                                  # zeros before backward()
    y.backward()
    for v in (x, y):
        assert type(v.grad) is np.ndarray and v.grad.shape == () and v.grad.dtype == np.float64
    assert float(x.grad) == 3.0 and float(y.grad) == 1.0 and y.item() == 7.0


def test_arrays_handed_out_are_updated_in_place():
    w = Value(1.5)
    loss = w * w
    held_data, held_grad = w.data, w.grad
    loss.backward()
    assert w.grad is held_grad and float(held_grad) == 3.0    # accumulated into the array read before
    loss.backward()
    assert w.grad is held_grad and float(held_grad) == 6.0
    held_data -= 0.5                                          # an update through the array read before ...
    assert w.item() == 1.0 and (w * w).item() == 1.0          # ... is what the next forward pass uses
    w.zero_grad()
    assert w.grad is held_grad and float(held_grad) == 0.0


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_no_two_values_share_a_gradient_array(shape):
    u, v = Value(np.full(shape, 2.0)), Value(np.full(shape, 3.0))
    a, b = u * 1.0, v * 1.0
    c = a + b                        # + hands its upstream gradient on, unchanged, to a and b
    d = u + v                        # ... and here to two leaves
    out = (c * d).sum()
    out.backward()
    values = [u, v, a, b, c, d]
    for i, p in enumerate(values):
        for q in values[i + 1:]:
            assert not np.shares_memory(p.grad, q.grad)
    close(a.grad, np.full(shape, 5.0))
    close(u.grad, np.full(shape, 10.0))
    u.grad += 100.0                  # changing one gradient leaves the others alone
    close(v.grad, np.full(shape, 10.0))
    close(a.grad, np.full(shape, 5.0))
    out.backward()
    close(u.grad, np.full(shape, 120.0))
    close(v.grad, np.full(shape, 20.0))


@pytest.mark.parametrize("shape", [(), (3,)])
def test_gradients_nobody_read_between_passes_stay_right(shape):
    def pair():
        u, v = Value(np.full(shape, 2.0)), Value(np.full(shape, 3.0))
        s = u + v
        return u, v, (s * s).sum()   # d out / d u = d out / d v = 2 (u + v) = 10

    u, v, out = pair()
    out.backward()                   # + gave u and v the same upstream gradient; nobody reads it
    out.backward()
    close(u.grad, np.full(shape, 20.0))
    close(v.grad, np.full(shape, 20.0))
    u, v, out = pair()
    out.backward()
    u.zero_grad()                    # zeroes u's gradient only
    close(v.grad, np.full(shape, 10.0))
    out.backward()
    close(u.grad, np.full(shape, 10.0))
    close(v.grad, np.full(shape, 20.0))


def test_intermediate_gradients_are_zero_arrays_until_backward():
    x = Value([1.0, 2.0])
    mid = x.exp()
    assert type(mid.grad) is np.ndarray and mid.grad.shape == (2,) and not mid.grad.any()
    mid.sum().backward()
    close(mid.grad, [1.0, 1.0])
    close(x.grad, np.exp([1.0, 2.0]))


def test_matmul_with_a_numpy_operand_like_torch_data_without_requires_grad():
    rng = np.random.default_rng(3)
    X, W0, G = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    W = Value(W0)
    out = X @ W                      # X is data: a constant, and no gradient is computed for it
    out.backward(G)
    Wt = torch.tensor(W0, requires_grad=True)
    (torch.from_numpy(X) @ Wt).backward(torch.from_numpy(G))
    close(W.grad, Wt.grad.numpy())
    const = out.inputs[0]
    assert const.is_constant and const.grad.shape == (5, 4) and not const.grad.any()
    V = Value(X)
    (V @ W0).backward(G)             # a constant on the right
    close(V.grad, G @ W0.T)


def test_topological_order_lists_each_node_once_after_its_inputs():
    x = Value(1.0, "x")
    a = x * x
    b = a + x
    c = a * b
    d = (c + a) * (b + x * c)
    order = topological_order(d)
    position = {id(v): i for i, v in enumerate(order)}
    assert len(position) == len(order) == 8 and order[0] is x and order[-1] is d
    for v in order:
        for inp in v.inputs:
            assert position[id(inp)] < position[id(v)]


def test_backward_leaves_nothing_for_the_garbage_collector():
    # Tracing a large graph for reference cycles costs as much as the backward pass itself, so
    # backward() must not create objects per node that outlive a step (e.g. tuples on its stack).
    x = Value(0.5)
    v = x
    for _ in range(10_000):
        v = v * 1.0001 + 1e-6
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()
    gc.callbacks.append(count)
    try:
        v.backward()
    finally:
        gc.callbacks.remove(count)
    assert collections == []
    assert 1.0 < float(x.grad) < 10.0


# ------------------------------------------------------------------------------------------
# works with optimizers, trains a network
# ------------------------------------------------------------------------------------------
def test_value_is_a_parameter_for_optimizers():
    w = Value(3.0)
    assert isinstance(w.data, np.ndarray) and w.data.shape == () and w.data.dtype == np.float64
    assert isinstance(w.grad, np.ndarray) and w.grad.shape == () and w.grad.dtype == np.float64
    for _ in range(100):                     # a plain update loop on (w - 1)^2
        w.zero_grad()
        ((w - 1.0) ** 2).backward()
        w.data -= 0.1 * w.grad              # in place, as optimizers do
    assert abs(w.item() - 1.0) < 1e-8
    w.data = w.data - 1.0                   # assignment keeps a float64 array
    assert isinstance(w.data, np.ndarray) and w.data.dtype == np.float64
    w.grad = None                           # torch-style zero_grad(set_to_none=True)
    (w * 2.0).backward()
    assert w.grad == 2.0


def test_value_with_lablib_optim_matches_torch_optim():
    optim = pytest.importorskip("lablib.optim")
    if not hasattr(optim, "SGD"):
        pytest.skip("lablib.optim has no SGD yet")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    w, wt = leaf(rng.normal(size=3))
    b, bt = leaf(0.0)
    opt = optim.SGD([w, b], lr=0.05, momentum=0.9)
    opt_t = torch.optim.SGD([wt, bt], lr=0.05, momentum=0.9)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(100):
        opt.zero_grad()
        (((X @ w + b) - y) ** 2).mean().backward()
        opt.step()
        opt_t.zero_grad()
        (((Xt @ wt + bt) - yt) ** 2).mean().backward()
        opt_t.step()
    close(w.data, wt.detach().numpy())
    close(b.data, bt.detach().numpy())


def test_cross_entropy_matches_torch_and_is_stable():
    rng = np.random.default_rng(5)
    for scale in (1.0, 1000.0):
        s = leaf(scale * rng.normal(size=(6, 4)))
        y = rng.integers(0, 4, size=6)
        L = backward_like_torch((cross_entropy(s[0], y),
                                 torch.nn.functional.cross_entropy(s[1], torch.from_numpy(y))), [s])
        assert np.isfinite(L.item())


def test_two_layer_network_training_matches_torch():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(60, 2)), rng.integers(0, 3, size=60)
    params = [leaf(0.5 * rng.normal(size=(2, 16))), leaf(np.zeros(16)),
              leaf(0.5 * rng.normal(size=(16, 3))), leaf(np.zeros(3))]
    (W1, W1t), (b1, b1t), (W2, W2t), (b2, b2t) = params
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    losses, losses_t = [], []
    for _ in range(60):
        loss = cross_entropy((X @ W1 + b1).relu() @ W2 + b2, y)
        zero_grad([W1, b1, W2, b2])
        loss.backward()
        for p in (W1, b1, W2, b2):
            p.data -= 0.5 * p.grad
        losses.append(loss.item())
        loss_t = torch.nn.functional.cross_entropy(torch.relu(Xt @ W1t + b1t) @ W2t + b2t, yt)
        for p in (W1t, b1t, W2t, b2t):
            p.grad = None
        loss_t.backward()
        with torch.no_grad():
            for p in (W1t, b1t, W2t, b2t):
                p -= 0.5 * p.grad
        losses_t.append(loss_t.item())
    close(losses, losses_t)
    for p, pt in params:
        close(p.data, pt.detach().numpy())
    assert losses[-1] < 0.7 * losses[0]


# ------------------------------------------------------------------------------------------
# bookkeeping kept for drawing; constants
# ------------------------------------------------------------------------------------------
def test_labels_op_names_inputs_and_constants():
    x = Value(2.0, label="x")
    f = (x * 3 + 1).exp()
    assert f.op == "exp" and f.inputs[0].op == "+" and f.inputs[0].inputs[0].op == "*"
    const = f.inputs[0].inputs[1]
    assert const.is_constant and const.label == "1" and const.is_leaf and not f.is_leaf
    f.backward()
    assert const.grad == 0.0                # numbers written into an expression get no gradient
    close(x.grad, 3 * np.exp(7.0))
    assert repr(x) == "Value(2.0, label='x')" and repr(f).startswith("Value(1096.63") and "op='exp'" in repr(f)
    assert [v.label for v in topological_order(x * x)] == ["x", ""]


def test_data_is_copied_and_kept_float64():
    arr = np.array([1, 2, 3])
    v = Value(arr)
    arr[0] = 100
    assert v.data.dtype == np.float64 and v.data[0] == 1.0
    assert Value(True).data == 1.0


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: Value("3.0"), lambda: Value(None), lambda: Value(1 + 2j), lambda: Value([1.0, "a"]),
    lambda: Value([[1.0, 2.0], [3.0]]), lambda: Value({"a": 1}), lambda: Value(Value(1.0)),
    lambda: Value(1.0, label=3),
], ids=["string", "None", "complex", "mixed", "ragged", "dict", "Value", "label"])
def test_bad_data_is_refused(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**", "max"])
def test_incompatible_shapes_are_refused(op):
    a, b = Value(np.ones((2, 3))), Value(np.ones((4,)))
    fn = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
          "**": lambda: a ** b, "max": lambda: maximum(a, b)}[op]
    with pytest.raises(ValueError, match=r"cannot broadcast shapes \(2, 3\) and \(4,\)"):
        fn()


@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((3,), (4,)), ((), (3,)), ((2, 3, 4), (5, 4, 2))])
def test_matmul_shape_errors(shapes):
    with pytest.raises(ValueError, match="@"):
        Value(np.ones(shapes[0])) @ Value(np.ones(shapes[1]))


def test_backward_needs_a_scalar_or_a_gradient_of_the_right_shape():
    v = Value([1.0, 2.0]) * 2
    with pytest.raises(ValueError, match=r"single number.*shape \(2,\)"):
        v.backward()
    with pytest.raises(ValueError, match=r"shape \(2,\).*got shape \(3,\)"):
        v.backward(np.ones(3))
    with pytest.raises(ValueError):
        v.backward("ones")
    Value([[3.0]]).backward()               # one number in any shape is fine, as in torch


@pytest.mark.parametrize("make, message", [
    (lambda: Value([1.0, 0.0]).log(), "log of a non-positive"),
    (lambda: Value(-1.0).log(), "log of a non-positive"),
    (lambda: Value(1.0) / Value([2.0, 0.0]), "division by zero"),
    (lambda: 1.0 / Value(0.0), "division by zero"),
    (lambda: Value(-2.0) ** 0.5, "negative number"),
    (lambda: Value(0.0) ** -1, "infinite"),
    (lambda: Value(-2.0) ** Value(2.0), "base a > 0"),
    (lambda: Value(2.0) ** [1.0, 2.0], "single number"),
    (lambda: Value(2.0) + "a", "cannot combine"),
    (lambda: Value(2.0) * None, "cannot combine"),
    (lambda: maximum(1.0, 2.0), "at least one Value"),
    (lambda: Value(np.ones((2, 3))).sum(axis=2), "out of range"),
    (lambda: Value(np.ones((2, 3))).mean(axis=(0, 0)), "twice"),
    (lambda: Value(np.ones((2, 3))).max(axis=1.0), "axis must be"),
    (lambda: Value(np.ones(0)).max(), "empty"),
    (lambda: Value([1.0, 2.0]).item(), "single number"),
    (lambda: topological_order(3.0), "needs a Value"),
    (lambda: zero_grad([Value(1.0), np.ones(2)]), "item 1"),
])
def test_bad_operations_are_refused_with_a_message(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_data_and_grad_keep_their_shape():
    v = Value([1.0, 2.0])
    with pytest.raises(ValueError, match="keep its shape"):
        v.data = np.zeros(3)
    with pytest.raises(ValueError, match="data's shape"):
        v.grad = np.zeros((2, 1))
    with pytest.raises(ValueError):
        v.grad = ["a", "b"]


@pytest.mark.parametrize("logits, y, message", [
    (np.ones((3, 2)), [0, 1, 0], "must be a Value"),
    (Value(np.ones(3)), [0, 1, 0], r"shape \(n, C\)"),
    (Value(np.ones((3, 2))), [0, 1], "integer class labels"),
    (Value(np.ones((3, 2))), [0.0, 1.0, 0.0], "integer class labels"),
    (Value(np.ones((3, 2))), [0, 2, 0], "0..1"),
    (Value(np.ones((3, 2))), [0, -1, 0], "0..1"),
])
def test_cross_entropy_bad_input(logits, y, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy(logits, y)
