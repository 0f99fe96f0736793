// libFuzzer harness over magpk::simulate() and magpk::simulate_batch(): the
// fuzzer's bytes become a whole request (covariates, physiology, regimen
// events, solver options, output times, initial state; or a population batch of
// subjects with their IIV factors), including NaN, infinities, negative, zero,
// subnormal and huge values, out-of-range enums and unknown form ids. The
// physiology is overridden by name through magpk::set_parameter() (table names
// and now and then any string) with values at, just outside and far outside
// each parameter's allowed range, then checked with magpk::validate() (or left
// for the core to check).
//
// The C++ core has no Python layer in front of it, so it must check every
// input itself: an invalid request has to be rejected with std::invalid_argument
// (a valid one may still fail with std::runtime_error, e.g. max_steps reached;
// simulate_batch() prefixes a subject's failure with "subject <i>: ", keeping
// the type: invalid_argument for its bad input, runtime_error otherwise). Anything else is a
// finding: a crash, an ASan/UBSan report, a hang (libFuzzer -timeout), any other exception
// (std::terminate), a successful run whose trajectories are not finite, or a batch whose results
// differ from simulate() of the same subject.
//
// Runs stay short: at most a few days are simulated with bounded event counts
// and solver steps; values outside those bounds are drawn only from the special
// values below, which the core must reject (or handle quickly). A batch holds at
// most three subjects and runs on one thread (the threads are checked by
// scripts/tsan.sh).
//
// Build and run: scripts/fuzz.sh (build/fuzz, Clang with
// -fsanitize=fuzzer,address,undefined; seed corpus tests/fuzz/corpus, written
// by tests/fuzz/make_corpus.py, which mirrors the decoder below).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "magpk/forms.hpp"
#include "magpk/physiology.hpp"
#include "magpk/population.hpp"
#include "magpk/regimen.hpp"
#include "magpk/simulation.hpp"
#include "magpk/simulator.hpp"
#include "magpk/subject.hpp"

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Values every numeric input is tried with: non-finite, signed zeros,
// negative, subnormal and far outside any valid range.
constexpr double kSpecial[] = {std::numeric_limits<double>::quiet_NaN(),
                               kInf,
                               -kInf,
                               0.0,
                               -0.0,
                               -1.0,
                               -1e-300,
                               std::numeric_limits<double>::denorm_min(),
                               std::numeric_limits<double>::min(),
                               std::numeric_limits<double>::max(),
                               std::numeric_limits<double>::lowest(),
                               1e300,
                               1e12,
                               -1e12};
constexpr std::size_t kSpecialCount = sizeof(kSpecial) / sizeof(kSpecial[0]);

// Bit-for-bit equality of two doubles (NaN equals the same NaN).
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_simulation: %s\n", what);
  std::abort();
}

class Decoder {
 public:
  Decoder(const std::uint8_t* data, std::size_t size) : in_(data, size) {}

  // Half the time `typical` (also once the bytes run out, so that short inputs
  // are valid requests), else mostly a value in [lo, hi] (on a grid of 65536
  // steps, the ends included: 3 bytes of input) and one time in eight a
  // special value.
  double value(double lo, double hi, double typical) {
    const auto kind = in_.ConsumeIntegral<std::uint8_t>();
    if (kind < 128) return typical;
    if (kind >= 224) return kSpecial[kind % kSpecialCount];
    const double fraction = in_.ConsumeIntegral<std::uint16_t>() / 65535.0;
    return fraction == 1.0 ? hi : lo + (hi - lo) * fraction;
  }
  bool flag() { return in_.ConsumeBool(); }
  std::size_t count(std::size_t max) { return in_.ConsumeIntegralInRange<std::size_t>(0, max); }
  std::uint8_t byte() { return in_.ConsumeIntegral<std::uint8_t>(); }
  long integer(long lo, long hi) { return in_.ConsumeIntegralInRange<long>(lo, hi); }
  std::string string(std::size_t max_length) { return in_.ConsumeRandomLengthString(max_length); }

  // A catalogue form id (the first once the bytes run out), or now and then any
  // short string.
  std::string form_id() {
    static const std::vector<std::string> ids = magpk::form_ids();
    const auto pick = in_.ConsumeIntegral<std::uint8_t>();
    if (pick >= 240) return in_.ConsumeRandomLengthString(12);
    return ids[pick % ids.size()];
  }

