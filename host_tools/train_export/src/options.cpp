// What the user asked for on the command line, in either of the two accepted forms.
#include "options.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <constnn/version.hpp>

#include "host_tools.hpp"
#include "version.hpp"

namespace train_export {
namespace {

constexpr std::size_t max_classes = 65536;  // labels are exported as std::uint16_t at most

// Every option value is captured as text and converted here, so each message names the option
// and what it expects, and "010" means ten (CLI11 would read it as octal).
struct raw_command_line {
  std::array<std::string, 9> positional;
  std::string train, validation, train_labels, validation_labels, metrics, metrics_json, header;
  std::string epochs = "100", hidden = "50", classes = "10", init = "random", lr = "0.01";
  std::string seed = "0", precision, header_namespace = "model", embed_samples = "0";
  std::string input_shape, layers, optimizer = "sgd", momentum = "0.9", beta1 = "0.9";
  std::string beta2 = "0.999", eps = "1e-8", weight_decay = "0", batch = "1";
  std::string lr_schedule = "constant", early_stopping = "0", model, from_onnx, save_model;
  std::string quantize, calibration;
  bool quiet = false, shuffle = false;
};

constexpr std::array<const char*, 9> positional_names = {
    "TRAIN",  "VALIDATION", "TRAIN_OUT", "VALIDATION_OUT", "METRICS_OUT", "EPOCHS",
    "HIDDEN", "INIT_FLAG",  "LR"};

// Options that the positional form already sets; giving both would be ambiguous.
constexpr std::array<const char*, 9> positional_equivalents = {
    "--train",   "--validation", "--train-labels", "--validation-labels",
    "--metrics", "--epochs",     "--hidden",       "--init",
    "--lr"};

[[noreturn]] void fail_value(std::string_view option, std::string_view expected,
                             std::string_view text) {
  fail_usage(fmt::format("{}: expected {}, got '{}'", option, expected, text));
}

std::uint64_t parse_whole(std::string_view option, std::string_view text, std::uint64_t min,
                          std::uint64_t max, std::string_view expected) {
  std::uint64_t value = 0;
  const char* const last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, value);
  if (text.empty() || ptr != last || ec != std::errc{} || value < min || value > max) {
    fail_value(option, expected, text);
  }
  return value;
}

std::size_t parse_count(std::string_view option, std::string_view text, std::size_t min) {
  const auto expected = min == 0 ? std::string("a whole number (0 or more)")
                                 : fmt::format("a whole number of at least {}", min);
  return static_cast<std::size_t>(
      parse_whole(option, text, min, std::numeric_limits<std::size_t>::max(), expected));
}

double parse_learning_rate(std::string_view option, std::string_view text) {
  double value = 0;
  const char* const last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, value);
  if (text.empty() || ptr != last || ec != std::errc{} || !std::isfinite(value) || value <= 0) {
    fail_value(option, "a positive number such as 0.01", text);
  }
  return value;
}

std::filesystem::path parse_path(std::string_view option, const std::string& text) {
  if (text.empty()) fail_value(option, "a file name", text);
  return text;
}

std::size_t parse_bounded_count(std::string_view option, std::string_view text, std::size_t min,
                                std::size_t max) {
  return static_cast<std::size_t>(
      parse_whole(option, text, min, max, fmt::format("a whole number from {} to {}", min, max)));
}

bool is_identifier(std::string_view s) {
  if (s.empty() || (std::isdigit(static_cast<unsigned char>(s.front())) != 0)) return false;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
  }
  return true;
}

// C++20's keywords and alternative tokens: as a namespace name each is a syntax error.
constexpr std::string_view cxx_keywords[] = {"alignas",       "alignof",     "and",
                                             "and_eq",        "asm",         "auto",
                                             "bitand",        "bitor",       "bool",
                                             "break",         "case",        "catch",
                                             "char",          "char8_t",     "char16_t",
                                             "char32_t",      "class",       "compl",
                                             "concept",       "const",       "consteval",
                                             "constexpr",     "constinit",   "const_cast",
                                             "continue",      "co_await",    "co_return",
                                             "co_yield",      "decltype",    "default",
                                             "delete",        "do",          "double",
                                             "dynamic_cast",  "else",        "enum",
                                             "explicit",      "export",      "extern",
                                             "false",         "float",       "for",
                                             "friend",        "goto",        "if",
                                             "inline",        "int",         "long",
                                             "mutable",       "namespace",   "new",
                                             "noexcept",      "not",         "not_eq",
                                             "nullptr",       "operator",    "or",
                                             "or_eq",         "private",     "protected",
                                             "public",        "register",    "reinterpret_cast",
                                             "requires",      "return",      "short",
                                             "signed",        "sizeof",      "static",
                                             "static_assert", "static_cast", "struct",
                                             "switch",        "template",    "this",
                                             "thread_local",  "throw",       "true",
                                             "try",           "typedef",     "typeid",
                                             "typename",      "union",       "unsigned",
                                             "using",         "virtual",     "void",
                                             "volatile",      "wchar_t",     "while",
                                             "xor",           "xor_eq",      "final",
                                             "override",      "import",      "module",
                                             "_Pragma"};

