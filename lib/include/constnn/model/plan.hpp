// One plan per network, indexed by layer: shapes, parameter places, buffer lifetimes, memory.
//
// The plan folds the shapes through the stack (as types, so a fixed network's shapes are
// constants, and as values for run-time ones), places every layer's parameters back to
// back, decides which activations training keeps and which buffers are shared, counts
// scratch and yields the memory figures. The same constexpr code runs at compile time for a
// fixed network and once, at construction, for a run-time one.
#pragma once

#include "../core/requirements.hpp"

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "../core/shape.hpp"
#include "../detail/layer_list.hpp"
#include "../layers/input.hpp"
#include "../layers/layer.hpp"

namespace constnn::detail {

template <class>
inline constexpr bool always_false = false;

/// The shape a network takes: stated by a leading constnn::input, or fixed by a first layer
/// that takes a vector of a given size (dense<In, Out>).
template <class First>
struct network_input {
  static_assert(always_false<First>,
                "constnn::sequential: the first layer does not say what shape the network "
                "takes: start the network with constnn::input<H, W, C> (or <L, C>, or <N>)");
  using type = extents<dynamic>;
};
template <std::size_t... E>
struct network_input<input<E...>> {
  using type = extents<E...>;
};
template <class First>
  requires requires { First::input_size; }
struct network_input<First> {
  using type = extents<First::input_size>;
};

template <class In, class L>
using output_of = decltype(std::declval<const L&>().output_shape(std::declval<const In&>()));

template <class... S>
struct type_list {};

template <class Head, class List>
struct prepend;
template <class Head, class... S>
struct prepend<Head, type_list<S...>> {
  using type = type_list<Head, S...>;
};

/// type_list<S0, S1, ..., SL>: S0 the network's input, S(l+1) the output of layer l.
template <class In, class... Ls>
struct shape_list {
  using type = type_list<In>;
};
template <class In, class L, class... Ls>
struct shape_list<In, L, Ls...> {
  using type = typename prepend<In, typename shape_list<output_of<In, L>, Ls...>::type>::type;
};

template <class List>
struct pack_of;
template <class... S>
struct pack_of<type_list<S...>> {
  using type = pack<S...>;
};

/// Where everything of a network lives, in scalars. Offsets are into the parameters, the
/// inference workspace or the training workspace; `from_input` marks an output that is the
/// caller's input itself (a view of it).
template <std::size_t L, std::size_t P>
struct plan_data {
  static constexpr std::size_t from_input = dynamic;

  std::array<std::size_t, L> in_size{};       ///< values layer l reads (its input flattened)
  std::array<std::size_t, L> out_size{};      ///< values layer l writes
  std::array<std::size_t, L> param_offset{};  ///< where layer l's parameters start
  std::array<std::size_t, L> param_size{};
  std::array<std::size_t, L> infer_out{};     ///< inference: where layer l writes its output
  std::array<std::size_t, L> train_out{};     ///< training: where layer l's output is kept
  std::array<std::size_t, L> extra_offset{};  ///< training: what layer l saves besides
  std::array<std::size_t, L> forward_scratch{};   ///< scratch layer l's forward needs
  std::array<std::size_t, L> backward_scratch{};  ///< scratch layer l's backward needs
  std::array<std::size_t, P> param_layers{};  ///< index of the j-th layer with parameters
  /// The layers' facts: their types' (constants), or what layers chosen at run time said.
  std::array<bool, L> view{}, in_place{}, saves_input{}, saves_output{}, has_params{};
  /// The network's sizes as dense networks have always stated them: the input, then each
  /// parameter layer's output.
  std::array<std::size_t, P + 1> dims{};
  std::size_t first_param_layer = L;
  std::size_t params = 0;
  std::size_t buffer = 0;             ///< each of the two inference buffers
  std::size_t infer_scratch = 0;      ///< offset of inference scratch
  std::size_t inference_ws = 0;
  std::size_t train_scratch = 0;      ///< offset of training scratch
  std::size_t delta = 0;              ///< offset of the two delta buffers
  std::size_t delta_size = 0;         ///< each of them
  std::size_t training_ws = 0;
  bool valid = true;                  ///< every run-time shape was positive and taken
};

/// The per-layer facts that are types' facts, as arrays, and the plan of given shapes.
template <class... Layers>
struct network_plan {
  static constexpr std::size_t layer_count = sizeof...(Layers);
  static constexpr std::size_t param_layer_count =
      (std::size_t{layer_traits<Layers>::has_params} + ... + 0);
  using input_shape = typename network_input<typename type_at<0, Layers...>::type>::type;
  using shapes = typename shape_list<input_shape, Layers...>::type;
  using shape_pack = typename pack_of<shapes>::type;
  using layer_pack = pack<Layers...>;
  using data = plan_data<layer_count, param_layer_count>;

  static constexpr std::array<bool, layer_count> view{layer_traits<Layers>::view...};
  static constexpr std::array<bool, layer_count> has_params{layer_traits<Layers>::has_params...};
  static constexpr std::array<bool, layer_count> is_loss{layer_traits<Layers>::is_loss...};

  /// Index of the first layer whose type has parameters: backward never goes below it (nor
  /// below data::first_param_layer, where layers chosen at run time have none).
  static constexpr std::size_t first_param_layer = [] {
    for (std::size_t l = 0; l < layer_count; ++l)
      if (has_params[l]) return l;
    return layer_count;
  }();

