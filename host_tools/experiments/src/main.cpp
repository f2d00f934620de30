// constnn_experiments: trains every run of an experiment grid (or of one shard of it),
// independent runs in parallel (one thread each, single-threaded inside), and writes
// results.json, runs.csv and epochs.csv; or merges the results of a grid's shards.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <constnn/core/kernels.hpp>

#include "atomic_output.hpp"
#include "error.hpp"
#include "grid.hpp"
#include "merge.hpp"
#include "results_io.hpp"
#include "run_network.hpp"
#include "runner.hpp"
#include "shard.hpp"
#include "termination.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using namespace experiments;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// Runs task(i) for i in [0, count) on `jobs` threads, in index order of start. The first
// exception stops further starts and is rethrown once every thread has finished.
template <class Task>
void parallel_for(std::size_t count, std::size_t jobs, Task task) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  const auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= count || failed.load()) return;
      try {
        task(i);
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        failed.store(true);
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < std::min(jobs, count); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

struct cli_options {
  std::filesystem::path grid_file = CONSTNN_EXPERIMENTS_DEFAULT_GRID;
  std::vector<std::string> data;
  std::filesystem::path out;
  std::size_t jobs = 0;
  std::vector<std::string> only;
  std::string shard;
  std::vector<std::filesystem::path> merge;
  bool quiet = false;
};

int run_merge(const cli_options& cli) {
  std::error_code ec;
  for (const auto& folder : cli.merge)
    if (std::filesystem::equivalent(folder, cli.out, ec))
      host_tools::fail_usage(fmt::format("--out {} is one of the shards of --merge; the merged "
                                         "results would replace its own",
                                         cli.out.string()));
  // Every check is done before the output folder is touched.
  const merged_results merged = merge_shards(cli.merge);
  std::filesystem::create_directories(cli.out, ec);
  if (ec) host_tools::fail_io(fmt::format("{}: cannot create: {}", cli.out.string(), ec.message()));
  host_tools::output_transaction outputs;
  const auto json_out = outputs.reserve(cli.out / "results.json");
  const auto runs_out = outputs.reserve(cli.out / "runs.csv");
  const auto epochs_out = outputs.reserve(cli.out / "epochs.csv");
  outputs.write(json_out, merged.results_json);
  outputs.write(runs_out, merged.runs_csv);
  outputs.write(epochs_out, merged.epochs_csv);
  outputs.commit();
  if (!cli.quiet)
    std::fprintf(stderr, "constnn_experiments: merged %zu shards; wrote %s\n", cli.merge.size(),
                 (cli.out / "results.json").c_str());
  return 0;
}

int run(const cli_options& cli) {
  const auto start = clock_type::now();
  const std::clock_t cpu_start = std::clock();
  // Before the grid, so a malformed --shard is told as such whatever the grid holds.
  std::optional<shard_choice> shard;
  if (!cli.shard.empty()) shard = parse_shard(cli.shard);
  std::map<std::string, std::string> variables;
  for (const auto& d : cli.data) {
    const auto eq = d.find('=');
    if (eq == std::string::npos || eq == 0)
      host_tools::fail_usage(fmt::format("--data: expected NAME=DIR, not \"{}\"", d));
    variables[d.substr(0, eq)] = d.substr(eq + 1);
  }
  const grid g = load_grid(cli.grid_file, variables, cli.only);
  // The runs this session trains, in grid order: all of them, or the shard's.
  std::vector<const run_spec*> chosen;
  if (shard) {
    for (const std::size_t i : runs_of_shard(g.runs.size(), *shard)) chosen.push_back(&g.runs[i]);
  } else {
    for (const auto& r : g.runs) chosen.push_back(&r);
  }
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t jobs = cli.jobs != 0 ? cli.jobs : threads;

  // Claim the outputs first, so an unwritable folder fails before minutes of training.
  std::error_code ec;
  std::filesystem::create_directories(cli.out, ec);
  if (ec) host_tools::fail_io(fmt::format("{}: cannot create: {}", cli.out.string(), ec.message()));
  host_tools::output_transaction outputs;
  const auto json_out = outputs.reserve(cli.out / "results.json");
  const auto runs_out = outputs.reserve(cli.out / "runs.csv");
  const auto epochs_out = outputs.reserve(cli.out / "epochs.csv");

  // Each data set the runs use once, in the precisions they use, loaded in parallel.
  std::vector<const dataset_spec*> specs;
  for (const auto& [name, spec] : g.datasets)
    if (std::ranges::any_of(chosen, [&](const run_spec* r) { return r->dataset == name; }))
      specs.push_back(&spec);
  std::vector<loaded_dataset> loaded(specs.size());
  parallel_for(specs.size(), jobs, [&](std::size_t i) {
    bool need_float = false, need_double = false;
    for (const run_spec* r : chosen) {
      if (r->dataset != specs[i]->name) continue;
      (r->scalar == scalar_kind::single_precision ? need_float : need_double) = true;
    }
    loaded[i] = load_dataset(*specs[i], need_float, need_double);
  });
  std::map<std::string, const loaded_dataset*> by_name;
  std::vector<dataset_summary> summaries;
  for (const auto& d : loaded) {
    by_name[d.spec.name] = &d;
    const auto& any = d.single_precision ? d.single_precision->train.width
                                         : d.double_precision->train.width;
    const std::size_t n_train = d.single_precision ? d.single_precision->train.size()
                                                   : d.double_precision->train.size();
    const std::size_t n_val = d.single_precision ? d.single_precision->validation.size()
                                                 : d.double_precision->validation.size();
    summaries.push_back({d.spec, any, n_train, n_val});
  }
  const auto summary_of = [&](const run_spec& r) -> const dataset_summary& {
    return *std::ranges::find(summaries, r.dataset,
                              [](const dataset_summary& d) { return d.spec.name; });
  };
  // A network's input against the data is known only now; refuse before any training.
  for (const run_spec* r : chosen)
    check_features(*r, summary_of(*r).features,
                   fmt::format("{}: run {}", cli.grid_file.string(), r->key()));
  const double load_seconds = seconds_since(start);
  if (!cli.quiet) {
    for (const auto& s : summaries)
      std::fprintf(stderr, "constnn_experiments: %s: %zu training and %zu validation examples, %zu features\n",
                   s.spec.name.c_str(), s.train_examples, s.validation_examples, s.features);
    std::fprintf(stderr, "constnn_experiments: data read in %.2f s; %zu runs on %zu threads%s\n",
                 load_seconds, chosen.size(), jobs,
                 shard ? fmt::format(" (shard {}/{} of {} runs)", shard->index, shard->count,
                                     g.runs.size()).c_str()
                       : "");
  }

  // Longest runs first, so the last to finish are short and both cores stay busy.
  std::vector<double> cost(chosen.size());
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const auto& s = summary_of(*chosen[i]);
    cost[i] = estimated_cost(*chosen[i], s.features, s.spec.classes, s.train_examples,
                             s.validation_examples);
  }
  std::vector<std::size_t> order(chosen.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::ranges::sort(order, [&](std::size_t a, std::size_t b) {
    return cost[a] != cost[b] ? cost[a] > cost[b] : a < b;
  });

  std::vector<run_result> results(chosen.size());
  std::mutex print_mutex;
  std::size_t done = 0;
  parallel_for(order.size(), jobs, [&](std::size_t k) {
    const std::size_t i = order[k];
    const run_spec& spec = *chosen[i];
    results[i] = run_one(spec, *by_name.at(spec.dataset));
    const std::lock_guard lock(print_mutex);
    ++done;
    if (!cli.quiet) {
      const auto& r = results[i];
      const auto& last = r.epochs.back();
      std::fprintf(stderr,
                   "[%2zu/%zu] %6.1f s  %-52s  CE train %.4f val %.4f  error train %.4f val %.4f"
                   "  (%.2f s)\n",
                   done, results.size(), seconds_since(start), spec.key().c_str(),
                   last.train_cross_entropy, last.validation_cross_entropy, r.train_error,
                   r.validation_error, r.wall_seconds);
      if (r.int8)
        std::fprintf(stderr,
                     "        int8: error train %.4f val %.4f (float %.4f), parameter bytes %zu "
                     "(float %zu)  (%.2f s)\n",
                     r.int8->train_error, r.int8->validation_error, r.validation_error,
                     r.int8->parameter_bytes, r.int8->float_parameter_bytes, r.int8->seconds);
    }
  });

  session_info session;
  session.grid_file = cli.grid_file.string();
  session.cpu_model = cpu_model();
  session.hardware_threads = threads;
  session.jobs = jobs;
  session.load_seconds = load_seconds;
  session.total_seconds = seconds_since(start);
  session.cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  session.kernels = constnn::kernels::name(constnn::kernels::active());
  shard_info part;
  if (shard) {
    part.index = shard->index;
    part.count = shard->count;
    for (const auto& r : g.runs) part.grid_runs.push_back(r.key());
    for (const auto& [name, d] : g.datasets) part.grid_datasets.push_back(d);
  }
  outputs.write(json_out,
                results_json(session, summaries, g.experiments, results, shard ? &part : nullptr));
  outputs.write(runs_out, runs_csv(results));
  outputs.write(epochs_out, epochs_csv(results));
  outputs.commit();
  if (!cli.quiet)
    std::fprintf(stderr,
                 "constnn_experiments: %zu runs in %.1f s on %zu threads (%.1f s of CPU time); "
                 "wrote %s\n",
                 results.size(), session.total_seconds, jobs, session.cpu_seconds,
                 (cli.out / "results.json").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  host_tools::set_program_name("constnn_experiments");
  host_tools::install_termination_handlers();
  cli_options cli;
  CLI::App app{
      "Trains every run of an experiment grid with constnn (per-example SGD in file order, as\n"
      "train_export trains, unless a run asks for more), independent runs in parallel, and\n"
      "writes OUT/results.json (every run's hyperparameters and network, per-epoch train and\n"
      "validation cross-entropy and error, final error rates, wall time), OUT/runs.csv and\n"
      "OUT/epochs.csv. Each run's network is an MLP (\"hidden\", \"activation\") or one the\n"
      "grid file names in \"networks\" (\"input_shape\", \"layers\", as train_export's\n"
      "--input-shape and --layers take them).\n"
      "With --shard K/N it trains only runs K, K+N, K+2N, ... of the grid's run list (after\n"
      "--only); --merge SHARD_OUT... --out OUT checks that the shards' folders make up the\n"
      "whole grid, each run once, and writes the three files of an unsharded session.\n"
      "Exit status: 0 success, 2 usage error, 3 bad data, grid file or shards, 4 I/O error, 130\n"
      "interrupted (SIGINT or SIGTERM; no result file is written).",
      "constnn_experiments"};
  auto* grid_file =
      app.add_option("--grid", cli.grid_file, "Grid file (JSON)")->capture_default_str();
  auto* data = app.add_option("--data", cli.data,
                              "NAME=DIR: replaces {NAME} in the grid's data set paths (repeatable)");
  app.add_option("--out", cli.out, "Folder for the result files")->required();
  auto* jobs = app.add_option("--jobs", cli.jobs, "Runs at a time (default: hardware threads)");
  auto* only = app.add_option("--only", cli.only,
                              "Run only these experiments of the grid (repeatable)");
  auto* shard = app.add_option("--shard", cli.shard,
                               "K/N: run only the grid's runs at positions K, K+N, K+2N, ... "
                               "(1 <= K <= N); results.json then records the shard and its grid, "
                               "for --merge");
  app.add_option("--merge", cli.merge,
                 "SHARD_OUT...: merge the --out folders of every shard of one grid into --out "
                 "instead of training")
      ->expected(1, -1)
      ->excludes(grid_file)
      ->excludes(data)
      ->excludes(jobs)
      ->excludes(only)
      ->excludes(shard);
  app.add_flag("--quiet", cli.quiet, "Print nothing but errors");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : host_tools::exit_usage_error;
  }
  try {
    return cli.merge.empty() ? run(cli) : run_merge(cli);
  } catch (const host_tools::tool_error& e) {
    std::fprintf(stderr, "constnn_experiments: %s\n", e.what());
    return host_tools::exit_status(e.kind());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "constnn_experiments: internal error: %s\n", e.what());
    return host_tools::exit_internal_error;
  }
}