// Predefined object-like macros of GCC and Clang in their default GNU modes, and of the C
// library: `namespace linux {` would reach the compiler as `namespace 1 {`.
constexpr std::string_view predefined_macros[] = {"linux", "unix", "i386", "errno", "NULL", "EOF"};

// Why `name` cannot be the header's namespace, or empty when it can. At top level, `std`,
// `std` followed by digits and `posix` are the standard library's ([namespace.std],
// [namespace.future], [namespace.posix]), and `constnn` is the library's own.
std::string namespace_problem(std::string_view name) {
  if (name.size() > max_namespace_length) {
    return fmt::format("{} characters; at most {} are allowed", name.size(), max_namespace_length);
  }
  std::size_t depth = 0;
  for (std::string_view rest = name;;) {
    const auto sep = rest.find("::");
    const std::string_view part = rest.substr(0, sep);
    if (!is_identifier(part)) return {};  // the general message, below
    if (++depth > max_namespace_depth) {
      return fmt::format("nests more than {} namespaces", max_namespace_depth);
    }
    for (const std::string_view keyword : cxx_keywords) {
      if (part == keyword) return fmt::format("'{}' is a C++ keyword or reserved word", part);
    }
    for (const std::string_view macro : predefined_macros) {
      if (part == macro) return fmt::format("'{}' is a predefined macro", part);
    }
    if (part.front() == '_' || part.find("__") != std::string_view::npos) {
      return fmt::format("'{}' is a reserved identifier (it begins with '_' or contains '__')",
                         part);
    }
    if (depth == 1) {
      const bool std_digits = part.starts_with("std") && part.size() > 3 &&
                              part.find_first_not_of("0123456789", 3) == std::string_view::npos;
      if (part == "std" || std_digits || part == "posix") {
        return fmt::format("'{}' is reserved for the C++ standard library", part);
      }
      if (part == "constnn") return "'constnn' is the library's own namespace";
    }
    if (sep == std::string_view::npos) return {};
    rest.remove_prefix(sep + 2);
  }
}

bool is_namespace_name(std::string_view s) {
  for (;;) {
    const auto sep = s.find("::");
    if (!is_identifier(s.substr(0, sep))) return false;
    if (sep == std::string_view::npos) return true;
    s.remove_prefix(sep + 2);
  }
}

// CLI11's default help has one usage line and a blank line too many between option groups.
class help_formatter : public CLI::Formatter {
 public:
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode) const override {
    std::string out = make_description(app) + make_usage(app, name) + make_positionals(app);
    for (const std::string& group : app->get_groups()) {
      const auto opts = app->get_options([&](const CLI::Option* opt) {
        return opt->get_group() == group && opt->nonpositional();
      });
      if (!group.empty() && !opts.empty()) out += make_group(group, false, opts);
    }
    return out + "\n" + make_footer(app);
  }
  std::string make_usage(const CLI::App*, std::string name) const override {
    return fmt::format(
        "Usage:\n"
        "  {0} --train FILE --validation FILE [OPTIONS]\n"
        "  {0} TRAIN VALIDATION TRAIN_OUT VALIDATION_OUT METRICS_OUT EPOCHS HIDDEN INIT_FLAG LR"
        " [OPTIONS]\n",
        name);
  }
};

constexpr std::string_view description =
    "Trains a small classifier with constnn on CSV data, writes its predictions and metrics,\n"
    "and exports the trained weights as a C++ header that firmware can include.\n"
    "\n"
    "The network by default: FEATURES inputs -> dense(HIDDEN) -> sigmoid -> dense(CLASSES)\n"
    "-> softmax, trained with cross-entropy loss by plain SGD, one example at a time, in\n"
    "file order; --layers chooses any other stack, --optimizer and the options after it\n"
    "another training.\n"
    "\n"
    "Data files are CSV without a header row, one example per line: an integer label from 0\n"
    "to CLASSES-1, then the features (real numbers, normally in [0, 1]), e.g. '3,0,1,0.5'.\n"
    "The feature count comes from the file. CRLF line ends, a UTF-8 BOM, a missing final\n"
    "newline and trailing blank lines are accepted.\n";

