// constnn_experiments: grid expansion, the runner against train_export's training bit for bit,
// the symmetry measure under ZERO init, deeper networks, optimizers, mini-batches, shuffling,
// schedules and mirrored images against the library's own calls, and the tool end to end.
// Networks named in the grid are in networks_test.cpp, shards and merges in shards_test.cpp.
#define BOOST_TEST_MODULE experiments
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include <constnn/constnn.hpp>

#include "error.hpp"
#include "grid.hpp"
#include "model_description.hpp"
#include "progress.hpp"
#include "runner.hpp"
#include "support.hpp"
#include "training.hpp"

namespace fs = std::filesystem;
using namespace experiments;
using namespace experiments_test;

namespace {

template <class T>
void check_same_as_train_export(init_kind init, const char* lr) {
  scratch s;
  const auto data = load_dataset(generated_dataset(s), true, true);
  run_spec spec;
  spec.dataset = "gen";
  spec.hidden = {4};
  spec.init = init;
  spec.learning_rate = lr;
  spec.epochs = 5;
  spec.seed = 3;
  spec.scalar = std::is_same_v<T, float> ? scalar_kind::single_precision
                                         : scalar_kind::double_precision;
  const run_result mine = run_one(spec, data);

  train_export::options opts;
  opts.epochs = spec.epochs;
  opts.hidden = 4;
  opts.classes = 3;
  opts.init = init == init_kind::random ? train_export::initialization::random
                                        : train_export::initialization::zero;
  opts.learning_rate_text = lr;
  opts.seed = spec.seed;
  const auto& pair = [&]() -> const data_pair<T>& {
    if constexpr (std::is_same_v<T, float>) return *data.single_precision;
    else return *data.double_precision;
  }();
  train_export::progress_reporter quiet(train_export::progress_mode::quiet, stderr, opts.epochs,
                                        pair.train.size());
  train_export::run_summary theirs;
  train_export::train<T>(opts,
                         train_export::default_description(pair.train.width, opts.hidden,
                                                           opts.classes),
                         {}, pair.train, pair.validation, quiet, theirs);

  BOOST_TEST_REQUIRE(mine.epochs.size() == theirs.epochs.size());
  for (std::size_t e = 0; e < mine.epochs.size(); ++e) {
    // Bit for bit: the same library calls in the same order.
    BOOST_TEST(mine.epochs[e].train_cross_entropy == theirs.epochs[e].train_cross_entropy);
    BOOST_TEST(mine.epochs[e].validation_cross_entropy ==
               theirs.epochs[e].validation_cross_entropy);
  }
  BOOST_TEST(mine.train_errors == theirs.errors.train_errors);
  BOOST_TEST(mine.validation_errors == theirs.errors.validation_errors);
  BOOST_TEST(mine.widths == (std::vector<std::size_t>{6, 4, 3}), boost::test_tools::per_element());
}

// The runner's training, redone here with the library's calls: initialize, the optimizer,
// shuffled_order(seed, e) for epoch e (1-based), train_epoch with batches, the schedule's
// rate of epoch e - 1 from the rate in double. Every epoch's figures must be the runner's bits.
template <class Opt>
void check_same_as_library(const run_spec& spec, Opt opt, constnn::lr_schedule schedule) {
  scratch s;
  const auto data = load_dataset(generated_dataset(s), true, false);
  const run_result mine = run_one(spec, data);

  using layer = constnn::dense<constnn::dynamic, constnn::dynamic>;
  const constnn::sequential<float, layer, constnn::relu, layer, constnn::softmax_xent> net(
      {6, spec.hidden[0], 3});
  std::vector<float> params(net.parameters_size());
  std::vector<float> ws(std::max(net.training_workspace_size(), net.inference_workspace_size()));
  std::vector<float> state(constnn::optimizer_state_count<Opt>(params.size()));
  std::vector<float> grad(constnn::batch_gradient_count(spec.batch, params.size()));
  constnn::initialize(net, std::span<float>(params), constnn::init_scheme::random, spec.seed);
  const auto& pair = *data.single_precision;
  const constnn::dataset_view<float, host_tools::label_type> train{
      pair.train.features.data(), pair.train.labels.data(), pair.train.size(), pair.train.width};
  const constnn::dataset_view<float, host_tools::label_type> validation{
      pair.validation.features.data(), pair.validation.labels.data(), pair.validation.size(),
      pair.validation.width};
  std::vector<std::size_t> order(spec.shuffle ? train.count : 0);
  BOOST_TEST_REQUIRE(mine.epochs.size() == spec.epochs);
  for (std::size_t e = 1; e <= spec.epochs; ++e) {
    opt.learning_rate = static_cast<float>(schedule.rate(std::stod(spec.learning_rate), e - 1));
    if (spec.shuffle) constnn::shuffled_order(order, spec.seed, e);
    constnn::train_epoch(net, std::span<float>(params), train, opt, std::span<float>(state),
                         std::span<float>(grad), std::span<float>(ws), spec.batch,
                         std::span<const std::size_t>(order));
    const auto on_train = constnn::evaluate(net, std::span<const float>(params), train,
                                            std::span<float>(ws));
    const auto on_validation = constnn::evaluate(net, std::span<const float>(params), validation,
                                                 std::span<float>(ws));
    BOOST_TEST(mine.epochs[e - 1].train_cross_entropy == on_train.mean_cross_entropy, spec.key());
    BOOST_TEST(mine.epochs[e - 1].validation_cross_entropy == on_validation.mean_cross_entropy,
               spec.key());
  }
  BOOST_TEST(mine.trained_examples == train.count);
}

run_spec mlp_spec() {
  run_spec spec;
  spec.dataset = "gen";
  spec.hidden = {5};
  spec.activation = activation_kind::relu;
  spec.learning_rate = "0.02";
  spec.epochs = 4;
  spec.seed = 7;
  return spec;
}

}  // namespace

