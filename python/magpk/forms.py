"""The supplement-form catalogue and label arithmetic (compound mg <-> elemental mg)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd

from . import _arguments, _core

#: mg of elemental magnesium per mmol (Mg atomic weight 24.305 g/mol; the core's constant).
MG_PER_MMOL: float = _core.MG_PER_MMOL
#: Serum Mg in mg/dL per mmol/L (mg per mmol over 10 dL per L).
MG_DL_PER_MMOL_L: float = _core.MG_DL_PER_MMOL_L
#: mEq per mmol of Mg (divalent: serum in mEq/L is twice mmol/L).
MEQ_PER_MMOL: float = _core.MEQ_PER_MMOL


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """The core's form catalogue, form id -> row (read once); :func:`forms` is the table."""
    return {row["id"]: row for row in _core.form_catalogue()}


def form_ids() -> list[str]:
    """All form ids, in catalogue order."""
    return list(catalogue())


def check_form(form: Any, name: str = "form") -> str:
    """Return ``form`` if it is a known form id; otherwise raise with the closest ids."""
    if not isinstance(form, str):
        raise TypeError(f"{name}={form!r}: expected a form id string such as 'citrate'")
    if form not in catalogue():
        close = _core.closest_names(form, form_ids(), 3)
        raise ValueError(f"{name}={form!r}: unknown form; "
                         f"did you mean {', '.join(map(repr, close))}? "
                         f"Allowed: {', '.join(form_ids())}")
    return form


def forms() -> pd.DataFrame:
    """The supplement-form catalogue.

    Returns a DataFrame indexed by form id with, for each form: ``name``,
    ``formula`` (including hydrate water), ``elemental_fraction`` (mass fraction
    of Mg in the stated compound, 0-1, computed from the formula),
    ``mg_per_g`` (elemental mg per g of compound), ``molar_mass_g_per_mol_mg``,
    ``dissolution`` class, ``chelate_route``, ``solubility_g_per_100ml``,
    ``confidence``, ``evidence`` (the human or animal data behind it),
    ``evidence_grade`` ("human kinetics", "human comparison", "animal only" or
    "none": what the form's modeled kinetics rest on) and ``kinetics``: the
    modeled behavior, shared by every form with the same entry (forms that
    share it are identical per elemental mg *by assumption*).
    """
    rows = []
    for row in catalogue().values():
        entry = dict(row)
        entry["mg_per_g"] = 1000.0 * row["elemental_fraction"]
        entry["components"] = ", ".join(f"{fid} {share:.0%}" for fid, share in row["components"])
        entry["kinetics"] = kinetics(row["id"])
        rows.append(entry)
    frame = pd.DataFrame(rows).set_index("id")
    frame.index.name = "form"
    columns = ["name", "formula", "elemental_fraction", "mg_per_g", "molar_mass_g_per_mol_mg",
               "dissolution", "chelate_route", "solubility_g_per_100ml", "components",
               "confidence", "evidence", "evidence_grade", "kinetics"]
    return frame[columns]


def kinetics(form: str) -> str:
    """The modeled behavior of ``form`` (dissolution class, chelate route, blend):
    forms with the same string are simulated identically per elemental mg."""
    row = catalogue()[check_form(form)]
    if row["components"]:
        return "blend: " + " + ".join(f"{share:.0%} {kinetics(fid)}"
                                      for fid, share in row["components"])
    text: str = row["dissolution"] + (" salt" if row["dissolution"] == "soluble" else "")
    return text + (" + intact-chelate route" if row["chelate_route"] else "")


def identical_groups(forms: list[str]) -> list[list[str]]:
    """Groups (of two or more) among ``forms`` that are identical by assumption:
    same modeled kinetics, so the model cannot tell them apart."""
    groups: dict[str, list[str]] = {}
    for form in forms:
        groups.setdefault(kinetics(form), []).append(form)
    return [members for members in groups.values() if len(members) > 1]


def elemental_fraction(form: str) -> float:
    """Mass fraction of elemental Mg in the stated compound of ``form``."""
    return float(catalogue()[check_form(form)]["elemental_fraction"])


def elemental_mg(form: str, compound_mg: float) -> float:
    """Elemental Mg in ``compound_mg`` mg of ``form`` (e.g. 500 mg glycinate -> ~70 mg)."""
    compound = _arguments.real("compound_mg", compound_mg, minimum=0.0)
    return compound * elemental_fraction(form)


def compound_mg(form: str, elemental_mg: float) -> float:
    """Compound mass (mg) of ``form`` that carries ``elemental_mg`` mg of Mg."""
    elemental = _arguments.real("elemental_mg", elemental_mg, minimum=0.0)
    return elemental / elemental_fraction(form)


def mgso4_heptahydrate_mmol_per_g() -> float:
    """mmol of Mg per g of MgSO4·7H2O (Epsom salt, injections): 4.06."""
    return 1000.0 * elemental_fraction("sulfate") / MG_PER_MMOL
