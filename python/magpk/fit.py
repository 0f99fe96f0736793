"""Fit physiological parameters to observed serum and urine data (:func:`fit`).

Needs iminuit (``pip install "magpk[fit]"``), imported only when :func:`fit` runs.

The fit minimizes the weighted sum of squares (chi-square)::

    chi2 = sum over observations of ((observed - predicted) / sd) ** 2

with MIGRAD and takes the covariance from HESSE (iminuit, ``errordef`` 1). It
works in the **logarithm** of each parameter: every parameter is positive, the
allowed ranges span orders of magnitude (1e-3 to 1e3 x the table value), and
relative changes are what the data constrain. Values, errors and covariance are
reported in each parameter's own units (the unit column of
:func:`magpk.parameters`), converted to first order: ``error = value * SD(log
value)`` and ``cov = value_i * value_j * cov(log)``; ``FitResult.log_covariance``
holds the covariance of the logs. Errors are 1-sigma, read from the given SDs as
they are (not rescaled by chi2 / ndof, which ``FitResult`` reports).
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from . import _arguments, _core
from .parameters import core_physiology
from .regimen import Regimen
from .simulate import (
    DEFAULT_ATOL,
    DEFAULT_ATOL_GUT,
    DEFAULT_RTOL,
    Result,
    check_regimen_and_subject,
    simulate,
)
from .subject import Subject

_INSTALL_HINT = 'magpk.fit needs iminuit: pip install "magpk[fit]"'

#: Observation columns: serum at ``time_h``; cumulative urine from 0 to
#: ``time_h``; urine collected from ``urine_start_h`` to ``time_h``.
OUTPUTS = ("serum_mmol_l", "urine_cum_mmol", "urine_mmol")
TIME = "time_h"
URINE_START = "urine_start_h"
#: Suffix of a per-observation standard deviation column (e.g. ``serum_mmol_l_sd``).
SD_SUFFIX = "_sd"
#: Default SD of each output when neither an SD column nor ``sigma`` gives one: this
#: fraction of the mean observed value of that output (one SD for all its points).
#: Round defaults: serum 3 % (of the order of assay plus within-person variation of
#: serum total Mg), urine 10 % (timed collections: incomplete collection dominates).
#: Give your laboratory's SDs where known.
DEFAULT_RELATIVE_SD = {"serum_mmol_l": 0.03, "urine_cum_mmol": 0.10, "urine_mmol": 0.10}
_UNITS = {"serum_mmol_l": "mmol/L", "urine_cum_mmol": "mmol", "urine_mmol": "mmol"}
_LABELS = {"serum_mmol_l": "serum Mg", "urine_cum_mmol": "cumulative urine Mg",
           "urine_mmol": "urine Mg per collection"}

#: The fit searches 1e-3 to 1e3 x each parameter's table value in log space (a
#: log-space fit needs a positive lower limit), cut to the range the core
#: accepts (``allowed_min``/``allowed_max`` of the core's parameter table).
LOWER_FACTOR = 1e-3
UPPER_FACTOR = 1e3
#: Initial MIGRAD step in log units (~10 %).
INITIAL_LOG_STEP = 0.1
#: Points of the regular grid on which ``FitResult.result`` is reported (plus the
#: observation times).
RESULT_GRID_POINTS = 240


def parameter_bounds(name: str) -> tuple[float, float]:
    """The range (own units) within which :func:`fit` varies parameter ``name``:
    1e-3 to 1e3 x the table value, within the range the core accepts (shares at most 1)."""
    rows = {row.name: row for row in _core.parameter_table()}
    if name not in rows:
        raise ValueError(_unknown_parameter_message(name, "name", list(rows)))
    value = float(rows[name].value)
    return (max(LOWER_FACTOR * value, float(rows[name].allowed_min)),
            min(UPPER_FACTOR * value, float(rows[name].allowed_max)))


def parameter_values() -> dict[str, float]:
    return {row.name: float(row.value) for row in _core.parameter_table()}


def _unknown_parameter_message(name: Any, argument: str, names: Sequence[str]) -> str:
    close = _core.closest_names(str(name), list(names), 3)
    return (f"{argument}: unknown parameter {name!r}; did you mean "
            f"{', '.join(map(repr, close))}? See magpk.parameters().")


def _iminuit() -> Any:
    try:
        import iminuit
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    return iminuit


# ----------------------------------------------------------------------------- observations
@dataclass
class _Series:
    """One output's observations: end times, start times (collections), values, SDs."""

    output: str
    time_h: np.ndarray
    start_h: np.ndarray | None
    observed: np.ndarray
    sd: np.ndarray
    rows: np.ndarray  # index labels of the observation rows


