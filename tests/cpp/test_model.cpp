// The right-hand side: conservation, renal excretion curve, saturable
// absorption, store uptake and positivity.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "magpk//model.hpp"
#include "magpk/physiology.hpp"
#include "magpk/subject.hpp"
#include "test_support.hpp"

namespace {

using magpk::Model;
using magpk::State;
namespace idx = magpk::idx;

magpk::SubjectParameters default_subject() {
  return magpk::derive_subject_parameters(test_support::continuous_diet(),
                                          magpk::default_physiology());
}

// A soluble chelate-carrying pool, an oxide pool and a hydroxide pool.
std::vector<magpk::UndissolvedPool> some_pools() { return {{2.0, 0.1}, {0.028, 0.0}, {0.2, 0.0}}; }

// Amount states: everything that holds Mg (ledgers of flows excluded).
std::vector<int> amount_states() {
  std::vector<int> states = {idx::kSiDiet,     idx::kSiSup,      idx::kSiChelate,   idx::kColonDiet,
                             idx::kColonSup,   idx::kColonSolid, idx::kStomachSup,  idx::kPlasma,
                             idx::kPeripheral, idx::kTissue,     idx::kTissueBound, idx::kBone,
                             idx::kDeepBone,   idx::kImDepot,    idx::kUrineCum,    idx::kFecesCum,
                             idx::kSweatCum};
  for (int i = idx::kFixedCount; i < idx::kStateSize; ++i) states.push_back(i);
  return states;
}

// Random non-negative state with realistic magnitudes (pool slots beyond the
// model's pools stay 0, as the simulator keeps them).
State random_state(std::mt19937& rng, const magpk::SubjectParameters& s, int n_pools) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  State x = State::Zero();
  for (int i : {idx::kSiDiet, idx::kSiSup, idx::kSiChelate, idx::kColonDiet, idx::kColonSup,
                idx::kColonSolid, idx::kStomachSup}) {
    x[i] = 40.0 * u(rng) * u(rng);
  }
  x[idx::kPlasma] = s.ecf_volume_l * 3.0 * u(rng);
  x[idx::kPeripheral] = s.peripheral_volume_l * 3.0 * u(rng);
  x[idx::kTissue] = s.tissue_reference_mmol * 2.0 * u(rng);
  x[idx::kBone] = s.bone_reference_mmol * 2.0 * u(rng);
  x[idx::kTissueBound] = s.tissue_bound_mmol;
  x[idx::kDeepBone] = s.deep_bone_reference_mmol * 2.0 * u(rng);
  x[idx::kImDepot] = 20.0 * u(rng);
  for (int i = idx::kAbsorbedCum; i < idx::kThiazideEffect; ++i) x[i] = 100.0 * u(rng);
  x[idx::kThiazideEffect] = u(rng);
  for (int p = 0; p < n_pools; ++p) x[idx::kFixedCount + p] = 30.0 * u(rng);
  return x;
}

TEST(Model, FluxesConserveMassAtRandomStates) {
  const auto s = default_subject();
  const auto pools = some_pools();
  Model model(s, pools);
  std::mt19937 rng(12345);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int trial = 0; trial < 500; ++trial) {
    magpk::SegmentInputs inputs;
    inputs.diet_mmol_h = trial % 5 == 0 ? 0.0 : 2.0 * u(rng);
    inputs.infusion_mmol_h = trial % 3 == 0 ? 0.0 : 10.0 * u(rng);
    inputs.fed = trial % 2 == 0;
    inputs.ppi = trial % 7 == 0;
    inputs.loop = trial % 11 == 0;
    inputs.thiazide = trial % 13 == 0;
    model.set_inputs(inputs);
    const State x = random_state(rng, s, static_cast<int>(pools.size()));
    State dxdt;
    model(x, dxdt, 0.0);
    double sum = 0.0, scale = 0.0;
    for (int i : amount_states()) {
      sum += dxdt[i];
      scale += std::abs(dxdt[i]);
    }
    const double expected = inputs.diet_mmol_h + inputs.infusion_mmol_h;
    EXPECT_NEAR(sum, expected, 1e-14 * std::max(scale, expected)) << "trial " << trial;
  }
}