constexpr std::string_view footer =
    "LAYERS (--layers): comma-separated items, each a layer:\n"
    "  dense:N                          N outputs, fully connected (any input, flattened)\n"
    "  conv2d:F:KHxKW[:sS][:same|:valid] F filters of KH x KW over an image, stride S [1],\n"
    "                                   zero padding keeping ceil(n / S) positions (same)\n"
    "                                   or none (valid) [valid]\n"
    "  conv1d:F:K[:sS][:same|:valid]    the same over a series (LxC)\n"
    "  maxpool:KHxKW[:sS]               largest value of each window, stride S [the window]\n"
    "  avgpool:KHxKW[:sS]               mean of each window, stride S [the window]\n"
    "  globalavgpool                    mean of each channel over all positions\n"
    "  flatten                          the same values as a vector (costs nothing)\n"
    "  relu, sigmoid, tanh              activations\n"
    "The last item must be dense:CLASSES; softmax and cross-entropy follow it. Images are\n"
    "channels last (HxWxC, row-major: the CSV holds each example's H*W*C values in that\n"
    "order), as CMSIS-NN and TFLite store them. At most 24 items. A bad item is a usage\n"
    "error naming it, e.g. 'conv2d:8:5x5 (item 4) needs at least 5x5 input, got 4x2x16'.\n"
    "\n"
    "Outputs are written only when the whole run succeeded. Each file goes to a hidden\n"
    "temporary file beside it (.train_export.XXXXXX) and all are moved into place at the\n"
    "end; if one cannot be, those already moved are put back, so a failed run changes no\n"
    "file (as far as the file system allows; see the README). A character device such as\n"
    "/dev/null, or a FIFO, is written to as it is, never replaced, and may take several\n"
    "outputs. A symbolic link to a regular file, a block device or a socket is refused.\n"
    "Labels files hold one predicted label per line. The metrics file has, for each epoch e,\n"
    "'epoch=e crossentropy(train): X' and 'epoch=e crossentropy(validation): Y', then\n"
    "'error(train): X' and 'error(validation): Y' (numbers in shortest round-trip form);\n"
    "without --train (a model's weights evaluated only) 'crossentropy(validation): Y' and\n"
    "'error(validation): Y'.\n"
    "\n"
    "Progress goes to stderr: a live line when stderr is a terminal, one line per epoch\n"
    "otherwise, nothing with --quiet. Every message is one line: control characters and\n"
    "invalid UTF-8 in file names and values appear as \\xHH.\n"
    "\n"
    "Limits: inputs up to 256 MiB (a NUL byte is a data error); --epochs and --hidden up to\n"
    "1000000; at most 33554432 weights and biases; --namespace up to 8 levels and 200\n"
    "characters, with no C++ keyword, reserved identifier (_X, a__b), predefined macro\n"
    "(linux, unix) or, at top level, std, stdN, posix or constnn.\n"
    "\n"
    "Signals: SIGINT (Ctrl-C) and SIGTERM stop the tool at once, wherever it is (reading a\n"
    "FIFO, in an epoch, writing), with status 130; SIGHUP, SIGQUIT and SIGPIPE end it as\n"
    "usual. Either way its temporary files are deleted first. Once the outputs are being\n"
    "moved into place, a signal waits until that has finished.\n"
    "\n"
    "Exit status:\n"
    "  0    success: every requested output was written\n"
    "  1    internal error (a bug: please report it)\n"
    "  2    usage error: an option or its value is wrong\n"
    "  3    data error: an input's content is wrong (the message gives FILE:LINE:COLUMN),\n"
    "       or training diverged (a weight became NaN or infinite), whatever the outputs\n"
    "  4    I/O error: a file could not be read or written\n"
    "  130  interrupted by Ctrl-C or SIGTERM (SIGHUP, SIGQUIT, SIGPIPE: ended by them)\n"
    "On any failure no output file is created or changed.\n"
    "\n"
    "Examples:\n"
    "  # The handout form: 2 epochs, 4 hidden units, ZERO init, learning rate 0.1\n"
    "  train_export smallTrain.csv smallValidation.csv train_out.labels \\\n"
    "      validation_out.labels metrics_out.txt 2 4 2 0.1\n"
    "\n"
    "  # A CNN on the 16x8 OCR letters, trained with Adam in mini-batches of 16\n"
    "  train_export --train largeTrain.csv --validation largeValidation.csv \\\n"
    "      --input-shape 16x8x1 --init he --optimizer adam --lr 0.002 --batch 16 \\\n"
    "      --shuffle --epochs 20 --header cnn.hpp \\\n"
    "      --layers conv2d:8:3x3:same,relu,maxpool:2x2,conv2d:16:3x3:same,relu,maxpool:2x2,dense:10\n"
    "\n"
    "  # Save the trained network; later export it again without training\n"
    "  train_export --train largeTrain.csv --validation largeValidation.csv \\\n"
    "      --save-model model.json\n"
    "  train_export --train largeTrain.csv --validation largeValidation.csv \\\n"
    "      --model model.json --epochs 0 --header model.hpp\n"
    "\n"
    "  # A model trained in PyTorch (torch.onnx.export): its error on a set, then its\n"
    "  # header after two epochs of fine-tuning\n"
    "  train_export --from-onnx ocr_cnn.onnx --validation largeValidation.csv\n"
    "  train_export --from-onnx ocr_cnn.onnx --train largeTrain.csv \\\n"
    "      --validation largeValidation.csv --epochs 2 --lr 0.001 --header model.hpp\n"
    "\n"
    "  # Train in float for firmware and export a header with 10 self-test samples\n"
    "  train_export --train largeTrain.csv --validation largeValidation.csv \\\n"
    "      --epochs 100 --hidden 50 --lr 0.01 --header model.hpp --embed-samples 10 \\\n"
    "      --metrics-json run.json\n";

struct cli_definition {
  CLI::App app;
  raw_command_line raw;
};

