// Fully connected layer y = W^T x + b.
#pragma once

#include "../core/requirements.hpp"

#include <array>
#include <cstddef>
#include <type_traits>

#include "../core/shape.hpp"
#include "../detail/int8_kernels.hpp"
#include "../detail/kernels.hpp"
#include "layer.hpp"

namespace constnn {

/// Dense (fully connected) layer with In inputs and Out outputs; either may be constnn::dynamic
/// (a run-time Out is given to the constructor, a run-time In is the size of the input). An
/// input of any shape is taken flattened in its channels-last order (core/shape.hpp).
///
/// Parameter layout (In*Out + Out values): slice "weights" [In][Out], input-major, w[i*Out + o]
/// joins input i to output o, then slice "bias" [Out]. Input-major rows let the forward pass run across all outputs
/// at once while each output still sums its terms in input order, so every vectorised or
/// scalar build produces the same bits.
///
/// Inputs that are exactly zero are skipped in forward and in the weight update: their terms
/// are +-0 and cannot change a finite sum, and on sparse data (the OCR pixels) most vanish.
///
/// Outside constant evaluation forward and backward_sgd may run a vector kernel instead of
/// the loops below (detail/kernels.hpp); it performs the same operations in the same order.
///
/// In an int8 network (constnn::int8) the layer is TFLite's int8 FullyConnected with
/// per-channel scales, and its parameters are the bytes of detail::s8::packed_layer: zero
/// points and clamp, weights [Out][In] (output-major, each output's row contiguous, as TFLite
/// and CMSIS-NN store them), then per output its int32 bias, multiplier and shift.
template <std::size_t In, std::size_t Out>
struct dense {
  static_assert(In > 0 && Out > 0, "constnn::dense: In and Out must be positive");

  /// The input size the type fixes (constnn::dynamic: any); the network checks it.
  static constexpr std::size_t input_size = In;
  static constexpr std::size_t slice_count = 2;
  static constexpr bool saves_input = true;
  static constexpr bool int8_form = true;

  constexpr dense() noexcept = default;
  /// A dense layer with a run-time output width (it must agree with Out if that is fixed).
  constexpr explicit dense(std::size_t out) noexcept : out_(std::array<std::size_t, 1>{out}) {}

  template <shape S>
  constexpr bool takes_shape(const S& in) const noexcept {
    return In == dynamic || in.size() == In;
  }
  template <shape S>
  constexpr extents<Out> output_shape(const S&) const noexcept {
    return out_;
  }
  template <shape S>
  constexpr std::array<param_slice, 2> param_slices(const S& in) const noexcept {
    const std::size_t n = in.size(), m = out_.size();
    return {{{"weights", {n, m}, 2, slice_role::weights, n, m},
             {"bias", {m}, 1, slice_role::bias, n, m}}};
  }

  /// Bytes of the int8 form's parameters.
  template <shape S>
  constexpr std::size_t int8_param_count(const S& in) const noexcept {
    return detail::s8::packed_layer::bytes(in.size() * out_.size(), out_.size());
  }

  /// Writes the int8 form of float parameters p (model/quantize.hpp) for input grid x and
  /// output grid y; weight_scales, when given, are the outputs' weight scales.
  template <class T, shape S>
  constexpr void int8_quantize(const S& in, const T* p, quantization::affine x,
                               quantization::affine y, fixed_point::rounding mode,
                               std::int8_t* out,
                               const float* weight_scales = nullptr) const noexcept {
    detail::s8::quantize_weighted(p, in.size(), out_.size(), x, y, mode, out, weight_scales);
  }

  template <class T, class I, class O>
  constexpr void forward(const forward_io<T, I, O>& io) const noexcept {
    if constexpr (is_quantized<T>) {
      const std::size_t in = io.in.count(), out = io.out.count();
      const detail::s8::packed_layer p{io.params, in * out, out};
      detail::s8::fully_connected<T::rounding>(in, out, io.x, p.input_zero_point(), p.weights(), p,
                                               p.output(), io.y);
    } else {
      forward(io.in.count(), io.out.count(), io.params, io.x, io.y);
    }
  }
  template <class T, class I, class O>
  constexpr void forward_batch(const forward_batch_io<T, I, O>& io) const noexcept {
    forward_batch(io.in.count(), io.out.count(), io.params, io.xs, io.ys, io.count);
  }

  /// dx (if wanted) from the weights before the update, then every gradient to `update`:
  /// dJ/dw[i][o] = dy[o] x[i] (exactly +0 where x[i] is 0), dJ/db[o] = dy[o]. Plain SGD takes
  /// the fused kernel, which updates as it goes.
  template <class T, class I, class O, class Update>
  constexpr void backward(const backward_io<T, I, O>& io, const Update& update) const noexcept {
    if constexpr (Update::plain_sgd) {
      backward_sgd(io.in.count(), io.out.count(), io.params, io.x, io.dy, io.dx,
                   update.learning_rate);
    } else {
      const std::size_t in = io.in.size(), out = io.out.size();
      for (std::size_t i = 0; i < in; ++i) {
        T* row = io.params + i * out;
        if (io.dx != nullptr) {
          T acc = T(0);
          for (std::size_t o = 0; o < out; ++o) acc += row[o] * io.dy[o];
          io.dx[i] = acc;
        }
        const T xi = io.x[i];
        if (xi == T(0)) {
          update.zero_gradient(row, i * out, out);
          continue;
        }
        for (std::size_t o = 0; o < out; ++o) update(row[o], i * out + o, io.dy[o] * xi);
      }
      T* b = io.params + in * out;
      for (std::size_t o = 0; o < out; ++o) update(b[o], in * out + o, io.dy[o]);
    }
  }

