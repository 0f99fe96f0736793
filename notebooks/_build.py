"""Generate the teaching notebooks in this folder (run: python notebooks/_build.py).

The notebooks are written without outputs (execution_count None); execute them in
Jupyter, or run tests/python/test_notebooks.py, which executes every one with nbclient.
Edit the text here, not in the .ipynb files, then re-run this script.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import List, Tuple

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

Cell = Tuple[str, str]  # ("md" | "code", source)


def md(text: str) -> Cell:
    return ("md", textwrap.dedent(text).strip("\n"))


def code(text: str) -> Cell:
    return ("code", textwrap.dedent(text).strip("\n"))


SETUP = code("""
    import numpy as np
    import pandas as pd
    import matplotlib.pyplot as plt

    import magpk
    from magpk import plot as mplot

    pd.set_option("display.precision", 3)
    pd.set_option("display.width", 120)
    MG_PER_MMOL = 24.305  # mg of elemental Mg per mmol
    print("magpk", magpk.__version__)
""")

# The widget fallback used by the interactive notebooks: the function is always called
# once with its defaults (so an executed notebook holds a static plot); sliders are
# offered only when ipywidgets imports and a live IPython kernel is running.
WIDGET_HELPER = code("""
    def offer_sliders(function, **sliders):
        \"\"\"Show `function` with ipywidgets sliders when possible; otherwise do nothing
        (the static plot above stays the result).\"\"\"
        try:
            import ipywidgets as widgets
            from IPython import get_ipython
        except ImportError:
            print("ipywidgets is not installed: the static plot above uses the default values "
                  "(pip install ipywidgets for sliders).")
            return None
        shell = get_ipython()
        if shell is None or getattr(shell, "kernel", None) is None:
            print("Not running in a live Jupyter kernel: sliders are not shown.")
            return None
        return widgets.interact(function, **sliders)
