#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <chrono>

#include "magpk/simulation.hpp"
#include "magpk/units.hpp"
#include "register.hpp"

namespace py = pybind11;

void register_simulation(py::module_& m) {
  py::class_<magpk::SolverOptions>(m, "SolverOptions")
      .def(py::init<>())
      .def_readwrite("rtol", &magpk::SolverOptions::rtol)
      .def_readwrite("atol", &magpk::SolverOptions::atol)
      .def_readwrite("atol_gut", &magpk::SolverOptions::atol_gut)
      .def_readwrite("max_steps", &magpk::SolverOptions::max_steps);
  py::class_<magpk::Metrics>(m, "Metrics")
      .def_readonly("oral_supplement_mmol", &magpk::Metrics::oral_supplement_mmol)
      .def_readonly("parenteral_mmol", &magpk::Metrics::parenteral_mmol)
      .def_readonly("fraction_absorbed", &magpk::Metrics::fraction_absorbed)
      .def_readonly("absorbed_supplement_mmol", &magpk::Metrics::absorbed_supplement_mmol)
      .def_readonly("absorbed_increment_mmol", &magpk::Metrics::absorbed_increment_mmol)
      .def_readonly("urine_increment_24h_mmol", &magpk::Metrics::urine_increment_24h_mmol)
      .def_readonly("urine_increment_mmol", &magpk::Metrics::urine_increment_mmol)
      .def_readonly("urine_24h_mmol", &magpk::Metrics::urine_24h_mmol)
      .def_readonly("baseline_serum_mmol_l", &magpk::Metrics::baseline_serum_mmol_l)
      .def_readonly("cmax_mmol_l", &magpk::Metrics::cmax_mmol_l)
      .def_readonly("tmax_h", &magpk::Metrics::tmax_h)
      .def_readonly("cmin_mmol_l", &magpk::Metrics::cmin_mmol_l)
      .def_readonly("auc_above_baseline_mmol_h_l", &magpk::Metrics::auc_above_baseline_mmol_h_l)
      .def_readonly("time_above_h", &magpk::Metrics::time_above_h)
      .def_readonly("time_below_hypo_h", &magpk::Metrics::time_below_hypo_h)
      .def_readonly("body_store_change_mmol", &magpk::Metrics::body_store_change_mmol)
      .def_readonly("body_store_change_vs_baseline_mmol",
                    &magpk::Metrics::body_store_change_vs_baseline_mmol)
      .def_readonly("peak_colon_load_mmol", &magpk::Metrics::peak_colon_load_mmol)
      .def_readonly("max_daily_soluble_feces_mmol", &magpk::Metrics::max_daily_soluble_feces_mmol)
      .def_readonly("diarrhea_probability", &magpk::Metrics::diarrhea_probability)
      .def_readonly("mass_balance_rel_error", &magpk::Metrics::mass_balance_rel_error);
  py::class_<magpk::InitialState>(m, "InitialState")
      .def(py::init<>())
      .def_readwrite("state", &magpk::InitialState::state)
      .def_readwrite("pool_forms", &magpk::InitialState::pool_forms);
  py::class_<magpk::SimulationRequest>(m, "SimulationRequest")
      .def(py::init<>())
      .def_readwrite("covariates", &magpk::SimulationRequest::covariates)
      .def_readwrite("physiology", &magpk::SimulationRequest::physiology)
      .def_readwrite("regimen", &magpk::SimulationRequest::regimen)
      .def_readwrite("t_end_h", &magpk::SimulationRequest::t_end_h)
      .def_readwrite("output_times_h", &magpk::SimulationRequest::output_times_h)
      .def_readwrite("solver", &magpk::SimulationRequest::solver)
      .def_readwrite("has_initial", &magpk::SimulationRequest::has_initial)
      .def_readwrite("initial", &magpk::SimulationRequest::initial);
  py::class_<magpk::SimulationResult>(m, "SimulationResult")
      .def_readonly("subject", &magpk::SimulationResult::subject)
      .def_readonly("pool_forms", &magpk::SimulationResult::pool_forms)
      .def_readonly("steady_state_serum_mmol_l",
                    &magpk::SimulationResult::steady_state_serum_mmol_l)
      .def_readonly("metrics", &magpk::SimulationResult::metrics)
      .def_property_readonly("table",
                             [](const magpk::SimulationResult& r) {
                               return magpk::output_table(r.supplemented, r.subject);
                             })
      .def_property_readonly("baseline_table",
                             [](const magpk::SimulationResult& r) {
                               return magpk::output_table(r.baseline, r.subject);
                             })
      .def_property_readonly("states",
                             [](const magpk::SimulationResult& r) { return r.supplemented.states; })
      .def_property_readonly(
          "final_state",
          [](const magpk::SimulationResult& r) { return magpk::State(r.supplemented.final_state); })
      .def_property_readonly("steps",
                             [](const magpk::SimulationResult& r) { return r.supplemented.steps; });
  m.def("output_columns", &magpk::output_columns);
  m.def("metric_names", &magpk::metric_names);
  m.def("metric_values", &magpk::metric_values);
  m.def("serum_thresholds_above", &magpk::serum_thresholds_above);
  m.attr("HYPO_THRESHOLD_MMOL_L") = magpk::kHypoThreshold;
  m.attr("MAX_RUN_H") = magpk::kMaxRunH;
  m.attr("MG_PER_MMOL") = magpk::units::kMgPerMmol;
  m.attr("MEQ_PER_MMOL") = magpk::units::kMeqPerMmol;
  m.attr("MG_DL_PER_MMOL_L") = magpk::units::kMgDlPerMmolL;
  m.attr("REFERENCE_INTERVAL_HIGH_MMOL_L") = magpk::kReferenceIntervalHigh;
  m.def(
      "simulate",
      [](magpk::SimulationRequest request) {
        // Long runs poll for Ctrl-C. Taking the GIL can wait for another busy
        // Python thread, so it is taken at most every 50 ms of wall time.
        auto last_check = std::chrono::steady_clock::now();
        request.solver.should_stop = [last_check]() mutable {
          const auto now = std::chrono::steady_clock::now();
          if (now - last_check < std::chrono::milliseconds(50)) return false;
          last_check = now;
          py::gil_scoped_acquire gil;
          return PyErr_CheckSignals() != 0;
        };
        try {
          py::gil_scoped_release release;
          return magpk::simulate(request);
        } catch (const magpk::Interrupted&) {
          throw py::error_already_set();  // the KeyboardInterrupt set by PyErr_CheckSignals
        }
      },
      py::arg("request"), "Simulate one request (GIL released; Ctrl-C interrupts).");
}
