// Entry point of the portable firmware example, called by the host's main or the reset handler.
#pragma once

namespace fw {

/// Runs every check and prints the report; returns the process exit status (0: all passed).
int run_example() noexcept;

}  // namespace fw