def _first(values: Any, mask: np.ndarray) -> Any:
    """The first entry of ``values`` where ``mask`` holds, as a Python value (for messages)."""
    return np.asarray(values)[mask].tolist()[0]


def _float_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    try:
        values = pd.to_numeric(frame[column], errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"observations[{column!r}]: expected numbers, got "
                        f"{frame[column].dtype}") from None
    bad = np.isinf(values)
    if bad.any():
        raise ValueError(f"observations[{column!r}]: infinite value at row "
                         f"{_first(frame.index, bad)!r}; allowed: finite numbers "
                         f"(NaN = not measured)")
    return values


def _check_columns(frame: Any) -> list[str]:
    """The output columns present; every column must be one fit knows."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"observations: expected a pandas DataFrame, got {type(frame).__name__}")
    known = [TIME, URINE_START, *OUTPUTS, *(o + SD_SUFFIX for o in OUTPUTS)]
    for column in frame.columns:
        if column not in known:
            close = _core.closest_names(str(column), known, 2)
            raise ValueError(f"observations: unknown column {column!r} (did you mean "
                             f"{', '.join(map(repr, close))}?); allowed columns: "
                             f"{', '.join(known)}")
    if TIME not in frame.columns:
        raise ValueError(f"observations: no {TIME!r} column (hours from the start of the run)")
    present = [o for o in OUTPUTS if o in frame.columns]
    if not present:
        raise ValueError(f"observations: no observed output; give at least one of the columns "
                         f"{', '.join(OUTPUTS)}")
    if "urine_mmol" in present and URINE_START not in frame.columns:
        raise ValueError(f"observations: 'urine_mmol' (urine collected per interval) needs the "
                         f"column {URINE_START!r} (start of each collection; it ends at {TIME!r})")
    return present


def _times(frame: pd.DataFrame, t_end_h: float | None) -> tuple[np.ndarray, float]:
    times = _float_column(frame, TIME)
    if np.isnan(times).any():
        raise ValueError(f"observations[{TIME!r}]: NaN at row "
                         f"{_first(frame.index, np.isnan(times))!r}; every observation needs "
                         f"its time (hours)")
    if (times < 0).any():
        raise ValueError(f"observations[{TIME!r}]={_first(times, times < 0)!r}: before the run "
                         f"(allowed: 0 <= time_h <= t_end_h)")
    if t_end_h is None:
        t_end = float(times.max())
        if t_end <= 0:
            raise ValueError(f"observations[{TIME!r}]: every time is 0; give t_end_h or later "
                             f"observations")
    else:
        t_end = _arguments.real("t_end_h", t_end_h, strictly_positive=True)
        if (times > t_end).any():
            raise ValueError(f"observations[{TIME!r}]={_first(times, times > t_end)!r}: after "
                             f"the end of the run (allowed: 0 <= time_h <= t_end_h={t_end:g})")
    return times, t_end


def _sd(frame: pd.DataFrame, output: str, mask: np.ndarray, observed: np.ndarray,
        sigma: Mapping[str, Any]) -> np.ndarray:
    """Per-observation SDs: the SD column, else ``sigma[output]``, else the default."""
    column = output + SD_SUFFIX
    if column in frame.columns:
        sd: np.ndarray = _float_column(frame, column)[mask]
        bad = ~(sd > 0)
        if bad.any():
            raise ValueError(f"observations[{column!r}]={_first(sd, bad)!r} at row "
                             f"{_first(frame.index[mask], bad)!r}: allowed > 0 wherever {output!r} "
                             f"is given")
        return sd
    if output in sigma:
        value = _arguments.real(f"sigma[{output!r}]", sigma[output], strictly_positive=True)
        return np.full(observed.shape, value)
    scale = DEFAULT_RELATIVE_SD[output] * float(np.mean(np.abs(observed)))
    if scale <= 0:
        raise ValueError(f"observations[{output!r}]: every value is 0, so the default SD "
                         f"(relative to the mean) is 0; give sigma={{{output!r}: ...}} or a "
                         f"{column!r} column")
    return np.full(observed.shape, scale)


def _series(frame: pd.DataFrame, output: str, times: np.ndarray,
            sigma: Mapping[str, Any]) -> _Series | None:
    values = _float_column(frame, output)
    mask = ~np.isnan(values)
    if not mask.any():
        return None
    start = None
    if output == "urine_mmol":
        start = _float_column(frame, URINE_START)[mask]
        bad = ~((start >= 0) & (start < times[mask]))
        if bad.any():
            raise ValueError(f"observations[{URINE_START!r}]={_first(start, bad)!r} at row "
                             f"{_first(frame.index[mask], bad)!r}: allowed 0 <= {URINE_START} < "
                             f"{TIME} (the end of the collection)")
    observed = values[mask]
    return _Series(output, times[mask], start, observed, _sd(frame, output, mask, observed, sigma),
                   frame.index[mask].to_numpy())


def _observations(frame: Any, t_end_h: float | None,
                  sigma: Mapping[str, Any] | None) -> tuple[list[_Series], float]:
    """Checked observations, one series per observed output, and the run length."""
    present = _check_columns(frame)
    sigma = {} if sigma is None else sigma
    if not isinstance(sigma, Mapping):
        raise TypeError(f"sigma={sigma!r}: expected a mapping of output column -> SD")
    for key in sigma:
        if key not in present:
            raise ValueError(f"sigma[{key!r}]: not an observed output; allowed keys: "
                             f"{', '.join(map(repr, present))}")
    times, t_end = _times(frame, t_end_h)
    series = [s for s in (_series(frame, o, times, sigma) for o in present) if s is not None]
    observed_rows = np.zeros(len(frame), dtype=bool)
    for output in present:
        observed_rows |= frame[output].notna().to_numpy()
    if not observed_rows.all():
        raise ValueError(f"observations: row {_first(frame.index, ~observed_rows)!r} has no "
                         f"observed value (all of {', '.join(present)} are NaN)")
    return series, t_end


# ----------------------------------------------------------------------------- parameters
def fitted_parameters(parameters: Any, fixed: Mapping[str, Any]) -> dict[str, float]:
    """name -> starting value (the table value unless a mapping gives one)."""
    if isinstance(parameters, str) or not isinstance(parameters, (Sequence, Mapping)):
        raise TypeError(f"parameters={parameters!r}: expected a list of parameter names (or a "
                        f"mapping name -> starting value)")
    table = parameter_values()
    names = list(parameters)
    if not names:
        raise ValueError("parameters: give at least one parameter name to fit")
    starts: dict[str, float] = {}
    for name in names:
        if name not in table:
            raise ValueError(_unknown_parameter_message(name, "parameters", list(table)))
        if name in starts:
            raise ValueError(f"parameters: {name!r} is listed twice")
        if name in fixed:
            raise ValueError(f"parameters: {name!r} is also in fixed=; fit it or fix it")
        low, high = parameter_bounds(name)
        start = parameters[name] if isinstance(parameters, Mapping) else table[name]
        starts[name] = _arguments.real(f"parameters[{name!r}] (starting value)", start,
                                       minimum=low, maximum=high,
                                       allowed=f"allowed: {low:g} to {high:g}")
    return starts


# ----------------------------------------------------------------------------- model
_COLUMNS = list(_core.output_columns())
_SERUM = _COLUMNS.index("serum_mmol_l")
_URINE = _COLUMNS.index("urine_cum_mmol")


def _predict(series: _Series, table: np.ndarray) -> np.ndarray:
    """The model's value of each observation of ``series`` from a result table."""
    grid = table[:, 0]
    end = np.searchsorted(grid, series.time_h)
    values: np.ndarray
    if series.output == "serum_mmol_l":
        values = table[end, _SERUM]
    elif series.output == "urine_cum_mmol":
        values = table[end, _URINE]
    else:  # a collection: start_h is given for every one (_observations)
        start = np.searchsorted(grid, cast(np.ndarray, series.start_h))
        values = table[end, _URINE] - table[start, _URINE]
    return values


