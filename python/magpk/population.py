"""Virtual populations: sample a cohort, simulate it in C++ threads (or on a
Dask cluster), and read streamed summaries.

Summaries are exact per-subject metrics (one row per subject) and, over time,
percentiles of serum and of each pool taken from fixed log-spaced histograms
(2,048 bins per variable and output time). Histograms merge exactly (integer
counts), so results are identical for any thread count, chunk size or
cluster; a percentile is exact to within one bin: relative error at most
``(high/low)**(1/2048) - 1`` (0.34% for serum over 0.02-20 mmol/L). Full
trajectories are kept only with ``trajectories=True``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any, Optional, cast

import numpy as np
import pandas as pd

from . import _arguments, _core, _records
from .forms import MG_PER_MMOL
from .parameters import core_physiology
from .regimen import MAX_TIME_H, Regimen
from .simulate import DEFAULT_ATOL, DEFAULT_ATOL_GUT, DEFAULT_RTOL, check_tolerances, output_grid

#: Largest cohort accepted in one call.
MAX_SUBJECTS = 10_000_000
#: Limit on the memory of the summary histograms (bytes): variables x output
#: times x 2,050 bins x 4 bytes, per thread plus the merged copies.
MAX_HISTOGRAM_BYTES = 1_000_000_000
#: Default limit on the memory for full trajectories (bytes).
MAX_TRAJECTORY_BYTES = 2_000_000_000

_DIURETIC_CODES = {None: 0, "loop": 1, "thiazide": 2}
_DIURETIC_NAMES = {0: None, 1: "loop", 2: "thiazide"}
_IIV_COLUMNS = ("transcellular_factor", "ecf_volume_factor", "renal_tm_factor")


def populations() -> pd.DataFrame:
    """The population presets (covariate distributions, IIV, sources)."""
    presets = _records.records(_core.PopulationSpec, _core.population_presets())
    return pd.DataFrame(presets).set_index("name")


def _preset_names() -> list[str]:
    return [spec.name for spec in _core.population_presets()]


def _flag(value: Any) -> Any:
    """numpy booleans -> bool; anything else is left for Subject to reject."""
    return bool(value) if isinstance(value, np.bool_) else value


def _missing_to_none(value: Any) -> Any:
    """None/NaN (a missing cell) -> None; anything else is left for Subject to check."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value


