// The contract every layer meets, so the network, its plan and its loops know no layer kind.
//
// A layer type L states, as constexpr facts about an input shape `in` (a constnn::extents):
//
//   l.output_shape(in)        the shape it produces (required); its type is fixed wherever
//                             the input's type is, so fixed networks fold to constants
//   L::takes<In>              false when a fixed input shape cannot be taken (default true);
//                             l.takes_shape(in) the same check on run-time shapes
//   L::slice_count,           its parameter slices: name, shape (row-major), role and fans
//   l.param_slices(in)        of each (default: none); the layer's parameters are the slices
//                             back to back, in order
//   L::saves_input/_output    what its backward reads from the forward pass (default: neither)
//   l.extra_count(in)         further values forward saves for backward, such as max-pool's
//                             arg-max (default 0)
//   L::in_place               forward may write its output over its input (default false)
//   L::view                   the output is the input itself, unchanged (flatten): no buffer,
//                             no work, and backward passes the delta through
//   l.forward_scratch_count(in), l.backward_scratch_count(in, needs_dx)
//                             temporary values forward or backward needs (default 0);
//                             backward's may depend on whether dJ/dx is wanted
//   l.facts(in)               for a layer chosen at run time: the facts above as values
//                             (layer_facts); the type then states the safe union
//   L::int8_form, l.int8_param_count(in)
//                             the layer runs in int8 networks (int8_affine), whose forward
//                             it then handles too, with that many parameter bytes (default
//                             none): the layout its header documents
//   L::is_loss                it ends a network that trains: it has value() and backward()
//                             against a label (default false)
//   l.forward_and_value(io, label), L::value_is_exact(n, y, label)
//                             a loss that can be exact only from its input (softmax_xent
//                             where a probability underflows) computes it during forward;
//                             value_is_exact says when value() from the output is enough,
//                             so batched evaluation can take the losses after the batch
//
// and does its work in l.forward(forward_io) and l.backward(backward_io, update). Backward
// hands every parameter gradient to `update` (see train/update.hpp) instead of storing it,
// so plain SGD needs no gradient buffer while other targets can keep one or keep state.
// Adding a layer kind is adding a header that defines such a type: nothing else changes.
#pragma once

#include "../core/requirements.hpp"

#include <array>
#include <cstddef>

#include "../core/numeric.hpp"
#include "../core/shape.hpp"

namespace constnn {

/// What a parameter slice is for: initialisation draws weights and zeroes biases.
enum class slice_role { weights, bias };

/// One named block of a layer's parameters, stored row-major with the last axis fastest.
struct param_slice {
  const char* name = "";
  std::array<std::size_t, 4> dims{};  ///< the first `rank` axes are used
  std::size_t rank = 0;
  slice_role role = slice_role::weights;
  /// Inputs and outputs each weight connects, for Glorot and He initialisation.
  std::size_t fan_in = 0;
  std::size_t fan_out = 0;

