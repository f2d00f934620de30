// The reference job (128 -> 50 -> 10, RANDOM init, lr 0.01, 100 epochs of per-example SGD in
// file order, mean train and validation cross-entropy after every epoch, then predictions
// and error rates) timed on the small, medium and large OCR data, float and double, one core:
//   - through constnn (the run-time-size network train_export uses, and the fixed-size one);
//   - through the textbook loop version (textbook_job.hpp), built in this same program, so
//     the ratio means something on a noisy machine;
//   - through the train_export binary when it was built (CSV parsing and output included).
// It prints figures and never fails on time. Run with --help for the options.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <constnn/constnn.hpp>

#include "constnn_job.hpp"
#include "ocr_csv.hpp"
#include "textbook_job.hpp"

namespace {

using namespace constnn_bench;
using clock_type = std::chrono::steady_clock;

struct settings {
  std::vector<std::string> sizes{"small", "medium", "large"};
  std::vector<std::string> precisions{"float", "double"};
  int epochs = 100;
  int repeat = 3;
  std::size_t hidden = 50;
  bool textbook = true;
  bool fixed = true;
  bool tool = true;
  bool constnn_runtime = true;
};

/// The CPU as /proc/cpuinfo names it, with family/model/stepping, clock and vector units
/// (a virtual machine may report only a generic model name).
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, name = "unknown (no /proc/cpuinfo)", family, model, stepping, mhz, flags;
  const auto value = [&] {
    const auto colon = line.find(':');
    return colon == std::string::npos ? std::string() : line.substr(colon + 2);
  };
  while (std::getline(in, line) && line.find_first_not_of(" \t") != std::string::npos) {
    if (line.rfind("model name", 0) == 0) name = value();
    else if (line.rfind("cpu family", 0) == 0) family = value();
    else if (line.rfind("model\t", 0) == 0) model = value();
    else if (line.rfind("stepping", 0) == 0) stepping = value();
    else if (line.rfind("cpu MHz", 0) == 0) mhz = value();
    else if (line.rfind("flags", 0) == 0) flags = " " + value() + " ";
  }
  std::string vector_units;
  for (const char* f : {"avx2", "avx512f", "fma"})
    if (flags.find(std::string(" ") + f + " ") != std::string::npos)
      vector_units += vector_units.empty() ? f : std::string(" ") + f;
  std::string s = name;
  if (!family.empty())
    s += " (family " + family + " model " + model + " stepping " + stepping + ", " + mhz +
         " MHz, " + (vector_units.empty() ? "no AVX2" : vector_units) + ")";
  return s;
}

/// Which constnn kernels this build and this CPU run (see constnn/core/kernels.hpp).
std::string kernel_path() {
  return constnn::kernels::name(constnn::kernels::active());
}

/// Useful arithmetic of the job, counted densely as a textbook does (zero inputs included,
/// exp/log not counted): per SGD step 2 flops per weight forward, 2 per hidden-to-output
/// weight for the hidden delta, 3 per parameter for the update (dy*x, *lr, subtract); per
/// evaluated example 2 per weight.
double job_flops(std::size_t m, std::size_t d, std::size_t k, std::size_t n_train,
                 std::size_t n_validation, int epochs) {
  const double w = static_cast<double>(m * d + d * k);
  const double params = static_cast<double>(d * (m + 1) + k * (d + 1));
  const double step = 2 * w + 2 * static_cast<double>(d * k) + 3 * params;
  const double eval = 2 * w;
  return static_cast<double>(epochs) *
         (static_cast<double>(n_train) * step +
          static_cast<double>(n_train + n_validation) * eval);
}

template <class F>
double best_seconds(int repeat, F&& f) {
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = clock_type::now();
    f();
    best = std::min(best, std::chrono::duration<double>(clock_type::now() - t0).count());
  }
  return best;
}

