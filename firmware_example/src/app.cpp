// The firmware example: predicts the embedded samples, checks them against the host, then
// predicts them with the int8 quantization of the same network, and trains on the device
// wherever the network's own training-RAM figure fits the target; then does the same with a
// convolutional network, trained in PyTorch and imported from ONNX where the samples are the
// OCR letters, else with weights computed at compile time.
// The firmware is built for one target's RAM budget; the host twin is told it at run time,
// so one host build serves every target.
#include "app.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <constnn/constnn.hpp>

#include "firmware_model.hpp"
#if defined(CONSTNN_FIRMWARE_HAS_INT8)
#include "firmware_model_int8.hpp"
#endif
#if defined(CONSTNN_FIRMWARE_HAS_ONNX_CNN)
#include "firmware_cnn_onnx.hpp"
#endif
#if defined(CONSTNN_FIRMWARE_HAS_CNN_INT8)
#include "firmware_cnn_int8.hpp"
#endif
#include "platform.hpp"
#include "text_line.hpp"

#if defined(CONSTNN_FIRMWARE_TARGET) != defined(CONSTNN_FIRMWARE_MODEL_RAM_BYTES)
#error "a firmware build defines both CONSTNN_FIRMWARE_TARGET and CONSTNN_FIRMWARE_MODEL_RAM_BYTES, a host twin neither"
#endif

