// A network as a stack of layers whose shapes are template arguments (or chosen at run time).
#pragma once

#include "../core/requirements.hpp"

#include <array>
#include <concepts>
#include <cstddef>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include "../core/check.hpp"
#include "../core/math.hpp"
#include "../core/numeric.hpp"
#include "../core/shape.hpp"
#include "../detail/layer_list.hpp"
#include "../layers/layer.hpp"
#include "../train/optimizer.hpp"
#include "../train/update.hpp"
#include "plan.hpp"

namespace constnn {
namespace detail {

// Memory figures as compile-time constants, present only when every shape is fixed.
template <class T, class Plan, bool Fixed = Plan::is_fixed>
struct fixed_figures {};

template <class T, class Plan>
struct fixed_figures<T, Plan, true> {
 protected:
  static constexpr typename Plan::data static_plan =
      Plan::template make<T>(typename Plan::layer_pack{},
                 Plan::fold(typename Plan::layer_pack{}, typename Plan::input_shape{}));

 public:
  /// Number of trainable values (every layer's parameter slices).
  static constexpr std::size_t param_count = static_plan.params;
  /// Scalars a prediction needs besides the parameters and the input.
  static constexpr std::size_t inference_workspace_count = static_plan.inference_ws;
  /// Scalars a training step needs besides the parameters and the input.
  static constexpr std::size_t training_workspace_count = static_plan.training_ws;

  static constexpr std::size_t parameter_bytes = param_count * sizeof(param_t<T>);
  /// RAM to predict, with the parameters left in flash: the workspace.
  static constexpr std::size_t inference_ram_bytes =
      inference_workspace_count * sizeof(value_t<T>);
  /// RAM to train with plain SGD: parameters (which change) plus the workspace; there is no
  /// gradient buffer. (An int8 network does not train.)
  static constexpr std::size_t training_ram_bytes =
      parameter_bytes + training_workspace_count * sizeof(value_t<T>);

  using parameters = std::array<param_t<T>, param_count>;
  using inference_workspace = std::array<value_t<T>, inference_workspace_count>;
  using training_workspace = std::array<value_t<T>, training_workspace_count>;
};

// Every layer against the shape before it: a fixed input size that differs, or a shape the
// layer cannot take, fails to compile naming the layer's index and both shapes.
template <std::size_t Index, class L, class In>
constexpr bool check_layer() noexcept {
  static_assert(layer_for<L, In>,
                "constnn::sequential: every layer must state its output_shape() for its input "
                "(see layers/layer.hpp)");
  if constexpr (requires { L::input_size; }) {
    static_assert(layer_input_must_match_previous_output<Index, In::static_size,
                                                         L::input_size>::value);
  }
  return layer_cannot_take_previous_output_shape<Index, L, In>::value;
}

template <class Plan, class... Layers, std::size_t... I>
constexpr bool check_layers(std::index_sequence<I...>) noexcept {
  using shapes = typename Plan::shape_pack;
  return (check_layer<I, typename type_at<I, Layers...>::type,
                      std::remove_cvref_t<decltype(get<I>(std::declval<const shapes&>()))>>() &&
          ...);
}

template <class T>
constexpr bool all_finite(std::span<const T> x) noexcept {
  if constexpr (std::is_integral_v<T>) {
    return true;
  } else {
    for (const T v : x)
      if (!math::isfinite(v)) return false;
    return true;
  }
}

// In an int8 network every layer needs its int8 form: the first that lacks one is named.
template <std::size_t LayerIndex, class Layer>
struct layer_has_no_int8_form {
  static_assert(layer_traits<Layer>::has_int8_form,
                "constnn::sequential: an int8 network's layers must each have an int8 form "
                "(LayerIndex and Layer are named in this instantiation)");
  static constexpr bool value = true;
};
template <class... Layers, std::size_t... I>
constexpr bool check_int8_layers(std::index_sequence<I...>) noexcept {
  return (layer_has_no_int8_form<I, typename type_at<I, Layers...>::type>::value && ...);
}

struct no_plan {};

}  // namespace detail

/// A feed-forward network: Layers applied in order. T is the numeric type (core/numeric.hpp):
/// float or double, or constnn::int8 (TFLite's affine int8, which predicts only).
/// A network whose last layer is a loss (softmax_xent or cross_entropy) trains; any other
/// (ending in softmax, or in raw scores) predicts.
///
/// The object holds only the run-time sizes (none for a fixed network); parameters and
/// workspace are spans the caller owns (std::array members of constnn::model for fixed
/// networks, anything for run-time ones), so no operation allocates. Every operation is
/// constexpr and noexcept. Parameters are each layer's slices back to back, in layer order.
template <class T, class... Layers>
class sequential : public detail::fixed_figures<T, detail::network_plan<Layers...>> {
  using plan_type = detail::network_plan<Layers...>;
  using plan_data = typename plan_type::data;
  using layer_pack = typename plan_type::layer_pack;
  using shape_pack = typename plan_type::shape_pack;
  template <std::size_t L>
  using layer = typename detail::type_at<L, Layers...>::type;
  template <std::size_t L>
  using traits = layer_traits<layer<L>>;
  template <std::size_t I>
  using shape_at = std::remove_cvref_t<decltype(detail::get<I>(std::declval<const shape_pack&>()))>;

