// The reference network's forward, loss, training and gradient paths never touch the heap:
// every global operator new is replaced by one that counts, and the count must not move.
#define BOOST_TEST_MODULE no_heap
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

namespace {

std::atomic<std::size_t> allocations{0};

std::size_t allocation_count() noexcept {
  return allocations.load(std::memory_order_relaxed);
}

void* counted_allocate(std::size_t size) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}

void* counted_allocate(std::size_t size, std::align_val_t alignment) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  const auto align = static_cast<std::size_t>(alignment);
  // aligned_alloc wants a non-zero size that is a multiple of the alignment.
  const std::size_t rounded = size == 0 ? align : (size + align - 1) / align * align;
  return std::aligned_alloc(align, rounded);
}

void* allocate_or_throw(void* p) {
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// Keeps the compiler from proving an allocation unused and removing it (C++14 allows that).
void escape(void* p) noexcept {
  asm volatile("" : : "g"(p) : "memory");
}

}  // namespace

// Every replaceable allocation function ([new.delete]); the deallocation ones only free.
void* operator new(std::size_t n) {
  return allocate_or_throw(counted_allocate(n));
}
void* operator new[](std::size_t n) {
  return allocate_or_throw(counted_allocate(n));
}
void* operator new(std::size_t n, std::align_val_t a) {
  return allocate_or_throw(counted_allocate(n, a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return allocate_or_throw(counted_allocate(n, a));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return counted_allocate(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return counted_allocate(n);
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_allocate(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_allocate(n, a);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace {

template <class T>
using reference_net = constnn::sequential<T, constnn::dense<128, 50>, constnn::sigmoid,
                                          constnn::dense<50, 10>, constnn::softmax_xent>;

using scalar_types = boost::mpl::list<float, double>;

constexpr std::size_t example_count = 4;

/// Parameters, gradient, workspace and a few examples of the reference network, all in
/// std::array, so the test object (on the stack) holds every byte the calls touch.
template <class T>
struct reference_setup {
  using net_type = reference_net<T>;
  static constexpr net_type net{};

  typename net_type::parameters params{};
  typename net_type::parameters grad{};
  typename net_type::training_workspace ws{};
  std::array<T, 128 * example_count> features{};
  std::array<std::uint8_t, example_count> labels{3, 7, 0, 9};

  reference_setup() {
    constnn::initialize(net, std::span<T>(params), constnn::init_scheme::random, 1);
    for (std::size_t k = 0; k < features.size(); ++k)
      features[k] = k % 5 == 0 ? T(1) : k % 7 == 0 ? T(0.5) : T(0);
  }
  std::span<const T> example(std::size_t e) const {
    return std::span<const T>(features).subspan(e * 128, 128);
  }
  constnn::dataset_view<T, std::uint8_t> data() const {
    return {features.data(), labels.data(), example_count, 128};
  }
};

template <class T>
bool finite(T v) {
  return constnn::math::isfinite(v);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(allocation_counter)

BOOST_AUTO_TEST_CASE(the_counter_sees_the_allocation_of_a_std_vector) {
  const std::size_t before = allocation_count();
  {
    std::vector<int> v(100, 1);
    escape(v.data());
  }
  const std::size_t after = allocation_count();
  BOOST_TEST(after == before + 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sequential)

BOOST_AUTO_TEST_CASE_TEMPLATE(forward_predict_and_loss_allocate_nothing, T, scalar_types) {
  reference_setup<T> s;
  const auto& net = reference_setup<T>::net;
  const std::size_t before = allocation_count();
  const T* y = net.forward(s.params, s.example(0), s.ws);
  escape(const_cast<T*>(y));
  const std::size_t predicted = net.predict(s.params, s.example(1), s.ws);
  const T loss = net.loss(s.params, s.example(2), 0, s.ws);
  const std::size_t after = allocation_count();

  BOOST_TEST(after == before);
  BOOST_TEST(y != nullptr);
  BOOST_TEST(predicted < 10u);
  BOOST_TEST(finite(loss));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(train_step_allocates_nothing, T, scalar_types) {
  reference_setup<T> s;
  const auto& net = reference_setup<T>::net;
  const auto params_before = s.params;
  const std::size_t before = allocation_count();
  T loss = 0;
  for (std::size_t e = 0; e < example_count; ++e)
    loss += net.train_step(s.params, s.example(e), s.labels[e], T(0.1), s.ws);
  const std::size_t after = allocation_count();

  BOOST_TEST(after == before);
  BOOST_TEST(finite(loss));
  BOOST_TEST((s.params != params_before));  // the steps did run
}

BOOST_AUTO_TEST_CASE_TEMPLATE(gradient_then_apply_sgd_allocates_nothing, T, scalar_types) {
  reference_setup<T> s;
  const auto& net = reference_setup<T>::net;
  const auto params_before = s.params;
  const std::size_t before = allocation_count();
  const T loss = net.gradient(s.params, s.example(0), s.labels[0], s.grad, s.ws);
  net.apply_sgd(s.params, s.grad, T(0.1));
  const std::size_t after = allocation_count();

  BOOST_TEST(after == before);
  BOOST_TEST(finite(loss));
  BOOST_TEST((s.params != params_before));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(model)

BOOST_AUTO_TEST_CASE_TEMPLATE(a_static_model_initializes_predicts_and_trains_without_allocating, T,
                              scalar_types) {
  static constnn::model<reference_net<T>> m;
  const reference_setup<T> s;
  const std::size_t before = allocation_count();
  m.initialize(constnn::init_scheme::random, 7);
  const std::size_t first = m.predict(s.example(0));
  const T step_loss = m.train_step(s.example(0), s.labels[0], T(0.1));
  const T loss = m.loss(s.example(0), s.labels[0]);
  const std::size_t after = allocation_count();

  BOOST_TEST(after == before);
  BOOST_TEST(first < 10u);
  BOOST_TEST(finite(step_loss));
  BOOST_TEST(loss < step_loss);  // the step ran and helped
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sgd)

BOOST_AUTO_TEST_CASE_TEMPLATE(an_epoch_of_training_allocates_nothing, T, scalar_types) {
  reference_setup<T> s;
  const auto& net = reference_setup<T>::net;
  const auto data = s.data();
  const std::size_t before = allocation_count();
  const double mean_loss = constnn::train_epoch(net, std::span<T>(s.params), data, T(0.1), s.ws);
  const std::size_t after = allocation_count();

  BOOST_TEST(after == before);
  BOOST_TEST(finite(mean_loss));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE_TEMPLATE(evaluate_and_predict_all_allocate_nothing, T, scalar_types) {
  reference_setup<T> s;
  const auto& net = reference_setup<T>::net;
  const auto data = s.data();
  std::array<std::uint8_t, example_count> predictions{};
  const std::size_t before = allocation_count();
  const constnn::evaluation r = constnn::evaluate(net, std::span<const T>(s.params), data, s.ws);
  constnn::predict_all(net, std::span<const T>(s.params), data,
                       std::span<std::uint8_t>(predictions), s.ws);
  const std::size_t after = allocation_count();

  BOOST_TEST(after == before);
  BOOST_TEST(r.count == example_count);
  BOOST_TEST(finite(r.mean_cross_entropy));
  for (const std::uint8_t p : predictions) BOOST_TEST(p < 10u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cnn)

// Convolution, pooling, flatten and dense, with the arg-max and the transposed-weight scratch
// of training: a static model initialises, predicts, trains and computes a gradient.
template <class T>
using small_cnn = constnn::sequential<
    T, constnn::input<16, 8, 1>, constnn::conv2d<4, 3, 3, 1, constnn::padding::same>,
    constnn::relu, constnn::max_pool2d<2, 2>, constnn::conv2d<6, 3, 3, 1, constnn::padding::same>,
    constnn::sigmoid, constnn::avg_pool2d<2, 2>, constnn::flatten, constnn::dense<48, 10>,
    constnn::softmax_xent>;

BOOST_AUTO_TEST_CASE_TEMPLATE(a_static_cnn_initializes_predicts_trains_and_differentiates_without_allocating,
                              T, scalar_types) {
  static constnn::model<small_cnn<T>> m;
  static std::array<T, small_cnn<T>::param_count> grad{};
  const reference_setup<T> s;  // its first example is a 16x8 image
  const std::size_t before = allocation_count();
  m.initialize(constnn::init_scheme::he, 3);
  const std::size_t first = m.predict(s.example(0));
  const T step_loss = m.train_step(s.example(0), s.labels[0], T(0.05));
  const T loss = small_cnn<T>{}.gradient(m.parameters, s.example(0), s.labels[0], grad,
                                         m.workspace);
  const std::size_t after = allocation_count();

  BOOST_TEST(after == before);
  BOOST_TEST(first < 10u);
  BOOST_TEST(finite(step_loss));
  BOOST_TEST(loss < step_loss);
}

BOOST_AUTO_TEST_SUITE_END()