TEST(Model, LedgersMatchFluxes) {
  const auto s = default_subject();
  Model model(s, some_pools());
  model.set_inputs({0.5, 1.5, false});
  std::mt19937 rng(7);
  const State x = random_state(rng, s, 3);
  State dxdt;
  model(x, dxdt, 0.0);
  const magpk::Fluxes f = model.fluxes(x);
  EXPECT_DOUBLE_EQ(dxdt[idx::kAbsorbedCum], f.absorbed());
  EXPECT_DOUBLE_EQ(dxdt[idx::kAbsorbedSupCum], f.absorbed_sup());
  EXPECT_DOUBLE_EQ(dxdt[idx::kUrineCum], f.urine);
  EXPECT_DOUBLE_EQ(dxdt[idx::kSecretedCum], f.secretion);
  EXPECT_DOUBLE_EQ(dxdt[idx::kDietInCum], 0.5);
  EXPECT_DOUBLE_EQ(dxdt[idx::kInfusedCum], 1.5);
  EXPECT_DOUBLE_EQ(dxdt[idx::kSerumAuc], model.serum_mmol_l(x));
  EXPECT_LE(f.absorbed_sup(), f.absorbed());
  // Unused pool slots do not move.
  for (int i = idx::kFixedCount + 3; i < idx::kStateSize; ++i) EXPECT_EQ(dxdt[i], 0.0);
}

TEST(Model, TooManyPoolsThrow) {
  std::vector<magpk::UndissolvedPool> pools(idx::kMaxPools + 1, {1.0, 0.0});
  EXPECT_THROW(Model(default_subject(), pools), std::invalid_argument);
}

// Filtration threshold: serum at which the filtered load equals Tm.
double threshold_serum(const magpk::SubjectParameters& s) {
  return s.tm_mmol_h / (s.gfr_l_h * s.ultrafilterable_fraction);
}

TEST(Model, UrineRateIsNegligibleFarBelowThreshold) {
  const auto s = default_subject();
  const Model model(s, {});
  const double c_star = threshold_serum(s);
  EXPECT_EQ(model.urine_rate(0.0), 0.0);
  // Below a quarter of the threshold, at most 2% of the filtered load is
  // excreted (~0.6% with splay 0.98, less with the sharper calibrated curve).
  for (double c : {0.01 * c_star, 0.1 * c_star, 0.25 * c_star}) {
    const double filtered = s.gfr_l_h * s.ultrafilterable_fraction * c;
    EXPECT_GE(model.urine_rate(c), 0.0) << c;
    EXPECT_LT(model.urine_rate(c), 0.02 * filtered) << c;
  }
  // ... but substantial above it.
  const double c = 2.0 * c_star;
  EXPECT_GT(model.urine_rate(c), 0.4 * s.gfr_l_h * s.ultrafilterable_fraction * c);
}

TEST(Model, UrineRateIsContinuousAndMonotone) {
  const auto s = default_subject();
  const Model model(s, {});
  const double slope_max = s.gfr_l_h * s.ultrafilterable_fraction;
  const double c_star = threshold_serum(s);
  // Fine grid through and around the threshold: 0 <= dE <= GFR*fu*dc (Lipschitz,
  // hence continuous, and non-decreasing).
  const double h = 1e-4;
  double previous = model.urine_rate(0.0);
  for (double c = h; c <= 5.0 * c_star; c += h) {
    const double e = model.urine_rate(c);
    ASSERT_GE(e, previous) << "not monotone at c=" << c;
    ASSERT_LE(e - previous, slope_max * h * (1.0 + 1e-6) + 1e-14) << "jump at c=" << c;
    previous = e;
  }
  // Strictly increasing near and above the threshold.
  EXPECT_LT(model.urine_rate(c_star), model.urine_rate(1.01 * c_star));
  // Negative concentrations are treated as zero.
  EXPECT_EQ(model.urine_rate(-1.0), 0.0);
}

TEST(Model, UrineSlopeTendsToFilteredFractionAboveThreshold) {
  const auto s = default_subject();
  const Model model(s, {});
  const double slope_limit = s.gfr_l_h * s.ultrafilterable_fraction;
  const double c_star = threshold_serum(s);
  double previous_gap = 1.0;
  for (double multiple : {2.0, 5.0, 20.0, 100.0}) {
    const double c = multiple * c_star, dc = 1e-4 * c;
    const double slope = (model.urine_rate(c + dc) - model.urine_rate(c - dc)) / (2.0 * dc);
    const double gap = std::abs(slope / slope_limit - 1.0);
    EXPECT_LT(gap, previous_gap) << "slope not converging at " << multiple << "x threshold";
    previous_gap = gap;
  }
  // Asymptotically 1 - slope/limit ~ (1 - splay) / (c / threshold)^2.
  EXPECT_LT(previous_gap, 1e-4);
  // Below the threshold the slope is far smaller.
  const double c = 0.5 * c_star, dc = 1e-4 * c;
  EXPECT_LT((model.urine_rate(c + dc) - model.urine_rate(c - dc)) / (2.0 * dc), 0.2 * slope_limit);
}

