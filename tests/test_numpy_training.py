"""lablib.numpy_training: train against a hand-written loop (and its epoch convention, training.History's),
minibatches like a DataLoader, the divergence error, and the course slide's loop bit for bit."""
import numpy as np
import pytest

from lablib import DivergenceError, set_seed
from lablib.data import load_mnist
from lablib.gradcheck import numerical_gradient, rel_error
from lablib.losses import one_hot
from lablib.models import SoftmaxClassifier, add_bias_column, softmax_loss, softmax_loss_and_grad
from lablib.numpy_training import NonFiniteWeightsError, TrainHistory, minibatches, slide_loop, train


def random_problem(seed=0, n=37, D=6, C=4, scale=1.0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((D + 1, C)) * scale, rng.standard_normal((n, D)), rng.integers(0, C, n)


def test_the_moved_names_are_still_importable_from_models():
    import lablib.models
    import lablib.numpy_training
    for name in ("minibatches", "train", "TrainHistory", "slide_loop"):
        assert getattr(lablib.models, name) is getattr(lablib.numpy_training, name)
    with pytest.raises(AttributeError, match="no attribute 'trian'"):
        lablib.models.trian


# ------------------------------------------------------------------------- training
def test_train_full_batch_is_plain_gradient_descent():
    W, X, y = random_problem(14, n=40)
    model = SoftmaxClassifier(W=W)
    hist = train(model, X, y, lr=0.3, num_epochs=25)
    W_manual = W.copy()
    losses = []
    for _ in range(25):
        loss, dW = softmax_loss_and_grad(W_manual, X, y)
        losses.append(loss)
        W_manual -= 0.3 * dW
    np.testing.assert_allclose(model.W, W_manual, rtol=1e-13)
    np.testing.assert_allclose(hist.batch_loss, losses, rtol=1e-13)
    # one step per epoch: the loss before epoch k's step is the loss after epoch k - 1
    assert hist.initial["train_loss"] == losses[0]
    np.testing.assert_allclose(hist.train_loss[:-1], losses[1:], rtol=1e-13)
    assert hist.train_loss[-1] == pytest.approx(softmax_loss(W_manual, X, y), rel=1e-13)
    assert np.all(np.diff(hist.train_loss) < 0)                              # small lr: loss decreases
    assert hist.val_loss is None and hist.val_acc is None and set(hist.initial) == {"train_loss", "train_acc"}
    np.testing.assert_array_equal(hist.epochs, np.arange(1, 26))             # training.History's convention
    assert len(hist.train_loss) == len(hist.train_acc) == 25


def test_train_minibatches_match_a_manual_loop_and_are_reproducible():
    W, X, y = random_problem(15, n=53)
    model = SoftmaxClassifier(W=W)
    hist = train(model, X, y, lr=0.2, num_epochs=3, batch_size=10, rng=np.random.default_rng(7),
                 X_val=X[:9], y_val=y[:9])
    W_manual = W.copy()
    rng = np.random.default_rng(7)
    for _ in range(3):
        for Xb, yb in minibatches(X, y, 10, rng=rng):
            W_manual -= 0.2 * softmax_loss_and_grad(W_manual, Xb, yb)[1]
    np.testing.assert_allclose(model.W, W_manual, rtol=1e-13)
    assert len(hist.batch_loss) == 3 * 6 and len(hist.train_acc) == 3 and len(hist.val_loss) == 3
    assert hist.val_acc[-1] == SoftmaxClassifier(W=W_manual).accuracy(X[:9], y[:9])
    model2 = SoftmaxClassifier(W=W)
    train(model2, X, y, lr=0.2, num_epochs=3, batch_size=10, rng=7)
    np.testing.assert_array_equal(model2.W, model.W)


def test_train_reaches_85_percent_on_the_offline_mnist_sample():
    data = load_mnist(download=False, verbose=False)
    model = SoftmaxClassifier(rng=0)
    hist = train(model, data.X_train, data.y_train, lr=0.5, num_epochs=3, batch_size=100, rng=0,
                 X_val=data.X_test, y_val=data.y_test)
    assert hist.val_acc[-1] >= 0.85, hist.val_acc
    assert hist.initial["val_acc"] < 0.3                   # it was the training that did it
    assert model.accuracy(data.X_test, data.y_test) == hist.val_acc[-1]


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_train_reports_blow_up():
    W, X, y = random_problem(16)
    with pytest.raises(NonFiniteWeightsError, match="infinite in epoch 1") as info:
        train(SoftmaxClassifier(W=W), X * 1e3, y, lr=1e306, num_epochs=2)
    assert info.value.epoch == 1
    assert isinstance(info.value, ValueError) and isinstance(info.value, DivergenceError)


@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=0), "lr"), (dict(lr=-0.1), "lr"), (dict(lr=np.nan), "lr"), (dict(lr=True), "lr"),
    (dict(num_epochs=0), "num_epochs"), (dict(num_epochs=2.5), "num_epochs"),
    (dict(batch_size=0), "batch_size"),
    (dict(X_val=np.ones((2, 6))), "both"),
])
def test_train_bad_arguments(kwargs, match):
    W, X, y = random_problem(17)
    args = dict(lr=0.1, num_epochs=1) | kwargs
    with pytest.raises(ValueError, match=match):
        train(SoftmaxClassifier(W=W), X, y, **args)