namespace {

/// A line that prints itself, newline included, at the end of the statement that made it.
class out_line : public fw::text_line {
 public:
  out_line() = default;
  out_line(const out_line&) = delete;
  out_line& operator=(const out_line&) = delete;
  ~out_line() {
    text("\n");
    fw::write_text(c_str());
  }
};

template <class T>
bool all_finite(std::span<const T> values) noexcept {
  for (const T v : values)
    if (!constnn::math::isfinite(v)) return false;
  return true;
}

template <class T>
std::uint32_t checksum(std::span<const T> values) noexcept {
  fw::fnv1a32 h;
  for (const T v : values) h.add(v);
  return h.value();
}

/// The network's widths, e.g. 128-50-10.
template <class Net>
fw::text_line& dims_text(fw::text_line& line, const Net& net) {
  for (std::size_t j = 0; j < net.dims().size(); ++j) {
    if (j != 0) line.text("-");
    line.dec(net.dims()[j]);
  }
  return line;
}

template <class Net>
void print_network(const Net& net) {
  out_line line;
  dims_text(line.text("network: "), net);
  line.text(std::is_same_v<typename Net::scalar, float> ? " float, " : " double, ")
      .dec(Net::param_count)
      .text(" parameters (")
      .dec(Net::parameter_bytes)
      .text(" bytes, read from flash)");
}

void print_check(const char* what, bool passed) {
  out_line{}.text("check: ").text(what).text(passed ? ": ok" : ": FAILED");
}

/// On-device SGD, one epoch over the samples, on a RAM copy of the weights. Instantiated only
/// where the training RAM fits, so smaller targets do not even reserve the buffers.
template <class Net, class Label>
bool train_on_device(const Net& net,
                     const constnn::dataset_view<typename Net::scalar, Label>& samples) {
  using T = typename Net::scalar;
  // Weights and training workspace: exactly Net::training_ram_bytes, in .bss.
  static constinit constnn::model<Net> on_device{};
  on_device.parameters = model::parameters;
  const T lr = static_cast<T>(model::learning_rate);

  const constnn::evaluation before =
      constnn::evaluate(net, on_device.parameters, samples, on_device.workspace);
  constnn_bench_begin();
  T first_loss = on_device.train_step(samples.example(0), samples.label(0), lr);
  constnn_bench_end();
  bool losses_finite = all_finite(std::span<const T>(&first_loss, 1));
  for (std::size_t e = 1; e < samples.count; ++e) {
    const T loss = on_device.train_step(samples.example(e), samples.label(e), lr);
    losses_finite = losses_finite && all_finite(std::span<const T>(&loss, 1));
  }
  const constnn::evaluation after =
      constnn::evaluate(net, on_device.parameters, samples, on_device.workspace);

  out_line{}
      .text("training: one epoch of SGD on the device over ")
      .dec(samples.count)
      .text(" samples, lr ")
      .real(lr);
  out_line{}.text("mean cross-entropy before: ").real(before.mean_cross_entropy);
  out_line{}.text("mean cross-entropy after:  ").real(after.mean_cross_entropy);
  out_line{}.text("errors before/after: ").dec(before.errors).text("/").dec(after.errors);
  out_line{}
      .text("trained weights checksum: ")
      .hex(checksum(std::span<const T>(on_device.parameters)));
  const bool finite = losses_finite && all_finite(std::span<const T>(on_device.parameters)) &&
                      all_finite(std::span<const double>(&after.mean_cross_entropy, 1));
  print_check("training losses and weights are finite", finite);
  return finite;
}

/// An int8 part: a network quantized by train_export --quantize int8, its bytes and its
/// samples (on its input grid) in flash, named by H (the header's namespace as a type: its
/// arrays stay constants the compiler sees). Every sample's class must be the one the host's
/// int8 run stored in the header; the outputs' checksum, like every line, must equal the host
/// build's. H::float_network is the float network it was quantized from, whose figures are
/// printed beside; with H::measure the first prediction is counted between markers.
template <class H>
bool run_int8() noexcept {
  using Net8 = typename H::network;
  using Float = typename H::float_network;
  using V = typename Net8::value_type;
  static_assert(Net8::is_fixed, "the firmware needs an int8 network whose sizes are all fixed");
  static_assert(constnn::is_quantized<typename Net8::scalar>,
                "an int8 header is one train_export --quantize int8 writes");
  static_assert(Net8::input_shape::static_size == Float::input_shape::static_size &&
                    Net8::output_shape::static_size == Float::output_shape::static_size,
                "an int8 header must be of its float header's network");
  static_assert(H::predictions.size() > 0,
                "export the int8 header with --embed-samples N, N > 0");
  static constinit typename Net8::inference_workspace ws{};
  const Net8 net;
  {
    out_line line;
    dims_text(line.text(H::name).text(" network: "), net)
        .text(", ")
        .dec(Net8::parameter_bytes)
        .text(" parameter bytes in flash (float ")
        .dec(Float::parameter_bytes)
        .text("), ram: inference ")
        .dec(Net8::inference_ram_bytes)
        .text(" bytes (float ")
        .dec(Float::inference_ram_bytes)
        .text(")");
  }
  out_line{}
      .text(H::name)
      .text(" flash parameters checksum: ")
      .hex(checksum(std::span<const std::int8_t>(H::parameters)));

  const std::size_t width = net.input_size();
  const auto sample = [&](std::size_t e) {
    return std::span<const V>(H::features).subspan(e * width, width);
  };
  if constexpr (H::measure) constnn_bench_begin();
  const std::size_t first = net.predict(H::parameters, sample(0), ws);
  if constexpr (H::measure) constnn_bench_end();

  std::size_t agree = 0;
  std::size_t correct = 0;
  bool produced = true;
  {
    out_line classes;
    classes.text(H::name).text(" inference from flash: classes ");
    fw::fnv1a32 outputs;
    for (std::size_t e = 0; e < H::predictions.size(); ++e) {
      const V* y = net.forward(H::parameters, sample(e), ws);
      produced = produced && y != nullptr;
      if (y == nullptr) break;
      const std::size_t p = net.predicted_class(y);
      classes.dec(p);
      agree += p == H::predictions[e] ? 1 : 0;
      correct += p == static_cast<std::size_t>(H::labels[e]) ? 1 : 0;
      for (std::size_t k = 0; k < net.output_size(); ++k) outputs.add(y[k]);
    }
    classes.text(", outputs checksum ").hex(outputs.value());
  }
  out_line{}
      .text(H::name)
      .text(" inference: ")
      .dec(H::predictions.size())
      .text(" samples, ")
      .dec(agree)
      .text(" agree with the host, ")
      .dec(correct)
      .text(" match their labels");
  const bool passed = produced && agree == H::predictions.size() && first == H::predictions[0];
  print_check(H::check, passed);
  return passed;
}

#if defined(CONSTNN_FIRMWARE_HAS_INT8)
/// The exported network's int8 quantization.
struct model_int8_part {
  using network = model_int8::network;
  using float_network = model::network;
  static constexpr const char* name = "int8";
  static constexpr const char* check = "every int8 prediction equals the host's";
  static constexpr bool measure = true;
  static constexpr const auto& parameters = model_int8::parameters;
  static constexpr const auto& features = model_int8::sample_features;
  static constexpr const auto& labels = model_int8::sample_labels;
  static constexpr const auto& predictions = model_int8::sample_predictions;
};
#endif
#if defined(CONSTNN_FIRMWARE_HAS_CNN_INT8)
/// The imported CNN quantized to int8: its convolutions run the target's int8 kernels (on
/// the DSP cores, the first layer's 3x3 one-channel kernel and the two-window one).
struct model_cnn_int8_part {
  using network = model_cnn_int8::network;
  using float_network = model_cnn::network;
  static constexpr const char* name = "cnn int8";
  static constexpr const char* check = "every cnn int8 prediction equals the host's";
  static constexpr bool measure = false;
  static constexpr const auto& parameters = model_cnn_int8::parameters;
  static constexpr const auto& features = model_cnn_int8::sample_features;
  static constexpr const auto& labels = model_cnn_int8::sample_labels;
  static constexpr const auto& predictions = model_cnn_int8::sample_predictions;
};
#endif

// A convolutional network for the embedded samples' images: 16x8 OCR letters or 28x28
// Fashion-MNIST pictures (channels last, one channel), as many classes as the exported model.
template <std::size_t Features, std::size_t Classes>
struct cnn_for {
  using type = void;  // no image shape known for this input size: the CNN part is skipped
};
template <std::size_t Classes>
struct cnn_for<128, Classes> {
  using type = constnn::sequential<float, constnn::input<16, 8, 1>,
                                   constnn::conv2d<8, 3, 3, 1, constnn::padding::same>,
                                   constnn::relu, constnn::max_pool2d<2, 2>,
                                   constnn::conv2d<16, 3, 3, 1, constnn::padding::same>,
                                   constnn::relu, constnn::max_pool2d<2, 2>, constnn::flatten,
                                   constnn::dense<4 * 2 * 16, Classes>, constnn::softmax_xent>;
};
template <std::size_t Classes>
struct cnn_for<784, Classes> {
  using type = constnn::sequential<
      float, constnn::input<28, 28, 1>, constnn::conv2d<4, 3, 3, 2, constnn::padding::same>,
      constnn::relu, constnn::max_pool2d<2, 2>, constnn::conv2d<8, 3, 3, 1, constnn::padding::same>,
      constnn::relu, constnn::max_pool2d<2, 2>, constnn::flatten,
      constnn::dense<3 * 3 * 8, Classes>, constnn::softmax_xent>;
};

#if defined(CONSTNN_FIRMWARE_HAS_ONNX_CNN)
// The host build imported a CNN for these samples (train_export --from-onnx, namespace
// model_cnn): it takes the place of the one above.
template <std::size_t Classes>
requires(Classes == model_cnn::network::output_shape::static_size) struct cnn_for<
    model_cnn::network::input_shape::static_size, Classes> {
  using type = model_cnn::network;
};
template <class Cnn>
constexpr bool cnn_is_imported = std::is_same_v<Cnn, model_cnn::network>;
#else
template <class Cnn>
constexpr bool cnn_is_imported = false;
#endif

// The CNN's weights in flash: the imported ones, or He-uniform weights computed by the
// compiler (a constant, so they stay in flash; a variable template, so the host twin, which
// instantiates the CNN part twice, computes them once).
template <class Cnn>
constexpr typename Cnn::parameters cnn_flash_parameters = [] {
  typename Cnn::parameters p{};
#if defined(CONSTNN_FIRMWARE_HAS_ONNX_CNN)
  if constexpr (cnn_is_imported<Cnn>) return model_cnn::parameters;
#endif
  constnn::initialize(Cnn{}, std::span<float>(p), constnn::init_scheme::he, 2026);
  return p;
}();

/// RAM for the CNN's training on the device: SGD, then Adam with its two values per weight.
template <class Cnn>
constexpr std::size_t cnn_training_bytes =
    constnn::training_ram_bytes_with<Cnn, constnn::adam_optimizer<float>>;

/// The CNN part: predictions of every sample from the weights in flash (no host prediction
/// to check them against: the host build prints the same lines, and the tests compare the
/// outputs byte for byte), then, where RAM allows, on-device SGD from those weights.
template <class Cnn, bool Trains, class Label>
bool run_cnn(const constnn::dataset_view<float, Label>& samples) noexcept {
  constexpr const typename Cnn::parameters& flash_parameters = cnn_flash_parameters<Cnn>;
  static constinit typename Cnn::inference_workspace ws{};
  const Cnn net;
  {
    out_line line;
    line.text("cnn: ");
    for (std::size_t a = 0; a < Cnn::input_shape::rank(); ++a)
      (a == 0 ? line : line.text("x")).dec(Cnn::input_shape::static_extent(a));
    line.text(cnn_is_imported<Cnn> ? " imported from ONNX (PyTorch), "
                                   : " conv-pool-conv-pool-dense, ")
        .dec(Cnn::param_count)
        .text(" parameters (")
        .dec(Cnn::parameter_bytes)
        .text(cnn_is_imported<Cnn> ? " bytes, in flash), ram: inference "
                                   : " bytes, He init at compile time, in flash), ram: inference ")
        .dec(Cnn::inference_ram_bytes)
        .text(", training ")
        .dec(Cnn::training_ram_bytes);
  }

  constnn_bench_begin();
  const std::size_t first = net.predict(flash_parameters, samples.example(0), ws);
  constnn_bench_end();
  bool finite = first < net.output_size();
  std::size_t agree = 0;  // with the classes the host's import predicted
  {
    out_line predictions;
    predictions.text("cnn inference from flash: classes ");
    fw::fnv1a32 outputs;
    for (std::size_t e = 0; e < samples.count; ++e) {
      const float* y = net.forward(flash_parameters, samples.example(e), ws);
      finite = finite && y != nullptr && all_finite(std::span<const float>(y, net.output_size()));
      if (y == nullptr) break;
      predictions.dec(net.predicted_class(y));
      for (std::size_t k = 0; k < net.output_size(); ++k) outputs.add(y[k]);
#if defined(CONSTNN_FIRMWARE_HAS_ONNX_CNN)
      if constexpr (cnn_is_imported<Cnn>)
        agree += e < model_cnn::sample_count &&
                 net.predicted_class(y) == model_cnn::sample_predictions[e];
#endif
    }
    predictions.text(", outputs checksum ").hex(outputs.value());
  }
  print_check("cnn outputs are finite", finite);
  if constexpr (cnn_is_imported<Cnn>) {
    // Its classes were predicted on the host by train_export's import (the run-time layers
    // of any_layer), not by this code: the same bits from two paths.
    finite = finite && agree == samples.count;
    print_check("cnn predictions equal the host's import of the ONNX model",
                agree == samples.count);
  }

  if constexpr (Trains) {
    static constinit constnn::model<Cnn> on_device{};
    on_device.parameters = flash_parameters;
    const auto before = constnn::evaluate(net, on_device.parameters, samples, on_device.workspace);
    bool losses_finite = true;
    for (int epoch = 0; epoch < 5; ++epoch) {
      for (std::size_t e = 0; e < samples.count; ++e) {
        if (epoch == 0 && e == 0) constnn_bench_begin();
        const float loss = on_device.train_step(samples.example(e), samples.label(e), 0.05f);
        if (epoch == 0 && e == 0) constnn_bench_end();
        losses_finite = losses_finite && all_finite(std::span<const float>(&loss, 1));
      }
    }
    const auto after = constnn::evaluate(net, on_device.parameters, samples, on_device.workspace);
    out_line{}
        .text("cnn training: 5 epochs of SGD on the device, lr 0.05, errors before/after: ")
        .dec(before.errors)
        .text("/")
        .dec(after.errors)
        .text(", mean cross-entropy after ")
        .real(after.mean_cross_entropy);
    out_line{}
        .text("cnn trained weights checksum: ")
        .hex(checksum(std::span<const float>(on_device.parameters)));
    const bool ok = losses_finite && all_finite(std::span<const float>(on_device.parameters)) &&
                    after.mean_cross_entropy < before.mean_cross_entropy;
    print_check("cnn training lowers the loss, weights finite", ok);
    finite = finite && ok;

    // Then an optimizer with state: one epoch of per-example Adam from the SGD weights. Its
    // two averages per weight are in the RAM plan (training_ram_bytes_with), and its
    // weights, like SGD's, must equal the host build's bit for bit.
    using adam_t = constnn::adam_optimizer<float>;
    static constinit std::array<float, constnn::optimizer_state_count<adam_t>(Cnn::param_count)>
        adam_state{};
    auto adam = constnn::adam(0.001f);
    for (std::size_t e = 0; e < samples.count; ++e) {
      const float loss = net.train_step(on_device.parameters, samples.example(e), samples.label(e),
                                        adam, adam_state, on_device.workspace);
      losses_finite = losses_finite && all_finite(std::span<const float>(&loss, 1));
    }
    const auto tuned = constnn::evaluate(net, on_device.parameters, samples, on_device.workspace);
    out_line{}
        .text("cnn Adam: ")
        .dec(adam.step)
        .text(" steps, lr 0.001, mean cross-entropy ")
        .real(tuned.mean_cross_entropy)
        .text(", weights checksum: ")
        .hex(checksum(std::span<const float>(on_device.parameters)));
    const bool adam_ok = losses_finite && all_finite(std::span<const float>(on_device.parameters));
    print_check("cnn Adam steps keep the weights finite", adam_ok);
    finite = finite && adam_ok;
  } else {
    // Keeps the measurements in a fixed order for the instruction counter.
    constnn_bench_begin();
    constnn_bench_end();
    out_line{}
        .text("cnn training: skipped, it needs ")
        .dec(cnn_training_bytes<Cnn>)
        .text(" bytes of RAM beside the rest; inference only");
  }
  return finite;
}

template <class Net>
using cnn_of =
    typename cnn_for<Net::input_shape::static_size, Net::output_shape::static_size>::type;
template <class Net>
constexpr bool runs_cnn =
    !std::is_void_v<cnn_of<Net>> && std::is_same_v<typename Net::scalar, float>;

/// What a target's RAM budget (the part's RAM less the stack the linker reserves) holds.
struct ram_plan {
  std::size_t inference_bytes;  ///< every network's inference workspace (float, int8, CNN)
  bool inference_fits;          ///< those
  bool trains;                  ///< the exported network's SGD beside them
  bool cnn_trains;              ///< the CNN's SGD beside everything else
};

template <class Net>
constexpr ram_plan plan_ram(std::size_t model_ram_budget) noexcept {
  ram_plan plan{};
  plan.inference_bytes = Net::inference_ram_bytes;
#if defined(CONSTNN_FIRMWARE_HAS_INT8)
  plan.inference_bytes += model_int8::network::inference_ram_bytes;
#endif
#if defined(CONSTNN_FIRMWARE_HAS_CNN_INT8)
  plan.inference_bytes += model_cnn_int8::network::inference_ram_bytes;
#endif
  if constexpr (runs_cnn<Net>) plan.inference_bytes += cnn_of<Net>::inference_ram_bytes;
  plan.inference_fits = plan.inference_bytes <= model_ram_budget;
  // Inference runs everywhere, so SGD takes only what it leaves.
  plan.trains = plan.inference_bytes + Net::training_ram_bytes <= model_ram_budget;
  if constexpr (runs_cnn<Net>) {
    const std::size_t before = plan.inference_bytes + (plan.trains ? Net::training_ram_bytes : 0);
    plan.cnn_trains = before + cnn_training_bytes<cnn_of<Net>> <= model_ram_budget;
  }
  return plan;
}

/// The example for one RAM plan. The plan is a template argument so that the firmware never
/// instantiates, nor reserves .bss for, SGD that does not fit its part.
template <class Net, bool Trains, bool CnnTrains>
int run(const Net& net, const char* target, std::size_t model_ram_budget) noexcept {
  using T = typename Net::scalar;
  static_assert(Net::is_fixed, "the firmware needs a network whose sizes are all fixed");
  static constinit typename Net::inference_workspace inference_ws{};

  out_line{}.text("constnn firmware example (RAM budget of ").text(target).text(")");
  print_network(net);
  out_line{}
      .text("ram: inference ")
      .dec(Net::inference_ram_bytes)
      .text(" bytes, training ")
      .dec(Net::training_ram_bytes)
      .text(" bytes; the target leaves ")
      .dec(model_ram_budget)
      .text(" for the model");
  // Before anything is trained: a build that fuses a*b+c would give other weights than the
  // host's without any other sign.
  const bool rounds_as_specified = constnn::floating_point_self_test();
  print_check("arithmetic rounds every operation, as constant evaluation does",
              rounds_as_specified);
  out_line{}.text("flash weights checksum: ").hex(checksum(std::span<const T>(model::parameters)));

  using label = typename decltype(model::sample_labels)::value_type;
  const constnn::dataset_view<T, label> samples{model::sample_features.data(),
                                                model::sample_labels.data(), model::sample_count,
                                                net.input_size()};
  static_assert(model::sample_count > 0, "export the header with --embed-samples N, N > 0");

  // An empty measurement first: the plugin's figures subtract this marker overhead.
  constnn_bench_begin();
  constnn_bench_end();
  constnn_bench_begin();
  const std::size_t first_prediction =
      net.predict(model::parameters, samples.example(0), inference_ws);
  constnn_bench_end();

  std::size_t agree = 0;
  std::size_t correct = 0;
  for (std::size_t e = 0; e < samples.count; ++e) {
    const std::size_t p = net.predict(model::parameters, samples.example(e), inference_ws);
    agree += p == model::sample_predictions[e] ? 1 : 0;
    correct += p == samples.label(e) ? 1 : 0;
  }
  out_line{}
      .text("inference: ")
      .dec(samples.count)
      .text(" samples, ")
      .dec(agree)
      .text(" agree with the host, ")
      .dec(correct)
      .text(" match their labels");
  bool passed = rounds_as_specified && agree == samples.count &&
                first_prediction == model::sample_predictions[0];
  print_check("every prediction equals the host's", passed);

  // The measurement after the float prediction is the int8 one, or an empty pair.
#if defined(CONSTNN_FIRMWARE_HAS_INT8)
  passed = run_int8<model_int8_part>() && passed;
#else
  constnn_bench_begin();
  constnn_bench_end();
  out_line{}.text(
      "int8: skipped, this build has no int8 header (CONSTNN_FIRMWARE_INT8_MODEL_HEADER)");
#endif

  // The order a shuffled epoch would visit the samples in: integer arithmetic only, so every
  // target must print the host's line.
  {
    std::array<std::size_t, 16> order{};
    constnn::shuffled_order(order, 7, 3);
    out_line shuffle_line{};
    shuffle_line.text("shuffled order of 16, seed 7, epoch 3:");
    for (const std::size_t k : order) shuffle_line.text(" ").dec(k);
  }

  if constexpr (Trains) {
    passed = train_on_device(net, samples) && passed;
  } else {
    // An empty measurement where the SGD step would be, so the CNN's counts come next.
    constnn_bench_begin();
    constnn_bench_end();
    out_line{}
        .text("training: skipped, it needs ")
        .dec(Net::training_ram_bytes)
        .text(" bytes of RAM beside inference's ")
        .dec(plan_ram<Net>(model_ram_budget).inference_bytes)
        .text(" and the target leaves ")
        .dec(model_ram_budget)
        .text("; inference only");
  }

  if constexpr (runs_cnn<Net>) {
    passed = run_cnn<cnn_of<Net>, CnnTrains>(samples) && passed;
#if defined(CONSTNN_FIRMWARE_HAS_CNN_INT8)
    passed = run_int8<model_cnn_int8_part>() && passed;
#endif
  } else {
    out_line{}.text("cnn: skipped, no image shape for this input");
  }
  out_line{}.text("result: ").text(passed ? "pass" : "FAILED");
  return passed ? 0 : 1;
}

}  // namespace

