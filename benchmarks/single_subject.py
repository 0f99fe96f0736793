#!/usr/bin/env python
"""Per-subject simulation time: the C++ core vs plain scipy on the same equations.

Both regimens (30-day twice-daily oral glycinate on top of the default 300
mg/day diet; 24-h IV MgSO4), default subject (default meals: a periodic steady
state), hourly output, are run by

- ``magpk.simulate`` (Python API: validation, request building, result
  wrapping, plus the C++ run),
- ``magpk._core.simulate(request)`` with the request built once (the raw core),
- the independent scipy model ``tests/python/scipy_model.py``
  (``scipy_model.simulate(..., method="RK45")``): ``solve_ivp`` piecewise
  between events at the core's default tolerances (rtol 1e-6 and the core's
  per-state absolute tolerance vector, ``cpp/src/simulator.cpp``
  ``absolute_tolerances``: atol_gut = 1e-6 mmol for the small-intestine and
  colon pools and the undissolved pools, atol = 1e-8 for the stomach pool and
  everything else).

What is timed -- the same work on both sides, per call:

- the periodic steady state of the no-dose day (meals), solved from scratch:
  the core by chord-Newton shooting over one-day integrations with its
  Dormand-Prince 5(4) at rtol 1e-9, atol 1e-11 (residuals; the Jacobian's
  columns at rtol 1e-7: ``cpp/src/steady_state.cpp``); the scipy model
  by MINPACK's hybrid Powell method (``scipy.optimize.root``) over one-day
  ``solve_ivp(method="RK45")`` integrations at the same tolerances (its cache
  is cleared before every timed call);
- the dosed run from that steady state;
- the no-dose baseline run (the regimen's diet changes, fasts, drugs and
  with-food fed periods, no doses: with meals it is a full integration);
- the metrics (core: cmax located on the solution, times above thresholds,
  ...; scipy model: serum extrema from the step points and slope roots, mass
  balance per row, daily soluble feces).

A second table splits the time into the steady state and the runs. The
core's steady-state share is estimated by a core call with no doses over
1e-3 h (steady state + two negligible runs), so that split is approximate.

Notes printed with the tables:
- both integrators are Dormand-Prince 5(4), but the error norms differ (core:
  max norm with err_i / (atol_i + rtol (|x_i| + h |dx_i|)); scipy: RMS norm
  with atol_i + rtol max(|x_i|, |x_new_i|)), so step counts differ; the
  steady-state root finders and their stopping rules differ as well (core:
  drift <= 1e-10 of the body's Mg per day; scipy model: xtol 1e-13 and drift
  <= 1e-11 of the body's Mg).

libRoadRunner, a second speed anchor (only when the extra ``magpk[sbml]`` is
installed; otherwise its columns are left out): the same regimen and subject
exported with ``magpk.to_sbml`` and run by libRoadRunner (CVODE) at the same
rtol and atol (one scalar atol). "libRoadRunner run" times ``resetAll()`` +
``simulate`` of the loaded model: the dosed run only (the steady state comes
from magpk inside the export; no baseline run, no metrics), so it does less
work than the other columns. "libRoadRunner per subject" adds what a new
subject costs: ``to_sbml`` (with magpk's steady state) + loading (JIT
compilation). Its serum is compared with a tight core run.

The script also checks that scipy and the core give the same final serum,
baseline serum (on the output grid) and steady-state serum (relative
difference <= 1e-5; exit status 1 if not), i.e. that the two really solve
the same model.

Usage: python benchmarks/single_subject.py [--min-time S] [--scipy-repeats N]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import magpk
from magpk import _core

import _common as common

sm = common.import_scipy_model()

try:  # the extra magpk[sbml] (python-libsbml, libroadrunner): the libRoadRunner columns
    import libsbml  # noqa: F401
    import roadrunner
except ImportError:
    roadrunner = None

PARAMS = sm.load_parameters(_core)
FORMS = sm.load_forms(_core)
SERUM_AGREEMENT = 1e-5
METHOD = "RK45"
#: The core's fixed steady-state residual tolerances (cpp/src/steady_state.cpp,
#: solve_periodic_steady_state: rtol 1e-9, atol = atol_gut = 1e-11).
STEADY_RTOL = 1e-9
STEADY_ATOL = 1e-11
#: The core's states held to atol_gut (cpp/src/simulator.cpp absolute_tolerances):
#: the small-intestine and colon pools; the stomach pool keeps the body atol.
GUT_ATOL_STATES = ("si_diet", "si_sup", "si_chelate", "colon_diet", "colon_sup", "colon_solid")
#: Length of the core call that estimates the core's steady-state time.
STEADY_PROBE_H = 1e-3
#: libRoadRunner's step limit per simulate call (the 30-day run needs more than its default).
RR_MAX_STEPS = 1_000_000


# ---------------------------------------------------------------------------
# magpk objects -> scipy-model objects
# ---------------------------------------------------------------------------
def baseline_regimen(reg: sm.Regimen) -> sm.Regimen:
    """The core's no-dose baseline (Regimen::diet_only): diet changes, fasts,
    drugs and the fed periods of doses taken with food, without their Mg."""
    return sm.Regimen(oral=[(t, form, 0.0, True) for t, form, _, food in reg.oral if food],
                      diet_changes=list(reg.diet_changes), fasts=list(reg.fasts),
                      drugs=list(reg.drugs))


def scipy_model_covariates(subject: magpk.Subject) -> sm.Covariates:
    return sm.Covariates(
        weight_kg=subject.weight_kg, age_years=subject.age_years,
        height_cm=subject.height_cm or 0.0, egfr_ml_min=subject.egfr_ml_min,
        diet_mg_per_day=subject.diet_mg_per_day, sex=subject.sex, pregnant=subject.pregnant,
        ppi=subject.ppi, diuretic=subject.diuretic or "none",
        meals=tuple(subject.meals), start_clock_h=subject.start_clock_h)


def scipy_model_atol(n_pools: int, atol: float, atol_gut: float) -> np.ndarray:
    """The core's per-state absolute tolerances in the scipy model's state layout
    (FIXED_STATES, then the undissolved pools)."""
    vec = np.full(sm.N_FIXED + n_pools, atol)
    for name in GUT_ATOL_STATES:
        vec[sm.I[name]] = atol_gut
    vec[sm.N_FIXED:] = atol_gut
    return vec


# ---------------------------------------------------------------------------
# The scipy side: one call = steady state + dosed run + baseline run
# ---------------------------------------------------------------------------
def scipy_call(cov: sm.Covariates, reg: sm.Regimen, t_end: float, times: np.ndarray,
               rtol: float, atol: float, atol_gut: float) -> dict[str, object]:
    """What the core does per ``simulate``, with the scipy model: the
    periodic steady state from scratch, the dosed run and the no-dose baseline
    (both from that steady state), each timed."""
    s = sm.subject_parameters(cov, PARAMS)
    base_reg = baseline_regimen(reg)

    def run(r: sm.Regimen) -> sm.Result:
        n_pools = len(sm.undissolved_pools(s, r, t_end, PARAMS, FORMS))
        return sm.simulate(cov, r, t_end, times, PARAMS, FORMS, rtol=rtol,
                           atol=scipy_model_atol(n_pools, atol, atol_gut), method=METHOD,
                           steady_rtol=STEADY_RTOL, steady_atol=STEADY_ATOL,
                           steady_method=METHOD)

    sm.clear_steady_state_cache()
    t0 = time.perf_counter()
    steady = sm.steady_state(s, 0, STEADY_RTOL, STEADY_ATOL, METHOD)
    t1 = time.perf_counter()
    dosed = run(reg)        # the steady state from the cache
    t2 = time.perf_counter()
    baseline = run(base_reg)  # likewise
    t3 = time.perf_counter()
    return {"steady_s": t1 - t0, "dosed_s": t2 - t1, "baseline_s": t3 - t2, "total_s": t3 - t0,
            "steady": steady, "dosed": dosed, "baseline": baseline, "subject": s,
            "nfev": steady.nfev + dosed.nfev + baseline.nfev}


def serum_of(result: sm.Result, s: sm.Subject) -> np.ndarray:
    return result.states[:, sm.I["plasma"]] / s.v_ecf


# ---------------------------------------------------------------------------
# Benchmark
# ---------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-time", type=float, default=1.0,
                        help="measured seconds per core timing (default 1)")
    parser.add_argument("--scipy-repeats", type=int, default=3,
                        help="scipy calls per regimen, best taken (default 3)")
    return parser.parse_args(argv)


def print_header(subject: magpk.Subject, tolerances: tuple[float, float, float],
                 min_time: float, repeats: int) -> None:
    rtol, atol, atol_gut = tolerances
    print(f"# single subject: magpk {getattr(magpk, '__version__', '?')}; "
          f"{common.machine_line()}")
    print(f"# tolerances: rtol {rtol:g}; atol {atol:g} mmol (body, stomach, ledgers), atol_gut "
          f"{atol_gut:g} mmol (small intestine, colon, undissolved pools) -- the same per-state "
          f"vector for the core and for solve_ivp(method='{METHOD}'); periodic steady state "
          f"at rtol {STEADY_RTOL:g}, atol {STEADY_ATOL:g} on both sides")
    print(f"# default subject (meals: {len(subject.meals)} a day), output every "
          f"{common.OUTPUT_EVERY_H:g} h; core timings: best of N single calls, N so that >= "
          f"{min_time:g} s measured; scipy: best of {repeats}\n")


def measure(regimen: magpk.Regimen, t_end: float, subject: magpk.Subject,
            cov: sm.Covariates, tolerances: tuple[float, float, float], min_time: float,
            repeats: int) -> dict[str, object]:
    """Time one regimen: magpk.simulate, the raw core call, and the scipy calls."""
    request = common.core_request(regimen, t_end, subject)
    times = np.asarray(request.output_times_h)
    ref_reg = sm.Regimen.from_events(regimen)

    api = common.time_calls(lambda: magpk.simulate(regimen, subject, t_end_h=t_end,
                                                   output_every_h=common.OUTPUT_EVERY_H),
                            min_time_s=min_time)
    raw = common.time_calls(lambda: _core.simulate(request), min_time_s=min_time)
    calls = [scipy_call(cov, ref_reg, t_end, times, *tolerances) for _ in range(repeats)]
    best = {key: min(c[key] for c in calls)
            for key in ("steady_s", "dosed_s", "baseline_s", "total_s")}
    rr = measure_roadrunner(regimen, t_end, subject, times, tolerances, min_time)
    return {"request": request, "api": api, "raw": raw, "calls": calls, "best": best,
            "sp": calls[-1], "rr": rr}


def roadrunner_model(regimen: magpk.Regimen, t_end: float, subject: magpk.Subject,
                     rtol: float, atol: float):
    """The exported model loaded in libRoadRunner at the given tolerances."""
    rr = roadrunner.RoadRunner(magpk.to_sbml(regimen, subject, t_end_h=t_end))
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = atol
    rr.integrator.max_steps = RR_MAX_STEPS
    rr.timeCourseSelections = ["time", "serum_mmol_l"]
    return rr


def roadrunner_run(rr, times: np.ndarray) -> np.ndarray:
    """Serum on the grid from t = 0 (resetAll: species and the inputs the events set)."""
    rr.resetAll()
    return np.asarray(rr.simulate(times=list(times)))[:, 1]


def measure_roadrunner(regimen: magpk.Regimen, t_end: float, subject: magpk.Subject,
                       times: np.ndarray, tolerances: tuple[float, float, float],
                       min_time: float):
    """libRoadRunner timings (run of the loaded model; export + load + run), or None
    without the extra."""
    if roadrunner is None:
        return None
    rtol, atol, _ = tolerances
    rr = roadrunner_model(regimen, t_end, subject, rtol, atol)
    run = common.time_calls(lambda: roadrunner_run(rr, times), min_time_s=min_time)
    whole = common.time_calls(
        lambda: roadrunner_run(roadrunner_model(regimen, t_end, subject, rtol, atol), times),
        min_time_s=min_time)
    return {"run": run, "whole": whole, "serum": roadrunner_run(rr, times)}


def compare_serum(regimen: magpk.Regimen, t_end: float, subject: magpk.Subject,
                  request, sp: dict[str, object]) -> dict[str, object]:
    """The core's serum (default and tight tolerances) against the scipy call ``sp``."""
    s = sp["subject"]
    core_result = _core.simulate(request)
    cols = list(_core.output_columns())
    serum_col = cols.index("serum_mmol_l")
    core_serum = np.asarray(core_result.table)[:, serum_col]
    core_base_serum = np.asarray(core_result.baseline_table)[:, serum_col]
    tight = _core.simulate(common.core_request(regimen, t_end, subject, rtol=1e-13,
                                               atol=1e-15, atol_gut=1e-15))
    tight_serum = np.asarray(tight.table)[:, serum_col]
    sp_serum = serum_of(sp["dosed"], s)
    sp_base_serum = serum_of(sp["baseline"], s)
    final_rel = abs(sp_serum[-1] - core_serum[-1]) / abs(core_serum[-1])
    grid_rel = float(np.max(np.abs(sp_serum - core_serum) / np.abs(core_serum)))
    sp_vs_tight = float(np.max(np.abs(sp_serum - tight_serum) / np.abs(tight_serum)))
    base_rel = float(np.max(np.abs(sp_base_serum - core_base_serum) / np.abs(core_base_serum)))
    steady_rel = (abs(sp["steady"].serum - core_result.steady_state_serum_mmol_l)
                  / core_result.steady_state_serum_mmol_l)
    agree = max(final_rel, base_rel, steady_rel) <= SERUM_AGREEMENT
    return {"core_result": core_result, "core_serum": core_serum, "sp_serum": sp_serum,
            "tight_serum": tight_serum, "final_rel": final_rel, "grid_rel": grid_rel,
            "sp_vs_tight": sp_vs_tight, "base_rel": base_rel, "steady_rel": steady_rel,
            "agree": agree}


