// Entry points of the portable firmware example: the reset handler's, and the host twin's.
#pragma once

#include <cstddef>

namespace fw {

/// Runs every check for the RAM budget the firmware was built for and prints the report;
/// returns the process exit status (0: all passed).
int run_example() noexcept;

/// The host twin's: the same checks and report for the budget of `target`, which leaves
/// `model_ram_budget` bytes of RAM for the model; 2 if even inference does not fit.
int run_example(const char* target, std::size_t model_ram_budget) noexcept;

}  // namespace fw
