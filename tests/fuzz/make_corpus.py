"""Write the seed corpus of the fuzz harness (tests/fuzz/corpus/*.bin).

Each seed is a readable request encoded the way fuzz_simulation.cpp decodes its
input (FuzzedDataProvider takes these integers from the END of the data, so
the bytes are written in reverse; strings come from the front). The seeds start
the fuzzer on valid requests that reach every kind of event, the meal
schedules, children, an initial state, parameter overrides (by name, at the
ends of their allowed ranges, unvalidated) and population batches, instead of
waiting for it to build such inputs byte by byte.

Run after changing the decoder:  python3 tests/fuzz/make_corpus.py
"""
from __future__ import annotations

import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
MAX_STEPS = 20_000

# Parameter names and kinds in the order of the table (cpp/src/physiology.cpp);
# a seed names a parameter, the decoder picks it by index.
KINDS = dict(re.findall(r'\{"(\w+)", &Physiology::\1,\s*[-+0-9.eE]+,\s*"[^"]*",\s*(k\w+),',
                        (HERE.parent.parent / "cpp/src/physiology.cpp").read_text()))
PARAMETERS = list(KINDS)

# form_ids() order of the catalogue (cpp/src/forms.cpp); a seed names forms by index.
FORMS = ["oxide", "hydroxide", "carbonate", "chloride", "sulfate", "citrate", "glycinate",
         "buffered_glycinate", "malate", "threonate", "lactate", "aspartate", "taurate",
         "orotate", "gluconate", "solution"]


class Encoder:
    """Mirror of fuzz_simulation.cpp's Decoder: bytes in the order they are consumed."""

    def __init__(self) -> None:
        self.consumed: list[int] = []
        self.front = b""  # strings (FuzzedDataProvider reads them from the front)

    def typical(self) -> None:
        self.consumed.append(0)

    def value(self, x: float, lo: float, hi: float) -> None:
        """x within [lo, hi], rounded to the decoder's 65536-step grid."""
        assert lo <= x <= hi, (x, lo, hi)
        step = round((x - lo) / (hi - lo) * 65535)
        self.consumed += [128, step >> 8, step & 0xFF]

    def special(self, index: int) -> None:
        """kSpecial[index] (0 NaN, 1 +inf, 2 -inf, 3 0, 5 -1, 9 max, 11 1e300, ...)."""
        self.consumed.append(224 + index)

    def byte(self, b: int) -> None:
        self.consumed.append(b)

    def flag(self, on: bool) -> None:
        self.consumed.append(1 if on else 0)

    def max_steps(self, steps: int) -> None:
        n = MAX_STEPS - steps
        self.consumed += [n >> 8, n & 0xFF]

    def form(self, name: str) -> None:
        self.consumed.append(FORMS.index(name))

    def string(self, text: str) -> None:
        """A string the decoder reads from the front (ConsumeRandomLengthString)."""
        self.front += text.replace("\\", "\\\\").encode() + b"\\x"

    def data(self) -> bytes:
        return self.front + bytes(reversed(self.consumed))


def encode_covariates(e: Encoder, cov: dict | None, meals) -> None:
    cov = cov or {}
    for name, lo, hi in (("weight", 0, 300), ("age", 0, 120), ("height", -10, 250),
                         ("egfr", -10, 300), ("diet", 0, 6000)):
        e.value(cov[name], lo, hi) if name in cov else e.typical()
    e.byte(cov.get("sex", 0))  # 0 female, 1 male
    e.flag(cov.get("pregnant", False))
    e.flag(cov.get("ppi", False))
    e.byte(cov.get("diuretic", 0))  # 0 none, 1 loop, 2 thiazide
    e.value(cov["start_clock"], 0, 24) if "start_clock" in cov else e.typical()
    if meals == "continuous":
        e.byte(0)
    elif meals == "default":
        e.byte(1)
    else:  # [(clock, share), ...], normalized by the decoder
        e.byte(2)
        e.byte(len(meals))
        for clock, share in meals:
            e.value(clock, 0, 24)
            e.value(share, 0, 1)
        e.flag(True)


