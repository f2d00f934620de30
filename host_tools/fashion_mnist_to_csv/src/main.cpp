// fashion_mnist_to_csv: turns (Fashion-)MNIST IDX files into the OCR data's CSV format.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "idx.hpp"

namespace {

// Exit statuses, as --help lists them.
constexpr int usage_error = 2;
constexpr int data_error = 3;
constexpr int io_error = 4;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Converts an IDX images file and its labels file (gzipped or not), such as Debian's\n"
      "Fashion-MNIST in /usr/share/datasets/fashion-mnist, to CSV in the OCR data's format:\n"
      "one image per line, the label first, then every pixel scaled to [0, 1]; no header.\n"
      "Exit status: 0 success, 2 usage error, 3 bad input data, 4 I/O error.",
      "fashion_mnist_to_csv"};
  std::string images;
  std::string labels;
  std::string output;
  std::size_t first = 0;
  std::size_t count = 0;
  app.add_option("--images", images, "IDX file of images (e.g. train-images-idx3-ubyte.gz)")
      ->required();
  app.add_option("--labels", labels, "IDX file of labels (e.g. train-labels-idx1-ubyte.gz)")
      ->required();
  app.add_option("--output", output, "CSV file to write (written in full or not at all)")
      ->required();
  app.add_option("--first", first, "Index of the first image to convert [0]");
  app.add_option("--count", count, "Number of images to convert; 0 means all from --first [0]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : usage_error;
  }

  fashion_mnist::labelled_images data;
  try {
    data = fashion_mnist::load_labelled_images(images, labels);
  } catch (const fashion_mnist::idx_error& e) {
    std::cerr << "fashion_mnist_to_csv: " << e.what() << '\n';
    return data_error;
  }
  if (first > data.count || (count != 0 && first + count > data.count)) {
    std::cerr << "fashion_mnist_to_csv: --first " << first << " --count " << count
              << " asks for images past the " << data.count << " in " << images << '\n';
    return usage_error;
  }
  if (count == 0) count = data.count - first;

  // Write beside the target and rename, so a failed run never leaves a truncated CSV.
  const std::string partial = output + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (out) fashion_mnist::write_csv(out, data, first, count);
    out.close();
    if (!out) {
      std::cerr << "fashion_mnist_to_csv: cannot write " << partial << '\n';
      std::remove(partial.c_str());
      return io_error;
    }
  }
  std::error_code ec;
  std::filesystem::rename(partial, output, ec);
  if (ec) {
    std::cerr << "fashion_mnist_to_csv: cannot rename " << partial << " to " << output << ": "
              << ec.message() << '\n';
    std::remove(partial.c_str());
    return io_error;
  }
  return 0;
}
