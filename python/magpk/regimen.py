"""Dosing regimens: oral supplements, parenteral MgSO4 and diet changes.

A :class:`Regimen` is immutable: every method returns a new regimen, so
regimens can be built by chaining and reused safely.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import _arguments, _core
from .forms import MG_PER_MMOL, check_form, elemental_fraction, mgso4_heptahydrate_mmol_per_g

#: Largest number of dose events a regimen may hold.
MAX_EVENTS = 1_000_000
#: Shortest infusion accepted (h); a shorter one is an IV bolus.
MIN_INFUSION_H = 1e-3
#: Latest event time, longest dosing interval and longest run accepted, hours (20 years; the
#: core's limit).
MAX_TIME_H: float = _core.MAX_RUN_H


@dataclass(frozen=True)
class OralEvent:
    time_h: float
    form: str
    elemental_mmol: float
    with_food: bool


@dataclass(frozen=True)
class ParenteralEvent:
    route: str  # "iv_bolus" or "im"
    time_h: float
    mmol: float
    # the dose as the user gave it, (amount, unit), for displays
    given: tuple[float, str] = field(default=(0.0, ""), compare=False)


@dataclass(frozen=True)
class InfusionEvent:
    start_h: float
    duration_h: float
    mmol: float
    # the dose as the user gave it, (amount, unit), for displays
    given: tuple[float, str] = field(default=(0.0, ""), compare=False)


@dataclass(frozen=True)
class DietEvent:
    time_h: float
    mg_per_day: float


@dataclass(frozen=True)
class FastEvent:
    start_h: float
    stop_h: float


@dataclass(frozen=True)
class DrugEvent:
    name: str
    start_h: float
    stop_h: float  # math.inf: to the end of the run


#: Drugs that change Mg handling, accepted by :meth:`Regimen.drug`.
DRUGS = ("ppi", "loop", "thiazide")


def _time(name: str, value: Any) -> float:
    return _arguments.real(name, value, minimum=0.0, maximum=MAX_TIME_H,
                           allowed=f"allowed: 0 to {MAX_TIME_H:g} h")


def _renamed_start_h(start_h: float, at_h: float | None, method: str) -> float:
    """``start_h``, or the deprecated ``at_h`` (0.1's name for a bolus or IM time)."""
    if at_h is None:
        return start_h
    if start_h != 0.0:
        raise ValueError(f"{method}(start_h={start_h!r}, at_h={at_h!r}): give start_h only "
                         "(at_h is its deprecated name)")
    warnings.warn(f"Regimen.{method}(at_h=...) is deprecated: use start_h=..., the time keyword "
                  "of every event; at_h will be removed in the release after 0.2",
                  DeprecationWarning, stacklevel=3)
    return at_h


def _schedule(start_h: Any, every_h: Any, count: Any, days: Any, times_h: Any,
              start_name: str) -> list[float]:
    """Dose times from a start, a repeat (every_h with count or days) or a custom list."""
    if times_h is not None:
        if every_h is not None or count is not None or days is not None:
            raise ValueError("times_h cannot be combined with every_h, count or days")
        if (isinstance(times_h, (str, bytes)) or not hasattr(times_h, "__iter__")
                or (isinstance(times_h, np.ndarray) and times_h.ndim != 1)):
            raise TypeError(f"times_h={times_h!r}: expected a sequence of times in hours")
        if len(times_h) > MAX_EVENTS:
            raise ValueError(f"times_h has {len(times_h):,} entries: allowed at most "
                             f"{MAX_EVENTS:,}")
        times = [_time("times_h[]", t) for t in times_h]
        if not times:
            raise ValueError("times_h=[]: give at least one time")
        return sorted(times)
    start = _time(start_name, start_h)
    if every_h is None:
        if count is not None or days is not None:
            raise ValueError(f"count={count!r}/days={days!r} need every_h (the dosing interval)")
        return [start]
    every = _arguments.real("every_h", every_h, strictly_positive=True, maximum=MAX_TIME_H,
                            allowed="allowed: > 0 h")
    if count is None and days is None:
        raise ValueError(f"every_h={every_h!r} needs count=<number of doses> or days=<duration>")
    if count is not None and days is not None:
        raise ValueError("give either count or days, not both")
    if days is not None:
        span_h = 24.0 * _arguments.real("days", days, strictly_positive=True,
                                        maximum=MAX_TIME_H / 24.0)
        n = max(1, math.ceil(span_h / every - 1e-9))  # days > 0 gives at least one dose
        if n > MAX_EVENTS:
            raise ValueError(f"days={days!r} with every_h={every_h!r} gives {n:,} doses: "
                             f"allowed at most {MAX_EVENTS:,}")
    else:
        n = _arguments.count("count", count, maximum=MAX_EVENTS)
    return [start + i * every for i in range(n)]


def mgso4_g_per_kg(weight_kg: float, mg_per_kg: float, *, max_g: float | None = None) -> float:
    """Grams of MgSO4·7H2O for a weight-based dose (pediatric practice), e.g. acute
    asthma 25-75 mg/kg, maximum 2 g (NAEPP EPR-3): ``mgso4_g_per_kg(20, 50, max_g=2)``
    gives 1.0 g, to pass as ``Regimen().iv_infusion(mgso4_g=..., duration_h=1/3)``."""
    weight = _arguments.real("weight_kg", weight_kg, strictly_positive=True, maximum=250.0,
                             allowed="allowed: > 0 and <= 250 kg")
    dose = _arguments.real("mg_per_kg", mg_per_kg, strictly_positive=True, maximum=500.0,
                           allowed="allowed: > 0 and <= 500 mg/kg")
    grams = weight * dose / 1000.0
    if max_g is not None:
        grams = min(grams, _arguments.real("max_g", max_g, strictly_positive=True,
                                           maximum=1000.0, allowed="allowed: > 0 and <= 1000 g"))
    return grams


def _parenteral_dose(mgso4_g: Any, dose_mg: Any) -> tuple[float, tuple[float, str]]:
    """Elemental mmol of a parenteral dose, and the dose in the unit it was given."""
    if (mgso4_g is None) == (dose_mg is None):
        raise ValueError(f"give exactly one of mgso4_g (MgSO4·7H2O grams) or dose_mg (elemental "
                         f"mg); got mgso4_g={mgso4_g!r}, dose_mg={dose_mg!r}")
    if mgso4_g is not None:
        grams = _arguments.real("mgso4_g", mgso4_g, strictly_positive=True, maximum=1000.0,
                                allowed="allowed: > 0 and <= 1000 g")
        return grams * mgso4_heptahydrate_mmol_per_g(), (grams, "g MgSO4·7H2O")
    mg = _arguments.real("dose_mg", dose_mg, strictly_positive=True, maximum=1e6,
                         allowed="allowed: > 0 and <= 1e6 mg")
    return mg / MG_PER_MMOL, (mg, "mg Mg")


@dataclass(frozen=True)
class Regimen:
    """An immutable list of dosing events. Build it by chaining::

        magpk.Regimen().oral("glycinate", dose_mg=200, every_h=12, count=60)

    Times are hours from the start of the simulation. Doses at the same
    instant add; doses after the simulation end are ignored.
    """

    oral_events: tuple[OralEvent, ...] = ()
    parenteral_events: tuple[ParenteralEvent, ...] = ()
    infusion_events: tuple[InfusionEvent, ...] = ()
    diet_events: tuple[DietEvent, ...] = ()
    fast_events: tuple[FastEvent, ...] = ()
    drug_events: tuple[DrugEvent, ...] = ()

    def _n_events(self) -> int:
        return (len(self.oral_events) + len(self.parenteral_events) + len(self.infusion_events)
                + len(self.diet_events) + len(self.fast_events) + len(self.drug_events))

    def _add(self, field: str, events: Sequence[Any]) -> Regimen:
        if self._n_events() + len(events) > MAX_EVENTS:
            raise ValueError(f"regimen would hold {self._n_events() + len(events):,} events: "
                             f"allowed at most {MAX_EVENTS:,}")
        return replace(self, **{field: getattr(self, field) + tuple(events)})

    def oral(self, form: str, dose_mg: float, *, every_h: float | None = None,
             count: int | None = None, days: float | None = None, start_h: float = 0.0,
             times_h: Sequence[float] | None = None, basis: str = "elemental",
             with_food: bool = False) -> Regimen:
        """Oral doses of a supplement form.

        ``dose_mg`` is elemental Mg per dose (``basis="elemental"``, default) or
        the compound mass as on a label (``basis="compound"``: "500 mg magnesium
        glycinate" is ~70 mg Mg). Give one dose at ``start_h``, a repeat
        (``every_h`` with ``count`` doses or ``days``), or a list ``times_h``.
        ``with_food=True``: taken with a meal; the stomach is fed for the fed
        period from the dose (a dose away from the subject's scheduled meals
        comes with a Mg-free snack). ``with_food=False``: the dose adds no food;
        whether the gut is fed then follows the subject's meal schedule (t = 0
        is 07:00 by default, an hour before breakfast).
        """
        check_form(form)
        mg = _arguments.real("dose_mg", dose_mg, strictly_positive=True, maximum=1e6,
                             allowed="allowed: > 0 and <= 1e6 mg")
        _arguments.choice("basis", basis, ("elemental", "compound"))
        _arguments.boolean("with_food", with_food)
        elemental = mg * elemental_fraction(form) if basis == "compound" else mg
        times = _schedule(start_h, every_h, count, days, times_h, "start_h")
        return self._add("oral_events", [OralEvent(t, form, elemental / MG_PER_MMOL, with_food)
                                         for t in times])

    def iv_bolus(self, mgso4_g: float | None = None, *, dose_mg: float | None = None,
                 start_h: float = 0.0, every_h: float | None = None,
                 count: int | None = None, at_h: float | None = None) -> Regimen:
        """IV bolus of MgSO4·7H2O (``mgso4_g`` grams) or elemental ``dose_mg`` at
        ``start_h`` (repeated with ``every_h`` and ``count``). ``at_h`` is the
        deprecated name of ``start_h``."""
        mmol, given = _parenteral_dose(mgso4_g, dose_mg)
        start = _renamed_start_h(start_h, at_h, "iv_bolus")
        times = _schedule(start, every_h, count, None, None, "start_h")
        return self._add("parenteral_events",
                         [ParenteralEvent("iv_bolus", t, mmol, given) for t in times])

    def im(self, mgso4_g: float | None = None, *, dose_mg: float | None = None,
           start_h: float = 0.0, every_h: float | None = None,
           count: int | None = None, at_h: float | None = None) -> Regimen:
        """Intramuscular MgSO4 injection (depot with first-order release) at
        ``start_h`` (repeated with ``every_h`` and ``count``). ``at_h`` is the
        deprecated name of ``start_h``."""
        mmol, given = _parenteral_dose(mgso4_g, dose_mg)
        start = _renamed_start_h(start_h, at_h, "im")
        times = _schedule(start, every_h, count, None, None, "start_h")
        return self._add("parenteral_events",
                         [ParenteralEvent("im", t, mmol, given) for t in times])

    def iv_infusion(self, mgso4_g: float | None = None, *, dose_mg: float | None = None,
                    start_h: float = 0.0, duration_h: float, every_h: float | None = None,
                    count: int | None = None) -> Regimen:
        """Constant-rate IV infusion: ``mgso4_g`` (or ``dose_mg``) is the total
        given over ``duration_h``. Overlapping infusions add up."""
        mmol, given = _parenteral_dose(mgso4_g, dose_mg)
        duration = _arguments.real("duration_h", duration_h, minimum=MIN_INFUSION_H,
                                   maximum=MAX_TIME_H,
                                   allowed=f"allowed: {MIN_INFUSION_H:g} h (3.6 s) to "
                                            f"{MAX_TIME_H:g} h; use iv_bolus for a push")
        times = _schedule(start_h, every_h, count, None, None, "start_h")
        return self._add("infusion_events",
                         [InfusionEvent(t, duration, mmol, given) for t in times])

    def diet(self, mg_per_day: float, *, start_h: float) -> Regimen:
        """Change background dietary intake to ``mg_per_day`` from ``start_h`` on."""
        intake = _arguments.real("mg_per_day", mg_per_day, minimum=0.0, maximum=5000.0,
                                 allowed="allowed: 0-5000 mg/day")
        return self._add("diet_events", [DietEvent(_time("start_h", start_h), intake)])

    def fast(self, start_h: float, stop_h: float) -> Regimen:
        """No meals from ``start_h`` to ``stop_h`` (a fasted study protocol):
        scheduled meals that would start in ``[start_h, stop_h)`` are skipped,
        with their Mg; a meal already being digested at ``start_h`` continues."""
        start = _time("start_h", start_h)
        stop = _time("stop_h", stop_h)
        if stop <= start:
            raise ValueError(f"stop_h={stop_h!r}: must be after start_h={start_h!r}")
        return self._add("fast_events", [FastEvent(start, stop)])

    def drug(self, name: str, start_h: float = 0.0, stop_h: float | None = None) -> Regimen:
        """A drug that changes Mg handling, taken from ``start_h`` until ``stop_h``
        (``None``: to the end of the run). ``name``: ``"ppi"`` (proton-pump
        inhibitor: lower transcellular absorption and gastric acid), ``"loop"``
        (loop diuretic: lower renal reabsorption in the thick ascending limb),
        ``"thiazide"`` (distal convoluted tubule). For a drug taken throughout,
        the ``Subject`` flags ``ppi=`` and ``diuretic=`` are equivalent."""
        if not isinstance(name, str):
            raise TypeError(f"name={name!r}: expected one of {', '.join(map(repr, DRUGS))}")
        _arguments.choice("name", name, DRUGS)
        start = _time("start_h", start_h)
        stop = math.inf if stop_h is None else _time("stop_h", stop_h)
        if stop <= start:
            raise ValueError(f"stop_h={stop_h!r}: must be after start_h={start_h!r}")
        return self._add("drug_events", [DrugEvent(name, start, stop)])

    @classmethod
    def from_nonmem(cls, dataset: Any, *, amt_unit: str, form: str | None = None,
                    id: Any = None) -> Regimen:
        """The doses of one individual of a NONMEM-style dataset (a DataFrame).

        Columns (any case): ``TIME`` (h) and optionally ``ID``, ``AMT`` (elemental
        Mg in ``amt_unit``, ``"mg"`` or ``"mmol"``), ``CMT`` (1 oral, 2 IV, 3 IM),
        ``EVID``, ``II``, ``ADDL``, ``RATE`` (> 0: IV infusion of ``AMT`` at
        ``RATE`` per hour), ``DUR`` (> 0: IV infusion over ``DUR`` hours),
        ``SS`` (0 only), ``MDV``, ``DV``, ``FORM`` (form id, or its position in
        :func:`magpk.form_ids`; else ``form=``) and ``FOOD`` (1: with a meal).
        Observation records are ignored. ``id`` selects the individual when the
        dataset holds several. The rules and what is refused are in the user
        guide, "NONMEM datasets"; :func:`magpk.simulate_dataset` simulates a whole
        dataset."""
        from .nonmem import regimen_from_nonmem
        return regimen_from_nonmem(dataset, amt_unit=amt_unit, form=form, id=id)

    def to_nonmem(self, id: Any = 1, *, amt_unit: str = "mg",
                  observation_times_h: Sequence[float] | None = None) -> Any:
        """The regimen as a NONMEM-style dataset (a DataFrame, numeric columns, no ``.``).

        One dose record per run of equal, equally spaced doses (``ADDL`` and
        ``II`` for the repeats): ``CMT`` 1 oral (``FORM``: the form's position in
        :func:`magpk.form_ids`; ``FOOD`` 1 when taken with a meal, a column only
        when some dose is), 2 IV (``RATE`` = ``AMT`` per hour for an infusion),
        3 IM; ``AMT`` is elemental Mg in ``amt_unit``; ``MDV`` is 1 on doses, 0 on
        the observation records (``DV`` 0) added at ``observation_times_h``.
        ``Regimen.from_nonmem(r.to_nonmem(), amt_unit="mg")`` equals ``r`` when
        ``r``'s events were added in time order. Diet changes, fasts and drugs
        have no NONMEM record: refused."""
        from .nonmem import regimen_to_nonmem
        return regimen_to_nonmem(self, id, amt_unit=amt_unit,
                                 observation_times_h=observation_times_h)

    def __repr__(self) -> str:
        from ._display import regimen_lines
        return "Regimen(\n" + "".join(f"  {line}\n" for line in regimen_lines(self)) + ")"

    def _repr_html_(self) -> str:
        from ._display import html_table, regimen_lines
        return html_table([(str(i + 1), line) for i, line in enumerate(regimen_lines(self))],
                          "magpk.Regimen")

    def __add__(self, other: Regimen) -> Regimen:
        if not isinstance(other, Regimen):
            return NotImplemented
        result = self
        for name in ("oral_events", "parenteral_events", "infusion_events", "diet_events",
                     "fast_events", "drug_events"):
            result = result._add(name, getattr(other, name))
        return result

    def _to_core(self) -> _core.Regimen:
        """The core's regimen (built once per Regimen: regimens are immutable)."""
        cached: _core.Regimen | None = self.__dict__.get("_core_regimen")
        if cached is not None:
            return cached
        regimen = _core.Regimen()
        regimen.oral = [_core.OralDose(e.time_h, e.form, e.elemental_mmol, e.with_food)
                        for e in self.oral_events]
        regimen.iv_bolus = [_core.ParenteralDose(e.time_h, e.mmol)
                            for e in self.parenteral_events if e.route == "iv_bolus"]
        regimen.im = [_core.ParenteralDose(e.time_h, e.mmol)
                      for e in self.parenteral_events if e.route == "im"]
        regimen.infusions = [_core.Infusion(e.start_h, e.duration_h, e.mmol)
                             for e in self.infusion_events]
        regimen.diet_changes = [_core.DietChange(e.time_h, e.mg_per_day) for e in self.diet_events]
        regimen.fasts = [_core.Fast(e.start_h, e.stop_h) for e in self.fast_events]
        regimen.drugs = [_core.DrugPeriod(getattr(_core.Drug, e.name), e.start_h, e.stop_h)
                         for e in self.drug_events]
        object.__setattr__(self, "_core_regimen", regimen)
        return regimen