void define_options(cli_definition& cli) {
  CLI::App& app = cli.app;
  raw_command_line& raw = cli.raw;
  auto formatter = std::make_shared<help_formatter>();
  formatter->column_width(30);
  formatter->label("Positionals",
                   "Handout form (all nine, in this order; the named options "
                   "below may follow)");
  app.formatter(formatter);
  app.footer(std::string(footer));
  app.set_help_flag();  // re-added last, so the group that holds it is listed last
  // Repeats are reported by convert() in our own words rather than CLI11's "At Most 1".
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  const std::array<const char*, 9> positional_help = {
      "Training CSV",
      "Validation CSV",
      "Output: predicted label of each training example",
      "Output: predicted label of each validation example",
      "Output: metrics file (cross-entropies per epoch, error rates)",
      "Number of passes over the training data (>= 1)",
      "Hidden units (>= 1)",
      "1 = RANDOM (weights uniform in [-0.1, 0.1], biases 0), 2 = ZERO",
      "Learning rate (> 0)"};
  for (std::size_t i = 0; i < positional_names.size(); ++i) {
    app.add_option(positional_names[i], raw.positional[i], positional_help[i])->type_name("");
  }

  const std::string inputs = "Inputs";
  app.add_option("--train", raw.train,
                 "Training CSV (required in the named form, but with a\n"
                 "--model or --from-onnx whose weights are only evaluated)")
      ->option_text("FILE")
      ->group(inputs);
  app.add_option("--validation", raw.validation, "Validation CSV (required in the named form)")
      ->option_text("FILE")
      ->group(inputs);
  app.add_option("--classes", raw.classes,
                 "Number of classes; labels must be below it [10, or the\n"
                 "model file's]")
      ->option_text("N")
      ->group(inputs);
  app.add_option("--model", raw.model,
                 "A model file (--save-model's JSON): its network instead\n"
                 "of --layers, its classes and precision, and its weights\n"
                 "(if it has them) as the start of training instead of\n"
                 "--init; with --epochs 0 they are only evaluated and exported")
      ->option_text("FILE")
      ->group(inputs);
  app.add_option("--from-onnx", raw.from_onnx,
                 "An ONNX model (e.g. from torch.onnx.export): its network\n"
                 "and weights, taken as --model takes a model file's (a\n"
                 "QDQ-quantized one as an int8 network that only predicts);\n"
                 "--input-shape completes axes of unknown size")
      ->option_text("FILE")
      ->group(inputs);

  const std::string training = "Training";
  app.add_option("--calibration", raw.calibration,
                 "CSV whose examples calibrate --quantize's activation\n"
                 "ranges [the training set]")
      ->option_text("FILE")
      ->group(inputs);
  app.add_option("--epochs", raw.epochs,
                 "Passes over the training data; 0 with a --model that has\n"
                 "weights [100]")
      ->option_text("N")
      ->group(training);
  app.add_option("--hidden", raw.hidden,
                 "Hidden units of the default network (without --layers) [50]")
      ->option_text("N")
      ->group(training);
  app.add_option("--input-shape", raw.input_shape,
                 "How each example's features are read: N (a vector),\n"
                 "LxC (a series of L steps of C channels) or HxWxC (an\n"
                 "image, channels last); its size must be the CSV's\n"
                 "feature count [the feature count: a vector]")
      ->option_text("SHAPE")
      ->group(training);
  app.add_option("--layers", raw.layers,
                 "The network, comma-separated (see LAYERS below); it must\n"
                 "end with dense:CLASSES, after which softmax and\n"
                 "cross-entropy follow [dense:HIDDEN,sigmoid,dense:CLASSES]")
      ->option_text("SPEC")
      ->group(training);
  app.add_option("--init", raw.init,
                 "random: weights uniform in [-0.1, 0.1]; zero: everything 0;\n"
                 "glorot: U[-a, a], a = sqrt(6 / (fan_in + fan_out)); he:\n"
                 "a = sqrt(6 / fan_in); biases start at 0 [random]")
      ->option_text("random|zero|glorot|he")
      ->group(training);
  app.add_option("--lr", raw.lr, "Learning rate [0.01]")->option_text("X")->group(training);
  app.add_option("--optimizer", raw.optimizer,
                 "sgd; momentum and nesterov (PyTorch's: v = mu v + g);\n"
                 "adam; adamw (decoupled weight decay) [sgd]")
      ->option_text("NAME")
      ->group(training);
  app.add_option("--momentum", raw.momentum, "mu of momentum and nesterov [0.9]")
      ->option_text("X")
      ->group(training);
  app.add_option("--beta1", raw.beta1, "Adam's first-moment decay [0.9]")
      ->option_text("X")
      ->group(training);
  app.add_option("--beta2", raw.beta2, "Adam's second-moment decay [0.999]")
      ->option_text("X")
      ->group(training);
  app.add_option("--eps", raw.eps, "Adam's epsilon [1e-8]")->option_text("X")->group(training);
  app.add_option("--weight-decay", raw.weight_decay,
                 "L2 weight decay (adamw: decoupled) [0; adamw 0.01]")
      ->option_text("X")
      ->group(training);
  app.add_option("--batch", raw.batch,
                 "Examples whose gradients are averaged into one update [1]")
      ->option_text("N")
      ->group(training);
  app.add_flag("--shuffle", raw.shuffle,
               "A new order of the training examples each epoch, from\n"
               "--seed (the same on every platform) [file order]")
      ->group(training);
  app.add_option("--lr-schedule", raw.lr_schedule,
                 "constant; step:E:F (times F every E epochs);\n"
                 "inverse:D (lr / (1 + D (e - 1))); cosine (to 0 over\n"
                 "--epochs) [constant]")
      ->option_text("SCHEDULE")
      ->group(training);
  app.add_option("--early-stopping", raw.early_stopping,
                 "Stop after N epochs without a lower validation loss and\n"
                 "keep the best epoch's weights [0: off]")
      ->option_text("N")
      ->group(training);
  app.add_option("--quantize", raw.quantize,
                 "int8: after training, quantize the network to TFLite's\n"
                 "int8 scheme (per-channel weights, calibrated activations);\n"
                 "labels, error rates and the header are the int8 network's,\n"
                 "the float figures printed beside them")
      ->option_text("int8")
      ->group(training);
  app.add_option("--seed", raw.seed, "Seed of the RANDOM initialisation [0]")
      ->option_text("N")
      ->group(training);
  app.add_option("--precision", raw.precision,
                 "Scalar type of training and export [float; double in the\n"
                 "handout form]. float is what firmware runs, so the host's\n"
                 "results then match the firmware's bit for bit")
      ->option_text("float|double")
      ->group(training);

  const std::string outputs = "Outputs (each optional)";
  app.add_option("--train-labels", raw.train_labels, "Predicted label of each training example")
      ->option_text("FILE")
      ->group(outputs);
  app.add_option("--validation-labels", raw.validation_labels,
                 "Predicted label of each validation example")
      ->option_text("FILE")
      ->group(outputs);
  app.add_option("--metrics", raw.metrics, "Metrics in the handout's text format")
      ->option_text("FILE")
      ->group(outputs);
  app.add_option("--metrics-json", raw.metrics_json,
                 "The same figures plus hyperparameters, timings and the\n"
                 "inputs' SHA-256, as JSON")
      ->option_text("FILE")
      ->group(outputs);
  app.add_option("--header", raw.header,
                 "C++ header with the network type and trained weights, for firmware")
      ->option_text("FILE")
      ->group(outputs);
  app.add_option("--save-model", raw.save_model,
                 "The trained network as a model file: its description and\n"
                 "every weight exactly (JSON), for --model later")
      ->option_text("FILE")
      ->group(outputs);
  app.add_option("--namespace", raw.header_namespace, "Namespace of the header's contents [model]")
      ->option_text("NAME")
      ->group(outputs);
  app.add_option("--embed-samples", raw.embed_samples,
                 "Put the first N validation examples and the host's\n"
                 "predictions for them in the header, so firmware can\n"
                 "check itself [0]")
      ->option_text("N")
      ->group(outputs);
  const std::string other = "Other";
  app.add_flag("-q,--quiet", raw.quiet, "Print no progress (errors and warnings still appear)")
      ->group(other);
  app.set_help_flag("-h,--help", "Print this help and exit")->group(other);
  app.set_version_flag(
         "--version",
         fmt::format("{} {} (constnn {})", tool_name, tool_version, CONSTNN_VERSION_STRING),
         "Print the version and exit")
      ->group(other);
}