def timing_row(label: str, meas: dict[str, object], cmp: dict[str, object]) -> list[str]:
    raw, api, best, sp = meas["raw"], meas["api"], meas["best"], meas["sp"]
    return [label, common.fmt_time(raw["best"]), common.fmt_time(api["best"]),
            common.fmt_time(best["total_s"]),
            f"{best['total_s'] / raw['best']:.0f}x",
            f"{best['total_s'] / api['best']:.0f}x",
            f"{int(cmp['core_result'].steps)}", f"{sp['dosed'].nfev}",
            f"{sp['nfev']}", f"{raw['n']} / {api['n']} / {len(meas['calls'])}",
            *roadrunner_cells(meas["rr"], cmp)]


def roadrunner_cells(rr, cmp: dict[str, object]) -> list[str]:
    """The libRoadRunner columns (none without the extra)."""
    if rr is None:
        return []
    rel = np.max(np.abs(rr["serum"] - cmp["tight_serum"]) / np.abs(cmp["tight_serum"]))
    return [common.fmt_time(rr["run"]["best"]), common.fmt_time(rr["whole"]["best"]),
            f"{rel:.1e}", f"{rr['run']['n']} / {rr['whole']['n']}"]


def split_row(label: str, meas: dict[str, object], core_steady: dict[str, float]) -> list[str]:
    best, sp = meas["best"], meas["sp"]
    core_runs = meas["raw"]["best"] - core_steady["best"]
    sp_runs = best["dosed_s"] + best["baseline_s"]
    return [label, common.fmt_time(core_steady["best"]),
            common.fmt_time(core_runs), common.fmt_time(best["steady_s"]),
            f"{sp['steady'].nfev}", common.fmt_time(best["dosed_s"]),
            common.fmt_time(best["baseline_s"]),
            f"{best['steady_s'] / core_steady['best']:.0f}x",
            f"{sp_runs / core_runs:.0f}x" if core_runs > 0 else "n/a"]


