#include "magpk/model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace magpk {
namespace {

double hill(double c, double half, double n) {
  if (c <= 0.0) return 0.0;
  const double ratio = half / c;
  // Integer coefficients (the default is 8) by repeated squaring: pow() would
  // dominate the cost of the right-hand side.
  if (n >= 1.0 && n <= 64.0 && n == std::floor(n)) {
    auto exponent = static_cast<unsigned>(n);
    double base = ratio, power = 1.0;
    while (exponent) {
      if (exponent & 1u) power *= base;
      base *= base;
      exponent >>= 1u;
    }
    return 1.0 / (1.0 + power);
  }
  return 1.0 / (1.0 + std::pow(ratio, n));
}

}  // namespace

double Fluxes::absorbed() const {
  return si_transcellular_diet + si_transcellular_sup + si_paracellular_diet + si_paracellular_sup +
         chelate_absorbed + colon_transcellular_diet + colon_transcellular_sup;
}

double Fluxes::absorbed_sup() const {
  return si_transcellular_sup + si_paracellular_sup + chelate_absorbed + colon_transcellular_sup;
}

Model::Model(const SubjectParameters& subject, std::vector<UndissolvedPool> pools)
    : subject_(subject),
      pools_(pools.size() <= static_cast<std::size_t>(idx::kMaxPools)
                 ? std::move(pools)
                 : throw std::invalid_argument("too many undissolved pools")),
      hill_reference_(hill(subject.reference_serum_mmol_l, subject.store_uptake_half_serum_mmol_l,
                           subject.store_uptake_hill)),
      inverse_volume_(1.0 / subject.ecf_volume_l),
      inverse_peripheral_volume_(1.0 / subject.peripheral_volume_l),
      filtration_l_h_(subject.gfr_l_h * subject.ultrafilterable_fraction),
      tissue_uptake_max_(subject.tissue_exchange_per_h * subject.tissue_reference_mmol /
                         hill_reference_),
      bone_uptake_max_(subject.bone_exchange_per_h * subject.bone_reference_mmol /
                       hill_reference_) {
  set_inputs(SegmentInputs{});
}

void Model::set_inputs(const SegmentInputs& inputs) {
  inputs_ = inputs;
  const SubjectParameters& s = subject_;
  const double transcellular = inputs.ppi ? s.ppi_transcellular_factor : 1.0;
  si_vmax_ = s.si_vmax_mmol_h * transcellular;
  colon_vmax_ = s.colon_vmax_mmol_h * transcellular;
  // The loop diuretic acts at once (thick ascending limb); the thiazide effect
  // builds up through the state thiazide_effect (tubular_maximum).
  tm_ = s.tm_mmol_h * (inputs.loop ? s.loop_tm_factor : 1.0);
}

double Model::tubular_maximum(double thiazide_effect) const {
  return tm_ * (1.0 - (1.0 - subject_.thiazide_tm_factor) * thiazide_effect);
}

double Model::urine_rate(double c, double thiazide_effect) const {
  return excretion_of_filtered(filtration_l_h_ * std::max(c, 0.0),
                               tubular_maximum(thiazide_effect));
}

double Model::excretion_of_filtered(double filtered, double tm) const {
  // Filtered load minus reabsorption along a titration curve with splay:
  // R = [F + Tm - sqrt((F - Tm)^2 + 4 (1 - theta) F Tm)] / (2 theta).
  const double theta = subject_.renal_splay;
  const double d = filtered - tm;
  const double root = std::sqrt(d * d + 4.0 * (1.0 - theta) * filtered * tm);
  // Excretion E = F - R = [(2 theta - 1) F - Tm + root] / (2 theta); for F << Tm the
  // terms -Tm + root cancel, costing ~1e-9 relative accuracy on a negligible rate.
  const double excreted = ((2.0 * theta - 1.0) * filtered - tm + root) / (2.0 * theta);
  return std::max(excreted, 0.0);
}

double Model::store_uptake_ratio(double c) const {
  return hill(c, subject_.store_uptake_half_serum_mmol_l, subject_.store_uptake_hill) /
         hill_reference_;
}

double Model::si_transit_per_h() const {
  return inputs_.fed ? subject_.si_transit_fed_per_h : subject_.si_transit_per_h;
}

double Model::gastric_emptying_per_h() const {
  return inputs_.fed ? subject_.gastric_emptying_fed_per_h
                     : subject_.gastric_emptying_fasting_per_h;
}

double Model::colon_transit_per_h(const State& x) const {
  // Osmotic laxation: dissolved unabsorbed supplement Mg speeds colonic transit
  // (undissolved solid draws no water).
  const double load = std::max(x[idx::kColonSup], 0.0);
  return subject_.colon_transit_per_h * (1.0 + load / subject_.laxation_load50_mmol);
}

