"""An independent numpy/scipy implementation of the magpk model (the tests' "scipy model").

This module re-implements the model equations (gut, plasma, fast peripheral
pool, kidney with CKD adaptation and a slowly acting thiazide, exchangeable and
bound tissue, bone surface and deep bone, sweat, parenteral depots, meals,
drugs, bookkeeping ledgers) directly from the mathematics, so that the C++
core can be checked against it.  It shares no code with the core: only the
parameter *values* and the form catalogue are read from ``magpk._core`` at run
time (``parameter_table()``, ``form_catalogue()``).  The default meal schedule
is written down here from the specification (``DEFAULT_MEALS``); the tests
check that the core's default agrees and pass explicit schedules to both
implementations.

Model (amounts in mmol, time in h, volumes in L; c = plasma / V_ecf)::

  volumes    V_ecf = weight * ecf_volume_l_per_kg (pregnant: the pregnant value),
             V_p = weight * peripheral_volume_l_per_kg,
             Q = intercompartmental_clearance_l_h * (weight / 70)^0.75
  gut, per absorbing segment (small intestine "si", colon):
    transcellular  J = Vmax * L_i / (Km + sum_j L_j)   (diet and supplement
                   Mg compete for the same carrier; Vmax x ppi factor on PPI)
    paracellular   k_para * L_i                         (small intestine only)
    transit        k_si * L (si -> colon),  k_colon * (1 + max(S, 0)/S50) * L
                   (colon -> feces), S = DISSOLVED colon supplement (colon_sup)
    small intestine transit k_si = 1/T_si fasting, 1/(T_si * fed_factor) fed
  stomach: dissolved supplement Mg (stomach_sup, St) empties first order into
    si_sup at k_ge * St, k_ge = ln 2 / gastric_half_emptying_fasting_h fasting,
    ln 2 / gastric_half_emptying_fed_h fed; oral doses of dissolved forms
    (solution) enter stomach_sup
  undissolved pool U_i of a pure form: transits unchanged to colon_solid at k_si
    and dissolves (a share phi of it as intact chelate straight into si_chelate,
    absorbed at Vmax/Km without saturation or PPI effect; the ionic rest into
    stomach_sup):
      soluble salts     J_i = k_i U_i
      basic salts (dissolution class oxide / hydroxide: MgO, Mg(OH)2, MgCO3)
                        J_i = k_i U_i * a / (a + sum_j max(k_j U_j, 0)),
                        the sum over the basic pools, a = acid / 2 (2 H+ per Mg),
                        acid = fed / basal acid output, x ppi_acid factor on PPI
  secretion into si_diet at Q_sec * c
  plasma <-> peripheral  Q * (c - P / V_p)
  urine  E = F - R,   F = GFR * f_uf * max(c, 0),  R the smaller root of
         theta R^2 - (F + Tm_eff) R + F Tm_eff = 0   (titration curve with splay),
         Tm = renal_tm_mmol_per_l_filtrate * GFR * min(eGFR/100, 1)^ckd_tm_gfr_exponent
         (CKD: fewer nephrons reabsorb less per liter of filtrate),
         Tm_eff = Tm * (loop_diuretic_tm_factor while a loop diuretic is taken, else 1)
                     * (1 - (1 - thiazide_tm_factor) * e)
  thiazide effect e (dimensionless, in [0, 1], not an amount):
         de/dt = k_on * (1 while a thiazide is taken, else 0  -  e),
         k_on = ln 2 / thiazide_onset_half_life_h (the loop diuretic acts at once)
  intracellular Mg: the fast peripheral pool P, the exchangeable pool T and a
         bound pool T_b (constant, no flux).  With c_ref the reference serum and
         T_tot = tissue_fraction_of_body_mg * body Mg:
           T_ref = min(max(exchangeable_mg_mmol_per_kg * weight - (V_ecf + V_p) c_ref, 0),
                       T_tot - V_p c_ref)
           T_b   = max(T_tot - V_p c_ref - T_ref, 0)
  bone: the exchangeable surface B (B_ref = bone_exchangeable_fraction_of_body_mg
         * body Mg) and deep bone D (D_ref = deep_bone_fraction_of_body_mg * body Mg)
  stores T, B: uptake k * X_ref * h(c)/h(c_ref),  h(c) = c^n / (c^n + K^n)
         (h = 0 for c <= 0), release k * X,  k = ln 2 / half-life
  deep bone: uptake k_D * D_ref * c / c_ref, release k_D * D,
         k_D = deep_bone_turnover_per_year / (365.25 * 24)
  sweat: CL_sw * c out of plasma, CL_sw = sweat_mg_per_day / 24.305 / 24 / c_ref
  IM dose D: F_IM * D into the depot (released first order into plasma) and
         (1 - F_IM) * D into the exchangeable tissue pool T, at the dose time.
  gut total: si_*, colon_*, stomach_sup and the undissolved pools.
  body total: plasma, peripheral, tissue, tissue_bound, bone, deep_bone, im_depot.
  ledgers: absorbed (all, supplement), urine, feces (all), feces_soluble
         (from colon_diet + colon_sup, not colon_solid), secreted, diet_in,
         infused, serum AUC, filtered (F), sweat.
  mass balance: gut + body + urine + feces + sweat
         = initial + doses + diet_in + infused.

Meals: meal m (clock time h_m, share s_m) starts at t = h_m - start_clock + 24 k
for every k with t + T_fed > 0 (meals still emptying at t = 0 count) and
t < t_end, unless a fast [a, b) of the regimen contains its start.  While it
empties, [t, t + T_fed), it delivers s_m * D(t) * 24 / T_fed into si_diet
(D the daily diet rate in mmol/h in force, after diet changes) and the gut is
fed.  The gut is also fed for T_fed after a dose taken with food.  No meals
(continuous diet): si_diet receives D(t) and the gut is fed only after doses
with food.  Fed selects the fed gastric emptying k_ge, the fed small-intestinal
transit k_si and the fed acid output.  Drugs: Subject flags act throughout;
regimen drug periods act on [start, stop).

Steady state: continuous diet - the closed form (``scipy.optimize.brentq`` on
the serum concentration of the plasma balance absorbed(c) - urine(c, e0)
- (Q_sec + CL_sw) c = 0, closed-form quadratic solutions for the two saturable
gut pools, stores at their Hill equilibrium, P = c V_p, D = D_ref c / c_ref,
T_b constant, e = e0 = 1 if the subject takes a thiazide throughout, else 0).
Meals - the periodic steady state x(24 h) = x(0) of the no-dose day (the
subject's meals and drugs; unknowns si_diet, colon_diet, plasma, peripheral,
tissue, bone, deep_bone; e = e0, T_b constant), found with
``scipy.optimize.root`` (MINPACK's hybrid Powell method) on the one-day map,
each day integrated with DOP853 at the simulation tolerances (by default;
``simulate(steady_method=, steady_rtol=, steady_atol=)`` choose others).  Ledgers start at 0.

Regimens are integrated piecewise between events with
``scipy.integrate.solve_ivp(method="DOP853")`` (rtol 1e-13, atol 1e-18 by
default; ``simulate(method=..., rtol=..., atol=...)`` choose another scipy
method and tolerances, atol a scalar or a per-state vector, and
``steady_method``/``steady_rtol``/``steady_atol`` those of the periodic
steady state); doses are instantaneous and a row at an event time shows the
state after the events at that time.  ``Result.nfev`` and
``Result.steady.nfev`` count the right-hand-side evaluations of the
integrations (the benchmarks use them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, root

# Standard atomic weight of Mg (g/mol): a physical constant, not a model parameter.
MG_G_PER_MOL = 24.305

#: The specified default meals: (clock hour, share of the day's dietary Mg).
DEFAULT_MEALS: tuple[tuple[float, float], ...] = ((8.0, 0.20), (12.5, 0.35), (19.5, 0.45))
#: The specified clock time of t = 0.
DEFAULT_START_CLOCK_H = 7.0
CONTINUOUS: tuple[tuple[float, float], ...] = ()

# ---------------------------------------------------------------------------
# State layout (this model's own, by name)
# ---------------------------------------------------------------------------
FIXED_STATES: tuple[str, ...] = (
    "plasma", "peripheral", "tissue", "tissue_bound", "bone", "deep_bone", "im_depot",
    "si_diet", "si_sup", "si_chelate", "colon_diet", "colon_sup", "colon_solid", "stomach_sup",
    "absorbed_cum", "absorbed_sup_cum", "urine_cum", "feces_cum", "feces_soluble_cum",
    "secreted_cum", "diet_in_cum", "infused_cum", "serum_auc", "filtered_cum", "sweat_cum",
    "thiazide_effect",
)
GUT_LUMEN = ("si_diet", "si_sup", "si_chelate", "colon_diet", "colon_sup", "colon_solid",
             "stomach_sup")
BODY = ("plasma", "peripheral", "tissue", "tissue_bound", "bone", "deep_bone", "im_depot")
#: The body stores of the metrics body_store_change_*: the body without the IM depot.
BODY_STORES = ("plasma", "peripheral", "tissue", "tissue_bound", "bone", "deep_bone")
#: Amounts (mmol) that are not ledgers; the undissolved pools are amounts too.
#: (thiazide_effect is neither: a dimensionless state in [0, 1].)
AMOUNTS = BODY + GUT_LUMEN
#: What has left the body.
EXCRETED = ("urine_cum", "feces_cum", "sweat_cum")
#: The state index, I[name] (E741 allowed: a one-letter name, read in every equation).
I = {name: k for k, name in enumerate(FIXED_STATES)}  # noqa: E741
N_FIXED = len(FIXED_STATES)

(_PL, _PE, _TI, _TB, _BO, _DB, _IM, _SD, _SS, _SC, _CD, _CS, _CSOL, _ST, _ABS, _ABSS, _UR, _FE,
 _FES, _SEC, _DIET, _INF, _AUC, _FILT, _SW, _THZ) = range(N_FIXED)


def pool_state_name(form_id: str) -> str:
    return "undissolved:" + form_id


# ---------------------------------------------------------------------------
# Parameters from the core's table and catalogue (values only)
# ---------------------------------------------------------------------------
def load_parameters(core) -> dict[str, float]:
    return {row.name: float(row.value) for row in core.parameter_table()}


def load_forms(core) -> dict[str, dict]:
    return {row["id"]: dict(row) for row in core.form_catalogue()}


@dataclass(frozen=True)
class Covariates:
    weight_kg: float = 70.0
    age_years: float = 40.0
    height_cm: float = 0.0  # <= 0: sex-specific default
    egfr_ml_min: float = 100.0
    diet_mg_per_day: float = 300.0
    sex: str = "female"
    pregnant: bool = False
    ppi: bool = False       # throughout
    diuretic: str = "none"  # none / loop / thiazide, throughout
    meals: tuple[tuple[float, float], ...] = DEFAULT_MEALS  # () = continuous diet
    start_clock_h: float = DEFAULT_START_CLOCK_H


def mg_day_to_mmol_h(mg_per_day: float) -> float:
    return mg_per_day / MG_G_PER_MOL / 24.0


@dataclass(frozen=True)
class Subject:
    """Per-subject parameters in model units (drug effects kept apart)."""

    v_ecf: float
    v_peripheral: float
    q_exchange: float
    height_cm: float
    fat_fraction: float
    ffm_kg: float
    body_mg: float
    k_si_fast: float
    k_si_fed: float
    k_ge_fast: float    # gastric emptying of dissolved supplement, fasting
    k_ge_fed: float     # ... and fed
    fed_duration: float
    vmax_si: float      # without PPI
    vmax_colon: float   # without PPI
    km: float
    k_para: float
    k_chelate: float
    chelate_share: float
    k_colon: float
    laxation_s50: float
    acid_basal: float
    acid_fed: float
    ppi_transcellular: float
    ppi_acid: float
    loop_tm: float
    thiazide_tm: float
    ppi_always: bool
    loop_always: bool
    thiazide_always: bool
    q_secretion: float
    gfr: float
    f_uf: float
    tm: float           # without diuretics, with the CKD adaptation
    splay: float
    k_thiazide: float   # onset (and offset) rate of the thiazide effect
    c_ref: float
    tissue_ref: float   # exchangeable intracellular Mg at c_ref
    tissue_bound: float  # bound intracellular Mg (constant)
    bone_ref: float     # bone surface at c_ref
    deep_bone_ref: float
    k_tissue: float
    k_bone: float
    k_deep_bone: float
    cl_sweat: float     # L/h
    uptake_k50: float
    uptake_hill: float
    k_im: float
    f_im: float         # share of an IM dose entering the depot; the rest goes to tissue
    diarrhea_d50: float
    diarrhea_log_sd: float
    diet_mmol_h: float
    meals: tuple[tuple[float, float], ...]
    start_clock_h: float


#: Subject fields that take a parameter's value unchanged (field, parameter name);
#: ``subject_parameters`` derives the others.
SUBJECT_PARAMETER_COPIES: tuple[tuple[str, str], ...] = (
    ("fed_duration", "fed_state_duration_h"),
    ("vmax_si", "si_vmax_mmol_h"),
    ("vmax_colon", "colon_vmax_mmol_h"),
    ("km", "si_km_mmol"),
    ("k_para", "si_paracellular_per_h"),
    ("chelate_share", "chelate_intact_fraction"),
    ("laxation_s50", "laxation_load50_mmol"),
    ("acid_basal", "basal_acid_output_mmol_h"),
    ("acid_fed", "fed_acid_output_mmol_h"),
    ("ppi_transcellular", "ppi_transcellular_factor"),
    ("ppi_acid", "ppi_acid_output_factor"),
    ("loop_tm", "loop_diuretic_tm_factor"),
    ("thiazide_tm", "thiazide_tm_factor"),
    ("f_uf", "ultrafilterable_fraction"),
    ("splay", "renal_splay"),
    ("uptake_k50", "store_uptake_half_serum_mmol_l"),
    ("uptake_hill", "store_uptake_hill"),
    ("k_im", "im_absorption_per_h"),
    ("f_im", "im_bioavailability"),
    ("diarrhea_d50", "diarrhea_soluble_feces50_mmol_day"),
    ("diarrhea_log_sd", "diarrhea_log_sd"),
)


def subject_parameters(cov: Covariates, p: dict[str, float]) -> Subject:
    male = cov.sex == "male"
    height = cov.height_cm if cov.height_cm > 0 else (
        p["default_height_male_cm"] if male else p["default_height_female_cm"])
    bmi = cov.weight_kg / (height / 100.0) ** 2
    # Deurenberg 1991: BF% = a BMI + b age - c male - d, restricted to 5-60 %.
    fat_pct = (p["bodyfat_bmi_coef"] * bmi + p["bodyfat_age_coef"] * cov.age_years
               - p["bodyfat_male_coef"] * male - p["bodyfat_intercept"])
    fat = float(np.clip(fat_pct, 5.0, 60.0)) / 100.0
    ffm = cov.weight_kg * (1.0 - fat)
    body_mg = p["body_mg_mmol_per_kg_ffm"] * ffm
    v_per_kg = p["ecf_volume_pregnant_l_per_kg"] if cov.pregnant else p["ecf_volume_l_per_kg"]
    gfr = cov.egfr_ml_min * 60.0 / 1000.0  # mL/min -> L/h
    assert cov.diuretic in ("none", "loop", "thiazide"), cov.diuretic
    v_ecf = cov.weight_kg * v_per_kg
    v_peripheral = cov.weight_kg * p["peripheral_volume_l_per_kg"]
    c_ref = p["reference_serum_mmol_l"]
    # intracellular: fast peripheral (V_p c_ref at c_ref) + exchangeable + bound
    tissue_total = p["tissue_fraction_of_body_mg"] * body_mg
    exchangeable = p["exchangeable_mg_mmol_per_kg"] * cov.weight_kg - (v_ecf + v_peripheral) * c_ref
    tissue_ref = min(max(exchangeable, 0.0), tissue_total - v_peripheral * c_ref)
    tissue_bound = max(tissue_total - v_peripheral * c_ref - tissue_ref, 0.0)
    # CKD: the tubular maximum per liter of filtrate falls below eGFR 100 mL/min
    ckd = min(cov.egfr_ml_min / 100.0, 1.0) ** p["ckd_tm_gfr_exponent"]
    return Subject(
        **{f: p[name] for f, name in SUBJECT_PARAMETER_COPIES},
        v_ecf=v_ecf,
        v_peripheral=v_peripheral,
        q_exchange=p["intercompartmental_clearance_l_h"] * (cov.weight_kg / 70.0) ** 0.75,
        height_cm=height,
        fat_fraction=fat,
        ffm_kg=ffm,
        body_mg=body_mg,
        k_si_fast=1.0 / p["si_transit_time_h"],
        k_si_fed=1.0 / (p["si_transit_time_h"] * p["fed_transit_time_factor"]),
        k_ge_fast=math.log(2.0) / p["gastric_half_emptying_fasting_h"],
        k_ge_fed=math.log(2.0) / p["gastric_half_emptying_fed_h"],
        k_chelate=p["si_vmax_mmol_h"] / p["si_km_mmol"],  # no PPI effect
        k_colon=1.0 / p["colon_transit_time_h"],
        ppi_always=cov.ppi,
        loop_always=cov.diuretic == "loop",
        thiazide_always=cov.diuretic == "thiazide",
        # secretions: L/h times Mg concentration scaled with serum
        q_secretion=(p["upper_gi_secretion_l_per_day"] / 24.0) * p["upper_gi_secretion_mg_mmol_l"]
        / p["reference_serum_mmol_l"],
        gfr=gfr,
        tm=p["renal_tm_mmol_per_l_filtrate"] * gfr * ckd,
        k_thiazide=math.log(2.0) / p["thiazide_onset_half_life_h"],
        c_ref=c_ref,
        tissue_ref=tissue_ref,
        tissue_bound=tissue_bound,
        bone_ref=p["bone_exchangeable_fraction_of_body_mg"] * body_mg,
        deep_bone_ref=p["deep_bone_fraction_of_body_mg"] * body_mg,
        k_tissue=math.log(2.0) / p["tissue_exchange_half_life_h"],
        k_bone=math.log(2.0) / p["bone_exchange_half_life_h"],
        k_deep_bone=p["deep_bone_turnover_per_year"] / (365.25 * 24.0),
        cl_sweat=mg_day_to_mmol_h(p["sweat_mg_per_day"]) / c_ref,
        diet_mmol_h=mg_day_to_mmol_h(cov.diet_mg_per_day),
        meals=tuple((float(h), float(sh)) for h, sh in cov.meals),
        start_clock_h=float(cov.start_clock_h),
    )


# ---------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Pool:
    form_id: str
    k_dissolve: float
    chelate_share: float
    acid_limited: bool


def pure_parts(form_id: str, forms: dict[str, dict]) -> list[tuple[str, float]]:
    comps = forms[form_id]["components"]
    return [(fid, float(share)) for fid, share in comps] if comps else [(form_id, 1.0)]


def dissolution_rate(form: dict, p: dict[str, float]) -> float:
    kind = form["dissolution"]
    if kind == "dissolved":
        return math.inf
    if kind == "soluble":
        return p["dissolution_soluble_per_h"]
    if kind.startswith("oxide"):
        return p["dissolution_oxide_per_h"]
    if kind.startswith("hydroxide"):
        return p["dissolution_hydroxide_per_h"]
    raise ValueError(f"unexpected dissolution class {kind!r} for {form['id']}")


def is_acid_limited(form: dict) -> bool:
    """Basic salts (dissolution class oxide or hydroxide) dissolve in gastric acid."""
    kind = form["dissolution"]
    return kind.startswith("oxide") or kind.startswith("hydroxide")


# ---------------------------------------------------------------------------
# Right-hand side
# ---------------------------------------------------------------------------
@dataclass
class Inputs:
    """Constant inputs of one segment; the drug-dependent rates follow from them."""

    subject: Subject
    pools: Sequence[Pool] = ()
    diet_mmol_h: float = 0.0
    infusion_mmol_h: float = 0.0
    fed: bool = False
    ppi: bool = False
    loop: bool = False
    thiazide: bool = False

    def __post_init__(self):
        s = self.subject
        self.k_si = s.k_si_fed if self.fed else s.k_si_fast
        self.k_ge = s.k_ge_fed if self.fed else s.k_ge_fast
        transcellular = s.ppi_transcellular if self.ppi else 1.0
        self.vmax_si = s.vmax_si * transcellular
        self.vmax_colon = s.vmax_colon * transcellular
        # the loop diuretic acts at once; the thiazide through the state e
        self.tm = s.tm * (s.loop_tm if self.loop else 1.0)
        self.thiazide_target = 1.0 if self.thiazide else 0.0
        acid = (s.acid_fed if self.fed else s.acid_basal) * (s.ppi_acid if self.ppi else 1.0)
        self.acid_mg = acid / 2.0  # mmol Mg/h that the acid can dissolve
        self.pool_k = np.array([pool.k_dissolve for pool in self.pools], dtype=float)
        self.pool_chelate = np.array([pool.chelate_share for pool in self.pools], dtype=float)
        self.pool_acid = np.array([pool.acid_limited for pool in self.pools], dtype=bool)


def hill_uptake(c: float, s: Subject) -> float:
    """Store uptake at serum c relative to uptake at the reference serum."""
    def h(x):
        if x <= 0:
            return 0.0
        return x ** s.uptake_hill / (x ** s.uptake_hill + s.uptake_k50 ** s.uptake_hill)
    return h(c) / h(s.c_ref)


def filtered_load(c: float, s: Subject) -> float:
    return s.gfr * s.f_uf * max(c, 0.0)


def tubular_maximum(inputs: Inputs, effect: float) -> float:
    """Tm (mmol/h) with the segment's loop diuretic and the thiazide effect e."""
    return inputs.tm * (1.0 - (1.0 - inputs.subject.thiazide_tm) * effect)


