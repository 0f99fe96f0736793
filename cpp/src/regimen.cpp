#include "magpk/regimen.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "magpk/forms.hpp"

namespace magpk {
namespace {

void require_non_negative(double value, const std::string& what) {
  if (!std::isfinite(value) || value < 0.0) {
    throw std::invalid_argument(what + "=" + std::to_string(value) + " must be finite and >= 0");
  }
}

}  // namespace

void validate(const Regimen& regimen) {
  for (const auto& dose : regimen.oral) {
    require_non_negative(dose.time_h, "oral dose time_h");
    require_non_negative(dose.elemental_mmol, "oral dose elemental_mmol");
    find_form(dose.form_id);
  }
  for (const auto& dose : regimen.iv_bolus) {
    require_non_negative(dose.time_h, "IV bolus time_h");
    require_non_negative(dose.mmol, "IV bolus mmol");
  }
  for (const auto& dose : regimen.im) {
    require_non_negative(dose.time_h, "IM dose time_h");
    require_non_negative(dose.mmol, "IM dose mmol");
  }
  for (const auto& infusion : regimen.infusions) {
    require_non_negative(infusion.start_h, "infusion start_h");
    require_non_negative(infusion.mmol, "infusion mmol");
    if (!std::isfinite(infusion.duration_h) || infusion.duration_h <= 0.0) {
      throw std::invalid_argument("infusion duration_h=" + std::to_string(infusion.duration_h) +
                                  " must be finite and > 0");
    }
  }
  for (const auto& change : regimen.diet_changes) {
    require_non_negative(change.time_h, "diet change time_h");
    require_non_negative(change.mg_per_day, "diet mg_per_day");
  }
  auto require_period = [](double start, double stop, const std::string& what) {
    require_non_negative(start, what + " start_h");
    if (std::isnan(stop) || !(stop > start)) {
      throw std::invalid_argument(what + " stop_h=" + std::to_string(stop) +
                                  " must be after start_h=" + std::to_string(start));
    }
  };
  for (const auto& fast : regimen.fasts) require_period(fast.start_h, fast.stop_h, "fast");
  for (const auto& period : regimen.drugs) {
    // A C++ caller can cast any integer to Drug; the schedule indexes by it.
    if (period.drug != Drug::kPpi && period.drug != Drug::kLoop && period.drug != Drug::kThiazide) {
      throw std::invalid_argument("drug period: unknown drug (enum value " +
                                  std::to_string(static_cast<int>(period.drug)) + ")");
    }
    require_period(period.start_h, period.stop_h, "drug");
  }
}

}  // namespace magpk
