"""Loss monitoring with TensorBoard: log a run's curves, read them back, smooth them as TensorBoard does.

:class:`TensorBoardLogger` is a callback of :func:`lablib.training.fit` that
writes, through ``torch.utils.tensorboard.SummaryWriter``, after every epoch:

===================  ==========================================  ========
tag                  value                                       step
===================  ==========================================  ========
``loss/train``       the epoch's mean training loss              epoch
``loss/val``         validation loss after the epoch             epoch
``accuracy/train``   the epoch's training accuracy               epoch
``accuracy/val``     validation accuracy after the epoch         epoch
``lr``               learning rate of each update                update
``batch/loss``       every mini-batch's loss                     update
===================  ==========================================  ========

TensorBoard (``%tensorboard --logdir runs`` in Jupyter or Colab) shows them
live. :func:`read_scalars` reads the same event files with TensorBoard's own
reader, so a static page can draw what TensorBoard shows, and :func:`smooth`
is TensorBoard's smoothing slider: an exponential moving average with the
bias correction of Adam's :math:`\\hat m_t`,

.. math::

    m_t = \\beta m_{t-1} + (1-\\beta) x_t,\\quad m_0 = 0, \\qquad \\hat m_t = \\frac{m_t}{1-\\beta^t}.

torch and tensorboard. Introduced in chapter 10.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from lablib.training import Run

__all__ = ["TensorBoardLogger", "Scalars", "read_scalars", "smooth"]


class TensorBoardLogger:
    """Write a run's losses, accuracies and learning rate to TensorBoard event files in ``log_dir``.

    Parameters
    ----------
    log_dir : str or Path
        One folder per run (TensorBoard lists each folder under ``--logdir`` as a run).
        A resumed run may log into the same folder with a new logger: it writes only
        the epochs it trains, and TensorBoard reads the event files together.

    Examples
    --------
    >>> import tempfile, torch
    >>> from torch import nn
    >>> from lablib.training import fit, make_loader
    >>> X, y = torch.randn(32, 2, generator=torch.Generator().manual_seed(0)), torch.arange(32) % 2
    >>> model = nn.Linear(2, 2)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with TensorBoardLogger(folder) as logger:
    ...         _ = fit(model, torch.optim.SGD(model.parameters(), lr=0.1), make_loader(X, y, 8),
    ...                 make_loader(X, y, 32), epochs=3, callbacks=[logger])
    ...     scalars = read_scalars(folder)
    >>> sorted(scalars), scalars["loss/val"].steps.tolist(), len(scalars["batch/loss"].steps)
    (['accuracy/train', 'accuracy/val', 'batch/loss', 'loss/train', 'loss/val', 'lr'], [1, 2, 3], 12)

    Introduced in chapter 10.
    """

    def __init__(self, log_dir):
        from torch.utils.tensorboard import SummaryWriter

        self.log_dir = Path(log_dir)
        self.writer = SummaryWriter(str(self.log_dir))

    def __call__(self, run: Run) -> None:
        h, epoch, w = run.history, run.epoch, self.writer
        w.add_scalar("loss/train", h.train_loss[-1], epoch)
        w.add_scalar("accuracy/train", h.train_acc[-1], epoch)
        if h.val_loss:
            w.add_scalar("loss/val", h.val_loss[-1], epoch)
            w.add_scalar("accuracy/val", h.val_acc[-1], epoch)
        for update in range(len(h.batch_loss) - run.epoch_updates, len(h.batch_loss)):
            w.add_scalar("batch/loss", h.batch_loss[update], update + 1)
            w.add_scalar("lr", h.batch_lr[update], update + 1)
        w.flush()

    def close(self) -> None:
        """Flush and close the event file."""
        self.writer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"TensorBoardLogger({str(self.log_dir)!r})"


class Scalars(NamedTuple):
    """One tag's logged values, as TensorBoard holds them.

    Introduced in chapter 10.
    """

    steps: np.ndarray
    values: np.ndarray
    wall_time: np.ndarray


def read_scalars(log_dir) -> dict:
    """Every scalar tag logged in ``log_dir``, read with TensorBoard's ``EventAccumulator``.

    Returns
    -------
    dict
        Tag (e.g. ``"loss/val"``) → :class:`Scalars`, in step order.

    Raises
    ------
    ValueError
        When ``log_dir`` holds no event file, or one without scalars.

    Introduced in chapter 10.
    """
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    log_dir = Path(log_dir)
    if not log_dir.is_dir() or not any(log_dir.glob("events.out.tfevents.*")):
        raise ValueError(f"no TensorBoard event file in {log_dir}: log a run there with "
                         f"fit(..., callbacks=[TensorBoardLogger({str(log_dir)!r})]) first")
    events = EventAccumulator(str(log_dir), size_guidance={"scalars": 0})   # 0: keep every value
    events.Reload()
    tags = events.Tags().get("scalars", [])
    if not tags:
        raise ValueError(f"the event files in {log_dir} hold no scalars")
    out = {}
    for tag in sorted(tags):
        records = sorted(events.Scalars(tag), key=lambda e: e.step)
        out[tag] = Scalars(np.array([e.step for e in records]), np.array([e.value for e in records]),
                           np.array([e.wall_time for e in records]))
    return out


def smooth(values, weight: float = 0.6) -> np.ndarray:
    """TensorBoard's smoothing: a bias-corrected exponential moving average with ``weight`` = β.

    ``weight=0`` returns the values unchanged; TensorBoard's slider defaults to 0.6.
    Non-finite values are passed through and skipped, as TensorBoard does.

    Examples
    --------
    >>> smooth([1.0, 2.0, 3.0], weight=0.5).round(4).tolist()
    [1.0, 1.6667, 2.4286]

    Introduced in chapter 10.
    """
    values = np.asarray(values, dtype=float)
    if not 0 <= weight < 1:
        raise ValueError(f"weight must be in [0, 1) (TensorBoard's smoothing slider), got {weight!r}")
    out, m, n = np.empty_like(values), 0.0, 0
    for i, x in enumerate(values):
        if not np.isfinite(x):
            out[i] = x
            continue
        n += 1
        m = weight * m + (1 - weight) * x
        out[i] = m / (1 - weight ** n) if weight > 0 else x
    return out