struct row_printer {
  double textbook_seconds = 0;
  std::size_t examples = 0;  // SGD steps of the job
  double flops = 0;
  void header() const {
    std::printf("  %-26s %9s %13s %9s %16s\n", "implementation", "seconds", "SGD steps/s",
                "GFLOP/s", "textbook/this");
  }
  void print(const char* name, double seconds, const char* note = "") const {
    std::printf("  %-26s %9.3f %13.0f %9.2f", name, seconds,
                static_cast<double>(examples) / seconds, flops / seconds * 1e-9);
    if (textbook_seconds > 0) {
      std::printf(" %15.2fx", textbook_seconds / seconds);
    } else {
      std::printf(" %16s", "-");
    }
    std::printf("%s\n", note);
    std::fflush(stdout);
  }
};

/// Runs `argv` and returns its wall-clock seconds, or nothing if it failed.
[[maybe_unused]] std::optional<double> run_process(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const auto t0 = clock_type::now();
  const pid_t pid = fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return std::nullopt;
  const double s = std::chrono::duration<double>(clock_type::now() - t0).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return s;
}

template <class T>
void bench_one(const settings& s, const std::string& size, const std::string& precision) {
  const auto dir = ocr_data_dir();
  const auto train_path = dir / (size + "Train.csv");
  const auto validation_path = dir / (size + "Validation.csv");
  const auto train = load_csv<T>(train_path);
  const auto validation = load_csv<T>(validation_path);
  if (!train || !validation) {
    std::printf("%s %s: SKIPPED, cannot read %s or %s (set CONSTNN_OCR_DATA)\n", size.c_str(),
                precision.c_str(), train_path.c_str(), validation_path.c_str());
    return;
  }
  const std::size_t m = train->width, d = s.hidden, k = 10;
  const T lr = T(0.01);
  row_printer rows;
  rows.examples = train->count() * static_cast<std::size_t>(s.epochs);
  rows.flops = job_flops(m, d, k, train->count(), validation->count(), s.epochs);
  std::printf("\n%s data (%zu train, %zu validation), %s, %zu-%zu-%zu, %d epochs, best of %d:\n",
              size.c_str(), train->count(), validation->count(), precision.c_str(), m, d, k,
              s.epochs, s.repeat);
  if (s.textbook) {
    textbook_result tr{};
    rows.textbook_seconds = best_seconds(s.repeat, [&] {
      tr = run_textbook_job<T>(*train, *validation, d, k, s.epochs, lr);
    });
  }
  rows.header();
  if (s.textbook) rows.print("textbook loops", rows.textbook_seconds);
  job_result runtime_result{};
  if (s.constnn_runtime) {
    const runtime_network<T> net({m, d, k});
    const double t = best_seconds(s.repeat, [&] {
      runtime_result = run_constnn_job(net, *train, *validation, s.epochs, lr);
    });
    char note[160];
    std::snprintf(note, sizeof note, "   (train CE %.6f, validation CE %.6f, errors %zu/%zu)",
                  runtime_result.last_train_ce, runtime_result.last_validation_ce,
                  runtime_result.train_errors, runtime_result.validation_errors);
    rows.print("constnn, run-time sizes", t, note);
  }
  if (s.fixed && m == 128 && d == 50) {
    using fixed_net = constnn::sequential<T, constnn::dense<128, 50>, constnn::sigmoid,
                                          constnn::dense<50, 10>, constnn::softmax_xent>;
    job_result fixed_result{};
    const double t = best_seconds(s.repeat, [&] {
      fixed_result = run_constnn_job(fixed_net{}, *train, *validation, s.epochs, lr);
    });
    const bool same = !s.constnn_runtime || (fixed_result.weight_hash == runtime_result.weight_hash &&
                                             fixed_result.prediction_hash == runtime_result.prediction_hash);
    rows.print("constnn, fixed sizes", t, same ? "" : "   (DIFFERS from run-time sizes!)");
  }
#ifdef CONSTNN_TRAIN_EXPORT_PATH
  if (s.tool) {
    const std::filesystem::path tool = CONSTNN_TRAIN_EXPORT_PATH;
    if (!std::filesystem::exists(tool)) {
      std::printf("  %-26s SKIPPED: %s not built\n", "train_export", tool.c_str());
      return;
    }
    const auto out = std::filesystem::temp_directory_path() /
                     ("constnn_bench_" + std::to_string(getpid()));
    std::filesystem::create_directories(out);
    const std::vector<std::string> args{tool.string(), "--train", train_path.string(),
                                        "--validation", validation_path.string(),
                                        "--epochs", std::to_string(s.epochs),
                                        "--hidden", std::to_string(d), "--init", "random",
                                        "--lr", "0.01", "--precision", precision, "--quiet",
                                        "--metrics", (out / "metrics.txt").string(),
                                        "--train-labels", (out / "train.labels").string(),
                                        "--validation-labels", (out / "validation.labels").string()};
    double best = 1e300;
    bool ok = true;
    for (int r = 0; r < s.repeat && ok; ++r) {
      const auto t = run_process(args);
      if (!t) ok = false; else best = std::min(best, *t);
    }
    std::filesystem::remove_all(out);
    if (ok) {
      rows.print("train_export (whole run)", best, "   (process: CSV parsing and outputs included)");
    } else {
      std::printf("  %-26s FAILED to run %s\n", "train_export", tool.c_str());
    }
  }
#endif
}

