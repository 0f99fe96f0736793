"""Checkpoints of population runs: ``simulate_population(..., checkpoint="dir")``.

Each chunk of the cohort is saved to the directory as soon as it is finished. Running the same
call again resumes: the chunks on disk are read back, only the missing subjects are simulated,
and the result is bit-identical to an uninterrupted run (sampling is counter-based per subject,
and the summary histograms are integer counts that add exactly). A finished run's directory
works as a cache: the same call again reads every chunk and simulates nothing.

Directory layout (format version 1; needs ``pyarrow``: ``pip install "magpk[checkpoint]"``)::

    magpk-checkpoint.json          the manifest: format, version, the request (below) and its
                                   fingerprint (SHA-256 of the request as canonical JSON)
    chunk-<start>-<stop>/          subjects [start, stop), zero-padded to 10 digits
        subjects.parquet           one row per subject: the subject columns (covariates, IIV
                                   factors), one column per metric and, with trajectories=True,
                                   "trajectories" (fixed-size list of variables x times floats)
        histogram.parquet          the chunk's summary histogram, sparse: "bin" (flat index
                                   into variables x times x (bins + 2)) and "count", nonzero only
    .tmp-*                         a chunk or manifest being written: ignored, then removed
    .lock                          locked (flock) while a run uses the directory

Every Parquet file carries, in its schema metadata (key ``magpk.checkpoint``), the fingerprint
and the chunk's range, so that a file copied from another checkpoint is recognized.

The request (the fingerprint's contents): magpk version and core build
(:func:`magpk.show_config`: results can differ between builds in the last digits), population
preset or a hash of the given cohort, n, seed, regimen events, t_end_h, output times, solver
tolerances, the full parameter set, trajectories, and the layout of the outputs. ``threads``,
``chunk_size``, ``client`` and ``progress`` are not part of it (results do not depend on them):
a run may be resumed with other values. The chunks on disk are kept as they are and the gaps
between them are cut into chunks of ``chunk_size``.

Rules:

- A directory holding another request's checkpoint is refused (:class:`CheckpointError`, naming
  the fields that differ), as is a non-empty directory without a manifest: never mixed.
- A chunk that cannot be read or fails the checks (schema, row count, fingerprint, range,
  histogram counts adding up to the chunk's subjects, Parquet page checksums) is refused with
  a :class:`CheckpointError` naming its directory: delete that directory to recompute it. It is
  not recomputed silently, because a damaged file means something else is wrong (disk,
  copying, another program) and the user should know.
- Writes are atomic: a chunk is written into a temporary directory inside the checkpoint,
  synced to disk, then renamed into place; it is visible only when complete. A write that
  fails (full disk: ``OSError`` ENOSPC) or is interrupted (Ctrl-C) leaves no partial files,
  keeps every chunk saved before, and raises ``OSError`` naming the checkpoint directory.
- One run per directory at a time: a second run is refused while the lock is held; the lock
  is released by the operating system when the process ends, even when it is killed. (Where
  ``fcntl`` is unavailable, such as Windows, there is no lock and temporary entries are left.)
- With Dask (``client=``), workers return their chunks to the client, which saves them as
  they arrive: workers need no access to the directory. The fingerprint records the client's
  magpk build; workers are expected to run the same build.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, Optional

import numpy as np

from . import _core

#: The on-disk format written and read by this version.
FORMAT_VERSION = 1
MANIFEST = "magpk-checkpoint.json"
SUBJECTS_FILE = "subjects.parquet"
HISTOGRAM_FILE = "histogram.parquet"
TRAJECTORIES = "trajectories"
_FORMAT_NAME = "magpk-checkpoint"
_STAMP_KEY = b"magpk.checkpoint"
_TEMPORARY = ".tmp-"
_LOCK = ".lock"
_CHUNK_NAME = re.compile(r"chunk-(\d{10})-(\d{10})")

#: One chunk's results: subject columns, histogram, metrics, trajectories (or None).
Part = tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, Optional[np.ndarray]]


class CheckpointError(ValueError):
    """A checkpoint directory that cannot be used for this request (foreign, corrupt, in use)."""


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ImportError('checkpoint= needs the pyarrow package: pip install "magpk[checkpoint]"'
                          ) from None
    return pyarrow, pyarrow.parquet


def _directory(value: Any) -> Path:
    if isinstance(value, bytes) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"checkpoint={value!r}: expected a directory path (str or os.PathLike)")
    path = os.fspath(value)
    if not isinstance(path, str) or not path:
        raise ValueError(f"checkpoint={value!r}: expected a non-empty directory path")
    return Path(path)


def _sha256_json(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _regimen_events(regimen: Any) -> list[list[Any]]:
    """The regimen's events as plain values (display-only fields left out)."""
    events = []
    for group in fields(regimen):
        for event in getattr(regimen, group.name):
            events.append([type(event).__name__] + [
                getattr(event, f.name) for f in fields(event) if f.compare])
    return events


