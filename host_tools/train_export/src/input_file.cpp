// Reads an input file whole, so it is parsed from memory and hashed from the same bytes.
#include "input_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "error.hpp"

namespace train_export {
namespace {

struct file_closer {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

[[noreturn]] void fail_reading(const std::string& name, int error) {
  fail_io(fmt::format("{}: cannot read: {}", name, std::strerror(error)));
}

}  // namespace

input_file read_input_file(const std::filesystem::path& path) {
  input_file file{path, path.string(), {}};
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail_reading(file.name, EISDIR);

  const std::unique_ptr<std::FILE, file_closer> stream(std::fopen(path.c_str(), "rb"));
  if (!stream) fail_reading(file.name, errno);

  // Sizing the buffer from the file avoids regrowing it; regular files report their size.
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec) file.bytes.reserve(static_cast<std::size_t>(size));

  char chunk[1 << 16];
  for (;;) {
    const std::size_t got = std::fread(chunk, 1, sizeof chunk, stream.get());
    file.bytes.append(chunk, got);
    if (got < sizeof chunk) break;
  }
  if (std::ferror(stream.get())) fail_reading(file.name, errno != 0 ? errno : EIO);
  return file;
}

}  // namespace train_export
