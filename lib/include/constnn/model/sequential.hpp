// A network as a stack of layers whose sizes are template arguments (or chosen at run time).
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include "../core/check.hpp"
#include "../core/extent.hpp"
#include "../core/math.hpp"
#include "../detail/layer_list.hpp"
#include "../layers/layer_traits.hpp"
#include "memory_plan.hpp"
#include "shape_check.hpp"

namespace constnn {
namespace detail {

// Memory figures as compile-time constants, present only when every size is fixed.
template <class T, class Plan, bool Fixed = Plan::is_fixed>
struct fixed_figures {};

template <class T, class Plan>
struct fixed_figures<T, Plan, true> {
  /// Number of trainable values (weights and biases).
  static constexpr std::size_t param_count = Plan::parameters_size(Plan::static_dims);
  /// Scalars a prediction needs besides the parameters and the input.
  static constexpr std::size_t inference_workspace_count =
      Plan::inference_workspace_size(Plan::static_dims);
  /// Scalars a training step needs besides the parameters and the input.
  static constexpr std::size_t training_workspace_count =
      Plan::training_workspace_size(Plan::static_dims);

  static constexpr std::size_t parameter_bytes = param_count * sizeof(T);
  /// RAM to predict, with the parameters left in flash: the workspace.
  static constexpr std::size_t inference_ram_bytes = inference_workspace_count * sizeof(T);
  /// RAM to train: parameters (which change) plus the workspace; there is no gradient buffer.
  static constexpr std::size_t training_ram_bytes =
      parameter_bytes + training_workspace_count * sizeof(T);

  using parameters = std::array<T, param_count>;
  using inference_workspace = std::array<T, inference_workspace_count>;
  using training_workspace = std::array<T, training_workspace_count>;
};

template <class Plan, std::size_t... J>
constexpr bool check_neighbour_sizes(std::index_sequence<J...>) noexcept {
  // For each dense layer after the first: the dense layer before it must produce its input.
  constexpr auto dense_layers = [] {
    std::array<std::size_t, Plan::dense_count> idx{};
    std::size_t j = 0;
    for (std::size_t l = 0; l < Plan::layer_count; ++l)
      if (Plan::affine[l]) idx[j++] = l;
    return idx;
  }();
  return (layer_input_must_match_previous_output<dense_layers[J + 1],
                                                 Plan::out_extents[dense_layers[J]],
                                                 Plan::in_extents[dense_layers[J + 1]]>::value &&
          ... && true);
}

template <class T>
constexpr bool all_finite(std::span<const T> x) noexcept {
  for (const T v : x)
    if (!math::isfinite(v)) return false;
  return true;
}

}  // namespace detail

/// A feed-forward network: Layers applied in order, the last one a loss (softmax_xent or
/// cross_entropy). T is the scalar type (float or double).
///
/// The object holds only the widths; parameters and workspace are spans the caller owns
/// (std::array members of constnn::model for fixed networks, anything for run-time ones), so
/// no operation allocates. Every operation is constexpr and noexcept.
template <class T, class... Layers>
class sequential : public detail::fixed_figures<T, detail::memory_plan<Layers...>> {
  using plan = detail::memory_plan<Layers...>;
  template <std::size_t L>
  using layer = typename detail::type_at<L, Layers...>::type;

  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "constnn::sequential: the scalar type must be float or double");
  static_assert(sizeof...(Layers) >= 2,
                "constnn::sequential: a network needs at least a dense layer and a loss");
  static_assert(plan::dense_count >= 1, "constnn::sequential: a network needs a dense layer");
  static_assert(layer<sizeof...(Layers) - 1>::kind == layer_kind::loss,
                "constnn::sequential: the last layer must be a loss (softmax_xent or "
                "cross_entropy)");
  static_assert([] {
    for (std::size_t l = 0; l + 1 < plan::layer_count; ++l)
      if (plan::kinds[l] == layer_kind::loss) return false;
    return true;
  }(), "constnn::sequential: only the last layer may be a loss");
  static_assert(detail::check_neighbour_sizes<plan>(std::make_index_sequence<plan::dense_count - 1>{}));

