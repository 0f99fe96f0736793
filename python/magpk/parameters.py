"""The model's physiological parameters: values, units, sources, calibration."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from . import _arguments, _core, _records


@cache
def stored_calibration() -> dict[str, Any]:
    """The stored joint calibration (calibration/calibrate.py --write)."""
    text = resources.files("magpk").joinpath("data").joinpath("calibration.json").read_text()
    calibration: dict[str, Any] = json.loads(text)
    return calibration


def parameters() -> pd.DataFrame:
    """Every physiological parameter with its value, unit, description,
    source and (for calibrated values) the data it was calibrated against,
    and its ``kind``, which sets the values an override may take:
    "positive_scale" (1e-3 to 1e3 x the value), "share" (0, 1],
    "fraction_may_be_zero" [0, 1] or "regression_coefficient" (any finite value).

    Calibrated parameters also carry ``log_sd`` (standard deviation of the log
    of the value from the joint calibration: 0.1 ~ ±10 %), ``at_bound`` (the
    fit sits at the bound of its allowed range) and ``identifiable`` (False
    when the calibration targets do not constrain it; its ``log_sd`` is then a
    cap, not an estimate). See :func:`parameter_covariance`.
    """
    table = _records.records(_core.ParameterInfo, _core.parameter_table())
    frame = pd.DataFrame(table).set_index("name")
    frame = frame[["value", "unit", "description", "source", "calibrated_against", "kind"]]
    calibration = stored_calibration()
    sd = np.sqrt(np.diag(np.asarray(calibration["log_covariance"])))
    log_sd = dict(zip(calibration["parameters"], sd))
    frame["log_sd"] = [log_sd.get(name, np.nan) for name in frame.index]
    frame["at_bound"] = [name in calibration["at_bound"] for name in frame.index]
    frame["identifiable"] = [name not in calibration["unidentifiable"] for name in frame.index]
    return frame


def parameter_covariance() -> pd.DataFrame:
    """Covariance of the log of the calibrated parameters from the joint
    calibration (``calibration/calibrate.py``): residuals are scaled by each
    calibration target's tolerance half-width, read as one standard deviation.
    Directions the targets do not constrain are capped (log-SD 3) and their
    parameters are flagged in :func:`parameters` (``identifiable``).
    Index and columns are parameter names; ``attrs`` holds the date, targets,
    flags and scaled residuals of the fit."""
    calibration = stored_calibration()
    names = calibration["parameters"]
    frame = pd.DataFrame(calibration["log_covariance"], index=names, columns=names)
    frame.attrs.update({key: calibration[key] for key in
                        ("date", "targets", "at_bound", "unidentifiable", "scaled_residuals",
                         "description")})
    return frame


def core_physiology(overrides: Mapping[str, Any] | None) -> _core.Physiology:
    """Default parameters with ``overrides`` (name -> value) applied."""
    physiology = _core.Physiology()
    if overrides is None:
        return physiology
    if not isinstance(overrides, Mapping):
        raise TypeError(f"parameters={overrides!r}: expected a mapping of parameter name -> value")
    names = [info.name for info in _core.parameter_table()]
    for name, value in overrides.items():
        if name not in names:
            close = _core.closest_names(str(name), names, 3)
            raise ValueError(f"parameters[{name!r}]: unknown parameter; did you mean "
                             f"{', '.join(map(repr, close))}? See magpk.parameters().")
        physiology.set(name, _arguments.real(f"parameters[{name!r}]", value))
    try:
        physiology.validate()
    except ValueError as error:
        raise ValueError(f"parameters: {error}") from None
    return physiology
