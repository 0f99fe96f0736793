#include <pybind11/pybind11.h>

#include "register.hpp"

#ifndef MAGPK_VERSION
#error "MAGPK_VERSION must be defined by the build system"
#endif

PYBIND11_MODULE(_core, m) {
  m.doc() = "magpk C++ core (private; use the magpk package)";
  m.attr("__version__") = MAGPK_VERSION;
  register_build_info(m);
  register_forms(m);
  register_parameters(m);
  register_subject(m);
  register_regimen(m);
  register_simulation(m);
  register_population(m);
}
