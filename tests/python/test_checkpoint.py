"""Checkpoints of population runs (``simulate_population(..., checkpoint=dir)``).

- a checkpointed run equals a plain run bit for bit; the same call again reads every chunk and
  simulates nothing; a resume may use other threads, chunk sizes or a Dask cluster;
- a run killed mid-run (a subprocess, SIGKILL) or stopped with Ctrl-C (SIGINT, and a
  KeyboardInterrupt during a write) resumes from the chunks it saved, leaving no partial files;
- a full disk (ENOSPC from the Parquet writer, or while writing the manifest) raises an OSError
  naming the directory and keeps every chunk saved before;
- a foreign checkpoint (any field of the request changed, a chunk copied from another
  checkpoint) and damaged files (truncated, flipped bytes, missing file, counts or rows that do
  not add up, a bad manifest) are refused with errors naming the file and the way out.
"""

from __future__ import annotations

import errno
import json
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import magpk
import magpk.checkpoint
import magpk.population
from magpk.checkpoint import CheckpointError

pa = pytest.importorskip("pyarrow", reason="checkpoints need pyarrow: magpk[checkpoint]")
pq = pytest.importorskip("pyarrow.parquet")

SEED = 424242
N = 60
CHUNK = 10
T_END_H = 48.0
QS = (0, 5, 50, 95, 100)
# The subprocess below builds the same regimen from this expression.
REGIMEN = 'magpk.Regimen().oral("glycinate", dose_mg=200, every_h=12, count=4)'


def regimen() -> magpk.Regimen:
    return eval(REGIMEN, {"magpk": magpk})


def run(**kwargs: Any) -> magpk.Population:
    options: dict[str, Any] = dict(n=N, seed=SEED, t_end_h=T_END_H, threads=2, progress=False,
                                   chunk_size=CHUNK)
    options.update(kwargs)
    return magpk.simulate_population(regimen(), **options)


@pytest.fixture(scope="module")
def reference() -> magpk.Population:
    """An uninterrupted run without checkpoint, with trajectories."""
    return run(trajectories=True, chunk_size=N)


def assert_same(a: magpk.Population, b: magpk.Population) -> None:
    """Bit-identical cohorts, histograms, percentiles (and trajectories when both kept)."""
    pd.testing.assert_frame_equal(a.subjects(), b.subjects(), check_exact=True)
    assert a._histogram.dtype == b._histogram.dtype
    np.testing.assert_array_equal(a._histogram, b._histogram)
    pd.testing.assert_frame_equal(a.percentiles(QS), b.percentiles(QS), check_exact=True)
    if a._trajectories is not None and b._trajectories is not None:
        np.testing.assert_array_equal(a._trajectories, b._trajectories)


def chunks(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("chunk-"))


def temporaries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".tmp-"))


def stamps(directory: Path) -> dict[str, int]:
    """Modification times of the saved chunks: unchanged when a resume only reads them."""
    return {name: (directory / name / "subjects.parquet").stat().st_mtime_ns
            for name in chunks(directory)}


def forbid_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise AssertionError("a chunk was simulated although it is in the checkpoint")
    monkeypatch.setattr(magpk.population, "_run_chunk", refuse)


# --- 1. results and resuming --------------------------------------------------------------------

