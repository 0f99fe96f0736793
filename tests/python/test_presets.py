"""Regimen presets by indication: ``magpk.presets()`` and the CLI's ``presets`` / ``--preset``."""

import math
import subprocess
import sys

import pandas as pd
import pytest

import magpk
from magpk import cli
from magpk.forms import MG_PER_MMOL

TABLE = magpk.presets()
IDS = list(TABLE.index)
PARENTERAL = [preset for preset in IDS if TABLE.loc[preset, "form"] == "mgso4 IV/IM"]
ORAL = [preset for preset in IDS if preset not in PARENTERAL]
# The indications, with the seed's daily doses and forms (elemental mg/day).
SEED = {"migraine_prophylaxis": (600.0, "citrate"),  # 600 mg/day trimagnesium dicitrate
        "insomnia_elderly": (500.0, None),            # 500 mg/day in the elderly
        "blood_pressure": (480.0, "glycinate"),       # the 480 mg/day glycinate trial
        "constipation_oxide": (None, "oxide"),        # the laxative use of oxide
        "eclampsia_zuspan": (None, "mgso4 IV/IM"),
        "eclampsia_pritchard": (None, "mgso4 IV/IM")}


def subject_for(preset):
    """A pregnant woman for the pre-eclampsia presets, the default adult otherwise."""
    return magpk.Subject(sex="female", pregnant=True) if preset in PARENTERAL else magpk.Subject()


def test_table_shape_columns_ids_and_note():
    assert TABLE.index.name == "preset" and TABLE.index.is_unique
    assert list(TABLE.columns[:6]) == ["indication", "regimen", "daily_elemental_mg", "form",
                                       "evidence_grade", "source"]
    assert set(SEED) <= set(IDS)
    assert "not medical advice" in TABLE.attrs["note"]
    assert set(TABLE["evidence_grade"]) <= set(TABLE.attrs["evidence_grades"])
    assert set(TABLE["form"]) <= set(magpk.form_ids()) | {"mgso4 IV/IM"}
    assert TABLE["source"].str.contains(r"doi:|PMID|NCT\d|https://").all()
    assert (TABLE["days"] > 0).all()
    assert TABLE["regimen"].str.len().gt(0).all() and TABLE["indication"].str.len().gt(0).all()


@pytest.mark.parametrize("preset", list(SEED))
def test_seed_doses_and_forms(preset):
    mg, form = SEED[preset]
    if mg is not None:
        assert TABLE.loc[preset, "daily_elemental_mg"] == pytest.approx(mg)
    if form is not None:
        assert TABLE.loc[preset, "form"] == form


@pytest.mark.parametrize("preset", IDS)
def test_one_day_simulates_and_gives_the_daily_dose(preset):
    """The Mg a one-day course delivers, as the simulation counts it, is daily_elemental_mg."""
    regimen = magpk.presets(preset, days=1)
    assert isinstance(regimen, magpk.Regimen)
    metrics = magpk.simulate(regimen, subject_for(preset), t_end_h=30.0,
                             output_every_h=1.0).metrics()
    given = metrics["oral_supplement_mg"] + metrics["parenteral_mmol"] * MG_PER_MMOL
    assert given == pytest.approx(TABLE.loc[preset, "daily_elemental_mg"], rel=1e-9)
    assert math.isfinite(metrics["cmax_mmol_l"])


@pytest.mark.parametrize("preset", ORAL)
def test_default_course_is_the_table_days_of_daily_doses(preset):
    regimen = magpk.presets(preset)
    mg = sum(event.elemental_mmol for event in regimen.oral_events) * MG_PER_MMOL
    expected = TABLE.loc[preset, "daily_elemental_mg"] * TABLE.loc[preset, "days"]
    assert mg == pytest.approx(expected, rel=1e-9)
    assert {event.form for event in regimen.oral_events} == {TABLE.loc[preset, "form"]}
    result = magpk.simulate(regimen, subject_for(preset), t_end_h=48.0, output_every_h=6.0)
    assert result.metrics()["oral_supplement_mg"] > 0


@pytest.mark.parametrize("preset", PARENTERAL)
def test_parenteral_presets_raise_serum_but_stay_below_toxic_levels(preset):
    """Light check (the validation targets compare with population PK models): after the
    loading dose serum is above the reference range (> 1.05 mmol/L) and below the level at
    which deep tendon reflexes become depressed (2.5 mmol/L; PMC4455825, Table 7); on
    Zuspan's 1 g/h "well below 2 mmol/L" (Okusanya 2016 BJOG review)."""
    result = magpk.simulate(magpk.presets(preset), subject_for(preset), t_end_h=24.0,
                            output_every_h=0.5)
    serum = result.to_frame().set_index("time_h")["serum_mmol_l"].loc[2.0:24.0]
    assert serum.min() > 1.05 and serum.max() < 2.5
    assert result.metrics()["time_above_3_5_h"] == 0
    if preset == "eclampsia_zuspan":
        assert serum.loc[12.0:24.0].mean() < 2.0


def test_validation_runs_the_preset_regimens():
    from magpk.presets import pritchard, zuspan
    assert magpk.presets("eclampsia_zuspan", days=1) == zuspan()
    assert magpk.presets("eclampsia_pritchard", days=1) == pritchard()
    assert len(magpk.presets("eclampsia_pritchard", days=2).parenteral_events) == 1 + 11


