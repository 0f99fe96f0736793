"""The model's physiological parameters: values, units, sources, calibration."""

from __future__ import annotations

from typing import Any, Mapping, Optional

import pandas as pd

from . import _core, _validation


def parameters() -> pd.DataFrame:
    """Every physiological parameter with its value, unit, description,
    source and (for calibrated values) the data it was calibrated against."""
    frame = pd.DataFrame(_core.parameter_table()).set_index("name")
    return frame[["value", "unit", "description", "source", "calibrated_against"]]


def _physiology(overrides: Optional[Mapping[str, Any]]) -> "_core.Physiology":
    """Default parameters with ``overrides`` (name -> value) applied."""
    physiology = _core.Physiology()
    if overrides is None:
        return physiology
    if not isinstance(overrides, Mapping):
        raise TypeError(f"parameters={overrides!r}: expected a mapping of parameter name -> value")
    names = [row["name"] for row in _core.parameter_table()]
    for name, value in overrides.items():
        if name not in names:
            close = _core.closest_names(str(name), names, 3)
            raise ValueError(f"parameters[{name!r}]: unknown parameter; did you mean "
                             f"{', '.join(map(repr, close))}? See magpk.parameters().")
        physiology.set(name, _validation.real(f"parameters[{name!r}]", value))
    try:
        physiology.validate()
    except ValueError as error:
        raise ValueError(f"parameters: {error}") from None
    return physiology
