// constnn_experiments' networks: the grid file's "networks" and the MLPs as model
// descriptions, checked as train_export checks --layers, trained with the bits of the fixed
// types the runner used to spell out, and keeping the keys, widths and parameter counts of the
// published runs.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <constnn/constnn.hpp>

#include "error.hpp"
#include "grid.hpp"
#include "model_description.hpp"
#include "run_network.hpp"
#include "runner.hpp"
#include "support.hpp"

using namespace experiments;
using namespace experiments_test;

namespace {

constexpr const char* ocr_cnn_layers =
    "conv2d:8:3x3:same,relu,maxpool:2x2,conv2d:16:3x3:same,relu,maxpool:2x2,dense:10";

// The runner's cnn-ocr before the networks moved into grid.json.
template <class T>
using ocr_cnn = constnn::sequential<
    T, constnn::input<16, 8, 1>, constnn::conv2d<8, 3, 3, 1, constnn::padding::same>,
    constnn::relu, constnn::max_pool2d<2, 2>, constnn::conv2d<16, 3, 3, 1, constnn::padding::same>,
    constnn::relu, constnn::max_pool2d<2, 2>, constnn::flatten, constnn::dense<4 * 2 * 16, 10>,
    constnn::softmax_xent>;

run_spec ocr_cnn_spec() {
  run_spec spec;
  spec.dataset = "images";
  spec.network = "cnn-ocr";
  spec.network_model = {host_tools::parse_input_shape("16x8x1"),
                        host_tools::parse_layers(ocr_cnn_layers)};
  spec.init = init_kind::he;
  spec.learning_rate = "0.02";
  spec.epochs = 3;
  spec.seed = 5;
  return spec;
}

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> parts;
  std::istringstream in(line);
  for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
  return parts;
}

