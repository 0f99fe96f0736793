"""Print the validation table of docs/model.md section 10 from magpk.validation.evaluate().

Usage: python docs/validation_table.py

The table is one of the blocks that docs/tables.py generates; to refresh every
generated table of docs/model.md in place, run ``python docs/tables.py --write``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tables import validation_table  # noqa: E402


def main() -> None:
    print(validation_table())


if __name__ == "__main__":
    main()
