// Writes a set of output files so that either all of them appear, complete, or none changes.
#include "atomic_output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "error.hpp"

namespace train_export {
namespace {

[[noreturn]] void fail_writing(const std::filesystem::path& target, int error) {
  fail_io(fmt::format("{}: cannot write: {}", target.string(), std::strerror(error)));
}

// mkstemp creates files readable by the owner only; outputs should get the usual
// permissions, as if created by open(O_CREAT, 0666) under the current umask.
mode_t default_file_mode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return static_cast<mode_t>(0666 & ~mask);
}

}  // namespace

output_transaction::~output_transaction() {
  abandon();
}

std::size_t output_transaction::reserve(const std::filesystem::path& target) {
  std::error_code ec;
  if (std::filesystem::is_directory(target, ec)) fail_writing(target, EISDIR);
  const std::filesystem::path directory =
      target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  // Hidden, and named after the target, so a leftover from a crash is easy to attribute.
  std::string name = target.filename().string();
  name.insert(0, 1, '.');
  name.append(".train_export-XXXXXX");
  std::string pattern = (directory / name).string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) fail_writing(target, errno);
  const bool chmod_ok = ::fchmod(fd, default_file_mode()) == 0;
  const int chmod_errno = errno;
  ::close(fd);
  pending_.push_back({target, pattern, false});
  if (!chmod_ok) fail_writing(target, chmod_errno);
  return pending_.size() - 1;
}

void output_transaction::write(std::size_t handle, std::string_view content) {
  pending& p = pending_.at(handle);
  std::FILE* f = std::fopen(p.temporary.c_str(), "wb");
  if (f == nullptr) fail_writing(p.target, errno);
  const std::size_t put = std::fwrite(content.data(), 1, content.size(), f);
  const int write_errno = errno;
  const bool flushed = std::fflush(f) == 0;
  const int flush_errno = errno;
  const bool closed = std::fclose(f) == 0;
  if (put != content.size()) fail_writing(p.target, write_errno);
  if (!flushed || !closed) fail_writing(p.target, flush_errno);
  p.written = true;
}

void output_transaction::commit() {
  for (const pending& p : pending_) {
    if (!p.written) fail_writing(p.target, EINVAL);
  }
  for (const pending& p : pending_) {
    if (std::rename(p.temporary.c_str(), p.target.c_str()) != 0) fail_writing(p.target, errno);
  }
  committed_ = true;
  pending_.clear();
}

void output_transaction::abandon() noexcept {
  if (committed_) return;
  for (const pending& p : pending_) std::remove(p.temporary.c_str());
  pending_.clear();
}

}  // namespace train_export
