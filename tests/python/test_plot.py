"""magpk.plot: every plot renders to a non-blank PNG with labeled, unit-bearing
axes; several regimens give a legend; a missing matplotlib gives a clear error."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
from matplotlib.legend import Legend

import magpk
from magpk import plot

FORMS = ("oxide", "citrate", "glycinate")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def oral_results():
    subject = magpk.Subject()
    return [magpk.simulate(magpk.Regimen().oral(form, dose_mg=300), subject, t_end_h=72,
                           output_every_h=0.5) for form in FORMS]


@pytest.fixture(scope="module")
def iv_result():
    # Zuspan-like: 4 g MgSO4 loading over 20 min, then 1 g/h for 24 h; 4 days.
    regimen = (magpk.Regimen().iv_infusion(4, duration_h=1 / 3)
               .iv_infusion(24, start_h=1 / 3, duration_h=24))
    return magpk.simulate(regimen, magpk.Subject(), t_end_h=96, output_every_h=0.5)


@pytest.fixture(scope="module")
def population():
    return magpk.simulate_population(magpk.Regimen().oral("citrate", dose_mg=300), n=300,
                                     t_end_h=48, output_every_h=1.0, threads=1, progress=False)


def assert_png(fig, tmp_path, name="plot.png"):
    """Render ``fig``; the PNG exists, is non-empty and not blank."""
    path = tmp_path / name
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 2_000
    image = mpimg.imread(str(path))
    pixels = image.reshape(-1, image.shape[-1])
    assert len(np.unique(pixels, axis=0)) > 50  # lines, fills and text, not a blank canvas
    assert (pixels[:, :3] < 0.5).any()  # some dark ink (text, lines)
    return image


def assert_labeled(ax, x_unit, y_unit):
    assert x_unit in ax.get_xlabel()
    assert y_unit in ax.get_ylabel()


def threshold_labels(ax):
    legends = [a for a in ax.get_children() if isinstance(a, Legend) and a is not ax.get_legend()]
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def test_plot_serum_overlays_regimens_with_legend(oral_results, tmp_path):
    ax = plot.plot_serum(oral_results, labels=["MgO", "citrate", "glycinate"])
    assert_png(ax.figure, tmp_path)
    assert_labeled(ax, "(h)", "(mmol/L)")
    assert "time" in ax.get_xlabel() and "serum" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["MgO", "citrate", "glycinate"]
    lines = [line for line in ax.get_lines() if line.get_label() in ("MgO", "citrate", "glycinate")]
    assert len(lines) == 3
    # Data as plotted = Result.to_frame() (hours up to 72 h).
    frame = oral_results[2].to_frame()
    np.testing.assert_allclose(lines[2].get_xdata(), frame["time_h"])
    np.testing.assert_allclose(lines[2].get_ydata(), frame["serum_mmol_l"])
    # Reference range and hypo/hyper thresholds; no parenteral bands for oral doses.
    labels = threshold_labels(ax)
    assert any("0.75-0.95" in t and "IOM 1997" in t for t in labels)
    assert any("< 0.75" in t for t in labels) and any("> 1.05" in t for t in labels)
    assert not any("eclampsia" in t for t in labels)
    low, high = ax.get_ylim()
    assert low < 0.75 and high > 1.05


def test_plot_serum_default_labels_describe_regimens(oral_results):
    ax = plot.plot_serum(oral_results)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == [f"{form} 300 mg" for form in FORMS]


@pytest.mark.parametrize("units, factor", [("mmol/L", 1.0), ("mg/dL", 2.4305), ("mEq/L", 2.0)])
def test_plot_serum_units(oral_results, units, factor, tmp_path):
    ax = plot.plot_serum(oral_results[0], units=units)
    assert_png(ax.figure, tmp_path)
    assert_labeled(ax, "time", f"serum Mg ({units})")
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(),
                               oral_results[0].to_frame()["serum_mmol_l"] * factor, rtol=1e-12)
    hypo = [line for line in ax.get_lines() if np.allclose(line.get_ydata(), 0.75 * factor)]
    assert hypo, "hypomagnesemia line drawn in the plot's units"
    assert any(f"serum thresholds ({units})" == legend.get_title().get_text()
               for legend in ax.get_children() if isinstance(legend, Legend))


def test_plot_serum_long_parenteral_run_in_days_with_iv_bands(iv_result, tmp_path):
    assert iv_result.metrics()["cmax_mmol_l"] > 1.5
    ax = plot.plot_serum(iv_result, baseline=True)
    assert_png(ax.figure, tmp_path)
    assert_labeled(ax, "time (days)", "(mmol/L)")
    assert ax.get_xlim()[1] == pytest.approx(96 / 24)
    labels = threshold_labels(ax)
    assert any("eclampsia target 2-3.5" in t for t in labels)
    assert any("tendon reflexes" in t for t in labels)
    assert ax.get_ylim()[1] > 3.5  # the whole target band is visible
    assert len(ax.get_legend().get_texts()) == 2  # the run and its no-dose baseline


def test_plot_serum_draws_on_given_axes_and_validates(oral_results):
    _fig, ax = plt.subplots()
    assert plot.plot_serum(oral_results[0], ax=ax) is ax
    with pytest.raises(ValueError, match="units"):
        plot.plot_serum(oral_results[0], units="mg/L")
    with pytest.raises(ValueError, match="labels"):
        plot.plot_serum(oral_results, labels=["a", "b"])
    with pytest.raises(TypeError, match=r"magpk.Result"):
        plot.plot_serum([oral_results[0], "citrate"])
    with pytest.raises(ValueError, match="at least one"):
        plot.plot_serum([])


@pytest.mark.parametrize("change", [False, True])
def test_plot_pools(oral_results, change, tmp_path):
    ax = plot.plot_pools(oral_results[1], change=change)
    assert_png(ax.figure, tmp_path)
    assert_labeled(ax, "(h)", "(mmol")
    texts = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    for pool in ("tissue", "bone", "plasma", "gut"):
        assert pool in texts
    assert ax.get_yscale() == ("linear" if change else "log")


@pytest.mark.parametrize("units", ["mmol", "mg"])
def test_plot_cumulative(oral_results, units, tmp_path):
    ax = plot.plot_cumulative(oral_results[1], units=units)
    assert_png(ax.figure, tmp_path)
    assert_labeled(ax, "(h)", f"({units})")
    texts = " ".join(t.get_text() for t in ax.get_legend().get_texts())
    for word in ("absorbed", "urine", "feces"):
        assert word in texts
    urine = next(line for line in ax.get_lines() if line.get_label() == "urine")
    factor = 24.305 if units == "mg" else 1.0
    np.testing.assert_allclose(urine.get_ydata(),
                               oral_results[1].to_frame()["urine_cum_mmol"] * factor)
    with pytest.raises(ValueError, match="units"):
        plot.plot_cumulative(oral_results[1], units="g")


def test_plot_comparison(tmp_path):
    table = magpk.compare_forms(list(FORMS), dose_mg=300, t_end_h=48)
    fig = plot.plot_comparison(table)
    assert_png(fig, tmp_path)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4
    units = ["mg", "mmol", "mmol/L", "probability"]
    for ax, unit in zip(visible, units):
        assert unit in ax.get_ylabel()
        assert ax.get_xlabel() == "form"
        assert [t.get_text() for t in ax.get_xticklabels()] == list(FORMS)
        assert len(ax.patches) == 3
    heights = [p.get_height() for p in visible[0].patches]
    np.testing.assert_allclose(heights, table["absorbed_supplement_mg"])
    fig = plot.plot_comparison(table, metrics=["fraction_absorbed", "tmax_h", "time_hypo_h"])
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 3
    with pytest.raises(ValueError, match="not columns"):
        plot.plot_comparison(table, metrics=["no_such_metric"])


def test_plot_population(population, tmp_path):
    ax = plot.plot_population(population)
    assert_png(ax.figure, tmp_path)
    assert_labeled(ax, "(h)", "(mmol/L)")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("median" in t for t in texts)
    assert "5-95th percentile" in texts and "25-75th percentile" in texts
    median = ax.get_lines()[0]
    np.testing.assert_allclose(median.get_ydata(),
                               population.percentiles()["serum_mmol_l_p50"].to_numpy())
    ax = plot.plot_population(population, variable="tissue_mmol")
    assert_labeled(ax, "(h)", "tissue Mg (mmol)")
    with pytest.raises(ValueError, match="variable"):
        plot.plot_population(population, variable="serum")


def test_plot_result_dashboard(iv_result, oral_results, tmp_path):
    for i, result in enumerate((oral_results[1], iv_result)):
        fig = plot.plot_result(result)
        assert isinstance(fig, matplotlib.figure.Figure)
        assert_png(fig, tmp_path, f"dashboard{i}.png")
        serum, pools, cumulative, metrics = fig.axes
        assert "serum Mg (mmol/L)" in serum.get_ylabel()
        assert "(mmol)" in pools.get_ylabel() and "(mmol)" in cumulative.get_ylabel()
        text = "\n".join(t.get_text() for t in metrics.texts)
        assert "Cmax" in text and "fraction absorbed" in text and "diarrhea" in text


def test_missing_matplotlib_gives_install_hint(oral_results, population, monkeypatch):
    table = magpk.compare_forms(["citrate"], dose_mg=300, t_end_h=24)
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    calls = [lambda: plot.plot_serum(oral_results), lambda: plot.plot_pools(oral_results[0]),
             lambda: plot.plot_cumulative(oral_results[0]), lambda: plot.plot_comparison(table),
             lambda: plot.plot_population(population), lambda: plot.plot_result(oral_results[0])]
    for call in calls:
        with pytest.raises(ImportError, match=r"pip install magpk\[plot\]"):
            call()


def test_import_magpk_does_not_import_matplotlib():
    code = textwrap.dedent("""
        import sys
        class Block:  # as if matplotlib were not installed
            def find_spec(self, name, path=None, target=None):
                if name == "matplotlib" or name.startswith("matplotlib."):
                    raise ModuleNotFoundError(f"No module named {name!r}")
        sys.meta_path.insert(0, Block())
        import magpk
        assert "matplotlib" not in sys.modules
        r = magpk.simulate(magpk.Regimen().oral("citrate", dose_mg=100), t_end_h=6)
        try:
            magpk.plot.plot_serum(r)
        except ImportError as error:
            print("HINT:", error)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONWARNINGS": "error"})
    assert done.returncode == 0, done.stderr
    assert "HINT: magpk plotting needs matplotlib: pip install magpk[plot]" in done.stdout
