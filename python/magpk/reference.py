"""Deprecated: ``magpk.reference`` was split in two.

- :mod:`magpk.intakes`: the Dietary Reference Intakes (``rda_ul``,
  ``rda_mg_per_day``);
- :mod:`magpk.safety`: drug interactions and the regimen check
  (``interactions``, ``lookup_drug``, ``known_drugs``, ``check_regimen``,
  ``RegimenCheck``, ``SEVERITIES``).

The names are still served from here, each with a ``DeprecationWarning`` naming
its new place; this module will be removed in a later release.
``magpk.rda_ul``, ``magpk.interactions`` and ``magpk.check_regimen`` are unchanged.
"""

from __future__ import annotations

import warnings
from types import ModuleType
from typing import Any

from . import intakes, safety


def _names(module: ModuleType, public: list[str]) -> dict[str, ModuleType]:
    """The public names and the source URLs of ``module`` -> ``module``."""
    return dict.fromkeys([*public, *(n for n in vars(module) if n.endswith("_URL"))], module)


#: Old name -> the module that holds it now (intakes last: safety imports its UL source URL).
_MOVED = {**_names(safety, safety.__all__), **_names(intakes, intakes.__all__)}

__all__ = sorted(_MOVED)


def __getattr__(name: str) -> Any:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module 'magpk.reference' has no attribute {name!r}")
    warnings.warn(f"magpk.reference is deprecated: use {module.__name__}.{name}",
                  DeprecationWarning, stacklevel=2)
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_MOVED])