def test_checkpointed_run_equals_a_plain_run_and_is_read_back(
        reference: magpk.Population, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "run"
    assert_same(run(checkpoint=directory, trajectories=True), reference)
    assert chunks(directory) == [f"chunk-{a:010d}-{a + CHUNK:010d}" for a in range(0, N, CHUNK)]
    assert temporaries(directory) == []
    manifest = json.loads((directory / "magpk-checkpoint.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "magpk-checkpoint" and manifest["version"] == 1
    assert manifest["request"]["seed"] == SEED and manifest["request"]["n"] == N
    assert manifest["request"]["magpk"] == magpk.show_config(quiet=True)
    # A chunk's subjects file is an ordinary table (pandas can read it).
    table = pd.read_parquet(directory / chunks(directory)[1] / "subjects.parquet")
    pd.testing.assert_series_equal(table["cmax_mmol_l"], reference.subjects()["cmax_mmol_l"]
                                   .iloc[CHUNK:2 * CHUNK].reset_index(drop=True))
    # The same call again (any threads or chunk size) simulates nothing.
    forbid_simulation(monkeypatch)
    assert_same(run(checkpoint=str(directory), trajectories=True, threads=1, chunk_size=7),
                reference)


def test_resume_computes_only_the_missing_chunks(reference: magpk.Population, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "run"
    run(checkpoint=directory)
    for name in chunks(directory)[1:4]:
        shutil.rmtree(directory / name)
    kept = stamps(directory)
    computed = []
    original = magpk.population._run_chunk

    def counting(source: Any, seed: int, a: int, b: int, *args: Any) -> Any:
        computed.append((a, b))
        return original(source, seed, a, b, *args)

    monkeypatch.setattr(magpk.population, "_run_chunk", counting)
    resumed = run(checkpoint=directory, chunk_size=7, threads=1)
    assert computed == [(10, 17), (17, 24), (24, 31), (31, 38), (38, 40)]
    assert_same(resumed, reference)
    assert {name: stamps(directory)[name] for name in kept} == kept


def test_a_custom_cohort_is_checkpointed_too(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "weight_kg": [70.0, 95.0, 58.0, 82.0, 66.0], "sex": ["female", "male", "female", "male",
                                                            "female"],
        "age_years": [40.0, 55.0, 29.0, 71.0, 33.0], "egfr_ml_min": [100.0, 85.0, 120.0, 45.0, 110],
        "diet_mg_per_day": [300.0, 380.0, 250.0, 320.0, 280.0]})
    plain = run(population=frame, n=None, chunk_size=2)
    directory = tmp_path / "custom"
    assert_same(run(population=frame, n=None, chunk_size=2, checkpoint=directory), plain)
    shutil.rmtree(directory / chunks(directory)[0])
    assert_same(run(population=frame, n=None, checkpoint=directory), plain)
    other = frame.assign(weight_kg=frame["weight_kg"] + 1.0)
    with pytest.raises(CheckpointError, match="population_sha256"):
        run(population=other, n=None, checkpoint=directory)


# --- 2. a killed run, Ctrl-C --------------------------------------------------------------------

SCRIPT = """
import sys, time
import magpk, magpk.population

original = magpk.population._run_chunk

def slow(*args):  # a long run: every chunk takes at least 0.25 s
    part = original(*args)
    time.sleep(0.25)
    return part

magpk.population._run_chunk = slow
magpk.simulate_population({regimen}, n={n}, seed={seed}, t_end_h={t_end}, threads=2,
                          progress=False, chunk_size={chunk}, trajectories=True,
                          checkpoint=sys.argv[1])
print("finished")
"""


def start_and_stop(directory: Path, tmp_path: Path, stop_signal: int
                   ) -> subprocess.CompletedProcess[str]:
    """Start a checkpointed run in a subprocess; send ``stop_signal`` once 2 chunks are saved."""
    script = tmp_path / "long_run.py"
    script.write_text(textwrap.dedent(SCRIPT).format(
        regimen=REGIMEN, n=N, seed=SEED, t_end=T_END_H, chunk=CHUNK), encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), str(directory)], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60.0
    try:
        while not (directory.is_dir() and len(chunks(directory)) >= 2):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the subprocess saved no chunks within 60 s"
            time.sleep(0.005)
        process.send_signal(stop_signal)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "finished" not in stdout, "the run ended before it was stopped"
    assert 2 <= len(chunks(directory)) < N // CHUNK
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_a_killed_run_resumes_with_identical_results(reference: magpk.Population,
                                                     tmp_path: Path) -> None:
    directory = tmp_path / "killed"
    stopped = start_and_stop(directory, tmp_path, signal.SIGKILL)
    assert stopped.returncode == -signal.SIGKILL
    # What a kill during a write leaves behind: a partial temporary chunk.
    partial = directory / ".tmp-chunk-0000000050-0000000060-deadbeef0000"
    partial.mkdir(exist_ok=True)
    (partial / "subjects.parquet").write_bytes(b"PAR1 half a file")
    saved = stamps(directory)
    resumed = run(checkpoint=directory, trajectories=True)
    assert_same(resumed, reference)
    assert temporaries(directory) == []
    assert {name: stamps(directory)[name] for name in saved} == saved  # read, not recomputed
    assert len(chunks(directory)) == N // CHUNK


def test_ctrl_c_keeps_the_finished_chunks(reference: magpk.Population, tmp_path: Path) -> None:
    directory = tmp_path / "interrupted"
    stopped = start_and_stop(directory, tmp_path, signal.SIGINT)
    assert stopped.returncode != 0 and "KeyboardInterrupt" in stopped.stderr
    assert temporaries(directory) == []
    assert_same(run(checkpoint=directory, trajectories=True), reference)


def failing_writer(monkeypatch: pytest.MonkeyPatch, on_call: int, error: BaseException) -> None:
    """pyarrow's writer writes half a file and raises ``error`` on call ``on_call`` (each chunk
    writes two files: call 3 is the second chunk's first file)."""
    real = pq.write_table
    calls = []

    def writer(table: Any, where: Any, **kwargs: Any) -> None:
        calls.append(where)
        if len(calls) == on_call:
            with open(where, "wb") as handle:
                handle.write(b"PAR1 half a file")
            raise error
        real(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", writer)


def test_ctrl_c_during_a_write_leaves_no_partial_files(
        reference: magpk.Population, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "run"
    failing_writer(monkeypatch, 3, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        run(checkpoint=directory)
    assert chunks(directory) == ["chunk-0000000000-0000000010"]
    assert temporaries(directory) == []
    monkeypatch.undo()
    assert_same(run(checkpoint=directory), reference)  # the lock was released


# --- 3. a full disk -----------------------------------------------------------------------------

def test_a_full_disk_is_a_clear_error_and_keeps_the_saved_chunks(
        reference: magpk.Population, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "run"
    failing_writer(monkeypatch, 3, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(OSError) as raised:
        run(checkpoint=directory)
    assert raised.value.errno == errno.ENOSPC
    message = str(raised.value)
    assert f"checkpoint={str(directory)!r}" in message
    assert "could not save subjects 10 to 20 (No space left on device)" in message
    assert "1 chunk(s) saved before are kept" in message and "run the same call again" in message
    assert chunks(directory) == ["chunk-0000000000-0000000010"]
    assert temporaries(directory) == []
    saved = stamps(directory)
    monkeypatch.undo()
    assert_same(run(checkpoint=directory), reference)
    assert stamps(directory)["chunk-0000000000-0000000010"] == saved["chunk-0000000000-0000000010"]


def test_a_full_disk_while_writing_the_manifest(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "run"

    def full(path: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(magpk.checkpoint, "_sync_file", full)
    with pytest.raises(OSError, match=r"could not save the manifest \(No space left on device\)"):
        run(n=5, checkpoint=directory)
    assert sorted(p.name for p in directory.iterdir()) == [".lock"]
    monkeypatch.undo()
    run(n=5, checkpoint=directory)
    assert chunks(directory) == ["chunk-0000000000-0000000005"]


# --- 4. foreign and damaged checkpoints ---------------------------------------------------------

@pytest.fixture(scope="module")
def saved_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("checkpoints") / "saved"
    run(checkpoint=directory)
    return directory


@pytest.mark.parametrize("change, field", [
    (dict(seed=SEED + 1), "seed"),
    (dict(n=N + 1), "n"),
    (dict(population="elderly"), "population"),
    (dict(t_end_h=T_END_H + 1), "t_end_h"),
    (dict(output_every_h=2.0), "output_times"),
    (dict(rtol=1e-7), "rtol"),
    (dict(parameters={"si_transit_time_h": 3.0}), "parameter_overrides"),
    (dict(trajectories=True), "trajectories"),
])
def test_another_request_is_refused(saved_run: Path, change: dict[str, Any], field: str) -> None:
    before = stamps(saved_run)
    with pytest.raises(CheckpointError, match=rf"holds another request's results.*{field}: "):
        run(checkpoint=saved_run, **change)
    assert stamps(saved_run) == before


def test_another_regimen_or_build_is_refused(saved_run: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CheckpointError, match="regimen_sha256"):
        magpk.simulate_population(regimen().oral("oxide", 100), n=N, seed=SEED, t_end_h=T_END_H,
                                  progress=False, checkpoint=saved_run)
    # Results can differ between builds of the core in the last digits.
    build = dict(magpk.show_config(quiet=True), compiler="another compiler")
    monkeypatch.setattr(magpk.config, "show_config", lambda quiet=False: build)
    with pytest.raises(CheckpointError, match=r"magpk: \{.*'another compiler'"):
        run(checkpoint=saved_run)


def damage(directory: Path, how: str) -> str:
    """Damage the second chunk; returns the chunk's name."""
    name = chunks(directory)[1]
    subjects = directory / name / "subjects.parquet"
    histogram = directory / name / "histogram.parquet"
    if how == "truncated":
        subjects.write_bytes(subjects.read_bytes()[:-100])
    elif how == "flipped bytes":
        data = bytearray(subjects.read_bytes())
        middle = len(data) // 2
        data[middle:middle + 8] = bytes(b ^ 0xFF for b in data[middle:middle + 8])
        subjects.write_bytes(bytes(data))
    elif how == "missing file":
        histogram.unlink()
    elif how == "wrong counts":
        table = pq.read_table(histogram)
        counts = table.column("count").to_numpy().copy()
        counts[0] += 1
        pq.write_table(table.set_column(1, "count", pa.array(counts)), histogram)
    elif how == "missing rows":
        pq.write_table(pq.read_table(subjects).slice(0, 5), subjects)
    return name


@pytest.mark.parametrize("how, reason", [
    ("truncated", r"Parquet|parquet|magic|footer"),
    ("flipped bytes", r"."),
    ("missing file", r"No such file"),
    ("wrong counts", r"counts do not add up"),
    ("missing rows", r"5 subject rows, expected 10"),
])
def test_a_damaged_chunk_is_refused_naming_the_file(reference: magpk.Population, tmp_path: Path,
                                                    how: str, reason: str) -> None:
    directory = tmp_path / "run"
    run(checkpoint=directory)
    name = damage(directory, how)
    with pytest.raises(CheckpointError) as raised:
        run(checkpoint=directory)
    message = str(raised.value)
    assert f"checkpoint chunk {str(directory / name)!r} is unreadable or damaged" in message
    assert "delete that directory to recompute its 10 subjects" in message
    assert re.search(reason, message), message
    shutil.rmtree(directory / name)  # the documented way out
    assert_same(run(checkpoint=directory), reference)


def test_a_chunk_copied_from_another_checkpoint_is_refused(saved_run: Path,
                                                           tmp_path: Path) -> None:
    directory = tmp_path / "other_seed"
    run(checkpoint=directory, seed=SEED + 1)
    name = chunks(directory)[2]
    shutil.rmtree(directory / name)
    shutil.copytree(saved_run / name, directory / name)
    with pytest.raises(CheckpointError, match=r"written for another request or chunk"):
        run(checkpoint=directory, seed=SEED + 1)


@pytest.mark.parametrize("content, pattern", [
    ("{not json", r"manifest .* is unreadable"),
    ('{"format": "something else"}', r"is not a magpk checkpoint manifest"),
    ('{"format": "magpk-checkpoint", "version": 99}', r"format version 99; this magpk reads "
                                                      r"version 1"),
])
def test_a_bad_manifest_is_refused(tmp_path: Path, content: str, pattern: str) -> None:
    directory = tmp_path / "run"
    directory.mkdir()
    (directory / "magpk-checkpoint.json").write_text(content, encoding="utf-8")
    with pytest.raises(CheckpointError, match=pattern):
        run(n=5, checkpoint=directory)


def test_a_directory_that_is_not_a_checkpoint_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"is not empty and has no magpk-checkpoint.json"
                                              r".*notes.txt"):
        run(n=5, checkpoint=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock", "notes.txt"]
    with pytest.raises(CheckpointError, match="exists and is not a directory"):
        run(n=5, checkpoint=tmp_path / "notes.txt")


@pytest.mark.skipif(sys.platform == "win32", reason="the lock uses fcntl")
def test_a_directory_in_use_is_refused(saved_run: Path) -> None:
    import fcntl

    with open(saved_run / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(CheckpointError, match=r"is in use by another run"):
            run(checkpoint=saved_run)
    run(checkpoint=saved_run)


@pytest.mark.parametrize("value, error, pattern", [
    (3, TypeError, r"checkpoint=3: expected a directory path"),
    (b"dir", TypeError, r"checkpoint=b'dir'"),
    ("", ValueError, r"checkpoint='': expected a non-empty directory path"),
])
def test_bad_checkpoint_arguments(value: Any, error: type, pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        run(n=5, checkpoint=value)


def test_without_pyarrow_the_error_names_the_extra(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ImportError, match=r'pip install "magpk\[checkpoint\]"'):
        run(n=5, checkpoint=tmp_path / "run")
    assert not (tmp_path / "run").exists()


# --- 5. Dask ------------------------------------------------------------------------------------

def test_dask_runs_save_and_resume_checkpoints(reference: magpk.Population, tmp_path: Path,
                                               dask_client: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "dask"
    assert_same(run(client=dask_client, checkpoint=directory, trajectories=True), reference)
    assert len(chunks(directory)) == N // CHUNK and temporaries(directory) == []
    for name in chunks(directory)[::2]:
        shutil.rmtree(directory / name)
    kept = stamps(directory)
    assert_same(run(client=dask_client, checkpoint=directory, trajectories=True, chunk_size=4),
                reference)
    assert {name: stamps(directory)[name] for name in kept} == kept
    forbid_simulation(monkeypatch)  # ... and a local run reads what the Dask run saved
    assert_same(run(checkpoint=directory, trajectories=True), reference)
