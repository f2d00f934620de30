// train_export run as users run it: both command-line forms against the reference figures,
// reproducibility, progress output, --help and the JSON record.
#define BOOST_TEST_MODULE train_export_end_to_end
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "../support/ocr_data.hpp"
#include "../support/reference_figures.hpp"
#include "csv_reader.hpp"
#include "sha256.hpp"
#include "tool_harness.hpp"

namespace fs = std::filesystem;
using train_export_test::read_file;
using train_export_test::run_tool;
using train_export_test::scratch_dir;

namespace {

using constnn_test::reference_train_cross_entropy;
using constnn_test::reference_validation_cross_entropy;

struct metrics_file {
  std::vector<double> train, validation;
  std::string train_error, validation_error;  // compared as text: the format is the claim
};

metrics_file parse_metrics(const std::string& text) {
  metrics_file m;
  std::istringstream in(text);
  std::string line;
  std::size_t epoch = 0;
  while (std::getline(in, line)) {
    const auto colon = line.find(": ");
    BOOST_TEST_REQUIRE(colon != std::string::npos, "malformed metrics line: " << line);
    const std::string key = line.substr(0, colon), value = line.substr(colon + 2);
    if (key == "error(train)") {
      m.train_error = value;
    } else if (key == "error(validation)") {
      m.validation_error = value;
    } else if (key.ends_with(" crossentropy(train)")) {
      BOOST_TEST(key == "epoch=" + std::to_string(++epoch) + " crossentropy(train)");
      m.train.push_back(std::stod(value));
    } else {
      BOOST_TEST(key == "epoch=" + std::to_string(epoch) + " crossentropy(validation)");
      m.validation.push_back(std::stod(value));
    }
  }
  return m;
}

void check_reference(const metrics_file& m, std::size_t epochs, double tolerance) {
  BOOST_TEST_REQUIRE(m.train.size() == epochs);
  BOOST_TEST_REQUIRE(m.validation.size() == epochs);
  for (std::size_t e = 0; e < epochs; ++e) {
    BOOST_TEST(
        std::abs(m.train[e] - reference_train_cross_entropy[e]) < tolerance,
        "epoch " << e + 1 << " train " << m.train[e] << " vs " << reference_train_cross_entropy[e]);
    BOOST_TEST(std::abs(m.validation[e] - reference_validation_cross_entropy[e]) < tolerance,
               "epoch " << e + 1 << " validation " << m.validation[e] << " vs "
                        << reference_validation_cross_entropy[e]);
  }
  BOOST_TEST(m.train_error == (epochs == 2 ? "0.77" : "0.728"));
  BOOST_TEST(m.validation_error == (epochs == 2 ? "0.78" : "0.77"));
}

std::vector<std::string> handout_args(std::size_t epochs) {
  return {constnn_test::ocr_file("smallTrain.csv").string(),
          constnn_test::ocr_file("smallValidation.csv").string(),
          "train_out.labels",
          "validation_out.labels",
          "metrics_out.txt",
          std::to_string(epochs),
          "4",
          "2",
          "0.1"};
}

std::vector<std::string> named_args(std::size_t epochs) {
  return {"--train",
          constnn_test::ocr_file("smallTrain.csv").string(),
          "--validation",
          constnn_test::ocr_file("smallValidation.csv").string(),
          "--epochs",
          std::to_string(epochs),
          "--hidden",
          "4",
          "--init",
          "zero",
          "--lr",
          "0.1",
          "--metrics",
          "metrics_out.txt",
          "--validation-labels",
          "validation_out.labels",
          "--quiet"};
}

// Every output of a fixture run, so two runs can be compared file by file.
std::vector<std::string> fixture_args() {
  return {"--train",
          train_export_test::fixture("three_class_train.csv").string(),
          "--validation",
          train_export_test::fixture("three_class_validation.csv").string(),
          "--classes",
          "3",
          "--epochs",
          "7",
          "--hidden",
          "3",
          "--lr",
          "0.5",
          "--seed",
          "42",
          "--train-labels",
          "t.labels",
          "--validation-labels",
          "v.labels",
          "--metrics",
          "m.txt",
          "--metrics-json",
          "m.json",
          "--header",
          "h.hpp",
          "--embed-samples",
          "4",
          "--quiet"};
}

nlohmann::json without_timings(nlohmann::json doc) {
  doc.erase("timings");
  for (auto& epoch : doc["epochs"]) epoch.erase("seconds");
  return doc;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reference_runs)

BOOST_AUTO_TEST_CASE(handout_form_matches_reference_to_1e9_in_double,
                     *boost::unit_test::precondition(constnn_test::ocr_file_present{
                         "smallTrain.csv"})) {
  for (std::size_t epochs : {2u, 5u}) {
    scratch_dir dir;
    const auto r = run_tool(handout_args(epochs), dir.path());
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    check_reference(parse_metrics(read_file(dir / "metrics_out.txt")), epochs, 1e-9);
    if (epochs == 2) {
      BOOST_TEST(read_file(dir / "validation_out.labels").starts_with("6\n4\n8\n8\n"));
    }
  }
}

BOOST_AUTO_TEST_CASE(named_form_matches_reference_to_1e5_in_float,
                     *boost::unit_test::precondition(constnn_test::ocr_file_present{
                         "smallTrain.csv"})) {
  for (std::size_t epochs : {2u, 5u}) {
    scratch_dir dir;
    const auto r = run_tool(named_args(epochs), dir.path());
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    BOOST_TEST(r.err.empty(), "--quiet printed: " << r.err);
    check_reference(parse_metrics(read_file(dir / "metrics_out.txt")), epochs, 1e-5);
    if (epochs == 2) {
      BOOST_TEST(read_file(dir / "validation_out.labels").starts_with("6\n4\n8\n8\n"));
    }
  }
}

BOOST_AUTO_TEST_CASE(named_form_in_double_equals_handout_form_byte_for_byte,
                     *boost::unit_test::precondition(constnn_test::ocr_file_present{
                         "smallTrain.csv"})) {
  scratch_dir handout, named;
  BOOST_TEST_REQUIRE(run_tool(handout_args(2), handout.path()).status == 0);
  auto args = named_args(2);
  args.insert(args.end(), {"--precision", "double"});
  BOOST_TEST_REQUIRE(run_tool(args, named.path()).status == 0);
  BOOST_TEST(read_file(handout / "metrics_out.txt") == read_file(named / "metrics_out.txt"));
  BOOST_TEST(read_file(handout / "validation_out.labels") ==
             read_file(named / "validation_out.labels"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(reproducibility)

BOOST_AUTO_TEST_CASE(a_second_run_writes_byte_identical_files) {
  scratch_dir first, second;
  const auto a = run_tool(fixture_args(), first.path());
  BOOST_TEST_REQUIRE(a.status == 0, a.err);
  const auto b = run_tool(fixture_args(), second.path());
  BOOST_TEST_REQUIRE(b.status == 0, b.err);
  for (const char* name : {"t.labels", "v.labels", "m.txt", "h.hpp"}) {
    BOOST_TEST(read_file(first / name) == read_file(second / name), name << " differs");
  }
  // Timings are the one thing allowed to differ.
  BOOST_TEST(without_timings(nlohmann::json::parse(read_file(first / "m.json"))) ==
             without_timings(nlohmann::json::parse(read_file(second / "m.json"))));
}

BOOST_AUTO_TEST_CASE(rerunning_into_the_same_files_gives_the_same_bytes) {
  scratch_dir dir;
  BOOST_TEST_REQUIRE(run_tool(fixture_args(), dir.path()).status == 0);
  const std::string header = read_file(dir / "h.hpp"), metrics = read_file(dir / "m.txt");
  BOOST_TEST_REQUIRE(run_tool(fixture_args(), dir.path()).status == 0);
  BOOST_TEST(read_file(dir / "h.hpp") == header);
  BOOST_TEST(read_file(dir / "m.txt") == metrics);
  BOOST_TEST(dir.entries().size() == 5u, "no temporary file may be left behind");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(outputs)

BOOST_AUTO_TEST_CASE(named_output_options_may_follow_the_positional_arguments) {
  scratch_dir dir;
  const auto r = run_tool({train_export_test::fixture("three_class_train.csv").string(),
                           train_export_test::fixture("three_class_validation.csv").string(),
                           "t.labels",
                           "v.labels",
                           "m.txt",
                           "3",
                           "2",
                           "1",
                           "0.3",
                           "--classes",
                           "3",
                           "--header",
                           "h.hpp",
                           "--namespace",
                           "app::letters",
                           "--embed-samples",
                           "2",
                           "--metrics-json",
                           "m.json",
                           "--quiet"},
                          dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const std::string header = read_file(dir / "h.hpp");
  BOOST_TEST(header.find("namespace app::letters {") != std::string::npos);
  BOOST_TEST(header.find("using scalar = double;") != std::string::npos,
             "the handout form defaults to double");
  BOOST_TEST(header.find("inline constexpr std::size_t sample_count = 2;") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(one_hidden_unit_and_one_feature_are_enough) {
  scratch_dir dir;
  train_export_test::write_file(dir / "t.csv", "0,0.1\n1,0.9\n0,0.2\n1,0.7\n");
  train_export_test::write_file(dir / "v.csv", "1,0.8\n0,0.3\n");
  const auto r =
      run_tool({"t.csv", "v.csv", "t.labels", "v.labels", "m.txt", "50", "1", "1", "1", "--classes",
                "2", "--header", "h.hpp", "--embed-samples", "2", "--quiet"},
               dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(read_file(dir / "h.hpp")
                 .find("constnn::dense<1, 1>, constnn::sigmoid, "
                       "constnn::dense<1, 2>") != std::string::npos);
  BOOST_TEST(read_file(dir / "m.txt").ends_with("error(validation): 0\n"));
}

BOOST_AUTO_TEST_CASE(metrics_json_records_inputs_hyperparameters_and_figures) {
  scratch_dir dir;
  BOOST_TEST_REQUIRE(run_tool(fixture_args(), dir.path()).status == 0);
  const auto doc = nlohmann::json::parse(read_file(dir / "m.json"));
  const auto train_csv = train_export_test::fixture("three_class_train.csv");
  BOOST_TEST(doc["tool"]["name"] == "train_export");
  BOOST_TEST(doc["inputs"]["train"]["sha256"] == train_export::sha256_hex(read_file(train_csv)));
  BOOST_TEST(doc["inputs"]["train"]["examples"] == 24);
  BOOST_TEST(doc["inputs"]["validation"]["features"] == 5);
  BOOST_TEST(doc["hyperparameters"]["epochs"] == 7);
  BOOST_TEST(doc["hyperparameters"]["hidden"] == 3);
  BOOST_TEST(doc["hyperparameters"]["seed"] == 42);
  BOOST_TEST(doc["hyperparameters"]["precision"] == "float");
  BOOST_TEST(doc["hyperparameters"]["init"] == "random");
  BOOST_TEST(doc["network"]["parameters"] == 5 * 3 + 3 + 3 * 3 + 3);
  BOOST_TEST(doc["epochs"].size() == 7u);
  BOOST_TEST(doc["timings"].contains("train_seconds"));

  // The JSON and the text metrics carry the same numbers.
  const auto text = parse_metrics(read_file(dir / "m.txt"));
  for (std::size_t e = 0; e < 7; ++e) {
    BOOST_TEST(doc["epochs"][e]["train_cross_entropy"].get<double>() == text.train[e]);
    BOOST_TEST(doc["epochs"][e]["validation_cross_entropy"].get<double>() == text.validation[e]);
  }
}

BOOST_AUTO_TEST_CASE(progress_is_one_plain_line_per_epoch_when_stderr_is_not_a_terminal) {
  scratch_dir dir;
  auto args = fixture_args();
  args.pop_back();  // --quiet
  const auto r = run_tool(args, dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.err.find('\r') == std::string::npos, "no live-line control characters in logs");
  for (int e = 1; e <= 7; ++e) {
    BOOST_TEST(r.err.find("epoch " + std::to_string(e) + "/7  cross-entropy train ") !=
               std::string::npos);
  }
  BOOST_TEST(r.err.find("done in ") != std::string::npos);
  BOOST_TEST(r.out.empty(), "stdout stays free for the user");
}

BOOST_AUTO_TEST_CASE(progress_is_a_live_line_when_stderr_is_a_terminal) {
  const int terminal = ::posix_openpt(O_RDWR | O_NOCTTY);
  BOOST_TEST_REQUIRE(terminal >= 0);
  BOOST_TEST_REQUIRE(::grantpt(terminal) == 0);
  BOOST_TEST_REQUIRE(::unlockpt(terminal) == 0);
  scratch_dir dir;
  auto args = fixture_args();
  args.pop_back();  // --quiet
  const auto tool = train_export_test::start_tool(args, dir.path(), ::ptsname(terminal));
  const auto r = train_export_test::wait_tool(tool);
  // The output is small enough to wait in the terminal's buffer until the tool has exited.
  std::string seen;
  char chunk[4096];
  for (ssize_t got; (got = ::read(terminal, chunk, sizeof chunk)) > 0;) {
    seen.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(terminal);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(seen.find("\repoch 1/7  cross-entropy train ") != std::string::npos, seen);
  BOOST_TEST(seen.find("\repoch 7/7  cross-entropy train ") != std::string::npos);
  BOOST_TEST(seen.find("\x1b[K") != std::string::npos, "the line is cleared after rewriting");
  BOOST_TEST(seen.find("epoch 2/7  cross-entropy train 0") > seen.find("epoch 1/7"));
  BOOST_TEST(std::count(seen.begin(), seen.end(), '\n') == 2, "one live line and the summary");
}

BOOST_AUTO_TEST_CASE(a_message_after_a_live_progress_line_gets_a_line_of_its_own) {
  const int terminal = ::posix_openpt(O_RDWR | O_NOCTTY);
  BOOST_TEST_REQUIRE(terminal >= 0);
  BOOST_TEST_REQUIRE(::grantpt(terminal) == 0);
  BOOST_TEST_REQUIRE(::unlockpt(terminal) == 0);
  scratch_dir dir;
  auto args = fixture_args();
  args.pop_back();  // --quiet
  *(std::find(args.begin(), args.end(), "--epochs") + 1) = "1000000";
  const auto tool = train_export_test::start_tool(args, dir.path(), ::ptsname(terminal));
  std::string seen;
  char chunk[4096];
  // Interrupt once the first live line is on the terminal.
  while (seen.find("\repoch 1/") == std::string::npos) {
    const ssize_t got = ::read(terminal, chunk, sizeof chunk);
    BOOST_TEST_REQUIRE(got > 0);
    seen.append(chunk, static_cast<std::size_t>(got));
  }
  // The terminal is drained while the tool ends: a full one would block its last message.
  ::fcntl(terminal, F_SETFL, O_NONBLOCK);
  ::kill(tool.pid, SIGINT);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int wait_status = 0;
  bool exited = false;
  while (std::chrono::steady_clock::now() < deadline) {
    const ssize_t got = ::read(terminal, chunk, sizeof chunk);
    if (got > 0) {
      seen.append(chunk, static_cast<std::size_t>(got));
    } else if (exited) {
      break;
    } else if (::waitpid(tool.pid, &wait_status, WNOHANG) == tool.pid) {
      exited = true;  // one more pass reads what it wrote last
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  if (!exited) ::kill(tool.pid, SIGKILL), ::waitpid(tool.pid, &wait_status, 0);
  ::close(terminal);
  const auto r = train_export_test::collect(tool, wait_status, !exited);
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.status == 130);
  // The terminal turns "\n" into "\r\n".
  BOOST_TEST(seen.find("\x1b[K\r\ntrain_export: interrupted; no output file was written\r\n") !=
                 std::string::npos,
             seen);
}

BOOST_AUTO_TEST_CASE(ctrl_c_stops_cleanly_and_writes_nothing) {
  scratch_dir dir;
  auto args = fixture_args();
  const auto epochs = std::find(args.begin(), args.end(), "--epochs");
  *(epochs + 1) = "1000000";
  args.erase(std::find(args.begin(), args.end(), "--quiet"));  // progress shows training began
  const auto tool = train_export_test::start_tool(args, dir.path());
  // Interrupt only once training runs (its first progress line), however slow the machine
  // or the sanitizer build is to start the process.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const auto started_training = [&] {
    return std::filesystem::exists(tool.err_file) &&
           train_export_test::read_file(tool.err_file).find("epoch 1/") != std::string::npos;
  };
  while (!started_training() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ::kill(tool.pid, SIGINT);
  const auto r = train_export_test::wait_tool(tool);
  BOOST_TEST(r.status == 130);
  const std::string last_line = "train_export: interrupted; no output file was written\n";
  BOOST_TEST(r.err.ends_with(last_line), r.err);
  BOOST_TEST(dir.entries().empty(), "temporary files must be removed");
}

// The reference network with options the reference job does not use: each must change the
// run (they once fell into the reference loop, which drew RANDOM or ZERO weights and ignored
// weight decay).
BOOST_AUTO_TEST_CASE(other_inits_and_weight_decay_on_the_reference_network_take_effect) {
  scratch_dir dir;
  const auto metrics_with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"--train",
                                     train_export_test::fixture("three_class_train.csv").string(),
                                     "--validation",
                                     train_export_test::fixture("three_class_validation.csv").string(),
                                     "--classes", "3", "--epochs", "3", "--hidden", "3", "--lr",
                                     "0.5", "--metrics", "m.txt", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_tool(args, dir.path());
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    return read_file(dir / "m.txt");
  };
  const std::string zero = metrics_with({"--init", "zero"});
  const std::string random = metrics_with({"--init", "random"});
  BOOST_TEST(metrics_with({"--init", "glorot"}) != zero);
  BOOST_TEST(metrics_with({"--init", "glorot"}) != random);
  BOOST_TEST(metrics_with({"--init", "he"}) != metrics_with({"--init", "glorot"}));
  BOOST_TEST(metrics_with({"--weight-decay", "0.1"}) != random);
}

BOOST_AUTO_TEST_CASE(quiet_prints_nothing) {
  scratch_dir dir;
  const auto r = run_tool(fixture_args(), dir.path());
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.err.empty());
  BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(help_shows_both_forms_and_the_exit_statuses) {
  scratch_dir dir;
  const auto r = run_tool({"--help"}, dir.path());
  BOOST_TEST(r.status == 0);
  for (const char* expected :
       {"train_export --train FILE --validation FILE [OPTIONS]",
        "TRAIN VALIDATION TRAIN_OUT VALIDATION_OUT METRICS_OUT EPOCHS HIDDEN INIT_FLAG LR",
        "Exit status:", "2    usage error", "3    data error", "4    I/O error",
        "--embed-samples"}) {
    BOOST_TEST(r.out.find(expected) != std::string::npos, "--help lacks: " << expected);
  }
  const auto v = run_tool({"--version"}, dir.path());
  BOOST_TEST(v.status == 0);
  BOOST_TEST(v.out.starts_with("train_export 0.1.0"));
}

BOOST_AUTO_TEST_SUITE_END()

// --save-model and --model: the file holds the network and its weights exactly, so reading it
// back predicts, exports and keeps training as the run that wrote it would have.
BOOST_AUTO_TEST_SUITE(model_files)

namespace {

std::vector<std::string> fixture_inputs() {
  return {"--train",   train_export_test::fixture("three_class_train.csv").string(),
          "--validation", train_export_test::fixture("three_class_validation.csv").string(),
          "--classes", "3",
          "--quiet"};
}

std::vector<std::string> joined(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The header's parameters array: hex literals, so equal text is equal bits.
std::string parameters_of_header(const std::string& header) {
  const auto start = header.find("parameters = {");
  BOOST_TEST_REQUIRE(start != std::string::npos);
  std::string values;
  std::istringstream in(header.substr(start, header.find("};", start) - start));
  for (std::string line; std::getline(in, line);)
    if (!line.starts_with("    //")) values += line + "\n";
  return values;
}

std::string parameters_of_model(const std::string& model) {
  const auto start = model.find("\"parameters\": [");
  BOOST_TEST_REQUIRE(start != std::string::npos);
  return model.substr(start);
}

std::string error_lines(const std::string& metrics) {
  return metrics.substr(metrics.find("error(train)"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_saved_model_predicts_and_exports_exactly_as_the_run_that_saved_it) {
  const std::vector<std::vector<std::string>> runs = {
      {"--epochs", "5", "--hidden", "3", "--lr", "0.5", "--seed", "3"},
      {"--epochs", "5", "--hidden", "3", "--lr", "0.5", "--precision", "double"},
      {"--epochs", "6", "--input-shape", "5x1", "--init", "he", "--optimizer", "adam", "--lr",
       "0.02", "--batch", "4", "--shuffle", "--layers",
       "conv1d:3:2:same,relu,conv1d:4:2,globalavgpool,dense:3"}};
  for (const auto& training : runs) {
    BOOST_TEST_CONTEXT("run: " << training[2] << " " << training.back()) {
      scratch_dir dir;
      const std::vector<std::string> outputs = {"--validation-labels", "v.labels", "--train-labels",
                                                "t.labels", "--metrics", "m.txt", "--header",
                                                "h.hpp", "--save-model", "model.json"};
      BOOST_TEST_REQUIRE(run_tool(joined(joined(fixture_inputs(), training), outputs), dir.path())
                             .status == 0);
      const fs::path again = dir / "again";
      fs::create_directory(again);
      const auto r = run_tool(
          joined(fixture_inputs(), {"--model", (dir / "model.json").string(), "--epochs", "0",
                                    "--validation-labels", "v.labels", "--train-labels",
                                    "t.labels", "--metrics", "m.txt", "--header", "h.hpp",
                                    "--save-model", "model.json"}),
          again);
      BOOST_TEST_REQUIRE(r.status == 0, r.err);
      BOOST_TEST(read_file(again / "v.labels") == read_file(dir / "v.labels"));
      BOOST_TEST(read_file(again / "t.labels") == read_file(dir / "t.labels"));
      BOOST_TEST(error_lines(read_file(again / "m.txt")) == error_lines(read_file(dir / "m.txt")));
      BOOST_TEST(read_file(again / "m.txt").starts_with("error(train)"),
                 "no epoch was trained, so no epoch line");
      BOOST_TEST(parameters_of_header(read_file(again / "h.hpp")) ==
                 parameters_of_header(read_file(dir / "h.hpp")));
      BOOST_TEST(parameters_of_model(read_file(again / "model.json")) ==
                 parameters_of_model(read_file(dir / "model.json")));
      // The final cross-entropies of the header's comment: the same weights, the same figures.
      const auto final_line = [](const std::string& h) {
        const auto at = h.find("// final cross-entropy");
        return h.substr(at, h.find('\n', at) - at);
      };
      BOOST_TEST(final_line(read_file(again / "h.hpp")) == final_line(read_file(dir / "h.hpp")));
    }
  }
}

BOOST_AUTO_TEST_CASE(resuming_the_reference_training_continues_its_trajectory_bit_for_bit) {
  scratch_dir dir;
  const std::vector<std::string> training = {"--hidden", "3", "--lr", "0.5", "--seed", "9"};
  BOOST_TEST_REQUIRE(run_tool(joined(joined(fixture_inputs(), training),
                                     {"--epochs", "4", "--metrics", "four.txt", "--save-model",
                                      "four.json"}),
                              dir.path())
                         .status == 0);
  BOOST_TEST_REQUIRE(run_tool(joined(joined(fixture_inputs(), training),
                                     {"--epochs", "2", "--save-model", "two.json"}),
                              dir.path())
                         .status == 0);
  const auto r = run_tool(joined(fixture_inputs(), {"--model", "two.json", "--epochs", "2",
                                                    "--lr", "0.5", "--metrics", "resumed.txt",
                                                    "--save-model", "resumed.json"}),
                          dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const auto four = parse_metrics(read_file(dir / "four.txt"));
  const auto resumed = parse_metrics(read_file(dir / "resumed.txt"));
  BOOST_TEST_REQUIRE(resumed.train.size() == 2u);
  for (std::size_t e = 0; e < 2; ++e) {
    BOOST_TEST(resumed.train[e] == four.train[e + 2]);
    BOOST_TEST(resumed.validation[e] == four.validation[e + 2]);
  }
  BOOST_TEST(resumed.validation_error == four.validation_error);
  BOOST_TEST(parameters_of_model(read_file(dir / "resumed.json")) ==
             parameters_of_model(read_file(dir / "four.json")));
}

BOOST_AUTO_TEST_CASE(a_description_alone_trains_as_the_same_command_line_options) {
  scratch_dir dir;
  train_export_test::write_file(dir / "description.json", R"({
    "format": "constnn-model", "version": 1, "precision": "float", "classes": 3,
    "input_shape": "5x1", "layers": "conv1d:2:3:same,tanh,dense:4,relu,dense:3"})");
  const std::vector<std::string> common = {"--epochs", "3", "--lr", "0.2", "--seed", "5",
                                           "--init", "glorot", "--metrics", "m.txt",
                                           "--validation-labels", "v.labels"};
  const auto from_file = run_tool(
      joined(joined(fixture_inputs(), common), {"--model", (dir / "description.json").string()}),
      dir.path());
  BOOST_TEST_REQUIRE(from_file.status == 0, from_file.err);
  const std::string metrics = read_file(dir / "m.txt"), labels = read_file(dir / "v.labels");
  const auto from_options = run_tool(
      joined(joined(fixture_inputs(), common),
             {"--input-shape", "5x1", "--layers", "conv1d:2:3:same,tanh,dense:4,relu,dense:3"}),
      dir.path());
  BOOST_TEST_REQUIRE(from_options.status == 0, from_options.err);
  BOOST_TEST(read_file(dir / "m.txt") == metrics);
  BOOST_TEST(read_file(dir / "v.labels") == labels);
}

BOOST_AUTO_TEST_CASE(the_model_file_records_the_network_its_weights_and_their_origin) {
  scratch_dir dir;
  const auto r = run_tool(
      joined(fixture_inputs(), {"--epochs", "2", "--input-shape", "5x1", "--layers",
                                "conv1d:2:3:s2,relu,flatten,dense:3", "--save-model", "m.json",
                                "--metrics-json", "run.json"}),
      dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const auto model = nlohmann::json::parse(read_file(dir / "m.json"));
  BOOST_TEST(model["format"] == "constnn-model");
  BOOST_TEST(model["version"] == 1);
  BOOST_TEST(model["precision"] == "float");
  BOOST_TEST(model["input_shape"] == "5x1");
  BOOST_TEST(model["layers"] == "conv1d:2:3:s2,relu,flatten,dense:3");
  BOOST_TEST(model["classes"] == 3);
  BOOST_TEST(model["type"] ==
             "constnn::sequential<float, constnn::input<5, 1>, constnn::conv1d<2, 3, 2, "
             "constnn::padding::valid>, constnn::relu, constnn::flatten, constnn::dense<4, 3>, "
             "constnn::softmax_xent>");
  // conv1d: 3 x 1 x 2 weights and 2 biases; dense: 2 positions x 2 channels -> 3.
  BOOST_TEST(model["parameter_count"] == 3 * 1 * 2 + 2 + 4 * 3 + 3);
  const auto& p = model["parameters"];
  BOOST_TEST_REQUIRE(p.size() == 2u);
  BOOST_TEST(p[0]["layer"] == 1);
  BOOST_TEST(p[0]["weights_shape"] == nlohmann::json({3, 1, 2}));
  BOOST_TEST(p[0]["weights"].size() == 6u);
  BOOST_TEST(p[0]["biases"].size() == 2u);
  BOOST_TEST(p[1]["layer"] == 4);
  BOOST_TEST(p[1]["weights_shape"] == nlohmann::json({4, 3}));
  const auto run = nlohmann::json::parse(read_file(dir / "run.json"));
  BOOST_TEST(model["training"]["inputs"] == run["inputs"]);
  BOOST_TEST(model["training"]["hyperparameters"] == run["hyperparameters"]);
  BOOST_TEST(model["training"]["final"]["validation_error"] == run["errors"]["validation"]);
}

BOOST_AUTO_TEST_SUITE_END()

// --quantize int8: the labels and error rates are the int8 network's, the float ones are
// recorded beside them, and the flash is about a quarter of float's.
BOOST_AUTO_TEST_SUITE(quantization, *boost::unit_test::precondition(
                                         constnn_test::ocr_file_present{"smallTrain.csv"}))

BOOST_AUTO_TEST_CASE(the_labels_and_errors_are_the_int8_networks_with_float_beside_them) {
  scratch_dir dir;
  const auto r = run_tool(
      {"--train", constnn_test::ocr_file("smallTrain.csv").string(), "--validation",
       constnn_test::ocr_file("smallValidation.csv").string(), "--epochs", "20", "--hidden", "50",
       "--lr", "0.1", "--quantize", "int8", "--validation-labels", "v.labels", "--metrics",
       "m.txt", "--metrics-json", "m.json"},
      dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.err.find("quantized to int8 (") != std::string::npos, r.err);
  const auto doc = nlohmann::json::parse(read_file(dir / "m.json"));
  const auto& q = doc["quantization"];
  BOOST_TEST(q["scheme"] == "int8");
  BOOST_TEST(q["calibration"]["sha256"] == doc["inputs"]["train"]["sha256"]);
  // 128-50-10: float 6,960 weights of 4 bytes; int8 6,400 + 500 weights, 12 bytes per output
  // and 16 per layer, and the sigmoid's table.
  BOOST_TEST(q["parameter_bytes"]["float"] == 6960 * 4);
  BOOST_TEST(q["parameter_bytes"]["int8"] == (16 + 6400 + 600) + 256 + (16 + 500 + 120));
  // The validation labels file gives the int8 error rate of the metrics.
  const auto validation =
      host_tools::parse_labeled_csv<float>(read_file(constnn_test::ocr_file("smallValidation.csv")),
                                           "smallValidation.csv", 10);
  std::istringstream labels(read_file(dir / "v.labels"));
  std::size_t wrong = 0, n = 0;
  for (std::string line; std::getline(labels, line); ++n)
    wrong += std::stoul(line) != validation.labels[n] ? 1 : 0;
  BOOST_TEST_REQUIRE(n == validation.size());
  BOOST_TEST(doc["errors"]["validation_wrong"] == wrong);
  const auto metrics = parse_metrics(read_file(dir / "m.txt"));
  BOOST_TEST(std::stod(metrics.validation_error) == doc["errors"]["validation"].get<double>());
  // int8 stays close to float on this network.
  const double float_error = q["float_errors"]["validation"].get<double>();
  BOOST_TEST(std::abs(doc["errors"]["validation"].get<double>() - float_error) <= 0.03);
}

BOOST_AUTO_TEST_SUITE_END()
