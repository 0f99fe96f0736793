"""Write the seed corpus of the fuzz harness (tests/fuzz/corpus/*.bin).

Each seed is a readable request encoded the way fuzz_simulation.cpp decodes its
input (FuzzedDataProvider takes these integers from the END of the data, so
the bytes are written in reverse). The seeds start the fuzzer on valid
requests that reach every kind of event, the meal schedules, children, an
initial state and a changed parameter, instead of waiting for it to build such
inputs byte by byte.

Run after changing the decoder:  python3 tests/fuzz/make_corpus.py
"""
from __future__ import annotations

import pathlib

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"
MAX_STEPS = 20_000

# form_ids() order of the catalogue (cpp/src/forms.cpp); a seed names forms by index.
FORMS = ["oxide", "hydroxide", "carbonate", "chloride", "sulfate", "citrate", "glycinate",
         "buffered_glycinate", "malate", "threonate", "lactate", "aspartate", "taurate",
         "orotate", "gluconate", "solution"]


class Encoder:
    """Mirror of fuzz_simulation.cpp's Decoder: bytes in the order they are consumed."""

    def __init__(self) -> None:
        self.consumed: list[int] = []

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

    def data(self) -> bytes:
        return bytes(reversed(self.consumed))


def request(*, covariates=None, meals="continuous", physiology=(), oral=(), iv=(), im=(),
            infusions=(), diet_changes=(), fasts=(), drugs=(), t_end=None, outputs=(),
            solver=None, max_steps=MAX_STEPS, initial=None) -> bytes:
    """One request; anything not given is the decoder's typical value."""
    e = Encoder()
    cov = covariates or {}
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
    e.byte(len(physiology))
    for index, factor in physiology:
        e.byte(index)
        e.value(factor, 0.3, 3.0)
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
    "physiology_changed": request(physiology=[(0, 0.5), (20, 2.5)],
                                  oral=[(1.0, "malate", 10.0, False)], t_end=24.0),
    "loose_solver_few_steps": request(oral=[(1.0, "sulfate", 20.0, False)],
                                      solver=(1e-3, 1e-6, 1e-5), max_steps=50, t_end=24.0),
    "initial_state": request(initial=(state(plasma=12.0, peripheral=3.0, tissue=40.0,
                                            tissue_bound=50.0, bone=45.0, deep_bone=50.0),
                                      ["oxide"]),
                             oral=[(1.0, "oxide", 10.0, False)], t_end=24.0),
    "invalid_nan_weight": bytes(reversed([224])),  # weight NaN: rejected
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