""")


# --------------------------------------------------------------------------- 01
NB01: List[Cell] = [
    md("""
    # 1. Quick start: comparing magnesium supplement forms

    ## Learning objectives

    - describe one adult with `magpk.Subject` and a dose with `magpk.Regimen`;
    - compare supplement forms at the same *elemental* dose with `magpk.compare_forms`;
    - read the key outputs: Mg absorbed (mg), extra urinary Mg, serum peak and the
      probability of diarrhoea (GI tolerance);
    - plot a comparison (`plot_comparison`) and serum curves (`plot_serum`), and know which
      form differences rest on human data and which are model assumptions.
    """),
    md("""
    ## Background

    magpk is a whole-body model of magnesium (Mg): the gut dissolves and absorbs each dose,
    plasma exchanges Mg with soft tissue and bone, and the kidneys excrete what is not kept.
    Every simulation starts from the subject's steady state on their habitual diet and is paired
    with a *baseline* run without the supplement, so every "increment" below is
    *supplement minus no supplement*.

    Doses are **elemental** mg of Mg unless you say `basis="compound"` (see notebook 7).
    """),
    SETUP,
    code("""
    adult = magpk.Subject(weight_kg=70, sex="female", age_years=40, egfr_ml_min=100,
                          diet_mg_per_day=300)
    adult
    """),
    md("""
    ## The form catalogue

    Each form has a formula (hence an elemental fraction), a dissolution class and a
    `confidence` rating that says how much human data stands behind its behaviour in the model.
    """),
    code("""
    catalogue = magpk.forms()
    catalogue[["name", "elemental_fraction", "dissolution", "confidence"]]
    """),
    md("""
    ## One dose of 300 mg elemental Mg, five forms

    `compare_forms` runs the same regimen with each form and returns one row of metrics per form.
    """),
    code("""
    forms = ["oxide", "citrate", "chloride", "glycinate", "buffered_glycinate"]
    table = magpk.compare_forms(forms, dose_mg=300, every_h=24, count=1, subject=adult,
                                t_end_h=72)
    columns = {
        "fraction_absorbed": "fraction absorbed (tracer)",
        "absorbed_supplement_mg": "supplement Mg absorbed (mg)",
        "urine_increment_24h_mmol": "extra urine Mg, 24 h (mmol)",
        "cmax_mmol_l": "serum peak (mmol/L)",
        "diarrhea_probability": "P(diarrhoea)",
    }
    table[list(columns)].rename(columns=columns)
    """),
    md("""
    How to read this:

    - **fraction absorbed** is what a stable-isotope study would measure: of the supplement's own
      Mg, the share that crossed the gut wall. Magnesium oxide is barely soluble, so most of it
      passes to the colon undissolved (Firoz & Graber 2001 measured about 4 % with a
      urinary-increment method); soluble salts (citrate, chloride) and the chelate do better.
      Citrate and chloride give identical numbers: in the model both are simply "soluble".
    - **extra urine Mg** is the part of the absorbed excess that the kidneys excrete within a day.
      In a Mg-replete adult, most absorbed Mg ends up in urine (notebook 4).
    - **serum peak** barely moves above the baseline of about 0.85 mmol/L, whatever the form:
      a serum test cannot tell forms apart after one dose.
    - **P(diarrhoea)** rises with the amount of unabsorbed Mg reaching the colon (an osmotic
      laxative effect); it is calibrated to Bashir 1993 (6 of 21 people with GI symptoms at
      360 mg/day MgCl2, the basis of the UL).
    """),
    code("""
    fig = mplot.plot_comparison(table)
    fig.suptitle("300 mg elemental Mg, one dose, 70 kg adult")
    plt.show()
    """),
    md("""
    ## Serum over three days

    `simulate` returns a `Result`; `plot_serum` overlays several results and draws the reference
    interval (0.75-0.95 mmol/L, IOM 1997) and the hypo-/hypermagnesaemia lines.
    """),
    code("""
    results = [magpk.simulate(magpk.Regimen().oral(form, dose_mg=300), adult, t_end_h=72,
                              output_every_h=0.25)
               for form in ("oxide", "citrate", "glycinate")]
    ax = mplot.plot_serum(results, labels=["oxide", "citrate", "glycinate"])
    ax.set_title("Serum Mg after 300 mg elemental Mg")
    plt.show()
    """),
    md("""
    The curves differ by hundredths of a mmol/L, inside the normal range: the body holds serum
    tightly, mainly through the kidneys. One result in detail, as a dashboard (`Result.plot()`):
    """),
    code("""
    citrate = results[1]
    citrate.metrics()["absorbed_supplement_mg"], citrate.metrics()["urine_increment_24h_mmol"]
    """),
    code("""
    fig = citrate.plot()
    plt.show()
    """),
    md("""
    ## What is measured and what is assumed

    - The oxide vs citrate contrast comes from human data (Firoz & Graber 2001; Kappeler 2017;
      Lindberg 1990), but the model's early (0-4 h) contrast is weaker than Lindberg's
      (see `docs/model.md`, "Known limitations").
    - The glycinate advantage comes from an *assumed* chelate route (a share of dissolved
      bisglycinate absorbed by a non-saturable pathway; Schuette 1994 studied patients after
      ileal resection). Treat it as a hypothesis, as the `confidence` column says.
    - Malate, threonate, taurate, orotate and gluconate behave like any soluble salt in the
      model: their only difference is their elemental fraction.
    """),
    md("""
    ## Try this

    1. Double the dose to 600 mg: which metrics grow in proportion and which do not? (Notebook 2
       explains why.)
    2. Take the dose with food (`with_food=True` in `compare_forms`) or split it
       (`dose_mg=150, every_h=12, count=2`).
    3. Give the subject a proton-pump inhibitor: `magpk.Subject(ppi=True)`.
    """),
    md("""
    ## Sources

    - Firoz M, Graber M 2001, Bioavailability of US commercial magnesium preparations: MgO 4 %
      fractional absorption. http://ncbi.nlm.nih.gov/pubmed/11794633
    - Kappeler D et al. 2017, BMC Nutrition: citrate vs oxide, urinary Mg 0-24 h difference
      0.565 mmol. https://bmcnutr.biomedcentral.com/articles/10.1186/s40795-016-0121-3
    - Lindberg JS et al. 1990, citrate vs oxide solubility and urinary Mg.
      https://suppr.wilddata.cn/browses/detail/pubmed/2407766
    - Schuette SA et al. 1994, Mg diglycinate vs MgO in ileal resection.
      https://pubmed.ncbi.nlm.nih.gov/7815675/
    - Sabatier M et al. 2003, isotope absorption of 70 mg Mg, 0.48 ± 0.05.
      https://es.scribd.com/document/243500949/SABATIER-2003-Comparison-of-stable-isotope-tracer-methods-for-the-determination-pdf
    - Institute of Medicine 1997, Dietary Reference Intakes (serum reference interval
      0.75-0.95 mmol/L). https://www.nap.edu/read/5776/chapter/8 ; Bashir 1993 (GI symptoms at
      360 mg/day MgCl2) via IOM 1997 p. 244: http://www.nap.edu/openbook.php?record_id=5776&page=244
    - "Magnesium Glycinate: A Comprehensive Clinical and Mechanistic Review" (the project's seed
      review), Table 1 (forms compared).
    - Model equations, parameters and limitations: `docs/model.md` in this repository.
    """),
]

# --------------------------------------------------------------------------- 02
NB02: List[Cell] = [
    md("""
    # 2. Saturable absorption: why the fraction absorbed falls as the dose rises

    ## Learning objectives

    - explain why intestinal Mg absorption has a *saturable* (carrier) part and a
      *linear* part;
    - reproduce the shape of Fine et al. 1991: about 65 % absorbed from a meal alone, about
      11 % when 40 mmol is added;
    - show why the same daily amount is absorbed better in several small doses
      (one 400 mg dose vs 4 × 100 mg; Sabatier 2011);
    - explore dose and splitting with an interactive slider.
    """),
    md("""
    ## Background

    Mg crosses the small intestine mostly between cells (paracellular) and, in smaller amounts,
    through TRPM6/7 channels in the distal intestine and colon (transcellular). The carrier route
    saturates: Brannan 1976 perfused human jejunum and ileum and found absorption levelling off
    at high luminal Mg. Fine et al. 1991 fed normal subjects a standard meal with 0 to 40 mmol
    of added Mg acetate and fitted absorbed Mg as a hyperbola (saturable) plus a straight line
    (about 7 % of intake).

    In magpk the transcellular routes are Michaelis-Menten terms shared by food and supplement Mg
    (`docs/model.md`, section 3.1), so a large dose saturates them and the excess leaves with the
    faeces.
    """),
    SETUP,
    md("""
    ## Fine 1991: a meal plus added Mg acetate

    The protocol as the model's validation reproduces it (`magpk.validation`): the gut was
    lavaged, so no other food Mg is present (diet set to 0 from t = 0); the meal is assumed to
    carry 2 mmol Mg (the meal's Mg content was not read from the paper); the acetate is dissolved
    (form `"solution"`) and eaten with the meal.
    """),
    code("""
    adult = magpk.Subject(weight_kg=70, sex="female", age_years=40, diet_mg_per_day=300)
    MEAL_MMOL = 2.0
    added = np.array([0, 2.5, 5, 10, 15, 20, 30, 40])
    rows = []
    for extra in added:
        intake_mmol = MEAL_MMOL + extra
        regimen = (magpk.Regimen().diet(0.0, start_h=0.0)
                   .oral("solution", intake_mmol * MG_PER_MMOL, start_h=0.5, with_food=True))
        m = magpk.simulate(regimen, adult, t_end_h=72, output_every_h=72).metrics()
        rows.append({"added_mmol": extra, "intake_mmol": intake_mmol,
                     "fraction_absorbed": m["fraction_absorbed"],
                     "absorbed_mmol": m["fraction_absorbed"] * intake_mmol})
    fine = pd.DataFrame(rows).set_index("added_mmol")
    fine
    """),
    code("""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    ax1.plot(fine["intake_mmol"], 100 * fine["fraction_absorbed"], "o-", label="magpk")
    ax1.plot([MEAL_MMOL, MEAL_MMOL + 40], [65, 11], "s", ms=9, color="tab:red",
             label="Fine 1991 (lowest and highest intake)")
    ax1.set_xlabel("Mg intake with the meal (mmol)")
    ax1.set_ylabel("fraction absorbed (%)")
    ax1.set_title("Fractional absorption falls with dose")
    ax1.legend()
    ax1.grid(alpha=0.3)

    ax2.plot(fine["intake_mmol"], fine["absorbed_mmol"], "o-", label="magpk: absorbed")
    ax2.plot(fine["intake_mmol"], fine["intake_mmol"], ":", color="grey", label="100 % absorbed")
    ax2.set_xlabel("Mg intake with the meal (mmol)")
    ax2.set_ylabel("Mg absorbed (mmol)")
    ax2.set_title("Absorbed amount still rises, but less and less")
    ax2.legend()
    ax2.grid(alpha=0.3)
    plt.show()
    """),
    md("""
    The absorbed *amount* keeps rising, but each extra mmol adds less: the carrier is saturated
    and only the slow linear component keeps going. The model's own check against the published
    numbers (these are the calibration targets, with their tolerance bands):
    """),
    code("""
    from magpk import validation

    checks = validation.evaluate(ids=["fine_low", "fine_high", "fine_linear_slope",
                                      "sabatier_2011_split"])
    checks[["model", "published", "low", "high", "within"]]
    """),
    md("""
    At the high end the model absorbs about 17 % where Fine reported 11 %: inside the tolerance
    band, but on the generous side.

    ## Split doses: one 400 mg vs 4 × 100 mg

    Sabatier et al. 2011 gave 126 mg Mg in 1.5 L of mineral water drunk in 7 portions or 2
    portions over the day: 50.7 ± 12.7 % vs 32.4 ± 8.1 % absorbed. Smaller portions keep the
    carrier further from saturation. The same effect with a citrate supplement:
    """),
    code("""
    regimens = {
        "1 × 400 mg": magpk.Regimen().oral("citrate", 400),
        "2 × 200 mg (12 h apart)": magpk.Regimen().oral("citrate", 200, every_h=12, count=2),
        "4 × 100 mg (4 h apart)": magpk.Regimen().oral("citrate", 100, every_h=4, count=4),
    }
    split = {name: magpk.simulate(r, adult, t_end_h=72, output_every_h=0.5)
             for name, r in regimens.items()}
    pd.DataFrame({name: {
        "fraction absorbed": res.metrics()["fraction_absorbed"],
        "supplement Mg absorbed (mg)": res.metrics()["absorbed_supplement_mg"],
        "extra urine Mg, 24 h (mmol)": res.metrics()["urine_increment_24h_mmol"],
        "P(diarrhoea)": res.metrics()["diarrhea_probability"],
    } for name, res in split.items()}).T
    """),
    code("""
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for name, res in split.items():
        frame = res.to_frame()
        ax.plot(frame["time_h"], frame["absorbed_supplement_cum_mmol"] * MG_PER_MMOL, label=name)
    ax.set_xlabel("time (h)")
    ax.set_ylabel("supplement Mg absorbed, cumulative (mg)")
    ax.set_title("400 mg citrate per day: one dose or split")
    ax.legend()
    ax.grid(alpha=0.3)
    plt.show()
    """),
    md("""
    Splitting raises absorption *and* lowers the peak load of unabsorbed Mg in the colon, hence
    the lower probability of diarrhoea.

    ## Explore: dose, number of portions and form

    The function below always runs once with its defaults, so this notebook shows a plot even when
    it is executed without a browser. In a live Jupyter session with `ipywidgets`, sliders
    appear underneath.
    """),
    WIDGET_HELPER,
    code("""
    def explore(total_mg=400, portions=1, form="citrate"):
        \"\"\"Cumulative absorption of `total_mg` per day given in `portions` doses over 12 h.\"\"\"
        times = list(np.linspace(0.0, 12.0, portions)) if portions > 1 else [0.0]
        regimen = magpk.Regimen().oral(form, total_mg / portions, times_h=times)
        res = magpk.simulate(regimen, adult, t_end_h=48, output_every_h=0.25)
        m = res.metrics()
        frame = res.to_frame()
        fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
        ax.plot(frame["time_h"], frame["absorbed_supplement_cum_mmol"] * MG_PER_MMOL)
        ax.axhline(total_mg, ls=":", color="grey", label="dose")
        ax.set_ylim(0, total_mg * 1.05)
        ax.set_xlabel("time (h)")
        ax.set_ylabel("supplement Mg absorbed (mg)")
        ax.set_title(f"{form}: {total_mg:g} mg in {portions} portion(s): "
                     f"{m['fraction_absorbed']:.0%} absorbed, "
                     f"P(diarrhoea) {m['diarrhea_probability']:.2f}")
        ax.legend()
        ax.grid(alpha=0.3)
        plt.show()

    explore()  # static version with the default values
    """),
    code("""
    offer_sliders(explore, total_mg=(50, 1000, 50), portions=(1, 8, 1),
                  form=["citrate", "oxide", "glycinate", "chloride", "solution"])
    """),
    md("""
    ## Try this

    1. With `explore`, find the smallest number of portions that brings 600 mg citrate above
       30 % absorbed. How does the answer change for oxide?
    2. In the Fine experiment, set the meal to 4 mmol (`MEAL_MMOL = 4.0`): how sensitive is the
       low-dose end to this assumption?
    3. Repeat the split-dose table for a subject with `ppi=True` (proton-pump inhibitors lower
       the carrier route in the model).
    """),
    md("""
    ## Sources

    - Fine KD, Santa Ana CA, Porter JL, Fordtran JS 1991, Intestinal absorption of magnesium from
      food and supplements, J Clin Invest 88:396: 65 % → 11 % absorbed, linear component 7 %.
      https://pubmed.ncbi.nlm.nih.gov/1864954/ ; full text
      https://pmc.ncbi.nlm.nih.gov/articles/PMC295344
    - Sabatier M et al. 2011, Mg absorption from mineral water drunk in 7 vs 2 portions
      (50.7 ± 12.7 % vs 32.4 ± 8.1 %). https://www.pubmed.gov/21473800/
    - Brannan PG et al. 1976, jejunal and ileal perfusion: saturation at high luminal Mg.
      https://suppr.wilddata.cn/browses/detail/pubmed/932189
    - Schuchardt JP, Hahn A 2017, Intestinal absorption and factors influencing bioavailability of
      magnesium ("relative uptake is higher when ingested in multiple low doses").
      https://www.ingentaconnect.com/contentone/ben/cnf/2017/00000013/00000004/art00007
    - Model equations and the calibration protocol (meal Mg content assumed 2 mmol):
      `docs/model.md`, sections 3.1 and 10, and `magpk.validation.targets()`.
    """),
]

# --------------------------------------------------------------------------- 03
NB03: List[Cell] = [
    md("""
    # 3. Repeated dosing: accumulation, steady state and repleting stores

    ## Learning objectives

    - see how daily dosing reaches a *periodic steady state* within days in a replete adult,
      where the extra Mg absorbed each day equals the extra Mg excreted;
    - contrast this with a depleted body, where part of the absorbed Mg is *kept* to refill tissue
      and bone;
    - estimate how long repletion takes after a low-Mg diet, and why tissue and bone refill over
      weeks (their exchange half-lives);
    - compare repletion by diet alone with diet plus a supplement.
    """),
    SETUP,
    md("""
    ## Part A: a replete adult taking 300 mg citrate every morning

    If nothing is stored, the body is at steady state when *what comes in leaves*: the daily extra
    absorption is matched by the daily extra urine.
    """),
    code("""
    adult = magpk.Subject(weight_kg=70, sex="female", age_years=40, diet_mg_per_day=300)
    days = 14
    daily = magpk.Regimen().oral("citrate", 300, every_h=24, days=days)
    res = magpk.simulate(daily, adult, t_end_h=24 * days, output_every_h=1)
    frame = res.to_frame().set_index("time_h")
    base = res.baseline_frame().set_index("time_h")

    at_midnight = np.arange(0, 24 * days + 1, 24.0)

    def per_day_extra(on, off):  # supplement run minus no-supplement run, per day
        return (on - off).loc[at_midnight].diff().to_numpy()

    def net(f):  # net absorption = gross absorption - endogenous secretion
        return f["absorbed_cum_mmol"] - f["secreted_cum_mmol"]

    per_day = pd.DataFrame({
        "supplement Mg absorbed (tracer)":
            frame["absorbed_supplement_cum_mmol"].loc[at_midnight].diff().to_numpy(),
        "extra net absorption": per_day_extra(net(frame), net(base)),
        "extra urine": per_day_extra(frame["urine_cum_mmol"], base["urine_cum_mmol"]),
    }, index=pd.Index(range(0, days + 1), name="day")).iloc[1:]
    per_day["kept in the body"] = per_day["extra net absorption"] - per_day["extra urine"]
    per_day.round(3)  # mmol/day
    """),
    code("""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    per_day[["extra net absorption", "extra urine", "kept in the body"]].plot.bar(ax=ax1, rot=0)
    ax1.set_ylabel("mmol per day")
    ax1.set_title("Extra Mg in vs extra Mg out, per day")
    ax1.grid(axis="y", alpha=0.3)
    mplot.plot_serum(res, ax=ax2, baseline=True, labels=["citrate 300 mg/day"])
    ax2.set_title("Serum: a small daily ripple around a nearly unchanged mean")
    plt.show()
    print(f"body store change vs no supplement after {days} days: "
          f"{res.metrics()['body_store_change_vs_baseline_mmol']:+.2f} mmol")
    """),
    md("""
    Two lessons:

    - The tracer says ~2.8 mmol/day of the supplement's own Mg is absorbed, but the body gains
      only ~1 mmol/day more than without the supplement: supplement and food Mg compete for the
      same saturable carrier, so supplement atoms partly *replace* food atoms (notebook 2).
    - Of that extra ~1 mmol/day, about 85 % leaves in urine on day 1 and over 95 % by day 14:
      the share kept shrinks as the slow stores fill, and the body approaches a steady state in
      which extra in = extra out. In a replete adult there is little to fill: of the ~1,000 mmol
      of Mg in the body (IOM 1997), two weeks change the stores by about a mmol.

    ## Part B: depletion, then repletion

    A Nielsen-2007-like protocol: a 60-year-old woman who usually eats 250 mg/day eats only
    101 mg/day for 78 days (Nielsen's depletion diet), then one of three repletion strategies
    for 58 days:

    1. stay on the low diet (no repletion, for reference);
    2. go back to her usual 250 mg/day diet;
    3. stay on the low diet and add 200 mg/day Mg gluconate (Nielsen's repletion arm).

    Nielsen's repletion lasted 58 days; the simulation continues to 150 days to show the slow
    pools.
    """),
    code("""
    woman = magpk.Subject(weight_kg=70, sex="female", age_years=60, diet_mg_per_day=250)
    deplete_days, replete_days, nielsen_days = 78, 150, 58
    start = 24.0 * deplete_days
    end = start + 24.0 * replete_days
    low = magpk.Regimen().diet(101.0, start_h=0.0)
    arms = {
        "stay on 101 mg/day": low,
        "diet back to 250 mg/day": low.diet(250.0, start_h=start),
        "101 mg/day + 200 mg/day gluconate": low.oral("gluconate", 200, every_h=24,
                                                       days=replete_days, start_h=start),
    }
    runs = {name: magpk.simulate(r, woman, t_end_h=end, output_every_h=2)
            for name, r in arms.items()}

    fig, axes = plt.subplots(1, 3, figsize=(15, 4), layout="constrained")
    for name, res in runs.items():
        f = res.to_frame()
        t = f["time_h"] / 24
        axes[0].plot(t, f["serum_mmol_l"], label=name)
        axes[1].plot(t, f["tissue_mmol"] - f["tissue_mmol"].iloc[0], label=name)
        axes[2].plot(t, f["bone_mmol"] - f["bone_mmol"].iloc[0], label=name)
    axes[0].axhspan(0.75, 0.95, color="tab:green", alpha=0.12, label="reference 0.75-0.95")
    for ax, title, unit in zip(axes, ["serum", "soft tissue (intracellular)",
                                      "exchangeable bone"],
                               ["mmol/L", "change (mmol)", "change (mmol)"]):
        ax.axvline(deplete_days, color="black", lw=0.8, ls="--")
        ax.axvline(deplete_days + nielsen_days, color="grey", lw=0.8, ls=":")
        ax.set_title(title)
        ax.set_xlabel("time (days)")
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    plt.show()
    """),
    md("""
    (Dashed line: end of depletion; dotted: end of Nielsen's 58-day repletion.) Serum falls within
    days of the diet change and jumps back within days of repletion; soft tissue empties and
    refills over a few weeks; exchangeable bone is the slowest. With a once-daily supplement,
    serum swings between doses and its mean stays below the habitual level, so the stores settle
    *short* of their starting content: a new steady state, not full repletion.

    How much of the deficit is refilled, and how fast?
    """),
    code("""
    def refill(res, column):
        \"\"\"Deficit at the end of depletion, share refilled after 58 and 150 days, and the days
        needed to refill half and 90 % of it (NaN: not within 150 days).\"\"\"
        stores = res.to_frame().set_index("time_h")[column]
        before, lowest = stores.iloc[0], stores.loc[start]
        refilled = (stores.loc[start:] - lowest) / (before - lowest)
        days = (refilled.index.to_numpy() - start) / 24
        reached = lambda share: days[refilled.to_numpy() >= share].min(initial=np.inf)
        return {"deficit (mmol)": before - lowest,
                "refilled at 58 days": refilled.loc[start + 24.0 * nielsen_days],
                "refilled at 150 days": refilled.iloc[-1],
                "days to 50 %": reached(0.5), "days to 90 %": reached(0.9)}

    summary = pd.concat({
        pool: pd.DataFrame({name: refill(res, f"{pool}_mmol") for name, res in runs.items()
                            if name != "stay on 101 mg/day"}).T
        for pool in ("tissue", "bone")})
    summary.replace(np.inf, np.nan).round(2)  # NaN: not reached within 150 days
    """),
    md("""
    Why weeks? Tissue and bone exchange Mg with plasma slowly. The half-lives the model uses (the
    slow pool of Avioli & Berman 1966's ²⁸Mg study had t½ ≈ 1,000 h):
    """),
    code("""
    magpk.parameters().loc[["tissue_exchange_half_life_h", "bone_exchange_half_life_h"],
                           ["value", "unit", "source"]]
    """),
    md("""
    A pool with half-life t½ needs about 3.3 half-lives to close 90 % of a gap: ~3 weeks for
    tissue (t½ 154 h) and ~20 weeks for bone (t½ 1,000 h), as the table shows. Even with the full
    diet back, Nielsen's 58-day repletion would refill only about 60 % of the exchangeable-bone
    deficit. Uptake into the stores depends on serum (a steep Hill relation, `docs/model.md`
    section 3.3), and serum is held near normal by the kidneys, so more supplement does not
    simply mean faster repletion: the once-daily gluconate arm refills *less* than the diet arm.

    **Caveat.** The model's depletion and repletion time courses are uncertain: the published
    depletion data conflict and several depletion targets are missed (`docs/model.md`,
    "Known limitations"). Use the numbers for intuition about time scales, not for dosing.
    """),
    md("""
    ## Try this

    1. In Part A, change the subject's habitual diet to 150 mg/day: does more of the supplement
       stay in the body?
    2. In Part B, replace the gluconate arm by 400 mg/day glycinate split into two doses. Is
       repletion twice as fast?
    3. Shorten the depletion to 4 weeks and compare the deficits.
    """),
    md("""
    ## Sources

    - Nielsen FH, Milne DB, Klevay LM, Gallagher S, Johnson L 2007, J Am Coll Nutr: 101 mg/day
      for up to 78 days, then +200 mg/day Mg gluconate for 58 days.
      https://pubmed.ncbi.nlm.nih.gov/17536123/
    - Institute of Medicine 1997, Dietary Reference Intakes: total body Mg ~25 g (~1,000 mmol),
      50-60 % in bone. https://www.nap.edu/read/5776/chapter/8
    - Avioli LV, Berman M 1966, ²⁸Mg kinetics in man (slow pool t½ ≈ 1,000 h).
      https://de.scribd.com/document/361886126/Mg28-Kinetics-in-Man-Magnesium-studies-IV-in-man-Half-life
    - Silver L et al. 1960, ²⁸Mg turnover: about one third of body Mg equilibrated by 90 h.
      https://scilit.net/publications/2efd9c74dba43198781bb00e210eaa1b
    - Model stores, parameters and limitations: `docs/model.md`, sections 3.3, 9 and 12.
    """),
]

# --------------------------------------------------------------------------- 04
NB04: List[Cell] = [
    md("""
    # 4. The renal threshold: why serum barely moves and urine rises

    ## Learning objectives

    - describe renal Mg handling as a *titration curve* with a tubular maximum (Tm);
    - show that a ten-fold change of intake moves serum by ~0.1 mmol/L but urine by a
      factor of three;
    - see how falling kidney function (eGFR, CKD stages) raises serum, and why magnesium
      oxide can cause hypermagnesaemia at eGFR 15-30 mL/min;
    - estimate the share of a CKD stage 3 population that exceeds 1.05 mmol/L with a virtual
      cohort (`simulate_population`).
    """),
    md("""
    ## Background

    The glomeruli filter the ultrafilterable part of plasma Mg (70-80 %); the tubules reabsorb
    most of it, mainly in the thick ascending limb (Quamme). Reabsorption has a maximum: Rude
    1980 measured a tubular maximum of about 1.4 mg per 100 mL of glomerular filtrate
    (≈ 0.58 mmol/L). Below the threshold nearly everything is reabsorbed; above it nearly all
    extra filtered Mg is excreted. Normally ~5 % of the filtered load reaches the urine.
    """),
    SETUP,
    md("""
    ## The model's titration curve

    In magpk (`docs/model.md`, section 3.2) excretion E follows a non-rectangular hyperbola with
    filtered load F = GFR · f_uf · c and tubular maximum Tm = t_m · GFR. Here it is, drawn from
    the model's own parameters:
    """),
    code("""
    p = magpk.parameters()["value"]
    f_uf, t_m, theta = (p["ultrafilterable_fraction"], p["renal_tm_mmol_per_l_filtrate"],
                        p["renal_splay"])

    def urine_mmol_per_day(serum, egfr_ml_min=100.0):
        gfr = egfr_ml_min * 0.06  # L/h
        load, tm = gfr * f_uf * serum, t_m * gfr
        root = np.sqrt((load - tm) ** 2 + 4 * (1 - theta) * load * tm)
        return 24 * np.maximum(0.0, ((2 * theta - 1) * load - tm + root) / (2 * theta))

    serum = np.linspace(0.5, 1.3, 300)
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    ax.plot(serum, urine_mmol_per_day(serum), label="urinary excretion (eGFR 100)")
    ax.plot(serum, 24 * 6.0 * f_uf * serum, ":", label="filtered load (nothing reabsorbed)")
    ax.axvspan(0.75, 0.95, color="tab:green", alpha=0.12, label="serum reference 0.75-0.95")
    ax.axvline(t_m / f_uf, color="black", lw=0.8, ls="--", label="threshold Tm / f_uf")
    ax.set_ylim(0, 60)
    ax.set_xlabel("serum Mg (mmol/L)")
    ax.set_ylabel("Mg (mmol/day)")
    ax.set_title("Above the threshold, extra filtered Mg goes to urine")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    plt.show()
    """),
    md("""
    The steep part of the curve sits just at the normal serum range: a tiny rise in serum
    buys a large rise in excretion. That is the kidney's "clamp" on serum Mg.

    ## Intake from 100 to 1,000 mg/day

    Each run starts at the subject's steady state on the given diet, so `steady_state_serum_mmol_l`
    and the first day's urine describe the long-run balance.
    """),
    code("""
    rows = []
    for diet in [100, 150, 200, 300, 400, 600, 800, 1000]:
        res = magpk.simulate(magpk.Regimen(), magpk.Subject(diet_mg_per_day=diet),
                             t_end_h=24, output_every_h=24)
        rows.append({"diet_mg_per_day": diet, "serum_mmol_l": res.steady_state_serum_mmol_l,
                     "urine_mmol_per_day": res.to_frame()["urine_cum_mmol"].iloc[-1]})
    intake = pd.DataFrame(rows).set_index("diet_mg_per_day")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    ax1.plot(intake.index, intake["serum_mmol_l"], "o-")
    ax1.axhspan(0.75, 0.95, color="tab:green", alpha=0.12)
    ax1.set_ylim(0.6, 1.1)
    ax1.set_title("serum: almost flat")
    ax1.set_ylabel("steady-state serum (mmol/L)")
    ax2.plot(intake.index, intake["urine_mmol_per_day"], "o-", color="tab:blue")
    ax2.set_ylim(bottom=0)
    ax2.set_title("urine: follows intake")
    ax2.set_ylabel("urinary Mg (mmol/day)")
    for ax in (ax1, ax2):
        ax.set_xlabel("dietary Mg (mg/day)")
        ax.grid(alpha=0.3)
    plt.show()
    intake.round(3).T
    """),
    md("""
    Urine also saturates at high intakes, because absorption saturates (notebook 2): the kidney
    only sees what the gut lets through.

    ## Kidney function: eGFR and CKD stages

    The filtering capacity scales with GFR. With less filtration, serum must rise further before
    the kidneys excrete what is absorbed. Below: the steady state on a 300 mg/day diet, and the
    highest serum reached during 30 days of magnesium oxide 500 mg (compound) twice a day
    (1 g/day MgO, a common laxative dose), across eGFR. CKD stages follow KDIGO 2012
    (G1 ≥ 90, G2 60-89, G3a 45-59, G3b 30-44, G4 15-29, G5 < 15 mL/min/1.73 m²).
    """),
    code("""
    mgo = magpk.Regimen().oral("oxide", 500, basis="compound", every_h=12, days=30)
    rows = []
    for egfr in [120, 100, 90, 75, 60, 50, 45, 40, 30, 25, 20, 15, 12, 10]:
        older = magpk.Subject(weight_kg=65, sex="female", age_years=70, egfr_ml_min=egfr)
        m = magpk.simulate(mgo, older, t_end_h=24 * 30, output_every_h=24).metrics()
        rows.append({"egfr": egfr, "no supplement": m["baseline_serum_mmol_l"],
                     "MgO 1 g/day, peak": m["cmax_mmol_l"]})
    by_egfr = pd.DataFrame(rows).set_index("egfr")

    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    stages = [(90, 130, "G1"), (60, 90, "G2"), (45, 60, "G3a"), (30, 45, "G3b"), (15, 30, "G4"),
              (0, 15, "G5")]
    for i, (lo, hi, name) in enumerate(stages):
        ax.axvspan(lo, hi, color="grey", alpha=0.06 + 0.04 * (i % 2), lw=0)
        ax.text((lo + hi) / 2, 1.45, name, ha="center", fontsize=9)
    ax.plot(by_egfr.index, by_egfr["no supplement"], "o-", label="diet only (300 mg/day)")
    ax.plot(by_egfr.index, by_egfr["MgO 1 g/day, peak"], "s-", label="+ MgO 1 g/day, 30 days")
    ax.axhspan(0.75, 0.95, color="tab:green", alpha=0.12, label="reference 0.75-0.95")
    ax.axhline(1.05, color="tab:red", ls="--", lw=0.9, label="hypermagnesaemia > 1.05")
    ax.set_xlim(130, 0)  # falling kidney function to the right
    ax.set_ylim(0.7, 1.5)
    ax.set_xlabel("eGFR (mL/min)")
    ax.set_ylabel("serum Mg (mmol/L)")
    ax.set_title("Serum Mg vs kidney function (70-year-old woman, 65 kg)")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    plt.show()
    """),
    md("""
    In the model, serum drifts up slowly through stages G1-G3 and crosses 1.05 mmol/L in G4, where
    magnesium oxide pushes it clearly into hypermagnesaemia. This matches the clinical signal:
    among Japanese MgO users, serum ≥ 2.5 mg/dL (≈ 1.03 mmol/L) was found in 16.6 % and risk
    factors were CKD G4 and MgO > 1,000 mg/day (Mori 2019); among inpatients on MgO 23 % had
    ≥ 2.5 mg/dL (Wakai 2019).

    **Caveat.** The model has no CKD-specific renal adaptation (fractional excretion rises in real
    CKD) and no quantitative source for serum Mg by CKD stage was found, so the rise at low eGFR
    may be overestimated (`docs/model.md`, "Known limitations").

    ## A CKD stage 3 population

    A virtual cohort from the `ckd3` preset (eGFR uniform 30-59 mL/min, inter-individual
    variability in absorption, extracellular volume and tubular maximum). 300 subjects keep this
    fast; the cohort is reproducible from its seed.
    """),
    code("""
    magpk.populations().loc["ckd3", ["source"]].iloc[0]
    """),
    code("""
    ckd3_mgo = magpk.simulate_population(mgo, n=300, seed=1, population="ckd3",
                                         t_end_h=24 * 30, output_every_h=24)
    ckd3_none = magpk.simulate_population(magpk.Regimen(), n=300, seed=1, population="ckd3",
                                          t_end_h=24 * 30, output_every_h=24)
    pd.Series({
        "diet only: fraction ever > 1.05 mmol/L": ckd3_none.fraction_above(1.05),
        "MgO 1 g/day: fraction ever > 1.05 mmol/L": ckd3_mgo.fraction_above(1.05),
        "MgO 1 g/day: fraction ever > 1.23 mmol/L (3.0 mg/dL)": ckd3_mgo.fraction_above(1.23),
    })
    """),
    md("""
    Even without a supplement some of this virtual cohort exceed 1.05 mmol/L: in the model, serum
    rises with falling eGFR on its own (see the caveat above). Compare the two runs rather than
    reading one number: the supplement roughly doubles the share above 1.05 mmol/L.
    """),
    code("""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4), layout="constrained")
    mplot.plot_population(ckd3_mgo, ax=ax1, threshold_legend=False)
    ax1.set_title("CKD G3 cohort on MgO 1 g/day (median, 25-75 %, 5-95 %)")
    subjects = ckd3_mgo.subjects()
    ax2.scatter(subjects["egfr_ml_min"], subjects["cmax_mmol_l"], s=10, alpha=0.6)
    ax2.axhline(1.05, color="tab:red", ls="--", lw=0.9)
    ax2.set_xlabel("eGFR (mL/min)")
    ax2.set_ylabel("peak serum Mg (mmol/L)")
    ax2.set_title("Who crosses 1.05 mmol/L?")
    ax2.grid(alpha=0.3)
    plt.show()
    """),
    md("""
    ## Try this

    1. Run the same cohort with the `ckd4` preset. How does the fraction above 1.05 mmol/L
       compare with Mori 2019's 16.6 %?
    2. Replace MgO by 300 mg/day elemental glycinate: does the form matter for the kidneys?
    3. Give the subject a thiazide (`diuretic="thiazide"`) in the intake sweep: which way does
       serum move, and why (hint: the tubular maximum)?
    """),
    md("""
    ## Sources

    - Rude RK et al. 1980, renal tubular maximum for Mg: 1.4 mg/100 mL glomerular filtrate.
      https://scilit.com/publications/198fd45ff3ad89c3f4bbde1ffdeb1f57
    - Quamme GA, The physiology of renal magnesium handling (segmental reabsorption: thick
      ascending limb ~65 %).
      https://karger.com/rph/article-abstract/9/5/257/291052/The-Physiology-of-Renal-Magnesium-Handling?redirectedFrom=fulltext
    - Schuchardt JP, Hahn A 2017: filtered load ~2,400 mg/day, ~5 % excreted (mirror).
      https://www.porcupineinhibitor.com/2020/07/29/20801
    - Ultrafilterable fraction 70-80 % (physiology text).
      https://www.barnardhealth.us/ascending-limb/magnesium-transport.html
    - Institute of Medicine 1997, serum reference interval 0.75-0.95 mmol/L.
      https://www.nap.edu/read/5776/chapter/8
    - Mori H et al. 2019, hypermagnesaemia in MgO users; risk with CKD G4 and MgO > 1,000 mg/day.
      https://colab.ws/articles/10.3164%2Fjcbn.18-117
    - Wakai E et al. 2019, inpatients on MgO: 23 % with serum Mg ≥ 2.5 mg/dL.
      https://pmc.ncbi.nlm.nih.gov/articles/PMC6373027
    - KDIGO 2012 Clinical Practice Guideline for the Evaluation and Management of Chronic Kidney
      Disease, Kidney Int Suppl 2013;3:1-150 (GFR categories G1-G5).
      https://kdigo.org/guidelines/ckd-evaluation-and-management/
    - Model kidney equation, population presets and limitations: `docs/model.md`, sections 3.2,
      11 and 12.
    """),
]

# --------------------------------------------------------------------------- 05
NB05: List[Cell] = [
    md("""
    # 5. Serum vs stores: a normal blood test in a depleted body

    ## Learning objectives

    - know where the body's Mg is: ~1 % extracellular, the rest in soft tissue and bone;
    - show, with a low-Mg diet, that tissue and bone lose Mg while serum stays in or near the
      reference range;
    - compare the amount lost from the stores with the entire plasma content;
    - see what happens at near-zero intake, and why urine, not serum, is the early signal.
    """),
    md("""
    ## Background

    An adult holds about 25 g (~1,000 mmol) of Mg: 50-60 % in bone, most of the rest inside
    cells, and only about 1 % in the extracellular fluid (IOM 1997). Serum Mg, the usual blood
    test, samples that 1 %. When intake falls, the kidneys cut excretion within days and the
    stores release Mg into plasma, so serum is defended at the expense of tissue and bone. The
    project's seed review calls this the central diagnostic problem: "a normal serum magnesium
    level can mask a significant underlying intracellular or total-body deficiency".
    """),
    SETUP,
    code("""
    adult = magpk.Subject(weight_kg=70, sex="female", age_years=40, diet_mg_per_day=300)
    start = magpk.simulate(magpk.Regimen(), adult, t_end_h=1).to_frame().iloc[0]
    pools = start[["plasma_mmol", "tissue_mmol", "bone_mmol"]]
    print(f"steady state serum {start['serum_mmol_l']:.3f} mmol/L")
    pools.rename({"plasma_mmol": "plasma/ECF", "tissue_mmol": "soft tissue",
                  "bone_mmol": "exchangeable bone"}).to_frame("mmol")
    """),
    md("""
    (The model's bone pool is only the *exchangeable* bone surface, about a third of skeletal Mg;
    the rest of the skeleton does not exchange on these time scales.)

    ## Eight weeks on a low-Mg diet

    Intake falls from 300 to 100 mg/day, about the depletion diet of Nielsen 2007 (101 mg/day)
    and well below the ~186 mg/day at which balance studies found intake and losses equal
    (Hunt & Johnson 2006).
    """),
    code("""
    low = magpk.simulate(magpk.Regimen().diet(100.0, start_h=0.0), adult, t_end_h=24 * 90,
                         output_every_h=12)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 4.2), layout="constrained")
    mplot.plot_serum(low, ax=ax1, labels=["100 mg/day diet"], threshold_legend=False)
    ax1.set_title("Serum: stays in the reference range")
    f = low.to_frame()
    t = f["time_h"] / 24
    for column, label, color in [("tissue_mmol", "soft tissue", "tab:green"),
                                 ("bone_mmol", "exchangeable bone", "tab:brown"),
                                 ("plasma_mmol", "plasma/ECF", "tab:red")]:
        ax2.plot(t, f[column] - f[column].iloc[0], label=label, color=color)
    ax2.axhline(0, color="black", lw=0.6)
    ax2.set_xlabel("time (days)")
    ax2.set_ylabel("change since day 0 (mmol)")
    ax2.set_title("Stores: steady loss")
    ax2.legend()
    ax2.grid(alpha=0.3)
    plt.show()

    lost = (f["tissue_mmol"] + f["bone_mmol"]).iloc[0] - (f["tissue_mmol"] + f["bone_mmol"]).iloc[-1]
    print(f"after 90 days: serum {f['serum_mmol_l'].iloc[-1]:.3f} mmol/L (lowest "
          f"{f['serum_mmol_l'].min():.3f}); stores lost {lost:.1f} mmol = "
          f"{lost / f['plasma_mmol'].iloc[0]:.1f} x the whole plasma/ECF content")
    """),
    md("""
    The stores have given up almost as much Mg as the entire plasma/extracellular pool holds,
    and a blood test would still read "normal".

    ## From a moderately low to a Mg-free diet

    The same experiment at several intakes. Near-zero intake (`diet(0.0)`) is the tube-fed
    Mg-free diet of the classic depletion experiments.
    """),
    code("""
    rows = []
    for intake in [0, 25, 50, 100, 150, 200, 300]:
        res = magpk.simulate(magpk.Regimen().diet(float(intake), start_h=0.0), adult,
                             t_end_h=24 * 90, output_every_h=24)
        f = res.to_frame().set_index("time_h")
        stores = f["tissue_mmol"] + f["bone_mmol"]
        urine_day = f["urine_cum_mmol"].diff()
        rows.append({"intake_mg_per_day": intake,
                     "serum day 21 (mmol/L)": f["serum_mmol_l"].loc[21 * 24.0],
                     "serum day 90 (mmol/L)": f["serum_mmol_l"].iloc[-1],
                     "stores lost by day 90 (mmol)": stores.iloc[0] - stores.iloc[-1],
                     "stores lost (%)": 100 * (1 - stores.iloc[-1] / stores.iloc[0]),
                     "urine day 4 (mmol/day)": urine_day.loc[4 * 24.0]})
    sweep = pd.DataFrame(rows).set_index("intake_mg_per_day")
    sweep.round(3)
    """),
    code("""
    fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    ax.axhspan(0.75, 0.95, color="tab:green", alpha=0.12, label="reference 0.75-0.95 mmol/L")
    ax.plot(sweep["stores lost by day 90 (mmol)"], sweep["serum day 90 (mmol/L)"], "o-")
    for intake, row in sweep.iterrows():
        ax.annotate(f"{intake} mg/day", (row["stores lost by day 90 (mmol)"],
                                         row["serum day 90 (mmol/L)"]),
                    xytext=(5, 4), textcoords="offset points", fontsize=8)
    ax.set_xlabel("Mg lost from tissue + bone in 90 days (mmol)")
    ax.set_ylabel("serum Mg on day 90 (mmol/L)")
    ax.set_title("The serum test only flags the larger deficits")
    ax.legend(loc="lower left")
    ax.grid(alpha=0.3)
    plt.show()
    """),
    md("""
    - On moderately low intakes (100-200 mg/day) serum stays in the reference range while the
      stores lose several to ~15 mmol.
    - On a Mg-free diet serum does fall, and in the model it leaves the range within the first
      week, then keeps falling slowly over weeks.
    - Urine is the faster signal: it falls within days. (Published: < 1 mmol/day within 3-4 days,
      IOM 1997; the model's ~1.6 mmol/day on day 4 misses this target.)

    **How sure is this?** The model reproduces the Nielsen 2007 observations (serum near normal,
    stores drawn down) but not all depletion data: after 90 Mg-free days the tube-fed men of the
    classic experiment had plasma Mg at 1/3-1/4 of control and red-cell Mg at 2/3 of normal;
    the model's serum falls far less (`docs/model.md`, "Known limitations"). The often-quoted
    "serum can stay normal with stores depleted up to 20 %" is a textbook statement not checked
    against a primary source, so it is not used here.

    ## Try this

    1. Use the Nielsen subject (a 60-year-old woman with a usual intake of 250 mg/day, then
       101 mg/day for 78 days) and compare with notebook 3.
    2. Add a thiazide diuretic (`magpk.Subject(diuretic="thiazide")`) to the 100 mg/day run.
    3. Which cut-off would flag the 100 mg/day subject on day 90: 0.75 mmol/L (IOM) or the
       proposed 0.85 mmol/L (Rosanoff 2022)?
    """),
    md("""
    ## Sources

    - Institute of Medicine 1997, Dietary Reference Intakes: ~25 g body Mg, 50-60 % in bone,
      ~1 % extracellular; reference interval 0.75-0.95 mmol/L.
      https://www.nap.edu/read/5776/chapter/8 ; urinary Mg < 1 mmol/day within 3-4 days of
      depletion: http://www.nap.edu/openbook.php?record_id=5776&page=193
    - "Magnesium Glycinate: A Comprehensive Clinical and Mechanistic Review" (the project's seed
      review): blood holds < 1 % of body Mg; normal serum can mask deficiency.
    - Nielsen FH et al. 2007, J Am Coll Nutr: 101 mg/day for up to 78 days, non-positive balance.
      https://pubmed.ncbi.nlm.nih.gov/17536123/
    - Hunt CD, Johnson LK 2006, balance-neutral intake ~186 mg/day (USDA balance studies).
      https://ars.usda.gov/research/publications/publication/?seqNo115=190781
    - Experimental human Mg depletion (2 tube-fed elderly men): plasma 1/3-1/4 of control,
      RBC Mg 2/3 of normal after 3 months.
      https://scilit.com/publications/4e594fef0fc3a7a9f83f36a9062e0f5f
    - Rosanoff A et al. 2022, proposed hypomagnesaemia cut-off 0.85 mmol/L.
      https://doi.org/10.1007%2Fs00394-022-02916-w
    - Model stores and known limitations: `docs/model.md`, sections 3.3, 10 and 12.
    """),
]

# --------------------------------------------------------------------------- 06
NB06: List[Cell] = [
    md("""
    # 6. IV magnesium sulfate in pre-eclampsia: Zuspan, Pritchard and a higher-dose regimen

    ## Learning objectives

    - simulate the two standard MgSO4 regimens and a higher-dose one in a pregnant woman;
    - read the serum curve against the therapeutic band (2.0-3.5 mmol/L) and the toxicity bands;
    - see how body weight and kidney function (creatinine → eGFR) change exposure;
    - estimate in a virtual pre-eclampsia cohort the share of women who reach 2 mmol/L by 4 h.

    *Teaching material, not clinical guidance.*
    """),
    md("""
    ## Background

    Magnesium sulfate prevents and treats eclamptic seizures. Doses are grams of
    MgSO4·7H2O: 1 g = 4.06 mmol = 98.6 mg of elemental Mg.

    | regimen | loading | maintenance |
    |---|---|---|
    | Zuspan | 4 g IV over 20 min | 1 g/h IV infusion |
    | Pritchard | 4 g IV + 10 g IM (5 g each buttock) | 5 g IM every 4 h |
    | higher dose (e.g. Brookfield 2016 used 4 g + 2 g/h) | 6 g IV over 20 min | 2 g/h IV |

    Serum targets (mmol/L): therapeutic 2.0-3.5 (Chinese 2024 guideline; 1.8-3.0 in Lu &
    Nightingale 2000); loss of deep-tendon reflexes around 3.5-5; respiratory paralysis above
    ~5. Mg leaves the body almost only through the kidneys, so kidney function sets the
    maintenance level.
    """),
    SETUP,
    code("""
    print(f"1 g MgSO4·7H2O = {magpk.elemental_mg('sulfate', 1000):.1f} mg = "
          f"{magpk.elemental_mg('sulfate', 1000) / MG_PER_MMOL:.2f} mmol Mg")

    LOAD_H = 1 / 3  # 20 minutes

    def zuspan(hours=24):
        return (magpk.Regimen().iv_infusion(mgso4_g=4, duration_h=LOAD_H)
                .iv_infusion(mgso4_g=1 * hours, start_h=LOAD_H, duration_h=hours))

    def pritchard(hours=24):
        doses = int(hours // 4)
        return (magpk.Regimen().iv_infusion(mgso4_g=4, duration_h=LOAD_H)
                .im(mgso4_g=10, at_h=LOAD_H)
                .im(mgso4_g=5, at_h=4 + LOAD_H, every_h=4, count=doses))

    def high_dose(hours=24):
        return (magpk.Regimen().iv_infusion(mgso4_g=6, duration_h=LOAD_H)
                .iv_infusion(mgso4_g=2 * hours, start_h=LOAD_H, duration_h=hours))

    regimens = {"Zuspan 4 g + 1 g/h": zuspan(), "Pritchard 4 g IV + 10 g IM, 5 g IM q4h": pritchard(),
                "6 g + 2 g/h": high_dose()}
    woman = magpk.Subject(weight_kg=75, sex="female", age_years=28, egfr_ml_min=95, pregnant=True)
    runs = {name: magpk.simulate(r, woman, t_end_h=24, output_every_h=0.1)
            for name, r in regimens.items()}
    ax = mplot.plot_serum(list(runs.values()), labels=list(runs))
    ax.set_title("Pregnant woman, 75 kg, eGFR 95 mL/min")
    plt.show()
    """),
    code("""
    def summary(res):
        m = res.metrics()
        f = res.to_frame().set_index("time_h")["serum_mmol_l"]
        return {"serum at 1 h": f.loc[1.0], "serum at 4 h": f.loc[4.0],
                "serum at 24 h": f.iloc[-1], "peak": m["cmax_mmol_l"],
                "hours in 2-3.5": m["time_in_2_to_3_5_h"], "hours > 3.5": m["time_above_3_5_h"]}

    pd.DataFrame({name: summary(res) for name, res in runs.items()}).T.round(2)
    """),
    md("""
    Zuspan's 1 g/h keeps this woman below 2 mmol/L all day, as Okusanya 2016's review found
    ("well below 2 mmol/L"); the IM depots of Pritchard and the 2 g/h infusion reach the band
    within hours. At 2 g/h the model's 24-h level (≈ 2.8 mmol/L at 6 g loading) is close to
    Brookfield 2016's steady state in pre-eclampsia, 2.96 mmol/L on 4 g + 2 g/h.

    ## Body weight and kidney function

    Body weight sets the volume the loading dose spreads into (the early peak); kidney function
    sets the clearance (the level reached on maintenance). Population models use creatinine as
    the kidney covariate (Salinger 2013: CL ∝ (0.8/SCr)^1.48). magpk takes eGFR, so convert
    creatinine with the CKD-EPI 2021 equation (it is *not validated in pregnancy*, where GFR
    rises: use it only to explore).
    """),
    code("""
    def ckd_epi_2021(scr_mg_dl, age_years, female=True):
        \"\"\"eGFR (mL/min/1.73 m²), CKD-EPI 2021 creatinine equation (Inker 2021).\"\"\"
        kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
        ratio = scr_mg_dl / kappa
        return (142 * min(ratio, 1) ** alpha * max(ratio, 1) ** -1.200 * 0.9938 ** age_years
                * (1.012 if female else 1.0))

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.2), layout="constrained")
    for weight in (50, 75, 110):
        s = magpk.Subject(weight_kg=weight, sex="female", age_years=28, egfr_ml_min=95,
                          pregnant=True)
        f = magpk.simulate(zuspan(), s, t_end_h=24, output_every_h=0.1).to_frame()
        ax1.plot(f["time_h"], f["serum_mmol_l"], label=f"{weight} kg")
    ax1.set_title("Zuspan: body weight (eGFR 95)")
    for scr in (0.5, 0.8, 1.2, 2.0):
        egfr = ckd_epi_2021(scr, 28)
        s = magpk.Subject(weight_kg=75, sex="female", age_years=28, egfr_ml_min=egfr,
                          pregnant=True)
        f = magpk.simulate(zuspan(), s, t_end_h=24, output_every_h=0.1).to_frame()
        ax2.plot(f["time_h"], f["serum_mmol_l"], label=f"SCr {scr} mg/dL (eGFR {egfr:.0f})")
    ax2.set_title("Zuspan: creatinine (75 kg)")
    for ax in (ax1, ax2):
        ax.axhspan(2.0, 3.5, color="tab:olive", alpha=0.15, label="target 2-3.5")
        ax.axhspan(3.5, 5.0, color="tab:orange", alpha=0.12, label="reflex loss 3.5-5")
        ax.set_xlabel("time (h)")
        ax.set_ylabel("serum Mg (mmol/L)")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    plt.show()
    """),
    md("""
    A lighter woman peaks higher right after the loading dose, but on the maintenance infusion
    all weights converge: the kidneys, not the volume, decide. With creatinine at 2 mg/dL
    (renal impairment) the same regimen is still climbing at 24 h, already above 3 mmol/L and
    heading for the reflex-loss band: hence the SmPC rule to continue only if urine output is
    > 25 mL/h, knee jerks are present and breathing is > 16/min.

    ## Explore a regimen

    Sliders for loading dose, infusion rate, weight and creatinine. The function runs once with
    its defaults, so the executed notebook always holds a plot; sliders appear in a live Jupyter
    session with `ipywidgets`.
    """),
    WIDGET_HELPER,
    code("""
    def explore(loading_g=4.0, grams_per_h=1.0, weight_kg=75, creatinine_mg_dl=0.6):
        egfr = ckd_epi_2021(creatinine_mg_dl, 28)
        s = magpk.Subject(weight_kg=weight_kg, sex="female", age_years=28,
                          egfr_ml_min=min(egfr, 250.0), pregnant=True)
        regimen = magpk.Regimen().iv_infusion(mgso4_g=loading_g, duration_h=LOAD_H)
        if grams_per_h > 0:
            regimen = regimen.iv_infusion(mgso4_g=grams_per_h * 24, start_h=LOAD_H,
                                          duration_h=24)
        res = magpk.simulate(regimen, s, t_end_h=24, output_every_h=0.1)
        m = res.metrics()
        ax = mplot.plot_serum(res, labels=[f"{loading_g:g} g + {grams_per_h:g} g/h"])
        ax.set_title(f"{weight_kg} kg, SCr {creatinine_mg_dl:g} mg/dL (eGFR {egfr:.0f}): "
                     f"{m['time_in_2_to_3_5_h']:.1f} h in 2-3.5, {m['time_above_3_5_h']:.1f} h "
                     f"above 3.5 mmol/L", fontsize=9)
        plt.show()

    explore()  # static version with the default values
    """),
    code("""
    offer_sliders(explore, loading_g=(2.0, 8.0, 0.5), grams_per_h=(0.0, 3.0, 0.25),
                  weight_kg=(45, 140, 5), creatinine_mg_dl=(0.4, 3.0, 0.1))
    """),
    md("""
    ## A pre-eclampsia cohort: who reaches 2 mmol/L by 4 hours?

    The `preeclampsia` preset samples pregnant women (18-40 y, ~75 kg, GFR ~95 ± 20 mL/min,
    the value that reproduces Brookfield 2016) with variability in extracellular volume and
    renal handling. 300 women per regimen; `fraction_above(2.0)` uses each woman's exact peak
    within the simulated window, so a 4-h run answers "by 4 h".
    """),
    code("""
    rows = {}
    cohorts = {}
    for name, make in [("Zuspan 4 g + 1 g/h", zuspan), ("Pritchard", pritchard),
                       ("6 g + 2 g/h", high_dose)]:
        by_4h = magpk.simulate_population(make(), n=300, seed=7, population="preeclampsia",
                                          t_end_h=4, output_every_h=0.25)
        day = magpk.simulate_population(make(), n=300, seed=7, population="preeclampsia",
                                        t_end_h=24, output_every_h=0.5)
        cohorts[name] = day
        rows[name] = {"reached 2 mmol/L by 4 h": by_4h.fraction_above(2.0),
                      "reached 2 mmol/L by 24 h": day.fraction_above(2.0),
                      "exceeded 3.5 mmol/L in 24 h": day.fraction_above(3.5),
                      "mean hours in 2-3.5": day.target_attainment()["mean_time_in_2_to_3_5_h"]}
    pd.DataFrame(rows).T.round(3)
    """),
    code("""
    fig, axes = plt.subplots(1, 3, figsize=(16, 4), layout="constrained", sharey=True)
    for ax, (name, pop) in zip(axes, cohorts.items()):
        mplot.plot_population(pop, ax=ax, label=name, threshold_legend=False)
        ax.set_title(name)
    plt.show()
    """),
    md("""
    With Zuspan's 1 g/h few women reach the band early, consistent with reports that most
    women stay subtherapeutic (only 31.5 % reached 2.0-3.5 mmol/L within 24 h in the survey
    quoted by the Chinese 2024 study; 55.9 % below the 1.8 mmol/L target in a 2020 Chinese
    series). The model's one-compartment-like behaviour after IV doses (no fast peripheral
    compartment, `docs/model.md`, "Known limitations") makes early post-bolus values uncertain.

    ## Try this

    1. Find the lowest maintenance rate with which at least half of the cohort reaches
       2 mmol/L by 12 h.
    2. Simulate the Pritchard regimen for a 110 kg woman with creatinine 1.2 mg/dL.
    3. Compare `population="preeclampsia"` with a custom cohort whose eGFR is 150 mL/min
       (normal pregnancy): `Population.subjects()` shows the columns to supply.
    """),
    md("""
    ## Sources

    - Magnesium sulfate SmPC (Zuspan/Pritchard regimens, monitoring: urine > 25 mL/h, knee
      jerks, respiration > 16/min). https://medicines.org.uk/emc/product/3539/smpc
    - Salinger DH et al. 2013, BJOG: one-compartment model, CL 4.81 L/h (×(0.8/SCr)^1.48),
      V 15.6 L (×(WT/55)^0.692), IM ka 0.317/h (nlmixr2lib transcription).
      https://nlmixr2.github.io/nlmixr2lib/articles/Salinger_2013_magnesiumSulfate.html
    - Brookfield KF et al. 2016, AJOG: 4 g + 2 g/h, steady state 2.96 (PE) vs 2.10 mmol/L.
      https://suppr.wilddata.cn/browses/detail/pubmed/26767791
    - Okusanya BO et al. 2016, BJOG review: 1 g/h maintenance "well below 2 mmol/L".
      https://staffsites.sohag-univ.edu.eg/stuff/supplements/show/2594?p=supplements
    - Chinese pre-eclampsia PK study 2024, BMC Pregnancy Childbirth: target 2.0-3.5 mmol/L; 31.5 %
      reached the range in 24 h. https://bmcpregnancychildbirth.biomedcentral.com/articles/10.1186/s12884-024-06620-x
    - Chinese severe pre-eclampsia 2020: 55.9 % below 1.8-3.0 mmol/L.
      https://bmcpregnancychildbirth.biomedcentral.com/articles/10.1186/s12884-020-03277-0
    - Lu JF, Nightingale CH 2000, MgSO4 in eclampsia: target 1.8-3.0 mmol/L, ~90 % of a dose in
      urine in 24 h. https://acnpsearch.tweb-dev.unibo.it/singlejournalindex/71514225
    - Toxicity stages (loss of deep-tendon reflexes, respiratory arrest):
      https://pmc.ncbi.nlm.nih.gov/articles/PMC4455825/table/tbl7
    - Inker LA et al. 2021, New creatinine- and cystatin C-based equations to estimate GFR without
      race (CKD-EPI 2021), N Engl J Med 385:1737. https://www.nejm.org/doi/full/10.1056/NEJMoa2102953
    - Model parenteral routes, population presets and limitations: `docs/model.md`, sections 3.4,
      11 and 12.
    """),
]

# --------------------------------------------------------------------------- 07
NB07: List[Cell] = [
    md("""
    # 7. Reading labels and dosing safely

    ## Learning objectives

    - convert between compound mass on a label and elemental Mg ("500 mg magnesium
      glycinate" ≈ 70 mg Mg);
    - count the capsules needed to reach the RDA, and compare supplemental intake with the
      Tolerable Upper Intake Level (UL) by life stage;
    - space Mg doses around interacting drugs, and check a regimen with `check_regimen`.

    *A reference aid, not medical advice.*
    """),
    SETUP,
    md("""
    ## Compound vs elemental magnesium

    A label may state the mass of the whole salt ("500 mg magnesium glycinate") or of the
    magnesium it carries ("elemental magnesium"). The elemental fraction follows from the formula:
    bisglycinate, Mg(C2H4NO2)2, is 14.1 % Mg, so 500 mg carries about 70 mg of Mg, the example in
    the project's seed review.
    """),
    code("""
    print(f"500 mg magnesium glycinate = {magpk.elemental_mg('glycinate', 500):.1f} mg Mg")
    table = magpk.forms()[["name", "formula", "elemental_fraction", "mg_per_g"]].copy()
    table["compound mg for 100 mg Mg"] = [magpk.compound_mg(f, 100) for f in table.index]
    table.sort_values("elemental_fraction", ascending=False)
    """),
    code("""
    per_form = table.drop(index="solution").sort_values("compound mg for 100 mg Mg")
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    ax.barh(per_form.index, per_form["compound mg for 100 mg Mg"])
    ax.axvline(500, color="grey", ls=":", label="a 500 mg capsule")
    ax.set_xlabel("mg of compound that carries 100 mg elemental Mg")
    ax.set_title("Same magnesium, very different pill sizes")
    ax.legend()
    ax.grid(axis="x", alpha=0.3)
    plt.show()
    """),
    md("""
    A high elemental fraction is not the same as good absorption: magnesium oxide is 60 % Mg but
    poorly absorbed (notebook 1). `Regimen.oral(..., basis="compound")` takes label masses
    directly.

    ## How many capsules for the RDA?

    The RDA is a *total* intake (food plus supplements). Capsules of "500 mg glycinate"
    (≈ 70 mg Mg) and of 120 mg or 125 mg elemental Mg (the sizes in the consumer article that
    seeded this project):
    """),
    code("""
    dri = magpk.rda_ul()
    groups = dri[dri["age"].isin(["19-30 y", "31-50 y"])]
    capsules = {"70 mg (500 mg glycinate)": magpk.elemental_mg("glycinate", 500),
                "125 mg": 125.0}
    diet = 250.0  # mg/day from food, a typical intake below the RDA
    rows = []
    for _, row in groups.iterrows():
        gap = max(row["rda_mg_per_day"] - diet, 0.0)
        entry = {"group": f"{row['life_stage']} {row['sex']} {row['age']}",
                 "RDA": row["rda_mg_per_day"], "UL": row["ul_supplemental_mg_per_day"],
                 "gap after 250 mg food": gap}
        for label, mg in capsules.items():
            entry[f"{label}: whole RDA"] = int(np.ceil(row["rda_mg_per_day"] / mg))
            entry[f"{label}: the gap"] = int(np.ceil(gap / mg))
        rows.append(entry)
    pd.DataFrame(rows).set_index("group")  # mg/day; capsules per day
    """),
    md("""
    Covering the whole RDA from 70-mg capsules alone would take 5-6 capsules (350-420 mg), at or
    above the UL of 350 mg/day; closing the gap left by an ordinary diet takes one to three.
    The consumer article's "up to four capsules" of 120-125 mg (480-500 mg/day) is above the UL.

    ## RDA and UL by life stage

    The UL (350 mg/day from age 9) applies to magnesium from **supplements and drugs only**, not
    food; it is based on diarrhoea (Bashir 1993: 6 of 21 people with GI symptoms at
    360 mg/day MgCl2). For small children the UL is *below* the RDA: the RDA counts food.
    """),
    code("""
    shown = dri.dropna(subset=["rda_mg_per_day"]).copy()
    shown["label"] = shown["life_stage"] + " " + shown["sex"].replace({"both": ""}) + " " + shown["age"]
    fig, ax = plt.subplots(figsize=(10, 4.8), layout="constrained")
    x = np.arange(len(shown))
    ax.bar(x - 0.2, shown["rda_mg_per_day"], width=0.4, label="RDA (total intake)")
    ax.bar(x + 0.2, shown["ul_supplemental_mg_per_day"], width=0.4,
           label="UL (supplements and drugs only)")
    ax.set_xticks(x)
    ax.set_xticklabels(shown["label"].str.replace("  ", " "), rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("mg/day")
    ax.set_title("Magnesium RDA and UL by life stage (IOM 1997)")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    plt.show()
    """),
    md("""
    ## Interacting drugs

    Mg binds some drugs in the gut (chelation) and lowers their absorption; other drugs change
    the body's Mg balance. `interactions()` lists both kinds with the spacing rules:
    """),
    code("""
    magpk.interactions()[["drug_class", "examples", "kind", "drug_before_mg_h",
                          "drug_after_mg_h", "rule"]]
    """),
    md("""
    ### Example: doxycycline with a glycinate supplement

    Two capsules of "500 mg glycinate" a day at 08:00 and 20:00, and doxycycline at 09:00 and
    21:00. Tetracyclines must be taken at least 2 h before or 4-6 h after magnesium.
    `check_regimen` repeats the drug times on every day of the regimen:
    """),
    code("""
    adult = magpk.Subject(sex="female", age_years=40, diet_mg_per_day=250)
    glycinate = magpk.Regimen().oral("glycinate", 500, basis="compound", every_h=24, days=7,
                                     start_h=8).oral("glycinate", 500, basis="compound",
                                                     every_h=24, days=7, start_h=20)
    bad = magpk.check_regimen(glycinate, adult, drugs=[("doxycycline", [9, 21])])
    print("ok:", bad.ok)
    bad.findings[bad.findings["day"] == 1][["severity", "kind", "message"]]
    """),
    code("""
    good = magpk.check_regimen(glycinate, adult, drugs=[("doxycycline", [6, 14])])
    print("ok:", good.ok)
    print(good)
    """),
    code("""
    def day_plan(ax, mg_hours, drug_hours, title, before=2.0, after=4.0):
        for h in mg_hours:
            ax.axvspan(h - before, h + after, color="tab:red", alpha=0.15)
            ax.plot([h], [1], "o", color="tab:green", ms=12)
        ax.plot(drug_hours, [0] * len(drug_hours), "s", color="tab:blue", ms=10)
        ax.set_yticks([0, 1])
        ax.set_yticklabels(["doxycycline", "Mg glycinate"])
        ax.set_xlim(0, 24)
        ax.set_ylim(-0.6, 1.6)
        ax.set_xticks(range(0, 25, 2))
        ax.set_title(title)
        ax.grid(axis="x", alpha=0.3)

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 3.8), layout="constrained", sharex=True)
    day_plan(ax1, [8, 20], [9, 21], f"09:00 and 21:00: {bad.count('warning')} warnings in 7 days")
    day_plan(ax2, [8, 20], [6, 14], f"06:00 and 14:00: {good.count('warning')} warnings")
    ax2.set_xlabel("hour of the day (shaded: 2 h before to 4 h after each Mg dose)")
    plt.show()
    """),
    md("""
    ### Above the UL, and with weak kidneys

    Three 200 mg doses of citrate a day (600 mg) exceed the UL; the same regimen at eGFR
    25 mL/min also raises a kidney warning (notebook 4).
    """),
    code("""
    heavy = magpk.Regimen().oral("citrate", 200, every_h=8, days=3)
    kidney = magpk.Subject(sex="female", age_years=75, egfr_ml_min=25)
    report = magpk.check_regimen(heavy, kidney)
    report.findings[["severity", "kind", "message"]]
    """),
    md("""
    ## Try this

    1. What is the largest number of "500 mg glycinate" capsules per day that stays within the UL?
       Check your answer with `check_regimen`.
    2. Plan a day with levothyroxine at 07:00 and two Mg doses: where can the Mg go?
    3. Compare how many mg of Mg oxide and of Mg citrate (compound) carry the same 300 mg of Mg,
       then simulate both (notebook 1): which delivers more absorbed Mg?
    """),
    md("""
    ## Sources

    - "Magnesium Glycinate: A Comprehensive Clinical and Mechanistic Review" (the project's seed
      review): glycinate ~14 % elemental, 500 mg capsule ≈ 70 mg Mg; Table 2 (RDA/UL by life
      stage) and Table 3 (drug interactions).
    - Consumer article on magnesium glycinate (the project's second seed, Epainassist): capsules
      of 120 mg or 125 mg, "up to four capsules" a day.
    - Institute of Medicine, Dietary Reference Intakes, the Essential Guide (2006), magnesium:
      EAR/RDA by life stage, UL 350 mg/day from supplements.
      https://nap.nationalacademies.org/skim.php?record_id=11537&chap=340-349 ; UL basis (Bashir
      1993, LOAEL 360 mg/day MgCl2): http://www.nap.edu/openbook.php?record_id=5776&page=244
    - NIH Office of Dietary Supplements, Magnesium fact sheet for consumers.
      https://ods.od.nih.gov/factsheets/Magnesium-Consumer/
    - GoodRx, "8 Magnesium Interactions You Should Know About" (spacing for tetracyclines,
      fluoroquinolones, bisphosphonates, gabapentin).
      https://www.goodrx.com/well-being/supplements-herbs/magnesium-interactions
    - Drugs.com, levothyroxine + magnesium (separate by ≥ 4 h).
      https://www.drugs.com/drug-interactions/magnesium-citrate-with-synthroid-1511-0-1463-869.html
    - Mori H et al. 2019 (hypermagnesaemia with MgO in CKD).
      https://colab.ws/articles/10.3164%2Fjcbn.18-117
    - Formulas and elemental fractions: computed from atomic weights; solubility cross-check
      https://pmc.ncbi.nlm.nih.gov/articles/PMC8122334/table/molecules-26-02419-t001
    - All tables with their sources: `magpk.rda_ul()["source"]`, `magpk.interactions()["source"]`.
    """),
]

NOTEBOOKS = {
    "01_quick_start.ipynb": NB01,
    "02_saturable_absorption.ipynb": NB02,
    "03_accumulation_steady_state.ipynb": NB03,
    "04_renal_threshold.ipynb": NB04,
    "05_serum_vs_stores.ipynb": NB05,
    "06_iv_magnesium_preeclampsia.ipynb": NB06,
    "07_labels_and_safety.ipynb": NB07,
}


def build(cells: List[Cell]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in cells:
        if kind == "md":
            nb.cells.append(new_markdown_cell(source))
        else:
            nb.cells.append(new_code_cell(source))  # outputs [] and execution_count None
    for i, cell in enumerate(nb.cells):  # stable ids: no diff noise between builds
        cell["id"] = f"cell-{i:02d}"
    nbformat.validate(nb)
    return nb


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nbformat.write(build(cells), HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
