"""The event engine, case by case: every route x repetition x timing x infusion
arrangement x diet change, against the independent scipy model
(``scipy_model.py``) and, where the model is linear, against closed forms.

Matrix (generated below; impossible combinations pruned):

- route: oral, IV bolus, IV infusion, IM;
- repetition: single, repeated (3 doses/infusions; the "t_end" timing adds a
  4th dose after ``t_end`` that must be ignored);
- timing: first dose at t = 0, exactly at an output time, between output
  times, at ``t_end`` (single) / last applied dose at ``t_end`` (repeated);
- arrangement (repeated infusions only): overlapping, back-to-back;
- diet: unchanged, or changed during the (first) infusion / after the first dose;
- eating pattern: continuous diet (``Subject(meals="continuous")``), or the
  default meals (t = 0 at 07:00: breakfast at t 1, lunch 5.5, dinner 12.5).

Each case is checked against the scipy model (core at rtol 1e-10, atol 1e-12,
atol_gut 1e-12; serum, pools and cumulative ledgers within 1e-6 relative) and
against the parts of the model that are linear and have closed forms: the IM
depot (sum of F D exp(-ka (t - t0)), F = im_bioavailability: the rest of an IM
dose enters the exchangeable tissue pool at once, checked exactly by the dose at
t_end), the infused ledger (rate x elapsed time), the diet ledger
(piecewise-linear; with meals, each meal's share of the daily diet in force
delivered evenly over its fed period), the undissolved oral pools
of soluble salts (exp(-(k_d + integral of k_si)), k_si the fed rate in the fed
periods of meals and doses with food; basic salts, whose dissolution is limited
by gastric acid, lie between that and transit alone), the stomach (dissolved
doses and the ionic part of what dissolves enter it, it empties at k_ge, the
fed rate in fed periods: with the pools above a linear system with
piecewise-constant coefficients, exact without basic salts and bounded with
them), the supplement in the small intestine (at most what the stomach has
emptied: nothing of a dissolved dose is there at the instant it is taken) and
the whole-body mass ledger (gut + body + urine + feces + sweat: every
instantaneous dose given by a row's time appears in that row) and the sweat
ledger (CL_sweat x serum AUC).  Every amount stays above -1e-10 mmol; the
thiazide effect (not an amount) stays 0 without a thiazide.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import expm

import magpk
from magpk import _core as core

import scipy_model as sm

PARAMS = sm.load_parameters(core)
FORMS = sm.load_forms(core)
#: The closed forms and the event conventions below use a continuous diet.
COV = sm.Covariates(meals=sm.CONTINUOUS)
SUBJECT = magpk.Subject(meals="continuous")
#: The meal variant of the matrix: the default meals (written out as specified).
COV_MEALS = sm.Covariates(meals=sm.DEFAULT_MEALS)
SUBJECT_MEALS = magpk.Subject(meals=sm.DEFAULT_MEALS)
EATING = {"continuous": (COV, SUBJECT), "meals": (COV_MEALS, SUBJECT_MEALS)}
T_END = 24.0
OUTPUT_TIMES = np.arange(0.0, T_END + 1e-9, 0.5)  # grid: integers and half hours
TIGHT = dict(rtol=1e-10, atol=1e-12, atol_gut=1e-12)
REL_TOL = 1e-6
FLOOR_MMOL = 1e-9
MIN_AMOUNT_MMOL = -1e-10  # numerical zero: 1e-4 of the default absolute tolerance
# Core state layout (cpp/include/magpk/model.hpp, namespace idx): the columns
# read here, and where the undissolved pools start (kFixedCount).
CORE_SI_SUP = 1
CORE_STOMACH_SUP = 6
CORE_LEDGERS_START = 14  # amounts before (kAbsorbedCum), ledgers from here
CORE_THIAZIDE_EFFECT = 25  # not an amount (0-1)
CORE_POOLS_START = 26
# The stomach and the undissolved pools decay to far below the core's absolute
# tolerance (atol_gut 1e-12 mmol): relative above 1e-5 mmol, absolute everywhere.
POOL_FLOOR_MMOL = 1e-5
POOL_ABS_TOL_MMOL = 1e-9
AMOUNT_COLUMNS = ["plasma_mmol", "peripheral_mmol", "tissue_mmol", "bone_mmol", "gut_mmol",
                  "im_depot_mmol", "colon_supplement_mmol", "tissue_exchangeable_mmol",
                  "bone_surface_mmol", "deep_bone_mmol"]
#: Share of an IM dose that enters the depot (the rest goes to the tissue pool).
IM_F = PARAMS["im_bioavailability"]

ROUTES = ("oral", "iv_bolus", "iv_infusion", "im")
REPETITIONS = ("single", "repeated")
TIMINGS = ("t0", "on_output", "between_outputs", "t_end")
ARRANGEMENTS = ("overlapping", "back_to_back")
DIETS = ("constant", "diet_change")
ORAL_FORMS = ("citrate", "oxide", "glycinate", "buffered_glycinate", "solution", "hydroxide",
              "chloride", "carbonate")

# (first dose time, interval, count) per timing for repeated dosing
REPEATS = {
    "t0": (0.0, 7.0, 3),                 # 0, 7, 14 (on the grid)
    "on_output": (5.0, 6.0, 3),          # 5, 11, 17
    "between_outputs": (5.37, 5.55, 3),  # 5.37, 10.92, 16.47 (off the grid)
    "t_end": (12.0, 6.0, 4),             # 12, 18, 24 = t_end, 30 (ignored)
}
SINGLE = {"t0": 0.0, "on_output": 5.0, "between_outputs": 5.37, "t_end": T_END}


def _cases() -> list[tuple[str, str, str, str, str]]:
    cases = []
    for route, rep, timing, arrangement, diet in itertools.product(
            ROUTES, REPETITIONS, TIMINGS, (*ARRANGEMENTS, "n/a"), DIETS):
        needs_arrangement = route == "iv_infusion" and rep == "repeated"
        if needs_arrangement == (arrangement == "n/a"):
            continue  # overlap / back-to-back only for repeated infusions
        cases.append((route, rep, timing, arrangement, diet))
    return cases


CASES = _cases()
#: Number of event-matrix cases (printed by test_case_count).
N_CASES = len(CASES)
assert N_CASES == 72, N_CASES


def build(case_index: int, route: str, rep: str, timing: str, arrangement: str,
          diet: str) -> magpk.Regimen:
    r = magpk.Regimen()
    if rep == "single":
        start, every, count = SINGLE[timing], None, None
    else:
        start, every, count = REPEATS[timing]
    repeat = {} if every is None else {"every_h": every, "count": count}
    infusion_duration = 2.0
    if route == "oral":
        form = ORAL_FORMS[case_index % len(ORAL_FORMS)]
        r = r.oral(form, 300.0 if rep == "single" else 200.0, start_h=start,
                   with_food=(rep == "repeated"), **repeat)
    elif route == "iv_bolus":
        r = r.iv_bolus(mgso4_g=2.0, start_h=start, **repeat)
    elif route == "im":
        r = r.im(mgso4_g=5.0, start_h=start, **repeat)
    else:
        if rep == "repeated":
            infusion_duration = every * (1.5 if arrangement == "overlapping" else 1.0)
        r = r.iv_infusion(mgso4_g=4.0, start_h=start, duration_h=infusion_duration, **repeat)
    if diet == "diet_change":
        # during the first infusion, or while the first oral/parenteral dose is absorbed
        change = start + (infusion_duration / 2.0 if route == "iv_infusion" else 0.75)
        r = r.diet(50.0, start_h=change)
        if rep == "repeated":
            r = r.diet(600.0, start_h=change + every)  # during the second infusion / dose
    return r


def rel_diff(a, b, floor=FLOOR_MMOL) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), floor)))


# --------------------------------------------------------------------------
# closed forms of the linear parts
# --------------------------------------------------------------------------
def im_depot_exact(r: magpk.Regimen, times: np.ndarray, ka: float, f: float) -> np.ndarray:
    """The depot receives the bioavailable share f of each IM dose and releases it at ka."""
    out = np.zeros_like(times)
    for e in r.parenteral_events:
        if e.route == "im" and e.time_h <= T_END:
            on = times >= e.time_h
            out[on] += f * e.mmol * np.exp(-ka * (times[on] - e.time_h))
    return out


def infused_exact(r: magpk.Regimen, times: np.ndarray) -> np.ndarray:
    out = np.zeros_like(times)
    for e in r.infusion_events:
        if e.start_h <= T_END:
            out += e.mmol / e.duration_h * np.clip(times - e.start_h, 0.0, e.duration_h)
    return out


def meal_times(subject: magpk.Subject, fed_h: float) -> list[tuple[float, float, float]]:
    """(start, stop, share) of the subject's meals that empty during [0, T_END]."""
    out = []
    for clock, share in subject.meals:
        for day in range(-1, int(T_END // 24) + 2):
            t = clock - subject.start_clock_h + 24.0 * day
            if t + fed_h > 0.0 and t < T_END:
                out.append((t, t + fed_h, share))
    return out


def diet_exact(r: magpk.Regimen, times: np.ndarray, subject: magpk.Subject,
               fed_h: float) -> np.ndarray:
    """Cumulative dietary Mg: the daily rate in force, continuously or meal by meal."""
    changes = sorted(((e.time_h, e.mg_per_day) for e in r.diet_events if e.time_h <= T_END),
                     key=lambda c: c[0])
    knots = [(0.0, subject.diet_mg_per_day)]
    for t, mg in changes:
        if t == knots[-1][0]:
            knots[-1] = (t, mg)  # simultaneous: the last wins
        else:
            knots.append((t, mg))
    # (start, stop, multiplier of the daily rate) of the intake
    intake = ([(t0, t1, share * 24.0 / fed_h) for t0, t1, share in meal_times(subject, fed_h)]
              if subject.meals else [(0.0, math.inf, 1.0)])
    out = np.zeros_like(times)
    for k, (d0, mg) in enumerate(knots):
        d1 = knots[k + 1][0] if k + 1 < len(knots) else math.inf
        for t0, t1, factor in intake:
            lo, hi = max(d0, t0, 0.0), min(d1, t1)
            if hi > lo:
                out += sm.mg_day_to_mmol_h(mg) * factor * np.clip(times - lo, 0.0, hi - lo)
    return out


def fed_windows(r: magpk.Regimen, fed_h: float, subject: magpk.Subject) -> list[list[float]]:
    """The union of the fed windows [lo, hi) (doses with food, meals), merged."""
    windows = sorted([(e.time_h, e.time_h + fed_h) for e in r.oral_events
                      if e.with_food and e.time_h <= T_END]
                     + [(t0, t1) for t0, t1, _ in meal_times(subject, fed_h)])
    merged: list[list[float]] = []
    for lo, hi in windows:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return merged


def fed_measure(r: magpk.Regimen, a: float, b: float, fed_h: float,
                subject: magpk.Subject) -> float:
    """Length of [a, b] covered by the union of fed windows (doses with food, meals)."""
    return sum(max(0.0, min(b, hi) - max(a, lo)) for lo, hi in fed_windows(r, fed_h, subject))


def undissolved_exact(r: magpk.Regimen, times: np.ndarray, subject: magpk.Subject,
                      dissolving: bool = True) -> dict[str, np.ndarray]:
    """U_p(t) = sum of dose shares x exp(-k_d (t - t0) - integral k_si): linear, per pure form.

    Exact for soluble salts. For basic salts (acid-limited dissolution) it is a
    lower bound, and with ``dissolving=False`` (k_d = 0: transit alone) an upper bound.
    """
    s = sm.subject_parameters(COV, PARAMS)
    out: dict[str, np.ndarray] = {}
    for e in r.oral_events:
        if e.time_h > T_END:
            continue
        for pure, share in sm.pure_parts(e.form, FORMS):
            kd = sm.dissolution_rate(FORMS[pure], PARAMS)
            if not math.isfinite(kd):
                continue
            kd = kd if dissolving else 0.0
            values = out.setdefault(pure, np.zeros_like(times))
            for i, t in enumerate(times):
                if t < e.time_h:
                    continue
                fed = fed_measure(r, e.time_h, t, s.fed_duration, subject)
                transit = s.k_si_fast * (t - e.time_h - fed) + s.k_si_fed * fed
                values[i] += e.elemental_mmol * share * math.exp(-kd * (t - e.time_h) - transit)
    return out


_EXPM_CACHE: dict[tuple[bytes, tuple[int, ...], float], np.ndarray] = {}


def _propagator(a: np.ndarray, dt: float) -> np.ndarray:
    """expm(a dt), cached: the grid repeats the same few (matrix, step) pairs."""
    key = (a.tobytes(), a.shape, dt)
    if key not in _EXPM_CACHE:
        _EXPM_CACHE[key] = expm(a * dt)
    return _EXPM_CACHE[key]


def stomach_linear(r: magpk.Regimen, times: np.ndarray, subject: magpk.Subject,
                   basic: str) -> tuple[np.ndarray, np.ndarray]:
    """stomach_sup St(t) and the cumulative emptying E(t) into si_sup, from

        U_p' = -(k_d,p + k_si) U_p,  St' = sum_p (1 - phi_p) k_d,p U_p - k_ge St,  E' = k_ge St,

    k_si and k_ge at their fed values in the fed windows, dissolved doses into St,
    the doses' pure parts into U_p; solved exactly, segment by segment, with the
    matrix exponential. Exact without basic salts. A basic (acid-limited) pool
    dissolves at 0 <= J <= k_d U <= k_d U_transit, U_transit its amount under
    transit alone: ``basic="lower"`` lets it feed nothing into the stomach (lower
    bounds on St and E), ``basic="upper"`` lets it keep U_transit and feed
    k_d U_transit into the stomach (upper bounds).
    """
    assert basic in ("lower", "upper")
    s = sm.subject_parameters(COV, PARAMS)
    forms: list[str] = []
    doses: list[tuple[float, dict[str, float]]] = []
    for e in r.oral_events:
        if e.time_h > T_END:
            continue
        parts: dict[str, float] = {}
        for pure, share in sm.pure_parts(e.form, FORMS):
            if math.isfinite(sm.dissolution_rate(FORMS[pure], PARAMS)):
                if pure not in forms:
                    forms.append(pure)
                key = pure
            else:
                key = "stomach"
            parts[key] = parts.get(key, 0.0) + e.elemental_mmol * share
        doses.append((e.time_h, parts))
    n = len(forms)
    i_st, i_e = n, n + 1

    def matrix(fed: bool) -> np.ndarray:
        k_si = s.k_si_fed if fed else s.k_si_fast
        k_ge = s.k_ge_fed if fed else s.k_ge_fast
        a = np.zeros((n + 2, n + 2))
        for j, pure in enumerate(forms):
            kd = sm.dissolution_rate(FORMS[pure], PARAMS)
            phi = s.chelate_share if FORMS[pure]["chelate_route"] else 0.0
            acid = sm.is_acid_limited(FORMS[pure])
            a[j, j] = -((0.0 if acid and basic == "upper" else kd) + k_si)
            a[i_st, j] = 0.0 if acid and basic == "lower" else (1.0 - phi) * kd
        a[i_st, i_st] = -k_ge
        a[i_e, i_st] = k_ge
        return a

    windows = fed_windows(r, s.fed_duration, subject)
    edges = [t for w in windows for t in w if 0.0 < t < T_END]
    knots = sorted(set([0.0, T_END] + [t for t, _ in doses] + edges + list(times)))
    x = np.zeros(n + 2)
    st, emptied = np.zeros_like(times), np.zeros_like(times)
    for k, t in enumerate(knots):
        for td, parts in doses:
            if td == t:
                for key, mmol in parts.items():
                    x[i_st if key == "stomach" else forms.index(key)] += mmol
        rows = times == t
        st[rows], emptied[rows] = x[i_st], x[i_e]
        if k + 1 == len(knots):
            break
        fed = any(lo <= t < hi for lo, hi in windows)
        x = _propagator(matrix(fed), knots[k + 1] - t) @ x
    return st, emptied


# --------------------------------------------------------------------------
# the matrix
# --------------------------------------------------------------------------
def _id(case) -> str:
    return "-".join(x for x in case if x != "n/a")


def _param(index: int, case) -> pytest.param:
    return pytest.param((index, case), id=_id(case))


class CaseRun(NamedTuple):
    """The core's run of one case: the result, its frame, output times, raw states, metrics."""

    result: magpk.Result
    frame: pd.DataFrame
    times: np.ndarray
    states: np.ndarray
    metrics: dict[str, float]


def run_case(regimen: magpk.Regimen, subject: magpk.Subject) -> CaseRun:
    """The core at the tight tolerances, rows exactly at OUTPUT_TIMES."""
    result = magpk.simulate(regimen, subject, t_end_h=T_END, output_times_h=OUTPUT_TIMES, **TIGHT)
    frame = result.to_frame()
    times = frame["time_h"].to_numpy()
    np.testing.assert_array_equal(times, OUTPUT_TIMES)
    states = np.asarray(result._core.states)
    return CaseRun(result, frame, times, states, result.metrics())


def check_core_invariants(run: CaseRun) -> None:
    """Mass balance, no amount below numerical zero, no thiazide effect."""
    frame, states = run.frame, run.states
    assert run.metrics["mass_balance_rel_error"] <= 1e-9
    # no amount below numerical zero: the frame's, and every pool of the core's state
    # (gut lumen, stomach, body, IM depot, undissolved pools)
    assert frame[AMOUNT_COLUMNS].to_numpy().min() >= MIN_AMOUNT_MMOL
    assert states[:, :CORE_LEDGERS_START].min() >= MIN_AMOUNT_MMOL
    assert states[:, CORE_POOLS_START:].min() >= MIN_AMOUNT_MMOL
    assert np.all(states[:, CORE_THIAZIDE_EFFECT] == 0.0)  # no thiazide: e stays 0


def scipy_model_run(cov: sm.Covariates, regimen: magpk.Regimen) -> tuple[sm.Result, sm.Subject]:
    """The scipy model's run of the case, checked for its own invariants."""
    ref = sm.simulate(cov, sm.Regimen.from_events(regimen), T_END, OUTPUT_TIMES, PARAMS, FORMS)
    s = sm.subject_parameters(cov, PARAMS)
    assert ref.min_amount >= MIN_AMOUNT_MMOL
    assert ref.mass_balance_errors.max() <= 1e-9
    assert ref.effect_range == (0.0, 0.0)
    return ref, s


def compared_pairs(frame, X: np.ndarray, s: sm.Subject) -> dict[str, tuple]:
    """(core frame column, scipy-model value) of every compared quantity, by name."""
    return {
        "serum": (frame["serum_mmol_l"], X[:, sm.I["plasma"]] / s.v_ecf),
        "plasma": (frame["plasma_mmol"], X[:, sm.I["plasma"]]),
        "peripheral": (frame["peripheral_mmol"], X[:, sm.I["peripheral"]]),
        # totals: fast peripheral + exchangeable + bound; bone surface + deep bone
        "tissue": (frame["tissue_mmol"], X[:, sm.I["peripheral"]] + X[:, sm.I["tissue"]]
                   + X[:, sm.I["tissue_bound"]]),
        "bone": (frame["bone_mmol"], X[:, sm.I["bone"]] + X[:, sm.I["deep_bone"]]),
        "tissue_exchangeable": (frame["tissue_exchangeable_mmol"], X[:, sm.I["tissue"]]),
        "bone_surface": (frame["bone_surface_mmol"], X[:, sm.I["bone"]]),
        "deep_bone": (frame["deep_bone_mmol"], X[:, sm.I["deep_bone"]]),
        "sweat_cum": (frame["sweat_cum_mmol"], X[:, sm.I["sweat_cum"]]),
        "gut": (frame["gut_mmol"], np.array([sm.gut_total(x) for x in X])),
        "absorbed_cum": (frame["absorbed_cum_mmol"], X[:, sm.I["absorbed_cum"]]),
        "absorbed_sup_cum": (frame["absorbed_supplement_cum_mmol"], X[:, sm.I["absorbed_sup_cum"]]),
        "urine_cum": (frame["urine_cum_mmol"], X[:, sm.I["urine_cum"]]),
        "feces_cum": (frame["feces_cum_mmol"], X[:, sm.I["feces_cum"]]),
        "feces_soluble_cum": (frame["feces_soluble_cum_mmol"], X[:, sm.I["feces_soluble_cum"]]),
        "filtered_cum": (frame["filtered_cum_mmol"], X[:, sm.I["filtered_cum"]]),
        "im_depot": (frame["im_depot_mmol"], X[:, sm.I["im_depot"]]),
        "infused_cum": (frame["infused_cum_mmol"], X[:, sm.I["infused_cum"]]),
        "diet_in_cum": (frame["diet_in_cum_mmol"], X[:, sm.I["diet_in_cum"]]),
        "serum_auc": (frame["serum_auc_mmol_h_l"], X[:, sm.I["serum_auc"]]),
    }


def check_states_against_scipy_model(run: CaseRun, ref: sm.Result, s: sm.Subject) -> None:
    """Serum, pools and cumulative ledgers within REL_TOL of the scipy model; the
    stomach (decayed far below the core's atol) relative above POOL_FLOOR_MMOL and
    absolute everywhere."""
    states, X = run.states, ref.states
    diffs = {k: rel_diff(a, b) for k, (a, b) in compared_pairs(run.frame, X, s).items()}
    diffs["si_sup"] = rel_diff(states[:, CORE_SI_SUP], X[:, sm.I["si_sup"]])
    diffs["stomach_sup"] = rel_diff(states[:, CORE_STOMACH_SUP], X[:, sm.I["stomach_sup"]],
                                    POOL_FLOOR_MMOL)
    assert np.max(np.abs(states[:, CORE_STOMACH_SUP] - X[:, sm.I["stomach_sup"]])) \
        <= POOL_ABS_TOL_MMOL
    bad = {k: v for k, v in diffs.items() if v > REL_TOL}
    assert not bad, f"core vs scipy model: {bad}"


def check_metrics_against_scipy_model(m: dict[str, float], ref: sm.Result) -> None:
    assert m["cmax_mmol_l"] == pytest.approx(ref.cmax, rel=1e-6)
    assert m["cmin_mmol_l"] == pytest.approx(ref.cmin, rel=1e-6)
    assert m["baseline_serum_mmol_l"] == pytest.approx(ref.steady.mean_serum, rel=1e-7)
    assert m["max_daily_soluble_feces_mmol"] == pytest.approx(ref.max_daily_soluble_feces,
                                                              rel=1e-6)
    assert m["oral_supplement_mmol"] == pytest.approx(ref.oral_mmol, rel=1e-14, abs=0)


def check_analytic_ledgers(run: CaseRun, regimen: magpk.Regimen, subject: magpk.Subject,
                           ref: sm.Result, s: sm.Subject) -> None:
    """The IM depot, sweat, infused and diet ledgers against their closed forms."""
    frame, times, X = run.frame, run.times, ref.states
    ka = float(magpk.parameters().loc["im_absorption_per_h", "value"])
    depot = im_depot_exact(regimen, times, ka, IM_F)
    np.testing.assert_allclose(frame["im_depot_mmol"], depot, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(X[:, sm.I["im_depot"]], depot, rtol=1e-10, atol=1e-14)
    # sweat is linear in serum: CL_sweat x serum AUC
    np.testing.assert_allclose(frame["sweat_cum_mmol"], s.cl_sweat * frame["serum_auc_mmol_h_l"],
                               rtol=1e-12, atol=0)
    np.testing.assert_allclose(frame["infused_cum_mmol"], infused_exact(regimen, times),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(frame["diet_in_cum_mmol"],
                               diet_exact(regimen, times, subject, s.fed_duration),
                               rtol=1e-12, atol=1e-12)


def check_undissolved_pools(run: CaseRun, regimen: magpk.Regimen,
                            subject: magpk.Subject) -> None:
    """Soluble salts exactly; basic salts between full dissolution and transit alone."""
    pools = undissolved_exact(regimen, run.times, subject)
    transit_only = undissolved_exact(regimen, run.times, subject, dissolving=False)
    assert sorted(run.result._core.pool_forms) == sorted(pools)
    for j, form in enumerate(run.result._core.pool_forms):
        pool = run.states[:, CORE_POOLS_START + j]
        if sm.is_acid_limited(FORMS[form]):
            assert np.all(pool >= pools[form] * (1 - 1e-7) - 1e-10), form
            assert np.all(pool <= transit_only[form] * (1 + 1e-7) + 1e-10), form
        else:
            np.testing.assert_allclose(pool, pools[form], rtol=1e-7, atol=1e-10, err_msg=form)


def check_stomach_stage(run: CaseRun, regimen: magpk.Regimen, subject: magpk.Subject,
                        ref: sm.Result, route: str, timing: str) -> None:
    """The stomach stage: exact (no basic salts) or bounded; the small intestine holds
    at most the supplement the stomach has emptied into it."""
    times, states = run.times, run.states
    st_lo, _ = stomach_linear(regimen, times, subject, "lower")
    st_hi, emptied_hi = stomach_linear(regimen, times, subject, "upper")
    stomach = states[:, CORE_STOMACH_SUP]
    if not any(sm.is_acid_limited(FORMS[f]) for f in run.result._core.pool_forms):
        np.testing.assert_array_equal(st_lo, st_hi)
        np.testing.assert_allclose(stomach, st_lo, rtol=1e-7, atol=1e-10)
        np.testing.assert_allclose(ref.states[:, sm.I["stomach_sup"]], st_lo, rtol=1e-7,
                                   atol=1e-12)
    assert np.all(stomach >= st_lo * (1 - 1e-7) - 1e-10)
    assert np.all(stomach <= st_hi * (1 + 1e-7) + 1e-10)
    assert np.all(states[:, CORE_SI_SUP] <= emptied_hi * (1 + 1e-7) + 1e-10)
    if route == "oral" and timing != "t_end":
        # the stage is exercised: the stomach holds supplement after the first dose
        assert stomach[times >= regimen.oral_events[0].time_h].max() > 0.1


def check_dose_jumps(run: CaseRun, regimen: magpk.Regimen) -> None:
    """The whole-body ledger: every instantaneous dose by t is in row t.

    (tissue_mmol includes the peripheral pool and bound tissue, bone_mmol deep bone)
    """
    frame = run.frame
    instantaneous = ([(e.time_h, e.elemental_mmol) for e in regimen.oral_events]
                     + [(e.time_h, e.mmol) for e in regimen.parenteral_events])
    given = np.array([sum(mmol for t0, mmol in instantaneous if t0 <= t) for t in run.times])
    held = (frame[["plasma_mmol", "tissue_mmol", "bone_mmol", "gut_mmol", "im_depot_mmol",
                   "urine_cum_mmol", "feces_cum_mmol", "sweat_cum_mmol"]].sum(axis=1).to_numpy()
            - frame["diet_in_cum_mmol"].to_numpy() - frame["infused_cum_mmol"].to_numpy())
    initial = held[0] - given[0]
    np.testing.assert_allclose(held, initial + given, rtol=1e-11)


def check_dose_accounting(m: dict[str, float], regimen: magpk.Regimen) -> None:
    """The metrics' parenteral dose: boluses and IM by t_end plus the infused part."""
    parenteral = (sum(e.mmol for e in regimen.parenteral_events if e.time_h <= T_END)
                  + infused_exact(regimen, np.array([T_END]))[0])
    assert m["parenteral_mmol"] == pytest.approx(parenteral, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("eating", list(EATING))
@pytest.mark.parametrize("index_case", [_param(i, c) for i, c in enumerate(CASES)])
def test_event_case(index_case, eating):
    index, case = index_case
    route, _rep, timing, _arrangement, _diet = case
    cov, subject = EATING[eating]
    regimen = build(index, *case)
    run = run_case(regimen, subject)
    check_core_invariants(run)
    # ---- against the independent scipy model ----
    ref, s = scipy_model_run(cov, regimen)
    check_states_against_scipy_model(run, ref, s)
    check_metrics_against_scipy_model(run.metrics, ref)
    # ---- closed forms of the linear parts ----
    check_analytic_ledgers(run, regimen, subject, ref, s)
    check_undissolved_pools(run, regimen, subject)
    check_stomach_stage(run, regimen, subject, ref, route, timing)
    check_dose_jumps(run, regimen)
    check_dose_accounting(run.metrics, regimen)


# --------------------------------------------------------------------------
# specific event conventions
# --------------------------------------------------------------------------
def _run(r: magpk.Regimen, t_end: float = T_END, subject: magpk.Subject = SUBJECT, **kw):
    return magpk.simulate(r, subject, t_end_h=t_end,
                          output_times_h=OUTPUT_TIMES[OUTPUT_TIMES <= t_end],
                          **TIGHT, **kw)


@pytest.mark.parametrize("kwargs", [dict(duration_h=0.0), dict(duration_h=-1.0),
                                    dict(duration_h=0), dict(duration_h=-0.0)])
def test_zero_or_negative_duration_infusion_raises(kwargs):
    with pytest.raises(ValueError, match="duration_h"):
        magpk.Regimen().iv_infusion(mgso4_g=4.0, start_h=1.0, **kwargs)


def test_missing_duration_raises():
    with pytest.raises(TypeError):
        magpk.Regimen().iv_infusion(mgso4_g=4.0, start_h=1.0)  # type: ignore[call-arg]


MMOL_PER_G_MGSO4 = 1000.0 * magpk.elemental_fraction("sulfate") / 24.305


@pytest.mark.parametrize("eating", list(EATING))
@pytest.mark.parametrize("route", ["iv_bolus", "im", "oral"])
@pytest.mark.parametrize("alone", [
    pytest.param(True, id="only_event"),
    pytest.param(False, id="with_earlier_diet_change")])
def test_dose_at_t_end_is_in_the_last_row(route, alone, eating):
    subject = EATING[eating][1]
    dose_mmol = 2.0 * MMOL_PER_G_MGSO4
    base = magpk.Regimen() if alone else magpk.Regimen().diet(300.0, start_h=1.0)
    if route == "oral":
        r = base.oral("solution", dose_mg=dose_mmol * 24.305, start_h=T_END)
    else:
        r = getattr(base, route)(mgso4_g=2.0, start_h=T_END)
    with_dose = _run(r, subject=subject)
    m = with_dose.metrics()
    assert m["oral_supplement_mmol" if route == "oral" else "parenteral_mmol"] == pytest.approx(
        dose_mmol, rel=1e-12)
    with_dose = with_dose.to_frame()
    without = _run(base, subject=subject).to_frame()
    # everything before t_end is untouched by the dose: to round-off when both runs are
    # integrated through the same events; to the solver's global error when the
    # dose-free run rests at its steady state (continuous diet, no event) and is
    # written down directly while the run with the dose is integrated (it wanders by
    # up to ~3e-10 relative at rtol 1e-10 once the steps grow long: 10 x rtol)
    steady = alone and eating == "continuous"
    drift = 10.0 * TIGHT["rtol"]
    np.testing.assert_allclose(with_dose.iloc[:-1].to_numpy(), without.iloc[:-1].to_numpy(),
                               rtol=drift if steady else 1e-12, atol=1e-12)
    # where the dose lands: IV into plasma, oral into the gut, IM split between the
    # depot (im_bioavailability) and the exchangeable tissue pool (the rest)
    landing = {"iv_bolus": {"plasma_mmol": 1.0},
               "oral": {"gut_mmol": 1.0},
               "im": {"im_depot_mmol": IM_F, "tissue_exchangeable_mmol": 1.0 - IM_F,
                      "tissue_mmol": 1.0 - IM_F}}[route]
    for column in ("plasma_mmol", "gut_mmol", "im_depot_mmol", "tissue_exchangeable_mmol",
                   "tissue_mmol", "bone_mmol", "peripheral_mmol"):
        jump = with_dose[column].iloc[-1] - without[column].iloc[-1]
        # (+ the steady-vs-integrated difference of the pool itself, drift x the pool)
        assert jump == pytest.approx(
            dose_mmol * landing.get(column, 0.0), rel=1e-12,
            abs=drift * with_dose[column].iloc[-2] if steady else 1e-12), column


def test_doses_after_t_end_are_ignored():
    base = (magpk.Regimen().oral("citrate", 300, start_h=3).iv_infusion(mgso4_g=4, start_h=5,
                                                                        duration_h=2))
    late = (base.oral("oxide", 500, start_h=T_END + 1e-9, with_food=True)
            .iv_bolus(mgso4_g=4, start_h=T_END + 0.5).im(mgso4_g=5, start_h=30.0)
            .iv_infusion(mgso4_g=4, start_h=T_END + 1, duration_h=1).diet(5000, start_h=T_END + 2))
    a, b = _run(base), _run(late)
    np.testing.assert_array_equal(a.to_frame().to_numpy(), b.to_frame().to_numpy())
    np.testing.assert_array_equal(a.baseline_frame().to_numpy(), b.baseline_frame().to_numpy())
    ma, mb = a.metrics(), b.metrics()
    assert ma == mb
    assert list(b._core.pool_forms) == ["citrate"]


def test_infusion_running_past_t_end_counts_only_the_given_part():
    r = magpk.Regimen().iv_infusion(mgso4_g=4.0, start_h=20.0, duration_h=8.0)
    res = _run(r)
    mmol = 4.0 * MMOL_PER_G_MGSO4
    assert res.to_frame()["infused_cum_mmol"].iloc[-1] == pytest.approx(mmol * 4 / 8, rel=1e-13)
    assert res.metrics()["parenteral_mmol"] == pytest.approx(mmol * 4 / 8, rel=1e-13)


def test_simultaneous_diet_changes_last_wins():
    a = _run(magpk.Regimen().diet(50, start_h=6).diet(900, start_h=6))
    b = _run(magpk.Regimen().diet(900, start_h=6))
    np.testing.assert_allclose(a.to_frame().to_numpy(), b.to_frame().to_numpy(), rtol=1e-14,
                               atol=1e-300)


def test_simultaneous_doses_add():
    a = _run(magpk.Regimen().iv_bolus(mgso4_g=1, start_h=4).iv_bolus(mgso4_g=1, start_h=4)
             .oral("oxide", 100, start_h=4).oral("oxide", 200, start_h=4))
    b = _run(magpk.Regimen().iv_bolus(mgso4_g=2, start_h=4).oral("oxide", 300, start_h=4))
    np.testing.assert_allclose(a.to_frame().to_numpy(), b.to_frame().to_numpy(), rtol=1e-12,
                               atol=1e-15)


def test_case_count(capsys):
    with capsys.disabled():
        print(f"\n[test_event_matrix] {N_CASES} event-matrix cases "
              f"({len(ROUTES)} routes x {len(REPETITIONS)} x {len(TIMINGS)} timings x "
              f"arrangements (repeated infusions) x {len(DIETS)} diets), each with "
              f"{len(EATING)} eating patterns ({', '.join(EATING)})")
    assert N_CASES == 72
