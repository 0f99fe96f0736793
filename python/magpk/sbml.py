"""Export a regimen for one subject as an SBML Level 3 model (the optional extra ``magpk[sbml]``).

:func:`to_sbml` writes the whole model of ``docs/model.md`` for one subject and one regimen:
every compartment pool as a species (amounts in mmol), every flux as a reaction, the subject's
derived quantities and the physiological parameters under the names of
:func:`magpk.parameters`, and everything that happens at a time -- doses, the start and end of
infusions, meals, fed periods, diet changes and drug periods -- as events. The initial amounts
are magpk's own steady state at t = 0, so the exported model reproduces ``magpk.simulate`` on
``[0, t_end_h]`` (``tests/python/test_sbml.py`` checks it in libRoadRunner). It is written with
python-libsbml, imported only when :func:`to_sbml` is called.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from . import _arguments, _core
from ._display import regimen_lines
from .forms import MG_PER_MMOL, catalogue
from .regimen import MAX_TIME_H, Regimen
from .simulate import check_regimen_and_subject, simulate
from .subject import Subject

__all__ = ["to_sbml"]

SBML_LEVEL = 3
SBML_VERSION = 2
#: Largest number of events (times at which something happens) an export may hold; a run of
#: many months with meals (six events a day) exceeds it.
MAX_EVENTS = 10_000
#: Without ``t_end_h``, the exported run ends this long after the regimen's last event (as the
#: command line's default).
DEFAULT_TAIL_H = 48.0
_MAX_T_END_H = MAX_TIME_H  # as magpk.simulate
#: Length of the magpk run whose first row gives the steady state at t = 0 (any > 0 will do).
_STEADY_PROBE_H = 1.0

# Constants of the core that are not parameters (cpp/include/magpk/units.hpp, subject.cpp,
# model.cpp).
HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.25
#: Allometric scaling of the intercompartmental clearance: (weight / 70 kg)^0.75.
ALLOMETRIC_REFERENCE_KG = 70.0
ALLOMETRIC_EXPONENT = 0.75
#: mmol of Mg dissolved per mmol of gastric acid (MgO + 2 H+ -> Mg2+ + H2O).
MG_PER_ACID = 0.5

#: The core's fixed states in the order of its state vector (cpp/include/magpk/model.hpp,
#: namespace idx); the undissolved pools follow, in the order of ``SimulationResult.pool_forms``.
CORE_STATES: tuple[str, ...] = (
    "si_diet", "si_sup", "si_chelate", "colon_diet", "colon_sup", "colon_solid", "stomach_sup",
    "plasma", "peripheral", "tissue", "tissue_bound", "bone", "deep_bone", "im_depot",
    "absorbed_cum", "absorbed_sup_cum", "urine_cum", "feces_cum", "secreted_cum",
    "diet_in_cum", "infused_cum", "serum_auc", "feces_soluble_cum", "filtered_cum",
    "sweat_cum", "thiazide_effect",
)

#: SBML compartments: id -> what it holds. Only the extracellular fluid and the fast peripheral
#: pool have a volume in the model; the others get a nominal 1 L: their pools are amounts, so
#: their size is never used.
COMPARTMENTS: dict[str, str] = {
    "stomach": "stomach and upper gut: undissolved salt, dissolved supplement before emptying",
    "small_intestine": "small-intestinal lumen",
    "colon": "colon lumen",
    "ecf": "extracellular fluid (central compartment; serum = plasma / ecf)",
    "peripheral_space": "fast peripheral pool (rapidly exchangeable cell Mg)",
    "cells": "intracellular Mg (exchangeable and bound)",
    "skeleton": "bone surface and deep bone",
    "muscle": "intramuscular MgSO4 depot",
    "excreta": "what has left the body since t = 0",
}
#: SBML species: id -> (compartment, what it holds). The ids are the core's state names.
SPECIES: dict[str, tuple[str, str]] = {
    "stomach_sup": ("stomach", "dissolved supplement Mg before gastric emptying (G)"),
    "si_diet": ("small_intestine", "dissolved unlabeled Mg: meals and secretions (S_d)"),
    "si_sup": ("small_intestine", "dissolved ionic supplement Mg (S_s)"),
    "si_chelate": ("small_intestine", "supplement Mg still bound as intact chelate (S_c)"),
    "colon_diet": ("colon", "dissolved unlabeled Mg (C_d)"),
    "colon_sup": ("colon", "dissolved supplement Mg (C_s)"),
    "colon_solid": ("colon", "undissolved supplement that left the small intestine (C_x)"),
    "plasma": ("ecf", "Mg in the extracellular fluid (P)"),
    "peripheral": ("peripheral_space", "fast peripheral pool (P_p)"),
    "tissue": ("cells", "exchangeable intracellular Mg (T)"),
    "tissue_bound": ("cells", "bound intracellular Mg, constant (T_b)"),
    "bone": ("skeleton", "exchangeable bone-surface Mg (B)"),
    "deep_bone": ("skeleton", "deep bone Mg (B_d)"),
    "im_depot": ("muscle", "intramuscular depot not yet released (D)"),
    "urine_cum": ("excreta", "urinary Mg since t = 0 (U)"),
    "feces_cum": ("excreta", "fecal Mg since t = 0 (F)"),
    "sweat_cum": ("excreta", "sweat Mg since t = 0 (W)"),
}
#: Species whose amount never changes (no reaction touches them).
CONSTANT_SPECIES = ("tissue_bound",)

#: Physiological parameters the exported kinetics use, under their names in magpk.parameters().
USED_PARAMETERS: tuple[str, ...] = (
    "si_transit_time_h", "fed_transit_time_factor", "fed_state_duration_h",
    "gastric_half_emptying_fasting_h", "gastric_half_emptying_fed_h", "si_vmax_mmol_h",
    "si_km_mmol", "si_paracellular_per_h", "colon_transit_time_h", "colon_vmax_mmol_h",
    "dissolution_soluble_per_h", "dissolution_oxide_per_h", "dissolution_hydroxide_per_h",
    "basal_acid_output_mmol_h", "fed_acid_output_mmol_h", "ppi_acid_output_factor",
    "chelate_intact_fraction", "upper_gi_secretion_l_per_day", "upper_gi_secretion_mg_mmol_l",
    "ppi_transcellular_factor", "peripheral_volume_l_per_kg", "intercompartmental_clearance_l_h",
    "ultrafilterable_fraction", "renal_splay", "loop_diuretic_tm_factor", "thiazide_tm_factor",
    "im_absorption_per_h", "im_bioavailability", "thiazide_onset_half_life_h",
    "reference_serum_mmol_l", "bone_exchangeable_fraction_of_body_mg",
    "tissue_exchange_half_life_h", "bone_exchange_half_life_h", "deep_bone_fraction_of_body_mg",
    "deep_bone_turnover_per_year", "sweat_mg_per_day", "store_uptake_half_serum_mmol_l",
    "store_uptake_hill", "laxation_load50_mmol",
)

#: SBML unit definitions: id -> [(kind, exponent, scale, multiplier)]; a unit is
#: (multiplier 10^scale kind)^exponent. Volumes are in liters, spelled out as cubic decimeters.
UNITS: dict[str, list[tuple[str, int, int, float]]] = {
    "liter": [("metre", 3, -1, 1.0)],  # (0.1 m)^3: SBML's base volume unit written out
    "hour": [("second", 1, 0, 3600.0)],
    "mmol": [("mole", 1, -3, 1.0)],
    "per_hour": [("second", -1, 0, 3600.0)],
    "per_year": [("second", -1, 0, 3600.0 * HOURS_PER_DAY * DAYS_PER_YEAR)],
    "mmol_per_hour": [("mole", 1, -3, 1.0), ("second", -1, 0, 3600.0)],
    "mmol_per_liter": [("mole", 1, -3, 1.0), ("metre", -3, -1, 1.0)],
    "mmol_per_kg": [("mole", 1, -3, 1.0), ("kilogram", -1, 0, 1.0)],
    "liter_per_hour": [("metre", 3, -1, 1.0), ("second", -1, 0, 3600.0)],
    "liter_per_day": [("metre", 3, -1, 1.0), ("second", -1, 0, 3600.0 * HOURS_PER_DAY)],
    "liter_per_kg": [("metre", 3, -1, 1.0), ("kilogram", -1, 0, 1.0)],
    "kg": [("kilogram", 1, 0, 1.0)],
    "mg_per_day": [("gram", 1, -3, 1.0), ("second", -1, 0, 3600.0 * HOURS_PER_DAY)],
    "mg_per_mmol": [("gram", 1, -3, 1.0), ("mole", -1, -3, 1.0)],
    # ratios of two time units: dimensionless numbers (24 h per day = 1)
    "hour_per_day": [("dimensionless", 1, 0, 1.0 / HOURS_PER_DAY)],
    "hour_per_year": [("dimensionless", 1, 0, 1.0 / (HOURS_PER_DAY * DAYS_PER_YEAR))],
}
#: magpk.parameters() unit -> SBML unit id.
PARAMETER_UNITS: dict[str, str] = {
    "h": "hour", "-": "dimensionless", "mmol/h": "mmol_per_hour", "mmol": "mmol",
    "1/h": "per_hour", "mmol H+/h": "mmol_per_hour", "L/day": "liter_per_day",
    "mmol/L": "mmol_per_liter", "mmol/L GF": "mmol_per_liter", "L/kg": "liter_per_kg",
    "L/h": "liter_per_hour", "mmol/kg": "mmol_per_kg", "1/year": "per_year",
    "mg/day": "mg_per_day",
}

_INSTALL_HINT = 'to_sbml needs python-libsbml: pip install "magpk[sbml]"'


def _libsbml() -> Any:
    try:
        import libsbml
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    return libsbml


# ---------------------------------------------------------------------------
# What to write: the subject, the pools and the schedule of events
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Pool:
    """An undissolved pool of one pure form."""

    form_id: str
    rate_parameter: str  # dissolution_<class>_per_h
    chelate: bool        # a share chelate_intact_fraction enters si_chelate
    acid_limited: bool   # basic salts share the gastric acid

    @property
    def species(self) -> str:
        return f"undissolved_{self.form_id}"


@dataclass
class Inputs:
    """The piecewise-constant inputs from one event to the next (cpp/src/schedule.cpp)."""

    fed: bool = False
    meal_share: float = 0.0  # share of the day's diet emptying now (sum over meals)
    diet_mg_per_day: float = 0.0
    infusion_mmol_h: float = 0.0
    ppi: bool = False
    loop: bool = False
    thiazide: bool = False

    def values(self) -> dict[str, tuple[float, str]]:
        """SBML parameter id -> (value, unit)."""
        return {"fed": (float(self.fed), "dimensionless"),
                "meal_share": (self.meal_share, "dimensionless"),
                "diet_mg_per_day": (self.diet_mg_per_day, "mg_per_day"),
                "infusion_mmol_h": (self.infusion_mmol_h, "mmol_per_hour"),
                "ppi_taken": (float(self.ppi), "dimensionless"),
                "loop_taken": (float(self.loop), "dimensionless"),
                "thiazide_taken": (float(self.thiazide), "dimensionless")}


@dataclass
class Doses:
    """The instantaneous doses at one time (mmol of elemental Mg)."""

    undissolved: dict[str, float] = field(default_factory=dict)  # pure form -> mmol
    dissolved: float = 0.0  # into the stomach
    iv_bolus: float = 0.0
    im: float = 0.0

    def any(self) -> bool:
        return bool(self.undissolved) or self.dissolved > 0 or self.iv_bolus > 0 or self.im > 0


@dataclass
class Breakpoint:
    time_h: float
    inputs: Inputs  # in force from time_h to the next breakpoint
    doses: Doses


@dataclass
class Plan:
    """Everything :func:`to_sbml` writes."""

    subject: Subject
    regimen: Regimen
    t_end_h: float
    pools: list[Pool]
    breakpoints: list[Breakpoint]
    initial: dict[str, float]  # species or thiazide_effect -> value at t = 0, before events
    derived: dict[str, float]  # the subject's quantities from the core
    parameters: dict[str, tuple[float, str]]  # name -> (value, magpk unit)


def default_t_end_h(regimen: Regimen) -> float:
    """The regimen's last event (dose, end of an infusion, diet change, end of a fast, start
    or end of a drug) plus :data:`DEFAULT_TAIL_H`."""
    times = [0.0]
    times += [e.time_h for e in regimen.oral_events + regimen.parenteral_events]
    times += [e.start_h + e.duration_h for e in regimen.infusion_events]
    times += [e.time_h for e in regimen.diet_events]
    times += [e.stop_h for e in regimen.fast_events]
    times += [t for e in regimen.drug_events for t in (e.start_h, e.stop_h) if math.isfinite(t)]
    return max(times) + DEFAULT_TAIL_H


def pure_parts(form_id: str) -> list[tuple[str, float]]:
    """A form's pure components with their elemental shares (itself for a pure form)."""
    components = catalogue()[form_id]["components"]
    return [(fid, float(share)) for fid, share in components] or [(form_id, 1.0)]


