"""Side-by-side comparison of supplement forms at the same dose."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .forms import MG_PER_MMOL, identical_groups
from .forms import forms as form_catalogue
from .regimen import Regimen
from .simulate import simulate
from .subject import Subject


def compare_forms(forms: Sequence[str], dose_mg: float, *, every_h: float | None = None,
                  count: int | None = None, days: float | None = None,
                  subject: Subject | None = None, t_end_h: float = 72.0,
                  basis: str = "elemental", with_food: bool = False, start_h: float = 0.0,
                  uncertainty: int | None = None, seed: int | None = None,
                  threads: int | None = None, **simulate_options: Any) -> pd.DataFrame:
    """Simulate the same oral regimen with each form in ``forms``.

    Returns a DataFrame indexed by form with the metrics of
    :meth:`Result.metrics` as columns, plus ``elemental_mg_per_dose``,
    ``evidence_grade`` (what the form's kinetics rest on) and
    ``same_kinetics_as`` (the other compared forms that the model simulates
    identically: equal rows there are an assumption, not a finding). The groups
    are also in ``frame.attrs["identical_by_assumption"]``.
    ``dose_mg`` is elemental per dose unless ``basis="compound"``.

    With ``uncertainty=n`` (and optionally ``seed``, ``threads``: see
    :func:`simulate`), every form is simulated with the same ``n`` parameter
    draws from the calibration covariance and the table adds ``<metric>_p5``
    and ``<metric>_p95`` for each metric; ``frame.attrs["uncertainty"]`` holds
    the draws (:class:`magpk.uncertainty.UncertaintyDraws`), whose
    ``differences(metric, reference)`` tells which differences between forms
    the evidence resolves (paired draws).
    """
    if (isinstance(forms, str) or not hasattr(forms, "__iter__")
            or (isinstance(forms, np.ndarray) and forms.ndim != 1)):
        raise TypeError(f"forms={forms!r}: expected a list of form ids, e.g. ['oxide', 'citrate']")
    forms = list(forms)
    if not forms:
        raise ValueError("forms=[]: give at least one form id")
    rows = {}
    results = {}
    draw_options: dict[str, Any] = (
        {} if uncertainty is None and seed is None and threads is None else
        {"uncertainty": uncertainty, "seed": seed, "threads": threads})
    for form in forms:
        regimen = Regimen().oral(form, dose_mg, every_h=every_h, count=count, days=days,
                                 start_h=start_h, basis=basis, with_food=with_food)
        result = simulate(regimen, subject, t_end_h=t_end_h, **draw_options, **simulate_options)
        results[form] = result
        metrics = result.metrics()
        metrics["elemental_mg_per_dose"] = regimen.oral_events[0].elemental_mmol * MG_PER_MMOL
        rows[form] = metrics
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "form"
    catalogue = form_catalogue()
    frame["evidence_grade"] = [catalogue.loc[form, "evidence_grade"] for form in frame.index]
    groups = identical_groups(list(frame.index))
    same = {form: ", ".join(g for g in group if g != form) for group in groups for form in group}
    frame["same_kinetics_as"] = [same.get(form, "") for form in frame.index]
    frame.attrs["identical_by_assumption"] = groups
    if uncertainty is not None:
        from .uncertainty import combine
        frame.attrs["uncertainty"] = combine(results)
    return frame
