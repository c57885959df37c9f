"""Slider latency: from a slider change to the finished redraw of the momentum explorer.

The change goes through ipywidgets' own observer machinery (setting the
slider's value), so the figure is the callback's full cost: running both
optimizers, drawing with matplotlib and encoding the PNG that the notebook
shows. Browser display time is not included. Goal: median under 100 ms.
"""
from __future__ import annotations

import statistics
import time

from .timing import Row, check

GOAL_MS = 100.0


def run(quick: bool = False) -> list[Row]:
    import matplotlib

    matplotlib.use("Agg")
    from lablib import widgets

    explorer = widgets.momentum_explorer()
    slider = explorer.sliders["momentum"]
    values = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97]
    slider.value = 0.3                                     # warm-up
    samples, cpu = [], []
    for _ in range(2 if quick else 5):
        for value in values:
            before = explorer.redraws
            start, start_cpu = time.perf_counter(), time.process_time()
            slider.value = value
            samples.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            assert explorer.redraws == before + 1          # the change really redrew
    median_ms = statistics.median(samples) * 1e3
    cpu_ms = statistics.median(cpu) * 1e3
    lr = explorer.sliders["lr"]
    lr_samples = []
    for value in (0.002, 0.005, 0.02, 0.05, 0.1) * (1 if quick else 3):
        start = time.perf_counter()
        lr.value = value
        lr_samples.append(time.perf_counter() - start)
    lr_ms = statistics.median(lr_samples) * 1e3
    return [
        Row("slider", "momentum slider -> redraw (momentum explorer)", median_ms, "ms", "< 100 ms",
            check(median_ms, GOAL_MS), f"median of {len(samples)} changes; compute + matplotlib draw + PNG"),
        Row("slider", "momentum slider -> redraw, CPU time", cpu_ms, "ms", "< 100 ms", check(cpu_ms, GOAL_MS),
            "process time: less sensitive to other load on a shared machine"),
        Row("slider", "learning-rate slider -> redraw", lr_ms, "ms", "< 100 ms", check(lr_ms, GOAL_MS),
            f"median of {len(lr_samples)} changes"),
    ]
