// A layer whose kind is chosen at run time: the stacks a tool reads from a command line or a
// model file, run by the same layers and the same plan as a network spelled as a type.
#pragma once

#include "../core/requirements.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../core/numeric.hpp"
#include "../core/quantization.hpp"
#include "../core/shape.hpp"
#include "avg_pool2d.hpp"
#include "conv1d.hpp"
#include "conv2d.hpp"
#include "dense.hpp"
#include "flatten.hpp"
#include "global_avg_pool.hpp"
#include "layer.hpp"
#include "max_pool2d.hpp"
#include "relu.hpp"
#include "sigmoid.hpp"
#include "tanh.hpp"
#include "window.hpp"

namespace constnn {

/// The one shape between layers chosen at run time: H x W x C. A vector of N is 1 x 1 x N and
/// a series of L steps of C channels is 1 x L x C; the values lie in the same order either
/// way (core/shape.hpp), so only the reading changes.
using any_shape = extents<dynamic, dynamic, dynamic>;

/// Passes its input on: what an any_layer holds before a kind is chosen.
struct pass_through {
  static constexpr bool view = true;
  template <shape In>
  constexpr In output_shape(const In& in) const noexcept {
    return in;
  }
};

/// One layer of any kind constnn has, with every size chosen at run time:
///
///   any_layer(constnn::dense<dynamic, dynamic>(64))
///   any_layer(constnn::conv2d<dynamic, dynamic, dynamic, dynamic, padding::runtime>(8, 3, 3, 1,
///                                                                           padding::same))
///
/// A network of them, `sequential<T, input<dynamic, dynamic, dynamic>, any_layer, ...,
/// softmax_xent>`, runs each layer's own forward and backward on its own view of the shape
/// (a dense layer sees a vector, conv1d a series) and states the layer's own facts to the
/// plan (layer_facts), so its parameters, buffers, memory figures and bits are those of the
/// network spelled with fixed types. Unused positions pass their input on at no cost, so one
/// network type holds every stack up to its length.
class any_layer {
 public:
  using dense_kind = dense<dynamic, dynamic>;
  using conv2d_kind = conv2d<dynamic, dynamic, dynamic, dynamic, padding::runtime>;
  using conv1d_kind = conv1d<dynamic, dynamic, dynamic, padding::runtime>;
  using max_pool2d_kind = max_pool2d<dynamic, dynamic, dynamic, dynamic>;
  using avg_pool2d_kind = avg_pool2d<dynamic, dynamic, dynamic, dynamic>;

 private:
  // The kinds in index order, held in a union: std::variant is not among the headers a
  // freestanding build may rely on (tests/compile_time), and a union needs no more.
  union storage {
    pass_through k0;
    dense_kind k1;
    conv2d_kind k2;
    conv1d_kind k3;
    max_pool2d_kind k4;
    avg_pool2d_kind k5;
    global_avg_pool k6;
    flatten k7;
    relu k8;
    sigmoid k9;
    tanh k10;
    constexpr storage() noexcept : k0{} {}
    constexpr explicit storage(const dense_kind& k) noexcept : k1(k) {}
    constexpr explicit storage(const conv2d_kind& k) noexcept : k2(k) {}
    constexpr explicit storage(const conv1d_kind& k) noexcept : k3(k) {}
    constexpr explicit storage(const max_pool2d_kind& k) noexcept : k4(k) {}
    constexpr explicit storage(const avg_pool2d_kind& k) noexcept : k5(k) {}
    constexpr explicit storage(const global_avg_pool& k) noexcept : k6(k) {}
    constexpr explicit storage(const flatten& k) noexcept : k7(k) {}
    constexpr explicit storage(const relu& k) noexcept : k8(k) {}
    constexpr explicit storage(const sigmoid& k) noexcept : k9(k) {}
    constexpr explicit storage(const tanh& k) noexcept : k10(k) {}
  };
  template <class... K>
  struct kind_list {
    static constexpr std::size_t count = sizeof...(K);
    template <class X>
    static constexpr std::size_t index_of = [] {
      std::size_t i = 0, found = count;
      ((std::is_same_v<X, K> ? (found = found == count ? i : found, ++i) : ++i), ...);
      return found;
    }();
  };
  using kinds = kind_list<pass_through, dense_kind, conv2d_kind, conv1d_kind, max_pool2d_kind,
                          avg_pool2d_kind, global_avg_pool, flatten, relu, sigmoid, tanh>;
  template <std::size_t I>
  constexpr const auto& kind_at() const noexcept {
    if constexpr (I == 0) return kind_.k0;
    else if constexpr (I == 1) return kind_.k1;
    else if constexpr (I == 2) return kind_.k2;
    else if constexpr (I == 3) return kind_.k3;
    else if constexpr (I == 4) return kind_.k4;
    else if constexpr (I == 5) return kind_.k5;
    else if constexpr (I == 6) return kind_.k6;
    else if constexpr (I == 7) return kind_.k7;
    else if constexpr (I == 8) return kind_.k8;
    else if constexpr (I == 9) return kind_.k9;
    else return kind_.k10;
  }