def urine_rate(c: float, s: Subject, tm: float) -> float:
    f = filtered_load(c, s)
    if f == 0.0:
        return 0.0
    disc = (f + tm) ** 2 - 4.0 * s.splay * f * tm
    # smaller root of theta R^2 - (F+Tm) R + F Tm = 0, rationalized
    reabsorbed = 2.0 * f * tm / ((f + tm) + math.sqrt(disc))
    return max(f - reabsorbed, 0.0)


def dissolution(u: np.ndarray, inputs: Inputs) -> np.ndarray:
    """Dissolution of each undissolved pool (mmol/h)."""
    demand = inputs.pool_k * u
    if inputs.pool_acid.any():
        basic = np.maximum(demand[inputs.pool_acid], 0.0).sum()
        if basic > 0.0:
            a = inputs.acid_mg
            demand = np.where(inputs.pool_acid, demand * (a / (a + basic)), demand)
    return demand


def rhs(t: float, x: np.ndarray, inputs: Inputs) -> np.ndarray:
    s = inputs.subject
    # No clamping of the states: every outflow is first order (or saturable)
    # in its own pool, so an amount that undershoots zero relaxes back to it.
    dx = np.zeros_like(x)
    c = x[_PL] / s.v_ecf
    k_si = inputs.k_si

    # undissolved pools
    u = x[N_FIXED:]
    diss = dissolution(u, inputs)
    to_chelate = float(np.dot(inputs.pool_chelate, diss))
    to_stomach = float(diss.sum()) - to_chelate  # the ionic part
    to_solid = k_si * float(u.sum())
    dx[N_FIXED:] = -diss - k_si * u

    sd, ss, sc = x[_SD], x[_SS], x[_SC]
    cd, cs, csol = x[_CD], x[_CS], x[_CSOL]
    emptying = inputs.k_ge * x[_ST]  # dissolved supplement, stomach -> small intestine

    secretion = s.q_secretion * c
    carrier_si = inputs.vmax_si / (s.km + sd + ss)
    abs_si_d = (carrier_si + s.k_para) * sd
    abs_si_s = (carrier_si + s.k_para) * ss
    abs_chel = s.k_chelate * sc
    carrier_co = inputs.vmax_colon / (s.km + cd + cs)
    abs_co_d = carrier_co * cd
    abs_co_s = carrier_co * cs
    k_out = s.k_colon * (1.0 + max(cs, 0.0) / s.laxation_s50)

    dx[_SD] = inputs.diet_mmol_h + secretion - abs_si_d - k_si * sd
    dx[_ST] = to_stomach - emptying
    dx[_SS] = emptying - abs_si_s - k_si * ss
    dx[_SC] = to_chelate - abs_chel - k_si * sc
    dx[_CD] = k_si * sd - abs_co_d - k_out * cd
    dx[_CS] = k_si * (ss + sc) - abs_co_s - k_out * cs
    dx[_CSOL] = to_solid - k_out * csol

    absorbed_sup = abs_si_s + abs_chel + abs_co_s
    absorbed = absorbed_sup + abs_si_d + abs_co_d
    ratio = hill_uptake(c, s)
    tissue_net = s.k_tissue * (s.tissue_ref * ratio - x[_TI])
    bone_net = s.k_bone * (s.bone_ref * ratio - x[_BO])
    deep_bone_net = s.k_deep_bone * (s.deep_bone_ref * c / s.c_ref - x[_DB])
    sweat = s.cl_sweat * c
    exchange = s.q_exchange * (c - x[_PE] / s.v_peripheral)
    effect = x[_THZ]
    urine = urine_rate(c, s, tubular_maximum(inputs, effect))
    im_release = s.k_im * x[_IM]

    dx[_PL] = (absorbed + inputs.infusion_mmol_h + im_release - tissue_net - bone_net
               - deep_bone_net - exchange - urine - secretion - sweat)
    dx[_PE] = exchange
    dx[_TI] = tissue_net
    dx[_TB] = 0.0  # bound intracellular Mg: no flux
    dx[_BO] = bone_net
    dx[_DB] = deep_bone_net
    dx[_IM] = -im_release
    dx[_THZ] = s.k_thiazide * (inputs.thiazide_target - effect)

    dx[_ABS] = absorbed
    dx[_ABSS] = absorbed_sup
    dx[_UR] = urine
    dx[_FE] = k_out * (cd + cs + csol)
    dx[_FES] = k_out * (cd + cs)
    dx[_SEC] = secretion
    dx[_DIET] = inputs.diet_mmol_h
    dx[_INF] = inputs.infusion_mmol_h
    dx[_AUC] = c
    dx[_FILT] = filtered_load(c, s)
    dx[_SW] = sweat
    return dx


