"""What the command line prints: tables in one unit system, with the window of
every number and a legend line per derived column (``magpk compare``/``simulate``).

``units="mg"`` shows amounts in mg and serum in mg/dL; ``units="mmol"`` shows
amounts in mmol and serum in mmol/L. Percentages and hours are the same in both.
With ``--uncertainty N`` a value is followed by its interval, "26.0 (23.0–38.9)":
the 5th-95th percentile over N parameter draws (one legend line says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd

from . import _core
from ._display import human_number
from .forms import MG_DL_PER_MMOL_L, MG_PER_MMOL

#: Amount unit -> (mg or mmol per mmol, serum unit, serum factor from mmol/L).
UNIT_SYSTEMS: dict[str, tuple[float, str, float]] = {
    "mg": (MG_PER_MMOL, "mg/dL", MG_DL_PER_MMOL_L),
    "mmol": (1.0, "mmol/L", 1.0),
}


@dataclass(frozen=True)
class Column:
    """One shown quantity: a metric, how to scale it, its header and its meaning."""
    metric: str
    name: str              # header without the unit
    kind: str              # "amount", "serum", "auc", "percent", "hours", "text"
    meaning: str           # legend text; "{run}" is replaced by the run's length

    def unit(self, units: str) -> str:
        serum_unit = UNIT_SYSTEMS[units][1]
        return {"amount": units, "serum": serum_unit, "percent": "%", "hours": "h",
                "auc": f"{'mg·h/dL' if units == 'mg' else 'mmol·h/L'}", "text": ""}[self.kind]

    def header(self, units: str) -> str:
        unit = self.unit(units)
        return f"{self.name} ({unit})" if unit else self.name

    def scale(self, value: Any, units: str) -> Any:
        if value is None or self.kind == "text":
            return value
        amount_factor, _, serum_factor = UNIT_SYSTEMS[units]
        factor = {"amount": amount_factor, "serum": serum_factor, "auc": serum_factor,
                  "percent": 100.0, "hours": 1.0}[self.kind]
        return value * factor


_ABSORBED_MEANING = ("supplement Mg that crossed the gut wall (stable-isotope tracer), "
                     "over the {run}")
COMPARE_COLUMNS = (
    Column("fraction_absorbed", "absorbed", "percent", _ABSORBED_MEANING),
    Column("absorbed_supplement_mmol", "absorbed", "amount", _ABSORBED_MEANING),
    Column("absorbed_increment_mmol", "net extra", "amount",
           "extra Mg absorbed vs the same subject without supplement, over the {run}"),
    Column("urine_increment_24h_mmol", "urine +24h", "amount",
           "extra urinary Mg in the 24 h from the first dose"),
    Column("cmax_mmol_l", "serum max", "serum", "highest serum Mg over the {run}"),
    Column("diarrhea_probability", "P(diarrhea)", "percent",
           "risk of diarrhea on the worst day of the run (soluble fecal Mg)"),
    Column("evidence_grade", "evidence", "text", "what the form's modeled kinetics rest on"),
)

SIMULATE_ROWS = (
    Column("oral_supplement_mmol", "supplement given", "amount", "whole run"),
    Column("parenteral_mmol", "IV/IM Mg given", "amount", "whole run"),
    Column("fraction_absorbed", "fraction absorbed (tracer)", "percent", "whole run"),
    Column("absorbed_supplement_mmol", "absorbed from supplement", "amount", "whole run"),
    Column("absorbed_increment_mmol", "net extra absorbed vs baseline", "amount", "whole run"),
    Column("urine_increment_24h_mmol", "extra urine", "amount", "24 h from the first dose"),
    Column("urine_increment_mmol", "extra urine", "amount", "whole run"),
    Column("baseline_serum_mmol_l", "baseline serum", "serum", "daily mean without supplement"),
    Column("cmax_mmol_l", "serum max", "serum", "whole run"),
    Column("tmax_h", "time of serum max", "hours", "from t = 0"),
    Column("auc_above_baseline_mmol_h_l", "serum AUC above baseline", "auc", "whole run"),
    Column("time_hyper_h", "time serum above the hypermagnesemia threshold", "hours",
           "whole run"),
    Column("body_store_change_vs_baseline_mmol", "body store change vs baseline", "amount",
           "end of run"),
    Column("diarrhea_probability", "P(diarrhea)", "percent", "worst day"),
)
SERUM_ROW = next(row for row in SIMULATE_ROWS if row.metric == "baseline_serum_mmol_l")


def with_interval(value: float | None, low: float | None, high: float | None) -> str:
    """'26.0 (23.0–38.9)': a value and its interval; the value alone without one
    or when the draws do not move it (e.g. the dose given)."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return human_number(value)
    text, low_text, high_text = human_number(value), human_number(low), human_number(high)
    if low_text == text == high_text:
        return text
    return f"{text} ({low_text}–{high_text})"


