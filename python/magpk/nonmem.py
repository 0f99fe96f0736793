"""NONMEM-style datasets: a regimen read from a dataset, a regimen written as one,
and a whole dataset simulated (one individual per ID) in threads.

The rules (which record types and columns mean what, what is refused and why)
are on the documentation page ``docs/user_guide/nonmem.md``; in short:

- columns (any case): ``ID``, ``TIME`` (h), ``AMT`` (elemental Mg in
  ``amt_unit``), ``CMT`` (1 oral, 2 IV, 3 IM), ``EVID`` (0 observation, 1 dose,
  2 other, 3 reset, 4 reset and dose), ``II``, ``ADDL``, ``RATE``, ``DUR``,
  ``SS``, ``MDV``, ``DV``, and the magpk extensions ``FORM`` (form id, or its
  1-based position in :func:`magpk.form_ids`) and ``FOOD`` (1: oral dose taken
  with a meal);
- a missing value (NaN, None, ``"."`` or an empty string) of ``AMT``, ``CMT``,
  ``II``, ``ADDL``, ``RATE``, ``DUR``, ``SS`` and ``FOOD`` is 0, as NONMEM reads
  ``"."``; a missing ``EVID`` or ``MDV`` is derived as NONMEM derives the absent
  columns; ``ID`` and ``TIME`` must be given on every record;
- a reset (EVID 3 or 4) returns the subject to its homeostatic steady state at
  that time (the 24-h periodic state at that clock time); it cancels running
  infusions, the IM depot and pending additional doses;
- refused, with the reason: steady-state doses (``SS`` not 0), model-defined
  rates and durations (``RATE`` -1 or -2), negative or decreasing ``TIME``.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from . import _arguments, _core
from .forms import MEQ_PER_MMOL, MG_DL_PER_MMOL_L, MG_PER_MMOL, check_form, form_ids
from .regimen import MAX_EVENTS, MAX_TIME_H, Regimen
from .simulate import Result, simulate
from .subject import Subject

#: Units of ``AMT``: elemental Mg in mg or mmol.
AMT_UNITS = ("mg", "mmol")
#: Dosing compartments (``CMT``).
CMT_ORAL, CMT_IV, CMT_IM = 1, 2, 3
#: Record types (``EVID``).
EVID_OBSERVATION, EVID_DOSE, EVID_OTHER, EVID_RESET, EVID_RESET_DOSE = 0, 1, 2, 3, 4
_DOSE_EVIDS = (EVID_DOSE, EVID_RESET_DOSE)
_RESET_EVIDS = (EVID_RESET, EVID_RESET_DOSE)
_PREDICTION_EVIDS = (EVID_OBSERVATION, EVID_OTHER)
#: The data items read (column names are matched whatever their case).
ITEMS = ("ID", "TIME", "AMT", "CMT", "EVID", "II", "ADDL", "RATE", "DUR", "SS", "MDV", "DV",
         "FORM", "FOOD")
#: Items whose missing value is 0 (NONMEM reads "." as 0).
_ZERO_WHEN_MISSING = ("AMT", "CMT", "II", "ADDL", "RATE", "DUR", "SS", "FOOD")
#: Dose-related items, which must be 0 on observation, other-type and reset records.
_DOSE_ITEMS = ("AMT", "RATE", "DUR", "II", "ADDL", "SS")
#: Model-defined rate (-1) and duration (-2): NONMEM's RATE codes for a rate or
#: duration estimated in $PK.
_MODEL_DEFINED_RATES = (-1.0, -2.0)
#: The column of the predictions written by :func:`simulate_dataset`.
IPRED = "IPRED"

#: Dataset columns read into :class:`~magpk.Subject` by default (Subject field -> column).
DEFAULT_COVARIATES: Mapping[str, str] = {"weight_kg": "WT", "age_years": "AGE", "sex": "SEX",
                                         "egfr_ml_min": "EGFR"}
#: Subject fields a covariate column may set.
COVARIATE_FIELDS = ("weight_kg", "age_years", "sex", "egfr_ml_min", "diet_mg_per_day",
                    "height_cm", "pregnant", "ppi", "diuretic")
#: Default codings of the categorical covariates (strings compared in lower case).
DEFAULT_CODES: Mapping[str, Mapping[Any, Any]] = {
    "sex": {1: "male", 2: "female", "m": "male", "f": "female", "male": "male",
            "female": "female"},
    "pregnant": {0: False, 1: True},
    "ppi": {0: False, 1: True},
    "diuretic": {0: None, 1: "loop", 2: "thiazide", "none": None, "loop": "loop",
                 "thiazide": "thiazide"},
}
_NUMERIC_COVARIATES = ("weight_kg", "age_years", "egfr_ml_min", "diet_mg_per_day", "height_cm")

#: Clock times are < 24 h; a reset clock this close below 24 h is midnight.
_LAST_CLOCK_H = 23.999999
_HOURS_PER_DAY = 24.0
#: Run length (h) when every prediction of a segment is at its start.
_MIN_RUN_H = 1.0
#: Floating-point neighbors tried so that written amounts and rates read back exactly.
_NUDGE_ULPS = 8
#: Largest number of threads accepted.
MAX_THREADS = 1024
#: IDs shown when a dataset holds several.
_IDS_SHOWN = 5


# ----------------------------------------------------------------------------------------------
# values and columns
# ----------------------------------------------------------------------------------------------
def _show(value: Any) -> str:
    """A value for a message: integral floats without ".0", numpy scalars plainly."""
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, np.integer):
        return str(int(value))
    return repr(value)


def _missing(value: Any) -> bool:
    """None, NaN, pd.NA, "." or an empty string: a missing data item."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, str):
        return value.strip() in ("", ".")
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _float(value: numbers.Real) -> float:
    """float(value); an integer too large for a float is +-inf (then refused as not finite)."""
    try:
        return float(value)
    except OverflowError:
        return math.copysign(math.inf, value)


