#include <pybind11/stl.h>

#include "magpk/physiology.hpp"
#include "register.hpp"

namespace py = pybind11;

namespace {

// The parameter table (magpk.parameters()): one read-only attribute per
// field, in table-column order; kind as its name, and the allowed override
// range (magpk::allowed_range) as allowed_min, allowed_max, allowed_min_inclusive.
void register_parameter_info(py::module_& m) {
  using magpk::ParameterInfo;
  py::class_<ParameterInfo>(m, "ParameterInfo", "One row of the parameter table (read-only).")
      .def_readonly("name", &ParameterInfo::name)
      .def_readonly("value", &ParameterInfo::value)
      .def_readonly("unit", &ParameterInfo::unit)
      .def_readonly("description", &ParameterInfo::description)
      .def_readonly("source", &ParameterInfo::source)
      .def_readonly("calibrated_against", &ParameterInfo::calibrated_against)
      .def_property_readonly("kind",
                             [](const ParameterInfo& info) {
                               return std::string(magpk::parameter_kind_name(info.kind));
                             })
      .def_property_readonly(
          "allowed_min", [](const ParameterInfo& info) { return magpk::allowed_range(info).min; })
      .def_property_readonly(
          "allowed_max", [](const ParameterInfo& info) { return magpk::allowed_range(info).max; })
      .def_property_readonly(
          "allowed_min_inclusive",
          [](const ParameterInfo& info) { return magpk::allowed_range(info).min_inclusive; })
      .def("__repr__", [](const ParameterInfo& info) {
        return "<ParameterInfo '" + std::string(info.name) + "'>";
      });
  m.def("parameter_table", &magpk::parameter_table,
        "The parameter table (copies of the core's rows).");
}

}  // namespace

void register_parameters(py::module_& m) {
  py::class_<magpk::Physiology>(m, "Physiology")
      .def(py::init(&magpk::default_physiology))
      .def("get", [](const magpk::Physiology& p,
                     const std::string& name) { return magpk::get_parameter(p, name); })
      .def("set", [](magpk::Physiology& p, const std::string& name,
                     double value) { magpk::set_parameter(p, name, value); })
      .def("validate", [](const magpk::Physiology& p) { magpk::validate(p); });
  register_parameter_info(m);
  m.def("closest_names", &magpk::closest_names, py::arg("query"), py::arg("candidates"),
        py::arg("max_count") = 3);
}
