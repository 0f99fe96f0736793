"""The stored joint calibration: covariance of the calibrated parameters and its flags."""

from __future__ import annotations

import numpy as np
import pytest

import magpk
from magpk import validation
from magpk.parameters import stored_calibration


def test_covariance_is_a_valid_covariance_of_calibrated_parameters() -> None:
    cov = magpk.parameter_covariance()
    table = magpk.parameters()
    assert list(cov.index) == list(cov.columns)
    values = cov.to_numpy()
    np.testing.assert_allclose(values, values.T, atol=1e-12)
    assert np.linalg.eigvalsh(values).min() > -1e-10  # positive semi-definite
    for name in cov.index:
        assert name in table.index
        assert table.loc[name, "calibrated_against"], f"{name} is not a calibrated parameter"
        assert table.loc[name, "log_sd"] == pytest.approx(np.sqrt(cov.loc[name, name]))
    # Every calibrated parameter of the table is in the covariance.
    calibrated = [n for n in table.index if table.loc[n, "calibrated_against"]]
    assert sorted(calibrated) == sorted(cov.index)


def test_stored_values_are_the_table_values() -> None:
    """The covariance belongs to the values in the parameter table (rewritten together)."""
    calibration = stored_calibration()
    table = magpk.parameters()["value"]
    for name, value in zip(calibration["parameters"], calibration["values"]):
        assert table[name] == pytest.approx(value, rel=1e-4), name


def test_flags_are_consistent() -> None:
    table = magpk.parameters()
    cov = magpk.parameter_covariance()
    for name in cov.attrs["unidentifiable"]:
        assert not table.loc[name, "identifiable"]
    for name in cov.attrs["at_bound"]:
        assert table.loc[name, "at_bound"]
    # Uncalibrated parameters carry no uncertainty from the fit.
    assert np.isnan(table.loc["si_transit_time_h", "log_sd"])
    # The fit's targets are the calibration targets of magpk.validation.
    calibration_ids = {t.id for t in validation.targets() if t.calibration}
    assert set(cov.attrs["targets"]) <= calibration_ids