class _Model:
    """Simulates the study for a parameter vector; the chi-square cost of the fit."""

    errordef = 1.0  # iminuit: least squares, 1 sigma where chi2 rises by 1

    def __init__(self, regimen: Regimen, subject: Subject, series: list[_Series], t_end: float,
                 names: list[str], fixed: Mapping[str, Any], solver: dict[str, Any]) -> None:
        self.regimen, self.subject, self.series, self.t_end = regimen, subject, series, t_end
        self.names, self.fixed, self.solver = names, dict(fixed), solver
        times = [s.time_h for s in series] + [s.start_h for s in series if s.start_h is not None]
        self.grid = np.unique(np.concatenate([[0.0, t_end], *times]))
        self.ndata = sum(len(s.observed) for s in series)

    def run(self, values: Sequence[float], grid: np.ndarray | None = None) -> Result:
        overrides = {**self.fixed, **dict(zip(self.names, map(float, values)))}
        times = self.grid if grid is None else grid
        try:
            return simulate(self.regimen, self.subject, t_end_h=self.t_end,
                            output_times_h=times.tolist(), parameters=overrides, **self.solver)
        except (ValueError, RuntimeError) as error:
            shown = ", ".join(f"{n}={v:.6g}" for n, v in zip(self.names, values))
            raise type(error)(f"fit: the model failed at {shown}: {error}") from error

    def residuals(self, values: Sequence[float]) -> np.ndarray:
        """(observed - predicted) / SD of every observation, series after series."""
        table = self.run(values)._core.table
        return np.concatenate([(s.observed - _predict(s, table)) / s.sd for s in self.series])

    def __call__(self, log_values: np.ndarray) -> float:
        return float(np.sum(self.residuals(np.exp(log_values)) ** 2))