def _columns_from_frame(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Subjects given as a DataFrame -> the core's columns (with validation)."""
    required = ["weight_kg", "sex", "age_years", "egfr_ml_min", "diet_mg_per_day"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"population DataFrame lacks columns {missing}; required: {required} "
                         f"(optional: pregnant, ppi, diuretic, height_cm, "
                         f"{', '.join(_IIV_COLUMNS)})")
    n = len(frame)
    if n == 0:
        raise ValueError("population DataFrame has no rows")
    from .subject import Subject  # validate every row with the Subject rules
    columns: dict[str, np.ndarray] = {k: np.empty(n) for k in (
        "weight_kg", "age_years", "height_cm", "egfr_ml_min", "diet_mg_per_day", "female",
        "pregnant", "ppi", "diuretic_code", *_IIV_COLUMNS)}
    for i, row in enumerate(frame.itertuples(index=False)):
        values: dict[str, Any] = cast(Any, row)._asdict()  # pandas-stubs: rows lack _asdict
        try:
            s = Subject(weight_kg=values["weight_kg"], sex=values["sex"],
                        age_years=values["age_years"], egfr_ml_min=values["egfr_ml_min"],
                        diet_mg_per_day=values["diet_mg_per_day"],
                        pregnant=_flag(values.get("pregnant", False)),
                        ppi=_flag(values.get("ppi", False)),
                        diuretic=_missing_to_none(values.get("diuretic")),
                        height_cm=_missing_to_none(values.get("height_cm")))
        except (TypeError, ValueError) as error:
            raise type(error)(f"population row {i}: {error}") from error
        columns["weight_kg"][i] = s.weight_kg
        columns["age_years"][i] = s.age_years
        columns["height_cm"][i] = s.height_cm or 0.0
        columns["egfr_ml_min"][i] = s.egfr_ml_min
        columns["diet_mg_per_day"][i] = s.diet_mg_per_day
        columns["female"][i] = s.sex == "female"
        columns["pregnant"][i] = s.pregnant
        columns["ppi"][i] = s.ppi
        columns["diuretic_code"][i] = _DIURETIC_CODES[s.diuretic]
        for name in _IIV_COLUMNS:
            factor = values.get(name, 1.0)
            columns[name][i] = _arguments.real(f"population row {i} {name}", factor,
                                               strictly_positive=True, maximum=100.0)
    return columns


def _slice(columns: Mapping[str, np.ndarray], start: int, stop: int) -> dict[str, np.ndarray]:
    return {k: np.asarray(v)[start:stop] for k, v in columns.items()}


def _run_chunk(population: str | dict[str, np.ndarray], seed: int, start: int, stop: int,
               parameters: Mapping[str, Any] | None, regimen: Regimen, t_end_h: float,
               times: np.ndarray, tolerances: tuple[float, float, float], threads: int,
               keep: bool) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Simulate subjects [start, stop): one unit of work (local or on a Dask worker)."""
    if isinstance(population, str):
        columns = _core.sample_subjects(population, seed, start, stop - start)
    else:
        columns = _slice(population, start, stop)
    solver = _core.SolverOptions()
    solver.rtol, solver.atol, solver.atol_gut = tolerances
    histogram, metrics, trajectories = _core.simulate_batch(
        columns, core_physiology(parameters), regimen._to_core(), t_end_h, times.tolist(), solver,
        threads, keep)
    return columns, histogram, metrics, trajectories


class Population:
    """Summaries of a simulated cohort (see :func:`simulate_population`)."""

    def __init__(self, times: np.ndarray, histogram: np.ndarray, columns: dict[str, np.ndarray],
                 metrics: np.ndarray, trajectories: np.ndarray | None, seed: int,
                 population: str) -> None:
        self.times_h = times
        self._histogram = histogram
        self._columns = columns
        self._metrics = metrics
        self._trajectories = trajectories
        self.seed = seed
        self.population = population
        self._variable_names = [row[0] for row in _core.summary_variables()]

    @property
    def n(self) -> int:
        return len(self._metrics)

    def __repr__(self) -> str:
        return (f"<magpk.Population {self.population!r}: {self.n:,} subjects, "
                f"{len(self.times_h)} output times, seed {self.seed}>")

    def percentiles(self, q: Sequence[float] = (5, 25, 50, 75, 95),
                    variables: Sequence[str] | None = None) -> pd.DataFrame:
        """Percentiles over time: index ``time_h``, columns ``<variable>_p<q>``.

        Variables: serum_mmol_l, plasma_mmol, tissue_mmol, bone_mmol, gut_mmol.
        From the merged histograms: within one bin (relative error <= 0.34%
        for serum) of the exact percentile of the cohort.
        """
        names = self._variable_names
        chosen = names if variables is None else list(variables)
        for name in chosen:
            _arguments.choice("variables[]", name, names)
        qs = [_arguments.real("q", value, minimum=0.0, maximum=100.0) for value in q]
        out = {"time_h": self.times_h}
        for name in chosen:
            v = names.index(name)
            edges = np.asarray(_core.summary_bin_edges(name))  # low .. high, bins + 1
            counts = self._histogram[v].astype(np.int64)  # times x (bins + 2)
            cumulative = np.cumsum(counts, axis=1)
            total = cumulative[:, -1:]
            bins = counts.shape[1] - 2
            for value in qs:
                rank = value / 100.0 * total[:, 0]
                index = np.array([np.searchsorted(row, r, side="left") for row, r in
                                  zip(cumulative, np.maximum(rank, 1e-12))])
                index = np.clip(index, 0, bins + 1)
                before = np.where(index > 0, cumulative[np.arange(len(index)), index - 1], 0)
                in_bin = counts[np.arange(len(index)), index]
                fraction = np.where(in_bin > 0, (rank - before) / np.maximum(in_bin, 1), 0.0)
                fraction = np.clip(fraction, 0.0, 1.0)
                # Within bin k (1..bins: [edges[k-1], edges[k])), log-linear interpolation.
                k = np.clip(index, 1, bins)
                lower, upper = edges[k - 1], edges[k]
                edge = lower * (upper / lower) ** fraction
                edge = np.where(index == 0, edges[0], np.where(index == bins + 1, edges[-1], edge))
                label = f"{value:g}".replace(".", "_")
                out[f"{name}_p{label}"] = edge
        return pd.DataFrame(out).set_index("time_h")

    def subjects(self) -> pd.DataFrame:
        """One row per subject: covariates, IIV factors and the metrics of
        :meth:`magpk.Result.metrics`."""
        c = self._columns
        frame = pd.DataFrame({
            "weight_kg": c["weight_kg"],
            "sex": np.where(np.asarray(c["female"]) > 0, "female", "male"),
            "age_years": c["age_years"],
            # NaN: the default (mean adult) height for the sex was used
            "height_cm": np.where(np.asarray(c["height_cm"]) > 0, c["height_cm"], np.nan),
            "egfr_ml_min": c["egfr_ml_min"], "diet_mg_per_day": c["diet_mg_per_day"],
            "pregnant": np.asarray(c["pregnant"]) > 0, "ppi": np.asarray(c["ppi"]) > 0,
            "diuretic": [_DIURETIC_NAMES[int(x)] for x in c["diuretic_code"]],
            **{name: c[name] for name in _IIV_COLUMNS},
        })
        metrics = pd.DataFrame(self._metrics, columns=list(_core.metric_names()))
        metrics["absorbed_supplement_mg"] = metrics["absorbed_supplement_mmol"] * MG_PER_MMOL
        metrics["time_in_2_to_3_5_h"] = metrics["time_above_2_h"] - metrics["time_above_3_5_h"]
        frame = pd.concat([frame, metrics], axis=1)
        frame.index.name = "subject"
        return frame

    def fraction_above(self, serum_mmol_l: float) -> float:
        """Fraction of subjects whose serum ever exceeds ``serum_mmol_l``
        (from each subject's exact Cmax)."""
        level = _arguments.real("serum_mmol_l", serum_mmol_l, strictly_positive=True)
        cmax = self._metrics[:, list(_core.metric_names()).index("cmax_mmol_l")]
        return float(np.mean(cmax > level))

    def fraction_below(self, serum_mmol_l: float) -> float:
        """Fraction of subjects whose serum ever falls below ``serum_mmol_l``."""
        level = _arguments.real("serum_mmol_l", serum_mmol_l, strictly_positive=True)
        cmin = self._metrics[:, list(_core.metric_names()).index("cmin_mmol_l")]
        return float(np.mean(cmin < level))

    def target_attainment(self) -> pd.Series:
        """Fractions of subjects reaching the standard serum bands, and mean times."""
        s = self.subjects()
        hypo = _core.HYPO_THRESHOLD_MMOL_L
        hyper, target_low, target_high, toxic = _core.serum_thresholds_above()
        return pd.Series({
            f"fraction_ever_hypo (<{hypo:g})": self.fraction_below(hypo),
            f"fraction_ever_hyper (>{hyper:g})": self.fraction_above(hyper),
            f"fraction_reaching_{target_low:g}_mmol_l": self.fraction_above(target_low),
            f"fraction_above_{target_high:g}_mmol_l".replace(".", "_"):
                self.fraction_above(target_high),
            f"fraction_above_{toxic:g}_mmol_l": self.fraction_above(toxic),
            "mean_time_hypo_h": s["time_hypo_h"].mean(),
            "mean_time_hyper_h": s["time_hyper_h"].mean(),
            "mean_time_in_2_to_3_5_h": s["time_in_2_to_3_5_h"].mean(),
        })

    def trajectories(self, variable: str = "serum_mmol_l") -> pd.DataFrame:
        """Full per-subject trajectories (rows: subjects, columns: output times);
        only with ``simulate_population(..., trajectories=True)``."""
        if self._trajectories is None:
            raise ValueError("trajectories were not kept: call simulate_population(..., "
                             "trajectories=True)")
        names = self._variable_names
        v = names.index(_arguments.choice("variable", variable, names))
        nt = len(self.times_h)
        return pd.DataFrame(self._trajectories[:, v * nt:(v + 1) * nt],
                            columns=pd.Index(self.times_h, name="time_h"))


def _progress_bar(enabled: bool | None, total: int) -> Any:
    if enabled is False or (enabled is None and not sys.stderr.isatty()):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if enabled:
            raise ImportError("progress=True needs the 'tqdm' package: pip install tqdm") from None
        return None
    return tqdm(total=total, unit="subject", desc="magpk population")


def simulate_population(regimen: Regimen, n: int | None = 10_000, seed: int = 1,
                        population: str | pd.DataFrame | None = None, t_end_h: float = 720.0,
                        output_every_h: float = 1.0, threads: int | None = None, *,
                        progress: bool | None = None, trajectories: bool = False,
                        client: Any = None, chunk_size: int | None = None,
                        parameters: Mapping[str, Any] | None = None,
                        rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
                        atol_gut: float = DEFAULT_ATOL_GUT,
                        max_trajectory_bytes: int = MAX_TRAJECTORY_BYTES,
                        checkpoint: str | os.PathLike[str] | None = None) -> Population:
    """Simulate ``regimen`` in a virtual cohort.

    Parameters
    ----------
    regimen
        the doses (one regimen for everybody).
    n
        number of subjects (ignored, or must match, when ``population`` is a DataFrame).
    seed
        fixed seed => identical cohort and results, whatever ``threads``,
        ``chunk_size`` or ``client``.
    population
        a preset name (see :func:`populations`: "adults", "elderly",
        "ckd3", "ckd4", "preeclampsia"; default "adults") or a DataFrame of
        subjects (columns weight_kg, sex, age_years, egfr_ml_min,
        diet_mg_per_day; optional pregnant, ppi, diuretic, height_cm and IIV
        factors transcellular_factor, ecf_volume_factor, renal_tm_factor).
    t_end_h, output_every_h
        simulated time and output grid (hours).
    threads
        C++ worker threads (default: all cores); the GIL is released.
    progress
        tqdm bar (default: on when stderr is a terminal and the run
        takes more than ~2 s).
    trajectories
        keep full trajectories (memory n x times x 5 x 8 bytes,
        refused above ``max_trajectory_bytes``).
    client
        a ``dask.distributed.Client``: chunks run on its workers and
        the summaries are merged exactly (``pip install magpk[distributed]``).
    chunk_size
        subjects per unit of work (default: ~2,000 locally).
    checkpoint
        a directory where each finished chunk is saved (Parquet; ``pip install
        magpk[checkpoint]``): the same call again resumes an interrupted run, computing only
        the missing subjects, with results identical to an uninterrupted run; a directory
        holding another request's results is refused (format: ``magpk.checkpoint``).
    """
    if not isinstance(regimen, Regimen):
        raise TypeError(f"regimen={regimen!r}: expected a magpk.Regimen")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed={seed!r}: expected an integer in [0, 2**63)")
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed={seed!r}: allowed 0 to 2**63 - 1")
    t_end = _arguments.real("t_end_h", t_end_h, strictly_positive=True, maximum=MAX_TIME_H)
    times = np.asarray(output_grid(t_end, output_every_h, None))
    source, n_subjects, label = _cohort(population, n)
    if threads is None:
        n_threads = os.cpu_count() or 1
    else:
        n_threads = _arguments.count("threads", threads, maximum=1024)
    keep = _arguments.boolean("trajectories", trajectories)
    byte_limit = _arguments.count("max_trajectory_bytes", max_trajectory_bytes,
                                  maximum=2**62)
    _check_memory(len(times), n_subjects, n_threads, keep, byte_limit, t_end_h, output_every_h)
    tolerances = check_tolerances(rtol, atol, atol_gut)
    core_physiology(parameters)  # validate overrides before any work
    size = chunk_size if chunk_size is not None else max(2_000, 256 * n_threads)
    size = _arguments.count("chunk_size", size, maximum=MAX_SUBJECTS)
    args = (parameters, regimen, t_end, times, tolerances)

    store = None
    if checkpoint is not None:
        from .checkpoint import open_checkpoint
        store = open_checkpoint(
            checkpoint, regimen=regimen, population=label, n=n_subjects, seed=int(seed),
            columns=None if isinstance(source, str) else source, t_end_h=t_end, times=times,
            tolerances=tolerances, parameters=parameters, trajectories=keep)
    try:
        merged = _run_chunks(source, int(seed), n_subjects, size, args, n_threads, keep,
                             client, progress, store)
    finally:
        if store is not None:
            store.close()
    columns, histogram, metrics, kept = merged.result()
    return Population(times, histogram, columns, metrics, kept, int(seed), label)


def _cohort(population: str | pd.DataFrame | None, n: int | None
            ) -> tuple[str | dict[str, np.ndarray], int, str]:
    """The cohort's source (preset name or columns), its size and its label."""
    if isinstance(population, pd.DataFrame):
        if n is not None and n != len(population) and n != 10_000:
            raise ValueError(f"n={n!r} differs from the {len(population)} rows of the population "
                             f"DataFrame; pass n=None")
        return _columns_from_frame(population), len(population), "custom"
    label = "adults" if population is None else population
    if not isinstance(label, str):
        raise TypeError(f"population={population!r}: expected a preset name or a DataFrame")
    _arguments.choice("population", label, _preset_names())
    return label, _arguments.count("n", n, maximum=MAX_SUBJECTS), label


def _check_memory(n_times: int, n_subjects: int, n_threads: int, keep: bool, byte_limit: int,
                  t_end_h: Any, output_every_h: Any) -> None:
    """Refuse runs whose histograms or kept trajectories would not fit the limits."""
    n_vars = len(_core.summary_variables())
    histogram_bytes = n_vars * n_times * (_core.SUMMARY_BINS + 2) * 4 * (n_threads + 2)
    if histogram_bytes > MAX_HISTOGRAM_BYTES:
        raise ValueError(f"t_end_h={t_end_h!r} with output_every_h={output_every_h!r} gives "
                         f"{n_times:,} output times: the summary histograms would need "
                         f"~{histogram_bytes / 1e9:.1f} GB "
                         f"(limit {MAX_HISTOGRAM_BYTES / 1e9:g} GB);"
                         f" use a coarser output grid")
    if keep:
        needed = n_subjects * n_times * n_vars * 8
        if needed > byte_limit:
            raise ValueError(f"trajectories=True needs ~{needed / 1e9:.1f} GB for {n_subjects:,} "
                             f"subjects x {n_times:,} times; limit max_trajectory_bytes="
                             f"{byte_limit:,}: use fewer subjects or a coarser grid")


class _MergedChunks:
    """Chunk results merged as they arrive, so memory does not grow with the number
    of chunks: one running histogram (uint32: n <= MAX_SUBJECTS < 2**32)."""

    def __init__(self, n_chunks: int, keep: bool) -> None:
        self.keep = keep
        self.histogram: np.ndarray | None = None
        self.columns: list[Any] = [None] * n_chunks
        self.metrics: list[Any] = [None] * n_chunks
        self.trajectories: list[Any] = [None] * n_chunks

    def add(self, index: int,
            part: tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]) -> None:
        chunk_columns, chunk_histogram, chunk_metrics, chunk_trajectories = part
        if self.histogram is None:
            self.histogram = np.array(chunk_histogram, dtype=np.uint32)
        else:
            self.histogram += chunk_histogram
        self.columns[index] = chunk_columns
        self.metrics[index] = chunk_metrics
        if self.keep:
            self.trajectories[index] = chunk_trajectories

    def result(self) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray | None]:
        assert self.histogram is not None
        columns = {k: np.concatenate([np.asarray(p[k]) for p in self.columns])
                   for k in self.columns[0]}
        kept = np.vstack(self.trajectories) if self.keep else None
        return columns, self.histogram, np.vstack(self.metrics), kept


