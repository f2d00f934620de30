// Optimizers against PyTorch: a dense and a conv network trained one example at a time for 24
// steps by torch.optim (SGD, weight decay, momentum, Nesterov, Adam, Adam with L2, AdamW) in
// float64 offline (tests/vectors/generate_pytorch_optimizer_vectors.py); constnn's losses at
// every step and parameters after the last agree to 1e-10 relative; so do mini-batches of all
// four examples (SGD, momentum, Adam).
#define BOOST_TEST_MODULE pytorch_optimizer
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "../support/agree.hpp"
#include "../vectors/pytorch_optimizer_vectors.hpp"

using namespace constnn;
namespace pv = pytorch_optimizer_vectors;

namespace {

constexpr double relative_bound = 1e-10;

using mlp = sequential<double, dense<6, 5>, sigmoid, dense<5, 3>, softmax_xent>;
using conv = sequential<double, input<8, 7, 2>, conv2d<3, 3, 3, 1, padding::same>, relu,
                        max_pool2d<2, 2>, conv2d<4, 2, 2, 2>, constnn::tanh, flatten,
                        dense<8, 3>, softmax_xent>;

template <class Net, class Case, class Trajectory, class Opt>
void check_trajectory(Opt opt) {
  const Net net;
  constexpr std::size_t n_in = Net::input_shape::static_size;
  BOOST_TEST_REQUIRE(Case::initial.size() == Net::param_count);
  BOOST_TEST_REQUIRE(Case::inputs.size() == Case::labels.size() * n_in);
  std::vector<double> p(Case::initial.begin(), Case::initial.end());
  std::vector<double> state(optimizer_state_count<Opt>(Net::param_count));
  std::vector<double> ws(Net::training_workspace_count);
  std::vector<double> losses;
  for (std::size_t k = 0; k < Case::steps; ++k) {
    const std::size_t e = k % Case::labels.size();
    const std::span<const double> x(Case::inputs.data() + e * n_in, n_in);
    losses.push_back(net.train_step(p, x, Case::labels[e], opt, state, ws));
  }
  BOOST_TEST(opt.step == Case::steps);
  BOOST_TEST(constnn_test::agree(losses, Trajectory::losses, relative_bound));
  BOOST_TEST(constnn_test::agree(p, Trajectory::final, relative_bound));
}

// The same, every step one mini-batch of all the examples.
template <class Net, class Case, class Trajectory, class Opt>
void check_batch_trajectory(Opt opt) {
  const Net net;
  constexpr std::size_t n_in = Net::input_shape::static_size;
  std::vector<double> p(Case::initial.begin(), Case::initial.end());
  std::vector<double> state(optimizer_state_count<Opt>(Net::param_count));
  std::vector<double> grad(batch_gradient_count(Case::labels.size(), Net::param_count));
  std::vector<double> ws(Net::training_workspace_count);
  const dataset_view<double, std::size_t> data{Case::inputs.data(), Case::labels.data(),
                                               Case::labels.size(), n_in};
  std::vector<double> losses;
  for (std::size_t k = 0; k < Trajectory::steps; ++k)
    losses.push_back(train_epoch(net, std::span<double>(p), data, opt, std::span<double>(state),
                                 std::span<double>(grad), std::span<double>(ws), data.count));
  BOOST_TEST(opt.step == Trajectory::steps);
  BOOST_TEST(constnn_test::agree(losses, Trajectory::losses, relative_bound));
  BOOST_TEST(constnn_test::agree(p, Trajectory::final, relative_bound));
}

template <class Net, class Case>
void check_every_optimizer() {
  check_batch_trajectory<Net, Case, typename Case::sgd_batch>(sgd(0.1));
  check_batch_trajectory<Net, Case, typename Case::momentum_batch>(momentum(0.05, 0.9));
  check_batch_trajectory<Net, Case, typename Case::adam_batch>(adam(0.01));
  check_trajectory<Net, Case, typename Case::sgd>(sgd(0.1));
  check_trajectory<Net, Case, typename Case::sgd_weight_decay>(sgd(0.1, 0.01));
  check_trajectory<Net, Case, typename Case::momentum>(momentum(0.05, 0.9));
  check_trajectory<Net, Case, typename Case::nesterov>(nesterov(0.05, 0.9, 0.01));
  check_trajectory<Net, Case, typename Case::adam>(adam(0.01));
  check_trajectory<Net, Case, typename Case::adam_weight_decay>(adam(0.01, 0.05));
  check_trajectory<Net, Case, typename Case::adamw>(adamw(0.01, 0.1));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(against_pytorch)

BOOST_AUTO_TEST_CASE(dense_network_trajectories_agree_with_torch_optim) {
  check_every_optimizer<mlp, pv::mlp>();
}

BOOST_AUTO_TEST_CASE(conv_network_trajectories_agree_with_torch_optim) {
  check_every_optimizer<conv, pv::conv>();
}

BOOST_AUTO_TEST_SUITE_END()

// What each optimizer keeps is a compile-time fact, and the RAM figure includes it.
static_assert(optimizer_state_count<sgd_optimizer<float>>(100) == 0);
static_assert(optimizer_state_count<momentum_optimizer<float>>(100) == 100);
static_assert(optimizer_state_count<adam_optimizer<float>>(100) == 200);
static_assert(training_ram_bytes_with<conv, sgd_optimizer<double>> == conv::training_ram_bytes);
static_assert(training_ram_bytes_with<conv, adam_optimizer<double>> ==
              conv::training_ram_bytes + 2 * conv::param_count * sizeof(double));
static_assert(training_ram_bytes_with_batch<conv, adam_optimizer<double>, 1> ==
              training_ram_bytes_with<conv, adam_optimizer<double>>);
static_assert(training_ram_bytes_with_batch<conv, momentum_optimizer<double>, 32> ==
              conv::training_ram_bytes + 2 * conv::param_count * sizeof(double));

// The reference network (128-50-10 float, 6,960 parameters): momentum adds 27,840 bytes and
// Adam 55,680 (its step counter lives in the optimizer object).
using reference_net = sequential<float, dense<128, 50>, sigmoid, dense<50, 10>, softmax_xent>;
static_assert(training_ram_bytes_with<reference_net, momentum_optimizer<float>> ==
              reference_net::training_ram_bytes + 27840);
static_assert(training_ram_bytes_with<reference_net, adam_optimizer<float>> ==
              reference_net::training_ram_bytes + 55680);

// Adam trains inside a constant expression, as SGD does, and lowers the loss.
constexpr bool adam_trains_at_compile_time() {
  const mlp net;
  std::array<double, mlp::param_count> p{};
  for (std::size_t k = 0; k < p.size(); ++k) p[k] = pv::mlp::initial[k];
  std::array<double, 2 * mlp::param_count> state{};
  std::array<double, mlp::training_workspace_count> ws{};
  auto opt = adam(0.05);
  const std::span<const double> x(pv::mlp::inputs.data(), 6);
  const double first = net.train_step(p, x, pv::mlp::labels[0], opt, state, ws);
  double last = first;
  for (int k = 0; k < 5; ++k) last = net.train_step(p, x, pv::mlp::labels[0], opt, state, ws);
  return opt.step == 6 && last < first;
}
static_assert(adam_trains_at_compile_time());

BOOST_AUTO_TEST_SUITE(same_bits)

// SGD through the optimizer door is the fused train_step, bit for bit.
BOOST_AUTO_TEST_CASE(plain_sgd_optimizer_equals_fused_train_step) {
  const conv net;
  std::vector<double> a(pv::conv::initial.begin(), pv::conv::initial.end()), b = a;
  std::vector<double> ws(conv::training_workspace_count);
  auto opt = sgd(0.1);
  for (std::size_t k = 0; k < 8; ++k) {
    const std::size_t e = k % pv::conv::labels.size();
    const std::span<const double> x(pv::conv::inputs.data() + e * 112, 112);
    net.train_step(a, x, pv::conv::labels[e], 0.1, ws);
    net.train_step(b, x, pv::conv::labels[e], opt, std::span<double>{}, ws);
  }
  BOOST_TEST(a == b);
}

BOOST_AUTO_TEST_SUITE_END()
