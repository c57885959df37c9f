"""Chapter execution: each notebook in a fresh kernel (wall time, peak memory) and the whole book's cold build."""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .timing import Row, check

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_BUDGET_S = 120.0
BUILD_BUDGET_S = 8 * 60.0
MEMORY_BUDGET_MB = 3 * 1024.0


class PeakMemory:
    """Poll the summed RSS of a process and all its descendants; keep the maximum (MB)."""

    def __init__(self, pid: int, interval: float = 0.05):
        import psutil

        self._proc = psutil.Process(pid)
        self._interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self._proc, *self._proc.children(recursive=True)]
                rss = 0
                for p in procs:
                    try:
                        rss += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak_mb = max(self.peak_mb, rss / 2**20)
            except psutil.Error:
                pass
            time.sleep(self._interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def execute_notebook(path: Path) -> tuple[float, float]:
    """Run ``path`` top to bottom in a fresh kernel; return (seconds, peak MB of the kernel's process tree)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        with PeakMemory(pid) as mem:
            start = time.perf_counter()
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            seconds = time.perf_counter() - start
    return seconds, mem.peak_mb


def run(repeats: int = 1, warmup: int = 0, build: bool = True, only: str | None = None) -> list[Row]:
    os.environ.setdefault("LABLIB_OFFLINE", "1")
    rows = []
    notebooks = sorted((ROOT / "chapters").glob("*.ipynb"))
    if only:
        notebooks = [nb for nb in notebooks if only in nb.name]
    for nb in notebooks:
        for _ in range(warmup):
            execute_notebook(nb)
        results = [execute_notebook(nb) for _ in range(repeats)]
        seconds = statistics.median(r[0] for r in results)
        peak = max(r[1] for r in results)
        print(f"  {nb.name}: {seconds:.1f} s, peak {peak:.0f} MB", file=sys.stderr)
        rows.append(Row("chapters", f"{nb.stem} time", seconds, "s", "< 120 s", check(seconds, CHAPTER_BUDGET_S),
                        f"median of {repeats} fresh-kernel runs" + (f" after {warmup} warm-up" if warmup else "")))
        rows.append(Row("chapters", f"{nb.stem} peak memory", peak, "MB", "< 3072 MB", check(peak, MEMORY_BUDGET_MB),
                        "kernel process tree, RSS summed, polled every 50 ms"))
    if build:
        out = Path(tempfile.mkdtemp(prefix="bench_build_"))
        jb = Path(sys.executable).with_name("jupyter-book")
        start = time.perf_counter()
        subprocess.run([str(jb), "build", str(ROOT), "--path-output", str(out), "--warningiserror", "--keep-going"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        shutil.rmtree(out, ignore_errors=True)
        rows.append(Row("chapters", "whole book cold build (executed)", seconds, "s", "< 480 s",
                        check(seconds, BUILD_BUDGET_S), "one run: a cold build takes minutes"))
    return rows
