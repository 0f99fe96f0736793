"""Simulate a regimen for one subject and read the results."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _arguments, _core
from .forms import MEQ_PER_MMOL, MG_DL_PER_MMOL_L, MG_PER_MMOL
from .parameters import core_physiology
from .plot import plot_result
from .regimen import MAX_TIME_H, Regimen
from .subject import Subject

#: Largest output grid accepted (rows); about 130 MB of states per run.
MAX_OUTPUT_ROWS = 500_000
#: Default solver tolerances (the core's SolverOptions defaults): relative; absolute (mmol)
#: for body states and for gut pools. Serum is then within ~5e-7 (oral, 30 days with meals)
#: to ~1.4e-6 (24-h IV) relative of a tight reference run (benchmarks/accuracy.py).
_SOLVER_DEFAULTS = _core.SolverOptions()
DEFAULT_RTOL: float = _SOLVER_DEFAULTS.rtol
DEFAULT_ATOL: float = _SOLVER_DEFAULTS.atol
DEFAULT_ATOL_GUT: float = _SOLVER_DEFAULTS.atol_gut


class Result:
    """The outcome of :func:`simulate`: trajectories and metrics.

    ``to_frame()`` gives the time series, ``metrics()`` the per-regimen summary,
    ``baseline_frame()`` the same subject without any dose.
    """

    def __init__(self, core_result: _core.SimulationResult, regimen: Regimen, subject: Subject,
                 t_end_h: float) -> None:
        self._core = core_result
        self.regimen = regimen
        self.subject = subject
        self.t_end_h = t_end_h
        # The core refuses non-finite states (a guardrail: NaN is never a result).
        self._table: np.ndarray | None = None
        #: Draws and intervals of ``simulate(..., uncertainty=n)``
        #: (:class:`magpk.uncertainty.UncertaintyDraws`); None without.
        self.uncertainty: Any = None
        self._intervals: dict[str, float | None] = {}

    @staticmethod
    def _frame(table: np.ndarray) -> pd.DataFrame:
        frame = pd.DataFrame(table, columns=list(_core.output_columns()))
        serum = frame["serum_mmol_l"]
        frame.insert(2, "serum_mg_dl", serum * MG_DL_PER_MMOL_L)
        frame.insert(3, "serum_meq_l", serum * MEQ_PER_MMOL)
        return frame

    def to_frame(self) -> pd.DataFrame:
        """Time series, one row per output time.

        Columns: ``time_h``, ``serum_mmol_l``, ``serum_mg_dl``, ``serum_meq_l``,
        ``plasma_mmol`` (the extracellular fluid, whose concentration is serum),
        ``tissue_mmol`` (all intracellular Mg: fast peripheral + exchangeable +
        bound), ``bone_mmol`` (bone surface + deep bone), ``gut_mmol`` (all gut
        contents, stomach to colon), cumulative ``absorbed_cum_mmol`` (gross, all sources),
        ``urine_cum_mmol``, ``feces_cum_mmol``, and diagnostics
        (``absorbed_supplement_cum_mmol``, ``secreted_cum_mmol``, ``im_depot_mmol``,
        ``colon_supplement_mmol``, ``diet_in_cum_mmol`` (meal Mg that has left the
        stomach), ``infused_cum_mmol``, ``serum_auc_mmol_h_l``), ``peripheral_mmol``
        (fast exchangeable cell Mg), ``feces_soluble_cum_mmol`` (dissolved fecal
        Mg), ``filtered_cum_mmol`` (ultrafiltered load: fractional excretion is
        the urine increment over the filtered increment), the sub-pools
        ``tissue_exchangeable_mmol``, ``bone_surface_mmol`` and ``deep_bone_mmol``,
        and ``sweat_cum_mmol`` (dermal loss). Cumulative columns start at 0 at t = 0.
        """
        if self._table is None:
            self._table = self._core.table
        return self._frame(self._table)

    def baseline_frame(self) -> pd.DataFrame:
        """As :meth:`to_frame` for the same subject and diet schedule without doses."""
        return self._frame(self._core.baseline_table)

    @property
    def steady_state_serum_mmol_l(self) -> float:
        return float(self._core.steady_state_serum_mmol_l)

    def metrics(self) -> dict[str, float | None]:
        """Per-regimen metrics (``None`` where a metric is undefined).

        - ``fraction_absorbed``: of the supplement's own Mg given by the end, the
          fraction that crossed the gut wall (gross, tracer-based, as a stable
          isotope measures it); ``None`` without oral supplement.
        - ``absorbed_increment_mmol``: extra Mg absorbed vs the same subject and
          diet without supplement (smaller than the tracer amount when the
          supplement saturates transport shared with food Mg).
        - ``urine_increment_24h_mmol``: extra urinary Mg in the 24 h from the
          first dose (``None`` if the run ends earlier); ``urine_increment_mmol``
          over the whole run; ``urine_24h_mmol``: all urinary Mg from 0 to 24 h
          (a 24-h collection; ``None`` if the run is shorter).
        - ``cmax_mmol_l``, ``tmax_h``: serum maximum and its time, located on the
          solution; ``auc_above_baseline_mmol_h_l``: integral of serum minus the
          baseline run's serum.
        - ``time_hypo_h`` (< 0.75 mmol/L), ``time_hyper_h`` (> 1.05),
          ``time_above_2_h``, ``time_above_3_5_h``, ``time_above_5_h`` and
          ``time_in_2_to_3_5_h`` (the eclampsia target band).
        - ``body_store_change_mmol`` (every body pool but the IM depot: plasma,
          peripheral, tissue incl. bound, bone surface and deep bone; end vs
          start) and ``body_store_change_vs_baseline_mmol``.
        - ``max_daily_soluble_feces_mmol``: the largest dissolved fecal Mg in any
          24 h of the run (diet and supplement; undissolved solid is not
          osmotic); ``diarrhea_probability`` (0-1): the share of people whose
          threshold lies below it (Fine 1991), i.e. the risk on the worst day,
          independent of run length. Run a day or two past the last dose so
          that its fecal Mg is counted. ``peak_colon_load_mmol``: largest
          unabsorbed supplement Mg in the colon (dissolved + solid).
        - ``baseline_serum_mmol_l``: the daily mean serum of the homeostatic
          (periodic, with meals) steady state.
        - ``mass_balance_rel_error``: max ``|intake - (gut + body + urine + feces
          + sweat)|`` / intake over all outputs.
        - after ``simulate(..., uncertainty=n)``: ``<metric>_p5`` and
          ``<metric>_p95`` for each metric above (:mod:`magpk.uncertainty`).
        """
        values = dict(zip(_core.metric_names(), _core.metric_values(self._core.metrics)))
        metrics: dict[str, float | None] = {
            name: (None if math.isnan(value) else float(value)) for name, value in values.items()}
        for name in ("oral_supplement", "absorbed_supplement", "absorbed_increment"):
            metrics[f"{name}_mg"] = values[f"{name}_mmol"] * MG_PER_MMOL
        metrics["time_in_2_to_3_5_h"] = values["time_above_2_h"] - values["time_above_3_5_h"]
        metrics.update(self._intervals)  # <metric>_p5 / _p95 after simulate(uncertainty=n)
        return metrics

    _KEY_METRICS = (("fraction_absorbed", "fraction absorbed (tracer)", "{:.3f}"),
                    ("absorbed_supplement_mg", "supplement Mg absorbed", "{:.1f} mg"),
                    ("absorbed_increment_mg", "extra Mg absorbed vs baseline", "{:.1f} mg"),
                    ("urine_increment_24h_mmol", "extra urine Mg, first 24 h", "{:.3f} mmol"),
                    ("baseline_serum_mmol_l", "baseline serum", "{:.3f} mmol/L"),
                    ("cmax_mmol_l", "serum Cmax", "{:.3f} mmol/L"),
                    ("tmax_h", "Tmax", "{:.2f} h"),
                    ("time_hyper_h", f"time > {_core.serum_thresholds_above()[0]:g} mmol/L",
                     "{:.1f} h"),
                    ("diarrhea_probability", "P(diarrhea), worst day", "{:.2f}"),
                    ("body_store_change_mmol", "body store change", "{:+.2f} mmol"))

    #: Metrics about oral absorption: not shown for a regimen without oral doses.
    _ORAL_METRICS = ("fraction_absorbed", "absorbed_supplement_mg", "absorbed_increment_mg")

    def _summary_rows(self) -> list[tuple[str, str]]:
        m = self.metrics()
        rows = [("t_end", f"{self.t_end_h:g} h")]
        for key, label, fmt in self._KEY_METRICS:
            if key in self._ORAL_METRICS and not self.regimen.oral_events:
                continue
            rows.append((label, "n/a" if m[key] is None else fmt.format(m[key])))
        return rows

    def __repr__(self) -> str:
        from ._display import regimen_lines
        lines = ["magpk.Result"]
        lines += [f"  regimen: {line}" for line in regimen_lines(self.regimen)]
        width = max(len(label) for label, _ in self._summary_rows())
        lines += [f"  {label:<{width}}  {value}" for label, value in self._summary_rows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from ._display import html_table, regimen_lines
        regimen = [("dose" if i == 0 else "", line)
                   for i, line in enumerate(regimen_lines(self.regimen))]
        return html_table(regimen + self._summary_rows(), "magpk.Result")

    def plot(self, **kwargs: Any) -> Any:
        """A dashboard of serum, pools and cumulative amounts (needs matplotlib);
        see :func:`magpk.plot.plot_result`."""
        return plot_result(self, **kwargs)


@functools.lru_cache(maxsize=32)
def _regular_grid(t_end_h: float, every_h: float) -> tuple[float, ...]:
    """0, every, 2 every, ... and t_end (cached: the same grid is reused often)."""
    n = math.floor(t_end_h / every_h + 1e-9) + 1
    times = np.arange(n) * every_h
    times = times[times < t_end_h]
    return tuple(np.append(times, t_end_h).tolist())


def output_grid(t_end_h: float, output_every_h: float | None,
                  output_times_h: Sequence[float] | np.ndarray | None) -> Sequence[float]:
    """The output grid (always including 0 and t_end_h), validated and size-checked."""
    if output_times_h is not None:
        if output_every_h is not None:
            raise ValueError("give output_every_h or output_times_h, not both")
        try:
            times = np.asarray(output_times_h, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"output_times_h={output_times_h!r}: expected a 1-D sequence of "
                            f"times in hours") from None
        if times.ndim != 1 or not np.all(np.isfinite(times)):
            raise ValueError("output_times_h: expected a 1-D sequence of finite times in hours")
        if np.any(times < 0) or np.any(times > t_end_h):
            raise ValueError(f"output_times_h: every time must lie in [0, t_end_h={t_end_h:g}]")
        times = np.unique(np.concatenate([[0.0, t_end_h], times]))
        if len(times) > MAX_OUTPUT_ROWS:
            raise ValueError(f"output_times_h has {len(times):,} entries: allowed at most "
                             f"{MAX_OUTPUT_ROWS:,} (memory bound)")
        grid: list[float] = times.tolist()
        return grid
    every = _arguments.real("output_every_h", 1.0 if output_every_h is None else output_every_h,
                            strictly_positive=True, allowed="allowed: > 0 h")
    rows = t_end_h / every
    n = math.floor(rows + 1e-9) + 1 if rows < MAX_OUTPUT_ROWS else MAX_OUTPUT_ROWS + 1
    if n + 1 > MAX_OUTPUT_ROWS:
        raise ValueError(f"output_every_h={output_every_h!r} with t_end_h={t_end_h:g} gives "
                         f"{n + 1:,} output rows: allowed at most {MAX_OUTPUT_ROWS:,} "
                         f"(memory bound); use a coarser grid")
    return _regular_grid(t_end_h, every)


def check_regimen_and_subject(regimen: Any, subject: Any) -> Subject:
    """Check the regimen and subject arguments; the default adult if subject is None."""
    if not isinstance(regimen, Regimen):
        raise TypeError(f"regimen={regimen!r}: expected a magpk.Regimen")
    if subject is None:
        return Subject()
    if not isinstance(subject, Subject):
        raise TypeError(f"subject={subject!r}: expected a magpk.Subject")
    return subject


def check_tolerances(rtol: Any, atol: Any, atol_gut: Any) -> tuple[float, float, float]:
    """Validated solver tolerances (relative; absolute in mmol for body and gut states)."""
    return (_arguments.real("rtol", rtol, minimum=1e-14, maximum=1e-2,
                            allowed="allowed: 1e-14 to 1e-2"),
            _arguments.real("atol", atol, minimum=1e-16, maximum=1e-2,
                            allowed="allowed: 1e-16 to 1e-2"),
            _arguments.real("atol_gut", atol_gut, minimum=1e-16, maximum=1e-2,
                            allowed="allowed: 1e-16 to 1e-2"))


#: Covariates that define the body; a run can start from an earlier run's final
#: state only if these are the same (diet, meals and drugs may change).
_BODY_COVARIATES = ("weight_kg", "sex", "age_years", "height_cm", "egfr_ml_min", "pregnant")


def _initial_state(initial: Any, subject: Subject) -> _core.InitialState:
    if not isinstance(initial, Result):
        raise TypeError(f"initial={initial!r}: expected a magpk.Result of an earlier run")
    for name in _BODY_COVARIATES:
        before, now = getattr(initial.subject, name), getattr(subject, name)
        if before != now:
            raise ValueError(f"initial= comes from a different subject: {name}={before!r} in "
                             f"the earlier run, {now!r} now; the body covariates "
                             f"({', '.join(_BODY_COVARIATES)}) must match")
    state = _core.InitialState()
    state.state = initial._core.final_state
    state.pool_forms = list(initial._core.pool_forms)
    return state


def simulate(regimen: Regimen, subject: Subject | None = None, *, t_end_h: float,
             output_every_h: float | None = None,
             output_times_h: Sequence[float] | np.ndarray | None = None,
             parameters: Mapping[str, Any] | None = None, rtol: float = DEFAULT_RTOL,
             atol: float = DEFAULT_ATOL, atol_gut: float = DEFAULT_ATOL_GUT,
             initial: Result | None = None, uncertainty: int | None = None,
             seed: int | None = None, threads: int | None = None) -> Result:
    """Simulate ``regimen`` for ``subject`` from its homeostatic steady state
    (with meals: the 24-h periodic steady state at t = 0).

    Parameters
    ----------
    regimen
        the doses and diet changes (:class:`Regimen`).
    subject
        the covariates (:class:`Subject`); a default adult if omitted.
    t_end_h
        simulated time, hours (> 0). Events after it are ignored.
    output_every_h
        output grid spacing (default 1 h); the grid always
        includes 0 and ``t_end_h``. Or give explicit ``output_times_h``.
    parameters
        optional overrides of physiological parameters by name
        (see :func:`magpk.parameters`).
    rtol, atol, atol_gut
        integrator tolerances: relative; absolute (mmol) for
        body and cumulative states; absolute (mmol) for gut pools.
    initial
        a :class:`Result` of an earlier run of the same subject (same body:
        weight, sex, age, height, eGFR, pregnancy) to start from its final state
        instead of the steady state (e.g. deplete, then replete). It carries the
        body's state (gut contents included); diet, meals and drugs come from
        this run's ``subject`` and ``regimen``; ledgers restart at zero. The
        baseline run starts from the same state.
    uncertainty
        a number of parameter draws from the stored calibration covariance
        (:func:`magpk.parameter_covariance`): each draw is simulated too and
        ``metrics()`` adds ``<metric>_p5`` and ``<metric>_p95`` for each metric
        (5th-95th percentile over the draws, always containing the point value);
        the draws are in ``result.uncertainty``. See :mod:`magpk.uncertainty`.
    seed
        seed of the draws (default 1): the same seed gives the same intervals.
    threads
        threads for the draws (default: all cores; the core releases the GIL).

    Notes
    -----
    The run and a no-dose baseline run of the same subject and diet are
    integrated in C++ (GIL released).
    """
    subject = check_regimen_and_subject(regimen, subject)
    for name, value in (("seed", seed), ("threads", threads)):
        if uncertainty is None and value is not None:
            raise ValueError(f"{name}={value!r}: used only with uncertainty=n (a number of "
                             f"parameter draws)")
    t_end = _arguments.real("t_end_h", t_end_h, strictly_positive=True, maximum=MAX_TIME_H,
                            allowed=f"allowed: > 0 and <= 20 years ({MAX_TIME_H:,.0f} h)")
    request = _core.SimulationRequest()
    request.covariates = subject._to_core()
    request.physiology = core_physiology(parameters)
    request.regimen = regimen._to_core()
    request.t_end_h = t_end
    request.output_times_h = output_grid(t_end, output_every_h, output_times_h)
    request.solver.rtol, request.solver.atol, request.solver.atol_gut = check_tolerances(
        rtol, atol, atol_gut)
    if initial is not None:
        request.has_initial = True
        request.initial = _initial_state(initial, subject)
    draws = None
    if uncertainty is not None:
        from . import uncertainty as _uncertainty
        draws = (_uncertainty.check_draw_count(uncertainty), _uncertainty.check_seed(seed),
                 _uncertainty.check_threads(threads))
    try:
        core_result = _core.simulate(request)
    except (ValueError, RuntimeError) as error:  # std::invalid_argument -> ValueError
        raise type(error)(f"simulation failed: {error}") from error
    result = Result(core_result, regimen, subject, t_end)
    if draws is not None:
        def one(values: Mapping[str, Any] | None) -> Result:
            return simulate(regimen, subject, t_end_h=t_end, output_times_h=(),
                            parameters=values, rtol=rtol, atol=atol, atol_gut=atol_gut,
                            initial=initial)
        result._intervals, result.uncertainty = _uncertainty.simulate_draws(
            one, parameters, *draws, result.metrics())
    return result
