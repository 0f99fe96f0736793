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
                                "that competition (ratio 0.90 vs >= 1.05)",
    "sabatier_2011_split": "with meals saturating the carrier through the day, splitting 126 mg "
                           "into 7 portions gains ~2% (>= 5% expected)",
    "lindberg_1990": "acid-limited MgO dissolution gives a 0-4 h urinary rise 1/5 of citrate's "
                     "(1/10 expected): no gastric lag or pH dependence beyond the acid capacity",
    "salinger_pritchard": "IM (Pritchard) arm deviates 25.2% at most from Salinger's 1-cpt model "
                          "(<= 25%): a two-compartment model with peripheral exchange does not "
                          "follow a one-compartment curve early after each IM dose",
    "brookfield_pe": "Css 2.30 mmol/L on 4 g + 2 g/h in pre-eclampsia (>= 2.37): the peripheral "
                     "pool fitted to healthy men's IV half-life absorbs more than in PE, and the "
                     "PE GFR of 90 mL/min is an assumption",
    "depletion_serum_day90": "obligatory losses are small (endogenous fecal Mg 'insignificant' "
                             "after IV 28Mg, Silver 1960; sweat ~4 mg/day): ~0.3 mmol/day cannot "
                             "lower serum to 1/3-1/4 of control in 90 days (model 0.75); the "
                             "two tube-fed men of that study likely had other losses",
    "depletion_tissue_day90": "the target uses RBC Mg as a tissue proxy; RBC Mg follows plasma "
                              "during erythropoiesis (not modeled), muscle/soft-tissue stores "
                              "fall ~12% in the model",
    "ckd4_oxide": "with tubular adaptation (serum near normal to eGFR 30) 1 g/day MgO at eGFR 20 "
                  "gives 0.97 mmol/L; hypermagnesemia needs eGFR ~15 or 2 g/day (tested in "
                  "test_physiology_behavior)",
}

TARGETS = validation.targets()


@pytest.mark.parametrize(
    "target", [pytest.param(t, id=t.id,
                            marks=[pytest.mark.xfail(reason=KNOWN_MISSES[t.id], strict=True)]
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


def test_validation_needs_only_the_runtime_dependencies() -> None:
    """`import magpk; magpk.validation.evaluate()` works without scipy (not a runtime
    dependency): scipy is blocked in a fresh interpreter."""
    import subprocess
    import sys
    code = ("import sys; sys.modules['scipy'] = None\n"
            "import magpk\n"
            "table = magpk.validation.evaluate(ids=['lu_2002', 'baseline_serum'])\n"
            "assert table['within'].all(), table\n")
    subprocess.run([sys.executable, "-c", code], check=True)
