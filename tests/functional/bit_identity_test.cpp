// Every vector path gives the portable path's bits: the same training, run once with the
// portable loops (what the microcontroller runs) and once with each vector path this CPU
// has, must leave identical weight bits, identical metrics after every epoch and identical
// predictions. On the OCR data (small and large, float and double, the run-time-size network
// train_export uses and the fixed-size one), on synthetic networks whose widths reach every
// block and tail of the kernels, on convolutional networks, and on exp itself over a sample
// of every float and double.
#define BOOST_TEST_MODULE bit_identity
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "../support/ocr_data.hpp"

using namespace constnn;

namespace {

/// The vector paths of this build and CPU (the portable one is the reference).
std::vector<kernels::path> vector_paths() {
  std::vector<kernels::path> paths;
  for (const auto p : {kernels::path::avx2, kernels::path::avx512, kernels::path::cortex_m})
    if (kernels::available(p)) paths.push_back(p);
  return paths;
}

/// Restores the best path when a test is done, whatever happened.
struct path_guard {
  kernels::path saved = kernels::active();
  ~path_guard() { kernels::use(saved); }
};

template <class T>
auto bits_of(T v) {
  if constexpr (sizeof(T) == 4) {
    return std::bit_cast<std::uint32_t>(v);
  } else {
    return std::bit_cast<std::uint64_t>(v);
  }
}

/// Everything a training run produces that could differ.
template <class T>
struct trace {
  std::vector<T> params;
  std::vector<double> epoch_loss, train_ce, validation_ce;
  std::vector<std::size_t> train_errors, validation_errors;
  std::vector<int> predictions;
};

template <class T>
struct examples {
  std::vector<T> features;
  std::vector<int> labels;
  std::size_t width = 0;
  dataset_view<T, int> view() const {
    return {features.data(), labels.data(), labels.size(), width};
  }
};

template <class T>
examples<T> from_csv(const std::string& name) {
  const auto d = constnn_test::load_csv<T>(constnn_test::ocr_file(name));
  return {d.features, d.labels, d.width};
}

/// Both sets' metrics with the weights as they are now.
template <class Net>
void record_epoch(const Net& net, const examples<typename Net::scalar>& train,
                  const examples<typename Net::scalar>& validation, trace<typename Net::scalar>& t,
                  std::span<typename Net::scalar> w) {
  using T = typename Net::scalar;
  const auto a = evaluate(net, std::span<const T>(t.params), train.view(), w);
  const auto b = evaluate(net, std::span<const T>(t.params), validation.view(), w);
  t.train_ce.push_back(a.mean_cross_entropy);
  t.validation_ce.push_back(b.mean_cross_entropy);
  t.train_errors.push_back(a.errors);
  t.validation_errors.push_back(b.errors);
}

/// Every prediction of both sets.
template <class Net>
void record_predictions(const Net& net, const examples<typename Net::scalar>& train,
                        const examples<typename Net::scalar>& validation,
                        trace<typename Net::scalar>& t, std::span<typename Net::scalar> w) {
  using T = typename Net::scalar;
  t.predictions.resize(train.labels.size() + validation.labels.size());
  predict_all(net, std::span<const T>(t.params), train.view(),
              std::span<int>(t.predictions).first(train.labels.size()), w);
  predict_all(net, std::span<const T>(t.params), validation.view(),
              std::span<int>(t.predictions).subspan(train.labels.size()), w);
}

/// Random init, `epochs` epochs of SGD, an evaluation of both sets after each, then every
/// prediction: the reference job's shape.
template <class Net>
trace<typename Net::scalar> run(const Net& net, const examples<typename Net::scalar>& train,
                                const examples<typename Net::scalar>& validation, int epochs,
                                typename Net::scalar lr, init_scheme init) {
  using T = typename Net::scalar;
  trace<T> t;
  t.params.assign(net.parameters_size(), T(0));
  std::vector<T> ws(net.training_workspace_size() + net.inference_workspace_size());
  const std::span<T> p(t.params), w(ws);
  initialize(net, p, init, 7);
  for (int e = 0; e < epochs; ++e) {
    t.epoch_loss.push_back(train_epoch(net, p, train.view(), lr, w));
    record_epoch(net, train, validation, t, w);
  }
  record_predictions(net, train, validation, t, w);
  return t;
}

template <class T>
void require_identical(const trace<T>& portable, const trace<T>& other) {
  BOOST_TEST_REQUIRE(portable.params.size() == other.params.size());
  std::size_t first_difference = portable.params.size();
  for (std::size_t k = 0; k < portable.params.size(); ++k) {
    if (bits_of(portable.params[k]) != bits_of(other.params[k])) {
      first_difference = k;
      break;
    }
  }
  BOOST_TEST(first_difference == portable.params.size(),
             "parameter " << first_difference << " differs");
  const auto same_doubles = [](const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t k = 0; k < a.size(); ++k)
      if (bits_of(a[k]) != bits_of(b[k])) return false;
    return true;
  };
  BOOST_TEST(same_doubles(portable.epoch_loss, other.epoch_loss));
  BOOST_TEST(same_doubles(portable.train_ce, other.train_ce));
  BOOST_TEST(same_doubles(portable.validation_ce, other.validation_ce));
  BOOST_TEST(portable.train_errors == other.train_errors, boost::test_tools::per_element());
  BOOST_TEST(portable.validation_errors == other.validation_errors,
             boost::test_tools::per_element());
  BOOST_TEST(portable.predictions == other.predictions);
}