def gut_total(x: np.ndarray) -> float:
    return float(sum(x[I[n]] for n in GUT_LUMEN) + np.sum(x[N_FIXED:]))


def body_total(x: np.ndarray) -> float:
    return float(sum(x[I[n]] for n in BODY))


def body_stores(x: np.ndarray) -> float:
    """Body Mg without the IM depot (the metrics' body store)."""
    return float(sum(x[I[n]] for n in BODY_STORES))


def excreted_total(x: np.ndarray) -> float:
    return float(sum(x[I[n]] for n in EXCRETED))


def amount_columns(n_pools: int) -> list[int]:
    """Columns of the states that are amounts (not ledgers), pools included."""
    return [I[n] for n in AMOUNTS] + list(range(N_FIXED, N_FIXED + n_pools))


# ---------------------------------------------------------------------------
# Regimen and its schedule
# ---------------------------------------------------------------------------
@dataclass
class Regimen:
    oral: list[tuple[float, str, float, bool]] = field(default_factory=list)  # t, form, mmol, food
    iv_bolus: list[tuple[float, float]] = field(default_factory=list)  # t, mmol
    im: list[tuple[float, float]] = field(default_factory=list)  # t, mmol
    infusions: list[tuple[float, float, float]] = field(default_factory=list)  # start, dur, mmol
    diet_changes: list[tuple[float, float]] = field(default_factory=list)  # t, mg/day
    fasts: list[tuple[float, float]] = field(default_factory=list)  # start, stop: no meal starts
    drugs: list[tuple[str, float, float]] = field(default_factory=list)  # name, start, stop

    @classmethod
    def from_events(cls, regimen: Any) -> Regimen:
        """The same doses as a ``magpk.Regimen``, read from its public event tuples
        (by attribute only: this module does not import magpk)."""
        return cls(
            oral=[(e.time_h, e.form, e.elemental_mmol, e.with_food) for e in regimen.oral_events],
            iv_bolus=[(e.time_h, e.mmol) for e in regimen.parenteral_events
                      if e.route == "iv_bolus"],
            im=[(e.time_h, e.mmol) for e in regimen.parenteral_events if e.route == "im"],
            infusions=[(e.start_h, e.duration_h, e.mmol) for e in regimen.infusion_events],
            diet_changes=[(e.time_h, e.mg_per_day) for e in regimen.diet_events],
            fasts=[(e.start_h, e.stop_h) for e in regimen.fast_events],
            drugs=[(e.name, e.start_h, e.stop_h) for e in regimen.drug_events])


