"""Reproduce the calibrated parameters of magpk from the published targets.

Usage:
    python calibration/calibrate.py            # fit, print fitted vs stored values
    python calibration/calibrate.py --write    # also store them in cpp/src/physiology.cpp
                                               # and the covariance in the package

The fit is staged (each stage a weighted least-squares problem over a few
parameters, residuals scaled by the target's tolerance half-width) and the
stages are iterated because they interact weakly (e.g. renal splay and gut
absorption both set the baseline serum); then all calibrated parameters are
refitted jointly against all calibration targets from the staged solution.
The joint fit's Jacobian gives the parameter covariance (log scale, residuals
in units of the tolerance half-width read as one standard deviation), stored
with the flags "at a bound" and "not identifiable" in
python/magpk/data/calibration.json (read by magpk.parameter_covariance()).
Targets and their sources are in magpk.validation.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

import magpk
from magpk import validation

ROOT = Path(__file__).resolve().parents[1]
PHYSIOLOGY_CPP = ROOT / "cpp" / "src" / "physiology.cpp"
CALIBRATION_JSON = ROOT / "python" / "magpk" / "data" / "calibration.json"
#: An eigen-direction of J^T J whose variance exceeds this (log scale: a factor
#: e^3 ~ 20 either way at one SD) marks its dominant parameters unidentifiable.
UNIDENTIFIABLE_LOG_SD = 3.0

# (parameters, lower bounds, upper bounds, targets); parameters fitted in log space.
STAGES: list[tuple[Sequence[str], Sequence[float], Sequence[float], Sequence[str]]] = [
    (["si_vmax_mmol_h", "si_km_mmol", "si_paracellular_per_h", "colon_vmax_mmol_h"],
     [0.01, 0.05, 1e-3, 1e-3], [20.0, 50.0, 0.1, 5.0],
     ["fine_low", "fine_high", "fine_linear_slope", "sabatier_2003", "absorption_timing"]),
    (["gastric_half_emptying_fed_h"], [0.2, ], [6.0], ["sabatier_2002_meal_ratio"]),
    (["renal_splay"], [0.05], [0.99999], ["baseline_serum"]),
    (["peripheral_volume_l_per_kg", "intercompartmental_clearance_l_h"], [0.05, 1.0],
     [2.0, 100.0], ["iv_half_life", "lu_2002"]),
    (["ckd_tm_gfr_exponent"], [0.0001], [1.0], ["ckd_serum_egfr30"]),
    (["store_uptake_half_serum_mmol_l", "store_uptake_hill"], [0.05, 1.0], [2.0, 16.0],
     ["depletion_serum_day21", "nielsen_store_loss"]),
    (["dissolution_oxide_per_h"], [1e-4], [5.0], ["firoz_oxide"]),
    # A basic salt cannot dissolve faster than the soluble salts (dissolution_soluble_per_h).
    (["dissolution_hydroxide_per_h"], [1e-4], [2.0], ["dolberg_f"]),
    (["ppi_transcellular_factor"], [0.05], [1.0], ["ppi_serum_shift"]),
    (["thiazide_tm_factor"], [0.5], [1.0], ["thiazide_serum_shift"]),
    (["loop_diuretic_tm_factor"], [0.5], [1.0], ["loop_serum_shift"]),
    (["diarrhea_soluble_feces50_mmol_day", "diarrhea_log_sd"], [5.0, 0.05], [200.0, 5.0],
     ["laxation_bashir", "laxation_mgso4"]),
]


def stored_values() -> dict[str, float]:
    return magpk.parameters()["value"].to_dict()


def fit(rounds: int = 3, verbose: bool = True) -> dict[str, float]:
    by_id = {t.id: t for t in validation.targets()}
    values = stored_values()
    for round_ in range(rounds):
        for names, lower, upper, target_ids in STAGES:
            chosen = [by_id[i] for i in target_ids]

            def residuals(log_x: np.ndarray, names: list[str] = names,
                          chosen: list[validation.Target] = chosen) -> np.ndarray:
                trial = dict(values)
                trial.update(zip(names, np.exp(log_x)))
                out = []
                for target in chosen:
                    scale = 0.5 * (target.high - target.low)
                    out.append((target.run(trial) - target.goal) / scale)
                return np.array(out)

            x0 = np.log(np.clip([values[n] for n in names], lower, upper))
            solution = least_squares(residuals, x0, bounds=(np.log(lower), np.log(upper)),
                                     x_scale=1.0, diff_step=1e-4, xtol=1e-10, ftol=1e-10)
            values.update(zip(names, np.exp(solution.x)))
            if verbose:
                fitted = ", ".join(f"{n}={values[n]:.5g}" for n in names)
                print(f"round {round_ + 1}: {fitted}  (cost {solution.cost:.3g})", flush=True)
    return {n: values[n] for names, *_ in STAGES for n in names}


def joint_fit(values: dict[str, float], verbose: bool = True) -> dict[str, object]:
    """Refit every calibrated parameter against every calibration target at once,
    from ``values``; return the fitted values and the covariance with flags."""
    by_id = {t.id: t for t in validation.targets()}
    names: list[str] = []
    lower: list[float] = []
    upper: list[float] = []
    target_ids: list[str] = []
    for stage_names, stage_lower, stage_upper, stage_targets in STAGES:
        names += list(stage_names)
        lower += list(stage_lower)
        upper += list(stage_upper)
        target_ids += [t for t in stage_targets if t not in target_ids]
    chosen = [by_id[i] for i in target_ids]

    def residuals(log_x: np.ndarray) -> np.ndarray:
        trial = dict(values)
        trial.update(zip(names, np.exp(log_x)))
        return np.array([(t.run(trial) - t.goal) / (0.5 * (t.high - t.low)) for t in chosen])

    log_lower, log_upper = np.log(lower), np.log(upper)
    x0 = np.clip(np.log([values[n] for n in names]), log_lower + 1e-9, log_upper - 1e-9)
    solution = least_squares(residuals, x0, bounds=(log_lower, log_upper), x_scale=1.0,
                             diff_step=1e-4, xtol=1e-8, ftol=1e-8, max_nfev=60)
    fitted = dict(zip(names, np.exp(solution.x)))
    jac = solution.jac
    information = jac.T @ jac
    eigenvalues, eigenvectors = np.linalg.eigh(information)
    floor = 1.0 / UNIDENTIFIABLE_LOG_SD ** 2
    inverse = np.zeros_like(eigenvalues)
    weak = eigenvalues < floor
    inverse[~weak] = 1.0 / eigenvalues[~weak]
    inverse[weak] = UNIDENTIFIABLE_LOG_SD ** 2  # capped: the data do not constrain them
    covariance = (eigenvectors * inverse) @ eigenvectors.T
    unidentifiable = sorted({names[int(np.argmax(np.abs(eigenvectors[:, k])))]
                             for k in np.nonzero(weak)[0]})
    at_bound = [n for n, x, lo, hi in zip(names, solution.x, log_lower, log_upper)
                if x - lo < 1e-3 or hi - x < 1e-3]
    if verbose:
        print(f"joint fit: cost {solution.cost:.4g} ({solution.nfev} evaluations); "
              f"at a bound: {at_bound or 'none'}; unidentifiable: {unidentifiable or 'none'}")
    return {"values": fitted, "names": names, "log_covariance": covariance.tolist(),
            "at_bound": at_bound, "unidentifiable": unidentifiable, "targets": target_ids,
            "cost": float(solution.cost),
            "residuals": dict(zip(target_ids, solution.fun.tolist()))}


#: (low, high) searched for each calibrated parameter, stored with the covariance
#: (magpk.uncertainty draws within them).
SEARCH_BOUNDS = {name: [low, high] for names, lows, highs, _ in STAGES
                 for name, low, high in zip(names, lows, highs)}


def write_covariance(joint: dict[str, object]) -> None:
    names = joint["names"]
    record = {
        "description": "Covariance of the log of the calibrated parameters from the joint fit "
                       "of calibration/calibrate.py (residuals in units of each target's "
                       "tolerance half-width, read as one standard deviation). Directions the "
                       "targets do not constrain are capped at a log-SD of "
                       f"{UNIDENTIFIABLE_LOG_SD:g} and their parameters flagged unidentifiable.",
        "date": datetime.date.today().isoformat(),
        "parameters": names,
        "values": [joint["values"][n] for n in names],
        "search_bounds": [SEARCH_BOUNDS[n] for n in names],
        "log_covariance": joint["log_covariance"],
        "at_bound": joint["at_bound"],
        "unidentifiable": joint["unidentifiable"],
        "targets": joint["targets"],
        "scaled_residuals": joint["residuals"],
    }
    CALIBRATION_JSON.parent.mkdir(parents=True, exist_ok=True)
    CALIBRATION_JSON.write_text(json.dumps(record, indent=1) + "\n")


def write(values: dict[str, float]) -> None:
    text = PHYSIOLOGY_CPP.read_text()
    for name, value in values.items():
        pattern = re.compile(r'(\{"' + name + r'", &Physiology::' + name + r',\s*)([-0-9.eE+]+)')
        text, count = pattern.subn(lambda m, value=value: m.group(1) + f"{value:.5g}", text)
        if count != 1:
            raise SystemExit(f"could not find parameter {name} in {PHYSIOLOGY_CPP}")
    PHYSIOLOGY_CPP.write_text(text)


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true",
                        help="store fitted values in physiology.cpp")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-joint", action="store_true", help="staged fit only")
    args = parser.parse_args(argv)
    fitted = fit(args.rounds)
    joint = None
    if not args.no_joint:
        staged = stored_values()
        staged.update(fitted)
        joint = joint_fit(staged)
        fitted = {n: joint["values"][n] for n in fitted}
    stored = stored_values()
    print(f"\n{'parameter':36s} {'fitted':>12s} {'stored':>12s}")
    for name, value in fitted.items():
        print(f"{name:36s} {value:12.5g} {stored[name]:12.5g}")
    if args.write:
        write(fitted)
        if joint is not None:
            write_covariance(joint)
            print(f"covariance written to {CALIBRATION_JSON.relative_to(ROOT)}")
        print(f"\nwritten to {PHYSIOLOGY_CPP.relative_to(ROOT)} (rebuild to use them)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