/// As run(), with an optimizer that keeps state, mini-batches and a shuffled order that
/// changes each epoch: the paths the optimizers add (gradient accumulation, the update
/// target, the state) under every kernel path.
template <class Net, class Opt>
trace<typename Net::scalar> run_with(const Net& net, const examples<typename Net::scalar>& train,
                                     const examples<typename Net::scalar>& validation, int epochs,
                                     Opt opt, std::size_t batch, init_scheme init) {
  using T = typename Net::scalar;
  trace<T> t;
  t.params.assign(net.parameters_size(), T(0));
  std::vector<T> ws(net.training_workspace_size() + net.inference_workspace_size());
  std::vector<T> state(optimizer_state_count<Opt>(net.parameters_size()));
  std::vector<T> grad(batch_gradient_count(batch, net.parameters_size()));
  std::vector<std::size_t> order(train.labels.size());
  const std::span<T> p(t.params), w(ws);
  initialize(net, p, init, 7);
  for (int e = 0; e < epochs; ++e) {
    shuffled_order(order, 3, static_cast<std::uint64_t>(e));
    t.epoch_loss.push_back(train_epoch(net, p, train.view(), opt, std::span<T>(state),
                                       std::span<T>(grad), w, batch,
                                       std::span<const std::size_t>(order)));
    record_epoch(net, train, validation, t, w);
  }
  record_predictions(net, train, validation, t, w);
  return t;
}

/// Trains with the portable path, then with every vector path, and compares.
template <class Net>
void check_paths(const Net& net, const examples<typename Net::scalar>& train,
                 const examples<typename Net::scalar>& validation, int epochs,
                 typename Net::scalar lr, init_scheme init = init_scheme::random) {
  path_guard guard;
  BOOST_TEST_REQUIRE(kernels::use(kernels::path::portable));
  const auto reference = run(net, train, validation, epochs, lr, init);
  const auto paths = vector_paths();
  if (paths.empty()) BOOST_TEST_MESSAGE("only the portable path exists here: nothing to compare");
  for (const auto path : paths) {
    BOOST_TEST_CONTEXT("path " << kernels::name(path)) {
      BOOST_TEST_REQUIRE(kernels::use(path));
      require_identical(reference, run(net, train, validation, epochs, lr, init));
    }
  }
}

/// check_paths() for run_with().
template <class Net, class Opt>
void check_optimizer_paths(const Net& net, const examples<typename Net::scalar>& train,
                           const examples<typename Net::scalar>& validation, int epochs, Opt opt,
                           std::size_t batch, init_scheme init) {
  path_guard guard;
  BOOST_TEST_REQUIRE(kernels::use(kernels::path::portable));
  const auto reference = run_with(net, train, validation, epochs, opt, batch, init);
  for (const auto path : vector_paths()) {
    BOOST_TEST_CONTEXT("path " << kernels::name(path)) {
      BOOST_TEST_REQUIRE(kernels::use(path));
      require_identical(reference, run_with(net, train, validation, epochs, opt, batch, init));
    }
  }
}

