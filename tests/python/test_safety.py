"""Drug interactions with oral magnesium and the regimen check (magpk.safety)."""

import math

import pandas as pd
import pytest

import magpk
from magpk import intakes, safety
from magpk.safety import check_regimen, interactions

# ------------------------------------------------------------------ interactions

def test_interactions_table():
    table = interactions()
    for column in ("drug_class", "examples", "kind", "effect", "drug_before_mg_h",
                   "drug_after_mg_h", "rule", "source", "in_seed"):
        assert column in table.columns
    by_class = table.set_index("drug_class")
    tetra = by_class.loc["tetracyclines"]
    assert "doxycycline" in tetra["examples"]
    assert (tetra["drug_before_mg_h"], tetra["drug_after_mg_h"],
            tetra["drug_after_mg_preferred_h"]) == (2, 4, 6)
    assert "ciprofloxacin" in by_class.loc["fluoroquinolones", "examples"]
    assert "alendronate" in by_class.loc["bisphosphonates", "examples"]
    assert by_class.loc["bisphosphonates", "drug_before_mg_h"] == 2
    assert by_class.loc["levothyroxine", "drug_after_mg_h"] == 4
    for name in ("loop diuretics", "thiazide diuretics", "proton pump inhibitors",
                 "potassium-sparing diuretics"):
        assert by_class.loc[name, "kind"] == "mg_status"
        assert by_class.loc[name, "drug_after_mg_h"] == 0
    assert table["source"].str.startswith("http").all()
    # the seed's Table 3 classes are all present and flagged
    seed = set(table.loc[table["in_seed"], "drug_class"])
    assert {"tetracyclines", "fluoroquinolones", "bisphosphonates", "gabapentin",
            "loop diuretics", "thiazide diuretics", "proton pump inhibitors"} <= seed


def test_lookup_drug_by_generic_brand_and_class():
    assert safety.lookup_drug("Doxycycline")["drug_class"] == "tetracyclines"
    assert safety.lookup_drug("Fosamax")["drug_class"] == "bisphosphonates"
    assert safety.lookup_drug("PPI")["drug_class"] == "proton pump inhibitors"
    assert "ciprofloxacin" in safety.known_drugs()


# ------------------------------------------------------------------ check_regimen

def _daily(mg_per_day, form="glycinate", days=3):
    return magpk.Regimen().oral(form, mg_per_day / 2, every_h=12, days=days)


def test_ul_exceeded_at_400_mg_per_day():
    report = check_regimen(_daily(400), magpk.Subject())
    assert not report.ok
    ul = report.findings[report.findings["kind"] == "ul"]
    assert len(ul) == 1  # one finding for the run of days 1-3
    assert ul.iloc[0]["severity"] == "warning"
    assert "350" in ul.iloc[0]["rule"] and "days 1-3" in ul.iloc[0]["message"]
    assert ul.iloc[0]["source"].startswith("http")
    assert list(report.daily_intake["supplemental_mg"].round(6)) == [400.0] * 3
    assert report.daily_intake["above_ul"].all()


def test_no_ul_finding_at_200_mg_per_day():
    report = check_regimen(_daily(200), magpk.Subject())
    assert report.ok
    assert report.count(kind="ul") == 0
    assert report.count(kind="spacing") == 0
    assert report.count(kind="renal") == 0


def test_ul_counts_calendar_days_from_t0():
    # 3 x 150 mg at 0, 8, 16 h: 450 mg on day 1; a dose at 30 h is day 2.
    regimen = magpk.Regimen().oral("citrate", 150, times_h=[0, 8, 16, 30])
    report = check_regimen(regimen, magpk.Subject())
    daily = report.daily_intake.set_index("day")["supplemental_mg"]
    assert daily[1] == pytest.approx(450) and daily[2] == pytest.approx(150)
    ul = report.findings[report.findings["kind"] == "ul"]
    assert len(ul) == 1 and ul.iloc[0]["day"] == 1


def test_compound_basis_counts_elemental_mg():
    # 2 x 1000 mg magnesium glycinate compound ~ 282 mg elemental: under the UL.
    regimen = magpk.Regimen().oral("glycinate", 1000, basis="compound", every_h=12, count=2)
    assert check_regimen(regimen).count(kind="ul") == 0


def test_pregnancy_uses_pregnancy_rda():
    subject = magpk.Subject(sex="female", age_years=25, pregnant=True)
    report = check_regimen(_daily(200), subject)
    assert report.rda_mg_per_day == 350
    assert report.ul_mg_per_day == 350
    lactation = check_regimen(_daily(200), magpk.Subject(age_years=25), life_stage="lactation")
    assert lactation.rda_mg_per_day == 310
    men = check_regimen(_daily(200), magpk.Subject(sex="male", age_years=40))
    assert men.rda_mg_per_day == 420
    with pytest.raises(ValueError, match="life_stage"):
        check_regimen(_daily(200), magpk.Subject(sex="male"), life_stage="lactation")


def test_doxycycline_one_hour_after_mg_is_flagged():
    regimen = magpk.Regimen().oral("glycinate", 100)  # one dose at t = 0
    report = check_regimen(regimen, magpk.Subject(), drugs=[("doxycycline", [1])],
                           repeat_daily=False)
    spacing = report.findings[report.findings["kind"] == "spacing"]
    assert len(spacing) == 1
    finding = spacing.iloc[0]
    assert finding["severity"] == "warning"
    assert finding["drug"] == "doxycycline"
    assert "4-6 h after" in finding["rule"]
    assert finding["source"] == safety.GOODRX_URL
    assert not report.ok


