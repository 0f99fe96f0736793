"""The main job: compare supplement forms for a default adult.

Run ``python -m magpk`` (options: ``--help``).
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

import pandas as pd

from . import Subject, compare_forms, form_ids

_DEFAULT_FORMS = ["oxide", "hydroxide", "carbonate", "chloride", "citrate", "glycinate",
                  "buffered_glycinate", "lactate", "solution"]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m magpk",
        description="Compare magnesium supplement forms for one subject (default: a 70 kg, "
                    "40-year-old woman, eGFR 100 mL/min, diet 300 mg/day).",
        epilog="Example: python -m magpk --dose-mg 200 --every-h 12 --count 14 --forms oxide,citrate")
    parser.add_argument("--forms", default=",".join(_DEFAULT_FORMS),
                        help=f"comma-separated form ids; known: {', '.join(form_ids())}")
    parser.add_argument("--dose-mg", type=float, default=300.0, help="elemental mg per dose")
    parser.add_argument("--every-h", type=float, default=24.0, help="dosing interval, h")
    parser.add_argument("--count", type=int, default=1, help="number of doses")
    parser.add_argument("--t-end-h", type=float, default=72.0, help="simulated time, h")
    parser.add_argument("--egfr", type=float, default=100.0, help="eGFR, mL/min")
    args = parser.parse_args(argv)
    subject = Subject(egfr_ml_min=args.egfr)
    try:
        table = compare_forms([f.strip() for f in args.forms.split(",") if f.strip()],
                              args.dose_mg, every_h=args.every_h, count=args.count,
                              subject=subject, t_end_h=args.t_end_h)
    except (TypeError, ValueError) as error:
        parser.error(str(error))
    shown = pd.DataFrame({
        "absorbed (tracer) %": 100 * table["fraction_absorbed"],
        "absorbed mg": table["absorbed_supplement_mg"],
        "net extra absorbed mg": table["absorbed_increment_mg"],
        "urine +24h mg": table["urine_increment_24h_mmol"] * 24.305,
        "serum max mmol/L": table["cmax_mmol_l"],
        "P(diarrhoea) %": 100 * table["diarrhea_probability"],
    })
    print(f"magpk: {args.count} x {args.dose_mg:g} mg elemental Mg every {args.every_h:g} h, "
          f"{args.t_end_h:g} h simulated; subject: {subject}")
    print(f"baseline serum {table['baseline_serum_mmol_l'].iloc[0]:.3f} mmol/L")
    with pd.option_context("display.float_format", "{:.2f}".format, "display.width", 120):
        print(shown.sort_values("absorbed mg", ascending=False).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
