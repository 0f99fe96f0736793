"""
magpk C++ core (private; use the magpk package)
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['ADULT_AGE_YEARS', 'BuildInfo', 'Covariates', 'DEFAULT_START_CLOCK_H', 'DietChange', 'Diuretic', 'Drug', 'DrugPeriod', 'Fast', 'HYPO_THRESHOLD_MMOL_L', 'Infusion', 'InitialState', 'MAX_AGE_YEARS', 'MAX_DIET_MG_PER_DAY', 'MAX_EGFR_ML_MIN', 'MAX_HEIGHT_CM', 'MAX_RUN_H', 'MAX_WEIGHT_KG', 'MEQ_PER_MMOL', 'MG_DL_PER_MMOL_L', 'MG_PER_MMOL', 'MIN_ADULT_HEIGHT_CM', 'MIN_ADULT_WEIGHT_KG', 'MIN_AGE_YEARS', 'MIN_CHILD_HEIGHT_CM', 'MIN_WEIGHT_KG', 'Meal', 'Metrics', 'OralDose', 'ParameterInfo', 'ParenteralDose', 'Physiology', 'PopulationSpec', 'REFERENCE_INTERVAL_HIGH_MMOL_L', 'Regimen', 'SUMMARY_BINS', 'Sex', 'SimulationRequest', 'SimulationResult', 'SolverOptions', 'SubjectParameters', 'build_info', 'closest_names', 'default_meals', 'form_catalogue', 'form_ids', 'metric_names', 'metric_values', 'output_columns', 'parameter_table', 'population_presets', 'sample_subjects', 'serum_thresholds_above', 'simulate', 'simulate_batch', 'summary_bin_edges', 'summary_variables', 'typical_egfr_ml_min', 'validate_meal_spacing']
class BuildInfo:
    """
    How the C++ core was compiled.
    """
    @property
    def build_type(self) -> str:
        ...
    @property
    def compiler(self) -> str:
        ...
    @property
    def native_arch(self) -> bool:
        ...
    @property
    def simd(self) -> str:
        ...
class Physiology:
    def __init__(self) -> None:
        ...
    def get(self, arg0: str) -> float:
        ...
    def set(self, arg0: str, arg1: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    def validate(self) -> None:
        ...
class ParameterInfo:
    """
    One row of the parameter table (read-only).
    """
    def __repr__(self) -> str:
        ...
    @property
    def allowed_max(self) -> float:
        ...
    @property
    def allowed_min(self) -> float:
        ...
    @property
    def allowed_min_inclusive(self) -> bool:
        ...
    @property
    def calibrated_against(self) -> str:
        ...
    @property
    def description(self) -> str:
        ...
    @property
    def kind(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def source(self) -> str:
        ...
    @property
    def unit(self) -> str:
        ...
    @property
    def value(self) -> float:
        ...
class Sex:
    """
    Members:
    
      female
    
      male
    """
    __members__: typing.ClassVar[dict[str, Sex]]
    female: typing.ClassVar[Sex]
    male: typing.ClassVar[Sex]
    @typing.overload
    def __eq__(self, other: Sex) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Sex) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class Diuretic:
    """
    Members:
    
      none
    
      loop
    
      thiazide
    """
    __members__: typing.ClassVar[dict[str, Diuretic]]
    loop: typing.ClassVar[Diuretic]
    none: typing.ClassVar[Diuretic]
    thiazide: typing.ClassVar[Diuretic]
    @typing.overload
    def __eq__(self, other: Diuretic) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Diuretic) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class Meal:
    def __init__(self, clock_h: typing.SupportsFloat | typing.SupportsIndex, share: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def clock_h(self) -> float:
        ...
    @property
    def share(self) -> float:
        ...
class Covariates:
    diuretic: Diuretic
    ppi: bool
    pregnant: bool
    sex: Sex
    def __init__(self) -> None:
        ...
    @property
    def age_years(self) -> float:
        ...
    @age_years.setter
    def age_years(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def diet_mg_per_day(self) -> float:
        ...
    @diet_mg_per_day.setter
    def diet_mg_per_day(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def egfr_ml_min(self) -> float:
        ...
    @egfr_ml_min.setter
    def egfr_ml_min(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def height_cm(self) -> float:
        ...
    @height_cm.setter
    def height_cm(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def meals(self) -> list[Meal]:
        ...
    @meals.setter
    def meals(self, arg0: collections.abc.Sequence[Meal]) -> None:
        ...
    @property
    def start_clock_h(self) -> float:
        ...
    @start_clock_h.setter
    def start_clock_h(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def weight_kg(self) -> float:
        ...
    @weight_kg.setter
    def weight_kg(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class SubjectParameters:
    @property
    def body_fat_fraction(self) -> float:
        ...
    @property
    def body_mg_mmol(self) -> float:
        ...
    @property
    def bone_reference_mmol(self) -> float:
        ...
    @property
    def diet_mmol_h(self) -> float:
        ...
    @property
    def ecf_volume_l(self) -> float:
        ...
    @property
    def fat_free_mass_kg(self) -> float:
        ...
    @property
    def fed_state_duration_h(self) -> float:
        ...
    @property
    def gfr_l_h(self) -> float:
        ...
    @property
    def height_cm(self) -> float:
        ...
    @property
    def peripheral_volume_l(self) -> float:
        ...
    @property
    def tissue_reference_mmol(self) -> float:
        ...
    @property
    def tm_mmol_h(self) -> float:
        ...
class OralDose:
    def __init__(self, time_h: typing.SupportsFloat | typing.SupportsIndex, form_id: str, elemental_mmol: typing.SupportsFloat | typing.SupportsIndex, with_food: bool) -> None:
        ...
class ParenteralDose:
    def __init__(self, time_h: typing.SupportsFloat | typing.SupportsIndex, mmol: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class Infusion:
    def __init__(self, start_h: typing.SupportsFloat | typing.SupportsIndex, duration_h: typing.SupportsFloat | typing.SupportsIndex, mmol: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class DietChange:
    def __init__(self, time_h: typing.SupportsFloat | typing.SupportsIndex, mg_per_day: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class Fast:
    def __init__(self, start_h: typing.SupportsFloat | typing.SupportsIndex, stop_h: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class Drug:
    """
    Members:
    
      ppi
    
      loop
    
      thiazide
    """
    __members__: typing.ClassVar[dict[str, Drug]]
    loop: typing.ClassVar[Drug]
    ppi: typing.ClassVar[Drug]
    thiazide: typing.ClassVar[Drug]
    @typing.overload
    def __eq__(self, other: Drug) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Drug) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class DrugPeriod:
    def __init__(self, drug: Drug, start_h: typing.SupportsFloat | typing.SupportsIndex, stop_h: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class Regimen:
    def __init__(self) -> None:
        ...
    @property
    def diet_changes(self) -> list[DietChange]:
        ...
    @diet_changes.setter
    def diet_changes(self, arg0: collections.abc.Sequence[DietChange]) -> None:
        ...
    @property
    def drugs(self) -> list[DrugPeriod]:
        ...
    @drugs.setter
    def drugs(self, arg0: collections.abc.Sequence[DrugPeriod]) -> None:
        ...
    @property
    def fasts(self) -> list[Fast]:
        ...
    @fasts.setter
    def fasts(self, arg0: collections.abc.Sequence[Fast]) -> None:
        ...
    @property
    def im(self) -> list[ParenteralDose]:
        ...
    @im.setter
    def im(self, arg0: collections.abc.Sequence[ParenteralDose]) -> None:
        ...
    @property
    def infusions(self) -> list[Infusion]:
        ...
    @infusions.setter
    def infusions(self, arg0: collections.abc.Sequence[Infusion]) -> None:
        ...
    @property
    def iv_bolus(self) -> list[ParenteralDose]:
        ...
    @iv_bolus.setter
    def iv_bolus(self, arg0: collections.abc.Sequence[ParenteralDose]) -> None:
        ...
    @property
    def oral(self) -> list[OralDose]:
        ...
    @oral.setter
    def oral(self, arg0: collections.abc.Sequence[OralDose]) -> None:
        ...
class SolverOptions:
    def __init__(self) -> None:
        ...
    @property
    def atol(self) -> float:
        ...
    @atol.setter
    def atol(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def atol_gut(self) -> float:
        ...
    @atol_gut.setter
    def atol_gut(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def max_steps(self) -> int:
        ...
    @max_steps.setter
    def max_steps(self, arg0: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def rtol(self) -> float:
        ...
    @rtol.setter
    def rtol(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class Metrics:
    @property
    def absorbed_increment_mmol(self) -> float:
        ...
    @property
    def absorbed_supplement_mmol(self) -> float:
        ...
    @property
    def auc_above_baseline_mmol_h_l(self) -> float:
        ...
    @property
    def baseline_serum_mmol_l(self) -> float:
        ...
    @property
    def body_store_change_mmol(self) -> float:
        ...
    @property
    def body_store_change_vs_baseline_mmol(self) -> float:
        ...
    @property
    def cmax_mmol_l(self) -> float:
        ...
    @property
    def cmin_mmol_l(self) -> float:
        ...
    @property
    def diarrhea_probability(self) -> float:
        ...
    @property
    def fraction_absorbed(self) -> float:
        ...
    @property
    def mass_balance_rel_error(self) -> float:
        ...
    @property
    def max_daily_soluble_feces_mmol(self) -> float:
        ...
    @property
    def oral_supplement_mmol(self) -> float:
        ...
    @property
    def parenteral_mmol(self) -> float:
        ...
    @property
    def peak_colon_load_mmol(self) -> float:
        ...
    @property
    def time_above_h(self) -> list[float]:
        ...
    @property
    def time_below_hypo_h(self) -> float:
        ...
    @property
    def tmax_h(self) -> float:
        ...
    @property
    def urine_24h_mmol(self) -> float:
        ...
    @property
    def urine_increment_24h_mmol(self) -> float:
        ...
    @property
    def urine_increment_mmol(self) -> float:
        ...
class InitialState:
    def __init__(self) -> None:
        ...
    @property
    def pool_forms(self) -> list[str]:
        ...
    @pool_forms.setter
    def pool_forms(self, arg0: collections.abc.Sequence[str]) -> None:
        ...
    @property
    def state(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[40, 1]"]:
        ...
    @state.setter
    def state(self, arg0: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[40, 1]"]) -> None:
        ...
class SimulationRequest:
    covariates: Covariates
    has_initial: bool
    initial: InitialState
    physiology: Physiology
    regimen: Regimen
    solver: SolverOptions
    def __init__(self) -> None:
        ...
    @property
    def output_times_h(self) -> list[float]:
        ...
    @output_times_h.setter
    def output_times_h(self, arg0: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
    @property
    def t_end_h(self) -> float:
        ...
    @t_end_h.setter
    def t_end_h(self, arg0: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
class SimulationResult:
    @property
    def baseline_table(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def final_state(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[40, 1]"]:
        ...
    @property
    def metrics(self) -> Metrics:
        ...
    @property
    def pool_forms(self) -> list[str]:
        ...
    @property
    def states(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def steady_state_serum_mmol_l(self) -> float:
        ...
    @property
    def steps(self) -> int:
        ...
    @property
    def subject(self) -> SubjectParameters:
        ...
    @property
    def table(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
class PopulationSpec:
    """
    A population preset: covariate distributions and IIV (read-only).
    """
    def __repr__(self) -> str:
        ...
    @property
    def age_max_years(self) -> float:
        ...
    @property
    def age_min_years(self) -> float:
        ...
    @property
    def diet_cv(self) -> float:
        ...
    @property
    def diet_mean_female_mg(self) -> float:
        ...
    @property
    def diet_mean_male_mg(self) -> float:
        ...
    @property
    def egfr_intercept_ml_min(self) -> float:
        ...
    @property
    def egfr_max_ml_min(self) -> float:
        ...
    @property
    def egfr_min_ml_min(self) -> float:
        ...
    @property
    def egfr_sd_ml_min(self) -> float:
        ...
    @property
    def egfr_slope_per_year(self) -> float:
        ...
    @property
    def female_fraction(self) -> float:
        ...
    @property
    def height_mean_female_cm(self) -> float:
        ...
    @property
    def height_mean_male_cm(self) -> float:
        ...
    @property
    def height_sd_cm(self) -> float:
        ...
    @property
    def iiv_cv_ecf_volume(self) -> float:
        ...
    @property
    def iiv_cv_renal_tm(self) -> float:
        ...
    @property
    def iiv_cv_transcellular(self) -> float:
        ...
    @property
    def loop_fraction(self) -> float:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def ppi_fraction(self) -> float:
        ...
    @property
    def pregnant_fraction(self) -> float:
        ...
    @property
    def source(self) -> str:
        ...
    @property
    def thiazide_fraction(self) -> float:
        ...
    @property
    def weight_cv(self) -> float:
        ...
    @property
    def weight_mean_female_kg(self) -> float:
        ...
    @property
    def weight_mean_male_kg(self) -> float:
        ...
def build_info() -> BuildInfo:
    """
    How the C++ core was compiled.
    """
def closest_names(query: str, candidates: collections.abc.Sequence[str], max_count: typing.SupportsInt | typing.SupportsIndex = 3) -> list[str]:
    ...
def default_meals() -> list[Meal]:
    ...
def form_catalogue() -> list:
    """
    The supplement-form catalogue as a list of dicts.
    """
def form_ids() -> list[str]:
    ...
def metric_names() -> list[str]:
    ...
def metric_values(arg0: Metrics) -> list[float]:
    ...
def output_columns() -> list[str]:
    ...
def parameter_table() -> list[ParameterInfo]:
    """
    The parameter table (copies of the core's rows).
    """
def population_presets() -> list[PopulationSpec]:
    """
    The population presets (copies of the core's table).
    """
def sample_subjects(population: str, seed: typing.SupportsInt | typing.SupportsIndex, start: typing.SupportsInt | typing.SupportsIndex, count: typing.SupportsInt | typing.SupportsIndex) -> dict:
    ...
def serum_thresholds_above() -> list[float]:
    ...
def simulate(request: SimulationRequest) -> SimulationResult:
    """
    Simulate one request (GIL released; Ctrl-C interrupts).
    """
def simulate_batch(arg0: dict, arg1: Physiology, arg2: Regimen, arg3: typing.SupportsFloat | typing.SupportsIndex, arg4: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], arg5: SolverOptions, arg6: typing.SupportsInt | typing.SupportsIndex, arg7: bool) -> tuple[numpy.typing.NDArray[numpy.uint32], typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"], typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]]:
    ...
def summary_bin_edges(name: str) -> list[float]:
    """
    The SUMMARY_BINS + 1 edges of a summary variable's log-spaced histogram bins.
    """
def summary_variables() -> list:
    ...
def typical_egfr_ml_min(age_years: typing.SupportsFloat | typing.SupportsIndex, weight_kg: typing.SupportsFloat | typing.SupportsIndex, physiology: Physiology) -> float:
    ...
def validate_meal_spacing(meals: collections.abc.Sequence[Meal], fed_state_duration_h: typing.SupportsFloat | typing.SupportsIndex) -> None:
    ...
ADULT_AGE_YEARS: float = 18.0
DEFAULT_START_CLOCK_H: float = 7.0
HYPO_THRESHOLD_MMOL_L: float = 0.75
MAX_AGE_YEARS: float = 110.0
MAX_DIET_MG_PER_DAY: float = 5000.0
MAX_EGFR_ML_MIN: float = 250.0
MAX_HEIGHT_CM: float = 230.0
MAX_RUN_H: float = 175200.0
MAX_WEIGHT_KG: float = 250.0
MEQ_PER_MMOL: float = 2.0
MG_DL_PER_MMOL_L: float = 2.4305
MG_PER_MMOL: float = 24.305
MIN_ADULT_HEIGHT_CM: float = 120.0
MIN_ADULT_WEIGHT_KG: float = 30.0
MIN_AGE_YEARS: float = 1.0
MIN_CHILD_HEIGHT_CM: float = 60.0
MIN_WEIGHT_KG: float = 5.0
REFERENCE_INTERVAL_HIGH_MMOL_L: float = 0.95
SUMMARY_BINS: int = 2048
__version__: str = '0.1.0'
