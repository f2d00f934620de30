// constnn_experiments: grid expansion, the runner against train_export's training bit for bit,
// the symmetry measure under ZERO init, deeper networks, and the tool end to end.
#define BOOST_TEST_MODULE experiments
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "error.hpp"
#include "grid.hpp"
#include "progress.hpp"
#include "runner.hpp"
#include "training.hpp"

namespace fs = std::filesystem;
using namespace experiments;

namespace {

// A fresh folder under the system temp folder, removed at the end of the test.
struct scratch {
  fs::path dir;
  scratch() {
    dir = fs::temp_directory_path() /
          ("constnn_experiments_test_" + std::to_string(::getpid()) + "_" +
           std::to_string(counter()++));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
};

// A small learnable problem: 3 classes, 6 features in [0, 1], some exactly 0 (as in OCR data).
std::string generated_csv(std::size_t rows, unsigned salt) {
  std::ostringstream out;
  unsigned state = 12345u + salt;
  const auto next = [&] {
    state = state * 1103515245u + 12345u;
    return static_cast<double>((state >> 8) & 0xffff) / 65535.0;
  };
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t label = r % 3;
    out << label;
    for (std::size_t f = 0; f < 6; ++f) {
      double v = next() * 0.5 + (f / 2 == label ? 0.5 : 0.0);
      if (v < 0.15) v = 0;
      out << ',' << v;
    }
    out << '\n';
  }
  return out.str();
}

dataset_spec generated_dataset(const scratch& s) {
  dataset_spec d;
  d.name = "gen";
  d.train = s.write("train.csv", generated_csv(90, 1));
  d.validation = s.write("validation.csv", generated_csv(30, 2));
  d.classes = 3;
  return d;
}

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
                         pair.train, pair.validation, quiet, theirs);

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

std::string grid_text(const std::string& experiments) {
  return R"({"datasets": {"gen": {"train": "{dir}/train.csv", "validation": "{dir}/validation.csv",
             "classes": 3}, "unused": {"train": "{nowhere}/a.csv", "validation": "{nowhere}/b.csv"}},
             "defaults": {"dataset": "gen", "hidden": 4, "epochs": 3, "lr": "0.1"},
             "experiments": )" + experiments + "}";
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
                                train_export::failure_kind kind) {
    const auto file = s.write("bad.json", grid_text(experiments));
    try {
      load_grid(file, {{"dir", s.dir.string()}}, {});
      BOOST_ERROR("no error for " << experiments);
    } catch (const train_export::tool_error& e) {
      BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, e.what());
      BOOST_TEST((e.kind() == kind));
    }
  };
  using train_export::failure_kind;
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
  try {
    load_grid(s.write("g.json", grid_text(R"([{"name": "a"}])")), {{"dir", "x"}}, {"zzz"});
    BOOST_ERROR("no error for --only zzz");
  } catch (const train_export::tool_error& e) {
    BOOST_TEST(std::string(e.what()).find("zzz") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(tool_writes_results_for_every_run) {
  scratch s;
  generated_dataset(s);
  const auto grid_file = s.write("grid.json", grid_text(R"([
    {"name": "init", "set": {"track_symmetry": true, "keep_first_layer": true},
     "vary": {"init": ["zero", "random"]}},
    {"name": "deep", "variants": [{"hidden": [5, 4], "activation": "tanh"}]}])"));
  const std::string command = std::string(CONSTNN_EXPERIMENTS_BINARY) + " --grid '" +
                              grid_file.string() + "' --data 'dir=" + s.dir.string() +
                              "' --out '" + (s.dir / "out").string() + "' --jobs 2 --quiet";
  BOOST_TEST_REQUIRE(std::system(command.c_str()) == 0, command);
  std::ifstream in(s.dir / "out" / "results.json");
  const auto doc = nlohmann::json::parse(in);
  BOOST_TEST_REQUIRE(doc["runs"].size() == 3u);
  BOOST_TEST(doc["session"]["jobs"] == 2);
  for (const auto& run : doc["runs"]) {
    BOOST_TEST(run["per_epoch"]["train_cross_entropy"].size() == 3u);
    BOOST_TEST(run["per_epoch"]["validation_cross_entropy"].size() == 3u);
    BOOST_TEST(run["final"].contains("validation_error"));
    BOOST_TEST(run["wall_seconds"].get<double>() >= 0.0);
  }
  const auto& zero = doc["runs"][0];
  BOOST_TEST(zero["hyperparameters"]["init"] == "zero");
  for (const auto& d : zero["per_epoch"]["alpha_rows_max_distance"]) BOOST_TEST(d.get<double>() == 0.0);
  BOOST_TEST(zero["first_layer_rows"].size() == 4u);
  BOOST_TEST(doc["runs"][2]["hyperparameters"]["widths"] == nlohmann::json({6, 5, 4, 3}));

  std::ifstream runs_csv(s.dir / "out" / "runs.csv");
  std::string line;
  std::size_t lines = 0;
  while (std::getline(runs_csv, line)) ++lines;
  BOOST_TEST(lines == 4u);  // header + 3 runs
  std::ifstream epochs_csv(s.dir / "out" / "epochs.csv");
  lines = 0;
  while (std::getline(epochs_csv, line)) ++lines;
  BOOST_TEST(lines == 10u);  // header + 3 runs x 3 epochs

  // A bad grid: exit status 3 (data), no results written.
  const auto bad = s.write("bad.json", "{");
  const std::string bad_command = std::string(CONSTNN_EXPERIMENTS_BINARY) + " --grid '" +
                                  bad.string() + "' --out '" + (s.dir / "out2").string() +
                                  "' 2>/dev/null";
  const int status = std::system(bad_command.c_str());
  BOOST_TEST(WEXITSTATUS(status) == 3);
  BOOST_TEST(!fs::exists(s.dir / "out2" / "results.json"));
}