def meal_windows(s: Subject, reg: Regimen, t_end: float) -> list[tuple[float, float, float]]:
    """(start, stop, share) of every meal emptying at some time in [0, t_end)."""
    out = []
    for clock, share in s.meals:
        first = clock - s.start_clock_h
        # the earliest occurrence that still empties after t = 0: first + 24 k + T_fed > 0
        k = math.floor(-(first + s.fed_duration) / 24.0)
        while first + 24.0 * k + s.fed_duration <= 0.0:
            k += 1
        while first + 24.0 * k < t_end:
            t = first + 24.0 * k
            if not any(a <= t < b for a, b in reg.fasts):
                out.append((t, t + s.fed_duration, share))
            k += 1
    return out


def food_windows(s: Subject, reg: Regimen, t_end: float) -> list[tuple[float, float]]:
    return [(t, t + s.fed_duration) for t, _, _, food in reg.oral if food and t <= t_end]


def diet_level(a: float, reg: Regimen, s: Subject, t_end: float) -> float:
    """Daily diet rate (mmol/h) in force at time a (the last change by a wins)."""
    diet = s.diet_mmol_h
    for t, mg in sorted(((t, mg) for t, mg in reg.diet_changes if t <= t_end),
                        key=lambda e: e[0]):  # stable: list order among equal times
        if t <= a:
            diet = mg_day_to_mmol_h(mg)
    return diet