TEST(Model, SmallIntestinalAbsorptionIsSaturable) {
  const auto s = default_subject();
  const Model model(s, {});
  double previous = INFINITY;
  for (double amount : {0.01, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 200.0}) {
    State x = State::Zero();
    x[idx::kPlasma] = 0.85 * s.ecf_volume_l;
    x[idx::kSiSup] = amount;
    const magpk::Fluxes f = model.fluxes(x);
    const double fraction_per_h = (f.si_transcellular_sup + f.si_paracellular_sup) / amount;
    EXPECT_LT(fraction_per_h, previous) << amount;
    EXPECT_GT(fraction_per_h, s.si_paracellular_per_h) << amount;  // paracellular floor
    previous = fraction_per_h;
  }
  // Transcellular rate never exceeds Vmax, however large the lumen amount.
  State x = State::Zero();
  x[idx::kSiSup] = 1e6;
  x[idx::kSiDiet] = 1e6;
  const magpk::Fluxes f = model.fluxes(x);
  EXPECT_LE(f.si_transcellular_sup + f.si_transcellular_diet, s.si_vmax_mmol_h * (1.0 + 1e-12));
}

TEST(Model, DietAndSupplementCompeteForTheSameTransporter) {
  const auto s = default_subject();
  const Model model(s, {});
  State alone = State::Zero();
  alone[idx::kSiSup] = 5.0;
  State with_diet = alone;
  with_diet[idx::kSiDiet] = 5.0;
  EXPECT_LT(model.fluxes(with_diet).si_transcellular_sup, model.fluxes(alone).si_transcellular_sup);
  // Equal amounts get equal shares.
  EXPECT_DOUBLE_EQ(model.fluxes(with_diet).si_transcellular_sup,
                   model.fluxes(with_diet).si_transcellular_diet);
}

TEST(Model, StoreUptakeRatio) {
  const auto s = default_subject();
  const Model model(s, {});
  EXPECT_NEAR(model.store_uptake_ratio(s.reference_serum_mmol_l), 1.0, 1e-15);
  EXPECT_EQ(model.store_uptake_ratio(0.0), 0.0);
  double previous = 0.0;
  for (double c = 0.05; c < 3.0; c += 0.05) {
    const double ratio = model.store_uptake_ratio(c);
    EXPECT_GT(ratio, previous) << c;
    previous = ratio;
  }
  EXPECT_LT(model.store_uptake_ratio(0.5 * s.reference_serum_mmol_l), 1.0);
  EXPECT_GT(model.store_uptake_ratio(1.2 * s.reference_serum_mmol_l), 1.0);
}

TEST(Model, FedStomachEmptiesDissolvedSupplementSlowly) {
  const auto s = default_subject();
  Model model(s, {});
  State x = State::Zero();
  x[idx::kStomachSup] = 4.0;
  model.set_inputs({0.0, 0.0, false});
  const double fasting = model.fluxes(x).gastric_emptying;
  EXPECT_NEAR(fasting, 4.0 * std::log(2.0) / 0.25, 1e-12);  // half-emptying 15 min
  model.set_inputs({0.0, 0.0, true});
  EXPECT_LT(model.fluxes(x).gastric_emptying, 0.5 * fasting);
  EXPECT_EQ(model.si_transit_per_h(), s.si_transit_per_h);  // fed factor 1: no SI change
}

TEST(Model, DissolvedColonicSupplementSpeedsTransitSolidDoesNot) {
  const auto s = default_subject();
  const Model model(s, {});
  State x = State::Zero();
  const double base = model.colon_transit_per_h(x);
  x[idx::kColonSup] = s.laxation_load50_mmol;
  EXPECT_NEAR(model.colon_transit_per_h(x), 2.0 * base, 1e-15);
  x[idx::kColonSup] = 0.0;
  x[idx::kColonSolid] = s.laxation_load50_mmol;  // undissolved: not osmotic
  EXPECT_EQ(model.colon_transit_per_h(x), base);
}

TEST(Model, AcidLimitsDissolutionOfBasicSalts) {
  const auto s = default_subject();
  // One soluble and one acid-limited pool with the same intrinsic rate.
  Model model(s, {{1.0, 0.0, false}, {1.0, 0.0, true}});
  State x = State::Zero();
  double rates[2];
  // Small amounts: first order for both (acid in excess) within ~1%.
  x[idx::kFixedCount] = x[idx::kFixedCount + 1] = 0.01;
  model.dissolution(x, rates);
  EXPECT_EQ(rates[0], 0.01);
  EXPECT_NEAR(rates[1], 0.01, 0.01 * 0.01 / model.acid_capacity_mmol_mg_h());
  // A large basic dose dissolves at no more than the acid capacity (2 H+ per Mg).
  x[idx::kFixedCount + 1] = 1000.0;
  model.dissolution(x, rates);
  EXPECT_LT(rates[1], model.acid_capacity_mmol_mg_h());
  EXPECT_GT(rates[1], 0.99 * model.acid_capacity_mmol_mg_h());
  EXPECT_NEAR(model.acid_capacity_mmol_mg_h(), 0.5 * s.basal_acid_output_mmol_h, 1e-15);
  // Food raises acid output; a proton-pump inhibitor lowers it.
  magpk::SegmentInputs fed;
  fed.fed = true;
  model.set_inputs(fed);
  EXPECT_NEAR(model.acid_capacity_mmol_mg_h(), 0.5 * s.fed_acid_output_mmol_h, 1e-15);
  fed.ppi = true;
  model.set_inputs(fed);
  EXPECT_NEAR(model.acid_capacity_mmol_mg_h(),
              0.5 * s.fed_acid_output_mmol_h * s.ppi_acid_output_factor, 1e-15);
}

