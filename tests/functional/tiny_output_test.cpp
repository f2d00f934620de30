// Every intermediate value of the reference's two SGD steps on tinyTrain.csv (tinyOutput.txt),
// reproduced to the precision it was printed with.
#define BOOST_TEST_MODULE tiny_output
#include <boost/test/unit_test.hpp>

#include <constnn/constnn.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../support/ocr_data.hpp"

using namespace constnn;

namespace {

// One printed value: the number and half a unit of its last printed digit.
struct printed {
  double value;
  double tolerance;
};

// A labelled block of tinyOutput.txt, e.g. "Value of a (before sigmoid):" and its numbers.
struct block {
  std::string label;
  std::vector<printed> values;
};

printed parse_number(const std::string& token, double array_tolerance) {
  const double v = std::stod(token);
  if (array_tolerance > 0) return {v, array_tolerance};
  const auto dot = token.find('.');
  const std::size_t decimals = dot == std::string::npos ? 0 : token.size() - dot - 1;
  return {v, 0.5 * std::pow(10.0, -static_cast<double>(decimals))};
}

// numpy printed the arrays with 8 decimals (trailing zeros dropped), the loss with repr().
std::vector<block> read_tiny_output(const std::string& path) {
  std::ifstream in(path);
  std::vector<block> blocks;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("INFO:", 0) == 0) {
      const auto tab = line.find_last_of('\t');
      std::string label = tab == std::string::npos ? line : line.substr(tab + 1);
      if (label.rfind("Cross entropy: ", 0) == 0) {
        blocks.push_back({"Cross entropy", {parse_number(label.substr(15), 0)}});
      } else {
        blocks.push_back({label, {}});
      }
      continue;
    }
    for (char& c : line)
      if (c == '[' || c == ']') c = ' ';
    std::istringstream numbers(line);
    std::string token;
    while (numbers >> token) blocks.back().values.push_back(parse_number(token, 0.5e-8));
  }
  return blocks;
}

const block& find(const std::vector<block>& blocks, const std::string& label, int occurrence) {
  int seen = 0;
  for (const auto& b : blocks)
    if (b.label.rfind(label, 0) == 0 && seen++ == occurrence) return b;
  BOOST_FAIL("tinyOutput.txt has no block " << label);
  return blocks.front();
}

void expect_close(const block& printed_block, const std::vector<double>& ours) {
  BOOST_TEST_CONTEXT(printed_block.label) {
    BOOST_TEST_REQUIRE(printed_block.values.size() == ours.size());
    for (std::size_t k = 0; k < ours.size(); ++k) {
      BOOST_TEST_CONTEXT("value " << k) {
        BOOST_TEST(std::abs(ours[k] - printed_block.values[k].value) <=
                   printed_block.values[k].tolerance * (1 + 1e-12));
      }
    }
  }
}

constexpr std::size_t M = 5, D = 4, K = 10;
using layer1 = dense<M, D>;
using layer2 = dense<D, K>;
using net_t = sequential<double, layer1, sigmoid, layer2, softmax_xent>;

// The reference prints alpha as D x (M+1) and beta as K x (D+1), bias in column 0.
std::vector<double> as_reference_matrix(const double* p, std::size_t in, std::size_t out) {
  std::vector<double> m;
  for (std::size_t o = 0; o < out; ++o) {
    m.push_back(p[in * out + o]);
    for (std::size_t i = 0; i < in; ++i) m.push_back(p[i * out + o]);
  }
  return m;
}

std::vector<double> with_bias_unit(const std::vector<double>& z) {
  std::vector<double> v{1.0};
  v.insert(v.end(), z.begin(), z.end());
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tiny_output)

BOOST_AUTO_TEST_CASE(two_sgd_steps_reproduce_every_printed_value,
                     *boost::unit_test::precondition(constnn_test::ocr_file_present{"tinyOutput.txt"}) *
                         boost::unit_test::precondition(constnn_test::ocr_file_present{"tinyTrain.csv"})) {
  const auto blocks = read_tiny_output(constnn_test::ocr_file("tinyOutput.txt").string());
  const auto data = constnn_test::load_csv<double>(constnn_test::ocr_file("tinyTrain.csv"));
  BOOST_TEST_REQUIRE(data.width == M);

  net_t net;
  std::vector<double> params(net_t::param_count), ws(net_t::training_workspace_count);
  initialize(net, std::span<double>(params), init_scheme::zero);
  double* alpha = params.data();
  double* beta = params.data() + net.dense_param_offset(1);

  for (int step = 0; step < 2; ++step) {
    BOOST_TEST_CONTEXT("SGD step " << step) {
      const double* x = data.features.data() + static_cast<std::size_t>(step) * M;
      const auto label = static_cast<std::size_t>(data.labels[static_cast<std::size_t>(step)]);
      // Each layer on its own, to see every intermediate the reference printed.
      std::vector<double> a(D), z(D), b(K), yhat(K), db(K), gbeta(layer2::param_count(D, K)),
          dz(D), da(D), galpha(layer1::param_count(M, D));
      layer1::forward(M, D, alpha, x, a.data());
      sigmoid::forward(D, a.data(), z.data());
      layer2::forward(D, K, beta, z.data(), b.data());
      softmax_xent::forward(K, b.data(), yhat.data());
      const double j = softmax_xent::value(K, yhat.data(), label);
      softmax_xent::backward(K, yhat.data(), label, db.data());
      layer2::backward_params(D, K, z.data(), db.data(), gbeta.data());
      layer2::backward_input(D, K, beta, db.data(), dz.data());
      sigmoid::backward(D, z.data(), dz.data(), da.data());
      layer1::backward_params(M, D, x, da.data(), galpha.data());

      expect_close(find(blocks, "Value of a", step), a);
      expect_close(find(blocks, "Value of z", step), with_bias_unit(z));
      expect_close(find(blocks, "Value of b", step), b);
      expect_close(find(blocks, "Value of y_hat", step), yhat);
      expect_close(find(blocks, "Cross entropy", step), {j});
      expect_close(find(blocks, "d(loss)/d(b)", step), db);
      expect_close(find(blocks, "d(loss)/d(beta)", step), as_reference_matrix(gbeta.data(), D, K));
      expect_close(find(blocks, "d(loss)/d(z)", step), dz);
      expect_close(find(blocks, "d(loss)/d(a)", step), da);
      expect_close(find(blocks, "d(loss)/d(alpha)", step), as_reference_matrix(galpha.data(), M, D));

      // The network's own fused step must land on the printed new weights, and agree with
      // the loss it computed layer by layer.
      const double loss = net.train_step(params, std::span<const double>(x, M), label, 0.1, ws);
      BOOST_TEST(loss == j);
      expect_close(find(blocks, "New alpha", step), as_reference_matrix(alpha, M, D));
      expect_close(find(blocks, "New beta", step), as_reference_matrix(beta, D, K));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
