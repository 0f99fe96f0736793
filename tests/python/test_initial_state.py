"""simulate(..., initial=previous_result): a run continues from an earlier run's final state."""

from __future__ import annotations

import numpy as np
import pytest

import magpk

SUBJECT = magpk.Subject()
DOSES = magpk.Regimen().oral("oxide", 400, start_h=22.0).oral("citrate", 200, start_h=10.0)


def test_two_halves_equal_one_run() -> None:
    """24 h + 24 h (second half from the first's end) = 48 h, to solver tolerance; an oxide
    dose still dissolving at 24 h carries over in its pool."""
    whole = magpk.simulate(DOSES + magpk.Regimen().oral("oxide", 400, start_h=46.0), SUBJECT,
                           t_end_h=48, output_every_h=24, rtol=1e-10, atol=1e-12, atol_gut=1e-12)
    first = magpk.simulate(DOSES, SUBJECT, t_end_h=24, output_every_h=24, rtol=1e-10,
                           atol=1e-12, atol_gut=1e-12)
    assert first.to_frame()["gut_mmol"].iloc[-1] > 1.0  # oxide still in the gut
    second = magpk.simulate(magpk.Regimen().oral("oxide", 400, start_h=22.0), SUBJECT,
                            t_end_h=24, output_every_h=24, initial=first, rtol=1e-10,
                            atol=1e-12, atol_gut=1e-12)
    a = whole.to_frame().iloc[-1]
    b = second.to_frame().iloc[-1]
    for column in ("serum_mmol_l", "plasma_mmol", "peripheral_mmol", "tissue_mmol", "bone_mmol",
                   "gut_mmol", "colon_supplement_mmol"):
        assert b[column] == pytest.approx(a[column], rel=1e-7, abs=1e-9), column
    # Ledgers restart at zero and add up to the whole run's.
    assert second.to_frame()["urine_cum_mmol"].iloc[0] == 0.0
    total = first.to_frame()["urine_cum_mmol"].iloc[-1] + b["urine_cum_mmol"]
    assert total == pytest.approx(a["urine_cum_mmol"], rel=1e-7)
    assert second.metrics()["mass_balance_rel_error"] < 1e-9


def test_deplete_then_replete() -> None:
    depleted = magpk.simulate(magpk.Regimen().diet(0, start_h=0), SUBJECT, t_end_h=60 * 24,
                              output_every_h=24)
    start = depleted.to_frame().iloc[-1]
    replete = magpk.simulate(magpk.Regimen().oral("citrate", 300, every_h=24, days=60), SUBJECT,
                             t_end_h=60 * 24, output_every_h=24, initial=depleted)
    frame = replete.to_frame()
    assert frame["serum_mmol_l"].iloc[0] == pytest.approx(start["serum_mmol_l"], rel=1e-12)
    assert frame["serum_mmol_l"].iloc[0] < 0.75 < frame["serum_mmol_l"].iloc[-1]
    # Stores refill over weeks, not days.
    gain = frame["tissue_mmol"] + frame["bone_mmol"] - frame["tissue_mmol"].iloc[0] \
        - frame["bone_mmol"].iloc[0]
    assert 0 < gain.iloc[7] < 0.6 * gain.iloc[-1]
    assert replete.metrics()["body_store_change_mmol"] > 0
    # The baseline run starts from the same depleted state (diet back to normal).
    base = replete.baseline_frame()
    assert base["serum_mmol_l"].iloc[0] == pytest.approx(start["serum_mmol_l"], rel=1e-12)
    assert np.all(np.isfinite(frame.to_numpy()))


def test_drug_effect_state_carries_over() -> None:
    on_thiazide = magpk.simulate(magpk.Regimen().drug("thiazide", 0.0), SUBJECT, t_end_h=240)
    after = magpk.simulate(magpk.Regimen(), SUBJECT, t_end_h=24, output_every_h=24,
                           initial=on_thiazide)
    fresh = magpk.simulate(magpk.Regimen(), SUBJECT, t_end_h=24, output_every_h=24)
    # The thiazide effect wears off over days: urine stays above a fresh subject's at first.
    assert after.to_frame()["urine_cum_mmol"].iloc[-1] != pytest.approx(
        fresh.to_frame()["urine_cum_mmol"].iloc[-1], rel=1e-3)


@pytest.mark.parametrize("change", [{"weight_kg": 80.0}, {"sex": "male"}, {"egfr_ml_min": 50.0},
                                    {"age_years": 60.0}])
def test_initial_from_a_different_body_is_refused(change) -> None:
    earlier = magpk.simulate(magpk.Regimen(), SUBJECT, t_end_h=24)
    other = magpk.Subject(**{**SUBJECT.__dict__, **change})
    name = next(iter(change))
    with pytest.raises(ValueError, match=f"different subject: {name}="):
        magpk.simulate(magpk.Regimen(), other, t_end_h=24, initial=earlier)


def test_diet_and_drugs_may_change() -> None:
    earlier = magpk.simulate(magpk.Regimen(), SUBJECT, t_end_h=24)
    other = magpk.Subject(**{**SUBJECT.__dict__, "diet_mg_per_day": 150.0, "ppi": True})
    magpk.simulate(magpk.Regimen(), other, t_end_h=24, initial=earlier)


def test_initial_must_be_a_result() -> None:
    with pytest.raises(TypeError, match=r"initial=.*expected a magpk.Result"):
        magpk.simulate(magpk.Regimen(), SUBJECT, t_end_h=24, initial={"serum": 0.8})