def test_train_bad_model_and_labels():
    W, X, y = random_problem(18)
    with pytest.raises(ValueError, match="SoftmaxClassifier"):
        train(W, X, y, lr=0.1, num_epochs=1)
    with pytest.raises(ValueError, match="integer class labels"):
        train(SoftmaxClassifier(W=W), X, one_hot(y, 4), lr=0.1, num_epochs=1)


# ---------------------------------------------------------------------- minibatches
def test_minibatches_cover_every_sample_once():
    X = np.arange(46).reshape(23, 2)
    y = np.arange(23)
    batches = list(minibatches(X, y, 5, rng=np.random.default_rng(0)))
    assert [len(b[1]) for b in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen) == list(range(23)) and not np.array_equal(seen, np.arange(23))
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb, X[yb])                 # rows stay paired
    plain = list(minibatches(X, y, 5, shuffle=False))
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in plain]), np.arange(23))
    assert len(list(minibatches(X, y, 100))) == 1


def test_minibatches_reshuffle_each_epoch_and_follow_the_seed():
    X, y = np.zeros((30, 1)), np.arange(30)
    rng = np.random.default_rng(1)
    first = np.concatenate([b for _, b in minibatches(X, y, 30, rng=rng)])
    second = np.concatenate([b for _, b in minibatches(X, y, 30, rng=rng)])
    assert not np.array_equal(first, second)
    again = np.concatenate([b for _, b in minibatches(X, y, 30, rng=1)])
    np.testing.assert_array_equal(first, again)
    set_seed(4)
    a = np.concatenate([b for _, b in minibatches(X, y, 7)])
    set_seed(4)
    np.testing.assert_array_equal(a, np.concatenate([b for _, b in minibatches(X, y, 7)]))


@pytest.mark.parametrize("X,y,kwargs,match", [
    (np.zeros((0, 3)), np.zeros(0), {}, "empty"),
    (np.zeros((4, 3)), np.zeros(5), {}, "same number"),
    (np.zeros((4, 3)), np.zeros(4), dict(batch_size=0), "batch_size"),
    (np.zeros((4, 3)), np.zeros(4), dict(batch_size=-2), "batch_size"),
    (np.zeros((4, 3)), np.zeros(4), dict(batch_size=2.0), "batch_size"),
    (np.zeros((4, 3)), np.zeros(4), dict(batch_size=True), "batch_size"),
    (np.zeros((4, 3)), np.zeros(4), dict(shuffle="yes"), "shuffle"),
    (np.zeros((4, 3)), np.zeros(4), dict(rng="seed"), "rng"),
    (np.float64(1.0), np.zeros(4), {}, "one row per sample"),
    ([[0.0, 1.0], [2.0]], np.zeros(2), {}, "X must be an array with one row per sample; could not convert"),
    (np.zeros((2, 3)), [[0], [1, 2]], {}, "y must be an array with one row per sample; could not convert"),
])
def test_minibatches_bad_input(X, y, kwargs, match):
    args = dict(batch_size=2) | kwargs
    with pytest.raises(ValueError, match=match):
        list(minibatches(X, y, **args))


def test_train_history_is_a_record():
    h = TrainHistory(np.zeros(3), np.zeros(3), np.zeros(4))
    np.testing.assert_array_equal(h.epochs, [1, 2, 3])
    assert h.initial == {} and h.val_loss is None


