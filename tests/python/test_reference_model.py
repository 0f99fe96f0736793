"""The C++ core against an independent numpy/scipy implementation of the model.

``reference_model.py`` re-implements the equations with scipy (brentq steady
state, DOP853 piecewise integration); only parameter values and the form
catalogue are read from the core.  These tests check that the core's steady
state, its trajectory through a mixed oral + IV + IM + infusion + diet-change
regimen, and its metrics agree with the reference.
"""

from __future__ import annotations

import math
import os
import sys
from typing import List

import numpy as np
import pytest

from magpk import _core as core

sys.path.insert(0, os.path.dirname(__file__))
import reference_model as rm  # noqa: E402

# Core state layout (cpp/include/magpk/model.hpp, namespace idx); the
# undissolved pools follow from column 18 on, in the order of result.pool_forms.
CORE_STATES: List[str] = [
    "si_diet", "si_sup", "si_chelate", "colon_diet", "colon_sup", "colon_solid",
    "plasma", "tissue", "bone", "im_depot",
    "absorbed_cum", "absorbed_sup_cum", "urine_cum", "feces_cum", "secreted_cum",
    "diet_in_cum", "infused_cum", "serum_auc",
]
CORE_POOLS_START = len(CORE_STATES)

PARAMS = rm.load_parameters(core)
FORMS = rm.load_forms(core)

T_END = 96.0
MIXED = rm.Regimen(
    oral=[
        (1.0, "citrate", 10.0, True),
        (6.0, "glycinate", 5.0, False),
        (12.0, "buffered_glycinate", 4.0, False),
        (12.0, "oxide", 8.0, False),
        (20.0, "solution", 2.0, False),
    ],
    iv_bolus=[(30.0, 8.1)],
    im=[(50.0, 20.0)],
    infusions=[(40.0, 0.5, 16.2), (40.25, 5.0, 5 * 4.0)],  # 4 mmol/h for 5 h
    diet_changes=[(36.0, 50.0), (60.0, 400.0)],
)
EVENT_TIMES = [1.0, 4.5, 6.0, 12.0, 20.0, 30.0, 36.0, 40.0, 40.25, 40.5, 45.25, 50.0, 60.0]
OUTPUT_TIMES = sorted(set(np.arange(0.0, T_END + 1e-9, 0.5).tolist()) | set(EVENT_TIMES))

# Relative comparisons use max(|reference|, floor) as denominator.
FLOOR_MMOL = 1e-9
# Undissolved pools decay as exp(-(k_d + k_si) t) to ~1e-10 mmol, far below the
# core's own absolute tolerance scale; they are compared relative above this
# amount and in absolute terms everywhere.
POOL_FLOOR_MMOL = 1e-6
POOL_ABS_TOL_MMOL = 1e-9

SUBJECTS = {
    "default": rm.Covariates(),
    "male_ckd_ppi_loop": rm.Covariates(weight_kg=90.0, sex="male", egfr_ml_min=40.0,
                                       diet_mg_per_day=200.0, ppi=True, diuretic="loop"),
    "pregnant": rm.Covariates(weight_kg=60.0, age_years=29.0, sex="female", pregnant=True),
}


# ---------------------------------------------------------------------------
# running the core
# ---------------------------------------------------------------------------
def core_covariates(cov: rm.Covariates):
    c = core.Covariates()
    c.weight_kg = cov.weight_kg
    c.age_years = cov.age_years
    c.height_cm = cov.height_cm
    c.egfr_ml_min = cov.egfr_ml_min
    c.diet_mg_per_day = cov.diet_mg_per_day
    c.sex = {"female": core.Sex.female, "male": core.Sex.male}[cov.sex]
    c.pregnant = cov.pregnant
    c.ppi = cov.ppi
    c.diuretic = {"none": core.Diuretic.none, "loop": core.Diuretic.loop,
                  "thiazide": core.Diuretic.thiazide}[cov.diuretic]
    return c