#: What every chunk shares: (parameters, regimen, t_end_h, times, tolerances) of _run_chunk.
_ChunkArgs = tuple[Optional[Mapping[str, Any]], Regimen, float, np.ndarray,
                   tuple[float, float, float]]


def _run_chunks(source: str | dict[str, np.ndarray], seed: int, n_subjects: int,
                size: int, args: _ChunkArgs, n_threads: int, keep: bool, client: Any,
                progress: bool | None, store: Any) -> _MergedChunks:
    """Run every chunk not already in the checkpoint ``store`` (None: no checkpoint), locally
    or on ``client``'s workers; each finished chunk is saved (by this process) as it arrives."""
    from .checkpoint import chunk_plan

    plan = chunk_plan(n_subjects, size, store)
    merged = _MergedChunks(len(plan), keep)
    todo = []
    for index, (a, b, on_disk) in enumerate(plan):
        if on_disk:
            merged.add(index, store.read(a, b))
        else:
            todo.append((index, a, b))

    def finish(index: int, a: int, b: int, part: Any) -> None:
        if store is not None:
            store.write(a, b, part)
        merged.add(index, part)

    if client is not None:
        from distributed import as_completed

        futures = {client.submit(_run_chunk, source, seed, a, b, *args, 1, keep,
                                 pure=False): (index, a, b) for index, a, b in todo}
        # A bar on request or, by default, for a multi-chunk run seen on a terminal.
        bar = _progress_bar(progress, sum(b - a for _, a, b in todo)) if todo else None
        try:
            # distributed's as_completed is unannotated
            for future in as_completed(list(futures)):  # type: ignore[no-untyped-call]
                index, a, b = futures[future]
                finish(index, a, b, future.result())
                future.release()
                if bar is not None:
                    bar.update(b - a)
        finally:
            if bar is not None:
                bar.close()
    else:
        _run_locally(todo, lambda a, b: _run_chunk(source, seed, a, b, *args, n_threads, keep),
                     finish, progress)
    return merged


def _run_locally(todo: list[tuple[int, int, int]], run: Any, finish: Any,
                 progress: bool | None) -> None:
    """Run the chunks ``todo`` (index, start, stop) in this process (C++ threads), with a
    progress bar for long runs."""
    bar = None
    started = time.perf_counter()
    try:
        for done, (index, a, b) in enumerate(todo):
            finish(index, a, b, run(a, b))
            elapsed = time.perf_counter() - started
            if bar is None and done == 0 and elapsed * len(todo) > 2.0:
                bar = _progress_bar(progress, sum(stop - start for _, start, stop in todo))
            if bar is not None:
                bar.update(b - a)
    finally:
        if bar is not None:
            bar.close()
