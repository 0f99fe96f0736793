"""Dietary Reference Intakes for magnesium (IOM 1997).

- :func:`rda_ul`: the Estimated Average Requirement (EAR), Recommended Dietary
  Allowance (RDA), Adequate Intake (AI) and Tolerable Upper Intake Level (UL)
  by life stage and sex;
- :func:`rda_mg_per_day`: the RDA of a child or adult (the default diet of a
  :class:`magpk.Subject` under 18).

The regimen check against the UL is :func:`magpk.safety.check_regimen`.

The data are copied into this module (with their sources) so the package needs
no external files. Status codes in ``status``: ``V`` read on the cited page,
``V2`` read on a secondary page quoting the primary source.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

# --------------------------------------------------------------------------- sources

#: IOM Dietary Reference Intakes, the Essential Guide (2006), magnesium chapter:
#: EAR/RDA for every life stage and the UL (values set by IOM 1997).
DRI_URL = "https://nap.nationalacademies.org/skim.php?record_id=11537&chap=340-349"
#: IOM 1997, Dietary Reference Intakes for Ca, P, Mg, vitamin D and fluoride:
#: EAR and RDA for ages 14-18 (page 219).
IOM_1997_ADOLESCENT_URL = "http://books.nap.edu/openbook.php?record_id=5776&page=219"
#: IOM 1997: basis of the UL (diarrhea; LOAEL 360 mg/day MgCl2, Bashir 1993).
IOM_1997_UL_URL = "http://www.nap.edu/openbook.php?record_id=5776&page=244"
#: NIH Office of Dietary Supplements consumer fact sheet (seed ref. 46, Table 2).
ODS_URL = "https://ods.od.nih.gov/factsheets/Magnesium-Consumer/"

# ------------------------------------------------------------------- RDA / EAR / UL

_INF = math.inf
_UL_APPLIES = "supplements and drugs only (not food and water)"

# (life_stage, sex, age_min, age_max, EAR, RDA, AI, UL, source, status)
_DRI_ROWS: tuple[tuple[Any, ...], ...] = (
    ("infants", "both", 0.0, 0.5, None, None, 30, None, DRI_URL, "V2"),
    ("infants", "both", 0.5, 1.0, None, None, 75, None, DRI_URL, "V2"),
    ("children", "both", 1.0, 4.0, 65, 80, None, 65, DRI_URL, "V"),
    ("children", "both", 4.0, 9.0, 110, 130, None, 110, DRI_URL, "V"),
    ("children", "male", 9.0, 14.0, 200, 240, None, 350, DRI_URL, "V2"),
    ("children", "female", 9.0, 14.0, 200, 240, None, 350, DRI_URL, "V2"),
    ("adolescents", "male", 14.0, 19.0, 340, 410, None, 350, IOM_1997_ADOLESCENT_URL, "V"),
    ("adolescents", "female", 14.0, 19.0, 300, 360, None, 350, IOM_1997_ADOLESCENT_URL, "V"),
    ("adults", "male", 19.0, 31.0, 330, 400, None, 350, DRI_URL, "V"),
    ("adults", "male", 31.0, 51.0, 350, 420, None, 350, DRI_URL, "V"),
    ("adults", "male", 51.0, 71.0, 350, 420, None, 350, DRI_URL, "V"),
    ("adults", "male", 71.0, _INF, 350, 420, None, 350, DRI_URL, "V"),
    ("adults", "female", 19.0, 31.0, 255, 310, None, 350, DRI_URL, "V"),
    ("adults", "female", 31.0, 51.0, 265, 320, None, 350, DRI_URL, "V"),
    ("adults", "female", 51.0, 71.0, 265, 320, None, 350, DRI_URL, "V"),
    ("adults", "female", 71.0, _INF, 265, 320, None, 350, DRI_URL, "V"),
    ("pregnancy", "female", 14.0, 19.0, 335, 400, None, 350, DRI_URL, "V2"),
    ("pregnancy", "female", 19.0, 31.0, 290, 350, None, 350, DRI_URL, "V"),
    ("pregnancy", "female", 31.0, 51.0, 300, 360, None, 350, DRI_URL, "V"),
    ("lactation", "female", 14.0, 19.0, 300, 360, None, 350, DRI_URL, "V2"),
    ("lactation", "female", 19.0, 31.0, 255, 310, None, 350, DRI_URL, "V2"),
    ("lactation", "female", 31.0, 51.0, 265, 320, None, 350, DRI_URL, "V2"),
)



def _age_label(low: float, high: float) -> str:
    if high == _INF:
        return f"{low:g}+ y"
    if high <= 1.0:
        return f"{12 * low:g}-{12 * high:g} mo"
    return f"{low:g}-{high - 1:g} y"


def rda_mg_per_day(age_years: float, sex: str) -> float:
    """The RDA (total intake, mg/day) for a child or adult of this age and sex (IOM 1997)."""
    for stage, row_sex, low, high, _ear, rda, _ai, _ul, _source, _status in _DRI_ROWS:
        if (stage not in ("pregnancy", "lactation") and rda is not None
                and row_sex in ("both", sex) and low <= age_years < high):
            return float(rda)
    raise ValueError(f"age_years={age_years!r}: no RDA (allowed: >= 1 year)")


def rda_ul() -> pd.DataFrame:
    """Magnesium Dietary Reference Intakes by life stage and sex (IOM 1997).

    One row per life stage, sex and age band, with columns:

    - ``life_stage``: infants, children, adolescents, adults, pregnancy, lactation;
    - ``sex``: ``"male"``, ``"female"`` or ``"both"``;
    - ``age``: label (e.g. ``"31-50 y"``); ``age_min_years`` (inclusive) and
      ``age_max_years`` (exclusive; ``inf`` for open-ended);
    - ``ear_mg_per_day``: Estimated Average Requirement (total intake);
    - ``rda_mg_per_day``: Recommended Dietary Allowance (total intake);
    - ``ai_mg_per_day``: Adequate Intake (infants only);
    - ``ul_supplemental_mg_per_day``: Tolerable Upper Intake Level, which applies
      to magnesium from **supplements and drugs only, not food and water**
      (based on diarrhea, the lowest-observed-adverse-effect level being
      360 mg/day MgCl2); not determinable for infants (NaN);
    - ``ul_applies_to``, ``ul_basis``;
    - ``source`` (URL) and ``status`` (``V`` read on the cited page, ``V2`` on a
      secondary page that quotes it).

    The values match Table 2 of the project's seed review, which cites the NIH
    Office of Dietary Supplements (https://ods.od.nih.gov/factsheets/Magnesium-Consumer/).
    """
    rows = []
    for stage, sex, low, high, ear, rda, ai, ul, source, status in _DRI_ROWS:
        rows.append({
            "life_stage": stage, "sex": sex, "age": _age_label(low, high),
            "age_min_years": low, "age_max_years": high,
            "ear_mg_per_day": ear, "rda_mg_per_day": rda, "ai_mg_per_day": ai,
            "ul_supplemental_mg_per_day": ul,
            "ul_applies_to": _UL_APPLIES if ul is not None else "not determinable (infants)",
            "ul_basis": f"osmotic diarrhea; LOAEL 360 mg/day MgCl2 (Bashir 1993) {IOM_1997_UL_URL}"
                        if ul is not None else "",
            "source": source, "status": status,
        })
    frame = pd.DataFrame(rows)
    for column in ("ear_mg_per_day", "rda_mg_per_day", "ai_mg_per_day",
                   "ul_supplemental_mg_per_day"):
        frame[column] = frame[column].astype(float)
    return frame


def dri_row(sex: str, age_years: float, life_stage: str | None) -> pd.Series:
    """The :func:`rda_ul` row for a person (pregnancy/lactation rows clamp age to 14-50);
    ``life_stage`` is None, ``"pregnancy"`` or ``"lactation"``."""
    table = rda_ul()
    if life_stage in ("pregnancy", "lactation"):
        age = min(max(age_years, 14.0), 50.0)
        rows = table[table["life_stage"] == life_stage]
    else:
        age = age_years
        rows = table[~table["life_stage"].isin(["pregnancy", "lactation"])]
        rows = rows[rows["sex"].isin([sex, "both"])]
    rows = rows[(rows["age_min_years"] <= age) & (age < rows["age_max_years"])]
    return rows.iloc[0]


__all__ = [
    "rda_mg_per_day",
    "rda_ul",
]
