"""Drug interactions with oral magnesium and a regimen safety check.

- :func:`interactions`: drug interactions with oral magnesium and the dose
  spacing they need; :func:`lookup_drug` and :func:`known_drugs` find a drug by
  generic, brand or class name;
- :func:`check_regimen`: checks a :class:`magpk.Regimen` for a subject against
  the UL (:mod:`magpk.intakes`), drug spacing rules, kidney function and drug
  notes.

The data are copied into this module (with their sources) so the package needs
no external files.

This is a reference aid, not medical advice.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from . import _arguments
from .forms import MG_PER_MMOL, elemental_fraction
from .intakes import IOM_1997_UL_URL, dri_row
from .regimen import MAX_TIME_H, Regimen
from .simulate import check_regimen_and_subject
from .subject import Subject

# --------------------------------------------------------------------------- sources

#: GoodRx, "8 Magnesium Interactions You Should Know About" (seed ref. 47, Table 3).
GOODRX_URL = "https://www.goodrx.com/well-being/supplements-herbs/magnesium-interactions"
#: Health.com, "5 Medications To Not Mix With Magnesium" (seed ref. 8, Table 3 mechanisms).
HEALTH_COM_URL = "https://www.health.com/medications-not-to-mix-with-magnesium-8687830"
#: de Baaij 2015, Magnesium in man (Physiol Rev; seed ref. 1): PPIs and hypomagnesemia.
DE_BAAIJ_URL = "https://journals.physiology.org/doi/abs/10.1152/physrev.00012.2014"
#: Drugs.com interaction monograph levothyroxine + magnesium (separate by >= 4 h).
LEVOTHYROXINE_URL = ("https://www.drugs.com/drug-interactions/"
                     "magnesium-citrate-with-synthroid-1511-0-1463-869.html")
#: Davies & Fraser 1993, Br J Clin Pharmacol: potassium-sparing diuretics tend to
#: raise serum and intracellular Mg.
DAVIES_1993_URL = "https://pmc.ncbi.nlm.nih.gov/articles/PMC1364546"
#: Kieboom 2015 (Rotterdam Study): PPI use and hypomagnesemia, OR 2.00; 7.22 with a loop diuretic.
KIEBOOM_2015_URL = "https://doi.org/10.1053/j.ajkd.2015.05.012"
#: Kieboom 2018 (Rotterdam Study): thiazide OR for hypoMg 3.14; loop diuretics.
KIEBOOM_2018_URL = "https://doi.org/10.1002/pds.4636"
#: Mori 2019: CKD patients on MgO; hypermagnesemia risk with CKD G4 and MgO > 1,000 mg/day.
MORI_2019_URL = "https://doi.org/10.3164/jcbn.18-117"
#: Wakai 2019: inpatients on MgO, 23% with serum Mg >= 2.5 mg/dL.
WAKAI_2019_URL = "https://pmc.ncbi.nlm.nih.gov/articles/PMC6373027"


# ------------------------------------------------------------------- interactions

@dataclass(frozen=True)
class _Interaction:
    drug_class: str
    examples: tuple[str, ...]  # generic names (first ones from the seed), lower case
    brands: tuple[str, ...]
    aliases: tuple[str, ...]  # class names a user may type
    effect: str
    drug_before_mg_h: float  # drug at least this long BEFORE an oral Mg dose
    drug_after_mg_h: float  # drug at least this long AFTER an oral Mg dose
    drug_after_mg_preferred_h: float  # preferred upper end of the "after" range
    kind: str  # "chelation" (spacing) or "mg_status" (note only)
    rule: str
    source: str
    in_seed: bool


_INTERACTIONS: tuple[_Interaction, ...] = (
    _Interaction(
        "tetracyclines", ("doxycycline", "minocycline", "tetracycline"), (),
        ("tetracycline antibiotics", "tetracyclines"),
        "Mg binds tetracyclines in the gut into poorly absorbed complexes: lower antibiotic "
        "levels, possible treatment failure.",
        2.0, 4.0, 6.0, "chelation",
        "Take the antibiotic at least 2 h before or 4-6 h after the magnesium supplement.",
        GOODRX_URL, True),
    _Interaction(
        "fluoroquinolones", ("ciprofloxacin", "levofloxacin"), ("cipro",),
        ("fluoroquinolone antibiotics", "quinolones", "fluoroquinolones"),
        "Mg chelates fluoroquinolones, impairing their absorption and effectiveness.",
        2.0, 4.0, 6.0, "chelation",
        "Take the antibiotic at least 2 h before or 4-6 h after the magnesium supplement.",
        GOODRX_URL, True),
    _Interaction(
        "bisphosphonates", ("alendronate", "ibandronate"), ("fosamax", "boniva"),
        ("bisphosphonates",),
        "Mg forms insoluble chelates with bisphosphonates, reducing their absorption and "
        "efficacy in osteoporosis.",
        2.0, 2.0, 2.0, "chelation",
        "Take the bisphosphonate at least 2 h before or after any magnesium-containing product.",
        GOODRX_URL, True),
    _Interaction(
        "gabapentin", ("gabapentin",), ("neurontin",), (),
        "Mg can lower gabapentin absorption by up to 20-40%.",
        0.0, 2.0, 2.0, "chelation",
        "Take gabapentin at least 2 h after a magnesium supplement.",
        GOODRX_URL, True),
    _Interaction(
        "levothyroxine", ("levothyroxine",), ("synthroid",), ("thyroid hormone",),
        "Polyvalent cations (Mg antacids/supplements) can bind levothyroxine and reduce its "
        "absorption.",
        4.0, 4.0, 4.0, "chelation",
        "Separate levothyroxine and magnesium by at least 4 h; monitor TSH.",
        LEVOTHYROXINE_URL, False),
    _Interaction(
        "loop diuretics", ("furosemide", "bumetanide", "torsemide"), ("lasix",),
        ("loop diuretic", "loop diuretics"),
        "Increase renal Mg excretion; long-term use can lead to Mg deficiency (population "
        "studies show small or no serum changes with loop diuretics).",
        0.0, 0.0, 0.0, "mg_status",
        "No spacing needed. On long-term therapy, monitor serum Mg and supplement if needed.",
        f"{GOODRX_URL} {KIEBOOM_2018_URL}", True),
    _Interaction(
        "thiazide diuretics", ("hydrochlorothiazide", "chlorthalidone", "indapamide"), ("hctz",),
        ("thiazide", "thiazides", "thiazide diuretic", "thiazide diuretics"),
        "Increase renal Mg excretion; thiazide users have ~3x the odds of hypomagnesemia "
        "(Rotterdam Study).",
        0.0, 0.0, 0.0, "mg_status",
        "No spacing needed. On long-term therapy, monitor serum Mg and supplement if needed.",
        f"{GOODRX_URL} {KIEBOOM_2018_URL}", True),
    _Interaction(
        "potassium-sparing diuretics", ("spironolactone", "amiloride", "eplerenone",
                                        "triamterene"), ("aldactone",),
        ("potassium-sparing diuretic", "potassium-sparing diuretics"),
        "Tend to increase serum and intracellular Mg (less renal Mg excretion): added risk of "
        "hypermagnesemia with supplements, especially with reduced kidney function.",
        0.0, 0.0, 0.0, "mg_status",
        "No spacing needed. Avoid high supplemental doses; monitor serum Mg if kidney function "
        "is reduced.",
        DAVIES_1993_URL, False),
    _Interaction(
        "proton pump inhibitors", ("omeprazole", "esomeprazole", "lansoprazole", "pantoprazole",
                                   "rabeprazole"), ("prilosec", "nexium"),
        ("ppi", "ppis", "proton pump inhibitor", "proton pump inhibitors"),
        "Long-term use (typically > 1 year) impairs intestinal Mg absorption and can cause "
        "hypomagnesemia (odds ratio ~2; ~7 together with a loop diuretic).",
        0.0, 0.0, 0.0, "mg_status",
        "No spacing needed. Monitor serum Mg periodically on long-term PPI therapy; "
        "supplementation may be required.",
        f"{DE_BAAIJ_URL} {KIEBOOM_2015_URL}", True),
)


def interactions() -> pd.DataFrame:
    """Drug interactions with oral magnesium (project seed Table 3, plus
    levothyroxine and potassium-sparing diuretics).

    Columns: ``drug_class``; ``examples`` (generic names; brand names in
    ``brands``); ``kind`` (``"chelation"``: Mg lowers the drug's absorption,
    doses must be spaced; ``"mg_status"``: the drug changes Mg balance, no
    spacing); ``effect``; ``drug_before_mg_h`` (take the drug at least this
    many hours **before** an oral Mg dose; 0 = no constraint);
    ``drug_after_mg_h`` (at least this many hours **after** an oral Mg dose)
    and ``drug_after_mg_preferred_h`` (the upper end of a range such as
    "4-6 h"); ``rule`` (the recommendation as text); ``source`` (URL(s),
    space-separated); ``in_seed`` (listed in the seed's Table 3).
    """
    rows = [{
        "drug_class": i.drug_class, "examples": ", ".join(i.examples),
        "brands": ", ".join(b.capitalize() if b != "hctz" else "HCTZ" for b in i.brands),
        "kind": i.kind, "effect": i.effect, "drug_before_mg_h": i.drug_before_mg_h,
        "drug_after_mg_h": i.drug_after_mg_h,
        "drug_after_mg_preferred_h": i.drug_after_mg_preferred_h, "rule": i.rule,
        "source": i.source, "in_seed": i.in_seed,
    } for i in _INTERACTIONS]
    return pd.DataFrame(rows)


def _drug_index() -> dict[str, _Interaction]:
    index: dict[str, _Interaction] = {}
    for interaction in _INTERACTIONS:
        for name in (interaction.drug_class, *interaction.examples, *interaction.brands,
                     *interaction.aliases):
            index[name.lower()] = interaction
    return index


def known_drugs() -> list[str]:
    """Every drug, brand and class name :func:`check_regimen` recognizes."""
    return sorted(_drug_index())


def lookup_drug(name: Any) -> dict[str, Any]:
    """The :func:`interactions` row (as a dict) for a drug, brand or class name.

    Raises ``ValueError`` naming the closest known names for an unknown drug.
    """
    if not isinstance(name, str):
        raise TypeError(f"drug={name!r}: expected a drug name such as 'doxycycline'")
    key = " ".join(name.strip().lower().replace("_", " ").split())
    index = _drug_index()
    if key not in index:
        names = list(index)
        close = [n for n in names if key and n.startswith(key)][:3]
        # Suggest only names that are really close (a typo), not any drug.
        close += [n for n in difflib.get_close_matches(key, names, n=3, cutoff=0.8)
                  if n not in close]
        close = close[:3]
        hint = (f"did you mean {', '.join(map(repr, close))}? " if close
                else "it is not among the drugs with a listed magnesium interaction. ")
        raise ValueError(f"drug={name!r}: unknown drug; {hint}Known classes: "
                         f"{', '.join(i.drug_class for i in _INTERACTIONS)} "
                         f"(see magpk.safety.known_drugs())")
    row = cast("dict[str, Any]",  # the keys are the table's column names
               interactions().set_index("drug_class").loc[index[key].drug_class].to_dict())
    row["drug_class"] = index[key].drug_class
    return row


# ------------------------------------------------------------------- check_regimen

#: Severity levels of findings, most serious first.
SEVERITIES = ("high", "warning", "caution", "info")
_LIFE_STAGES = (None, "pregnancy", "lactation")
_COLUMNS = ["severity", "kind", "day", "time_h", "drug", "message", "rule", "source"]


@dataclass(frozen=True)
class RegimenCheck:
    """The findings of :func:`check_regimen`.

    ``findings``: DataFrame with columns ``severity`` (high, warning, caution,
    info), ``kind`` (``ul``, ``spacing``, ``spacing_ok`` (a checked drug whose
    spacing is fine), ``renal``, ``drug_note``, ``rda``, ``parenteral``), ``day``
    (1-based calendar day, or NaN), ``time_h`` (the Mg dose time, or NaN), ``drug``,
    ``message``, ``rule`` and ``source``.
    ``daily_intake``: supplemental oral elemental Mg per day vs the UL.
    """

    findings: pd.DataFrame
    daily_intake: pd.DataFrame
    ul_mg_per_day: float
    rda_mg_per_day: float

    @property
    def ok(self) -> bool:
        """True when no finding is ``high`` or ``warning``."""
        return not self.findings["severity"].isin(["high", "warning"]).any()

    def __len__(self) -> int:
        return len(self.findings)

    def count(self, severity: str | None = None, kind: str | None = None) -> int:
        """Number of findings, optionally of one severity and/or kind."""
        mask = pd.Series(True, index=self.findings.index)
        if severity is not None:
            mask &= self.findings["severity"] == _arguments.choice("severity", severity,
                                                                   SEVERITIES)
        if kind is not None:
            mask &= self.findings["kind"] == kind
        return int(mask.sum())

    def __str__(self) -> str:
        if self.findings.empty:
            return (f"magpk regimen check: no findings (UL {self.ul_mg_per_day:g} mg/day "
                    f"supplemental).")
        counts = ", ".join(f"{self.count(s)} {s}" for s in SEVERITIES if self.count(s))
        lines = [f"magpk regimen check: {len(self)} finding(s) ({counts}); UL "
                 f"{self.ul_mg_per_day:g} mg/day supplemental, RDA {self.rda_mg_per_day:g} "
                 f"mg/day total"]
        # Repeated spacing findings (one per dose) are shown as one group per drug
        # and severity: the first, the count and the last (findings keeps them all).
        rows: list[Any] = list(self.findings.itertuples(index=False))  # namedtuples
        shown = set()
        for i, row in enumerate(rows):
            if i in shown:
                continue
            group = [i]
            if row.kind == "spacing":
                group = [j for j, other in enumerate(rows)
                         if other.kind == "spacing" and other.drug == row.drug
                         and other.severity == row.severity]
            shown.update(group)
            if len(group) > 2:
                days = [rows[j].day for j in group]
                lines.append(f"  [{row.severity}] {row.kind}: {len(group)} doses of oral Mg too "
                             f"close to {row.drug} (days {min(days):.0f}-{max(days):.0f}); first: "
                             f"{row.message}")
                lines.append(f"      ... last: {rows[group[-1]].message}")
            else:
                for j in group:
                    lines.append(f"  [{rows[j].severity}] {rows[j].kind}: {rows[j].message}")
            if row.rule:
                lines.append(f"      rule: {row.rule}")
            if row.source:
                lines.append(f"      source: {row.source}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def _finding(severity: str, kind: str, message: str, rule: str = "", source: str = "",
             day: int | None = None, time_h: float | None = None,
             drug: str = "") -> dict[str, Any]:
    return {"severity": severity, "kind": kind, "day": math.nan if day is None else day,
            "time_h": math.nan if time_h is None else time_h, "drug": drug,
            "message": message, "rule": rule, "source": source}


def _drug_doses(drugs: Any, repeat_daily: bool, n_days: int
                ) -> list[tuple[str, dict[str, Any], list[float]]]:
    if drugs is None:
        return []
    if isinstance(drugs, Mapping):
        items = list(drugs.items())
    elif isinstance(drugs, (str, bytes)) or not hasattr(drugs, "__iter__"):
        raise TypeError(f"drugs={drugs!r}: expected a list of (name, times_h) pairs, e.g. "
                        f"[('doxycycline', [8, 20])]")
    else:
        items = []
        for item in drugs:
            if isinstance(item, (str, bytes)) or not hasattr(item, "__len__") or len(item) != 2:
                raise TypeError(f"drugs entry {item!r}: expected a (name, times_h) pair, e.g. "
                                f"('doxycycline', [8, 20])")
            items.append((item[0], item[1]))
    result = []
    for name, times in items:
        info = lookup_drug(name)
        if isinstance(times, (int, float)) and not isinstance(times, bool):
            times = [times]
        if isinstance(times, (str, bytes)) or not hasattr(times, "__iter__"):
            raise TypeError(f"drugs[{name!r}] times={times!r}: expected a list of hours")
        maximum = 24.0 if repeat_daily else MAX_TIME_H
        hours = [_arguments.real(f"drugs[{name!r}] time", t, minimum=0.0, maximum=maximum,
                                 allowed=("allowed: hours of the day, 0 to < 24 "
                                           "(repeat_daily=True)") if repeat_daily
                                 else "allowed: >= 0 h") for t in times]
        if repeat_daily:
            if any(h >= 24.0 for h in hours):
                raise ValueError(f"drugs[{name!r}] times={list(times)!r}: with repeat_daily=True "
                                 f"times are hours of the day, allowed 0 to < 24")
            hours = [d * 24.0 + h for d in range(n_days) for h in hours]
        result.append((str(name), info, sorted(hours)))
    return result


def _spacing_findings(oral_times: Sequence[float], drug_name: str, info: dict[str, Any],
                      drug_times: Sequence[float]) -> list[dict[str, Any]]:
    before = info["drug_before_mg_h"]
    after = info["drug_after_mg_h"]
    preferred = info["drug_after_mg_preferred_h"]
    findings = []
    for tm in oral_times:
        for td in drug_times:
            gap = td - tm  # > 0: drug after Mg
            day = int(tm // 24) + 1
            where = f"oral Mg at {tm:g} h (day {day}) and {drug_name} at {td:g} h"
            if gap >= 0 and (gap < after or (gap == 0 and before > 0)):
                need = (f"at least {after:g} h after" if after > 0
                        else f"at least {before:g} h before")
                findings.append(_finding(
                    "warning", "spacing",
                    f"{where}: {drug_name} {gap:g} h after magnesium; {info['drug_class']}: take "
                    f"{need} magnesium", info["rule"], info["source"], day, tm, drug_name))
            elif gap < 0 and -gap < before:
                findings.append(_finding(
                    "warning", "spacing",
                    f"{where}: {drug_name} only {-gap:g} h before magnesium; "
                    f"{info['drug_class']}: take at least {before:g} h before magnesium",
                    info["rule"], info["source"], day, tm, drug_name))
            elif gap > 0 and after <= gap < preferred:
                findings.append(_finding(
                    "info", "spacing",
                    f"{where}: {drug_name} {gap:g} h after magnesium, within the "
                    f"{after:g}-{preferred:g} h range; {preferred:g} h is safer",
                    info["rule"], info["source"], day, tm, drug_name))
    return findings


def check_regimen(regimen: Regimen, subject: Subject | None = None,
                  drugs: (Iterable[tuple[str, Sequence[float]]] | Mapping[str, Sequence[float]]
                          | None) = None,
                  life_stage: str | None = None, *, repeat_daily: bool = True
                  ) -> RegimenCheck:
    """Check an oral regimen against the UL, drug spacing rules and kidney function.

    Parameters
    ----------
    regimen
        the :class:`magpk.Regimen`; its oral supplement doses
        (``regimen.oral_events``) are checked.
    subject
        the :class:`magpk.Subject` (sex, age, eGFR, pregnancy, PPI,
        diuretic); a default adult if omitted.
    drugs
        other medicines, as ``[(name, times_h), ...]`` or
        ``{name: times_h}``. Names are generic, brand or class names (see
        :func:`known_drugs`); unknown names raise ``ValueError`` with the
        closest known names.
    life_stage
        ``None`` (from ``subject``: pregnancy if
        ``subject.pregnant``), ``"pregnancy"`` or ``"lactation"``.
    repeat_daily
        if True (default) drug times are hours of the day (0 to
        < 24) repeated on every day of the regimen (and the day after the last
        Mg dose); if False they are absolute hours from t = 0, like the
        regimen's times.

    Notes
    -----
    Findings (see :class:`RegimenCheck`):

    - ``ul``: supplemental elemental Mg (oral supplement doses summed per
      calendar day, day 1 = [0, 24) h) above the UL for the subject's life
      stage (350 mg/day for ages >= 9, including pregnancy and lactation; food
      does not count);
    - ``spacing``: each oral Mg dose closer to a dose of an interacting drug
      than its rule allows (``warning``), or within the lower part of a range
      such as "4-6 h after" (``info``);
    - ``renal``: eGFR < 30 mL/min (``high``: avoid supplements unless
      prescribed and serum Mg monitored) or 30-59 (``caution``: monitor);
    - ``drug_note``: diuretics, PPIs and potassium-sparing diuretics (from
      ``drugs`` or the subject's ``ppi``/``diuretic``);
    - ``rda``: diet plus mean supplemental intake vs the RDA (``info``);
    - ``parenteral``: IV/IM doses are not counted against the UL (``info``).
    """
    subject = check_regimen_and_subject(regimen, subject)
    _arguments.choice("life_stage", life_stage, _LIFE_STAGES)
    _arguments.boolean("repeat_daily", repeat_daily)
    if life_stage is None and subject.pregnant:
        life_stage = "pregnancy"
    if life_stage is not None and subject.sex != "female":
        raise ValueError(f"life_stage={life_stage!r} with sex={subject.sex!r}: requires a "
                         f"female subject")
    dri = dri_row(subject.sex, subject.age_years, life_stage)
    ul = float(dri["ul_supplemental_mg_per_day"])
    rda = float(dri["rda_mg_per_day"])

    oral = sorted(regimen.oral_events, key=lambda e: e.time_h)
    oral_times = [e.time_h for e in oral]
    n_days = int(oral_times[-1] // 24) + 2 if oral else 1
    per_day = _mg_per_day(oral)
    daily = pd.DataFrame({"day": list(per_day), "supplemental_mg": list(per_day.values())})
    daily["ul_mg"] = ul
    daily["above_ul"] = daily["supplemental_mg"] > ul + 1e-9

    findings = _ul_findings(daily, dri)
    drug_findings, noted = _drug_findings(drugs, subject, oral_times, repeat_daily, n_days)
    findings += drug_findings
    if oral:
        findings += _renal_findings(cast(float, subject.egfr_ml_min),  # set by Subject
                                    _mg_per_day(oral, form="oxide"), noted)
    findings += _context_findings(regimen, subject, per_day, dri)
    return RegimenCheck(_sorted_findings(findings), daily, ul, rda)


def _stage_text(dri: pd.Series) -> str:
    return f"{dri['life_stage']}, {dri['sex']}, {dri['age']}"


def _mg_per_day(oral: Sequence[Any], form: str | None = None) -> dict[int, float]:
    """Elemental mg of oral supplement per calendar day (day 1 = [0, 24) h), of one form
    or all."""
    per_day: dict[int, float] = {}
    for event in oral:
        if form is None or event.form == form:
            day = int(event.time_h // 24) + 1
            per_day[day] = per_day.get(day, 0.0) + event.elemental_mmol * MG_PER_MMOL
    return per_day


def _ul_findings(daily: pd.DataFrame, dri: pd.Series) -> list[dict[str, Any]]:
    """One warning per run of consecutive days above the UL."""
    ul = float(dri["ul_supplemental_mg_per_day"])
    rule = (f"UL {ul:g} mg/day elemental Mg from supplements and drugs ({_stage_text(dri)}); "
            f"food does not count")
    source = f"{dri['source']} {IOM_1997_UL_URL}"
    runs: list[list[int]] = []
    for day in daily.loc[daily["above_ul"], "day"]:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    findings = []
    for run in runs:
        amounts = daily.set_index("day").loc[run, "supplemental_mg"]
        days = f"day {run[0]}" if len(run) == 1 else f"days {run[0]}-{run[-1]}"
        amount = (f"{amounts.max():.0f} mg" if amounts.min() == amounts.max()
                  else f"{amounts.min():.0f}-{amounts.max():.0f} mg")
        findings.append(_finding(
            "warning", "ul",
            f"{days}: {amount} supplemental elemental Mg per day exceeds the UL of {ul:g} "
            f"mg/day (osmotic diarrhea risk); doses above the UL only under medical "
            f"supervision", rule, source, run[0], None))
    return findings


def _drug_findings(drugs: Any, subject: Subject, oral_times: Sequence[float],
                   repeat_daily: bool, n_days: int) -> tuple[list[dict[str, Any]], set[str]]:
    """Spacing of chelating drugs, and notes on drugs that change Mg status (from
    ``drugs`` and the subject's flags); also the drug classes noted."""
    findings: list[dict[str, Any]] = []
    noted: set[str] = set()
    for name, info, times in _drug_doses(drugs, repeat_daily, n_days):
        if info["kind"] == "chelation":
            spacing = _spacing_findings(oral_times, name, info, times)
            findings.extend(spacing)
            if not spacing and oral_times and times:
                gap = min(abs(td - tm) for tm in oral_times for td in times)
                findings.append(_finding(
                    "info", "spacing_ok",
                    f"{name} ({info['drug_class']}): checked, spacing fine — every dose is at "
                    f"least {gap:g} h from the oral magnesium", info["rule"], info["source"],
                    drug=name))
        elif info["drug_class"] not in noted:
            noted.add(info["drug_class"])
            findings.append(_finding("info", "drug_note", f"{name} ({info['drug_class']}): "
                                     f"{info['effect']}", info["rule"], info["source"],
                                     drug=name))
    flags = [(subject.ppi, "proton pump inhibitors", "subject.ppi=True"),
             (subject.diuretic == "loop", "loop diuretics", "subject.diuretic='loop'"),
             (subject.diuretic == "thiazide", "thiazide diuretics",
              "subject.diuretic='thiazide'")]
    for flagged, drug_class, origin in flags:
        if flagged and drug_class not in noted:
            noted.add(drug_class)
            info = lookup_drug(drug_class)
            findings.append(_finding("info", "drug_note", f"{origin} ({drug_class}): "
                                     f"{info['effect']}", info["rule"], info["source"],
                                     drug=drug_class))
    return findings, noted


def _renal_findings(egfr: float, oxide_per_day: Mapping[int, float],
                    noted: set[str]) -> list[dict[str, Any]]:
    """Kidney function: avoid below eGFR 30, monitor at 30-59 (Mori 2019, Wakai 2019)."""
    if egfr >= 60:
        return []
    source = f"{MORI_2019_URL} {WAKAI_2019_URL}"
    extra = ""
    if oxide_per_day:
        mgo_mg = max(oxide_per_day.values()) / elemental_fraction("oxide")  # as MgO compound
        extra = (f"; up to {mgo_mg:.0f} mg/day MgO" +
                 (" (> 1,000 mg/day: a risk factor in Mori 2019)" if mgo_mg > 1000 else ""))
    if egfr < 30:
        findings = [_finding(
            "high", "renal",
            f"eGFR {egfr:g} mL/min (CKD G4-5): avoid magnesium supplements unless prescribed, "
            f"with serum Mg monitoring; the kidneys cannot excrete the excess "
            f"(hypermagnesemia){extra}",
            "eGFR < 30 mL/min: avoid or use only under medical supervision; 30-59: monitor "
            "serum Mg. In CKD patients on MgO, 5-23% had serum Mg >= 2.5-3.0 mg/dL; risk "
            "factors CKD G4 and MgO > 1,000 mg/day", source)]
    else:
        findings = [_finding(
            "caution", "renal",
            f"eGFR {egfr:g} mL/min (CKD G3): monitor serum Mg during supplementation{extra}",
            "eGFR 30-59 mL/min: monitor serum Mg; < 30: avoid unless prescribed", source)]
    if "potassium-sparing diuretics" in noted:
        info = lookup_drug("potassium-sparing diuretics")
        findings.append(_finding(
            "caution", "renal", f"potassium-sparing diuretic with eGFR {egfr:g} mL/min: "
            f"both reduce renal Mg excretion; monitor serum Mg", info["rule"],
            f"{info['source']} {source}"))
    return findings


def _context_findings(regimen: Regimen, subject: Subject, per_day: Mapping[int, float],
                      dri: pd.Series) -> list[dict[str, Any]]:
    """Context: total intake vs the RDA, and parenteral doses (not counted to the UL)."""
    findings = []
    if per_day:
        days_span = max(per_day)
        mean_supp = sum(per_day.values()) / days_span
        diet = cast(float, subject.diet_mg_per_day)  # set by Subject
        findings.append(_finding(
            "info", "rda",
            f"diet {diet:g} mg/day + supplement {mean_supp:.0f} mg/day "
            f"(mean over {days_span} day(s)) = {diet + mean_supp:.0f} mg/day "
            f"total vs RDA {float(dri['rda_mg_per_day']):g} mg/day ({_stage_text(dri)})",
            "RDA: total intake (food + supplements) meeting the needs of ~97% of healthy people",
            str(dri["source"])))
    if regimen.parenteral_events or regimen.infusion_events:
        findings.append(_finding(
            "info", "parenteral",
            "IV/IM magnesium sulfate is not counted against the UL (clinical dosing); monitor "
            "serum Mg, reflexes and respiration", "", ""))
    return findings


def _sorted_findings(findings: list[dict[str, Any]]) -> pd.DataFrame:
    """Findings by severity, then Mg dose time and kind."""
    frame = pd.DataFrame(findings, columns=_COLUMNS)
    if not frame.empty:
        frame["_rank"] = frame["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
        frame = (frame.sort_values(["_rank", "time_h", "kind"], na_position="first",
                                   kind="stable")
                 .drop(columns="_rank").reset_index(drop=True))
    frame["day"] = frame["day"].astype(float)
    frame["time_h"] = frame["time_h"].astype(float)
    return frame


__all__ = [
    "SEVERITIES",
    "RegimenCheck",
    "check_regimen",
    "interactions",
    "known_drugs",
    "lookup_drug",
]
