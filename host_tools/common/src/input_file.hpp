// Reads an input file whole, so it is parsed from memory and hashed from the same bytes.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace host_tools {

/// The largest input accepted: a hundred times the largest OCR set, and small enough that the
/// parsed features (at most half as many as bytes) fit in memory in double precision.
inline constexpr std::size_t max_input_bytes = std::size_t{256} << 20;

struct input_file {
  std::filesystem::path path;
  std::string name;   ///< the path as the user wrote it, for messages
  std::string bytes;  ///< the complete content
};

/// What an input holds: CSV text, in which a NUL byte is an error, or binary (an ONNX model).
enum class content { text, binary };

/// Reads `path` to its end; a FIFO or a device is read like a file, so a signal handler must
/// be able to end a read that never finishes. Throws tool_error(io) naming the file when it is
/// missing, unreadable or a directory; tool_error(data) when it is longer than `limit` bytes
/// (by default max_input_bytes; the experiments tool allows more, for Fashion-MNIST) or
/// holds a NUL byte (FILE:LINE:COLUMN of the first) while `kind` is text, which no CSV text
/// has, so /dev/zero or a binary file fails at once.
input_file read_input_file(const std::filesystem::path& path,
                           std::size_t limit = max_input_bytes, content kind = content::text);

}  // namespace host_tools
