"""A virtual subject: body size, sex, age, kidney function, diet and drugs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from . import _arguments, _core
from .intakes import rda_mg_per_day

_DIURETICS = (None, "loop", "thiazide")
_ADULT_AGE = float(_core.ADULT_AGE_YEARS)
_MIN_AGE = float(_core.MIN_AGE_YEARS)
_MAX_AGE = float(_core.MAX_AGE_YEARS)
_MIN_WEIGHT = float(_core.MIN_WEIGHT_KG)
_MIN_ADULT_WEIGHT = float(_core.MIN_ADULT_WEIGHT_KG)
_MAX_WEIGHT = float(_core.MAX_WEIGHT_KG)
_MAX_EGFR = float(_core.MAX_EGFR_ML_MIN)
_MAX_DIET = float(_core.MAX_DIET_MG_PER_DAY)
_MAX_HEIGHT = float(_core.MAX_HEIGHT_CM)
#: Habitual intake assumed for adults when none is given (the core's default:
#: ~US adult mean, IOM 1997).
_ADULT_DIET_MG_PER_DAY = float(_core.Covariates().diet_mg_per_day)

#: The default meal schedule: (clock hour, share of the day's dietary Mg) for
#: breakfast 08:00, lunch 12:30 and dinner 19:30 (shares from US energy intake
#: by meal; docs/model.md). Read from the core, which owns the numbers.
DEFAULT_MEALS: tuple[tuple[float, float], ...] = tuple(
    (meal.clock_h, meal.share) for meal in _core.default_meals())
#: Clock time of t = 0 by default (07:00): an hour before breakfast.
DEFAULT_START_CLOCK_H: float = float(_core.DEFAULT_START_CLOCK_H)


def _meals(value: Any) -> tuple[tuple[float, float], ...]:
    """Validated meal schedule: "default", "continuous" or (clock_h, share) pairs."""
    if isinstance(value, str):
        choice = _arguments.choice("meals", value, ("default", "continuous"))
        return DEFAULT_MEALS if choice == "default" else ()
    try:
        pairs = tuple(tuple(pair) for pair in value)
    except TypeError:
        raise TypeError(f"meals={value!r}: expected 'default', 'continuous' or a sequence of "
                        f"(clock_h, share) pairs") from None
    if not pairs:
        raise ValueError("meals=(): give at least one meal, or meals='continuous' for a "
                         "continuous intake")
    meals = []
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"meals: {pair!r} is not a (clock_h, share) pair")
        clock = _arguments.real("meals clock_h", pair[0], minimum=0.0, maximum=23.999999,
                                allowed="allowed: 0 <= clock_h < 24")
        share = _arguments.real("meals share", pair[1], strictly_positive=True, maximum=1.0,
                                allowed="allowed: > 0 and <= 1")
        meals.append((clock, share))
    total = sum(share for _, share in meals)
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"meals={value!r}: shares sum to {total:g}; they must sum to 1")
    # Spacing: the core's rule (meals at least one fed period apart), with its message.
    try:
        _core.validate_meal_spacing([_core.Meal(clock, share) for clock, share in meals],
                                    _core.Physiology().get("fed_state_duration_h"))
    except ValueError as error:
        raise ValueError(f"meals={value!r}: {error}") from None
    return tuple(meals)


@dataclass(frozen=True)
class Subject:
    """Covariates of one person: an adult (18-110 y) or a child (1-17 y).

    Parameters
    ----------
    weight_kg
        body weight, 30-250 kg for adults, 5-250 kg for children (scales
        extracellular volume, stores and clearances).
    sex
        ``"female"`` or ``"male"`` (body composition, default height).
    age_years
        1-110 (body composition; in children also extracellular volume
        per kg and GFR maturation).
    egfr_ml_min
        glomerular filtration rate, mL/min (absolute, not per
        1.73 m²), in (0, 250]; renal filtration and the tubular maximum scale
        with it. ``None`` (default): typical for age and size — 100 mL/min for
        adults; for children 100 × (weight/70)^0.75 × the maturation function
        of Rhodin 2009. The resolved value is stored.
    diet_mg_per_day
        habitual dietary Mg intake, mg/day, in (0, 5000]; the
        simulation starts at the homeostatic steady state on this diet.
        ``None`` (default): 300 mg/day for adults (US mean intake), the RDA for
        age and sex for children (IOM 1997).
    pregnant
        larger extracellular volume (requires ``sex="female"``).
    ppi
        proton-pump inhibitor use (lower transcellular absorption).
    diuretic
        ``None``, ``"loop"`` or ``"thiazide"`` (lower renal tubular maximum).
        These flags mean "throughout the run"; for drugs that start or stop
        during a run use :meth:`Regimen.drug`.
    height_cm
        optional (120-230 cm adults, 60-230 cm children); defaults to
        the adult mean height for the sex, or for a child the height giving a
        typical BMI for age at this weight.
    meals
        how the day's dietary Mg is eaten: ``"default"`` (breakfast 08:00
        20%, lunch 12:30 35%, dinner 19:30 45%), ``"continuous"`` (a constant
        intake, no fed periods), or a sequence of ``(clock_h, share)`` pairs
        whose shares sum to 1 and which are at least one fed period (3.5 h) apart.
    start_clock_h
        clock time of t = 0, hours in [0, 24) (default 7.0, an hour
        before breakfast: a dose at t = 0 is taken fasting).
    """

    weight_kg: float = 70.0
    sex: str = "female"
    age_years: float = 40.0
    egfr_ml_min: float | None = None
    diet_mg_per_day: float | None = None
    pregnant: bool = False
    ppi: bool = False
    diuretic: str | None = None
    height_cm: float | None = None
    meals: str | tuple[tuple[float, float], ...] = "default"
    start_clock_h: float = DEFAULT_START_CLOCK_H

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "age_years", _arguments.real(
            "age_years", self.age_years, minimum=_MIN_AGE, maximum=_MAX_AGE,
            allowed=f"allowed: {_MIN_AGE:g}-{_MAX_AGE:g} years (children from {_MIN_AGE:g} year)"))
        adult = self.age_years >= _ADULT_AGE
        min_weight = _MIN_ADULT_WEIGHT if adult else _MIN_WEIGHT
        set_(self, "weight_kg", _arguments.real(
            "weight_kg", self.weight_kg, minimum=min_weight, maximum=_MAX_WEIGHT,
            allowed=f"allowed: {min_weight:g}-{_MAX_WEIGHT:g} kg{'' if adult else ' for a child'}"))
        set_(self, "sex", _arguments.choice("sex", self.sex, ("female", "male")))
        if self.egfr_ml_min is None:
            set_(self, "egfr_ml_min", float(_core.typical_egfr_ml_min(
                self.age_years, self.weight_kg, _core.Physiology())))
        set_(self, "egfr_ml_min", _arguments.real(
            "egfr_ml_min", self.egfr_ml_min, maximum=_MAX_EGFR, strictly_positive=True,
            allowed=f"allowed: > 0 and <= {_MAX_EGFR:g} mL/min"))
        if self.diet_mg_per_day is None:
            set_(self, "diet_mg_per_day",
                 _ADULT_DIET_MG_PER_DAY if adult else rda_mg_per_day(self.age_years, self.sex))
        set_(self, "diet_mg_per_day", _arguments.real(
            "diet_mg_per_day", self.diet_mg_per_day, maximum=_MAX_DIET, strictly_positive=True,
            allowed=f"allowed: > 0 and <= {_MAX_DIET:g} mg/day"))
        _arguments.boolean("pregnant", self.pregnant)
        _arguments.boolean("ppi", self.ppi)
        _arguments.choice("diuretic", self.diuretic, _DIURETICS)
        if self.height_cm is not None:
            low = float(_core.MIN_ADULT_HEIGHT_CM if adult else _core.MIN_CHILD_HEIGHT_CM)
            set_(self, "height_cm", _arguments.real("height_cm", self.height_cm, minimum=low,
                                                    maximum=_MAX_HEIGHT,
                                                    allowed=f"allowed: {low:g}-{_MAX_HEIGHT:g} cm"))
        if self.pregnant and not adult:
            raise ValueError(f"pregnant=True with age_years={self.age_years:g}: pregnancy is "
                             f"modeled for adults (18+) only")
        set_(self, "meals", _meals(self.meals))
        set_(self, "start_clock_h", _arguments.real(
            "start_clock_h", self.start_clock_h, minimum=0.0, maximum=23.999999,
            allowed="allowed: 0 <= start_clock_h < 24"))
        if self.pregnant and self.sex != "female":
            raise ValueError(
                f"pregnant=True with sex={self.sex!r}: pregnancy requires sex='female'")

    def _repr_html_(self) -> str:
        from ._display import html_table
        rows = [("weight", f"{self.weight_kg:g} kg"), ("sex", self.sex),
                ("age", f"{self.age_years:g} years"), ("eGFR", f"{self.egfr_ml_min:g} mL/min"),
                ("diet", f"{self.diet_mg_per_day:g} mg/day"), ("pregnant", self.pregnant),
                ("PPI", self.ppi), ("diuretic", self.diuretic or "none"),
                ("height",
                 "default for sex" if self.height_cm is None else f"{self.height_cm:g} cm"),
                ("meals", self._meals_text()), ("t = 0 at", _clock(self.start_clock_h))]
        return html_table(rows, "magpk.Subject")

    def summary(self) -> str:
        """One line for terminals, e.g. ``female, 40 y, 70 kg, eGFR 100 mL/min, diet 300
        mg/day as meals at 08:00 (20%), ...; t = 0 at 07:00``."""
        parts = [self.sex, f"{self.age_years:g} y", f"{self.weight_kg:g} kg"]
        if self.height_cm is not None:
            parts.append(f"{self.height_cm:g} cm")
        parts += [f"eGFR {self.egfr_ml_min:.4g} mL/min", f"diet {self.diet_mg_per_day:g} mg/day as "
                  + ("continuous intake" if not self.meals else f"meals at {self._meals_text()}")]
        parts += [flag for flag, on in (("pregnant", self.pregnant), ("PPI", self.ppi)) if on]
        if self.diuretic:
            parts.append(f"{self.diuretic} diuretic")
        return ", ".join(parts) + f"; t = 0 at {_clock(self.start_clock_h)}"

    @property
    def _meal_pairs(self) -> tuple[tuple[float, float], ...]:
        """``meals`` as ``__post_init__`` leaves it: (clock_h, share) pairs, () if continuous."""
        return cast("tuple[tuple[float, float], ...]", self.meals)

    def _meals_text(self) -> str:
        if not self.meals:
            return "continuous intake"
        return ", ".join(f"{_clock(clock)} ({share:.0%})" for clock, share in self._meal_pairs)

    def _to_core(self) -> _core.Covariates:
        covariates = _core.Covariates()
        covariates.weight_kg = self.weight_kg
        covariates.sex = getattr(_core.Sex, self.sex)
        covariates.age_years = self.age_years
        # __post_init__ has filled in both defaults: floats, never None, here.
        covariates.egfr_ml_min = cast(float, self.egfr_ml_min)
        covariates.diet_mg_per_day = cast(float, self.diet_mg_per_day)
        covariates.pregnant = self.pregnant
        covariates.ppi = self.ppi
        covariates.diuretic = getattr(_core.Diuretic, self.diuretic or "none")
        covariates.height_cm = self.height_cm or 0.0
        covariates.meals = [_core.Meal(clock, share) for clock, share in self._meal_pairs]
        covariates.start_clock_h = self.start_clock_h
        return covariates


def _clock(hours: float) -> str:
    minutes = round(hours * 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
