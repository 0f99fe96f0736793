"""Sensitivity of model outputs to the physiological parameters:
:func:`sensitivity` (local normalized derivatives, error-controlled; global
Sobol indices with SALib). The method and the Sobol ranges are described in
its docstring; the constants below set them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, cast

import numpy as np
import pandas as pd

from . import _arguments
from .parameters import parameters as parameter_table
from .regimen import Regimen
from .simulate import Result, check_regimen_and_subject, simulate
from .subject import Subject
from .uncertainty import calibration_bounds, check_seed, check_threads

#: Solver tolerances of the local method's runs (relative; absolute in mmol for
#: body and gut states): tight, so that solver error (~1e-9 relative) is far
#: below the differences taken.
LOCAL_RTOL = 1e-10
LOCAL_ATOL = 1e-12
LOCAL_ATOL_GUT = 1e-10
#: The largest step in log-parameter space (4 %), then h/2, h/4.
LOG_STEP = 0.04
#: Steps of the Richardson table (h, h/2, ..., h/2**(levels-1)).
RICHARDSON_LEVELS = 3
#: Smallest first step tried for a parameter near a limit of its valid range.
MIN_LOG_STEP = 1e-5
#: An entry is resolved when its estimated error is within this share of its
#: value or within ABS_TOLERANCE (normalized sensitivity units).
REL_TOLERANCE = 1e-3
ABS_TOLERANCE = 1e-6
#: Sobol ranges: calibrated value ×/÷ exp(SOBOL_LOG_SD_WIDTH · log_sd); other
#: parameters ×/÷ SOBOL_SOURCED_FACTOR.
SOBOL_LOG_SD_WIDTH = 2.0
SOBOL_SOURCED_FACTOR = 1.5
#: Default Sobol base sample size (a power of 2); runs = n_samples · (parameters + 2).
SOBOL_SAMPLES = 256
MAX_SOBOL_SAMPLES = 2**16
#: Bisection steps that cut a Sobol range end to the valid parameter range.
RANGE_BISECTIONS = 30
#: Bootstrap resamples and confidence level of SALib's confidence intervals.
SOBOL_RESAMPLES = 100
SOBOL_CONFIDENCE = 0.95
#: Simulated time of the runs that test whether the model runs with a range end
#: (the checks happen before integration; the steady state is found too).
PROBE_T_END_H = 1.0
_SOBOL_INDICES = ("S1", "S1_conf", "ST", "ST_conf")

_TIME_COURSE = re.compile(r"^(?P<column>[a-z0-9_]+)@(?P<time>[0-9.eE+-]+)$")


@dataclass(frozen=True)
class _Output:
    """One output: a metric, or a time-course column at a time (label "column@t")."""
    label: str
    metric: str | None = None
    column: str | None = None
    time_h: float | None = None


def _parse_outputs(outputs: Any, t_end_h: float, nominal: Result) -> list[_Output]:
    """Outputs as given (a name or a list of names) -> validated _Output entries."""
    names = [outputs] if isinstance(outputs, str) else outputs
    if not isinstance(names, (list, tuple)) or not names or not all(
            isinstance(n, str) for n in names):
        raise TypeError(f"outputs={outputs!r}: expected a metric name or 'column@hours' (e.g. "
                        f"'cmax_mmol_l', 'serum_mmol_l@24'), or a list of them")
    metrics = nominal.metrics()
    columns = [c for c in nominal.to_frame().columns if c != "time_h"]
    parsed = []
    for name in names:
        match = _TIME_COURSE.match(name)
        if match is None:
            _arguments.choice("outputs[]", name, list(metrics))
            if metrics[name] is None:
                raise ValueError(f"outputs[]={name!r}: undefined for this regimen (the metric "
                                 f"is None, e.g. fraction_absorbed without an oral dose)")
            parsed.append(_Output(name, metric=name))
            continue
        _arguments.choice("outputs[] column", match["column"], columns)
        try:
            time_h = float(match["time"])
        except ValueError:
            raise ValueError(f"outputs[]={name!r}: the time after '@' must be a number of "
                             f"hours") from None
        _arguments.real(f"outputs[]={name!r} time", time_h, minimum=0.0, maximum=t_end_h,
                        allowed=f"allowed: 0 to t_end_h={t_end_h:g} h")
        parsed.append(_Output(name, column=match["column"], time_h=time_h))
    if len({o.label for o in parsed}) != len(parsed):
        raise ValueError(f"outputs={outputs!r}: an output is named twice")
    return parsed


def _parameter_names(parameters: Any) -> list[str]:
    known = list(parameter_table().index)
    if parameters is None:
        return known
    names = [parameters] if isinstance(parameters, str) else parameters
    if not isinstance(names, (list, tuple)) or not names:
        raise TypeError(f"parameters={parameters!r}: expected a list of parameter names "
                        f"(see magpk.parameters())")
    for name in names:
        _arguments.choice("parameters[]", name, known)
    if len(set(names)) != len(names):
        raise ValueError(f"parameters={parameters!r}: a parameter is named twice")
    return list(names)


class _Model:
    """Evaluates the outputs for parameter overrides (one simulation per call)."""

    def __init__(self, regimen: Regimen, subject: Subject, t_end_h: float,
                 outputs: list[_Output], tolerances: Mapping[str, float]) -> None:
        self.regimen, self.subject, self.t_end_h = regimen, subject, t_end_h
        self.outputs = outputs
        self.times = sorted({o.time_h for o in outputs if o.time_h is not None})
        self.tolerances: dict[str, Any] = dict(tolerances)

    def run(self, overrides: Mapping[str, float] | None) -> Result:
        return simulate(self.regimen, self.subject, t_end_h=self.t_end_h,
                        output_times_h=self.times, parameters=overrides, **self.tolerances)

    def values(self, result: Result) -> np.ndarray:
        metrics = result.metrics()
        frame = result.to_frame().set_index("time_h") if self.times else None
        out = []
        for o in self.outputs:
            # frame is a DataFrame whenever an output has a time (self.times not empty)
            value: Any = (metrics[o.metric] if o.metric
                          else cast(pd.DataFrame, frame).at[o.time_h, o.column])
            out.append(np.nan if value is None else float(value))
        return np.array(out)

    def __call__(self, overrides: Mapping[str, float] | None) -> np.ndarray:
        return self.values(self.run(overrides))


def _richardson(differences: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Extrapolate central differences at h, h/2, h/4, ... to zero step; the
    estimate and the difference between the last two levels (its error bound)."""
    table = [list(differences)]
    for level in range(1, len(differences)):
        factor = 4.0 ** level
        previous = table[-1]
        table.append([previous[k + 1] + (previous[k + 1] - previous[k]) / (factor - 1.0)
                      for k in range(len(previous) - 1)])
    best = table[-1][0]
    return best, np.abs(best - table[-2][-1])


