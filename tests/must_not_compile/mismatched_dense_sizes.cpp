// Must not compile: the second dense layer expects 40 inputs but the first produces 50.
// clang-format off
// expect-diagnostic: constnn::sequential: a layer's input size must equal the output size of the layer before it (PreviousOutputSize and InputSize, named in this instantiation, differ)
// expect-diagnostic-regex: layer_input_must_match_previous_output<[0-9]+, 50, 40>
// clang-format on
#include <constnn/constnn.hpp>

#include <cstddef>

#ifdef CONSTNN_TEST_CONTROL
inline constexpr std::size_t second_layer_inputs = 50;
#else
inline constexpr std::size_t second_layer_inputs = 40;
#endif

using net = constnn::sequential<float, constnn::dense<128, 50>, constnn::sigmoid,
                                constnn::dense<second_layer_inputs, 10>, constnn::softmax_xent>;

std::size_t parameter_count() {
  return net{}.parameters_size();
}