def _minimize(model: _Model, starts: dict[str, float]) -> Any:
    """MIGRAD then HESSE in log-parameter space; the iminuit.Minuit object."""
    iminuit = _iminuit()
    minuit = iminuit.Minuit(model, np.log(list(starts.values())), name=list(starts))
    minuit.errors = [INITIAL_LOG_STEP] * len(starts)
    minuit.limits = [tuple(math.log(b) for b in parameter_bounds(n)) for n in starts]
    minuit.migrad()
    minuit.hesse()
    if not minuit.valid:
        warnings.warn("magpk.fit: MIGRAD did not converge to a valid minimum (see "
                      "FitResult.minuit.fmin); the estimates and errors are unreliable. Fit "
                      "fewer parameters, add data or give other starting values.",
                      RuntimeWarning, stacklevel=3)
    return minuit


# ----------------------------------------------------------------------------- API
def fit(observations: pd.DataFrame, regimen: Regimen, subject: Subject | None = None, *,
        parameters: Any, sigma: Mapping[str, float] | None = None,
        t_end_h: float | None = None, fixed: Mapping[str, float] | None = None,
        rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
        atol_gut: float = DEFAULT_ATOL_GUT) -> FitResult:
    """Fit physiological parameters to observed serum and urine Mg by weighted
    least squares (iminuit MIGRAD + HESSE, in log-parameter space).

    Parameters
    ----------
    observations
        a DataFrame with ``time_h`` (hours from the start of the run, i.e. of
        ``regimen``) and one or more of: ``serum_mmol_l`` (serum at ``time_h``),
        ``urine_cum_mmol`` (all urine Mg from 0 to ``time_h``), ``urine_mmol``
        (urine Mg collected from ``urine_start_h`` to ``time_h``; needs the column
        ``urine_start_h``). NaN marks a value not measured in that row (each row
        needs at least one). Optional SD columns ``serum_mmol_l_sd``,
        ``urine_cum_mmol_sd``, ``urine_mmol_sd`` weight each observation. Any
        other column is an error (drop identifiers and notes first).
    regimen, subject
        the study's doses and the subject (a default adult if omitted), as for
        :func:`magpk.simulate`; the run starts from the subject's steady state.
    parameters
        names of the parameters to fit (see :func:`magpk.parameters`), or a
        mapping name -> starting value (default start: the table value). Each is
        kept within 1e-3 to 1e3 x its table value (shares: fractions, splay and
        factors, at most 1), the range the core accepts (``FitResult.bounds``).
    sigma
        SD per output, in its unit (e.g. ``{"serum_mmol_l": 0.02}``), for outputs
        without an SD column. Default: 3 % of the mean observed serum, 10 % of the
        mean observed urine (cumulative or per collection).
    t_end_h
        length of the run (default: the last observation time); every
        observation must lie within 0 to ``t_end_h``.
    fixed
        other parameter overrides held fixed during the fit.
    rtol, atol, atol_gut
        solver tolerances, as for :func:`magpk.simulate`.

    Returns
    -------
    FitResult
        ``values`` and ``errors`` (1-sigma, own units; dicts by name),
        ``covariance`` and ``correlation`` (DataFrames), ``result`` (the
        :class:`Result` at the estimate), ``minuit``, ``residuals()``, ``plot()``.

    Notes
    -----
    Needs iminuit (``pip install "magpk[fit]"``). Every cost evaluation is one
    simulation (a few ms); a fit of two or three parameters needs ~50-150
    evaluations (MIGRAD and HESSE), well under a second.
    """
    subject = check_regimen_and_subject(regimen, subject)
    fixed = {} if fixed is None else fixed
    if not isinstance(fixed, Mapping):
        raise TypeError(f"fixed={fixed!r}: expected a mapping of parameter name -> value")
    core_physiology(fixed)  # checks names and values up front
    starts = fitted_parameters(parameters, fixed)
    series, t_end = _observations(observations, t_end_h, sigma)
    model = _Model(regimen, subject, series, t_end, list(starts), fixed,
                   dict(zip(("rtol", "atol", "atol_gut"), (rtol, atol, atol_gut))))
    if model.ndata < len(starts) + 1:
        raise ValueError(f"observations: {model.ndata} observed value(s) for {len(starts)} "
                         f"parameter(s); a fit needs at least {len(starts) + 1} (parameters + 1)")
    _iminuit()  # the install hint before any simulation
    minuit = _minimize(model, starts)
    return FitResult(model, minuit, observations)


