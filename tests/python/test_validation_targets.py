"""Every calibration and validation target of magpk.validation, within its tolerance.

Targets the model is known to miss are marked xfail (strict: the mark must be
removed when the model starts meeting them); the reasons are in docs/model.md.
"""

from __future__ import annotations

import pytest

from magpk import validation

KNOWN_MISSES = {
    "sabatier_2002_meal_ratio": "a dose taken with breakfast shares the saturable carrier with the "
                                "meal's Mg; slower gastric emptying with food does not outweigh "
                                "that competition (ratio 0.84 vs >= 1.05)",
    "sabatier_2011_split": "with meals saturating the carrier through the day, splitting 126 mg "
                           "into 7 portions gains ~1% (>= 5% expected)",
    "firoz_others_vs_oxide": "soluble salts reach 1.7x oxide by urinary increment (>= 2x "
                             "expected): part of the absorbed excess goes to the peripheral pool "
                             "and stores",
    "lindberg_1990": "acid-limited MgO dissolution still gives a 0-4 h urinary rise 1/3 of "
                     "citrate's (1/10 expected): no gastric lag or pH dependence beyond the acid "
                     "capacity",
    "dolberg_f": "Mg(OH)2 F by AUC ratio 0.065 (>= 0.083): the hydroxide's intrinsic dissolution "
                 "sits at its upper bound and the fasting acid capacity limits it",
    "wilimzig_oral_24": "AUC rise of a 24 mmol oral dose slightly low (2.2% vs >= 2.3%)",
    "depletion_serum_day90": "stores follow one Hill uptake relation without obligatory losses: "
                             "serum settles near 0.74 of control instead of 1/3-1/4",
    "depletion_tissue_day90": "same: tissue Mg hardly falls on a Mg-free diet (0.95 of control)",
    "nielsen_store_loss": "same: on 101 mg/day the stores settle within days (0.1% loss)",
    "iom_no_diarrhea_oxide_576": "MgO 576 mg/day in two fasting doses scores P 0.18 (<= 0.10): "
                                 "the soluble-faecal-Mg risk curve fitted to Bashir 1993 and the "
                                 "MgSO4 study is shallow (log-SD 0.5)",
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
