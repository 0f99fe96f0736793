// Physical constants and exact unit conversions used by the magpk core.
// Amounts are mmol of elemental magnesium, time is hours, volume liters.
#pragma once

namespace magpk::units {

// Standard atomic weights (g/mol), IUPAC abridged values: Meija et al. 2016,
// "Atomic weights of the elements 2013", Pure Appl Chem 88:265, doi:10.1515/pac-2015-0305.
inline constexpr double kAtomicWeightMg = 24.305;
inline constexpr double kAtomicWeightO = 15.999;
inline constexpr double kAtomicWeightH = 1.008;
inline constexpr double kAtomicWeightC = 12.011;
inline constexpr double kAtomicWeightN = 14.007;
inline constexpr double kAtomicWeightS = 32.06;
inline constexpr double kAtomicWeightCl = 35.45;

// 1 mmol Mg = 24.305 mg.
inline constexpr double kMgPerMmol = kAtomicWeightMg;
// 1 mmol Mg2+ = 2 mEq.
inline constexpr double kMeqPerMmol = 2.0;
// 1 mmol/L = 2.4305 mg/dL.
inline constexpr double kMgDlPerMmolL = kAtomicWeightMg / 10.0;

inline constexpr double kHoursPerDay = 24.0;
// eGFR mL/min -> L/h.
inline constexpr double kLiterPerHourPerMlPerMin = 60.0 / 1000.0;

inline double mg_to_mmol(double mg) { return mg / kMgPerMmol; }
inline double mmol_to_mg(double mmol) { return mmol * kMgPerMmol; }
inline double mg_per_day_to_mmol_per_h(double mg_per_day) {
  return mg_to_mmol(mg_per_day) / kHoursPerDay;
}

}  // namespace magpk::units
