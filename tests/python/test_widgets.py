"""magpk.widgets: the teaching explorers build with ipywidgets, a control change
re-simulates and redraws the serum line, invalid arguments raise with the
argument's name, and without ipywidgets (or matplotlib) they degrade clearly."""

from __future__ import annotations

import base64
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib

matplotlib.use("Agg")

import magpk
from magpk import widgets
from magpk.forms import mgso4_heptahydrate_mmol_per_g

PNG_SIGNATURE = b"\x89PNG"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PREGNANT = magpk.Subject(weight_kg=75, sex="female", age_years=28, egfr_ml_min=95, pregnant=True)


def serum_line(explorer: widgets.Explorer) -> np.ndarray:
    """The dosed serum curve: the first line of the serum axes."""
    return np.asarray(explorer.axes["serum"].get_lines()[0].get_ydata(), dtype=float)


@pytest.fixture
def ipywidgets():
    return pytest.importorskip("ipywidgets")


@pytest.fixture(scope="module")
def oral() -> widgets.Explorer:
    pytest.importorskip("ipywidgets")
    return widgets.explore("citrate", dose_mg=300, every_h=24, days=3)


def test_import_magpk_imports_neither_ipywidgets_nor_matplotlib() -> None:
    code = ("import sys, magpk; magpk.widgets.explore; "
            "print(sorted(m for m in ('ipywidgets', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_oral_explorer_builds_controls_and_figure(oral, ipywidgets) -> None:
    assert isinstance(oral.widget, ipywidgets.VBox)
    assert set(oral.inputs) == {"form", "dose_mg", "every_h", "with_food", "egfr_ml_min",
                                "weight_kg"}
    assert isinstance(oral.inputs["dose_mg"], ipywidgets.FloatSlider)
    assert oral.inputs["form"].options == tuple(magpk.form_ids())
    assert oral.values["egfr_ml_min"] == magpk.Subject().egfr_ml_min  # from the default subject
    assert oral.result.t_end_h == 72.0
    assert set(oral.axes) == {"serum", "stores", "cumulative", "metrics"}
    frame = oral.result.to_frame()
    np.testing.assert_allclose(serum_line(oral), frame["serum_mmol_l"])


def test_slider_change_resimulates_and_redraws(ipywidgets) -> None:
    explorer = widgets.explore("citrate", dose_mg=300, every_h=24, days=3)
    before, image = serum_line(explorer), explorer.widget.children[-1].value
    explorer.inputs["dose_mg"].value = 900
    after = serum_line(explorer)
    assert explorer.values["dose_mg"] == 900
    assert explorer.result.metrics()["oral_supplement_mg"] == pytest.approx(3 * 900)
    assert after.max() > before.max()
    assert explorer.widget.children[-1].value != image  # the figure image was re-rendered
    explorer.inputs["form"].value = "oxide"
    assert explorer.result.regimen.oral_events[0].form == "oxide"
    explorer.inputs["egfr_ml_min"].value = 30
    assert explorer.subject.egfr_ml_min == 30
    assert not np.allclose(serum_line(explorer), after)


def test_iv_explorer_loading_and_maintenance(ipywidgets) -> None:
    explorer = widgets.explore_iv(subject=PREGNANT)  # Zuspan 4 g + 1 g/h over 24 h
    assert set(explorer.inputs) == {"loading_mgso4_g", "maintenance_mgso4_g_per_h",
                                    "egfr_ml_min", "weight_kg"}
    zuspan = explorer.result.metrics()["parenteral_mmol"]
    grams = 4 + 1 * (24 - widgets.ZUSPAN_LOADING_H)  # maintenance from the end of loading
    assert zuspan == pytest.approx(grams * mgso4_heptahydrate_mmol_per_g())
    peak = serum_line(explorer).max()
    explorer.inputs["maintenance_mgso4_g_per_h"].value = 2.0
    assert serum_line(explorer).max() > peak
    explorer.inputs["loading_mgso4_g"].value = 0.0  # maintenance only
    assert len(explorer.result.regimen.infusion_events) == 1
    explorer.inputs["maintenance_mgso4_g_per_h"].value = 0.0  # nothing: the baseline
    assert explorer.result.regimen.infusion_events == ()
    assert explorer.subject.pregnant and explorer.subject.weight_kg == 75


def test_update_from_code_moves_and_widens_the_slider(oral) -> None:
    explorer = widgets.explore("glycinate", dose_mg=200, days=2)
    explorer.update(dose_mg=2500, weight_kg=55)
    slider = explorer.inputs["dose_mg"]
    assert slider.value == 2500 and slider.max >= 2500
    assert explorer.subject.weight_kg == 55 and explorer.inputs["weight_kg"].value == 55


def test_initial_values_outside_the_teaching_range_widen_it(ipywidgets) -> None:
    explorer = widgets.explore("citrate", dose_mg=1500, days=1, egfr_ml_min=200)
    assert explorer.inputs["dose_mg"].max == 1500 and explorer.inputs["dose_mg"].value == 1500
    assert explorer.inputs["egfr_ml_min"].value == 200


@pytest.mark.parametrize("call, match", [
    (lambda: widgets.explore(dose_mg=-1), r"dose_mg=-1"),
    (lambda: widgets.explore(form="oxyde"), r"form='oxyde'.*'oxide'"),
    (lambda: widgets.explore(every_h=0), r"every_h=0"),
    (lambda: widgets.explore(days=0), r"days=0"),
    (lambda: widgets.explore(days=widgets.MAX_DAYS + 1), r"days=366.*365"),
    (lambda: widgets.explore(egfr_ml_min=0), r"egfr_ml_min=0"),
    (lambda: widgets.explore(weight_kg=400), r"weight_kg=400"),
    (lambda: widgets.explore_iv(loading_mgso4_g=-4), r"loading_mgso4_g=-4"),
    (lambda: widgets.explore_iv(maintenance_mgso4_g_per_h=-1), r"maintenance_mgso4_g_per_h=-1"),
    (lambda: widgets.explore_iv(duration_h=0), r"duration_h=0"),
    (lambda: widgets.explore_iv(duration_h=12, loading_duration_h=12),
     r"loading_duration_h=12.*before duration_h"),
])
def test_invalid_arguments_raise_value_error(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_wrong_types_raise_type_error() -> None:
    with pytest.raises(TypeError, match="subject="):
        widgets.explore(subject="adult")
    with pytest.raises(TypeError, match="with_food="):
        widgets.explore(with_food="yes")
    with pytest.raises(TypeError, match="dose_mg="):
        widgets.explore(dose_mg="200")


def test_invalid_update_keeps_the_state(oral) -> None:
    result, values = oral.result, dict(oral.values)
    with pytest.raises(TypeError, match=r"unknown argument.*'dose'"):
        oral.update(dose=100)
    with pytest.raises(ValueError, match="egfr_ml_min=-5"):
        oral.update(egfr_ml_min=-5)
    assert oral.result is result and oral.values == values


def test_invalid_slider_value_is_reported_under_the_controls(ipywidgets) -> None:
    explorer = widgets.explore("citrate", days=1)
    result = explorer.result
    slider = explorer.inputs["egfr_ml_min"]
    slider.min = 0.0
    slider.value = 0.0  # not a valid eGFR: the model refuses it
    status = explorer.widget.children[1]
    assert "egfr_ml_min=0" in status.value
    assert explorer.result is result
    slider.value = 60.0  # a valid value clears the message
    assert status.value == "" and explorer.subject.egfr_ml_min == 60.0


def test_mimebundle_holds_widget_and_static_image(oral) -> None:
    bundle = oral._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)
    assert bundle["text/plain"] == repr(oral)
    assert "citrate 300 mg every 24 h" in repr(oral) and "interactive" in repr(oral)


def test_without_ipywidgets_a_static_figure(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets -> ImportError
    explorer = widgets.explore_iv(6, 2, subject=PREGNANT)
    assert explorer.widget is None and explorer.inputs == {}
    assert "ipywidgets" in capsys.readouterr().out
    bundle = explorer._repr_mimebundle_()
    assert WIDGET_VIEW not in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)
    assert "static figure" in bundle["text/plain"]
    before = serum_line(explorer)
    explorer.update(loading_mgso4_g=2.0)  # still re-simulates from code
    assert serum_line(explorer).max() < before.max()


def test_without_matplotlib_an_install_hint(monkeypatch) -> None:
    for name in ("matplotlib", "matplotlib.figure"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r'pip install "magpk\[plot\]"'):
        widgets.explore()
