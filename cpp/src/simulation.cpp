#include "magpk/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include "magpk/forms.hpp"
#include "magpk/schedule.hpp"
#include "magpk/steady_state.hpp"

namespace magpk {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double standard_normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double body_stores(const State& x) {
  return x[idx::kPlasma] + x[idx::kPeripheral] + x[idx::kTissue] + x[idx::kTissueBound] +
         x[idx::kBone] + x[idx::kDeepBone];
}

// Hourly sample times 0, 1, 2, ... and t_end for the daily tolerance windows.
std::vector<double> hourly_samples(double t_end_h) {
  std::vector<double> times;
  for (double t = 0.0; t < t_end_h; t += 1.0) times.push_back(t);
  times.push_back(t_end_h);
  return times;
}

// Largest increase of a cumulative amount over any 24-h window starting on the
// hourly grid; the last window is cut at the end of the run (the whole run if it
// is shorter than a day).
double max_daily_amount(const std::vector<double>& times, const std::vector<double>& cumulative) {
  double largest = 0.0;
  std::size_t end = 0;  // first sample at or after times[start] + 24 h, or the last
  for (std::size_t start = 0; start < times.size(); ++start) {
    while (end + 1 < times.size() && times[end] < times[start] + 24.0) ++end;
    largest = std::max(largest, cumulative[end] - cumulative[start]);
    // Once a window reaches the end of the run, later windows are shorter parts of it.
    if (times[end] < times[start] + 24.0) break;
  }
  return largest;
}

State initial_state(const InitialState& initial, const Schedule& schedule) {
  if (!initial.state.allFinite()) throw std::invalid_argument("initial state is not finite");
  if (initial.pool_forms.size() > static_cast<std::size_t>(idx::kMaxPools)) {
    throw std::invalid_argument("initial state has too many undissolved pools");
  }
  State x = initial.state;
  x.segment(idx::kAbsorbedCum, idx::kThiazideEffect - idx::kAbsorbedCum).setZero();
  x.tail(idx::kMaxPools).setZero();
  // build_schedule gave the initial forms the first pool slots, in order.
  for (std::size_t p = 0; p < initial.pool_forms.size(); ++p) {
    if (schedule.pool_forms[p] != initial.pool_forms[p]) {
      throw std::logic_error("initial pools out of order");
    }
    x[idx::kFixedCount + static_cast<int>(p)] =
        initial.state[idx::kFixedCount + static_cast<int>(p)];
  }
  for (int i = 0; i < idx::kAbsorbedCum; ++i) {
    if (x[i] < -1e-6) {
      throw std::invalid_argument("initial state has a negative amount (index " +
                                  std::to_string(i) + ")");
    }
  }
  return x;
}

// The request's own numbers (the subject, physiology and regimen are checked
// where they are used; output times by the integrator).
void validate_request(const SimulationRequest& request) {
  if (!(std::isfinite(request.t_end_h) && request.t_end_h > 0.0 && request.t_end_h <= kMaxRunH)) {
    char message[96];
    std::snprintf(message, sizeof message, "t_end_h=%g must be > 0 and at most 20 years (%g h)",
                  request.t_end_h, kMaxRunH);
    throw std::invalid_argument(message);
  }
  // Tolerances as allowed by the Python API: rtol 1e-14 to 1e-2 (tighter is
  // below round-off), atol and atol_gut 1e-16 to 1e-2 mmol.
  const SolverOptions& solver = request.solver;
  const auto require_tolerance = [](double value, double minimum, const char* name) {
    if (!(value >= minimum && value <= 1e-2)) {
      char message[96];
      std::snprintf(message, sizeof message, "solver %s=%g outside %g to 1e-2", name, value,
                    minimum);
      throw std::invalid_argument(message);
    }
  };
  require_tolerance(solver.rtol, 1e-14, "rtol");
  require_tolerance(solver.atol, 1e-16, "atol");
  require_tolerance(solver.atol_gut, 1e-16, "atol_gut");
  if (solver.max_steps <= 0) {
    throw std::invalid_argument("solver max_steps=" + std::to_string(solver.max_steps) +
                                " must be > 0");
  }
  // The initial state's pool forms name its undissolved-pool slots, in order:
  // distinct pure forms that have a pool (as SimulationResult::pool_forms).
  if (request.has_initial) {
    const std::vector<std::string>& forms = request.initial.pool_forms;
    if (forms.size() > static_cast<std::size_t>(idx::kMaxPools)) {
      throw std::invalid_argument("initial state has too many undissolved pools");
    }
    for (auto it = forms.begin(); it != forms.end(); ++it) {
      const Form& form = find_form(*it);  // unknown ids: std::invalid_argument
      if (form.is_blend() || form.dissolution == DissolutionClass::kDissolved) {
        throw std::invalid_argument("initial state: pool form '" + *it +
                                    "' has no undissolved pool (a blend or a dissolved form)");
      }
      if (std::find(forms.begin(), it, *it) != it) {
        throw std::invalid_argument("initial state: pool form '" + *it + "' is listed twice");
      }
    }
  }
}

// What the supplemented and the baseline runs share: the request (output
// times, solver, end), the subject, its habitual day and steady state, the
// start, and the probe and sample times.
struct RunContext {
  const SimulationRequest& request;
  const SubjectParameters& subject;
  const Schedule& habitual_day;  // the day before t = 0: meals, the subject's drugs
  const SteadyState& steady;
  const State& start;
  const std::vector<double>& probe_times_h;
  const std::vector<double>& sample_times_h;
};

// With a constant diet, no dose and no fed period a run rests at its steady
// state: no integration needed (this is the usual no-supplement baseline).
bool rests_at_steady_state(const Schedule& schedule, const RunContext& context) {
  const SubjectParameters& s = context.subject;
  const SegmentInputs& inputs = schedule.segments.front();
  const SegmentInputs& habitual = context.habitual_day.segments.front();
  return !context.request.has_initial && s.meals.empty() && schedule.breakpoints.size() == 2 &&
         schedule.instants.front().total() == 0.0 && schedule.instants.back().total() == 0.0 &&
         inputs.infusion_mmol_h == 0.0 && !inputs.fed && inputs.diet_mmol_h == s.diet_mmol_h &&
         inputs.ppi == habitual.ppi && inputs.loop == habitual.loop &&
         inputs.thiazide == habitual.thiazide;
}

// One run of `schedule` from the start.
Trajectory run(Model model, const Schedule& schedule, const RunContext& context) {
  const SimulationRequest& request = context.request;
  if (!rests_at_steady_state(schedule, context)) {
    return integrate(model, schedule, context.start, request.output_times_h, context.probe_times_h,
                     context.sample_times_h, request.solver);
  }
  model.set_inputs(schedule.segments.front());
  return steady_trajectory(model, context.steady.state, request.output_times_h,
                           context.probe_times_h, context.sample_times_h, request.t_end_h);
}

// The no-supplement baseline run.
Trajectory baseline_run(const Model& baseline_model, const Schedule& baseline_schedule,
                        const RunContext& context) {
  const SimulationRequest& request = context.request;
  // With the same meals every day and nothing else changing, the baseline repeats
  // the periodic steady-state day: one day is integrated and tiled.
  const Regimen& regimen = request.regimen;
  const bool periodic_baseline = !request.has_initial && !context.subject.meals.empty() &&
                                 request.t_end_h >= 2.0 * 24.0 && regimen.diet_changes.empty() &&
                                 regimen.fasts.empty() && regimen.drugs.empty();
  if (!periodic_baseline) return run(baseline_model, baseline_schedule, context);
  const double last_part_h = request.t_end_h - 24.0 * std::floor(request.t_end_h / 24.0);
  const Schedule last_part = build_schedule(Regimen{}, context.subject, request.physiology,
                                            last_part_h > 0.0 ? last_part_h : 24.0);
  return periodic_trajectory(baseline_model, context.habitual_day, last_part, context.steady.state,
                             request.output_times_h, context.probe_times_h, context.sample_times_h,
                             request.t_end_h, request.solver);
}

// The per-regimen metrics of a finished simulation (`result`: its subject and
// both trajectories). `has_24h`: the runs probed the first dose and 24 h later.
Metrics compute_metrics(const SimulationRequest& request, const Schedule& schedule,
                        const SteadyState& steady, const State& start,
                        const SimulationResult& result, bool has_24h) {
  const SubjectParameters& s = result.subject;
  const Trajectory& sup = result.supplemented;
  const Trajectory& base = result.baseline;
  const State& end = sup.final_state;
  const State& base_end = base.final_state;
  Metrics m;
  m.oral_supplement_mmol = schedule.oral_mmol;
  m.parenteral_mmol = schedule.parenteral_mmol;
  m.absorbed_supplement_mmol = end[idx::kAbsorbedSupCum];
  m.fraction_absorbed =
      schedule.oral_mmol > 0.0 ? end[idx::kAbsorbedSupCum] / schedule.oral_mmol : kNaN;
  m.absorbed_increment_mmol = end[idx::kAbsorbedCum] - base_end[idx::kAbsorbedCum];
  m.urine_increment_mmol = end[idx::kUrineCum] - base_end[idx::kUrineCum];
  // The hourly samples hold t = 0 and t = 24 h when the run lasts a day.
  m.urine_24h_mmol = request.t_end_h >= 24.0 ? sup.urine_samples[24] - sup.urine_samples[0] : kNaN;
  if (has_24h) {
    const auto urine = [](const Trajectory& t, Eigen::Index row) {
      return t.probe_states(row, idx::kUrineCum);
    };
    m.urine_increment_24h_mmol =
        (urine(sup, 1) - urine(sup, 0)) - (urine(base, 1) - urine(base, 0));
  } else {
    m.urine_increment_24h_mmol = kNaN;
  }
  m.baseline_serum_mmol_l = steady.mean_serum_mmol_l;
  m.cmax_mmol_l = sup.serum_max;
  m.tmax_h = sup.serum_max_time_h;
  m.cmin_mmol_l = sup.serum_min;
  m.auc_above_baseline_mmol_h_l = end[idx::kSerumAuc] - base_end[idx::kSerumAuc];
  m.time_above_h = sup.time_above_h;
  m.time_below_hypo_h = sup.time_below_hypo_h;
  m.body_store_change_mmol = body_stores(end) - body_stores(start);
  m.body_store_change_vs_baseline_mmol = body_stores(end) - body_stores(base_end);
  m.peak_colon_load_mmol = sup.colon_load_max;
  m.max_daily_soluble_feces_mmol = max_daily_amount(sup.sample_times_h, sup.feces_soluble_samples);
  m.diarrhea_probability = m.max_daily_soluble_feces_mmol > 0.0
                               ? standard_normal_cdf(std::log(m.max_daily_soluble_feces_mmol /
                                                              s.diarrhea_soluble_feces50_mmol_day) /
                                                     s.diarrhea_log_sd)
                               : 0.0;
  m.mass_balance_rel_error = std::max(sup.mass_balance_rel_error, base.mass_balance_rel_error);
  return m;
}

}  // namespace

