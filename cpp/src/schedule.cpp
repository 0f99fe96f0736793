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

// An interval with a constant effect: a meal (Mg emptying into the small
// intestine, a fed stomach), the fed period of a dose taken with food, a drug.
enum IntervalKind : int { kMeal = 0, kFedDose, kPpi, kLoop, kThiazide, kIntervalKinds };
struct Interval {
  double start_h, stop_h;
  double meal_share;  // > 0 for a meal
  int kind;
};

bool in_window(double t, double t_end_h) { return t <= t_end_h; }

std::vector<Interval> effect_intervals(const Regimen& regimen, const SubjectParameters& subject,
                                       double t_end_h) {
  std::vector<Interval> intervals;
  const double fed_h = subject.fed_state_duration_h;
  for (const auto& meal : subject.meals) {
    // First occurrence still emptying at t = 0 (it may have started before 0).
    double t = meal.clock_h - subject.start_clock_h;
    while (t + fed_h > 0.0) t -= 24.0;
    for (t += 24.0; t < t_end_h; t += 24.0) {
      const bool skipped =
          std::any_of(regimen.fasts.begin(), regimen.fasts.end(),
                      [t](const Fast& f) { return t >= f.start_h && t < f.stop_h; });
      if (!skipped) intervals.push_back({t, t + fed_h, meal.share, kMeal});
    }
  }
  for (const auto& d : regimen.oral) {
    if (in_window(d.time_h, t_end_h) && d.with_food) {
      intervals.push_back({d.time_h, d.time_h + fed_h, 0.0, kFedDose});
    }
  }
  for (const auto& period : regimen.drugs) {
    if (in_window(period.start_h, t_end_h)) {
      intervals.push_back(
          {period.start_h, period.stop_h, 0.0, kPpi + static_cast<int>(period.drug)});
    }
  }
  return intervals;
}

// Every time at which an input changes or a dose is given, sorted and unique.
std::vector<double> breakpoint_times(const Regimen& regimen, const std::vector<Interval>& intervals,
                                     double t_end_h) {
  std::vector<double> times{0.0, t_end_h};
  auto add_dose = [&](double t) {
    if (in_window(t, t_end_h)) times.push_back(t);
  };
  auto add_inside = [&](double t) {
    if (t > 0.0 && t < t_end_h) times.push_back(t);
  };
  for (const auto& d : regimen.oral) add_dose(d.time_h);
  for (const auto& d : regimen.iv_bolus) add_dose(d.time_h);
  for (const auto& d : regimen.im) add_dose(d.time_h);
  for (const auto& inf : regimen.infusions) {
    if (!in_window(inf.start_h, t_end_h)) continue;
    times.push_back(inf.start_h);
    add_inside(inf.start_h + inf.duration_h);
  }
  for (const auto& c : regimen.diet_changes) add_dose(c.time_h);
  for (const auto& interval : intervals) {
    add_inside(interval.start_h);
    add_inside(interval.stop_h);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  return times;
}

// Undissolved pools (one per pure form that is not already dissolved; the
// initial forms first) and the doses given at each breakpoint.
void add_pools_and_doses(const Regimen& regimen, const SubjectParameters& subject,
                         const Physiology& physiology, double t_end_h,
                         const std::vector<std::string>& initial_pool_forms, Schedule& schedule) {
  auto pool_of = [&](const std::string& pure_id) -> int {
    const Form& form = find_form(pure_id);
    if (form.dissolution == DissolutionClass::kDissolved) return -1;
    const auto it = std::find(schedule.pool_forms.begin(), schedule.pool_forms.end(), pure_id);
    if (it != schedule.pool_forms.end()) {
      return static_cast<int>(it - schedule.pool_forms.begin());
    }
    schedule.pool_forms.push_back(pure_id);
    const bool acid_limited = form.dissolution == DissolutionClass::kOxide ||
                              form.dissolution == DissolutionClass::kHydroxide;
    schedule.pools.push_back({dissolution_rate_per_h(form, physiology),
                              form.chelate ? subject.chelate_intact_fraction : 0.0, acid_limited});
    return static_cast<int>(schedule.pool_forms.size()) - 1;
  };
  for (const auto& form_id : initial_pool_forms) pool_of(form_id);

  const auto& times = schedule.breakpoints;
  schedule.instants.resize(times.size());
  for (const auto& d : regimen.oral) {
    if (!in_window(d.time_h, t_end_h)) continue;
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
    if (!in_window(d.time_h, t_end_h)) continue;
    schedule.instants[breakpoint_index(times, d.time_h)].iv_bolus_mmol += d.mmol;
    schedule.parenteral_mmol += d.mmol;
  }
  for (const auto& d : regimen.im) {
    if (!in_window(d.time_h, t_end_h)) continue;
    schedule.instants[breakpoint_index(times, d.time_h)].im_mmol += d.mmol;
    schedule.parenteral_mmol += d.mmol;
  }
}

// The changes of the piecewise-constant inputs, each list sorted by time (stable).
struct InputChanges {
  std::vector<Change> infusion, diet, interval;  // interval: order = index, value = +1/-1
};

InputChanges input_changes(const Regimen& regimen, const std::vector<Interval>& intervals,
                           double t_end_h, Schedule& schedule) {
  InputChanges changes;
  for (const auto& inf : regimen.infusions) {
    if (!in_window(inf.start_h, t_end_h)) continue;
    const double rate = inf.mmol / inf.duration_h;
    changes.infusion.push_back({inf.start_h, +1, rate});
    changes.infusion.push_back({inf.start_h + inf.duration_h, -1, -rate});
    // Only the part given by t_end counts as given.
    const double given_h = std::min(inf.duration_h, t_end_h - inf.start_h);
    schedule.parenteral_mmol += rate * given_h;
  }
  for (std::size_t i = 0; i < regimen.diet_changes.size(); ++i) {
    const auto& c = regimen.diet_changes[i];
    if (in_window(c.time_h, t_end_h)) {
      changes.diet.push_back({c.time_h, static_cast<int>(i), c.mg_per_day});
    }
  }
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    changes.interval.push_back({intervals[i].start_h, static_cast<int>(i), +1.0});
    changes.interval.push_back({intervals[i].stop_h, static_cast<int>(i), -1.0});
  }
  auto by_time = [](const Change& a, const Change& b) { return a.time_h < b.time_h; };
  for (auto* list : {&changes.infusion, &changes.diet, &changes.interval}) {
    std::stable_sort(list->begin(), list->end(), by_time);
  }
  return changes;
}

