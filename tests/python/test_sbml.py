"""magpk.to_sbml: the exported SBML passes libSBML's consistency check and reproduces magpk.

The agreement tests run the exported model in libRoadRunner and compare serum with
``magpk.simulate`` (both at tight tolerances) on oral doses across the saturable range, IV
bolus, IV infusion, IM and mixed regimens, with meals and with a continuous diet. The schedule
and the subject's derived quantities that ``magpk.sbml`` re-derives are checked against the
independent scipy model (``scipy_model.py``). Tests that need python-libsbml or
libRoadRunner (the extra ``magpk[sbml]``) are skipped without it; the others run anyway.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import magpk
from magpk import _core, sbml

import scipy_model as sm

#: Largest relative serum difference between libRoadRunner and magpk (the issue's bound).
MAX_SERUM_REL_DIFF = 1e-4
#: Tight tolerances on both sides, so that the difference measures the export, not the solvers.
MAGPK_TOLERANCES = {"rtol": 1e-10, "atol": 1e-12, "atol_gut": 1e-12}
RR_RTOL = 1e-10
RR_ATOL = 1e-14
RR_MAX_STEPS = 1_000_000
OUTPUT_EVERY_H = 0.5
#: A dose at t = 0 must show in the row at t = 0 (as magpk's row shows the state after events).
T0_REL = 1e-12

MEALS = magpk.Subject()
CONTINUOUS = magpk.Subject(meals="continuous")

MIXED = (magpk.Regimen()
         .oral("buffered_glycinate", dose_mg=400, start_h=5.0, with_food=True)  # chelate + oxide
         .oral("oxide", dose_mg=400, every_h=12, count=4)  # acid-limited, shares the acid
         .oral("solution", dose_mg=100, start_h=33.0)  # already dissolved: into the stomach
         .iv_infusion(mgso4_g=4, start_h=3.0, duration_h=0.5)
         .im(mgso4_g=5, start_h=6.0)
         .iv_bolus(mgso4_g=2, start_h=40.0)
         .diet(150, start_h=20.0)
         .fast(30.0, 40.0)
         .drug("ppi", 10.0, 50.0)
         .drug("loop", 12.0, 30.0)
         .drug("thiazide", 0.0))

#: label -> (regimen, subject, t_end_h)
CASES = {
    "oral_50mg_meals": (magpk.Regimen().oral("citrate", dose_mg=50), MEALS, 48.0),
    "oral_800mg_meals": (magpk.Regimen().oral("citrate", dose_mg=800), MEALS, 48.0),
    "oral_800mg_continuous": (magpk.Regimen().oral("chloride", dose_mg=800), CONTINUOUS, 48.0),
    "oral_glycinate_q12h_continuous": (magpk.Regimen().oral("glycinate", dose_mg=200, every_h=12,
                                                            count=6), CONTINUOUS, 72.0),
    "iv_bolus_meals": (magpk.Regimen().iv_bolus(mgso4_g=4), MEALS, 24.0),
    "iv_infusion_meals": (magpk.Regimen().iv_infusion(mgso4_g=4, start_h=2.0, duration_h=1 / 3)
                          .iv_infusion(mgso4_g=12, start_h=2.5, duration_h=12.0), MEALS, 24.0),
    "im_meals": (magpk.Regimen().im(mgso4_g=5, start_h=1.0, every_h=4, count=3), MEALS, 24.0),
    "mixed_meals": (MIXED, MEALS, 72.0),
    "mixed_continuous": (MIXED, CONTINUOUS, 72.0),
    "oxide_child": (magpk.Regimen().oral("oxide", dose_mg=200, every_h=12, count=3),
                    magpk.Subject(age_years=6, weight_kg=20), 48.0),
    "oxide_ckd_ppi_loop": (magpk.Regimen().oral("oxide", dose_mg=400).im(mgso4_g=2, start_h=4.0),
                           magpk.Subject(sex="male", weight_kg=90, egfr_ml_min=30, ppi=True,
                                         diuretic="loop"), 48.0),
    "thiazide_night_start": (magpk.Regimen().oral("carbonate", dose_mg=300, start_h=2.0),
                             magpk.Subject(diuretic="thiazide", start_clock_h=22.0,
                                           meals=((8.0, 0.5), (18.0, 0.5))), 48.0),
}


@pytest.fixture(scope="module")
def libsbml():
    return pytest.importorskip("libsbml")


@pytest.fixture(scope="module")
def roadrunner():
    return pytest.importorskip("roadrunner")


def load(roadrunner, text: str):
    rr = roadrunner.RoadRunner(text)
    rr.integrator.relative_tolerance = RR_RTOL
    rr.integrator.absolute_tolerance = RR_ATOL
    rr.integrator.max_steps = RR_MAX_STEPS
    return rr


def roadrunner_serum(roadrunner, text: str, times: np.ndarray) -> np.ndarray:
    rr = load(roadrunner, text)
    rr.timeCourseSelections = ["time", "serum_mmol_l"]
    out = np.asarray(rr.simulate(times=list(times)))
    np.testing.assert_allclose(out[:, 0], times)
    return out[:, 1]


def magpk_serum(regimen, subject, t_end: float, times: np.ndarray) -> np.ndarray:
    res = magpk.simulate(regimen, subject, t_end_h=t_end, output_times_h=list(times),
                         **MAGPK_TOLERANCES)
    return res.to_frame()["serum_mmol_l"].to_numpy()


def grid(t_end: float) -> np.ndarray:
    return np.linspace(0.0, t_end, round(t_end / OUTPUT_EVERY_H) + 1)


def consistency_problems(libsbml, text: str) -> list[str]:
    doc = libsbml.readSBMLFromString(text)
    doc.checkConsistency()
    return [f"{e.getSeverityAsString()} {e.getErrorId()}: {e.getMessage()}"
            for e in (doc.getError(i) for i in range(doc.getNumErrors()))
            if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR]


# ----------------------------------------------------------------------------- libSBML
@pytest.mark.parametrize("label", sorted(CASES))
def test_consistency_check_has_no_errors(libsbml, label: str) -> None:
    regimen, subject, t_end = CASES[label]
    assert consistency_problems(libsbml, magpk.to_sbml(regimen, subject, t_end_h=t_end)) == []


def test_document_declares_units_parameters_rules_and_events(libsbml) -> None:
    regimen, subject, t_end = CASES["mixed_meals"]
    doc = libsbml.readSBMLFromString(magpk.to_sbml(regimen, subject, t_end_h=t_end))
    model = doc.getModel()
    assert (doc.getLevel(), doc.getVersion()) == (sbml.SBML_LEVEL, sbml.SBML_VERSION)
    assert (model.getTimeUnits(), model.getSubstanceUnits(), model.getExtentUnits()) == (
        "hour", "mmol", "mmol")
    table = magpk.parameters()
    for name in sbml.USED_PARAMETERS:
        p = model.getParameter(name)
        assert p is not None, name
        assert p.getValue() == table.loc[name, "value"], name
        assert p.getUnits() == sbml.PARAMETER_UNITS[table.loc[name, "unit"]], name
    for i in range(model.getNumParameters()):
        assert model.getParameter(i).isSetUnits(), model.getParameter(i).getId()
    rule = model.getAssignmentRule("serum_mmol_l")
    assert libsbml.formulaToL3String(rule.getMath()) == "plasma / ecf"
    species = [model.getSpecies(i) for i in range(model.getNumSpecies())]
    assert all(s.getHasOnlySubstanceUnits() and s.isSetInitialAmount() for s in species)
    assert {s.getId() for s in species} >= {"undissolved_glycinate", "undissolved_oxide"}
    assert model.getCompartment("ecf").getSize() == pytest.approx(
        subject.weight_kg * table.loc["ecf_volume_l_per_kg", "value"])
    ids = {model.getReaction(i).getId() for i in range(model.getNumReactions())}
    assert {"urine", "secretion", "si_transcellular_sup", "dissolution_glycinate_chelate",
            "dissolution_oxide", "undissolved_oxide_to_colon", "peripheral_exchange",
            "im_release", "infusion", "feces_solid", "deep_bone_uptake"} <= ids
    triggers = [model.getEvent(i).getTrigger() for i in range(model.getNumEvents())]
    assert all(not t.getInitialValue() and t.getPersistent() for t in triggers)
    assert "time >= 0 hour" in [libsbml.formulaToL3String(t.getMath()) for t in triggers]


def test_missing_libsbml_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "libsbml", None)  # import libsbml -> ImportError
    with pytest.raises(ImportError, match=r'pip install "magpk\[sbml\]"'):
        magpk.to_sbml(magpk.Regimen())


def test_import_magpk_does_not_import_libsbml() -> None:
    import subprocess
    code = "import sys, magpk; magpk.to_sbml; print('libsbml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_refusals_are_clear(libsbml) -> None:
    with pytest.raises(ValueError, match=r"at most 10,000.*meals='continuous'"):
        magpk.to_sbml(magpk.Regimen(), MEALS, t_end_h=24.0 * 365 * 10)
    with pytest.raises(ValueError, match="t_end_h"):
        magpk.to_sbml(magpk.Regimen(), MEALS, t_end_h=-1.0)
    with pytest.raises(TypeError, match=r"magpk.Regimen"):
        magpk.to_sbml("citrate")
    with pytest.raises(TypeError, match=r"magpk.Subject"):
        magpk.to_sbml(magpk.Regimen(), "adult")


def test_default_end_and_doses_after_the_end(libsbml) -> None:
    regimen = magpk.Regimen().oral("citrate", dose_mg=300, start_h=10.0).oral("oxide", dose_mg=300,
                                                                             start_h=30.0)
    assert sbml.default_t_end_h(regimen) == 30.0 + sbml.DEFAULT_TAIL_H
    assert "t_end_h = 78 h" in magpk.to_sbml(regimen, CONTINUOUS)
    model = libsbml.readSBMLFromString(magpk.to_sbml(regimen, CONTINUOUS, t_end_h=20.0)).getModel()
    assert model.getSpecies("undissolved_citrate") is not None
    assert model.getSpecies("undissolved_oxide") is None  # given after the end: left out
    assert model.getNumEvents() == 1


# ----------------------------------------------------------------------------- libRoadRunner
@pytest.mark.parametrize("label", sorted(CASES))
def test_roadrunner_reproduces_magpk_serum(libsbml, roadrunner, label: str) -> None:
    regimen, subject, t_end = CASES[label]
    times = grid(t_end)
    exported = roadrunner_serum(roadrunner, magpk.to_sbml(regimen, subject, t_end_h=t_end), times)
    expected = magpk_serum(regimen, subject, t_end, times)
    rel = np.abs(exported - expected) / expected
    assert rel.max() <= MAX_SERUM_REL_DIFF, (label, float(rel.max()), times[rel.argmax()])


def test_event_at_time_zero_fires(libsbml, roadrunner) -> None:
    """A bolus at t = 0 is in the row at t = 0 and moves serum by dose / V_ecf."""
    dose = 4.0  # g MgSO4·7H2O
    regimen = magpk.Regimen().iv_bolus(mgso4_g=dose)
    text = magpk.to_sbml(regimen, MEALS, t_end_h=2.0)
    rr = load(roadrunner, text)
    rr.timeCourseSelections = ["time", "serum_mmol_l", "plasma"]
    first = np.asarray(rr.simulate(0.0, 1.0, 2))[0]
    probe = magpk.simulate(magpk.Regimen(), MEALS, t_end_h=1.0, output_times_h=[0.0])
    plasma0 = probe.to_frame()["plasma_mmol"].iloc[0]
    bolus = regimen.parenteral_events[0].mmol
    assert first[2] == pytest.approx(plasma0 + bolus, rel=T0_REL)
    volume = probe._core.subject.ecf_volume_l
    assert first[1] == pytest.approx((plasma0 + bolus) / volume, rel=T0_REL)


#: SBML quantity -> field of scipy_model.Subject (the re-derived subject quantities).
SUBJECT_FIELDS: dict[str, str] = {
    "si_transit_per_h": "k_si_fast", "si_transit_fed_per_h": "k_si_fed",
    "gastric_emptying_fasting_per_h": "k_ge_fast", "gastric_emptying_fed_per_h": "k_ge_fed",
    "chelate_absorption_per_h": "k_chelate", "colon_transit_per_h": "k_colon",
    "secretion_clearance_l_h": "q_secretion",
    "subject_intercompartmental_clearance_l_h": "q_exchange",
    "bone_reference_mmol": "bone_ref", "deep_bone_reference_mmol": "deep_bone_ref",
    "tissue_reference_mmol": "tissue_ref", "tissue_exchange_per_h": "k_tissue",
    "bone_exchange_per_h": "k_bone", "deep_bone_exchange_per_h": "k_deep_bone",
    "sweat_clearance_l_h": "cl_sweat", "thiazide_onset_per_h": "k_thiazide",
    "tm_mmol_h": "tm", "gfr_l_h": "gfr", "body_mg_mmol": "body_mg", "ecf": "v_ecf",
    "peripheral_space": "v_peripheral", "tissue_bound": "tissue_bound",
}


@pytest.mark.parametrize("subject", [MEALS, magpk.Subject(sex="male", weight_kg=95, age_years=67,
                                                          egfr_ml_min=45, height_cm=185)],
                         ids=["default", "male_ckd"])
def test_derived_quantities_agree_with_the_scipy_model(libsbml, roadrunner, subject) -> None:
    rr = load(roadrunner, magpk.to_sbml(magpk.Regimen(), subject, t_end_h=1.0))
    ref = sm.subject_parameters(scipy_model_covariates(subject), sm.load_parameters(_core))
    for name, attribute in SUBJECT_FIELDS.items():
        assert rr.getValue(name) == pytest.approx(getattr(ref, attribute), rel=1e-12), name


# ----------------------------------------------------------------------------- no extra needed
def scipy_model_covariates(subject: magpk.Subject) -> sm.Covariates:
    return sm.Covariates(
        weight_kg=subject.weight_kg, age_years=subject.age_years,
        height_cm=subject.height_cm or 0.0, egfr_ml_min=subject.egfr_ml_min,
        diet_mg_per_day=subject.diet_mg_per_day, sex=subject.sex, pregnant=subject.pregnant,
        ppi=subject.ppi, diuretic=subject.diuretic or "none", meals=tuple(subject.meals),
        start_clock_h=subject.start_clock_h)


@pytest.mark.parametrize("label", ["mixed_meals", "mixed_continuous", "thiazide_night_start",
                                   "oxide_ckd_ppi_loop"])
def test_schedule_agrees_with_the_scipy_model(label: str) -> None:
    """Event times, segment inputs, doses and pools re-derived by magpk.sbml match the
    scipy model's schedule."""
    regimen, subject, t_end = CASES[label]
    plan = sbml.plan(regimen, subject, t_end)
    params, forms = sm.load_parameters(_core), sm.load_forms(_core)
    s = sm.subject_parameters(scipy_model_covariates(subject), params)
    reg = sm.Regimen.from_events(regimen)
    assert [p.time_h for p in plan.breakpoints] == sm.event_times(reg, s, t_end)
    pools = sm.undissolved_pools(s, reg, t_end, params, forms)
    assert [(p.form_id, p.acid_limited) for p in plan.pools] == [
        (p.form_id, p.acid_limited) for p in pools]
    for point in plan.breakpoints[:-1]:
        ref = sm.inputs_on(point.time_h, reg, s, pools, t_end)
        mine = point.inputs
        diet = sm.mg_day_to_mmol_h(mine.diet_mg_per_day)
        diet_in = (mine.meal_share * diet * sbml.HOURS_PER_DAY / s.fed_duration
                   if subject.meals else diet)
        assert diet_in == pytest.approx(ref.diet_mmol_h, rel=1e-12, abs=1e-15), point.time_h
        assert mine.infusion_mmol_h == pytest.approx(ref.infusion_mmol_h, rel=1e-12)
        assert (mine.fed, mine.ppi, mine.loop, mine.thiazide) == (
            ref.fed, ref.ppi, ref.loop, ref.thiazide), point.time_h
        x = np.zeros(sm.N_FIXED + len(pools))
        sm.apply_doses(x, point.time_h, reg, s, forms, {p.form_id: k for k, p in enumerate(pools)})
        d = point.doses
        assert x[sm.I["plasma"]] == pytest.approx(d.iv_bolus)
        assert x[sm.I["im_depot"]] == pytest.approx(s.f_im * d.im)
        assert x[sm.I["stomach_sup"]] == pytest.approx(d.dissolved)
        for k, pool in enumerate(pools):
            assert x[sm.N_FIXED + k] == pytest.approx(d.undissolved.get(pool.form_id, 0.0))