def test_days_sets_the_course_length():
    two = magpk.presets("insomnia_elderly", days=2)
    assert len(two.oral_events) == 2 * len(magpk.presets("insomnia_elderly", days=1).oral_events)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"id": "migraine"}, ValueError, ["id='migraine'", "allowed", "migraine_prophylaxis"]),
    ({"id": 3}, TypeError, ["id=3", "eclampsia_zuspan"]),
    ({"id": "blood_pressure", "days": 0}, ValueError, ["days=0", "> 0"]),
    ({"id": "blood_pressure", "days": -1.0}, ValueError, ["days=-1.0"]),
    ({"id": "blood_pressure", "days": float("nan")}, ValueError, ["days=nan"]),
    ({"id": "blood_pressure", "days": 1e9}, ValueError, ["days=1000000000.0", "<="]),
    ({"id": "blood_pressure", "days": "7"}, TypeError, ["days='7'"]),
    ({"days": 7}, ValueError, ["days=7", "id"]),
])
def test_bad_arguments_name_the_argument_and_the_allowed_values(kwargs, error, words):
    with pytest.raises(error) as info:
        magpk.presets(**kwargs)
    for word in words:
        assert word in str(info.value)


# ---------------------------------------------------------------------------- CLI

def test_cli_presets_lists_every_preset_with_the_advice_line(tmp_path):
    out = tmp_path / "presets.csv"
    result = subprocess.run([sys.executable, "-m", "magpk.cli", "presets", "--csv", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "not medical advice" in result.stdout
    starts = [line.split()[0] for line in result.stdout.splitlines() if line.split()]
    assert all(preset in starts for preset in IDS)
    assert list(pd.read_csv(out, index_col="preset").index) == IDS


@pytest.mark.parametrize("preset", IDS)
def test_cli_simulate_preset_runs_the_api_regimen(preset, tmp_path, capsys):
    out = tmp_path / "series.csv"
    extra = ["--pregnant"] if preset in PARENTERAL else []
    status = cli.main(["simulate", "--preset", preset, "--days", "1", "--t-end", "30h",
                       "--csv", str(out), *extra])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert f"preset {preset}" in captured.out and "not medical advice" in captured.out
    series = pd.read_csv(out)
    api = magpk.simulate(magpk.presets(preset, days=1), subject_for(preset), t_end_h=30.0,
                         output_every_h=1.0).to_frame()
    assert series["serum_mmol_l"].to_numpy() == pytest.approx(api["serum_mmol_l"].to_numpy(),
                                                              rel=1e-12)


def test_cli_compare_preset_runs_its_schedule_with_each_form(tmp_path, capsys):
    out = tmp_path / "compare.csv"
    status = cli.main(["compare", "--preset", "blood_pressure", "--days", "1", "--csv", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "not medical advice" in captured.out
    table = pd.read_csv(out, index_col="form")
    assert list(table.index) == ["glycinate", "oxide", "citrate"]  # the preset's form first
    assert table["oral_supplement_mg"].tolist() == pytest.approx([480.0] * 3)
    status = cli.main(["compare", "--preset", "insomnia_elderly", "--forms", "citrate",
                       "--days", "1", "--csv", str(out)])
    assert status == 0, capsys.readouterr().err
    assert list(pd.read_csv(out, index_col="form").index) == ["citrate"]


def test_cli_compare_parenteral_preset_is_an_error(capsys):
    assert cli.main(["compare", "--preset", "eclampsia_zuspan"]) == 2
    err = capsys.readouterr().err
    assert "--preset" in err and "parenteral" in err and "simulate" in err


def test_cli_check_preset(capsys):
    assert cli.main(["check", "--preset", "constipation_oxide", "--days", "2"]) == 0
    out = capsys.readouterr().out
    assert "preset constipation_oxide" in out and "[warning] ul" in out  # ~905 mg/day > UL 350
    assert cli.main(["check", "--preset", "eclampsia_pritchard", "--pregnant"]) == 0
    assert "parenteral" in capsys.readouterr().out


@pytest.mark.parametrize("args, options", [
    (["simulate", "--preset", "blood_pressure", "--dose", "300mg", "--form", "oxide"],
     ["--dose", "--form"]),
    (["simulate", "--preset", "blood_pressure", "--form", "glycinate"], ["--form"]),  # = default
    (["compare", "--preset", "migraine_prophylaxis", "--every", "12h"], ["--every"]),
    (["check", "--preset", "insomnia_elderly", "--count", "3", "--with-food"],
     ["--count", "--with-food"]),
])
def test_cli_preset_with_regimen_options_names_the_conflict(args, options, capsys):
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "argument --preset: not allowed with" in err and "Traceback" not in err
    for option in options:
        assert option in err


def test_cli_unknown_preset_lists_the_allowed_ids(capsys):
    assert cli.main(["simulate", "--preset", "migrane"]) == 2
    err = capsys.readouterr().err
    assert "--preset" in err and all(preset in err for preset in IDS)


def test_cli_without_preset_is_unchanged(tmp_path):
    out = tmp_path / "plain.csv"
    assert cli.main(["simulate", "--form", "oxide", "--dose", "250mg", "--every", "12h",
                     "--days", "1", "--csv", str(out)]) == 0
    series = pd.read_csv(out)
    api = magpk.simulate(magpk.Regimen().oral("oxide", 250, every_h=12, days=1), magpk.Subject(),
                         t_end_h=12 + 48, output_every_h=1.0).to_frame()
    assert series["serum_mmol_l"].to_numpy() == pytest.approx(api["serum_mmol_l"].to_numpy(),
                                                              rel=1e-12)