void usage() {
  std::puts(
      "usage: constnn_job_benchmark [--size small|medium|large]... [--precision float|double]...\n"
      "                             [--epochs N] [--hidden N] [--repeat N]\n"
      "                             [--no-textbook] [--no-fixed] [--no-train-export]\n"
      "                             [--only-runtime]   (constnn's run-time-size job only)\n"
      "Data: $CONSTNN_OCR_DATA, else the folder CMake was configured with.\n"
      "Prints seconds (best of --repeat runs), SGD steps per second, effective GFLOP/s (the\n"
      "job's dense multiply-adds and updates, zeros included) and the textbook/this ratio.");
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  std::vector<std::string> sizes, precisions;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    const auto value = [&]() -> std::string {
      if (a + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++a];
    };
    if (arg == "--size") sizes.push_back(value());
    else if (arg == "--precision") precisions.push_back(value());
    else if (arg == "--epochs") s.epochs = std::atoi(value().c_str());
    else if (arg == "--hidden") s.hidden = static_cast<std::size_t>(std::atoi(value().c_str()));
    else if (arg == "--repeat") s.repeat = std::max(1, std::atoi(value().c_str()));
    else if (arg == "--no-textbook") s.textbook = false;
    else if (arg == "--no-fixed") s.fixed = false;
    else if (arg == "--no-train-export") s.tool = false;
    else if (arg == "--only-runtime") s.textbook = s.fixed = s.tool = false;
    else if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    } else {
      usage();
      return 2;
    }
  }
  if (!sizes.empty()) s.sizes = sizes;
  if (!precisions.empty()) s.precisions = precisions;

  std::printf("CPU: %s\n", cpu_model().c_str());
#if defined(__clang__)
  const char* compiler = "clang++";
#elif defined(__GNUC__)
  const char* compiler = "g++";
#else
  const char* compiler = "c++";
#endif
  std::printf("compiler: %s %s; constnn kernels: %s\n", compiler, __VERSION__,
              kernel_path().c_str());
  std::printf("data: %s\n", ocr_data_dir().c_str());
  std::printf("job: 128-%zu-10 (M from the file), RANDOM seed 0, lr 0.01, %d epochs, per-example "
              "SGD in file order, mean train+validation cross-entropy every epoch, then "
              "predictions; one thread\n",
              s.hidden, s.epochs);
  for (const auto& size : s.sizes) {
    for (const auto& precision : s.precisions) {
      if (precision == "float") bench_one<float>(s, size, precision);
      else if (precision == "double") bench_one<double>(s, size, precision);
      else {
        usage();
        return 2;
      }
    }
  }
  return 0;
}
