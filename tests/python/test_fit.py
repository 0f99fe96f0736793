"""magpk.fit (weighted least squares with iminuit) and the PINTS adapter (magpk.pints).

Synthetic studies: simulate with known parameters, add Gaussian noise of a known SD,
fit, and check recovery (within 3 %), positive errors, and that ~68 % of the 1-sigma
intervals contain the truth over repeated noisy data sets. The fit needs the ``fit``
extra (iminuit, pints); those tests are skipped without it, the missing-extra
messages are tested either way.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import magpk
from magpk import _core
from magpk.fit import LOWER_FACTOR, UPPER_FACTOR, parameter_bounds
from magpk.parameters import core_physiology

needs_iminuit = pytest.mark.skipif(importlib.util.find_spec("iminuit") is None,
                                   reason="needs the fit extra (iminuit)")
needs_pints = pytest.mark.skipif(importlib.util.find_spec("pints") is None,
                                 reason="needs the fit extra (pints)")

RECOVERY_TOLERANCE = 0.03  # relative: the "within 3 %"
ONE_SIGMA_COVERAGE = math.erf(1 / math.sqrt(2))  # 0.6827
COVERAGE_DATA_SETS = 50
COVERAGE_Z = 3.0  # accepted distance from 0.6827, in binomial standard deviations

# An IV study: MgSO4 4 g over 20 min, serum samples and four timed urine collections.
IV = magpk.Regimen().iv_infusion(mgso4_g=4, duration_h=1 / 3)
IV_TRUTH = {"ecf_volume_l_per_kg": 0.22, "renal_tm_mmol_per_l_filtrate": 0.55,
            "peripheral_volume_l_per_kg": 0.45}
SERUM_TIMES = [0.25, 0.5, 1, 2, 4, 6, 8, 12, 24]
COLLECTIONS = [(0, 4), (4, 8), (8, 12), (12, 24)]
SERUM_SD = 0.02     # mmol/L
URINE_SD = 0.2      # mmol per collection

# An oral study: 400 mg citrate, serum and cumulative urine with per-point SD columns.
ORAL = magpk.Regimen().oral("citrate", dose_mg=400)
ORAL_TRUTH = {"si_vmax_mmol_h": 0.5, "renal_tm_mmol_per_l_filtrate": 0.6}
ORAL_TIMES = [1, 2, 3, 4, 6, 8, 12, 24]
ORAL_SERUM_SD = 0.01
ORAL_URINE_RELATIVE_SD = 0.02


def _iv_truth(names: list[str]) -> dict[str, float]:
    return {name: IV_TRUTH[name] for name in names}


def _iv_data(truth: dict[str, float], rng: np.random.Generator = None) -> pd.DataFrame:
    """Serum rows and collection rows (urine_start_h .. time_h) in one frame."""
    frame = magpk.simulate(IV, t_end_h=24, output_times_h=SERUM_TIMES,
                           parameters=truth).to_frame().set_index("time_h")
    serum = frame.loc[SERUM_TIMES, "serum_mmol_l"].to_numpy()
    urine = np.array([frame.loc[end, "urine_cum_mmol"] - frame.loc[start, "urine_cum_mmol"]
                      for start, end in COLLECTIONS])
    if rng is not None:
        serum = serum + rng.normal(0.0, SERUM_SD, serum.size)
        urine = urine + rng.normal(0.0, URINE_SD, urine.size)
    return pd.concat([
        pd.DataFrame({"time_h": SERUM_TIMES, "serum_mmol_l": serum}),
        pd.DataFrame({"time_h": [end for _, end in COLLECTIONS],
                      "urine_start_h": [start for start, _ in COLLECTIONS], "urine_mmol": urine}),
    ], ignore_index=True)


IV_SIGMA = {"serum_mmol_l": SERUM_SD, "urine_mmol": URINE_SD}


def _oral_data(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = magpk.simulate(ORAL, t_end_h=24, output_times_h=ORAL_TIMES,
                           parameters=ORAL_TRUTH).to_frame().set_index("time_h")
    serum = frame.loc[ORAL_TIMES, "serum_mmol_l"].to_numpy()
    urine = frame.loc[ORAL_TIMES, "urine_cum_mmol"].to_numpy()
    urine_sd = ORAL_URINE_RELATIVE_SD * urine
    return pd.DataFrame({"time_h": ORAL_TIMES,
                         "serum_mmol_l": serum + rng.normal(0.0, ORAL_SERUM_SD, serum.size),
                         "serum_mmol_l_sd": ORAL_SERUM_SD,
                         "urine_cum_mmol": urine + rng.normal(0.0, 1.0, urine.size) * urine_sd,
                         "urine_cum_mmol_sd": urine_sd})


def _assert_recovered(result: magpk.FitResult, truth: dict[str, float]) -> None:
    assert list(result.values) == list(truth)
    for name, value in truth.items():
        assert result.values[name] == pytest.approx(value, rel=RECOVERY_TOLERANCE), name
        assert result.errors[name] > 0, name
    assert result.valid


# ----------------------------------------------------------------------------- recovery
@needs_iminuit
def test_recovers_three_parameters_from_noise_free_data() -> None:
    truth = dict(IV_TRUTH)
    result = magpk.fit(_iv_data(truth), IV, parameters=list(truth), sigma=IV_SIGMA)
    _assert_recovered(result, truth)
    for name, value in truth.items():  # noise-free: essentially exact
        assert result.values[name] == pytest.approx(value, rel=1e-3)
    assert result.chi2 < 1e-3
    assert result.ndof == len(SERUM_TIMES) + len(COLLECTIONS) - len(truth)


@needs_iminuit
def test_recovers_two_parameters_from_noisy_data_with_sd_columns() -> None:
    result = magpk.fit(_oral_data(seed=0), ORAL, parameters=list(ORAL_TRUTH))
    _assert_recovered(result, ORAL_TRUTH)
    for name, value in ORAL_TRUTH.items():  # the truth within a few standard errors
        assert abs(result.values[name] - value) < COVERAGE_Z * result.errors[name], name


@needs_iminuit
def test_one_sigma_intervals_cover_the_truth_68_percent_of_the_time() -> None:
    """50 noisy data sets, 2 parameters each (100 intervals); ~9 s on 2 cores."""
    truth = _iv_truth(["ecf_volume_l_per_kg", "renal_tm_mmol_per_l_filtrate"])
    rng = np.random.default_rng(2024)
    inside = []
    for _ in range(COVERAGE_DATA_SETS):
        result = magpk.fit(_iv_data(truth, rng), IV, parameters=list(truth), sigma=IV_SIGMA)
        assert result.valid
        inside += [abs(result.values[n] - v) <= result.errors[n] for n, v in truth.items()]
    n = len(inside)
    tolerance = COVERAGE_Z * math.sqrt(ONE_SIGMA_COVERAGE * (1 - ONE_SIGMA_COVERAGE) / n)
    coverage = float(np.mean(inside))
    assert abs(coverage - ONE_SIGMA_COVERAGE) < tolerance, (coverage, n)


# ----------------------------------------------------------------------------- FitResult
@pytest.fixture(scope="module")
def iv_fit() -> magpk.FitResult:
    pytest.importorskip("iminuit")
    truth = _iv_truth(["ecf_volume_l_per_kg", "renal_tm_mmol_per_l_filtrate"])
    return magpk.fit(_iv_data(truth, np.random.default_rng(7)), IV, parameters=list(truth),
                     sigma=IV_SIGMA)


def test_fit_result_contents(iv_fit: magpk.FitResult) -> None:
    names = list(iv_fit.values)
    cov = iv_fit.covariance
    assert list(cov.index) == names and list(cov.columns) == names
    assert np.allclose(cov.to_numpy(), cov.to_numpy().T)
    assert np.all(np.linalg.eigvalsh(cov.to_numpy()) > 0)
    assert np.sqrt(np.diag(cov)) == pytest.approx([iv_fit.errors[n] for n in names])
    assert np.diag(iv_fit.correlation) == pytest.approx(1.0)
    assert isinstance(iv_fit.result, magpk.Result)
    assert iv_fit.result.t_end_h == max(SERUM_TIMES)
    for name in names:
        low, high = iv_fit.bounds[name]
        assert low < iv_fit.values[name] < high
    # the Result is the model at the estimate
    again = magpk.simulate(IV, t_end_h=24, output_times_h=SERUM_TIMES, parameters=iv_fit.values)
    fitted = iv_fit.result.to_frame().set_index("time_h").loc[SERUM_TIMES, "serum_mmol_l"]
    assert fitted.to_numpy() == pytest.approx(
        again.to_frame().set_index("time_h").loc[SERUM_TIMES, "serum_mmol_l"].to_numpy(),
        rel=1e-6)
    assert iv_fit.minuit.valid


def test_residuals_table(iv_fit: magpk.FitResult) -> None:
    table = iv_fit.residuals()
    assert len(table) == len(SERUM_TIMES) + len(COLLECTIONS)
    assert set(table["output"]) == {"serum_mmol_l", "urine_mmol"}
    assert table["residual"].to_numpy() == pytest.approx(
        ((table["observed"] - table["predicted"]) / table["sd"]).to_numpy())
    assert float((table["residual"] ** 2).sum()) == pytest.approx(iv_fit.chi2, rel=1e-4)
    collections = table[table["output"] == "urine_mmol"]
    assert collections["urine_start_h"].tolist() == [start for start, _ in COLLECTIONS]


def test_reprs(iv_fit: magpk.FitResult) -> None:
    text = repr(iv_fit)
    assert text.startswith("magpk.FitResult")
    for name in iv_fit.values:
        assert name in text
    assert "chi2 / ndof" in text and "converged" in text
    page = iv_fit._repr_html_()
    assert page.startswith("<table>") and "ecf_volume_l_per_kg" in page and "<th" in page


def test_plot(iv_fit: magpk.FitResult) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = iv_fit.plot()
    assert len(fig.axes) == 4  # serum and collections: fit above, residuals below
    plt.close(fig)


# ----------------------------------------------------------------------------- errors
def _two_serum(times=(1.0, 2.0, 4.0)) -> pd.DataFrame:
    return pd.DataFrame({"time_h": list(times), "serum_mmol_l": [1.2, 1.0, 0.9][:len(times)]})


@pytest.mark.parametrize("frame, kwargs, match", [
    (_two_serum(), {"t_end_h": 3.0}, r"time_h.*after the end.*t_end_h=3"),
    (pd.DataFrame({"time_h": [-1.0, 2.0, 4.0], "serum_mmol_l": [1, 1, 1]}), {},
     r"time_h.*before the run"),
    (pd.DataFrame({"time_h": [np.nan, 2.0, 4.0], "serum_mmol_l": [1, 1, 1]}), {},
     r"time_h.*NaN"),
    (pd.DataFrame({"t": [1.0, 2.0], "serum_mmol_l": [1, 1]}), {}, r"unknown column 't'"),
    (pd.DataFrame({"time_h": [1.0, 2.0], "serum_mmol": [1, 1]}), {},
     r"unknown column 'serum_mmol'.*did you mean 'serum_mmol_l'"),
    (pd.DataFrame({"serum_mmol_l": [1.0, 1.0]}), {}, r"no 'time_h' column"),
    (pd.DataFrame({"time_h": [1.0, 2.0]}), {}, r"no observed output"),
    (pd.DataFrame({"time_h": [4.0, 8.0], "urine_mmol": [1.0, 1.0]}), {},
     r"'urine_mmol'.*needs the column 'urine_start_h'"),
    (pd.DataFrame({"time_h": [4.0, 8.0, 9.0], "urine_start_h": [0.0, 9.0, 0.0],
                   "urine_mmol": [1.0, 1.0, 1.0]}), {}, r"urine_start_h.*=9.0.*allowed 0 <="),
    (pd.DataFrame({"time_h": [1.0, 2.0, 4.0], "serum_mmol_l": [1.0, 1.0, 1.0],
                   "serum_mmol_l_sd": [0.1, 0.0, 0.1]}), {}, r"serum_mmol_l_sd.*allowed > 0"),
    (pd.DataFrame({"time_h": [1.0, 2.0, 4.0], "serum_mmol_l": [1.0, np.inf, 1.0]}), {},
     r"serum_mmol_l.*infinite"),
    (pd.DataFrame({"time_h": [1.0, 2.0, 4.0], "serum_mmol_l": [1.0, np.nan, 1.0],
                   "urine_cum_mmol": [np.nan, np.nan, 1.0]}), {}, r"row 1 has no observed value"),
    (_two_serum(), {"sigma": {"urine_mmol": 0.1}}, r"sigma\['urine_mmol'\].*allowed keys"),
    (_two_serum(), {"sigma": {"serum_mmol_l": -0.1}}, r"sigma\['serum_mmol_l'\].*> 0"),
    (_two_serum(), {"parameters": ["ecf_volume"]},
     r"unknown parameter 'ecf_volume'; did you mean 'ecf_volume_l_per_kg'"),
    (_two_serum(), {"parameters": []}, r"at least one parameter"),
    (_two_serum(), {"parameters": ["ecf_volume_l_per_kg", "ecf_volume_l_per_kg"]}, r"twice"),
    (_two_serum(), {"parameters": {"ecf_volume_l_per_kg": 1e3}}, r"starting value.*allowed"),
    (_two_serum(), {"fixed": {"ecf_volume_l_per_kg": 0.2}}, r"also in fixed="),
    (_two_serum(), {"fixed": {"ecf_volum": 0.2}}, r"unknown parameter"),
    (_two_serum((1.0, 2.0)), {"parameters": ["ecf_volume_l_per_kg",
                                             "renal_tm_mmol_per_l_filtrate"]},
     r"2 observed value\(s\) for 2 parameter\(s\); a fit needs at least 3"),
])
def test_clear_errors(frame: pd.DataFrame, kwargs: dict, match: str) -> None:
    arguments = {"parameters": ["ecf_volume_l_per_kg"], **kwargs}
    with pytest.raises(ValueError, match=match):
        magpk.fit(frame, IV, **arguments)


@pytest.mark.parametrize("arguments, match", [
    ({"observations": [[1.0, 1.0]]}, r"observations: expected a pandas DataFrame"),
    ({"regimen": "IV"}, r"regimen=.*expected a magpk.Regimen"),
    ({"parameters": "ecf_volume_l_per_kg"}, r"parameters=.*expected a list"),
    ({"sigma": 0.1}, r"sigma=0.1: expected a mapping"),
])
def test_type_errors(arguments: dict, match: str) -> None:
    call = {"observations": _two_serum(), "regimen": IV, "parameters": ["ecf_volume_l_per_kg"],
            **arguments}
    observations, regimen = call.pop("observations"), call.pop("regimen")
    with pytest.raises(TypeError, match=match):
        magpk.fit(observations, regimen, **call)


def test_bounds_are_the_range_the_core_accepts() -> None:
    """The fit's limits are accepted by the core; just beyond the upper limit is not
    (except the body-fat regression coefficients, which the core does not range-check)."""
    joint = {"tissue_fraction_of_body_mg", "bone_exchangeable_fraction_of_body_mg",
             "deep_bone_fraction_of_body_mg"}  # the stores' shares: sum < 1
    for row in _core.parameter_table():
        name, value = row.name, row.value
        low, high = parameter_bounds(name)
        assert low == pytest.approx(LOWER_FACTOR * value)
        assert high in (pytest.approx(UPPER_FACTOR * value), 1.0)  # 1: a share's cap
        core_physiology({name: low})
        if name not in joint:
            core_physiology({name: high})
        if not name.startswith("bodyfat_"):
            with pytest.raises(ValueError):
                core_physiology({name: high * (1 + 1e-6)})


# ----------------------------------------------------------------------------- extras
def test_missing_iminuit_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "iminuit", None)  # import iminuit -> ImportError
    with pytest.raises(ImportError, match=r'pip install "magpk\[fit\]"'):
        magpk.fit(_two_serum(), IV, parameters=["ecf_volume_l_per_kg"])


def test_missing_pints_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pints", None)
    monkeypatch.delitem(sys.modules, "magpk.pints", raising=False)
    with pytest.raises(ImportError, match=r'magpk.pints needs PINTS: pip install "magpk\[fit\]"'):
        importlib.import_module("magpk.pints")


def test_import_magpk_does_not_import_the_fit_extras() -> None:
    code = ("import sys, magpk; magpk.fit; "
            "print(sorted(m for m in ('iminuit', 'pints', 'SALib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- PINTS
@needs_pints
def test_pints_model_matches_simulate() -> None:
    import magpk.pints

    names = ["ecf_volume_l_per_kg", "renal_tm_mmol_per_l_filtrate"]
    values = [IV_TRUTH[n] for n in names]
    times = np.array(SERUM_TIMES)
    model = magpk.pints.MagpkForwardModel(IV, parameters=names)
    assert model.n_parameters() == 2 and model.n_outputs() == 1
    assert model.parameter_names() == names
    expected = magpk.simulate(IV, t_end_h=24, output_times_h=SERUM_TIMES,
                              parameters=dict(zip(names, values))).to_frame().set_index("time_h")
    serum = model.simulate(values, times)
    assert serum.shape == (len(times),)
    assert serum == pytest.approx(expected.loc[SERUM_TIMES, "serum_mmol_l"].to_numpy(), rel=1e-12)
    both = magpk.pints.MagpkForwardModel(IV, parameters=names,
                                         output=["serum_mmol_l", "urine_cum_mmol"])
    table = both.simulate(values, times)
    assert table.shape == (len(times), 2)
    assert table[:, 1] == pytest.approx(expected.loc[SERUM_TIMES, "urine_cum_mmol"].to_numpy(),
                                        rel=1e-12)


@needs_pints
def test_pints_problem_and_boundaries() -> None:
    import pints

    import magpk.pints

    names = ["ecf_volume_l_per_kg"]
    model = magpk.pints.MagpkForwardModel(IV, parameters=names)
    data = _iv_data(_iv_truth(names)).dropna(subset=["serum_mmol_l"])
    problem = pints.SingleOutputProblem(model, data["time_h"].to_numpy(),
                                        data["serum_mmol_l"].to_numpy())
    error = pints.SumOfSquaresError(problem)
    assert error([IV_TRUTH[names[0]]]) == pytest.approx(0.0, abs=1e-12)
    assert error(model.default_values()) > 0
    boundaries = model.boundaries()
    assert boundaries.check(model.default_values())
    assert boundaries.lower()[0] == pytest.approx(parameter_bounds(names[0])[0])


@needs_pints
def test_pints_model_errors() -> None:
    import magpk.pints

    with pytest.raises(ValueError, match=r"output='serum'.*did you mean 'serum_mmol_l'"):
        magpk.pints.MagpkForwardModel(IV, parameters=["ecf_volume_l_per_kg"], output="serum")
    with pytest.raises(ValueError, match=r"unknown parameter 'ecf'"):
        magpk.pints.MagpkForwardModel(IV, parameters=["ecf"])
    model = magpk.pints.MagpkForwardModel(IV, parameters=["ecf_volume_l_per_kg"])
    with pytest.raises(ValueError, match=r"parameters: expected 1 values"):
        model.simulate([0.2, 0.3], [1.0, 2.0])
