// The kinds of failure the host tools report, and the exit status each one maps to.
#pragma once

#include <stdexcept>
#include <string>

namespace host_tools {

/// Why a run failed; scripts tell the kinds apart by exit status, so each has its own.
enum class failure_kind {
  usage,  ///< a bad option or option value: fix the command line
  data,   ///< a readable input whose content is wrong: fix the CSV
  io,     ///< a file that cannot be read or written: fix paths or permissions
};

inline constexpr int exit_success = 0;
inline constexpr int exit_internal_error = 1;
inline constexpr int exit_usage_error = 2;
inline constexpr int exit_data_error = 3;
inline constexpr int exit_io_error = 4;
inline constexpr int exit_interrupted = 130;  // SIGINT/SIGTERM, from termination.cpp's handler

constexpr int exit_status(failure_kind kind) noexcept {
  switch (kind) {
    case failure_kind::usage:
      return exit_usage_error;
    case failure_kind::data:
      return exit_data_error;
    case failure_kind::io:
      return exit_io_error;
  }
  return exit_internal_error;
}

/// A problem to report as `TOOL: <what()>`; the message already names the file and
/// position (FILE:LINE:COLUMN) or the option at fault.
class tool_error : public std::runtime_error {
 public:
  tool_error(failure_kind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  failure_kind kind() const noexcept { return kind_; }

 private:
  failure_kind kind_;
};

[[noreturn]] inline void fail_usage(const std::string& message) {
  throw tool_error(failure_kind::usage, message);
}
[[noreturn]] inline void fail_data(const std::string& message) {
  throw tool_error(failure_kind::data, message);
}
[[noreturn]] inline void fail_io(const std::string& message) {
  throw tool_error(failure_kind::io, message);
}

}  // namespace host_tools