# Ends of a parameter's allowed range (decode_parameter_value, case byte).
RANGE_END = {"min": 0, "max": 1, "below_min": 2, "above_max": 3}


def encode_physiology(e: Encoder, changes, validate: bool = True) -> None:
    """changes: (name, how, x) with how "factor" (x times the table value,
    0.3-3), "end" (x in RANGE_END), "log10" (10**x times the table value,
    -4..4; shares: x is the value itself, -0.25..1.25), or "typo" (x: any
    string used as the name, rejected unless it is a parameter's name)."""
    e.byte(len(changes))
    for name, how, x in changes:
        if how == "typo":  # pick 255 (>= 240): the name is a string, the value 2x that of
            e.byte(255)    # PARAMETERS[255 % len(PARAMETERS)]
            e.typical()
            e.string(x)
            continue
        index = PARAMETERS.index(name)
        assert index < 240, "the decoder reads picks >= 240 as any string"
        e.byte(index)
        if how == "factor":
            e.byte(128)
            e.value(x, 0.3, 3.0)
        elif how == "end":
            e.byte(176)
            e.byte(RANGE_END[x])
        elif how == "log10":
            e.byte(200)
            if not is_share(name):
                e.value(x, -4.0, 4.0)
                e.flag(False)  # positive
            else:
                e.value(x, -0.25, 1.25)
        else:
            raise ValueError(how)
    e.byte(0 if validate else 3)


def is_share(name: str) -> bool:
    """A share in [0, 1] (ParameterKind kShare or kFractionMayBeZero)."""
    return KINDS[name] in ("kShare", "kFractionMayBeZero")


def encode_regimen(e: Encoder, oral=(), iv=(), im=(), infusions=(), diet_changes=(), fasts=(),
                   drugs=()) -> None:
    e.byte(len(oral))
    for time, form, mmol, with_food in oral:
        e.value(time, 0, 96)
        e.form(form)
        e.value(mmol, 0, 100)
        e.flag(with_food)
    for doses in (iv, im):
        e.byte(len(doses))
        for time, mmol in doses:
            e.value(time, 0, 96)
            e.value(mmol, 0, 100)
    e.byte(len(infusions))
    for start, duration, mmol in infusions:
        e.value(start, 0, 96)
        e.value(duration, 0, 48)
        e.value(mmol, 0, 200)
    e.byte(len(diet_changes))
    for time, mg in diet_changes:
        e.value(time, 0, 96)
        e.value(mg, 0, 6000)
    e.byte(len(fasts))
    for start, stop in fasts:
        e.value(start, 0, 96)
        e.value(stop, 0, 96)
    e.byte(len(drugs))
    for drug, start, stop in drugs:  # drug: 0 PPI, 1 loop, 2 thiazide; stop None: to the end
        e.byte(drug)
        e.value(start, 0, 96)
        e.flag(stop is None)
        if stop is not None:
            e.value(stop, 0, 96)


def encode_run(e: Encoder, t_end, outputs, solver, max_steps) -> None:
    """Run length, output times and solver options."""
    if t_end is None:
        e.typical()  # 24 h
    else:
        e.value(t_end, 1e-3, 96)
    hi = t_end if t_end is not None else 24.0
    e.byte(len(outputs))
    for t in outputs:
        e.value(t, 0, hi)
    e.flag(True)  # sorted
    e.flag(solver is not None)
    if solver is not None:
        for x, lo, hi_ in zip(solver, (1e-10, 1e-12, 1e-12), (1e-2, 1e-4, 1e-4)):
            e.value(x, lo, hi_)
    e.max_steps(max_steps)


