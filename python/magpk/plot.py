"""Plots of simulation results, form comparisons and populations (matplotlib).

matplotlib is an optional dependency (``pip install magpk[plot]``); it is
imported only when a plotting function is called, so ``import magpk`` never
needs it.

- :func:`plot_serum`: serum Mg of one or several results, with the reference
  range and the clinical thresholds;
- :func:`plot_pools`: plasma, tissue, bone and gut contents;
- :func:`plot_cumulative`: cumulative absorption, urinary and fecal excretion;
- :func:`plot_comparison`: bar charts of a :func:`magpk.compare_forms` table;
- :func:`plot_population`: median and percentile bands of a
  :class:`magpk.Population`;
- :func:`plot_result`: a 2 x 2 dashboard of one result.

Serum thresholds (mmol/L): reference interval 0.75-0.95 (IOM 1997);
hypomagnesemia < 0.75; hypermagnesemia > 1.05; for parenteral MgSO4
(drawn when serum exceeds 1.5 mmol/L): eclampsia target 2.0-3.5 (Chinese
2024 guideline), loss of deep-tendon reflexes ~3.5-5, respiratory paralysis
> 5 (https://pmc.ncbi.nlm.nih.gov/articles/PMC4455825/table/tbl7).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from . import _core
from ._display import human_number
from .forms import MEQ_PER_MMOL, MG_DL_PER_MMOL_L, MG_PER_MMOL

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .population import Population
    from .simulate import Result

__all__ = [
    "SERUM_UNITS",
    "draw_serum_thresholds",
    "plot_comparison",
    "plot_cumulative",
    "plot_pools",
    "plot_population",
    "plot_result",
    "plot_serum",
    "regimen_label",
]

_INSTALL_HINT = "magpk plotting needs matplotlib: pip install magpk[plot]"

#: Serum units accepted by :func:`plot_serum`, with their factor from mmol/L.
SERUM_UNITS: dict[str, float] = {"mmol/L": 1.0, "mg/dL": MG_DL_PER_MMOL_L, "mEq/L": MEQ_PER_MMOL}

# Thresholds in mmol/L: the core's (the same ones its time-above/below metrics use).
HYPO_BELOW = _core.HYPO_THRESHOLD_MMOL_L
HYPER_ABOVE, _TARGET_LOW, _TARGET_HIGH, RESPIRATORY_PARALYSIS_ABOVE = _core.serum_thresholds_above()
NORMAL_RANGE = (HYPO_BELOW, _core.REFERENCE_INTERVAL_HIGH_MMOL_L)  # IOM 1997 reference interval
PARENTERAL_SHOWN_ABOVE = 1.5  # draw the IV bands when the data exceed this
ECLAMPSIA_TARGET = (_TARGET_LOW, _TARGET_HIGH)  # Chinese 2024 guideline
REFLEX_LOSS = (_TARGET_HIGH, RESPIRATORY_PARALYSIS_ABOVE)  # PMC4455825 table 7

#: Longest run (hours) whose time axis is drawn in hours; longer runs use days.
DAYS_ABOVE_H = 72.0

#: The body pools drawn by :func:`plot_pools`: (column, label, color).
POOLS = (("tissue_mmol", "tissue (intracellular)", "tab:green"),
         ("bone_mmol", "bone (exchangeable surface)", "tab:brown"),
         ("gut_mmol", "gut contents", "tab:orange"),
         ("plasma_mmol", "plasma", "tab:red"))
_POPULATION_VARIABLES = {"serum_mmol_l": ("serum Mg", "mmol/L"),
                         "plasma_mmol": ("plasma Mg", "mmol"),
                         "tissue_mmol": ("tissue Mg", "mmol"),
                         "bone_mmol": ("exchangeable bone Mg", "mmol"),
                         "gut_mmol": ("gut Mg", "mmol")}


def import_pyplot() -> Any:
    """matplotlib.pyplot, or an ImportError with the install hint."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(_INSTALL_HINT) from error
    return plt


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = (7.0, 4.5)) -> Axes:
    plt = import_pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def time_axis(t_end_h: float) -> tuple[float, str]:
    """(divisor, label) for a time axis: hours up to 72 h, days beyond."""
    if t_end_h > DAYS_ABOVE_H:
        return 24.0, "time (days)"
    return 1.0, "time (h)"


# Results and populations are recognized by what the plots read from them, not by their
# class: magpk.simulate imports this module (Result.plot), so importing Result or
# Population here would close an import cycle.
_RESULT_ATTRIBUTES = ("to_frame", "baseline_frame", "metrics", "regimen", "t_end_h")
_POPULATION_ATTRIBUTES = ("percentiles", "population", "n")