BOOST_AUTO_TEST_CASE(runner_matches_train_export_bit_for_bit) {
  check_same_as_train_export<float>(init_kind::random, "0.1");
  check_same_as_train_export<float>(init_kind::zero, "0.1");
  check_same_as_train_export<double>(init_kind::random, "0.05");
  check_same_as_train_export<double>(init_kind::zero, "0.01");
}

BOOST_AUTO_TEST_CASE(zero_init_keeps_every_hidden_unit_identical) {
  scratch s;
  const auto data = load_dataset(generated_dataset(s), true, false);
  run_spec spec;
  spec.dataset = "gen";
  spec.hidden = {5};
  spec.epochs = 4;
  spec.learning_rate = "0.5";
  spec.track_symmetry = true;
  spec.keep_first_layer = true;
  spec.init = init_kind::zero;
  const run_result zero = run_one(spec, data);
  for (const auto& e : zero.epochs) {
    BOOST_TEST(e.alpha_rows_max_distance == 0.0);
    BOOST_TEST(e.beta_columns_max_distance == 0.0);
  }
  BOOST_TEST_REQUIRE(zero.first_layer_rows.size() == 5u);
  BOOST_TEST(zero.first_layer_rows[0].size() == 7u);  // bias + 6 inputs
  for (const auto& row : zero.first_layer_rows)
    BOOST_TEST(row == zero.first_layer_rows[0], boost::test_tools::per_element());
  BOOST_TEST(zero.first_layer_rows[0][0] != 0.0);  // trained, not left at zero

  spec.init = init_kind::random;
  const run_result random = run_one(spec, data);
  for (const auto& e : random.epochs) {
    BOOST_TEST(e.alpha_rows_max_distance > 0.0);
    BOOST_TEST(e.beta_columns_max_distance > 0.0);
  }
}

