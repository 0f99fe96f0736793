// The multi-threaded population engine (magpk::simulate_batch): any thread
// count gives results identical bit for bit to threads = 1 (histograms, the
// per-subject metrics and kept trajectories), errors are reported from any
// worker, and odd thread counts are safe.
//
// Also built alone as magpk_thread_tests and run under ThreadSanitizer by
// scripts/tsan.sh (build/cpp-tsan): keep it lean (few subjects, short runs,
// continuous diets whose steady state is closed-form).
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "magpk/population.hpp"
#include "magpk/simulation.hpp"

namespace {

constexpr std::size_t kSubjects = 8;

// Eight subjects of the adults preset; two keep the default meals (periodic
// steady state), the others eat continuously (closed-form steady state).
magpk::BatchRequest small_batch() {
  magpk::BatchRequest request;
  const magpk::PopulationSpec& adults = magpk::find_population("adults");
  for (std::size_t i = 0; i < kSubjects; ++i) {
    magpk::VirtualSubject subject = magpk::sample_subject(adults, 20240611, i);
    if (i != 2 && i != 5) subject.covariates.meals.clear();
    request.subjects.push_back(subject);
  }
  request.regimen.oral.push_back({1.0, "citrate", 10.0, false});
  request.regimen.iv_bolus.push_back({6.0, 4.0});
  request.t_end_h = 24.0;
  request.output_times_h = {0.0, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0};
  request.keep_trajectories = true;
  return request;
}

// Bit-for-bit equality of two matrices (NaN compares equal to the same NaN).
::testing::AssertionResult same_bits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) {
    return ::testing::AssertionFailure()
           << "shape " << a.rows() << "x" << a.cols() << " vs " << b.rows() << "x" << b.cols();
  }
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    for (Eigen::Index j = 0; j < a.cols(); ++j) {
      std::uint64_t x, y;
      const double u = a(i, j), v = b(i, j);
      std::memcpy(&x, &u, sizeof x);
      std::memcpy(&y, &v, sizeof y);
      if (x != y) {
        return ::testing::AssertionFailure()
               << "(" << i << ", " << j << "): " << u << " vs " << v << " (bits differ)";
      }
    }
  }
  return ::testing::AssertionSuccess();
}

void expect_identical(const magpk::BatchResult& serial, const magpk::BatchResult& parallel) {
  EXPECT_EQ(serial.histogram, parallel.histogram);
  EXPECT_TRUE(same_bits(serial.metrics, parallel.metrics)) << "metrics";
  EXPECT_TRUE(same_bits(serial.trajectories, parallel.trajectories)) << "trajectories";
}

class PopulationThreads : public ::testing::Test {
 protected:
  // The serial reference, computed once for the suite.
  static const magpk::BatchResult& serial() {
    static const magpk::BatchResult result = [] {
      magpk::BatchRequest request = small_batch();
      request.threads = 1;
      return magpk::simulate_batch(request);
    }();
    return result;
  }
};

TEST_F(PopulationThreads, SerialResultIsComplete) {
  const magpk::BatchResult& r = serial();
  const std::size_t n_times = small_batch().output_times_h.size();
  const std::size_t n_vars = magpk::summary_variables().size();
  EXPECT_EQ(r.metrics.rows(), static_cast<Eigen::Index>(kSubjects));
  EXPECT_EQ(r.metrics.cols(), static_cast<Eigen::Index>(magpk::metric_names().size()));
  EXPECT_EQ(r.trajectories.rows(), static_cast<Eigen::Index>(kSubjects));
  EXPECT_EQ(r.trajectories.cols(), static_cast<Eigen::Index>(n_times * n_vars));
  EXPECT_TRUE(r.trajectories.allFinite());
  ASSERT_EQ(r.histogram.size(), n_vars * n_times * (magpk::kSummaryBins + 2));
  // Every (variable, time) histogram counts each subject once.
  const std::size_t stride = magpk::kSummaryBins + 2;
  for (std::size_t k = 0; k < n_vars * n_times; ++k) {
    std::uint64_t total = 0;
    for (std::size_t bin = 0; bin < stride; ++bin) total += r.histogram[k * stride + bin];
    EXPECT_EQ(total, kSubjects) << "histogram " << k;
  }
}

TEST_F(PopulationThreads, TwoThreadsMatchOneBitForBit) {
  magpk::BatchRequest request = small_batch();
  request.threads = 2;
  expect_identical(serial(), magpk::simulate_batch(request));
}

TEST_F(PopulationThreads, FourThreadsMatchOneBitForBit) {
  magpk::BatchRequest request = small_batch();
  request.threads = 4;
  expect_identical(serial(), magpk::simulate_batch(request));
}

TEST_F(PopulationThreads, WithoutKeptTrajectoriesTheSummariesStillMatch) {
  magpk::BatchRequest request = small_batch();
  request.keep_trajectories = false;
  request.threads = 3;
  const magpk::BatchResult parallel = magpk::simulate_batch(request);
  EXPECT_EQ(parallel.trajectories.size(), 0);
  EXPECT_EQ(serial().histogram, parallel.histogram);
  EXPECT_TRUE(same_bits(serial().metrics, parallel.metrics));
}

// More threads than subjects, and thread counts below 1, are clamped.
TEST_F(PopulationThreads, OddThreadCountsAreSafe) {
  magpk::BatchRequest request = small_batch();
  request.subjects.resize(2);
  request.threads = 1;
  const magpk::BatchResult two_serial = magpk::simulate_batch(request);
  for (const int threads : {8, 0, -3}) {
    request.threads = threads;
    const magpk::BatchResult r = magpk::simulate_batch(request);
    EXPECT_EQ(two_serial.histogram, r.histogram) << "threads " << threads;
    EXPECT_TRUE(same_bits(two_serial.metrics, r.metrics)) << "threads " << threads;
  }
  request.subjects.clear();
  request.threads = 4;
  const magpk::BatchResult empty = magpk::simulate_batch(request);
  EXPECT_EQ(empty.metrics.rows(), 0);
}

// The shared request is checked up front, even for an empty batch.
TEST_F(PopulationThreads, ABadSharedRequestIsRejectedEvenWithoutSubjects) {
  magpk::BatchRequest request = small_batch();
  request.subjects.clear();
  request.t_end_h = -1.0;
  EXPECT_THROW((void)magpk::simulate_batch(request), std::invalid_argument);
  request = small_batch();
  request.subjects.clear();
  request.output_times_h = {2.0, 1.0};
  EXPECT_THROW((void)magpk::simulate_batch(request), std::invalid_argument);
  request = small_batch();
  request.subjects.clear();
  request.physiology.renal_splay = 7.0;
  EXPECT_THROW((void)magpk::simulate_batch(request), std::invalid_argument);
}

// A subject with bad input stops the batch: the error (an invalid_argument, as
// for simulate()) names it, whichever thread ran it.
TEST_F(PopulationThreads, AFailingSubjectIsReportedFromAnyThread) {
  magpk::BatchRequest request = small_batch();
  request.subjects[3].covariates.weight_kg = -1.0;
  for (const int threads : {1, 2, 4}) {
    request.threads = threads;
    try {
      (void)magpk::simulate_batch(request);
      ADD_FAILURE() << "threads " << threads << ": no exception";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("subject 3"), std::string::npos)
          << "threads " << threads << ": " << error.what();
    }
  }
}

}  // namespace
