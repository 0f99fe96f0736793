"""Records of the C++ structs that magpk._core binds read-only (``PopulationSpec``,
``ParameterInfo``): field name -> value, for the tables built from them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def fields(cls: type) -> list[str]:
    """The fields of a bound class: its read-only properties, in the order the binding
    defines them (a class's namespace keeps the order its attributes were set in)."""
    return [name for name, value in vars(cls).items() if isinstance(value, property)]


def records(cls: type, objects: Iterable[Any]) -> list[dict[str, Any]]:
    """One dict per object of the bound class ``cls``: every field, in binding order."""
    names = fields(cls)
    return [{name: getattr(item, name) for name in names} for item in objects]