void check_request(const SimulationRequest& request) {
  validate_request(request);
  const SubjectParameters s = derive_subject_parameters(request.covariates, request.physiology);
  const Schedule schedule =
      build_schedule(request.regimen, s, request.physiology, request.t_end_h,
                     request.has_initial ? request.initial.pool_forms : std::vector<std::string>{});
  if (request.has_initial) initial_state(request.initial, schedule);
  check_times(request.output_times_h, request.t_end_h, "output times");
}

SimulationResult simulate(const SimulationRequest& request) {
  validate_request(request);
  SimulationResult result;
  result.subject = derive_subject_parameters(request.covariates, request.physiology);
  const SubjectParameters& s = result.subject;

  const std::vector<std::string> no_forms;
  const std::vector<std::string>& initial_forms =
      request.has_initial ? request.initial.pool_forms : no_forms;
  const Schedule schedule =
      build_schedule(request.regimen, s, request.physiology, request.t_end_h, initial_forms);
  const Schedule baseline_schedule = build_schedule(
      request.regimen.diet_only(), s, request.physiology, request.t_end_h, initial_forms);
  result.pool_forms = schedule.pool_forms;

  const Model model(s, schedule.pools);
  const Model baseline_model(s, baseline_schedule.pools);
  // The habitual day before t = 0: meals, the subject's drugs, no doses.
  const Schedule day = build_schedule(Regimen{}, s, request.physiology, 24.0);
  const SteadyState steady =
      s.meals.empty() ? solve_steady_state(baseline_model, day.segments.front())
                      : solve_periodic_steady_state(baseline_model, day, request.solver.max_steps);
  result.steady_state_serum_mmol_l = steady.serum_mmol_l;
  // The start: the steady state, or an earlier run's final state (its pools in
  // this schedule's slots, ledgers at zero).
  const State start = request.has_initial ? initial_state(request.initial, schedule) : steady.state;

  std::vector<double> probes;
  const double first = schedule.first_dose_time_h;
  const bool has_24h = first >= 0.0 && first + 24.0 <= request.t_end_h;
  if (has_24h) probes = {first, first + 24.0};
  const std::vector<double> samples = hourly_samples(request.t_end_h);

  const RunContext context{request, s, day, steady, start, probes, samples};
  result.supplemented = run(model, schedule, context);
  result.baseline = baseline_run(baseline_model, baseline_schedule, context);
  result.metrics = compute_metrics(request, schedule, steady, start, result, has_24h);
  return result;
}

