#!/usr/bin/env python
"""Make docs/figures/forms_serum.png, the figure of the README.

Left: serum Mg over 72 h after one 300 mg (elemental) dose of magnesium
oxide, citrate and glycinate for the default adult (magpk.Subject()).
Right: median and 5-95 / 25-75 % bands of serum after 300 mg citrate in
2,000 virtual adults (preset "adults", seed 1).

Usage: python scripts/make_readme_figure.py [output.png]   (needs matplotlib)
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import magpk  # noqa: E402
from magpk import plot  # noqa: E402

FORMS = ("oxide", "citrate", "glycinate")
DOSE_MG = 300.0
T_END_H = 72.0
N_POPULATION = 2_000
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "figures" / "forms_serum.png"


def main(output: Path = DEFAULT_OUTPUT) -> Path:
    subject = magpk.Subject()
    results = [magpk.simulate(magpk.Regimen().oral(form, dose_mg=DOSE_MG), subject,
                              t_end_h=T_END_H, output_every_h=0.25) for form in FORMS]
    population = magpk.simulate_population(magpk.Regimen().oral("citrate", dose_mg=DOSE_MG),
                                           n=N_POPULATION, seed=1, t_end_h=T_END_H,
                                           output_every_h=0.5, progress=False)

    fig, (left, right) = plt.subplots(1, 2, figsize=(11.0, 4.2), layout="constrained",
                                      sharey=True)
    plot.plot_serum(results, labels=[f"{form} {DOSE_MG:g} mg" for form in FORMS], ax=left,
                    threshold_legend=False)  # the right panel's legend serves both
    left.set_title(f"one {DOSE_MG:g} mg dose (elemental), default adult")
    plot.plot_population(population, ax=right,
                         label=f"citrate {DOSE_MG:g} mg, {N_POPULATION:,} adults")
    right.set_title(f"between-subject variability ({N_POPULATION:,} virtual adults)")
    right.tick_params(labelleft=True)
    fig.suptitle("magpk: serum magnesium after an oral supplement", fontsize=12)

    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=100)
    plt.close(fig)
    return output


if __name__ == "__main__":
    path = main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