def interval_legend(table: pd.DataFrame) -> list[str]:
    """The legend line of the intervals (none when the table has none)."""
    draws = table.attrs.get("uncertainty")
    if draws is None:
        return []
    from .uncertainty import describe
    return [f"  {'(a–b)':<22} {describe(draws.n, draws.seed)}"]


def compare_table(table: pd.DataFrame, units: str, run_h: float,
                  intervals: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """The compare_forms table as shown: headers with units, and the legend lines.
    With ``intervals`` (and a table from ``compare_forms(..., uncertainty=n)``)
    numeric cells are text: the value and its interval."""
    run = f"{run_h:g}-h run"
    shown = pd.DataFrame(index=table.index)
    legend: list[str] = []
    for column in COMPARE_COLUMNS:
        header = column.header(units)
        values = [column.scale(v, units) for v in table[column.metric]]
        if intervals and f"{column.metric}_p5" in table.columns:
            lows = [column.scale(v, units) for v in table[f"{column.metric}_p5"]]
            highs = [column.scale(v, units) for v in table[f"{column.metric}_p95"]]
            values = [with_interval(*cell) for cell in zip(values, lows, highs)]
        shown[header] = values
        legend.append(f"  {header:<22} {column.meaning.format(run=run)}")
    if intervals:
        legend += interval_legend(table)
    return shown, legend


def unresolved_note(table: pd.DataFrame, units: str) -> list[str]:
    """Which differences from the first form the parameter draws do not resolve
    (paired 90 % interval of the difference includes 0); none without draws."""
    draws = table.attrs.get("uncertainty")
    if draws is None or len(table.index) < 2:
        return []
    reference = table.index[0]
    unresolved: dict[str, list[str]] = {}
    for column in COMPARE_COLUMNS:
        if column.kind == "text":
            continue
        differences = draws.differences(column.metric, reference)
        for form in differences.index[~differences["resolved"].astype(bool)]:
            unresolved.setdefault(form, []).append(column.header(units))
    fixed = ("only calibrated parameters vary: a difference that rests on an assumed one, "
             "e.g. glycinate's chelate route, is not tested")
    if not unresolved:
        return [f"note: every difference from {reference} is resolved by the draws (paired "
                f"90 % interval excludes 0); {fixed}"]
    parts = "; ".join(f"{form}: {', '.join(headers)}" for form, headers in unresolved.items())
    return [f"note: not resolved vs {reference} (paired 90 % interval of the difference "
            f"includes 0): {parts}; {fixed}"]


def formatters(shown: pd.DataFrame) -> Mapping[str, Callable[[Any], str]]:
    """Human number formatting for every numeric column of a shown table."""
    return {name: human_number for name in shown.columns
            if pd.api.types.is_numeric_dtype(shown[name])}


#: Rows shown only when the regimen has that route: metric -> the amount given by it.
_SHOWN_WHEN_GIVEN = {"oral_supplement_mmol": "oral_supplement_mmol",
                     "fraction_absorbed": "oral_supplement_mmol",
                     "absorbed_supplement_mmol": "oral_supplement_mmol",
                     "absorbed_increment_mmol": "oral_supplement_mmol",
                     "parenteral_mmol": "parenteral_mmol"}


def simulate_rows(metrics: Mapping[str, float | None], units: str) -> list[str]:
    """One line per key metric: label, value, unit and the window it covers."""
    hyper = SERUM_ROW.scale(_core.serum_thresholds_above()[0], units)
    rows: list[tuple[str, str, str, str]] = []
    for column in SIMULATE_ROWS:
        if column.metric in _SHOWN_WHEN_GIVEN and not metrics.get(_SHOWN_WHEN_GIVEN[column.metric]):
            continue
        label = column.name
        if column.metric == "time_hyper_h":
            label = f"time serum > {human_number(hyper)} {SERUM_ROW.unit(units)}"
        value = human_number(column.scale(metrics.get(column.metric), units))
        if f"{column.metric}_p5" in metrics:  # simulate(..., uncertainty=n)
            value = with_interval(*(column.scale(metrics.get(f"{column.metric}{suffix}"), units)
                                    for suffix in ("", "_p5", "_p95")))
        rows.append((label, value, column.unit(units), column.meaning))
    width = max(len(row[0]) for row in rows)
    value_width = max(9, *(len(row[1]) for row in rows))
    return [f"  {label:<{width}}  {value:>{value_width}} {unit:<9} {window}"
            for label, value, unit, window in rows]
