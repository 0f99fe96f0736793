#!/usr/bin/env python
"""Cost of parameter uncertainty: ``magpk.simulate(..., uncertainty=n)``.

One subject (the default adult), the 30-day twice-daily oral regimen (200 mg
glycinate every 12 h, 60 doses) and a 72-h single 300 mg citrate dose, n = 100
draws (``--n``) from the calibration covariance, with threads=1 and threads=2
(``--threads``). Reported: the plain run, drawing the parameter sets alone
(rejection sampling from the truncated normal; cached after the first call per
(n, seed)), and the whole call, its cost per draw and the speed-up over one
thread. For scale, ``simulate_population`` of the same n subjects (one
parameter set, C++ threads) on the same regimen. Best of ``--repeats``.

Usage: python benchmarks/uncertainty.py [--n 100] [--threads 1 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import functools
import sys
import time

import magpk
from magpk import uncertainty

import _common as common

SEED = 1


def best_of(repeats: int, fn) -> float:
    times = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def draw_time(n: int) -> float:
    """Drawing n parameter sets from scratch (the cache cleared)."""
    uncertainty._log_draws.cache_clear()
    t0 = time.perf_counter()
    uncertainty.draw_parameters(n, SEED)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="parameter draws (default 100)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="thread counts to time (default: 1 2)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per configuration, best taken")
    args = parser.parse_args(argv)
    cases = [("oral 200 mg glycinate q12h x60, 30 d", common.oral_regimen(), common.ORAL_T_END_H),
             ("oral 300 mg citrate once, 72 h",
              magpk.Regimen().oral("citrate", dose_mg=300, every_h=24, count=1), 72.0)]

    print(f"# uncertainty: magpk {getattr(magpk, '__version__', '?')}; {common.machine_line()}")
    print(f"# default adult, n = {args.n} draws from the calibration covariance (seed {SEED}), "
          f"hourly output; best of {args.repeats}\n")
    print(f"drawing {args.n} parameter sets (rejection sampling, no cache): "
          f"{common.fmt_time(draw_time(args.n))}\n")
    rows = []
    for label, regimen, t_end in cases:
        plain = best_of(args.repeats, functools.partial(magpk.simulate, regimen, t_end_h=t_end))
        first = None
        for threads in args.threads:
            magpk.simulate(regimen, t_end_h=t_end, uncertainty=args.n, seed=SEED,
                           threads=threads)  # warm-up (and the draw cache)
            seconds = best_of(args.repeats, functools.partial(
                magpk.simulate, regimen, t_end_h=t_end, uncertainty=args.n, seed=SEED,
                threads=threads))
            population = best_of(1, functools.partial(
                magpk.simulate_population, regimen, n=args.n, seed=SEED, t_end_h=t_end,
                threads=threads, progress=False))
            first = first or seconds
            rows.append([label, threads, common.fmt_time(plain), common.fmt_time(seconds),
                         common.fmt_time(seconds / args.n), f"{seconds / plain:.0f}x",
                         f"{first / seconds:.2f}x", common.fmt_time(population)])
    common.print_table(["regimen", "threads", "plain run", f"uncertainty={args.n}",
                        "per draw", "vs plain", "speed-up", f"population n={args.n}"], rows,
                       title="magpk.simulate(..., uncertainty=n)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