double Model::acid_capacity_mmol_mg_h() const {
  const SubjectParameters& s = subject_;
  const double acid = (inputs_.fed ? s.fed_acid_output_mmol_h : s.basal_acid_output_mmol_h) *
                      (inputs_.ppi ? s.ppi_acid_output_factor : 1.0);
  return 0.5 * acid;  // MgO + 2 H+ -> Mg2+ + H2O (likewise Mg(OH)2, MgCO3)
}

void Model::dissolution(const State& x, double* out) const {
  // Soluble salts dissolve first order. Basic salts react with gastric acid:
  // each pool's intrinsic rate k S is limited by the acid capacity a shared by
  // all basic pools, J_i = k_i S_i a / (a + sum_j k_j S_j): first order when acid
  // is in excess, acid-limited (sum J = a) for large doses.
  double demand = 0.0;
  for (std::size_t p = 0; p < pools_.size(); ++p) {
    const double rate = pools_[p].dissolution_per_h * x[idx::kFixedCount + static_cast<int>(p)];
    out[p] = rate;
    if (pools_[p].acid_limited) demand += std::max(rate, 0.0);
  }
  if (demand > 0.0) {
    const double a = acid_capacity_mmol_mg_h();
    const double limit = a / (a + demand);
    for (std::size_t p = 0; p < pools_.size(); ++p) {
      if (pools_[p].acid_limited) out[p] *= limit;
    }
  }
}

Fluxes Model::fluxes(const State& x) const {
  const SubjectParameters& s = subject_;
  // Outflows are proportional to the raw amounts (not clamped at zero): a tiny
  // numerical undershoot below zero then decays back to zero instead of being
  // frozen there. Every flux still leaves one state and enters another.
  auto amount = [&x](int i) { return x[i]; };
  Fluxes f;
  const double si_diet = amount(idx::kSiDiet), si_sup = amount(idx::kSiSup);
  const double colon_diet = amount(idx::kColonDiet), colon_sup = amount(idx::kColonSup);
  const double c = x[idx::kPlasma] * inverse_volume_;
  const double k_si = si_transit_per_h();
  const double k_colon = colon_transit_per_h(x);

  f.diet_in = inputs_.diet_mmol_h;  // food Mg is as available as Mg acetate (Fine 1991)
  f.secretion = s.secretion_clearance_l_h * c;
  const double si_saturation = si_vmax_ / (s.km_mmol + si_diet + si_sup);
  f.si_transcellular_diet = si_saturation * si_diet;
  f.si_transcellular_sup = si_saturation * si_sup;
  f.si_paracellular_diet = s.si_paracellular_per_h * si_diet;
  f.si_paracellular_sup = s.si_paracellular_per_h * si_sup;
  f.chelate_absorbed = s.chelate_absorption_per_h * amount(idx::kSiChelate);
  f.gastric_emptying = gastric_emptying_per_h() * amount(idx::kStomachSup);
  f.si_to_colon_diet = k_si * si_diet;
  f.si_to_colon_sup = k_si * si_sup;
  f.si_chelate_to_colon = k_si * amount(idx::kSiChelate);
  f.undissolved_to_colon = 0.0;
  for (std::size_t p = 0; p < pools_.size(); ++p) {
    f.undissolved_to_colon += k_si * amount(idx::kFixedCount + static_cast<int>(p));
  }
  const double colon_saturation = colon_vmax_ / (s.km_mmol + colon_diet + colon_sup);
  f.colon_transcellular_diet = colon_saturation * colon_diet;
  f.colon_transcellular_sup = colon_saturation * colon_sup;
  f.feces_diet = k_colon * colon_diet;
  f.feces_sup = k_colon * colon_sup;
  f.feces_solid = k_colon * amount(idx::kColonSolid);

  f.filtered = filtration_l_h_ * std::max(c, 0.0);
  f.urine = excretion_of_filtered(f.filtered, tubular_maximum(x[idx::kThiazideEffect]));
  f.to_peripheral = s.intercompartmental_clearance_l_h *
                    (c - amount(idx::kPeripheral) * inverse_peripheral_volume_);
  const double uptake = hill(c, s.store_uptake_half_serum_mmol_l, s.store_uptake_hill);
  f.tissue_uptake = tissue_uptake_max_ * uptake;
  f.tissue_release = s.tissue_exchange_per_h * amount(idx::kTissue);
  f.bone_uptake = bone_uptake_max_ * uptake;
  f.bone_release = s.bone_exchange_per_h * amount(idx::kBone);
  // Deep bone: remodeling releases a fixed share per year and lays down Mg in
  // proportion to serum (reference content at the reference serum).
  f.deep_bone_uptake =
      s.deep_bone_exchange_per_h * s.deep_bone_reference_mmol * c / s.reference_serum_mmol_l;
  f.deep_bone_release = s.deep_bone_exchange_per_h * amount(idx::kDeepBone);
  f.sweat = s.sweat_clearance_l_h * c;
  f.im_release = s.im_absorption_per_h * amount(idx::kImDepot);
  f.infusion = inputs_.infusion_mmol_h;
  return f;
}

