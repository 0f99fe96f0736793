"""A virtual subject: body size, sex, age, kidney function, diet and drugs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from . import _core, _validation

_DIURETICS = (None, "loop", "thiazide")


@dataclass(frozen=True)
class Subject:
    """Covariates of one adult.

    Parameters
    ----------
    weight_kg : body weight, 30-250 kg (scales extracellular volume and stores).
    sex : ``"female"`` or ``"male"`` (body composition, default height).
    age_years : 18-110 (body composition).
    egfr_ml_min : glomerular filtration rate, mL/min, in (0, 250]; renal
        filtration and the tubular maximum scale with it.
    diet_mg_per_day : habitual dietary Mg intake, mg/day, in (0, 5000]; the
        simulation starts at the homeostatic steady state on this diet.
    pregnant : larger extracellular volume (requires ``sex="female"``).
    ppi : proton-pump inhibitor use (lower transcellular absorption).
    diuretic : ``None``, ``"loop"`` or ``"thiazide"`` (lower renal tubular maximum).
    height_cm : optional; defaults to the adult mean height for the sex.
    """

    weight_kg: float = 70.0
    sex: str = "female"
    age_years: float = 40.0
    egfr_ml_min: float = 100.0
    diet_mg_per_day: float = 300.0
    pregnant: bool = False
    ppi: bool = False
    diuretic: Optional[str] = None
    height_cm: Optional[float] = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "weight_kg", _validation.real("weight_kg", self.weight_kg, minimum=30.0,
                                                 maximum=250.0, allowed="allowed: 30-250 kg"))
        set_(self, "sex", _validation.choice("sex", self.sex, ("female", "male")))
        set_(self, "age_years", _validation.real("age_years", self.age_years, minimum=18.0,
                                                 maximum=110.0, allowed="allowed: 18-110 years"))
        set_(self, "egfr_ml_min", _validation.real("egfr_ml_min", self.egfr_ml_min, maximum=250.0,
                                                   strictly_positive=True,
                                                   allowed="allowed: > 0 and <= 250 mL/min"))
        set_(self, "diet_mg_per_day", _validation.real(
            "diet_mg_per_day", self.diet_mg_per_day, maximum=5000.0, strictly_positive=True,
            allowed="allowed: > 0 and <= 5000 mg/day"))
        _validation.boolean("pregnant", self.pregnant)
        _validation.boolean("ppi", self.ppi)
        _validation.choice("diuretic", self.diuretic, _DIURETICS)
        if self.height_cm is not None:
            set_(self, "height_cm", _validation.real("height_cm", self.height_cm, minimum=120.0,
                                                     maximum=230.0, allowed="allowed: 120-230 cm"))
        if self.pregnant and self.sex != "female":
            raise ValueError(f"pregnant=True with sex={self.sex!r}: pregnancy requires sex='female'")

    def _repr_html_(self) -> str:
        from ._display import html_table
        rows = [("weight", f"{self.weight_kg:g} kg"), ("sex", self.sex),
                ("age", f"{self.age_years:g} years"), ("eGFR", f"{self.egfr_ml_min:g} mL/min"),
                ("diet", f"{self.diet_mg_per_day:g} mg/day"), ("pregnant", self.pregnant),
                ("PPI", self.ppi), ("diuretic", self.diuretic or "none"),
                ("height", "default for sex" if self.height_cm is None else f"{self.height_cm:g} cm")]
        return html_table(rows, "magpk.Subject")

    def _to_core(self) -> "_core.Covariates":
        covariates = _core.Covariates()
        covariates.weight_kg = self.weight_kg
        covariates.sex = getattr(_core.Sex, self.sex)
        covariates.age_years = self.age_years
        covariates.egfr_ml_min = self.egfr_ml_min
        covariates.diet_mg_per_day = self.diet_mg_per_day
        covariates.pregnant = self.pregnant
        covariates.ppi = self.ppi
        covariates.diuretic = getattr(_core.Diuretic, self.diuretic or "none")
        covariates.height_cm = self.height_cm or 0.0
        return covariates
