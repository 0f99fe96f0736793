"""Print the validation table of docs/model.md section 10 from magpk.validation.evaluate().

Usage: python docs/validation_table.py

The table is the ``validation`` table of docs/tables.py, which the documentation
site renders into docs/model.md while it is built (``python docs/tables.py``
prints every generated table).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tables import validation_table


def main() -> None:
    print(validation_table())


if __name__ == "__main__":
    main()
