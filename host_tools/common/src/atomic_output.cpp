// Writes a set of output files so that either all of them appear, complete, or none changes.
#include "atomic_output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "error.hpp"
#include "termination.hpp"

namespace host_tools {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail_writing(const fs::path& target, int error) {
  fail_io(fmt::format("{}: cannot write: {}", target.string(), std::strerror(error)));
}

[[noreturn]] void refuse(const fs::path& target, std::string_view why) {
  fail_io(fmt::format("{}: cannot write: {}", target.string(), why));
}

std::string_view kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

// Refusing a block device or a socket: writing a training report onto a disk or into a
// socket is never what was meant.
[[noreturn]] void refuse_kind(const fs::path& target, mode_t mode) {
  if (S_ISDIR(mode)) fail_writing(target, EISDIR);
  refuse(target, fmt::format("it is {}; refusing to write to it", kind_of(mode)));
}

fs::path directory_of(const fs::path& target) {
  return target.has_parent_path() ? target.parent_path() : fs::path(".");
}

// mkstemp creates files readable by the owner only; new outputs get the usual permissions, as
// if created by open(O_CREAT, 0666) under the current umask.
mode_t default_file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return static_cast<mode_t>(0666 & ~mask);
}

// The cases where rename(2) onto an existing regular file fails, found before anything is
// written rather than in the middle of the commit.
void check_replaceable(const fs::path& target, const struct stat& st) {
  struct stat dir {};
  if (::stat(directory_of(target).c_str(), &dir) != 0) fail_writing(target, errno);
  if (st.st_dev != dir.st_dev) refuse(target, "it is a mount point; it cannot be replaced");
  const auto immutable_or_append_only = [](const char* path, int open_flags) {
    const int fd = ::open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | open_flags);
    if (fd < 0) return false;
    int flags = 0;
    const bool marked = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 &&
                        (flags & (FS_IMMUTABLE_FL | FS_APPEND_FL)) != 0;
    ::close(fd);
    return marked;
  };
  if (immutable_or_append_only(target.c_str(), O_NOFOLLOW)) {
    refuse(target, "it is marked immutable or append-only (see lsattr); it cannot be replaced");
  }
  if (immutable_or_append_only(directory_of(target).c_str(), O_DIRECTORY)) {
    refuse(target,
           "its directory is marked immutable or append-only (see lsattr); the file cannot be "
           "replaced");
  }
  const uid_t me = ::geteuid();
  if ((dir.st_mode & S_ISVTX) != 0 && me != 0 && st.st_uid != me && dir.st_uid != me) {
    refuse(target, "it belongs to another user in a sticky directory; it cannot be replaced");
  }
}

// 0 when every byte was written, else errno.
int write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t put = ::write(fd, content.data(), content.size());
    if (put < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    content.remove_prefix(static_cast<std::size_t>(put));
  }
  return 0;
}

bool no_such_flag(int error) {
  return error == EINVAL || error == ENOSYS || error == EOPNOTSUPP;
}

