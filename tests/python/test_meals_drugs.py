"""Meals, fasting protocols and drugs that start and stop (Model 2): API and checks."""

from __future__ import annotations

import math

import pytest

import magpk
from magpk.forms import MG_PER_MMOL

SUBJECT = magpk.Subject()


def test_default_meals_come_from_the_core() -> None:
    assert SUBJECT.meals == magpk.subject.DEFAULT_MEALS
    assert math.isclose(sum(share for _, share in SUBJECT.meals), 1.0)
    assert SUBJECT.start_clock_h == 7.0
    assert magpk.Subject(meals="continuous").meals == ()


def test_daily_diet_arrives_as_meals() -> None:
    res = magpk.simulate(magpk.Regimen(), SUBJECT, t_end_h=48, output_every_h=0.5)
    frame = res.to_frame().set_index("time_h")
    per_day = SUBJECT.diet_mg_per_day / MG_PER_MMOL
    assert frame["diet_in_cum_mmol"].loc[24.0] == pytest.approx(per_day, rel=1e-9)
    # Nothing is eaten between dinner's end (23:00) and breakfast (08:00 = t 1 h).
    assert frame["diet_in_cum_mmol"].loc[1.0] == 0.0
    # Serum follows the meals but stays within a few percent of its mean.
    serum = frame["serum_mmol_l"]
    assert serum.max() - serum.min() > 1e-4
    assert serum.max() < 1.05 * res.metrics()["baseline_serum_mmol_l"]


def test_fast_removes_meals_from_both_runs() -> None:
    regimen = magpk.Regimen().fast(0.0, 12.0).oral("citrate", 300, start_h=0.0)
    res = magpk.simulate(regimen, SUBJECT, t_end_h=12, output_every_h=12)
    assert res.to_frame()["diet_in_cum_mmol"].iloc[-1] == 0.0
    assert res.baseline_frame()["diet_in_cum_mmol"].iloc[-1] == 0.0


def test_with_food_raises_tracer_absorption_of_a_solution() -> None:
    """Sabatier 2002 direction: the dose empties with the meal."""
    def fraction(with_food: bool) -> float:
        regimen = magpk.Regimen().fast(0, 4).oral("solution", 70, start_h=1.0, with_food=with_food)
        return magpk.simulate(regimen, SUBJECT, t_end_h=72).metrics()["fraction_absorbed"]
    assert fraction(True) > fraction(False)


def test_drug_window_equals_subject_flag_when_it_spans_the_run() -> None:
    flag = magpk.simulate(magpk.Regimen().oral("oxide", 400), magpk.Subject(ppi=True), t_end_h=48)
    window = magpk.simulate(magpk.Regimen().oral("oxide", 400).drug("ppi", 0.0),
                            magpk.Subject(), t_end_h=48)
    # The subject flag also applies before t = 0 (the steady state); the window does not.
    assert flag.metrics()["fraction_absorbed"] == pytest.approx(
        window.metrics()["fraction_absorbed"], rel=0.02)
    without = magpk.simulate(magpk.Regimen().oral("oxide", 400), magpk.Subject(), t_end_h=48)
    assert window.metrics()["fraction_absorbed"] < without.metrics()["fraction_absorbed"]


def test_loop_diuretic_started_mid_run_raises_urine_from_then_on() -> None:
    regimen = magpk.Regimen().drug("loop", start_h=24.0, stop_h=48.0)
    frame = magpk.simulate(regimen, SUBJECT, t_end_h=72, output_every_h=24).to_frame()
    base = magpk.simulate(magpk.Regimen(), SUBJECT, t_end_h=72, output_every_h=24).to_frame()
    day = frame["urine_cum_mmol"].diff()
    base_day = base["urine_cum_mmol"].diff()
    assert day.iloc[1] == pytest.approx(base_day.iloc[1], rel=1e-5)
    assert day.iloc[2] > 1.2 * base_day.iloc[2]


def test_display_lists_fasts_and_drugs() -> None:
    text = repr(magpk.Regimen().fast(0, 4).drug("thiazide", 10, 20).drug("ppi", 5))
    assert "fast (no meals) from 0 h to 4 h" in text
    assert "drug thiazide from 10 h to 20 h" in text
    assert "drug ppi from 5 h" in text


@pytest.mark.parametrize("call, match", [
    (lambda: magpk.Regimen().drug("aspirin", 0), r"name='aspirin': allowed values are 'ppi'"),
    (lambda: magpk.Regimen().drug(3, 0), r"name=3"),
    (lambda: magpk.Regimen().drug("ppi", 10, 5), r"stop_h=5: must be after start_h=10"),
    (lambda: magpk.Regimen().drug("loop", -1), r"start_h=-1"),
    (lambda: magpk.Regimen().fast(5, 5), r"stop_h=5: must be after start_h=5"),
    (lambda: magpk.Regimen().fast(0, math.inf), r"stop_h=inf"),
    (lambda: magpk.Subject(meals="grazing"), r"meals='grazing': allowed values"),
    (lambda: magpk.Subject(meals=[(8, 0.5), (10, 0.5)]), r"overlap"),
    (lambda: magpk.Subject(meals=[(8, 0.5), (18, 0.4)]), r"sum to 0.9"),
    (lambda: magpk.Subject(meals=[(25, 1.0)]), r"meals clock_h=25"),
    (lambda: magpk.Subject(meals=[(8, 0.0), (18, 1.0)]), r"meals share=0"),
    (lambda: magpk.Subject(meals=[(8,)]), r"not a \(clock_h, share\) pair"),
    (lambda: magpk.Subject(meals=[]), r"at least one meal"),
    (lambda: magpk.Subject(start_clock_h=24), r"start_clock_h=24"),
])
def test_bad_meal_fast_and_drug_input_is_named(call, match) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_meals_must_be_pairs_not_a_number() -> None:
    with pytest.raises(TypeError, match="meals=5"):
        magpk.Subject(meals=5)