#if defined(CONSTNN_FIRMWARE_MODEL_RAM_BYTES)
int fw::run_example() noexcept {
  using net = model::network;
  constexpr ram_plan plan = plan_ram<net>(CONSTNN_FIRMWARE_MODEL_RAM_BYTES);
  static_assert(plan.inference_fits,
                "the networks' inference workspaces do not fit this target's RAM");
  return run<net, plan.trains, plan.cnn_trains>(net{}, CONSTNN_FIRMWARE_TARGET,
                                                CONSTNN_FIRMWARE_MODEL_RAM_BYTES);
}
#else
int fw::run_example(const char* target, std::size_t model_ram_budget) noexcept {
  using net = model::network;
  const ram_plan plan = plan_ram<net>(model_ram_budget);
  if (!plan.inference_fits) {
    out_line{}
        .text("error: the networks' inference workspaces do not fit the ")
        .dec(model_ram_budget)
        .text(" bytes ")
        .text(target)
        .text(" leaves for the model");
    return 2;
  }
  if (plan.trains) {
    return plan.cnn_trains ? run<net, true, true>(net{}, target, model_ram_budget)
                           : run<net, true, false>(net{}, target, model_ram_budget);
  }
  return plan.cnn_trains ? run<net, false, true>(net{}, target, model_ram_budget)
                         : run<net, false, false>(net{}, target, model_ram_budget);
}
#endif