def _matrix(values: np.ndarray, names: list[str]) -> pd.DataFrame:
    return pd.DataFrame(values, index=pd.Index(names, name="parameter"), columns=names)


class FitResult:
    """The outcome of :func:`fit`.

    Attributes: ``values``, ``errors`` (1-sigma), both dicts by parameter name
    in the parameters' own units; ``covariance``, ``correlation`` and
    ``log_covariance`` (DataFrames); ``result`` (the :class:`Result` at the
    estimate, on a fine grid that includes the observation times); ``minuit``
    (the ``iminuit.Minuit`` object; its parameters are the natural logs);
    ``bounds`` (name -> (low, high), own units: the range searched); ``chi2``,
    ``ndof``, ``valid``; ``observations`` (as given).
    """

    def __init__(self, model: _Model, minuit: Any, observations: pd.DataFrame) -> None:
        self._model = model
        self.minuit = minuit
        self.observations = observations
        names = list(model.names)
        log_values = np.array(minuit.values)
        values = np.exp(log_values)
        log_cov = np.array(minuit.covariance)
        self.values: dict[str, float] = dict(zip(names, map(float, values)))
        self.errors: dict[str, float] = dict(zip(names, map(float, values * np.sqrt(
            np.diag(log_cov)))))
        self.bounds: dict[str, tuple[float, float]] = {n: parameter_bounds(n) for n in names}
        self.log_covariance = _matrix(log_cov, names)
        self.covariance = _matrix(log_cov * np.outer(values, values), names)
        sd = np.sqrt(np.diag(log_cov))
        self.correlation = _matrix(log_cov / np.outer(sd, sd), names)
        self.chi2 = float(minuit.fval)
        self.ndof = model.ndata - len(names)
        self.valid = bool(minuit.valid)
        regular = np.linspace(0.0, model.t_end, RESULT_GRID_POINTS + 1)
        self.result: Result = model.run(values, np.union1d(regular, model.grid))

    def residuals(self) -> pd.DataFrame:
        """One row per observed value: ``row`` (index label in the observations),
        ``output``, ``time_h``, ``urine_start_h`` (collections; else NaN),
        ``observed``, ``predicted``, ``sd`` and ``residual`` ((observed -
        predicted) / sd)."""
        table = self.result._core.table
        parts = []
        for s in self._model.series:
            predicted = _predict(s, table)
            parts.append(pd.DataFrame({
                "row": s.rows, "output": s.output, "time_h": s.time_h,
                URINE_START: np.nan if s.start_h is None else s.start_h,
                "observed": s.observed, "predicted": predicted, "sd": s.sd,
                "residual": (s.observed - predicted) / s.sd}))
        return pd.concat(parts, ignore_index=True)

    def _rows(self) -> list[tuple[str, str, str, str, str]]:
        table = parameter_values()
        rows = []
        for name, value in self.values.items():
            error = self.errors[name]
            rows.append((name, f"{value:.4g}", f"{error:.2g}", f"{100 * error / value:.2g} %",
                         f"{table[name]:.4g}"))
        return rows

    def _summary(self) -> str:
        counts = ", ".join(f"{len(s.observed)} {s.output}" for s in self._model.series)
        status = "converged" if self.valid else "NOT converged"
        return f"{counts}; chi2 / ndof = {self.chi2:.3g} / {self.ndof}; MIGRAD {status}"

    _HEADER = ("parameter", "estimate", "error (1 sigma)", "relative", "table value")

    def __repr__(self) -> str:
        rows = [self._HEADER, *self._rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(self._HEADER))]
        lines = ["magpk.FitResult", f"  {self._summary()}"]
        lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                  for row in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self._HEADER)
        body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>"
                                        for c in row) + "</tr>" for row in self._rows())
        return (f"<table><caption style='text-align:left'><b>magpk.FitResult</b>: "
                f"{html.escape(self._summary())}</caption><tr>{head}</tr>{body}</table>")

    def plot(self) -> Any:
        """Observed (with 1-sigma error bars) and fitted values, and the
        normalized residuals below, one column per observed output (needs
        matplotlib: ``pip install "magpk[plot]"``). Returns the Figure."""
        from .plot import import_pyplot
        plt = import_pyplot()
        series = self._model.series
        fig, axes = plt.subplots(2, len(series), figsize=(5.0 * len(series), 5.5), squeeze=False,
                                 sharex="col", height_ratios=(3, 1), layout="constrained")
        frame = self.result.to_frame()
        residuals = self.residuals()
        for column, s in enumerate(series):
            top, bottom = axes[0, column], axes[1, column]
            if s.output == "urine_mmol":
                predicted = residuals.loc[residuals["output"] == s.output, "predicted"]
                top.bar(s.start_h, predicted, width=s.time_h - s.start_h, align="edge",
                        color="tab:blue", alpha=0.3, label="fitted")
            else:
                top.plot(frame["time_h"], frame[s.output], color="tab:blue", label="fitted")
            top.errorbar(s.time_h, s.observed, yerr=s.sd, fmt="o", color="black", ms=4,
                         label="observed")
            top.set_ylabel(f"{_LABELS[s.output]} ({_UNITS[s.output]})")
            top.legend(fontsize=8)
            scaled = residuals.loc[residuals["output"] == s.output, "residual"]
            bottom.axhline(0.0, color="grey", lw=0.8)
            bottom.plot(s.time_h, scaled, "o", color="black", ms=4)
            bottom.set_ylabel("residual (SD)")
            bottom.set_xlabel("time (h)")
            for ax in (top, bottom):
                ax.grid(alpha=0.3)
        fig.suptitle("magpk.fit: " + ", ".join(f"{n} = {v:.4g} ± {self.errors[n]:.2g}"
                                               for n, v in self.values.items()), fontsize=9)
        return fig
