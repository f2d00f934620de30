// train_export --from-onnx end to end, against PyTorch's figures on the models of
// tests/data/onnx (make_onnx_models.py): evaluation alone, the header, fine-tuning, the model
// file, and every refusal as one line, exit status 3 and no output.
#define BOOST_TEST_MODULE train_export_onnx
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "onnx_test_data.hpp"
#include "tool_harness.hpp"

namespace fs = std::filesystem;
using train_export_test::read_file;
using train_export_test::run_tool;
using train_export_test::scratch_dir;

namespace {

constexpr int usage_error = 2, data_error = 3;

const fs::path data_dir = onnx_test_data::dir;
using onnx_test_data::inputs;
using onnx_test_data::model;

// PyTorch's side of one model: its classes, and the mean cross-entropy and error of its
// probabilities against the stored labels.
struct pytorch_figures {
  std::vector<std::size_t> classes;
  double cross_entropy = 0;
  double error = 0;
  std::string labels_text;
};

pytorch_figures pytorch(const std::string& name) {
  const auto rows = onnx_test_data::rows_of(inputs(name));
  const auto outputs = onnx_test_data::rows_of(onnx_test_data::outputs(name));
  pytorch_figures f;
  std::size_t wrong = 0;
  for (std::size_t r = 0; r < rows.size() && r < outputs.size(); ++r) {
    const auto label = static_cast<std::size_t>(rows[r][0]);
    const std::vector<double>& p = outputs[r];
    const auto predicted = static_cast<std::size_t>(p.back());
    f.classes.push_back(predicted);
    f.labels_text += std::to_string(predicted) + "\n";
    f.cross_entropy -= std::log(p[label]);
    wrong += predicted != label ? 1 : 0;
  }
  f.cross_entropy /= static_cast<double>(f.classes.size());
  f.error = static_cast<double>(wrong) / static_cast<double>(f.classes.size());
  return f;
}

// "crossentropy(validation): X" of a metrics file.
double metrics_value(const std::string& metrics, const std::string& key) {
  const std::size_t at = metrics.find(key + ": ");
  BOOST_REQUIRE(at != std::string::npos);
  return std::stod(metrics.substr(at + key.size() + 2));
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_imported_model_alone_predicts_as_pytorch_did) {
  for (const std::string name : {"mlp", "ocr_cnn", "series", "fashion_cnn"}) {
    BOOST_TEST_CONTEXT(name) {
      scratch_dir dir;
      const auto r =
          run_tool({"--from-onnx", model(name), "--validation", inputs(name), "--validation-labels",
                    "v.labels", "--metrics", "m.txt", "--metrics-json", "m.json", "--quiet"},
                   dir.path());
      BOOST_TEST_REQUIRE(r.status == 0, r.err);
      const pytorch_figures expected = pytorch(name);
      BOOST_TEST(read_file(dir / "v.labels") == expected.labels_text);
      const std::string metrics = read_file(dir / "m.txt");
      // No training set, so no train lines: the cross-entropy and error of the model as read.
      BOOST_TEST(metrics.find("train") == std::string::npos);
      BOOST_TEST(std::abs(metrics_value(metrics, "crossentropy(validation)") -
                          expected.cross_entropy) < 1e-6);
      BOOST_TEST(metrics_value(metrics, "error(validation)") == expected.error);
      const auto json = nlohmann::json::parse(read_file(dir / "m.json"));
      BOOST_TEST(json["inputs"]["train"].is_null());
      BOOST_TEST(json["inputs"]["onnx"]["path"] == model(name));
      BOOST_TEST(json["errors"]["train"].is_null());
      BOOST_TEST(json["hyperparameters"]["epochs"] == 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_header_of_an_imported_model_names_it_and_holds_its_samples) {
  scratch_dir dir;
  const auto r =
      run_tool({"--from-onnx", model("fashion_cnn"), "--validation", inputs("fashion_cnn"),
                "--header", "h.hpp", "--embed-samples", "2", "--namespace", "imported", "--quiet"},
               dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const std::string header = read_file(dir / "h.hpp");
  BOOST_TEST(header.find("// ONNX model: fashion_cnn.onnx, sha256 ") != std::string::npos);
  BOOST_TEST(header.find("// train:      none") != std::string::npos);
  // Batch normalisation folded, dropout dropped, global average pooling kept.
  BOOST_TEST(
      header.find("--layers conv2d:8:3x3:same,relu,maxpool:2x2,conv2d:16:3x3,relu,"
                  "avgpool:2x2,conv2d:24:3x3:s2,tanh,globalavgpool,dense:32,relu,dense:10") !=
      std::string::npos);
  BOOST_TEST(header.find("namespace imported {") != std::string::npos);
  // The samples' comments give the host's class, which must be PyTorch's.
  const std::string csv = read_file(inputs("fashion_cnn"));
  const std::string second_row = csv.substr(csv.find('\n') + 1);
  const std::string label = second_row.substr(0, second_row.find(','));
  BOOST_TEST(header.find("// sample 1: label " + label + ", host predicted " +
                         std::to_string(pytorch("fashion_cnn").classes[1])) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(fine_tuning_starts_from_the_imported_weights) {
  scratch_dir dir;
  // Two epochs of Adam on PyTorch's test inputs: the loss on them must fall from PyTorch's.
  const auto r = run_tool(
      {"--from-onnx", model("ocr_cnn"), "--train", inputs("ocr_cnn"), "--validation",
       inputs("ocr_cnn"), "--epochs", "2", "--optimizer", "adam", "--lr", "0.001", "--metrics",
       "m.txt", "--save-model", "tuned.json", "--validation-labels", "v.labels", "--quiet"},
      dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  const std::string metrics = read_file(dir / "m.txt");
  const double before = pytorch("ocr_cnn").cross_entropy;
  const double after = metrics_value(metrics, "epoch=2 crossentropy(validation)");
  // From He or random weights, 400 steps could not come near PyTorch's loss, let alone below.
  BOOST_TEST(after < before);
  // The saved model predicts exactly what the run that saved it predicted.
  const auto again = run_tool({"--model", "tuned.json", "--validation", inputs("ocr_cnn"),
                               "--validation-labels", "again.labels", "--quiet"},
                              dir.path());
  BOOST_TEST_REQUIRE(again.status == 0, again.err);
  BOOST_TEST(read_file(dir / "again.labels") == read_file(dir / "v.labels"));
}

BOOST_AUTO_TEST_CASE(an_imported_model_quantizes_to_int8) {
  scratch_dir dir;
  const auto r = run_tool({"--from-onnx", model("ocr_cnn"), "--validation", inputs("ocr_cnn"),
                           "--quantize", "int8", "--calibration", inputs("ocr_cnn"), "--metrics",
                           "m.txt", "--header", "h.hpp", "--embed-samples", "1"},
                          dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  BOOST_TEST(r.err.find("quantized to int8") != std::string::npos);
  const double float_error = pytorch("ocr_cnn").error;
  // 200 examples: one more or one fewer mistake is 0.5 points.
  BOOST_TEST(std::abs(metrics_value(read_file(dir / "m.txt"), "error(validation)") - float_error) <=
             0.0101);
  BOOST_TEST(read_file(dir / "h.hpp").find("constnn::sequential<constnn::int8,") !=
             std::string::npos);
}

namespace {

struct refusal {
  std::vector<std::string> args;
  int status;
  std::string message;  // stderr without "train_export: " and the newline
};

void check_refusal(const refusal& c) {
  scratch_dir dir;
  std::vector<std::string> args = c.args;
  for (const char* output :
       {"--validation-labels", "v.labels", "--metrics", "m.txt", "--metrics-json", "m.json",
        "--header", "h.hpp", "--save-model", "s.json"})
    args.emplace_back(output);
  const auto r = run_tool(args, dir.path());
  BOOST_TEST(r.status == c.status);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(r.err == "train_export: " + c.message + "\n");
  BOOST_TEST(dir.entries().empty(), "a refused run writes nothing");
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_refused_model_is_one_line_naming_the_node_and_nothing_is_written) {
  const auto refused = [](const std::string& file) {
    return (data_dir / "refused" / file).string();
  };
  const auto with = [&](const std::string& file, const std::string& validation) {
    return std::vector<std::string>{"--from-onnx", refused(file), "--validation", validation};
  };
  const std::string three = train_export_test::fixture("three_class_validation.csv").string();
  check_refusal(
      {with("grouped_conv.onnx", three), data_error,
       refused("grouped_conv.onnx") + ": node '/0/Conv' (Conv): group 8 is not supported"});
  check_refusal({with("leaky_relu.onnx", three), data_error,
                 refused("leaky_relu.onnx") +
                     ": node '/1/LeakyRelu' (LeakyRelu): this operator is not supported"});
  check_refusal({with("two_inputs.onnx", three), data_error,
                 refused("two_inputs.onnx") + ": the model has 2 inputs; constnn takes one"});
  check_refusal({with("two_outputs.onnx", three), data_error,
                 refused("two_outputs.onnx") + ": the model has 2 outputs; constnn gives one"});
  check_refusal({with("dynamic_shape.onnx", three), data_error,
                 refused("dynamic_shape.onnx") +
                     ": input 'input' has axes of unknown size; give --input-shape"});
  check_refusal({with("opset_5.onnx", three), data_error,
                 refused("opset_5.onnx") + ": opset 5 is not supported (constnn reads 7 to 17)"});
  check_refusal({with("asymmetric_padding.onnx", three), data_error,
                 refused("asymmetric_padding.onnx") +
                     ": node '/0/Conv' (Conv): pads 1 before and 1 after on an axis of 6 (window "
                     "3, stride 2) are neither none nor constnn's 'same' (0 before, 3 outputs)"});
  // A model whose input does not fit the CSV's examples.
  check_refusal({{"--from-onnx", model("mlp"), "--validation", three},
                 data_error,
                 model("mlp") + ": the model's input 128 holds 128 values but each example of " +
                     three + " has 5 features"});
  // libonnx's checker passes an experimental operator with a warning on stdout; the tool's
  // output stays its own (check_refusal compares stderr whole, and stdout must be empty).
  check_refusal({with("experimental_op.onnx", three), data_error,
                 refused("experimental_op.onnx") +
                     ": node 'crop' (Crop): this operator is not supported"});
  // Not a model at all.
  check_refusal({{"--from-onnx", three, "--validation", three},
                 data_error,
                 three + ": not an ONNX model (the protobuf does not parse; truncated?)"});
}

BOOST_AUTO_TEST_CASE(options_that_contradict_an_imported_model_are_usage_errors) {
  const std::vector<std::string> base = {"--from-onnx", model("mlp"), "--validation",
                                         inputs("mlp")};
  const auto plus = [&](std::vector<std::string> more) {
    std::vector<std::string> args = base;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  check_refusal({plus({"--layers", "dense:10"}), usage_error,
                 "--layers: not with --from-onnx, whose model gives the network"});
  check_refusal({plus({"--hidden", "5"}), usage_error,
                 "--hidden: not with --from-onnx, whose model gives the network"});
  check_refusal({plus({"--epochs", "3"}), usage_error,
                 "--epochs: 3, but there is no --train set to train on"});
  check_refusal({plus({"--train-labels", "t.labels"}), usage_error,
                 "--train-labels: there is no --train set to label"});
  check_refusal({plus({"--quantize", "int8"}), usage_error,
                 "--quantize: calibrates on the training set, and there is no --train; give "
                 "--calibration FILE"});
  check_refusal({plus({"--classes", "5"}), usage_error,
                 "--classes: 5, but " + model("mlp") + " is a model for 10 classes"});
  check_refusal({plus({"--init", "he"}), usage_error,
                 "--init: " + model("mlp") +
                     " holds weights, and training starts from them; --init is for a model file "
                     "without weights"});
}

BOOST_AUTO_TEST_CASE(a_qdq_model_predicts_as_an_int8_network_with_its_own_grids) {
  for (const std::string name : {"qdq_ocr_cnn", "qdq_mlp"}) {
    BOOST_TEST_CONTEXT(name) {
      scratch_dir dir;
      const auto r = run_tool({"--from-onnx", model(name), "--validation", inputs(name),
                               "--validation-labels", "v.labels", "--metrics-json", "m.json",
                               "--header", "h.hpp", "--embed-samples", "3"},
                              dir.path());
      BOOST_TEST_REQUIRE(r.status == 0, r.err);
      BOOST_TEST(r.err.find("int8 network of the QDQ model") != std::string::npos);
      // The classes of PyTorch's fake-quantized graph (outputs.csv's last column).
      BOOST_TEST(read_file(dir / "v.labels") == pytorch(name).labels_text);
      const auto json = nlohmann::json::parse(read_file(dir / "m.json"));
      BOOST_TEST(json["quantization"]["grids"] == "the model's (QDQ)");
      BOOST_TEST(json["quantization"]["calibration"].is_null());
      const std::string header = read_file(dir / "h.hpp");
      BOOST_TEST(header.find("using network = constnn::sequential<constnn::int8,") !=
                 std::string::npos);
      BOOST_TEST(header.find("quantized by the ONNX model's") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_qdq_model_neither_trains_nor_quantizes_again) {
  const std::vector<std::string> base = {"--from-onnx", model("qdq_mlp"), "--validation",
                                         inputs("qdq_mlp")};
  const auto plus = [&](std::vector<std::string> more) {
    std::vector<std::string> args = base;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  check_refusal({plus({"--train", inputs("qdq_mlp")}), usage_error,
                 "--train: " + model("qdq_mlp") +
                     " is quantized (QDQ), an int8 network, which predicts but does not train; "
                     "import its float model to fine-tune it"});
  check_refusal({plus({"--quantize", "int8", "--calibration", inputs("qdq_mlp")}), usage_error,
                 "--quantize: " + model("qdq_mlp") +
                     " is already quantized (QDQ); its own grids are taken"});
  // check_refusal asks for every output, --save-model among them.
  check_refusal({base, usage_error,
                 "--save-model: model files hold float networks, and " + model("qdq_mlp") +
                     " is an int8 one (QDQ)"});
  const std::string refused = (data_dir / "refused" / "qdq_weight_zero_point.onnx").string();
  check_refusal({{"--from-onnx", refused, "--validation", inputs("qdq_mlp")}, data_error,
                 refused +
                     ": node '/Gemm' (Gemm): its weights have zero point 1; TFLite's int8 "
                     "weights are symmetric (zero point 0)"});
}
