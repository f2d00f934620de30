// --merge: reads each shard's results.json back, checks that the shards make up one grid, and
// writes the runs again in grid order with the writers every session uses.
#include "merge.hpp"

#include <algorithm>
#include <cstddef>
#include <map>
#include <set>

#include <fmt/format.h>

#include "display_text.hpp"
#include "error.hpp"
#include "input_file.hpp"
#include "results_io.hpp"

namespace experiments {
namespace {

using json = nlohmann::ordered_json;

[[noreturn]] void refuse(const std::string& problem) {
  host_tools::fail_data(host_tools::one_line(problem));
}

// A whole grid's results.json can be large (every epoch of every run, first layers).
constexpr std::size_t max_results_bytes = std::size_t{1} << 30;

struct shard_file {
  std::string name;  // FOLDER/results.json, for messages
  std::string folder;
  results_document doc;
  const shard_info& shard() const { return *doc.shard; }
  std::string shard_text() const { return fmt::format("{}/{}", shard().index, shard().count); }
};

shard_file read_shard(const std::filesystem::path& folder) {
  const std::filesystem::path path = folder / "results.json";
  shard_file f;
  f.name = path.string();
  f.folder = folder.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    refuse(fmt::format("{}: no such file: --merge takes the --out folders of --shard sessions",
                       f.name));
  const auto file = host_tools::read_input_file(path, max_results_bytes);
  f.doc = read_results(file.bytes, f.name);
  if (!f.doc.shard)
    refuse(fmt::format("{}: not the results of a shard (no \"shard\" block): --merge takes the "
                       "--out folders of sessions run with --shard K/N",
                       f.name));
  return f;
}

// Up to three keys, then how many more.
std::string some_keys(const std::vector<std::string>& keys) {
  std::string text;
  for (std::size_t i = 0; i < keys.size() && i < 3; ++i) text += (i ? ", " : "") + keys[i];
  if (keys.size() > 3) text += fmt::format(" and {} more", keys.size() - 3);
  return text;
}

// What makes two shards parts of one grid; empty when they are.
std::string difference(const shard_file& a, const shard_file& b) {
  if (a.shard().count != b.shard().count)
    return fmt::format("one is shard {}, the other {}", a.shard_text(), b.shard_text());
  if (a.shard().grid_runs != b.shard().grid_runs) {
    const auto& x = a.shard().grid_runs;
    const auto& y = b.shard().grid_runs;
    const auto [ix, iy] = std::ranges::mismatch(x, y);
    const std::size_t at = static_cast<std::size_t>(ix - x.begin());
    return fmt::format("their grids' run lists differ at run {} ({} against {})", at + 1,
                       ix == x.end() ? "the end" : *ix, iy == y.end() ? "the end" : *iy);
  }
  if (a.shard().grid_datasets != b.shard().grid_datasets) return "their grids' data sets differ";
  if (a.doc.experiments != b.doc.experiments) return "their grids' experiments differ";
  return {};
}

// The distinct values of one text field of the shards' sessions, joined.
std::string distinct(const std::vector<shard_file>& shards, const char* field) {
  std::vector<std::string> seen;
  for (const auto& s : shards) {
    const std::string v = s.doc.session.value(field, "");
    if (std::ranges::find(seen, v) == seen.end()) seen.push_back(v);
  }
  std::string text;
  for (const auto& v : seen) text += (text.empty() ? "" : "; ") + v;
  return text;
}

// The merged session: the shards' own sessions, and figures over all of them that keep the
// fields of a session that trained (the report reads them): the longest shard's wall time
// (shards run side by side), the sums of their processor time and of their runs at a time.
session_info merged_session(const std::vector<shard_file>& shards) {
  session_info s;
  s.grid_file = distinct(shards, "grid_file");
  s.cpu_model = distinct(shards, "cpu");
  s.kernels = distinct(shards, "kernels");
  for (const auto& f : shards) {
    const json& j = f.doc.session;
    s.hardware_threads = std::max(s.hardware_threads, j.value("hardware_threads", 0u));
    s.jobs += j.value("jobs", std::size_t{0});
    s.load_seconds = std::max(s.load_seconds, j.value("load_seconds", 0.0));
    s.total_seconds = std::max(s.total_seconds, j.value("total_seconds", 0.0));
    s.cpu_seconds += j.value("cpu_seconds", 0.0);
    s.merged_from.push_back({f.folder, f.shard().index, f.shard().count, j});
  }
  return s;
}

}  // namespace

merged_results merge_shards(const std::vector<std::filesystem::path>& folders) {
  std::vector<shard_file> shards;
  for (const auto& folder : folders) shards.push_back(read_shard(folder));
  if (shards.empty()) refuse("--merge: no shard folders given");

  const shard_file& first = shards.front();
  for (const auto& other : shards) {
    const std::string why = difference(first, other);
    if (!why.empty())
      refuse(fmt::format("{} and {} are shards of different grids: {}", first.name, other.name,
                         why));
  }

  // Every run once, in the shard its position gives it.
  const shard_info& grid = first.shard();
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < grid.grid_runs.size(); ++i) position.emplace(grid.grid_runs[i], i);
  std::vector<const run_result*> runs(grid.grid_runs.size(), nullptr);
  std::vector<const shard_file*> holder(grid.grid_runs.size(), nullptr);
  std::map<std::size_t, const shard_file*> by_index;
  for (const auto& f : shards) {
    for (const auto& r : f.doc.runs) {
      const std::string key = r.spec.key();
      const auto at = position.find(key);
      if (at == position.end())
        refuse(fmt::format("{}: run {} is not in the grid of its shard block", f.name, key));
      if (at->second % grid.count != f.shard().index - 1)
        refuse(fmt::format("{}: run {} is the grid's run {}, which shard {}/{} holds, not shard {}",
                           f.name, key, at->second + 1, at->second % grid.count + 1, grid.count,
                           f.shard_text()));
      if (holder[at->second])
        refuse(fmt::format("run {} is in both {} (shard {}) and {} (shard {})", key,
                           holder[at->second]->name, holder[at->second]->shard_text(), f.name,
                           f.shard_text()));
      holder[at->second] = &f;
      runs[at->second] = &r;
    }
    const auto [same, inserted] = by_index.emplace(f.shard().index, &f);
    if (!inserted)
      refuse(fmt::format("{} and {} are both shard {}", same->second->name, f.name,
                         f.shard_text()));
  }
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (!runs[i]) missing.push_back(grid.grid_runs[i]);
  if (!missing.empty()) {
    std::string absent;
    for (std::size_t k = 1; k <= grid.count; ++k)
      if (!by_index.contains(k)) absent += fmt::format("{}{}/{}", absent.empty() ? "" : ", ", k, grid.count);
    refuse(fmt::format("{} of the grid's {} runs are in none of the shards given: {} ({})",
                       missing.size(), runs.size(), some_keys(missing),
                       absent.empty() ? "every shard was given, but without them"
                                      : "shards not given: " + absent));
  }