 public:
  /// Whether K is one of the kinds an any_layer holds.
  template <class K>
  static constexpr bool holds_kind = kinds::template index_of<K> < kinds::count;

 private:
  // The shape as kind K reads it: dense a vector, conv1d a series, the others an image.
  template <class K>
  static constexpr auto as(const any_shape& s) noexcept {
    if constexpr (std::is_same_v<K, dense_kind>) {
      return extents<dynamic>({s.size()});
    } else if constexpr (std::is_same_v<K, conv1d_kind>) {
      return extents<dynamic, dynamic>({s.extent(1), s.extent(2)});
    } else {
      return s;
    }
  }
  // A series is a single row: conv1d refuses an image of several.
  template <class K>
  static constexpr bool fits(const any_shape& s) noexcept {
    if constexpr (std::is_same_v<K, conv1d_kind>) {
      return s.extent(0) == 1;
    } else {
      return true;
    }
  }
  template <shape S>
  static constexpr any_shape to_any(const S& s) noexcept {
    if constexpr (S::rank() == 1) {
      return any_shape({1, 1, s.extent(0)});
    } else if constexpr (S::rank() == 2) {
      return any_shape({1, s.extent(0), s.extent(1)});
    } else {
      return any_shape({s.extent(0), s.extent(1), s.extent(2)});
    }
  }

  // f(the kind held).
  template <std::size_t I = 0, class F>
  constexpr decltype(auto) visit(F&& f) const noexcept {
    if constexpr (I + 1 == kinds::count) {
      return f(kind_at<I>());
    } else {
      if (index_ == I) return f(kind_at<I>());
      return visit<I + 1>(f);
    }
  }

 public:
  // The type's facts: the union of every kind's, which the plan replaces with facts().
  static constexpr std::size_t slice_count = 2;
  static constexpr bool saves_input = true;
  static constexpr bool saves_output = true;

  constexpr any_layer() noexcept = default;
  template <class K>
    requires holds_kind<K>
  constexpr any_layer(const K& kind) noexcept  // NOLINT: a layer is its kind
      : index_(kinds::template index_of<K>), kind_(kind) {}

  /// The kind held (its index in the list above), and the layer itself (null if another).
  constexpr std::size_t kind_index() const noexcept { return index_; }
  template <class K>
    requires holds_kind<K>
  constexpr const K* get_if() const noexcept {
    if (index_ != kinds::template index_of<K>) return nullptr;
    return &kind_at<kinds::template index_of<K>>();
  }