def _pool_of(form_id: str) -> Pool | None:
    """The undissolved pool of a pure form (None for an already dissolved form)."""
    form = catalogue()[form_id]
    kind = str(form["dissolution"])
    if kind == "dissolved":
        return None
    for prefix, acid_limited in (("soluble", False), ("oxide", True), ("hydroxide", True)):
        if kind.startswith(prefix):
            return Pool(form_id, f"dissolution_{prefix}_per_h", bool(form["chelate_route"]),
                        acid_limited)
    raise ValueError(f"form {form_id!r}: dissolution class {kind!r} has no SBML export")


#: (start, stop, kind, meal share) of a meal, a fed period or a drug period.
_Interval = tuple[float, float, str, float]


def _intervals(regimen: Regimen, subject: Subject, fed_h: float,
               t_end: float) -> list[_Interval]:
    """(start, stop, kind, meal share) of meals, fed periods of doses with food and drug
    periods (cpp/src/schedule.cpp, effect_intervals)."""
    out: list[_Interval] = []
    for clock, share in subject._meal_pairs:
        t = clock - subject.start_clock_h
        while t + fed_h > 0.0:
            t -= HOURS_PER_DAY
        t += HOURS_PER_DAY
        while t < t_end:
            if not any(f.start_h <= t < f.stop_h for f in regimen.fast_events):
                out.append((t, t + fed_h, "meal", share))
            t += HOURS_PER_DAY
    out += [(e.time_h, e.time_h + fed_h, "fed", 0.0) for e in regimen.oral_events
            if e.with_food and e.time_h <= t_end]
    out += [(e.start_h, e.stop_h, e.name, 0.0) for e in regimen.drug_events if e.start_h <= t_end]
    return out


