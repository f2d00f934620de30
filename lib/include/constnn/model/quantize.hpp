// Post-training quantization: a float network's calibrated tensor ranges and parameters become
// the int8 network of the same layers (TFLite's int8 scheme, core/quantization.hpp).
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

#include "../core/check.hpp"
#include "../core/numeric.hpp"
#include "../core/quantization.hpp"
#include "../detail/int8_kernels.hpp"
#include "../detail/layer_list.hpp"
#include "../layers/layer.hpp"
#include "../train/dataset.hpp"

namespace constnn {

/// The values one tensor took during calibration (both ends include 0 from the start, as
/// the int8 grid must hold 0 exactly).
struct tensor_range {
  double min = 0;
  double max = 0;
};

/// Widens ranges[i] to every value tensor i of net takes on the examples of data: i = 0 the
/// input, i = l + 1 layer l's output (net.layer_count + 1 ranges).
template <class Net, class Label>
constexpr bool calibrate(const Net& net, std::span<const typename Net::param_type> params,
                         const dataset_view<typename Net::value_type, Label>& data,
                         std::span<typename Net::value_type> ws, std::span<tensor_range> ranges) {
  if (!CONSTNN_EXPECT(ranges.size() >= Net::layer_count + 1, "calibrate: too few ranges"))
    return false;
  for (std::size_t e = 0; e < data.count; ++e) {
    const auto* y =
        net.forward_observed(params, data.example(e), ws,
                             [&](std::size_t i, const typename Net::value_type* v, std::size_t n) {
                               for (std::size_t k = 0; k < n; ++k) {
                                 const double value = static_cast<double>(v[k]);
                                 ranges[i].min = value < ranges[i].min ? value : ranges[i].min;
                                 ranges[i].max = value > ranges[i].max ? value : ranges[i].max;
                               }
                             });
    if (y == nullptr) return false;
  }
  return true;
}

/// Quantizes net's float parameters into net8, the network of the same layers instantiated
/// with constnn::int8: first every tensor's scale and zero point (tensors[i], i as in
/// calibrate): a layer with weights makes its output's from its calibrated range, sigmoid
/// and tanh put theirs on TFLite's fixed grids, and every other layer keeps its input's;
/// then each layer writes its int8 form into out (net8.parameters_size() bytes).
template <class NetF, class Net8>
constexpr bool quantize(const NetF& net, std::span<const typename NetF::param_type> params,
                        std::span<const tensor_range> ranges, const Net8& net8,
                        std::span<std::int8_t> out, std::span<quantization::affine> tensors) {
  static_assert(!is_quantized<typename NetF::scalar> && is_quantized<typename Net8::scalar>,
                "constnn::quantize: from a float or double network to an int8 one");
  static_assert(NetF::layer_count == Net8::layer_count,
                "constnn::quantize: the int8 network must have the float network's layers");
  constexpr std::size_t layers = NetF::layer_count;
  if (!CONSTNN_EXPECT(ranges.size() >= layers + 1 && tensors.size() >= layers + 1,
                      "quantize: too few ranges or tensors") ||
      !CONSTNN_EXPECT(
          params.size() >= net.parameters_size() && out.size() >= net8.parameters_size(),
          "quantize: params or out is too small"))
    return false;
  const auto choose = [](const tensor_range& r) {
    return quantization::choose_activation_params(r.min, r.max);
  };
  tensors[0] = choose(ranges[0]);
  detail::for_each_index(std::make_index_sequence<layers>{}, [&](auto l) {
    const auto& layer = net.template layer_at<l>();
    using L = std::remove_cvref_t<decltype(layer)>;
    const quantization::affine x = tensors[l];
    const quantization::affine calibrated = choose(ranges[l + 1]);
    quantization::affine y = x;
    if constexpr (requires { layer.int8_output(x, calibrated); }) {
      y = layer.int8_output(x, calibrated);
    } else if constexpr (layer_traits<L>::has_params) {
      y = calibrated;
    }
    tensors[l + 1] = y;
    if constexpr (requires {
                    layer.int8_quantize(net.template shape<l>(), params.data(), x, y,
                                        Net8::scalar::rounding, out.data());
                  }) {
      layer.int8_quantize(net.template shape<l>(), params.data() + net.param_offset(l), x, y,
                          Net8::scalar::rounding, out.data() + net8.param_offset(l));
    }
  });
  return true;
}

/// The probabilities of an int8 network's logits (its forward output, whose grid is the last
/// of quantize's tensors) on TFLite's int8 Softmax grid, quantization::softmax_output, with
/// TFLite's arithmetic: p = quantization::softmax_scaling(logits_grid.scale) once, offline.
/// The network itself predicts from the logits (their argmax), which this does not change
/// except where probabilities tie on the 1/256 grid. At most 511 classes.
constexpr bool softmax_probabilities(std::span<const std::int8_t> logits,
                                     const quantization::softmax_parameters& p,
                                     std::span<std::int8_t> probabilities) noexcept {
  if (!CONSTNN_EXPECT(probabilities.size() >= logits.size() &&
                          logits.size() <= detail::s8::softmax_max_width &&
                          p.input_multiplier.multiplier != 0,
                      "softmax_probabilities: too few outputs, over 511 logits, or no scaling"))
    return false;
  detail::s8::softmax(logits.size(), logits.data(), p, probabilities.data());
  return true;
}

}  // namespace constnn