def _is_result(value: Any) -> bool:
    """A :class:`magpk.Result` (or an object with everything the plots read from one)."""
    return all(hasattr(value, name) for name in _RESULT_ATTRIBUTES)


def _results_list(results: Any) -> list[Result]:
    if _is_result(results):
        return [results]
    if isinstance(results, (str, bytes)) or not hasattr(results, "__iter__"):
        raise TypeError(f"results={results!r}: expected a magpk.Result or a list of them")
    out = list(results)
    if not out:
        raise ValueError("results=[]: give at least one magpk.Result")
    for i, item in enumerate(out):
        if not _is_result(item):
            raise TypeError(f"results[{i}]={item!r}: expected a magpk.Result")
    return out


def _check_result(result: Any) -> Result:
    if not _is_result(result):
        raise TypeError(f"result={result!r}: expected a magpk.Result")
    return cast("Result", result)


def _fmt(value: float) -> str:
    return f"{value:g}"


def regimen_label(result: Result) -> str:
    """A short description of a result's regimen, e.g. ``"citrate 300 mg"``."""
    regimen = result.regimen
    parts = []
    forms: dict[str, list[float]] = {}
    for event in regimen.oral_events:
        forms.setdefault(event.form, []).append(event.elemental_mmol * MG_PER_MMOL)
    for form, doses in forms.items():
        dose = _fmt(round(doses[0], 1))
        parts.append(f"{form} {dose} mg" + (f" x{len(doses)}" if len(doses) > 1 else ""))
    routes: dict[str, float] = {}
    for parenteral in regimen.parenteral_events:
        name = "IV bolus" if parenteral.route == "iv_bolus" else "IM"
        routes[name] = routes.get(name, 0.0) + parenteral.mmol
    for infusion in regimen.infusion_events:
        routes["IV infusion"] = routes.get("IV infusion", 0.0) + infusion.mmol
    for name, mmol in routes.items():
        parts.append(f"{name} {_fmt(round(mmol, 1))} mmol")
    if regimen.diet_events:
        parts.append("diet change")
    return ", ".join(parts) if parts else "no dose"


def _labels(results: Sequence[Result], labels: Sequence[str] | None) -> list[str]:
    if labels is None:
        return [regimen_label(r) for r in results]
    if isinstance(labels, str):
        labels = [labels]
    labels = [str(label) for label in labels]
    if len(labels) != len(results):
        raise ValueError(f"labels: got {len(labels)} labels for {len(results)} results")
    return labels


