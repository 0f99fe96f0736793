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
    "depletion_serum_day90": "obligatory losses are small (endogenous faecal Mg 'insignificant' "
                             "after IV 28Mg, Silver 1960; sweat ~4 mg/day): ~0.3 mmol/day cannot "
                             "lower serum to 1/3-1/4 of control in 90 days (model 0.77); the "
                             "two tube-fed men of that study likely had other losses",
    "depletion_tissue_day90": "the target uses RBC Mg as a tissue proxy; RBC Mg follows plasma "
                              "during erythropoiesis (not modelled), muscle/soft-tissue stores "
                              "fall ~6% in the model",
    "nielsen_store_loss": "stores fall 0.5% over 78 days on 101 mg/day (>= 1%): balance -5 mg/day "
                          "(Nielsen 2007 Magnes Res) is ~0.2 mmol/day, near the model's",
    "iom_no_diarrhea_oxide_576": "MgO 576 mg/day in two fasting doses scores P 0.19 (<= 0.10): "
                                 "the soluble-faecal-Mg risk curve fitted to Bashir 1993 and the "
                                 "MgSO4 study is shallow (log-SD 0.5)",
    "ckd4_oxide": "with tubular adaptation (serum near normal to eGFR 30) 1 g/day MgO at eGFR 20 "
                  "gives 0.98 mmol/L; hypermagnesaemia needs eGFR ~15 or 2 g/day (tested in "
                  "test_physiology_behaviour)",
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
