// libFuzzer harness over magpk::simulate(): the fuzzer's bytes become a whole
// simulation request (covariates, physiology, regimen events, solver options,
// output times, initial state), including NaN, infinities, negative, zero,
// subnormal and huge values, out-of-range enums and unknown form ids.
//
// The C++ core has no Python layer in front of it, so it must check every
// input itself: an invalid request has to be rejected with std::invalid_argument
// (a valid one may still fail with std::runtime_error, e.g. max_steps reached).
// Anything else is a finding: a crash, an ASan/UBSan report, a hang (libFuzzer
// -timeout), any other exception (std::terminate), or a successful run whose
// trajectories are not finite.
//
// Runs stay short: at most a few days are simulated with bounded event counts
// and solver steps; values outside those bounds are drawn only from the special
// values below, which the core must reject (or handle quickly).
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
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "magpk/forms.hpp"
#include "magpk/physiology.hpp"
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

// The default physiology with up to two parameters changed (0.3-3x or special).
magpk::Physiology decode_physiology(Decoder& d) {
  magpk::Physiology p = magpk::default_physiology();
  const auto& table = magpk::parameter_table();
  const std::size_t changes = d.count(2);
  for (std::size_t i = 0; i < changes; ++i) {
    const auto& info = table[d.byte() % table.size()];
    p.*(info.member) = info.value * d.value(0.3, 3.0, 2.0);
  }
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
  const auto fail = [](const char* what) {
    std::fprintf(stderr, "fuzz_simulation: %s\n", what);
    std::abort();
  };
  if (!result.supplemented.states.allFinite()) fail("non-finite supplemented states");
  if (!result.baseline.states.allFinite()) fail("non-finite baseline states");
  if (!result.supplemented.final_state.allFinite()) fail("non-finite final state");
  if (!std::isfinite(result.steady_state_serum_mmol_l)) fail("non-finite steady state");
  if (!std::isfinite(result.metrics.cmax_mmol_l)) fail("non-finite cmax");
  (void)magpk::metric_values(result.metrics);
  (void)magpk::output_table(result.supplemented, result.subject);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Decoder d(data, size);
  magpk::SimulationRequest request;
  request.covariates = decode_covariates(d);
  request.physiology = decode_physiology(d);
  request.regimen = decode_regimen(d);
  request.t_end_h = d.value(1e-3, kMaxHours, 24.0);
  request.output_times_h = decode_times(d, request.t_end_h);
  request.solver = decode_solver(d);
  request.has_initial = d.flag() && d.flag();  // one run in four
  if (request.has_initial) request.initial = decode_initial(d);
  // MAGPK_FUZZ_VERBOSE=1: say what became of each input (reproducing a case).
  static const bool verbose = std::getenv("MAGPK_FUZZ_VERBOSE") != nullptr;
  try {
    const magpk::SimulationResult result = magpk::simulate(request);
    check_result(result);
    if (verbose) {
      std::fprintf(stderr, "simulated: Cmax %g mmol/L, %ld + %ld steps\n",
                   result.metrics.cmax_mmol_l, result.supplemented.steps, result.baseline.steps);
    }
  } catch (const std::invalid_argument& error) {
    // rejected input: the expected outcome for most requests
    if (verbose) std::fprintf(stderr, "rejected: %s\n", error.what());
  } catch (const std::runtime_error& error) {
    // a valid request the solver could not finish (max_steps, no steady state, ...)
    if (verbose) std::fprintf(stderr, "failed: %s\n", error.what());
  }
  return 0;
}