def _breakpoint_times(regimen: Regimen, intervals: list[_Interval], t_end: float) -> list[float]:
    times = {0.0, t_end}
    inside = [t for start, stop, _, _ in intervals for t in (start, stop)]
    inside += [e.start_h + e.duration_h for e in regimen.infusion_events if e.start_h <= t_end]
    times.update(t for t in inside if 0.0 < t < t_end)
    doses = ([e.time_h for e in regimen.oral_events + regimen.parenteral_events]
             + [e.start_h for e in regimen.infusion_events]
             + [e.time_h for e in regimen.diet_events])
    times.update(t for t in doses if t <= t_end)
    return sorted(times)


def _sweep_inputs(times: Sequence[float], regimen: Regimen, subject: Subject,
                  intervals: list[_Interval],
                  t_end: float) -> list[Inputs]:
    """The inputs of every segment, by a sweep over the sorted changes (as the core's
    add_segments: simultaneous diet changes apply in the order given)."""
    # (time, what, value): value is (+1/-1, rate or share), or mg/day for "diet";
    # the stable sort keeps list order at equal times
    changes: list[tuple[float, str, Any]] = []
    for e in regimen.infusion_events:
        if e.start_h <= t_end:
            rate = e.mmol / e.duration_h
            changes += [(e.start_h, "infusion", (1, rate)), (e.start_h + e.duration_h,
                                                             "infusion", (-1, -rate))]
    changes += [(e.time_h, "diet", e.mg_per_day) for e in regimen.diet_events if e.time_h <= t_end]
    for start, stop, kind, share in intervals:
        changes += [(start, kind, (1, share)), (stop, kind, (-1, -share))]
    changes.sort(key=lambda change: change[0])
    active = {"infusion": 0, "meal": 0, "fed": 0, "ppi": 0, "loop": 0, "thiazide": 0}
    infusion = shares = 0.0
    diet = cast(float, subject.diet_mg_per_day)  # a float once the Subject is built
    out: list[Inputs] = []
    k = 0
    for t in times:
        while k < len(changes) and changes[k][0] <= t:
            _, what, value = changes[k]
            k += 1
            if what == "diet":
                diet = value
                continue
            active[what] += value[0]
            infusion += value[1] if what == "infusion" else 0.0
            shares += value[1] if what == "meal" else 0.0
        infusion = infusion if active["infusion"] else 0.0  # no round-off residue
        shares = shares if active["meal"] else 0.0
        out.append(Inputs(fed=active["meal"] > 0 or active["fed"] > 0,
                          meal_share=max(shares, 0.0) if subject.meals else 0.0,
                          diet_mg_per_day=diet, infusion_mmol_h=max(infusion, 0.0),
                          ppi=subject.ppi or active["ppi"] > 0,
                          loop=subject.diuretic == "loop" or active["loop"] > 0,
                          thiazide=subject.diuretic == "thiazide" or active["thiazide"] > 0))
    return out


