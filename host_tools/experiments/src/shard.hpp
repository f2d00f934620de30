// A part of a grid's runs (--shard K/N), so that one grid can run as N sessions, on as many
// machines or job-array tasks, whose results --merge puts back together.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace experiments {

/// Shard `index` of `count` (1 <= index <= count).
struct shard_choice {
  std::size_t index = 1;
  std::size_t count = 1;
};

/// The most shards a grid may be split into; more would only make empty ones.
inline constexpr std::size_t max_shards = 100'000;

/// Parses --shard's "K/N": two positive whole numbers, K at most N, N at most max_shards.
/// Throws tool_error(usage), one line naming --shard.
shard_choice parse_shard(std::string_view text);

/// The 0-based indices of shard K/N's runs among `run_count`: positions K, K + N, K + 2N, ...
/// counted from 1, so consecutive runs (often alike in cost) go to different shards.
std::vector<std::size_t> runs_of_shard(std::size_t run_count, const shard_choice& shard);

}  // namespace experiments
