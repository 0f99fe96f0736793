// The population summaries' histogram: bins and edges come from one definition.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "magpk/population.hpp"

namespace {

TEST(SummaryHistogram, EdgesSpanTheRangeLogSpaced) {
  for (const auto& v : magpk::summary_variables()) {
    const auto edges = v.bin_edges();
    ASSERT_EQ(edges.size(), static_cast<std::size_t>(magpk::kSummaryBins + 1)) << v.name();
    EXPECT_EQ(edges.front(), v.low());
    EXPECT_EQ(edges.back(), v.high());
    const double ratio = std::pow(v.high() / v.low(), 1.0 / magpk::kSummaryBins);
    for (std::size_t k = 1; k < edges.size(); ++k) {
      EXPECT_NEAR(edges[k] / edges[k - 1], ratio, 1e-12 * ratio) << v.name() << " edge " << k;
    }
  }
}

TEST(SummaryHistogram, EachBinHoldsTheValuesBetweenItsEdges) {
  for (const auto& v : magpk::summary_variables()) {
    const auto edges = v.bin_edges();
    for (std::size_t k = 1; k <= static_cast<std::size_t>(magpk::kSummaryBins); ++k) {
      // The geometric middle of bin k lies in bin k.
      EXPECT_EQ(v.bin(std::sqrt(edges[k - 1] * edges[k])), k) << v.name();
    }
  }
}

TEST(SummaryHistogram, UnderflowOverflowAndNaN) {
  const auto& v = magpk::summary_variables().front();
  const std::size_t overflow = magpk::kSummaryBins + 1;
  EXPECT_EQ(v.bin(0.5 * v.low()), 0u);
  EXPECT_EQ(v.bin(-1.0), 0u);
  EXPECT_EQ(v.bin(std::numeric_limits<double>::quiet_NaN()), 0u);
  EXPECT_EQ(v.bin(v.low()), 1u);
  EXPECT_EQ(v.bin(v.high()), overflow);
  EXPECT_EQ(v.bin(std::numeric_limits<double>::infinity()), overflow);
  EXPECT_EQ(v.bin(std::nextafter(v.high(), 0.0)), overflow - 1);
}

}  // namespace
