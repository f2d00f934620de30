// IDX reading through zlib and CSV writing with shortest round-trip decimals.
#include "idx.hpp"

#include <array>
#include <charconv>
#include <memory>
#include <system_error>

#include <zlib.h>

namespace fashion_mnist {
namespace {

struct gz_closer {
  void operator()(gzFile f) const noexcept { gzclose(f); }
};
using gz_file = std::unique_ptr<std::remove_pointer_t<gzFile>, gz_closer>;

void read_exactly(gzFile f, const std::string& path, void* out, std::size_t n, const char* what) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    // gzread takes an unsigned count; read in chunks well below its limit.
    const unsigned chunk = n > (1u << 30) ? (1u << 30) : static_cast<unsigned>(n);
    const int got = gzread(f, p, chunk);
    if (got <= 0) {
      int code = 0;
      const char* message = gzerror(f, &code);
      throw idx_error(path + ": " + (code != Z_OK ? std::string(message) : "file ends early") +
                      " while reading " + what);
    }
    p += got;
    n -= static_cast<std::size_t>(got);
  }
}

std::uint32_t big_endian(const unsigned char* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

}  // namespace

idx_array read_idx(const std::string& path) {
  const gz_file f(gzopen(path.c_str(), "rb"));
  if (!f) throw idx_error(path + ": cannot open the file");
  unsigned char magic[4];
  read_exactly(f.get(), path, magic, 4, "the header");
  if (magic[0] != 0 || magic[1] != 0)
    throw idx_error(path + ": not an IDX file (bad magic number)");
  if (magic[2] != 0x08) throw idx_error(path + ": not an IDX file of unsigned bytes (type 0x08)");
  const std::size_t rank = magic[3];
  if (rank == 0 || rank > 4) throw idx_error(path + ": unsupported number of dimensions");
  idx_array a;
  std::size_t total = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    unsigned char b[4];
    read_exactly(f.get(), path, b, 4, "the dimensions");
    a.dims.push_back(big_endian(b));
    total *= a.dims.back();
  }
  if (total > (std::size_t{1} << 31)) throw idx_error(path + ": implausibly large dimensions");
  a.values.resize(total);
  read_exactly(f.get(), path, a.values.data(), total, "the values");
  unsigned char extra;
  if (gzread(f.get(), &extra, 1) != 0) throw idx_error(path + ": extra bytes after the values");
  return a;
}

labelled_images load_labelled_images(const std::string& images_path,
                                     const std::string& labels_path) {
  idx_array images = read_idx(images_path);
  idx_array labels = read_idx(labels_path);
  if (images.dims.size() != 3) throw idx_error(images_path + ": images must have 3 dimensions");
  if (labels.dims.size() != 1) throw idx_error(labels_path + ": labels must have 1 dimension");
  if (images.dims[0] != labels.dims[0]) {
    throw idx_error(images_path + " has " + std::to_string(images.dims[0]) + " images but " +
                    labels_path + " has " + std::to_string(labels.dims[0]) + " labels");
  }
  labelled_images out;
  out.count = images.dims[0];
  out.width = std::size_t{images.dims[1]} * images.dims[2];
  out.pixels = std::move(images.values);
  out.labels = std::move(labels.values);
  return out;
}

void write_csv(std::ostream& out, const labelled_images& data, std::size_t first,
               std::size_t count) {
  // Every byte maps to one of 256 strings; computing them once keeps the output fast.
  std::array<std::string, 256> text;
  for (int v = 0; v < 256; ++v) {
    char buf[32];
    const float scaled = static_cast<float>(v / 255.0);
    const auto r = std::to_chars(buf, buf + sizeof buf, scaled);
    text[static_cast<std::size_t>(v)].assign(buf, r.ptr);
  }
  std::string line;
  for (std::size_t e = first; e < first + count && e < data.count; ++e) {
    line = std::to_string(data.labels[e]);
    const std::uint8_t* px = data.pixels.data() + e * data.width;
    for (std::size_t k = 0; k < data.width; ++k) {
      line += ',';
      line += text[px[k]];
    }
    line += '\n';
    out << line;
  }
}

}  // namespace fashion_mnist