def run_core(cov: rm.Covariates, reg: rm.Regimen, t_end: float, times):
    req = core.SimulationRequest()
    req.covariates = core_covariates(cov)
    req.t_end_h = t_end
    req.output_times_h = list(times)
    r = core.Regimen()
    r.oral = [core.OralDose(t, form, mmol, food) for t, form, mmol, food in reg.oral]
    r.iv_bolus = [core.ParenteralDose(t, mmol) for t, mmol in reg.iv_bolus]
    r.im = [core.ParenteralDose(t, mmol) for t, mmol in reg.im]
    r.infusions = [core.Infusion(start, dur, mmol) for start, dur, mmol in reg.infusions]
    r.diet_changes = [core.DietChange(t, mg) for t, mg in reg.diet_changes]
    req.regimen = r
    req.solver.rtol = 1e-10
    req.solver.atol = 1e-12
    req.solver.atol_gut = 1e-12
    return core.simulate(req)


def rel_diff(a, b, floor=FLOOR_MMOL) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), floor)))


def column_differences(result, ref) -> dict:
    """Max relative difference per compared quantity, core vs reference."""
    states = np.asarray(result.states)
    table = np.asarray(result.table)
    cols = list(core.output_columns())
    diffs = {}
    for k, name in enumerate(CORE_STATES):
        diffs[name] = rel_diff(states[:, k], ref.states[:, rm.I[name]])
    assert sorted(result.pool_forms) == sorted(p.form_id for p in ref.pools)
    for j, pool in enumerate(ref.pools):
        a = states[:, CORE_POOLS_START + list(result.pool_forms).index(pool.form_id)]
        b = ref.states[:, rm.N_FIXED + j]
        diffs["pool:" + pool.form_id] = rel_diff(a, b, POOL_FLOOR_MMOL)
        diffs["pool_abs:" + pool.form_id] = float(np.max(np.abs(a - b)))
    # unused pool slots stay exactly zero
    n_used = len(result.pool_forms)
    assert np.all(states[:, CORE_POOLS_START + n_used:] == 0.0)
    ref_gut = np.array([rm.gut_total(x) for x in ref.states])
    diffs["gut_sum"] = rel_diff(table[:, cols.index("gut_mmol")], ref_gut)
    np.testing.assert_array_equal(table[:, cols.index("time_h")], ref.times)
    return diffs


# ---------------------------------------------------------------------------
# 1. steady state
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("label", list(SUBJECTS))
def test_steady_state_matches_core(label):
    cov = SUBJECTS[label]
    s = rm.subject_parameters(cov, PARAMS)
    ss = rm.steady_state(s)

    # the reference steady state is a steady state of the reference RHS
    rate = rm.rhs(0.0, ss.x, rm.Inputs(s, (), s.diet_mmol_h, 0.0, False))
    pools = [rm.I[n] for n in rm.GUT_LUMEN + rm.BODY]
    assert np.max(np.abs(rate[pools])) <= 1e-12 * (s.diet_mmol_h + s.k_tissue * ss.x[rm.I["tissue"]])

    result = run_core(cov, rm.Regimen(), 24.0, [0.0])
    # covariate -> parameter mapping
    subj = result.subject
    for core_name, value in [("ecf_volume_l", s.v_ecf), ("height_cm", s.height_cm),
                             ("body_fat_fraction", s.fat_fraction),
                             ("fat_free_mass_kg", s.ffm_kg), ("body_mg_mmol", s.body_mg),
                             ("gfr_l_h", s.gfr), ("tm_mmol_h", s.tm),
                             ("tissue_reference_mmol", s.tissue_ref),
                             ("bone_reference_mmol", s.bone_ref),
                             ("diet_mmol_h", s.diet_mmol_h)]:
        assert getattr(subj, core_name) == pytest.approx(value, rel=1e-12, abs=0), core_name

    assert result.steady_state_serum_mmol_l == pytest.approx(ss.serum, rel=1e-9, abs=0)
    row = np.asarray(result.states)[0]
    for k, name in enumerate(CORE_STATES):
        assert row[k] == pytest.approx(ss.x[rm.I[name]], rel=1e-9, abs=1e-300), name
    serum_col = list(core.output_columns()).index("serum_mmol_l")
    assert np.asarray(result.table)[0, serum_col] == pytest.approx(ss.serum, rel=1e-9, abs=0)


# ---------------------------------------------------------------------------
# 2. the mixed regimen
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mixed():
    cov = SUBJECTS["default"]
    ref = rm.simulate(cov, MIXED, T_END, OUTPUT_TIMES, PARAMS, FORMS)
    result = run_core(cov, MIXED, T_END, OUTPUT_TIMES)
    return cov, ref, result