BOOST_AUTO_TEST_CASE(deeper_networks_and_other_activations_learn) {
  scratch s;
  const auto data = load_dataset(generated_dataset(s), true, false);
  for (const auto act : {activation_kind::sigmoid, activation_kind::relu, activation_kind::tanh}) {
    run_spec spec;
    spec.dataset = "gen";
    spec.hidden = {8, 6};
    spec.activation = act;
    spec.epochs = 30;
    spec.learning_rate = "0.1";
    spec.track_symmetry = true;
    const run_result r = run_one(spec, data);
    BOOST_TEST(r.widths == (std::vector<std::size_t>{6, 8, 6, 3}), boost::test_tools::per_element());
    BOOST_TEST(r.parameter_count == 6u * 8 + 8 + 8u * 6 + 6 + 6u * 3 + 3);
    BOOST_TEST(r.epochs.back().train_cross_entropy < r.epochs.front().train_cross_entropy,
               to_string(act));
  }
}

BOOST_AUTO_TEST_CASE(a_decaying_learning_rate_changes_only_later_epochs) {
  scratch s;
  const auto data = load_dataset(generated_dataset(s), true, false);
  run_spec fixed;
  fixed.dataset = "gen";
  fixed.hidden = {4};
  fixed.epochs = 3;
  fixed.learning_rate = "0.1";
  run_spec decaying = fixed;
  decaying.lr_decay = 0.5;
  BOOST_TEST(fixed.key() == "gen_h4_sigmoid_random_lr0.1_e3_s0_float");
  BOOST_TEST(decaying.key() == "gen_h4_sigmoid_random_lr0.1d0.5_e3_s0_float");
  const run_result a = run_one(fixed, data);
  const run_result b = run_one(decaying, data);
  // Epoch 1 uses lr / (1 + 0) in both; from epoch 2 on the rates differ.
  BOOST_TEST(a.epochs[0].train_cross_entropy == b.epochs[0].train_cross_entropy);
  BOOST_TEST(a.epochs[1].train_cross_entropy != b.epochs[1].train_cross_entropy);
}

BOOST_AUTO_TEST_CASE(grid_expands_variants_and_vary_and_trains_shared_runs_once) {
  scratch s;
  const auto file = s.write("grid.json", grid_text(R"([
    {"name": "a", "vary": {"hidden": [2, 4], "seed": [0, 1]}},
    {"name": "b", "set": {"track_symmetry": true},
     "variants": [{"init": "zero"}, {"init": "random", "lr": "0.2"}]},
    {"name": "c", "variants": [{"hidden": [3, 2], "activation": "relu"}]}])"));
  const grid g = load_grid(file, {{"dir", s.dir.string()}}, {});
  BOOST_TEST(g.experiments.size() == 3u);
  BOOST_TEST(g.experiments[0].run_keys.size() == 4u);
  BOOST_TEST(g.experiments[1].run_keys.size() == 2u);
  BOOST_TEST(g.runs.size() == 7u);
  BOOST_TEST(g.datasets.size() == 1u);  // "unused" is dropped, so {nowhere} is not needed
  BOOST_TEST(g.datasets.at("gen").train == s.dir / "train.csv");
  BOOST_TEST(g.runs[0].key() == "gen_h2_sigmoid_random_lr0.1_e3_s0_float");
  BOOST_TEST(g.runs[5].learning_rate == "0.2");
  BOOST_TEST(g.runs[6].hidden == (std::vector<std::size_t>{3, 2}), boost::test_tools::per_element());

  // The default run (hidden 4, seed 0) is in "a" and again in "b": trained once, with both names.
  const auto shared = load_grid(s.write("g2.json", grid_text(R"([
    {"name": "a", "vary": {"hidden": [4]}},
    {"name": "b", "set": {"track_symmetry": true}}])")),
                                {{"dir", s.dir.string()}}, {});
  BOOST_TEST_REQUIRE(shared.runs.size() == 1u);
  BOOST_TEST(shared.runs[0].track_symmetry);
  BOOST_TEST(shared.runs[0].experiments == (std::vector<std::string>{"a", "b"}),
             boost::test_tools::per_element());

  const auto only = load_grid(file, {{"dir", s.dir.string()}}, {"b"});
  BOOST_TEST(only.runs.size() == 2u);
}

