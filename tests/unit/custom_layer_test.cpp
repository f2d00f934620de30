// A layer defined outside the library, as docs/adding-a-layer.md shows: the network, its plan
// and its loops take it with no change to constnn, gradients and memory figures included.
#define BOOST_TEST_MODULE custom_layer
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <vector>

#include "../support/finite_difference.hpp"

namespace example {

// --- as in docs/adding-a-layer.md ---
/// y = x * w[c] + b[c] per channel c of a channels-last input (the last axis): a learned
/// per-channel scale and shift, with parameter slices "scale" [C] and "shift" [C].
struct channel_affine {
  static constexpr std::size_t slice_count = 2;
  static constexpr bool saves_input = true;  // dJ/dw needs x

  template <constnn::shape In>
  constexpr In output_shape(const In& in) const noexcept {
    return in;
  }
  template <constnn::shape In>
  constexpr std::array<constnn::param_slice, 2> param_slices(const In& in) const noexcept {
    const std::size_t c = in.extent(In::rank() - 1), n = in.size();
    return {{{"scale", {c}, 1, constnn::slice_role::weights, n / c, n / c},
             {"shift", {c}, 1, constnn::slice_role::bias, n / c, n / c}}};
  }
  template <class T, class In, class Out>
  constexpr void forward(const constnn::forward_io<T, In, Out>& io) const noexcept {
    const std::size_t c_n = io.in.extent(In::rank() - 1);
    for (std::size_t k = 0; k < io.in.size(); ++k)
      io.y[k] = io.x[k] * io.params[k % c_n] + io.params[c_n + k % c_n];
  }
  template <class T, class In, class Out, class Update>
  constexpr void backward(const constnn::backward_io<T, In, Out>& io,
                          const Update& update) const noexcept {
    const std::size_t c_n = io.in.extent(In::rank() - 1);
    if (io.dx != nullptr)  // from the scale before its update
      for (std::size_t k = 0; k < io.in.size(); ++k) io.dx[k] = io.dy[k] * io.params[k % c_n];
    for (std::size_t c = 0; c < c_n; ++c) {
      T g_scale = T(0), g_shift = T(0);
      for (std::size_t k = c; k < io.in.size(); k += c_n) {
        g_scale += io.dy[k] * io.x[k];
        g_shift += io.dy[k];
      }
      update(io.params[c], c, g_scale);
      update(io.params[c_n + c], c_n + c, g_shift);
    }
  }
};
// ---

}  // namespace example

using net = constnn::sequential<double, constnn::input<6, 5, 2>,
                                constnn::conv2d<3, 3, 3, 1, constnn::padding::same>,
                                example::channel_affine, constnn::relu, constnn::flatten,
                                constnn::dense<90, 4>, constnn::softmax_xent>;

BOOST_AUTO_TEST_SUITE(custom_layer)

BOOST_AUTO_TEST_CASE(a_layer_defined_outside_the_library_plans_and_trains) {
  // conv 3x3x2x3 + 3, the layer's 3 + 3, dense 90x4 + 4.
  static_assert(net::param_count == 57 + 6 + 364);
  // The layer keeps its input (the conv output, 90), writes its own output (90): relu may
  // not run over the conv output the layer still needs.
  static_assert(net::training_workspace_count == 90 + 90 + 4 + 2 * 90 + 4 * 3);
  const net n;
  std::vector<double> p(net::param_count), ws(net::training_workspace_count), g(p.size());
  constnn::initialize(n, std::span<double>(p), constnn::init_scheme::he, 4);
  // He gives the layer's scales weights; start them near 1 as a scale layer would be.
  for (std::size_t k = 57; k < 60; ++k) p[k] += 1;
  std::vector<double> x = constnn_test::random_vector(60, -1, 1, 5);
  n.gradient(p, x, 2, g, ws);
  const auto numeric = constnn_test::numeric_gradient(p, [&] { return n.loss(p, x, 2, ws); });
  BOOST_TEST(constnn_test::l2_distance(g, numeric) < 1e-7);
}

BOOST_AUTO_TEST_SUITE_END()
