// Test helper: what firmware does with an exported header's embedded samples, in a constant
// expression or not.
#pragma once

#include <cstddef>
#include <span>

namespace train_export_test {

/// The class the header's network gives sample `sample` of `features` (sample-major, each
/// the network's input_size() values).
template <class Net, class Parameters, class Features>
constexpr std::size_t predict_sample(const Parameters& parameters, const Features& features,
                                     std::size_t sample) {
  constexpr Net net{};
  typename Net::inference_workspace ws{};
  return net.predict(parameters,
                     std::span(features).subspan(sample * net.input_size(), net.input_size()), ws);
}

}  // namespace train_export_test
