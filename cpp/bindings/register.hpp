#pragma once

// Binding registration functions: each register_<concept>.cpp defines one and
// module.cpp calls them from PYBIND11_MODULE.
#include <pybind11/pybind11.h>

void register_build_info(pybind11::module_& m);
void register_forms(pybind11::module_& m);
void register_parameters(pybind11::module_& m);
void register_subject(pybind11::module_& m);
void register_regimen(pybind11::module_& m);
void register_simulation(pybind11::module_& m);
void register_population(pybind11::module_& m);