  static_assert(numeric<T>,
                "constnn::sequential: the numeric type must be float, double or constnn::int8");
  static_assert(sizeof...(Layers) >= 1, "constnn::sequential: a network needs a layer");
  static_assert([] {
    for (std::size_t l = 0; l + 1 < plan_type::layer_count; ++l)
      if (plan_type::is_loss[l]) return false;
    return true;
  }(), "constnn::sequential: only the last layer may be a loss");
  static_assert(detail::check_layers<plan_type, Layers...>(
      std::make_index_sequence<sizeof...(Layers)>{}));
  static_assert([] {
    if constexpr (is_quantized<T>) {
      return detail::check_int8_layers<Layers...>(std::make_index_sequence<sizeof...(Layers)>{});
    } else {
      return true;
    }
  }());

  using V = value_t<T>;  // what activations and inputs are
  using P = param_t<T>;  // what the parameters are

 public:
  using scalar = T;
  /// An activation or input value: T itself, or std::int8_t in an int8 network.
  using value_type = V;
  /// A parameter: T itself, or a byte of an int8 network's parameters.
  using param_type = P;
  /// The shape the network takes (its input is read flattened, channels last).
  using input_shape = typename plan_type::input_shape;
  /// The shape of the network's output.
  using output_shape = shape_at<sizeof...(Layers)>;
  using dims_type = std::array<std::size_t, plan_type::param_layer_count + 1>;
  static constexpr std::size_t layer_count = plan_type::layer_count;
  /// Layers with parameters (for a dense network, its dense layers).
  static constexpr std::size_t param_layer_count = plan_type::param_layer_count;
  static constexpr std::size_t dense_count = param_layer_count;
  /// True when every shape is a compile-time constant.
  static constexpr bool is_fixed = plan_type::is_fixed;
  /// Whether the network trains: it ends in a loss and has parameters.
  static constexpr bool can_train = plan_type::is_loss[layer_count - 1] && param_layer_count > 0;

  /// A network whose shapes are all template arguments.
  constexpr sequential() noexcept
    requires is_fixed
  {
    static_assert(sequential::static_plan.valid, "constnn::sequential: a layer has an empty shape");
  }

