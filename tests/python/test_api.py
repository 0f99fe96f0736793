"""The public Python API: contract (names, columns, meanings) and input validation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import magpk

REQUIRED_FORMS = ["oxide", "hydroxide", "carbonate", "chloride", "sulfate", "citrate", "glycinate",
                  "buffered_glycinate", "malate", "threonate", "lactate", "aspartate", "taurate",
                  "orotate", "gluconate", "solution"]
REQUIRED_COLUMNS = ["time_h", "serum_mmol_l", "serum_mg_dl", "serum_meq_l", "plasma_mmol",
                    "tissue_mmol", "bone_mmol", "gut_mmol", "absorbed_cum_mmol", "urine_cum_mmol",
                    "feces_cum_mmol"]
REQUIRED_METRICS = ["fraction_absorbed", "absorbed_increment_mmol", "urine_increment_24h_mmol",
                    "cmax_mmol_l", "tmax_h", "auc_above_baseline_mmol_h_l", "diarrhea_probability",
                    "mass_balance_rel_error"]


def test_forms_catalogue() -> None:
    table = magpk.forms()
    assert isinstance(table, pd.DataFrame)
    assert list(table.index) == REQUIRED_FORMS
    assert ((table["elemental_fraction"] > 0) & (table["elemental_fraction"] <= 1)).all()
    # "500 mg magnesium glycinate" is ~70 mg elemental Mg (bisglycinate, 14.1% Mg).
    assert magpk.elemental_mg("glycinate", 500) == pytest.approx(70.5, abs=0.5)
    assert (magpk.compound_mg("glycinate", magpk.elemental_mg("glycinate", 500))
            == pytest.approx(500))


def test_issue_example_runs_and_has_the_contract() -> None:
    s = magpk.Subject(weight_kg=70.0, sex="female", age_years=40, egfr_ml_min=100.0,
                      diet_mg_per_day=300.0, pregnant=False, ppi=False, diuretic=None)
    r = (magpk.Regimen()
         .oral("glycinate", dose_mg=200, every_h=12, count=60)
         .oral("glycinate", dose_mg=500, basis="compound", start_h=6, with_food=True)
         .iv_infusion(mgso4_g=4, start_h=0, duration_h=0.33)
         .iv_bolus(mgso4_g=2, start_h=30).im(mgso4_g=5, start_h=40)
         .diet(mg_per_day=50, start_h=100))
    res = magpk.simulate(r, subject=s, t_end_h=24 * 30, output_every_h=0.5)
    df = res.to_frame()
    assert list(df.columns[: len(REQUIRED_COLUMNS)]) == REQUIRED_COLUMNS
    assert len(df) == 24 * 30 * 2 + 1
    assert df["time_h"].iloc[0] == 0.0 and df["time_h"].iloc[-1] == 24 * 30
    np.testing.assert_allclose(df["serum_mg_dl"], df["serum_mmol_l"] * 2.4305)
    np.testing.assert_allclose(df["serum_meq_l"], df["serum_mmol_l"] * 2.0)
    m = res.metrics()
    for key in REQUIRED_METRICS:
        assert key in m
    assert 0.0 < m["fraction_absorbed"] < 1.0
    assert 0.0 <= m["diarrhea_probability"] <= 1.0
    assert m["mass_balance_rel_error"] < 1e-9
    assert (df.drop(columns="time_h") >= -1e-10).all().all()  # numerical zero: 1e-4 x atol
    # Oral elemental dose: 60 x 200 mg + 500 mg compound glycinate (14.1% Mg).
    expected_mmol = (60 * 200 + 500 * magpk.elemental_fraction("glycinate")) / 24.305
    assert m["oral_supplement_mmol"] == pytest.approx(expected_mmol)


def test_compare_forms_one_row_per_form() -> None:
    s = magpk.Subject()
    table = magpk.compare_forms(["oxide", "citrate", "glycinate"], dose_mg=300, every_h=24,
                                count=1, subject=s, t_end_h=72)
    assert list(table.index) == ["oxide", "citrate", "glycinate"]
    for key in REQUIRED_METRICS:
        assert key in table.columns
    # Oxide dissolves poorly (acid-limited): least absorbed. What stays solid is
    # not osmotic (Fine 1991 NEJM), so oxide is not the worst for GI tolerance.
    assert table["fraction_absorbed"].idxmin() == "oxide"
    assert table["diarrhea_probability"].idxmin() == "oxide"


def test_metrics_absent_when_undefined() -> None:
    res = magpk.simulate(magpk.Regimen().iv_bolus(mgso4_g=2, start_h=1), t_end_h=12)
    m = res.metrics()
    assert m["fraction_absorbed"] is None          # no oral supplement
    assert m["urine_increment_24h_mmol"] is None   # run ends before first dose + 24 h


def test_event_after_t_end_is_ignored_and_same_instant_doses_add() -> None:
    base = magpk.simulate(magpk.Regimen().oral("citrate", 100, start_h=2), t_end_h=48)
    late = magpk.simulate(magpk.Regimen().oral("citrate", 100, start_h=2)
                          .oral("oxide", 500, start_h=49), t_end_h=48)
    pd.testing.assert_frame_equal(base.to_frame(), late.to_frame())
    double = magpk.simulate(magpk.Regimen().oral("citrate", 200, start_h=2), t_end_h=48)
    split = magpk.simulate(magpk.Regimen().oral("citrate", 100, start_h=2)
                           .oral("citrate", 100, start_h=2), t_end_h=48)
    np.testing.assert_allclose(split.to_frame().to_numpy(), double.to_frame().to_numpy(),
                               rtol=1e-12, atol=1e-12)


def test_row_at_event_time_shows_state_after_event() -> None:
    mmol = 2 * magpk.forms().loc["sulfate", "mg_per_g"] / 24.305
    res = magpk.simulate(magpk.Regimen().iv_bolus(mgso4_g=2, start_h=5), t_end_h=10,
                         output_times_h=[5.0 - 1e-9, 5.0])
    frame = res.to_frame().set_index("time_h")
    jump = frame.loc[5.0, "plasma_mmol"] - frame.loc[5.0 - 1e-9, "plasma_mmol"]
    assert jump == pytest.approx(mmol, rel=1e-6)


def test_overlapping_infusions_add_up() -> None:
    one = magpk.simulate(magpk.Regimen().iv_infusion(mgso4_g=8, start_h=1, duration_h=2), t_end_h=6)
    two = magpk.simulate(magpk.Regimen().iv_infusion(mgso4_g=4, start_h=1, duration_h=2)
                         .iv_infusion(mgso4_g=4, start_h=1, duration_h=2), t_end_h=6)
    np.testing.assert_allclose(one.to_frame().to_numpy(), two.to_frame().to_numpy(), rtol=1e-10)


def test_parameters_table_and_overrides() -> None:
    table = magpk.parameters()
    assert {"value", "unit", "source", "calibrated_against"} <= set(table.columns)
    assert (table["unit"] != "").all() and (table["source"] != "").all()
    low = magpk.simulate(magpk.Regimen(), t_end_h=1,
                         parameters={"renal_tm_mmol_per_l_filtrate": 0.5})
    default = magpk.simulate(magpk.Regimen(), t_end_h=1)
    assert low.steady_state_serum_mmol_l < default.steady_state_serum_mmol_l


def test_repr_is_readable() -> None:
    res = magpk.simulate(magpk.Regimen().oral("citrate", 300), t_end_h=24)
    assert "fraction absorbed" in repr(res)


@pytest.mark.parametrize("call, exception, words", [
    (lambda: magpk.Regimen().oral("glycinat", 100), ValueError, ["form", "glycinate"]),
    (lambda: magpk.Regimen().oral(3, 100), TypeError, ["form"]),
    (lambda: magpk.Regimen().oral("citrate", -5), ValueError, ["dose_mg", "-5"]),
    (lambda: magpk.Regimen().oral("citrate", float("nan")), ValueError, ["dose_mg", "finite"]),
    (lambda: magpk.Regimen().oral("citrate", "100"), TypeError, ["dose_mg"]),
    (lambda: magpk.Regimen().oral("citrate", 100, every_h=12), ValueError, ["every_h", "count"]),
    (lambda: magpk.Regimen().oral("citrate", 100, start_h=-1), ValueError, ["start_h", "-1"]),
    (lambda: magpk.Regimen().oral("citrate", 100, basis="salt"), ValueError, ["basis", "compound"]),
    (lambda: magpk.Regimen().oral("citrate", 100, every_h=1, count=10**7), ValueError, ["count"]),
    (lambda: magpk.Regimen().iv_infusion(mgso4_g=4, duration_h=0), ValueError, ["duration_h"]),
    (lambda: magpk.Regimen().iv_bolus(mgso4_g=2, dose_mg=100), ValueError, ["mgso4_g", "dose_mg"]),
    (lambda: magpk.Regimen().iv_bolus(), ValueError, ["mgso4_g"]),
    (lambda: magpk.Regimen().diet(-10, start_h=5), ValueError, ["mg_per_day"]),
    (lambda: magpk.Subject(egfr_ml_min=0), ValueError, ["egfr_ml_min", "0"]),
    (lambda: magpk.Subject(weight_kg=400), ValueError, ["weight_kg", "400"]),
    (lambda: magpk.Subject(sex="f"), ValueError, ["sex", "female"]),
    (lambda: magpk.Subject(sex="male", pregnant=True), ValueError, ["pregnant"]),
    (lambda: magpk.Subject(diuretic="osmotic"), ValueError, ["diuretic", "loop"]),
    (lambda: magpk.Subject(ppi="yes"), TypeError, ["ppi"]),
    (lambda: magpk.simulate(magpk.Regimen(), t_end_h=0), ValueError, ["t_end_h"]),
    (lambda: magpk.simulate(magpk.Regimen(), t_end_h=float("inf")), ValueError, ["t_end_h"]),
    (lambda: magpk.simulate(magpk.Regimen(), t_end_h=24 * 365 * 10, output_every_h=0.01),
     ValueError, ["output_every_h", "memory"]),
    (lambda: magpk.simulate("citrate", t_end_h=1), TypeError, ["regimen"]),
    (lambda: magpk.simulate(magpk.Regimen(), t_end_h=1, parameters={"renal_tm": 1.0}),
     ValueError, ["renal_tm", "renal_tm_mmol_per_l_filtrate"]),
    (lambda: magpk.compare_forms("oxide", dose_mg=100), TypeError, ["forms"]),
])
def test_bad_input_raises_clear_error(call, exception, words) -> None:
    with pytest.raises(exception) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, message


def test_simulation_is_deterministic() -> None:
    r = magpk.Regimen().oral("oxide", 400, every_h=24, count=3)
    a = magpk.simulate(r, t_end_h=96).to_frame()
    b = magpk.simulate(r, t_end_h=96).to_frame()
    pd.testing.assert_frame_equal(a, b)


def test_results_do_not_depend_on_the_output_grid() -> None:
    r = magpk.Regimen().oral("citrate", 300, every_h=12, count=4, with_food=True)
    coarse = magpk.simulate(r, t_end_h=72, output_every_h=6).to_frame().set_index("time_h")
    fine = magpk.simulate(r, t_end_h=72, output_every_h=0.25).to_frame().set_index("time_h")
    shared = fine.loc[coarse.index]
    np.testing.assert_allclose(shared.to_numpy(), coarse.to_numpy(), rtol=1e-7, atol=1e-10)
    # Cmax is found on the solution: at least the fine grid's maximum, and not above it by much.
    cmax = magpk.simulate(r, t_end_h=72, output_every_h=6).metrics()["cmax_mmol_l"]
    assert cmax >= fine["serum_mmol_l"].max() - 1e-12
    assert cmax - fine["serum_mmol_l"].max() < 1e-3
    assert math.isfinite(cmax)


def test_long_run_is_interruptible_with_ctrl_c() -> None:
    """A long call polls for signals: KeyboardInterrupt arrives within ~a second."""
    import _thread
    import threading
    import time

    regimen = magpk.Regimen().oral("glycinate", 200, every_h=0.5, count=200_000)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    started = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            magpk.simulate(regimen, t_end_h=24 * 365 * 10, output_every_h=24)
    finally:
        timer.cancel()
    assert time.perf_counter() - started < 5.0


def test_urine_24h_is_a_24h_collection() -> None:
    res = magpk.simulate(magpk.Regimen().oral("citrate", 300), t_end_h=48, output_every_h=1)
    frame = res.to_frame().set_index("time_h")
    assert res.metrics()["urine_24h_mmol"] == pytest.approx(frame["urine_cum_mmol"].loc[24.0],
                                                            rel=1e-9)
    assert magpk.simulate(magpk.Regimen(), t_end_h=12).metrics()["urine_24h_mmol"] is None


@pytest.mark.parametrize("method", ["iv_bolus", "im"])
def test_at_h_is_a_deprecated_name_for_start_h(method: str) -> None:
    """One keyword for an event's time: ``start_h``; 0.1's ``at_h`` still works, with a warning."""
    new = getattr(magpk.Regimen(), method)(mgso4_g=2, start_h=3, every_h=6, count=2)
    with pytest.warns(DeprecationWarning, match=rf"Regimen\.{method}\(at_h=.*start_h"):
        old = getattr(magpk.Regimen(), method)(mgso4_g=2, at_h=3, every_h=6, count=2)
    assert old == new
    with pytest.raises(ValueError, match="give start_h only"):
        getattr(magpk.Regimen(), method)(mgso4_g=2, start_h=3, at_h=3)


def test_every_event_method_names_its_time_start_h() -> None:
    import inspect
    for method in ("oral", "iv_bolus", "im", "iv_infusion", "diet", "fast", "drug"):
        assert "start_h" in inspect.signature(getattr(magpk.Regimen, method)).parameters, method


def test_parameter_overrides_that_empty_a_pool_are_refused() -> None:
    """A fast peripheral pool larger than all intracellular Mg leaves nothing for
    the cells: the core refuses it (it used to fail later, in the steady state)."""
    volume = magpk.parameters().loc["peripheral_volume_l_per_kg", "value"]
    with pytest.raises(ValueError, match=r"peripheral_volume_l_per_kg .* intracellular total"):
        magpk.simulate(magpk.Regimen(), t_end_h=24,
                       parameters={"peripheral_volume_l_per_kg": 42 * volume})