def draw_serum_thresholds(ax: Axes, units: str = "mmol/L", parenteral: bool = False,
                          ylim: tuple[float, float] | None = None, *,
                          shade_reference: bool = True, legend: bool = True) -> None:
    """Shade the reference range and draw the clinical thresholds on ``ax``,
    with a legend of them to the right of the axes.

    With ``parenteral=True`` also the eclampsia target (2.0-3.5 mmol/L), loss
    of deep-tendon reflexes (3.5-5) and respiratory paralysis (> 5) bands.
    ``ylim`` (in ``units``) sets the y range and bounds the open-ended band;
    default: the axes' current limits. ``shade_reference=False`` draws the
    reference range as dotted lines instead of a shaded band;
    ``legend=False`` omits the legend of the thresholds.
    """
    import_pyplot()  # the install hint if matplotlib is missing
    from matplotlib.legend import Legend
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    k = _unit_factor(units)
    low, high = ax.get_ylim() if ylim is None else ylim

    def mmol(value: float) -> str:  # a threshold in the plot's units, mmol/L in brackets
        return _fmt(round(value * k, 2)) if units == "mmol/L" else f"{value * k:.3g}"

    lo_n, hi_n = NORMAL_RANGE
    handles: list[Any] = []
    label = f"reference {mmol(lo_n)}-{mmol(hi_n)} (IOM 1997)"
    if shade_reference:
        ax.axhspan(lo_n * k, hi_n * k, color="tab:green", alpha=0.12, lw=0, zorder=0)
        handles.append(Patch(color="tab:green", alpha=0.25, lw=0, label=label))
    else:
        ax.axhline(hi_n * k, color="tab:green", lw=0.9, ls=":", zorder=1)
        handles.append(Line2D([], [], color="tab:green", lw=0.9, ls=":", label=label))
    ax.axhline(HYPO_BELOW * k, color="tab:blue", lw=0.9, ls="--", zorder=1)
    handles.append(Line2D([], [], color="tab:blue", lw=0.9, ls="--",
                          label=f"hypomagnesemia < {mmol(HYPO_BELOW)}"))
    ax.axhline(HYPER_ABOVE * k, color="tab:red", lw=0.9, ls="--", zorder=1)
    handles.append(Line2D([], [], color="tab:red", lw=0.9, ls="--",
                          label=f"hypermagnesemia > {mmol(HYPER_ABOVE)}"))
    if parenteral:
        top = max(high / k, RESPIRATORY_PARALYSIS_ABOVE)
        bands = ((ECLAMPSIA_TARGET, "tab:olive",
                  f"eclampsia target {mmol(ECLAMPSIA_TARGET[0])}-{mmol(ECLAMPSIA_TARGET[1])}"),
                 (REFLEX_LOSS, "tab:orange",
                  f"loss of tendon reflexes ~{mmol(REFLEX_LOSS[0])}-{mmol(REFLEX_LOSS[1])}"),
                 ((RESPIRATORY_PARALYSIS_ABOVE, top), "tab:red",
                  f"respiratory paralysis > {mmol(RESPIRATORY_PARALYSIS_ABOVE)}"))
        for (b_lo, b_hi), color, text in bands:
            if b_lo * k >= high:
                continue
            ax.axhspan(b_lo * k, b_hi * k, color=color, alpha=0.15, lw=0, zorder=0)
            handles.append(Patch(color=color, alpha=0.3, lw=0, label=text))
    ax.set_ylim(low, high)
    if not legend:
        return
    # A separate legend artist, so that ax.legend() stays free for the data.
    box = Legend(ax, handles, [h.get_label() for h in handles],
                 title=f"serum thresholds ({units})", loc="upper left",
                 bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=7.5,
                 title_fontsize=8, frameon=False)
    ax.add_artist(box)
    box.set_clip_on(False)  # drawn outside the axes: count it in constrained layout


def _unit_factor(units: str) -> float:
    if units not in SERUM_UNITS:
        raise ValueError(f"units={units!r}: expected one of {list(SERUM_UNITS)}")
    return SERUM_UNITS[units]


def plot_serum(results: Result | Sequence[Result], labels: Sequence[str] | None = None,
               ax: Axes | None = None, units: str = "mmol/L", *,
               baseline: bool = False, thresholds: bool = True,
               threshold_legend: bool = True) -> Axes:
    """Serum Mg over time for one or several results, overlaid.

    Parameters
    ----------
    results
        a :class:`magpk.Result` or a list of them.
    labels
        legend labels (default: a description of each regimen).
    ax
        the Axes to draw on (default: a new figure).
    units
        ``"mmol/L"``, ``"mg/dL"`` (x 2.4305) or ``"mEq/L"`` (x 2).
    baseline
        also draw each result's no-dose baseline (dotted).
    thresholds
        shade the reference range 0.75-0.95 mmol/L and draw the
        hypo- (< 0.75) and hypermagnesemia (> 1.05) lines; when serum exceeds
        1.5 mmol/L also the eclampsia target (2.0-3.5), loss of reflexes
        (3.5-5) and respiratory paralysis (> 5) bands.
    threshold_legend
        a legend of the thresholds to the right of the axes.

    Notes
    -----
    The time axis is in hours, or in days when the longest run exceeds 72 h.
    Returns the Axes.
    """
    k = _unit_factor(units)
    items = _results_list(results)
    names = _labels(items, labels)
    ax = _new_axes(ax)
    divisor, xlabel = time_axis(max(r.t_end_h for r in items))
    lows, highs = [], []
    for result, name in zip(items, names):
        frame = result.to_frame()
        t = frame["time_h"].to_numpy() / divisor
        serum = frame["serum_mmol_l"].to_numpy() * k
        line, = ax.plot(t, serum, lw=1.6, label=name)
        lows.append(serum.min())
        highs.append(max(serum.max(), (result.metrics()["cmax_mmol_l"] or 0.0) * k))
        if baseline:
            base = result.baseline_frame()
            base_serum = base["serum_mmol_l"].to_numpy() * k
            ax.plot(base["time_h"].to_numpy() / divisor, base_serum, lw=1.0, ls=":",
                    color=line.get_color(), label=f"{name} (no dose)")
            lows.append(base_serum.min())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"serum Mg ({units})")
    ax.set_xlim(0.0, max(r.t_end_h for r in items) / divisor)
    if thresholds:
        data_low, data_high = min(lows), max(highs)
        parenteral = data_high / k > PARENTERAL_SHOWN_ABOVE
        low = min(data_low, HYPO_BELOW * k)
        high = max(data_high, HYPER_ABOVE * k)
        if parenteral:
            high = max(high, ECLAMPSIA_TARGET[1] * k * 1.06)
        pad = 0.06 * (high - low)
        draw_serum_thresholds(ax, units, parenteral, (max(0.0, low - pad), high + pad),
                              legend=threshold_legend)
    ax.legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.85)
    ax.grid(True, alpha=0.25)
    return ax


