// Reading (gzipped) IDX files, the format of MNIST and Fashion-MNIST, and writing them as CSV.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fashion_mnist {

/// A problem with an input file; what() names the file and what is wrong with it.
class idx_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The contents of one IDX file of unsigned bytes: `dims` as the header gives them, then
/// the values in row-major order.
struct idx_array {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> values;
};

/// Reads an IDX file of unsigned bytes (type code 0x08), gzipped or not (zlib reads both).
/// Throws idx_error if the file is missing, truncated, of another type, or has extra bytes.
idx_array read_idx(const std::string& path);

/// Labelled images, checked against each other: `count` images of `width` pixels each.
struct labelled_images {
  std::size_t count = 0;
  std::size_t width = 0;
  std::vector<std::uint8_t> pixels;  ///< count * width bytes, image after image
  std::vector<std::uint8_t> labels;  ///< count bytes
};

/// Pairs an images file (3 dims) with its labels file (1 dim) of the same count.
labelled_images load_labelled_images(const std::string& images_path,
                                     const std::string& labels_path);

/// Writes images [first, first + count) as CSV rows "label,p1,...,pW" with every pixel scaled
/// to [0, 1] (byte / 255, as the shortest decimal that reads back as the same float), the
/// format of the OCR data: no header, '\n' line ends.
void write_csv(std::ostream& out, const labelled_images& data, std::size_t first,
               std::size_t count);

}  // namespace fashion_mnist