  // Enum values (the first once the bytes run out), out of range one time in sixteen.
  template <typename Enum>
  Enum enumeration(int valid_count) {
    const auto pick = in_.ConsumeIntegral<std::uint8_t>();
    if (pick >= 240) return static_cast<Enum>((pick & 1) != 0 ? -static_cast<int>(pick) : pick);
    return static_cast<Enum>(pick % valid_count);
  }

 private:
  FuzzedDataProvider in_;
};

constexpr double kMaxHours = 96.0;  // the regular range of times and run lengths
constexpr std::size_t kMaxEvents = 4;
constexpr long kMaxSteps = 20'000;

magpk::Covariates decode_covariates(Decoder& d) {
  magpk::Covariates c;
  c.weight_kg = d.value(0.0, 300.0, 70.0);
  c.age_years = d.value(0.0, 120.0, 40.0);
  c.height_cm = d.value(-10.0, 250.0, 0.0);
  c.egfr_ml_min = d.value(-10.0, 300.0, 100.0);
  c.diet_mg_per_day = d.value(0.0, 6000.0, 300.0);
  c.sex = d.enumeration<magpk::Sex>(2);
  c.pregnant = d.flag();
  c.ppi = d.flag();
  c.diuretic = d.enumeration<magpk::Diuretic>(3);
  c.start_clock_h = d.value(0.0, 24.0, magpk::kDefaultStartClockH);
  // Meals are one schedule in four: their periodic steady state costs ten
  // one-day integrations at tight tolerances (the slowest inputs).
  switch (d.byte() % 8) {
    case 1: break;  // default meals
    case 2: {       // any meals
      c.meals.clear();
      const std::size_t n = d.count(5);
      double total = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        c.meals.push_back({d.value(0.0, 24.0, 6.0 * static_cast<double>(i)),
                           d.value(0.0, 1.0, 1.0 / static_cast<double>(n))});
        total += c.meals.back().share;
      }
      // Often normalized so that the shares sum to 1 and the schedule may pass.
      if (d.flag() && total > 0.0 && std::isfinite(total)) {
        for (auto& meal : c.meals) meal.share /= total;
      }
      break;
    }
    default: c.meals.clear();  // a continuous diet: closed-form steady state
  }
  return c;
}

// A value for a parameter override: half the time twice the table value (also
// once the bytes run out), else 0.3-3x, an end of its allowed range or the next
// double outside it, 1e-4 to 1e4 x (log-uniform: the whole allowed range of a
// scale and beyond), or a special value.
double decode_parameter_value(Decoder& d, const magpk::ParameterInfo& info) {
  const auto kind = d.byte();
  if (kind < 128) return 2.0 * info.value;
  if (kind >= 224) return kSpecial[kind % kSpecialCount];
  if (kind < 176) return info.value * d.value(0.3, 3.0, 2.0);
  const magpk::AllowedRange range = magpk::allowed_range(info);
  if (kind < 200) {
    switch (d.byte() % 4) {
      case 0: return range.min;  // rejected when the range excludes it
      case 1: return range.max;
      case 2: return std::nextafter(range.min, -kInf);
      default: return std::nextafter(range.max, kInf);
    }
  }
  if (info.kind == magpk::ParameterKind::kPositiveScale ||
      info.kind == magpk::ParameterKind::kRegressionCoefficient) {
    return info.value * std::pow(10.0, d.value(-4.0, 4.0, 0.0)) * (d.flag() ? -1.0 : 1.0);
  }
  return d.value(-0.25, 1.25, 0.5);  // shares: in and just outside [0, 1]
}

// The default physiology with up to three parameters set by name: a table
// name, or one time in sixteen any short string (unknown names are rejected
// with suggestions). Then validated here (three times in four), or left for the
// core to check. Throws std::invalid_argument like the core does.
magpk::Physiology decode_physiology(Decoder& d) {
  magpk::Physiology p = magpk::default_physiology();
  const auto& table = magpk::parameter_table();
  for (std::size_t changes = d.count(3); changes > 0; --changes) {
    const auto pick = d.byte();
    const magpk::ParameterInfo& info = table[pick % table.size()];
    const double value = decode_parameter_value(d, info);
    const std::string name = pick >= 240 ? d.string(24) : std::string(info.name);
    magpk::set_parameter(p, name, value);  // unknown name, NaN, +-inf: std::invalid_argument
    if (!same_bits(magpk::get_parameter(p, name), value)) fail("set_parameter did not store");
  }
  if (d.byte() % 4 != 3) magpk::validate(p);
  return p;
}

