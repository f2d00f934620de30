// The network of a model description: the library's own layers, chosen at run time.
#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include <constnn/constnn.hpp>

#include "model_description.hpp"

namespace host_tools {

/// The library layer of one item, every size given at run time.
constnn::any_layer to_any_layer(const layer_spec& layer);

/// The shape as any_layer networks take it: a vector N is 1 x 1 x N, a series L x C 1 x L x C.
constnn::any_shape to_any_shape(const tensor_shape& shape);

namespace detail {
template <class T, class Indices>
struct stack_of;
template <class T, std::size_t... I>
struct stack_of<T, std::index_sequence<I...>> {
  template <std::size_t>
  using slot = constnn::any_layer;
  using type = constnn::sequential<T, constnn::input<constnn::dynamic, constnn::dynamic,
                                                     constnn::dynamic>,
                                   slot<I>..., constnn::softmax_xent>;
  static type make(const constnn::any_shape& in,
                   const std::array<constnn::any_layer, max_layers>& layers) {
    return type(in, {}, layers[I]..., constnn::softmax_xent{});
  }
};
template <class T>
using stack_type = stack_of<T, std::make_index_sequence<max_layers>>;
}  // namespace detail

/// max_layers run-time layers then softmax + cross-entropy: any description fits, the
/// positions it leaves pass their input on at no cost. Its parameters, plan and bits are
/// those of fixed_network_type(d) (tests/unit/any_layer_test.cpp).
template <class T>
using stack_network = typename detail::stack_type<T>::type;

/// The network of d, whose shapes_of() has been checked.
template <class T>
stack_network<T> make_network(const model_description& d) {
  std::array<constnn::any_layer, max_layers> layers{};
  for (std::size_t k = 0; k < d.layers.size() && k < max_layers; ++k)
    layers[k] = to_any_layer(d.layers[k]);
  return detail::stack_type<T>::make(to_any_shape(d.input), layers);
}

}  // namespace host_tools
