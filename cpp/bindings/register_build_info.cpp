#include "magpk/build_info.hpp"
#include "register.hpp"

namespace py = pybind11;

void register_build_info(py::module_& m) {
  py::class_<magpk::BuildInfo>(m, "BuildInfo", "How the C++ core was compiled.")
      .def_readonly("native_arch", &magpk::BuildInfo::native_arch)
      .def_readonly("simd", &magpk::BuildInfo::simd)
      .def_readonly("compiler", &magpk::BuildInfo::compiler)
      .def_readonly("build_type", &magpk::BuildInfo::build_type);
  m.def("build_info", &magpk::build_info, "How the C++ core was compiled.");
}
