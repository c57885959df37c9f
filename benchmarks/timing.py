"""Timing helpers shared by the benchmark sections."""
from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass, field


def median_time(fn, repeats: int = 7, warmup: int = 1, number: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeats`` runs after ``warmup`` untimed runs.

    ``number`` calls are timed together and divided, for functions too fast to time alone.
    """
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def calls_per_run(fn, target_seconds: float = 0.05) -> int:
    """How many calls of ``fn`` take about ``target_seconds`` (at least 1)."""
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, int(target_seconds / once))


@dataclass
class Row:
    """One figure of the report."""

    section: str
    name: str
    value: float
    unit: str
    goal: str = ""
    status: str = ""          # "ok", "over" or "" (no goal)
    note: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def check(value: float, limit: float) -> str:
    return "ok" if value <= limit else "over"


def interleaved_medians(fns: dict, repeats: int = 7, warmup: int = 1, number: int | dict = 1) -> dict:
    """Median seconds per call of each function, timed in turn within every repeat.

    Alternating the contenders inside each repeat exposes them to the same load,
    so their ratio is steadier on a shared machine than timing one after the other.
    ``number`` (one count, or one per name) calls are timed together and divided.
    """
    counts = number if isinstance(number, dict) else {name: number for name in fns}
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(counts[name]):
                fn()
            samples[name].append((time.perf_counter() - start) / counts[name])
    return {name: statistics.median(values) for name, values in samples.items()}
