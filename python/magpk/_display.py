"""Text and HTML renderings of Subject, Regimen and Result (for terminals and Jupyter)."""

from __future__ import annotations

import html
from typing import Any, Iterable, List, Sequence, Tuple

from .forms import MG_PER_MMOL


def html_table(rows: Iterable[Tuple[str, Any]], title: str) -> str:
    body = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                   f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return (f"<table><caption style='text-align:left'><b>{html.escape(title)}</b></caption>"
            f"{body}</table>")


def _times(times: Sequence[float]) -> str:
    """'at 0 h', or 'every 12 h from 0 h' for evenly spaced times, else a short list."""
    if len(times) == 1:
        return f"at {times[0]:g} h"
    steps = {round(b - a, 9) for a, b in zip(times, times[1:])}
    if len(steps) == 1:
        return f"every {steps.pop():g} h from {times[0]:g} h"
    shown = ", ".join(f"{t:g}" for t in times[:4])
    return f"at {shown}{', ...' if len(times) > 4 else ''} h"


def group_events(events: Sequence[Any], key: Any, time: Any) -> List[Tuple[Any, List[float]]]:
    """Group events with the same key (in order of first time); returns (key, sorted times)."""
    groups: dict = {}
    for event in sorted(events, key=time):
        groups.setdefault(key(event), []).append(time(event))
    return list(groups.items())


def regimen_lines(regimen: Any) -> List[str]:
    lines = []
    for (form, mmol, food), times in group_events(
            regimen.oral_events, lambda e: (e.form, e.elemental_mmol, e.with_food), lambda e: e.time_h):
        count = f"{len(times)} x " if len(times) > 1 else ""
        lines.append(f"oral {count}{mmol * MG_PER_MMOL:.4g} mg Mg as {form}"
                     f"{' with food' if food else ''} {_times(times)}")
    for (route, mmol), times in group_events(
            regimen.parenteral_events, lambda e: (e.route, e.mmol), lambda e: e.time_h):
        name = "IV bolus" if route == "iv_bolus" else "IM"
        count = f"{len(times)} x " if len(times) > 1 else ""
        lines.append(f"{name} {count}{mmol:.4g} mmol ({mmol * MG_PER_MMOL:.4g} mg) {_times(times)}")
    for (duration, mmol), times in group_events(
            regimen.infusion_events, lambda e: (e.duration_h, e.mmol), lambda e: e.start_h):
        count = f"{len(times)} x " if len(times) > 1 else ""
        lines.append(f"IV infusion {count}{mmol:.4g} mmol over {duration:g} h {_times(times)}")
    for event in sorted(regimen.diet_events, key=lambda e: e.time_h):
        lines.append(f"diet {event.mg_per_day:g} mg/day from {event.time_h:g} h")
    for event in sorted(regimen.fast_events, key=lambda e: e.start_h):
        lines.append(f"fast (no meals) from {event.start_h:g} h to {event.stop_h:g} h")
    for event in sorted(regimen.drug_events, key=lambda e: e.start_h):
        until = "" if event.stop_h == float("inf") else f" to {event.stop_h:g} h"
        lines.append(f"drug {event.name} from {event.start_h:g} h{until}")
    return lines or ["(no doses)"]
