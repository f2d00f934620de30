// The grid field "quantize": "int8": the runner measures the int8 network of train_export's
// --quantize int8 without touching the float run, the tool records it beside the float figures
// (results.json, runs.csv, read back for merges), and a bad value is refused naming the field.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "error.hpp"
#include "grid.hpp"
#include "int8_quantization.hpp"
#include "model_description.hpp"
#include "progress.hpp"
#include "results_io.hpp"
#include "runner.hpp"
#include "support.hpp"
#include "training.hpp"

namespace fs = std::filesystem;
using namespace experiments;
using namespace experiments_test;

namespace {

std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(int8_quantization)

BOOST_AUTO_TEST_CASE(a_quantized_run_measures_train_exports_int8_network_and_keeps_its_float_bits) {
  scratch s;
  const auto data = load_dataset(generated_dataset(s), true, false);
  run_spec spec;
  spec.dataset = "gen";
  spec.hidden = {4};
  spec.learning_rate = "0.1";
  spec.epochs = 5;
  spec.seed = 3;
  const run_result plain = run_one(spec, data);
  spec.quantize_int8 = true;
  const run_result quantized = run_one(spec, data);
  BOOST_TEST(!plain.int8.has_value());
  BOOST_TEST_REQUIRE(quantized.int8.has_value());
  BOOST_TEST(quantized.spec.key() == plain.spec.key());  // the same run, measured once more
  BOOST_TEST_REQUIRE(quantized.epochs.size() == plain.epochs.size());
  for (std::size_t e = 0; e < plain.epochs.size(); ++e) {
    BOOST_TEST(quantized.epochs[e].train_cross_entropy == plain.epochs[e].train_cross_entropy);
    BOOST_TEST(quantized.epochs[e].validation_cross_entropy ==
               plain.epochs[e].validation_cross_entropy);
  }
  BOOST_TEST(quantized.validation_errors == plain.validation_errors);

  // train_export's path: the same training, then the shared quantize_int8 calibrated on the
  // training set, as --quantize int8 without --calibration.
  const auto& pair = *data.single_precision;
  train_export::options opts;
  opts.epochs = spec.epochs;
  opts.hidden = 4;
  opts.classes = 3;
  opts.learning_rate_text = spec.learning_rate;
  opts.seed = spec.seed;
  train_export::progress_reporter quiet(train_export::progress_mode::quiet, stderr, opts.epochs,
                                        pair.train.size());
  train_export::run_summary summary;
  const auto description = host_tools::default_description(pair.train.width, 4, 3);
  const auto trained =
      train_export::train<float>(opts, description, {}, pair.train, pair.validation, quiet,
                                 summary);
  const host_tools::tool_error never(host_tools::failure_kind::data, "refused");
  const host_tools::int8_network q = host_tools::quantize_int8<float>(
      description, std::span<const float>(trained.parameters), pair.train, pair.train,
      pair.validation, {never, never});
  const int8_result& mine = *quantized.int8;
  BOOST_TEST(mine.train_errors == q.errors.train_errors);
  BOOST_TEST(mine.validation_errors == q.errors.validation_errors);
  BOOST_TEST(mine.train_error == q.errors.train);
  BOOST_TEST(mine.validation_error == q.errors.validation);
  BOOST_TEST(mine.parameter_bytes == q.parameters.size());
  BOOST_TEST(mine.input_scale == static_cast<double>(q.tensors[0].scale));
  BOOST_TEST(mine.input_zero_point == q.tensors[0].zero_point);
  // 6-4-3: int8 weights, then per output channel an int32 bias, multiplier and shift, and four
  // int32 of zero points and clamp per dense layer; a sigmoid is a 256-byte table.
  BOOST_TEST(mine.float_parameter_bytes == quantized.parameter_count * sizeof(float));
  BOOST_TEST(mine.parameter_bytes == (6 * 4 + 4 * 12 + 16) + 256 + (4 * 3 + 3 * 12 + 16));
}

BOOST_AUTO_TEST_CASE(the_tool_records_int8_figures_beside_the_float_ones_for_quantized_runs_only) {
  scratch s;
  generated_dataset(s);
  generated_images(s);
  // The default run is asked for by "plain" without and by "q" with quantize: one run, quantized.
  const auto grid_file = s.write(
      "grid.json",
      grid_text(R"([
    {"name": "plain", "variants": [{}, {"hidden": 5}]},
    {"name": "q", "set": {"quantize": "int8"},
     "variants": [{}, {"dataset": "images", "network": "cnn", "init": "he", "epochs": 2,
                       "lr": "0.01"}, {"hidden": 3, "quantize": "none"}]}])",
                R"("cnn": {"input_shape": "16x8x1",
                           "layers": "conv2d:4:3x3:same,relu,maxpool:2x2,dense:10"})"));
  const fs::path out = s.dir / "out";
  const tool_run r = run_tool(s, "--grid " + shell_word(grid_file) + " --data " +
                                     shell_word("dir=" + s.dir.string()) + " --out " +
                                     shell_word(out) + " --jobs 2");
  BOOST_TEST_REQUIRE(r.status == 0, r.errors);
  const auto doc = nlohmann::json::parse(read_text(out / "results.json"));
  BOOST_TEST_REQUIRE(doc["runs"].size() == 4u);
  std::map<std::string, nlohmann::json> runs;
  for (const auto& run : doc["runs"]) runs[run["key"].get<std::string>()] = run;
  const std::string mlp = "gen_h4_sigmoid_random_lr0.1_e3_s0_float";
  const std::string cnn = "images_cnn_he_lr0.01_e2_s0_float";
  BOOST_TEST_REQUIRE(runs.contains(mlp));
  BOOST_TEST_REQUIRE(runs.contains(cnn));
  BOOST_TEST(!runs.at("gen_h5_sigmoid_random_lr0.1_e3_s0_float").contains("int8"));
  BOOST_TEST(!runs.at("gen_h3_sigmoid_random_lr0.1_e3_s0_float").contains("int8"));
  for (const std::string& key : {mlp, cnn}) {
    const auto& run = runs.at(key);
    BOOST_TEST_REQUIRE(run.contains("int8"), key);
    const auto& q = run["int8"];
    const double n_train = run["train_examples"].get<double>();
    const double n_validation = run["validation_examples"].get<double>();
    BOOST_TEST(q["calibration"] == "train");
    BOOST_TEST(q["train_error"].get<double>() >= 0.0);
    BOOST_TEST(q["train_error"].get<double>() <= 1.0);
    BOOST_TEST(q["validation_error"].get<double>() >= 0.0);
    BOOST_TEST(q["validation_error"].get<double>() <= 1.0);
    BOOST_TEST(q["train_errors"].get<long>() == std::lround(q["train_error"].get<double>() * n_train));
    BOOST_TEST(q["validation_errors"].get<long>() ==
               std::lround(q["validation_error"].get<double>() * n_validation));
    BOOST_TEST(q["float_parameter_bytes"] == run["parameter_count"].get<std::size_t>() * 4);
    BOOST_TEST(q["parameter_bytes"].get<std::size_t>() > 0u);
    BOOST_TEST(q["inference_ram_bytes"].get<std::size_t>() * 4 ==
               q["float_inference_ram_bytes"].get<std::size_t>());
    BOOST_TEST(q["input_scale"].get<double>() > 0.0);
    BOOST_TEST(q["seconds"].get<double>() >= 0.0);
  }
  BOOST_TEST(runs.at(mlp)["experiments"] == nlohmann::json({"plain", "q"}));
  // A network this small is larger in int8 (the sigmoid's table, four int32 a channel); a conv
  // network whose weights dominate is not.
  BOOST_TEST(runs.at(mlp)["int8"]["parameter_bytes"] == 408u);
  BOOST_TEST(runs.at(cnn)["int8"]["parameter_bytes"].get<std::size_t>() * 3 <
             runs.at(cnn)["int8"]["float_parameter_bytes"].get<std::size_t>());

  // runs.csv: the older columns where they were, the int8 ones after them.
  std::stringstream table(read_text(out / "runs.csv"));
  std::string line;
  std::getline(table, line);
  const auto header = csv_cells(line);
  BOOST_TEST_REQUIRE(header.size() == 21u);
  BOOST_TEST(header[15] == "validation_error");
  BOOST_TEST(header[16] == "wall_seconds");
  BOOST_TEST(header[17] == "parameter_bytes");
  BOOST_TEST(header[18] == "int8_parameter_bytes");
  BOOST_TEST(header[19] == "int8_train_error");
  BOOST_TEST(header[20] == "int8_validation_error");
  std::size_t rows = 0;
  while (std::getline(table, line)) {
    const auto cells = csv_cells(line);
    BOOST_TEST_REQUIRE(cells.size() == 21u, line);
    ++rows;
    const auto& run = runs.at(cells[0]);
    BOOST_TEST(std::stoul(cells[17]) == run["parameter_count"].get<std::size_t>() * 4);
    if (run.contains("int8")) {
      BOOST_TEST(std::stoul(cells[18]) == run["int8"]["parameter_bytes"].get<std::size_t>());
      BOOST_TEST(std::stod(cells[19]) == run["int8"]["train_error"].get<double>());
      BOOST_TEST(std::stod(cells[20]) == run["int8"]["validation_error"].get<double>());
    } else {
      BOOST_TEST((cells[18].empty() && cells[19].empty() && cells[20].empty()), line);
    }
  }
  BOOST_TEST(rows == 4u);

  // Read back (as --merge does), the writers give the same files again.
  const results_document back = read_results(read_text(out / "results.json"), "results.json");
  BOOST_TEST_REQUIRE(back.runs.size() == 4u);
  BOOST_TEST(runs_csv(back.runs) == read_text(out / "runs.csv"));
  std::size_t quantized = 0;
  for (const auto& run : back.runs) quantized += run.spec.quantize_int8 && run.int8 ? 1 : 0;
  BOOST_TEST(quantized == 2u);
}