bool given(const CLI::App& app, const std::string& name) {
  return app.count(name) > 0;
}

// A real number in [lo, hi) (or [lo, hi] when hi_inclusive), also within float's range when
// the run is in float; returned as typed, so each precision rounds it once.
std::string parse_real(std::string_view option, const std::string& text, double lo, double hi,
                       bool lo_inclusive, bool hi_inclusive, precision scalar,
                       std::string_view expected) {
  double value = 0;
  const char* const last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, value);
  const bool in_range = (lo_inclusive ? value >= lo : value > lo) &&
                        (hi_inclusive ? value <= hi : value < hi);
  if (text.empty() || ptr != last || ec != std::errc{} || !std::isfinite(value) || !in_range)
    fail_value(option, expected, text);
  if (scalar == precision::single_precision) {
    float as_float = 0;
    const auto [fp, fe] = std::from_chars(text.data(), last, as_float);
    const bool float_ok = fe == std::errc{} && std::isfinite(as_float) &&
                          (lo_inclusive ? as_float >= lo : as_float > lo) &&
                          (hi_inclusive ? as_float <= hi : as_float < hi);
    if (!float_ok) fail_value(option, fmt::format("{} within float's range", expected), text);
  }
  return text;
}

// The options of the network and its training beyond the reference job's.
void convert_network_and_optimizer(const CLI::App& app, const raw_command_line& raw, options& o) {
  if (o.handout_form) {
    for (const char* name : {"--input-shape", "--layers", "--model", "--from-onnx", "--quantize",
                             "--calibration", "--optimizer", "--momentum",
                             "--beta1", "--beta2", "--eps", "--weight-decay", "--batch",
                             "--shuffle", "--lr-schedule", "--early-stopping"}) {
      if (given(app, name))
        fail_usage(fmt::format("{}: not allowed in the handout form, which trains the reference "
                               "network by plain SGD; use --train and --validation",
                               name));
    }
    return;
  }
  if (given(app, "--model")) {
    for (const char* name : {"--input-shape", "--layers", "--hidden"}) {
      if (given(app, name))
        fail_usage(fmt::format("{}: not with --model, whose file gives the network", name));
    }
    o.model = parse_path("--model", raw.model);
  }
  if (given(app, "--from-onnx")) {
    for (const char* name : {"--model", "--layers", "--hidden"}) {
      if (given(app, name))
        fail_usage(fmt::format("{}: not with --from-onnx, whose model gives the network", name));
    }
    o.from_onnx = parse_path("--from-onnx", raw.from_onnx);
  }
  if (given(app, "--quantize")) {
    if (raw.quantize != "int8") fail_value("--quantize", "int8", raw.quantize);
    o.quantize = true;
  }
  if (given(app, "--calibration")) {
    if (!o.quantize) fail_usage("--calibration: only with --quantize int8");
    o.calibration = parse_path("--calibration", raw.calibration);
  } else if (o.quantize && !o.handout_form && !given(app, "--train")) {
    fail_usage("--quantize: calibrates on the training set, and there is no --train; give "
               "--calibration FILE");
  }
  if (given(app, "--input-shape")) o.input_shape = parse_input_shape(raw.input_shape);
  if (given(app, "--layers")) {
    if (given(app, "--hidden"))
      fail_usage("--hidden: only for the default network; with --layers give every width there");
    o.layers = parse_layers(raw.layers);
  }
  const std::string_view optimizer = raw.optimizer;
  if (optimizer == "sgd") {
    o.optimizer = optimizer_kind::sgd;
  } else if (optimizer == "momentum") {
    o.optimizer = optimizer_kind::momentum;
  } else if (optimizer == "nesterov") {
    o.optimizer = optimizer_kind::nesterov;
  } else if (optimizer == "adam") {
    o.optimizer = optimizer_kind::adam;
  } else if (optimizer == "adamw") {
    o.optimizer = optimizer_kind::adamw;
  } else {
    fail_value("--optimizer", "sgd, momentum, nesterov, adam or adamw", raw.optimizer);
  }
  const bool uses_momentum =
      o.optimizer == optimizer_kind::momentum || o.optimizer == optimizer_kind::nesterov;
  const bool uses_adam = o.optimizer == optimizer_kind::adam || o.optimizer == optimizer_kind::adamw;
  const auto only_for = [&](const char* name, bool used, std::string_view which) {
    if (given(app, name) && !used)
      fail_usage(fmt::format("{}: only for --optimizer {}", name, which));
  };
  only_for("--momentum", uses_momentum, "momentum or nesterov");
  only_for("--beta1", uses_adam, "adam or adamw");
  only_for("--beta2", uses_adam, "adam or adamw");
  only_for("--eps", uses_adam, "adam or adamw");
  o.momentum_text = parse_real("--momentum", raw.momentum, 0, 1, true, false, o.scalar,
                               "a number from 0 up to (not including) 1");
  o.beta1_text = parse_real("--beta1", raw.beta1, 0, 1, true, false, o.scalar,
                            "a number from 0 up to (not including) 1");
  o.beta2_text = parse_real("--beta2", raw.beta2, 0, 1, true, false, o.scalar,
                            "a number from 0 up to (not including) 1");
  o.eps_text = parse_real("--eps", raw.eps, 0, 1, false, true, o.scalar,
                          "a positive number of at most 1, such as 1e-8");
  const std::string decay = given(app, "--weight-decay")         ? raw.weight_decay
                            : o.optimizer == optimizer_kind::adamw ? std::string("0.01")
                                                                   : std::string("0");
  o.weight_decay_text = parse_real("--weight-decay", decay, 0, 1, true, false, o.scalar,
                                   "a number from 0 up to (not including) 1");
  o.batch = parse_bounded_count("--batch", raw.batch, 1, 65536);
  o.shuffle = raw.shuffle;
  o.early_stopping = parse_bounded_count("--early-stopping", raw.early_stopping, 0, max_epochs);

  const std::string& sched = raw.lr_schedule;
  o.schedule.text = sched;
  const auto parts = [&] {
    std::vector<std::string> p;
    std::size_t start = 0;
    for (;;) {
      const std::size_t end = sched.find(':', start);
      p.push_back(sched.substr(start, end == std::string::npos ? end : end - start));
      if (end == std::string::npos) return p;
      start = end + 1;
    }
  }();
  const std::string_view form = "constant, step:E:F, inverse:D or cosine";
  if (parts[0] == "constant" && parts.size() == 1) {
    o.schedule.type = schedule_option::kind::constant;
  } else if (parts[0] == "cosine" && parts.size() == 1) {
    o.schedule.type = schedule_option::kind::cosine;
  } else if (parts[0] == "step" && parts.size() == 3) {
    o.schedule.type = schedule_option::kind::step;
    o.schedule.every = static_cast<std::size_t>(
        parse_whole("--lr-schedule", parts[1], 1, max_epochs,
                    fmt::format("step:E:F with E a whole number from 1 to {}", max_epochs)));
    o.schedule.factor = std::stod(parse_real("--lr-schedule", parts[2], 0, 1, false, true,
                                             precision::double_precision,
                                             "step:E:F with F in (0, 1]"));
  } else if (parts[0] == "inverse" && parts.size() == 2) {
    o.schedule.type = schedule_option::kind::inverse;
    o.schedule.decay = std::stod(parse_real("--lr-schedule", parts[1], 0, 1e6, true, true,
                                            precision::double_precision,
                                            "inverse:D with D a number of 0 or more"));
  } else {
    fail_value("--lr-schedule", form, sched);
  }
}

