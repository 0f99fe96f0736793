#include "magpk/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "magpk/forms.hpp"
#include "magpk/units.hpp"

namespace magpk {
namespace {

// A change of a piecewise-constant input at time_h.
struct Change {
  double time_h;
  int order;  // keeps the given order of simultaneous diet changes
  double value;
};

std::size_t breakpoint_index(const std::vector<double>& breakpoints, double t) {
  const auto it = std::lower_bound(breakpoints.begin(), breakpoints.end(), t);
  return static_cast<std::size_t>(it - breakpoints.begin());
}

}  // namespace

double InstantDoses::total() const {
  double sum = dissolved_mmol + iv_bolus_mmol + im_mmol;
  for (double amount : undissolved_mmol) sum += amount;
  return sum;
}

Schedule build_schedule(const Regimen& regimen, const SubjectParameters& subject,
                        const Physiology& physiology, double t_end_h) {
  validate(regimen);
  if (!std::isfinite(t_end_h) || t_end_h <= 0.0) {
    throw std::invalid_argument("t_end_h=" + std::to_string(t_end_h) + " must be finite and > 0");
  }
  Schedule schedule;
  auto in_window = [t_end_h](double t) { return t <= t_end_h; };

  // Undissolved pools: one per pure form that is not already dissolved.
  auto pool_of = [&](const std::string& pure_id) -> int {
    const Form& form = find_form(pure_id);
    if (form.dissolution == DissolutionClass::kDissolved) return -1;
    const auto it = std::find(schedule.pool_forms.begin(), schedule.pool_forms.end(), pure_id);
    if (it != schedule.pool_forms.end()) {
      return static_cast<int>(it - schedule.pool_forms.begin());
    }
    schedule.pool_forms.push_back(pure_id);
    schedule.pools.push_back(
        {dissolution_rate_per_h(form, physiology), form.chelate ? subject.chelate_intact_fraction : 0.0});
    return static_cast<int>(schedule.pool_forms.size()) - 1;
  };

  // Breakpoints.
  std::vector<double> times{0.0, t_end_h};
  for (const auto& d : regimen.oral) {
    if (!in_window(d.time_h)) continue;
    times.push_back(d.time_h);
    const double fed_end = d.time_h + subject.fed_state_duration_h;
    if (d.with_food && fed_end < t_end_h) times.push_back(fed_end);
  }
  for (const auto& d : regimen.iv_bolus) if (in_window(d.time_h)) times.push_back(d.time_h);
  for (const auto& d : regimen.im) if (in_window(d.time_h)) times.push_back(d.time_h);
  for (const auto& inf : regimen.infusions) {
    if (!in_window(inf.start_h)) continue;
    times.push_back(inf.start_h);
    if (inf.start_h + inf.duration_h < t_end_h) times.push_back(inf.start_h + inf.duration_h);
  }
  for (const auto& c : regimen.diet_changes) if (in_window(c.time_h)) times.push_back(c.time_h);
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  schedule.breakpoints = times;
  const std::size_t n = times.size();

  // Instantaneous doses.
  schedule.instants.resize(n);
  for (const auto& d : regimen.oral) {
    if (!in_window(d.time_h)) continue;
    InstantDoses& at = schedule.instants[breakpoint_index(times, d.time_h)];
    const Form& form = find_form(d.form_id);
    std::vector<FormComponent> parts = form.components;
    if (parts.empty()) parts.push_back({form.id, 1.0});
    for (const auto& part : parts) {
      const double amount = d.elemental_mmol * part.elemental_share;
      const int pool = pool_of(part.form_id);
      if (pool < 0) {
        at.dissolved_mmol += amount;
      } else {
        at.undissolved_mmol.resize(schedule.pools.size(), 0.0);
        at.undissolved_mmol[static_cast<std::size_t>(pool)] += amount;
      }
    }
    schedule.oral_mmol += d.elemental_mmol;
  }
  for (auto& at : schedule.instants) at.undissolved_mmol.resize(schedule.pools.size(), 0.0);
  for (const auto& d : regimen.iv_bolus) {
    if (!in_window(d.time_h)) continue;
    schedule.instants[breakpoint_index(times, d.time_h)].iv_bolus_mmol += d.mmol;
    schedule.parenteral_mmol += d.mmol;
  }
  for (const auto& d : regimen.im) {
    if (!in_window(d.time_h)) continue;
    schedule.instants[breakpoint_index(times, d.time_h)].im_mmol += d.mmol;
    schedule.parenteral_mmol += d.mmol;
  }

  // Piecewise-constant inputs by a sweep over sorted changes.
  std::vector<Change> infusion_changes, fed_changes, diet_changes;
  for (const auto& inf : regimen.infusions) {
    if (!in_window(inf.start_h)) continue;
    const double rate = inf.mmol / inf.duration_h;
    infusion_changes.push_back({inf.start_h, +1, rate});
    infusion_changes.push_back({inf.start_h + inf.duration_h, -1, -rate});
    // Only the part given by t_end counts as given.
    const double given_h = std::min(inf.duration_h, t_end_h - inf.start_h);
    schedule.parenteral_mmol += rate * given_h;
  }
  for (const auto& d : regimen.oral) {
    if (!in_window(d.time_h) || !d.with_food) continue;
    fed_changes.push_back({d.time_h, +1, 0.0});
    fed_changes.push_back({d.time_h + subject.fed_state_duration_h, -1, 0.0});
  }
  for (std::size_t i = 0; i < regimen.diet_changes.size(); ++i) {
    const auto& c = regimen.diet_changes[i];
    if (in_window(c.time_h)) diet_changes.push_back({c.time_h, static_cast<int>(i), c.mg_per_day});
  }
  auto by_time = [](const Change& a, const Change& b) { return a.time_h < b.time_h; };
  std::stable_sort(infusion_changes.begin(), infusion_changes.end(), by_time);
  std::stable_sort(fed_changes.begin(), fed_changes.end(), by_time);
  std::stable_sort(diet_changes.begin(), diet_changes.end(), by_time);

  schedule.segments.resize(n);
  std::size_t next_infusion = 0, next_fed = 0, next_diet = 0;
  int active_infusions = 0, active_fed = 0;
  double infusion_rate = 0.0;
  double diet_mmol_h = subject.diet_mmol_h;
  for (std::size_t k = 0; k < n; ++k) {
    const double t = times[k];
    for (; next_infusion < infusion_changes.size() && infusion_changes[next_infusion].time_h <= t;
         ++next_infusion) {
      active_infusions += infusion_changes[next_infusion].order;
      infusion_rate += infusion_changes[next_infusion].value;
    }
    if (active_infusions == 0) infusion_rate = 0.0;  // no round-off residue
    for (; next_fed < fed_changes.size() && fed_changes[next_fed].time_h <= t; ++next_fed) {
      active_fed += fed_changes[next_fed].order;
    }
    for (; next_diet < diet_changes.size() && diet_changes[next_diet].time_h <= t; ++next_diet) {
      diet_mmol_h = units::mg_per_day_to_mmol_per_h(diet_changes[next_diet].value);
    }
    schedule.segments[k] = {diet_mmol_h, std::max(infusion_rate, 0.0), active_fed > 0};
  }

  for (std::size_t k = 0; k < n; ++k) {
    if (schedule.instants[k].total() > 0.0 ||
        (k + 1 < n && schedule.segments[k].infusion_mmol_h > 0.0)) {
      schedule.first_dose_time_h = times[k];
      break;
    }
  }
  return schedule;
}

}  // namespace magpk