def request(*, covariates=None, meals="continuous", physiology=(), validate=True, oral=(), iv=(),
            im=(), infusions=(), diet_changes=(), fasts=(), drugs=(), t_end=None, outputs=(),
            solver=None, max_steps=MAX_STEPS, initial=None) -> bytes:
    """One simulate() request; anything not given is the decoder's typical value."""
    e = Encoder()
    e.byte(0)  # a single run, not a batch
    encode_covariates(e, covariates, meals)
    encode_physiology(e, physiology, validate)
    encode_regimen(e, oral, iv, im, infusions, diet_changes, fasts, drugs)
    encode_run(e, t_end, outputs, solver, max_steps)
    e.flag(initial is not None)
    if initial is not None:
        e.flag(True)
        state, forms = initial
        for x in state:
            e.value(x, 0, 50) if x else e.typical()
        e.byte(len(forms))
        for form in forms:
            e.form(form)
    return e.data()


def batch(*, subjects, physiology=(), validate=True, oral=(), iv=(), im=(), infusions=(),
          diet_changes=(), fasts=(), drugs=(), t_end=None, outputs=(), solver=None,
          max_steps=MAX_STEPS, keep_trajectories=True) -> bytes:
    """One simulate_batch() request; subjects: [(covariates, meals, (transcellular, ecf volume,
    renal Tm) factors or None for 1, 1, 1)], at most 3."""
    assert len(subjects) <= 3
    e = Encoder()
    e.byte(1)  # a batch
    e.byte(len(subjects))
    for covariates, meals, factors in subjects:
        encode_covariates(e, covariates, meals)
        for factor in factors or (None, None, None):
            e.value(factor, 0.2, 5.0) if factor is not None else e.typical()
    encode_physiology(e, physiology, validate)
    encode_regimen(e, oral, iv, im, infusions, diet_changes, fasts, drugs)
    encode_run(e, t_end, outputs, solver, max_steps)
    e.flag(keep_trajectories)
    return e.data()


STATE_SIZE = 40  # idx::kStateSize (cpp/include/magpk/model.hpp)
STATE_INDEX = {"plasma": 7, "peripheral": 8, "tissue": 9, "tissue_bound": 10, "bone": 11,
               "deep_bone": 12}


def state(**amounts: float) -> list[float]:
    """An initial state (idx order of model.hpp), zero unless given; amounts <= 50 mmol."""
    x = [0.0] * STATE_SIZE
    for name, amount in amounts.items():
        x[STATE_INDEX[name]] = amount
    return x