template <class T>
using runtime_net = sequential<T, dense<dynamic, dynamic>, sigmoid, dense<dynamic, dynamic>,
                               softmax_xent>;
template <class T>
using reference_net = sequential<T, dense<128, 50>, sigmoid, dense<50, 10>, softmax_xent>;

/// Synthetic examples: values in [0, 1] with many exact zeros and ones, as well as values
/// in between, so both the skipping and the general products are exercised.
template <class T>
examples<T> synthetic(std::size_t count, std::size_t width, int classes, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  examples<T> d;
  d.width = width;
  for (std::size_t e = 0; e < count; ++e) {
    for (std::size_t i = 0; i < width; ++i) {
      const double r = u(rng);
      d.features.push_back(r < 0.5 ? T(0) : r < 0.7 ? T(1) : static_cast<T>(u(rng)));
    }
    d.labels.push_back(static_cast<int>(rng() % static_cast<unsigned>(classes)));
  }
  return d;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ocr_data)

BOOST_AUTO_TEST_CASE(small_data_float_and_double,
                     *boost::unit_test::precondition(constnn_test::ocr_file_present{"smallTrain.csv"}) *
                         boost::unit_test::precondition(
                             constnn_test::ocr_file_present{"smallValidation.csv"})) {
  const auto tf = from_csv<float>("smallTrain.csv"), vf = from_csv<float>("smallValidation.csv");
  const auto td = from_csv<double>("smallTrain.csv"), vd = from_csv<double>("smallValidation.csv");
  check_paths(runtime_net<float>({128, 50, 10}), tf, vf, 10, 0.01f);
  check_paths(runtime_net<double>({128, 50, 10}), td, vd, 10, 0.01);
  check_paths(reference_net<float>{}, tf, vf, 10, 0.01f);
  check_paths(reference_net<double>{}, td, vd, 10, 0.01);
  // The reference's own small configuration: 4 hidden units, ZERO init, lr 0.1.
  check_paths(runtime_net<float>({128, 4, 10}), tf, vf, 5, 0.1f, init_scheme::zero);
  check_paths(runtime_net<double>({128, 4, 10}), td, vd, 5, 0.1, init_scheme::zero);
}