magpk::Regimen decode_regimen(Decoder& d) {
  magpk::Regimen r;
  for (std::size_t i = d.count(kMaxEvents); i > 0; --i) {
    r.oral.push_back(
        {d.value(0.0, kMaxHours, 1.0), d.form_id(), d.value(0.0, 100.0, 10.0), d.flag()});
  }
  for (std::size_t i = d.count(kMaxEvents); i > 0; --i) {
    r.iv_bolus.push_back({d.value(0.0, kMaxHours, 1.0), d.value(0.0, 100.0, 4.0)});
  }
  for (std::size_t i = d.count(kMaxEvents); i > 0; --i) {
    r.im.push_back({d.value(0.0, kMaxHours, 1.0), d.value(0.0, 100.0, 4.0)});
  }
  for (std::size_t i = d.count(kMaxEvents); i > 0; --i) {
    r.infusions.push_back(
        {d.value(0.0, kMaxHours, 1.0), d.value(0.0, 48.0, 4.0), d.value(0.0, 200.0, 16.0)});
  }
  for (std::size_t i = d.count(kMaxEvents); i > 0; --i) {
    r.diet_changes.push_back({d.value(0.0, kMaxHours, 12.0), d.value(0.0, 6000.0, 600.0)});
  }
  for (std::size_t i = d.count(kMaxEvents); i > 0; --i) {
    r.fasts.push_back({d.value(0.0, kMaxHours, 0.0), d.value(0.0, kMaxHours, 12.0)});
  }
  for (std::size_t i = d.count(kMaxEvents); i > 0; --i) {
    const auto drug = d.enumeration<magpk::Drug>(3);
    const double start = d.value(0.0, kMaxHours, 0.0);
    const double stop = d.flag() ? kInf : d.value(0.0, kMaxHours, 12.0);
    r.drugs.push_back({drug, start, stop});
  }
  return r;
}

magpk::SolverOptions decode_solver(Decoder& d) {
  magpk::SolverOptions o;
  if (d.flag()) {
    o.rtol = d.value(1e-10, 1e-2, 1e-6);
    o.atol = d.value(1e-12, 1e-4, 1e-8);
    o.atol_gut = d.value(1e-12, 1e-4, 1e-6);
  }
  // Bounded so that every run ends quickly (the default is 5e7 steps); 20000
  // once the bytes run out, down to -2.
  o.max_steps = kMaxSteps - d.integer(0, kMaxSteps + 2);
  return o;
}

std::vector<double> decode_times(Decoder& d, double t_end_h) {
  std::vector<double> times;
  const double hi = std::isfinite(t_end_h) && t_end_h > 0.0 ? std::min(t_end_h, kMaxHours) : 1.0;
  for (std::size_t i = d.count(8); i > 0; --i) times.push_back(d.value(0.0, hi, hi));
  if (d.flag()) std::sort(times.begin(), times.end());  // often valid (NaN aside)
  return times;
}

magpk::InitialState decode_initial(Decoder& d) {
  magpk::InitialState initial;
  for (int i = 0; i < magpk::idx::kStateSize; ++i) {
    initial.state[i] = d.value(0.0, 50.0, 0.0);
  }
  for (std::size_t i = d.count(3); i > 0; --i) initial.pool_forms.push_back(d.form_id());
  return initial;
}

// A successful run must be finite where the core promises finite values.
void check_result(const magpk::SimulationResult& result) {
  if (!result.supplemented.states.allFinite()) fail("non-finite supplemented states");
  if (!result.baseline.states.allFinite()) fail("non-finite baseline states");
  if (!result.supplemented.final_state.allFinite()) fail("non-finite final state");
  if (!std::isfinite(result.steady_state_serum_mmol_l)) fail("non-finite steady state");
  if (!std::isfinite(result.metrics.cmax_mmol_l)) fail("non-finite cmax");
  (void)magpk::metric_values(result.metrics);
  (void)magpk::output_table(result.supplemented, result.subject);
}