// The inputs of every segment, by a sweep over the sorted changes.
void add_segments(const SubjectParameters& subject, const std::vector<Interval>& intervals,
                  const InputChanges& changes, Schedule& schedule) {
  const auto& times = schedule.breakpoints;
  schedule.segments.resize(times.size());
  std::size_t next_infusion = 0, next_diet = 0, next_interval = 0;
  int active_infusions = 0;
  int active[kIntervalKinds] = {0, 0, 0, 0, 0};
  double infusion_rate = 0.0, meal_shares = 0.0;
  double diet_mmol_h = subject.diet_mmol_h;
  for (std::size_t k = 0; k < times.size(); ++k) {
    const double t = times[k];
    for (; next_infusion < changes.infusion.size() && changes.infusion[next_infusion].time_h <= t;
         ++next_infusion) {
      active_infusions += changes.infusion[next_infusion].order;
      infusion_rate += changes.infusion[next_infusion].value;
    }
    if (active_infusions == 0) infusion_rate = 0.0;  // no round-off residue
    for (; next_interval < changes.interval.size() && changes.interval[next_interval].time_h <= t;
         ++next_interval) {
      const Change& change = changes.interval[next_interval];
      const Interval& interval = intervals[static_cast<std::size_t>(change.order)];
      const int sign = change.value > 0.0 ? 1 : -1;
      active[interval.kind] += sign;
      if (interval.kind == kMeal) meal_shares += sign * interval.meal_share;
    }
    if (active[kMeal] == 0) meal_shares = 0.0;  // no round-off residue
    for (; next_diet < changes.diet.size() && changes.diet[next_diet].time_h <= t; ++next_diet) {
      diet_mmol_h = units::mg_per_day_to_mmol_per_h(changes.diet[next_diet].value);
    }
    SegmentInputs& segment = schedule.segments[k];
    // A meal's share of the day's Mg empties at a constant rate over the fed period.
    segment.diet_mmol_h = subject.meals.empty()
                              ? diet_mmol_h
                              : std::max(meal_shares, 0.0) * diet_mmol_h * units::kHoursPerDay /
                                    subject.fed_state_duration_h;
    segment.infusion_mmol_h = std::max(infusion_rate, 0.0);
    segment.fed = active[kMeal] > 0 || active[kFedDose] > 0;
    segment.ppi = subject.ppi_throughout || active[kPpi] > 0;
    segment.loop = subject.loop_throughout || active[kLoop] > 0;
    segment.thiazide = subject.thiazide_throughout || active[kThiazide] > 0;
  }
}

}  // namespace

double InstantDoses::total() const {
  double sum = dissolved_mmol + iv_bolus_mmol + im_mmol;
  for (double amount : undissolved_mmol) sum += amount;
  return sum;
}

Schedule build_schedule(const Regimen& regimen, const SubjectParameters& subject,
                        const Physiology& physiology, double t_end_h,
                        const std::vector<std::string>& initial_pool_forms) {
  validate(regimen);
  if (!std::isfinite(t_end_h) || t_end_h <= 0.0) {
    throw std::invalid_argument("t_end_h=" + std::to_string(t_end_h) + " must be finite and > 0");
  }
  Schedule schedule;
  const std::vector<Interval> intervals = effect_intervals(regimen, subject, t_end_h);
  schedule.breakpoints = breakpoint_times(regimen, intervals, t_end_h);
  add_pools_and_doses(regimen, subject, physiology, t_end_h, initial_pool_forms, schedule);
  const InputChanges changes = input_changes(regimen, intervals, t_end_h, schedule);
  add_segments(subject, intervals, changes, schedule);

  const std::size_t n = schedule.breakpoints.size();
  for (std::size_t k = 0; k < n; ++k) {
    if (schedule.instants[k].total() > 0.0 ||
        (k + 1 < n && schedule.segments[k].infusion_mmol_h > 0.0)) {
      schedule.first_dose_time_h = schedule.breakpoints[k];
      break;
    }
  }
  return schedule;
}

}  // namespace magpk
