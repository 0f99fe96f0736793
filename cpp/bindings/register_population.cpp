#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "magpk/population.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace {

// Subjects as columns (the layout the Python layer keeps them in).
py::dict subjects_to_columns(const std::vector<magpk::VirtualSubject>& subjects) {
  const auto n = static_cast<py::ssize_t>(subjects.size());
  py::array_t<double> weight(n), age(n), height(n), egfr(n), diet(n), tc(n), vol(n), tm(n);
  py::array_t<bool> female(n), pregnant(n), ppi(n);
  py::array_t<int> diuretic(n);
  for (py::ssize_t i = 0; i < n; ++i) {
    const auto& v = subjects[static_cast<std::size_t>(i)];
    weight.mutable_at(i) = v.covariates.weight_kg;
    age.mutable_at(i) = v.covariates.age_years;
    height.mutable_at(i) = v.covariates.height_cm;
    egfr.mutable_at(i) = v.covariates.egfr_ml_min;
    diet.mutable_at(i) = v.covariates.diet_mg_per_day;
    female.mutable_at(i) = v.covariates.sex == magpk::Sex::kFemale;
    pregnant.mutable_at(i) = v.covariates.pregnant;
    ppi.mutable_at(i) = v.covariates.ppi;
    diuretic.mutable_at(i) = static_cast<int>(v.covariates.diuretic);
    tc.mutable_at(i) = v.transcellular_factor;
    vol.mutable_at(i) = v.ecf_volume_factor;
    tm.mutable_at(i) = v.renal_tm_factor;
  }
  py::dict columns;
  columns["weight_kg"] = weight;
  columns["age_years"] = age;
  columns["height_cm"] = height;
  columns["egfr_ml_min"] = egfr;
  columns["diet_mg_per_day"] = diet;
  columns["female"] = female;
  columns["pregnant"] = pregnant;
  columns["ppi"] = ppi;
  columns["diuretic_code"] = diuretic;
  columns["transcellular_factor"] = tc;
  columns["ecf_volume_factor"] = vol;
  columns["renal_tm_factor"] = tm;
  return columns;
}

std::vector<magpk::VirtualSubject> columns_to_subjects(const py::dict& columns) {
  auto column = [&](const char* name) {
    return py::array_t<double, py::array::c_style | py::array::forcecast>(columns[name]);
  };
  const auto weight = column("weight_kg"), age = column("age_years"), height = column("height_cm"),
             egfr = column("egfr_ml_min"), diet = column("diet_mg_per_day"),
             female = column("female"), pregnant = column("pregnant"), ppi = column("ppi"),
             diuretic = column("diuretic_code"), tc = column("transcellular_factor"),
             vol = column("ecf_volume_factor"), tm = column("renal_tm_factor");
  std::vector<magpk::VirtualSubject> subjects(static_cast<std::size_t>(weight.size()));
  for (py::ssize_t i = 0; i < weight.size(); ++i) {
    auto& v = subjects[static_cast<std::size_t>(i)];
    v.covariates.weight_kg = weight.at(i);
    v.covariates.age_years = age.at(i);
    v.covariates.height_cm = height.at(i);
    v.covariates.egfr_ml_min = egfr.at(i);
    v.covariates.diet_mg_per_day = diet.at(i);
    v.covariates.sex = female.at(i) != 0.0 ? magpk::Sex::kFemale : magpk::Sex::kMale;
    v.covariates.pregnant = pregnant.at(i) != 0.0;
    v.covariates.ppi = ppi.at(i) != 0.0;
    v.covariates.diuretic = static_cast<magpk::Diuretic>(static_cast<int>(diuretic.at(i)));
    v.transcellular_factor = tc.at(i);
    v.ecf_volume_factor = vol.at(i);
    v.renal_tm_factor = tm.at(i);
  }
  return subjects;
}

