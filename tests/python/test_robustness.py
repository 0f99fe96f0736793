"""Extreme but valid inputs run to completion with mass balance; absurd resource
requests are refused with a ValueError that states the limit."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import magpk
from magpk.regimen import MAX_EVENTS
from magpk.simulate import MAX_OUTPUT_ROWS

WEEK_H = 7 * 24.0
YEAR_H = 365 * 24.0


def _check(res: magpk.Result) -> dict:
    m = res.metrics()
    assert m["mass_balance_rel_error"] <= 1e-9
    for frame in (res.to_frame(), res.baseline_frame()):
        values = frame.to_numpy()
        assert np.all(np.isfinite(values))
        assert (frame["serum_mmol_l"] > 0).all()
        amounts = frame.drop(columns="time_h")
        assert amounts.to_numpy().min() >= -1e-10  # numerical zero: 1e-4 x atol
    for key, value in m.items():
        assert value is None or np.isfinite(value), key
    return m


DAILY = magpk.Regimen().oral("citrate", 300, every_h=24, count=7)
EXTREMES = {
    "egfr_5": lambda: magpk.simulate(DAILY, magpk.Subject(egfr_ml_min=5), t_end_h=WEEK_H),
    "egfr_5_plus_4g_iv": lambda: magpk.simulate(
        magpk.Regimen().iv_infusion(mgso4_g=4, duration_h=0.33).iv_infusion(
            mgso4_g=24, start_h=0.33, duration_h=24),
        magpk.Subject(egfr_ml_min=5), t_end_h=72),
    "egfr_0.01": lambda: magpk.simulate(DAILY, magpk.Subject(egfr_ml_min=0.01), t_end_h=WEEK_H),
    "mgso4_20g_bolus": lambda: magpk.simulate(magpk.Regimen().iv_bolus(mgso4_g=20, start_h=1),
                                              t_end_h=72, output_every_h=0.1),
    "mgso4_20g_bolus_egfr_5": lambda: magpk.simulate(
        magpk.Regimen().iv_bolus(mgso4_g=20, start_h=0), magpk.Subject(egfr_ml_min=5), t_end_h=72),
    "mgso4_1000g_bolus": lambda: magpk.simulate(magpk.Regimen().iv_bolus(mgso4_g=1000),
                                                t_end_h=24),
    "weight_150kg": lambda: magpk.simulate(DAILY, magpk.Subject(weight_kg=150), t_end_h=WEEK_H),
    "weight_250kg_male_short": lambda: magpk.simulate(
        DAILY, magpk.Subject(weight_kg=250, sex="male", height_cm=120), t_end_h=WEEK_H),
    "weight_30kg_tall_old": lambda: magpk.simulate(
        DAILY, magpk.Subject(weight_kg=30, height_cm=230, age_years=110), t_end_h=WEEK_H),
    "one_year_twice_daily": lambda: magpk.simulate(
        magpk.Regimen().oral("glycinate", 200, every_h=12, days=365, with_food=True),
        t_end_h=YEAR_H, output_every_h=6),
    "every_5_min_for_a_day": lambda: magpk.simulate(
        magpk.Regimen().oral("citrate", 10, every_h=5 / 60, count=288)
        .iv_bolus(dose_mg=5, every_h=5 / 60, count=288), t_end_h=48, output_every_h=0.05),
    "oxide_5g_compound_daily_week": lambda: magpk.simulate(
        magpk.Regimen().oral("oxide", 5000, basis="compound", every_h=24, days=7),
        t_end_h=WEEK_H + 48),
    "oxide_5g_elemental_daily_week": lambda: magpk.simulate(
        magpk.Regimen().oral("oxide", 5000, every_h=24, days=7), t_end_h=WEEK_H + 48),
    "oral_1e6_mg_once": lambda: magpk.simulate(magpk.Regimen().oral("chloride", 1e6),
                                               t_end_h=96),
    "diet_1_mg_day": lambda: magpk.simulate(DAILY, magpk.Subject(diet_mg_per_day=1),
                                            t_end_h=WEEK_H),
    "diet_5000_mg_day": lambda: magpk.simulate(DAILY, magpk.Subject(diet_mg_per_day=5000),
                                               t_end_h=WEEK_H),
    "diet_change_to_0_then_5000": lambda: magpk.simulate(
        DAILY.diet(0, start_h=12).diet(5000, start_h=100), t_end_h=WEEK_H),
    # The body then holds nanomoles of Mg: below the default atol (1e-8 mmol), so
    # the run asks for an absolute tolerance below that (the meals are integrated).
    "diet_1e-9_mg_day": lambda: magpk.simulate(DAILY, magpk.Subject(diet_mg_per_day=1e-9),
                                               t_end_h=WEEK_H, atol=1e-16),
    "long_infusion_20_years": lambda: magpk.simulate(
        magpk.Regimen().iv_infusion(mgso4_g=100, duration_h=20 * YEAR_H),
        t_end_h=20 * YEAR_H, output_every_h=24 * 30),
    "tight_tolerances": lambda: magpk.simulate(DAILY.im(mgso4_g=5, start_h=3), t_end_h=WEEK_H,
                                               rtol=1e-14, atol=1e-16, atol_gut=1e-16),
    "loose_tolerances": lambda: magpk.simulate(DAILY.im(mgso4_g=5, start_h=3), t_end_h=WEEK_H,
                                               rtol=1e-2, atol=1e-2, atol_gut=1e-2),
    "all_forms_at_once_with_food": lambda: magpk.simulate(
        sum((magpk.Regimen().oral(f, 100, start_h=1.0, with_food=True)
             for f in magpk.form_ids()), magpk.Regimen()), t_end_h=48),
    "pregnant_ckd_loop_ppi": lambda: magpk.simulate(
        magpk.Regimen().iv_infusion(mgso4_g=4, duration_h=0.33).iv_infusion(
            mgso4_g=24, start_h=0.33, duration_h=24),
        magpk.Subject(pregnant=True, egfr_ml_min=15, diuretic="loop", ppi=True), t_end_h=48),
}


@pytest.mark.parametrize("name", list(EXTREMES))
def test_extreme_valid_input_completes(name):
    m = _check(EXTREMES[name]())
    if name.startswith("mgso4_20g"):
        assert m["cmax_mmol_l"] > 3.0  # 81 mmol into ~17.5 L
    if name == "diet_5000_mg_day":
        assert m["baseline_serum_mmol_l"] > magpk.simulate(
            DAILY, t_end_h=24).metrics()["baseline_serum_mmol_l"]


def test_egfr_5_accumulates_more_than_normal_kidney():
    r = magpk.Regimen().iv_bolus(mgso4_g=4)
    low = _check(magpk.simulate(r, magpk.Subject(egfr_ml_min=5), t_end_h=48))
    normal = _check(magpk.simulate(r, magpk.Subject(), t_end_h=48))
    assert low["auc_above_baseline_mmol_h_l"] > normal["auc_above_baseline_mmol_h_l"]


# --------------------------------------------------------------------------
# absurd resource requests
# --------------------------------------------------------------------------
@pytest.mark.parametrize("call, limit", [
    (lambda: magpk.simulate(magpk.Regimen(), t_end_h=1000, output_every_h=1e-6), "500,000"),
    (lambda: magpk.simulate(magpk.Regimen(), t_end_h=20 * YEAR_H, output_every_h=1e-5),
     "500,000"),
    (lambda: magpk.simulate(magpk.Regimen(), t_end_h=1000,
                            output_times_h=np.linspace(0, 1000, MAX_OUTPUT_ROWS + 10)), "500,000"),
    (lambda: magpk.Regimen().oral("citrate", 100, every_h=1, count=10**7), "1,000,000"),
    (lambda: magpk.Regimen().oral("citrate", 100, every_h=0.001, days=7000), "1,000,000"),
    (lambda: magpk.Regimen().iv_bolus(mgso4_g=1, every_h=1, count=10**7), "1,000,000"),
    (lambda: magpk.Regimen().im(mgso4_g=1, every_h=1, count=10**7), "1,000,000"),
    (lambda: magpk.Regimen().iv_infusion(mgso4_g=1, duration_h=1, every_h=1, count=10**7),
     "1,000,000"),
    (lambda: magpk.simulate_population(magpk.Regimen(), n=10**9), "10,000,000"),
    (lambda: magpk.simulate_population(magpk.Regimen(), n=10**7, t_end_h=720, trajectories=True),
     "max_trajectory_bytes"),
    (lambda: magpk.simulate(magpk.Regimen(), t_end_h=1e9), "20 years"),
], ids=["1e9_rows", "20y_at_36ms", "explicit_rows", "oral_count_1e7", "oral_days",
        "bolus_count_1e7", "im_count_1e7", "infusion_count_1e7", "population_1e9",
        "population_trajectories", "t_end_1e9_h"])
def test_absurd_requests_refused_with_the_limit(call, limit):
    with pytest.raises(ValueError, match=limit.replace("(", r"\(")):
        call()


def test_regimen_total_event_limit():
    big = magpk.Regimen().oral("citrate", 100, every_h=0.01, count=MAX_EVENTS)
    with pytest.raises(ValueError, match="1,000,000"):
        big.iv_bolus(mgso4_g=1)
    with pytest.raises(ValueError, match="1,000,000"):
        big + magpk.Regimen().diet(300, start_h=1)


class _CountingTimes:
    """10^7 valid dose times that count how many are read."""

    def __init__(self, n: int) -> None:
        self.n, self.read = n, 0

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        for i in range(self.n):
            self.read += 1
            if self.read > MAX_EVENTS + 1:
                raise AssertionError(f"read {self.read:,} entries of a list that is over the "
                                     f"limit by its length")
            yield i * 1e-4


def test_ten_million_times_refused_before_reading_them():
    times = _CountingTimes(10**7)
    with pytest.raises(ValueError, match="1,000,000"):
        magpk.Regimen().oral("citrate", 100, times_h=times)


def test_population_histogram_memory_is_bounded():
    # in a child process with a 3 GB address-space limit, so the suite itself is safe
    code = textwrap.dedent("""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
        import magpk
        try:
            magpk.simulate_population(magpk.Regimen(), n=1, t_end_h=175200, output_every_h=1,
                                      threads=1, progress=False)
        except ValueError as error:
            print("VALUE_ERROR", error)
            sys.exit(0)
        except BaseException as error:
            print(type(error).__name__, error)
            sys.exit(3)
        print("NO_ERROR")
        sys.exit(4)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout[-500:] + proc.stderr[-500:]
    assert "VALUE_ERROR" in proc.stdout
