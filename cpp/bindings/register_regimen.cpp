#include <pybind11/stl.h>

#include "magpk/regimen.hpp"
#include "register.hpp"

namespace py = pybind11;

void register_regimen(py::module_& m) {
  py::class_<magpk::OralDose>(m, "OralDose")
      .def(py::init<double, std::string, double, bool>(), py::arg("time_h"), py::arg("form_id"),
           py::arg("elemental_mmol"), py::arg("with_food"));
  py::class_<magpk::ParenteralDose>(m, "ParenteralDose")
      .def(py::init<double, double>(), py::arg("time_h"), py::arg("mmol"));
  py::class_<magpk::Infusion>(m, "Infusion")
      .def(py::init<double, double, double>(), py::arg("start_h"), py::arg("duration_h"),
           py::arg("mmol"));
  py::class_<magpk::DietChange>(m, "DietChange")
      .def(py::init<double, double>(), py::arg("time_h"), py::arg("mg_per_day"));
  py::class_<magpk::Fast>(m, "Fast").def(py::init<double, double>(), py::arg("start_h"),
                                         py::arg("stop_h"));
  py::enum_<magpk::Drug>(m, "Drug")
      .value("ppi", magpk::Drug::kPpi)
      .value("loop", magpk::Drug::kLoop)
      .value("thiazide", magpk::Drug::kThiazide);
  py::class_<magpk::DrugPeriod>(m, "DrugPeriod")
      .def(py::init<magpk::Drug, double, double>(), py::arg("drug"), py::arg("start_h"),
           py::arg("stop_h"));
  py::class_<magpk::Regimen>(m, "Regimen")
      .def(py::init<>())
      .def_readwrite("oral", &magpk::Regimen::oral)
      .def_readwrite("iv_bolus", &magpk::Regimen::iv_bolus)
      .def_readwrite("im", &magpk::Regimen::im)
      .def_readwrite("infusions", &magpk::Regimen::infusions)
      .def_readwrite("diet_changes", &magpk::Regimen::diet_changes)
      .def_readwrite("fasts", &magpk::Regimen::fasts)
      .def_readwrite("drugs", &magpk::Regimen::drugs);
}
