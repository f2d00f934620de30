// CNN training throughput: per-example SGD of a small Fashion-MNIST-sized CNN on one core, in
// examples per second, printed next to PyTorch's on the same machine in the same run.
//
//   constnn_cnn_benchmark [--examples N] [--repeat R] [--no-pytorch]
//
// The network: 28x28x1, conv 3x3x8 same, ReLU, max pool 2x2, conv 3x3x16 same, ReLU, max pool
// 2x2, dense 10, softmax cross-entropy (float). Inputs are random images with half their
// pixels 0, as on Fashion-MNIST. PyTorch runs tests/benchmarks/pytorch_cnn_throughput.py (one
// thread, batch 1 and 32) through Debian's /usr/bin/python3; without torch it says so. constnn
// runs on every kernel path the CPU has; the fastest is the one compared with PyTorch.
#include <constnn/constnn.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using cnn = constnn::sequential<
    float, constnn::input<28, 28, 1>, constnn::conv2d<8, 3, 3, 1, constnn::padding::same>,
    constnn::relu, constnn::max_pool2d<2, 2>, constnn::conv2d<16, 3, 3, 1, constnn::padding::same>,
    constnn::relu, constnn::max_pool2d<2, 2>, constnn::flatten, constnn::dense<7 * 7 * 16, 10>,
    constnn::softmax_xent>;

double seconds_of(auto&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t examples = 4000;
  int repeat = 3;
  bool pytorch = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--examples") && i + 1 < argc) {
      examples = std::strtoul(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--no-pytorch")) {
      pytorch = false;
    } else {
      std::fprintf(stderr, "usage: %s [--examples N] [--repeat R] [--no-pytorch]\n", argv[0]);
      return 2;
    }
  }
  if (examples == 0 || repeat <= 0) {
    std::fprintf(stderr, "constnn_cnn_benchmark: --examples and --repeat must be positive\n");
    return 2;
  }

  std::vector<float> x(examples * 784);
  std::vector<int> labels(examples);
  constnn::splitmix64 rng(1);
  for (auto& v : x) v = rng.uniform01<float>() < 0.5f ? 0.f : rng.uniform01<float>();
  for (auto& l : labels) l = static_cast<int>(rng.next() % 10);
  const constnn::dataset_view<float, int> data{x.data(), labels.data(), examples, 784};

  static constnn::model<cnn> m;
  const auto fastest = constnn::kernels::active();
  std::printf("network: 28x28x1 conv3x3x8 relu pool conv3x3x16 relu pool dense10, %zu parameters, "
              "training RAM %zu bytes\n",
              cnn::param_count, cnn::training_ram_bytes);
  // Every path this CPU has, the default (fastest) last: its figure is the one compared.
  const auto rate_of = [&](constnn::kernels::path path) {
    constnn::kernels::use(path);
    double best = 1e30;
    for (int r = 0; r < repeat; ++r) {
      m.initialize(constnn::init_scheme::he, 1);
      best = std::min(best, seconds_of([&] {
        constnn::train_epoch(cnn{}, std::span<float>(m.parameters), data, 0.01f,
                             std::span<float>(m.workspace));
      }));
    }
    const double rate = static_cast<double>(examples) / best;
    std::printf("constnn per-example SGD, %s kernels: %.0f examples/s (best of %d passes over %zu "
                "examples)\n",
                constnn::kernels::name(path), rate, repeat, examples);
    return rate;
  };
  double portable = 0;
  for (const auto path : {constnn::kernels::path::portable, constnn::kernels::path::avx2})
    if (path != fastest && constnn::kernels::available(path)) {
      const double rate = rate_of(path);
      if (path == constnn::kernels::path::portable) portable = rate;
    }
  const double ours = rate_of(fastest);
  if (portable > 0)
    std::printf("  %s / portable: %.2fx\n", constnn::kernels::name(fastest), ours / portable);

  if (!pytorch) return 0;
  if (std::system("/usr/bin/python3 -c 'import torch' 2>/dev/null") != 0) {
    std::printf("pytorch: skipped, /usr/bin/python3 cannot import torch (Debian python3-torch)\n");
    return 0;
  }
  const std::string command = "/usr/bin/python3 " CONSTNN_BENCHMARK_DIR
                              "/pytorch_cnn_throughput.py --examples " +
                              std::to_string(examples) + " --repeat " + std::to_string(repeat);
  FILE* out = popen(command.c_str(), "r");
  if (out == nullptr) {
    std::printf("pytorch: could not run %s\n", command.c_str());
    return 1;
  }
  char line[256];
  while (std::fgets(line, sizeof line, out) != nullptr) {
    int batch = 0;
    double rate = 0;
    std::printf("%s", line);
    if (std::sscanf(line, "batch %d: %lf", &batch, &rate) == 2 && rate > 0)
      std::printf("  constnn per-example / pytorch batch %d: %.2fx\n", batch, ours / rate);
  }
  return pclose(out) == 0 ? 0 : 1;
}