def _doses(times: Sequence[float], regimen: Regimen, t_end: float) -> tuple[list[Doses],
                                                                              list[Pool]]:
    """The doses at every breakpoint, and the undissolved pools in order of first use."""
    at = {t: Doses() for t in times}
    pools: dict[str, Pool] = {}
    for e in regimen.oral_events:
        if e.time_h > t_end:
            continue
        doses = at[e.time_h]
        for pure, share in pure_parts(e.form):
            pool = pools.get(pure) or _pool_of(pure)
            if pool is None:
                doses.dissolved += e.elemental_mmol * share
                continue
            pools[pure] = pool
            doses.undissolved[pure] = doses.undissolved.get(pure, 0.0) + e.elemental_mmol * share
    for p in regimen.parenteral_events:
        if p.time_h <= t_end:
            if p.route == "iv_bolus":
                at[p.time_h].iv_bolus += p.mmol
            else:
                at[p.time_h].im += p.mmol
    return [at[t] for t in times], list(pools.values())


def plan(regimen: Regimen, subject: Subject, t_end: float) -> Plan:
    """The subject's quantities and steady state from magpk, and the schedule of events."""
    probe = simulate(Regimen(), subject, t_end_h=_STEADY_PROBE_H, output_times_h=[0.0])
    state = np.asarray(probe._core.states)[0]
    core_subject = probe._core.subject
    fed_h = float(core_subject.fed_state_duration_h)
    intervals = _intervals(regimen, subject, fed_h, t_end)
    times = _breakpoint_times(regimen, intervals, t_end)
    if len(times) > MAX_EVENTS:
        raise ValueError(
            f"t_end_h={t_end:g}: the export would hold {len(times):,} events (doses, meal starts "
            f"and ends, infusions, diet changes, drug periods); to_sbml writes at most "
            f"{MAX_EVENTS:,}: shorten t_end_h, or use Subject(meals='continuous')")
    inputs = _sweep_inputs(times, regimen, subject, intervals, t_end)
    doses, pools = _doses(times, regimen, t_end)
    initial = {name: float(state[CORE_STATES.index(name)]) for name in SPECIES
               if name in CORE_STATES}
    initial.update({pool.species: 0.0 for pool in pools})
    initial["thiazide_effect"] = float(state[CORE_STATES.index("thiazide_effect")])
    derived = {name: float(getattr(core_subject, name)) for name in
               ("ecf_volume_l", "gfr_l_h", "tm_mmol_h", "tissue_reference_mmol", "body_mg_mmol",
                "peripheral_volume_l", "bone_reference_mmol")}
    table = {row.name: (float(row.value), str(row.unit))
             for row in _core.parameter_table()}
    return Plan(subject, regimen, t_end, pools,
                [Breakpoint(t, i, d) for t, i, d in zip(times, inputs, doses)], initial, derived,
                {name: table[name] for name in USED_PARAMETERS})


# ---------------------------------------------------------------------------
# The SBML writer
# ---------------------------------------------------------------------------
def _num(value: float, unit: str = "dimensionless") -> str:
    """A number with its unit in libSBML's Level 3 formula syntax (exact: repr)."""
    return f"{float(value)!r} {unit}"


class _Writer:
    """Thin checked wrapper around a libSBML model."""

    def __init__(self, libsbml: Any) -> None:
        self.libsbml = libsbml
        self.document = libsbml.SBMLDocument(SBML_LEVEL, SBML_VERSION)
        self.model = self.document.createModel()

    def check(self, code: Any, what: str) -> None:
        if isinstance(code, int) and code != self.libsbml.LIBSBML_OPERATION_SUCCESS:
            raise RuntimeError(f"libSBML refused {what}: "
                               f"{self.libsbml.OperationReturnValue_toString(code)}")

    def math(self, formula: str) -> Any:
        ast = self.libsbml.parseL3Formula(formula)
        if ast is None:
            raise RuntimeError(f"libSBML could not parse {formula!r}: "
                               f"{self.libsbml.getLastParseL3Error()}")
        return ast

    def parameter(self, pid: str, value: float | None, unit: str, *, constant: bool = True,
                  name: str = "") -> None:
        p = self.model.createParameter()
        self.check(p.setId(pid), f"parameter {pid}")
        self.check(p.setConstant(constant), f"constant of {pid}")
        self.check(p.setUnits(unit), f"units of {pid}")
        if value is not None:
            self.check(p.setValue(float(value)), f"value of {pid}")
        self.describe(p, pid, name)

    def describe(self, element: Any, sid: str, text: str) -> None:
        """Name an element by its id (tools such as COPASI show names) and describe it in
        its notes."""
        self.check(element.setName(sid), f"name of {sid}")
        if text:
            self.check(element.setNotes(html.escape(text), True), f"notes of {sid}")

    def initial_assignment(self, symbol: str, formula: str) -> None:
        a = self.model.createInitialAssignment()
        self.check(a.setSymbol(symbol), f"initial assignment of {symbol}")
        self.check(a.setMath(self.math(formula)), f"initial assignment of {symbol}")

    def assignment_rule(self, variable: str, formula: str, unit: str, name: str) -> None:
        self.parameter(variable, None, unit, constant=False, name=name)
        r = self.model.createAssignmentRule()
        self.check(r.setVariable(variable), f"rule of {variable}")
        self.check(r.setMath(self.math(formula)), f"rule of {variable}")

    def reaction(self, rid: str, reactant: str | None, product: str | None, formula: str,
                 name: str, reversible: bool = False) -> None:
        r = self.model.createReaction()
        self.check(r.setId(rid), f"reaction {rid}")
        self.describe(r, rid, name)
        self.check(r.setReversible(reversible), f"reversible of {rid}")
        for species, create in ((reactant, r.createReactant), (product, r.createProduct)):
            if species is not None:
                ref = create()
                self.check(ref.setSpecies(species), f"species of {rid}")
                self.check(ref.setStoichiometry(1.0), f"stoichiometry of {rid}")
                self.check(ref.setConstant(True), f"stoichiometry of {rid}")
        ast = self.math(formula)
        for species in sorted(self.names(ast) - {reactant, product}):
            if self.model.getSpecies(species) is not None:  # read but not changed: a modifier
                modifier = r.createModifier()
                self.check(modifier.setSpecies(species), f"modifier of {rid}")
        law = r.createKineticLaw()
        self.check(law.setMath(ast), f"kinetic law of {rid}")

    def names(self, ast: Any) -> set[str]:
        """The identifiers a formula reads."""
        found: set[str] = {ast.getName()} if ast.isName() and ast.getName() else set()
        for i in range(ast.getNumChildren()):
            found |= self.names(ast.getChild(i))
        return found