def test_initial_amounts_are_magpks_steady_state() -> None:
    """The state layout magpk.sbml reads agrees with magpk's output columns at t = 0."""
    assert sorted(sbml.CORE_STATES) == sorted(sm.FIXED_STATES)
    for subject in (MEALS, CONTINUOUS, magpk.Subject(diuretic="thiazide")):
        initial = sbml.plan(magpk.Regimen(), subject, 1.0).initial
        row = magpk.simulate(magpk.Regimen(), subject, t_end_h=1.0).to_frame().iloc[0]
        assert initial["plasma"] == row["plasma_mmol"]
        assert initial["peripheral"] == row["peripheral_mmol"]
        assert initial["tissue"] == row["tissue_exchangeable_mmol"]
        assert initial["bone"] == row["bone_surface_mmol"]
        assert initial["deep_bone"] == row["deep_bone_mmol"]
        assert initial["im_depot"] == row["im_depot_mmol"] == 0.0
        assert (initial["peripheral"] + initial["tissue"] + initial["tissue_bound"]
                == pytest.approx(row["tissue_mmol"], rel=1e-14))
        gut = sum(initial[name] for name in sbml.SPECIES if sbml.SPECIES[name][0] in (
            "stomach", "small_intestine", "colon"))
        assert gut == pytest.approx(row["gut_mmol"], rel=1e-14)
        assert initial["si_diet"] > 0 and initial["colon_diet"] > 0
        assert all(initial[name] == 0.0 for name in ("urine_cum", "feces_cum", "sweat_cum"))
        assert initial["thiazide_effect"] == (1.0 if subject.diuretic == "thiazide" else 0.0)
        assert math.isfinite(sum(initial.values()))