  /// Number of parameters of a dense layer with the given sizes.
  static constexpr std::size_t param_count(std::size_t in, std::size_t out) noexcept {
    return out * (in + 1);
  }

  /// y[Out] = b + sum_i x[i] w[i][.], each output summed in input order. p: parameters, as above.
  template <class T, size_like NI, size_like NO>
  static constexpr void forward(NI in_n, NO out_n, const T* p, const T* x, T* y) noexcept {
    const std::size_t in = in_n, out = out_n;
    if (!std::is_constant_evaluated() && detail::kernels::dense_forward(in_n, out_n, p, x, y))
      return;
    const T* b = p + in * out;
    for (std::size_t o = 0; o < out; ++o) y[o] = b[o];
    for (std::size_t i = 0; i < in; ++i) {
      const T xi = x[i];
      if (xi == T(0)) continue;
      const T* row = p + i * out;
      for (std::size_t o = 0; o < out; ++o) y[o] += row[o] * xi;
    }
  }

  /// forward() on `count` examples at once: ys[b] gets the bits forward(in, out, p, xs[b],
  /// ys[b]) would write. A vector path interleaves the examples, so their sums (each still in
  /// its own order) overlap in time; evaluation uses it.
  template <class T, size_like NI, size_like NO>
  static constexpr void forward_batch(NI in_n, NO out_n, const T* p, const T* const* xs,
                                      T* const* ys, std::size_t count) noexcept {
    if (!std::is_constant_evaluated() &&
        detail::kernels::dense_forward_batch(std::size_t(in_n), std::size_t(out_n), p, xs, ys,
                                             count))
      return;
    for (std::size_t e = 0; e < count; ++e) forward(in_n, out_n, p, xs[e], ys[e]);
  }

  /// dx[i] = sum_o w[i][o] dy[o] (summed in output order), from the current weights.
  template <class T, size_like NI, size_like NO>
  static constexpr void backward_input(NI in_n, NO out_n, const T* p, const T* dy,
                                       T* dx) noexcept {
    const std::size_t in = in_n, out = out_n;
    for (std::size_t i = 0; i < in; ++i) {
      const T* row = p + i * out;
      T acc = T(0);
      for (std::size_t o = 0; o < out; ++o) acc += row[o] * dy[o];
      dx[i] = acc;
    }
  }

  /// Parameter gradient: g[i][o] = dy[o] x[i] (exactly +0 where x[i] is 0), g_b[o] = dy[o].
  template <class T, size_like NI, size_like NO>
  static constexpr void backward_params(NI in_n, NO out_n, const T* x, const T* dy,
                                        T* g) noexcept {
    const std::size_t in = in_n, out = out_n;
    for (std::size_t i = 0; i < in; ++i) {
      const T xi = x[i];
      T* row = g + i * out;
      if (xi == T(0)) {
        for (std::size_t o = 0; o < out; ++o) row[o] = T(0);
        continue;
      }
      for (std::size_t o = 0; o < out; ++o) row[o] = dy[o] * xi;
    }
    T* gb = g + in * out;
    for (std::size_t o = 0; o < out; ++o) gb[o] = dy[o];
  }

  /// Fused backward and SGD step: dx (if not null) from the old weights, then
  /// w[i][o] -= lr * (dy[o] x[i]) and b[o] -= lr * dy[o], in place with no gradient buffer.
  /// Gives the same bits as backward_input + backward_params + p -= lr * g.
  template <class T, size_like NI, size_like NO>
  static constexpr void backward_sgd(NI in_n, NO out_n, T* p, const T* x, const T* dy, T* dx,
                                     T lr) noexcept {
    const std::size_t in = in_n, out = out_n;
    if (!std::is_constant_evaluated() &&
        detail::kernels::dense_backward_sgd(in_n, out_n, p, x, dy, dx, lr))
      return;
    for (std::size_t i = 0; i < in; ++i) {
      T* row = p + i * out;
      if (dx != nullptr) {
        T acc = T(0);
        for (std::size_t o = 0; o < out; ++o) acc += row[o] * dy[o];
        dx[i] = acc;
      }
      const T xi = x[i];
      if (xi == T(0)) continue;
      for (std::size_t o = 0; o < out; ++o) row[o] -= lr * (dy[o] * xi);
    }
    T* b = p + in * out;
    for (std::size_t o = 0; o < out; ++o) b[o] -= lr * dy[o];
  }

 private:
  [[no_unique_address]] extents<Out> out_{};
};

}  // namespace constnn
