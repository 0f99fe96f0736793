"""Interactive explorers for teaching: sliders that re-simulate and redraw.

- :func:`explore`: an oral supplement (form, dose, interval, with food) for a
  subject whose eGFR and weight are sliders too;
- :func:`explore_iv`: IV magnesium sulfate, a loading infusion then a
  maintenance infusion (Zuspan-type), with sliders for both doses, eGFR and
  weight.

Both return an :class:`Explorer`: one matplotlib figure (serum with the
reference range and clinical thresholds of :mod:`magpk.plot`; the change of
the body stores; cumulative absorption and excretion; key metrics) that every
control change re-simulates and redraws in place. Displayed in Jupyter it
shows the controls above the figure (and, in viewers without a live kernel,
the figure as a static image).

Needs matplotlib (``pip install "magpk[plot]"``); the sliders also need
ipywidgets (``pip install "magpk[notebooks]"``). Without ipywidgets the
explorer is a static figure for the values given (``Explorer.widget`` is
``None``, and a line saying so is printed); ``Explorer.update(...)`` still
re-simulates and redraws. Neither library is imported before an explorer is
built, so ``import magpk`` does not need them.
"""

from __future__ import annotations

import base64
import functools
import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable

from . import _arguments, presets
from . import plot as _plot
from .forms import form_ids
from .regimen import MIN_INFUSION_H, Regimen
from .simulate import Result, check_regimen_and_subject, simulate
from .subject import Subject

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Control", "Explorer", "explore", "explore_iv"]

#: Output points per run (the output grid is the run length over this): fine
#: enough for a 20-min loading infusion in a 24-h run and for oral peaks over days.
OUTPUT_POINTS = 2000
#: Longest run an explorer accepts (days): every control change re-simulates.
MAX_DAYS = 365.0
#: The loading infusion of the Zuspan regimen lasts 20 minutes (MgSO4 SmPC).
ZUSPAN_LOADING_H = presets.LOADING_H
#: Figure size (inches) and the resolution of the image sent to the browser.
FIGURE_SIZE_IN = (12.0, 8.0)
IMAGE_DPI = 80

_STORES = ("tissue_mmol", "bone_mmol")
_WIDGETS_HINT = 'the sliders need ipywidgets: pip install "magpk[notebooks]"'


@dataclass(frozen=True)
class Control:
    """One control of an explorer: the argument it sets and its range.

    A slider from ``low`` to ``high`` in ``step``; a dropdown when
    ``options`` is given; a checkbox when ``toggle`` is true.
    """

    name: str
    label: str
    low: float = 0.0
    high: float = 0.0
    step: float = 0.0
    options: tuple[str, ...] = ()
    toggle: bool = False

    def including(self, value: Any) -> Control:
        """This control with its slider range widened to include ``value``."""
        if self.options or self.toggle:
            return self
        return replace(self, low=min(self.low, float(value)), high=max(self.high, float(value)))


# Slider ranges for teaching (the subject's own values are always included).
WEIGHT = Control("weight_kg", "weight (kg)", 40.0, 150.0, 5.0)
EGFR = Control("egfr_ml_min", "eGFR (mL/min)", 10.0, 160.0, 5.0)
DOSE = Control("dose_mg", "dose (mg Mg)", 25.0, 1000.0, 25.0)
INTERVAL = Control("every_h", "every (h)", 4.0, 48.0, 1.0)
WITH_FOOD = Control("with_food", "with food", toggle=True)
LOADING = Control("loading_mgso4_g", "loading (g MgSO4)", 0.0, 8.0, 0.5)
MAINTENANCE = Control("maintenance_mgso4_g_per_h", "maintenance (g/h)", 0.0, 3.0, 0.25)


def _figure_class() -> Any:
    """matplotlib's Figure, or an ImportError with the install hint."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError('magpk.widgets needs matplotlib: pip install "magpk[plot]"') from error
    return Figure


def _plot_stores(result: Result, ax: Axes) -> None:
    """Tissue and bone Mg minus the no-dose run's: what the dose added to the stores."""
    frame, base = result.to_frame(), result.baseline_frame()
    divisor, xlabel = _plot.time_axis(result.t_end_h)
    for column, name, color in _plot.POOLS:
        if column in _STORES:
            ax.plot(frame["time_h"] / divisor, frame[column] - base[column], color=color, lw=1.6,
                    label=name)
    ax.axhline(0.0, color="black", lw=0.6)
    ax.set_xlim(0.0, result.t_end_h / divisor)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Mg content minus no-dose run (mmol)")
    ax.set_title("body stores: gain vs no dose")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
    ax.grid(True, alpha=0.25)


