"""Parameter uncertainty: draws from the stored calibration covariance and the
intervals they put on every metric (``simulate(..., uncertainty=n)``,
``compare_forms(..., uncertainty=n)``).

The calibrated parameters are drawn jointly from a multivariate normal in log
space (mean: the calibrated values; covariance: :func:`magpk.parameter_covariance`),
truncated to the ranges the calibration searched (:func:`calibration_bounds`,
the fit's prior) and to the model's valid parameter ranges: a candidate outside
either is rejected. Draws come from a ``numpy.random.Generator`` (PCG64) seeded
with ``seed`` in fixed batches, so the same seed gives the same draws on every
machine and the first k of n draws do not depend on n. Parameters that were
not calibrated (sourced values) stay at their values: the intervals describe
what the calibration targets leave open, not every uncertainty of the model.

``<metric>_p5`` and ``<metric>_p95`` are the 5th and 95th percentiles of a
metric over the draws. When the point value (all parameters at their
calibrated values) lies outside them, which happens when a parameter sits at
the bound of its range (the draws then fall to one side of it) or a metric is
at an extremum, the nearer limit is moved to the point, so that
``p5 <= point <= p95`` always holds.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from . import _arguments
from .parameters import core_physiology, parameter_covariance, stored_calibration
from .parameters import parameters as parameter_table

if TYPE_CHECKING:  # pragma: no cover
    from .simulate import Result

#: Percentiles reported as ``<metric>_p5`` and ``<metric>_p95``.
LOWER_PERCENTILE = 5.0
UPPER_PERCENTILE = 95.0
#: The seed used when ``uncertainty=n`` is given without ``seed``.
DEFAULT_SEED = 1
#: Largest number of draws accepted in one call (each draw is one simulation).
MAX_DRAWS = 100_000
#: Largest number of threads accepted.
MAX_THREADS = 1024
#: Candidates drawn per round of rejection sampling (fixed: the draws for a
#: seed do not depend on how many are asked for).
CANDIDATE_BATCH = 65_536
#: Rounds of rejection sampling before giving up (acceptance is ~0.3 % with the
#: stored covariance: 100,000 draws need ~600 rounds).
MAX_BATCHES = 4_000

def calibration_bounds() -> dict[str, tuple[float, float]]:
    """The ranges the joint calibration searched, (low, high) per calibrated
    parameter, as stored with its covariance (``calibration/calibrate.py``
    writes them). Draws outside them are rejected."""
    calibration = stored_calibration()
    return {name: (float(low), float(high))
            for name, (low, high) in zip(calibration["parameters"],
                                         calibration["search_bounds"])}


def check_draw_count(n: Any, name: str = "uncertainty") -> int:
    """``n`` as a number of draws (1 to :data:`MAX_DRAWS`)."""
    return _arguments.count(name, n, maximum=MAX_DRAWS)


def check_seed(seed: Any) -> int:
    """``seed`` as an integer in [0, 2**63); None gives :data:`DEFAULT_SEED`."""
    if seed is None:
        return DEFAULT_SEED
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed={seed!r}: expected an integer in [0, 2**63)")
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed={seed!r}: allowed 0 to 2**63 - 1")
    return int(seed)


def check_threads(threads: Any) -> int:
    """``threads`` as a thread count; None gives all cores (as ``simulate_population``)."""
    if threads is None:
        return os.cpu_count() or 1
    return _arguments.count("threads", threads, maximum=MAX_THREADS)


def _valid(values: Mapping[str, float]) -> bool:
    try:
        core_physiology(values)
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=16)
def _log_draws(n: int, seed: int) -> np.ndarray:
    """n accepted draws of the log calibrated parameters (read-only array)."""
    covariance = parameter_covariance()
    names = list(covariance.index)
    mean = np.log(parameter_table().loc[names, "value"].to_numpy(dtype=float))
    bounds = calibration_bounds()
    low = np.log([bounds[name][0] for name in names])
    high = np.log([bounds[name][1] for name in names])
    factor = np.linalg.cholesky(covariance.to_numpy())  # deterministic, unlike an SVD
    generator = np.random.default_rng(seed)
    accepted = []
    for _ in range(MAX_BATCHES):
        candidates = mean + generator.standard_normal((CANDIDATE_BATCH, len(names))) @ factor.T
        inside = candidates[np.all((candidates >= low) & (candidates <= high), axis=1)]
        accepted += [row for row in inside if _valid(dict(zip(names, np.exp(row))))]
        if len(accepted) >= n:
            draws = np.array(accepted[:n])
            draws.flags.writeable = False
            return draws
    raise RuntimeError(f"uncertainty={n}: only {len(accepted)} of {MAX_BATCHES * CANDIDATE_BATCH:,}"
                       f" candidate draws lie within the calibration ranges; ask for fewer")


def draw_parameters(n: int, seed: int | None = None) -> pd.DataFrame:
    """``n`` joint draws of the calibrated parameters (one row per draw, one
    column per parameter, values in the parameters' units), reproducible with
    ``seed`` (default :data:`DEFAULT_SEED`). See the module notes."""
    n = check_draw_count(n, "n")
    draws = _log_draws(n, check_seed(seed))
    frame = pd.DataFrame(np.exp(draws), columns=list(parameter_covariance().index))
    frame.index.name = "draw"
    return frame


def _as_float(value: Any) -> float:
    """A metric value (float, None or a DataFrame cell) as a float, NaN for None."""
    return np.nan if value is None else float(value)


def run_draws(run: Callable[[dict[str, float]], Mapping[str, float | None]],
              draws: pd.DataFrame, threads: int) -> pd.DataFrame:
    """``run(parameters)`` (one simulation's metrics) for every draw, in
    ``threads`` Python threads (the core releases the GIL). One row per draw."""
    rows = [{str(name): float(value) for name, value in row.items()}
            for _, row in draws.iterrows()]

    def one(index: int) -> dict[str, float]:
        try:
            metrics = run(rows[index])
        except (ValueError, RuntimeError) as error:
            raise type(error)(f"uncertainty draw {index} ({rows[index]}): {error}") from error
        return {name: _as_float(value) for name, value in metrics.items()}

    if threads == 1:
        results = [one(i) for i in range(len(rows))]
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(one, range(len(rows))))
    frame = pd.DataFrame(results, index=draws.index)
    return frame


def interval(point: float | None, values: np.ndarray) -> tuple[float | None, float | None]:
    """(p5, p95) of ``values`` (NaN ignored), widened to contain ``point``;
    (None, None) when the point or every value is undefined."""
    finite = values[np.isfinite(values)]
    if point is None or not np.isfinite(point) or finite.size == 0:
        return None, None
    low, high = np.percentile(finite, [LOWER_PERCENTILE, UPPER_PERCENTILE])
    return float(min(low, point)), float(max(high, point))


def metric_intervals(point: Mapping[str, float | None],
                     draws: pd.DataFrame) -> dict[str, float | None]:
    """``<metric>_p5`` and ``<metric>_p95`` for every metric of ``point``."""
    out: dict[str, float | None] = {}
    for name, value in point.items():
        column = draws[name].to_numpy(dtype=float) if name in draws else np.array([])
        out[f"{name}_p5"], out[f"{name}_p95"] = interval(value, column)
    return out


class UncertaintyDraws:
    """Parameter draws and the metrics they give: ``Result.uncertainty`` after
    ``simulate(..., uncertainty=n)``, ``frame.attrs["uncertainty"]`` after
    ``compare_forms(..., uncertainty=n)``.

    ``parameters`` (one row per draw), ``metrics`` (one row per draw; after
    ``compare_forms`` indexed by form and draw: every form is run with the same
    draws, so differences between forms can be read draw by draw) and
    ``points`` (the metrics at the calibrated values, one row per form). The
    object is immutable: the frames are returned as copies.
    """

    def __init__(self, seed: int, parameters: pd.DataFrame, metrics: pd.DataFrame,
                 points: pd.DataFrame) -> None:
        self.seed = seed
        self._parameters = parameters
        self._metrics = metrics
        self._points = points

    @property
    def n(self) -> int:
        return len(self._parameters)

    @property
    def parameters(self) -> pd.DataFrame:
        return self._parameters.copy()

    @property
    def metrics(self) -> pd.DataFrame:
        return self._metrics.copy()

    @property
    def points(self) -> pd.DataFrame:
        return self._points.copy()

    def __repr__(self) -> str:
        forms = (f", {len(self._points)} forms" if "form" in (self._metrics.index.names or [])
                 else "")
        return f"<magpk UncertaintyDraws: {self.n} draws, seed {self.seed}{forms}>"

    # pandas compares and deep-copies DataFrame.attrs: an immutable object that
    # compares by identity keeps that cheap and never ambiguous.
    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__

    def __copy__(self) -> UncertaintyDraws:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> UncertaintyDraws:
        return self

    def differences(self, metric: str, reference: str) -> pd.DataFrame:
        """Each form minus ``reference`` in ``metric``, draw by draw (after
        ``compare_forms``): ``difference`` at the calibrated values, ``p5`` and
        ``p95`` of the paired differences (widened to contain the point) and
        ``resolved`` (the 90 % interval excludes 0: the evidence behind the
        calibration separates the two forms in this metric; False: it does not)."""
        if "form" not in (self._metrics.index.names or []):
            raise ValueError("differences() needs the draws of compare_forms(..., uncertainty=n)")
        forms = list(self._points.index)
        _arguments.choice("reference", reference, forms)
        _arguments.choice("metric", metric, [c for c in self._metrics.columns])
        base = self._metrics.xs(reference, level="form")[metric].to_numpy(dtype=float)
        rows = {}
        for form in forms:
            if form == reference:
                continue
            paired = self._metrics.xs(form, level="form")[metric].to_numpy(dtype=float) - base
            point = _as_float(self._points.loc[form, metric]) - _as_float(
                self._points.loc[reference, metric])
            low, high = interval(point if np.isfinite(point) else None, paired)
            rows[form] = {"difference": point, "p5": low, "p95": high,
                          "resolved": bool(low is not None and high is not None
                                           and (low > 0 or high < 0))}
        frame = pd.DataFrame.from_dict(rows, orient="index",
                                       columns=["difference", "p5", "p95", "resolved"])
        frame.index.name = "form"
        return frame


def combine(results: Mapping[str, Any]) -> UncertaintyDraws:
    """One :class:`UncertaintyDraws` for ``{form: Result}`` run with the same draws."""
    first = next(iter(results.values())).uncertainty
    metrics = pd.concat({form: r.uncertainty._metrics for form, r in results.items()},
                        names=["form", "draw"])
    points = pd.DataFrame({form: r.uncertainty._points.iloc[0] for form, r in results.items()}).T
    points.index.name = "form"
    return UncertaintyDraws(first.seed, first._parameters, metrics, points)


def describe(n: int, seed: int) -> str:
    """One line for tables and legends."""
    return (f"{LOWER_PERCENTILE:g}th-{UPPER_PERCENTILE:g}th percentile over {n} parameter draws "
            f"from the calibration covariance (seed {seed})")


def point_frame(point: Mapping[str, float | None]) -> pd.DataFrame:
    """The point metrics as a one-row frame (the ``points`` of a single run)."""
    return pd.DataFrame([{name: _as_float(value) for name, value in point.items()}])


def simulate_draws(simulate_one: Callable[[Mapping[str, Any] | None], Result],
                   overrides: Mapping[str, Any] | None, n: int, seed: int,
                   threads: int, point: Mapping[str, float | None]
                   ) -> tuple[dict[str, float | None], UncertaintyDraws]:
    """Run ``simulate_one(parameters)`` for n draws; a calibrated parameter the
    user overrides is held at the override in every draw (the others are not
    conditioned on it). Returns the interval metrics and the draws."""
    draws = draw_parameters(n, seed)
    fixed = dict(overrides or {})
    for name in set(fixed) & set(draws.columns):  # fixed by the user: not drawn
        draws[name] = float(fixed[name])

    def run(values: dict[str, float]) -> Mapping[str, float | None]:
        return simulate_one({**values, **fixed}).metrics()

    metrics = run_draws(run, draws, threads)
    return (metric_intervals(point, metrics),
            UncertaintyDraws(seed, draws, metrics, point_frame(point)))


__all__: Sequence[str] = (
    "DEFAULT_SEED",
    "LOWER_PERCENTILE",
    "UPPER_PERCENTILE",
    "UncertaintyDraws",
    "calibration_bounds",
    "draw_parameters",
    "metric_intervals",
)