def _number(value: Any, column: str, where: str) -> float:
    """One cell as a float (NaN when missing); TypeError for anything but a number."""
    if _missing(value):
        return math.nan
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    elif isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        return _float(value)
    raise TypeError(f"{column}={value!r} at {where}: not a number (allowed: numbers, or '.', "
                    f"an empty cell or NaN for a missing value)")


def _numbers(series: pd.Series, column: str, where: Any) -> np.ndarray:
    """A column as floats (NaN when missing); ``where(i)`` describes row i for messages."""
    kind = series.dtype.kind
    if kind in "iuf":
        return series.to_numpy(dtype=float, na_value=np.nan)
    if kind in "bcmM":
        raise TypeError(f"column {column} has dtype {series.dtype}: expected numbers")
    values = series.to_numpy(dtype=object)
    return np.array([_number(v, column, where(i)) for i, v in enumerate(values)], dtype=float)


def _column_names(frame: pd.DataFrame, wanted: Sequence[str]) -> dict[str, str]:
    """Upper-case name -> the frame's column, for the ``wanted`` names (any case)."""
    found: dict[str, str] = {}
    for column in frame.columns:
        if not isinstance(column, str):
            continue
        key = column.strip().upper()
        if key not in wanted:
            continue
        if key in found:
            raise ValueError(f"columns {found[key]!r} and {column!r} are both {key} (names are "
                             f"matched whatever their case): keep one")
        found[key] = column
    return found


# ----------------------------------------------------------------------------------------------
# the records
# ----------------------------------------------------------------------------------------------
@dataclass
class _Table:
    """The dataset's records as arrays (every item present, defaults filled in)."""

    labels: np.ndarray          # the DataFrame's index labels, for messages
    ids: np.ndarray             # object: floats or strings
    columns: dict[str, str]     # item -> the frame's column name (items present)
    values: dict[str, np.ndarray]
    form: np.ndarray            # object: None, str or float

    def __getattr__(self, item: str) -> np.ndarray:
        try:
            values: dict[str, np.ndarray] = self.__dict__["values"]
            return values[item.upper()]
        except KeyError:
            raise AttributeError(item) from None

    def where(self, i: int) -> str:
        time = self.values["TIME"][i] if "TIME" in self.values else math.nan
        shown = "" if math.isnan(time) else f", TIME {_show(time)}"
        return f"row {_show(self.labels[i])} (ID {_show(self.ids[i])}{shown})"

    def name(self, item: str) -> str:
        return self.columns.get(item, item)

    def refuse(self, mask: np.ndarray, item: str, reason: str) -> None:
        """ValueError naming the column, the first row in ``mask`` and its value."""
        if np.any(mask):
            i = int(np.argmax(mask))
            value = self.values[item][i] if item in self.values else self.form[i]
            raise ValueError(f"{self.name(item)}={_show(value)} at {self.where(i)}: {reason}")


def _ids(frame: pd.DataFrame, column: str | None, labels: np.ndarray) -> np.ndarray:
    """The ID of every record (numbers as floats, strings kept); 1 without an ID column."""
    if column is None:
        return np.full(len(frame), 1.0, dtype=object)
    ids = frame[column].to_numpy(dtype=object)
    out = np.empty(len(ids), dtype=object)
    for i, value in enumerate(ids):
        if _missing(value):
            raise ValueError(f"{column} is missing at row {_show(labels[i])}: every record "
                             f"needs an ID")
        if isinstance(value, str):
            out[i] = value
        elif isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
            out[i] = _float(value)
            if not math.isfinite(out[i]):
                raise ValueError(f"{column}={_show(value)} at row {_show(labels[i])}: an ID "
                                 f"must be finite")
        else:
            raise TypeError(f"{column}={value!r} at row {_show(labels[i])}: expected a number "
                            f"or a string")
    return out


def _forms(frame: pd.DataFrame, column: str | None, table: _Table) -> np.ndarray:
    """FORM cells: None (missing or 0), a stripped string, or a float code."""
    out = np.full(len(frame), None, dtype=object)
    if column is None:
        return out
    for i, value in enumerate(frame[column].to_numpy(dtype=object)):
        if _missing(value):
            continue
        if isinstance(value, str):
            out[i] = value.strip()
        else:
            code = _number(value, column, table.where(i))
            out[i] = None if code == 0 else code
    return out


