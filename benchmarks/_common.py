"""Shared regimens and helpers for the magpk benchmark scripts.

Not part of the test suite; imported by the scripts in this folder only (``python
benchmarks/x.py`` puts this folder first on ``sys.path``, so ``import _common`` finds it).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import platform
import sys
import time
from collections.abc import Sequence
from types import ModuleType
from typing import Callable

import numpy as np

import magpk
from magpk import _core

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SCIPY_MODEL_PY = os.path.join(REPO, "tests", "python", "scipy_model.py")


def import_scipy_model() -> ModuleType:
    """``tests/python/scipy_model.py``, the independent scipy implementation of the model,
    loaded from its file (the tests import it through pytest's ``pythonpath``; the
    benchmarks need no ``sys.path`` change for it)."""
    if "scipy_model" not in sys.modules:
        spec = importlib.util.spec_from_file_location("scipy_model", SCIPY_MODEL_PY)
        assert spec is not None and spec.loader is not None, SCIPY_MODEL_PY
        module = importlib.util.module_from_spec(spec)
        sys.modules["scipy_model"] = module  # its dataclasses look the module up by name
        spec.loader.exec_module(module)
    return sys.modules["scipy_model"]

# ---------------------------------------------------------------------------
# The benchmark regimens
# ---------------------------------------------------------------------------
#: 30-day twice-daily oral regimen: 200 mg elemental Mg as glycinate every 12 h
#: (60 doses) on top of the subject's habitual diet (default 300 mg/day).
ORAL_T_END_H = 720.0
#: 24-h IV regimen: 4 g MgSO4·7H2O over 20 min, then 1 g/h for 24 h.
IV_LOADING_H = 20.0 / 60.0
IV_T_END_H = 24.0
OUTPUT_EVERY_H = 1.0


def oral_regimen() -> magpk.Regimen:
    return magpk.Regimen().oral("glycinate", dose_mg=200, every_h=12, count=60)


def iv_regimen() -> magpk.Regimen:
    return (magpk.Regimen()
            .iv_infusion(mgso4_g=4.0, start_h=0.0, duration_h=IV_LOADING_H)
            .iv_infusion(mgso4_g=24.0, start_h=IV_LOADING_H, duration_h=24.0))


def cases() -> list[tuple[str, magpk.Regimen, float]]:
    """(label, regimen, t_end_h) for the two benchmark regimens."""
    return [
        ("oral 200 mg glycinate q12h x60, 30 d", oral_regimen(), ORAL_T_END_H),
        ("IV 4 g/20 min + 1 g/h, 24 h", iv_regimen(), IV_T_END_H),
    ]


# ---------------------------------------------------------------------------
# Raw core requests (as magpk.simulate builds them)
# ---------------------------------------------------------------------------
_simulate_module = importlib.import_module("magpk.simulate")
_parameters_module = importlib.import_module("magpk.parameters")

DEFAULT_RTOL = _simulate_module.DEFAULT_RTOL
DEFAULT_ATOL = _simulate_module.DEFAULT_ATOL
DEFAULT_ATOL_GUT = _simulate_module.DEFAULT_ATOL_GUT


def core_request(regimen: magpk.Regimen, t_end_h: float, subject=None,
                 output_every_h: float = OUTPUT_EVERY_H, rtol: float = DEFAULT_RTOL,
                 atol: float = DEFAULT_ATOL, atol_gut: float = DEFAULT_ATOL_GUT):
    """The ``_core.SimulationRequest`` that ``magpk.simulate`` would build."""
    if subject is None:
        subject = magpk.Subject()
    request = _core.SimulationRequest()
    request.covariates = subject._to_core()
    request.physiology = _parameters_module.core_physiology(None)
    request.regimen = regimen._to_core()
    request.t_end_h = float(t_end_h)
    request.output_times_h = list(_simulate_module.output_grid(
        float(t_end_h), output_every_h, None))
    request.solver.rtol = rtol
    request.solver.atol = atol
    request.solver.atol_gut = atol_gut
    return request


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------
def time_calls(fn: Callable[[], object], min_time_s: float = 1.0, min_repeats: int = 5,
               max_repeats: int = 100_000) -> dict[str, float]:
    """Time single calls of ``fn`` (after one warm-up call) until at least
    ``min_time_s`` of measured time and ``min_repeats`` calls.

    Returns best / median per call (s), the number of calls and the total time.
    """
    fn()  # warm-up (caches, lazy imports)
    samples: list[float] = []
    total = 0.0
    while (total < min_time_s or len(samples) < min_repeats) and len(samples) < max_repeats:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        samples.append(dt)
        total += dt
    arr = np.asarray(samples)
    return {"best": float(arr.min()), "median": float(np.median(arr)), "n": len(samples),
            "total": total}


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------
def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]],
                title: str = "") -> None:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[k]) for r in cells) for k in range(len(headers))]
    if title:
        print(title)
    line = "  ".join("-" * w for w in widths)
    for i, row in enumerate(cells):
        print("  ".join(c.rjust(w) if i and k else c.ljust(w)
                        for k, (c, w) in enumerate(zip(row, widths))))
        if i == 0:
            print(line)
    print()


def machine_line() -> str:
    return (f"python {platform.python_version()} ({sys.executable}), numpy {np.__version__}, "
            f"{os.cpu_count()} logical CPUs, {platform.machine()}")


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds:.3f} s"
