"""magpk: whole-body magnesium pharmacokinetics.

Simulate how the body absorbs, stores and excretes magnesium from supplements,
food and parenteral magnesium sulfate, and compare forms and regimens.

>>> import magpk
>>> r = magpk.Regimen().oral("citrate", dose_mg=300)
>>> res = magpk.simulate(r, magpk.Subject(), t_end_h=72)
>>> res.metrics()["fraction_absorbed"]  # doctest: +SKIP
"""

from . import (
    plot,  # matplotlib is imported only when a plot function is called
    validation,  # published targets; needs only the runtime dependencies
    widgets,  # teaching explorers; ipywidgets/matplotlib imported only when built
)
from . import reference as reference  # deprecated alias of magpk.intakes and magpk.safety
from ._core import __version__
from .compare import compare_forms
from .config import show_config
from .fit import FitResult, fit  # iminuit is imported only when fit() runs
from .forms import compound_mg, elemental_fraction, elemental_mg, form_ids, forms
from .intakes import rda_ul  # Dietary Reference Intakes (RDA, UL)
from .nonmem import simulate_dataset  # NONMEM-style datasets (also Regimen.from_nonmem)
from .parameters import parameter_covariance, parameters
from .population import Population, populations, simulate_population
from .presets import presets  # regimen presets by indication (evidence summaries)
from .regimen import Regimen, mgso4_g_per_kg
from .safety import check_regimen, interactions  # drug interactions, regimen check
from .sbml import to_sbml  # SBML export; libsbml is imported only when it runs
from .sensitivity import sensitivity  # SALib is imported only for method="sobol"
from .simulate import Result, simulate
from .subject import Subject

__all__ = [
    "FitResult",
    "Population",
    "Regimen",
    "Result",
    "Subject",
    "__version__",
    "check_regimen",
    "compare_forms",
    "compound_mg",
    "elemental_fraction",
    "elemental_mg",
    "fit",
    "form_ids",
    "forms",
    "interactions",
    "mgso4_g_per_kg",
    "parameter_covariance",
    "parameters",
    "plot",
    "populations",
    "presets",
    "rda_ul",
    "sensitivity",
    "show_config",
    "simulate",
    "simulate_dataset",
    "simulate_population",
    "to_sbml",
    "validation",
    "widgets",
]
