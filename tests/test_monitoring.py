"""lablib.monitoring: what TensorBoardLogger writes is what fit() recorded; smooth() is TensorBoard's smoothing."""
import math

import numpy as np
import pytest
import torch
from torch import nn

from lablib.checkpoints import Checkpoint, resume
from lablib.monitoring import Scalars, TensorBoardLogger, read_scalars, smooth
from lablib.training import fit, make_loader


def blobs(n=96, seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = 2.0 * torch.randn(3, 4, generator=g)
    y = torch.arange(n) % 3
    X = centres[y] + 0.6 * torch.randn(n, 4, generator=g)
    return make_loader(X[:64], y[:64], 16, shuffle=True), make_loader(X[64:], y[64:], 32)


def f32(values):
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def logged_run(log_dir, epochs=3, **kw):
    train, val = blobs()
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    with TensorBoardLogger(log_dir) as logger:
        h = fit(model, opt, train, val, epochs=epochs, scheduler=sched, seed=0, callbacks=[logger], **kw)
    return h


# --- logging and reading back ------------------------------------------------------------------------------

def test_read_scalars_gives_back_what_fit_recorded(tmp_path):
    h = logged_run(tmp_path)
    s = read_scalars(tmp_path)
    assert sorted(s) == ["accuracy/train", "accuracy/val", "batch/loss", "loss/train", "loss/val", "lr"]
    assert all(isinstance(v, Scalars) for v in s.values())
    for tag, values in [("loss/train", h.train_loss), ("loss/val", h.val_loss),
                        ("accuracy/train", h.train_acc), ("accuracy/val", h.val_acc)]:
        assert s[tag].steps.tolist() == [1, 2, 3], tag
        np.testing.assert_array_equal(s[tag].values, f32(values), err_msg=tag)   # float32 in the event file
    updates = len(h.batch_loss)
    assert updates == 3 * 4
    assert s["batch/loss"].steps.tolist() == list(range(1, updates + 1))
    np.testing.assert_array_equal(s["batch/loss"].values, f32(h.batch_loss))
    # the learning rate of every update: StepLR halves it after each epoch
    assert s["lr"].steps.tolist() == list(range(1, updates + 1))
    np.testing.assert_array_equal(s["lr"].values, f32([0.2] * 4 + [0.1] * 4 + [0.05] * 4))
    np.testing.assert_array_equal(s["lr"].values, f32(h.batch_lr))
    assert all(len(v.wall_time) == len(v.steps) and np.all(np.diff(v.wall_time) >= 0) for v in s.values())


def test_without_validation_only_training_curves_are_logged(tmp_path):
    train, _ = blobs()
    model = nn.Linear(4, 3)
    logger = TensorBoardLogger(tmp_path)
    h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), train, epochs=2, callbacks=[logger])
    logger.close()
    s = read_scalars(tmp_path)
    assert sorted(s) == ["accuracy/train", "batch/loss", "loss/train", "lr"]
    np.testing.assert_array_equal(s["loss/train"].values, f32(h.train_loss))
    assert repr(logger) == f"TensorBoardLogger({str(tmp_path)!r})"


def test_a_resumed_run_logs_on_in_the_same_folder(tmp_path):
    full = logged_run(tmp_path / "full", epochs=4)
    train, val = blobs()
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    with TensorBoardLogger(tmp_path / "log") as logger:
        fit(model, opt, train, val, epochs=2, scheduler=sched, seed=0,
            callbacks=[logger, Checkpoint(tmp_path / "ckpt")])
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = resume(tmp_path / "ckpt", model, opt, sched)
    with TensorBoardLogger(tmp_path / "log") as logger:          # a second event file
        fit(model, opt, train, val, epochs=4, scheduler=sched, history=h, callbacks=[logger])
    assert len(list((tmp_path / "log").glob("events.out.tfevents.*"))) == 2
    s, ref = read_scalars(tmp_path / "log"), read_scalars(tmp_path / "full")
    assert s["loss/val"].steps.tolist() == [1, 2, 3, 4]
    for tag in ref:
        np.testing.assert_array_equal(s[tag].steps, ref[tag].steps, err_msg=tag)
        np.testing.assert_array_equal(s[tag].values, ref[tag].values, err_msg=tag)
    np.testing.assert_array_equal(s["loss/val"].values, f32(full.val_loss))


def test_read_scalars_refuses_a_folder_without_event_files(tmp_path):
    with pytest.raises(ValueError, match=r"no TensorBoard event file in .*TensorBoardLogger\("):
        read_scalars(tmp_path)
    with pytest.raises(ValueError, match="no TensorBoard event file"):
        read_scalars(tmp_path / "missing")
    TensorBoardLogger(tmp_path / "empty").close()            # an event file without scalars
    with pytest.raises(ValueError, match="hold no scalars"):
        read_scalars(tmp_path / "empty")


# --- smoothing ------------------------------------------------------------------------------------------------

def tensorboard_smoothing(values, weight):
    """TensorBoard's smoothing (tf-scalar-card / vz_line_chart's resmoothDataset), written out again:
    last = last * w + (1 - w) * y over the finite values, divided by the debias weight 1 - w^n."""
    last, num_accum, out = 0.0, 0, []
    for y in values:
        if not math.isfinite(y):
            out.append(y)
            continue
        last = last * weight + (1 - weight) * y
        num_accum += 1
        debias = 1 - weight ** num_accum if weight != 1 else 1.0
        out.append(last / debias)
    return np.array(out)


@pytest.mark.parametrize("weight", [0.3, 0.6, 0.9, 0.99])
def test_smooth_is_tensorboards_debiased_moving_average(weight):
    values = np.random.default_rng(0).normal(size=200).cumsum() + 5
    np.testing.assert_allclose(smooth(values, weight), tensorboard_smoothing(values, weight), rtol=1e-14)
    # the first value is unchanged: the bias correction undoes m_1 = (1 - w) x_1
    assert smooth(values, weight)[0] == pytest.approx(values[0], rel=1e-14)


def test_smooth_small_cases_by_hand():
    # w = 0.5: m = 0.5, 1.25, 2.125; divided by 0.5, 0.75, 0.875
    np.testing.assert_allclose(smooth([1.0, 2.0, 3.0], 0.5), [1.0, 1.25 / 0.75, 2.125 / 0.875], rtol=1e-15)
    assert smooth([], 0.6).shape == (0,)
    np.testing.assert_allclose(smooth([4.0] * 5, 0.9), 4.0, rtol=1e-14)       # a constant stays constant


def test_weight_zero_is_the_identity():
    values = np.array([3.0, -1.0, 2.5, 1e10])
    np.testing.assert_array_equal(smooth(values, 0.0), values)
    np.testing.assert_array_equal(smooth(values, 0), values)


def test_non_finite_values_pass_through_and_are_skipped():
    values = [1.0, math.nan, 3.0, math.inf, 2.0]
    out = smooth(values, 0.5)
    assert math.isnan(out[1]) and out[3] == math.inf
    np.testing.assert_array_equal(out[[0, 2, 4]], smooth([1.0, 3.0, 2.0], 0.5))
    np.testing.assert_allclose(out, tensorboard_smoothing(values, 0.5), rtol=1e-15)
    assert smooth([math.nan, 2.0], 0.9).tolist()[1] == pytest.approx(2.0, rel=1e-15)


@pytest.mark.parametrize("weight", [1.0, 1.5, -0.1, math.nan])
def test_bad_weight_is_refused(weight):
    with pytest.raises(ValueError, match=r"weight must be in \[0, 1\) \(TensorBoard's smoothing slider\)"):
        smooth([1.0, 2.0], weight)