// load_grid must refuse the grid as a data error whose message holds `needle`.
void expect_refusal(const scratch& s, const std::string& experiments, const std::string& networks,
                    const std::string& needle) {
  const auto file = s.write("bad.json", grid_text(experiments, networks));
  try {
    load_grid(file, {{"dir", s.dir.string()}}, {});
    BOOST_ERROR("no error for " << networks << " " << experiments);
  } catch (const host_tools::tool_error& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find(needle) != std::string::npos, what);
    BOOST_TEST(what.starts_with(file.string() + ": "), what);
    BOOST_TEST(what.find('\n') == std::string::npos, what);
    BOOST_TEST((e.kind() == host_tools::failure_kind::data), what);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(grid_json_keeps_the_keys_widths_and_parameters_of_the_published_runs) {
  // docs/experiments/runs.csv is the report's last whole session, trained when the networks
  // were C++ types: the descriptions must give every one of its runs the same key, widths and
  // parameter count, so that old and new results stay comparable.
  std::ifstream published(CONSTNN_EXPERIMENTS_PUBLISHED_RUNS);
  std::string line;
  std::getline(published, line);
  const auto header = split(line, ',');
  BOOST_TEST_REQUIRE(header.size() > 11u);
  BOOST_TEST_REQUIRE(header[3] == "widths");
  BOOST_TEST_REQUIRE(header[11] == "parameters");
  std::map<std::string, std::pair<std::string, std::size_t>> runs;
  while (std::getline(published, line)) {
    const auto f = split(line, ',');
    runs[f[0]] = {f[3], std::stoul(f[11])};
  }
  BOOST_TEST_REQUIRE(runs.size() == 50u);

  const grid g = load_grid(CONSTNN_EXPERIMENTS_GRID, {{"ocr", "/ocr"}, {"fashion", "/fashion"}}, {});
  const std::map<std::string, std::size_t> features{{"ocr-large", 128}, {"fashion-mnist", 784}};
  std::set<std::string> keys;
  for (const run_spec& run : g.runs) {
    const std::string key = run.key();
    keys.insert(key);
    const auto d = description_of(run, features.at(run.dataset), 10);
    const auto shapes = shapes_through(d, key);
    std::string widths;
    for (const std::size_t w : widths_of(d, shapes))
      widths += fmt::format("{}{}", widths.empty() ? "" : "-", w);
    BOOST_TEST_REQUIRE(runs.contains(key), key);
    BOOST_TEST(widths == runs.at(key).first, key);
    BOOST_TEST(host_tools::parameter_count(d, shapes) == runs.at(key).second, key);
  }
  BOOST_TEST(keys.size() == runs.size());

  // The report's CNNs, as their parameter counts name them.
  const auto parameters = [&](const std::string& name) {
    const auto& m = g.networks.at(name).model;
    return host_tools::parameter_count(m, shapes_through(m, name));
  };
  BOOST_TEST(parameters("cnn-fashion") == 20'490u);
  BOOST_TEST(parameters("cnn-fashion-3") == 93'322u);
  BOOST_TEST(parameters("cnn-ocr") == 2'538u);
  BOOST_TEST(g.networks.at("cnn-ocr").model.layers == host_tools::parse_layers(ocr_cnn_layers));
}

BOOST_AUTO_TEST_CASE(a_described_network_trains_with_the_bits_of_its_fixed_type) {
  scratch s;
  const auto data = load_dataset(generated_images(s), true, false);
  const auto& pair = *data.single_precision;
  const constnn::dataset_view<float, host_tools::label_type> train{
      pair.train.features.data(), pair.train.labels.data(), pair.train.size(), pair.train.width};
  const constnn::dataset_view<float, host_tools::label_type> validation{
      pair.validation.features.data(), pair.validation.labels.data(), pair.validation.size(),
      pair.validation.width};
  const ocr_cnn<float> net;

  // Per-example SGD, the update fused into backward, as the published cnn-ocr run trained.
  const run_spec sgd = ocr_cnn_spec();
  const run_result mine = run_one(sgd, data);
  BOOST_TEST(mine.parameter_count == ocr_cnn<float>::param_count);
  BOOST_TEST(mine.widths == (std::vector<std::size_t>{128, 1024, 512, 10}),
             boost::test_tools::per_element());
  {
    std::vector<float> params(net.parameters_size());
    std::vector<float> ws(std::max(net.training_workspace_size(), net.inference_workspace_size()));
    constnn::initialize(net, std::span<float>(params), constnn::init_scheme::he, sgd.seed);
    BOOST_TEST_REQUIRE(mine.epochs.size() == sgd.epochs);
    for (std::size_t e = 0; e < sgd.epochs; ++e) {
      constnn::train_epoch(net, std::span<float>(params), train, 0.02f, std::span<float>(ws));
      const auto t = constnn::evaluate(net, std::span<const float>(params), train, std::span<float>(ws));
      const auto v =
          constnn::evaluate(net, std::span<const float>(params), validation, std::span<float>(ws));
      BOOST_TEST(mine.epochs[e].train_cross_entropy == t.mean_cross_entropy);
      BOOST_TEST(mine.epochs[e].validation_cross_entropy == v.mean_cross_entropy);
    }
  }

  // Adam on shuffled batches, as the published cnn-fashion runs trained.
  run_spec adam = ocr_cnn_spec();
  adam.optimizer = optimizer_kind::adam;
  adam.learning_rate = "0.003";
  adam.batch = 4;
  adam.shuffle = true;
  const run_result theirs = run_one(adam, data);
  {
    std::vector<float> params(net.parameters_size());
    std::vector<float> ws(std::max(net.training_workspace_size(), net.inference_workspace_size()));
    auto opt = constnn::adam(0.003f);
    std::vector<float> state(constnn::optimizer_state_count<decltype(opt)>(params.size()));
    std::vector<float> grad(constnn::batch_gradient_count(adam.batch, params.size()));
    std::vector<std::size_t> order(train.count);
    constnn::initialize(net, std::span<float>(params), constnn::init_scheme::he, adam.seed);
    BOOST_TEST_REQUIRE(theirs.epochs.size() == adam.epochs);
    for (std::size_t e = 1; e <= adam.epochs; ++e) {
      constnn::shuffled_order(order, adam.seed, e);
      constnn::train_epoch(net, std::span<float>(params), train, opt, std::span<float>(state),
                           std::span<float>(grad), std::span<float>(ws), adam.batch,
                           std::span<const std::size_t>(order));
      const auto t = constnn::evaluate(net, std::span<const float>(params), train, std::span<float>(ws));
      BOOST_TEST(theirs.epochs[e - 1].train_cross_entropy == t.mean_cross_entropy);
    }
  }
}

BOOST_AUTO_TEST_CASE(mlps_take_any_number_of_hidden_layers_up_to_the_layer_limit) {
  scratch s;
  const auto data = load_dataset(generated_dataset(s), true, false);
  run_spec spec;
  spec.dataset = "gen";
  spec.hidden = {8, 7, 6, 5, 4};
  spec.activation = activation_kind::tanh;
  spec.epochs = 2;
  const run_result r = run_one(spec, data);
  BOOST_TEST(r.widths == (std::vector<std::size_t>{6, 8, 7, 6, 5, 4, 3}),
             boost::test_tools::per_element());
  BOOST_TEST(r.parameter_count == 7u * 8 + 9u * 7 + 8u * 6 + 7u * 5 + 6u * 4 + 5u * 3);
  BOOST_TEST(host_tools::layers_text(r.model.layers) ==
             "dense:8,tanh,dense:7,tanh,dense:6,tanh,dense:5,tanh,dense:4,tanh,dense:3");
  BOOST_TEST(spec.key() == "gen_h8-7-6-5-4_tanh_random_lr0.01_e2_s0_float");

  const std::string eleven = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]";
  const auto file = s.write("g.json", grid_text(R"([{"name": "a", "set": {"hidden": )" + eleven + "}}]"));
  BOOST_TEST(load_grid(file, {{"dir", s.dir.string()}}, {}).runs[0].hidden.size() == 11u);
  expect_refusal(s, R"([{"name": "a", "set": {"hidden": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}}])",
                 "", "\"hidden\" must be at most 11 hidden layers");
}

BOOST_AUTO_TEST_CASE(networks_are_refused_with_the_file_the_network_and_the_problem) {
  scratch s;
  const std::string tiny =
      R"("tiny": {"input_shape": "16x8x1", "layers": "conv2d:4:3x3:same,relu,maxpool:2x2,dense:10"})";
  const std::string on_images = R"([{"name": "a", "set": {"dataset": "images", "network": "tiny"}}])";
  // The network itself.
  expect_refusal(s, on_images, R"("tiny": {"input_shape": "16x8x1", "layers": "conv2d:4:3,dense:10"})",
                 "networks.tiny: \"layers\": 'conv2d:4:3' (item 1): the window must be KHxKW");
  expect_refusal(s, on_images, R"("tiny": {"input_shape": "16x0", "layers": "dense:10"})",
                 "networks.tiny: \"input_shape\": '16x0': every axis must be a positive integer");
  expect_refusal(s, on_images, R"("tiny": {"input_shape": "128", "layers": "conv2d:4:3x3,dense:10"})",
                 "networks.tiny: \"layers\": conv2d:4:3x3 (item 1) needs an image (HxWxC) input, "
                 "got vector 128; give \"input_shape\" HxWxC");
  expect_refusal(s, on_images, R"("tiny": {"input_shape": "4x4x1", "layers": "maxpool:5x5,dense:10"})",
                 "networks.tiny: \"layers\": maxpool:5x5 (item 1) needs at least 5x5 input, got 4x4x1");
  expect_refusal(s, on_images, R"("tiny": {"input_shape": "16x8x1", "layers": "dense:10,relu"})",
                 "networks.tiny: \"layers\": the last layer must be dense");
  expect_refusal(s, on_images, R"("tiny": {"input_shape": "16x8x1", "layers": ""})",
                 "networks.tiny: \"layers\": no layers given");
  expect_refusal(s, on_images, R"("tiny": {"input_shape": "16x8x1"})",
                 "networks.tiny: needs \"input_shape\" and \"layers\"");
  expect_refusal(s, on_images, R"("tiny": {"input_shape": "16x8x1", "layers": "dense:10", "units": 3})",
                 "networks.tiny: unknown field \"units\"");
  expect_refusal(s, on_images, R"("tiny": {"input_shape": [16, 8, 1], "layers": "dense:10"})",
                 "networks.tiny: \"input_shape\" must be a string");
  expect_refusal(s, on_images, R"("a,b": {"input_shape": "16x8x1", "layers": "dense:10"})",
                 "a network's name must be letters, digits");
  expect_refusal(s, on_images, R"("mlp": {"input_shape": "16x8x1", "layers": "dense:10"})",
                 "not \"mlp\"");
  // The runs that name one.
  expect_refusal(s, R"([{"name": "a", "variants": [{"dataset": "images", "network": "tiny2"}]}])", tiny,
                 "experiment a: variants[0]: \"network\" must be one of the grid's \"networks\" "
                 "(tiny) or \"\" for the MLP, not \"tiny2\"");
  expect_refusal(s, R"([{"name": "a", "set": {"network": "tiny"}}])", tiny,
                 "experiment a: run gen_tiny_random_lr0.1_e3_s0_float: network tiny ends in "
                 "dense:10, but data set gen has 3 classes");
  expect_refusal(s, R"([{"name": "a", "set": {"dataset": "images", "network": "tiny",
                   "track_symmetry": true}}])", tiny,
                 "run images_tiny_random_lr0.1_e3_s0_float: \"track_symmetry\" and "
                 "\"keep_first_layer\" read an MLP's first hidden layer (dense, activation, dense), "
                 "which network tiny does not start with");
  expect_refusal(s, R"([{"name": "a", "set": {"dataset": "images", "network": "vec",
                   "augment": "hflip"}}])",
                 R"("vec": {"input_shape": "128", "layers": "dense:10"})",
                 "\"augment\": \"hflip\" mirrors images, so it needs a \"network\" whose input is "
                 "an image (HxWxC), not network vec (input 128)");

  // A network that starts as an MLP has the first layer those settings read.
  const auto file = s.write("g.json", grid_text(R"([{"name": "a", "set": {"dataset": "images",
      "network": "front", "track_symmetry": true, "keep_first_layer": true}}])",
      R"("front": {"input_shape": "16x8x1", "layers": "dense:5,sigmoid,dense:10"})"));
  const grid g = load_grid(file, {{"dir", s.dir.string()}}, {});
  BOOST_TEST_REQUIRE(g.runs.size() == 1u);
  const run_result r = run_one(g.runs[0], load_dataset(generated_images(s), true, false));
  BOOST_TEST(r.first_layer_rows.size() == 5u);
  BOOST_TEST(r.epochs.back().alpha_rows_max_distance > 0.0);
}