// clang-format off: name lists wrapped by hand
const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names{
      "oral_supplement_mmol", "parenteral_mmol", "fraction_absorbed", "absorbed_supplement_mmol",
      "absorbed_increment_mmol", "urine_increment_24h_mmol", "urine_increment_mmol",
      "urine_24h_mmol",
      "baseline_serum_mmol_l", "cmax_mmol_l", "tmax_h", "cmin_mmol_l",
      "auc_above_baseline_mmol_h_l", "time_hypo_h", "time_hyper_h", "time_above_2_h",
      "time_above_3_5_h", "time_above_5_h", "body_store_change_mmol",
      "body_store_change_vs_baseline_mmol", "peak_colon_load_mmol",
      "max_daily_soluble_feces_mmol", "diarrhea_probability", "mass_balance_rel_error"};
  return names;
}

std::vector<double> metric_values(const Metrics& m) {
  std::vector<double> values{m.oral_supplement_mmol, m.parenteral_mmol, m.fraction_absorbed,
                             m.absorbed_supplement_mmol, m.absorbed_increment_mmol,
                             m.urine_increment_24h_mmol, m.urine_increment_mmol,
                             m.urine_24h_mmol,
                             m.baseline_serum_mmol_l, m.cmax_mmol_l, m.tmax_h, m.cmin_mmol_l,
                             m.auc_above_baseline_mmol_h_l, m.time_below_hypo_h};
  values.insert(values.end(), m.time_above_h.begin(), m.time_above_h.end());
  values.insert(values.end(), {m.body_store_change_mmol, m.body_store_change_vs_baseline_mmol,
                               m.peak_colon_load_mmol, m.max_daily_soluble_feces_mmol,
                               m.diarrhea_probability, m.mass_balance_rel_error});
  return values;
}

