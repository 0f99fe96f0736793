"""Test-suite configuration.

Hypothesis runs derandomized by default, so that CI sees the same examples on
every run (a failure is reproducible, never flaky). Set MAGPK_HYPOTHESIS_RANDOM=1
to explore new examples locally.
"""

import os

from hypothesis import settings

settings.register_profile("magpk-ci", derandomize=True)
settings.register_profile("magpk-random", derandomize=False)
settings.load_profile("magpk-random" if os.environ.get("MAGPK_HYPOTHESIS_RANDOM") else "magpk-ci")