# ------------------------------------------------------------------ the course slide's loop
def slide_data(n=200, seed=30):
    """MNIST-shaped data: n sparse "images" of 784 pixels in [0, 1], labels 0-9, and their one-hot rows."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28 * 28)) * (rng.random((n, 28 * 28)) < 0.2)
    y = rng.integers(0, 10, n)
    return x, y, np.eye(10)[y]


def test_slide_loop_is_the_slides_code_bit_for_bit(capsys):
    # The slide "Softmax Classifier - Python implementation", copied verbatim; only the data
    # (small random arrays instead of torchvision's MNIST) and Epochs (2 instead of 100) differ.
    # n = 200 is not a multiple of 64, so the last, smaller batch is covered too.
    x_train, y_train, y_train_onehot = slide_data()
    x_test, y_test, _ = slide_data(60, seed=31)

    class SoftmaxClassifier():
        def __init__(self):
            self.w = np.random.normal(0,1,(10, 28*28+1)) # bias trixk

        def forward(self, x_batch):
            return x_batch @ self.w.T

        def predict(self, x_batch):
            return np.argmax(self.forward(x_batch), axis=1)

        def __call__(self, x_batch):
            return self.forward(x_batch)

    np.random.seed(0)
    # Build model
    Clf = SoftmaxClassifier()
    w_start = Clf.w.copy()
    alpha = 0.0005 # learning rate
    Epochs = 2
    batch_size = 64

    for epoch in range(Epochs):
        for i in range(0, len(x_train), batch_size):
            batch = x_train[i:i+batch_size]
            batch = np.concatenate([batch, np.ones(shape=(len(batch),1))], axis=1)

            batch_label = y_train_onehot[i:i+batch_size]
            pred = Clf(batch)

            Clf.w = Clf.w - alpha * (pred - batch_label).T @ batch # calculate gradient and update

        # Test
        pred_test = Clf(np.concatenate([x_test, np.ones(shape=(len(x_test),1))], axis=1))
        pred_label_test = np.argmax(pred_test, axis=1)
        print(f"epoch: {epoch}, val_acc: {np.average(pred_label_test==y_test):.4}")

    printed = capsys.readouterr().out
    w, val_acc = slide_loop(w_start, x_train, y_train_onehot, x_test, y_test, epochs=2)
    assert np.array_equal(w, Clf.w)
    assert printed == "".join(f"epoch: {e}, val_acc: {a:.4}\n" for e, a in enumerate(val_acc))
    assert np.array_equal(w_start, Clf.w) is False and val_acc.shape == (2,)


def test_slide_loop_defaults_are_the_slides_settings():
    import inspect
    defaults = {k: v.default for k, v in inspect.signature(slide_loop).parameters.items()
                if v.default is not inspect.Parameter.empty}
    assert defaults == {"alpha": 0.0005, "epochs": 100, "batch_size": 64, "apply_softmax": False}


def test_slide_update_is_the_gradient_of_the_summed_squared_error():
    x, y, Y = slide_data(64)
    w = np.random.default_rng(32).normal(0, 0.05, (10, 785))
    w1, _ = slide_loop(w, x, Y, x, y, alpha=1.0, epochs=1)        # one step, alpha = 1
    X1 = add_bias_column(x)
    num_sq = numerical_gradient(lambda v: 0.5 * np.sum((X1 @ v.T - Y) ** 2), w.copy())
    assert rel_error(w - w1, num_sq) < 1e-4
    num_ce = numerical_gradient(lambda v: len(x) * softmax_loss(v.T.copy(), x, y), w.copy())
    assert rel_error(w - w1, num_ce) > 0.5                         # not the cross-entropy's
    w2, _ = slide_loop(w, x, Y, x, y, alpha=1.0, epochs=1, apply_softmax=True)
    assert rel_error(w - w2, num_ce) < 1e-4                        # with the softmax, it is


def test_slide_loop_with_the_softmax_is_train_with_lr_alpha_times_batch_size():
    x, y, Y = slide_data(192)                                      # 3 full batches of 64
    w = np.random.default_rng(33).normal(0, 0.01, (10, 785))
    w_end, val_acc = slide_loop(w, x, Y, x, y, alpha=0.0005, epochs=3, apply_softmax=True)
    model = SoftmaxClassifier(W=w.T)
    hist = train(model, x, y, lr=0.0005 * 64, num_epochs=3, batch_size=64, shuffle=False, X_val=x, y_val=y)
    np.testing.assert_allclose(model.W, w_end.T, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(hist.val_acc, val_acc)           # both: one entry per epoch


def test_slide_loop_leaves_its_argument_alone():
    x, y, Y = slide_data(70)
    w = np.ones((10, 785))
    slide_loop(w, x, Y, x, y, epochs=1)
    assert np.array_equal(w, np.ones((10, 785)))


@pytest.mark.parametrize("change,match", [
    (dict(w=np.zeros((10, 784))), "shape"), (dict(x_test=np.zeros((5, 10))), "shape"),
    (dict(y_train_onehot=np.zeros((70, 9))), "y_train_onehot"), (dict(y_test=np.zeros((70, 1))), "y_test"),
    (dict(x_train=[[0.0] * 784]), "NumPy array"),
    (dict(alpha=0), "alpha"), (dict(alpha=-1e-3), "alpha"), (dict(epochs=0), "epochs"),
    (dict(epochs=1.5), "epochs"), (dict(batch_size=0), "batch_size"),
])
def test_slide_loop_bad_arguments(change, match):
    x, y, Y = slide_data(70)
    args = dict(w=np.zeros((10, 785)), x_train=x, y_train_onehot=Y, x_test=x, y_test=y) | change
    kwargs = {k: args.pop(k) for k in ("alpha", "epochs", "batch_size") if k in args}
    with pytest.raises(ValueError, match=match):
        slide_loop(*args.values(), **kwargs)
