// Post-training quantization: a float network's calibrated tensor ranges and parameters become
// the int8 network of the same layers (TFLite's int8 scheme, core/quantization.hpp).
#pragma once

#include "../core/requirements.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
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

namespace detail {

// Whether layer l of net holds parameters: a run-time fact for any_layer, whose type has room
// for them.
template <class Net>
constexpr bool holds_params(const Net& net, std::size_t l) noexcept {
  const std::size_t end =
      l + 1 < Net::layer_count ? net.param_offset(l + 1) : net.parameters_size();
  return end != net.param_offset(l);
}

// Every layer's int8 form on the grids `tensors` (tensor l + 1 is layer l's output), into out
// at net8's offsets. Layers with weights take weight_scales' next one per output channel when
// it is given, else choose max|w| / 127 per channel; quantize and quantize_on_grids share it.
template <class NetF, class Net8>
constexpr void write_int8_forms(const NetF& net, std::span<const typename NetF::param_type> params,
                                std::span<const quantization::affine> tensors,
                                const float* weight_scales, const Net8& net8,
                                std::span<std::int8_t> out) {
  detail::for_each_index(std::make_index_sequence<NetF::layer_count>{}, [&](auto l) {
    const auto& layer = net.template layer_at<l>();
    const auto& in = net.template shape<l>();
    const auto* p = params.data() + net.param_offset(l);
    std::int8_t* o = out.data() + net8.param_offset(l);
    const quantization::affine x = tensors[l], y = tensors[l + 1];
    constexpr auto mode = Net8::scalar::rounding;
    if constexpr (requires { layer.int8_quantize(in, p, x, y, mode, o, weight_scales); }) {
      if (weight_scales != nullptr && holds_params(net, l)) {
        layer.int8_quantize(in, p, x, y, mode, o, weight_scales);
        const auto& out_shape = net.template shape<l + 1>();
        weight_scales += out_shape.extent(out_shape.rank() - 1);
        return;
      }
    }
    if constexpr (requires { layer.int8_quantize(in, p, x, y, mode, o); })
      layer.int8_quantize(in, p, x, y, mode, o);
  });
}

}  // namespace detail

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
  });
  detail::write_int8_forms(net, params, std::span<const quantization::affine>(tensors), nullptr,
                           net8, out);
  return true;
}

/// The int8 form of a network quantized elsewhere (an imported QDQ model), whose grids are
/// given rather than chosen: tensors[i] as quantize would give them (net.layer_count + 1, [0]
/// the input's), and for each layer with weights, in order, one weight scale per output
/// channel in weight_scales. The float parameters should lie on those grids (a weight q * s,
/// a bias b * s_in * s_w), so that rounding gives back the integers q and b; each layer then
/// writes its int8 form into out as quantize does. Fails (CONSTNN_EXPECT) unless every layer
/// without weights has the output grid its int8 form gives (ReLU and pooling keep their
/// input's, sigmoid and tanh TFLite's fixed ones), every weight scale is positive and finite,
/// and weight_scales holds exactly one per channel.
template <class NetF, class Net8>
constexpr bool quantize_on_grids(const NetF& net, std::span<const typename NetF::param_type> params,
                                 std::span<const quantization::affine> tensors,
                                 std::span<const float> weight_scales, const Net8& net8,
                                 std::span<std::int8_t> out) {
  static_assert(!is_quantized<typename NetF::scalar> && is_quantized<typename Net8::scalar>,
                "constnn::quantize_on_grids: from a float or double network to an int8 one");
  static_assert(NetF::layer_count == Net8::layer_count,
                "constnn::quantize_on_grids: the int8 network must have the float network's "
                "layers");
  constexpr std::size_t layers = NetF::layer_count;
  if (!CONSTNN_EXPECT(tensors.size() == layers + 1, "quantize_on_grids: one grid per tensor") ||
      !CONSTNN_EXPECT(
          params.size() >= net.parameters_size() && out.size() >= net8.parameters_size(),
          "quantize_on_grids: params or out is too small"))
    return false;
  for (const float s : weight_scales)
    if (!CONSTNN_EXPECT(s > 0 && s < std::numeric_limits<float>::infinity(),
                        "quantize_on_grids: a weight scale is not positive and finite"))
      return false;
  // Checked before anything is written, so a refusal leaves out as it was.
  std::size_t channels = 0;
  bool grids_agree = true, scales_taken = true;
  detail::for_each_index(std::make_index_sequence<layers>{}, [&](auto l) {
    const auto& layer = net.template layer_at<l>();
    const quantization::affine x = tensors[l], y = tensors[l + 1];
    if (detail::holds_params(net, l)) {
      const auto& out_shape = net.template shape<l + 1>();
      channels += out_shape.extent(out_shape.rank() - 1);
      scales_taken = scales_taken && requires {
        layer.int8_quantize(net.template shape<l>(), params.data(), x, y, Net8::scalar::rounding,
                            out.data(), weight_scales.data());
      };
    } else if constexpr (requires { layer.int8_output(x, y); }) {
      grids_agree = grids_agree && layer.int8_output(x, y) == y;
    } else {
      grids_agree = grids_agree && x == y;
    }
  });
  if (!CONSTNN_EXPECT(grids_agree, "quantize_on_grids: a layer without weights changes the grid "
                                   "otherwise than its int8 form does") ||
      !CONSTNN_EXPECT(scales_taken, "quantize_on_grids: a layer with weights takes no weight "
                                    "scales (int8_quantize's last argument)") ||
      !CONSTNN_EXPECT(channels == weight_scales.size(),
                      "quantize_on_grids: not one weight scale per output channel"))
    return false;
  detail::write_int8_forms(net, params, tensors, weight_scales.data(), net8, out);
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
