"""One spelling throughout: US English in names, columns, displays and docs.

The API's names were US from the start (``diarrhea_probability``, ``feces_cum_mmol``);
0.1's displays and docs said "diarrhoea" and "faeces". This test keeps them from
drifting apart again.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# UK spellings with a US form used by this project (word stems, case-insensitive).
UK_SPELLINGS = re.compile(
    r"diarrhoea|faec|faeces|paediatr|behaviour|remodelling|modelled|modelling|labelled|"
    r"litre|centre|magnesaem|ionised|normalised|summarised", re.IGNORECASE)
CHECKED = ["README.md", "docs/**/*.md", "docs/**/*.py", "notebooks/*.ipynb", "notebooks/*.md",
           "notebooks/*.py", "python/magpk/**/*.py", "cpp/**/*.hpp", "cpp/**/*.cpp"]


def _uk_spellings(text: str, name: str) -> list[str]:
    return [f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)!r}"
            for m in UK_SPELLINGS.finditer(text)]


def test_no_uk_spellings_in_code_docs_and_notebooks() -> None:
    found: list[str] = []
    for pattern in CHECKED:
        for path in sorted(ROOT.glob(pattern)):
            if "_build" in path.parts or ".jupyter_cache" in path.parts:
                continue
            found += _uk_spellings(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "UK spellings (use US):\n" + "\n".join(found[:40])


def test_the_check_finds_a_uk_spelling() -> None:
    assert _uk_spellings("no\nosmotic diarrhoea here", "x.md") == ["x.md:2: 'diarrhoea'"]