options convert(const CLI::App& app, const raw_command_line& raw) {
  options o;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->nonpositional() && opt->count() > 1 && opt->get_name() != "--quiet" &&
        opt->get_name() != "--shuffle") {
      fail_usage(fmt::format("{}: given {} times; give it once", opt->get_name(), opt->count()));
    }
  }
  std::size_t positionals = 0;
  for (const char* name : positional_names) positionals += given(app, name) ? 1 : 0;
  if (positionals != 0 && positionals != positional_names.size()) {
    fail_usage(fmt::format(
        "the handout form needs all nine positional arguments (TRAIN VALIDATION TRAIN_OUT "
        "VALIDATION_OUT METRICS_OUT EPOCHS HIDDEN INIT_FLAG LR), got {}; "
        "or use --train and --validation (see --help)",
        positionals));
  }
  o.handout_form = positionals == positional_names.size();

  if (o.handout_form) {
    for (std::size_t i = 0; i < positional_equivalents.size(); ++i) {
      if (given(app, positional_equivalents[i])) {
        fail_usage(
            fmt::format("{}: not allowed with the nine positional arguments, whose {} "
                        "already sets it",
                        positional_equivalents[i], positional_names[i]));
      }
    }
    const auto& p = raw.positional;
    o.train = parse_path("TRAIN", p[0]);
    o.validation = parse_path("VALIDATION", p[1]);
    o.train_labels = parse_path("TRAIN_OUT", p[2]);
    o.validation_labels = parse_path("VALIDATION_OUT", p[3]);
    o.metrics = parse_path("METRICS_OUT", p[4]);
    o.epochs = parse_bounded_count("EPOCHS", p[5], 1, max_epochs);
    o.hidden = parse_bounded_count("HIDDEN", p[6], 1, max_hidden);
    if (p[7] != "1" && p[7] != "2") fail_value("INIT_FLAG", "1 (RANDOM) or 2 (ZERO)", p[7]);
    o.init = p[7] == "1" ? initialization::random : initialization::zero;
    o.learning_rate = parse_learning_rate("LR", p[8]);
    o.learning_rate_text = p[8];
    o.scalar = precision::double_precision;
  } else {
    // A model with weights (--model, --from-onnx) can be evaluated and exported without a
    // training set; whether a --model file has weights is known only once it is read.
    const bool model_given = given(app, "--model") || given(app, "--from-onnx");
    if (!given(app, "--train") && !model_given) {
      fail_usage("--train: required (or give the nine positional arguments of the handout form)");
    }
    if (!given(app, "--validation")) fail_usage("--validation: required");
    if (given(app, "--train")) o.train = parse_path("--train", raw.train);
    o.validation = parse_path("--validation", raw.validation);
    o.epochs = parse_bounded_count("--epochs", raw.epochs, model_given ? 0 : 1, max_epochs);
    if (!given(app, "--train")) {
      if (given(app, "--epochs") && o.epochs != 0)
        fail_usage(fmt::format("--epochs: {}, but there is no --train set to train on", o.epochs));
      o.epochs = 0;
      if (given(app, "--train-labels"))
        fail_usage("--train-labels: there is no --train set to label");
    }
    o.hidden = parse_bounded_count("--hidden", raw.hidden, 1, max_hidden);
    if (raw.init == "random") {
      o.init = initialization::random;
    } else if (raw.init == "zero") {
      o.init = initialization::zero;
    } else if (raw.init == "glorot") {
      o.init = initialization::glorot;
    } else if (raw.init == "he") {
      o.init = initialization::he;
    } else {
      fail_value("--init", "random, zero, glorot or he", raw.init);
    }
    o.learning_rate = parse_learning_rate("--lr", raw.lr);
    o.learning_rate_text = raw.lr;
    if (given(app, "--train-labels")) {
      o.train_labels = parse_path("--train-labels", raw.train_labels);
    }
    if (given(app, "--validation-labels")) {
      o.validation_labels = parse_path("--validation-labels", raw.validation_labels);
    }
    if (given(app, "--metrics")) o.metrics = parse_path("--metrics", raw.metrics);
  }

  if (given(app, "--precision")) {
    if (raw.precision != "float" && raw.precision != "double") {
      fail_value("--precision", "float or double", raw.precision);
    }
    o.scalar = raw.precision == "float" ? precision::single_precision : precision::double_precision;
  }
  if (o.scalar == precision::single_precision) {
    float as_float = 0;
    const std::string& text = o.learning_rate_text;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), as_float);
    if (ec != std::errc{} || !std::isfinite(as_float) || as_float <= 0) {
      fail_value(o.handout_form ? "LR" : "--lr", "a positive number within float's range", text);
    }
  }
  o.classes = static_cast<std::size_t>(
      parse_whole("--classes", raw.classes, 2, max_classes,
                  fmt::format("a whole number from 2 to {}", max_classes)));
  o.classes_given = given(app, "--classes");
  o.precision_given = given(app, "--precision");
  o.init_given = !o.handout_form && given(app, "--init");
  o.seed = parse_whole("--seed", raw.seed, 0, std::numeric_limits<std::uint64_t>::max(),
                       "a whole number (0 or more)");
  convert_network_and_optimizer(app, raw, o);
  const std::string hidden_option = o.handout_form ? "HIDDEN" : "--hidden";
  if (!o.layers && min_parameter_count(o.hidden, o.classes) > max_parameters) {
    fail_usage(
        fmt::format("{}: {} hidden units and {} classes make more than {} parameters, "
                    "the limit",
                    hidden_option, o.hidden, o.classes, max_parameters));
  }
  if (given(app, "--metrics-json")) o.metrics_json = parse_path("--metrics-json", raw.metrics_json);
  if (given(app, "--header")) o.header = parse_path("--header", raw.header);
  if (given(app, "--save-model")) o.save_model = parse_path("--save-model", raw.save_model);
  if (const std::string problem = namespace_problem(raw.header_namespace); !problem.empty()) {
    fail_usage(fmt::format("--namespace: {}; choose another name", problem));
  }
  if (!is_namespace_name(raw.header_namespace)) {
    fail_value("--namespace", "a C++ namespace name such as model or app::model",
               raw.header_namespace);
  }
  o.header_namespace = raw.header_namespace;
  o.embed_samples = parse_count("--embed-samples", raw.embed_samples, 0);
  for (const char* header_only : {"--namespace", "--embed-samples"}) {
    if (given(app, header_only) && !o.header) {
      fail_usage(fmt::format("{}: only meaningful with --header FILE", header_only));
    }
  }
  o.quiet = raw.quiet;
  return o;
}

