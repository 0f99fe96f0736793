"""magpk: whole-body magnesium pharmacokinetics.

Simulate how the body absorbs, stores and excretes magnesium from supplements,
food and parenteral magnesium sulfate, and compare forms and regimens.

>>> import magpk
>>> r = magpk.Regimen().oral("citrate", dose_mg=300)
>>> res = magpk.simulate(r, magpk.Subject(), t_end_h=72)
>>> res.metrics()["fraction_absorbed"]  # doctest: +SKIP
"""

from ._core import __version__
from .compare import compare_forms
from .forms import compound_mg, elemental_fraction, elemental_mg, form_ids, forms
from .parameters import parameter_covariance, parameters
from . import plot  # matplotlib is imported only when a plot function is called
from .population import Population, populations, simulate_population
from .reference import check_regimen, interactions, rda_ul
from .regimen import Regimen, mgso4_g_per_kg
from .simulate import Result, simulate
from .subject import Subject
from . import validation  # published targets; needs only the runtime dependencies

__all__ = [
    "__version__",
    "Population",
    "Regimen",
    "Result",
    "Subject",
    "check_regimen",
    "compare_forms",
    "compound_mg",
    "elemental_fraction",
    "elemental_mg",
    "form_ids",
    "forms",
    "interactions",
    "mgso4_g_per_kg",
    "parameter_covariance",
    "parameters",
    "plot",
    "populations",
    "rda_ul",
    "simulate",
    "simulate_population",
    "validation",
]
