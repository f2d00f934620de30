// What the user asked for on the command line, in either of the two accepted forms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host_tools.hpp"

namespace train_export {

/// Upper bounds on sizes, so that a run whose buffers could not exist fails at once as a
/// usage error instead of running out of memory (or overflowing a size) later.
inline constexpr std::size_t max_epochs = 1'000'000;  ///< the per-epoch figures stay small
inline constexpr std::size_t max_hidden = 1'000'000;
inline constexpr std::size_t max_parameters = std::size_t{1} << 25;  ///< 128 MiB in double
inline constexpr std::size_t max_namespace_depth = 8;
inline constexpr std::size_t max_namespace_length = 200;

/// Weights and biases of the network FEATURES -> HIDDEN -> CLASSES. With every argument at
/// most its bound above (features at most max_input_bytes) the result cannot overflow.
constexpr std::size_t parameter_count(std::size_t features, std::size_t hidden,
                                      std::size_t classes) noexcept {
  return (features + 1) * hidden + (hidden + 1) * classes;
}

/// The fewest parameters HIDDEN and CLASSES can give, with a single feature.
constexpr std::size_t min_parameter_count(std::size_t hidden, std::size_t classes) noexcept {
  return parameter_count(1, hidden, classes);
}

enum class precision { single_precision, double_precision };
enum class initialization { random, zero, glorot, he };
enum class optimizer_kind { sgd, momentum, nesterov, adam, adamw };

/// --lr-schedule: the learning rate of epoch e (from 1) from the base rate.
struct schedule_option {
  enum class kind { constant, step, inverse, cosine } type = kind::constant;
  std::size_t every = 1;  ///< step: epochs between changes
  double factor = 1;      ///< step: what each change multiplies by
  double decay = 0;       ///< inverse: lr / (1 + decay * (e - 1))
  std::string text = "constant";
};

/// The option values' own spellings (--init, --optimizer), for every record of a run.
std::string_view init_name(initialization init) noexcept;
std::string_view optimizer_name(optimizer_kind optimizer) noexcept;

/// One output file the user requested, with the option that named it (for messages).
struct output_request {
  std::string option;  ///< e.g. "--metrics" or "METRICS_OUT"
  std::filesystem::path path;
};

struct options {
  bool handout_form = false;  ///< true when the nine positional arguments were given

  std::filesystem::path train;
  std::filesystem::path validation;

  std::size_t epochs = 100;
  std::size_t hidden = 50;
  std::size_t classes = 10;
  initialization init = initialization::random;
  double learning_rate = 0.01;

  /// --input-shape and --layers as given (grammar checked; shapes are checked against the
  /// data once its feature count is known). Without --layers the network is the reference
  /// one: dense:HIDDEN,sigmoid,dense:CLASSES.
  std::optional<tensor_shape> input_shape;
  std::optional<std::vector<layer_spec>> layers;
  /// --model: the network, and perhaps the weights to start from, come from this file (read
  /// before the data; run.cpp then sets input_shape, layers, classes and scalar from it).
  std::optional<std::filesystem::path> model;
  /// --from-onnx: the network and its weights come from this float ONNX model (run.cpp reads
  /// it as it reads a model file with weights; --input-shape completes symbolic axes).
  std::optional<std::filesystem::path> from_onnx;
  /// --quantize int8: after training, calibrate on `calibration` (default: the training set)
  /// and quantize; labels, error rates and the header are then the int8 network's.
  bool quantize = false;
  std::optional<std::filesystem::path> calibration;
  /// Which of the options a model file may also set were given on the command line.
  bool classes_given = false, precision_given = false, init_given = false;

  optimizer_kind optimizer = optimizer_kind::sgd;
  std::string momentum_text = "0.9", beta1_text = "0.9", beta2_text = "0.999", eps_text = "1e-8";
  std::string weight_decay_text = "0";
  std::size_t batch = 1;
  bool shuffle = false;
  schedule_option schedule;
  std::size_t early_stopping = 0;  ///< patience in epochs; 0: off

  /// Whether the training is exactly the reference job's kind: plain per-example SGD in file
  /// order at a constant rate, no weight decay, RANDOM or ZERO init (the first weights drawn as
  /// the reference job draws them, or a model file's). Whether the network is the reference
  /// one is the description's to say.
  bool reference_training() const noexcept {
    return (init == initialization::random || init == initialization::zero) &&
           optimizer == optimizer_kind::sgd && nearest_value<double>(weight_decay_text) == 0 &&
           batch == 1 && !shuffle && schedule.type == schedule_option::kind::constant &&
           early_stopping == 0;
  }
  std::uint64_t seed = 0;
  precision scalar = precision::single_precision;

  std::optional<std::filesystem::path> train_labels;
  std::optional<std::filesystem::path> validation_labels;
  std::optional<std::filesystem::path> metrics;
  std::optional<std::filesystem::path> metrics_json;
  std::optional<std::filesystem::path> header;
  std::optional<std::filesystem::path> save_model;
  std::string header_namespace = "model";
  std::size_t embed_samples = 0;

  bool quiet = false;

  /// The learning rate exactly as typed: a float run uses the float nearest to it, not the
  /// float nearest to the double nearest to it.
  std::string learning_rate_text = "0.01";

  template <class T>
  T learning_rate_as() const {
    return value_as<T>(learning_rate_text);
  }
  /// A value typed on the command line, as the nearest T.
  template <class T>
  static T value_as(const std::string& text) {
    return nearest_value<T>(text);
  }

  /// Every requested output, in a fixed order, with the option that named it.
  std::vector<output_request> outputs() const;
};

/// The result of reading the command line: options to run with, or text already printed
/// (--help, --version) after which the tool exits successfully.
struct command_line {
  std::optional<options> run;
};

/// Parses argv. Prints --help / --version text to stdout. Throws tool_error(usage) with a
/// message naming the option at fault for anything malformed or contradictory.
command_line parse_command_line(int argc, const char* const* argv);

/// The full --help text (also used by tests and the README).
std::string help_text();

}  // namespace train_export
