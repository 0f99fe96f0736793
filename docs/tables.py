"""Generate the tables of docs/model.md from the installed magpk package.

The documentation site renders them while it is built: docs/model.md holds a
``magpk-table NAME`` directive where each table goes, and the local Sphinx
extension docs/_ext/magpk_docs.py calls ``BLOCKS[NAME]()``, so no table is
pasted into the sources and the tables always describe the installed package.
This script prints the same tables as Markdown (from the repository root, with
the package installed):

    python docs/tables.py                    # print every table
    python docs/tables.py --block forms      # print one table
    python docs/tables.py --list             # names of the tables

The tables (``BLOCKS``):

- ``provenance``          date, magpk version and git commit of the generation;
- ``subjects``            derived quantities and steady states of example subjects,
                          and the steady state against eGFR (``magpk.simulate``);
- ``store-uptake``        the store uptake ratio h(c)/h(c_ref) at a few serum values;
- ``forms``               the form catalogue (``magpk.forms()``);
- ``parameters``          the parameter table (``magpk.parameters()``);
- ``calibration-stages``  the fitted parameters, bounds and targets of
                          ``calibration/calibrate.py`` (``STAGES``), with the
                          position of the current value;
- ``validation``          ``magpk.validation.evaluate()`` (the same table that
                          ``python docs/validation_table.py`` prints);
- ``validation-sources``  the source of every target;
- ``known-misses``        the missed targets, with the reasons recorded in
                          ``tests/python/test_validation_targets.py`` (KNOWN_MISSES);
- ``populations``         the population presets (``magpk.populations()``).

``undocumented()`` lists output columns and metrics of the installed package that
the hand-written prose of docs/model.md does not mention; the docs build reports
them as warnings (errors under ``-W``).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import math
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Callable

import magpk
from magpk import validation

ROOT = Path(__file__).resolve().parents[1]
CALIBRATE_PY = ROOT / "calibration" / "calibrate.py"
TARGET_TESTS_PY = ROOT / "tests" / "python" / "test_validation_targets.py"
#: True in the docs build: a script that cannot be imported is an error there,
#: while printing the tables only warns and skips what depends on it.
STRICT = False


# ----------------------------------------------------------------------------- helpers
def cell(value: object) -> str:
    """A Markdown table cell: pipes escaped, newlines removed."""
    return str(value).replace("|", "\\|").replace("\n", " ").strip()


def number(value: float, digits: int = 5) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.{digits}g}"


def table(header: Sequence[str], align: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def load_module(path: Path, name: str):  # type: ignore[no-untyped-def]
    """Import a script of the repository by path (None if it cannot be imported)."""
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    except Exception as error:  # a script under edit must not break the other tables
        if STRICT:
            raise
        print(f"warning: could not import {path.relative_to(ROOT)}: {error}", file=sys.stderr)
        return None


_EVALUATION = None


def evaluation():  # type: ignore[no-untyped-def]
    """magpk.validation.evaluate(), run once per invocation."""
    global _EVALUATION
    if _EVALUATION is None:
        _EVALUATION = validation.evaluate()
    return _EVALUATION


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.rstrip()
    except (OSError, subprocess.CalledProcessError):
        return ""


# ----------------------------------------------------------------------------- blocks
def provenance() -> str:
    commit = git("log", "--oneline", "-1").split(" ")[0] or "unknown"
    changed = [line[3:] for line in git("status", "--porcelain").splitlines()
               if line[3:] and not line[3:].startswith("docs/")]
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more files" if len(changed) > 5
                                      else "")
    tree = (f"; the working tree differs outside docs/ in {shown} (the tables come from the "
            f"installed package, which may or may not include those changes)" if changed
            else "; no uncommitted changes outside docs/")
    return (f"Tables generated on {datetime.date.today().isoformat()} from the installed magpk "
            f"{magpk.__version__} at git {commit}{tree}.")


def _subject_rows(subjects: dict[str, magpk.Subject]) -> list[list[object]]:
    """Derived quantities and the daily steady state of each subject."""
    columns = []
    for subject in subjects.values():
        result = magpk.simulate(magpk.Regimen(), subject, t_end_h=24.0, output_every_h=1.0)
        frame = result.to_frame()
        first, last = frame.iloc[0], frame.iloc[-1]
        core = result._core.subject
        metrics = result.metrics()
        height_m = core.height_cm / 100.0
        intake = float(last["diet_in_cum_mmol"])
        net = float(last["absorbed_cum_mmol"] - last["secreted_cum_mmol"])
        columns.append({
            "weight (kg), age (y), sex":
                f"{subject.weight_kg:g}, {subject.age_years:g}, {subject.sex}",
            "height (cm; default if not given)": f"{core.height_cm:.1f}",
            "BMI (kg/m²)": f"{subject.weight_kg / height_m ** 2:.1f}",
            "body fat (%)": f"{100 * core.body_fat_fraction:.1f}",
            "fat-free mass (kg)": f"{core.fat_free_mass_kg:.1f}",
            "total body Mg M (mmol)": f"{core.body_mg_mmol:.0f}",
            "V_ecf (L; L/kg)":
                f"{core.ecf_volume_l:.1f}; {core.ecf_volume_l / subject.weight_kg:.3f}",
            "V_p (L)": f"{core.peripheral_volume_l:.1f}",
            "T_ref, exchangeable intracellular (mmol)": f"{core.tissue_reference_mmol:.1f}",
            "T_b, bound intracellular (mmol)":
                format(first["tissue_mmol"] - first["peripheral_mmol"]
                       - first["tissue_exchangeable_mmol"], ".1f"),
            "B_ref, bone surface (mmol)": f"{core.bone_reference_mmol:.1f}",
            "deep bone at t = 0 (mmol)": f"{first['deep_bone_mmol']:.1f}",
            "eGFR (mL/min; default if not given)": f"{subject.egfr_ml_min:.1f}",
            "T_m (mmol/h)": f"{core.tm_mmol_h:.3f}",
            "habitual diet (mg/day; default if not given)": f"{subject.diet_mg_per_day:g}",
            "serum at t = 0, 07:00 (mmol/L)": f"{first['serum_mmol_l']:.3f}",
            "serum, daily mean = baseline_serum_mmol_l (mmol/L)":
                f"{metrics['baseline_serum_mmol_l']:.3f}",
            "serum, daily min–max (mmol/L)":
                f"{metrics['cmin_mmol_l']:.3f}–{metrics['cmax_mmol_l']:.3f}",
            "dietary intake (mmol/day)": f"{intake:.2f}",
            "gross absorption A (mmol/day)": f"{last['absorbed_cum_mmol']:.2f}",
            "endogenous secretion Z (mmol/day)": f"{last['secreted_cum_mmol']:.2f}",
            "net absorption A − Z (mmol/day; % of intake)":
                f"{net:.2f}; {100 * net / intake:.1f} %",
            "urine (mmol/day)": f"{last['urine_cum_mmol']:.2f}",
            "ultrafiltered load (mmol/day)": f"{last['filtered_cum_mmol']:.1f}",
            "fractional excretion (urine / ultrafiltered)":
                f"{100 * last['urine_cum_mmol'] / last['filtered_cum_mmol']:.2f} %",
            "feces (mmol/day)": f"{last['feces_cum_mmol']:.2f}",
            "sweat (mmol/day)": f"{last['sweat_cum_mmol']:.3f}",
            "diarrhea_probability without any supplement": f"{metrics['diarrhea_probability']:.3f}",
        })
    return [[key] + [c[key] for c in columns] for key in columns[0]]


def subjects() -> str:
    examples = {
        "reference adult": validation.REFERENCE_ADULT,
        "girl, 5 y": magpk.Subject(age_years=5.0, weight_kg=18.0, sex="female"),
        "girl, 15 y": magpk.Subject(age_years=15.0, weight_kg=55.0, sex="female"),
        "man, 75 kg": magpk.Subject(weight_kg=75.0, sex="male", age_years=30.0,
                                    egfr_ml_min=100.0, diet_mg_per_day=300.0),
    }
    out = [table(["quantity", *examples], ["l"] + ["r"] * len(examples),
                 _subject_rows(examples))]
    rows = []
    for egfr in (100.0, 60.0, 30.0, 20.0, 15.0, 10.0):
        subject = magpk.Subject(**{**validation.REFERENCE_ADULT.__dict__, "egfr_ml_min": egfr})
        result = magpk.simulate(magpk.Regimen(), subject, t_end_h=24.0, output_every_h=24.0)
        frame = result.to_frame().iloc[-1]
        core_subject = result._core.subject
        rows.append([f"{egfr:g}", f"{core_subject.tm_mmol_h / core_subject.gfr_l_h:.4f}",
                     f"{result.metrics()['baseline_serum_mmol_l']:.3f}",
                     f"{frame['urine_cum_mmol']:.2f}",
                     f"{100 * frame['urine_cum_mmol'] / frame['filtered_cum_mmol']:.2f} %"])
    out.append("")
    out.append("Reference adult at lower eGFR (diet only):")
    out.append("")
    out.append(table(["eGFR (mL/min)", "T_m / GFR (mmol/L filtrate)", "daily mean serum (mmol/L)",
                      "urine (mmol/day)", "fractional excretion"],
                     ["r", "r", "r", "r", "r"], rows))
    return "\n".join(out)


def store_uptake() -> str:
    p = magpk.parameters()["value"]
    half, n, ref = (p["store_uptake_half_serum_mmol_l"], p["store_uptake_hill"],
                    p["reference_serum_mmol_l"])

    def h(c: float) -> float:
        return 1.0 / (1.0 + (half / c) ** n)

    levels = (0.3, 0.5, 0.6, 0.7, 0.75, 0.85, 0.95, 1.05, 1.5, 2.0, 3.5)
    return (f"With $c_{{50}}$ = {half:.4g} mmol/L, $n$ = {n:.4g}, $c_{{ref}}$ = {ref:g} mmol/L:\n\n"
            + table(["serum c (mmol/L)", *[f"{c:g}" for c in levels]], ["l"] + ["r"] * len(levels),
                    [["h(c)/h(c_ref)", *[f"{h(c) / h(ref):.3f}" for c in levels]]]))


def forms() -> str:
    f = magpk.forms()
    rows = []
    for form, r in f.iterrows():
        solubility = r["solubility_g_per_100ml"]
        rows.append([f"`{form}`", r["formula"], f"{100 * r['elemental_fraction']:.2f}",
                     f"{r['mg_per_g']:.1f}", r["kinetics"],
                     "—" if isinstance(solubility, float) and math.isnan(solubility)
                     else f"{solubility:g}",
                     r["evidence_grade"], r["confidence"], r["evidence"]])
    out = [table(["id", "formula (as stated)", "elemental Mg %", "mg Mg per g",
                  "modeled kinetics (`kinetics`)", "solubility g/100 mL", "evidence grade",
                  "confidence", "evidence"],
                 ["l", "l", "r", "r", "l", "r", "l", "l", "l"], rows)]
    groups: dict[str, list[str]] = {}
    for form, r in f.iterrows():
        groups.setdefault(r["kinetics"], []).append(form)
    shared = [members for members in groups.values() if len(members) > 1]
    if shared:
        out.append("")
        out.append("Identical by assumption (same `kinetics`, so the same simulated behavior per "
                   "elemental mg): " + "; ".join(", ".join(f"`{m}`" for m in members)
                                                for members in shared) + ".")
    return "\n".join(out)


def _stages() -> list | None:
    module = load_module(CALIBRATE_PY, "_magpk_calibrate")
    return None if module is None else list(getattr(module, "STAGES", []))


def parameters() -> str:
    p = magpk.parameters()
    # Uncertainty of calibrated values, when the package stores a joint calibration
    # (columns log_sd, at_bound, identifiable of magpk.parameters()).
    uncertainty = {"log_sd", "at_bound", "identifiable"} <= set(p.columns)
    rows = []
    for name, r in p.iterrows():
        row = [f"`{name}`", number(float(r["value"])), r["unit"], r["description"],
               r["source"], r["calibrated_against"] or "—"]
        if uncertainty:
            if isinstance(r["log_sd"], float) and math.isnan(r["log_sd"]):
                row.append("—")
            else:
                flags = [f"{r['log_sd']:.2g}"]
                if r["at_bound"]:
                    flags.append("at a bound")
                if not r["identifiable"]:
                    flags.append("not identifiable (cap)")
                row.append("; ".join(flags))
        rows.append(row)
    header = ["name", "value", "unit", "description", "source", "calibrated against"]
    align = ["l", "r", "l", "l", "l", "l"]
    if uncertainty:
        header.append("log-SD (joint calibration)")
        align.append("l")
    return table(header, align, rows)


def calibration_stages() -> str:
    stages = _stages()
    if stages is None:
        return "(calibration/calibrate.py could not be imported; stage table not generated)"
    p = magpk.parameters()
    rows = []
    fitted = set()
    for k, (names, lower, upper, targets) in enumerate(stages, start=1):
        for name, lo, hi in zip(names, lower, upper):
            fitted.add(name)
            value = float(p.loc[name, "value"])
            if abs(math.log(value / lo)) < 1e-3:
                position = "**at lower bound**"
            elif abs(math.log(hi / value)) < 1e-3:
                position = "**at upper bound**"
            else:
                position = "inside"
            rows.append([str(k), f"`{name}`", number(lo), number(hi), number(value), position,
                         ", ".join(f"`{t}`" for t in targets)])
    out = [table(["stage", "parameter", "lower bound", "upper bound", "value now", "position",
                  "fitted to targets"], ["r", "l", "r", "r", "r", "l", "l"], rows)]
    marked = {n for n, r in p.iterrows() if r["calibrated_against"]}
    unmarked = sorted(fitted - marked)
    unfitted = sorted(marked - fitted)
    notes = []
    if unmarked:
        notes.append("fitted by `calibration/calibrate.py` but without a \"calibrated against\" "
                     "entry in the parameter table: " + ", ".join(f"`{n}`" for n in unmarked))
    if unfitted:
        notes.append("marked as calibrated in the parameter table but fitted by no stage: "
                     + ", ".join(f"`{n}`" for n in unfitted))
    if notes:
        out.append("")
        out += [f"Inconsistency: {note}." for note in notes]
    return "\n".join(out)


def validation_table() -> str:
    t = evaluation()
    rows = []
    for target_id, r in t.iterrows():
        rows.append([f"`{target_id}`", r["description"], r["published"],
                     f"[{number(r['low'], 6)}, {number(r['high'], 6)}]", f"{r['model']:.4g}",
                     "yes" if r["within"] else "**no**", "yes" if r["calibration"] else "no",
                     r["note"]])
    missed = [i for i, r in t.iterrows() if not r["within"]]
    head = (f"{len(t) - len(missed)} of {len(t)} targets within their band "
            f"({int(t['calibration'].sum())} of the {len(t)} are calibration targets); missed: "
            + (", ".join(f"`{m}`" for m in missed) if missed else "none") + ".\n\n")
    return head + table(["id", "description", "published", "tolerance band", "model", "within?",
                         "calibration target", "note"],
                        ["l", "l", "l", "l", "r", "l", "l", "l"], rows)


def validation_sources() -> str:
    by_source: dict[str, list[str]] = {}
    for target in validation.targets():
        by_source.setdefault(target.source, []).append(target.id)
    return "\n".join(f"- {', '.join(f'`{i}`' for i in ids)}: {cell(source)}"
                     for source, ids in by_source.items())


def known_misses() -> str:
    module = load_module(TARGET_TESTS_PY, "_magpk_target_tests")
    reasons: dict[str, str] = dict(getattr(module, "KNOWN_MISSES", {})) if module else {}
    t = evaluation()
    rows = []
    for target_id, r in t.iterrows():
        listed = target_id in reasons
        if r["within"] and not listed:
            continue
        reason = reasons.get(target_id, "not listed in KNOWN_MISSES")
        if r["within"]:
            reason = "now within its band, but still listed in KNOWN_MISSES: " + reason
        rows.append([f"`{target_id}`", f"{r['model']:.4g}",
                     f"[{number(r['low'], 6)}, {number(r['high'], 6)}]", reason])
    if not rows:
        return "No target is missed."
    return table(["target", "model", "band", "reason (KNOWN_MISSES)"], ["l", "r", "l", "l"], rows)


def populations() -> str:
    pop = magpk.populations()
    rows = []
    for name, r in pop.iterrows():
        if r["egfr_sd_ml_min"] < 0:
            egfr = f"uniform {r['egfr_min_ml_min']:g}–{r['egfr_max_ml_min']:g}"
        else:
            slope = (f" {r['egfr_slope_per_year']:+g}·(age − 30)⁺" if r["egfr_slope_per_year"]
                     else "")
            egfr = (f"N({r['egfr_intercept_ml_min']:g}{slope}, {r['egfr_sd_ml_min']:g}) in "
                    f"[{r['egfr_min_ml_min']:g}, {r['egfr_max_ml_min']:g}]")
        rows.append([f"`{name}`", f"{r['age_min_years']:g}–{r['age_max_years']:g}",
                     f"{100 * r['female_fraction']:.0f} %",
                     f"{r['weight_mean_male_kg']:g} / {r['weight_mean_female_kg']:g}, "
                     f"CV {100 * r['weight_cv']:.0f} %",
                     f"{r['height_mean_male_cm']:g} / {r['height_mean_female_cm']:g}, "
                     f"SD {r['height_sd_cm']:g}",
                     egfr,
                     f"{r['diet_mean_male_mg']:g} / {r['diet_mean_female_mg']:g}, "
                     f"CV {100 * r['diet_cv']:.0f} %",
                     f"{100 * r['pregnant_fraction']:.0f} %",
                     f"{100 * r['ppi_fraction']:.0f} / {100 * r['loop_fraction']:.0f} / "
                     f"{100 * r['thiazide_fraction']:.0f} %",
                     f"{100 * r['iiv_cv_transcellular']:.0f} / "
                     f"{100 * r['iiv_cv_ecf_volume']:.0f} / "
                     f"{100 * r['iiv_cv_renal_tm']:.1f} %",
                     r["source"]])
    return table(["preset", "age (y, uniform)", "women", "weight kg men / women (log-normal)",
                  "height cm men / women (normal)", "eGFR mL/min", "diet mg/day men / women "
                  "(log-normal)", "pregnant (of women)", "PPI / loop / thiazide",
                  "IIV CV transcellular / ECF volume / T_m", "description"],
                 ["l", "l", "r", "l", "l", "l", "l", "r", "l", "l", "l"], rows)


BLOCKS: dict[str, Callable[[], str]] = {
    "provenance": provenance,
    "subjects": subjects,
    "store-uptake": store_uptake,
    "forms": forms,
    "parameters": parameters,
    "calibration-stages": calibration_stages,
    "validation": validation_table,
    "validation-sources": validation_sources,
    "known-misses": known_misses,
    "populations": populations,
}


def undocumented(text: str) -> list[str]:
    """Output columns and metrics of the installed package that the text (the
    hand-written docs/model.md) does not mention (Section 7 may need updating)."""
    result = magpk.simulate(magpk.Regimen(), t_end_h=1.0)
    names = [("output column", c) for c in result.to_frame().columns]
    names += [("metric", m) for m in result.metrics()]
    return [f"{kind} `{name}` is not described in the prose of docs/model.md"
            for kind, name in names if f"`{name}`" not in text]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--block", choices=list(BLOCKS), action="append",
                        help="print only this table (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the table names")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(BLOCKS))
        return 0
    names = args.block or list(BLOCKS)
    for name in names:
        if len(names) > 1:
            print(f"<!-- {name} -->\n")
        print(BLOCKS[name]())
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
