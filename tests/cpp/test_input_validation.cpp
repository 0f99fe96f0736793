// The core rejects invalid requests itself (a C++ user has no Python layer in
// front of it): regression tests for what the fuzz harness tests/fuzz found.
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "magpk/model.hpp"
#include "magpk/regimen.hpp"
#include "magpk/simulation.hpp"
#include "magpk/subject.hpp"
#include "test_support.hpp"

namespace {

using magpk::SimulationRequest;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

SimulationRequest short_request() {
  SimulationRequest request;
  request.covariates = test_support::continuous_diet();
  request.t_end_h = 2.0;
  return request;
}

TEST(InputValidation, ShortRequestIsValid) { EXPECT_NO_THROW(magpk::simulate(short_request())); }

TEST(InputValidation, RejectsUnknownDrug) {
  SimulationRequest request = short_request();
  request.regimen.drugs = {{static_cast<magpk::Drug>(-3), 0.0, 1.0}};
  EXPECT_THROW(magpk::simulate(request), std::invalid_argument);
  request.regimen.drugs = {{static_cast<magpk::Drug>(3), 0.0, 1.0}};
  EXPECT_THROW(magpk::validate(request.regimen), std::invalid_argument);
}

TEST(InputValidation, RejectsUnknownSexAndDiuretic) {
  SimulationRequest request = short_request();
  request.covariates.sex = static_cast<magpk::Sex>(7);
  EXPECT_THROW(magpk::simulate(request), std::invalid_argument);
  request = short_request();
  request.covariates.diuretic = static_cast<magpk::Diuretic>(-1);
  EXPECT_THROW(magpk::simulate(request), std::invalid_argument);
}

TEST(InputValidation, RejectsRunLengthOutsideZeroToTwentyYears) {
  for (const double t_end : {0.0, -1.0, kNaN, kInf, 24.0 * 365.0 * 20.0 + 1.0, 1e12, 1e300}) {
    SimulationRequest request = short_request();
    request.t_end_h = t_end;
    EXPECT_THROW(magpk::simulate(request), std::invalid_argument) << t_end;
  }
}

TEST(InputValidation, RejectsSolverOptionsOutsideTheirRange) {
  for (const double tolerance : {0.0, -1e-6, kNaN, kInf, 1e-20, 0.5}) {
    SimulationRequest request = short_request();
    request.solver.rtol = tolerance;
    EXPECT_THROW(magpk::simulate(request), std::invalid_argument) << "rtol " << tolerance;
    request = short_request();
    request.solver.atol = tolerance;
    EXPECT_THROW(magpk::simulate(request), std::invalid_argument) << "atol " << tolerance;
    request = short_request();
    request.solver.atol_gut = tolerance;
    EXPECT_THROW(magpk::simulate(request), std::invalid_argument) << "atol_gut " << tolerance;
  }
  for (const long max_steps : {0L, -1L}) {
    SimulationRequest request = short_request();
    request.solver.max_steps = max_steps;
    EXPECT_THROW(magpk::simulate(request), std::invalid_argument) << max_steps;
  }
}

TEST(InputValidation, RejectsInitialPoolFormsWithoutADistinctPool) {
  // A valid initial state: an earlier run's final state and pool forms.
  SimulationRequest first = short_request();
  first.regimen.oral = {{0.0, "oxide", 10.0, false}};
  const magpk::SimulationResult earlier = magpk::simulate(first);
  SimulationRequest request = short_request();
  request.has_initial = true;
  request.initial = {earlier.supplemented.final_state, earlier.pool_forms};
  ASSERT_EQ(earlier.pool_forms, std::vector<std::string>{"oxide"});
  EXPECT_NO_THROW(magpk::simulate(request));
  // Listed twice, a dissolved form, a blend, an unknown id: no slot to match.
  for (const std::vector<std::string>& forms :
       {std::vector<std::string>{"oxide", "oxide"}, std::vector<std::string>{"solution"},
        std::vector<std::string>{"buffered_glycinate"}, std::vector<std::string>{"no-such-form"}}) {
    request.initial.pool_forms = forms;
    EXPECT_THROW(magpk::simulate(request), std::invalid_argument) << forms.front();
  }
  request.initial.pool_forms.assign(magpk::idx::kMaxPools + 1, "oxide");
  EXPECT_THROW(magpk::simulate(request), std::invalid_argument);
}

}  // namespace