 public:
  using scalar = T;
  using dims_type = typename plan::dims_type;
  static constexpr std::size_t layer_count = plan::layer_count;
  static constexpr std::size_t dense_count = plan::dense_count;
  /// True when every width is a compile-time constant.
  static constexpr bool is_fixed = plan::is_fixed;
  /// The widths fixed at compile time; constnn::dynamic where chosen at run time.
  static constexpr dims_type static_dims = plan::static_dims;

  /// A network whose sizes are all template arguments.
  constexpr sequential() noexcept
    requires is_fixed
      : dims_(static_dims) {}

  /// A network with the given widths: dims[0] the input, dims[j+1] the j-th dense output.
  /// Widths fixed by the layer types must agree; a failed check leaves every width 0.
  constexpr explicit sequential(const dims_type& dims) noexcept : dims_(dims) {
    bool ok = true;
    for (std::size_t j = 0; j < dims.size(); ++j)
      ok = ok && dims[j] > 0 && dims[j] != dynamic &&
           (static_dims[j] == dynamic || static_dims[j] == dims[j]);
    if (!CONSTNN_EXPECT(ok, "sequential: widths must be positive and agree with the layer types"))
      dims_ = dims_type{};
  }

  constexpr const dims_type& dims() const noexcept { return dims_; }
  constexpr std::size_t input_size() const noexcept { return dims_[0]; }
  constexpr std::size_t output_size() const noexcept { return dims_[dense_count]; }
  constexpr std::size_t parameters_size() const noexcept { return plan::parameters_size(dims_); }
  constexpr std::size_t inference_workspace_size() const noexcept {
    return plan::inference_workspace_size(dims_);
  }
  constexpr std::size_t training_workspace_size() const noexcept {
    return plan::training_workspace_size(dims_);
  }