  constexpr std::size_t size() const noexcept {
    std::size_t n = 1;
    for (std::size_t i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
};

/// What forward() is handed: the shapes, the layer's parameters, its input and output, and
/// where to save what backward needs (null when only predicting) and its scratch. T is the
/// network's numeric type (core/numeric.hpp): float or double, whose parameters and values
/// are T, or int8_affine, whose values are std::int8_t and whose parameters are bytes.
template <class T, class In, class Out>
struct forward_io {
  In in{};
  Out out{};
  const param_t<T>* params = nullptr;
  const value_t<T>* x = nullptr;
  value_t<T>* y = nullptr;
  value_t<T>* extra = nullptr;
  value_t<T>* scratch = nullptr;
};

/// What backward() is handed. dy is dJ/dy (it may be the same buffer as dx for in-place
/// layers); dx receives dJ/dx, or is null when nothing below needs it. params are writable
/// so that an update target can change them in place.
template <class T, class In, class Out>
struct backward_io {
  In in{};
  Out out{};
  T* params = nullptr;
  const T* x = nullptr;
  const T* y = nullptr;
  const T* extra = nullptr;
  const T* dy = nullptr;
  T* dx = nullptr;
  T* scratch = nullptr;
};

/// forward() on `count` examples at once, for layers with a batched vector path.
template <class T, class In, class Out>
struct forward_batch_io {
  In in{};
  Out out{};
  const T* params = nullptr;
  const T* const* xs = nullptr;
  T* const* ys = nullptr;
  std::size_t count = 0;
};

/// The facts the plan needs of a layer, for a layer whose type cannot state them because
/// its kind is chosen at run time (any_layer): such a layer gives them per instance with
/// `l.facts(in)`, and its type states the safe union (not a view, not in place, saving its
/// input and output, with parameters).
struct layer_facts {
  bool view = false;
  bool in_place = false;
  bool saves_input = false;
  bool saves_output = false;
  bool has_params = false;
};

/// A layer type that can take input shape In.
template <class L, class In>
concept layer_for = shape<In> && requires(const L& l, const In& in) {
  { l.output_shape(in) } -> shape;
};

/// The facts of the contract above, with their defaults.
template <class L>
struct layer_traits {
  template <class In>
  static constexpr bool takes() noexcept {
    if constexpr (requires { L::template takes<In>; }) {
      return L::template takes<In>;
    } else {
      return true;
    }
  }
  template <class In>
  static constexpr bool takes_shape(const L& l, const In& in) noexcept {
    if constexpr (requires { l.takes_shape(in); }) {
      return l.takes_shape(in);
    } else {
      return true;
    }
  }
  static constexpr std::size_t slice_count = [] {
    if constexpr (requires { L::slice_count; }) {
      return std::size_t{L::slice_count};
    } else {
      return std::size_t{0};
    }
  }();
  template <class In>
  static constexpr std::array<param_slice, slice_count> param_slices(const L& l,
                                                                     const In& in) noexcept {
    if constexpr (slice_count > 0) {
      return l.param_slices(in);
    } else {
      return {};
    }
  }
  template <class In>
  static constexpr std::size_t param_count(const L& l, const In& in) noexcept {
    std::size_t n = 0;
    for (const param_slice& s : param_slices(l, in)) n += s.size();
    return n;
  }
  /// Whether the layer runs in int8 networks (L::int8_form); its int8 parameters are
  /// l.int8_param_count(in) bytes (default none).
  static constexpr bool has_int8_form = [] {
    if constexpr (requires { L::int8_form; }) return bool{L::int8_form};
    return false;
  }();
  /// Parameters of the layer in a network of numeric type T: its slices' values, or for
  /// int8 the bytes of its int8 form.
  template <class T, class In>
  static constexpr std::size_t param_count_for(const L& l, const In& in) noexcept {
    if constexpr (is_quantized<T>) {
      if constexpr (requires { l.int8_param_count(in); }) {
        return l.int8_param_count(in);
      } else {
        return 0;
      }
    } else {
      return param_count(l, in);
    }
  }
  static constexpr bool has_params = slice_count > 0;
  static constexpr bool saves_input = [] {
    if constexpr (requires { L::saves_input; }) return bool{L::saves_input};
    return false;
  }();
  static constexpr bool saves_output = [] {
    if constexpr (requires { L::saves_output; }) return bool{L::saves_output};
    return false;
  }();
  static constexpr bool in_place = [] {
    if constexpr (requires { L::in_place; }) return bool{L::in_place};
    return false;
  }();
  static constexpr bool view = [] {
    if constexpr (requires { L::view; }) return bool{L::view};
    return false;
  }();
  static constexpr bool is_loss = [] {
    if constexpr (requires { L::is_loss; }) return bool{L::is_loss};
    return false;
  }();
  /// The facts of this instance: the type's, or what a layer chosen at run time says.
  template <class In>
  static constexpr layer_facts facts(const L& l, const In& in) noexcept {
    if constexpr (requires { l.facts(in); }) {
      return l.facts(in);
    } else {
      return {view, in_place, saves_input, saves_output, has_params};
    }
  }
  template <class In>
  static constexpr bool facts_at_run_time = requires(const L& l, const In& in) { l.facts(in); };
  template <class In>
  static constexpr std::size_t extra_count(const L& l, const In& in) noexcept {
    if constexpr (requires { l.extra_count(in); }) {
      return l.extra_count(in);
    } else {
      return 0;
    }
  }
  template <class In>
  static constexpr std::size_t forward_scratch_count(const L& l, const In& in) noexcept {
    if constexpr (requires { l.forward_scratch_count(in); }) {
      return l.forward_scratch_count(in);
    } else {
      return 0;
    }
  }
  template <class In>
  static constexpr std::size_t backward_scratch_count(const L& l, const In& in,
                                                      bool needs_dx) noexcept {
    if constexpr (requires { l.backward_scratch_count(in, needs_dx); }) {
      return l.backward_scratch_count(in, needs_dx);
    } else {
      return 0;
    }
  }
};

/// Instantiated for a layer whose fixed input size differs from the size the layer before it
/// produces, so the position and both sizes are in the template arguments of the diagnostic.
template <std::size_t LayerIndex, std::size_t PreviousOutputSize, std::size_t InputSize>
struct layer_input_must_match_previous_output {
  static_assert(PreviousOutputSize == InputSize || PreviousOutputSize == dynamic ||
                    InputSize == dynamic,
                "constnn::sequential: a layer's input size must equal the output size of the "
                "layer before it (PreviousOutputSize and InputSize, named in this instantiation, "
                "differ)");
  static constexpr bool value = true;
};

/// Instantiated for a layer that cannot take the shape the layer before it produces (a rank
/// it does not handle, a window larger than the image): the index, the layer and the shape
/// are the template arguments of the diagnostic.
template <std::size_t LayerIndex, class Layer, class PreviousOutputShape>
struct layer_cannot_take_previous_output_shape {
  static_assert(layer_traits<Layer>::template takes<PreviousOutputShape>(),
                "constnn::sequential: a layer cannot take the shape of the output before it "
                "(LayerIndex, Layer and PreviousOutputShape are named in this instantiation)");
  static constexpr bool value = true;
};

/// Base of the layers that map each value on its own (activations): the shape is kept,
/// forward may run in place, and backward reads the output. Derived provides
/// forward(n, x, y) and backward(n, y, dy, dx) on n values, and says `using` for these; with
/// an int8 form, also forward_int8(n, params, x, y) and int8_param_count(in).
template <class Derived>
struct elementwise_layer {
  static constexpr bool in_place = true;
  static constexpr bool saves_output = true;

  template <shape In>
  constexpr In output_shape(const In& in) const noexcept {
    return in;
  }
  template <class T, class In, class Out>
  constexpr void forward(const forward_io<T, In, Out>& io) const noexcept {
    if constexpr (is_quantized<T>) {
      Derived::forward_int8(io.in.count(), io.params, io.x, io.y);
    } else {
      Derived::forward(io.in.count(), io.x, io.y);
    }
  }
  template <class T, class In, class Out, class Update>
  constexpr void backward(const backward_io<T, In, Out>& io, const Update&) const noexcept {
    Derived::backward(io.in.count(), io.y, io.dy, io.dx);
  }
};

}  // namespace constnn
