"""Regimen presets by indication: the dosing of published trials and product labels.

``magpk.presets()`` lists them; ``magpk.presets("migraine_prophylaxis")`` returns
the :class:`~magpk.Regimen` to simulate. Presets are **evidence summaries, not
medical advice**: each reproduces the regimen a cited trial or label used, so that
its kinetics can be simulated; whether it suits anyone is a clinician's question.

Every dose, interval and duration below comes from the source named in the
preset; where the source leaves something open (the time of day, whether a dose
is elemental Mg), the preset's ``notes`` say what was assumed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, overload

import pandas as pd

from . import _arguments
from .forms import MG_PER_MMOL, check_form, elemental_fraction
from .regimen import MAX_TIME_H, Regimen

#: Shown with every preset table (``attrs["note"]``) and by ``magpk presets``.
NOTE = ("Presets are evidence summaries of published trials and labels, not medical advice: "
        "each reproduces a studied regimen so that it can be simulated.")

#: The ``form`` of the parenteral presets (MgSO4·7H2O injection, IV and/or IM).
PARENTERAL = "mgso4 IV/IM"

#: The evidence scale of ``presets()["evidence_grade"]``: the seed review's "Summary of
#: Evidence by Clinical Indication" categories. (``forms()["evidence_grade"]`` grades what
#: a form's kinetics rest on, not clinical benefit, so it is not reused here.)
EVIDENCE_GRADES = {
    "strong": "meta-analyses or large randomized trials and inclusion in guidelines or labels "
              "(the seed review's 'Strong Evidence')",
    "moderate": "positive randomized trials, more needed, or a conditional guideline "
                "recommendation (the seed review's 'Moderate/Promising Evidence')",
    "weak": "small or poor-quality trials, or a small effect (the seed review's 'Suggestive but "
            "Weak/Poor Quality Evidence')",
    "negative": "conflicting or negative trials (the seed review's 'Conflicting/Negative "
                "Evidence', e.g. idiopathic muscle cramps)",
}

# --- MgSO4·7H2O in pre-eclampsia/eclampsia ------------------------------------------
# UK SmPC, magnesium sulfate 50% injection (https://medicines.org.uk/emc/product/3539/smpc):
# a 4 g IV loading dose, then for 24 h either 1 g/h IV (Zuspan) or 5 g IM into each buttock
# at once and 5 g IM every 4 h (Pritchard). Loading over 20 min: 15-20 min in the regimen
# table of BMC Pregnancy Childbirth 2013 13:34 (doi:10.1186/1471-2393-13-34); the SmPC
# says at least 5 min, preferably 10-15 min.
LOADING_G = 4.0
LOADING_H = 20.0 / 60.0
ZUSPAN_G_PER_H = 1.0
PRITCHARD_IM_LOADING_G = 10.0  # 5 g into each buttock, given as one depot
PRITCHARD_IM_G = 5.0
PRITCHARD_EVERY_H = 4.0
_SMPC = "UK SmPC magnesium sulfate 50% injection, https://medicines.org.uk/emc/product/3539/smpc"
_MAGPIE = ("Magpie Trial 2002 Lancet 359:1877, doi:10.1016/S0140-6736(02)08778-0 (10,141 women "
           "with pre-eclampsia: 58% lower risk of eclampsia than placebo)")
_MAX_DAYS = MAX_TIME_H / 24.0


def _course_days(days: Any) -> float:
    return _arguments.real("days", days, strictly_positive=True, maximum=_MAX_DAYS,
                           allowed=f"allowed: > 0 and <= {_MAX_DAYS:g} days")


def zuspan(days: float = 1.0, *, maintenance_g_per_h: float = ZUSPAN_G_PER_H) -> Regimen:
    """Zuspan regimen: 4 g MgSO4·7H2O IV over 20 min, then ``maintenance_g_per_h``
    (1 g/h) IV for ``days`` (1: the 24 h of the SmPC). ``magpk.validation`` runs the
    same regimen against the Salinger 2013 and Lu 2002 population models."""
    hours = 24.0 * _course_days(days)
    rate = _arguments.real("maintenance_g_per_h", maintenance_g_per_h, strictly_positive=True,
                           maximum=10.0, allowed="allowed: > 0 and <= 10 g/h")
    return (Regimen().iv_infusion(mgso4_g=LOADING_G, start_h=0.0, duration_h=LOADING_H)
            .iv_infusion(mgso4_g=rate * hours, start_h=LOADING_H, duration_h=hours))


def pritchard(days: float = 1.0) -> Regimen:
    """Pritchard regimen: 4 g MgSO4·7H2O IV over 20 min, then 10 g IM (5 g into each
    buttock) and 5 g IM every 4 h for the rest of ``days`` (1: 24 h, five IM doses
    after the first)."""
    hours = 24.0 * _course_days(days)
    regimen = (Regimen().iv_infusion(mgso4_g=LOADING_G, start_h=0.0, duration_h=LOADING_H)
               .im(mgso4_g=PRITCHARD_IM_LOADING_G, start_h=LOADING_H))
    count = math.ceil(hours / PRITCHARD_EVERY_H - 1e-9) - 1  # doses after the loading depot
    if count < 1:
        return regimen
    return regimen.im(mgso4_g=PRITCHARD_IM_G, start_h=LOADING_H + PRITCHARD_EVERY_H,
                      every_h=PRITCHARD_EVERY_H, count=count)


@dataclass(frozen=True)
class Oral:
    """An oral preset's schedule: ``dose_mg`` per intake (``basis`` as in
    :meth:`Regimen.oral`) every ``every_h`` hours from t = 0."""
    dose_mg: float
    every_h: float
    basis: str = "elemental"
    timing: str = ""

    def elemental_mg(self, form: str) -> float:
        factor = elemental_fraction(form) if self.basis == "compound" else 1.0
        return self.dose_mg * factor


@dataclass(frozen=True)
class Preset:
    id: str
    indication: str
    form: str  # a magpk.forms() id, or PARENTERAL
    days: float  # default course length (the trial's or label's duration)
    evidence_grade: str  # a key of EVIDENCE_GRADES
    source: str
    notes: str
    oral: Oral | None = None  # None: parenteral (``parenteral`` builds it)
    parenteral: Callable[[float], Regimen] | None = None

    def regimen(self, days: float) -> Regimen:
        if self.oral is None:
            assert self.parenteral is not None
            return self.parenteral(days)
        return Regimen().oral(self.form, self.oral.dose_mg, every_h=self.oral.every_h,
                              days=days, basis=self.oral.basis)

    def summary(self, days: float | None = None) -> str:
        """The regimen in words, for ``days`` (default: the preset's course length)."""
        days = self.days if days is None else days
        if self.oral is None:
            return f"{_PARENTERAL_SUMMARY[self.id]} for {24 * days:g} h"
        mg = self.oral.elemental_mg(self.form)
        label = (f"{self.oral.dose_mg / 1000:g} g {self.form} compound ({mg:.0f} mg Mg)"
                 if self.oral.basis == "compound" else f"{mg:g} mg Mg")
        return f"{label} every {self.oral.every_h:g} h ({self.oral.timing}) for {days:g} days"


_PARENTERAL_SUMMARY = {
    "eclampsia_zuspan": f"{LOADING_G:g} g MgSO4·7H2O IV over {LOADING_H * 60:.0f} min, then "
                        f"{ZUSPAN_G_PER_H:g} g/h IV",
    "eclampsia_pritchard": f"{LOADING_G:g} g MgSO4·7H2O IV over {LOADING_H * 60:.0f} min + "
                           f"{PRITCHARD_IM_LOADING_G:g} g IM ({PRITCHARD_IM_LOADING_G / 2:g} g "
                           f"each buttock), then {PRITCHARD_IM_G:g} g IM every "
                           f"{PRITCHARD_EVERY_H:g} h",
}


def _records() -> dict[str, Preset]:
    records = [
        Preset("migraine_prophylaxis", "migraine prophylaxis", "citrate", 84.0, "strong",
               "Peikert 1996 Cephalalgia 16:257, doi:10.1046/j.1468-2982.1996.1604257.x, "
               "PMID 8792038: 600 mg (24 mmol) Mg/day as trimagnesium dicitrate, 12 weeks, 81 "
               "patients (attacks -41.6% vs -15.8% on placebo); seed review ref. 34",
               "grade: the seed review's 'Strong Evidence' for migraine prophylaxis (AHS/AAN: "
               "'possibly effective'); once daily in the morning as granules in water: a "
               "secondary description of the trial on an aggregator site, not verified against the "
               "paper (https://compoundlibraries.com/index.php/35-these-results/); the simulated "
               "dose is taken fasting at t = 0",
               oral=Oral(600.0, 24.0, timing="once daily, morning")),
        Preset("insomnia_elderly", "primary insomnia in the elderly", "oxide", 56.0, "moderate",
               "Abbasi 2012 J Res Med Sci 17:1161, PMID 23853635, PMCID PMC3703169: 500 mg "
               "Mg/day, 8 weeks, 46 adults aged 60-75; as 414 mg MgO twice daily: Mah & Pitre "
               "2021 BMC Complement Med Ther, PMC8053283, Table 1",
               "grade: the seed review's 'Moderate/Promising' for sleep; Mah & Pitre 2021 rate "
               "the evidence in older adults low to very low (GRADE); the consumer seed calls "
               "this trial glycinate, but it used MgO; doses 12 h apart assumed",
               oral=Oral(250.0, 12.0, timing="twice daily")),
        Preset("blood_pressure", "elevated blood pressure / stage 1 hypertension, untreated",
               "glycinate", 84.0, "weak",
               "NCT03688503 (Brigham and Women's Hospital), https://clinicaltrials.gov/study/"
               "NCT03688503: 480 mg/day magnesium glycinate, 4 capsules a day (2 morning, 2 "
               "evening), 12 weeks; seed review refs. 43, 45",
               "grade: ODS: supplements lower blood pressure 'to only a small extent' "
               "(https://ods.od.nih.gov/factsheets/Magnesium-Consumer/); the seed review calls "
               "the effect modest and the trial ongoing; 480 mg taken as elemental Mg (the seed "
               "lists it with the 400-600 mg elemental trial doses); doses 12 h apart",
               oral=Oral(240.0, 12.0, timing="morning and evening")),
        Preset("constipation_oxide", "chronic constipation (osmotic laxative)", "oxide", 28.0,
               "moderate",
               "Mori 2019 J Neurogastroenterol Motil 25:563, doi:10.5056/jnm18194, PMID 31587548: "
               "MgO 0.5 g 3 times a day, 28 days, 34 women (overall improvement 70.6% vs 25.0%); "
               "AGA-ACG 2023 guideline, doi:10.1053/j.gastro.2023.03.214",
               "grade: one positive randomized trial and a conditional AGA-ACG recommendation; "
               "the seed review lists oxide as a strong osmotic laxative used for constipation; "
               "0.5 g is MgO compound (elemental Mg from the formula); doses 8 h apart assumed",
               oral=Oral(500.0, 8.0, basis="compound", timing="3 times a day")),
        Preset("eclampsia_zuspan", "pre-eclampsia/eclampsia seizure prophylaxis (IV)",
               PARENTERAL, 1.0, "strong", f"Zuspan regimen: {_SMPC}; {_MAGPIE}",
               "grade: the Magpie trial; continued 24 h after delivery or the last seizure "
               "(SmPC); 1 g/h keeps serum 'well below 2 mmol/L' (Okusanya 2016 BJOG review); "
               "give a pregnant subject (Subject(pregnant=True))", parenteral=zuspan),
        Preset("eclampsia_pritchard", "pre-eclampsia/eclampsia seizure prophylaxis (IM)",
               PARENTERAL, 1.0, "strong", f"Pritchard regimen: {_SMPC}; {_MAGPIE}",
               "grade: the Magpie trial; the two 5 g buttock injections are one 10 g depot; "
               "give a pregnant subject (Subject(pregnant=True))", parenteral=pritchard),
    ]
    for entry in records:  # the table's own consistency: valid forms and grades
        if entry.form != PARENTERAL:
            check_form(entry.form)
        assert entry.evidence_grade in EVIDENCE_GRADES, entry.id
    return {entry.id: entry for entry in records}


_PRESETS = _records()


def preset_ids() -> list[str]:
    """The preset ids, in table order."""
    return list(_PRESETS)


def record(id: str) -> Preset:
    """The preset record ``id``; ValueError naming the allowed ids if unknown."""
    if not isinstance(id, str):
        raise TypeError(f"id={id!r}: expected a preset id string, one of {', '.join(_PRESETS)}")
    if id not in _PRESETS:
        raise ValueError(f"id={id!r}: unknown preset; allowed: {', '.join(_PRESETS)}")
    return _PRESETS[id]


def total_elemental_mg(regimen: Regimen) -> float:
    """All elemental Mg a regimen gives (oral, IV bolus, IM and infusions), mg."""
    mmol = (sum(e.elemental_mmol for e in regimen.oral_events)
            + sum(e.mmol for e in regimen.parenteral_events)
            + sum(e.mmol for e in regimen.infusion_events))
    return mmol * MG_PER_MMOL


@overload
def presets(id: None = None, *, days: None = None) -> pd.DataFrame: ...


@overload
def presets(id: str, *, days: float | None = None) -> Regimen: ...


def presets(id: str | None = None, *,
            days: float | None = None) -> pd.DataFrame | Regimen:
    """Regimen presets by indication, from published trials and labels.

    Presets are evidence summaries, not medical advice.

    ``presets()``: a DataFrame indexed by preset id with ``indication``,
    ``regimen`` (a summary), ``daily_elemental_mg`` (elemental Mg of one day of
    the regimen, built for ``days=1``: the daily dose of the oral presets, the
    first day with its loading doses for the parenteral ones), ``form`` (a
    ``magpk.forms()`` id, or ``"mgso4 IV/IM"``), ``evidence_grade`` (the scale
    in ``attrs["evidence_grades"]``), ``source`` (with DOI/PMID), ``days`` (the
    default course length, from the source) and ``notes`` (the grade's basis
    and what was assumed). ``attrs["note"]`` says that these are not advice.

    ``presets(id, days=None)``: the preset's :class:`Regimen`, ``days`` long
    (default: the ``days`` column), starting at t = 0.
    """
    if id is None:
        if days is not None:
            raise ValueError(f"days={days!r}: applies to one preset; give its id, e.g. "
                             f"presets('{preset_ids()[0]}', days={days!r})")
        return _table()
    chosen = record(id)
    return chosen.regimen(chosen.days if days is None else _course_days(days))


def _table() -> pd.DataFrame:
    rows = [{"preset": r.id, "indication": r.indication, "regimen": r.summary(),
             "daily_elemental_mg": total_elemental_mg(r.regimen(1.0)), "form": r.form,
             "evidence_grade": r.evidence_grade, "source": r.source, "days": r.days,
             "notes": r.notes} for r in _PRESETS.values()]
    table = pd.DataFrame(rows).set_index("preset")
    table.attrs["note"] = NOTE
    table.attrs["evidence_grades"] = dict(EVIDENCE_GRADES)
    return table