def inputs_on(a: float, reg: Regimen, s: Subject, pools, t_end: float) -> Inputs:
    """Piecewise-constant inputs on the segment starting at time a."""
    diet = diet_level(a, reg, s, t_end)
    meals = [(lo, hi, share) for lo, hi, share in meal_windows(s, reg, t_end) if lo <= a < hi]
    if s.meals:
        diet = sum(share for _, _, share in meals) * diet * 24.0 / s.fed_duration
    infusion = sum(mmol / dur for start, dur, mmol in reg.infusions
                   if start <= t_end and start <= a < start + dur)
    fed = bool(meals) or any(lo <= a < hi for lo, hi in food_windows(s, reg, t_end))

    def taking(name: str) -> bool:
        return any(d == name and start <= t_end and start <= a < stop
                   for d, start, stop in reg.drugs)

    return Inputs(s, pools, diet, infusion, fed,
                  ppi=s.ppi_always or taking("ppi"),
                  loop=s.loop_always or taking("loop"),
                  thiazide=s.thiazide_always or taking("thiazide"))


def event_times(reg: Regimen, s: Subject, t_end: float) -> list[float]:
    inside = lambda t: t <= t_end  # noqa: E731
    events = {0.0, float(t_end)}

    def add(t):  # a change of the inputs inside the run
        if 0.0 < t < t_end:
            events.add(t)

    events.update(t for t, _, _, _ in reg.oral if inside(t))
    events.update(t for t, _ in reg.iv_bolus + reg.im if inside(t))
    for start, dur, _ in reg.infusions:
        if inside(start):
            events.add(start)
            add(start + dur)
    events.update(t for t, _ in reg.diet_changes if inside(t))
    for _lo, hi in food_windows(s, reg, t_end):
        add(hi)
    for lo, hi, _ in meal_windows(s, reg, t_end):
        add(lo)
        add(hi)
    for _, start, stop in reg.drugs:
        if inside(start):
            add(start)
            add(stop)
    return sorted(events)


# ---------------------------------------------------------------------------
# Steady state
# ---------------------------------------------------------------------------
def _saturable_pool(inflow: float, vmax: float, km: float, k: float) -> float:
    """L >= 0 with inflow = vmax L/(km + L) + k L,
    i.e. k L^2 + (k km + vmax - inflow) L - inflow km = 0."""
    if inflow <= 0.0:
        return 0.0
    b = k * km + vmax - inflow
    q = -0.5 * (b + math.copysign(math.sqrt(b * b + 4.0 * k * inflow * km), b))
    # roots q/k and (-inflow km)/q; pick the positive one
    r1, r2 = q / k, -inflow * km / q
    return max(r1, r2)


