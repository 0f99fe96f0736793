#!/usr/bin/env python
"""Peak memory (RSS) of a summaries-only population run.

Each measurement runs in a fresh subprocess (so peaks do not carry over):
the child imports magpk, records its peak RSS (``resource.getrusage(
RUSAGE_SELF).ru_maxrss``, KB on Linux) "before", runs
``magpk.simulate_population`` (twice-daily 200 mg glycinate, "adults",
hourly output, ``trajectories=False``) and records the peak RSS "after".

For reference the analytic size of the summary histograms is printed:
5 variables x n_times x 2050 bins (2048 + under/overflow) x 4 bytes (uint32)
x threads, allocated by the C++ batch engine per chunk of subjects (the
Python side adds each chunk into one running uint32 histogram as it
arrives, so this does not grow with n). Per-subject metrics and covariates
grow with n (n x metrics x 8 bytes, plus covariate columns).

Usage: python benchmarks/memory.py [--n 100000] [--days 30] [--threads 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _vm_rss_kb() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def child(n: int, days: float, threads: int) -> None:
    """Runs in the subprocess: one population run; prints a JSON line."""
    import magpk
    from magpk import _core

    import _common as common

    regimen = magpk.Regimen().oral("glycinate", dose_mg=200, every_h=12, days=days)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    before_now = _vm_rss_kb()
    t0 = time.perf_counter()
    pop = magpk.simulate_population(regimen, n=n, seed=1, population="adults",
                                    t_end_h=24.0 * days, output_every_h=common.OUTPUT_EVERY_H,
                                    threads=threads, progress=False, trajectories=False)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "n": pop.n, "threads": threads, "seconds": elapsed,
        "maxrss_before_kb": before, "maxrss_after_kb": after,
        "rss_before_kb": before_now, "rss_after_kb": _vm_rss_kb(),
        "n_times": len(pop.times_h),
        "n_vars": len(_core.summary_variables()), "bins": int(_core.SUMMARY_BINS) + 2,
        "n_metrics": len(_core.metric_names()),
    }))


def measure(n: int, days: float, threads: int) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "--n", str(n), "--days",
           str(days), "--threads", str(threads)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    # the first import may print build lines: the JSON is the last line
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="subjects (default 100000)")
    parser.add_argument("--days", type=float, default=30.0, help="simulated days (default 30)")
    parser.add_argument("--threads", type=int, nargs="+", default=None,
                        help="thread counts, one subprocess each (default: 1 and all cores)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.n, args.days, args.threads[0])
        return 0

    from magpk import _core

    import _common as common

    threads_list = args.threads or sorted({1, os.cpu_count() or 1})
    n_times = round(24.0 * args.days / common.OUTPUT_EVERY_H) + 1
    n_vars = len(_core.summary_variables())
    bins = int(_core.SUMMARY_BINS) + 2
    n_metrics = len(_core.metric_names())
    print(f"# memory: {common.machine_line()}")
    print(f"# {args.n:,} subjects x {args.days:g} days, 'adults', 200 mg glycinate q12h, hourly "
          f"output ({n_times} output times), summaries only; one fresh subprocess per row")
    print("# ru_maxrss = peak RSS (KB); 'before' = after importing magpk, before the run\n")

    rows = []
    for threads in threads_list:
        r = measure(args.n, args.days, threads)
        assert r["n_times"] == n_times, (r["n_times"], n_times)
        hist_cpp = n_vars * n_times * bins * 4 * threads
        rows.append([threads, f"{r['seconds']:.1f}", f"{r['maxrss_before_kb']:,}",
                     f"{r['maxrss_after_kb']:,}",
                     f"{(r['maxrss_after_kb'] - r['maxrss_before_kb']) / 1024:.1f}",
                     f"{r['rss_after_kb']:,}", f"{hist_cpp / 2**20:.1f}"])
    common.print_table(
        ["threads", "run (s)", "peak RSS before (KB)", "peak RSS after (KB)",
         "peak increase (MiB)", "RSS at exit (KB)", "analytic C++ histograms (MiB)"],
        rows, title="Peak RSS of a summaries-only population run")

    merged = n_vars * n_times * bins * 8
    per_subject = args.n * n_metrics * 8
    print("Analytic reference sizes:")
    print(f"  C++ histograms per chunk: {n_vars} variables x {n_times} times x {bins} bins x "
          f"4 B x threads = {n_vars * n_times * bins * 4 / 2**20:.1f} MiB per thread")
    print(f"  running merged histogram (Python, uint32): {n_vars} x {n_times} x {bins} x 4 B = "
          f"{merged / 2 / 2**20:.1f} MiB")
    print(f"  per-subject metrics: {args.n:,} x {n_metrics} x 8 B = {per_subject / 2**20:.1f} MiB "
          f"(plus covariate columns, O(n))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
