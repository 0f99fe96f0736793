"""Test-suite configuration.

Hypothesis runs derandomized by default, so that CI sees the same examples on
every run (a failure is reproducible, never flaky). Set MAGPK_HYPOTHESIS_RANDOM=1
to explore new examples locally.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

settings.register_profile("magpk-ci", derandomize=True)
settings.register_profile("magpk-random", derandomize=False)
settings.load_profile("magpk-random" if os.environ.get("MAGPK_HYPOTHESIS_RANDOM") else "magpk-ci")


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """A two-process Dask LocalCluster shared by the population and checkpoint tests."""
    distributed = pytest.importorskip(
        "distributed", reason="dask.distributed is not installed (pip install magpk[distributed])")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()
