// Writes a set of output files so that either all of them appear, complete, or none changes.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace train_export {

/// Usage: reserve() every output early (an unwritable path then fails before any work is
/// done), write() each one's content, then commit(). Until commit() the outputs live in
/// hidden temporary files in the target's own directory, so the final rename is atomic and
/// never crosses file systems; destroying an uncommitted transaction deletes them.
/// Throws tool_error(io) naming the file on any failure.
class output_transaction {
 public:
  output_transaction() = default;
  output_transaction(const output_transaction&) = delete;
  output_transaction& operator=(const output_transaction&) = delete;
  ~output_transaction();

  /// Creates the temporary file for `target` now; returns the handle for write().
  std::size_t reserve(const std::filesystem::path& target);

  void write(std::size_t handle, std::string_view content);

  /// Renames every temporary file onto its target. Requires every reserved output written.
  void commit();

  /// Deletes the temporary files of an uncommitted transaction; calling it again does nothing.
  void abandon() noexcept;

 private:
  struct pending {
    std::filesystem::path target;
    std::filesystem::path temporary;
    bool written = false;
  };
  std::vector<pending> pending_;
  bool committed_ = false;
};

}  // namespace train_export