def test_doxycycline_six_hours_away_is_not_flagged():
    regimen = magpk.Regimen().oral("glycinate", 100)
    for drug_time in (6, 30):
        report = check_regimen(regimen, drugs=[("doxycycline", [drug_time])],
                               repeat_daily=False)
        assert report.count(kind="spacing") == 0, drug_time
    # 2 h before magnesium is allowed, 1 h before is not
    later = magpk.Regimen().oral("glycinate", 100, start_h=10)
    assert check_regimen(later, drugs=[("doxycycline", [8])]).count(kind="spacing") == 0
    assert check_regimen(later, drugs=[("doxycycline", [9])]).count(severity="warning") == 1


def test_spacing_repeats_daily_over_the_regimen():
    # Mg at 0 and 12 h each day; doxycycline at 8 and 20 h: 8 h after / 4 h before: fine.
    regimen = magpk.Regimen().oral("glycinate", 150, every_h=12, days=7)
    fine = check_regimen(regimen, drugs=[("doxycycline", [8, 20])])
    assert fine.count(kind="spacing") == 0
    assert fine.count(kind="spacing_ok") == 1  # the checked drug is reported as fine
    # ciprofloxacin 1 h after each Mg dose: one warning per Mg dose (14)
    report = check_regimen(regimen, drugs={"cipro": [1, 13]})
    assert report.count(kind="spacing", severity="warning") == 14
    # 4-5 h after: allowed but short of the preferred 6 h -> info only
    report = check_regimen(regimen, drugs=[("doxycycline", [4.5])])
    assert report.count(kind="spacing", severity="warning") == 0
    assert report.count(kind="spacing", severity="info") == 7
    with pytest.raises(ValueError, match="hours of the day"):
        check_regimen(regimen, drugs=[("doxycycline", [25])])


def test_renal_findings():
    regimen = _daily(200)
    severe = check_regimen(regimen, magpk.Subject(egfr_ml_min=25))
    renal = severe.findings[severe.findings["kind"] == "renal"]
    assert len(renal) == 1 and renal.iloc[0]["severity"] == "high"
    assert "avoid" in renal.iloc[0]["message"]
    assert safety.MORI_2019_URL in renal.iloc[0]["source"]
    assert safety.WAKAI_2019_URL in renal.iloc[0]["source"]
    assert severe.findings.iloc[0]["severity"] == "high"  # most serious first
    assert not severe.ok
    moderate = check_regimen(regimen, magpk.Subject(egfr_ml_min=45))
    renal = moderate.findings[moderate.findings["kind"] == "renal"]
    assert len(renal) == 1 and renal.iloc[0]["severity"] == "caution"
    assert "monitor" in renal.iloc[0]["message"]
    assert moderate.ok
    assert check_regimen(regimen, magpk.Subject(egfr_ml_min=90)).count(kind="renal") == 0


def test_drug_notes_from_drugs_and_subject():
    regimen = _daily(200)
    report = check_regimen(regimen, magpk.Subject(ppi=True, diuretic="loop"),
                           drugs=[("hydrochlorothiazide", [8])])
    notes = report.findings[report.findings["kind"] == "drug_note"]
    text = " ".join(notes["message"])
    assert "proton pump inhibitors" in text and "loop diuretics" in text
    assert "thiazide diuretics" in text
    assert (notes["severity"] == "info").all()
    assert report.ok


def test_unknown_drug_suggests_closest_names():
    with pytest.raises(ValueError, match="doxycycline"):
        check_regimen(_daily(200), drugs=[("doxycyclin", [8])])
    with pytest.raises(ValueError, match="ciprofloxacin"):
        check_regimen(_daily(200), drugs=[("ciprofloxacine", [8])])
    with pytest.raises(TypeError):
        check_regimen(_daily(200), drugs="doxycycline")


def test_report_shape_and_repr():
    report = check_regimen(_daily(400), magpk.Subject(egfr_ml_min=25),
                           drugs=[("doxycycline", [1])])
    assert list(report.findings.columns) == ["severity", "kind", "day", "time_h", "drug",
                                             "message", "rule", "source"]
    assert set(report.findings["severity"]) <= set(safety.SEVERITIES)
    text = repr(report)
    assert "[high] renal" in text and "[warning] ul" in text and "[warning] spacing" in text
    assert "source: http" in text
    empty = check_regimen(magpk.Regimen().iv_bolus(4))
    assert empty.daily_intake.empty and empty.ok
    assert empty.count(kind="parenteral") == 1
    assert isinstance(empty.findings, pd.DataFrame)
    assert math.isnan(empty.findings.iloc[0]["day"])


def test_exported_from_package():
    for name in ("interactions", "check_regimen"):
        assert getattr(magpk, name) is getattr(safety, name)


def test_magpk_reference_is_a_deprecated_alias():
    """The former module of intakes and safety serves their names with a warning."""
    import magpk.reference

    for name, module in (("rda_ul", intakes), ("rda_mg_per_day", intakes),
                         ("check_regimen", safety), ("RegimenCheck", safety),
                         ("lookup_drug", safety), ("SEVERITIES", safety),
                         ("GOODRX_URL", safety), ("IOM_1997_UL_URL", intakes)):
        with pytest.warns(DeprecationWarning, match=f"use {module.__name__}.{name}"):
            assert getattr(magpk.reference, name) is getattr(module, name)
    with pytest.warns(DeprecationWarning, match="magpk.safety.check_regimen"):
        from magpk.reference import check_regimen as old
    assert old is safety.check_regimen
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        magpk.reference.nothing  # noqa: B018
    assert "check_regimen" in dir(magpk.reference)
