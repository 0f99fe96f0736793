#!/usr/bin/env python
"""Population throughput: subject-months simulated per second.

``magpk.simulate_population`` of the 30-day twice-daily oral regimen (200 mg
glycinate every 12 h, 60 doses), "adults" preset, hourly output, summaries only
(``trajectories=False``), with threads=1 and threads=2 (or ``--threads``).
Throughput = n x (days / 30) / wall seconds, in subject-months per second.
Each configuration is timed once after a small warm-up run (best of
``--repeats``).

Usage: python benchmarks/population.py [--n 10000] [--threads 1 2] [--repeats 1]
"""

from __future__ import annotations

import argparse
import sys
import time

import magpk

import _common as common

DAYS = common.ORAL_T_END_H / 24.0


def run(regimen, n: int, threads: int) -> float:
    t0 = time.perf_counter()
    pop = magpk.simulate_population(regimen, n=n, seed=1, population="adults",
                                    t_end_h=common.ORAL_T_END_H,
                                    output_every_h=common.OUTPUT_EVERY_H, threads=threads,
                                    progress=False)
    elapsed = time.perf_counter() - t0
    assert pop.n == n
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="subjects (default 10000)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="thread counts to time (default: 1 2)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per thread count, best taken")
    args = parser.parse_args(argv)
    regimen = common.oral_regimen()

    print(f"# population: magpk {getattr(magpk, '__version__', '?')}; {common.machine_line()}")
    print(f"# {args.n:,} subjects x {DAYS:g} days, 'adults' preset, 200 mg glycinate q12h, "
          f"hourly output, summaries only; best of {args.repeats}\n")
    run(regimen, min(200, args.n), max(args.threads))  # warm-up

    rows = []
    first = None
    for threads in args.threads:
        seconds = min(run(regimen, args.n, threads) for _ in range(max(1, args.repeats)))
        throughput = args.n * (DAYS / 30.0) / seconds
        first = first or seconds
        rows.append([threads, f"{seconds:.2f}", f"{throughput:,.0f}",
                     f"{1e3 * seconds / args.n:.3f}", f"{first / seconds:.2f}x"])
    common.print_table(["threads", "wall (s)", "subject-months / s", "ms / subject (wall)",
                        f"speed-up vs {args.threads[0]} thread(s)"],
                       rows, title="Population throughput")
    return 0


if __name__ == "__main__":
    sys.exit(main())