def overhead_row(label: str, meas: dict[str, object]) -> list[str]:
    api, raw = meas["api"], meas["raw"]
    return [label, common.fmt_time(api["best"]), common.fmt_time(raw["best"]),
            common.fmt_time(api["best"] - raw["best"]),
            common.fmt_time(api["median"] - raw["median"]),
            f"{100 * (api['best'] - raw['best']) / api['best']:.0f} %"]


def check_row(label: str, cmp: dict[str, object]) -> list[str]:
    return [label, f"{cmp['sp_serum'][-1]:.9f}", f"{cmp['core_serum'][-1]:.9f}",
            f"{cmp['final_rel']:.2e}", f"{cmp['grid_rel']:.2e}", f"{cmp['sp_vs_tight']:.2e}",
            f"{cmp['base_rel']:.2e}", f"{cmp['steady_rel']:.2e}",
            "ok" if cmp["agree"] else f"FAIL (> {SERUM_AGREEMENT:g})"]


def print_timing_table(rows: list[list[str]]) -> None:
    common.print_table(
        ["regimen", "core _core.simulate", "magpk.simulate", f"scipy {METHOD}",
         "speed-up (scipy/core)", "speed-up (scipy/API)", "core steps (dosed run)",
         "scipy RHS evals (dosed run)", "scipy RHS evals (all)", "runs (core/API/scipy)"]
        + (["libRoadRunner run", "libRoadRunner per subject", "libRoadRunner serum vs tight core",
            "runs (run/per subject)"] if roadrunner is not None else []),
        rows, title="Time per subject (best)")
    print("  both sides time the same work: the periodic steady state (meals) from scratch + the "
          "dosed run + the no-dose baseline run\n  (scipy: a full integration with meals; "
          "the core integrates one periodic day and tiles it) + metrics. "
          "scipy RHS evals: solve_ivp's, all = steady state + dosed + baseline runs.")
    if roadrunner is None:
        print("  libRoadRunner columns left out: pip install \"magpk[sbml]\" to add them.\n")
    else:
        print("  libRoadRunner run: the exported model's dosed run only (no steady state, baseline "
              "or metrics); per subject: + magpk.to_sbml\n  (with magpk's steady state) + loading "
              "(JIT compilation). Serum vs the core at rtol 1e-13 (max relative, grid).\n")