// A batch of up to three subjects (covariates and IIV factors, which may be
// anything), one thread. Its histograms must count every subject once, kept
// trajectories must be finite, and subject 0's metrics must be those of
// simulate() on the same subject.
void run_batch(Decoder& d, bool verbose) {
  magpk::BatchRequest batch;
  for (std::size_t i = d.count(3); i > 0; --i) {
    magpk::VirtualSubject subject;
    subject.covariates = decode_covariates(d);
    subject.transcellular_factor = d.value(0.2, 5.0, 1.0);
    subject.ecf_volume_factor = d.value(0.2, 5.0, 1.0);
    subject.renal_tm_factor = d.value(0.2, 5.0, 1.0);
    batch.subjects.push_back(subject);
  }
  batch.physiology = decode_physiology(d);
  batch.regimen = decode_regimen(d);
  batch.t_end_h = d.value(1e-3, kMaxHours, 24.0);
  batch.output_times_h = decode_times(d, batch.t_end_h);
  batch.solver = decode_solver(d);
  batch.keep_trajectories = d.flag();
  batch.threads = 1;

  const magpk::BatchResult result = magpk::simulate_batch(batch);
  const std::size_t n = batch.subjects.size();
  const std::size_t n_times = batch.output_times_h.size();
  const std::size_t n_cells = magpk::summary_variables().size() * n_times;
  const std::size_t stride = magpk::kSummaryBins + 2;
  if (result.histogram.size() != n_cells * stride) fail("batch histogram size");
  for (std::size_t k = 0; k < n_cells; ++k) {
    std::uint64_t total = 0;
    for (std::size_t bin = 0; bin < stride; ++bin) total += result.histogram[k * stride + bin];
    if (total != n) fail("batch histogram does not count every subject once");
  }
  if (static_cast<std::size_t>(result.metrics.rows()) != n) fail("batch metrics rows");
  if (batch.keep_trajectories && !result.trajectories.allFinite()) {
    fail("non-finite batch trajectories");
  }
  if (n == 0) return;
  magpk::SimulationRequest single;
  single.covariates = batch.subjects[0].covariates;
  single.physiology = magpk::individual_physiology(batch.physiology, batch.subjects[0]);
  single.regimen = batch.regimen;
  single.t_end_h = batch.t_end_h;
  single.output_times_h = batch.output_times_h;
  single.solver = batch.solver;
  const std::vector<double> metrics = magpk::metric_values(magpk::simulate(single).metrics);
  for (std::size_t k = 0; k < metrics.size(); ++k) {
    if (!same_bits(metrics[k], result.metrics(0, static_cast<Eigen::Index>(k)))) {
      fail("batch metrics differ from simulate() of the same subject");
    }
  }
  if (verbose) std::fprintf(stderr, "batch simulated: %zu subjects\n", n);
}

void run_single(Decoder& d, bool verbose) {
  magpk::SimulationRequest request;
  request.covariates = decode_covariates(d);
  request.physiology = decode_physiology(d);
  request.regimen = decode_regimen(d);
  request.t_end_h = d.value(1e-3, kMaxHours, 24.0);
  request.output_times_h = decode_times(d, request.t_end_h);
  request.solver = decode_solver(d);
  request.has_initial = d.flag() && d.flag();  // one run in four
  if (request.has_initial) request.initial = decode_initial(d);
  const magpk::SimulationResult result = magpk::simulate(request);
  check_result(result);
  if (verbose) {
    std::fprintf(stderr, "simulated: Cmax %g mmol/L, %ld + %ld steps\n", result.metrics.cmax_mmol_l,
                 result.supplemented.steps, result.baseline.steps);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Decoder d(data, size);
  // MAGPK_FUZZ_VERBOSE=1: say what became of each input (reproducing a case).
  static const bool verbose = std::getenv("MAGPK_FUZZ_VERBOSE") != nullptr;
  // One input in four is a population batch; the first (once the bytes run
  // out: a single run) says which.
  const bool batch = d.byte() % 4 == 1;
  try {
    if (batch) {
      run_batch(d, verbose);
    } else {
      run_single(d, verbose);
    }
  } catch (const std::invalid_argument& error) {
    // rejected input: the expected outcome for most requests
    if (verbose) std::fprintf(stderr, "rejected: %s\n", error.what());
  } catch (const std::runtime_error& error) {
    // a valid request the solver could not finish (max_steps, no steady state,
    // ...), or in a batch any failure of a subject ("subject <i>: ...")
    if (batch && std::strncmp(error.what(), "subject ", 8) != 0) {
      std::fprintf(stderr, "fuzz_simulation: batch error not naming its subject: %s\n",
                   error.what());
      std::abort();
    }
    if (verbose) std::fprintf(stderr, "failed: %s\n", error.what());
  }
  return 0;
}
