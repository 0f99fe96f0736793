"""magpk.simulate from many Python threads: identical results, GIL released.

- 8 threads x 5 calls (ThreadPoolExecutor) on 40 different regimens/subjects
  give results bit-identical to serial calls;
- the same Regimen/Subject objects shared by all threads (the Regimen caches its
  core object) give identical results too;
- during one long call (2 years at tight tolerances) another Python thread keeps
  running: its counter advances at a good fraction of its rate when idle, so the
  C++ work runs with the GIL released;
- a run with many events is not throttled by a busy Python thread (Ctrl-C polling is timed).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import magpk

N_THREADS = 8
CALLS_PER_THREAD = 5
FORMS = magpk.form_ids()


def _case(i: int) -> tuple[magpk.Regimen, magpk.Subject, float]:
    form = FORMS[i % len(FORMS)]
    r = (magpk.Regimen()
         .oral(form, 100 + 25 * i, every_h=6 + i % 7, count=2 + i % 5, with_food=i % 2 == 0)
         .diet(100 + 10 * i, start_h=5 + i % 11))
    if i % 3 == 0:
        r = r.iv_infusion(mgso4_g=1 + i % 4, start_h=2, duration_h=1 + i % 3)
    if i % 4 == 1:
        r = r.im(mgso4_g=5, start_h=i % 9).iv_bolus(mgso4_g=2, start_h=3 + i % 5)
    s = magpk.Subject(weight_kg=50 + i, sex="male" if i % 2 else "female",
                      egfr_ml_min=20 + 4 * i, ppi=i % 5 == 0)
    return r, s, 24.0 * (1 + i % 4)


CASES = [_case(i) for i in range(N_THREADS * CALLS_PER_THREAD)]


def _run(case) -> tuple[np.ndarray, np.ndarray, dict]:
    regimen, subject, t_end = case
    res = magpk.simulate(regimen, subject, t_end_h=t_end, output_every_h=0.25)
    return res.to_frame().to_numpy(), res.baseline_frame().to_numpy(), res.metrics()


def _assert_same(a, b) -> None:
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2] == b[2]


def test_concurrent_calls_match_serial():
    serial = [_run(c) for c in CASES]
    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        concurrent: list = list(pool.map(_run, CASES))
    assert len(concurrent) == N_THREADS * CALLS_PER_THREAD == 40
    for a, b in zip(serial, concurrent):
        _assert_same(a, b)


def test_shared_objects_across_threads():
    case = CASES[7]
    expected = _run(case)
    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        results = list(pool.map(lambda _: _run(case), range(N_THREADS * CALLS_PER_THREAD)))
    for result in results:
        _assert_same(result, expected)


TWO_YEARS_H = 2 * 365 * 24.0


def _spin_while(fn) -> tuple[float, float]:
    """Run fn in a thread; count loop iterations in this thread meanwhile: (rate, seconds)."""
    worker = threading.Thread(target=fn)
    counter = 0
    worker.start()
    started = time.perf_counter()
    while worker.is_alive():
        counter += 1
    seconds = time.perf_counter() - started
    worker.join()
    return counter / seconds, seconds


def test_gil_released_during_long_call():
    box = {}
    # two years of twice-daily doses: a call of a fraction of a second or more
    regimen = magpk.Regimen().oral("oxide", 200, every_h=12, count=2 * 730)
    regimen._to_core()  # built here, so that the worker thread spends its time in the C++ call

    def work():
        box["result"] = magpk.simulate(regimen, t_end_h=TWO_YEARS_H, output_every_h=24,
                                       rtol=1e-14, atol=1e-16, atol_gut=1e-16)

    # the same counting loop while the other thread sleeps (GIL free) is the reference rate
    idle_rate, _ = _spin_while(lambda: time.sleep(0.3))
    rate, seconds = _spin_while(work)
    assert box["result"].metrics()["mass_balance_rel_error"] <= 1e-9
    assert seconds > 0.1, f"the long call took only {seconds:.3f} s"
    ratio = rate / idle_rate
    print(f"\n[test_threads] 2-year call {seconds:.2f} s; the other thread counted at {ratio:.0%} "
          f"of its rate while idle")
    # With the GIL held for the whole call the loop could not run at all (ratio ~0).
    assert ratio > 0.3


def test_many_events_not_throttled_by_a_busy_python_thread():
    regimen = magpk.Regimen().oral("oxide", 20, every_h=2, count=300)
    regimen._to_core()
    kwargs = dict(t_end_h=600.0, output_every_h=24, rtol=1e-8, atol=1e-10, atol_gut=1e-10)
    magpk.simulate(regimen, **kwargs)
    started = time.perf_counter()
    magpk.simulate(regimen, **kwargs)
    alone = time.perf_counter() - started
    _, contended = _spin_while(lambda: magpk.simulate(regimen, **kwargs))
    print(f"\n[test_threads] 300-dose run: {alone:.4f} s alone, {contended:.3f} s next to a busy "
          f"Python thread")
    assert contended < max(20 * alone, 0.1)