BOOST_AUTO_TEST_CASE(a_bad_quantize_value_is_refused_naming_the_field) {
  scratch s;
  generated_dataset(s);
  for (const char* value : {R"("int4")", "true", R"("INT8")", "8"}) {
    const auto file =
        s.write("bad.json", grid_text(std::string(R"([{"name": "a", "set": {"quantize": )") +
                                      value + "}}]"));
    try {
      load_grid(file, {{"dir", s.dir.string()}}, {});
      BOOST_ERROR("no error for quantize " << value);
    } catch (const host_tools::tool_error& e) {
      const std::string what = e.what();
      BOOST_TEST(what.find(std::string("\"quantize\" must be \"int8\" or \"none\", not ") + value) !=
                     std::string::npos,
                 what);
      BOOST_TEST(what.starts_with(file.string() + ": "), what);
      BOOST_TEST((e.kind() == host_tools::failure_kind::data), what);
    }
  }
  // The tool itself: one line, exit status 3 (bad grid file), nothing written.
  const auto file = s.write("bad.json", grid_text(R"([{"name": "a", "set": {"quantize": "fp16"}}])"));
  const tool_run r = run_tool(s, "--grid " + shell_word(file) + " --data " +
                                     shell_word("dir=" + s.dir.string()) + " --out " +
                                     shell_word(s.dir / "out"));
  BOOST_TEST(r.status == 3, r.errors);
  BOOST_TEST(r.errors.find("\"quantize\" must be \"int8\" or \"none\", not \"fp16\"") !=
                 std::string::npos,
             r.errors);
  BOOST_TEST(r.errors.find('\n') == r.errors.size() - 1, r.errors);
  BOOST_TEST(!fs::exists(s.dir / "out" / "results.json"));
}

BOOST_AUTO_TEST_SUITE_END()
