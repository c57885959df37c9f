"""Checkpoints: the best weights on disk, and a run that resumes where it stopped.

:class:`Checkpoint` is a callback of :func:`lablib.training.fit`. After every
epoch it writes ``last.pt``, everything a run needs to go on (the model's and the
optimizer's and scheduler's states, the :class:`~lablib.training.History` so far
and torch's random state, which decides the next batches' order and dropout),
and, when the epoch is the best so far, ``best.pt`` with the model's weights.
:func:`resume` reads ``last.pt`` back into a fresh model and optimizer and
returns the history to hand to ``fit(..., history=...)``; the resumed run then
gives the same numbers as one that never stopped. :func:`load_weights` loads
``best.pt`` for evaluation.

Both files record the model's class and settings, so loading into a different
model fails with a ``ValueError`` that says what differs, not one of torch's
long lists of missing keys.

torch only. Introduced in chapter 10.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import torch
from torch import nn

from lablib.training import History, Run

__all__ = ["Checkpoint", "resume", "load_weights", "describe_model"]

LAST, BEST = "last.pt", "best.pt"


def describe_model(model: nn.Module) -> str:
    """The model's class and settings, e.g. ``SmallResNet(width=8, ...)``: what a checkpoint must match.

    Examples
    --------
    >>> describe_model(nn.Linear(3, 2))
    'Linear(in_features=3, out_features=2, bias=True)'

    Introduced in chapter 10.
    """
    return f"{type(model).__name__}({model.extra_repr()})"


def _shapes(state: dict) -> dict:
    return {k: tuple(v.shape) for k, v in state.items()}


def _check_same_model(saved: dict, model: nn.Module, path: Path) -> None:
    described = describe_model(model)
    if saved["model"] != described:
        raise ValueError(f"{path} holds the weights of {saved['model']}, not of this {described}: "
                         f"build the model with the checkpoint's settings (or start a new run)")
    theirs, ours = _shapes(saved["model_state"]), _shapes(model.state_dict())
    if theirs != ours:
        differ = sorted(set(theirs) ^ set(ours)) or [k for k in ours if theirs[k] != ours[k]]
        raise ValueError(f"{path} does not fit this model: its weights differ in "
                         f"{', '.join(differ[:4])}{' ...' if len(differ) > 4 else ''}")


def _write(obj, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)                  # never a half-written checkpoint, even if interrupted


class Checkpoint:
    """Save ``last.pt`` after every epoch and ``best.pt`` at every new best epoch, in ``directory``.

    Parameters
    ----------
    directory : str or Path
        Created if needed.

    Examples
    --------
    >>> import tempfile
    >>> from lablib.training import fit, make_loader
    >>> X, y = torch.randn(32, 2, generator=torch.Generator().manual_seed(0)), torch.arange(32) % 2
    >>> model = nn.Linear(2, 2)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     h = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), make_loader(X, y, 8), epochs=2,
    ...             callbacks=[Checkpoint(folder)])
    ...     sorted(p.name for p in Path(folder).iterdir())
    ['best.pt', 'last.pt']

    Introduced in chapter 10.
    """

    def __init__(self, directory):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    @property
    def last(self) -> Path:
        """The file to resume from."""
        return self.directory / LAST

    @property
    def best(self) -> Path:
        """The weights of the best epoch."""
        return self.directory / BEST

    def __call__(self, run: Run) -> None:
        model_name = describe_model(run.model)
        history = dataclasses.replace(run.history, best_state=None)     # the best weights go to best.pt
        if run.history.best_epoch == run.epoch:
            _write({"model": model_name, "epoch": run.epoch, "model_state": run.model.state_dict()}, self.best)
        _write({"model": model_name, "epoch": run.epoch,
                "model_state": run.model.state_dict(),
                "optimizer_state": run.optimizer.state_dict() if hasattr(run.optimizer, "state_dict") else None,
                "scheduler_state": run.scheduler.state_dict() if run.scheduler is not None else None,
                "history": dataclasses.asdict(history),
                "rng_state": torch.get_rng_state(),
                "cuda_rng_state": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None},
               self.last)

    def __repr__(self) -> str:
        return f"Checkpoint({str(self.directory)!r})"


def _read(path) -> tuple[Path, dict]:
    path = Path(path)
    if path.is_dir():
        path = path / LAST
    if not path.is_file():
        raise ValueError(f"no checkpoint at {path}: train with callbacks=[Checkpoint(folder)] first")
    saved = torch.load(path, map_location="cpu", weights_only=False)
    if not isinstance(saved, dict) or "model_state" not in saved or "model" not in saved:
        raise ValueError(f"{path} is not a checkpoint written by lablib.checkpoints.Checkpoint")
    return path, saved


def resume(path, model: nn.Module, optimizer=None, scheduler=None) -> History:
    """Load a run's ``last.pt`` into ``model`` (and ``optimizer``, ``scheduler``); return its history.

    Then ``fit(model, optimizer, ..., epochs=N, history=history)`` trains on from the
    next epoch, with the random state the checkpoint saved.

    Parameters
    ----------
    path : str or Path
        The checkpoint's folder, or its ``last.pt``.
    model : torch.nn.Module
        A new model built with the same class and settings.
    optimizer, scheduler : optional
        New ones over ``model``'s parameters, of the same kinds as in the saved run.

    Raises
    ------
    ValueError
        No checkpoint there; one from a different model; an optimizer or scheduler
        that the saved run did not have.

    Introduced in chapter 10.
    """
    path, saved = _read(path)
    if "history" not in saved:
        raise ValueError(f"{path} holds only weights (a best.pt): resume from the folder's last.pt, "
                         f"or use load_weights() to evaluate them")
    _check_same_model(saved, model, path)
    for name, obj in (("optimizer", optimizer), ("scheduler", scheduler)):
        if obj is not None and saved[f"{name}_state"] is None:
            raise ValueError(f"{path} was saved without a {name}, so there is no {name} state to resume")
        if obj is None and saved[f"{name}_state"] is not None:
            raise ValueError(f"{path} was saved with a {name}: pass a new one of the same kind, "
                             f"so it resumes with its state")
    model.load_state_dict(saved["model_state"])
    if optimizer is not None:
        try:
            optimizer.load_state_dict(saved["optimizer_state"])
        except (ValueError, KeyError, RuntimeError) as err:
            raise ValueError(f"{path}: the optimizer's saved state does not fit this optimizer ({err})") from None
    if scheduler is not None:
        scheduler.load_state_dict(saved["scheduler_state"])
    torch.set_rng_state(saved["rng_state"])
    if saved.get("cuda_rng_state") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(saved["cuda_rng_state"])
    history = History(**saved["history"])
    best = Path(path).with_name(BEST)
    if best.is_file():
        history.best_state = torch.load(best, map_location="cpu", weights_only=False)["model_state"]
    return history


def load_weights(path, model: nn.Module) -> int:
    """Load the weights a checkpoint saved (``best.pt``, or a ``last.pt``) into ``model``; return their epoch.

    Raises
    ------
    ValueError
        No checkpoint there, or one from a different model.

    Introduced in chapter 10.
    """
    path = Path(path)
    path, saved = _read(path / BEST if path.is_dir() else path)
    _check_same_model(saved, model, path)
    model.load_state_dict(saved["model_state"])
    return int(saved["epoch"])