  /// Runs the network on x and returns a pointer, into ws, to the output_size() probabilities.
  /// ws needs inference_workspace_size() scalars (a training workspace also does).
  constexpr const T* forward(std::span<const T> params, std::span<const T> x,
                             std::span<T> ws) const noexcept {
    if (!valid_inference(params, x, ws)) return nullptr;
    const T* in = x.data();
    T* buffers[2] = {ws.data(), ws.data() + plan::max_width(dims_)};
    int current = -1;  // -1: `in` is the caller's input, which is never written
    detail::for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      using L = layer<l>;
      constexpr std::size_t s = plan::segment[l];
      if constexpr (L::kind == layer_kind::affine) {
        current = current == 0 ? 1 : 0;
        T* out = buffers[current];
        L::forward(dim<s>(), dim<s + 1>(), params.data() + param_offset<s>(), in, out);
        in = out;
      } else {
        if (current < 0) current = 0;
        T* out = buffers[current];
        L::forward(dim<s>(), in, out);
        in = out;
      }
    });
    return in;
  }

  /// The most examples forward_batch() takes at once.
  static constexpr std::size_t max_batch = 4;

  /// forward() on count <= max_batch examples at once: ys[b] gets what
  /// forward(params, xs[b], ws[b]) would return, bit for bit (each ws[b] is that example's
  /// own workspace). Where a vector path exists the examples go through each dense layer
  /// together, so their sums, each in its own order, overlap in time. Returns false if a
  /// precondition fails.
  constexpr bool forward_batch(std::span<const T> params, const std::span<const T>* xs,
                               const std::span<T>* ws, std::size_t count,
                               const T** ys) const noexcept {
    if (!CONSTNN_EXPECT(count <= max_batch, "forward_batch: more than max_batch examples"))
      return false;
    for (std::size_t b = 0; b < count; ++b)
      if (!valid_inference(params, xs[b], ws[b])) return false;
    const T* in[max_batch] = {};
    T* buffers[2][max_batch] = {};
    for (std::size_t b = 0; b < count; ++b) {
      in[b] = xs[b].data();
      buffers[0][b] = ws[b].data();
      buffers[1][b] = ws[b].data() + plan::max_width(dims_);
    }
    int current = -1;  // as in forward(): -1 while `in` is the caller's input
    detail::for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      using L = layer<l>;
      constexpr std::size_t s = plan::segment[l];
      if constexpr (L::kind == layer_kind::affine) {
        current = current == 0 ? 1 : 0;
        const T* w = params.data() + param_offset<s>();
        if constexpr (requires { L::forward_batch(dim<s>(), dim<s + 1>(), w, in, buffers[0], count); }) {
          L::forward_batch(dim<s>(), dim<s + 1>(), w, in, buffers[current], count);
        } else {
          for (std::size_t b = 0; b < count; ++b)
            L::forward(dim<s>(), dim<s + 1>(), w, in[b], buffers[current][b]);
        }
      } else {
        if (current < 0) current = 0;
        for (std::size_t b = 0; b < count; ++b) L::forward(dim<s>(), in[b], buffers[current][b]);
      }
      for (std::size_t b = 0; b < count; ++b) in[b] = buffers[current][b];
    });
    for (std::size_t b = 0; b < count; ++b) ys[b] = in[b];
    return true;
  }

  /// The predicted class: argmax of the output, the smallest index on a tie.
  /// Returns output_size() if a precondition fails in handler mode.
  constexpr std::size_t predict(std::span<const T> params, std::span<const T> x,
                                std::span<T> ws) const noexcept {
    const T* y = forward(params, x, ws);
    if (y == nullptr) return output_size();
    return predicted_class(y);
  }

  /// argmax of an output returned by forward(), the smallest index on a tie.
  constexpr std::size_t predicted_class(const T* y) const noexcept {
    const std::size_t n = dim<dense_count>();
    std::size_t best = 0;
    for (std::size_t k = 1; k < n; ++k)
      if (y[k] > y[best]) best = k;
    return best;
  }

  /// The loss of an output returned by forward() against its label.
  constexpr T loss_of_output(const T* y, std::size_t label) const noexcept {
    if (!valid_label(label)) return std::numeric_limits<T>::quiet_NaN();
    return loss_layer::value(dim<dense_count>(), y, label);
  }

  /// The loss of one example (for the reference job: -log p[label]).
  constexpr T loss(std::span<const T> params, std::span<const T> x, std::size_t label,
                   std::span<T> ws) const noexcept {
    if (!valid_label(label)) return std::numeric_limits<T>::quiet_NaN();
    const T* y = forward(params, x, ws);
    if (y == nullptr) return std::numeric_limits<T>::quiet_NaN();
    return loss_of_output(y, label);
  }

  /// One step of SGD on one example: forward, then backward with every parameter updated in
  /// place (p -= lr * dJ/dp) as soon as its gradient is known. Returns the example's loss
  /// before the update. ws needs training_workspace_size() scalars.
  constexpr T train_step(std::span<T> params, std::span<const T> x, std::size_t label, T lr,
                         std::span<T> ws) const noexcept {
    return train_or_gradient<true>(params.data(), params.size(), x, label, lr, nullptr, ws);
  }

  /// The explicit-gradient path: writes dJ/dp into grad (same layout as the parameters) and
  /// returns the loss. train_step equals gradient followed by apply_sgd, bit for bit.
  constexpr T gradient(std::span<const T> params, std::span<const T> x, std::size_t label,
                       std::span<T> grad, std::span<T> ws) const noexcept {
    if (!CONSTNN_EXPECT(grad.size() >= parameters_size(), "gradient: grad is too small"))
      return std::numeric_limits<T>::quiet_NaN();
    // The parameters are only read on this path.
    T* p = const_cast<T*>(params.data());
    return train_or_gradient<false>(p, params.size(), x, label, T(0), grad.data(), ws);
  }

  /// params -= lr * grad, element by element.
  constexpr void apply_sgd(std::span<T> params, std::span<const T> grad, T lr) const noexcept {
    if (!CONSTNN_EXPECT(params.size() >= parameters_size() && grad.size() >= parameters_size(),
                        "apply_sgd: params or grad is too small"))
      return;
    for (std::size_t k = 0; k < parameters_size(); ++k) params[k] -= lr * grad[k];
  }

  /// Offset of the j-th dense layer's parameters (weights input-major, then biases).
  constexpr std::size_t dense_param_offset(std::size_t j) const noexcept {
    return plan::param_offset(dims_, j);
  }

 private:
  using loss_layer = layer<layer_count - 1>;

  // The width dims[S], as a compile-time constant when it is one.
  template <std::size_t S>
  constexpr auto dim() const noexcept {
    if constexpr (static_dims[S] != dynamic) {
      return fixed_size<static_dims[S]>{};
    } else {
      return dims_[S];
    }
  }

  template <std::size_t J>
  constexpr std::size_t param_offset() const noexcept {
    if constexpr (is_fixed) {
      return std::integral_constant<std::size_t, plan::param_offset(static_dims, J)>::value;
    } else {
      return plan::param_offset(dims_, J);
    }
  }

  constexpr bool valid_label(std::size_t label) const noexcept {
    return CONSTNN_EXPECT(label < output_size(), "label is out of range");
  }

  constexpr bool valid_inference(std::span<const T> params, std::span<const T> x,
                                 std::span<T> ws) const noexcept {
    return CONSTNN_EXPECT(params.size() >= parameters_size(), "params is too small") &&
           CONSTNN_EXPECT(x.size() >= input_size(), "input is too small") &&
           CONSTNN_EXPECT(ws.size() >= inference_workspace_size(), "workspace is too small") &&
           CONSTNN_EXPECT(detail::all_finite(x.first(input_size())), "input is not finite");
  }

  template <bool Sgd>
  constexpr T train_or_gradient(T* p, std::size_t params_size, std::span<const T> x,
                                std::size_t label, T lr, T* grad,
                                std::span<T> ws) const noexcept {
    constexpr T nan = std::numeric_limits<T>::quiet_NaN();
    if (!valid_label(label)) return nan;
    if (!CONSTNN_EXPECT(params_size >= parameters_size(), "params is too small") ||
        !CONSTNN_EXPECT(x.size() >= input_size(), "input is too small") ||
        !CONSTNN_EXPECT(ws.size() >= training_workspace_size(), "workspace is too small") ||
        !CONSTNN_EXPECT(detail::all_finite(x.first(input_size())), "input is not finite"))
      return nan;

    // Forward, keeping each output that backward will read.
    T* out[layer_count] = {};
    const auto input_of = [&](std::size_t l) -> const T* { return l == 0 ? x.data() : out[l - 1]; };
    detail::for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      using L = layer<l>;
      constexpr std::size_t s = plan::segment[l];
      if constexpr (plan::shares_input[l]) {
        out[l] = out[l - 1];
      } else {
        out[l] = ws.data() + plan::activation_offset(dims_, l);
      }
      if constexpr (L::kind == layer_kind::affine) {
        L::forward(dim<s>(), dim<s + 1>(), p + param_offset<s>(), input_of(l), out[l]);
      } else {
        L::forward(dim<s>(), input_of(l), out[l]);
      }
    });
    const T j = loss_layer::value(dim<dense_count>(), out[layer_count - 1], label);

    // Backward from the loss down to the first dense layer, ping-ponging two delta buffers.
    T* delta = ws.data() + plan::activation_offset(dims_, layer_count);
    T* spare = delta + plan::max_width(dims_);
    loss_layer::backward(dim<dense_count>(), out[layer_count - 1], label, delta);
    detail::for_each_index_reversed<layer_count - 1>(
        std::make_index_sequence<layer_count - 1>{}, [&](auto l) {
          using L = layer<l>;
          constexpr std::size_t s = plan::segment[l];
          if constexpr (l >= plan::first_affine) {
            if constexpr (L::kind == layer_kind::affine) {
              constexpr bool needs_dx = l > plan::first_affine;
              T* dx = needs_dx ? spare : nullptr;
              if constexpr (Sgd) {
                L::backward_sgd(dim<s>(), dim<s + 1>(), p + param_offset<s>(), input_of(l), delta,
                                dx, lr);
              } else {
                if constexpr (needs_dx) L::backward_input(dim<s>(), dim<s + 1>(), p + param_offset<s>(), delta, dx);
                L::backward_params(dim<s>(), dim<s + 1>(), input_of(l), delta,
                                   grad + param_offset<s>());
              }
              if constexpr (needs_dx) std::swap(delta, spare);
            } else {
              L::backward(dim<s>(), out[l], delta, delta);
            }
          }
        });
    return j;
  }

  dims_type dims_;
};

}  // namespace constnn
