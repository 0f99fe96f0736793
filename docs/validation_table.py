"""Print the validation table of docs/model.md section 10 from magpk.validation.evaluate().

Usage: python docs/validation_table.py   (paste the output over the table in docs/model.md)
"""

import math

from magpk import validation


def main() -> None:
    table = validation.evaluate()
    print("| id | description | published | tolerance band | model | within? | calibration target "
          "| note |")
    print("|---|---|---|---|---:|---|---|---|")
    for target_id, row in table.iterrows():
        high = "∞" if math.isinf(row["high"]) else f"{row['high']:g}"
        print(f"| `{target_id}` | {row['description']} | {row['published']} | "
              f"[{row['low']:g}, {high}] | {row['model']:.4g} | "
              f"{'yes' if row['within'] else '**no**'} | "
              f"{'yes' if row['calibration'] else 'no'} | {row['note']} |")


if __name__ == "__main__":
    main()