void sync_directory(const fs::path& directory) noexcept {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

output_transaction::output_transaction()
    : output_transaction([](const char* from, const char* to, unsigned flags) {
        return ::renameat2(AT_FDCWD, from, AT_FDCWD, to, flags);
      }) {}

output_transaction::output_transaction(rename_function rename) : rename_(std::move(rename)) {}

output_transaction::~output_transaction() {
  abandon();
}

std::size_t output_transaction::reserve(const fs::path& target) {
  if (target.empty()) fail_writing(target, ENOENT);
  pending p;
  p.target = target;
  mode_t mode = default_file_mode();
  struct stat st {};
  if (::lstat(target.c_str(), &st) != 0) {
    if (errno != ENOENT) fail_writing(target, errno);
    p.kind = target_kind::new_file;
  } else if (S_ISLNK(st.st_mode)) {
    struct stat pointed {};
    if (::stat(target.c_str(), &pointed) != 0) {
      refuse(target, fmt::format("it is a symbolic link that leads nowhere ({}); name the file "
                                 "to create instead",
                                 std::strerror(errno)));
    }
    if (S_ISREG(pointed.st_mode)) {
      std::error_code ec;
      const fs::path real = fs::canonical(target, ec);
      refuse(target, fmt::format("it is a symbolic link to a regular file; to replace that "
                                 "file, name it{}",
                                 ec ? "" : fmt::format(" ({})", real.string())));
    }
    if (!S_ISCHR(pointed.st_mode) && !S_ISFIFO(pointed.st_mode))
      refuse_kind(target, pointed.st_mode);
    p.kind = target_kind::stream;
  } else if (S_ISREG(st.st_mode)) {
    check_replaceable(target, st);
    p.kind = target_kind::replaced_file;
    mode = static_cast<mode_t>(st.st_mode & 0777);
  } else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
    p.kind = target_kind::stream;
  } else {
    refuse_kind(target, st.st_mode);
  }

  if (p.kind == target_kind::stream) {
    // A device that cannot be opened (no permission, no terminal) fails now; a FIFO is not
    // tried, since without a reader yet that is not an error.
    struct stat now {};
    if (::stat(target.c_str(), &now) == 0 && S_ISCHR(now.st_mode)) {
      const int fd = ::open(target.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      if (fd < 0) fail_writing(target, errno);
      ::close(fd);
    }
    pending_.push_back(std::move(p));
    return pending_.size() - 1;
  }

  // The temporary's name does not depend on the target's, so any legal target name works.
  std::string pattern =
      (directory_of(target) / fmt::format(".{}.XXXXXX", program_name())).string();
  pending_.reserve(pending_.size() + 1);  // push_back below then cannot throw
  {
    const termination_signals_deferred deferred;
    const int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) fail_writing(target, errno);
    try {
      p.slot = register_temporary(pattern.c_str());
    } catch (...) {
      ::unlink(pattern.c_str());
      ::close(fd);
      throw;
    }
    p.fd = fd;
    p.temporary = pattern;
    pending_.push_back(std::move(p));
  }
  pending& added = pending_.back();
  if (added.kind == target_kind::replaced_file) {
    // Best effort, as when a shell truncates the file: it stays its owner's.
    [[maybe_unused]] const int ignored = ::fchown(added.fd, st.st_uid, st.st_gid);
  }
  if (::fchmod(added.fd, mode) != 0) fail_writing(target, errno);
  return pending_.size() - 1;
}