def _gut_at(c: float, s: Subject, inputs: Inputs) -> tuple[float, float, float]:
    si = _saturable_pool(inputs.diet_mmol_h + s.q_secretion * c, inputs.vmax_si, s.km,
                         s.k_para + s.k_si_fast)
    colon = _saturable_pool(s.k_si_fast * si, inputs.vmax_colon, s.km, s.k_colon)
    absorbed = ((inputs.vmax_si / (s.km + si) + s.k_para) * si
                + inputs.vmax_colon * colon / (s.km + colon))
    return si, colon, absorbed


@dataclass
class SteadyState:
    serum: float       # at t = 0
    mean_serum: float  # daily mean (= serum for a continuous diet)
    x: np.ndarray
    periodic_drift: float = 0.0  # max |x(24 h) - x(0)| over the pools (periodic only)
    #: RHS evaluations of solve_ivp spent finding it (periodic only; a cached
    #: steady state reports the evaluations of the run that computed it)
    nfev: int = 0


#: Pools that are not empty without doses (unknowns of the periodic steady state).
STEADY_UNKNOWNS = tuple(I[n] for n in ("si_diet", "colon_diet", "plasma", "peripheral",
                                       "tissue", "bone", "deep_bone"))


def habitual_thiazide_effect(s: Subject) -> float:
    """e at the steady state: the full effect if the subject takes a thiazide throughout."""
    return 1.0 if s.thiazide_always else 0.0


def continuous_steady_state(s: Subject, n_pools: int = 0) -> SteadyState:
    """The steady state at the habitual diet as a constant input (fasting, no doses)."""
    inputs = Inputs(s, (), s.diet_mmol_h, 0.0, False, s.ppi_always, s.loop_always,
                    s.thiazide_always)
    effect = habitual_thiazide_effect(s)
    tm = tubular_maximum(inputs, effect)

    def net(c):
        # the stores (tissue, bone surface, deep bone, peripheral) balance on their own
        return (_gut_at(c, s, inputs)[2] - urine_rate(c, s, tm)
                - (s.q_secretion + s.cl_sweat) * c)

    hi = 0.5
    while net(hi) > 0:
        hi *= 2.0
    c = brentq(net, 1e-9, hi, xtol=1e-16, rtol=1e-15, maxiter=500)
    si, colon, _ = _gut_at(c, s, inputs)
    x = np.zeros(N_FIXED + n_pools)
    x[_SD] = si
    x[_CD] = colon
    x[_PL] = c * s.v_ecf
    x[_PE] = c * s.v_peripheral
    ratio = hill_uptake(c, s)
    x[_TI] = s.tissue_ref * ratio
    x[_BO] = s.bone_ref * ratio
    x[_TB] = s.tissue_bound
    x[_DB] = s.deep_bone_ref * c / s.c_ref
    x[_THZ] = effect
    return SteadyState(c, c, x)


_PERIODIC_CACHE: dict[tuple, SteadyState] = {}


def clear_steady_state_cache() -> None:
    """Forget the periodic steady states computed so far (benchmarks time them)."""
    _PERIODIC_CACHE.clear()


def _fixed_atol(atol) -> object:
    """A scalar atol, or the first N_FIXED entries of a per-state vector."""
    if np.ndim(atol) == 0:
        return float(atol)
    vec = np.asarray(atol, dtype=float)
    if vec.ndim != 1 or len(vec) < N_FIXED:
        raise ValueError(f"atol: expected a scalar or a vector of at least {N_FIXED} entries "
                         f"(the fixed states), got shape {vec.shape}")
    return vec[:N_FIXED].copy()


def periodic_steady_state(s: Subject, rtol: float = 1e-13, atol=1e-18,
                          method: str = "DOP853") -> SteadyState:
    """x(0) with x(24 h) = x(0) on the no-dose day (meals, the subject's drugs).

    Solved with MINPACK's hybrid Powell method (``scipy.optimize.root``) on the
    scaled one-day map, started at the continuous steady state; each day is
    integrated with ``solve_ivp(method=method)`` at ``rtol`` and ``atol`` (a
    scalar or a vector over the fixed states).  Results are cached per subject,
    method and tolerances (``clear_steady_state_cache``).
    """
    atol = _fixed_atol(atol)
    key = (s, rtol, atol if np.ndim(atol) == 0 else tuple(atol), method)
    if key in _PERIODIC_CACHE:
        cached = _PERIODIC_CACHE[key]
        return SteadyState(cached.serum, cached.mean_serum, cached.x.copy(),
                           cached.periodic_drift, cached.nfev)
    day = Regimen()
    events = event_times(day, s, 24.0)
    segments = [(a, b, inputs_on(a, day, s, (), 24.0)) for a, b in zip(events, events[1:])]
    start = continuous_steady_state(s)
    scale = np.maximum(np.abs(start.x[list(STEADY_UNKNOWNS)]), 1e-3)
    unknowns = list(STEADY_UNKNOWNS)
    nfev = 0

    def initial(u_scaled):
        x = np.zeros(N_FIXED)
        x[unknowns] = u_scaled * scale
        x[_TB] = s.tissue_bound  # constant
        x[_THZ] = habitual_thiazide_effect(s)  # constant over the habitual day
        return x

    def one_day(u_scaled):
        nonlocal nfev
        x = initial(u_scaled)
        for a, b, inputs in segments:
            sol = solve_ivp(rhs, (a, b), x, method=method, rtol=rtol, atol=atol, args=(inputs,))
            if not sol.success:
                raise RuntimeError(f"integration failed on [{a}, {b}]: {sol.message}")
            nfev += sol.nfev
            x = sol.y[:, -1]
        return x

    def drift(u_scaled):
        return one_day(u_scaled)[unknowns] / scale - u_scaled

    sol = root(drift, np.ones(len(unknowns)), method="hybr", options={"xtol": 1e-13})
    x0 = initial(sol.x)
    end = one_day(sol.x)
    residual = float(np.max(np.abs(end[unknowns] - x0[unknowns])))
    if not residual <= 1e-11 * body_total(x0):
        raise RuntimeError(f"periodic steady state not found: drift {residual} mmol/day "
                           f"({sol.message})")
    result = SteadyState(x0[_PL] / s.v_ecf, end[_AUC] / 24.0, x0, residual, nfev)
    _PERIODIC_CACHE[key] = result
    return SteadyState(result.serum, result.mean_serum, x0.copy(), residual, nfev)


