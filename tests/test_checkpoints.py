"""lablib.checkpoints: a resumed run equals one that never stopped; best.pt; the refusals."""
import dataclasses

import pytest
import torch
from torch import nn

from lablib.checkpoints import Checkpoint, describe_model, load_weights, resume
from lablib.resnet import SmallResNet
from lablib.training import History, LablibOptimizer, fit, make_loader


def image_problem(n_train=32, n_val=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.rand(n_train + n_val, 1, 28, 28, generator=g)
    y = torch.arange(n_train + n_val) % 3
    X[y == 1, :, :14] += 0.5                 # something to learn
    return (make_loader(X[:n_train], y[:n_train], 8, shuffle=True),
            make_loader(X[n_train:], y[n_train:], 16))


def blob_problem(n=96, seed=0):
    g = torch.Generator().manual_seed(seed)
    centres = 2.0 * torch.randn(3, 4, generator=g)
    y = torch.arange(n) % 3
    X = centres[y] + 0.6 * torch.randn(n, 4, generator=g)
    return make_loader(X[:64], y[:64], 16, shuffle=True), make_loader(X[64:], y[64:], 32)


def build_resnet(width=4):
    """A dropout model, SGD with momentum and a StepLR: every kind of state a resumed run needs."""
    model = SmallResNet(num_classes=3, width=width, dropout=0.2)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    return model, opt, sched


def same_weights(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def trained_linear(folder, epochs=3, lr=0.1, **kw):
    train, val = blob_problem()
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    h = fit(model, opt, train, val, epochs=epochs, seed=0, callbacks=[Checkpoint(folder)], **kw)
    return model, opt, h, (train, val)


# --- the key property: stopping and resuming changes nothing ---------------------------------------------

def test_a_resumed_run_equals_one_that_never_stopped(tmp_path):
    train, val = image_problem()
    torch.manual_seed(0)
    model, opt, sched = build_resnet()
    full = fit(model, opt, train, val, epochs=4, scheduler=sched, seed=1)

    torch.manual_seed(0)
    first, opt1, sched1 = build_resnet()
    part = fit(first, opt1, train, val, epochs=2, scheduler=sched1, seed=1, callbacks=[Checkpoint(tmp_path)])
    assert len(part.val_loss) == 2

    torch.manual_seed(123)                     # a fresh model: other weights, another random state
    again, opt2, sched2 = build_resnet()
    torch.rand(7)
    assert not same_weights(again, first)
    h = resume(tmp_path, again, opt2, sched2)
    assert same_weights(again, first)
    assert h.train_loss == part.train_loss and h.val_loss == part.val_loss and h.batch_loss == part.batch_loss
    assert opt2.param_groups[0]["lr"] == opt1.param_groups[0]["lr"] == 0.05 * 0.5 ** 2
    resumed = fit(again, opt2, train, val, epochs=4, scheduler=sched2, history=h)

    assert resumed is h
    assert resumed.train_loss == full.train_loss
    assert resumed.val_loss == full.val_loss
    assert resumed.train_acc == full.train_acc and resumed.val_acc == full.val_acc
    assert resumed.batch_loss == full.batch_loss and resumed.batch_lr == full.batch_lr
    assert resumed.lr == full.lr == pytest.approx([0.05, 0.025, 0.0125, 0.00625], rel=1e-15)
    assert len(resumed.seconds) == 4
    assert resumed.best_epoch == full.best_epoch
    assert all(torch.equal(resumed.best_state[k], full.best_state[k]) for k in full.best_state)
    assert same_weights(again, model)
    # momentum buffers too
    for p, q in zip(model.parameters(), again.parameters()):
        assert torch.equal(opt.state[p]["momentum_buffer"], opt2.state[q]["momentum_buffer"])


@pytest.mark.parametrize("name", ["constant", "step decay", "warm-up + cosine", "one-cycle"])
def test_per_update_schedules_resume_where_they_stopped(tmp_path, name):
    from lablib.tuning import make_schedule

    train, _ = blob_problem()

    def build():
        model = nn.Linear(4, 3)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        return model, opt, make_schedule(name, opt, total_steps=4 * len(train), warmup_steps=3)

    torch.manual_seed(0)
    model, opt, sched = build()
    full = fit(model, opt, train, epochs=4, scheduler=sched, scheduler_step="batch", seed=0)
    torch.manual_seed(0)
    model, opt, sched = build()
    fit(model, opt, train, epochs=2, scheduler=sched, scheduler_step="batch", seed=0, callbacks=[Checkpoint(tmp_path)])
    model, opt, sched = build()
    h = fit(model, opt, train, epochs=4, scheduler=sched, scheduler_step="batch", history=resume(tmp_path, model, opt, sched))
    assert h.batch_lr == full.batch_lr and h.batch_loss == full.batch_loss and h.train_loss == full.train_loss


def test_without_resuming_the_random_state_the_run_would_differ(tmp_path):
    # the test above is not passing by luck: a fresh start from the epoch-2 weights and states, but
    # without torch's random state, sees other batches and other dropout masks
    train, val = image_problem()
    torch.manual_seed(0)
    model, opt, sched = build_resnet()
    full = fit(model, opt, train, val, epochs=3, scheduler=sched, seed=1)
    torch.manual_seed(0)
    first, opt1, sched1 = build_resnet()
    fit(first, opt1, train, val, epochs=2, scheduler=sched1, seed=1, callbacks=[Checkpoint(tmp_path)])
    again, opt2, sched2 = build_resnet()
    h = resume(tmp_path, again, opt2, sched2)
    torch.manual_seed(99)
    resumed = fit(again, opt2, train, val, epochs=3, scheduler=sched2, history=h)
    assert resumed.val_loss[:2] == full.val_loss[:2] and resumed.batch_loss[-1] != full.batch_loss[-1]


def test_resume_accepts_the_last_pt_file_and_the_checkpoint_holds_the_run(tmp_path):
    model, opt, h, _ = trained_linear(tmp_path, epochs=2)
    saved = torch.load(tmp_path / "last.pt", weights_only=False)
    assert saved["epoch"] == 2 and saved["model"] == "Linear(in_features=4, out_features=3, bias=True)"
    assert saved["scheduler_state"] is None and saved["history"]["best_state"] is None
    assert saved["history"]["val_loss"] == h.val_loss
    fresh = nn.Linear(4, 3)
    back = resume(tmp_path / "last.pt", fresh, torch.optim.SGD(fresh.parameters(), lr=0.1))
    assert isinstance(back, History) and back.val_loss == h.val_loss and same_weights(fresh, model)


# --- best.pt -------------------------------------------------------------------------------------------------

def test_best_pt_holds_the_best_epochs_weights(tmp_path):
    model, _, h, (_, val) = trained_linear(tmp_path, epochs=10, lr=3.0)   # a large lr: the loss goes up and down
    assert h.best_epoch != 10, "the test needs a run whose last epoch is not the best"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.pt", "last.pt"]
    fresh = nn.Linear(4, 3)
    assert load_weights(tmp_path, fresh) == h.best_epoch
    assert all(torch.equal(fresh.state_dict()[k], h.best_state[k]) for k in h.best_state)
    assert load_weights(tmp_path / "best.pt", fresh) == h.best_epoch
    assert load_weights(tmp_path / "last.pt", fresh) == 10 and same_weights(fresh, model)
    # resume brings the best weights back too
    again = nn.Linear(4, 3)
    back = resume(tmp_path, again, torch.optim.SGD(again.parameters(), lr=3.0))
    assert back.best_epoch == h.best_epoch
    assert all(torch.equal(back.best_state[k], h.best_state[k]) for k in h.best_state)


def test_writes_are_atomic(tmp_path, monkeypatch):
    trained_linear(tmp_path, epochs=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.pt", "last.pt"]     # no .tmp left over
    before = {name: (tmp_path / name).read_bytes() for name in ("best.pt", "last.pt")}
    real_save, written = torch.save, []

    def interrupted_save(obj, f, *args, **kwargs):          # dies half-way through writing
        written.append(f)
        with open(f, "wb") as out:
            out.write(b"\x80\x02 half a checkpoint")
        raise KeyboardInterrupt

    model, opt, h, _ = trained_linear(tmp_path / "other", epochs=1)
    monkeypatch.setattr(torch, "save", interrupted_save)
    for name in ("best.pt", "last.pt"):
        with pytest.raises(KeyboardInterrupt):
            if name == "best.pt":       # epoch 1 is the best: best.pt is written first
                Checkpoint(tmp_path)(_run(h, model, opt))
            else:                       # not a best epoch: only last.pt is written
                Checkpoint(tmp_path)(_run(dataclasses.replace(h, best_epoch=0), model, opt))
    monkeypatch.setattr(torch, "save", real_save)
    assert [p.name for p in written] == ["best.tmp", "last.tmp"]
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    fresh = nn.Linear(4, 3)
    assert len(resume(tmp_path, fresh, torch.optim.SGD(fresh.parameters(), lr=0.1)).val_loss) == 2


def _run(history, model, opt, epoch=None):
    from lablib.training import Run
    return Run(epoch or len(history.train_loss), history, model, opt, None, 4)


# --- refusals -------------------------------------------------------------------------------------------------

def test_no_checkpoint_there(tmp_path):
    model = nn.Linear(4, 3)
    with pytest.raises(ValueError, match=r"no checkpoint at .*last\.pt: train with callbacks=\[Checkpoint\(folder\)\]"):
        resume(tmp_path, model)
    with pytest.raises(ValueError, match=r"no checkpoint at .*best\.pt"):
        load_weights(tmp_path, model)
    with pytest.raises(ValueError, match="no checkpoint at"):
        resume(tmp_path / "missing" / "last.pt", model)
    torch.save({"weights": 1}, tmp_path / "last.pt")
    with pytest.raises(ValueError, match="is not a checkpoint written by lablib.checkpoints.Checkpoint"):
        resume(tmp_path, model)


def test_a_checkpoint_of_another_model_is_refused_naming_both(tmp_path):
    train, val = image_problem(n_train=8, n_val=8)
    torch.manual_seed(0)
    small = SmallResNet(num_classes=3, width=4)
    fit(small, torch.optim.SGD(small.parameters(), lr=0.01), train, val, epochs=1, callbacks=[Checkpoint(tmp_path)])
    wide = SmallResNet(num_classes=3, width=8)
    before = {k: v.clone() for k, v in wide.state_dict().items()}
    for call in (lambda: resume(tmp_path, wide, torch.optim.SGD(wide.parameters(), lr=0.01)),
                 lambda: load_weights(tmp_path, wide)):
        with pytest.raises(ValueError) as err:
            call()
        message = str(err.value)
        assert "holds the weights of SmallResNet(in_channels=1, num_classes=3, width=4, " in message
        assert "not of this SmallResNet(in_channels=1, num_classes=3, width=8, " in message
        assert "build the model with the checkpoint's settings" in message
    assert all(torch.equal(v, before[k]) for k, v in wide.state_dict().items()), "the model was changed"


def test_same_description_but_other_shapes_names_the_weights_that_differ(tmp_path):
    train, _ = blob_problem()
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    fit(model, torch.optim.SGD(model.parameters(), lr=0.1), train, epochs=1, callbacks=[Checkpoint(tmp_path)])
    other = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))
    assert describe_model(other) == describe_model(model) == "Sequential()"
    with pytest.raises(ValueError, match=r"does not fit this model: its weights differ in 0\.weight, 0\.bias, 2\.weight$"):
        load_weights(tmp_path, other)


def test_best_pt_cannot_be_resumed(tmp_path):
    model, _, _, _ = trained_linear(tmp_path, epochs=1)
    with pytest.raises(ValueError, match=r"holds only weights \(a best\.pt\).*load_weights\(\)"):
        resume(tmp_path / "best.pt", model, torch.optim.SGD(model.parameters(), lr=0.1))


def test_the_optimizer_and_scheduler_must_match_the_saved_run(tmp_path):
    model, _, _, (train, _) = trained_linear(tmp_path / "sgd", epochs=1)
    with pytest.raises(ValueError, match=r"was saved with an? optimizer: pass a new one of the same kind"):
        resume(tmp_path / "sgd", nn.Linear(4, 3))
    fresh = nn.Linear(4, 3)
    opt = torch.optim.SGD(fresh.parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"was saved without a scheduler, so there is no scheduler state"):
        resume(tmp_path / "sgd", fresh, opt, torch.optim.lr_scheduler.StepLR(opt, 1))
    with pytest.raises(ValueError, match="the optimizer's saved state does not fit this optimizer"):
        resume(tmp_path / "sgd", fresh, torch.optim.SGD([fresh.weight], lr=0.1))

    # a run with a scheduler must be resumed with one
    sched_model = nn.Linear(4, 3)
    sched_opt = torch.optim.SGD(sched_model.parameters(), lr=0.1)
    fit(sched_model, sched_opt, train, epochs=1, scheduler=torch.optim.lr_scheduler.StepLR(sched_opt, 1),
        callbacks=[Checkpoint(tmp_path / "sched")])
    fresh = nn.Linear(4, 3)
    with pytest.raises(ValueError, match=r"was saved with a scheduler"):
        resume(tmp_path / "sched", fresh, torch.optim.SGD(fresh.parameters(), lr=0.1))

    # an optimizer without state_dict() (lablib's NumPy ones) saves none: a torch one is extra
    from lablib import optim
    np_model = nn.Linear(4, 3)
    fit(np_model, LablibOptimizer(np_model.parameters(), optim.SGD, lr=0.1), train, epochs=1,
        callbacks=[Checkpoint(tmp_path / "numpy")])
    assert torch.load(tmp_path / "numpy" / "last.pt", weights_only=False)["optimizer_state"] is None
    fresh = nn.Linear(4, 3)
    with pytest.raises(ValueError, match=r"was saved without an? optimizer, so there is no optimizer state"):
        resume(tmp_path / "numpy", fresh, torch.optim.SGD(fresh.parameters(), lr=0.1))


def test_fit_refuses_a_seed_with_a_history_and_a_finished_run(tmp_path):
    _, _, _, (train, val) = trained_linear(tmp_path, epochs=2)
    fresh = nn.Linear(4, 3)
    opt = torch.optim.SGD(fresh.parameters(), lr=0.1)
    h = resume(tmp_path, fresh, opt)
    with pytest.raises(ValueError, match="pass seed or history, not both"):
        fit(fresh, opt, train, val, epochs=4, history=h, seed=0)
    for epochs in (1, 2):
        with pytest.raises(ValueError, match=rf"already completed 2 epochs; ask for more than that \(epochs={epochs}\)"):
            fit(fresh, opt, train, val, epochs=epochs, history=h)
    with pytest.raises(ValueError, match="picked its best epoch by 'val_loss', not 'val_acc'"):
        fit(fresh, opt, train, val, epochs=4, history=h, monitor="val_acc")
    with pytest.raises(ValueError, match="history must be the History of the run to resume"):
        fit(fresh, opt, train, val, epochs=4, history=dataclasses.asdict(h))
    assert len(h.train_loss) == 2, "a refused fit() changed the history"


def test_a_run_that_stopped_early_cannot_be_resumed(tmp_path):
    _, _, h, (train, val) = trained_linear(tmp_path, epochs=12, lr=3.0, patience=1)
    assert h.stopped_early and len(h.train_loss) < 12
    fresh = nn.Linear(4, 3)
    opt = torch.optim.SGD(fresh.parameters(), lr=3.0)
    back = resume(tmp_path, fresh, opt)
    with pytest.raises(ValueError, match="has ended"):
        fit(fresh, opt, train, val, epochs=12, history=back, patience=1)


def test_describe_model_and_the_checkpoint_folder(tmp_path):
    assert describe_model(nn.Linear(3, 2)) == "Linear(in_features=3, out_features=2, bias=True)"
    assert describe_model(SmallResNet(width=4)) == \
        "SmallResNet(in_channels=1, num_classes=10, width=4, blocks=(1, 1, 1), dropout=0.0)"
    cp = Checkpoint(tmp_path / "runs" / "a")            # created, parents too
    assert (tmp_path / "runs" / "a").is_dir() and repr(cp) == f"Checkpoint({str(tmp_path / 'runs' / 'a')!r})"
    assert cp.last == tmp_path / "runs" / "a" / "last.pt" and cp.best == tmp_path / "runs" / "a" / "best.pt"