SEEDS = {
    "default_24h": request(),
    "oral_citrate_meals_48h": request(meals="default", oral=[(1.0, "citrate", 10.0, False)],
                                      t_end=48.0, outputs=[0.0, 6.0, 24.0, 48.0]),
    "oral_every_form": request(oral=[(1.0, "oxide", 10.0, False), (2.0, "hydroxide", 8.0, True),
                                     (5.0, "glycinate", 5.0, False),
                                     (9.0, "buffered_glycinate", 12.0, True)], t_end=36.0),
    "oral_blends_and_salts": request(oral=[(0.0, "threonate", 4.0, False),
                                           (3.0, "carbonate", 6.0, True),
                                           (6.0, "solution", 2.0, False),
                                           (30.0, "orotate", 3.0, False)], t_end=48.0),
    "parenteral": request(iv=[(1.0, 4.0), (13.0, 8.0)], im=[(2.0, 10.0)],
                          infusions=[(0.5, 4.0, 16.0), (6.0, 24.0, 40.0)], t_end=36.0,
                          outputs=[0.0, 1.0, 4.5, 36.0]),
    "eclampsia_infusion_pregnant": request(covariates={"pregnant": True},
                                           iv=[(0.0, 16.0)], infusions=[(0.25, 24.0, 80.0)],
                                           t_end=30.0),
    "diet_fasts_drugs_meals": request(meals="default", diet_changes=[(12.0, 100.0), (30.0, 900.0)],
                                      fasts=[(0.0, 10.0)], drugs=[(0, 0.0, None), (1, 5.0, 20.0),
                                                                  (2, 10.0, None)],
                                      oral=[(2.0, "chloride", 10.0, True)], t_end=48.0),
    "custom_meals": request(meals=[(7.0, 0.3), (13.0, 0.3), (20.0, 0.4)],
                            covariates={"start_clock": 5.5},
                            oral=[(0.5, "lactate", 7.0, True)], t_end=30.0),
    "child_male_loop_ppi": request(covariates={"weight": 20.0, "age": 6.0, "sex": 1,
                                               "diuretic": 1, "ppi": True, "height": 115.0},
                                   oral=[(1.0, "gluconate", 3.0, False)], t_end=24.0),
    "ckd_thiazide": request(covariates={"egfr": 25.0, "age": 75.0, "weight": 60.0, "diuretic": 2},
                            iv=[(1.0, 10.0)], t_end=48.0),
    "physiology_changed": request(physiology=[("si_transit_time_h", "factor", 0.5),
                                              ("ecf_volume_l_per_kg", "factor", 2.5)],
                                  oral=[(1.0, "malate", 10.0, False)], t_end=24.0),
    "physiology_range_ends": request(physiology=[("renal_splay", "end", "max"),
                                                 ("chelate_intact_fraction", "end", "min"),
                                                 ("im_absorption_per_h", "end", "max")],
                                     im=[(1.0, 10.0)], oral=[(2.0, "glycinate", 8.0, False)],
                                     t_end=24.0),
    "physiology_scale_extremes": request(physiology=[("si_vmax_mmol_h", "log10", 2.5),
                                                     ("bodyfat_intercept", "log10", 1.0),
                                                     ("tissue_exchange_half_life_h", "log10",
                                                      -2.9)],
                                         oral=[(1.0, "chloride", 10.0, False)], t_end=12.0),
    "physiology_unvalidated_out_of_range": request(
        physiology=[("ppi_acid_output_factor", "end", "above_max")], validate=False),
    "physiology_unknown_name": request(physiology=[("", "typo", "renal_spaly")]),
    "loose_solver_few_steps": request(oral=[(1.0, "sulfate", 20.0, False)],
                                      solver=(1e-3, 1e-6, 1e-5), max_steps=50, t_end=24.0),
    "initial_state": request(initial=(state(plasma=12.0, peripheral=3.0, tissue=40.0,
                                            tissue_bound=50.0, bone=45.0, deep_bone=50.0),
                                      ["oxide"]),
                             oral=[(1.0, "oxide", 10.0, False)], t_end=24.0),
    "invalid_nan_weight": bytes(reversed([0, 224])),  # single run, weight NaN: rejected
    "batch_two_subjects": batch(subjects=[(None, "continuous", None),
                                          ({"weight": 95.0, "age": 70.0, "sex": 1, "egfr": 55.0},
                                           "continuous", (1.3, 0.8, 1.1))],
                                oral=[(1.0, "citrate", 10.0, False)], t_end=24.0,
                                outputs=[0.0, 2.0, 6.0, 24.0]),
    "batch_meals_iiv_extremes": batch(subjects=[(None, "default", (0.2, 5.0, 0.2)),
                                                ({"weight": 20.0, "age": 6.0}, "continuous",
                                                 (5.0, 0.2, 5.0))],
                                      iv=[(1.0, 4.0)], infusions=[(2.0, 4.0, 16.0)], t_end=30.0,
                                      outputs=[0.0, 3.0, 30.0], keep_trajectories=False),
    "batch_physiology_changed": batch(subjects=[(None, "continuous", None)],
                                      physiology=[("renal_tm_mmol_per_l_filtrate", "factor", 0.5)],
                                      drugs=[(1, 0.0, None)], t_end=48.0, outputs=[0.0, 48.0]),
    "batch_empty": batch(subjects=[], oral=[(1.0, "oxide", 10.0, False)], outputs=[0.0, 24.0]),
    "batch_unvalidated_physiology": batch(subjects=[(None, "continuous", None)],
                                          physiology=[("thiazide_tm_factor", "end", "min")],
                                          validate=False, outputs=[0.0, 24.0]),
}


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    for old in CORPUS.glob("*.bin"):
        old.unlink()
    for name, data in SEEDS.items():
        (CORPUS / f"{name}.bin").write_bytes(data)
    print(f"wrote {len(SEEDS)} seeds to {CORPUS}")


if __name__ == "__main__":
    main()