def print_split_table(rows: list[list[str]], core_steady: dict[str, float]) -> None:
    common.print_table(
        ["regimen", "core steady state (est.)", "core runs + metrics (rest)",
         "scipy steady state", "scipy steady RHS evals", "scipy dosed run", "scipy baseline run",
         "speed-up (steady)", "speed-up (runs)"],
        rows, title="Where the time goes (best of each part)")
    print(f"  core steady state estimated by a core call with no doses over {STEADY_PROBE_H:g} h "
          f"(best of {core_steady['n']}): the split is approximate;\n  scipy parts timed "
          f"separately within each call (the runs reuse the steady state, as the core's do).\n")


def print_overhead_table(rows: list[list[str]]) -> None:
    common.print_table(
        ["regimen", "magpk.simulate", "_core.simulate(request)", "Python overhead (best)",
         "overhead (median)", "share of API call"],
        rows, title="Python-side overhead per magpk.simulate call (request built once "
                    "for the raw core call)")


def print_check_table(rows: list[list[str]]) -> None:
    common.print_table(
        ["regimen", "scipy final serum", "core final serum", "rel diff (final)",
         "max rel diff (grid)", "scipy vs tight core (grid)", "baseline max rel diff (grid)",
         "steady-state serum rel diff", f"check <= {SERUM_AGREEMENT:g}"],
        rows, title="Same equations: serum (mmol/L) of the scipy model vs the core")
    print("  check: final serum, baseline serum on the grid and steady-state serum all within "
          f"{SERUM_AGREEMENT:g} relative.\n")