void Model::operator()(const State& x, State& dxdt, double /*t*/) const {
  const Fluxes f = fluxes(x);

  double dissolving[idx::kMaxPools];
  dissolution(x, dissolving);
  double dissolved_ionic = 0.0, dissolved_chelate = 0.0;
  const double k_si = si_transit_per_h();
  for (std::size_t p = 0; p < pools_.size(); ++p) {
    const int i = idx::kFixedCount + static_cast<int>(p);
    dissolved_chelate += pools_[p].chelate_fraction * dissolving[p];
    dissolved_ionic += (1.0 - pools_[p].chelate_fraction) * dissolving[p];
    dxdt[i] = -dissolving[p] - k_si * x[i];
  }
  for (int i = idx::kFixedCount + static_cast<int>(pools_.size()); i < idx::kStateSize; ++i) {
    dxdt[i] = 0.0;
  }

  dxdt[idx::kSiDiet] = f.diet_in + f.secretion - f.si_transcellular_diet - f.si_paracellular_diet -
                       f.si_to_colon_diet;
  dxdt[idx::kStomachSup] = dissolved_ionic - f.gastric_emptying;
  dxdt[idx::kSiSup] =
      f.gastric_emptying - f.si_transcellular_sup - f.si_paracellular_sup - f.si_to_colon_sup;
  dxdt[idx::kSiChelate] = dissolved_chelate - f.chelate_absorbed - f.si_chelate_to_colon;
  dxdt[idx::kColonDiet] = f.si_to_colon_diet - f.colon_transcellular_diet - f.feces_diet;
  dxdt[idx::kColonSup] =
      f.si_to_colon_sup + f.si_chelate_to_colon - f.colon_transcellular_sup - f.feces_sup;
  dxdt[idx::kColonSolid] = f.undissolved_to_colon - f.feces_solid;
  const double absorbed = f.absorbed();
  dxdt[idx::kPlasma] = absorbed + f.infusion + f.im_release + f.tissue_release + f.bone_release +
                       f.deep_bone_release - f.to_peripheral - f.tissue_uptake - f.bone_uptake -
                       f.deep_bone_uptake - f.urine - f.secretion - f.sweat;
  dxdt[idx::kPeripheral] = f.to_peripheral;
  dxdt[idx::kTissue] = f.tissue_uptake - f.tissue_release;
  dxdt[idx::kTissueBound] = 0.0;
  dxdt[idx::kBone] = f.bone_uptake - f.bone_release;
  dxdt[idx::kDeepBone] = f.deep_bone_uptake - f.deep_bone_release;
  dxdt[idx::kImDepot] = -f.im_release;
  dxdt[idx::kAbsorbedCum] = absorbed;
  dxdt[idx::kAbsorbedSupCum] = f.absorbed_sup();
  dxdt[idx::kUrineCum] = f.urine;
  dxdt[idx::kFecesCum] = f.feces_diet + f.feces_sup + f.feces_solid;
  dxdt[idx::kSecretedCum] = f.secretion;
  dxdt[idx::kDietInCum] = f.diet_in;
  dxdt[idx::kInfusedCum] = f.infusion;
  dxdt[idx::kSerumAuc] = serum_mmol_l(x);
  dxdt[idx::kFecesSolubleCum] = f.feces_diet + f.feces_sup;
  dxdt[idx::kFilteredCum] = f.filtered;
  dxdt[idx::kSweatCum] = f.sweat;
  dxdt[idx::kThiazideEffect] =
      subject_.thiazide_onset_per_h * ((inputs_.thiazide ? 1.0 : 0.0) - x[idx::kThiazideEffect]);
}

double gut_amount(const State& x) {
  double total = x[idx::kSiDiet] + x[idx::kSiSup] + x[idx::kSiChelate] + x[idx::kColonDiet] +
                 x[idx::kColonSup] + x[idx::kColonSolid] + x[idx::kStomachSup];
  for (int i = idx::kFixedCount; i < x.size(); ++i) total += x[i];
  return total;
}

double excreted_amount(const State& x) {
  return x[idx::kUrineCum] + x[idx::kFecesCum] + x[idx::kSweatCum];
}

double accounted_amount(const State& x) {
  return gut_amount(x) + body_amount(x) + excreted_amount(x);
}

double body_amount(const State& x) {
  return x[idx::kPlasma] + x[idx::kPeripheral] + x[idx::kTissue] + x[idx::kTissueBound] +
         x[idx::kBone] + x[idx::kDeepBone] + x[idx::kImDepot];
}

}  // namespace magpk
