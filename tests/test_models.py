"""lablib.models: the softmax classifier against torch (float64), confusion_matrix, bad input (its training:
tests/test_numpy_training.py)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lablib import set_seed
from lablib.gradcheck import numerical_gradient, rel_error
from lablib.losses import one_hot
from lablib.models import (SoftmaxClassifier, add_bias_column, confusion_matrix, softmax_loss,
                           softmax_loss_and_grad)
from lablib.optim import SGD, Adam, Parameter


def random_problem(seed=0, n=37, D=6, C=4, scale=1.0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((D + 1, C)) * scale, rng.standard_normal((n, D)), rng.integers(0, C, n)


def torch_loss_and_grad(W, X, target):
    Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    X1 = torch.cat([torch.tensor(X, dtype=torch.float64), torch.ones(len(X), 1, dtype=torch.float64)], 1)
    loss = F.cross_entropy(X1 @ Wt, torch.as_tensor(target))
    loss.backward()
    return loss.item(), Wt.grad.numpy()


# ----------------------------------------------------------------- loss and gradient
@pytest.mark.parametrize("seed,n,D,C,scale", [(0, 37, 6, 4, 1.0), (1, 1, 3, 2, 0.1), (2, 200, 20, 10, 5.0),
                                              (3, 50, 784, 10, 0.01)])
def test_loss_and_gradient_match_torch_autograd(seed, n, D, C, scale):
    W, X, y = random_problem(seed, n, D, C, scale)
    loss, dW = softmax_loss_and_grad(W, X, y)
    t_loss, t_grad = torch_loss_and_grad(W, X, y)
    assert loss == pytest.approx(t_loss, rel=1e-12)
    np.testing.assert_allclose(dW, t_grad, rtol=1e-8, atol=1e-15)
    assert softmax_loss(W, X, y) == loss


def test_gradient_formula_is_one_over_n_X1T_Yhat_minus_Y():
    W, X, y = random_problem(4)
    X1 = add_bias_column(X)
    Z = X1 @ W
    Y_hat = np.exp(Z - Z.max(1, keepdims=True))
    Y_hat /= Y_hat.sum(1, keepdims=True)
    expected = X1.T @ (Y_hat - one_hot(y, W.shape[1])) / len(X)
    np.testing.assert_allclose(softmax_loss_and_grad(W, X, y)[1], expected, rtol=1e-12, atol=1e-15)


def test_probability_targets_match_torch():
    W, X, _ = random_problem(5, n=20, C=3)
    P = np.random.default_rng(5).dirichlet(np.ones(3), size=20)
    loss, dW = softmax_loss_and_grad(W, X, P)
    t_loss, t_grad = torch_loss_and_grad(W, X, torch.tensor(P))
    assert loss == pytest.approx(t_loss, rel=1e-12)
    np.testing.assert_allclose(dW, t_grad, rtol=1e-10, atol=1e-15)


def test_gradient_check_with_central_differences():
    W, X, y = random_problem(6, n=15, D=5, C=3)
    _, dW = softmax_loss_and_grad(W, X, y)
    num = numerical_gradient(lambda w: softmax_loss(w, X, y), W)
    assert rel_error(dW, num) < 1e-7


def test_large_scores_stay_finite():
    W, X, y = random_problem(7, scale=1e4)
    loss, dW = softmax_loss_and_grad(W, X, y)
    t_loss, t_grad = torch_loss_and_grad(W, X, y)
    assert np.isfinite(loss) and np.all(np.isfinite(dW))
    assert loss == pytest.approx(t_loss, rel=1e-10)
    np.testing.assert_allclose(dW, t_grad, rtol=1e-8, atol=1e-12)


def test_float32_and_integer_X_are_accepted():
    W, X, y = random_problem(8)
    loss64, dW64 = softmax_loss_and_grad(W, X, y)
    loss32, dW32 = softmax_loss_and_grad(W, X.astype(np.float32), y)
    assert dW32.dtype == np.float64 and loss32 == pytest.approx(loss64, rel=1e-5)
    Xi = np.arange(12).reshape(2, 6)
    assert softmax_loss(W, Xi, y[:2]) == pytest.approx(softmax_loss(W, Xi.astype(float), y[:2]), rel=1e-15)


# ------------------------------------------------------------------------ the model
def test_model_forward_matches_nn_linear():
    torch.manual_seed(0)
    lin = torch.nn.Linear(6, 4).double()
    model = SoftmaxClassifier.from_linear(lin.weight.detach().numpy(), lin.bias.detach().numpy())
    _, X, y = random_problem(9)
    Xt = torch.tensor(X)
    np.testing.assert_allclose(model.scores(X), lin(Xt).detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(model.predict_proba(X), torch.softmax(lin(Xt), 1).detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), lin(Xt).argmax(1).numpy())
    loss = F.cross_entropy(lin(Xt), torch.as_tensor(y))
    loss.backward()
    m_loss, dW = model.loss_and_grad(X, y)
    assert m_loss == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(dW[:-1].T, lin.weight.grad.numpy(), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(dW[-1], lin.bias.grad.numpy(), rtol=1e-10, atol=1e-15)
    w, b = model.to_linear()
    np.testing.assert_array_equal(w, lin.weight.detach().numpy())
    np.testing.assert_array_equal(b, lin.bias.detach().numpy())


def test_scores_use_the_bias_trick():
    W, X, _ = random_problem(10)
    model = SoftmaxClassifier(W=W)
    np.testing.assert_allclose(model.scores(X), add_bias_column(X) @ W, rtol=1e-13)
    assert model.num_features == 6 and model.num_classes == 4
    assert model.W is model.weight.data and model.W is not W          # copied in
    assert isinstance(model.weight, Parameter) and model.parameters() == [model.weight]


def test_predictions_probabilities_accuracy():
    W, X, y = random_problem(11, n=100)
    model = SoftmaxClassifier(W=W)
    P = model.predict_proba(X)
    np.testing.assert_allclose(P.sum(1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(model.predict(X), P.argmax(1))
    assert model.predict(X).dtype == np.int64
    assert model.accuracy(X, y) == pytest.approx(np.mean(P.argmax(1) == y))
    assert model.accuracy(X, model.predict(X)) == 1.0


def test_loss_and_grad_writes_grad_but_returns_an_independent_array():
    W, X, y = random_problem(12)
    model = SoftmaxClassifier(W=W)
    grad_array = model.weight.grad
    loss, dW = model.loss_and_grad(X, y)
    assert model.weight.grad is grad_array                   # written in place
    np.testing.assert_array_equal(model.weight.grad, dW)
    model.weight.grad.fill(0.0)                              # an optimizer's zero_grad
    assert np.any(dW != 0)
    model.loss_and_grad(X, y)
    model.loss_and_grad(X, y)                                # replaces, does not accumulate
    np.testing.assert_array_equal(model.weight.grad, dW)
    model.weight.grad = None                                 # zero_grad(set_to_none=True)
    model.loss_and_grad(X, y)
    np.testing.assert_array_equal(model.weight.grad, dW)
    model.zero_grad()
    assert np.all(model.weight.grad == 0) and model.weight.grad.shape == W.shape


def test_W_setter_writes_in_place():
    model = SoftmaxClassifier(3, 2, rng=0)
    data = model.weight.data
    model.W = np.ones((4, 2))
    assert model.weight.data is data and np.all(data == 1)
    with pytest.raises(ValueError, match="keep its shape"):
        model.W = np.ones((5, 2))
    with pytest.raises(ValueError, match="NaN"):
        model.W = np.full((4, 2), np.nan)


def test_initialisation():
    model = SoftmaxClassifier(rng=np.random.default_rng(0))
    assert model.W.shape == (785, 10) and model.W.dtype == np.float64
    assert np.all(model.W[-1] == 0)                           # biases start at zero
    assert 0.0095 < model.W[:-1].std() < 0.0105
    np.testing.assert_array_equal(SoftmaxClassifier(rng=3).W, SoftmaxClassifier(rng=3).W)
    set_seed(1)
    a = SoftmaxClassifier(5, 3).W
    set_seed(1)
    np.testing.assert_array_equal(a, SoftmaxClassifier(5, 3).W)
    assert np.all(SoftmaxClassifier(5, 3, weight_scale=0).W == 0)
    assert repr(SoftmaxClassifier(5, 3)) == "SoftmaxClassifier(num_features=5, num_classes=3)"


@pytest.fixture
def one_torch_thread():
    """Tiny tensors: one thread avoids thread hand-offs that cost more than the work (restored after)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_lablib_optimizers_drive_the_model_like_torch_drives_nn_linear(one_torch_thread):
    """200 steps of SGD (Nesterov, weight decay) and of Adam, float64, rtol 1e-10."""
    rng = np.random.default_rng(13)
    X = rng.standard_normal((60, 8))
    y = rng.integers(0, 3, 60)
    for make_np, make_torch in [
        (lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
         lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)),
        (lambda p: Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    ]:
        torch.manual_seed(0)
        lin = torch.nn.Linear(8, 3).double()
        model = SoftmaxClassifier.from_linear(lin.weight.detach().numpy(), lin.bias.detach().numpy())
        opt, t_opt = make_np(model.parameters()), make_torch(lin.parameters())
        batches = [rng.choice(60, 10, replace=False) for _ in range(200)]
        for idx in batches:
            opt.zero_grad()
            model.loss_and_grad(X[idx], y[idx])
            opt.step()
            t_opt.zero_grad()
            F.cross_entropy(lin(torch.tensor(X[idx])), torch.as_tensor(y[idx])).backward()
            t_opt.step()
        w, b = model.to_linear()
        np.testing.assert_allclose(w, lin.weight.detach().numpy(), rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(b, lin.bias.detach().numpy(), rtol=1e-10, atol=1e-13)


# ------------------------------------------------------------------ confusion matrix
def test_confusion_matrix():
    rng = np.random.default_rng(19)
    y_true, y_pred = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    cm = confusion_matrix(y_true, y_pred, 10)
    for i in range(10):
        for j in range(10):
            assert cm[i, j] == np.sum((y_true == i) & (y_pred == j))
    assert cm.sum() == 500 and np.trace(cm) / 500 == np.mean(y_true == y_pred)
    assert confusion_matrix([1], [1]).shape == (2, 2)
    assert confusion_matrix([0], [0], num_classes=3).shape == (3, 3)


@pytest.mark.parametrize("y_true,y_pred,num_classes,match", [
    ([0, 1], [0], None, "same length"),
    ([], [], None, "empty"),
    ([0.0, 1.0], [0, 1], None, "integer"),
    ([[0, 1]], [[0, 1]], None, "1-D"),
    ([-1, 0], [0, 0], None, "non-negative"),
    ([0, 3], [0, 1], 3, "out of range"),
    ([0, 1], [0, 1], 0, "num_classes"),
])
def test_confusion_matrix_bad_input(y_true, y_pred, num_classes, match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(np.asarray(y_true), np.asarray(y_pred), num_classes)


# ------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("X,y,match", [
    (np.zeros((3, 5)), np.zeros(3, dtype=int), "6"),                         # wrong number of features
    (np.zeros((3, 7)), np.zeros(3, dtype=int), "bias column"),               # passed X1 by mistake
    (np.zeros((3, 2, 3)), np.zeros(3, dtype=int), "flatten"),
    (np.zeros(6), np.zeros(1, dtype=int), "2-D"),
    (np.zeros((0, 6)), np.zeros(0, dtype=int), "empty"),
    (np.array([["a"] * 6]), np.zeros(1, dtype=int), "numbers"),
    (np.zeros((3, 6)), np.zeros(4, dtype=int), "one label per sample"),
    (np.zeros((3, 6)), np.zeros(3), "integer class indices"),
    (np.zeros((3, 6)), np.array([0, 1, 4]), "out of range"),
    (np.zeros((3, 6)), np.array([0, -1, 2]), "out of range"),
    (np.zeros((3, 6)), np.zeros((3, 5)), "probabilities of shape"),
    (np.full((3, 6), np.nan), np.zeros(3, dtype=int), "NaN"),
    (np.full((3, 6), np.inf), np.zeros(3, dtype=int), "NaN or inf"),
])
def test_bad_X_and_y(X, y, match):
    model = SoftmaxClassifier(6, 4, rng=0)
    with pytest.raises(ValueError, match=match):
        model.loss_and_grad(X, y)
    with pytest.raises(ValueError, match=match):
        softmax_loss(model.W, X, y)


