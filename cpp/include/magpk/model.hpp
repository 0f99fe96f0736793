// The compartmental model: state layout, fluxes and the right-hand side.
//
// State (amounts in mmol, time in h); see docs/model.md for the equations.
//   gut:    si_diet, si_sup, si_chelate, colon_diet, colon_sup, colon_solid,
//           stomach_sup (dissolved supplement Mg before gastric emptying),
//           and one undissolved pool per pure supplement form in the regimen
//   body:   plasma (the extracellular fluid, central), peripheral (fast
//           exchangeable cell Mg), tissue (exchangeable intracellular), tissue_bound
//           (constant), bone (surface), deep_bone, im_depot
//   ledger: absorbed_cum, absorbed_sup_cum, urine_cum, feces_cum, secreted_cum,
//           diet_in_cum, infused_cum, serum_auc (mmol/L*h), feces_soluble_cum,
//           filtered_cum, sweat_cum
//   other:  thiazide_effect (0-1, onset of the thiazide action; not an amount)
// "diet" pools carry unlabeled Mg (food and endogenous secretions), "sup"
// pools carry supplement Mg: the label a stable isotope would give.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "magpk/subject.hpp"

namespace magpk {

namespace idx {
enum : int {
  kSiDiet = 0,
  kSiSup,
  kSiChelate,
  kColonDiet,
  kColonSup,
  kColonSolid,
  kStomachSup,
  kPlasma,
  kPeripheral,
  kTissue,
  kTissueBound,
  kBone,
  kDeepBone,
  kImDepot,  // last pool: ledgers follow
  kAbsorbedCum,
  kAbsorbedSupCum,
  kUrineCum,
  kFecesCum,
  kSecretedCum,
  kDietInCum,
  kInfusedCum,
  kSerumAuc,
  kFecesSolubleCum,
  kFilteredCum,
  kSweatCum,
  kThiazideEffect,  // not an amount
  kFixedCount       // undissolved pools start here
};
// At most one undissolved pool per pure form that is not already dissolved.
inline constexpr int kMaxPools = 14;
inline constexpr int kStateSize = kFixedCount + kMaxPools;
}  // namespace idx

// Fixed-size state: no allocation in the right-hand side; unused pool slots stay 0.
using State = Eigen::Matrix<double, idx::kStateSize, 1>;

// Kinetics of one undissolved pool (a pure form present in the regimen).
struct UndissolvedPool {
  double dissolution_per_h;   // first order; for acid-limited forms the intrinsic rate
  double chelate_fraction;    // share of the dissolving amount entering si_chelate
  bool acid_limited = false;  // basic salts (oxide, hydroxide, carbonate) consume gastric acid
};

// Piecewise-constant inputs between two events.
struct SegmentInputs {
  double diet_mmol_h = 0.0;  // dietary Mg entering the small intestine (meal emptying)
  double infusion_mmol_h = 0.0;
  bool fed = false;  // a meal (or a dose taken with food) is in the stomach
  bool ppi = false;  // drugs taken during the segment
  bool loop = false;
  bool thiazide = false;
};

// Every flux of the model (mmol/h) at one state; used by the right-hand side,
// the steady-state solver and the tests.
struct Fluxes {
  double diet_in, secretion;
  double si_transcellular_diet, si_transcellular_sup, si_paracellular_diet, si_paracellular_sup,
      chelate_absorbed;
  double gastric_emptying;  // dissolved supplement, stomach -> small intestine
  double si_to_colon_diet, si_to_colon_sup, si_chelate_to_colon, undissolved_to_colon;
  double colon_transcellular_diet, colon_transcellular_sup;
  double feces_diet, feces_sup, feces_solid;
  double urine, to_peripheral, tissue_uptake, tissue_release, bone_uptake, bone_release;
  double deep_bone_uptake, deep_bone_release, sweat;
  double im_release, infusion;
  double filtered;

  double absorbed() const;
  double absorbed_sup() const;
};

class Model {
 public:
  Model(const SubjectParameters& subject, std::vector<UndissolvedPool> pools);

  static constexpr int state_size() { return idx::kStateSize; }
  const SubjectParameters& subject() const { return subject_; }
  const std::vector<UndissolvedPool>& pools() const { return pools_; }

  // Sets the segment's inputs and the drug-dependent rates derived from them.
  void set_inputs(const SegmentInputs& inputs);
  const SegmentInputs& inputs() const { return inputs_; }

  // odeint system: dx/dt at x.
  void operator()(const State& x, State& dxdt, double t) const;

  Fluxes fluxes(const State& x) const;
  double serum_mmol_l(const State& x) const { return x[idx::kPlasma] * inverse_volume_; }
  // Unabsorbed supplement Mg in the colon (dissolved + solid).
  static double colon_supplement_load(const State& x) {
    return x[idx::kColonSup] + x[idx::kColonSolid];
  }
  // Renal excretion (mmol/h) at serum concentration c (current drugs, thiazide
  // effect e in [0, 1]).
  double urine_rate(double serum_mmol_l, double thiazide_effect = 0.0) const;
  // Renal excretion (mmol/h) of a filtered load (mmol/h) with tubular maximum tm.
  double excretion_of_filtered(double filtered_mmol_h, double tm_mmol_h) const;
  // Tubular maximum (mmol/h) with the segment's loop diuretic and thiazide effect e.
  double tubular_maximum(double thiazide_effect) const;
  // Store uptake relative to its value at the reference serum.
  double store_uptake_ratio(double serum_mmol_l) const;
  double colon_transit_per_h(const State& x) const;
  double si_transit_per_h() const;
  double gastric_emptying_per_h() const;
  // Transcellular maxima with the segment's drugs.
  double si_vmax_mmol_h() const { return si_vmax_; }
  double colon_vmax_mmol_h() const { return colon_vmax_; }
  // Gastric acid available to dissolve basic salts, as mmol Mg/h (2 H+ per Mg).
  double acid_capacity_mmol_mg_h() const;
  // Dissolution of each undissolved pool (mmol/h), written to `out`.
  void dissolution(const State& x, double* out) const;

 private:
  SubjectParameters subject_;
  std::vector<UndissolvedPool> pools_;
  SegmentInputs inputs_;
  double hill_reference_;  // h(reference serum)
  // Constants of the right-hand side, precomputed once per subject / segment.
  double inverse_volume_;  // 1 / ECF volume
  double inverse_peripheral_volume_;
  double filtration_l_h_;                               // GFR x ultrafilterable fraction
  double tissue_uptake_max_;                            // k_T T_ref / h(c_ref)
  double bone_uptake_max_;                              // k_B B_ref / h(c_ref)
  double si_vmax_ = 0.0, colon_vmax_ = 0.0, tm_ = 0.0;  // with the segment's drugs
};

// Sum of the gut states (all lumen pools and undissolved pools).
double gut_amount(const State& x);
// Everything in the body (plasma + peripheral + tissue + bound tissue + bone
// surface + deep bone + IM depot).
double body_amount(const State& x);
// Everything that has left the body: urine + feces + sweat.
double excreted_amount(const State& x);
// Gut + body + excreted: changes only by intake (mass balance).
double accounted_amount(const State& x);

}  // namespace magpk