def plot_pools(result: Result, ax: Axes | None = None, *, change: bool = False,
               units: str = "mmol") -> Axes:
    """Body Mg pools over time: tissue (intracellular), exchangeable bone,
    gut contents and plasma, in ``units`` (``"mmol"`` or ``"mg"``).

    By default the contents on a log scale (they span two orders of
    magnitude), with each pool's no-dose baseline dotted. With
    ``change=True``: the change of each pool since t = 0 (mmol, linear),
    which shows where a dose goes. Returns the Axes.
    """
    result = _check_result(result)
    k = _amount_factor(units)
    ax = _new_axes(ax)
    frame = result.to_frame()
    base = result.baseline_frame()
    divisor, xlabel = time_axis(result.t_end_h)
    t = frame["time_h"].to_numpy() / divisor
    tb = base["time_h"].to_numpy() / divisor
    for column, name, color in POOLS:
        values = frame[column].to_numpy() * k
        base_values = base[column].to_numpy() * k
        if change:
            values = values - values[0]
            base_values = base_values - base_values[0]
        ax.plot(t, values, color=color, lw=1.6, label=name)
        ax.plot(tb, base_values, color=color, lw=0.9, ls=":")
    ax.plot([], [], color="grey", lw=0.9, ls=":", label="no-dose baseline")
    if change:
        ax.axhline(0.0, color="black", lw=0.6)
        ax.set_ylabel(f"change in Mg content since t = 0 ({units})")
    else:
        ax.set_yscale("log")
        ax.set_ylabel(f"Mg content ({units}, log scale)")
    ax.set_xlim(0.0, result.t_end_h / divisor)
    ax.set_xlabel(xlabel)
    ax.legend(loc="best", fontsize=8, framealpha=0.85)
    ax.grid(True, which="major", alpha=0.25)
    return ax


def _amount_factor(units: str) -> float:
    """mg or mmol per mmol; ValueError for another unit."""
    if units not in ("mmol", "mg"):
        raise ValueError(f"units={units!r}: expected 'mmol' or 'mg'")
    return MG_PER_MMOL if units == "mg" else 1.0


def plot_cumulative(result: Result, ax: Axes | None = None, units: str = "mmol") -> Axes:
    """Cumulative Mg absorbed (all sources, and the supplement's own Mg),
    excreted in urine and in feces since t = 0, in ``"mmol"`` or ``"mg"``.
    Returns the Axes."""
    result = _check_result(result)
    k = _amount_factor(units)
    ax = _new_axes(ax)
    frame = result.to_frame()
    divisor, xlabel = time_axis(result.t_end_h)
    t = frame["time_h"].to_numpy() / divisor
    series = (("absorbed_cum_mmol", "absorbed (gross, diet + supplement)", "tab:green", "-"),
              ("absorbed_supplement_cum_mmol", "absorbed from supplement", "tab:green", "--"),
              ("infused_cum_mmol", "infused (IV infusions)", "tab:purple", "-"),
              ("urine_cum_mmol", "urine", "tab:blue", "-"),
              ("feces_cum_mmol", "feces", "tab:brown", "-"))
    for column, name, color, style in series:
        values = frame[column].to_numpy()
        if (column in ("absorbed_supplement_cum_mmol", "infused_cum_mmol")
                and not np.any(values > 0)):
            continue
        ax.plot(t, values * k, color=color, ls=style, lw=1.6, label=name)
    ax.set_xlim(0.0, result.t_end_h / divisor)
    ax.set_ylim(bottom=0.0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"cumulative Mg ({units})")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
    ax.grid(True, alpha=0.25)
    return ax


