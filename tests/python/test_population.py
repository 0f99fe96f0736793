"""Virtual populations: reproducibility, streamed summaries against full
trajectories, covariate sampling against the preset specifications, Dask
scale-out, user-supplied cohorts and input validation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import magpk
from magpk import _core
from magpk.population import _DIURETIC_NAMES, _run_chunk
from magpk.simulate import DEFAULT_ATOL, DEFAULT_ATOL_GUT, DEFAULT_RTOL

SEED = 20240611
N = 400
T_END_H = 72.0
VARIABLES = [name for name, _, _ in _core.summary_variables()]
QS = (0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 100)
COVARIATES = ["weight_kg", "sex", "age_years", "height_cm", "egfr_ml_min", "diet_mg_per_day",
              "pregnant", "ppi", "diuretic", "transcellular_factor", "ecf_volume_factor",
              "renal_tm_factor"]


def twice_daily() -> magpk.Regimen:
    """200 mg elemental Mg as glycinate every 12 h for 3 days."""
    return magpk.Regimen().oral("glycinate", dose_mg=200, every_h=12, count=6)


def run(**kwargs: Any) -> magpk.Population:
    options: dict[str, Any] = dict(n=N, seed=SEED, t_end_h=T_END_H, threads=2, progress=False)
    options.update(kwargs)
    return magpk.simulate_population(twice_daily(), **options)


@pytest.fixture(scope="module")
def reference() -> magpk.Population:
    """The reference cohort, with full trajectories."""
    return run(chunk_size=1000, trajectories=True)


def assert_same_population(a: magpk.Population, b: magpk.Population) -> None:
    """Bit-identical cohorts and summaries."""
    assert a.n == b.n
    np.testing.assert_array_equal(a.times_h, b.times_h)
    pd.testing.assert_frame_equal(a.subjects(), b.subjects(), check_exact=True)
    np.testing.assert_array_equal(a._histogram, b._histogram)
    pd.testing.assert_frame_equal(a.percentiles(QS), b.percentiles(QS), check_exact=True)


# --- 1. reproducibility -----------------------------------------------------------------------

@pytest.mark.parametrize("threads, chunk_size", [(1, 1000), (2, 50), (1, 50), (2, 37)])
def test_same_seed_gives_identical_results_for_any_threads_and_chunks(
        reference: magpk.Population, threads: int, chunk_size: int) -> None:
    # Also without trajectories: keeping them must not change the summaries.
    assert_same_population(run(threads=threads, chunk_size=chunk_size), reference)


def test_engine_results_do_not_depend_on_the_thread_count(reference: magpk.Population) -> None:
    # The C++ batch engine itself, below the Python wrapper: one thread, more
    # threads than cores, more threads than subjects.
    tolerances = (DEFAULT_RTOL, DEFAULT_ATOL, DEFAULT_ATOL_GUT)
    outputs = [_run_chunk("adults", SEED, 0, 60, None, twice_daily(), T_END_H,
                          reference.times_h, tolerances, threads, True)
               for threads in (1, 3, 100)]
    for _columns, histogram, metrics, trajectories in outputs[1:]:
        np.testing.assert_array_equal(histogram, outputs[0][1])
        np.testing.assert_array_equal(metrics, outputs[0][2])
        np.testing.assert_array_equal(trajectories, outputs[0][3])
    # ... and the chunk is the first 60 subjects of the reference cohort.
    np.testing.assert_array_equal(outputs[0][2], reference._metrics[:60])
    np.testing.assert_array_equal(outputs[0][3], reference._trajectories[:60])


def test_a_smaller_cohort_is_a_prefix_of_a_larger_one(reference: magpk.Population) -> None:
    small = run(n=150, chunk_size=64)
    pd.testing.assert_frame_equal(small.subjects(), reference.subjects().iloc[:150],
                                  check_exact=True)


def test_a_different_seed_changes_the_cohort(reference: magpk.Population) -> None:
    other = run(seed=SEED + 1)
    a, b = reference.subjects(), other.subjects()
    for column in ["weight_kg", "age_years", "egfr_ml_min", "diet_mg_per_day", "cmax_mmol_l"]:
        assert (a[column].to_numpy() != b[column].to_numpy()).mean() > 0.99, column
    assert not reference.percentiles(QS).equals(other.percentiles(QS))
    assert other.seed == SEED + 1 and reference.seed == SEED


# --- 2. histogram percentiles against exact percentiles of the trajectories --------------------

@pytest.mark.parametrize("variable", VARIABLES)
def test_percentiles_are_within_one_bin_of_the_exact_percentiles(
        reference: magpk.Population, variable: str) -> None:
    _, low, high = next(v for v in _core.summary_variables() if v[0] == variable)
    bins = _core.SUMMARY_BINS
    log_ratio = math.log(high / low) / bins  # documented bound: (high/low)**(1/bins) - 1
    assert math.expm1(log_ratio) < 0.01
    trajectories = reference.trajectories(variable).to_numpy()
    assert trajectories.shape == (N, len(reference.times_h))
    estimated = reference.percentiles(QS, variables=[variable])
    assert list(estimated.columns) == [f"{variable}_p{q}" for q in QS]
    assert np.all(np.diff(estimated.to_numpy(), axis=1) >= 0.0), "not monotone in q"
    for q in QS:
        # The implementation returns a point in the bin holding the order
        # statistic of rank ceil(q/100 * n) (at least 1): numpy's "inverted_cdf".
        exact = np.percentile(trajectories, q, axis=0, method="inverted_cdf")
        exact = np.clip(exact, low, high)  # under/overflow bins report the range limits
        value = estimated[f"{variable}_p{q}"].to_numpy()
        error = np.abs(np.log(value / exact))
        worst = int(np.argmax(error))
        assert error[worst] <= log_ratio * (1 + 1e-9), (
            f"{variable} p{q} at t={reference.times_h[worst]} h: histogram {value[worst]!r}, "
            f"exact {exact[worst]!r}, relative error {math.expm1(error[worst]):.3g} > "
            f"{math.expm1(log_ratio):.3g}")


def test_percentile_ranks_follow_the_inverted_cdf_definition() -> None:
    # Values far apart (hundreds of bins), so an off-by-one rank would land
    # in another bin: the percentile must be in the bin of the exact order
    # statistic of rank ceil(q/100 * n).
    name, low, high = _core.summary_variables()[0]
    bins = _core.SUMMARY_BINS
    values = low * (high / low) ** (np.array([0.05, 0.2, 0.21, 0.4, 0.55, 0.7, 0.9]) + 1e-4)
    n, n_times = len(values), 2
    index = 1 + np.floor(np.log(values / low) / math.log(high / low) * bins).astype(int)
    histogram = np.zeros((len(_core.summary_variables()), n_times, bins + 2), dtype=np.uint64)
    for i in index:
        histogram[:, :, i] += 1
    pop = magpk.Population(np.array([0.0, 1.0]), histogram, {}, np.zeros((n, 1)), None, 0, "test")
    q = np.linspace(0.0, 100.0, 401)
    estimated = pop.percentiles(q, variables=[name]).iloc[0].to_numpy()
    exact = np.percentile(values, q, method="inverted_cdf")
    ratio = (high / low) ** (1.0 / bins)
    assert np.all(estimated >= exact / ratio * (1 - 1e-12))
    assert np.all(estimated <= exact * ratio * (1 + 1e-12))


# --- 3. fraction above / below ----------------------------------------------------------------

def test_fraction_above_and_below_match_the_subjects(reference: magpk.Population) -> None:
    subjects = reference.subjects()
    serum = reference.trajectories("serum_mmol_l").to_numpy()
    cmax = subjects["cmax_mmol_l"].to_numpy()
    cmin = subjects["cmin_mmol_l"].to_numpy()
    # The exact extrema bracket the sampled trajectories (and are close to them).
    assert np.all(cmax >= serum.max(axis=1) - 1e-12)
    assert np.all(cmin <= serum.min(axis=1) + 1e-12)
    np.testing.assert_allclose(cmax, serum.max(axis=1), rtol=0.02)
    np.testing.assert_allclose(cmin, serum.min(axis=1), rtol=0.02)

    # Thresholds between consecutive order statistics: exact subject counts.
    for extremes, fraction, count in [
            (np.sort(cmax), reference.fraction_above, lambda k: N - k),
            (np.sort(cmin), reference.fraction_below, lambda k: k)]:
        for k in (1, 5, 40, 100, 200, 300, 399):
            x = 0.5 * (extremes[k - 1] + extremes[k])
            if extremes[k - 1] < x < extremes[k]:
                assert fraction(x) * N == pytest.approx(count(k), abs=1e-9)

    grid = np.linspace(0.5, 1.5, 201)
    above = np.array([reference.fraction_above(x) for x in grid])
    below = np.array([reference.fraction_below(x) for x in grid])
    np.testing.assert_array_equal(above, [np.mean(cmax > x) for x in grid])
    np.testing.assert_array_equal(below, [np.mean(cmin < x) for x in grid])
    # Sampled trajectories can only miss excursions between output times.
    assert np.all(above >= [np.mean(serum.max(axis=1) > x) for x in grid])
    assert np.all(below >= [np.mean(serum.min(axis=1) < x) for x in grid])
    assert np.all(np.diff(above) <= 0.0) and np.all(np.diff(below) >= 0.0)
    assert above[0] == 1.0 and above[-1] == 0.0 and below[0] == 0.0 and below[-1] == 1.0
    assert 0.0 < reference.fraction_above(float(np.median(cmax))) < 1.0
    attainment = reference.target_attainment()
    assert attainment["fraction_ever_hypo (<0.75)"] == reference.fraction_below(0.75)
    assert attainment["fraction_ever_hyper (>1.05)"] == reference.fraction_above(1.05)


# --- 4. covariate distributions ---------------------------------------------------------------

N_SAMPLE = 20_000


def sample(name: str, n: int = N_SAMPLE, seed: int = 7, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame(_core.sample_subjects(name, seed, start, n))


def spec(name: str) -> pd.Series:
    return magpk.populations().loc[name]


def assert_fraction(flags: np.ndarray, p: float, what: str) -> None:
    se = math.sqrt(max(p * (1 - p), 1e-12) / len(flags))
    assert abs(flags.mean() - p) <= 4 * se, f"{what}: {flags.mean():.4f} vs {p}"


def assert_mean(x: np.ndarray, mean: float, sd: float, what: str) -> None:
    se = sd / math.sqrt(len(x))
    assert abs(x.mean() - mean) <= 4 * se, f"{what}: mean {x.mean():.4g} vs {mean:.4g}"


def test_adult_covariates_follow_the_specification() -> None:
    p = spec("adults")
    s = sample("adults")
    female = s["female"].to_numpy().astype(bool)
    assert_fraction(female, p.female_fraction, "female fraction")

    age = s["age_years"].to_numpy()
    assert age.min() >= p.age_min_years and age.max() <= p.age_max_years
    width = p.age_max_years - p.age_min_years
    assert_mean(age, p.age_min_years + width / 2, width / math.sqrt(12), "age")
    assert age.std() == pytest.approx(width / math.sqrt(12), rel=0.03)
    assert stats.kstest(age, stats.uniform(p.age_min_years, width).cdf).pvalue > 1e-3

    for sex, is_female in [("male", False), ("female", True)]:
        group = s[female == is_female]
        # Weight: log-normal with the given arithmetic mean and CV.
        weight, mean, cv = group["weight_kg"].to_numpy(), p[f"weight_mean_{sex}_kg"], p.weight_cv
        assert_mean(weight, mean, mean * cv, f"{sex} weight")
        assert weight.std() / weight.mean() == pytest.approx(cv, rel=0.10)
        sigma = math.sqrt(math.log1p(cv * cv))
        assert np.log(weight).std() == pytest.approx(sigma, rel=0.05)
        # Height: normal.
        height = group["height_cm"].to_numpy()
        assert_mean(height, p[f"height_mean_{sex}_cm"], p.height_sd_cm, f"{sex} height")
        assert height.std() == pytest.approx(p.height_sd_cm, rel=0.05)
        # Diet: log-normal.
        diet, mean, cv = group["diet_mg_per_day"].to_numpy(), p[f"diet_mean_{sex}_mg"], p.diet_cv
        assert_mean(diet, mean, mean * cv, f"{sex} diet")
        assert diet.std() / diet.mean() == pytest.approx(cv, rel=0.10)

    assert not s["pregnant"].to_numpy().any()  # pregnant_fraction 0
    assert_fraction(s["ppi"].to_numpy().astype(bool), p.ppi_fraction, "PPI")
    diuretic = np.array([_DIURETIC_NAMES[int(c)] for c in s["diuretic_code"]], dtype=object)
    assert_fraction(diuretic == "loop", p.loop_fraction, "loop diuretic")
    assert_fraction(diuretic == "thiazide", p.thiazide_fraction, "thiazide diuretic")

    # eGFR: normal around intercept + slope * max(0, age - 30), truncated.
    egfr = s["egfr_ml_min"].to_numpy()
    assert egfr.min() >= p.egfr_min_ml_min and egfr.max() <= p.egfr_max_ml_min
    center = p.egfr_intercept_ml_min + p.egfr_slope_per_year * np.maximum(0.0, age - 30.0)
    sd = p.egfr_sd_ml_min
    a, b = (p.egfr_min_ml_min - center) / sd, (p.egfr_max_ml_min - center) / sd
    pit = stats.truncnorm.cdf(egfr, a, b, loc=center, scale=sd)  # uniform if correct
    assert stats.kstest(pit, "uniform").pvalue > 1e-3

    # Inter-individual variability: log-normal factors with median 1.
    for column, cv in [("transcellular_factor", p.iiv_cv_transcellular),
                       ("ecf_volume_factor", p.iiv_cv_ecf_volume),
                       ("renal_tm_factor", p.iiv_cv_renal_tm)]:
        log_factor = np.log(s[column].to_numpy())
        sigma = math.sqrt(math.log1p(cv * cv))
        assert abs(np.median(log_factor)) <= 4 * 1.2533 * sigma / math.sqrt(N_SAMPLE), column
        assert abs(log_factor.std() - sigma) <= 4 * sigma / math.sqrt(2 * N_SAMPLE), column
        assert stats.kstest(log_factor, stats.norm(0.0, sigma).cdf).pvalue > 1e-3, column


def test_ckd3_egfr_is_uniform_on_its_range() -> None:
    p = spec("ckd3")
    s = sample("ckd3")
    egfr = s["egfr_ml_min"].to_numpy()
    assert (p.egfr_min_ml_min, p.egfr_max_ml_min) == (30.0, 59.0)
    assert egfr.min() >= 30.0 and egfr.max() <= 59.0
    assert stats.kstest(egfr, stats.uniform(30.0, 29.0).cdf).pvalue > 1e-3
    age = s["age_years"].to_numpy()
    assert age.min() >= p.age_min_years and age.max() <= p.age_max_years
    assert_fraction(s["ppi"].to_numpy().astype(bool), p.ppi_fraction, "PPI")


def test_preeclampsia_cohort_is_pregnant_women() -> None:
    s = sample("preeclampsia", n=5000)
    assert s["female"].to_numpy().all()
    assert s["pregnant"].to_numpy().all()
    assert not s["ppi"].to_numpy().any() and (s["diuretic_code"] == 0).all()


@pytest.mark.parametrize("name", ["adults", "elderly", "ckd3", "ckd4", "preeclampsia"])
def test_every_preset_samples_valid_subjects(name: str) -> None:
    p = spec(name)
    s = sample(name, n=5000)
    assert s["age_years"].between(p.age_min_years, p.age_max_years).all()
    assert s["egfr_ml_min"].between(p.egfr_min_ml_min, p.egfr_max_ml_min).all()
    assert s["weight_kg"].between(35.0, 200.0).all()
    assert s["height_cm"].between(135.0, 215.0).all()
    assert s["diet_mg_per_day"].between(30.0, 2000.0).all()
    assert not (s["pregnant"] & ~s["female"]).any()
    assert s["diuretic_code"].isin([0, 1, 2]).all()
    # Every sampled subject is acceptable to the public Subject validation.
    for row in s.iloc[:200].itertuples():
        magpk.Subject(weight_kg=row.weight_kg, sex="female" if row.female else "male",
                      age_years=row.age_years, egfr_ml_min=row.egfr_ml_min,
                      diet_mg_per_day=row.diet_mg_per_day, pregnant=bool(row.pregnant),
                      ppi=bool(row.ppi), diuretic=_DIURETIC_NAMES[int(row.diuretic_code)],
                      height_cm=row.height_cm)


# --- 5. sampling is independent of chunking ---------------------------------------------------

@pytest.mark.parametrize("name", ["adults", "ckd3", "preeclampsia"])
@pytest.mark.parametrize("seed", [0, 12345, 2**63 - 1])
def test_sampling_does_not_depend_on_chunking(name: str, seed: int) -> None:
    whole = sample(name, n=100, seed=seed)
    part = sample(name, n=20, seed=seed, start=40)
    pd.testing.assert_frame_equal(part, whole.iloc[40:60].reset_index(drop=True),
                                  check_exact=True)
    assert not sample(name, n=100, seed=seed ^ 1)["age_years"].equals(whole["age_years"])


# --- 6. Dask ----------------------------------------------------------------------------------

def test_dask_gives_the_same_results_as_a_local_run(reference: magpk.Population,
                                                    dask_client: Any) -> None:
    remote = run(client=dask_client, chunk_size=100, trajectories=True)
    assert_same_population(remote, reference)
    np.testing.assert_array_equal(remote._trajectories, reference._trajectories)
    # Chunks really ran on the workers, not in this process.
    assert len(dask_client.scheduler_info()["workers"]) == 2


def test_dask_run_shows_a_progress_bar_on_request(dask_client: Any,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    run(client=dask_client, chunk_size=100, progress=True)
    err = capsys.readouterr().err
    assert "magpk population" in err and f"{N}/{N}" in err
    run(client=dask_client, chunk_size=100, progress=False)
    assert "magpk population" not in capsys.readouterr().err


# --- 7. bad input -----------------------------------------------------------------------------

def cohort() -> pd.DataFrame:
    return pd.DataFrame({
        "weight_kg": [70.0, 95.0, 58.0, 82.0, 66.0],
        "sex": ["female", "male", "female", "male", "female"],
        "age_years": [40.0, 55.0, 29.0, 71.0, 33.0],
        "egfr_ml_min": [100.0, 85.0, 120.0, 45.0, 110.0],
        "diet_mg_per_day": [300.0, 380.0, 250.0, 320.0, 280.0],
        "pregnant": [False, False, False, False, True],
        "ppi": [False, True, False, False, False],
        "diuretic": [None, None, "thiazide", "loop", None],
        "height_cm": [165.0, 180.0, 158.0, 172.0, 163.0],
        "transcellular_factor": [1.0, 1.0, 1.3, 1.0, 1.0],
        "ecf_volume_factor": [1.0, 0.9, 1.0, 1.0, 1.0],
        "renal_tm_factor": [1.0, 1.0, 1.0, 1.1, 1.0],
    })


@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(population="athletes"), ValueError,
     r"population='athletes'.*'adults'.*'elderly'.*'ckd3'.*'ckd4'.*'preeclampsia'"),
    (dict(population=3), TypeError, r"population=3"),
    (dict(n=0), ValueError, r"n=0"),
    (dict(n=-5), ValueError, r"n=-5"),
    (dict(n=2.5), TypeError, r"n=2.5"),
    (dict(seed=1.5), TypeError, r"seed=1.5"),
    (dict(seed=True), TypeError, r"seed=True"),
    (dict(chunk_size=0), ValueError, r"chunk_size=0"),
    (dict(t_end_h=-1.0), ValueError, r"t_end_h=-1"),
    (dict(trajectories="yes"), TypeError, r"trajectories='yes'"),
    (dict(rtol=1.0), ValueError, r"rtol=1"),
    (dict(trajectories=True, max_trajectory_bytes=1000), ValueError,
     r"trajectories=True.*max_trajectory_bytes=1,000"),
])
def test_bad_arguments_are_rejected(kwargs: dict[str, Any], error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        run(n=kwargs.pop("n", 10), **kwargs)


def test_regimen_must_be_a_regimen() -> None:
    with pytest.raises(TypeError, match="regimen="):
        magpk.simulate_population("glycinate 200 mg", n=10)


@pytest.mark.parametrize("seed", [-1, 2**63])
def test_out_of_range_seed_is_a_value_error(seed: int) -> None:
    with pytest.raises(ValueError, match=rf"seed={seed}"):
        run(n=10, seed=seed)


@pytest.mark.parametrize("threads", [0, -1, 1025])
def test_bad_thread_count_is_rejected(threads: int) -> None:
    with pytest.raises(ValueError, match=rf"threads={threads}"):
        run(n=10, threads=threads)


def test_trajectory_memory_limit_is_exact() -> None:
    n, n_times = 10, int(T_END_H) + 1
    needed = n * n_times * len(VARIABLES) * 8
    pop = run(n=n, trajectories=True, max_trajectory_bytes=needed)
    assert pop._trajectories is not None and pop._trajectories.nbytes == needed
    with pytest.raises(ValueError, match="max_trajectory_bytes"):
        run(n=n, trajectories=True, max_trajectory_bytes=needed - 1)
    run(n=n, trajectories=False, max_trajectory_bytes=1)  # only applies to trajectories


@pytest.mark.parametrize("column", ["weight_kg", "sex", "age_years", "egfr_ml_min",
                                    "diet_mg_per_day"])
def test_population_frame_missing_a_column(column: str) -> None:
    with pytest.raises(ValueError, match=rf"population DataFrame lacks columns \['{column}'\]"):
        run(population=cohort().drop(columns=column), n=None)


@pytest.mark.parametrize("row, column, value, error", [
    (3, "weight_kg", -5.0, ValueError),
    (2, "sex", "x", ValueError),
    (1, "age_years", 0.5, ValueError),
    (4, "egfr_ml_min", 0.0, ValueError),
    (0, "diet_mg_per_day", np.nan, ValueError),
    (1, "height_cm", 300.0, ValueError),
    (2, "diuretic", "potassium-sparing", ValueError),
    (1, "renal_tm_factor", -1.0, ValueError),
    (3, "weight_kg", "heavy", TypeError),
])
def test_population_frame_row_with_a_bad_value(row: int, column: str, value: Any,
                                               error: type) -> None:
    frame = cohort()
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    with pytest.raises(error, match=rf"population row {row}.*{column}"):
        run(population=frame, n=None)


@pytest.mark.parametrize("row, column, value", [
    (1, "ppi", "no"),
    (4, "pregnant", np.nan),
    (2, "diuretic", 5),
])
def test_population_frame_flags_are_not_coerced(row: int, column: str, value: Any) -> None:
    frame = cohort()
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    with pytest.raises((TypeError, ValueError), match=rf"population row {row}.*{column}"):
        run(population=frame, n=None)


def test_population_frame_other_errors() -> None:
    with pytest.raises(ValueError, match="no rows"):
        run(population=cohort().iloc[:0], n=None)
    with pytest.raises(ValueError, match=r"n=7 differs from the 5 rows"):
        run(population=cohort(), n=7)
    frame = cohort()
    frame.loc[1, "pregnant"] = True  # a pregnant man
    with pytest.raises(ValueError, match=r"population row 1.*pregnan"):
        run(population=frame, n=None)


def test_summary_accessors_validate_their_arguments(reference: magpk.Population) -> None:
    with pytest.raises(ValueError, match="serum_mmol_l=0"):
        reference.fraction_above(0.0)
    with pytest.raises(ValueError, match="serum_mmol_l=-1"):
        reference.fraction_below(-1.0)
    with pytest.raises(TypeError, match="serum_mmol_l='1'"):
        reference.fraction_above("1")
    with pytest.raises(ValueError, match=r"q=101"):
        reference.percentiles([50, 101])
    with pytest.raises(ValueError, match=r"variables\[\]='urine_mmol'"):
        reference.percentiles(variables=["urine_mmol"])
    with pytest.raises(ValueError, match=r"variable='urine_mmol'"):
        reference.trajectories("urine_mmol")


# --- 8. user-supplied cohort ------------------------------------------------------------------

def test_user_cohort_runs_and_keeps_its_covariates() -> None:
    frame = cohort()
    pop = run(population=frame, n=None, trajectories=True)
    assert pop.n == 5 and pop.population == "custom"
    subjects = pop.subjects()
    expected = frame[COVARIATES]
    got = subjects[COVARIATES].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_exact=True)

    # Rows with typical IIV factors are exactly single-subject simulations.
    for i in (0, 4):
        row = frame.iloc[i]
        subject = magpk.Subject(weight_kg=row.weight_kg, sex=row.sex, age_years=row.age_years,
                                egfr_ml_min=row.egfr_ml_min, diet_mg_per_day=row.diet_mg_per_day,
                                pregnant=bool(row.pregnant), ppi=bool(row.ppi),
                                diuretic=row.diuretic if isinstance(row.diuretic, str) else None,
                                height_cm=row.height_cm)
        single = magpk.simulate(twice_daily(), subject, t_end_h=T_END_H)
        table = single.to_frame()
        np.testing.assert_array_equal(table["time_h"].to_numpy(), pop.times_h)
        for variable in VARIABLES:
            np.testing.assert_allclose(pop.trajectories(variable).iloc[i].to_numpy(),
                                       table[variable].to_numpy(), rtol=1e-12, atol=0)
        metrics = single.metrics()
        for key in ("cmax_mmol_l", "fraction_absorbed", "auc_above_baseline_mmol_h_l",
                    "baseline_serum_mmol_l"):
            assert subjects[key].iloc[i] == pytest.approx(metrics[key], rel=1e-12), key

    # The IIV factors act: subject 2 with 30% more transcellular transport
    # absorbs more than the same subject with the typical value.
    typical = frame.iloc[[2]].assign(transcellular_factor=1.0)
    base = run(population=typical, n=None).subjects()
    assert subjects["fraction_absorbed"].iloc[2] > 1.05 * base["fraction_absorbed"].iloc[0]


def test_user_cohort_without_optional_columns() -> None:
    frame = cohort()[["weight_kg", "sex", "age_years", "egfr_ml_min", "diet_mg_per_day"]]
    subjects = run(population=frame, n=None).subjects()
    assert not subjects["pregnant"].any() and not subjects["ppi"].any()
    assert subjects["diuretic"].isna().all()
    for column in ("transcellular_factor", "ecf_volume_factor", "renal_tm_factor"):
        assert (subjects[column] == 1.0).all()


# --- 9. memory --------------------------------------------------------------------------------

def test_summaries_only_runs_do_not_keep_trajectories(reference: magpk.Population) -> None:
    pop = run(n=50)
    assert pop._trajectories is None
    with pytest.raises(ValueError, match="trajectories=True"):
        pop.trajectories()
    n_times = len(reference.times_h)
    assert n_times == int(T_END_H) + 1
    assert reference._trajectories.shape == (N, n_times * len(VARIABLES))
    # Variable-major layout: serum at t = 0 is each subject's baseline (the daily
    # mean of the periodic steady state; t = 0 is 07:00, before breakfast).
    np.testing.assert_allclose(reference._trajectories[:, 0],
                               reference.subjects()["baseline_serum_mmol_l"], rtol=0.05)
    for v, name in enumerate(VARIABLES):
        np.testing.assert_array_equal(
            reference.trajectories(name).to_numpy(),
            reference._trajectories[:, v * n_times:(v + 1) * n_times])
