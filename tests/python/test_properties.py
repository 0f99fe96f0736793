"""Property-based tests (hypothesis): random valid regimens and subjects.

Properties:
- physical invariants: mass balance (mass_balance_rel_error <= 1e-9), no amount
  or concentration below -1e-10 in to_frame()/baseline_frame(), serum finite and > 0;
- more oral supplement never gives less absorbed supplement (all oral doses x k > 1);
- the output grid does not change the solution at shared times (<= 1e-7 relative);
- identical results on repeat.

Examples per property: see ``EXAMPLES``; the last test checks that every property run in the
session was tried on all of them (and prints the counts).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import magpk

FORMS = magpk.form_ids()
EXAMPLES: dict[str, int] = {
    "invariants": 800,
    "dose_monotonicity": 300,
    "grid_independence": 400,
    "repeatability": 200,
}
RUN: dict[str, int] = {k: 0 for k in EXAMPLES}
#: The test of each property (it counts its examples in RUN).
PROPERTY_TESTS = {
    "invariants": "test_physical_invariants",
    "dose_monotonicity": "test_more_oral_dose_never_absorbs_less",
    "grid_independence": "test_output_grid_does_not_change_the_solution",
    "repeatability": "test_identical_on_repeat",
}


def _settings(name: str):
    return settings(max_examples=EXAMPLES[name], deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------
@st.composite
def subjects(draw) -> magpk.Subject:
    sex = draw(st.sampled_from(["female", "male"]))
    return magpk.Subject(
        weight_kg=draw(st.floats(35, 200)), sex=sex, age_years=draw(st.floats(18, 100)),
        egfr_ml_min=draw(st.floats(5, 200)), diet_mg_per_day=draw(st.floats(20, 1500)),
        pregnant=draw(st.booleans()) if sex == "female" else False, ppi=draw(st.booleans()),
        diuretic=draw(st.sampled_from([None, "loop", "thiazide"])),
        height_cm=draw(st.one_of(st.none(), st.floats(140, 200))))


@st.composite
def schedules(draw, t_end: float, oral: bool = False):
    """Keyword arguments for one dose, a short repeat (count or, oral, days) or
    (oral) a list of times; times up to 1.2 t_end."""
    start = draw(st.floats(0, 1.2 * t_end))
    kind = draw(st.sampled_from(["single", "repeat", "days", "list"] if oral else
                                ["single", "repeat"]))
    if kind == "single":
        return {"start_h": start}
    if kind == "repeat":
        return {"start_h": start, "every_h": draw(st.floats(0.25, 48)),
                "count": draw(st.integers(1, 12))}
    if kind == "days":
        return {"start_h": start, "every_h": draw(st.floats(4, 48)),
                "days": draw(st.floats(0.1, 3))}
    return {"times_h": draw(st.lists(st.floats(0, 1.2 * t_end), min_size=1, max_size=8))}


@st.composite
def regimens(draw, t_end: float, need_oral: bool = False) -> magpk.Regimen:
    r = magpk.Regimen()
    n_ops = draw(st.integers(1 if need_oral else 0, 5))
    kinds = ["oral", "iv_bolus", "iv_infusion", "im", "diet"]
    ops = draw(st.lists(st.sampled_from(kinds), min_size=n_ops, max_size=n_ops))
    if need_oral:
        ops = ["oral", *ops]
    for op in ops:
        if op == "oral":
            r = r.oral(draw(st.sampled_from(FORMS)), draw(st.floats(1, 2000)),
                       basis=draw(st.sampled_from(["elemental", "compound"])),
                       with_food=draw(st.booleans()), **draw(schedules(t_end, oral=True)))
        elif op in ("iv_bolus", "im"):
            r = getattr(r, op)(mgso4_g=draw(st.floats(0.1, 10)), **draw(schedules(t_end)))
        elif op == "iv_infusion":
            r = r.iv_infusion(mgso4_g=draw(st.floats(0.1, 20)),
                              duration_h=draw(st.floats(0.05, 30)), **draw(schedules(t_end)))
        else:
            r = r.diet(draw(st.floats(0, 3000)), start_h=draw(st.floats(0, 1.2 * t_end)))
    return r


@st.composite
def cases(draw, need_oral: bool = False):
    t_end = draw(st.floats(2, 24 * 10))
    return draw(regimens(t_end, need_oral)), draw(subjects()), t_end


# --------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------
@_settings("invariants")
@given(cases(), st.sampled_from([0.25, 1.0, 3.0]))
def test_physical_invariants(case, every):
    RUN["invariants"] += 1
    regimen, subject, t_end = case
    res = magpk.simulate(regimen, subject, t_end_h=t_end, output_every_h=every)
    m = res.metrics()
    assert m["mass_balance_rel_error"] <= 1e-9
    for frame in (res.to_frame(), res.baseline_frame()):
        values = frame.to_numpy()
        assert np.all(np.isfinite(values))
        # numerical zero: no amount below -1e-10 mmol (1e-4 of the absolute tolerance)
        assert frame.drop(columns="time_h").to_numpy().min() >= -1e-10
        assert np.all(frame["serum_mmol_l"] > 0)
    for key, value in m.items():
        assert value is None or np.isfinite(value), key
    assert 0.0 <= m["diarrhea_probability"] <= 1.0


@_settings("dose_monotonicity")
@given(cases(need_oral=True), st.floats(1.01, 10.0))
def test_more_oral_dose_never_absorbs_less(case, k):
    RUN["dose_monotonicity"] += 1
    regimen, subject, t_end = case
    scaled = dataclasses.replace(regimen, oral_events=tuple(
        dataclasses.replace(e, elemental_mmol=e.elemental_mmol * k) for e in regimen.oral_events))
    tight = dict(rtol=1e-10, atol=1e-12, atol_gut=1e-12)
    a = magpk.simulate(regimen, subject, t_end_h=t_end, **tight).metrics()
    b = magpk.simulate(scaled, subject, t_end_h=t_end, **tight).metrics()
    assert b["oral_supplement_mmol"] == pytest.approx(k * a["oral_supplement_mmol"], rel=1e-12)
    assert b["absorbed_supplement_mmol"] >= a["absorbed_supplement_mmol"] * (1 - 1e-9) - 1e-12


@_settings("grid_independence")
@given(cases(), st.floats(0.1, 5.0), st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_output_grid_does_not_change_the_solution(case, every, fractions):
    RUN["grid_independence"] += 1
    regimen, subject, t_end = case
    a = magpk.simulate(regimen, subject, t_end_h=t_end, output_every_h=every)
    grid_a = a.to_frame()["time_h"].to_numpy()
    # explicit times: some of grid a's times plus arbitrary other times
    picked = grid_a[::3]
    times = np.concatenate([picked, np.asarray(fractions) * t_end])
    b = magpk.simulate(regimen, subject, t_end_h=t_end, output_times_h=times)
    fa, fb = a.to_frame(), b.to_frame()
    shared = np.intersect1d(fa["time_h"], fb["time_h"])
    assert len(shared) >= 2
    va = fa.set_index("time_h").loc[shared].to_numpy()
    vb = fb.set_index("time_h").loc[shared].to_numpy()
    rel = np.abs(va - vb) / np.maximum(np.abs(va), 1e-9)
    assert rel.max() <= 1e-7, fa.columns[1:][np.argmax(rel.max(axis=0))]
    ma, mb = a.metrics(), b.metrics()
    for key in ("cmax_mmol_l", "absorbed_supplement_mmol"):
        if ma[key] is not None:
            assert mb[key] == pytest.approx(ma[key], rel=1e-7, abs=1e-12), key


@_settings("repeatability")
@given(cases())
def test_identical_on_repeat(case):
    RUN["repeatability"] += 1
    regimen, subject, t_end = case
    a = magpk.simulate(regimen, subject, t_end_h=t_end, output_every_h=0.5)
    b = magpk.simulate(regimen, subject, t_end_h=t_end, output_every_h=0.5)
    np.testing.assert_array_equal(a.to_frame().to_numpy(), b.to_frame().to_numpy())
    np.testing.assert_array_equal(a.baseline_frame().to_numpy(), b.baseline_frame().to_numpy())
    assert a.metrics() == b.metrics()


def test_im_depot_never_negative_at_default_tolerances():
    """A decaying depot is not stepped over: it stays >= -1e-10 mmol long after it empties."""
    res = magpk.simulate(magpk.Regimen().im(mgso4_g=5), t_end_h=200, output_every_h=0.25)
    assert res.to_frame()["im_depot_mmol"].min() >= -1e-10


def test_every_property_ran_all_its_examples(request, capsys):
    """Each property test that ran before this one in the session was tried on its
    ``max_examples`` random cases: hypothesis stops early, without failing, when a strategy
    runs out of distinct or valid cases, and a property would then rest on fewer."""
    session = request.session.items
    ran = {item.name.partition("[")[0] for item in session[:session.index(request.node)]}
    with capsys.disabled():
        print(f"\n[test_properties] examples run per property: {RUN} (max_examples {EXAMPLES})")
    assert set(PROPERTY_TESTS) == set(EXAMPLES)
    for name, test in PROPERTY_TESTS.items():
        if test in ran:
            assert RUN[name] >= EXAMPLES[name], (
                f"{test} was tried on {RUN[name]} of {EXAMPLES[name]} examples")
