// --merge: the results of a grid's shards (--shard K/N) put back together as one session's.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace experiments {

/// The three files of a merged grid.
struct merged_results {
  std::string results_json;
  std::string runs_csv;
  std::string epochs_csv;
};

/// Reads FOLDER/results.json of each folder, checks that they are shards of one grid (the same
/// run keys in the same order, data sets, experiments and shard count) that hold every run of
/// it exactly once, and writes the runs in grid order with the writers of an unsharded
/// session: the same text but for the timings and the session block, which lists the shards.
/// Throws tool_error(data), one line naming the folders and runs at fault (tool_error(io) for a
/// results.json that exists but cannot be read).
merged_results merge_shards(const std::vector<std::filesystem::path>& folders);

}  // namespace experiments