def _add_units(w: _Writer) -> None:
    for uid, parts in UNITS.items():
        definition = w.model.createUnitDefinition()
        w.check(definition.setId(uid), f"unit {uid}")
        for kind, exponent, scale, multiplier in parts:
            unit = definition.createUnit()
            w.check(unit.setKind(w.libsbml.UnitKind_forName(kind)), f"unit {uid}")
            w.check(unit.setExponent(exponent), f"unit {uid}")
            w.check(unit.setScale(scale), f"unit {uid}")
            w.check(unit.setMultiplier(multiplier), f"unit {uid}")
    for setter, unit in ((w.model.setSubstanceUnits, "mmol"), (w.model.setTimeUnits, "hour"),
                         (w.model.setVolumeUnits, "liter"), (w.model.setExtentUnits, "mmol")):
        w.check(setter(unit), f"model unit {unit}")


def _add_compartments_and_species(w: _Writer, plan: Plan) -> None:
    """Compartments (the ECF and the fast peripheral pool with their volumes, the others
    nominal 1 L: their pools are amounts) and species in amounts (mmol) at t = 0."""
    sizes = {"ecf": plan.derived["ecf_volume_l"]}
    for cid, what in COMPARTMENTS.items():
        c = w.model.createCompartment()
        w.check(c.setId(cid), f"compartment {cid}")
        w.describe(c, cid, what if cid in sizes or cid == "peripheral_space"
                   else f"{what} (nominal volume: its pools are amounts)")
        w.check(c.setSpatialDimensions(3), cid)
        w.check(c.setUnits("liter"), cid)
        w.check(c.setConstant(True), cid)
        if cid != "peripheral_space":
            w.check(c.setSize(sizes.get(cid, 1.0)), cid)
    w.initial_assignment("peripheral_space", "peripheral_volume_l_per_kg * weight_kg")
    species = dict(SPECIES)
    for pool in plan.pools:
        species[pool.species] = ("stomach", f"undissolved {pool.form_id} (X_{pool.form_id})")
    for sid, (compartment, what) in species.items():
        s = w.model.createSpecies()
        w.check(s.setId(sid), f"species {sid}")
        w.describe(s, sid, what)
        w.check(s.setCompartment(compartment), sid)
        w.check(s.setInitialAmount(plan.initial[sid]), sid)
        w.check(s.setSubstanceUnits("mmol"), sid)
        w.check(s.setHasOnlySubstanceUnits(True), sid)
        w.check(s.setBoundaryCondition(False), sid)
        w.check(s.setConstant(sid in CONSTANT_SPECIES), sid)


#: Derived constants: id -> (unit, initial assignment from the named parameters), as
#: cpp/src/subject.cpp derives them.
DERIVED: dict[str, tuple[str, str]] = {
    "si_transit_per_h": ("per_hour", "1 dimensionless / si_transit_time_h"),
    "si_transit_fed_per_h": ("per_hour",
                             "1 dimensionless / (si_transit_time_h * fed_transit_time_factor)"),
    "gastric_emptying_fasting_per_h": ("per_hour",
                                       "ln(2 dimensionless) / gastric_half_emptying_fasting_h"),
    "gastric_emptying_fed_per_h": ("per_hour", "ln(2 dimensionless) / gastric_half_emptying_fed_h"),
    "chelate_absorption_per_h": ("per_hour", "si_vmax_mmol_h / si_km_mmol"),
    "colon_transit_per_h": ("per_hour", "1 dimensionless / colon_transit_time_h"),
    "secretion_clearance_l_h": ("liter_per_hour",
                                "upper_gi_secretion_l_per_day / hours_per_day * "
                                "upper_gi_secretion_mg_mmol_l / reference_serum_mmol_l"),
    "subject_intercompartmental_clearance_l_h": (
        "liter_per_hour", "intercompartmental_clearance_l_h * "
                          "(weight_kg / allometric_reference_kg)^allometric_exponent"),
    "bone_reference_mmol": ("mmol", "bone_exchangeable_fraction_of_body_mg * body_mg_mmol"),
    "deep_bone_reference_mmol": ("mmol", "deep_bone_fraction_of_body_mg * body_mg_mmol"),
    "tissue_exchange_per_h": ("per_hour", "ln(2 dimensionless) / tissue_exchange_half_life_h"),
    "bone_exchange_per_h": ("per_hour", "ln(2 dimensionless) / bone_exchange_half_life_h"),
    "deep_bone_exchange_per_h": ("per_hour", "deep_bone_turnover_per_year / hours_per_year"),
    "sweat_clearance_l_h": ("liter_per_hour", "sweat_mg_per_day / mg_per_mmol / hours_per_day / "
                                              "reference_serum_mmol_l"),
    "thiazide_onset_per_h": ("per_hour", "ln(2 dimensionless) / thiazide_onset_half_life_h"),
    "hill_reference": ("dimensionless", "1 dimensionless / (1 dimensionless + "
                       "(store_uptake_half_serum_mmol_l / reference_serum_mmol_l)"
                       "^store_uptake_hill)"),
}


