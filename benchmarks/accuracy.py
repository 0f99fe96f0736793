#!/usr/bin/env python
"""Accuracy of the core's default tolerances against a tight run of the core.

For each benchmark regimen (30-day twice-daily oral glycinate; 24-h IV MgSO4),
default subject, hourly output, the regimen is simulated with the library's
default tolerances (``magpk.simulate`` defaults: rtol 1e-6, atol 1e-8,
atol_gut 1e-6) and with tight tolerances (rtol 1e-13, atol 1e-15,
atol_gut 1e-15). Reported:

- serum max rel. error: max over output rows of |serum - serum_ref| / serum_ref
- cmax rel. error: |cmax - cmax_ref| / cmax_ref (cmax located on the solution)
- tmax abs. error (h), final-serum and serum-AUC relative errors
- accepted steps of both runs

docs/model.md (Numerics) cites this script for the serum errors of the default tolerances.

Usage: python benchmarks/accuracy.py [--rtol R] [--atol A] [--atol-gut G]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import magpk

import _common as common

TIGHT = dict(rtol=1e-13, atol=1e-15, atol_gut=1e-15)


def compare(regimen, t_end_h, tol):
    run = magpk.simulate(regimen, t_end_h=t_end_h, output_every_h=common.OUTPUT_EVERY_H, **tol)
    ref = magpk.simulate(regimen, t_end_h=t_end_h, output_every_h=common.OUTPUT_EVERY_H, **TIGHT)
    a, b = run.to_frame(), ref.to_frame()
    assert np.array_equal(a["time_h"].to_numpy(), b["time_h"].to_numpy())
    serum, serum_ref = a["serum_mmol_l"].to_numpy(), b["serum_mmol_l"].to_numpy()
    rel = np.abs(serum - serum_ref) / np.abs(serum_ref)
    m, mr = run.metrics(), ref.metrics()
    auc, auc_ref = a["serum_auc_mmol_h_l"].iloc[-1], b["serum_auc_mmol_h_l"].iloc[-1]
    return {
        "rows": len(serum),
        "serum_max_rel": float(rel.max()),
        "serum_max_rel_at_h": float(a["time_h"].iloc[int(rel.argmax())]),
        "cmax_ref": mr["cmax_mmol_l"],
        "cmax_rel": abs(m["cmax_mmol_l"] - mr["cmax_mmol_l"]) / abs(mr["cmax_mmol_l"]),
        "tmax_abs": abs(m["tmax_h"] - mr["tmax_h"]),
        "final_rel": float(rel[-1]),
        "auc_rel": abs(auc - auc_ref) / abs(auc_ref),
        "steps": int(run._core.steps),
        "steps_ref": int(ref._core.steps),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rtol", type=float, default=common.DEFAULT_RTOL)
    parser.add_argument("--atol", type=float, default=common.DEFAULT_ATOL)
    parser.add_argument("--atol-gut", type=float, default=common.DEFAULT_ATOL_GUT)
    args = parser.parse_args(argv)
    tol = dict(rtol=args.rtol, atol=args.atol, atol_gut=args.atol_gut)

    print(f"# accuracy: magpk {getattr(magpk, '__version__', '?')}; {common.machine_line()}")
    print(f"# tested tolerances: rtol {tol['rtol']:g}, atol {tol['atol']:g}, "
          f"atol_gut {tol['atol_gut']:g} (library defaults: rtol {common.DEFAULT_RTOL:g}, "
          f"atol {common.DEFAULT_ATOL:g}, atol_gut {common.DEFAULT_ATOL_GUT:g})")
    print(f"# reference: the core at rtol {TIGHT['rtol']:g}, atol {TIGHT['atol']:g}, "
          f"atol_gut {TIGHT['atol_gut']:g}; default subject, output every "
          f"{common.OUTPUT_EVERY_H:g} h\n")
    rows = []
    for label, regimen, t_end in common.cases():
        r = compare(regimen, t_end, tol)
        rows.append([label, r["rows"], f"{r['serum_max_rel']:.2e}",
                     f"{r['serum_max_rel_at_h']:g}", f"{r['cmax_ref']:.6f}",
                     f"{r['cmax_rel']:.2e}", f"{r['tmax_abs']:.1e}", f"{r['final_rel']:.2e}",
                     f"{r['auc_rel']:.2e}", f"{r['steps']} / {r['steps_ref']}"])
    common.print_table(
        ["regimen", "rows", "serum max rel err", "at t (h)", "cmax ref (mmol/L)",
         "cmax rel err", "tmax err (h)", "final serum rel err", "serum AUC rel err",
         "steps (tested / ref)"],
        rows, title="Serum error of the tested tolerances vs the tight core run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