def _local_one(model: _Model, name: str, value: float) -> tuple[np.ndarray, np.ndarray, float]:
    """d output / d ln(parameter) of one parameter, its error estimate and first step."""
    if value == 0.0:
        nan = np.full(len(model.outputs), np.nan)
        return nan, nan, np.nan
    step = LOG_STEP
    while True:
        try:
            first = (model({name: value * math.exp(step)}), model({name: value * math.exp(-step)}))
            break
        except ValueError:  # outside the valid range: a smaller step
            step /= 2.0
            if step < MIN_LOG_STEP:
                raise ValueError(f"parameters[]={name!r}: no valid step around {value!r} (the "
                                 f"value sits on a limit of its valid range)") from None
    differences = [(first[0] - first[1]) / (2.0 * step)]
    for level in range(1, RICHARDSON_LEVELS):
        h = step / 2.0 ** level
        up, down = model({name: value * math.exp(h)}), model({name: value * math.exp(-h)})
        differences.append((up - down) / (2.0 * h))
    derivative, error = _richardson(differences)
    return derivative, error, step


def _map(function: Callable[[Any], Any], items: Sequence[Any], threads: int) -> list[Any]:
    if threads == 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(function, items))


def _local(model: _Model, names: list[str], threads: int) -> pd.DataFrame:
    values = parameter_table().loc[names, "value"].to_numpy(dtype=float)
    y0 = model(None)
    results = _map(lambda item: _local_one(model, *item), list(zip(names, values)), threads)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(y0 != 0.0, 1.0 / y0, np.nan)
        sensitivity = np.array([r[0] for r in results]) * scale
        error = np.abs(np.array([r[1] for r in results]) * scale)
    labels = [o.label for o in model.outputs]
    frame = pd.DataFrame(sensitivity, index=pd.Index(names, name="parameter"), columns=labels)
    errors = pd.DataFrame(error, index=frame.index, columns=labels)
    limit = np.maximum(REL_TOLERANCE * np.abs(sensitivity), ABS_TOLERANCE)
    unresolved = [(p, o) for i, p in enumerate(names) for j, o in enumerate(labels)
                  if np.isfinite(error[i, j]) and error[i, j] > limit[i, j]]
    frame.attrs.update({
        "method": "local", "outputs": dict(zip(labels, y0.tolist())),
        "abs_error": {o: errors[o].to_dict() for o in labels},
        "log_step": {name: r[2] for name, r in zip(names, results)},
        "unresolved": unresolved,
        "tolerance": f"abs_error <= max({REL_TOLERANCE:g} x |value|, {ABS_TOLERANCE:g})"})
    return frame


