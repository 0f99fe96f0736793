#!/usr/bin/env python
"""Per-subject simulation time: the C++ core vs plain scipy on the same equations.

Both regimens (30-day twice-daily oral glycinate on top of the default 300
mg/day diet; 24-h IV MgSO4), default subject, hourly output, are run by

- ``magpk.simulate`` (Python API: validation, request building, result
  wrapping, plus the C++ run),
- ``magpk._core.simulate(request)`` with the request built once (the raw core),
- a plain-scipy driver over the independent reference equations in
  ``tests/python/reference_model.py`` (``rhs``, ``steady_state``,
  ``subject_parameters``): ``scipy.integrate.solve_ivp(method="RK45")``
  piecewise between events, at the core's default tolerances (rtol 1e-6 and
  the core's per-state absolute tolerance vector: 1e-6 mmol for the gut lumen
  and undissolved pools, 1e-8 for the others).

Notes printed with the table:
- the core's ``simulate`` always runs the supplemented regimen *and* a no-dose
  baseline; with a constant diet the baseline is the steady state and costs no
  integration, so the core time is essentially one integration. The core also
  computes the metrics (cmax located on the solution, times above thresholds,
  ...); the scipy driver only integrates and samples the output grid, so the
  comparison favours scipy slightly.
- both use Dormand-Prince 5(4), but the error norms differ (core: max norm
  with err_i / (atol_i + rtol (|x_i| + h |dx_i|)); scipy: RMS norm with
  atol_i + rtol max(|x_i|, |x_new_i|)), so step counts differ.

The script also checks that scipy and the core give the same final serum
(relative difference <= 1e-5), i.e. that the two really solve the same model.

Usage: python benchmarks/single_subject.py [--min-time S] [--scipy-repeats N]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from typing import Dict, List

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as common  # noqa: E402

import magpk  # noqa: E402
from magpk import _core  # noqa: E402

sys.path.insert(0, common.REFERENCE_DIR)
import reference_model as rm  # noqa: E402

PARAMS = rm.load_parameters(_core)
FORMS = rm.load_forms(_core)
SERUM_AGREEMENT = 1e-5


# ---------------------------------------------------------------------------
# magpk.Regimen -> reference Regimen
# ---------------------------------------------------------------------------
def reference_regimen(regimen: "magpk.Regimen") -> "rm.Regimen":
    return rm.Regimen(
        oral=[(e.time_h, e.form, e.elemental_mmol, e.with_food) for e in regimen.oral_events],
        iv_bolus=[(e.time_h, e.mmol) for e in regimen.parenteral_events if e.route == "iv_bolus"],
        im=[(e.time_h, e.mmol) for e in regimen.parenteral_events if e.route == "im"],
        infusions=[(e.start_h, e.duration_h, e.mmol) for e in regimen.infusion_events],
        diet_changes=[(e.time_h, e.mg_per_day) for e in regimen.diet_events],
    )


def reference_covariates(subject: "magpk.Subject") -> "rm.Covariates":
    return rm.Covariates(
        weight_kg=subject.weight_kg, age_years=subject.age_years,
        height_cm=subject.height_cm or 0.0, egfr_ml_min=subject.egfr_ml_min,
        diet_mg_per_day=subject.diet_mg_per_day, sex=subject.sex, pregnant=subject.pregnant,
        ppi=subject.ppi, diuretic=subject.diuretic or "none")


# ---------------------------------------------------------------------------
# Plain-scipy driver: the reference equations, RK45, output grid only
# ---------------------------------------------------------------------------
def reference_atol(n_pools: int, atol: float, atol_gut: float) -> np.ndarray:
    """The core's per-state absolute tolerances in the reference's state layout."""
    vec = np.full(rm.N_FIXED + n_pools, atol)
    for name in rm.GUT_LUMEN:
        vec[rm.I[name]] = atol_gut
    vec[rm.N_FIXED:] = atol_gut
    return vec


def scipy_simulate(cov: "rm.Covariates", reg: "rm.Regimen", t_end: float,
                   output_times: np.ndarray, rtol: float, atol: float, atol_gut: float,
                   method: str = "RK45") -> Dict[str, object]:
    """Integrate ``reg`` from the steady state with solve_ivp, piecewise between
    events (the event handling mirrors reference_model.simulate); returns the
    states at ``output_times`` and the number of RHS evaluations."""
    s = rm.subject_parameters(cov, PARAMS)
    oral = [e for e in reg.oral if e[0] <= t_end]
    pools: List[rm.Pool] = []
    pool_index: Dict[str, int] = {}
    for _, fid, _, _ in oral:
        for pure, _ in rm.pure_parts(fid, FORMS):
            k = rm.dissolution_rate(FORMS[pure], PARAMS)
            if math.isfinite(k) and pure not in pool_index:
                pool_index[pure] = len(pools)
                chel = s.chelate_share if FORMS[pure]["chelate_route"] else 0.0
                pools.append(rm.Pool(pure, k, chel))

    events = {0.0, float(t_end)}
    for t, _, _, food in oral:
        events.add(t)
        if food and t + s.fed_duration < t_end:
            events.add(t + s.fed_duration)
    events.update(t for t, _ in reg.iv_bolus + reg.im if t <= t_end)
    for start, dur, _ in reg.infusions:
        if start <= t_end:
            events.add(start)
            if start + dur < t_end:
                events.add(start + dur)
    events.update(t for t, _ in reg.diet_changes if t <= t_end)
    events = sorted(events)

    doses_at: Dict[float, List[tuple]] = {}
    for t, fid, mmol, _ in oral:
        for pure, share in rm.pure_parts(fid, FORMS):
            target = rm.N_FIXED + pool_index[pure] if pure in pool_index else rm.I["si_sup"]
            doses_at.setdefault(t, []).append((target, mmol * share))
    for t, mmol in reg.iv_bolus:
        doses_at.setdefault(t, []).append((rm.I["plasma"], mmol))
    for t, mmol in reg.im:
        doses_at.setdefault(t, []).append((rm.I["im_depot"], mmol))

    atol_vec = reference_atol(len(pools), atol, atol_gut)
    x = rm.steady_state(s, len(pools)).x.copy()
    out = np.full((len(output_times), len(x)), np.nan)
    nfev = 0
    for k, a in enumerate(events):
        for target, amount in doses_at.get(a, ()):
            x[target] += amount
        out[output_times == a] = x  # a row at an event time: after the doses
        if k + 1 == len(events):
            break
        b = events[k + 1]
        inside = (output_times > a) & (output_times < b)
        inputs = rm._inputs_on(a, reg, s, pools, t_end)
        # t_eval: the output times inside the segment and its end (the next state)
        sol = solve_ivp(rm.rhs, (a, b), x, method=method, rtol=rtol, atol=atol_vec,
                        t_eval=np.append(output_times[inside], b), args=(inputs,))
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed on [{a}, {b}]: {sol.message}")
        nfev += sol.nfev
        out[inside] = sol.y[:, :-1].T
        x = sol.y[:, -1].copy()
    return {"states": out, "serum": out[:, rm.I["plasma"]] / s.v_ecf, "nfev": nfev,
            "final_serum": x[rm.I["plasma"]] / s.v_ecf}


# ---------------------------------------------------------------------------
# Benchmark
# ---------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-time", type=float, default=1.0,
                        help="measured seconds per core timing (default 1)")
    parser.add_argument("--scipy-repeats", type=int, default=3,
                        help="scipy runs per regimen, best taken (default 3)")
    args = parser.parse_args(argv)
    rtol, atol, atol_gut = common.DEFAULT_RTOL, common.DEFAULT_ATOL, common.DEFAULT_ATOL_GUT
    subject = magpk.Subject()
    cov = reference_covariates(subject)

    print(f"# single subject: magpk {getattr(magpk, '__version__', '?')}; "
          f"{common.machine_line()}")
    print(f"# tolerances: rtol {rtol:g}; atol {atol:g} mmol (body, ledgers), atol_gut "
          f"{atol_gut:g} mmol (gut lumen, undissolved pools) -- the same per-state vector "
          f"for the core and for solve_ivp(method='RK45')")
    print(f"# default subject, output every {common.OUTPUT_EVERY_H:g} h; core timings: "
          f"best of N single calls, N so that >= {args.min_time:g} s measured; scipy: best of "
          f"{args.scipy_repeats}\n")

    timing_rows, check_rows, overhead_rows = [], [], []
    ok = True
    for label, regimen, t_end in common.cases():
        request = common.core_request(regimen, t_end, subject)
        times = np.asarray(request.output_times_h)
        ref_reg = reference_regimen(regimen)

        api = common.time_calls(lambda: magpk.simulate(regimen, subject, t_end_h=t_end,
                                                       output_every_h=common.OUTPUT_EVERY_H),
                                min_time_s=args.min_time)
        raw = common.time_calls(lambda: _core.simulate(request), min_time_s=args.min_time)
        sp_times = []
        for _ in range(max(1, args.scipy_repeats)):
            t0 = time.perf_counter()
            sp = scipy_simulate(cov, ref_reg, t_end, times, rtol, atol, atol_gut)
            sp_times.append(time.perf_counter() - t0)
        sp_best = min(sp_times)

        core_result = _core.simulate(request)
        cols = list(_core.output_columns())
        core_serum = np.asarray(core_result.table)[:, cols.index("serum_mmol_l")]
        tight = _core.simulate(common.core_request(regimen, t_end, subject, rtol=1e-13,
                                                   atol=1e-15, atol_gut=1e-15))
        tight_serum = np.asarray(tight.table)[:, cols.index("serum_mmol_l")]
        final_rel = abs(sp["final_serum"] - core_serum[-1]) / abs(core_serum[-1])
        grid_rel = float(np.max(np.abs(sp["serum"] - core_serum) / np.abs(core_serum)))
        sp_vs_tight = float(np.max(np.abs(sp["serum"] - tight_serum) / np.abs(tight_serum)))
        agree = final_rel <= SERUM_AGREEMENT
        ok &= agree

        timing_rows.append([label, common.fmt_time(raw["best"]), common.fmt_time(api["best"]),
                            common.fmt_time(sp_best), f"{sp_best / raw['best']:.0f}x",
                            f"{sp_best / api['best']:.0f}x", f"{int(core_result.steps)}",
                            f"{sp['nfev']}", f"{raw['n']} / {api['n']} / {len(sp_times)}"])
        overhead_rows.append([label, common.fmt_time(api["best"]), common.fmt_time(raw["best"]),
                              common.fmt_time(api["best"] - raw["best"]),
                              common.fmt_time(api["median"] - raw["median"]),
                              f"{100 * (api['best'] - raw['best']) / api['best']:.0f} %"])
        check_rows.append([label, f"{sp['final_serum']:.9f}", f"{core_serum[-1]:.9f}",
                           f"{final_rel:.2e}", f"{grid_rel:.2e}", f"{sp_vs_tight:.2e}",
                           "ok" if agree else f"FAIL (> {SERUM_AGREEMENT:g})"])

    common.print_table(
        ["regimen", "core _core.simulate", "magpk.simulate", "scipy RK45",
         "speed-up (scipy/core)", "speed-up (scipy/API)", "core steps", "scipy RHS evals",
         "runs (core/API/scipy)"],
        timing_rows, title="Time per subject (best)")
    print("  core times are the full simulate: the dosed run + the no-dose baseline (steady, no "
          "integration: constant diet)\n  + metrics; scipy is one integration of the dosed run "
          "with output sampling only (no baseline, no metrics).\n")
    common.print_table(
        ["regimen", "magpk.simulate", "_core.simulate(request)", "Python overhead (best)",
         "overhead (median)", "share of API call"],
        overhead_rows, title="Python-side overhead per magpk.simulate call (request built once "
                             "for the raw core call)")
    common.print_table(
        ["regimen", "scipy final serum", "core final serum", "rel diff (final)",
         "max rel diff (grid)", "scipy vs tight core (grid)", f"check <= {SERUM_AGREEMENT:g}"],
        check_rows, title="Same equations: serum (mmol/L) of the scipy reference RHS vs the core")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
