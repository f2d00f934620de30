// Tests of host_tools/fashion_mnist_to_csv/src/idx.hpp: IDX files read through zlib (gzipped
// or not), paired into labelled images, and written in the OCR data's CSV format.
#define BOOST_TEST_MODULE fashion_mnist_idx
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>
#include <zlib.h>

#include "idx.hpp"

namespace {

namespace fs = std::filesystem;

// A scratch folder of the test's own, removed at the end.
struct scratch_dir {
  fs::path path = fs::temp_directory_path() / ("constnn_idx_test_" + std::to_string(::getpid()));
  scratch_dir() { fs::create_directories(path); }
  ~scratch_dir() { fs::remove_all(path); }
};

std::vector<std::uint8_t> idx_bytes(std::vector<std::uint32_t> dims,
                                    const std::vector<std::uint8_t>& values) {
  std::vector<std::uint8_t> b = {0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
  for (const std::uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(d >> shift));
  b.insert(b.end(), values.begin(), values.end());
  return b;
}

// Mode "wb" gzips; "wbT" writes the bytes as they are (zlib's transparent mode).
std::string write_file(const fs::path& p, const std::vector<std::uint8_t>& bytes,
                       const char* mode = "wb") {
  gzFile f = gzopen(p.c_str(), mode);
  BOOST_REQUIRE(f != nullptr);
  BOOST_REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) ==
                static_cast<int>(bytes.size()));
  gzclose(f);
  return p.string();
}

std::string error_of(const std::string& images, const std::string& labels) {
  try {
    fashion_mnist::load_labelled_images(images, labels);
  } catch (const fashion_mnist::idx_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(gzipped_and_plain_idx_files_read_the_same) {
  scratch_dir dir;
  const auto bytes = idx_bytes({2, 3}, {1, 2, 3, 4, 5, 6});
  const auto gz = fashion_mnist::read_idx(write_file(dir.path / "a.gz", bytes));
  const auto plain = fashion_mnist::read_idx(write_file(dir.path / "a", bytes, "wbT"));
  BOOST_TEST(gz.dims == (std::vector<std::uint32_t>{2, 3}), boost::test_tools::per_element());
  BOOST_TEST(gz.values == plain.values, boost::test_tools::per_element());
  BOOST_TEST(gz.values[5] == 6);
}

BOOST_AUTO_TEST_CASE(images_become_csv_rows_of_label_then_pixels_in_0_to_1) {
  scratch_dir dir;
  // Two 1x3 images: pixels 0, 255, 51 and 1, 128, 0; labels 9 and 0.
  const auto images = write_file(dir.path / "i.gz", idx_bytes({2, 1, 3}, {0, 255, 51, 1, 128, 0}));
  const auto labels = write_file(dir.path / "l.gz", idx_bytes({2}, {9, 0}));
  const auto data = fashion_mnist::load_labelled_images(images, labels);
  BOOST_TEST(data.count == 2u);
  BOOST_TEST(data.width == 3u);
  std::ostringstream all;
  fashion_mnist::write_csv(all, data, 0, 2);
  // Shortest decimals that read back as the float nearest byte / 255.
  BOOST_TEST(all.str() == "9,0,1,0.2\n0,0.003921569,0.5019608,0\n");
  std::ostringstream second;
  fashion_mnist::write_csv(second, data, 1, 5);
  BOOST_TEST(second.str() == "0,0.003921569,0.5019608,0\n");
}

BOOST_AUTO_TEST_CASE(bad_files_are_refused_with_the_file_named) {
  scratch_dir dir;
  const auto labels = write_file(dir.path / "l.gz", idx_bytes({2}, {1, 2}));
  const auto images = write_file(dir.path / "i.gz", idx_bytes({2, 1, 1}, {7, 8}));
  const auto missing = (dir.path / "none.gz").string();
  BOOST_TEST(error_of(missing, labels).find("none.gz: cannot open") != std::string::npos);

  auto truncated = idx_bytes({2, 1, 1}, {7, 8});
  truncated.pop_back();
  BOOST_TEST(error_of(write_file(dir.path / "t.gz", truncated), labels).find("ends early") !=
             std::string::npos);

  auto extra = idx_bytes({2, 1, 1}, {7, 8});
  extra.push_back(0);
  BOOST_TEST(error_of(write_file(dir.path / "x.gz", extra), labels).find("extra bytes") !=
             std::string::npos);

  auto wrong_type = idx_bytes({2, 1, 1}, {7, 8});
  wrong_type[2] = 0x0d;  // float data
  BOOST_TEST(error_of(write_file(dir.path / "f.gz", wrong_type), labels).find("unsigned bytes") !=
             std::string::npos);

  const auto three_labels = write_file(dir.path / "l3.gz", idx_bytes({3}, {1, 2, 3}));
  BOOST_TEST(error_of(images, three_labels).find("has 2 images but") != std::string::npos);
  BOOST_TEST(error_of(labels, labels).find("images must have 3 dimensions") != std::string::npos);
}
