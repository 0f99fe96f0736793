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
    lines = result.stdout.splitlines()
    legend = lines[lines.index("legend:") + 1:]
    header = next(line for line in lines if line.lstrip().startswith("absorbed (%)"))
    for column in ("absorbed (%)", "absorbed (mg)", "net extra (mg)", "urine +24h (mg)",
                   "serum max (mg/dL)", "P(diarrhea) (%)", "evidence"):
        assert column in header, header
        assert any(line.strip().startswith(column) for line in legend), column
    text = "\n".join(legend)
    assert "96-h run" in text and "24 h from the first dose" in text and "worst day" in text


def _table_rows(stdout: str, first_form: str) -> list:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(first_form))
    return lines[start - 2:lines.index("legend:")]


@pytest.mark.parametrize("units, amount, serum", [("mg", "(mg)", "(mg/dL)"),
                                                  ("mmol", "(mmol)", "(mmol/L)")])
def test_compare_table_uses_one_unit_system(units, amount, serum):
    result = run("compare", "--forms", "oxide,citrate", "--days", "2", "--units", units)
    assert result.returncode == 0, result.stderr
    header = _table_rows(result.stdout, "oxide")[0]
    assert header.count(amount) == 3 and serum in header
    other = "(mmol" if units == "mg" else "(mg"
    assert other not in header
    baseline = next(line for line in result.stdout.splitlines() if line.startswith("baseline"))
    assert serum.strip("()") in baseline


def test_compare_mmol_and_mg_tables_agree():
    mg = run("compare", "--forms", "citrate", "--days", "2", "--units", "mg")
    table = magpk.compare_forms(["citrate"], 300, every_h=24, days=2, t_end_h=24 + 48)
    row = _table_rows(mg.stdout, "citrate")[2].split()
    assert row[2].replace(",", "") == f"{table['absorbed_supplement_mg'].iloc[0]:.0f}"


def test_long_runs_print_human_numbers_without_exponents():
    result = run("simulate", "--form", "glycinate", "--dose", "200mg", "--every", "12h",
                 "--days", "30")
    assert result.returncode == 0, result.stderr
    assert "e+" not in result.stdout
    given = next(line for line in result.stdout.splitlines() if "supplement given" in line)
    assert "12,000" in given and "mg" in given and "whole run" in given
    for line in result.stdout.splitlines()[2:]:
        assert line.rstrip().endswith(("whole run", "first dose", "from t = 0", "end of run",
                                       "worst day", "without supplement")), line


def test_simulate_units_mmol_states_serum_in_mmol_per_l():
    result = run("simulate", "--days", "2", "--units", "mmol")
    lines = result.stdout.splitlines()
    assert any("mmol/L" in line and "serum max" in line for line in lines)
    assert not any(" mg " in line or "mg/dL" in line for line in lines[2:])


def test_units_rejects_other_values():
    result = run("compare", "--units", "g")
    assert result.returncode == 2 and "--units" in result.stderr and "mmol" in result.stderr


def test_plot_matches_the_table_units(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib
    matplotlib.use("Agg")
    from magpk.plot import plot_comparison
    captured = {}

    def spy(table, metrics, fig=None):
        captured["columns"] = list(table.columns)
        return plot_comparison(table, metrics, fig)

    import magpk.plot
    original = magpk.plot.plot_comparison
    magpk.plot.plot_comparison = spy
    try:
        status = cli.main(["compare", "--forms", "oxide", "--days", "1", "--units", "mmol",
                           "--plot", str(tmp_path / "c.png")])
    finally:
        magpk.plot.plot_comparison = original
    assert status == 0 and (tmp_path / "c.png").exists()
    assert "absorbed (mmol)" in captured["columns"] and "serum max (mmol/L)" in captured["columns"]


def test_human_number_formatting():
    from magpk._display import human_number
    assert [human_number(x) for x in (12000.0, 2050.09, 41.52, 2.155, 0.8872, 0.0, None,
                                      float("nan"), -1234.5)] == [
        "12,000", "2,050", "41.5", "2.15", "0.887", "0", "n/a", "n/a", "-1,234"]


def test_subject_line_is_readable():
    result = run("simulate", "--days", "1", "--egfr", "45", "--ppi")
    line = next(line for line in result.stdout.splitlines() if line.startswith("subject:"))
    assert line == ("subject: female, 40 y, 70 kg, eGFR 45 mL/min, diet 300 mg/day as meals at "
                    "08:00 (20%), 12:30 (35%), 19:30 (45%), PPI; t = 0 at 07:00")