class Explorer:
    """Controls bound to a simulation and its figure (see :func:`explore`).

    Attributes: ``figure`` (matplotlib Figure), ``axes`` (``"serum"``,
    ``"stores"``, ``"cumulative"``, ``"metrics"``), ``values`` (current
    control values), ``subject``, ``result`` (the latest :class:`magpk.Result`),
    ``controls`` (:class:`Control` specs), ``widget`` (the ipywidgets ``VBox``,
    or ``None`` without ipywidgets) and ``inputs`` (the input widget of each
    control, by name). :meth:`update` changes values from code.
    """

    def __init__(self, make_regimen: Callable[[Mapping[str, Any]], Regimen], subject: Subject,
                 t_end_h: float, values: Mapping[str, Any], controls: Sequence[Control],
                 describe: Callable[[Mapping[str, Any]], str]) -> None:
        self._make_regimen = make_regimen
        self._describe = describe
        self._base_subject = subject
        self.t_end_h = t_end_h
        self.values: dict[str, Any] = dict(values)
        self.subject = subject
        self.result: Result | None = None
        self.widget: Any = None
        self.inputs: dict[str, Any] = {}
        self._image: Any = None
        self._status: Any = None
        self._syncing = False
        self._sliders: set[str] = set()
        self._png_bytes: bytes | None = None
        self.figure: Figure = _figure_class()(figsize=FIGURE_SIZE_IN, layout="constrained")
        grid = self.figure.subplots(2, 2)
        self.axes: dict[str, Axes] = {"serum": grid[0, 0], "stores": grid[0, 1],
                                        "cumulative": grid[1, 0], "metrics": grid[1, 1]}
        self.update()  # validates the initial values and draws
        self.controls = tuple(control.including(self.values[control.name])
                              for control in controls)
        self.widget = self._build_widget()
        if self.widget is None:
            print(f"magpk.widgets: ipywidgets is not installed, so this is a static figure for "
                  f"the values given; {_WIDGETS_HINT}")

    def update(self, **changes: Any) -> Result:
        """Set control values (by argument name), re-simulate and redraw.

        Raises ``TypeError`` for an unknown name and ``ValueError`` (or
        ``TypeError``) for a value the model does not accept; the explorer then
        keeps its previous state. Returns the new result.
        """
        unknown = sorted(set(changes) - set(self.values))
        if unknown:
            raise TypeError(f"update(): unknown argument(s) {', '.join(map(repr, unknown))}; "
                            f"allowed: {', '.join(self.values)}")
        values = {**self.values, **changes}
        subject = replace(self._base_subject, weight_kg=values["weight_kg"],
                          egfr_ml_min=values["egfr_ml_min"])  # Subject validates both
        result = simulate(self._make_regimen(values), subject, t_end_h=self.t_end_h,
                          output_every_h=self.t_end_h / OUTPUT_POINTS)
        self.values, self.subject, self.result = values, subject, result
        self._draw(result)
        self._sync_inputs()
        return result

    def _draw(self, result: Result) -> None:
        """Redraw every panel from ``result``, the current one (plots of :mod:`magpk.plot`)."""
        axes = self.axes
        for ax in axes.values():
            ax.clear()
        _plot.plot_serum(result, ax=axes["serum"], baseline=True)
        axes["serum"].set_title("serum")
        _plot_stores(result, axes["stores"])
        _plot.plot_cumulative(result, ax=axes["cumulative"])
        axes["cumulative"].set_title("cumulative absorption and excretion")
        text = axes["metrics"]
        text.axis("off")
        text.set_title("metrics")
        text.text(0.02, 0.98, _plot.metrics_text(result), transform=text.transAxes, va="top",
                  ha="left", family="monospace", fontsize=8.5,
                  bbox={"boxstyle": "round", "facecolor": "whitesmoke", "edgecolor": "lightgrey"})
        self.figure.suptitle(f"{self._describe(self.values)} | {self.subject.weight_kg:g} kg, "
                             f"eGFR {self.subject.egfr_ml_min:g} mL/min")
        self._png_bytes = None
        if self._image is not None:
            self._image.value = self._png()

    def _png(self) -> bytes:
        """The figure as PNG (rendered once per update)."""
        if self._png_bytes is None:
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=IMAGE_DPI)
            self._png_bytes = buffer.getvalue()
        return self._png_bytes

    def _build_widget(self) -> Any:
        """Controls above an image of the figure; ``None`` without ipywidgets."""
        try:
            import ipywidgets
        except ImportError:
            return None
        for control in self.controls:
            value = self.values[control.name]
            if control.toggle:
                box = ipywidgets.Checkbox(value=value, description=control.label)
            elif control.options:
                box = ipywidgets.Dropdown(options=control.options, value=value,
                                          description=control.label)
            else:
                box = ipywidgets.FloatSlider(value=value, min=control.low, max=control.high,
                                             step=control.step, description=control.label,
                                             continuous_update=False)
            box.style.description_width = "initial"
            box.observe(functools.partial(self._on_change, control.name), names="value")
            self.inputs[control.name] = box
            if not (control.toggle or control.options):
                self._sliders.add(control.name)
        half = (len(self.inputs) + 1) // 2
        boxes = list(self.inputs.values())
        self._status = ipywidgets.HTML()
        self._image = ipywidgets.Image(value=self._png(), format="png")
        return ipywidgets.VBox([ipywidgets.HBox([ipywidgets.VBox(boxes[:half]),
                                                 ipywidgets.VBox(boxes[half:])]),
                                self._status, self._image])

    def _on_change(self, name: str, change: Mapping[str, Any]) -> None:
        if self._syncing:
            return
        try:
            self.update(**{name: change["new"]})
        except (TypeError, ValueError) as error:  # shown under the controls, state kept
            self._status.value = f"<span style='color:firebrick'>{html.escape(str(error))}</span>"
            return
        self._status.value = ""

    def _sync_inputs(self) -> None:
        """Move the inputs to the current values (after an update from code)."""
        self._syncing = True
        try:
            for name, box in self.inputs.items():
                value = self.values[name]
                if name in self._sliders:  # widen a slider's range rather than clip
                    box.min, box.max = min(box.min, value), max(box.max, value)
                box.value = value
        finally:
            self._syncing = False

    def __repr__(self) -> str:
        state = "interactive" if self.widget is not None else f"static figure ({_WIDGETS_HINT})"
        return f"magpk.widgets.Explorer: {self._describe(self.values)} [{state}]"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The widget where a live kernel renders it; the figure as PNG elsewhere."""
        data: dict[str, Any] = {"image/png": base64.b64encode(self._png()).decode("ascii")}
        bundle = getattr(self.widget, "_repr_mimebundle_", None)
        if bundle is not None:
            data.update(bundle(include=include, exclude=exclude))
        data["text/plain"] = repr(self)
        return data


def _subject_values(subject: Any, egfr_ml_min: float | None,
                    weight_kg: float | None) -> tuple[Subject, dict[str, Any]]:
    """The base subject (default adult if None) and the initial eGFR and weight."""
    subject = check_regimen_and_subject(Regimen(), subject)
    return subject, {"egfr_ml_min": subject.egfr_ml_min if egfr_ml_min is None else egfr_ml_min,
                     "weight_kg": subject.weight_kg if weight_kg is None else weight_kg}


def _run_days(days: Any) -> float:
    return _arguments.real("days", days, strictly_positive=True, maximum=MAX_DAYS,
                           allowed=f"allowed: > 0 and <= {MAX_DAYS:g} days")


def _oral_regimen(values: Mapping[str, Any], days: float) -> Regimen:
    return Regimen().oral(values["form"], values["dose_mg"], every_h=values["every_h"], days=days,
                          with_food=values["with_food"])


def _oral_title(values: Mapping[str, Any], days: float) -> str:
    food = " with food" if values["with_food"] else ""
    return (f"{values['form']} {values['dose_mg']:g} mg every {values['every_h']:g} h{food} "
            f"for {days:g} days")


def explore(form: str = "glycinate", dose_mg: float = 200.0, every_h: float = 12.0,
            days: float = 14.0, *, egfr_ml_min: float | None = None,
            weight_kg: float | None = None, with_food: bool = False,
            subject: Subject | None = None) -> Explorer:
    """An explorer of an oral supplement: controls for form, dose (elemental mg
    per dose), interval, with food, eGFR and body weight.

    ``days`` is the dosing period and the simulated time (not a control).
    ``subject`` sets everything else (sex, age, diet, drugs, meals; default
    :class:`magpk.Subject`); ``egfr_ml_min`` and ``weight_kg`` default to the
    subject's. Arguments are validated as :meth:`magpk.Regimen.oral` and
    :class:`magpk.Subject` validate them (``ValueError``/``TypeError`` naming
    the argument). Returns an :class:`Explorer`; display it in Jupyter.

    >>> magpk.widgets.explore("citrate", dose_mg=300, every_h=24, days=7)  # doctest: +SKIP
    """
    base, values = _subject_values(subject, egfr_ml_min, weight_kg)
    run_days = _run_days(days)
    values.update(form=form, dose_mg=dose_mg, every_h=every_h, with_food=with_food)
    controls = (Control("form", "form", options=tuple(form_ids())), DOSE, INTERVAL, WITH_FOOD,
                EGFR, WEIGHT)
    return Explorer(functools.partial(_oral_regimen, days=run_days), base, 24.0 * run_days,
                    values, controls, functools.partial(_oral_title, days=run_days))


def _iv_regimen(values: Mapping[str, Any], loading_h: float, t_end_h: float) -> Regimen:
    """A loading infusion over ``loading_h``, then a constant infusion to ``t_end_h``;
    a zero amount leaves that part out."""
    regimen = Regimen()
    loading = _arguments.real("loading_mgso4_g", values["loading_mgso4_g"], minimum=0.0,
                              allowed="allowed: >= 0 g (0: no loading dose)")
    rate = _arguments.real("maintenance_mgso4_g_per_h", values["maintenance_mgso4_g_per_h"],
                           minimum=0.0, allowed="allowed: >= 0 g/h (0: no maintenance)")
    if loading > 0.0:
        regimen = regimen.iv_infusion(mgso4_g=loading, duration_h=loading_h)
    if rate > 0.0:
        hours = t_end_h - loading_h
        regimen = regimen.iv_infusion(mgso4_g=rate * hours, start_h=loading_h, duration_h=hours)
    return regimen


def _iv_title(values: Mapping[str, Any], loading_h: float) -> str:
    return (f"MgSO4 {values['loading_mgso4_g']:g} g IV over {loading_h * 60:g} min, then "
            f"{values['maintenance_mgso4_g_per_h']:g} g/h")


def explore_iv(loading_mgso4_g: float = 4.0, maintenance_mgso4_g_per_h: float = 1.0,
               duration_h: float = 24.0, *, loading_duration_h: float = ZUSPAN_LOADING_H,
               egfr_ml_min: float | None = None, weight_kg: float | None = None,
               subject: Subject | None = None) -> Explorer:
    """An explorer of IV magnesium sulfate (grams of MgSO4·7H2O): a loading
    infusion over ``loading_duration_h`` (default 20 min), then a maintenance
    infusion at ``maintenance_mgso4_g_per_h`` until ``duration_h``, the
    simulated time; the defaults are the Zuspan regimen (4 g + 1 g/h). Controls
    for the loading dose, the maintenance rate (0 leaves either out), eGFR and
    body weight. ``subject`` sets everything else (e.g.
    ``magpk.Subject(sex="female", age_years=28, pregnant=True)``; default
    :class:`magpk.Subject`). Returns an :class:`Explorer`.

    >>> magpk.widgets.explore_iv(6, 2, subject=magpk.Subject(pregnant=True))  # doctest: +SKIP
    """
    base, values = _subject_values(subject, egfr_ml_min, weight_kg)
    t_end = _arguments.real("duration_h", duration_h, strictly_positive=True,
                            maximum=24.0 * MAX_DAYS,
                            allowed=f"allowed: > 0 and <= {24.0 * MAX_DAYS:g} h")
    loading_h = _arguments.real("loading_duration_h", loading_duration_h,
                                minimum=MIN_INFUSION_H, maximum=t_end - MIN_INFUSION_H,
                                allowed=f"allowed: {MIN_INFUSION_H:g} h to "
                                         f"{t_end - MIN_INFUSION_H:g} h (before duration_h)")
    values.update(loading_mgso4_g=loading_mgso4_g,
                  maintenance_mgso4_g_per_h=maintenance_mgso4_g_per_h)
    return Explorer(functools.partial(_iv_regimen, loading_h=loading_h, t_end_h=t_end), base,
                    t_end, values, (LOADING, MAINTENANCE, EGFR, WEIGHT),
                    functools.partial(_iv_title, loading_h=loading_h))
