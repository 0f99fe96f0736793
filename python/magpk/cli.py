"""The ``magpk`` command line: compare forms, simulate a regimen, list forms,
check a regimen against the UL and drug-spacing rules.

Run ``magpk --help`` (or ``python -m magpk.cli --help``).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any, Callable

from . import _core
from ._cli_tables import (
    SERUM_ROW,
    UNIT_SYSTEMS,
    compare_table,
    formatters,
    simulate_rows,
    unresolved_note,
)
from ._display import human_number
from .forms import MG_PER_MMOL

_EPILOG = """\
examples:
  magpk compare --forms oxide,citrate,glycinate --dose 300mg --every 12h --days 14
  magpk compare --forms oxide,citrate --dose 0.3g --egfr 45 --csv out.csv --plot out.png
  magpk simulate --form glycinate --dose 200mg --every 12h --days 30 --csv series.csv
  magpk forms
  magpk presets
  magpk simulate --preset eclampsia_zuspan --pregnant       (a preset replaces --form/--dose/...)
  magpk check --form citrate --dose 200mg --every 12h --days 14 --drug doxycycline@8,20

units: doses "300mg", "300" (mg), "0.3g", "12mmol"; durations "12h", "12" (h), "1d",
"30min". Doses are elemental Mg unless --basis compound (label mass of the salt).
Not medical advice.
"""

_DOSE_UNITS = {"": 1.0, "mg": 1.0, "g": 1000.0, "mmol": MG_PER_MMOL}
_TIME_UNITS = {"": 1.0, "h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0,
               "d": 24.0, "day": 24.0, "days": 24.0, "min": 1.0 / 60, "mins": 1.0 / 60,
               "minute": 1.0 / 60, "minutes": 1.0 / 60, "w": 168.0, "week": 168.0,
               "weeks": 168.0}
_NUMBER = r"([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"

# options whose value may look like a negative number with a unit ("-5mg")
_VALUE_OPTIONS = ("--dose", "--every", "--days", "--count", "--t-end", "--start", "--egfr",
                  "--weight", "--age", "--diet", "--output-every")


def _quantity(text: str, units: Mapping[str, float], what: str, example: str,
              allow_zero: bool = False) -> float:
    match = re.fullmatch(_NUMBER + r"\s*([a-zA-Z]*)", text.strip())
    if not match or match.group(2).lower() not in units:
        raise argparse.ArgumentTypeError(
            f"invalid {what} {text!r}: use e.g. {example}")
    value = float(match.group(1)) * units[match.group(2).lower()]
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"invalid {what} {text!r}: must be finite")
    if value < 0 or (value == 0 and not allow_zero):
        raise argparse.ArgumentTypeError(
            f"invalid {what} {text!r}: must be {'>= 0' if allow_zero else '> 0'}")
    return value


def parse_dose_mg(text: str) -> float:
    """'300mg', '300' (mg), '0.3g' or '12mmol' -> mg (> 0)."""
    return _quantity(text, _DOSE_UNITS, "dose", "300mg, 300, 0.3g or 12mmol")


def parse_duration_h(text: str) -> float:
    """'12h', '12' (h), '1d', '30min', '2w' -> hours (> 0)."""
    return _quantity(text, _TIME_UNITS, "duration", "12h, 12, 1d or 30min")


def _nonnegative_duration_h(text: str) -> float:
    return _quantity(text, _TIME_UNITS, "time", "0h, 8h or 1d", allow_zero=True)


def _days(text: str) -> float:
    """'14' (days), '14d', '2w', '36h' -> days (> 0)."""
    units = dict(_TIME_UNITS, **{"": 24.0})
    return _quantity(text, units, "duration", "14, 14d, 2w or 36h") / 24.0


def _whole_number(what: str, minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= minimum, named `what` in its messages."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"invalid {what} {text!r}: expected a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"invalid {what} {text!r}: must be >= {minimum}")
        return value
    return parse


_positive_int = _whole_number("count", 1)
_nonnegative_int = _whole_number("seed", 0)


def _real(name: str, minimum: float, maximum: float, unit: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        match = re.fullmatch(_NUMBER + r"\s*([a-zA-Z/%]*)", text.strip())
        if not match or match.group(2).lower() not in ("", unit.lower()):
            raise argparse.ArgumentTypeError(f"invalid {name} {text!r}: expected a number"
                                             f"{' in ' + unit if unit else ''}")
        value = float(match.group(1))
        if not (math.isfinite(value) and minimum <= value <= maximum):
            raise argparse.ArgumentTypeError(f"invalid {name} {text!r}: allowed {minimum:g}-"
                                             f"{maximum:g} {unit}".rstrip())
        return value
    parse.__name__ = name
    return parse


def _form_list(text: str) -> list[str]:
    forms = [f.strip() for f in text.split(",") if f.strip()]
    if not forms:
        raise argparse.ArgumentTypeError("give at least one form id, e.g. oxide,citrate")
    for form in forms:
        _form(form)
    if len(set(forms)) != len(forms):
        raise argparse.ArgumentTypeError(f"duplicate form in {text!r}")
    return forms


def _form(text: str) -> str:
    import difflib

    from .forms import form_ids
    form = text.strip()
    known = form_ids()
    if form not in known:
        close = difflib.get_close_matches(form, known, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise argparse.ArgumentTypeError(f"unknown form {form!r}; {hint}known: {', '.join(known)}")
    return form


def _drug(text: str) -> tuple[str, list[float]]:
    """'doxycycline@8,20' -> ('doxycycline', [8.0, 20.0])."""
    from .safety import lookup_drug
    name, sep, times = text.partition("@")
    if not sep or not name.strip() or not times.strip():
        raise argparse.ArgumentTypeError(
            f"invalid drug {text!r}: use NAME@HOURS, e.g. doxycycline@8,20 (hours of the day)")
    try:
        lookup_drug(name.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    hours = []
    for part in times.split(","):
        try:
            hour = _nonnegative_duration_h(part)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"invalid drug time {part!r} in {text!r}: use hours "
                                             f"of the day 0-23.99, e.g. doxycycline@8,20"
                                             ) from None
        if hour >= 24:
            raise argparse.ArgumentTypeError(f"invalid drug time {part!r} in {text!r}: hours of "
                                             f"the day must be < 24")
        hours.append(hour)
    return name.strip(), hours


# ---------------------------------------------------------------------------- parser

def _add_subject(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("subject")
    # The core's covariate limits (magpk.Subject checks the adult/child ones in detail).
    weight = (_core.MIN_WEIGHT_KG, _core.MIN_ADULT_WEIGHT_KG, _core.MAX_WEIGHT_KG)
    age = (_core.MIN_AGE_YEARS, _core.ADULT_AGE_YEARS, _core.MAX_AGE_YEARS)
    group.add_argument("--weight", type=_real("weight", weight[0], weight[2], "kg"), default=70.0,
                       help=f"body weight, kg (adults {weight[1]:g}-{weight[2]:g}, children "
                            f"{weight[0]:g}-{weight[2]:g}; default 70)")
    group.add_argument("--sex", choices=("female", "male"), default="female",
                       help="default female")
    group.add_argument("--age", type=_real("age", age[0], age[2], "y"), default=40.0,
                       help=f"age, years ({age[0]:g}-{age[2]:g}: children {age[0]:g}-"
                            f"{age[1] - 1:g}; default 40)")
    group.add_argument("--egfr", type=_real("eGFR", 1, _core.MAX_EGFR_ML_MIN, ""), default=None,
                       help="GFR, mL/min (default: typical for age and size, 100 for adults)")
    group.add_argument("--diet", type=_real("diet", 1, _core.MAX_DIET_MG_PER_DAY, "mg"),
                       default=None,
                       help="habitual dietary Mg, mg/day (default: 300 for adults, the RDA "
                            "for age and sex for children)")
    group.add_argument("--pregnant", action="store_true", help="pregnant (female only)")
    group.add_argument("--ppi", action="store_true", help="takes a proton-pump inhibitor")
    group.add_argument("--diuretic", choices=("loop", "thiazide"), help="diuretic use")


def _add_regimen(parser: argparse.ArgumentParser, default_dose: str) -> None:
    group = parser.add_argument_group("regimen")
    group.add_argument("--dose", type=parse_dose_mg, default=parse_dose_mg(default_dose),
                       help=f"dose per intake: 300mg, 300 (mg), 0.3g, 12mmol (default "
                            f"{default_dose})")
    group.add_argument("--basis", choices=("elemental", "compound"), default="elemental",
                       help="dose is elemental Mg (default) or the compound (label) mass")
    group.add_argument("--every", type=parse_duration_h, default=24.0,
                       help="dosing interval: 12h, 1d, 30min (default 24h)")
    span = group.add_mutually_exclusive_group()
    span.add_argument("--days", type=_days, help="dosing duration, days (default 1)")
    span.add_argument("--count", type=_positive_int, help="number of doses (instead of --days)")
    group.add_argument("--start", type=_nonnegative_duration_h, default=0.0,
                       help="time of the first dose (default 0h)")
    group.add_argument("--with-food", action="store_true", help="doses taken with a meal")
    group.add_argument("--t-end", type=parse_duration_h,
                       help="simulated time (default: last dose + 48h)")


def _add_uncertainty(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("uncertainty")
    group.add_argument("--uncertainty", type=_positive_int, metavar="N",
                       help="also simulate N parameter draws from the calibration covariance "
                            "and show each value with its 5th-95th percentile interval "
                            "(e.g. 200)")
    group.add_argument("--seed", type=_nonnegative_int, metavar="S",
                       help="seed of the draws (default 1; only with --uncertainty)")


def _add_units(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--units", choices=tuple(UNIT_SYSTEMS), default="mg",
                        help="unit system of the table and --plot: mg (amounts in mg, serum in "
                             "mg/dL; default) or mmol (amounts in mmol, serum in mmol/L)")


def build_parser() -> argparse.ArgumentParser:
    """The ``magpk`` argument parser."""
    return build_parsers()[0]


def build_parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The ``magpk`` argument parser and its subcommands' parsers, by name."""
    parser = argparse.ArgumentParser(
        prog="magpk",
        description="Whole-body magnesium pharmacokinetics: compare supplement forms, simulate "
                    "regimens, check regimens against the UL and drug interactions.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    from . import __version__
    parser.add_argument("--version", action="version", version=f"magpk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    compare = sub.add_parser("compare", help="compare supplement forms at the same dose",
                             description="Simulate the same oral regimen with each form; one "
                                         "row per form.",
                             epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    compare.add_argument("--forms", type=_form_list, default=["oxide", "citrate", "glycinate"],
                         help="comma-separated form ids (default oxide,citrate,glycinate; see "
                              "'magpk forms')")
    _add_regimen(compare, "300mg")
    _add_preset(compare, several_forms=True)
    _add_subject(compare)
    _add_units(compare)
    _add_uncertainty(compare)
    compare.add_argument("--csv", metavar="PATH", help="write the full table (all metrics) as CSV")
    compare.add_argument("--plot", metavar="PATH", help="save a bar chart (needs matplotlib)")

    simulate = sub.add_parser("simulate", help="simulate one form and regimen",
                              description="Simulate one oral regimen; prints the key metrics.",
                              epilog=_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    simulate.add_argument("--form", type=_form, default="glycinate",
                          help="form id (default glycinate)")
    _add_regimen(simulate, "200mg")
    _add_preset(simulate, several_forms=False)
    _add_subject(simulate)
    simulate.add_argument("--output-every", type=parse_duration_h, default=1.0,
                          help="time-series spacing for --csv (default 1h)")
    _add_units(simulate)
    _add_uncertainty(simulate)
    simulate.add_argument("--csv", metavar="PATH", help="write the time series as CSV")
    simulate.add_argument("--plot", metavar="PATH", help="save a dashboard (needs matplotlib)")

    forms = sub.add_parser("forms", help="list the supplement forms",
                           description="Print the supplement-form catalogue.")
    presets = sub.add_parser("presets", help="list the regimen presets by indication",
                             description="Print the regimen presets by indication (published "
                                         "trials and labels): evidence summaries, not medical "
                                         "advice. Use one with --preset ID on simulate, compare "
                                         "or check.")
    presets.add_argument("--csv", metavar="PATH", help="write the full table (with notes) as CSV")

    check = sub.add_parser("check", help="check a regimen: UL, drug spacing, kidney function",
                           description="Check an oral regimen against the Tolerable Upper Intake "
                                       "Level, drug-spacing rules and kidney function.",
                           epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("--form", type=_form, default="glycinate",
                       help="form id (default glycinate)")
    _add_regimen(check, "200mg")
    _add_preset(check, several_forms=False)
    _add_subject(check)
    check.add_argument("--lactating", action="store_true", help="lactation (female only)")
    check.add_argument("--drug", type=_drug, action="append", default=[], metavar="NAME@HOURS",
                       help="another medicine and its daily times (hours of the day), e.g. "
                            "doxycycline@8,20; repeatable")
    check.add_argument("--strict", action="store_true",
                       help="exit with status 1 if any finding is 'high' or 'warning'")
    return parser, {"compare": compare, "simulate": simulate, "forms": forms,
                    "presets": presets, "check": check}


def _join_negative_values(argv: Sequence[str]) -> list[str]:
    """'--dose -5mg' -> '--dose=-5mg', so argparse reports the value, not a missing one."""
    out: list[str] = []
    i = 0
    argv = list(argv)
    while i < len(argv):
        if argv[i] in _VALUE_OPTIONS and i + 1 < len(argv) and re.match(r"-[\d.]", argv[i + 1]):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


# ---------------------------------------------------------------------------- commands

def _subject(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Any:
    from .subject import Subject
    try:
        return Subject(weight_kg=args.weight, sex=args.sex, age_years=args.age,
                       egfr_ml_min=args.egfr, diet_mg_per_day=args.diet, pregnant=args.pregnant,
                       ppi=args.ppi, diuretic=args.diuretic)
    except (TypeError, ValueError) as error:
        parser.error(_option_names(str(error)))


_OPTION_OF = {"weight_kg": "--weight", "age_years": "--age", "egfr_ml_min": "--egfr",
              "diet_mg_per_day": "--diet", "pregnant": "--pregnant", "dose_mg": "--dose",
              "every_h": "--every", "days": "--days", "count": "--count",
              "start_h": "--start", "t_end_h": "--t-end", "output_every_h": "--output-every",
              "sex": "--sex", "life_stage": "--lactating/--pregnant",
              "uncertainty": "--uncertainty", "seed": "--seed"}


def _option_names(message: str) -> str:
    """Name command-line options instead of API arguments in an error message."""
    for api, option in _OPTION_OF.items():
        if message.startswith(f"{api}="):
            return f"argument {option}: {message}"
    return message


def _schedule(args: argparse.Namespace) -> dict[str, Any]:
    if args.count is None and args.days is None:
        args.days = 1.0
    schedule = {"every_h": args.every, "start_h": args.start, "basis": args.basis,
                "with_food": args.with_food}
    if args.count is not None:
        schedule["count"] = args.count
        last = args.start + (args.count - 1) * args.every
    else:
        schedule["days"] = args.days
        last = args.start + (math.ceil(args.days * 24 / args.every - 1e-9) - 1) * args.every
    if args.t_end is None:
        args.t_end = last + 48.0
    return schedule


def _regimen_text(args: argparse.Namespace) -> str:
    if getattr(args, "preset_regimen", None) is not None:  # a parenteral --preset
        return f"{args.preset_text}, {args.t_end:g} h simulated"
    span = f"{args.count} dose(s)" if args.count is not None else f"{args.days:g} day(s)"
    basis = "elemental Mg" if args.basis == "elemental" else "compound"
    return (f"{args.dose:g} mg {basis} every {args.every:g} h for {span}"
            f"{' with food' if args.with_food else ''}, {args.t_end:g} h simulated")


def _plot(path: str, draw: Callable[[Any], Any]) -> int:
    """Save the figure ``draw(magpk.plot)`` returns; a clear message (no traceback)
    when matplotlib is missing."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        from . import plot as plot_module
        figure = draw(plot_module)
    except ImportError as error:
        print(f"magpk: --plot {path} skipped: plotting needs matplotlib "
              f"(pip install \"magpk[plot]\"): {error}", file=sys.stderr)
        return 1
    figure.savefig(path, dpi=120)
    print(f"wrote {path}")
    return 0


def _cmd_compare(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import pandas as pd

    from .compare import compare_forms
    subject = _subject(args, parser)
    _apply_preset(args, parser)
    schedule = _schedule(args)
    try:
        table = compare_forms(args.forms, args.dose, subject=subject, t_end_h=args.t_end,
                              uncertainty=args.uncertainty, seed=args.seed, **schedule)
    except (TypeError, ValueError) as error:
        parser.error(_option_names(str(error)))
    shown, legend = compare_table(table, args.units, args.t_end)
    baseline = SERUM_ROW.scale(table["baseline_serum_mmol_l"].iloc[0], args.units)
    print(f"magpk compare: {_regimen_text(args)}")
    print(f"subject: {subject.summary()}")
    print(f"baseline serum {human_number(baseline)} {SERUM_ROW.unit(args.units)} (daily mean "
          f"without supplement)")
    with pd.option_context("display.width", 160):
        print(shown.to_string(na_rep="-", formatters=formatters(shown)))
    print("legend:")
    print("\n".join(legend))
    for group in table.attrs.get("identical_by_assumption", []):
        print(f"note: {', '.join(group)} are identical by assumption (same modeled kinetics: "
              f"no human data separates them)")
    for line in unresolved_note(table, args.units):
        print(line)
    status = 0
    if args.csv:
        table.to_csv(args.csv)
        print(f"wrote {args.csv}")
    if args.plot:
        numeric, _ = compare_table(table, args.units, args.t_end, intervals=False)
        numeric = numeric.drop(columns=[c for c in numeric.columns
                                        if c not in formatters(numeric)])
        status = _plot(args.plot, lambda plot: plot.plot_comparison(numeric, list(numeric.columns)))
    return status


def _cmd_simulate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .regimen import Regimen
    from .simulate import simulate
    subject = _subject(args, parser)
    _apply_preset(args, parser)
    schedule = _schedule(args)
    try:
        regimen = args.preset_regimen or Regimen().oral(args.form, args.dose, **schedule)
        result = simulate(regimen, subject, t_end_h=args.t_end, output_every_h=args.output_every,
                          uncertainty=args.uncertainty, seed=args.seed)
    except (TypeError, ValueError) as error:
        parser.error(_option_names(str(error)))
    print(f"magpk simulate: {args.form}, {_regimen_text(args)}")
    print(f"subject: {subject.summary()}")
    print("\n".join(simulate_rows(result.metrics(), args.units)))
    if result.uncertainty is not None:
        from .uncertainty import describe
        print(f"  (a–b): {describe(result.uncertainty.n, result.uncertainty.seed)}")
    status = 0
    if args.csv:
        result.to_frame().to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    if args.plot:
        serum_unit = SERUM_ROW.unit(args.units)
        status = _plot(args.plot, lambda plot: plot.plot_result(result, units=serum_unit,
                                                                amount_units=args.units))
    return status


def _cmd_forms(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import pandas as pd

    from .forms import forms
    table = forms()[["name", "formula", "elemental_fraction", "mg_per_g", "dissolution",
                     "evidence_grade"]]
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 160,
                           "display.max_colwidth", 40):
        print(table.to_string())
    return 0


def _cmd_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .regimen import Regimen
    from .safety import check_regimen
    subject = _subject(args, parser)
    _apply_preset(args, parser)
    schedule = _schedule(args)
    if args.lactating and args.pregnant:
        parser.error("argument --lactating: not allowed together with --pregnant")
    try:
        regimen = args.preset_regimen or Regimen().oral(args.form, args.dose, **schedule)
        report = check_regimen(regimen, subject, drugs=args.drug,
                               life_stage="lactation" if args.lactating else None)
    except (TypeError, ValueError) as error:
        parser.error(_option_names(str(error)))
    print(f"magpk check: {args.form}, {_regimen_text(args).rsplit(',', 1)[0]}")
    print(f"subject: {subject.summary()}")
    print(report)
    return 1 if args.strict and not report.ok else 0


# ---------------------------------------------------------------------------- presets

# Options that --preset replaces (dest -> option). --days stays: it sets the course length.
_PRESET_REPLACES = {"form": "--form", "dose": "--dose", "basis": "--basis", "every": "--every",
                    "count": "--count", "start": "--start", "with_food": "--with-food"}


def _preset_id(text: str) -> str:
    from .presets import preset_ids
    if text not in preset_ids():
        raise argparse.ArgumentTypeError(f"unknown preset {text!r}; allowed: "
                                         f"{', '.join(preset_ids())} (see 'magpk presets')")
    return text


def _add_preset(parser: argparse.ArgumentParser, *, several_forms: bool) -> None:
    """--preset ID (after the regimen options): a regimen from 'magpk presets'.
    ``several_forms``: the subcommand takes --forms (compare), not --form.

    The regimen options it replaces, and compare's --forms, parse as None when omitted, so
    that :func:`_apply_preset` can tell given options from omitted ones; their defaults are
    kept in ``args.regimen_defaults`` (dest -> default) for it to fill in."""
    dests = [dest for dest in _PRESET_REPLACES if dest != "form" or not several_forms]
    replaced = [_PRESET_REPLACES[dest] for dest in dests]
    parser.add_argument("--preset", type=_preset_id, metavar="ID",
                        help=f"a regimen preset by indication (see 'magpk presets'; evidence "
                             f"summaries, not advice); replaces {', '.join(replaced)}: giving "
                             f"any of them too is an error; --days sets the course length "
                             f"(default: the preset's)" + (
                                 "; the preset's schedule is run with each of --forms (default: "
                                 "the preset's form, then oxide, citrate, glycinate); a "
                                 "parenteral (IV/IM) preset is an error here"
                                 if several_forms else ""))
    if several_forms:
        dests.append("forms")  # not replaced: the preset's form goes first unless given
    defaults = {dest: parser.get_default(dest) for dest in dests}
    parser.set_defaults(regimen_defaults=defaults, **dict.fromkeys(defaults))


def _apply_preset(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Fill in the defaults of the options --preset replaces (see :func:`_add_preset`); with
    --preset, set the regimen options from an oral preset, or ``args.preset_regimen`` for a
    parenteral one (not with compare)."""
    given = [dest for dest in args.regimen_defaults if getattr(args, dest) is not None]
    for dest, default in args.regimen_defaults.items():
        if dest not in given:
            setattr(args, dest, default)
    args.preset_regimen = None
    if args.preset is None:
        return
    conflicts = [_PRESET_REPLACES[dest] for dest in given if dest in _PRESET_REPLACES]
    if conflicts:
        parser.error(f"argument --preset: not allowed with {', '.join(conflicts)} (the preset "
                     f"sets the regimen; only --days, the course length, may be given)")
    from .presets import NOTE, record
    preset = record(args.preset)
    if preset.oral is None and hasattr(args, "forms"):
        parser.error(f"argument --preset: {preset.id} is parenteral ({preset.form}); compare "
                     f"compares oral forms; use 'magpk simulate --preset {preset.id}'")
    args.days = preset.days if args.days is None else args.days
    print(f"preset {preset.id}: {preset.indication}; evidence {preset.evidence_grade}; "
          f"{preset.summary(args.days)}\nsource: {preset.source}\nnote: {NOTE}")
    if preset.oral is None:
        args.form, args.preset_text = preset.form, preset.summary(args.days)
        args.preset_regimen = preset.regimen(args.days)
        args.t_end = 24.0 * args.days + 48.0 if args.t_end is None else args.t_end
        return
    args.dose, args.basis = preset.oral.elemental_mg(preset.form), "elemental"
    args.every = preset.oral.every_h
    if hasattr(args, "forms"):  # compare: the preset's form first, then the others
        chosen = args.forms if "forms" in given else [preset.form, *args.forms]
        args.forms = list(dict.fromkeys(chosen))
    else:
        args.form = preset.form


def _cmd_presets(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import pandas as pd

    from .presets import EVIDENCE_GRADES, presets
    table = presets()
    print(f"magpk presets: {table.attrs['note']}")
    shown = table[["indication", "daily_elemental_mg", "form", "evidence_grade", "days"]].rename(
        columns={"daily_elemental_mg": "mg/day", "evidence_grade": "evidence"})
    with pd.option_context("display.float_format", "{:.0f}".format, "display.width", 160,
                           "display.max_colwidth", 60):
        print(shown.to_string())
    print("mg/day = elemental Mg in one day of the regimen (parenteral: the first day, loading "
          "doses included); days = the source's course length")
    print("evidence: " + "; ".join(f"{grade} = {text}" for grade, text in EVIDENCE_GRADES.items()))
    for preset_id, row in table.iterrows():
        print(f"{preset_id}:\n  regimen: {row['regimen']}\n  source: {row['source']}\n"
              f"  notes: {row['notes']}")
    print("use: magpk simulate --preset ID [--days N] (also compare, check). Not medical advice.")
    if args.csv:
        table.to_csv(args.csv)
        print(f"wrote {args.csv}")
    return 0


_COMMANDS = {"compare": _cmd_compare, "simulate": _cmd_simulate, "forms": _cmd_forms,
             "check": _cmd_check, "presets": _cmd_presets}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``magpk`` command line; returns the exit status (0 ok, 2 bad arguments).

    A reader that closes the pipe early (``magpk compare ... | head -1``) ends the
    run quietly with status 0, as Unix tools do."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _main(argv: Sequence[str] | None) -> int:
    parser, subparsers = build_parsers()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(_join_negative_values(argv))
    except SystemExit as exit_:  # --help or a usage error
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 2
    subparser = subparsers[args.command]
    try:
        return _COMMANDS[args.command](args, subparser)
    except SystemExit as exit_:  # parser.error in a command
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 2
    except BrokenPipeError:
        raise  # handled quietly in main()
    except OSError as error:  # e.g. an unwritable --csv path
        print(f"magpk: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
