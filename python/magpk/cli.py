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
from typing import Any, Callable, List, Optional, Sequence, Tuple

from .forms import MG_PER_MMOL

_EPILOG = """\
examples:
  magpk compare --forms oxide,citrate,glycinate --dose 300mg --every 12h --days 14
  magpk compare --forms oxide,citrate --dose 0.3g --egfr 45 --csv out.csv --plot out.png
  magpk simulate --form glycinate --dose 200mg --every 12h --days 30 --csv series.csv
  magpk forms
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


def _quantity(text: str, units: dict, what: str, example: str, allow_zero: bool = False) -> float:
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


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: expected a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: must be >= 1")
    return value


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


def _form_list(text: str) -> List[str]:
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


def _drug(text: str) -> Tuple[str, List[float]]:
    """'doxycycline@8,20' -> ('doxycycline', [8.0, 20.0])."""
    from .reference import lookup_drug
    name, sep, times = text.partition("@")
    if not sep or not name.strip() or not times.strip():
        raise argparse.ArgumentTypeError(
            f"invalid drug {text!r}: use NAME@HOURS, e.g. doxycycline@8,20 (hours of the day)")
    try:
        lookup_drug(name.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error))
    hours = []
    for part in times.split(","):
        try:
            hour = _nonnegative_duration_h(part)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"invalid drug time {part!r} in {text!r}: use hours "
                                             f"of the day 0-23.99, e.g. doxycycline@8,20")
        if hour >= 24:
            raise argparse.ArgumentTypeError(f"invalid drug time {part!r} in {text!r}: hours of "
                                             f"the day must be < 24")
        hours.append(hour)
    return name.strip(), hours


# ---------------------------------------------------------------------------- parser

def _add_subject(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("subject")
    group.add_argument("--weight", type=_real("weight", 5, 250, "kg"), default=70.0,
                       help="body weight, kg (adults 30-250, children 5-250; default 70)")
    group.add_argument("--sex", choices=("female", "male"), default="female",
                       help="default female")
    group.add_argument("--age", type=_real("age", 1, 110, "y"), default=40.0,
                       help="age, years (1-110: children 1-17; default 40)")
    group.add_argument("--egfr", type=_real("eGFR", 1, 250, ""), default=None,
                       help="GFR, mL/min (default: typical for age and size, 100 for adults)")
    group.add_argument("--diet", type=_real("diet", 1, 5000, "mg"), default=None,
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


def build_parser() -> argparse.ArgumentParser:
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
    _add_subject(compare)
    compare.add_argument("--csv", metavar="PATH", help="write the full table (all metrics) as CSV")
    compare.add_argument("--plot", metavar="PATH", help="save a bar chart (needs matplotlib)")

    simulate = sub.add_parser("simulate", help="simulate one form and regimen",
                              description="Simulate one oral regimen; prints the key metrics.",
                              epilog=_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    simulate.add_argument("--form", type=_form, default="glycinate",
                          help="form id (default glycinate)")
    _add_regimen(simulate, "200mg")
    _add_subject(simulate)
    simulate.add_argument("--output-every", type=parse_duration_h, default=1.0,
                          help="time-series spacing for --csv (default 1h)")
    simulate.add_argument("--csv", metavar="PATH", help="write the time series as CSV")
    simulate.add_argument("--plot", metavar="PATH", help="save a dashboard (needs matplotlib)")

    sub.add_parser("forms", help="list the supplement forms",
                   description="Print the supplement-form catalogue.")

    check = sub.add_parser("check", help="check a regimen: UL, drug spacing, kidney function",
                           description="Check an oral regimen against the Tolerable Upper Intake "
                                       "Level, drug-spacing rules and kidney function.",
                           epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("--form", type=_form, default="glycinate",
                       help="form id (default glycinate)")
    _add_regimen(check, "200mg")
    _add_subject(check)
    check.add_argument("--lactating", action="store_true", help="lactation (female only)")
    check.add_argument("--drug", type=_drug, action="append", default=[], metavar="NAME@HOURS",
                       help="another medicine and its daily times (hours of the day), e.g. "
                            "doxycycline@8,20; repeatable")
    check.add_argument("--strict", action="store_true",
                       help="exit with status 1 if any finding is 'high' or 'warning'")
    return parser


def _join_negative_values(argv: Sequence[str]) -> List[str]:
    """'--dose -5mg' -> '--dose=-5mg', so argparse reports the value, not a missing one."""
    out: List[str] = []
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
              "sex": "--sex", "life_stage": "--lactating/--pregnant"}


def _option_names(message: str) -> str:
    """Name command-line options instead of API arguments in an error message."""
    for api, option in _OPTION_OF.items():
        if message.startswith(f"{api}="):
            return f"argument {option}: {message}"
    return message


def _schedule(args: argparse.Namespace) -> dict:
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
    span = f"{args.count} dose(s)" if args.count is not None else f"{args.days:g} day(s)"
    basis = "elemental Mg" if args.basis == "elemental" else "compound"
    return (f"{args.dose:g} mg {basis} every {args.every:g} h for {span}"
            f"{' with food' if args.with_food else ''}, {args.t_end:g} h simulated")


def _plot(path: str, candidates: Sequence[str], data: Any) -> int:
    """Save a plot via magpk.plot; a clear message (no traceback) if unavailable."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        from . import plot as plot_module
        function = None
        for name in candidates:
            function = getattr(plot_module, name, None)
            if function is not None:
                break
        if function is None:
            raise AttributeError(f"magpk.plot has none of {', '.join(candidates)}")
        figure = function(data)
        figure = getattr(figure, "figure", figure)  # an Axes -> its Figure
        if not hasattr(figure, "savefig"):
            import matplotlib.pyplot as plt
            figure = plt.gcf()
        figure.savefig(path, dpi=120)
    except (ImportError, AttributeError) as error:
        print(f"magpk: --plot {path} skipped: plotting needs matplotlib "
              f"(pip install matplotlib) and magpk.plot ({error})", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


def _cmd_compare(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import pandas as pd

    from .compare import compare_forms
    subject = _subject(args, parser)
    schedule = _schedule(args)
    try:
        table = compare_forms(args.forms, args.dose, subject=subject, t_end_h=args.t_end,
                              **schedule)
    except (TypeError, ValueError) as error:
        parser.error(_option_names(str(error)))
    shown = pd.DataFrame({
        "absorbed %": 100 * table["fraction_absorbed"],
        "absorbed mg": table["absorbed_supplement_mg"],
        "net extra mg": table["absorbed_increment_mg"],
        "urine +24h mg": table["urine_increment_24h_mmol"] * MG_PER_MMOL,
        "serum max mmol/L": table["cmax_mmol_l"],
        "P(diarrhoea) %": 100 * table["diarrhea_probability"],
    })
    print(f"magpk compare: {_regimen_text(args)}")
    print(f"subject: {subject}")
    print(f"baseline serum {table['baseline_serum_mmol_l'].iloc[0]:.3f} mmol/L")
    shown["evidence"] = table["evidence_grade"]
    with pd.option_context("display.float_format", "{:.2f}".format, "display.width", 160):
        print(shown.to_string(na_rep="-"))
    print(f"legend: absorbed % / mg = supplement Mg absorbed (tracer) over the {args.t_end:g} h "
          f"run; net extra mg = extra Mg absorbed vs the same subject without supplement, "
          f"whole run; urine +24h mg = extra urinary Mg in the 24 h from the first dose; "
          f"serum max = highest serum over the run; P(diarrhoea) = risk on the worst day "
          f"(soluble faecal Mg); evidence = what the form's modelled kinetics rest on")
    for group in table.attrs.get("identical_by_assumption", []):
        print(f"note: {', '.join(group)} are identical by assumption (same modelled kinetics: "
              f"no human data separates them)")
    status = 0
    if args.csv:
        table.to_csv(args.csv)
        print(f"wrote {args.csv}")
    if args.plot:
        status = _plot(args.plot, ("compare_forms_plot", "plot_comparison"), table)
    return status


_KEY_METRICS = (
    ("oral_supplement_mg", "supplement given", "mg", 1.0),
    ("fraction_absorbed", "fraction absorbed (tracer)", "%", 100.0),
    ("absorbed_supplement_mg", "absorbed from supplement", "mg", 1.0),
    ("absorbed_increment_mg", "net extra absorbed vs baseline", "mg", 1.0),
    ("urine_increment_24h_mmol", "extra urine, first 24 h", "mg", MG_PER_MMOL),
    ("urine_increment_mmol", "extra urine, whole run", "mg", MG_PER_MMOL),
    ("baseline_serum_mmol_l", "baseline serum", "mmol/L", 1.0),
    ("cmax_mmol_l", "serum max", "mmol/L", 1.0),
    ("tmax_h", "time of serum max", "h", 1.0),
    ("auc_above_baseline_mmol_h_l", "serum AUC above baseline", "mmol*h/L", 1.0),
    ("time_hyper_h", "time > 1.05 mmol/L", "h", 1.0),
    ("body_store_change_vs_baseline_mmol", "body store change vs baseline", "mg", MG_PER_MMOL),
    ("diarrhea_probability", "P(diarrhoea)", "%", 100.0),
)


def _cmd_simulate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .regimen import Regimen
    from .simulate import simulate
    subject = _subject(args, parser)
    schedule = _schedule(args)
    try:
        regimen = Regimen().oral(args.form, args.dose, **schedule)
        result = simulate(regimen, subject, t_end_h=args.t_end, output_every_h=args.output_every)
    except (TypeError, ValueError) as error:
        parser.error(_option_names(str(error)))
    metrics = result.metrics()
    print(f"magpk simulate: {args.form}, {_regimen_text(args)}")
    print(f"subject: {subject}")
    for key, label, unit, factor in _KEY_METRICS:
        value = metrics.get(key)
        shown = "n/a" if value is None else f"{value * factor:.4g}"
        print(f"  {label:<34} {shown:>10} {unit}")
    status = 0
    if args.csv:
        result.to_frame().to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    if args.plot:
        status = _plot(args.plot, ("plot_result",), result)
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
    from .reference import check_regimen
    from .regimen import Regimen
    subject = _subject(args, parser)
    schedule = _schedule(args)
    if args.lactating and args.pregnant:
        parser.error("argument --lactating: not allowed together with --pregnant")
    try:
        regimen = Regimen().oral(args.form, args.dose, **schedule)
        report = check_regimen(regimen, subject, drugs=args.drug,
                               life_stage="lactation" if args.lactating else None)
    except (TypeError, ValueError) as error:
        parser.error(_option_names(str(error)))
    print(f"magpk check: {args.form}, {_regimen_text(args).rsplit(',', 1)[0]}")
    print(f"subject: {subject}")
    print(report)
    return 1 if args.strict and not report.ok else 0


_COMMANDS = {"compare": _cmd_compare, "simulate": _cmd_simulate, "forms": _cmd_forms,
             "check": _cmd_check}


def main(argv: Optional[Sequence[str]] = None) -> int:
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


def _main(argv: Optional[Sequence[str]]) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(_join_negative_values(argv))
    except SystemExit as exit_:  # --help or a usage error
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else 2
    subparser = parser._subparsers._group_actions[0].choices[args.command]  # type: ignore
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