BOOST_AUTO_TEST_CASE(grid_errors_name_the_file_and_the_problem) {
  scratch s;
  const auto expect_error = [&](const std::string& experiments, const std::string& needle,
                                host_tools::failure_kind kind) {
    const auto file = s.write("bad.json", grid_text(experiments));
    try {
      load_grid(file, {{"dir", s.dir.string()}}, {});
      BOOST_ERROR("no error for " << experiments);
    } catch (const host_tools::tool_error& e) {
      BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, e.what());
      BOOST_TEST((e.kind() == kind));
    }
  };
  using host_tools::failure_kind;
  expect_error(R"([{"name": "a", "set": {"hiden": 3}}])", "unknown field \"hiden\"", failure_kind::data);
  expect_error(R"([{"name": "a", "set": {"hidden": 0}}])", "\"hidden\" must be", failure_kind::data);
  expect_error(R"([{"name": "a", "set": {"lr": "fast"}}])", "\"lr\" must be", failure_kind::data);
  expect_error(R"([{"name": "a", "set": {"activation": "gelu"}}])", "\"activation\"", failure_kind::data);
  expect_error(R"([{"name": "a", "set": {"lr_decay": -1}}])", "\"lr_decay\" must be", failure_kind::data);
  expect_error(R"([{"name": "a", "set": {"dataset": "nope"}}])", "unknown data set", failure_kind::data);
  expect_error(R"([{"name": "a"}, {"name": "a"}])", "used twice", failure_kind::data);
  expect_error(R"([{"name": "a", "vary": {"seed": []}}])", "non-empty list", failure_kind::data);
  expect_error(R"([{"name": "a", "set": {"dataset": "unused"}}])", "--data nowhere=DIR",
               failure_kind::usage);
  // The training fields: each bad value is refused with a message that names the field.
  const auto bad_value = [&](const std::string& field, const std::string& value) {
    expect_error(R"([{"name": "a", "set": {")" + field + R"(": )" + value + "}}]",
                 "\"" + field + "\" must be", failure_kind::data);
  };
  bad_value("optimizer", R"("rmsprop")");
  bad_value("optimizer", "1");
  for (const char* field : {"momentum", "beta1", "beta2"}) {
    bad_value(field, "1");
    bad_value(field, "-0.1");
    bad_value(field, R"("0.9")");
  }
  bad_value("eps", "0");
  bad_value("weight_decay", "-0.001");
  bad_value("weight_decay", "true");
  bad_value("batch", "0");
  bad_value("batch", "2.5");
  bad_value("shuffle", "1");
  bad_value("augment", R"("vflip")");
  bad_value("augment", "true");
  for (const char* schedule : {R"("linear")", R"("step:0:0.5")", R"("step:5")", R"("step:5:0")",
                               R"("step:2.5:0.5")", R"("step:5:0.5x")", R"("inverse:-1")",
                               R"("inverse:")", R"("cosine:3")", "0.1"})
    bad_value("lr_schedule", schedule);
  // Settings the optimizer does not have, and mirroring a vector.
  expect_error(R"([{"name": "a", "set": {"optimizer": "adam", "momentum": 0.9}}])",
               "\"momentum\" is a setting of the \"momentum\" and \"nesterov\" optimizers, not "
               "of \"adam\"", failure_kind::data);
  expect_error(R"([{"name": "a", "set": {"beta2": 0.99}}])",
               "\"beta2\" is a setting of the \"adam\" and \"adamw\" optimizers, not of \"sgd\"",
               failure_kind::data);
  expect_error(R"([{"name": "a", "variants": [{"optimizer": "momentum", "eps": 1e-6}]}])",
               "\"eps\" is a setting", failure_kind::data);
  expect_error(R"([{"name": "a", "set": {"augment": "hflip"}}])",
               "\"augment\": \"hflip\" mirrors images", failure_kind::data);
  try {
    load_grid(s.write("g.json", grid_text(R"([{"name": "a"}])")), {{"dir", "x"}}, {"zzz"});
    BOOST_ERROR("no error for --only zzz");
  } catch (const host_tools::tool_error& e) {
    BOOST_TEST(std::string(e.what()).find("zzz") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(optimizers_batches_shuffling_and_schedules_are_the_library_calls) {
  run_spec adam = mlp_spec();
  adam.optimizer = optimizer_kind::adam;
  adam.learning_rate = "0.01";
  adam.beta2 = 0.99;
  adam.batch = 8;
  adam.shuffle = true;
  adam.lr_schedule = schedule_kind::cosine;
  auto adam_opt = constnn::adam(0.01f);
  adam_opt.beta2 = 0.99f;
  check_same_as_library(adam, adam_opt, constnn::lr_schedule::cosine(adam.epochs));

  run_spec adamw = mlp_spec();
  adamw.optimizer = optimizer_kind::adamw;  // weight decay 0.01 unless given, as torch.optim
  adamw.learning_rate = "0.005";
  adamw.batch = 3;
  adamw.lr_schedule = schedule_kind::inverse;
  adamw.lr_decay = 0.3;
  check_same_as_library(adamw, constnn::adamw(0.005f), constnn::lr_schedule::inverse(0.3));

  run_spec nesterov = mlp_spec();
  nesterov.optimizer = optimizer_kind::nesterov;
  nesterov.momentum = 0.8;
  nesterov.weight_decay = 0.001;
  nesterov.shuffle = true;
  nesterov.lr_schedule = schedule_kind::step;
  nesterov.lr_step_every = 2;
  nesterov.lr_step_factor = 0.5;
  check_same_as_library(nesterov, constnn::nesterov(0.02f, 0.8f, 0.001f),
                        constnn::lr_schedule::step(2, 0.5));

  run_spec momentum = mlp_spec();
  momentum.optimizer = optimizer_kind::momentum;
  momentum.batch = 5;
  check_same_as_library(momentum, constnn::momentum(0.02f, 0.9f), constnn::lr_schedule::constant());

  // Plain SGD with weight decay cannot use the fused step; shuffling alone changes the result.
  run_spec decay = mlp_spec();
  decay.weight_decay = 0.01;
  check_same_as_library(decay, constnn::sgd(0.02f, 0.01f), constnn::lr_schedule::constant());
  scratch s;
  const auto data = load_dataset(generated_dataset(s), true, false);
  run_spec shuffled = mlp_spec();
  shuffled.shuffle = true;
  BOOST_TEST(run_one(shuffled, data).epochs[0].train_cross_entropy !=
             run_one(mlp_spec(), data).epochs[0].train_cross_entropy);
}

BOOST_AUTO_TEST_CASE(mirrored_images_follow_their_originals) {
  // Two 2x3 images of two channels: value = 100 * example + 10 * column + channel (+ row).
  host_tools::labeled_data<float> data;
  data.width = 2 * 3 * 2;
  for (std::size_t e = 0; e < 2; ++e) {
    data.labels.push_back(static_cast<host_tools::label_type>(e + 4));
    for (std::size_t y = 0; y < 2; ++y)
      for (std::size_t x = 0; x < 3; ++x)
        for (std::size_t c = 0; c < 2; ++c)
          data.features.push_back(static_cast<float>(100 * e + 10 * x + c + 1000 * y));
  }
  const auto out = with_mirror_images(data, {2, 3, 2});
  BOOST_TEST_REQUIRE(out.size() == 4u);
  BOOST_TEST(out.width == data.width);
  BOOST_TEST(out.labels == (std::vector<host_tools::label_type>{4, 4, 5, 5}),
             boost::test_tools::per_element());
  for (std::size_t e = 0; e < 2; ++e) {
    const float* original = out.features.data() + (2 * e) * out.width;
    const float* mirror = original + out.width;
    for (std::size_t y = 0; y < 2; ++y)
      for (std::size_t x = 0; x < 3; ++x)
        for (std::size_t c = 0; c < 2; ++c) {
          const std::size_t at = (y * 3 + x) * 2 + c;
          BOOST_TEST(original[at] == static_cast<float>(100 * e + 10 * x + c + 1000 * y));
          BOOST_TEST(mirror[at] == static_cast<float>(100 * e + 10 * (2 - x) + c + 1000 * y));
        }
  }

  // A named network trains on both copies and is measured on the training set as it is.
  scratch s;
  const auto loaded = load_dataset(generated_images(s), true, false);
  run_spec spec;
  spec.dataset = "images";
  spec.network = "cnn-ocr";
  spec.network_model = {host_tools::parse_input_shape("16x8x1"),
                        host_tools::parse_layers("conv2d:8:3x3:same,relu,maxpool:2x2,"
                                                 "conv2d:16:3x3:same,relu,maxpool:2x2,dense:10")};
  spec.init = init_kind::he;
  spec.epochs = 2;
  spec.optimizer = optimizer_kind::adam;
  spec.learning_rate = "0.003";
  spec.batch = 4;
  spec.shuffle = true;
  spec.augment_hflip = true;
  const run_result r = run_one(spec, loaded);
  BOOST_TEST(r.train_examples == 40u);
  BOOST_TEST(r.trained_examples == 80u);
  BOOST_TEST(r.spec.key() == "images_cnn-ocr_he_lr0.003_e2_s0_float_adam_b4_shuffled_hflip");
  spec.augment_hflip = false;
  BOOST_TEST(run_one(spec, loaded).epochs[0].train_cross_entropy !=
             r.epochs[0].train_cross_entropy);
}

BOOST_AUTO_TEST_CASE(keys_of_default_runs_are_unchanged_and_new_settings_name_themselves) {
  scratch s;
  const auto g = load_grid(s.write("grid.json", grid_text(R"([
    {"name": "a", "variants": [{}, {"lr_decay": 0.1}, {"lr_schedule": "inverse:0.1"},
      {"lr_schedule": "cosine", "lr_decay": 0}, {"optimizer": "sgd", "batch": 1, "shuffle": false,
       "augment": "none", "lr_schedule": "constant"},
      {"lr_schedule": "step:5:0.5"}, {"lr_schedule": "cosine"},
      {"optimizer": "adam", "batch": 32, "shuffle": true},
      {"optimizer": "adamw"}, {"optimizer": "adam", "beta1": 0.8, "eps": 1e-6, "weight_decay": 0.001},
      {"optimizer": "nesterov", "momentum": 0.5}, {"optimizer": "momentum"},
      {"weight_decay": 0.0001}]}])")),
                           {{"dir", s.dir.string()}}, {});
  const auto& k = g.experiments[0].run_keys;
  BOOST_TEST_REQUIRE(k.size() == 13u);
  const std::string base = "gen_h4_sigmoid_random_lr0.1";
  BOOST_TEST(k[0] == base + "_e3_s0_float");
  BOOST_TEST(k[1] == base + "d0.1_e3_s0_float");
  BOOST_TEST(k[2] == k[1]);  // lr_decay D is the schedule "inverse:D": one run
  BOOST_TEST(k[3] == k[0]);  // lr_decay 0 is a fixed rate, whatever came before
  BOOST_TEST(k[4] == k[0]);  // every default written out is the default
  BOOST_TEST(k[5] == base + "step5x0.5_e3_s0_float");
  BOOST_TEST(k[6] == base + "cos_e3_s0_float");
  BOOST_TEST(k[7] == base + "_e3_s0_float_adam_b32_shuffled");
  BOOST_TEST(k[8] == base + "_e3_s0_float_adamw_wd0.01");
  BOOST_TEST(k[9] == base + "_e3_s0_float_adam-beta10.8-eps1e-06_wd0.001");
  BOOST_TEST(k[10] == base + "_e3_s0_float_nesterov0.5");
  BOOST_TEST(k[11] == base + "_e3_s0_float_momentum0.9");
  BOOST_TEST(k[12] == base + "_e3_s0_float_wd0.0001");
  BOOST_TEST(g.runs.size() == 10u);
  BOOST_TEST(g.runs[2].lr_step_every == 5u);
  BOOST_TEST(g.runs[2].lr_step_factor == 0.5);
}

BOOST_AUTO_TEST_CASE(tool_writes_results_for_every_run) {
  scratch s;
  generated_dataset(s);
  const auto grid_file = s.write("grid.json", grid_text(R"([
    {"name": "init", "set": {"track_symmetry": true, "keep_first_layer": true},
     "vary": {"init": ["zero", "random"]}},
    {"name": "deep", "variants": [{"hidden": [5, 4], "activation": "tanh"},
      {"optimizer": "adam", "lr": "0.01", "batch": 4, "shuffle": true, "lr_schedule": "cosine"}]}])"));
  const std::string command = std::string(CONSTNN_EXPERIMENTS_BINARY) + " --grid '" +
                              grid_file.string() + "' --data 'dir=" + s.dir.string() +
                              "' --out '" + (s.dir / "out").string() + "' --jobs 2 --quiet";
  BOOST_TEST_REQUIRE(std::system(command.c_str()) == 0, command);
  std::ifstream in(s.dir / "out" / "results.json");
  const auto doc = nlohmann::json::parse(in);
  BOOST_TEST_REQUIRE(doc["runs"].size() == 4u);
  BOOST_TEST(doc["session"]["jobs"] == 2);
  BOOST_TEST(!doc["session"]["kernels"].get<std::string>().empty());
  for (const auto& run : doc["runs"]) {
    BOOST_TEST(run["per_epoch"]["train_cross_entropy"].size() == 3u);
    BOOST_TEST(run["per_epoch"]["train_seconds"].size() == 3u);
    BOOST_TEST(run["per_epoch"]["validation_cross_entropy"].size() == 3u);
    BOOST_TEST(run["final"].contains("validation_error"));
    BOOST_TEST(run["wall_seconds"].get<double>() >= 0.0);
  }
  const auto& zero = doc["runs"][0];
  BOOST_TEST(zero["hyperparameters"]["init"] == "zero");
  for (const auto& d : zero["per_epoch"]["alpha_rows_max_distance"]) BOOST_TEST(d.get<double>() == 0.0);
  BOOST_TEST(zero["first_layer_rows"].size() == 4u);
  BOOST_TEST(doc["runs"][2]["hyperparameters"]["widths"] == nlohmann::json({6, 5, 4, 3}));
  // Every run names its network as train_export's --input-shape and --layers would.
  BOOST_TEST(doc["runs"][2]["hyperparameters"]["input_shape"] == "6");
  BOOST_TEST(doc["runs"][2]["hyperparameters"]["layers"] == "dense:5,tanh,dense:4,tanh,dense:3");
  BOOST_TEST(doc["runs"][2]["hyperparameters"]["network"] == "mlp");
  BOOST_TEST(doc["runs"][2]["hyperparameters"]["optimizer"]["name"] == "sgd");
  BOOST_TEST(doc["runs"][2]["hyperparameters"]["lr_schedule"] == "constant");
  const auto& adam = doc["runs"][3]["hyperparameters"];
  BOOST_TEST(adam["optimizer"] == nlohmann::json::parse(
                                      R"({"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                          "weight_decay": 0.0})"));
  BOOST_TEST(adam["lr_schedule"] == "cosine");
  BOOST_TEST(adam["batch"] == 4);
  BOOST_TEST(adam["shuffle"] == true);
  BOOST_TEST(adam["augment"] == "none");

  std::ifstream runs_csv(s.dir / "out" / "runs.csv");
  std::string line;
  std::size_t lines = 0;
  while (std::getline(runs_csv, line)) ++lines;
  BOOST_TEST(lines == 5u);  // header + 4 runs
  std::ifstream epochs_csv(s.dir / "out" / "epochs.csv");
  lines = 0;
  while (std::getline(epochs_csv, line)) ++lines;
  BOOST_TEST(lines == 13u);  // header + 4 runs x 3 epochs

  // A bad grid: exit status 3 (data), no results written.
  const auto bad = s.write("bad.json", "{");
  const std::string bad_command = std::string(CONSTNN_EXPERIMENTS_BINARY) + " --grid '" +
                                  bad.string() + "' --out '" + (s.dir / "out2").string() +
                                  "' 2>/dev/null";
  const int status = std::system(bad_command.c_str());
  BOOST_TEST(WEXITSTATUS(status) == 3);
  BOOST_TEST(!fs::exists(s.dir / "out2" / "results.json"));
}
