// A grid's results: one JSON document with everything, and two CSV tables; and the JSON
// document read back, so that shards of a grid can be merged with the same writers.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "grid.hpp"
#include "runner.hpp"

namespace experiments {

/// A shard a merge came from: its folder, which part of the grid it ran, and its own session.
struct shard_session {
  std::string folder;
  std::size_t index = 1;
  std::size_t count = 1;
  nlohmann::ordered_json session;
};

/// What is known about the machine and the session besides the runs themselves.
struct session_info {
  std::string grid_file;
  std::string cpu_model;
  unsigned hardware_threads = 0;
  std::size_t jobs = 0;
  double total_seconds = 0;  ///< loading the data and running every run
  double cpu_seconds = 0;    ///< processor time of all threads over the same span
  double load_seconds = 0;
  std::string kernels;  ///< constnn::kernels::name of the kernels that ran
  /// For a merge (--merge): the shards, in the order given; empty for a session that trained.
  std::vector<shard_session> merged_from;
};

struct dataset_summary {
  dataset_spec spec;
  std::size_t features = 0;
  std::size_t train_examples = 0;
  std::size_t validation_examples = 0;
};

/// Which part of a grid a results.json holds (--shard K/N: the runs at 1-based positions K,
/// K + N, ... of the grid's run list), and what identifies the grid, so that a merge can tell
/// whether shards belong together.
struct shard_info {
  std::size_t index = 1;
  std::size_t count = 1;
  std::vector<std::string> grid_runs;       ///< every run key of the grid, in grid order
  std::vector<dataset_spec> grid_datasets;  ///< every data set the grid's runs use, by name
};

/// results.json: session, the shard (if any), data sets, experiments (with their run keys) and
/// every run with its hyperparameters (its network's input shape and layers too), per-epoch
/// figures (as columns), final error rates, the int8 network's figures (quantize only) and wall
/// time.
std::string results_json(const session_info& session, const std::vector<dataset_summary>& datasets,
                         const std::vector<experiment_spec>& experiments,
                         const std::vector<run_result>& results, const shard_info* shard = nullptr);

/// runs.csv: one row per run, hyperparameters and final figures; then the parameter bytes and,
/// with quantize, the int8 network's parameter bytes and error rates (empty otherwise).
std::string runs_csv(const std::vector<run_result>& results);

/// epochs.csv: one row per run and epoch.
std::string epochs_csv(const std::vector<run_result>& results);

/// A results.json read back: what results_json() wrote it from.
struct results_document {
  nlohmann::ordered_json session;
  std::optional<shard_info> shard;
  std::vector<dataset_summary> datasets;
  std::vector<experiment_spec> experiments;
  std::vector<run_result> runs;
};

/// Parses what results_json() wrote, rebuilding every run_result so that the writers give the
/// same text again (timings included). Each run's key must be the key of its hyperparameters.
/// Throws tool_error(data), one line starting with `name`, at the first thing missing or wrong.
results_document read_results(std::string_view text, const std::string& name);

/// The CPU model from /proc/cpuinfo, or "unknown".
std::string cpu_model();

}  // namespace experiments