// Paths are compared after resolving '..' and symlinks, and by device and inode when both
// exist, so 'a.csv' and './x/../a.csv' are caught as the same file.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code ec;
  if (std::filesystem::equivalent(a, b, ec) && !ec) return true;
  // absolute() first: weakly_canonical leaves "x" relative but makes "./x" absolute.
  const auto aa = std::filesystem::absolute(a, ec);
  if (ec) return a == b;
  const auto ca = std::filesystem::weakly_canonical(aa, ec);
  if (ec) return a == b;
  const auto ab = std::filesystem::absolute(b, ec);
  if (ec) return a == b;
  const auto cb = std::filesystem::weakly_canonical(ab, ec);
  if (ec) return a == b;
  return ca == cb;
}

// Several outputs may go to one device or FIFO (/dev/null, /dev/stdout into a pipe): they are
// written to it one after the other, never replaced.
bool is_written_through(const std::filesystem::path& p) {
  std::error_code ec;
  const auto status = std::filesystem::status(p, ec);
  return !ec && (status.type() == std::filesystem::file_type::character ||
                 status.type() == std::filesystem::file_type::fifo);
}

void check_output_paths(const options& o) {
  const auto outputs = o.outputs();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    for (const auto& [what, input] :
         {std::pair{"training", o.train}, {"validation", o.validation},
          {"model", o.model.value_or(std::filesystem::path())},
          {"ONNX model", o.from_onnx.value_or(std::filesystem::path())},
          {"calibration", o.calibration.value_or(std::filesystem::path())}}) {
      if (input.empty()) continue;
      if (same_file(outputs[i].path, input)) {
        fail_usage(fmt::format("{}: '{}' is the {} input; refusing to overwrite an input",
                               outputs[i].option, outputs[i].path.string(), what));
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (same_file(outputs[i].path, outputs[j].path) && !is_written_through(outputs[i].path)) {
        fail_usage(fmt::format("{}: '{}' is also the output of {}; give each output its own file",
                               outputs[i].option, outputs[i].path.string(), outputs[j].option));
      }
    }
  }
}

}  // namespace

