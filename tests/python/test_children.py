"""Children 1-17 years: covariate ranges, typical GFR and diet, body size, weight-based dosing."""

from __future__ import annotations

import pytest

import magpk
from magpk import _core


def test_children_are_accepted_from_one_year_and_five_kg() -> None:
    child = magpk.Subject(age_years=1, weight_kg=10)
    assert child.diet_mg_per_day == 80.0  # RDA 1-3 y (IOM 1997)
    assert magpk.Subject(age_years=5, weight_kg=18).diet_mg_per_day == 130.0
    assert magpk.Subject(age_years=15, weight_kg=55, sex="male").diet_mg_per_day == 410.0
    assert magpk.Subject().diet_mg_per_day == 300.0 and magpk.Subject().egfr_ml_min == 100.0


def test_typical_gfr_grows_with_size_and_maturation() -> None:
    """Rhodin 2009: weight^0.75 with a sigmoid maturation in post-menstrual age."""
    gfr = [magpk.Subject(age_years=a, weight_kg=w).egfr_ml_min
           for a, w in ((1, 10), (5, 18), (10, 32), (15, 55))]
    assert gfr == sorted(gfr)
    assert gfr[0] == pytest.approx(100 * (10 / 70) ** 0.75 * 0.90, rel=0.02)
    # A given eGFR is used as given.
    assert magpk.Subject(age_years=5, weight_kg=18, egfr_ml_min=20).egfr_ml_min == 20.0


def test_child_baseline_is_normal_and_scales_with_size() -> None:
    results = {}
    for age, weight in ((1, 10), (5, 18), (15, 55)):
        subject = magpk.Subject(age_years=age, weight_kg=weight)
        res = magpk.simulate(magpk.Regimen(), subject, t_end_h=24, output_every_h=24)
        results[age] = res
        assert 0.76 <= res.metrics()["baseline_serum_mmol_l"] <= 0.99  # Ghasemi 2010
    ecf = [results[a]._core.subject.ecf_volume_l / w for a, w in ((1, 10), (5, 18), (15, 55))]
    assert ecf[0] > ecf[1] > ecf[2] > 0.2  # ECF per kg falls with age
    urine = [results[a].to_frame()["urine_cum_mmol"].iloc[-1] for a in (1, 5, 15)]
    assert urine == sorted(urine)


def test_weight_based_iv_mgso4() -> None:
    """Pediatric acute asthma: 50 mg/kg MgSO4 over 20 min, max 2 g."""
    assert magpk.mgso4_g_per_kg(20, 50, max_g=2) == pytest.approx(1.0)
    assert magpk.mgso4_g_per_kg(60, 50, max_g=2) == 2.0
    child = magpk.Subject(age_years=6, weight_kg=20)
    regimen = magpk.Regimen().iv_infusion(mgso4_g=magpk.mgso4_g_per_kg(20, 50, max_g=2),
                                          duration_h=1 / 3)
    res = magpk.simulate(regimen, child, t_end_h=24)
    m = res.metrics()
    # The peak lies between the dose spread over ECF + the fast peripheral pool and the
    # dose in the (age-scaled) ECF alone: distribution and excretion start at once.
    dose, sp = m["parenteral_mmol"], res._core.subject
    base = m["baseline_serum_mmol_l"]
    assert base + dose / (sp.ecf_volume_l + sp.peripheral_volume_l) < m["cmax_mmol_l"]
    assert m["cmax_mmol_l"] < base + dose / sp.ecf_volume_l
    # Most of it leaves in urine within a day (Lu & Nightingale 2000: ~90% in adults).
    assert m["urine_increment_24h_mmol"] > 0.5 * dose


@pytest.mark.parametrize("kwargs, match", [
    ({"age_years": 0.5, "weight_kg": 7}, r"age_years=0.5: out of range \(allowed: 1-110 years"),
    ({"age_years": 5, "weight_kg": 4},
     r"weight_kg=4: out of range \(allowed: 5-250 kg for a child"),
    ({"age_years": 30, "weight_kg": 20}, r"weight_kg=20: out of range \(allowed: 30-250 kg"),
    ({"age_years": 8, "weight_kg": 25, "height_cm": 50}, r"height_cm=50"),
    ({"age_years": 16, "weight_kg": 55, "pregnant": True}, r"pregnancy is modeled for adults"),
])
def test_out_of_range_children_are_named(kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        magpk.Subject(**kwargs)


def test_bad_weight_based_dose_is_named() -> None:
    with pytest.raises(ValueError, match="mg_per_kg=-5"):
        magpk.mgso4_g_per_kg(20, -5)
    with pytest.raises(TypeError, match="weight_kg='20'"):
        magpk.mgso4_g_per_kg("20", 50)


def test_core_owns_the_age_limits() -> None:
    assert _core.MIN_AGE_YEARS == 1.0 and _core.ADULT_AGE_YEARS == 18.0