BOOST_AUTO_TEST_CASE(large_data_float_and_double,
                     *boost::unit_test::precondition(constnn_test::ocr_file_present{"largeTrain.csv"}) *
                         boost::unit_test::precondition(
                             constnn_test::ocr_file_present{"largeValidation.csv"})) {
  const auto tf = from_csv<float>("largeTrain.csv"), vf = from_csv<float>("largeValidation.csv");
  const auto td = from_csv<double>("largeTrain.csv"), vd = from_csv<double>("largeValidation.csv");
  check_paths(runtime_net<float>({128, 50, 10}), tf, vf, 3, 0.01f);
  check_paths(runtime_net<double>({128, 50, 10}), td, vd, 3, 0.01);
  check_paths(reference_net<float>{}, tf, vf, 2, 0.01f);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(synthetic_widths)

// Hidden widths below, at and above one vector and one block of vectors (128 floats or 64
// doubles with AVX-512), and inputs beyond one list of nonzero inputs (1024).
BOOST_AUTO_TEST_CASE(every_block_and_tail_of_the_dense_kernels) {
  for (const std::size_t hidden : {1u, 3u, 8u, 15u, 16u, 17u, 50u, 64u, 65u, 129u, 300u}) {
    BOOST_TEST_CONTEXT("hidden " << hidden) {
      const auto tf = synthetic<float>(60, 37, 7, 1), vf = synthetic<float>(20, 37, 7, 2);
      const auto td = synthetic<double>(60, 37, 7, 1), vd = synthetic<double>(20, 37, 7, 2);
      check_paths(runtime_net<float>({37, hidden, 7}), tf, vf, 3, 0.05f);
      check_paths(runtime_net<double>({37, hidden, 7}), td, vd, 3, 0.05);
    }
  }
  const auto tf = synthetic<float>(20, 2100, 19, 3), vf = synthetic<float>(10, 2100, 19, 4);
  const auto td = synthetic<double>(20, 2100, 19, 3), vd = synthetic<double>(10, 2100, 19, 4);
  check_paths(runtime_net<float>({2100, 33, 19}), tf, vf, 2, 0.02f);
  check_paths(runtime_net<double>({2100, 33, 19}), td, vd, 2, 0.02);
}

BOOST_AUTO_TEST_CASE(deeper_stacks_with_other_activations) {
  using deep = sequential<float, dense<dynamic, dynamic>, sigmoid, dense<dynamic, dynamic>, constnn::tanh,
                          dense<dynamic, dynamic>, relu, dense<dynamic, dynamic>, softmax_xent>;
  const auto t = synthetic<float>(80, 23, 5, 5), v = synthetic<float>(30, 23, 5, 6);
  check_paths(deep({23, 40, 19, 70, 5}), t, v, 4, 0.05f);
  using deep_d = sequential<double, dense<dynamic, dynamic>, sigmoid, dense<dynamic, dynamic>,
                            sigmoid, dense<dynamic, dynamic>, softmax_xent>;
  const auto td = synthetic<double>(80, 23, 5, 5), vd = synthetic<double>(30, 23, 5, 6);
  check_paths(deep_d({23, 40, 33, 5}), td, vd, 4, 0.05);
}

// Convolutional networks: the conv and pooling loops, and the dense, sigmoid and softmax
// kernels they feed, under every path.
BOOST_AUTO_TEST_CASE(convolutional_networks) {
  using cnn = sequential<float, input<12, 10, 2>, conv2d<8, 3, 3, 1, padding::same>, relu,
                         max_pool2d<2, 2>, conv2d<16, 3, 3>, sigmoid, flatten,
                         dense<dynamic, 64>, relu, dense<64, 5>, softmax_xent>;
  const auto t = synthetic<float>(40, 240, 5, 7), v = synthetic<float>(20, 240, 5, 8);
  check_paths(cnn{}, t, v, 3, 0.02f, init_scheme::he);
  using series = sequential<double, input<30, 4>, conv1d<6, 5, 2, padding::same>, constnn::tanh,
                            conv1d<9, 3>, relu, global_avg_pool, dense<9, 5>, softmax_xent>;
  const auto td = synthetic<double>(40, 120, 5, 9), vd = synthetic<double>(20, 120, 5, 10);
  check_paths(series{}, td, vd, 3, 0.02, init_scheme::glorot);
}

// The corners of the conv and pooling kernels: more filters and channels than one block of
// vectors holds, stride 2 (no blocked input gradient), an even window with uneven padding,
// overlapping pooling windows, and pooling that leaves rows and columns uncovered.
BOOST_AUTO_TEST_CASE(convolution_kernel_corners) {
  using wide = sequential<float, input<17, 15, 3>, conv2d<70, 3, 3, 2, padding::same>, relu,
                          max_pool2d<3, 3, 2, 2>, conv2d<19, 2, 4, 1, padding::same>, relu,
                          max_pool2d<2, 2>, flatten, dense<dynamic, 5>, softmax_xent>;
  const auto t = synthetic<float>(24, 17 * 15 * 3, 5, 11), v = synthetic<float>(12, 17 * 15 * 3, 5, 12);
  check_paths(wide{}, t, v, 2, 0.01f, init_scheme::he);
  using deep = sequential<double, input<9, 10, 5>, conv2d<37, 3, 3, 1, padding::same>,
                          constnn::tanh, conv2d<33, 3, 2>, relu, max_pool2d<2, 3>, flatten,
                          dense<dynamic, 4>, softmax_xent>;
  const auto td = synthetic<double>(24, 9 * 10 * 5, 4, 13), vd = synthetic<double>(12, 9 * 10 * 5, 4, 14);
  check_paths(deep{}, td, vd, 2, 0.01, init_scheme::glorot);
}

// Optimizers with state, mini-batches and shuffling on a dense and a convolutional network.
BOOST_AUTO_TEST_CASE(optimizers_with_state_and_mini_batches) {
  using mlp = sequential<float, dense<dynamic, dynamic>, relu, dense<dynamic, dynamic>, sigmoid,
                         dense<dynamic, dynamic>, softmax_xent>;
  const auto t = synthetic<float>(70, 37, 5, 15), v = synthetic<float>(30, 37, 5, 16);
  check_optimizer_paths(mlp({37, 45, 19, 5}), t, v, 3, adam(0.01f), 8, init_scheme::he);
  check_optimizer_paths(mlp({37, 45, 19, 5}), t, v, 3, adamw(0.01f, 0.05f), 1, init_scheme::he);
  check_optimizer_paths(mlp({37, 45, 19, 5}), t, v, 3, nesterov(0.02f, 0.9f, 1e-3f), 5,
                        init_scheme::glorot);
  using cnn = sequential<double, input<10, 9, 2>, conv2d<12, 3, 3, 1, padding::same>, relu,
                         max_pool2d<2, 2>, conv2d<7, 2, 2>, constnn::tanh, flatten,
                         dense<dynamic, 4>, softmax_xent>;
  const auto tc = synthetic<double>(30, 180, 4, 17), vc = synthetic<double>(12, 180, 4, 18);
  check_optimizer_paths(cnn{}, tc, vc, 2, adam(0.005), 4, init_scheme::he);
  check_optimizer_paths(cnn{}, tc, vc, 2, momentum(0.01, 0.9), 3, init_scheme::glorot);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(exp_lanes)

// y = exp(x - 0) on vectors against math::exp on scalars, over a sample of every bit pattern
// (all signs, subnormals, the overflow and underflow edges, infinities and NaN).
// Signalling NaNs are left out: whether `x - 0` quiets one depends on whether the compiler
// folded the subtraction, in the portable code as anywhere else.
template <class T, class Bits>
void check_exp(Bits stride) {
  constexpr Bits quiet_bit = Bits{1} << (std::numeric_limits<T>::digits - 2);
  std::vector<T> x;
  for (Bits b = 0;; b = static_cast<Bits>(b + stride)) {
    const T v = std::bit_cast<T>(b);
    if (v == v || (b & quiet_bit) != 0) x.push_back(v);
    if (b > std::numeric_limits<Bits>::max() - stride) break;
  }
  for (const T v : {T(0), -T(0), std::numeric_limits<T>::infinity(),
                    -std::numeric_limits<T>::infinity(), std::numeric_limits<T>::quiet_NaN(),
                    math::detail::ieee<T>::exp_overflow, math::detail::ieee<T>::exp_underflow})
    for (const T d : {T(0), T(1), T(-1)})
      x.push_back(std::nextafter(v, d * std::numeric_limits<T>::infinity()));
  // Dense sweeps through the ranges where the result is normal, subnormal or 0/inf.
  for (T v = T(-800); v < T(800); v += T(0.0137)) x.push_back(v);
  for (std::size_t tail = 0; tail < 20; ++tail) x.push_back(T(-90) - static_cast<T>(tail));
  std::vector<T> vec(x.size());
  path_guard guard;
  for (const auto path : vector_paths()) {
    BOOST_TEST_CONTEXT("path " << kernels::name(path)) {
      BOOST_TEST_REQUIRE(kernels::use(path));
      BOOST_TEST_REQUIRE(detail::kernels::exp_shifted(x.size(), x.data(), T(0), vec.data()));
      std::size_t bad = 0;
      for (std::size_t k = 0; k < x.size(); ++k) {
        const T want = math::exp(x[k] - T(0));
        if (bits_of(want) != bits_of(vec[k]) && bad++ < 5)
          BOOST_TEST_MESSAGE("exp(" << x[k] << "): portable " << want << ", vector " << vec[k]);
      }
      BOOST_TEST(bad == 0u, bad << " of " << x.size() << " results differ");
    }
  }
}

BOOST_AUTO_TEST_CASE(float_exp_matches_on_every_lane) { check_exp<float>(std::uint32_t{4093}); }
BOOST_AUTO_TEST_CASE(double_exp_matches_on_every_lane) {
  check_exp<double>(std::uint64_t{0x0000'1f3b'c4a2'90d1});
}

BOOST_AUTO_TEST_SUITE_END()
