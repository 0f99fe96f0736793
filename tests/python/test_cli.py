"""The ``magpk`` command line, run as ``python -m magpk.cli`` in a subprocess."""

import shlex
import subprocess
import sys

import pandas as pd
import pytest

import magpk
from magpk import cli


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "magpk.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_compare_prints_one_row_per_form_and_writes_csv(tmp_path):
    out = tmp_path / "out.csv"
    forms = ["oxide", "citrate", "glycinate"]
    result = run("compare", "--forms", ",".join(forms), "--dose", "300mg", "--every", "12h",
                 "--days", "2", "--egfr", "45", "--csv", str(out))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for form in forms:
        assert sum(line.split()[0] == form for line in lines if line.split()) == 1, form
    table = pd.read_csv(out, index_col="form")
    assert list(table.index) == forms
    assert {"fraction_absorbed", "cmax_mmol_l", "absorbed_supplement_mg"} <= set(table.columns)
    # 4 doses x 300 mg
    assert table["oral_supplement_mg"].tolist() == pytest.approx([1200.0] * 3)


def test_compare_units_gram_and_minutes(tmp_path):
    out = tmp_path / "g.csv"
    result = run("compare", "--forms", "citrate", "--dose", "0.3g", "--every", "720min",
                 "--count", "2", "--csv", str(out))
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out, index_col="form")
    assert table.loc["citrate", "oral_supplement_mg"] == pytest.approx(600.0)


@pytest.mark.parametrize("args, option", [
    (["--dose", "-5mg"], "--dose"),
    (["--dose", "5kg"], "--dose"),
    (["--forms", "nope"], "--forms"),
    (["--every", "12x"], "--every"),
    (["--days", "0"], "--days"),
    (["--egfr", "500"], "--egfr"),
])
def test_compare_bad_arguments_exit_2(args, option):
    result = run("compare", *args)
    assert result.returncode == 2
    assert option in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_form_suggests():
    result = run("compare", "--forms", "oxide,citrat")
    assert result.returncode == 2
    assert "citrate" in result.stderr and "Traceback" not in result.stderr


def test_forms_lists_16_forms():
    result = run("forms")
    assert result.returncode == 0, result.stderr
    import magpk
    ids = magpk.form_ids()
    assert len(ids) == 16
    starts = [line.split()[0] for line in result.stdout.splitlines() if line.split()]
    assert sum(form in starts for form in ids) == 16


def test_help_exits_0():
    for args in (["--help"], ["compare", "--help"], ["check", "--help"]):
        result = run(*args)
        assert result.returncode == 0, args
        assert "examples:" in result.stdout


def test_no_command_is_a_usage_error():
    result = run()
    assert result.returncode == 2 and "usage:" in result.stderr


def test_simulate_prints_metrics_and_csv(tmp_path):
    out = tmp_path / "series.csv"
    result = run("simulate", "--form", "glycinate", "--dose", "200", "--every", "1d",
                 "--days", "2", "--csv", str(out))
    assert result.returncode == 0, result.stderr
    assert "fraction absorbed" in result.stdout and "serum max" in result.stdout
    series = pd.read_csv(out)
    assert {"time_h", "serum_mmol_l"} <= set(series.columns)
    assert series["time_h"].iloc[-1] == pytest.approx(24 + 48)


def test_check_flags_spacing_and_ul():
    result = run("check", "--form", "citrate", "--dose", "200mg", "--every", "12h", "--days", "2",
                 "--drug", "doxycycline@1", "--strict")
    assert result.returncode == 1  # --strict: warnings found
    assert "[warning] spacing" in result.stdout and "[warning] ul" in result.stdout
    ok = run("check", "--dose", "100mg", "--every", "12h", "--days", "2",
             "--drug", "doxycycline@8,20")
    assert ok.returncode == 0, ok.stderr
    assert "[warning] spacing" not in ok.stdout
    assert "doxycycline (tetracyclines): checked, spacing fine" in ok.stdout


def test_check_groups_repeated_spacing_warnings():
    result = run("check", "--form", "citrate", "--dose", "100mg", "--every", "12h", "--days",
                 "14", "--drug", "doxycycline@1,13")
    assert "28 doses of oral Mg too close to doxycycline (days 1-14)" in result.stdout
    assert result.stdout.count("[warning] spacing") == 1


def test_check_unknown_drug_exit_2():
    result = run("check", "--drug", "doxycyclin@8")
    assert result.returncode == 2
    assert "--drug" in result.stderr and "doxycycline" in result.stderr
    assert "Traceback" not in result.stderr


def test_main_in_process(capsys):
    assert cli.main(["forms"]) == 0
    assert "glycinate" in capsys.readouterr().out
    assert cli.main(["compare", "--every", "12x"]) == 2
    assert "--every" in capsys.readouterr().err


@pytest.mark.parametrize("text, mg", [("300mg", 300), ("300", 300), ("0.3g", 300),
                                      ("1mmol", 24.305), ("2.5 MG", 2.5)])
def test_parse_dose(text, mg):
    assert cli.parse_dose_mg(text) == pytest.approx(mg)


@pytest.mark.parametrize("text, hours", [("12h", 12), ("12", 12), ("1d", 24), ("30min", 0.5),
                                         ("1w", 168)])
def test_parse_duration(text, hours):
    assert cli.parse_duration_h(text) == pytest.approx(hours)


def test_version() -> None:
    out = subprocess.run([sys.executable, "-m", "magpk", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == f"magpk {magpk.__version__}"


def test_closed_pipe_exits_quietly() -> None:
    """`magpk compare ... | head -1`: no 'Broken pipe' message, exit status 0."""
    command = (f"{shlex.quote(sys.executable)} -m magpk compare --forms oxide,citrate "
               f"--dose 300mg | head -1")
    out = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("magpk compare:")
    assert "Broken pipe" not in out.stderr and "Error" not in out.stderr


def test_main_job_script_skips_the_rebuild_when_sources_are_unchanged() -> None:
    """scripts/main_job.sh keeps a source hash beside the venv and says what it does."""
    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "scripts" / "main_job.sh").read_text()
    assert ".magpk-source-hash" in text
    assert "Building and installing magpk" in text and "up to date" in text


def test_unknown_drug_suggests_only_close_names():
    far = run("check", "--drug", "aspirin@8")
    assert far.returncode == 2
    assert "did you mean" not in far.stderr and "not among the drugs" in far.stderr
    near = run("check", "--drug", "doxycyclin@8")
    assert "did you mean 'doxycycline'" in near.stderr


def test_compare_prints_a_legend_naming_each_window():
    result = run("compare", "--forms", "oxide,citrate", "--dose", "300mg", "--days", "3",
                 "--every", "24h")
    legend = next(line for line in result.stdout.splitlines() if line.startswith("legend:"))
    assert "whole run" in legend and "24 h from the first dose" in legend
    assert "worst day" in legend
