#include <pybind11/stl.h>

#include "magpk/physiology.hpp"
#include "register.hpp"

namespace py = pybind11;

void register_parameters(py::module_& m) {
  py::class_<magpk::Physiology>(m, "Physiology")
      .def(py::init(&magpk::default_physiology))
      .def("get", [](const magpk::Physiology& p,
                     const std::string& name) { return magpk::get_parameter(p, name); })
      .def("set", [](magpk::Physiology& p, const std::string& name,
                     double value) { magpk::set_parameter(p, name, value); })
      .def("validate", [](const magpk::Physiology& p) { magpk::validate(p); });
  m.def("parameter_table", [] {
    py::list rows;
    for (const auto& info : magpk::parameter_table()) {
      py::dict row;
      row["name"] = info.name;
      row["value"] = info.value;
      row["unit"] = info.unit;
      row["description"] = info.description;
      row["source"] = info.source;
      row["calibrated_against"] = info.calibrated_against;
      row["kind"] = magpk::parameter_kind_name(info.kind);
      const magpk::AllowedRange range = magpk::allowed_range(info);
      row["allowed_min"] = range.min;
      row["allowed_max"] = range.max;
      row["allowed_min_inclusive"] = range.min_inclusive;
      rows.append(row);
    }
    return rows;
  });
  m.def("closest_names", &magpk::closest_names, py::arg("query"), py::arg("candidates"),
        py::arg("max_count") = 3);
}