def _add_parameters(w: _Writer, plan: Plan) -> None:
    """The named parameters, constants, the subject's quantities, the derived constants and
    the inputs that events change (their values on the first segment)."""
    for name, (value, unit) in plan.parameters.items():
        if unit not in PARAMETER_UNITS:
            raise RuntimeError(f"parameter {name}: unit {unit!r} has no SBML unit")
        w.parameter(name, value, PARAMETER_UNITS[unit], name=f"{name} (magpk.parameters())")
    constants = {"hours_per_day": (HOURS_PER_DAY, "hour_per_day"),
                 "hours_per_year": (HOURS_PER_DAY * DAYS_PER_YEAR, "hour_per_year"),
                 "day_length_h": (HOURS_PER_DAY, "hour"),
                 "mg_per_mmol": (MG_PER_MMOL, "mg_per_mmol"),
                 "mg_per_acid": (MG_PER_ACID, "dimensionless"),
                 "allometric_reference_kg": (ALLOMETRIC_REFERENCE_KG, "kg"),
                 "allometric_exponent": (ALLOMETRIC_EXPONENT, "dimensionless")}
    for name, (value, unit) in constants.items():
        w.parameter(name, value, unit, name=f"{name} (constant)")
    subject = {"weight_kg": (plan.subject.weight_kg, "kg"),
               "body_mg_mmol": (plan.derived["body_mg_mmol"], "mmol"),
               "gfr_l_h": (plan.derived["gfr_l_h"], "liter_per_hour"),
               "tm_mmol_h": (plan.derived["tm_mmol_h"], "mmol_per_hour"),
               "tissue_reference_mmol": (plan.derived["tissue_reference_mmol"], "mmol")}
    for name, (value, unit) in subject.items():
        w.parameter(name, value, unit, name=f"{name} (the subject's, from magpk)")
    for name, (unit, formula) in DERIVED.items():
        w.parameter(name, None, unit, name=f"{name} (derived)")
        w.initial_assignment(name, formula)
    for name, (value, unit) in plan.breakpoints[0].inputs.values().items():
        w.parameter(name, value, unit, constant=False, name=f"{name} (input, set by events)")
    w.parameter("thiazide_effect", plan.initial["thiazide_effect"], "dimensionless",
                constant=False, name="onset of the thiazide action, 0-1 (e)")
    rule = w.model.createRateRule()
    w.check(rule.setVariable("thiazide_effect"), "rate rule")
    w.check(rule.setMath(w.math("thiazide_onset_per_h * (thiazide_taken - thiazide_effect)")),
            "rate rule")


def _positive(expression: str, unit: str) -> str:
    """max(expression, 0) as a piecewise (Level 3 Version 1 tools lack max)."""
    return f"piecewise({expression}, {expression} > 0 {unit}, 0 {unit})"


def _when(flag: str, value: str, otherwise: str) -> str:
    return f"piecewise({value}, {flag} == 1 dimensionless, {otherwise})"


def _dissolution(pool: Pool) -> str:
    """Dissolution of one pool (mmol/h); basic salts are limited by the gastric acid."""
    rate = f"{pool.rate_parameter} * {pool.species}"
    return f"{rate} * acid_limit" if pool.acid_limited else rate


def _add_rules(w: _Writer, plan: Plan) -> None:
    """Assignment rules: serum, the segment-dependent rates and the nonlinear terms."""
    diet_mmol_h = "diet_mg_per_day / mg_per_mmol / hours_per_day"
    rules = [
        ("serum_mmol_l", "plasma / ecf", "mmol_per_liter", "serum Mg (c = P / V_ecf)"),
        ("diet_input_mmol_h",
         f"meal_share * {diet_mmol_h} * day_length_h / fed_state_duration_h"
         if plan.subject.meals else diet_mmol_h, "mmol_per_hour",
         "dietary Mg entering the small intestine (J_diet)"),
        ("si_transit_now_per_h", _when("fed", "si_transit_fed_per_h", "si_transit_per_h"),
         "per_hour", "small-intestinal transit (k_si)"),
        ("gastric_emptying_now_per_h",
         _when("fed", "gastric_emptying_fed_per_h", "gastric_emptying_fasting_per_h"),
         "per_hour", "gastric emptying (k_ge)"),
        ("si_vmax_now_mmol_h", "si_vmax_mmol_h * " + _when(
            "ppi_taken", "ppi_transcellular_factor", "1 dimensionless"), "mmol_per_hour",
         "small-intestinal transcellular maximum (V_si)"),
        ("colon_vmax_now_mmol_h", "colon_vmax_mmol_h * " + _when(
            "ppi_taken", "ppi_transcellular_factor", "1 dimensionless"), "mmol_per_hour",
         "colon transcellular maximum (V_col)"),
        ("colon_transit_now_per_h", "colon_transit_per_h * (1 dimensionless + "
         f"{_positive('colon_sup', 'mmol')} / laxation_load50_mmol)", "per_hour",
         "colonic transit with osmotic laxation (k_col)"),
        ("filtered_mmol_h", "gfr_l_h * ultrafilterable_fraction * "
         + _positive("serum_mmol_l", "mmol_per_liter"), "mmol_per_hour",
         "ultrafiltered load (J_gf)"),
        ("tubular_maximum_mmol_h", "tm_mmol_h * " + _when(
            "loop_taken", "loop_diuretic_tm_factor", "1 dimensionless")
         + " * (1 dimensionless - (1 dimensionless - thiazide_tm_factor) * thiazide_effect)",
         "mmol_per_hour", "tubular maximum (T_m)"),
        ("urine_mmol_h", _positive(
            "((2 dimensionless * renal_splay - 1 dimensionless) * filtered_mmol_h"
            " - tubular_maximum_mmol_h + sqrt((filtered_mmol_h - tubular_maximum_mmol_h)^2"
            " + 4 dimensionless * (1 dimensionless - renal_splay) * filtered_mmol_h"
            " * tubular_maximum_mmol_h)) / (2 dimensionless * renal_splay)", "mmol_per_hour"),
         "mmol_per_hour", "urinary excretion (E)"),
        ("store_uptake_ratio", "piecewise(1 dimensionless / (1 dimensionless + "
         "(store_uptake_half_serum_mmol_l / serum_mmol_l)^store_uptake_hill), "
         "serum_mmol_l > 0 mmol_per_liter, 0 dimensionless) / hill_reference", "dimensionless",
         "store uptake relative to the reference serum (h(c) / h(c_ref))"),
    ]
    basic = [pool for pool in plan.pools if pool.acid_limited]
    if basic:
        acid = ("mg_per_acid * " + _when("fed", "fed_acid_output_mmol_h",
                                         "basal_acid_output_mmol_h")
                + " * " + _when("ppi_taken", "ppi_acid_output_factor", "1 dimensionless"))
        demand = " + ".join(_positive(f"{p.rate_parameter} * {p.species}", "mmol_per_hour")
                            for p in basic)
        rules += [
            ("acid_capacity_mmol_h", acid, "mmol_per_hour", "gastric acid as Mg (a)"),
            ("basic_demand_mmol_h", demand, "mmol_per_hour",
             "intrinsic dissolution of basic salts"),
            ("acid_limit", "piecewise(acid_capacity_mmol_h / (acid_capacity_mmol_h + "
             "basic_demand_mmol_h), basic_demand_mmol_h > 0 mmol_per_hour, 1 dimensionless)",
             "dimensionless", "share of the intrinsic rate the acid allows"),
        ]
    for variable, formula, unit, name in rules:
        w.assignment_rule(variable, formula, unit, name)


