// Where a network's parameters and buffers live: one plan for fixed and run-time sizes.
#pragma once

#include <array>
#include <cstddef>

#include "../core/extent.hpp"
#include "../layers/layer_traits.hpp"

namespace constnn::detail {

template <class L>
inline constexpr bool is_affine = L::kind == layer_kind::affine;

template <class L>
constexpr bool writes_output() noexcept {
  if constexpr (requires { L::writes_output; }) {
    return L::writes_output;
  } else {
    return true;
  }
}

/// Layout of a layer stack. Widths are described by `dims`: dims[0] is the network's input
/// width and dims[j+1] the output width of the j-th dense layer; every other layer keeps the
/// width of its input. The functions taking `dims` are evaluated at compile time for fixed
/// networks and at run time for run-time-size ones: the same code either way.
template <class... Layers>
struct memory_plan {
  static constexpr std::size_t layer_count = sizeof...(Layers);
  static constexpr std::size_t dense_count = (std::size_t{is_affine<Layers>} + ... + 0);
  using dims_type = std::array<std::size_t, dense_count + 1>;

  static constexpr std::array<layer_kind, layer_count> kinds{Layers::kind...};
  static constexpr std::array<bool, layer_count> affine{is_affine<Layers>...};
  static constexpr std::array<bool, layer_count> writes{writes_output<Layers>()...};
  static constexpr std::array<std::size_t, layer_count> in_extents{[] {
    if constexpr (requires { Layers::in_extent; }) return Layers::in_extent;
    return dynamic;
  }()...};
  static constexpr std::array<std::size_t, layer_count> out_extents{[] {
    if constexpr (requires { Layers::out_extent; }) return Layers::out_extent;
    return dynamic;
  }()...};

  /// segment[l]: how many dense layers come before layer l, so layer l reads dims[segment[l]].
  static constexpr std::array<std::size_t, layer_count + 1> segment = [] {
    std::array<std::size_t, layer_count + 1> s{};
    for (std::size_t l = 0; l < layer_count; ++l) s[l + 1] = s[l] + (affine[l] ? 1 : 0);
    return s;
  }();

  /// Index of the first dense layer: backward never needs to go below it.
  static constexpr std::size_t first_affine = [] {
    for (std::size_t l = 0; l < layer_count; ++l)
      if (affine[l]) return l;
    return layer_count;
  }();

  /// Widths known at compile time (constnn::dynamic where a width is chosen at run time).
  static constexpr dims_type static_dims = [] {
    dims_type d{};
    for (auto& v : d) v = dynamic;
    for (std::size_t l = 0; l < layer_count; ++l) {
      if (!affine[l]) continue;
      const std::size_t j = segment[l];
      if (in_extents[l] != dynamic) d[j] = in_extents[l];
      if (out_extents[l] != dynamic) d[j + 1] = out_extents[l];
    }
    return d;
  }();

  static constexpr bool is_fixed = [] {
    for (std::size_t v : static_dims)
      if (v == dynamic) return false;
    return true;
  }();

  /// Whether layer l, during training, writes its output over its input buffer. A dense
  /// layer's output is not read by its own backward, so the activation after it may reuse
  /// it; two elementwise layers in a row may not, since each backward reads its own output.
  static constexpr std::array<bool, layer_count> shares_input = [] {
    std::array<bool, layer_count> s{};
    for (std::size_t l = 1; l < layer_count; ++l)
      s[l] = !affine[l] && (!writes[l] || affine[l - 1]);
    return s;
  }();

  static constexpr std::size_t parameters_size(const dims_type& dims) noexcept {
    std::size_t n = 0;
    for (std::size_t j = 0; j < dense_count; ++j) n += dims[j + 1] * (dims[j] + 1);
    return n;
  }

  /// Offset of the j-th dense layer's parameters.
  static constexpr std::size_t param_offset(const dims_type& dims, std::size_t j) noexcept {
    std::size_t n = 0;
    for (std::size_t t = 0; t < j; ++t) n += dims[t + 1] * (dims[t] + 1);
    return n;
  }

  /// The widest layer output (the input, owned by the caller, is not counted).
  static constexpr std::size_t max_width(const dims_type& dims) noexcept {
    std::size_t m = 0;
    for (std::size_t j = 1; j <= dense_count; ++j) m = dims[j] > m ? dims[j] : m;
    return m;
  }

  /// Inference ping-pongs between two buffers of the widest output.
  static constexpr std::size_t inference_workspace_size(const dims_type& dims) noexcept {
    return 2 * max_width(dims);
  }

  /// Offset, in the training workspace, of layer l's own output buffer (if it has one).
  static constexpr std::size_t activation_offset(const dims_type& dims, std::size_t l) noexcept {
    std::size_t n = 0;
    for (std::size_t t = 0; t < l; ++t)
      if (!shares_input[t]) n += dims[segment[t + 1]];
    return n;
  }

  /// Training keeps every layer output that backward reads, plus two delta buffers.
  static constexpr std::size_t training_workspace_size(const dims_type& dims) noexcept {
    return activation_offset(dims, layer_count) + 2 * max_width(dims);
  }
};

}  // namespace constnn::detail
