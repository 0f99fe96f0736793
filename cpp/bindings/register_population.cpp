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

}  // namespace

void register_population(py::module_& m) {
  m.def("population_presets", [] {
    py::list rows;
    for (const auto& p : magpk::population_presets()) {
      py::dict row;
      row["name"] = p.name;
      row["source"] = p.source;
      row["female_fraction"] = p.female_fraction;
      row["age_min_years"] = p.age_min_years;
      row["age_max_years"] = p.age_max_years;
      row["weight_mean_male_kg"] = p.weight_mean_male_kg;
      row["weight_mean_female_kg"] = p.weight_mean_female_kg;
      row["weight_cv"] = p.weight_cv;
      row["height_mean_male_cm"] = p.height_mean_male_cm;
      row["height_mean_female_cm"] = p.height_mean_female_cm;
      row["height_sd_cm"] = p.height_sd_cm;
      row["egfr_intercept_ml_min"] = p.egfr_intercept_ml_min;
      row["egfr_slope_per_year"] = p.egfr_slope_per_year;
      row["egfr_sd_ml_min"] = p.egfr_sd_ml_min;
      row["egfr_min_ml_min"] = p.egfr_min_ml_min;
      row["egfr_max_ml_min"] = p.egfr_max_ml_min;
      row["diet_mean_male_mg"] = p.diet_mean_male_mg;
      row["diet_mean_female_mg"] = p.diet_mean_female_mg;
      row["diet_cv"] = p.diet_cv;
      row["pregnant_fraction"] = p.pregnant_fraction;
      row["ppi_fraction"] = p.ppi_fraction;
      row["loop_fraction"] = p.loop_fraction;
      row["thiazide_fraction"] = p.thiazide_fraction;
      row["iiv_cv_transcellular"] = p.iiv_cv_transcellular;
      row["iiv_cv_ecf_volume"] = p.iiv_cv_ecf_volume;
      row["iiv_cv_renal_tm"] = p.iiv_cv_renal_tm;
      rows.append(row);
    }
    return rows;
  });
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