def _read(frame: Any) -> _Table:
    """The records of a dataset, converted and checked one by one (not across rows)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"dataset={type(frame).__name__}: expected a pandas DataFrame")
    if len(frame) == 0:
        raise ValueError("the dataset has no rows")
    columns = _column_names(frame, ITEMS)
    if "TIME" not in columns:
        raise ValueError(f"the dataset has no TIME column (columns: {list(frame.columns)}); "
                         f"required: TIME; optional: {', '.join(i for i in ITEMS if i != 'TIME')}")
    labels = frame.index.to_numpy(dtype=object)
    table = _Table(labels, _ids(frame, columns.get("ID"), labels), columns, {},
                   np.full(len(frame), None, dtype=object))
    for item in ("TIME", *_ZERO_WHEN_MISSING, "EVID", "MDV"):
        if item in columns:
            values = _numbers(frame[columns[item]], columns[item], table.where)
            if item in _ZERO_WHEN_MISSING:
                values = np.where(np.isnan(values), 0.0, values)
            table.values[item] = values
        elif item in _ZERO_WHEN_MISSING:
            table.values[item] = np.zeros(len(frame))
    table.form = _forms(frame, columns.get("FORM"), table)
    _check_times(table)
    _fill_evid_mdv(table)
    _check_events(table)
    _check_doses(table)
    return table


def _check_times(t: _Table) -> None:
    time = t.values["TIME"]
    t.refuse(np.isnan(time), "TIME", "every record needs a TIME (hours)")
    t.refuse(~np.isfinite(time), "TIME", "allowed: finite hours")
    t.refuse(time < 0, "TIME", "negative times are refused: t = 0 is the start of the run, "
                               "where the subject is at its homeostatic steady state; shift the "
                               "times so that the first record is at TIME >= 0")
    t.refuse(time > MAX_TIME_H, "TIME", f"allowed: 0 to {MAX_TIME_H:g} h (20 years)")


def _fill_evid_mdv(t: _Table) -> None:
    """EVID and MDV (columns or cells) derived where missing as NONMEM derives them when
    absent (EVID: 1 where AMT is not 0, else 2 where MDV is 1, else 0; MDV: 0 on
    observations, else 1), and their codes checked."""
    n = len(t.labels)
    mdv = t.values.get("MDV", np.full(n, np.nan))
    derived = np.where(t.amt != 0, EVID_DOSE, np.where(mdv == 1, EVID_OTHER, EVID_OBSERVATION))
    evid = t.values.get("EVID", np.full(n, np.nan))
    evid = t.values["EVID"] = np.where(np.isnan(evid), derived, evid)
    t.refuse(~np.isin(evid, (EVID_OBSERVATION, EVID_DOSE, EVID_OTHER, EVID_RESET,
                             EVID_RESET_DOSE)), "EVID",
             "allowed: 0 (observation), 1 (dose), 2 (other), 3 (reset), 4 (reset and dose)")
    mdv = t.values["MDV"] = np.where(np.isnan(mdv), (evid != EVID_OBSERVATION), mdv)
    t.refuse(~np.isin(mdv, (0, 1)), "MDV", "allowed: 0 (DV is an observation) or 1 (no "
                                          "observation)")
    t.refuse((evid != EVID_OBSERVATION) & (mdv != 1), "MDV",
             "dose, other-type and reset records (EVID 1-4) must have MDV=1; only an "
             "observation record (EVID 0) may have MDV=0")


def _check_events(t: _Table) -> None:
    """Rules of the non-dose records and of CMT."""
    evid = t.values["EVID"]
    not_dose = ~np.isin(evid, _DOSE_EVIDS)
    for item in _DOSE_ITEMS:
        t.refuse(not_dose & (t.values[item] != 0), item,
                 f"a record with EVID 0, 2 or 3 (observation, other, reset) gives no dose: "
                 f"{', '.join(_DOSE_ITEMS)} must be 0 or missing there")
    t.refuse(~np.isfinite(t.cmt) | (t.cmt < 0), "CMT",
             "allowed: 1 (oral), 2 (IV), 3 (IM) on doses; turning compartments on or off "
             "(a negative CMT) is not modeled")


def _check_doses(t: _Table) -> None:
    """Rules of the dose records (EVID 1 and 4)."""
    dose = np.isin(t.values["EVID"], _DOSE_EVIDS)
    amt, rate, dur, ii, addl = t.amt, t.rate, t.dur, t.ii, t.addl
    t.refuse(dose & ~(np.isfinite(amt) & (amt > 0)), "AMT",
             "a dose record needs AMT > 0 (elemental Mg in amt_unit)")
    t.refuse(dose & ~np.isin(t.cmt, (CMT_ORAL, CMT_IV, CMT_IM)), "CMT",
             "a dose goes to CMT 1 (oral), 2 (IV) or 3 (IM)")
    t.refuse(dose & (t.ss != 0), "SS",
             "steady-state doses are refused: magpk's slow stores (bone, tissue) take months to "
             "years to settle, so 'dosed long enough to reach steady state' is no finite "
             "pre-run; write the doses from the start of dosing (ADDL with II)")
    t.refuse(dose & np.isin(rate, _MODEL_DEFINED_RATES), "RATE",
             "a model-defined rate (-1) or duration (-2) is refused: magpk has no $PK in which "
             "to define it; give RATE > 0 (AMT per hour) or DUR > 0 (hours)")
    t.refuse(dose & ~(np.isfinite(rate) & (rate >= 0)), "RATE",
             "allowed: 0 (bolus) or > 0 (infusion, AMT per hour)")
    t.refuse(dose & ~(np.isfinite(dur) & (dur >= 0)), "DUR",
             "allowed: 0 (bolus) or > 0 (infusion duration, hours)")
    t.refuse(dose & (rate > 0) & (dur > 0), "DUR",
             "give the infusion's RATE or its DUR, not both")
    for item, values in (("RATE", rate), ("DUR", dur)):
        t.refuse(dose & (values > 0) & (t.cmt != CMT_IV), item,
                 "an infusion (RATE or DUR > 0) goes to CMT 2 (IV); oral and IM doses are "
                 "given at once")
    t.refuse(dose & ~(np.isfinite(ii) & (ii >= 0) & (ii <= MAX_TIME_H)), "II",
             f"allowed: 0 to {MAX_TIME_H:g} h")
    t.refuse(dose & ~((addl >= 0) & (addl <= MAX_EVENTS - 1) & (addl == np.floor(addl))),
             "ADDL", f"allowed: a whole number of additional doses, 0 to {MAX_EVENTS - 1:,}")
    t.refuse(dose & (addl > 0) & (ii == 0), "ADDL",
             "additional doses need their interval: II > 0 (hours between doses)")
    t.refuse(dose & (addl == 0) & (ii > 0), "II",
             "II > 0 without ADDL means nothing (NONMEM: II > 0 if and only if ADDL > 0 for a "
             "non-steady-state dose); give ADDL, or II = 0")
    t.refuse(dose & (t.cmt == CMT_ORAL) & ~np.isin(t.food, (0, 1)), "FOOD",
             "allowed: 0 (fasting, default) or 1 (taken with a meal)")


# ----------------------------------------------------------------------------------------------
# individuals and segments
# ----------------------------------------------------------------------------------------------
def _individuals(t: _Table) -> list[tuple[Any, int, int]]:
    """(ID, first row, end row) of each individual record: consecutive rows of one ID."""
    n = len(t.ids)
    starts = [0] + [i for i in range(1, n) if t.ids[i] != t.ids[i - 1]]
    bounds = list(zip(starts, [*starts[1:], n]))
    seen: dict[Any, int] = {}
    for start, _ in bounds:
        key = t.ids[start]
        if key in seen:
            raise ValueError(f"ID {_show(key)} appears at {t.where(seen[key])} and again at "
                             f"{t.where(start)} after other IDs: an individual's records must "
                             f"be consecutive (NONMEM would read two individuals); sort the "
                             f"rows by ID, then TIME")
        seen[key] = start
    return [(t.ids[start], start, stop) for start, stop in bounds]


def _segments(t: _Table, start: int, stop: int) -> list[tuple[int, int]]:
    """Row ranges between resets (a reset record opens a segment); TIME checked in each."""
    cuts = [i for i in range(start + 1, stop) if t.evid[i] in _RESET_EVIDS]
    bounds = list(zip([start, *cuts], [*cuts, stop]))
    time = t.time
    for a, b in bounds:
        back = np.flatnonzero(np.diff(time[a:b]) < 0)
        if len(back):
            i = a + int(back[0]) + 1
            raise ValueError(f"TIME={_show(time[i])} at {t.where(i)}: TIME must not decrease "
                             f"within an ID (the record before is at TIME "
                             f"{_show(time[i - 1])}); sort the rows by ID and TIME. TIME may "
                             f"go back only at a reset record (EVID 3 or 4)")
    return bounds


def _form(t: _Table, i: int, default: str | None) -> str:
    """The form of the oral dose on row i: FORM (id or code), else ``form=``."""
    value = t.form[i]
    ids = form_ids()
    if value is None:
        if default is None:
            raise ValueError(f"FORM is missing at {t.where(i)}: an oral dose (CMT 1) needs a "
                             f"form: a FORM column (a form id such as 'citrate', or its "
                             f"position 1-{len(ids)} in magpk.form_ids()) or form=")
        return default
    if isinstance(value, str):
        try:
            return check_form(value, t.name("FORM"))
        except ValueError as error:
            raise ValueError(f"{error} (at {t.where(i)})") from None
    if not (math.isfinite(value) and value.is_integer() and 1 <= value <= len(ids)):
        raise ValueError(f"{t.name('FORM')}={_show(value)} at {t.where(i)}: allowed: a form id "
                         f"or its position 1-{len(ids)} in magpk.form_ids()")
    return ids[int(value) - 1]


# ----------------------------------------------------------------------------------------------
# regimens
# ----------------------------------------------------------------------------------------------
def _dose_mg(amount: float, amt_unit: str) -> float:
    return amount * MG_PER_MMOL if amt_unit == "mmol" else amount


def _doses_until(start: float, every: float, count: int, end: float) -> int:
    """How many of ``start + i * every`` (i < count) are at or before ``end``."""
    if start > end:
        return 0
    if count == 1:
        return 1
    intervals = (end - start) / every
    k = count if not intervals < count else math.floor(intervals) + 1
    while k > 1 and start + (k - 1) * every > end:
        k -= 1
    while k < count and start + k * every <= end:
        k += 1
    return k


def _add_dose(regimen: Regimen, t: _Table, i: int, amt_unit: str, form: str | None,
              shift: float = 0.0, end: float | None = None) -> Regimen:
    """``regimen`` with the dose (and its additional doses) of row i, times minus ``shift``;
    with ``end``, doses after it are left out (they cannot change a prediction)."""
    start = t.time[i] - shift
    count = int(t.addl[i]) + 1
    if end is not None:
        count = _doses_until(start, t.ii[i], count, end)
        if count == 0:
            return regimen
    repeat: dict[str, Any] = {"every_h": float(t.ii[i]), "count": count} if count > 1 else {}
    mg = _dose_mg(float(t.amt[i]), amt_unit)
    cmt = t.cmt[i]
    try:
        if cmt == CMT_ORAL:
            return regimen.oral(_form(t, i, form), mg, start_h=start,
                                with_food=bool(t.food[i] == 1), **repeat)
        if cmt == CMT_IM:
            return regimen.im(dose_mg=mg, start_h=start, **repeat)
        duration = float(t.amt[i] / t.rate[i]) if t.rate[i] > 0 else float(t.dur[i])
        if duration > 0:
            return regimen.iv_infusion(dose_mg=mg, start_h=start, duration_h=duration,
                                       **repeat)
        return regimen.iv_bolus(dose_mg=mg, start_h=start, **repeat)
    except (TypeError, ValueError) as error:
        raise type(error)(f"the dose at {t.where(i)} (AMT {_show(t.amt[i])} {amt_unit}, CMT "
                          f"{_show(cmt)}): {error}") from None


def _check_amt_unit(amt_unit: Any) -> str:
    if not isinstance(amt_unit, str):
        raise TypeError(f"amt_unit={amt_unit!r}: expected 'mg' or 'mmol' (the unit of AMT: "
                        f"elemental Mg)")
    unit: str = _arguments.choice("amt_unit", amt_unit, AMT_UNITS)
    return unit


def _check_form_argument(form: Any) -> str | None:
    return None if form is None else check_form(form, "form")


def regimen_from_nonmem(dataset: pd.DataFrame, *, amt_unit: str, form: str | None = None,
                        id: Any = None) -> Regimen:
    """The regimen of one individual of a NONMEM-style dataset; see
    :meth:`magpk.Regimen.from_nonmem`."""
    unit = _check_amt_unit(amt_unit)
    default_form = _check_form_argument(form)
    t = _read(dataset)
    individuals = _individuals(t)
    if id is None:
        if len(individuals) > 1:
            shown = ", ".join(_show(key) for key, _, _ in individuals[:_IDS_SHOWN])
            raise ValueError(f"the dataset holds {len(individuals)} IDs ({shown}"
                             f"{', ...' if len(individuals) > _IDS_SHOWN else ''}): choose one "
                             f"with id=")
        chosen = individuals[0]
    else:
        key = float(id) if isinstance(id, numbers.Real) and not isinstance(id, bool) else id
        matches = [ind for ind in individuals if ind[0] == key]
        if not matches:
            raise ValueError(f"id={id!r}: no such ID in the dataset (IDs: "
                             f"{', '.join(_show(k) for k, _, _ in individuals[:_IDS_SHOWN])}"
                             f"{', ...' if len(individuals) > _IDS_SHOWN else ''})")
        chosen = matches[0]
    _, start, stop = chosen
    segments = _segments(t, start, stop)
    if len(segments) > 1:
        i = segments[1][0]
        raise ValueError(f"EVID={_show(t.evid[i])} at {t.where(i)}: a reset inside an "
                         f"individual record cannot be held by one Regimen (it restarts the "
                         f"subject from its steady state); use magpk.simulate_dataset, which "
                         f"simulates each segment between resets")
    regimen = Regimen()
    for i in range(start, stop):
        if t.evid[i] in _DOSE_EVIDS:
            regimen = _add_dose(regimen, t, i, unit, default_form)
    return regimen


# ----------------------------------------------------------------------------------------------
# covariates
# ----------------------------------------------------------------------------------------------
def _covariate_spec(covariates: Any, frame: pd.DataFrame
                    ) -> dict[str, tuple[str, Mapping[Any, Any] | None]]:
    """Subject field -> (the frame's column, codes or None) for the covariates to read."""
    if covariates is not None and not isinstance(covariates, Mapping):
        raise TypeError(f"covariates={covariates!r}: expected a mapping of Subject fields to "
                        f"column names, e.g. {{'egfr_ml_min': 'CRCL'}}")
    requested = dict(covariates or {})
    for field in requested:
        _arguments.choice("covariates key", field, COVARIATE_FIELDS)
    spec: dict[str, tuple[str, Mapping[Any, Any] | None]] = {}
    for field in COVARIATE_FIELDS:
        explicit = field in requested
        value = requested[field] if explicit else DEFAULT_COVARIATES.get(field)
        if value is None:
            continue
        column, codes = (value if isinstance(value, tuple) else (value, DEFAULT_CODES.get(field)))
        if not isinstance(column, str) or (codes is not None and not isinstance(codes, Mapping)):
            raise TypeError(f"covariates[{field!r}]={value!r}: expected a column name, or a "
                            f"(column name, {{code: value}}) pair")
        found = _column_names(frame, [column.strip().upper()])
        if not found:
            if explicit:
                raise ValueError(f"covariates[{field!r}]={column!r}: no such column in the "
                                 f"dataset (columns: {list(frame.columns)})")
            continue
        spec[field] = (next(iter(found.values())), codes)
    return spec


def _decode(value: Any, codes: Mapping[Any, Any], field: str, column: str, where: str) -> Any:
    """A categorical covariate cell through its codes (numbers by value, strings in any case)."""
    if isinstance(value, (bool, np.bool_)):
        if all(isinstance(coded, bool) for coded in codes.values()):
            return bool(value)  # a flag column (pregnant, ppi) of booleans
        raise TypeError(f"{column}={value!r} at {where}: expected a code of {field} (allowed: "
                        f"{', '.join(_show(k) for k in codes)}), not a boolean")
    keys = [value]
    if isinstance(value, str):
        keys += [value.strip(), value.strip().lower()]
        try:
            keys.append(float(value))
        except ValueError:
            pass
    for key in keys:
        try:
            if key in codes:
                return codes[key]
        except TypeError:  # unhashable
            break
    raise ValueError(f"{column}={_show(value)} at {where}: not a code of {field} (allowed: "
                     f"{', '.join(_show(k) for k in codes)}; remap with covariates="
                     f"{{{field!r}: ({column!r}, {{code: value}})}})")


def _covariate_values(frame: pd.DataFrame, t: _Table,
                      spec: Mapping[str, tuple[str, Mapping[Any, Any] | None]]
                      ) -> dict[str, np.ndarray]:
    """Subject field -> one value per record (numbers as floats, codes decoded)."""
    out: dict[str, np.ndarray] = {}

    def missing(column: str, field: str, i: int) -> ValueError:
        return ValueError(f"{column} is missing at {t.where(i)}: give {field} on every record, "
                          f"or leave the column out for the default")

    for field, (column, codes) in spec.items():
        if field in _NUMERIC_COVARIATES and codes is None:
            values = _numbers(frame[column], column, t.where)
            if np.isnan(values).any():
                raise missing(column, field, int(np.argmax(np.isnan(values))))
            out[field] = values
            continue
        raw = frame[column].to_numpy(dtype=object)
        decoded = np.empty(len(raw), dtype=object)
        for i, value in enumerate(raw):
            if _missing(value):
                raise missing(column, field, i)
            decoded[i] = _decode(value, codes, field, column, t.where(i)) if codes else value
        out[field] = decoded
    return out


def _subject(t: _Table, values: Mapping[str, np.ndarray],
             spec: Mapping[str, tuple[str, Any]], start: int, stop: int,
             defaults: Mapping[str, Any]) -> Subject:
    """The Subject of one individual: covariates from its first record, constant over it."""
    kwargs = dict(defaults)
    for field, column_values in values.items():
        first = column_values[start]
        for i in range(start + 1, stop):
            if column_values[i] != first:
                column = spec[field][0]
                raise ValueError(f"{column} changes within ID {_show(t.ids[start])}: "
                                 f"{_show(first)} at {t.where(start)}, {_show(column_values[i])} "
                                 f"at {t.where(i)}; a covariate must be constant within an ID "
                                 f"(a magpk run has fixed covariates)")
        kwargs[field] = float(first) if isinstance(first, (float, np.floating)) else first
    try:
        return Subject(**kwargs)
    except (TypeError, ValueError) as error:
        raise type(error)(f"ID {_show(t.ids[start])} ({t.where(start)}): {error}") from None


def _check_subject_defaults(subject_defaults: Any) -> dict[str, Any]:
    if subject_defaults is None:
        return {}
    if not isinstance(subject_defaults, Mapping):
        raise TypeError(f"subject_defaults={subject_defaults!r}: expected a mapping of Subject "
                        f"arguments, e.g. {{'meals': 'continuous'}}")
    fields = tuple(Subject.__dataclass_fields__)
    for key in subject_defaults:
        _arguments.choice("subject_defaults key", key, fields)
    Subject(**subject_defaults)  # checked once, with Subject's own messages
    return dict(subject_defaults)


# ----------------------------------------------------------------------------------------------
# simulating a dataset
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Segment:
    """One run: from the steady state at ``shift`` (dataset time) to the last prediction."""

    shift: float
    subject: Subject
    regimen: Regimen
    positions: np.ndarray   # rows (positions) that get a prediction
    times_h: np.ndarray     # their times in the run (dataset time minus shift)


def _at_clock(subject: Subject, shift: float) -> Subject:
    """The subject with t = 0 moved to dataset time ``shift`` (the meal clock runs on)."""
    if shift == 0:
        return subject
    clock = (subject.start_clock_h + shift) % _HOURS_PER_DAY
    return replace(subject, start_clock_h=0.0 if clock > _LAST_CLOCK_H else clock)


def _plan(t: _Table, subject: Subject, start: int, stop: int, amt_unit: str,
          form: str | None) -> list[_Segment]:
    """The runs of one individual: one per segment between resets with a prediction."""
    segments = []
    for a, b in _segments(t, start, stop):
        rows = np.arange(a, b)
        predicted = rows[np.isin(t.evid[a:b], _PREDICTION_EVIDS)]
        if len(predicted) == 0:
            continue
        shift = float(t.time[a]) if a != start else 0.0
        times = t.time[predicted] - shift
        end = float(times.max())
        regimen = Regimen()
        for i in rows[np.isin(t.evid[a:b], _DOSE_EVIDS)]:
            regimen = _add_dose(regimen, t, int(i), amt_unit, form, shift, end)
        segments.append(_Segment(shift, _at_clock(subject, shift), regimen, predicted, times))
    return segments


def _predict(segments: list[_Segment], output: str, label: str) -> list[tuple[np.ndarray,
                                                                          np.ndarray]]:
    """Predictions of one individual: (row positions, values) per segment."""
    out = []
    for segment in segments:
        end = float(segment.times_h.max())
        t_end = end if end > 0 else _MIN_RUN_H
        grid = np.unique(np.concatenate([[0.0, t_end], segment.times_h]))
        try:
            result = simulate(segment.regimen, segment.subject, t_end_h=t_end,
                              output_times_h=grid)
        except (TypeError, ValueError, RuntimeError) as error:
            raise type(error)(f"ID {label}: {error}") from None
        values = _output_values(result, output)[np.searchsorted(grid, segment.times_h)]
        out.append((segment.positions, values))
    return out


def _output_values(result: Result, output: str) -> np.ndarray:
    """One column of ``result.to_frame()``, read from the core's table (no DataFrame: the
    pandas work would hold the GIL and serialize the threads)."""
    scale = {"serum_mg_dl": MG_DL_PER_MMOL_L, "serum_meq_l": MEQ_PER_MMOL}.get(output)
    column = "serum_mmol_l" if scale is not None else output
    table = np.asarray(result._core.table)
    values = table[:, list(_core.output_columns()).index(column)]
    return values * scale if scale is not None else values


def _run_all(plans: list[tuple[str, list[_Segment]]], output: str, n_threads: int
             ) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """Every individual's predictions, in a thread pool (simulate releases the GIL)."""
    def run(plan: tuple[str, list[_Segment]]) -> list[tuple[np.ndarray, np.ndarray]]:
        return _predict(plan[1], output, plan[0])

    if n_threads == 1 or len(plans) <= 1:
        return [run(plan) for plan in plans]
    with ThreadPoolExecutor(max_workers=min(n_threads, len(plans))) as pool:
        return list(pool.map(run, plans))


def _output_columns() -> list[str]:
    columns = [c for c in _core.output_columns() if c != "time_h"]
    return [*columns[:1], "serum_mg_dl", "serum_meq_l", *columns[1:]]


def _threads(threads: Any) -> int:
    if threads is None:
        return os.cpu_count() or 1
    return _arguments.count("threads", threads, maximum=MAX_THREADS)


def simulate_dataset(dataset: pd.DataFrame, *, amt_unit: str, form: str | None = None,
                     covariates: Mapping[str, Any] | None = None,
                     output: str = "serum_mmol_l", threads: int | None = None,
                     subject_defaults: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Simulate every individual of a NONMEM-style dataset; return it with predictions.

    Each ID is one subject (covariates from its records) given the doses of its
    dose records, simulated from its homeostatic steady state at TIME 0 with
    :func:`magpk.simulate`; a reset record (EVID 3 or 4) restarts it from the
    steady state at that time. The rules of the records (what is accepted, what
    each column means, what is refused) are in the user guide, "NONMEM datasets".

    Parameters
    ----------
    dataset
        a DataFrame with columns ``TIME`` and optionally ``ID``, ``AMT``, ``CMT``
        (1 oral, 2 IV, 3 IM), ``EVID``, ``II``, ``ADDL``, ``RATE``, ``DUR``,
        ``SS`` (0 only), ``MDV``, ``DV``, ``FORM``, ``FOOD`` (any case), and
        covariate columns. Rows of one ID must be consecutive, in time order.
    amt_unit
        ``"mg"`` or ``"mmol"``: the unit of ``AMT`` (elemental Mg; ``RATE`` is
        ``AMT`` per hour).
    form
        the supplement form of oral doses whose ``FORM`` is missing.
    covariates
        Subject field -> column, merged into the default
        ``{"weight_kg": "WT", "age_years": "AGE", "sex": "SEX", "egfr_ml_min":
        "EGFR"}`` (a default column that is absent is not read; ``None`` drops
        one). A categorical field (``sex``, ``pregnant``, ``ppi``, ``diuretic``)
        may be given as ``(column, {code: value})``; ``SEX`` is read by default
        as 1 = male, 2 = female (or the strings M/F, male/female). Covariates
        must be constant within an ID.
    output
        the column of :meth:`magpk.Result.to_frame` predicted (default
        ``"serum_mmol_l"``).
    threads
        worker threads (default: all cores); the core releases the GIL.
    subject_defaults
        other :class:`~magpk.Subject` arguments for every subject (e.g.
        ``{"meals": "continuous"}``); dataset covariates take precedence.

    Returns
    -------
    pandas.DataFrame
        a copy of ``dataset`` with column ``IPRED``: the prediction at every
        observation and other-type record (EVID 0 and 2, with or without DV), NaN
        at dose and reset records. Doses at the same TIME as a prediction are
        given first, whatever the row order.
    """
    unit = _check_amt_unit(amt_unit)
    default_form = _check_form_argument(form)
    if not isinstance(output, str):
        raise TypeError(f"output={output!r}: expected a column name of Result.to_frame()")
    _arguments.choice("output", output, _output_columns())
    n_threads = _threads(threads)
    defaults = _check_subject_defaults(subject_defaults)
    t = _read(dataset)
    spec = _covariate_spec(covariates, dataset)
    values = _covariate_values(dataset, t, spec)
    plans = []
    for key, start, stop in _individuals(t):
        subject = _subject(t, values, spec, start, stop, defaults)
        plans.append((_show(key), _plan(t, subject, start, stop, unit, default_form)))
    ipred = np.full(len(dataset), np.nan)
    for parts in _run_all(plans, output, n_threads):
        for positions, predicted in parts:
            ipred[positions] = predicted
    result = dataset.copy()
    existing = _column_names(result, [IPRED])
    result[existing.get(IPRED, IPRED)] = ipred
    return result


# ----------------------------------------------------------------------------------------------
# writing a regimen
# ----------------------------------------------------------------------------------------------
def _neighbors(value: float) -> list[float]:
    """``value`` and its floating-point neighbors, nearest first."""
    out, up, down = [value], value, value
    for _ in range(_NUDGE_ULPS):
        up, down = math.nextafter(up, math.inf), math.nextafter(down, -math.inf)
        out += [up, down]
    return out


def _exact_amount(mmol: float, amt_unit: str) -> float:
    """AMT that reads back (``AMT`` in ``amt_unit`` -> mg -> mmol) as ``mmol`` exactly."""
    guess = mmol if amt_unit == "mmol" else mmol * MG_PER_MMOL
    for candidate in _neighbors(guess):
        if _dose_mg(candidate, amt_unit) / MG_PER_MMOL == mmol:
            return candidate
    return guess


def _exact_rate(amount: float, duration: float) -> float:
    """RATE with ``amount / RATE == duration`` exactly, or 0 when none is near (then DUR)."""
    for candidate in _neighbors(amount / duration):
        if amount / candidate == duration:
            return candidate
    return 0.0


def _runs(events: Sequence[Any], key: Any, time: Any) -> list[tuple[Any, float, float, int]]:
    """Consecutive events with one ``key`` at ``t0 + i * ii`` exactly: (event, t0, ii, count)."""
    runs: list[tuple[Any, float, float, int]] = []
    i = 0
    while i < len(events):
        first, t0 = events[i], time(events[i])
        count, ii = 1, 0.0
        if i + 1 < len(events) and key(events[i + 1]) == key(first):
            ii = time(events[i + 1]) - t0
            while (ii > 0 and i + count < len(events) and key(events[i + count]) == key(first)
                   and time(events[i + count]) == t0 + count * ii):
                count += 1
        runs.append((first, t0, ii if count > 1 else 0.0, count))
        i += count
    return runs


def _dose_rows(regimen: Regimen, amt_unit: str) -> list[dict[str, Any]]:
    """One record per run of equal, equally spaced doses (ADDL and II for the repeats)."""
    codes = {form: i + 1 for i, form in enumerate(form_ids())}
    rows: list[dict[str, Any]] = []

    def add(t0: float, ii: float, count: int, mmol: float, cmt: int, **extra: Any) -> None:
        rows.append({"TIME": t0, "AMT": _exact_amount(mmol, amt_unit), "CMT": cmt,
                     "EVID": EVID_DOSE, "MDV": 1, "II": ii, "ADDL": count - 1, **extra})

    for e, t0, ii, count in _runs(regimen.oral_events,
                                  lambda e: (e.form, e.elemental_mmol, e.with_food),
                                  lambda e: e.time_h):
        add(t0, ii, count, e.elemental_mmol, CMT_ORAL, FORM=codes[e.form],
            FOOD=int(e.with_food))
    for e, t0, ii, count in _runs(regimen.parenteral_events, lambda e: (e.route, e.mmol),
                                  lambda e: e.time_h):
        add(t0, ii, count, e.mmol, CMT_IV if e.route == "iv_bolus" else CMT_IM)
    for e, t0, ii, count in _runs(regimen.infusion_events, lambda e: (e.duration_h, e.mmol),
                                  lambda e: e.start_h):
        amount = _exact_amount(e.mmol, amt_unit)
        rate = _exact_rate(amount, e.duration_h)
        add(t0, ii, count, e.mmol, CMT_IV, RATE=rate, DUR=0.0 if rate > 0 else e.duration_h)
    return rows


def regimen_to_nonmem(regimen: Regimen, id: Any = 1, *, amt_unit: str = "mg",
                      observation_times_h: Sequence[float] | None = None) -> pd.DataFrame:
    """A regimen as a NONMEM-style dataset; see :meth:`magpk.Regimen.to_nonmem`."""
    unit = _check_amt_unit(amt_unit)
    if isinstance(id, bool) or not isinstance(id, numbers.Real) or not math.isfinite(id):
        raise TypeError(f"id={id!r}: expected a finite number (NONMEM IDs are numeric)")
    unwritable = [(name, len(events)) for name, events in (
        ("diet changes", regimen.diet_events), ("fasts", regimen.fast_events),
        ("drugs", regimen.drug_events)) if events]
    if unwritable:
        raise ValueError(f"the regimen has {', '.join(f'{n} {name}' for name, n in unwritable)}"
                         f": a NONMEM dataset has no record for them; write the doses only "
                         f"(a Regimen built with oral, iv_bolus, iv_infusion and im)")
    rows = _dose_rows(regimen, unit)
    if observation_times_h is not None:
        times = np.asarray(observation_times_h, dtype=object)
        for value in times.ravel():
            rows.append({"TIME": _arguments.real("observation_times_h[]", value, minimum=0.0,
                                                 maximum=MAX_TIME_H),
                         "EVID": EVID_OBSERVATION, "MDV": 0})
    if not rows:
        raise ValueError("the regimen has no doses and observation_times_h gives no "
                         "observation: nothing to write")
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(["TIME", "EVID"], ascending=[True, False], kind="stable")
    columns = ["ID", "TIME", "AMT", "CMT", "EVID", "MDV", "II", "ADDL", "RATE", "DUR", "SS",
               "DV", "FORM"] + (["FOOD"] if regimen.oral_events and any(
                   e.with_food for e in regimen.oral_events) else [])
    integers = ("ID", "CMT", "EVID", "MDV", "ADDL", "SS", "FORM", "FOOD")
    frame["ID"] = id  # type: ignore[call-overload]  # pandas-stubs: no numbers.Real scalar
    for column in columns:
        if column not in frame:
            frame[column] = 0
        frame[column] = frame[column].fillna(0)
        if column in integers and not (column == "ID" and not float(id).is_integer()):
            frame[column] = frame[column].astype(np.int64)
        elif column != "ID":
            frame[column] = frame[column].astype(float)
    return frame[columns].reset_index(drop=True)