  /// A network with the given sizes: dims[0] the input size, dims[j+1] the output size of the
  /// j-th layer with parameters (dense<dynamic, dynamic> takes it). Sizes the layer types fix
  /// must agree; a failed check leaves every run-time size 0.
  constexpr explicit sequential(const dims_type& dims) noexcept {
    bool ok = true;
    for (const std::size_t d : dims) ok = ok && d > 0 && d != dynamic;
    input_shape in{};
    if constexpr (input_shape::rank() == 1) {
      ok = ok && input_shape::matches({dims[0]});
      in = input_shape({dims[0]});
    }
    std::size_t j = 0;
    detail::for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      if constexpr (traits<l>::has_params) {
        ++j;
        if constexpr (std::is_constructible_v<layer<l>, std::size_t>) {
          detail::get<l>(layers_) = layer<l>(ok ? dims[j] : 0);
        }
      }
    });
    build(ok, in, &dims);
  }

  /// A network with a run-time input shape and layers with run-time sizes, as given.
  constexpr explicit sequential(const input_shape& in, const Layers&... layers) noexcept
      : layers_(layers...) {
    bool ok = true;
    for (const std::size_t e : in.all()) ok = ok && e > 0 && e != dynamic;
    build(ok, in, nullptr);
  }

  /// Whether every layer took the shape before it and every run-time size was positive (a
  /// fixed network always is; a refused one also fails a check, where checks are on).
  constexpr bool valid() const noexcept { return plan().valid; }

  /// dims[0] the input size, dims[j+1] the output size of the j-th layer with parameters.
  constexpr const dims_type& dims() const noexcept { return plan().dims; }
  constexpr std::size_t input_size() const noexcept { return plan().dims[0]; }
  constexpr std::size_t output_size() const noexcept {
    return detail::get<layer_count>(shapes_).size();
  }
  /// Shape I of the network: 0 its input, l + 1 the output of layer l.
  template <std::size_t I>
  constexpr const shape_at<I>& shape() const noexcept {
    return detail::get<I>(shapes_);
  }
  /// Layer l itself (holding its run-time sizes, if any).
  template <std::size_t L>
  constexpr const layer<L>& layer_at() const noexcept {
    return detail::get<L>(layers_);
  }
  constexpr std::size_t parameters_size() const noexcept { return plan().params; }
  constexpr std::size_t inference_workspace_size() const noexcept { return plan().inference_ws; }
  constexpr std::size_t training_workspace_size() const noexcept { return plan().training_ws; }

  /// Where layer l's parameters start in the parameter array.
  constexpr std::size_t param_offset(std::size_t l) const noexcept { return plan().param_offset[l]; }
  /// Where the j-th layer with parameters has them (for a dense network: weights input-major,
  /// then biases).
  constexpr std::size_t dense_param_offset(std::size_t j) const noexcept {
    return plan().param_offset[plan().param_layers[j]];
  }

  /// Calls f(layer_index, offset, slice) for every parameter slice, in storage order.
  template <class F>
  constexpr void for_each_slice(F&& f) const {
    detail::for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      if constexpr (traits<l>::has_params) {
        std::size_t offset = plan().param_offset[l];
        for (const param_slice& s : traits<l>::param_slices(detail::get<l>(layers_), shape<l>())) {
          f(std::size_t{l}, offset, s);
          offset += s.size();
        }
      }
    });
  }

  /// Runs the network on x and returns a pointer, into ws, to the output_size() outputs.
  /// ws needs inference_workspace_size() scalars (a training workspace also does).
  constexpr const V* forward(std::span<const P> params, std::span<const V> x,
                             std::span<V> ws) const noexcept {
    if (!valid_inference(params, x, ws)) return nullptr;
    return run_forward(params, x.data(), ws, nullptr, nullptr);
  }

  /// forward() that also shows every tensor as it is made: observe(i, values, count) for the
  /// input (i = 0) and each layer's output (i = l + 1, a view's being its input's values).
  /// Calibration for int8 (model/quantize.hpp) records their ranges this way.
  template <class Observe>
  constexpr const V* forward_observed(std::span<const P> params, std::span<const V> x,
                                      std::span<V> ws, Observe&& observe) const noexcept {
    if (!valid_inference(params, x, ws)) return nullptr;
    const plan_data& p = plan();
    const V* in = x.data();
    observe(std::size_t{0}, in, input_size());
    detail::for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      if constexpr (!traits<l>::view) {
        if (!view_now<l>(p)) {
          V* out = ws.data() + p.infer_out[l];
          forward_layer<l>(params.data(), in, out, nullptr, ws.data() + p.infer_scratch);
          in = out;
        }
      }
      observe(std::size_t{l} + 1, in, detail::get<l + 1>(shapes_).size());
    });
    return in;
  }

  /// forward() that also writes the example's loss against label into `loss` (NaN if a
  /// precondition fails, when it returns null). A loss layer that can computes it from its
  /// input, so softmax_xent's is exact also where a probability underflows, which the
  /// output alone (loss_of_output) cannot tell.
  constexpr const T* forward_with_loss(std::span<const T> params, std::span<const T> x,
                                       std::size_t label, std::span<T> ws,
                                       T& loss) const noexcept {
    static_assert(plan_type::is_loss[layer_count - 1],
                  "constnn::sequential: only a network whose last layer is a loss (softmax_xent "
                  "or cross_entropy) has a loss");
    loss = std::numeric_limits<T>::quiet_NaN();
    if (!valid_label(label) || !valid_inference(params, x, ws)) return nullptr;
    return run_forward(params, x.data(), ws, &label, &loss);
  }

  /// The most examples forward_batch() takes at once.
  static constexpr std::size_t max_batch = 4;

  /// forward() on count <= max_batch examples at once: ys[b] gets what
  /// forward(params, xs[b], ws[b]) would return, bit for bit (each ws[b] is that example's
  /// own workspace). Layers with a batched vector path take the examples together, so their
  /// sums, each in its own order, overlap in time. Returns false if a precondition fails.
  constexpr bool forward_batch(std::span<const T> params, const std::span<const T>* xs,
                               const std::span<T>* ws, std::size_t count,
                               const T** ys) const noexcept {
    return forward_batch(params, xs, ws, count, ys, nullptr, nullptr);
  }

  /// forward_batch() that also writes losses[b], what forward_with_loss() gives for
  /// labels[b]; both null: no losses.
  constexpr bool forward_batch(std::span<const T> params, const std::span<const T>* xs,
                               const std::span<T>* ws, std::size_t count, const T** ys,
                               const std::size_t* labels, T* losses) const noexcept {
    if (!CONSTNN_EXPECT(count <= max_batch, "forward_batch: more than max_batch examples"))
      return false;
    for (std::size_t b = 0; b < count; ++b)
      if (!valid_inference(params, xs[b], ws[b]) ||
          (labels != nullptr && !valid_label(labels[b])))
        return false;
    const plan_data& p = plan();
    const T* in[max_batch] = {};
    for (std::size_t b = 0; b < count; ++b) in[b] = xs[b].data();
    detail::for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      if constexpr (!traits<l>::view) {
        if (view_now<l>(p)) return;
        T* out[max_batch] = {};
        for (std::size_t b = 0; b < count; ++b) out[b] = ws[b].data() + p.infer_out[l];
        const auto& current = detail::get<l>(layers_);
        const T* w = params.data() + p.param_offset[l];
        using batch_io = forward_batch_io<T, shape_at<l>, shape_at<l + 1>>;
        if constexpr (requires { current.forward_batch(batch_io{}); }) {
          current.forward_batch(batch_io{.in = shape<l>(), .out = shape<l + 1>(), .params = w,
                                       .xs = in, .ys = out, .count = count});
        } else {
          for (std::size_t b = 0; b < count; ++b)
            forward_layer<l>(params.data(), in[b], out[b], nullptr, ws[b].data() + p.infer_scratch);
        }
        for (std::size_t b = 0; b < count; ++b) in[b] = out[b];
      }
    });
    for (std::size_t b = 0; b < count; ++b) ys[b] = in[b];
    if constexpr (plan_type::is_loss[layer_count - 1]) {
      // The losses come after the whole batch, not inside each example's last layer: the
      // logarithms of a batch then overlap, where one after each example's softmax stalls
      // the next (the reference job ran 16% slower that way). Only an example whose output
      // cannot give its exact loss runs forward again, from its scores, to the same output.
      if (labels != nullptr && losses != nullptr) {
        for (std::size_t b = 0; b < count; ++b) {
          losses[b] = loss_of_output(in[b], labels[b]);
          if constexpr (loss_from_input) {
            if (!loss_layer::value_is_exact(detail::get<layer_count>(shapes_).count(), in[b],
                                            labels[b]))
              run_forward(params, xs[b].data(), ws[b], &labels[b], &losses[b]);
          }
        }
      }
    }
    return true;
  }

  /// The predicted class: argmax of the output, the smallest index on a tie.
  /// Returns output_size() if a precondition fails in handler mode.
  constexpr std::size_t predict(std::span<const P> params, std::span<const V> x,
                                std::span<V> ws) const noexcept {
    const V* y = forward(params, x, ws);
    if (y == nullptr) return output_size();
    return predicted_class(y);
  }

  /// argmax of an output returned by forward(), the smallest index on a tie.
  constexpr std::size_t predicted_class(const V* y) const noexcept {
    const std::size_t n = detail::get<layer_count>(shapes_).count();
    std::size_t best = 0;
    for (std::size_t k = 1; k < n; ++k)
      if (y[k] > y[best]) best = k;
    return best;
  }

  /// The loss of an output returned by forward() against its label, from that output alone:
  /// where the label's probability has underflowed to 0 it is +inf (forward_with_loss() and
  /// loss() give the exact value from the scores for softmax_xent).
  constexpr T loss_of_output(const T* y, std::size_t label) const noexcept {
    static_assert(plan_type::is_loss[layer_count - 1],
                  "constnn::sequential: only a network whose last layer is a loss (softmax_xent "
                  "or cross_entropy) has a loss");
    if (!valid_label(label)) return std::numeric_limits<T>::quiet_NaN();
    return loss_layer::value(detail::get<layer_count>(shapes_).count(), y, label);
  }

  /// The loss of one example (for the reference job: -log p[label]), as forward_with_loss()
  /// gives it.
  constexpr T loss(std::span<const T> params, std::span<const T> x, std::size_t label,
                   std::span<T> ws) const noexcept {
    T j{};
    forward_with_loss(params, x, label, ws, j);
    return j;
  }

  /// One step of SGD on one example: forward, then backward with every parameter updated in
  /// place (p -= lr * dJ/dp) as soon as its gradient is known. Returns the example's loss
  /// before the update. A loss that is not finite (softmax + cross_entropy where the label's
  /// probability underflows to 0: +inf) fails a check, since the gradients would be NaN: in
  /// handler mode the step returns NaN and changes nothing; with checks off it returns the
  /// loss, and the parameters may then hold NaN. ws needs training_workspace_size() scalars.
  constexpr T train_step(std::span<T> params, std::span<const T> x, std::size_t label, T lr,
                         std::span<T> ws) const noexcept {
    return step(params, x, label, sgd_update<T>{lr}, ws);
  }

  /// One update of opt (train/optimizer.hpp: momentum, Adam, ...) on one example: forward,
  /// then backward with every parameter updated by opt as soon as its gradient is known.
  /// state needs optimizer_state_count<Opt>(parameters_size()) scalars, zero before the first
  /// step; opt's clock advances only for a step that runs. Returns the loss before the update.
  template <class Opt>
    requires requires(Opt& o) {
      Opt::state_per_parameter;
      o.begin_step();
    }
  constexpr T train_step(std::span<T> params, std::span<const T> x, std::size_t label, Opt& opt,
                         std::span<T> state, std::span<T> ws) const noexcept {
    if (!CONSTNN_EXPECT(state.size() >= optimizer_state_count<Opt>(parameters_size()),
                        "train_step: the optimizer state is too small"))
      return std::numeric_limits<T>::quiet_NaN();
    return step(params, x, label, optimizer_update<Opt, T>{&opt, state.data(), parameters_size()},
                ws);
  }

  /// The explicit-gradient path: writes dJ/dp into grad (same layout as the parameters) and
  /// returns the loss. train_step equals gradient followed by apply_sgd, bit for bit.
  constexpr T gradient(std::span<const T> params, std::span<const T> x, std::size_t label,
                       std::span<T> grad, std::span<T> ws) const noexcept {
    if (!CONSTNN_EXPECT(grad.size() >= parameters_size(), "gradient: grad is too small"))
      return std::numeric_limits<T>::quiet_NaN();
    // gradient_store never writes the parameters it is handed.
    std::span<T> p(const_cast<T*>(params.data()), params.size());
    return step(p, x, label, gradient_store<T>{grad.data()}, ws);
  }

  /// The SGD update from a gradient written by gradient().
  constexpr void apply_sgd(std::span<T> params, std::span<const T> grad, T lr) const noexcept {
    if (!CONSTNN_EXPECT(params.size() >= parameters_size() && grad.size() >= parameters_size(),
                        "apply_sgd: params or grad is too small"))
      return;
    for (std::size_t k = 0; k < parameters_size(); ++k) params[k] -= lr * grad[k];
  }

  /// Forward on one example, its loss, then backward from the loss down to the first layer
  /// with parameters, each layer handing its parameter gradients to `update` (train/update.hpp)
  /// as soon as they are known. Returns the loss before any update.
  template <class Update>
  constexpr T step(std::span<T> params, std::span<const T> x, std::size_t label,
                   const Update& update, std::span<T> ws) const noexcept {
    if (!accepts_step(params, x, label, ws)) return std::numeric_limits<T>::quiet_NaN();
    return accepted_step(params, x, label, update, ws);
  }

 private:
  // The preconditions of a training step, each failure reported as the check mode says.
  constexpr bool accepts_step(std::span<T> params, std::span<const T> x, std::size_t label,
                              std::span<T> ws) const noexcept {
    return valid_label(label) &&
           CONSTNN_EXPECT(params.size() >= parameters_size(), "params is too small") &&
           CONSTNN_EXPECT(x.size() >= input_size(), "input is too small") &&
           CONSTNN_EXPECT(ws.size() >= training_workspace_size(), "workspace is too small") &&
           CONSTNN_EXPECT(detail::all_finite(x.first(input_size())), "input is not finite");
  }

  template <class Update>
  constexpr T accepted_step(std::span<T> params, std::span<const T> x, std::size_t label,
                            const Update& update, std::span<T> ws) const noexcept {
    static_assert(can_train,
                  "constnn::sequential: only a network whose last layer is a loss (softmax_xent "
                  "or cross_entropy) can train");
    constexpr T nan = std::numeric_limits<T>::quiet_NaN();
    const plan_data& p = plan();
    T* const w = ws.data();

    // Forward, keeping what each backward reads where the plan put it.
    const T* value[layer_count] = {};
    const auto input_of = [&](std::size_t l) -> const T* { return l == 0 ? x.data() : value[l - 1]; };
    T j = nan;
    detail::for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      if constexpr (traits<l>::view) {
        value[l] = input_of(l);
      } else {
        if (view_now<l>(p)) {
          value[l] = input_of(l);
        } else {
          T* out = w + p.train_out[l];
          forward_layer<l>(params.data(), input_of(l), out, w + p.extra_offset[l],
                           w + p.train_scratch, &label, &j);
          value[l] = out;
        }
      }
    });
    const auto n_out = detail::get<layer_count>(shapes_).count();
    if constexpr (!loss_from_input) j = loss_layer::value(n_out, value[layer_count - 1], label);
    // Backward from a loss of +inf or NaN would write NaN into every parameter it reaches.
    if (!CONSTNN_EXPECT(math::isfinite(j), "train_step: the loss is not finite (with softmax "
                                           "and cross_entropy, the label's probability "
                                           "underflowed to 0; softmax_xent does not)"))
      return nan;

    // A target with a clock (an optimizer) starts its step only now that the step runs.
    if constexpr (requires { update.begin(); }) update.begin();

    // Backward from the loss down to the first layer with parameters, ping-ponging two delta
    // buffers; layers that run in place (and views) keep theirs.
    T* delta = w + p.delta;
    T* spare = delta + p.delta_size;
    loss_layer::backward(n_out, value[layer_count - 1], label, delta);
    detail::for_each_index_reversed<layer_count - 1>(
        std::make_index_sequence<layer_count - 1>{}, [&](auto l) {
          if constexpr (l >= plan_type::first_param_layer && !traits<l>::view) {
            if (view_now<l>(p) || l < first_param_layer(p)) return;
            const bool needs_dx = l > first_param_layer(p);
            const bool in_place = in_place_now<l>(p);
            T* dx = !needs_dx ? nullptr : in_place ? delta : spare;
            detail::get<l>(layers_).backward(
                backward_io<T, shape_at<l>, shape_at<l + 1>>{.in = shape<l>(),
                                                             .out = shape<l + 1>(),
                                                             .params = params.data() + p.param_offset[l],
                                                             .x = input_of(l),
                                                             .y = value[l],
                                                             .extra = w + p.extra_offset[l],
                                                             .dy = delta,
                                                             .dx = dx,
                                                             .scratch = w + p.train_scratch},
                update.at(p.param_offset[l]));
            if (needs_dx && !in_place) {
              T* t = delta;
              delta = spare;
              spare = t;
            }
          }
        });
    return j;
  }

 private:
  using loss_layer = layer<layer_count - 1>;
  using loss_io = forward_io<T, shape_at<layer_count - 1>, shape_at<layer_count>>;
  // The last layer computes the loss during its forward, from its input (layers/layer.hpp).
  static constexpr bool loss_from_input =
      !is_quantized<T> &&
      requires(const loss_layer& l, const loss_io& io, std::size_t label, const T* y) {
        { l.forward_and_value(io, label) } -> std::same_as<T>;
        { loss_layer::value_is_exact(io.out.count(), y, label) } -> std::same_as<bool>;
      };
  static_assert(is_quantized<T> || loss_from_input ||
                    !requires(const loss_layer& l, const loss_io& io, std::size_t label) {
                      l.forward_and_value(io, label);
                    },
                "constnn::sequential: a loss layer with forward_and_value() needs "
                "value_is_exact() too (layers/layer.hpp)");

  // Layer L's forward from x into y; extra is null when only predicting. For the last layer,
  // when it computes the loss and label is not null, the loss goes to *loss as well.
  template <std::size_t L>
  constexpr void forward_layer(const P* params, const V* x, V* y, V* extra, V* scratch,
                               const std::size_t* label = nullptr,
                               T* loss = nullptr) const noexcept {
    const forward_io<T, shape_at<L>, shape_at<L + 1>> io{
        .in = shape<L>(), .out = shape<L + 1>(), .params = params + plan().param_offset[L],
        .x = x, .y = y, .extra = extra, .scratch = scratch};
    if constexpr (L + 1 == layer_count && loss_from_input) {
      if (label != nullptr) {
        *loss = detail::get<L>(layers_).forward_and_value(io, *label);
        return;
      }
    }
    detail::get<L>(layers_).forward(io);
  }

  // The facts of layer L in this network: its type's, as constants, unless the layer is
  // chosen at run time (layers/layer.hpp), when the plan has what it said.
  template <std::size_t L>
  static constexpr bool facts_now = traits<L>::template facts_at_run_time<shape_at<L>>;
  static constexpr bool any_facts_now = [] {
    bool any = false;
    detail::for_each_index(std::make_index_sequence<layer_count>{},
                           [&](auto l) { any = any || facts_now<l>; });
    return any;
  }();
  template <std::size_t L>
  static constexpr bool view_now(const plan_data& p) noexcept {
    if constexpr (facts_now<L>) {
      return p.view[L];
    } else {
      return traits<L>::view;
    }
  }
  template <std::size_t L>
  static constexpr bool in_place_now(const plan_data& p) noexcept {
    if constexpr (facts_now<L>) {
      return p.in_place[L];
    } else {
      return traits<L>::in_place;
    }
  }
  static constexpr std::size_t first_param_layer(const plan_data& p) noexcept {
    if constexpr (any_facts_now) {
      return p.first_param_layer;
    } else {
      return plan_type::first_param_layer;
    }
  }

  // forward() after its checks; with a label, also the loss (see forward_with_loss()).
  constexpr const V* run_forward(std::span<const P> params, const V* x, std::span<V> ws,
                                 const std::size_t* label, T* loss) const noexcept {
    const plan_data& p = plan();
    const V* in = x;
    detail::for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      if constexpr (!traits<l>::view) {
        if (view_now<l>(p)) return;
        V* out = ws.data() + p.infer_out[l];
        forward_layer<l>(params.data(), in, out, nullptr, ws.data() + p.infer_scratch, label, loss);
        in = out;
      }
    });
    if constexpr (!loss_from_input && plan_type::is_loss[layer_count - 1] && !is_quantized<T>) {
      if (label != nullptr) *loss = loss_of_output(in, *label);
    }
    return in;
  }

  constexpr const plan_data& plan() const noexcept {
    if constexpr (is_fixed) {
      return this->static_plan;
    } else {
      return plan_;
    }
  }

  // Folds the shapes, makes the plan and checks it; on failure every run-time size is 0.
  constexpr void build(bool ok, const input_shape& in, const dims_type* dims) noexcept {
    shapes_ = plan_type::fold(layers_, in);
    plan_data d = plan_type::template make<T>(layers_, shapes_);
    ok = ok && d.valid && (dims == nullptr || d.dims == *dims);
    if (!CONSTNN_EXPECT(ok, "sequential: sizes must be positive and agree with the layer types")) {
      layers_ = layer_pack{};
      shapes_ = plan_type::fold(layers_, input_shape{});
      d = plan_data{};
      d.valid = false;
    }
    if constexpr (!is_fixed) plan_ = d;
  }

  constexpr bool valid_label(std::size_t label) const noexcept {
    return CONSTNN_EXPECT(plan().valid, "the network's sizes were refused") &&
           CONSTNN_EXPECT(label < output_size(), "label is out of range");
  }

  constexpr bool valid_inference(std::span<const P> params, std::span<const V> x,
                                 std::span<V> ws) const noexcept {
    return CONSTNN_EXPECT(plan().valid, "the network's sizes were refused") &&
           CONSTNN_EXPECT(params.size() >= parameters_size(), "params is too small") &&
           CONSTNN_EXPECT(x.size() >= input_size(), "input is too small") &&
           CONSTNN_EXPECT(ws.size() >= inference_workspace_size(), "workspace is too small") &&
           CONSTNN_EXPECT(detail::all_finite(x.first(input_size())), "input is not finite");
  }

  layer_pack layers_{};
  shape_pack shapes_{};
  [[no_unique_address]] std::conditional_t<is_fixed, detail::no_plan, plan_data> plan_{};
};

}  // namespace constnn