def sensitivity(regimen: Regimen, subject: Subject | None = None, *, t_end_h: float,
                outputs: str | Sequence[str], parameters: Sequence[str] | None = None,
                method: str = "local", threads: int | None = None,
                n_samples: int = SOBOL_SAMPLES, seed: int | None = None,
                ranges: Mapping[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """How much each parameter moves each output.

    ``method="local"``: normalized sensitivities ``d ln(output) / d ln(parameter)``
    at the current parameter values (0.5: 1 % more parameter, 0.5 % more
    output), by an error-controlled scheme rather than one finite difference:
    central differences in log-parameter space at the steps h, h/2 and h/4
    (h = ``LOG_STEP``, 0.04), extrapolated to zero step (Richardson, error
    O(h^6)), every run solved at tight tolerances (rtol ``LOCAL_RTOL``, 1e-10).
    The difference between the last two extrapolation levels estimates each
    entry's error (``attrs["abs_error"]``); entries whose estimate exceeds the
    tolerance (``REL_TOLERANCE`` = 1e-3 of the value, or ``ABS_TOLERANCE`` =
    1e-6) are listed in ``attrs["unresolved"]`` (no warning is raised). A
    parameter whose step would leave its valid range (``renal_splay`` just
    below 1) gets a smaller step (halved until valid). Doses are at fixed
    times, so outputs are smooth in the parameters except where a maximum or a
    threshold switches (``tmax_h`` when the peak moves from a dose to a meal,
    ``time_hyper_h`` at its onset): the error estimate shows such entries.

    ``method="sobol"``: first-order (``S1``) and total (``ST``) Sobol indices
    (SALib: Saltelli's scheme on a scrambled Sobol sequence; ``pip install
    "magpk[fit]"``), each parameter sampled log-uniformly over a range:

    - calibrated parameters: the value ×/÷ ``exp(2 log_sd)`` (``log_sd`` of
      :func:`magpk.parameters`, ``SOBOL_LOG_SD_WIDTH`` = 2 standard deviations
      of the joint calibration), within the range the calibration searched
      (:func:`magpk.uncertainty.calibration_bounds`);
    - every other parameter: its value ×/÷ ``SOBOL_SOURCED_FACTOR`` (1.5), an
      exploration range, not an estimate of its uncertainty;
    - either way cut to where the model runs (bisection: e.g. fractions <= 1,
      the fed period shorter than the gap between meals); or given with
      ``ranges``. Both methods run in ``threads`` Python threads (the core
      releases the GIL). Constants: module ``magpk.sensitivity``.

    Parameters
    ----------
    regimen, subject, t_end_h
        the run, as for :func:`simulate`.
    outputs
        metric names of :meth:`Result.metrics` (``"cmax_mmol_l"``) and
        time-course values written ``"column@hours"`` (``"serum_mmol_l@24"``:
        serum at t = 24 h; any column of :meth:`Result.to_frame`); one name or a list.
    parameters
        parameter names (default: all of :func:`magpk.parameters`).
    method
        ``"local"``: normalized sensitivities d ln(output) / d ln(parameter),
        error-controlled; ``"sobol"``: first-order and total Sobol indices
        (needs SALib: ``pip install "magpk[fit]"``).
    threads
        Python threads for the runs (default: all cores).
    n_samples, seed, ranges
        ``"sobol"`` only: base sample size (a power of 2; runs =
        ``n_samples x (len(parameters) + 2)``), seed of the scrambled sequence
        (default 1), and ``{name: (low, high)}`` ranges replacing the defaults.

    Returns
    -------
    DataFrame indexed by parameter. ``"local"``: one column per output;
    ``attrs``: ``abs_error`` (``pd.DataFrame(frame.attrs["abs_error"])``:
    estimated error of each entry), ``unresolved`` ((parameter, output) pairs
    whose error exceeds the tolerance), ``outputs`` (the output values),
    ``log_step``. NaN where an output is 0. ``"sobol"``: columns
    (output, index) with index ``S1``, ``S1_conf``, ``ST``, ``ST_conf``
    (95 % bootstrap half-widths); ``attrs``: ``ranges``, ``n_samples``,
    ``n_runs``, ``seed``.
    """
    subject = check_regimen_and_subject(regimen, subject)
    _arguments.choice("method", method, ["local", "sobol"])
    t_end = _arguments.real("t_end_h", t_end_h, strictly_positive=True)
    names = _parameter_names(parameters)
    n_threads = check_threads(threads)
    if method == "local":
        for name, value in (("ranges", ranges), ("seed", seed)):
            if value is not None:
                raise ValueError(f"{name}={value!r}: used only with method='sobol'")
        tolerances: dict[str, Any] = {"rtol": LOCAL_RTOL, "atol": LOCAL_ATOL,
                                      "atol_gut": LOCAL_ATOL_GUT}
    else:
        tolerances = {}
    nominal = simulate(regimen, subject, t_end_h=t_end, output_every_h=t_end, **tolerances)
    model = _Model(regimen, subject, t_end, _parse_outputs(outputs, t_end, nominal), tolerances)
    if method == "local":
        return _local(model, names, n_threads)
    return _sobol(model, names, n_threads, _sample_count(n_samples), check_seed(seed), ranges)


# ----------------------------------------------------------------------------- Sobol

def _salib() -> tuple[Any, Any]:
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
    except ImportError:
        raise ImportError('method="sobol" needs SALib: pip install "magpk[fit]" (or pip install '
                          'SALib)') from None
    return sample, analyze


def _sample_count(n_samples: Any) -> int:
    n = _arguments.count("n_samples", n_samples, maximum=MAX_SOBOL_SAMPLES)
    if n & (n - 1):
        raise ValueError(f"n_samples={n_samples!r}: must be a power of 2 (e.g. 64, 256, 1024: "
                         f"the balance of the Sobol sequence)")
    return n


def _runs(model: _Model, name: str, value: float) -> bool:
    """Whether the model runs with ``name`` set to ``value`` (valid range, meal spacing...)."""
    try:
        simulate(Regimen(), model.subject, t_end_h=PROBE_T_END_H, output_times_h=(),
                 parameters={name: value})
    except (ValueError, RuntimeError):
        return False
    return True


def _valid_end(model: _Model, name: str, value: float, end: float) -> float:
    """``end``, or the valid value nearest to it between ``value`` and ``end`` (bisection)."""
    if _runs(model, name, end):
        return end
    inside, outside = math.log(value), math.log(end)
    for _ in range(RANGE_BISECTIONS):
        middle = 0.5 * (inside + outside)
        inside, outside = (middle, outside) if _runs(model, name, math.exp(middle)) else (
            inside, middle)
    return math.exp(inside)


def _default_range(model: _Model, name: str, row: pd.Series) -> tuple[float, float]:
    value = float(row["value"])
    if not value > 0.0:
        raise ValueError(f"parameters[]={name!r} has the value {value!r}: a log range needs a "
                         f"positive value; give ranges={{{name!r}: (low, high)}}")
    searched = calibration_bounds()
    if name in searched and np.isfinite(row["log_sd"]):
        width = SOBOL_LOG_SD_WIDTH * float(row["log_sd"])
        bound_low, bound_high = searched[name]
        low, high = max(value * math.exp(-width), bound_low), min(value * math.exp(width),
                                                                   bound_high)
    else:
        low, high = value / SOBOL_SOURCED_FACTOR, value * SOBOL_SOURCED_FACTOR
    return _valid_end(model, name, value, low), _valid_end(model, name, value, high)


def _sobol_ranges(model: _Model, names: list[str],
                  ranges: Mapping[str, tuple[float, float]] | None
                  ) -> dict[str, tuple[float, float]]:
    given = dict(ranges or {})
    if ranges is not None and not isinstance(ranges, Mapping):
        raise TypeError(f"ranges={ranges!r}: expected {{parameter name: (low, high)}}")
    for name in given:
        if name not in names:
            raise ValueError(f"ranges[{name!r}]: not among the parameters analyzed")
    table = parameter_table()
    out = {}
    for name in names:
        if name not in given:
            out[name] = _default_range(model, name, cast(pd.Series, table.loc[name]))
            continue
        try:
            low, high = (float(v) for v in given[name])
        except (TypeError, ValueError):
            raise TypeError(f"ranges[{name!r}]={given[name]!r}: expected (low, high)") from None
        if not (0.0 < low < high and math.isfinite(high)):
            raise ValueError(f"ranges[{name!r}]={given[name]!r}: allowed 0 < low < high")
        for end in (low, high):
            if not _runs(model, name, end):
                raise ValueError(f"ranges[{name!r}]: the model does not run with {name}={end!r}")
        out[name] = (low, high)
    return out


def _sobol(model: _Model, names: list[str], threads: int, n_samples: int, seed: int,
           ranges: Mapping[str, tuple[float, float]] | None) -> pd.DataFrame:
    sample, analyze = _salib()
    bounds = _sobol_ranges(model, names, ranges)
    problem = {"num_vars": len(names), "names": names,
               "bounds": [[math.log(lo), math.log(hi)] for lo, hi in bounds.values()]}
    points = sample.sample(problem, n_samples, calc_second_order=False, seed=seed)
    failures: list[str] = []

    def run(row: np.ndarray) -> np.ndarray:
        try:
            return model(dict(zip(names, np.exp(row).tolist())))
        except (ValueError, RuntimeError) as error:
            failures.append(str(error))
            return np.full(len(model.outputs), np.nan)

    values = np.array(_map(run, list(points), threads))
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(points)} Sobol runs failed (first: "
                           f"{failures[0]}); narrow the parameter ranges with ranges=")
    columns: dict[tuple[str, str], np.ndarray] = {}
    for j, output in enumerate(model.outputs):
        y = values[:, j]
        if np.ptp(y) == 0.0 or not np.all(np.isfinite(y)):  # no variance: no index
            indices = {key: np.zeros(len(names)) for key in _SOBOL_INDICES}
        else:
            indices = analyze.analyze(problem, y, calc_second_order=False,
                                      num_resamples=SOBOL_RESAMPLES,
                                      conf_level=SOBOL_CONFIDENCE, seed=seed)
        for key in _SOBOL_INDICES:
            columns[(output.label, key)] = np.asarray(indices[key], dtype=float)
    frame = pd.DataFrame(columns, index=pd.Index(names, name="parameter"))
    frame.columns.names = ["output", "index"]
    frame.attrs.update({"method": "sobol", "ranges": bounds, "n_samples": n_samples,
                        "n_runs": len(points), "seed": seed})
    return frame