@pytest.mark.parametrize("method", ["scores", "predict", "predict_proba"])
def test_bad_X_in_forward(method):
    model = SoftmaxClassifier(6, 4, rng=0)
    with pytest.raises(ValueError, match="features"):
        getattr(model, method)(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="empty"):
        getattr(model, method)(np.zeros((0, 6)))


@pytest.mark.parametrize("W,match", [
    (np.zeros((7, 4), dtype=int), "float"),
    (np.zeros(7), "shape"),
    (np.zeros((1, 4)), "shape"),
    (np.zeros((7, 1)), "shape"),
    (np.full((7, 4), np.inf), "NaN"),
])
def test_bad_W(W, match):
    with pytest.raises(ValueError, match=match):
        SoftmaxClassifier(W=W)
    _, X, y = random_problem(20)
    with pytest.raises(ValueError, match=match):
        softmax_loss_and_grad(W, X, y)


@pytest.mark.parametrize("kwargs,match", [
    (dict(num_features=0), "num_features"), (dict(num_features=2.0), "num_features"),
    (dict(num_classes=1), "at least 2"), (dict(num_classes=True), "num_classes"),
    (dict(weight_scale=-1.0), "weight_scale must be a non-negative finite number"),
    (dict(weight_scale=np.inf), "weight_scale"), (dict(weight_scale="0.01"), "weight_scale"),
    (dict(rng="0"), "rng"),
])
def test_bad_constructor_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SoftmaxClassifier(**kwargs)


def test_bad_from_linear_and_accuracy():
    with pytest.raises(ValueError, match="shape"):
        SoftmaxClassifier.from_linear(np.zeros((3, 4)), np.zeros(4))
    model = SoftmaxClassifier(2, 3, rng=0)
    with pytest.raises(ValueError, match="integer class labels"):
        model.accuracy(np.zeros((2, 2)), one_hot([0, 1], 3))