def test_mixed_regimen_trajectory_matches_core(mixed):
    cov, ref, result = mixed
    s = rm.subject_parameters(cov, PARAMS)
    diffs = column_differences(result, ref)
    cols = list(core.output_columns())
    table = np.asarray(result.table)
    diffs["serum_mmol_l"] = rel_diff(table[:, cols.index("serum_mmol_l")],
                                     ref.states[:, rm.I["plasma"]] / s.v_ecf)
    diffs["colon_supplement_mmol"] = rel_diff(
        table[:, cols.index("colon_supplement_mmol")],
        ref.states[:, rm.I["colon_sup"]] + ref.states[:, rm.I["colon_solid"]])
    report = "\n".join(f"  {k:28s} {v:.3e}" for k, v in diffs.items())
    print("max relative difference core vs reference:\n" + report)

    # the regimen really exercised every route
    final = ref.final
    assert final[rm.I["infused_cum"]] > 36.0 and final[rm.I["im_depot"]] > 0.0
    assert ref.states[:, rm.I["si_chelate"]].max() > 0.01
    assert ref.states[:, rm.I["colon_solid"]].max() > 0.1
    assert [p.form_id for p in ref.pools] == ["citrate", "glycinate", "oxide"]

    bad = {k: v for k, v in diffs.items()
           if (v > POOL_ABS_TOL_MMOL if k.startswith("pool_abs:") else v > 1e-6)}
    assert not bad, "core differs from reference:\n" + report


def test_mixed_regimen_metrics_match_core(mixed):
    _, ref, result = mixed
    m = result.metrics
    assert m.oral_supplement_mmol == pytest.approx(ref.oral_mmol, rel=1e-15)
    assert m.parenteral_mmol == pytest.approx(8.1 + 16.2 + 20.0 + 20.0, rel=1e-12)
    assert m.fraction_absorbed == pytest.approx(ref.fraction_absorbed, rel=1e-6)
    assert m.absorbed_supplement_mmol == pytest.approx(ref.final[rm.I["absorbed_sup_cum"]], rel=1e-6)
    assert m.cmax_mmol_l == pytest.approx(ref.cmax, rel=1e-6)
    assert m.tmax_h == pytest.approx(ref.tmax, abs=1e-3)
    assert m.baseline_serum_mmol_l == pytest.approx(ref.steady.serum, rel=1e-9)


# ---------------------------------------------------------------------------
# 3. the reference conserves mass
# ---------------------------------------------------------------------------
def test_reference_mass_balance(mixed):
    _, ref, _ = mixed
    assert len(ref.mass_balance_errors) == len(OUTPUT_TIMES) + 1
    assert ref.mass_balance_errors.max() <= 1e-9
    # the amounts given instantaneously, and the ledgers of the piecewise inputs
    assert ref.dosed_mmol == pytest.approx(10 + 5 + 4 + 8 + 2 + 8.1 + 20, rel=1e-14)
    x = ref.final
    assert x[rm.I["infused_cum"]] == pytest.approx(16.2 + 20.0, rel=1e-9)
    diet_mg = 300.0 * 36.0 + 50.0 * 24.0 + 400.0 * 36.0  # mg/day x h
    assert x[rm.I["diet_in_cum"]] == pytest.approx(rm.mg_day_to_mmol_h(diet_mg), rel=1e-9)
    # the reference's own integration error: against a tighter run
    cov = SUBJECTS["default"]
    tight = rm.simulate(cov, MIXED, T_END, OUTPUT_TIMES, PARAMS, FORMS, rtol=3e-14, atol=1e-21)
    # (well below the 1e-6 used against the core)
    assert rel_diff(ref.states, tight.states) <= 1e-7
    assert ref.cmax == pytest.approx(tight.cmax, rel=1e-12)
    # explicit end-of-run balance: intake = gut + body + urine + faeces
    intake = ref.initial_total + ref.dosed_mmol + x[rm.I["diet_in_cum"]] + x[rm.I["infused_cum"]]
    out = rm.gut_total(x) + rm.body_total(x) + x[rm.I["urine_cum"]] + x[rm.I["feces_cum"]]
    assert math.isclose(out, intake, rel_tol=1e-9)