TEST(Model, DrugsActWhileTaken) {
  const auto s = default_subject();
  Model model(s, {});
  const double c = 1.2;  // above the renal threshold
  const double urine = model.urine_rate(c);
  const double vmax = model.si_vmax_mmol_h();
  magpk::SegmentInputs drugs;
  drugs.loop = true;
  model.set_inputs(drugs);
  EXPECT_GT(model.urine_rate(c), urine);
  drugs.loop = false;
  drugs.thiazide = true;
  model.set_inputs(drugs);
  EXPECT_EQ(model.urine_rate(c), urine);       // thiazide: no acute effect...
  EXPECT_GT(model.urine_rate(c, 1.0), urine);  // ...once its effect has built up
  State x = State::Zero();
  State dxdt;
  model(x, dxdt, 0.0);
  EXPECT_NEAR(dxdt[idx::kThiazideEffect], s.thiazide_onset_per_h, 1e-15);  // onset
  drugs.thiazide = false;
  drugs.ppi = true;
  model.set_inputs(drugs);
  EXPECT_NEAR(model.si_vmax_mmol_h(), vmax * s.ppi_transcellular_factor, 1e-15);
  model.set_inputs({});
  EXPECT_EQ(model.urine_rate(c), urine);
  EXPECT_EQ(model.si_vmax_mmol_h(), vmax);
}

TEST(Model, PeripheralPoolEquilibratesWithSerum) {
  const auto s = default_subject();
  const Model model(s, {});
  State x = State::Zero();
  x[idx::kPlasma] = 0.85 * s.ecf_volume_l;
  x[idx::kPeripheral] = 0.85 * s.peripheral_volume_l;
  EXPECT_NEAR(model.fluxes(x).to_peripheral, 0.0, 1e-12);
  x[idx::kPeripheral] = 0.0;
  EXPECT_NEAR(model.fluxes(x).to_peripheral, s.intercompartmental_clearance_l_h * 0.85, 1e-12);
}

TEST(Model, NoNegativeDerivativeForAnEmptyState) {
  const auto s = default_subject();
  const auto pools = some_pools();
  Model model(s, pools);
  std::mt19937 rng(99);
  std::vector<int> states = amount_states();
  for (int i = idx::kAbsorbedCum; i <= idx::kSerumAuc; ++i) states.push_back(i);
  for (int trial = 0; trial < 200; ++trial) {
    model.set_inputs({trial % 2 ? 0.0 : 0.5, trial % 3 ? 0.0 : 2.0, trial % 4 == 0});
    const State base = random_state(rng, s, static_cast<int>(pools.size()));
    for (int i : states) {
      State x = base;
      x[i] = 0.0;
      State dxdt;
      model(x, dxdt, 0.0);
      EXPECT_GE(dxdt[i], 0.0) << "state " << i << " trial " << trial;
    }
  }
  // All-zero state (no inputs): nothing goes negative.
  model.set_inputs({});
  State dxdt;
  model(State::Zero(), dxdt, 0.0);
  for (int i = 0; i < idx::kStateSize; ++i) EXPECT_GE(dxdt[i], 0.0) << i;
}

TEST(Model, AmountHelpers) {
  State x = State::Zero();
  for (int i = 0; i < idx::kStateSize; ++i) x[i] = i + 1.0;
  double gut = 0.0;
  for (int i : {idx::kSiDiet, idx::kSiSup, idx::kSiChelate, idx::kColonDiet, idx::kColonSup,
                idx::kColonSolid, idx::kStomachSup}) {
    gut += x[i];
  }
  for (int i = idx::kFixedCount; i < idx::kStateSize; ++i) gut += x[i];
  EXPECT_DOUBLE_EQ(magpk::gut_amount(x), gut);
  EXPECT_DOUBLE_EQ(magpk::body_amount(x), x[idx::kPlasma] + x[idx::kPeripheral] + x[idx::kTissue] +
                                              x[idx::kTissueBound] + x[idx::kBone] +
                                              x[idx::kDeepBone] + x[idx::kImDepot]);
}

}  // namespace
