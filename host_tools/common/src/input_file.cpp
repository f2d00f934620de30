// Reads an input file whole, so it is parsed from memory and hashed from the same bytes.
#include "input_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "error.hpp"

namespace host_tools {
namespace {

[[noreturn]] void fail_reading(const std::string& name, int error) {
  fail_io(fmt::format("{}: cannot read: {}", name, std::strerror(error)));
}

class file_descriptor {
 public:
  explicit file_descriptor(int fd) : fd_(fd) {}
  ~file_descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  file_descriptor(const file_descriptor&) = delete;
  file_descriptor& operator=(const file_descriptor&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

// Where the first NUL of `bytes` is, counted as the CSV reader counts (no BOM in columns).
[[noreturn]] void fail_nul(const std::string& name, std::string_view bytes, std::size_t at) {
  const std::string_view before = bytes.substr(0, at);
  const std::size_t line = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t line_start = line == 0 ? 0 : before.rfind('\n') + 1;
  std::size_t column = at - line_start + 1;
  if (line == 0 && before.starts_with("\xEF\xBB\xBF")) column -= 3;
  fail_data(
      fmt::format("{}:{}:{}: a NUL byte; this is not a CSV text file", name, line + 1, column));
}

}  // namespace

input_file read_input_file(const std::filesystem::path& path, std::size_t limit, content kind) {
  input_file file{path, path.string(), {}};
  if (path.empty()) fail_reading(file.name, ENOENT);
  int opened = -1;
  do {
    opened = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  } while (opened < 0 && errno == EINTR);
  if (opened < 0) fail_reading(file.name, errno);
  const file_descriptor fd(opened);

  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail_reading(file.name, errno);
  if (S_ISDIR(st.st_mode)) fail_reading(file.name, EISDIR);
  // Sizing the buffer from the file avoids regrowing it; only regular files know their size.
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    file.bytes.reserve(std::min(static_cast<std::size_t>(st.st_size), limit + 1));
  }

  char chunk[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd.get(), chunk, sizeof chunk);
    if (got < 0) {
      if (errno == EINTR) continue;
      fail_reading(file.name, errno);
    }
    if (got == 0) break;
    const auto count = static_cast<std::size_t>(got);
    if (const void* nul = kind == content::text ? std::memchr(chunk, '\0', count) : nullptr;
        nul != nullptr) {
      const auto offset = static_cast<std::size_t>(static_cast<const char*>(nul) - chunk);
      file.bytes.append(chunk, offset);
      fail_nul(file.name, file.bytes, file.bytes.size());
    }
    if (count > limit - file.bytes.size()) {
      fail_data(fmt::format("{}: longer than {} MiB, the limit on an input file", file.name,
                            limit >> 20));
    }
    file.bytes.append(chunk, count);
  }
  return file;
}

}  // namespace host_tools
