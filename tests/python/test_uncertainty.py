"""Uncertainty from the calibration covariance: simulate(..., uncertainty=n),
compare_forms(..., uncertainty=n), the draws, and the CLI's --uncertainty."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import magpk
from magpk import uncertainty

ROOT = Path(__file__).resolve().parents[2]
ORAL = magpk.Regimen().oral("citrate", dose_mg=300, every_h=24, count=1)
N = 40


@pytest.fixture(scope="module")
def result() -> magpk.Result:
    return magpk.simulate(ORAL, t_end_h=72, uncertainty=N, seed=7, threads=2)


def _check_intervals(metrics: dict, names) -> None:
    for name in names:
        point, low, high = metrics[name], metrics[f"{name}_p5"], metrics[f"{name}_p95"]
        if point is None:
            assert low is None and high is None, name
        else:
            assert low <= point <= high, (name, low, point, high)


def test_every_metric_gets_an_interval_containing_the_point(result: magpk.Result) -> None:
    plain = magpk.simulate(ORAL, t_end_h=72).metrics()
    metrics = result.metrics()
    assert set(metrics) == set(plain) | {f"{m}{s}" for m in plain for s in ("_p5", "_p95")}
    for name in plain:
        assert metrics[name] == plain[name]  # the point estimate is unchanged
    _check_intervals(metrics, plain)
    # The calibration leaves real room: absorption is not pinned.
    assert metrics["fraction_absorbed_p95"] > metrics["fraction_absorbed_p5"]
    assert result.uncertainty.n == N and result.uncertainty.seed == 7
    assert result.uncertainty.metrics.shape[0] == N


def test_reproducible_with_a_seed_and_independent_of_threads(result: magpk.Result) -> None:
    again = magpk.simulate(ORAL, t_end_h=72, uncertainty=N, seed=7, threads=1)
    assert again.metrics() == result.metrics()
    other = magpk.simulate(ORAL, t_end_h=72, uncertainty=N, seed=8, threads=2)
    assert other.metrics()["fraction_absorbed_p95"] != result.metrics()["fraction_absorbed_p95"]


def test_draws_lie_in_the_calibration_ranges_and_do_not_depend_on_n() -> None:
    draws = uncertainty.draw_parameters(200, seed=3)
    assert list(draws.columns) == list(magpk.parameter_covariance().index)
    for name, (low, high) in uncertainty.calibration_bounds().items():
        assert draws[name].between(low, high).all(), name
    pd.testing.assert_frame_equal(uncertainty.draw_parameters(50, seed=3), draws.iloc[:50])
    # Well-identified parameters scatter as the covariance says (log-SD within 25 %).
    log_sd = magpk.parameters().loc["si_vmax_mmol_h", "log_sd"]
    assert np.log(draws["si_vmax_mmol_h"]).std() == pytest.approx(log_sd, rel=0.25)


def test_bounds_match_the_calibration_script() -> None:
    pytest.importorskip("scipy")
    spec = importlib.util.spec_from_file_location("calibrate", ROOT / "calibration" /
                                                  "calibrate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bounds = {name: (low, high) for names, lows, highs, _ in module.STAGES
              for name, low, high in zip(names, lows, highs)}
    assert bounds == uncertainty.calibration_bounds()
    assert set(bounds) == set(magpk.parameter_covariance().index)


@pytest.mark.parametrize("kwargs, error", [
    ({"uncertainty": 0}, ValueError),
    ({"uncertainty": -5}, ValueError),
    ({"uncertainty": uncertainty.MAX_DRAWS + 1}, ValueError),
    ({"uncertainty": 2.5}, TypeError),
    ({"uncertainty": True}, TypeError),
    ({"uncertainty": 3, "seed": -1}, ValueError),
    ({"uncertainty": 3, "seed": 2**63}, ValueError),
    ({"uncertainty": 3, "seed": "one"}, TypeError),
    ({"uncertainty": 3, "threads": 0}, ValueError),
    ({"seed": 1}, ValueError),       # a seed without draws
    ({"threads": 2}, ValueError),
])
def test_bad_uncertainty_arguments(kwargs, error) -> None:
    with pytest.raises(error):
        magpk.simulate(ORAL, t_end_h=24, **kwargs)


def test_user_overrides_win_over_the_draws() -> None:
    res = magpk.simulate(ORAL, t_end_h=48, uncertainty=5, parameters={"si_vmax_mmol_h": 0.4})
    drawn = res.uncertainty.parameters
    assert (drawn["si_vmax_mmol_h"] == 0.4).all()
    assert drawn["si_km_mmol"].nunique() == 5
    one = dict(drawn.iloc[0])
    alone = magpk.simulate(ORAL, t_end_h=48, parameters=one).metrics()
    assert res.uncertainty.metrics.iloc[0]["fraction_absorbed"] == alone["fraction_absorbed"]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return magpk.compare_forms(["oxide", "citrate", "glycinate"], dose_mg=300, every_h=24,
                               count=1, t_end_h=72, uncertainty=N, seed=2, threads=2)


def test_compare_forms_adds_intervals(table: pd.DataFrame) -> None:
    names = list(magpk.simulate(ORAL, t_end_h=72).metrics())
    for name in names:
        assert {f"{name}_p5", f"{name}_p95"} <= set(table.columns)
    for _form, row in table.iterrows():
        _check_intervals(row.where(row.notna(), None).to_dict(), names)
    again = magpk.compare_forms(["oxide", "citrate", "glycinate"], dose_mg=300, every_h=24,
                                count=1, t_end_h=72, uncertainty=N, seed=2, threads=1)
    pd.testing.assert_frame_equal(again, table)


def test_compare_forms_uses_the_same_draws_for_every_form(table: pd.DataFrame) -> None:
    draws = table.attrs["uncertainty"]
    assert draws.n == N and list(draws.points.index) == ["oxide", "citrate", "glycinate"]
    assert draws.metrics.index.names == ["form", "draw"]
    differences = draws.differences("fraction_absorbed", "oxide")
    assert list(differences.columns) == ["difference", "p5", "p95", "resolved"]
    assert bool(differences.at["citrate", "resolved"])  # oxide dissolves poorly: resolved
    for _form, row in differences.iterrows():
        assert row["p5"] <= row["difference"] <= row["p95"]
    with pytest.raises(ValueError):
        draws.differences("fraction_absorbed", "malate")
    # The attrs survive pandas operations that compare or copy them.
    assert pd.concat([table, table]).shape[0] == 6
    assert table.copy(deep=True).attrs["uncertainty"] is draws


def test_cli_compare_and_simulate_show_intervals() -> None:
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "magpk.cli", *args], capture_output=True,
                              text=True, timeout=300)

    compare = run("compare", "--forms", "oxide,citrate", "--count", "1", "--uncertainty", "20",
                  "--seed", "3")
    assert compare.returncode == 0, compare.stderr
    assert "–" in compare.stdout and "20 parameter draws" in compare.stdout
    assert "seed 3" in compare.stdout
    simulate = run("simulate", "--days", "1", "--uncertainty", "10", "--units", "mmol")
    assert simulate.returncode == 0, simulate.stderr
    assert "10 parameter draws" in simulate.stdout
    for args in (["simulate", "--seed", "4"], ["compare", "--uncertainty", "0"],
                 ["compare", "--uncertainty", "3", "--seed", "-2"]):
        bad = run(*args)
        assert bad.returncode == 2, args
        assert "--seed" in bad.stderr or "--uncertainty" in bad.stderr
