// A dosing regimen as explicit events, in model units (mmol elemental Mg, h).
// The Python layer expands repeated doses and unit conversions into these.
#pragma once

#include <string>
#include <vector>

namespace magpk {

struct OralDose {
  double time_h;
  std::string form_id;
  double elemental_mmol;
  bool with_food;
};

struct ParenteralDose {  // IV bolus or IM injection
  double time_h;
  double mmol;
};

struct Infusion {  // constant-rate IV infusion of `mmol` over `duration_h`
  double start_h;
  double duration_h;
  double mmol;
};

struct DietChange {  // background intake from time_h on
  double time_h;
  double mg_per_day;
};

// No meals are eaten whose start falls in [start_h, stop_h) (a fasted study
// protocol); a meal already being digested at start_h continues.
struct Fast {
  double start_h;
  double stop_h;
};

enum class Drug { kPpi, kLoop, kThiazide };

// A drug taken from start_h until stop_h (exclusive); stop_h = +infinity: to the end.
struct DrugPeriod {
  Drug drug;
  double start_h;
  double stop_h;
};

struct Regimen {
  std::vector<OralDose> oral;
  std::vector<ParenteralDose> iv_bolus;
  std::vector<ParenteralDose> im;
  std::vector<Infusion> infusions;
  std::vector<DietChange> diet_changes;
  std::vector<Fast> fasts;
  std::vector<DrugPeriod> drugs;

  bool has_doses() const {
    return !oral.empty() || !iv_bolus.empty() || !im.empty() || !infusions.empty();
  }
  // The same diet schedule without any supplement or parenteral dose. Doses
  // taken with food keep their meal (a zero-amount dose with food), so the
  // baseline has the same fed periods.
  Regimen diet_only() const {
    Regimen baseline;
    baseline.diet_changes = diet_changes;
    baseline.fasts = fasts;
    baseline.drugs = drugs;
    for (const auto& dose : oral) {
      if (dose.with_food) baseline.oral.push_back({dose.time_h, dose.form_id, 0.0, true});
    }
    return baseline;
  }
};

// Throws std::invalid_argument on negative/non-finite times or amounts,
// non-positive durations, stops before starts and unknown forms.
void validate(const Regimen& regimen);

}  // namespace magpk