def _metric_label(name: str) -> tuple[str, str]:
    """(title, unit) for a metric column name."""
    special = {
        "diarrhea_probability": ("diarrhea probability", "probability (0-1)"),
        "fraction_absorbed": ("fraction absorbed (tracer)", "fraction (0-1)"),
        "mass_balance_rel_error": ("mass-balance relative error", "relative error (-)"),
        "auc_above_baseline_mmol_h_l": ("serum AUC above baseline", "mmol·h/L"),
        "cmax_mmol_l": ("serum Cmax", "mmol/L"),
        "cmin_mmol_l": ("serum Cmin", "mmol/L"),
        "tmax_h": ("serum Tmax", "h"),
    }
    if name in special:
        return special[name]
    shown = re.fullmatch(r"(.+) \((.+)\)", name)  # a displayed header, e.g. "absorbed (mg)"
    if shown:
        return shown.group(1), shown.group(2)
    for suffix, unit in (("_mmol_l", "mmol/L"), ("_mmol", "mmol"), ("_mg", "mg"), ("_h", "h")):
        if name.endswith(suffix):
            return name[: -len(suffix)].replace("_", " "), unit
    return name.replace("_", " "), "value"


def plot_comparison(table: pd.DataFrame,
                    metrics: Sequence[str] = ("absorbed_supplement_mg", "urine_increment_24h_mmol",
                                              "cmax_mmol_l", "diarrhea_probability"),
                    fig: Figure | None = None) -> Figure:
    """Bar charts, one panel per metric, of a :func:`magpk.compare_forms` table
    (index: form; columns: metrics). Returns the Figure."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table: expected the DataFrame of magpk.compare_forms, got "
                        f"{type(table).__name__}")
    if isinstance(metrics, str):
        metrics = [metrics]
    metrics = list(metrics)
    if not metrics:
        raise ValueError("metrics=[]: give at least one metric column")
    missing = [m for m in metrics if m not in table.columns]
    if missing:
        raise ValueError(f"metrics {missing} are not columns of the table; available: "
                         f"{list(table.columns)}")
    if len(table) == 0:
        raise ValueError("table has no rows")
    plt = import_pyplot()
    n = len(metrics)
    ncols = 2 if n == 4 else min(n, 3)
    nrows = -(-n // ncols)
    if fig is None:
        fig = plt.figure(figsize=(3.6 * ncols + 0.6, 3.2 * nrows + 0.4), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    names = [str(i) for i in table.index]
    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["tab:blue"])
    bar_colors = [colors[i % len(colors)] for i in range(len(names))]
    x = np.arange(len(names))
    for ax, metric in zip(axes, metrics):
        values = pd.to_numeric(table[metric], errors="coerce").to_numpy(dtype=float)
        title, unit = _metric_label(metric)
        ax.bar(x, np.nan_to_num(values, nan=0.0), color=bar_colors)
        for xi, v in zip(x, values):
            ax.annotate(human_number(v), (xi, 0.0 if np.isnan(v) else v),
                        xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                        fontsize=7)
        ax.set_xticks(x)
        ax.set_xticklabels(names, rotation=30 if len(names) > 3 else 0,
                           ha="right" if len(names) > 3 else "center")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)
        ax.set_xlabel(table.index.name or "form")
        ax.margins(y=0.15)
        ax.grid(True, axis="y", alpha=0.25)
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig


def plot_population(pop: Population, variable: str = "serum_mmol_l", ax: Axes | None = None,
                    *, label: str | None = None, color: str | None = None,
                    thresholds: bool = True, threshold_legend: bool = True) -> Axes:
    """Median and 5-95 % / 25-75 % percentile bands of ``variable`` over time
    (``pop.percentiles()``). Variables: serum_mmol_l, plasma_mmol,
    tissue_mmol, bone_mmol, gut_mmol. For serum the reference range and the
    hypo/hypermagnesemia lines are drawn too. Returns the Axes."""
    if not all(hasattr(pop, name) for name in _POPULATION_ATTRIBUTES):
        raise TypeError(f"pop={pop!r}: expected a magpk.Population")
    if variable not in _POPULATION_VARIABLES:
        raise ValueError(f"variable={variable!r}: expected one of {list(_POPULATION_VARIABLES)}")
    ax = _new_axes(ax)
    table = pop.percentiles(q=(5, 25, 50, 75, 95), variables=[variable])
    times = table.index.to_numpy(dtype=float)
    divisor, xlabel = time_axis(float(times[-1]))
    t = times / divisor
    name = label or f"{pop.population} (n = {pop.n:,})"
    line, = ax.plot(t, table[f"{variable}_p50"].to_numpy(), lw=1.8, color=color,
                    label=f"{name}: median")
    c = line.get_color()
    ax.fill_between(t, table[f"{variable}_p5"].to_numpy(), table[f"{variable}_p95"].to_numpy(),
                    color=c, alpha=0.15, lw=0, label="5-95th percentile")
    ax.fill_between(t, table[f"{variable}_p25"].to_numpy(), table[f"{variable}_p75"].to_numpy(),
                    color=c, alpha=0.3, lw=0, label="25-75th percentile")
    what, unit = _POPULATION_VARIABLES[variable]
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"{what} ({unit})")
    ax.set_xlim(0.0, t[-1])
    if thresholds and variable == "serum_mmol_l":
        low = min(float(table[f"{variable}_p5"].min()), HYPO_BELOW)
        high = max(float(table[f"{variable}_p95"].max()), HYPER_ABOVE)
        parenteral = high > PARENTERAL_SHOWN_ABOVE
        if parenteral:
            high = max(high, ECLAMPSIA_TARGET[1] * 1.06)
        pad = 0.06 * (high - low)
        draw_serum_thresholds(ax, "mmol/L", parenteral, (max(0.0, low - pad), high + pad),
                              shade_reference=False, legend=threshold_legend)
    ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
    ax.grid(True, alpha=0.25)
    return ax


def metrics_text(result: Result) -> str:
    """The key metrics of ``result`` as aligned lines (the dashboard's text panel)."""
    m = result.metrics()

    def value(key: str, fmt: str, scale: float = 1.0) -> str:
        v = m.get(key)
        return "n/a" if v is None else format(v * scale, fmt)

    rows = [
        ("regimen", regimen_label(result)),
        ("simulated", f"{result.t_end_h:g} h"),
        ("baseline serum", value("baseline_serum_mmol_l", ".3f") + " mmol/L"),
        ("Cmax / Tmax",
         value("cmax_mmol_l", ".3f") + " mmol/L at " + value("tmax_h", ".1f") + " h"),
        ("Cmin", value("cmin_mmol_l", ".3f") + " mmol/L"),
        ("AUC above baseline", value("auc_above_baseline_mmol_h_l", ".3g") + " mmol·h/L"),
        ("oral supplement", value("oral_supplement_mg", ".0f") + " mg"),
        ("parenteral", value("parenteral_mmol", ".3g") + " mmol"),
        ("fraction absorbed", value("fraction_absorbed", ".1%", 1.0)),
        ("absorbed supplement", value("absorbed_supplement_mg", ".1f") + " mg"),
        ("absorbed vs no dose", value("absorbed_increment_mg", ".1f") + " mg"),
        ("urine increment 24 h", value("urine_increment_24h_mmol", ".3f") + " mmol"),
        ("body store change", value("body_store_change_vs_baseline_mmol", ".3f") + " mmol"),
        ("time < 0.75 / > 1.05", value("time_hypo_h", ".1f") + " / "
         + value("time_hyper_h", ".1f") + " h"),
        ("time in 2-3.5 mmol/L", value("time_in_2_to_3_5_h", ".1f") + " h"),
        ("diarrhea probability", value("diarrhea_probability", ".0%")),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def plot_result(result: Result, *, units: str = "mmol/L", amount_units: str = "mmol") -> Figure:
    """A 2 x 2 dashboard of one result: serum (with thresholds, in ``units``), body
    pools, cumulative absorption/excretion (in ``amount_units``: ``"mmol"`` or
    ``"mg"``) and the metrics. Returns the Figure."""
    result = _check_result(result)
    plt = import_pyplot()
    fig: Figure
    fig, axes = plt.subplots(2, 2, figsize=(12.0, 8.0), layout="constrained")
    plot_serum(result, ax=axes[0, 0], units=units, baseline=True)
    axes[0, 0].set_title("serum")
    plot_pools(result, ax=axes[0, 1], change=True, units=amount_units)
    axes[0, 1].set_title("body pools: change since start")
    plot_cumulative(result, ax=axes[1, 0], units=amount_units)
    axes[1, 0].set_title("cumulative absorption and excretion")
    text_ax = axes[1, 1]
    text_ax.axis("off")
    text_ax.set_title("metrics")
    text_ax.text(0.02, 0.98, metrics_text(result), transform=text_ax.transAxes, va="top",
                 ha="left", family="monospace", fontsize=8.5,
                 bbox={"boxstyle": "round", "facecolor": "whitesmoke", "edgecolor": "lightgrey"})
    fig.suptitle(f"magpk: {regimen_label(result)}")
    return fig
