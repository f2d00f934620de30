// --shard K/N: which runs of the grid one session trains.
#include "shard.hpp"

#include <charconv>
#include <string>

#include <fmt/format.h>

#include "display_text.hpp"
#include "error.hpp"

namespace experiments {
namespace {

// Digits only (no sign, space or exponent that a stream would let through); 0 for anything
// else, which no shard is.
std::size_t whole_number(std::string_view text) {
  if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != text.npos)
    return 0;
  std::size_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

shard_choice parse_shard(std::string_view text) {
  const std::size_t slash = text.find('/');
  const std::size_t k = whole_number(text.substr(0, slash));
  const std::size_t n = slash == text.npos ? 0 : whole_number(text.substr(slash + 1));
  if (k == 0 || n == 0 || k > n || n > max_shards)
    host_tools::fail_usage(host_tools::one_line(
        fmt::format("--shard: expected K/N, whole numbers with 1 <= K <= N <= {} (like 2/4), "
                    "not \"{}\"",
                    max_shards, text)));
  return {k, n};
}

std::vector<std::size_t> runs_of_shard(std::size_t run_count, const shard_choice& shard) {
  std::vector<std::size_t> runs;
  for (std::size_t i = shard.index - 1; i < run_count; i += shard.count) runs.push_back(i);
  return runs;
}

}  // namespace experiments