  // Each shard read only the data sets its runs use; together they are the grid's.
  std::map<std::string, std::pair<dataset_summary, const shard_file*>> datasets;
  for (const auto& f : shards)
    for (const auto& d : f.doc.datasets) {
      const auto [it, inserted] = datasets.emplace(d.spec.name, std::pair{d, &f});
      const dataset_summary& seen = it->second.first;
      if (!inserted && (seen.spec != d.spec || seen.features != d.features ||
                        seen.train_examples != d.train_examples ||
                        seen.validation_examples != d.validation_examples))
        refuse(fmt::format("{} and {} read different data for data set {}", it->second.second->name,
                           f.name, d.spec.name));
    }
  std::vector<dataset_summary> summaries;
  for (const auto& [name, d] : datasets) summaries.push_back(d.first);
  const bool all_read =
      summaries.size() == grid.grid_datasets.size() &&
      std::ranges::equal(summaries, grid.grid_datasets,
                         [](const dataset_summary& s, const dataset_spec& d) { return s.spec == d; });
  if (!all_read)
    refuse(fmt::format("{}: the shards' data sets are not those of their grid's \"grid_datasets\"",
                       first.name));

  std::vector<run_result> ordered;
  ordered.reserve(runs.size());
  for (const run_result* r : runs) ordered.push_back(*r);
  const std::vector<experiment_spec> experiments = first.doc.experiments;
  std::ranges::sort(shards, {}, [](const shard_file& f) { return f.shard().index; });
  session_info session;
  try {
    session = merged_session(shards);
  } catch (const json::exception& e) {
    refuse(fmt::format("a shard's \"session\" block is not as constnn_experiments writes it: {}",
                       e.what()));
  }
  return {results_json(session, summaries, experiments, ordered), runs_csv(ordered),
          epochs_csv(ordered)};
}

}  // namespace experiments