BOOST_AUTO_TEST_CASE(a_network_whose_input_is_not_the_data_is_refused_before_any_training) {
  scratch s;
  generated_dataset(s);
  // Fits the classes of gen (3), not its 6 features.
  const auto file = s.write("grid.json", grid_text(R"([{"name": "a", "set": {"network": "img"}}])",
      R"("img": {"input_shape": "16x8x1", "layers": "conv2d:2:3x3,dense:3"})"));
  const fs::path out = s.dir / "out";
  const tool_run r = run_tool(s, fmt::format("--grid {} --data {} --out {}", shell_word(file),
                                             shell_word("dir=" + s.dir.string()), shell_word(out)));
  BOOST_TEST(r.status == 3);
  BOOST_TEST(r.errors == "constnn_experiments: " + file.string() +
                             ": run gen_img_random_lr0.1_e3_s0_float: network img takes 16x8x1 (128 "
                             "values an example), but data set gen has 6 features\n");
  BOOST_TEST(!fs::exists(out / "results.json"));
  BOOST_TEST(!fs::exists(out / "runs.csv"));
}

BOOST_AUTO_TEST_CASE(the_cost_of_a_run_is_the_multiply_adds_of_its_layers) {
  // The multiply-adds the runner used to spell out for its CNNs, so runs start in the same order.
  const grid g = load_grid(CONSTNN_EXPERIMENTS_GRID, {{"ocr", "/ocr"}, {"fashion", "/fashion"}}, {});
  const auto cost_of = [&](const std::string& network, std::size_t features) {
    run_spec spec;
    spec.network = network;
    spec.network_model = g.networks.at(network).model;
    spec.epochs = 1;
    return estimated_cost(spec, features, 10, 1, 0) / 4;  // 3 passes to train, 1 to evaluate
  };
  BOOST_TEST(cost_of("cnn-fashion", 784) == 28.0 * 28 * 9 * 16 + 14.0 * 14 * 9 * 16 * 32 + 1568.0 * 10);
  BOOST_TEST(cost_of("cnn-fashion-3", 784) == 28.0 * 28 * 9 * 32 + 14.0 * 14 * 9 * 32 * 64 +
                                                  7.0 * 7 * 9 * 64 * 64 + 576.0 * 64 + 640);
  BOOST_TEST(cost_of("cnn-ocr", 128) == 16.0 * 8 * 9 * 8 + 8.0 * 4 * 9 * 8 * 16 + 128.0 * 10);
  run_spec mlp;
  mlp.hidden = {50, 20};
  mlp.epochs = 1;
  BOOST_TEST(estimated_cost(mlp, 128, 10, 1, 0) / 4 == 128.0 * 50 + 50 * 20 + 20 * 10);
}