def main(argv=None) -> int:
    args = parse_args(argv)
    tolerances = (common.DEFAULT_RTOL, common.DEFAULT_ATOL, common.DEFAULT_ATOL_GUT)
    subject = magpk.Subject()
    cov = scipy_model_covariates(subject)
    repeats = max(1, args.scipy_repeats)
    print_header(subject, tolerances, args.min_time, repeats)

    # the core's steady-state time (estimate): no doses, a 1e-3 h run
    probe = common.core_request(magpk.Regimen(), STEADY_PROBE_H, subject)
    core_steady = common.time_calls(lambda: _core.simulate(probe), min_time_s=args.min_time)

    timing_rows, split_rows, check_rows, overhead_rows = [], [], [], []
    ok = True
    for label, regimen, t_end in common.cases():
        meas = measure(regimen, t_end, subject, cov, tolerances, args.min_time, repeats)
        cmp = compare_serum(regimen, t_end, subject, meas["request"], meas["sp"])
        ok &= cmp["agree"]
        timing_rows.append(timing_row(label, meas, cmp))
        split_rows.append(split_row(label, meas, core_steady))
        overhead_rows.append(overhead_row(label, meas))
        check_rows.append(check_row(label, cmp))

    print_timing_table(timing_rows)
    print_split_table(split_rows, core_steady)
    print_overhead_table(overhead_rows)
    print_check_table(check_rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
