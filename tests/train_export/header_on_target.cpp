// An exported header as firmware compiles it: alone, with only lib/include on the path, by a
// Cortex-M compiler (header_on_target.cmake names the header with -include and its
// namespace as MODEL). That compiler predicts the first samples in a constant expression and
// must get the labels the host predicted; the run-time prediction is compiled as well.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace {

constexpr std::size_t predict_sample(std::size_t sample) {
  constexpr MODEL::network net{};
  MODEL::network::inference_workspace ws{};
  return net.predict(MODEL::parameters,
                     std::span(MODEL::sample_features)
                         .subspan(sample * net.input_size(), net.input_size()),
                     ws);
}

static_assert(MODEL::sample_count >= 2, "the test needs two embedded samples");
static_assert(predict_sample(0) == MODEL::sample_predictions[0]);
static_assert(predict_sample(1) == MODEL::sample_predictions[1]);

#if defined(INT8_MODEL)
// The header's softmax scaling turns the first sample's logits into probabilities on the 1/256
// grid, the predicted class's the largest (softmax keeps the logits' order, ties aside).
constexpr bool probabilities_peak_at_the_prediction() {
  constexpr MODEL::network net{};
  constexpr std::size_t classes = MODEL::network::output_shape::static_size;
  MODEL::network::inference_workspace ws{};
  const std::int8_t* logits =
      net.forward(MODEL::parameters, std::span(MODEL::sample_features).first(net.input_size()), ws);
  std::array<std::int8_t, classes> p{};
  if (!constnn::softmax_probabilities(std::span(logits, classes), MODEL::softmax, p)) return false;
  int sum = 0;
  for (const std::int8_t v : p) {
    if (v > p[MODEL::sample_predictions[0]]) return false;
    sum += v + 128;
  }
  return sum > 256 - static_cast<int>(classes) && sum < 256 + static_cast<int>(classes);
}
static_assert(probabilities_peak_at_the_prediction());
#endif

}  // namespace

// What a firmware's main loop would call; extern, so the code is generated for the part.
std::size_t predict_on_target(std::size_t sample) {
  return predict_sample(sample);
}
