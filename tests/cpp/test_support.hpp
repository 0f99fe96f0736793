// Shared helpers of the C++ tests.
#pragma once

#include "magpk/model.hpp"
#include "magpk/subject.hpp"

namespace test_support {

// The default subject on a continuous diet (no meals): constant inputs between
// doses, so analytic ledgers and the closed-form steady state apply.
inline magpk::Covariates continuous_diet() {
  magpk::Covariates covariates;
  covariates.meals.clear();
  return covariates;
}

// Constant inputs: a continuous diet of `diet_mmol_h`, nothing else.
inline magpk::SegmentInputs constant_diet(double diet_mmol_h) {
  magpk::SegmentInputs inputs;
  inputs.diet_mmol_h = diet_mmol_h;
  return inputs;
}

}  // namespace test_support