def _sha256_columns(columns: Mapping[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(columns):
        array = np.ascontiguousarray(columns[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape}:".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def describe_request(*, regimen: Any, population: str,
                     columns: Mapping[str, np.ndarray] | None, n: int, seed: int,
                     t_end_h: float, times: np.ndarray, tolerances: tuple[float, float, float],
                     parameters: Mapping[str, Any] | None, trajectories: bool
                     ) -> dict[str, Any]:
    """Everything the results depend on, as JSON-ready values (``columns``: a given cohort,
    None for a preset)."""
    from .config import show_config
    from .parameters import core_physiology

    events = _regimen_events(regimen)
    physiology = core_physiology(parameters)
    names = [row.name for row in _core.parameter_table()]
    layout = columns if columns is not None else _core.sample_subjects(population, seed, 0, 0)
    times = np.ascontiguousarray(times, dtype="<f8")
    rtol, atol, atol_gut = tolerances
    return {
        "magpk": show_config(quiet=True),
        "population": population,
        "population_sha256": None if columns is None else _sha256_columns(columns),
        "n": int(n), "seed": int(seed),
        "regimen_events": len(events), "regimen_sha256": _sha256_json(events),
        "t_end_h": float(t_end_h),
        "output_times": {"count": len(times), "first": float(times[0]),
                         "last": float(times[-1]),
                         "sha256": hashlib.sha256(times.tobytes()).hexdigest()},
        "rtol": float(rtol), "atol": float(atol), "atol_gut": float(atol_gut),
        "parameter_overrides": {str(k): float(v) for k, v in (parameters or {}).items()},
        "parameters_sha256": _sha256_json({name: physiology.get(name) for name in names}),
        "trajectories": bool(trajectories),
        "subject_columns": {name: np.asarray(v).dtype.str for name, v in layout.items()},
        "metrics": list(_core.metric_names()),
        "summary_variables": [[name, low, high] for name, low, high in _core.summary_variables()],
        "summary_bins": int(_core.SUMMARY_BINS),
    }


def _differences(saved: Any, requested: Mapping[str, Any]) -> str:
    if not isinstance(saved, Mapping):
        return "its manifest holds no readable request"
    keys = sorted(set(saved) | set(requested))
    found = [f"{key}: {saved.get(key)!r} in the checkpoint, {requested.get(key)!r} in this call"
             for key in keys if saved.get(key) != requested.get(key)]
    return "; ".join(found) if found else "the fingerprints differ"


def _sync_directory(path: Path) -> None:
    """Make a rename inside ``path`` durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _sync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDWR)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _chunk_name(start: int, stop: int) -> str:
    return f"chunk-{start:010d}-{stop:010d}"


def open_checkpoint(path: Any, **request: Any) -> Checkpoint:
    """Open (or create) the checkpoint at ``path`` for a request (see :func:`describe_request`)."""
    _pyarrow()  # a clear ImportError before anything touches the disk
    return Checkpoint(_directory(path), describe_request(**request))


class Checkpoint:
    """A checkpoint directory opened for one request; close it (or use ``with``) when done."""

    def __init__(self, path: Path, request: dict[str, Any]) -> None:
        self.pa, self.pq = _pyarrow()
        self.path = path
        self.request = request
        self.fingerprint = _sha256_json(request)
        self.n = int(request["n"])
        self.saved = 0  # chunks on disk for this request (read back or written by this run)
        self._lock_descriptor: int | None = None
        if path.exists() and not path.is_dir():
            raise CheckpointError(f"checkpoint={str(path)!r} exists and is not a directory")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise self._write_error(error, "the checkpoint directory") from error
        self._lock()
        try:
            self._open_manifest()
            self._remove_temporaries()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Checkpoint:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Release the directory's lock."""
        if self._lock_descriptor is not None:
            os.close(self._lock_descriptor)  # releases the flock
            self._lock_descriptor = None

    # --- the directory ------------------------------------------------------------------------

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            return
        lock = self.path / _LOCK
        try:
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise self._write_error(error, "the lock file") from error
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(descriptor)
            if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            raise CheckpointError(f"checkpoint={str(self.path)!r} is in use by another run (its "
                                  f"lock {str(lock)!r} is held): wait for that run to finish, "
                                  f"or use another directory") from None
        self._lock_descriptor = descriptor

    def _open_manifest(self) -> None:
        manifest = self.path / MANIFEST
        if not manifest.exists():
            others = sorted(e for e in os.listdir(self.path)
                            if e != _LOCK and not e.startswith(_TEMPORARY))
            if others:
                raise CheckpointError(
                    f"checkpoint={str(self.path)!r} is not empty and has no {MANIFEST}: it is not "
                    f"a magpk checkpoint (it holds {', '.join(others[:3])}"
                    f"{', ...' if len(others) > 3 else ''}); give a new or empty directory")
            self._write_json(manifest, {"format": _FORMAT_NAME, "version": FORMAT_VERSION,
                                        "fingerprint": self.fingerprint, "request": self.request})
            return
        try:
            saved = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CheckpointError(f"checkpoint manifest {str(manifest)!r} is unreadable ({error}): "
                                  f"the checkpoint is damaged; delete {str(self.path)!r} to start "
                                  f"over") from error
        if not isinstance(saved, dict) or saved.get("format") != _FORMAT_NAME:
            raise CheckpointError(f"{str(manifest)!r} is not a magpk checkpoint manifest; delete "
                                  f"{str(self.path)!r} or give another directory")
        if saved.get("version") != FORMAT_VERSION:
            raise CheckpointError(f"checkpoint={str(self.path)!r} has format version "
                                  f"{saved.get('version')!r}; this magpk reads version "
                                  f"{FORMAT_VERSION}: give another directory")
        if saved.get("fingerprint") != self.fingerprint:
            raise CheckpointError(
                f"checkpoint={str(self.path)!r} holds another request's results, which are "
                f"never mixed with this call's ({_differences(saved.get('request'), self.request)})"
                f": give another directory, or delete this one to start over")

    def _remove_temporaries(self) -> None:
        """Partial writes left by a killed run (safe: this run holds the lock)."""
        if self._lock_descriptor is None:
            return
        for entry in os.listdir(self.path):
            if entry.startswith(_TEMPORARY):
                target = self.path / entry
                if target.is_dir():
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    target.unlink(missing_ok=True)

    def _write_error(self, error: OSError, what: str) -> OSError:
        reason = error.strerror or str(error)
        message = (f"checkpoint={str(self.path)!r}: could not save {what} ({reason}); the "
                   f"{self.saved} chunk(s) saved before are kept: free some space (or fix the "
                   f"directory), then run the same call again to resume")
        return OSError(error.errno, message) if error.errno is not None else OSError(message)

    def _write_json(self, target: Path, value: Any) -> None:
        temporary = self.path / f"{_TEMPORARY}{target.name}-{uuid.uuid4().hex[:12]}"
        try:
            temporary.write_text(json.dumps(value, indent=1, sort_keys=True) + "\n",
                                 encoding="utf-8")
            _sync_file(temporary)
            os.replace(temporary, target)
            _sync_directory(self.path)
        except BaseException as error:
            temporary.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise self._write_error(error, "the manifest") from error
            raise

    # --- chunks ---------------------------------------------------------------------------------

    def _finished(self) -> list[tuple[int, int]]:
        found = []
        for entry in os.listdir(self.path):
            match = _CHUNK_NAME.fullmatch(entry)
            if match is None:
                continue
            start, stop = int(match[1]), int(match[2])
            if not start < stop <= self.n:
                raise CheckpointError(f"checkpoint chunk {str(self.path / entry)!r} does not fit "
                                      f"the request's {self.n:,} subjects: the checkpoint is "
                                      f"damaged; delete that directory")
            found.append((start, stop, entry))
        found.sort()
        for (_, stop, first), (start, _, second) in zip(found, found[1:]):
            if start < stop:
                raise CheckpointError(f"checkpoint={str(self.path)!r}: chunks {first} and {second} "
                                      f"overlap: the checkpoint is damaged; delete one of them")
        return [(start, stop) for start, stop, _ in found]

    def plan(self, size: int) -> list[tuple[int, int, bool]]:
        """Every chunk of the cohort in order, as (start, stop, on_disk): the chunks on disk as
        they are, and the gaps between them cut into chunks of at most ``size`` subjects."""
        chunks: list[tuple[int, int, bool]] = []
        position = 0
        for start, stop in [*self._finished(), (self.n, self.n)]:
            chunks += [(a, min(a + size, start), False) for a in range(position, start, size)]
            if stop > start:
                chunks.append((start, stop, True))
            position = stop
        return chunks

    def write(self, start: int, stop: int, part: Part) -> None:
        """Save a finished chunk: written under a temporary name, synced, then renamed."""
        name = _chunk_name(start, stop)
        temporary = self.path / f"{_TEMPORARY}{name}-{uuid.uuid4().hex[:12]}"
        try:
            temporary.mkdir()
            subjects, histogram = self._tables(start, stop, part)
            for table, file_name in ((subjects, SUBJECTS_FILE), (histogram, HISTOGRAM_FILE)):
                self.pq.write_table(table, str(temporary / file_name), compression="zstd",
                                    write_page_checksum=True)
                _sync_file(temporary / file_name)
            os.replace(temporary, self.path / name)
            _sync_directory(self.path)
        except BaseException as error:
            shutil.rmtree(temporary, ignore_errors=True)
            if isinstance(error, OSError):
                raise self._write_error(error, f"subjects {start:,} to {stop:,}") from error
            raise
        self.saved += 1

    def read(self, start: int, stop: int) -> Part:
        """A chunk saved before, checked against this request."""
        directory = self.path / _chunk_name(start, stop)
        try:
            tables = []
            for file_name in (SUBJECTS_FILE, HISTOGRAM_FILE):
                with self.pq.ParquetFile(directory / file_name,
                                         page_checksum_verification=True) as handle:
                    tables.append(handle.read())
            part = self._decode(tables[0], tables[1], start, stop)
        except (OSError, ValueError, self.pa.ArrowException) as error:
            raise CheckpointError(
                f"checkpoint chunk {str(directory)!r} is unreadable or damaged ({error}): delete "
                f"that directory to recompute its {stop - start:,} subjects (the other chunks "
                f"are kept), then run the same call again") from error
        self.saved += 1
        return part

    # --- tables -------------------------------------------------------------------------------

    def _histogram_shape(self) -> tuple[int, int, int]:
        r = self.request
        return (len(r["summary_variables"]), r["output_times"]["count"], r["summary_bins"] + 2)

    def _schemas(self) -> tuple[Any, Any]:
        pa, r = self.pa, self.request
        columns = [pa.field(name, pa.from_numpy_dtype(np.dtype(r["subject_columns"][name])))
                   for name in sorted(r["subject_columns"])]
        columns += [pa.field(name, pa.float64()) for name in r["metrics"]]
        if r["trajectories"]:
            width = len(r["summary_variables"]) * r["output_times"]["count"]
            columns.append(pa.field(TRAJECTORIES, pa.list_(pa.float64(), width)))
        histogram = [pa.field("bin", pa.int64()), pa.field("count", pa.uint32())]
        return pa.schema(columns), pa.schema(histogram)

    def _stamp(self, kind: str, start: int, stop: int) -> dict[bytes, bytes]:
        stamp = {"fingerprint": self.fingerprint, "kind": kind, "start": start, "stop": stop}
        return {_STAMP_KEY: json.dumps(stamp, sort_keys=True).encode("utf-8")}

    def _tables(self, start: int, stop: int, part: Part) -> tuple[Any, Any]:
        pa = self.pa
        columns, histogram, metrics, trajectories = part
        subjects_schema, histogram_schema = self._schemas()
        metrics = np.asarray(metrics, dtype=np.float64)
        arrays = [pa.array(np.ascontiguousarray(columns[name]))
                  for name in sorted(self.request["subject_columns"])]
        arrays += [pa.array(np.ascontiguousarray(metrics[:, k])) for k in range(metrics.shape[1])]
        if self.request["trajectories"]:
            flat = np.ascontiguousarray(trajectories, dtype=np.float64).reshape(-1)
            width = subjects_schema.field(TRAJECTORIES).type.list_size
            arrays.append(pa.FixedSizeListArray.from_arrays(pa.array(flat), width))
        subjects = pa.Table.from_arrays(arrays, schema=subjects_schema.with_metadata(
            self._stamp("subjects", start, stop)))
        flat_histogram = np.asarray(histogram).reshape(-1)
        bins = np.flatnonzero(flat_histogram).astype(np.int64)
        sparse = pa.Table.from_arrays(
            [pa.array(bins), pa.array(flat_histogram[bins].astype(np.uint32))],
            schema=histogram_schema.with_metadata(self._stamp("histogram", start, stop)))
        return subjects, sparse

    def _check_table(self, table: Any, schema: Any, kind: str, start: int, stop: int) -> None:
        if not table.schema.equals(schema, check_metadata=False):
            found = {(f.name, str(f.type)) for f in table.schema}
            wanted = {(f.name, str(f.type)) for f in schema}
            raise ValueError(f"the {kind} file's columns differ from this request's (unexpected: "
                             f"{sorted(found - wanted)[:3]}, missing: "
                             f"{sorted(wanted - found)[:3]})")
        expected = self._stamp(kind, start, stop)[_STAMP_KEY]
        if (table.schema.metadata or {}).get(_STAMP_KEY) != expected:
            raise ValueError(f"the {kind} file was written for another request or chunk")
        if any(column.null_count for column in table.columns):
            raise ValueError(f"the {kind} file has missing values")

    def _decode(self, subjects: Any, histogram: Any, start: int, stop: int) -> Part:
        rows = stop - start
        subjects_schema, histogram_schema = self._schemas()
        self._check_table(subjects, subjects_schema, "subjects", start, stop)
        self._check_table(histogram, histogram_schema, "histogram", start, stop)
        if subjects.num_rows != rows:
            raise ValueError(f"{subjects.num_rows:,} subject rows, expected {rows:,}")
        columns = {name: subjects.column(name).to_numpy()
                   for name in self.request["subject_columns"]}
        metrics = np.column_stack([subjects.column(name).to_numpy()
                                   for name in self.request["metrics"]])
        trajectories = None
        if self.request["trajectories"]:
            values = subjects.column(TRAJECTORIES).combine_chunks().flatten().to_numpy()
            trajectories = values.reshape(rows, -1)
        return columns, self._dense_histogram(histogram, rows), metrics, trajectories

    def _dense_histogram(self, table: Any, rows: int) -> np.ndarray:
        shape = self._histogram_shape()
        size = shape[0] * shape[1] * shape[2]
        bins = table.column("bin").to_numpy()
        counts = table.column("count").to_numpy()
        if bins.size and (bins[0] < 0 or bins[-1] >= size or np.any(np.diff(bins) <= 0)):
            raise ValueError("the histogram's bins are out of range or out of order")
        if np.any(counts == 0):
            raise ValueError("the histogram lists empty bins")
        dense = np.zeros(size, dtype=np.uint32)
        dense[bins] = counts
        dense = dense.reshape(shape)
        if np.any(dense.sum(axis=2, dtype=np.uint64) != rows):
            raise ValueError(f"the histogram's counts do not add up to the chunk's {rows:,} "
                             f"subjects at every variable and time")
        return dense


def chunk_plan(n_subjects: int, size: int, store: Checkpoint | None
               ) -> list[tuple[int, int, bool]]:
    """The chunks of a run, (start, stop, on_disk): all to compute without a checkpoint."""
    if store is not None:
        return store.plan(size)
    return [(start, min(start + size, n_subjects), False) for start in range(0, n_subjects, size)]


__all__ = [
    "FORMAT_VERSION",
    "Checkpoint",
    "CheckpointError",
    "chunk_plan",
    "describe_request",
    "open_checkpoint",
]
