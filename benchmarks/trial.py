#!/usr/bin/env python
"""A virtual trial on a Dask cluster: 10^6 subjects x 30 days, checkpointed.

``magpk.simulate_population`` of the benchmark's oral regimen (200 mg glycinate
every 12 h for 30 days, "adults" preset, hourly output, summaries only) on a
Dask ``LocalCluster`` of worker processes (one C++ thread each), with a
progress bar and a checkpoint directory: stop it at any time (Ctrl-C, a killed
job, a lost node) and run the same command again to resume; only the missing
chunks are computed and the result is identical to an uninterrupted run.

On a multi-node cluster, start a scheduler and workers yourself (``dask
scheduler`` on one node, ``dask worker tcp://HOST:8786 --nthreads 1`` on each
core of the others, all with magpk installed) and pass ``--scheduler
tcp://HOST:8786``; the checkpoint directory is written by this (the client)
process only.

Prints the wall time, the throughput, the peak resident memory of this process
and of the largest worker, and a few population results.

Usage: python benchmarks/trial.py [--n 1000000] [--workers 2] [--chunk-size 2000]
                                  [--checkpoint build/trial-checkpoint] [--scheduler ADDRESS]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import magpk

import _common as common

DAYS = common.ORAL_T_END_H / 24.0


def _peak_rss_mb() -> float:
    """Peak resident set size of the calling process, MB (Linux: ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="subjects (default 1000000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="LocalCluster worker processes (default: all cores)")
    parser.add_argument("--chunk-size", type=int, default=2_000,
                        help="subjects per task (default 2000)")
    parser.add_argument("--checkpoint", default=os.path.join(common.REPO, "build",
                                                             "trial-checkpoint"),
                        help="checkpoint directory (default build/trial-checkpoint)")
    parser.add_argument("--scheduler", default=None,
                        help="address of a running Dask scheduler (default: start a LocalCluster)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    print(f"# trial: magpk {magpk.__version__}; {common.machine_line()}")
    print(f"# {args.n:,} subjects x {DAYS:g} days, 'adults' preset, 200 mg glycinate q12h, "
          f"hourly output, summaries only; chunks of {args.chunk_size:,}; "
          f"checkpoint {args.checkpoint}\n")
    cluster = None
    if args.scheduler is None:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(args.scheduler)
    try:
        n_workers = len(client.scheduler_info()["workers"])
        t0 = time.perf_counter()
        pop = magpk.simulate_population(common.oral_regimen(), n=args.n, seed=args.seed,
                                        population="adults", t_end_h=common.ORAL_T_END_H,
                                        output_every_h=common.OUTPUT_EVERY_H, client=client,
                                        chunk_size=args.chunk_size, checkpoint=args.checkpoint,
                                        progress=True)
        seconds = time.perf_counter() - t0
        worker_peaks = client.run(_peak_rss_mb)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    rows = [["subjects", f"{pop.n:,}"],
            ["Dask workers (1 thread each)", str(n_workers)],
            ["wall time (this call; a resumed run counts only its own part)", f"{seconds:,.1f} s"],
            # A resumed call loads finished chunks from the checkpoint: its rate is not a speed.
            ["subject-months / s (all subjects over this call's wall time)",
             f"{pop.n * (DAYS / 30.0) / seconds:,.0f}"],
            ["peak RSS, client process", f"{_peak_rss_mb():,.0f} MB"],
            ["peak RSS, largest worker", f"{max(worker_peaks.values()):,.0f} MB"]]
    common.print_table(["", "value"], rows, title="Virtual trial")
    print("\nSerum (mmol/L) percentiles at the start and the end of the run:")
    print(pop.percentiles(variables=["serum_mmol_l"]).iloc[[0, -1]].to_string())
    print("\nTarget attainment:")
    print(pop.target_attainment().to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
