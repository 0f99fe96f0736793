"""Every calibration and validation target of magpk.validation, within its tolerance.

Targets the model is known to miss are marked xfail (strict: the mark must be
removed when the model starts meeting them); the reasons are in docs/model.md.
"""

from __future__ import annotations

import pytest

from magpk import validation

KNOWN_MISSES = {
    "firoz_others_vs_oxide": "soluble salts reach 1.9x oxide by urinary increment (>= 2x expected): "
                             "part of the absorbed excess goes to stores",
    "lindberg_1990": "first-order MgO dissolution cannot give ~4% daily absorption and ~0 "
                     "urinary rise in the first 4 h at once (needs an acid-dependent lag)",
    "dolberg_f": "F by AUC ratio is capped near 7% by saturable absorption of an 18.5 mmol "
                 "dose; hydroxide dissolution is at its upper bound",
    "iv_half_life": "no fast peripheral (interstitial) compartment: apparent IV half-life ~3.5 h",
    "wilimzig_oral_24": "AUC rise of a 24 mmol oral dose slightly low (2.26% vs >= 2.3%)",
    "depletion_urine_day4": "stores hold serum near the renal threshold for days, so urine falls "
                            "to ~1.7 mmol/day by day 4 rather than < 1",
    "depletion_serum_day90": "endogenous losses at zero intake too small for serum to fall to "
                             "1/3-1/4 of control by 90 days",
}

TARGETS = validation.targets()


@pytest.mark.parametrize(
    "target", [pytest.param(t, id=t.id, marks=[pytest.mark.xfail(reason=KNOWN_MISSES[t.id], strict=True)]
                            if t.id in KNOWN_MISSES else []) for t in TARGETS])
def test_target_within_tolerance(target: validation.Target) -> None:
    value = target.run(None)
    assert target.low <= value <= target.high, (
        f"{target.id}: model {value:.4g} outside [{target.low}, {target.high}]; "
        f"published {target.published} ({target.source})")


def test_every_target_names_its_source() -> None:
    for target in TARGETS:
        assert target.source and target.published
        if target.calibration:
            assert target.goal is not None and target.low <= target.goal <= target.high