// The population presets (magpk.populations()): one read-only attribute per
// PopulationSpec field, in the struct's order (the columns of the table).
void register_population_spec(py::module_& m) {
  using magpk::PopulationSpec;
  py::class_<PopulationSpec>(m, "PopulationSpec",
                             "A population preset: covariate distributions and IIV (read-only).")
      .def_readonly("name", &PopulationSpec::name)
      .def_readonly("source", &PopulationSpec::source)
      .def_readonly("female_fraction", &PopulationSpec::female_fraction)
      .def_readonly("age_min_years", &PopulationSpec::age_min_years)
      .def_readonly("age_max_years", &PopulationSpec::age_max_years)
      .def_readonly("weight_mean_male_kg", &PopulationSpec::weight_mean_male_kg)
      .def_readonly("weight_mean_female_kg", &PopulationSpec::weight_mean_female_kg)
      .def_readonly("weight_cv", &PopulationSpec::weight_cv)
      .def_readonly("height_mean_male_cm", &PopulationSpec::height_mean_male_cm)
      .def_readonly("height_mean_female_cm", &PopulationSpec::height_mean_female_cm)
      .def_readonly("height_sd_cm", &PopulationSpec::height_sd_cm)
      .def_readonly("egfr_intercept_ml_min", &PopulationSpec::egfr_intercept_ml_min)
      .def_readonly("egfr_slope_per_year", &PopulationSpec::egfr_slope_per_year)
      .def_readonly("egfr_sd_ml_min", &PopulationSpec::egfr_sd_ml_min)
      .def_readonly("egfr_min_ml_min", &PopulationSpec::egfr_min_ml_min)
      .def_readonly("egfr_max_ml_min", &PopulationSpec::egfr_max_ml_min)
      .def_readonly("diet_mean_male_mg", &PopulationSpec::diet_mean_male_mg)
      .def_readonly("diet_mean_female_mg", &PopulationSpec::diet_mean_female_mg)
      .def_readonly("diet_cv", &PopulationSpec::diet_cv)
      .def_readonly("pregnant_fraction", &PopulationSpec::pregnant_fraction)
      .def_readonly("ppi_fraction", &PopulationSpec::ppi_fraction)
      .def_readonly("loop_fraction", &PopulationSpec::loop_fraction)
      .def_readonly("thiazide_fraction", &PopulationSpec::thiazide_fraction)
      .def_readonly("iiv_cv_transcellular", &PopulationSpec::iiv_cv_transcellular)
      .def_readonly("iiv_cv_ecf_volume", &PopulationSpec::iiv_cv_ecf_volume)
      .def_readonly("iiv_cv_renal_tm", &PopulationSpec::iiv_cv_renal_tm)
      .def("__repr__", [](const PopulationSpec& p) { return "<PopulationSpec '" + p.name + "'>"; });
  m.def("population_presets", &magpk::population_presets,
        "The population presets (copies of the core's table).");
}

}  // namespace

void register_population(py::module_& m) {
  register_population_spec(m);
  m.def(
      "sample_subjects",
      [](const std::string& population, std::uint64_t seed, std::uint64_t start,
         std::uint64_t count) {
        const auto& spec = magpk::find_population(population);
        std::vector<magpk::VirtualSubject> subjects;
        subjects.reserve(count);
        for (std::uint64_t i = start; i < start + count; ++i) {
          subjects.push_back(magpk::sample_subject(spec, seed, i));
        }
        return subjects_to_columns(subjects);
      },
      py::arg("population"), py::arg("seed"), py::arg("start"), py::arg("count"));
  m.def("summary_variables", [] {
    py::list rows;
    for (const auto& v : magpk::summary_variables())
      rows.append(py::make_tuple(v.name(), v.low(), v.high()));
    return rows;
  });
  m.def(
      "summary_bin_edges",
      [](const std::string& name) {
        for (const auto& v : magpk::summary_variables()) {
          if (v.name() == name) return v.bin_edges();
        }
        throw py::value_error("name='" + name + "': not a summary variable");
      },
      py::arg("name"),
      "The SUMMARY_BINS + 1 edges of a summary variable's log-spaced histogram bins.");
  m.attr("SUMMARY_BINS") = magpk::kSummaryBins;
  m.def("simulate_batch",
        [](const py::dict& subject_columns, const magpk::Physiology& physiology,
           const magpk::Regimen& regimen, double t_end_h, const std::vector<double>& output_times_h,
           const magpk::SolverOptions& solver, int threads, bool keep_trajectories) {
          magpk::BatchRequest request;
          request.subjects = columns_to_subjects(subject_columns);
          request.physiology = physiology;
          request.regimen = regimen;
          request.t_end_h = t_end_h;
          request.output_times_h = output_times_h;
          request.solver = solver;
          request.threads = threads;
          request.keep_trajectories = keep_trajectories;
          magpk::BatchResult result;
          {
            py::gil_scoped_release release;
            result = magpk::simulate_batch(request);
          }
          const auto n_vars = static_cast<py::ssize_t>(magpk::summary_variables().size());
          const auto n_times = static_cast<py::ssize_t>(output_times_h.size());
          py::array_t<std::uint32_t> histogram(
              {n_vars, n_times, static_cast<py::ssize_t>(magpk::kSummaryBins + 2)});
          std::copy(result.histogram.begin(), result.histogram.end(), histogram.mutable_data());
          return py::make_tuple(histogram, result.metrics, result.trajectories);
        });
}
