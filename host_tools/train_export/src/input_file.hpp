// Reads an input file whole, so it is parsed from memory and hashed from the same bytes.
#pragma once

#include <filesystem>
#include <string>

namespace train_export {

struct input_file {
  std::filesystem::path path;
  std::string name;   ///< the path as the user wrote it, for messages
  std::string bytes;  ///< the complete content
};

/// Throws tool_error(io) naming the file when it is missing, unreadable or a directory.
input_file read_input_file(const std::filesystem::path& path);

}  // namespace train_export
