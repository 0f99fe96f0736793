"""PINTS adapter: a magpk study as a ``pints.ForwardModel`` (:class:`MagpkForwardModel`).

Needs PINTS (``pip install "magpk[fit]"``); imported only by ``import magpk.pints``
(``import magpk`` never imports it). Use it with any PINTS problem, error
measure, optimizer or MCMC sampler::

    import pints
    import magpk.pints

    model = magpk.pints.MagpkForwardModel(
        magpk.Regimen().iv_infusion(mgso4_g=4, duration_h=1 / 3),
        parameters=["ecf_volume_l_per_kg", "renal_tm_mmol_per_l_filtrate"])
    problem = pints.SingleOutputProblem(model, times, serum_values)

Parameter values are in each parameter's own units (see :func:`magpk.parameters`).
The core computes no parameter sensitivities, so there is no
``pints.ForwardModelS1`` (use gradient-free PINTS methods, or finite differences).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

try:
    import pints as _pints
except ImportError as error:  # pragma: no cover - exercised with sys.modules["pints"] = None
    raise ImportError('magpk.pints needs PINTS: pip install "magpk[fit]"') from error

from . import _core
from .fit import fitted_parameters, parameter_bounds, parameter_values
from .parameters import core_physiology
from .regimen import Regimen
from .simulate import (
    DEFAULT_ATOL,
    DEFAULT_ATOL_GUT,
    DEFAULT_RTOL,
    check_regimen_and_subject,
    simulate,
)
from .subject import Subject

__all__ = ["MagpkForwardModel"]

#: Columns of :meth:`magpk.Result.to_frame` a model can output (all but ``time_h``).
OUTPUT_COLUMNS: tuple[str, ...] = tuple(
    c for c in ("serum_mmol_l", "serum_mg_dl", "serum_meq_l", *_core.output_columns())
    if c != "time_h")


def _outputs(output: str | Sequence[str]) -> list[str]:
    names = [output] if isinstance(output, str) else list(output)
    if not names:
        raise ValueError("output: give at least one output column")
    for name in names:
        if name not in OUTPUT_COLUMNS:
            close = _core.closest_names(str(name), list(OUTPUT_COLUMNS), 3)
            raise ValueError(f"output={name!r}: not an output column; did you mean "
                             f"{', '.join(map(repr, close))}? Allowed: columns of "
                             f"magpk.Result.to_frame() except time_h")
    return names


class MagpkForwardModel(_pints.ForwardModel):  # type: ignore[misc]  # pints ships no types
    """A regimen and subject as a ``pints.ForwardModel``: the PINTS parameters
    are the named physiological parameters (own units), the outputs are columns
    of :meth:`magpk.Result.to_frame` at the requested times.

    Parameters
    ----------
    regimen, subject
        as for :func:`magpk.simulate` (subject: a default adult if omitted).
    parameters
        names of the physiological parameters PINTS varies, in order.
    output
        one output column (default ``"serum_mmol_l"``; ``simulate`` returns a
        1-D array) or a list of them (an array of shape ``(n_times, n_outputs)``).
    t_end_h
        length of each run; default: the last requested time.
    fixed
        other parameter overrides held fixed.
    rtol, atol, atol_gut
        solver tolerances, as for :func:`magpk.simulate`.
    """

    def __init__(self, regimen: Regimen, subject: Subject | None = None, *,
                 parameters: Sequence[str], output: str | Sequence[str] = "serum_mmol_l",
                 t_end_h: float | None = None, fixed: Mapping[str, float] | None = None,
                 rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
                 atol_gut: float = DEFAULT_ATOL_GUT) -> None:
        super().__init__()
        self._subject = check_regimen_and_subject(regimen, subject)
        self._regimen = regimen
        self._fixed = dict(fixed or {})
        core_physiology(self._fixed)
        self._names = list(fitted_parameters(parameters, self._fixed))
        self._outputs = _outputs(output)
        self._t_end_h = t_end_h
        self._solver: dict[str, Any] = {"rtol": rtol, "atol": atol, "atol_gut": atol_gut}

    def n_parameters(self) -> int:
        return len(self._names)

    def n_outputs(self) -> int:
        return len(self._outputs)

    def parameter_names(self) -> list[str]:
        """The names of the parameters, in the order of the PINTS parameter vector."""
        return list(self._names)

    def default_values(self) -> np.ndarray:
        """The table values of the parameters (a starting point)."""
        table = parameter_values()
        return np.array([table[name] for name in self._names])

    def boundaries(self) -> Any:
        """``pints.RectangularBoundaries``: the range the core accepts (as :func:`magpk.fit`)."""
        low, high = zip(*(parameter_bounds(name) for name in self._names))
        return _pints.RectangularBoundaries(list(low), list(high))

    def simulate(self, parameters: Sequence[float], times: Sequence[float]) -> np.ndarray:
        values = np.asarray(parameters, dtype=float).ravel()
        if values.shape != (len(self._names),):
            raise ValueError(f"parameters: expected {len(self._names)} values "
                             f"({', '.join(self._names)}), got {values.size}")
        grid = np.asarray(times, dtype=float)
        if grid.ndim != 1 or grid.size == 0:
            raise ValueError("times: expected a non-empty 1-D sequence of times in hours")
        t_end = float(grid.max()) if self._t_end_h is None else self._t_end_h
        overrides = {**self._fixed, **dict(zip(self._names, values.tolist()))}
        result = simulate(self._regimen, self._subject, t_end_h=t_end,
                          output_times_h=grid.tolist(), parameters=overrides, **self._solver)
        frame = result.to_frame()
        rows = np.searchsorted(frame["time_h"].to_numpy(), grid)
        out = frame[self._outputs].to_numpy()[rows]
        return out[:, 0] if len(self._outputs) == 1 else out
