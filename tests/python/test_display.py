"""Text and HTML renderings, checked against golden files.

Regenerate after an intended change with MAGPK_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import magpk

GOLDEN = Path(__file__).parent / "golden"
REGIMEN = (magpk.Regimen()
           .oral("glycinate", dose_mg=200, every_h=12, count=60)
           .oral("glycinate", dose_mg=500, basis="compound", start_h=6, with_food=True)
           .iv_infusion(mgso4_g=4, start_h=0, duration_h=0.33)
           .iv_bolus(mgso4_g=2, start_h=30).im(mgso4_g=5, start_h=40)
           .diet(mg_per_day=50, start_h=100))


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("MAGPK_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"missing golden file {path}; run with MAGPK_UPDATE_GOLDEN=1"
    assert text == path.read_text(), f"{name} differs from its golden file"


@pytest.mark.parametrize("name, make", [
    ("subject_repr.txt", lambda: repr(magpk.Subject())),
    ("subject.html", lambda: magpk.Subject(ppi=True, diuretic="loop")._repr_html_()),
    ("regimen_repr.txt", lambda: repr(REGIMEN)),
    ("regimen.html", lambda: REGIMEN._repr_html_()),
    ("empty_regimen_repr.txt", lambda: repr(magpk.Regimen())),
    ("result_repr.txt", lambda: repr(magpk.simulate(REGIMEN, t_end_h=240))),
    ("result.html", lambda: magpk.simulate(REGIMEN, t_end_h=240)._repr_html_()),
])
def test_rendering_matches_golden_file(name, make) -> None:
    _check(name, make())


def test_repeated_doses_are_summarized() -> None:
    text = repr(REGIMEN)
    assert "oral 60 x 200 mg Mg as glycinate every 12 h from 0 h" in text
    assert "with food at 6 h" in text


def test_html_escapes_text() -> None:
    html = magpk.Regimen().oral("citrate", 100)._repr_html_()
    assert html.startswith("<table>") and "citrate" in html