def _gut_reactions(plan: Plan) -> list[tuple[str, str | None, str | None, str, str]]:
    """(id, reactant, product, rate, name) of every gut flux (docs/model.md, 3.1)."""
    si = "si_vmax_now_mmol_h * {0} / (si_km_mmol + si_diet + si_sup)"
    colon = "colon_vmax_now_mmol_h * {0} / (si_km_mmol + colon_diet + colon_sup)"
    out: list[tuple[str, str | None, str | None, str, str]] = [
        ("diet_intake", None, "si_diet", "diet_input_mmol_h", "meals / diet"),
        ("secretion", "plasma", "si_diet", "secretion_clearance_l_h * serum_mmol_l",
         "endogenous secretion"),
        ("gastric_emptying", "stomach_sup", "si_sup", "gastric_emptying_now_per_h * stomach_sup",
         "gastric emptying of dissolved supplement"),
    ]
    for pool in plan.pools:
        rate = _dissolution(pool)
        if pool.chelate:
            out += [(f"dissolution_{pool.form_id}", pool.species, "stomach_sup",
                     f"(1 dimensionless - chelate_intact_fraction) * {rate}",
                     f"dissolution of {pool.form_id}, ionic part"),
                    (f"dissolution_{pool.form_id}_chelate", pool.species, "si_chelate",
                     f"chelate_intact_fraction * {rate}",
                     f"dissolution of {pool.form_id}, intact chelate")]
        else:
            out.append((f"dissolution_{pool.form_id}", pool.species, "stomach_sup", rate,
                        f"dissolution of {pool.form_id}"))
        out.append((f"{pool.species}_to_colon", pool.species, "colon_solid",
                     f"si_transit_now_per_h * {pool.species}",
                     f"undissolved {pool.form_id} to the colon"))
    for part in ("diet", "sup"):
        out += [(f"si_transcellular_{part}", f"si_{part}", "plasma", si.format(f"si_{part}"),
                 f"small-intestinal transcellular absorption ({part})"),
                (f"si_paracellular_{part}", f"si_{part}", "plasma",
                 f"si_paracellular_per_h * si_{part}", f"paracellular absorption ({part})"),
                (f"si_to_colon_{part}", f"si_{part}", f"colon_{part}",
                 f"si_transit_now_per_h * si_{part}", f"small-intestinal transit ({part})"),
                (f"colon_transcellular_{part}", f"colon_{part}", "plasma",
                 colon.format(f"colon_{part}"), f"colon transcellular absorption ({part})"),
                (f"feces_{part}", f"colon_{part}", "feces_cum",
                 f"colon_transit_now_per_h * colon_{part}", f"feces ({part})")]
    out += [("chelate_absorption", "si_chelate", "plasma", "chelate_absorption_per_h * si_chelate",
             "intact chelate absorption"),
            ("si_chelate_to_colon", "si_chelate", "colon_sup", "si_transit_now_per_h * si_chelate",
             "intact chelate to the colon"),
            ("feces_solid", "colon_solid", "feces_cum", "colon_transit_now_per_h * colon_solid",
             "feces (undissolved)")]
    return out


#: (id, reactant, product, rate, name) of every body flux (docs/model.md, 3.2-3.5).
BODY_REACTIONS: tuple[tuple[str, str | None, str | None, str, str], ...] = (
    ("urine", "plasma", "urine_cum", "urine_mmol_h", "urinary excretion"),
    ("sweat", "plasma", "sweat_cum", "sweat_clearance_l_h * serum_mmol_l", "sweat"),
    ("tissue_uptake", "plasma", "tissue",
     "tissue_exchange_per_h * tissue_reference_mmol * store_uptake_ratio", "tissue uptake"),
    ("tissue_release", "tissue", "plasma", "tissue_exchange_per_h * tissue", "tissue release"),
    ("bone_uptake", "plasma", "bone",
     "bone_exchange_per_h * bone_reference_mmol * store_uptake_ratio", "bone-surface uptake"),
    ("bone_release", "bone", "plasma", "bone_exchange_per_h * bone", "bone-surface release"),
    ("deep_bone_uptake", "plasma", "deep_bone", "deep_bone_exchange_per_h * "
     "deep_bone_reference_mmol * serum_mmol_l / reference_serum_mmol_l", "deep-bone formation"),
    ("deep_bone_release", "deep_bone", "plasma", "deep_bone_exchange_per_h * deep_bone",
     "deep-bone resorption"),
    ("im_release", "im_depot", "plasma", "im_absorption_per_h * im_depot", "IM depot release"),
    ("infusion", None, "plasma", "infusion_mmol_h", "IV infusion"),
)


def _add_reactions(w: _Writer, plan: Plan) -> None:
    for rid, reactant, product, rate, name in _gut_reactions(plan) + list(BODY_REACTIONS):
        w.reaction(rid, reactant, product, rate, name)
    w.reaction("peripheral_exchange", "plasma", "peripheral",
               "subject_intercompartmental_clearance_l_h * "
               "(serum_mmol_l - peripheral / peripheral_space)",
               "exchange with the fast peripheral pool", reversible=True)