const std::vector<std::string>& output_columns() {
  static const std::vector<std::string> columns{
      "time_h",          "serum_mmol_l",      "plasma_mmol",           "tissue_mmol",
      "bone_mmol",       "gut_mmol",          "absorbed_cum_mmol",     "urine_cum_mmol",
      "feces_cum_mmol",  "absorbed_supplement_cum_mmol", "secreted_cum_mmol",
      "im_depot_mmol",   "colon_supplement_mmol", "diet_in_cum_mmol", "infused_cum_mmol",
      "serum_auc_mmol_h_l", "peripheral_mmol", "feces_soluble_cum_mmol", "filtered_cum_mmol",
      "tissue_exchangeable_mmol", "bone_surface_mmol", "deep_bone_mmol", "sweat_cum_mmol"};
  return columns;
}
// clang-format on

Eigen::MatrixXd output_table(const Trajectory& t, const SubjectParameters& s) {
  const auto rows = t.states.rows();
  Eigen::MatrixXd table(rows, static_cast<Eigen::Index>(output_columns().size()));
  for (Eigen::Index r = 0; r < rows; ++r) {
    const State x = t.states.row(r).transpose();
    // tissue_mmol and bone_mmol are totals: intracellular = fast peripheral +
    // exchangeable + bound; bone = surface + deep.
    const double tissue = x[idx::kPeripheral] + x[idx::kTissue] + x[idx::kTissueBound];
    const double bone = x[idx::kBone] + x[idx::kDeepBone];
    table.row(r) << t.output_times_h[static_cast<std::size_t>(r)], x[idx::kPlasma] / s.ecf_volume_l,
        x[idx::kPlasma], tissue, bone, gut_amount(x), x[idx::kAbsorbedCum], x[idx::kUrineCum],
        x[idx::kFecesCum], x[idx::kAbsorbedSupCum], x[idx::kSecretedCum], x[idx::kImDepot],
        Model::colon_supplement_load(x), x[idx::kDietInCum], x[idx::kInfusedCum], x[idx::kSerumAuc],
        x[idx::kPeripheral], x[idx::kFecesSolubleCum], x[idx::kFilteredCum], x[idx::kTissue],
        x[idx::kBone], x[idx::kDeepBone], x[idx::kSweatCum];
  }
  return table;
}

}  // namespace magpk
