"""The core's tables as bound structs (``_core.PopulationSpec``, ``_core.ParameterInfo``):
read-only objects whose fields, in binding order, are the columns of
``magpk.populations()`` and ``magpk.parameters()``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import magpk
from magpk import _core, _records

#: The columns of magpk.populations() (index "name"), in their public order.
POPULATION_COLUMNS = [
    "source", "female_fraction", "age_min_years", "age_max_years",
    "weight_mean_male_kg", "weight_mean_female_kg", "weight_cv",
    "height_mean_male_cm", "height_mean_female_cm", "height_sd_cm",
    "egfr_intercept_ml_min", "egfr_slope_per_year", "egfr_sd_ml_min",
    "egfr_min_ml_min", "egfr_max_ml_min",
    "diet_mean_male_mg", "diet_mean_female_mg", "diet_cv", "pregnant_fraction",
    "ppi_fraction", "loop_fraction", "thiazide_fraction",
    "iiv_cv_transcellular", "iiv_cv_ecf_volume", "iiv_cv_renal_tm",
]
PARAMETER_FIELDS = ["name", "value", "unit", "description", "source", "calibrated_against",
                    "kind", "allowed_min", "allowed_max", "allowed_min_inclusive"]


def test_population_fields_are_the_columns_of_populations() -> None:
    assert _records.fields(_core.PopulationSpec) == ["name", *POPULATION_COLUMNS]
    frame = magpk.populations()
    assert frame.index.name == "name"
    assert list(frame.columns) == POPULATION_COLUMNS
    assert list(frame.index) == ["adults", "elderly", "ckd3", "ckd4", "preeclampsia"]
    assert all(frame[column].dtype == float for column in POPULATION_COLUMNS[1:])


def test_parameter_fields_are_the_columns_of_parameters() -> None:
    assert _records.fields(_core.ParameterInfo) == PARAMETER_FIELDS
    assert list(magpk.parameters().columns) == [
        "value", "unit", "description", "source", "calibrated_against", "kind",
        "log_sd", "at_bound", "identifiable"]


def test_records_read_every_field() -> None:
    specs = _core.population_presets()
    records = _records.records(_core.PopulationSpec, specs)
    assert [r["name"] for r in records] == [s.name for s in specs]
    for spec, record in zip(specs, records):
        assert record == {name: getattr(spec, name) for name in record}
        assert repr(spec) == f"<PopulationSpec {spec.name!r}>"
    assert _records.records(_core.PopulationSpec, []) == []


@pytest.mark.parametrize("cls, objects", [
    (_core.PopulationSpec, _core.population_presets),
    (_core.ParameterInfo, _core.parameter_table),
])
def test_bound_structs_are_read_only(cls: type, objects: Callable[[], list[Any]]) -> None:
    item = objects()[0]
    assert isinstance(item, cls)
    with pytest.raises(AttributeError):
        item.name = "changed"
    assert objects()[0].name != "changed"


def test_parameter_allowed_range_follows_the_kind() -> None:
    for info in _core.parameter_table():
        low, high, inclusive = info.allowed_min, info.allowed_max, info.allowed_min_inclusive
        if info.kind == "positive_scale":
            assert (low, high, inclusive) == (1e-3 * info.value, 1e3 * info.value, True)
        elif info.kind == "share":
            assert (low, high, inclusive) == (0.0, 1.0, False), info.name
        elif info.kind == "fraction_may_be_zero":
            assert (low, high, inclusive) == (0.0, 1.0, True), info.name
        else:
            assert info.kind == "regression_coefficient", info.name
            assert (low, high, inclusive) == (-math.inf, math.inf, True)