def _dose_assignments(doses: Doses) -> list[tuple[str, str]]:
    """(variable, formula) adding the doses of one time to their pools."""
    out = [(f"undissolved_{form_id}", f"undissolved_{form_id} + {_num(mmol, 'mmol')}")
           for form_id, mmol in doses.undissolved.items()]
    if doses.dissolved > 0:
        out.append(("stomach_sup", f"stomach_sup + {_num(doses.dissolved, 'mmol')}"))
    if doses.iv_bolus > 0:
        out.append(("plasma", f"plasma + {_num(doses.iv_bolus, 'mmol')}"))
    if doses.im > 0:  # the bioavailable share into the depot, the rest into the muscle's cells
        out += [("im_depot", f"im_depot + im_bioavailability * {_num(doses.im, 'mmol')}"),
                ("tissue", f"tissue + (1 dimensionless - im_bioavailability) * "
                           f"{_num(doses.im, 'mmol')}")]
    return out


def _event_text(point: Breakpoint, changed: Sequence[str]) -> str:
    parts = [f"t = {point.time_h:g} h"]
    if point.doses.any():
        parts.append("doses")
    if changed:
        parts.append("inputs " + ", ".join(changed))
    return ": ".join([*parts[:1], "; ".join(parts[1:])])


def _add_events(w: _Writer, plan: Plan) -> None:
    """One event per time at which a dose is given or an input changes: trigger
    ``time >= t`` with initial value false (so that the event at t = 0 fires), persistent."""
    before = plan.breakpoints[0].inputs.values()
    for k, point in enumerate(plan.breakpoints):
        now = point.inputs.values()
        changed = [name for name in now if now[name][0] != before[name][0]]
        before = now
        assignments = [(name, _num(*now[name])) for name in changed]
        assignments += _dose_assignments(point.doses)
        if not assignments:
            continue
        event = w.model.createEvent()
        w.check(event.setId(f"event_{k}"), "event")
        w.describe(event, f"event_{k}", _event_text(point, changed))
        w.check(event.setUseValuesFromTriggerTime(True), "event")
        trigger = event.createTrigger()
        w.check(trigger.setInitialValue(False), "trigger")
        w.check(trigger.setPersistent(True), "trigger")
        w.check(trigger.setMath(w.math(f"time >= {_num(point.time_h, 'hour')}")), "trigger")
        for variable, formula in assignments:
            assignment = event.createEventAssignment()
            w.check(assignment.setVariable(variable), f"event assignment {variable}")
            w.check(assignment.setMath(w.math(formula)), f"event assignment {variable}")


def _notes(plan: Plan) -> str:
    """The model's notes (XHTML): what was exported and how to use it."""
    lines = [
        f"Exported by magpk {_core.__version__} (magpk.to_sbml): the whole-body magnesium model "
        f"of docs/model.md for one subject and one regimen, valid from t = 0 to t_end_h = "
        f"{plan.t_end_h:g} h (time in h, amounts in mmol of elemental Mg, volumes in L).",
        f"Subject: {plan.subject.summary()}.",
        "Regimen: " + "; ".join(regimen_lines(plan.regimen)) + ".",
        "Initial amounts: the subject's homeostatic steady state at t = 0 computed by magpk "
        "(with meals, the 24-h periodic steady state; before the doses at t = 0, which an event "
        "at t = 0 gives). They hold for the parameter values written here.",
        "Parameters carry the names of magpk.parameters(); weight_kg, body_mg_mmol, gfr_l_h, "
        "tm_mmol_h, tissue_reference_mmol and the size of compartment ecf are the subject's "
        "values computed by magpk; other derived quantities are initial assignments.",
        "Events give the doses and switch the piecewise-constant inputs (meals, fed periods, "
        "infusions, diet changes, drugs) at the times magpk uses; none are scheduled after "
        "t_end_h, so a run beyond it is not magpk's model.",
        "serum_mmol_l (assignment rule) is serum Mg; urine_cum, feces_cum and sweat_cum count "
        "what has left the body since t = 0.",
    ]
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return f'<body xmlns="http://www.w3.org/1999/xhtml">{body}</body>'


def to_sbml(regimen: Regimen, subject: Subject | None = None, *,
            t_end_h: float | None = None) -> str:
    """The model of ``regimen`` for ``subject`` as an SBML Level 3 Version 2 document (a string).

    Needs the optional extra: ``pip install "magpk[sbml]"`` (python-libsbml).

    Compartments carry volumes (the extracellular fluid and the fast peripheral pool; the others
    are nominal, their pools being amounts), species are amounts in mmol starting at the
    subject's steady state at t = 0 as magpk computes it, every flux of the model is a reaction,
    parameters carry the names of :func:`magpk.parameters`, units are declared, and doses,
    infusions, meals, fed periods, diet changes and drug periods are events (the event at
    t = 0 fires: its trigger's initial value is false). ``serum_mmol_l`` is an assignment rule.

    Parameters
    ----------
    regimen
        the doses, diet changes, fasts and drugs (:class:`Regimen`).
    subject
        the covariates (:class:`Subject`); a default adult if omitted.
    t_end_h
        the end of the exported run, hours; meals and other events are written up to it and
        doses after it are left out, as in :func:`magpk.simulate`. ``None``: the regimen's
        last event plus 48 h.

    Raises
    ------
    ImportError
        python-libsbml is not installed.
    ValueError
        ``t_end_h`` is not allowed, or the run would need more than 10,000 events
        (``magpk.sbml.MAX_EVENTS``; a run of years with meals: shorten it or use
        ``Subject(meals="continuous")``).
    """
    libsbml = _libsbml()
    subject = check_regimen_and_subject(regimen, subject)
    t_end = default_t_end_h(regimen) if t_end_h is None else _arguments.real(
        "t_end_h", t_end_h, strictly_positive=True, maximum=_MAX_T_END_H,
        allowed="allowed: > 0 and <= 20 years (175,200 h)")
    the_plan = plan(regimen, subject, t_end)
    w = _Writer(libsbml)
    w.check(w.model.setId("magpk_model"), "model id")
    w.check(w.model.setName(f"magpk: {subject.summary()}"), "model name")
    w.check(w.model.setNotes(_notes(the_plan)), "notes")
    _add_units(w)
    _add_parameters(w, the_plan)
    _add_compartments_and_species(w, the_plan)
    _add_rules(w, the_plan)
    _add_reactions(w, the_plan)
    _add_events(w, the_plan)
    text: str = libsbml.writeSBMLToString(w.document)
    return text