void output_transaction::write(std::size_t handle, std::string_view content) {
  pending& p = pending_.at(handle);
  if (p.kind == target_kind::stream) {
    int fd = -1;
    do {
      fd = ::open(p.target.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) fail_writing(p.target, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
      ::close(fd);
      refuse(p.target, "it is no longer a device or FIFO; refusing to write into it");
    }
    const int error = write_all(fd, content);
    const bool closed = ::close(fd) == 0;
    if (error != 0) fail_writing(p.target, error);
    if (!closed && errno != EINTR) fail_writing(p.target, errno);
    p.written = true;
    return;
  }
  if (p.fd < 0) fail_writing(p.target, EBADF);
  if (const int error = write_all(p.fd, content); error != 0) fail_writing(p.target, error);
  // On disk before the rename, so a crash right after commit cannot leave an empty output.
  if (::fsync(p.fd) != 0 && errno != EINVAL) fail_writing(p.target, errno);
  const int fd = p.fd;
  p.fd = -1;
  if (::close(fd) != 0 && errno != EINTR) fail_writing(p.target, errno);
  p.written = true;
}

bool output_transaction::writes_through(std::size_t handle) const {
  return pending_.at(handle).kind == target_kind::stream;
}

void output_transaction::commit() {
  for (const pending& p : pending_) {
    if (!p.written) fail_writing(p.target, EINVAL);
  }
  // The targets may have changed during a long run; each is checked again before any moves.
  // A failed commit leaves no temporary behind, as if the transaction had been abandoned.
  try {
    for (pending& p : pending_) {
      if (p.kind == target_kind::stream) continue;
      struct stat st {};
      if (::lstat(p.target.c_str(), &st) != 0) {
        if (errno != ENOENT) fail_writing(p.target, errno);
        p.kind = target_kind::new_file;
      } else if (S_ISREG(st.st_mode)) {
        check_replaceable(p.target, st);
        p.kind = target_kind::replaced_file;
      } else {
        refuse(p.target, fmt::format("it became {} during the run; refusing to replace it",
                                     kind_of(st.st_mode)));
      }
    }
  } catch (...) {
    abandon();
    throw;
  }

  enum class placed { created, exchanged, replaced_for_good };
  struct step {
    pending* p;
    placed how;
  };
  std::vector<step> steps;
  steps.reserve(pending_.size());
  const termination_signals_deferred deferred;

  // 0, or errno of the failed rename.
  const auto place = [&](pending& p) {
    const char* from = p.temporary.c_str();
    const char* to = p.target.c_str();
    bool exists = p.kind == target_kind::replaced_file;
    for (int attempt = 0; attempt < 2; ++attempt, exists = !exists) {
      if (rename_(from, to, exists ? RENAME_EXCHANGE : RENAME_NOREPLACE) == 0) {
        steps.push_back({&p, exists ? placed::exchanged : placed::created});
        return 0;
      }
      const int error = errno;
      if (no_such_flag(error)) {
        if (rename_(from, to, 0) != 0) return errno;
        steps.push_back({&p, exists ? placed::replaced_for_good : placed::created});
        return 0;
      }
      // The target appeared or vanished since it was checked: try the other way once.
      if (error != (exists ? ENOENT : EEXIST)) return error;
    }
    return exists ? ENOENT : EEXIST;
  };

  for (pending& p : pending_) {
    if (p.kind == target_kind::stream) continue;
    const int error = place(p);
    if (error == 0) continue;
    std::string not_restored;
    for (auto s = steps.rbegin(); s != steps.rend(); ++s) {
      const char* temporary = s->p->temporary.c_str();
      const char* target = s->p->target.c_str();
      bool restored = false;
      switch (s->how) {
        case placed::exchanged:
          restored = rename_(temporary, target, RENAME_EXCHANGE) == 0;
          if (restored) ::unlink(temporary);
          break;
        case placed::created:
          restored = ::unlink(target) == 0;
          break;
        case placed::replaced_for_good:
          break;
      }
      if (restored) {
        forget_temporary(*s->p);
      } else {
        not_restored += fmt::format("; {} could not be restored", s->p->target.string());
        // Its previous content, if any, stays under the temporary's name; keep that file.
        unregister_temporary(s->p->slot);
        s->p->temporary.clear();
      }
    }
    const std::string message =
        fmt::format("{}: cannot write: {}{}", p.target.string(), std::strerror(error),
                    not_restored.empty() ? "; no output was changed" : not_restored);
    abandon();
    fail_io(message);
  }

  // Every output is in place: the previous contents, now under the temporaries' names, go.
  for (const step& s : steps) {
    if (s.how == placed::exchanged) ::unlink(s.p->temporary.c_str());
    unregister_temporary(s.p->slot);
    s.p->temporary.clear();
    sync_directory(directory_of(s.p->target));
  }
  pending_.clear();
}

void output_transaction::forget_temporary(pending& p) noexcept {
  if (p.fd >= 0) ::close(p.fd);
  p.fd = -1;
  if (!p.temporary.empty()) {
    ::unlink(p.temporary.c_str());
    unregister_temporary(p.slot);
    p.temporary.clear();
  }
}

void output_transaction::abandon() noexcept {
  const termination_signals_deferred deferred;
  for (pending& p : pending_) forget_temporary(p);
  pending_.clear();
}

}  // namespace host_tools
