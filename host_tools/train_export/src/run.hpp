// The whole tool as a function: command line in, files out, exit status back.
#pragma once

namespace train_export {

/// Parses the command line, reads and checks both inputs, trains, then writes every requested
/// output at once. Problems are reported on stderr as one "train_export: ..." line.
/// Returns the exit status (see error.hpp and --help).
int run(int argc, const char* const* argv);

}  // namespace train_export