  static constexpr bool is_fixed = [] {
    bool fixed = true;
    for_each_index(std::make_index_sequence<layer_count + 1>{}, [&](auto l) {
      using S = std::remove_cvref_t<decltype(get<l>(std::declval<const shape_pack&>()))>;
      fixed = fixed && S::is_static;
    });
    return fixed;
  }();

  /// Shapes folded through the layers from the input shape, as values.
  static constexpr shape_pack fold(const layer_pack& layers, const input_shape& in) noexcept {
    shape_pack s{};
    get<0>(s) = in;
    for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      get<l + 1>(s) = get<l>(layers).output_shape(get<l>(s));
    });
    return s;
  }

  /// The plan for a network of numeric type T (its parameter counts depend on it).
  template <class T>
  static constexpr data make(const layer_pack& layers, const shape_pack& shapes) noexcept {
    data d{};
    d.first_param_layer = layer_count;
    std::size_t j = 0;
    std::array<std::size_t, layer_count> extra{};
    for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      using L = typename type_at<l, Layers...>::type;
      const auto& layer = get<l>(layers);
      const auto& in = get<l>(shapes);
      const auto& out = get<l + 1>(shapes);
      d.in_size[l] = in.size();
      d.out_size[l] = out.size();
      d.param_offset[l] = d.params;
      d.param_size[l] = layer_traits<L>::template param_count_for<T>(layer, in);
      d.params += d.param_size[l];
      extra[l] = layer_traits<L>::extra_count(layer, in);
      d.forward_scratch[l] = layer_traits<L>::forward_scratch_count(layer, in);
      const layer_facts f = layer_traits<L>::facts(layer, in);
      d.view[l] = f.view;
      d.in_place[l] = f.in_place;
      d.saves_input[l] = f.saves_input;
      d.saves_output[l] = f.saves_output;
      d.has_params[l] = f.has_params;
      if (f.has_params && d.first_param_layer == layer_count) d.first_param_layer = l;
      d.valid = d.valid && in.size() > 0 && out.size() > 0 &&
                layer_traits<L>::takes_shape(layer, in);
      if constexpr (layer_traits<L>::has_params) {
        d.param_layers[j] = l;
        d.dims[++j] = out.size();
      }
    });
    // Backward runs from the first layer with parameters up; only above it is dJ/dx wanted.
    for_each_index(std::make_index_sequence<layer_count>{}, [&](auto l) {
      using L = typename type_at<l, Layers...>::type;
      if (l >= d.first_param_layer)
        d.backward_scratch[l] = layer_traits<L>::backward_scratch_count(
            get<l>(layers), get<l>(shapes), l > d.first_param_layer);
    });
    d.dims[0] = get<0>(shapes).size();
    place_inference(d);
    place_training(d, extra);
    return d;
  }

 private:
  // Inference ping-pongs two buffers: a layer that may run in place writes over its input,
  // any other into the buffer it does not read; views write nothing.
  static constexpr void place_inference(data& d) noexcept {
    std::size_t current = data::from_input;
    int which = -1;
    std::size_t scratch = 0;
    for (std::size_t l = 0; l < layer_count; ++l) {
      scratch = d.forward_scratch[l] > scratch ? d.forward_scratch[l] : scratch;
      if (d.view[l]) {
        d.infer_out[l] = current;
        continue;
      }
      d.buffer = d.out_size[l] > d.buffer ? d.out_size[l] : d.buffer;
      if (!d.in_place[l] || current == data::from_input) which = which == 0 ? 1 : 0;
      d.infer_out[l] = static_cast<std::size_t>(which);  // turned into offsets below
      current = 0;
    }
    for (std::size_t l = 0; l < layer_count; ++l)
      if (d.infer_out[l] != data::from_input) d.infer_out[l] *= d.buffer;
    d.infer_scratch = 2 * d.buffer;
    d.inference_ws = d.infer_scratch + scratch;
  }

  // Training keeps every output that a backward reads. A layer writes over its input when it
  // may run in place and nobody needs that input any more: not its own backward, and not the
  // backward of the layer that produced it (views in between read nothing).
  static constexpr void place_training(data& d,
                                       const std::array<std::size_t, layer_count>& extra) noexcept {
    std::size_t next = 0;
    std::size_t producer = layer_count;  // the last layer that wrote a buffer, none yet
    for (std::size_t l = 0; l < layer_count; ++l) {
      const std::size_t source = l == 0 ? data::from_input : d.train_out[l - 1];
      if (d.view[l]) {
        d.train_out[l] = source;
      } else if (d.in_place[l] && source != data::from_input && !d.saves_input[l] &&
                 (producer == layer_count || !d.saves_output[producer])) {
        d.train_out[l] = source;
        producer = l;
      } else {
        d.train_out[l] = next;
        next += d.out_size[l];
        producer = l;
      }
      d.extra_offset[l] = next;
      next += extra[l];
    }
    // Deltas: dJ/dy of every layer from the first with parameters up, and dJ/dx of those above it.
    for (std::size_t l = d.first_param_layer; l < layer_count; ++l) {
      if (d.out_size[l] > d.delta_size) d.delta_size = d.out_size[l];
      if (l > d.first_param_layer && d.in_size[l] > d.delta_size) d.delta_size = d.in_size[l];
    }
    d.delta = next;
    next += 2 * d.delta_size;
    std::size_t scratch = 0;
    for (std::size_t l = 0; l < layer_count; ++l) {
      scratch = d.forward_scratch[l] > scratch ? d.forward_scratch[l] : scratch;
      scratch = d.backward_scratch[l] > scratch ? d.backward_scratch[l] : scratch;
    }
    d.train_scratch = next;
    d.training_ws = next + scratch;
  }
};

}  // namespace constnn::detail