def steady_state(s: Subject, n_pools: int = 0, rtol: float = 1e-13, atol=1e-18,
                 method: str = "DOP853") -> SteadyState:
    """The continuous (closed-form) or periodic steady state; ``rtol``, ``atol``
    and ``method`` are those of the periodic one's day integrations."""
    if not s.meals:
        return continuous_steady_state(s, n_pools)
    ss = periodic_steady_state(s, rtol, atol, method)
    x = np.zeros(N_FIXED + n_pools)
    x[:N_FIXED] = ss.x
    return SteadyState(ss.serum, ss.mean_serum, x, ss.periodic_drift, ss.nfev)


# ---------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------
@dataclass
class Result:
    times: np.ndarray
    states: np.ndarray  # rows = output times, columns = FIXED_STATES + pools
    pools: list[Pool]
    steady: SteadyState
    final: np.ndarray
    cmax: float
    tmax: float
    cmin: float
    oral_mmol: float
    dosed_mmol: float  # oral + IV bolus + IM given instantaneously by t_end
    initial_total: float
    fraction_absorbed: float
    max_daily_soluble_feces: float
    diarrhea_probability: float
    mass_balance_errors: np.ndarray  # relative, at every output row and the end
    min_amount: float  # smallest amount (mmol) at any output row or integrator step
    effect_range: tuple[float, float]  # min, max of thiazide_effect (rows and steps)
    body_store_change: float  # body stores (no IM depot) at the end minus at t = 0
    #: RHS evaluations of solve_ivp over the run's segments (not the steady
    #: state's: ``steady.nfev``; not the slope evaluations of the serum extrema)
    nfev: int = 0


def max_daily_amount(t_end: float, cumulative) -> float:
    """Largest increase of ``cumulative(t)`` over the windows [s, min(s + 24, t_end)],
    s = 0, 1, 2, ... < t_end (the whole run if it is shorter than a day)."""
    best = 0.0
    start = 0.0
    while start < t_end:
        best = max(best, cumulative(min(start + 24.0, t_end)) - cumulative(start))
        start += 1.0
    return best


def standard_normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def undissolved_pools(s: Subject, reg: Regimen, t_end: float, p: dict[str, float],
                      forms: dict[str, dict]) -> list[Pool]:
    """The undissolved pools of the oral doses by ``t_end``, in order of first
    appearance (their states follow the N_FIXED fixed states)."""
    pools: list[Pool] = []
    seen = set()
    for t, fid, _, _ in reg.oral:
        if not t <= t_end:
            continue
        for pure, _ in pure_parts(fid, forms):
            k = dissolution_rate(forms[pure], p)
            if math.isfinite(k) and pure not in seen:
                seen.add(pure)
                chel = s.chelate_share if forms[pure]["chelate_route"] else 0.0
                pools.append(Pool(pure, k, chel, is_acid_limited(forms[pure])))
    return pools


def _checked_atol(atol, n_pools: int):
    """A scalar atol as given, or a per-state vector of N_FIXED + n_pools entries."""
    if np.ndim(atol) == 0:
        return atol
    n = N_FIXED + n_pools
    atol = np.asarray(atol, dtype=float)
    if atol.shape != (n,):
        raise ValueError(f"atol: expected a scalar or {n} per-state values "
                         f"({N_FIXED} fixed states + {n_pools} undissolved pools), "
                         f"got shape {atol.shape}")
    return atol


def apply_doses(x: np.ndarray, t: float, reg: Regimen, s: Subject, forms: dict[str, dict],
                pool_index: dict[str, int]) -> float:
    """Add the instantaneous doses at time ``t`` to ``x`` (in place); the mmol given."""
    given = 0.0
    for td, fid, mmol, _ in reg.oral:
        if td == t:
            for pure, share in pure_parts(fid, forms):
                # dissolved forms (solution) enter the stomach
                target = N_FIXED + pool_index[pure] if pure in pool_index else _ST
                x[target] += mmol * share
                given += mmol * share
    for td, mmol in reg.iv_bolus:
        if td == t:
            x[_PL] += mmol
            given += mmol
    for td, mmol in reg.im:
        if td == t:
            # the bioavailable share enters the depot, the rest the muscle's cells
            x[_IM] += s.f_im * mmol
            x[_TI] += mmol - s.f_im * mmol
            given += mmol
    return given


@dataclass
class _Bookkeeping:
    """What a run tracks besides its rows: doses given, serum extrema, mass
    balance, the smallest amount, the thiazide effect's range, the dense
    solutions of the segments and the RHS evaluations."""

    initial_total: float  # gut + body + excreted at t = 0 (the ledgers are 0)
    amounts: list[int]    # columns of the amounts (not ledgers), pools included
    dosed: float = 0.0
    # serum extrema from the state after the events at t = 0 (as the row at t = 0)
    cmax: float = -math.inf
    tmax: float = 0.0
    cmin: float = math.inf
    balance: list[float] = field(default_factory=list)
    min_amount: float = math.inf
    effect_lo: float = math.inf
    effect_hi: float = -math.inf
    #: (a, b, dense solution) per segment, for the daily fecal windows
    dense: list = field(default_factory=list)
    nfev: int = 0

    def check_balance(self, y: np.ndarray) -> None:
        intake = self.initial_total + self.dosed + y[_DIET] + y[_INF]
        total = gut_total(y) + body_total(y) + excreted_total(y)
        self.balance.append(abs(total - intake) / intake)

    def consider_serum(self, c: float, t: float) -> None:
        if c > self.cmax:
            self.cmax, self.tmax = c, t
        self.cmin = min(self.cmin, c)

    def record_segment(self, a: float, b: float, sol) -> None:
        """The integrator's steps on [a, b]: evaluations, dense output, amounts, effect."""
        self.nfev += sol.nfev
        self.dense.append((a, b, sol.sol))
        self.min_amount = min(self.min_amount, float(sol.y[self.amounts].min()))
        self.effect_lo = min(self.effect_lo, float(sol.y[_THZ].min()))
        self.effect_hi = max(self.effect_hi, float(sol.y[_THZ].max()))

    def record_end(self, out: np.ndarray, x: np.ndarray) -> None:
        """The balance at the end, and the amounts and effect of every row and the end."""
        self.check_balance(x)
        self.min_amount = min(self.min_amount, float(np.nanmin(out[:, self.amounts])))
        self.effect_lo = min(self.effect_lo, float(np.nanmin(out[:, _THZ])), float(x[_THZ]))
        self.effect_hi = max(self.effect_hi, float(np.nanmax(out[:, _THZ])), float(x[_THZ]))


