// Writes a grid's results: one JSON document with everything, and two CSV tables.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "grid.hpp"
#include "runner.hpp"

namespace experiments {

/// What is known about the machine and the session besides the runs themselves.
struct session_info {
  std::string grid_file;
  std::string cpu_model;
  unsigned hardware_threads = 0;
  std::size_t jobs = 0;
  double total_seconds = 0;  ///< loading the data and running every run
  double cpu_seconds = 0;    ///< processor time of all threads over the same span
  double load_seconds = 0;
};

struct dataset_summary {
  dataset_spec spec;
  std::size_t features = 0;
  std::size_t train_examples = 0;
  std::size_t validation_examples = 0;
};

/// results.json: session, data sets, experiments (with their run keys) and every run with its
/// hyperparameters (its network's input shape and layers too), per-epoch figures (as columns),
/// final error rates and wall time.
std::string results_json(const session_info& session, const std::vector<dataset_summary>& datasets,
                         const grid& g, const std::vector<run_result>& results);

/// runs.csv: one row per run, hyperparameters and final figures.
std::string runs_csv(const std::vector<run_result>& results);

/// epochs.csv: one row per run and epoch.
std::string epochs_csv(const std::vector<run_result>& results);

/// The CPU model from /proc/cpuinfo, or "unknown".
std::string cpu_model();

}  // namespace experiments