  constexpr bool takes_shape(const any_shape& in) const noexcept {
    return visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      return fits<K>(in) && layer_traits<K>::takes_shape(k, as<K>(in));
    });
  }
  constexpr any_shape output_shape(const any_shape& in) const noexcept {
    return visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      return fits<K>(in) ? to_any(k.output_shape(as<K>(in))) : any_shape{};
    });
  }
  constexpr layer_facts facts(const any_shape& in) const noexcept {
    return visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      return layer_traits<K>::facts(k, as<K>(in));
    });
  }
  /// The kind's slices, then empty bias slices up to slice_count (they hold nothing).
  constexpr std::array<param_slice, slice_count> param_slices(const any_shape& in) const noexcept {
    return visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      std::array<param_slice, slice_count> all{};
      for (param_slice& s : all) s = param_slice{"", {0, 0, 0, 0}, 1, slice_role::bias, 0, 0};
      const auto own = layer_traits<K>::param_slices(k, as<K>(in));
      for (std::size_t i = 0; i < own.size(); ++i) all[i] = own[i];
      return all;
    });
  }
  constexpr std::size_t extra_count(const any_shape& in) const noexcept {
    return visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      return layer_traits<K>::extra_count(k, as<K>(in));
    });
  }
  constexpr std::size_t backward_scratch_count(const any_shape& in, bool needs_dx) const noexcept {
    return visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      return layer_traits<K>::backward_scratch_count(k, as<K>(in), needs_dx);
    });
  }

  // int8 networks (core/numeric.hpp): every kind has an int8 form, and the one held says
  // what its parameters are, how it quantizes and where its output's grid lies.
  static constexpr bool int8_form = true;

  constexpr std::size_t int8_param_count(const any_shape& in) const noexcept {
    return visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      return layer_traits<K>::template param_count_for<int8>(k, as<K>(in));
    });
  }
  constexpr quantization::affine int8_output(quantization::affine x,
                                             quantization::affine calibrated) const noexcept {
    return visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      if constexpr (requires { k.int8_output(x, calibrated); }) {
        return k.int8_output(x, calibrated);
      } else {
        return layer_traits<K>::has_params ? calibrated : x;
      }
    });
  }
  template <class T>
  constexpr void int8_quantize(const any_shape& in, const T* p, quantization::affine x,
                               quantization::affine y, fixed_point::rounding mode,
                               std::int8_t* out,
                               const float* weight_scales = nullptr) const noexcept {
    visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      if constexpr (requires { k.int8_quantize(as<K>(in), p, x, y, mode, out, weight_scales); })
        k.int8_quantize(as<K>(in), p, x, y, mode, out, weight_scales);
      else if constexpr (requires { k.int8_quantize(as<K>(in), p, x, y, mode, out); })
        k.int8_quantize(as<K>(in), p, x, y, mode, out);
    });
  }

  template <class T>
  constexpr void forward(const forward_io<T, any_shape, any_shape>& io) const noexcept {
    visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      if constexpr (!layer_traits<K>::view) {
        const auto in = as<K>(io.in);
        using io_type = forward_io<T, decltype(in), decltype(k.output_shape(in))>;
        k.forward(io_type{.in = in, .out = k.output_shape(in), .params = io.params, .x = io.x,
                          .y = io.y, .extra = io.extra, .scratch = io.scratch});
      }
    });
  }

  /// The kind's batched forward where it has one (dense), else its forward per example: no
  /// kind needs forward scratch (checked below), so none is lost.
  template <class T>
  constexpr void forward_batch(const forward_batch_io<T, any_shape, any_shape>& io) const noexcept {
    visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      if constexpr (!layer_traits<K>::view) {
        const auto in = as<K>(io.in);
        using out_type = decltype(k.output_shape(in));
        if constexpr (requires { k.forward_batch(forward_batch_io<T, decltype(in), out_type>{}); }) {
          k.forward_batch(forward_batch_io<T, decltype(in), out_type>{
              .in = in, .out = k.output_shape(in), .params = io.params, .xs = io.xs, .ys = io.ys,
              .count = io.count});
        } else {
          for (std::size_t b = 0; b < io.count; ++b)
            k.forward(forward_io<T, decltype(in), out_type>{.in = in,
                                                            .out = k.output_shape(in),
                                                            .params = io.params,
                                                            .x = io.xs[b],
                                                            .y = io.ys[b]});
        }
      }
    });
  }

  template <class T, class Update>
  constexpr void backward(const backward_io<T, any_shape, any_shape>& io,
                          const Update& update) const noexcept {
    visit([&](const auto& k) {
      using K = std::remove_cvref_t<decltype(k)>;
      if constexpr (!layer_traits<K>::view) {
        const auto in = as<K>(io.in);
        using io_type = backward_io<T, decltype(in), decltype(k.output_shape(in))>;
        k.backward(io_type{.in = in, .out = k.output_shape(in), .params = io.params, .x = io.x,
                           .y = io.y, .extra = io.extra, .dy = io.dy, .dx = io.dx,
                           .scratch = io.scratch},
                   update);
      }
    });
  }

 private:
  template <class K>
  static constexpr bool no_forward_scratch =
      !requires(const K& k, const any_shape& s) { k.forward_scratch_count(s); };
  static_assert(no_forward_scratch<dense_kind> && no_forward_scratch<conv2d_kind> &&
                    no_forward_scratch<conv1d_kind> && no_forward_scratch<max_pool2d_kind> &&
                    no_forward_scratch<avg_pool2d_kind> && no_forward_scratch<global_avg_pool> &&
                    no_forward_scratch<relu> && no_forward_scratch<sigmoid> &&
                    no_forward_scratch<tanh>,
                "constnn::any_layer: a kind needs forward scratch, which forward_batch cannot give");

  std::size_t index_ = 0;
  storage kind_{};
};

}  // namespace constnn
