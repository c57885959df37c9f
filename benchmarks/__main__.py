"""python -m benchmarks [--sections optim,autograd,...] [--quick] [--json PATH]

Prints one table (every figure with its goal beside it) and writes the same rows as JSON.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

SECTIONS = ["optim", "classifier", "autograd", "cnn", "slider", "chapters", "site"]


def machine() -> dict:
    import numpy as np

    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "numpy": np.__version__, "processor": platform.processor() or platform.machine()}
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        pass
    try:
        with open("/proc/meminfo") as fh:
            info["memory_gb"] = round(int(fh.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    return info


def format_value(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "n/a"
    if unit in ("x", "ratio"):
        return f"{value:.2f}×"
    if unit == "s" and value < 1e-3:
        return f"{value * 1e6:.1f} µs"
    if unit == "s" and value < 1:
        return f"{value * 1e3:.2f} ms"
    return f"{value:.2f} {unit}"


def print_table(rows) -> None:
    width = max(len(r.name) for r in rows)
    section = None
    for r in rows:
        if r.section != section:
            section = r.section
            print(f"\n== {section} ==")
        status = {"ok": "ok", "over": "OVER"}.get(r.status, "")
        goal = f"goal {r.goal}" if r.goal else ""
        print(f"  {r.name:<{width}}  {format_value(r.value, r.unit):>12}  {goal:<18} {status:<4}  {r.note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and no cold book build (minutes instead of tens)")
    parser.add_argument("--json", default=str(Path(__file__).with_name("results") / "latest.json"))
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for NumPy's BLAS and for torch (default 1: on a shared or small machine, "
                             "thread scheduling otherwise swamps the code being measured; 0 leaves the libraries' defaults)")
    args = parser.parse_args(argv)
    if args.threads > 0:
        # before NumPy and torch are imported: their thread pools read these once
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
        import torch

        torch.set_num_threads(args.threads)
    chosen = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    rows = []
    started = time.time()
    for name in chosen:
        print(f"[{name}] ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"benchmarks.bench_{name}")
        kwargs = {}
        if name == "chapters":
            kwargs = {"repeats": 1, "warmup": 0, "build": not args.quick} if args.quick else {"repeats": 2, "warmup": 1}
        elif args.quick and "quick" in module.run.__code__.co_varnames:
            kwargs = {"quick": True}
        try:
            rows.extend(module.run(**kwargs))
        except Exception as err:              # one broken section should not hide the others' figures
            from benchmarks.timing import Row

            print(f"[{name}] failed: {type(err).__name__}: {err}", file=sys.stderr)
            rows.append(Row(name, f"{name} section failed", float("nan"), "", note=f"{type(err).__name__}: {err}"))
    print_table(rows)
    report = {"machine": {**machine(), "threads": args.threads or "library defaults"}, "seconds": round(time.time() - started, 1), "date": time.strftime("%Y-%m-%d"),
              "rows": [r.as_dict() for r in rows]}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