std::vector<output_request> options::outputs() const {
  std::vector<output_request> list;
  const auto add = [&](const char* named, const char* positional,
                       const std::optional<std::filesystem::path>& path) {
    if (path) list.push_back({handout_form && positional != nullptr ? positional : named, *path});
  };
  add("--train-labels", "TRAIN_OUT", train_labels);
  add("--validation-labels", "VALIDATION_OUT", validation_labels);
  add("--metrics", "METRICS_OUT", metrics);
  add("--metrics-json", nullptr, metrics_json);
  add("--header", nullptr, header);
  add("--save-model", nullptr, save_model);
  return list;
}

std::string_view init_name(initialization init) noexcept {
  switch (init) {
    case initialization::zero:
      return "zero";
    case initialization::glorot:
      return "glorot";
    case initialization::he:
      return "he";
    default:
      return "random";
  }
}

std::string_view optimizer_name(optimizer_kind optimizer) noexcept {
  switch (optimizer) {
    case optimizer_kind::momentum:
      return "momentum";
    case optimizer_kind::nesterov:
      return "nesterov";
    case optimizer_kind::adam:
      return "adam";
    case optimizer_kind::adamw:
      return "adamw";
    default:
      return "sgd";
  }
}

command_line parse_command_line(int argc, const char* const* argv) {
  cli_definition cli{CLI::App(std::string(description), std::string(tool_name)), {}};
  define_options(cli);
  try {
    cli.app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << cli.app.help();
    return {};
  } catch (const CLI::CallForVersion&) {
    std::cout << cli.app.version() << '\n';
    return {};
  } catch (const CLI::ParseError& e) {
    fail_usage(fmt::format("{} (see --help)", e.what()));
  }
  options o = convert(cli.app, cli.raw);
  check_output_paths(o);
  return {std::move(o)};
}

std::string help_text() {
  cli_definition cli{CLI::App(std::string(description), std::string(tool_name)), {}};
  define_options(cli);
  return cli.app.help();
}

}  // namespace train_export
