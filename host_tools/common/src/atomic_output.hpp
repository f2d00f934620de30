// Writes a set of output files so that either all of them appear, complete, or none changes.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace host_tools {

/// Usage: reserve() every output early (an unusable path then fails before any work is done),
/// write() each one's content, then commit(). Throws tool_error(io) naming the file on any
/// failure; destroying an uncommitted transaction deletes its temporary files.
///
/// What each kind of target gets:
/// - absent, or a regular file: the content goes to a hidden temporary file in the target's
///   directory, named `.NAME.XXXXXX` (NAME: program_name(), e.g. train_export) whatever the
///   target's name (so a target name of up to NAME_MAX bytes works). commit() renames all of
///   them into place.
/// - a character device (/dev/null, a terminal) or a FIFO, directly or through a symbolic
///   link (/dev/stdout): written through, by write(); nothing is created or renamed, and
///   what a stream has received cannot be taken back.
/// - refused at reserve(): a directory, a block device, a socket, a symbolic link to a regular
///   file or to nothing (replacing it would replace or create a file elsewhere; name that file
///   instead), a mount point, a file marked immutable or append-only, another user's file in
///   a sticky directory (rename would fail on each of these).
///
/// commit() is all-or-nothing for the regular files, as far as the file system allows: every
/// target is checked again first; then each temporary is exchanged with its target
/// (renameat2 RENAME_EXCHANGE), or renamed with RENAME_NOREPLACE where there is none, so the
/// previous content stays under the temporary's name until every rename has succeeded. If
/// one fails, the earlier ones are exchanged back (new files are deleted) and the previous
/// contents are where they were. Limits: a file system without renameat2 exchange (some
/// network and FUSE ones) gets a plain rename that cannot be undone; hard links to a replaced
/// file keep the old content; a crash or SIGKILL in the middle of commit() can leave an old
/// content under a `.NAME.*` name beside its target.
class output_transaction {
 public:
  /// renameat2(AT_FDCWD, from, AT_FDCWD, to, flags), returning 0 or -1 with errno set; a test
  /// passes its own to make a chosen rename fail.
  using rename_function = std::function<int(const char* from, const char* to, unsigned flags)>;

  output_transaction();
  explicit output_transaction(rename_function rename);
  output_transaction(const output_transaction&) = delete;
  output_transaction& operator=(const output_transaction&) = delete;
  ~output_transaction();

  /// Checks `target` and, unless it is written through, creates its temporary file now;
  /// returns the handle for write().
  std::size_t reserve(const std::filesystem::path& target);

  /// Writes the whole content: to the temporary file (flushed to disk), or to the stream.
  void write(std::size_t handle, std::string_view content);

  /// True when `handle`'s target is a device or FIFO, written through rather than replaced;
  /// such outputs are best written last, once nothing else can fail before the commit.
  bool writes_through(std::size_t handle) const;

  /// Moves every temporary file into place, all or none; when it throws, the temporaries are
  /// gone and every target is as it was. Requires every output written.
  void commit();

  /// Deletes the temporary files of an uncommitted transaction; calling it again does nothing.
  void abandon() noexcept;

 private:
  enum class target_kind { new_file, replaced_file, stream };
  struct pending {
    std::filesystem::path target;
    target_kind kind = target_kind::new_file;
    std::filesystem::path temporary;  // empty for a stream
    int fd = -1;                      // of the temporary, until write() closes it
    std::size_t slot = 0;             // in the signal handler's list of temporaries
    bool written = false;
  };
  void forget_temporary(pending& p) noexcept;

  rename_function rename_;
  std::vector<pending> pending_;
};

}  // namespace host_tools
