"""Text and HTML renderings of Subject, Regimen and Result (for terminals and Jupyter)."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

from .forms import MG_PER_MMOL


def human_number(value: float | None) -> str:
    """A number as a person writes it: '2,051', '41.5', '0.887', '0'; 'n/a' for None/NaN.

    Never scientific notation for the magnitudes a regimen produces (up to 1e9)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    magnitude = abs(value)
    if magnitude == 0.0:
        return "0"
    if magnitude >= 1e9 or magnitude < 1e-3:
        return f"{value:.3g}"
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def html_table(rows: Iterable[tuple[str, Any]], title: str) -> str:
    body = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                   f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return (f"<table><caption style='text-align:left'><b>{html.escape(title)}</b></caption>"
            f"{body}</table>")


def _times(times: Sequence[float]) -> str:
    """'at 0 h', or 'every 12 h from 0 h' for evenly spaced times, else a short list."""
    if len(times) == 1:
        return f"at {duration_text(times[0])}"
    steps = {round(b - a, 9) for a, b in zip(times, times[1:])}
    if len(steps) == 1:
        return f"every {duration_text(steps.pop())} from {duration_text(times[0])}"
    shown = ", ".join(duration_text(t) for t in times[:4])
    return f"at {shown}{', ...' if len(times) > 4 else ''}"


def duration_text(hours: float) -> str:
    """'20 min' below an hour when a whole number of minutes, else '1.5 h'."""
    minutes = hours * 60.0
    if 0.0 < hours < 1.0 and abs(minutes - round(minutes)) < 1e-6:
        return f"{round(minutes):d} min"
    return f"{hours:.4g} h"


def _parenteral_amount(mmol: float, given: tuple[float, str]) -> str:
    """The dose in the unit it was given (e.g. '4 g MgSO4·7H2O (16.23 mmol Mg)')."""
    amount, unit = given
    if unit == "g MgSO4·7H2O":
        return f"{amount:.4g} {unit} ({mmol:.4g} mmol Mg)"
    return f"{mmol * MG_PER_MMOL:.4g} mg Mg ({mmol:.4g} mmol)"


def _infusion_rate(mmol: float, given: tuple[float, str], duration_h: float) -> str:
    amount, unit = given
    if unit == "g MgSO4·7H2O":
        return f"{amount / duration_h:.3g} g/h"
    return f"{mmol * MG_PER_MMOL / duration_h:.3g} mg/h"


def group_events(events: Sequence[Any], key: Any, time: Any) -> list[tuple[Any, list[float]]]:
    """Group events with the same key (in order of first time); returns (key, sorted times)."""
    groups: dict[Any, list[float]] = {}
    for event in sorted(events, key=time):
        groups.setdefault(key(event), []).append(time(event))
    return list(groups.items())


def regimen_lines(regimen: Any) -> list[str]:
    lines = []
    for (form, mmol, food), times in group_events(
            regimen.oral_events, lambda e: (e.form, e.elemental_mmol, e.with_food),
            lambda e: e.time_h):
        count = f"{len(times)} x " if len(times) > 1 else ""
        lines.append(f"oral {count}{mmol * MG_PER_MMOL:.4g} mg Mg as {form}"
                     f"{' with food' if food else ''} {_times(times)}")
    for (route, mmol, given), times in group_events(
            regimen.parenteral_events, lambda e: (e.route, e.mmol, e.given), lambda e: e.time_h):
        name = "IV bolus" if route == "iv_bolus" else "IM"
        count = f"{len(times)} x " if len(times) > 1 else ""
        lines.append(f"{name} {count}{_parenteral_amount(mmol, given)} {_times(times)}")
    for (duration, mmol, given), times in group_events(
            regimen.infusion_events, lambda e: (e.duration_h, e.mmol, e.given),
            lambda e: e.start_h):
        count = f"{len(times)} x " if len(times) > 1 else ""
        lines.append(f"IV infusion {count}{_parenteral_amount(mmol, given)} over "
                     f"{duration_text(duration)} ({_infusion_rate(mmol, given, duration)}) "
                     f"{_times(times)}")
    for event in sorted(regimen.diet_events, key=lambda e: e.time_h):
        lines.append(f"diet {event.mg_per_day:g} mg/day from {event.time_h:g} h")
    for event in sorted(regimen.fast_events, key=lambda e: e.start_h):
        lines.append(f"fast (no meals) from {event.start_h:g} h to {event.stop_h:g} h")
    for event in sorted(regimen.drug_events, key=lambda e: e.start_h):
        until = "" if event.stop_h == float("inf") else f" to {event.stop_h:g} h"
        lines.append(f"drug {event.name} from {event.start_h:g} h{until}")
    return lines or ["(no doses)"]