@dataclass(frozen=True)
class _Schedule:
    """The fixed ingredients of one run: subject, regimen, pools and solver settings."""

    s: Subject
    reg: Regimen
    t_end: float
    pools: list[Pool]
    forms: dict[str, dict]
    method: str
    rtol: float
    atol: object

    @property
    def pool_index(self) -> dict[str, int]:
        return {pool.form_id: k for k, pool in enumerate(self.pools)}


def integrate_segment(a: float, b: float, x: np.ndarray, inputs: Inputs, run: _Schedule):
    """solve_ivp on [a, b] from x with the segment's constant inputs (dense output)."""
    sol = solve_ivp(rhs, (a, b), x, method=run.method, rtol=run.rtol, atol=run.atol,
                    dense_output=True, args=(inputs,))
    if not sol.success:
        raise RuntimeError(f"integration failed on [{a}, {b}]: {sol.message}")
    return sol


def track_serum_extrema(book: _Bookkeeping, sol, inputs: Inputs, s: Subject) -> None:
    """Serum extrema on a segment: step points, and interior extrema where
    dplasma/dt changes sign (located with brentq on the dense solution)."""
    slope = lambda t: rhs(t, sol.sol(t), inputs)[_PL]  # noqa: E731
    grid = sol.t
    slopes = [slope(t) for t in grid]
    for t, c in zip(grid, sol.y[_PL] / s.v_ecf):
        book.consider_serum(c, t)
    for j in range(len(grid) - 1):
        if slopes[j] * slopes[j + 1] < 0.0:
            te = brentq(slope, grid[j], grid[j + 1], xtol=1e-14, rtol=1e-14)
            book.consider_serum(sol.sol(te)[_PL] / s.v_ecf, te)


def integrate_regimen(x: np.ndarray, run: _Schedule, out_t: np.ndarray, out: np.ndarray,
                      book: _Bookkeeping) -> np.ndarray:
    """Integrate piecewise between the events from x; fills the rows of ``out``
    at ``out_t`` and ``book``; returns the state at t_end."""
    s, pool_index = run.s, run.pool_index
    events = event_times(run.reg, s, run.t_end)
    for k, a in enumerate(events):
        book.dosed += apply_doses(x, a, run.reg, s, run.forms, pool_index)
        book.consider_serum(x[_PL] / s.v_ecf, a)
        for r in np.nonzero(out_t == a)[0]:
            out[r] = x
            book.check_balance(x)
        if k + 1 == len(events):
            break
        b = events[k + 1]
        inputs = inputs_on(a, run.reg, s, run.pools, run.t_end)
        sol = integrate_segment(a, b, x, inputs, run)
        book.record_segment(a, b, sol)
        inner = np.nonzero((out_t > a) & (out_t < b))[0]
        for r in inner:
            out[r] = sol.sol(out_t[r])
            book.check_balance(out[r])
        track_serum_extrema(book, sol, inputs, s)
        x = sol.y[:, -1].copy()
    return x


def max_daily_soluble_feces(t_end: float, final: np.ndarray, dense) -> float:
    """Largest soluble fecal output over the daily windows (``max_daily_amount``),
    read from the segments' dense solutions and the final state."""
    def feces_soluble(t: float) -> float:
        if t >= t_end:
            return float(final[_FES])
        for a, b, f in dense:
            if a <= t < b:
                return float(f(t)[_FES])
        raise AssertionError(t)

    return max_daily_amount(t_end, feces_soluble)


def diarrhea_probability(daily: float, s: Subject) -> float:
    """Log-normal probability of diarrhea at a daily soluble fecal output."""
    return (standard_normal_cdf(math.log(daily / s.diarrhea_d50) / s.diarrhea_log_sd)
            if daily > 0 else 0.0)


def simulate(cov: Covariates, reg: Regimen, t_end: float, output_times: Sequence[float],
             p: dict[str, float], forms: dict[str, dict],
             rtol: float = 1e-13, atol=1e-18, method: str = "DOP853",
             steady_rtol=None, steady_atol=None, steady_method=None) -> Result:
    """Integrate ``reg`` from the steady state; rows at ``output_times`` (sorted).

    ``method``: the ``solve_ivp`` method of the run; ``atol``: a scalar or a
    per-state vector of length N_FIXED + len(undissolved_pools(...)) (the
    fixed states in FIXED_STATES order, then the pools).  The periodic steady
    state is found at ``steady_rtol``/``steady_atol``/``steady_method``, by
    default the run's (a vector atol: its fixed-state entries).

    The default tolerances are tighter than the core's: at rtol=1e-11,
    atol=1e-13 DOP853 leaves errors of ~1e-13 mmol in gut pools that have decayed
    to ~1e-9 mmol (relative 1e-5 there), at 1e-13/1e-18 this model agrees
    with a 3e-14/1e-21 run to ~1e-8 on every state (relative to max(|x|, 1e-9)).
    """
    s = subject_parameters(cov, p)
    # undissolved pools, in order of first appearance
    pools = undissolved_pools(s, reg, t_end, p, forms)
    atol = _checked_atol(atol, len(pools))
    run = _Schedule(s, reg, t_end, pools, forms, method, rtol, atol)
    ss = steady_state(s, len(pools), rtol if steady_rtol is None else steady_rtol,
                      atol if steady_atol is None else steady_atol,
                      method if steady_method is None else steady_method)
    x = ss.x.copy()
    book = _Bookkeeping(initial_total=gut_total(x) + body_total(x) + excreted_total(x),
                        amounts=amount_columns(len(pools)))
    out_t = np.asarray(output_times, dtype=float)
    out = np.full((len(out_t), N_FIXED + len(pools)), np.nan)
    x = integrate_regimen(x, run, out_t, out, book)
    book.record_end(out, x)

    daily = max_daily_soluble_feces(t_end, x, book.dense)
    oral_mmol = sum(m for t, _, m, _ in reg.oral if t <= t_end)
    return Result(
        times=out_t, states=out, pools=pools, steady=ss, final=x, cmax=book.cmax,
        tmax=book.tmax, cmin=book.cmin, oral_mmol=oral_mmol, dosed_mmol=book.dosed,
        initial_total=book.initial_total,
        fraction_absorbed=(x[_ABSS] / oral_mmol) if oral_mmol > 0 else math.nan,
        max_daily_soluble_feces=daily, diarrhea_probability=diarrhea_probability(daily, s),
        mass_balance_errors=np.asarray(book.balance), min_amount=book.min_amount,
        effect_range=(book.effect_lo, book.effect_hi),
        body_store_change=body_stores(x) - body_stores(ss.x),
        nfev=book.nfev,
    )
