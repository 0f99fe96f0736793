#include <pybind11/stl.h>

#include "magpk/subject.hpp"
#include "register.hpp"

namespace py = pybind11;

void register_subject(py::module_& m) {
  py::enum_<magpk::Sex>(m, "Sex")
      .value("female", magpk::Sex::kFemale)
      .value("male", magpk::Sex::kMale);
  py::enum_<magpk::Diuretic>(m, "Diuretic")
      .value("none", magpk::Diuretic::kNone)
      .value("loop", magpk::Diuretic::kLoop)
      .value("thiazide", magpk::Diuretic::kThiazide);
  py::class_<magpk::Meal>(m, "Meal")
      .def(py::init<double, double>(), py::arg("clock_h"), py::arg("share"))
      .def_readonly("clock_h", &magpk::Meal::clock_h)
      .def_readonly("share", &magpk::Meal::share);
  m.def("default_meals", &magpk::default_meals);
  m.def("validate_meal_spacing", &magpk::validate_meal_spacing, py::arg("meals"),
        py::arg("fed_state_duration_h"));
  m.def("typical_egfr_ml_min", &magpk::typical_egfr_ml_min, py::arg("age_years"),
        py::arg("weight_kg"), py::arg("physiology"));
  m.attr("ADULT_AGE_YEARS") = magpk::kAdultAgeYears;
  m.attr("MIN_AGE_YEARS") = magpk::kMinAgeYears;
  m.attr("MIN_WEIGHT_KG") = magpk::kMinWeightKg;
  m.attr("MAX_AGE_YEARS") = magpk::kMaxAgeYears;
  m.attr("MIN_ADULT_WEIGHT_KG") = magpk::kMinAdultWeightKg;
  m.attr("MAX_WEIGHT_KG") = magpk::kMaxWeightKg;
  m.attr("MIN_ADULT_HEIGHT_CM") = magpk::kMinAdultHeightCm;
  m.attr("MIN_CHILD_HEIGHT_CM") = magpk::kMinChildHeightCm;
  m.attr("MAX_HEIGHT_CM") = magpk::kMaxHeightCm;
  m.attr("MAX_EGFR_ML_MIN") = magpk::kMaxEgfrMlMin;
  m.attr("MAX_DIET_MG_PER_DAY") = magpk::kMaxDietMgPerDay;
  m.attr("DEFAULT_START_CLOCK_H") = magpk::kDefaultStartClockH;
  py::class_<magpk::Covariates>(m, "Covariates")
      .def(py::init<>())
      .def_readwrite("weight_kg", &magpk::Covariates::weight_kg)
      .def_readwrite("age_years", &magpk::Covariates::age_years)
      .def_readwrite("height_cm", &magpk::Covariates::height_cm)
      .def_readwrite("egfr_ml_min", &magpk::Covariates::egfr_ml_min)
      .def_readwrite("diet_mg_per_day", &magpk::Covariates::diet_mg_per_day)
      .def_readwrite("sex", &magpk::Covariates::sex)
      .def_readwrite("pregnant", &magpk::Covariates::pregnant)
      .def_readwrite("ppi", &magpk::Covariates::ppi)
      .def_readwrite("diuretic", &magpk::Covariates::diuretic)
      .def_readwrite("meals", &magpk::Covariates::meals)
      .def_readwrite("start_clock_h", &magpk::Covariates::start_clock_h);
  py::class_<magpk::SubjectParameters>(m, "SubjectParameters")
      .def_readonly("ecf_volume_l", &magpk::SubjectParameters::ecf_volume_l)
      .def_readonly("peripheral_volume_l", &magpk::SubjectParameters::peripheral_volume_l)
      .def_readonly("fed_state_duration_h", &magpk::SubjectParameters::fed_state_duration_h)
      .def_readonly("height_cm", &magpk::SubjectParameters::height_cm)
      .def_readonly("body_fat_fraction", &magpk::SubjectParameters::body_fat_fraction)
      .def_readonly("fat_free_mass_kg", &magpk::SubjectParameters::fat_free_mass_kg)
      .def_readonly("body_mg_mmol", &magpk::SubjectParameters::body_mg_mmol)
      .def_readonly("gfr_l_h", &magpk::SubjectParameters::gfr_l_h)
      .def_readonly("tm_mmol_h", &magpk::SubjectParameters::tm_mmol_h)
      .def_readonly("tissue_reference_mmol", &magpk::SubjectParameters::tissue_reference_mmol)
      .def_readonly("bone_reference_mmol", &magpk::SubjectParameters::bone_reference_mmol)
      .def_readonly("diet_mmol_h", &magpk::SubjectParameters::diet_mmol_h);
}
