// An exported header as firmware compiles it: alone, with only lib/include on the path, by a
// Cortex-M compiler (header_on_target.cmake names the header with -include and its
// namespace as MODEL). That compiler predicts the first samples in a constant expression and
// must get the labels the host predicted; the run-time prediction is compiled as well.
#include <cstddef>
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

}  // namespace

// What a firmware's main loop would call; extern, so the code is generated for the part.
std::size_t predict_on_target(std::size_t sample) {
  return predict_sample(sample);
}
