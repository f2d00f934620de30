// train_export on bad input: each case checks the one-line message, the exit status and that
// no output file appeared or changed; the four harmless CSV variants must be accepted.
#define BOOST_TEST_MODULE train_export_bad_input
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tool_harness.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using train_export_test::read_file;
using train_export_test::run_tool;
using train_export_test::scratch_dir;
using train_export_test::start_tool;
using train_export_test::wait_tool_for;
using train_export_test::write_file;

namespace {

constexpr int usage_error = 2, data_error = 3, io_error = 4;

const std::string good_train = "0,0,1\n1,1,0\n";
const std::string good_validation = "1,1,0\n0,0.5,1\n";

// Every output option, so a failure anywhere must leave all of them absent.
const std::vector<std::string> all_outputs = {"--train-labels", "t.labels",  "--validation-labels",
                                              "v.labels",       "--metrics", "m.txt",
                                              "--metrics-json", "m.json",    "--header",
                                              "h.hpp",          "--save-model", "s.json"};

struct bad_case {
  explicit bad_case(std::string case_name) : name(std::move(case_name)) {}

  std::string name;
  std::optional<std::string> train = good_train;  // nullopt: the file does not exist
  std::string validation = good_validation;
  std::vector<std::string> extra_args;  // replace a default option when they name it
  int status = 0;
  std::string message;  // the whole of stderr, without "train_export: " and "\n"
  std::vector<std::string> positional_args;  // when set, used instead of the named form
  std::optional<std::string> model;  // written to model.json, and --model model.json given
  std::optional<std::string> calibration;  // written to calibration.csv, used by --quantize
};

std::string expected_stderr(const std::string& message) {
  std::string text = "train_export: ";
  text += message;
  text += '\n';
  return text;
}

std::vector<std::string> named_args(const bad_case& c) {
  std::vector<std::string> args = {"--train",   "train.csv", "--validation", "validation.csv",
                                   "--classes", "2",         "--epochs",     "1",
                                   "--hidden",  "2",         "--quiet"};
  args.insert(args.end(), all_outputs.begin(), all_outputs.end());
  // With --layers, --hidden is refused: it stays only where the case gives it.
  const auto names = [&](const char* option) {
    for (std::size_t i = 0; i < c.extra_args.size(); i += 2)
      if (c.extra_args[i] == option) return true;
    return false;
  };
  if ((names("--layers") || names("--model") || c.model) && !names("--hidden"))
    args.erase(args.begin() + 8, args.begin() + 10);
  if (c.model) args.insert(args.end(), {"--model", "model.json"});
  // A case's option replaces the default one of the same name, so each is given once.
  for (std::size_t i = 0; i + 1 < c.extra_args.size(); i += 2) {
    bool replaced = false;
    for (std::size_t j = 0; j + 1 < args.size(); ++j) {
      if (args[j] == c.extra_args[i]) {
        args[j + 1] = c.extra_args[i + 1];
        replaced = true;
      }
    }
    if (!replaced) args.insert(args.end(), {c.extra_args[i], c.extra_args[i + 1]});
  }
  return args;
}

// One constructor per way a case differs from a good run, so the table reads row by row.
bad_case with_train(std::string name, std::string train, int status, std::string message) {
  bad_case c(std::move(name));
  c.train = std::move(train);
  c.status = status;
  c.message = std::move(message);
  return c;
}
bad_case without_train_file(std::string name, int status, std::string message) {
  bad_case c = with_train(std::move(name), "", status, std::move(message));
  c.train = std::nullopt;
  return c;
}
bad_case with_validation(std::string name, std::string validation, int status,
                         std::string message) {
  bad_case c = with_train(std::move(name), good_train, status, std::move(message));
  c.validation = std::move(validation);
  return c;
}
bad_case with_options(std::string name, std::vector<std::string> extra_args, int status,
                      std::string message) {
  bad_case c = with_train(std::move(name), good_train, status, std::move(message));
  c.extra_args = std::move(extra_args);
  return c;
}
bad_case with_model(std::string name, std::string model, std::vector<std::string> extra_args,
                    int status, std::string message) {
  bad_case c = with_options(std::move(name), std::move(extra_args), status, std::move(message));
  c.model = std::move(model);
  return c;
}
// A model file for the good data (2 features, 2 classes) from its fields after "format" and
// "version", e.g. R"("precision": "float", ...)".
std::string model_text(const std::string& fields) {
  return R"({"format": "constnn-model", "version": 1, )" + fields + "}";
}
const std::string good_fields =
    R"("precision": "float", "input_shape": "2", "classes": 2, "layers": "dense:2")";
const std::string good_weights =
    R"(, "parameters": [{"layer": 1, "weights": [0.5, -0.5, 0.25, 0], "biases": [0, 0.125]}])";
bad_case with_calibration(std::string name, std::string calibration, int status,
                          std::string message) {
  bad_case c = with_options(std::move(name),
                            {"--quantize", "int8", "--calibration", "calibration.csv"}, status,
                            std::move(message));
  c.calibration = std::move(calibration);
  return c;
}
bad_case positional(std::string name, std::vector<std::string> args, int status,
                    std::string message) {
  bad_case c = with_train(std::move(name), good_train, status, std::move(message));
  c.positional_args = std::move(args);
  return c;
}

const std::vector<bad_case> bad_cases = {
    // Files that cannot be read.
    without_train_file("missing train file", io_error,
                       "train.csv: cannot read: No such file or directory"),
    with_options("directory as input", {"--validation", "."}, io_error,
                 ".: cannot read: Is a directory"),
    // Content problems, each located by FILE:LINE:COLUMN.
    with_train(
        "empty file", "", data_error,
        "train.csv:1:1: the file is empty; expected one example per line: label,feature,..."),
    with_train("only blank lines", "\n\r\n\n", data_error,
               "train.csv:1:1: the file has only blank lines; expected one example per line"),
    with_train("row with an extra column", "0,0,1\n1,1,0,1\n", data_error,
               "train.csv:2:7: the row has 4 fields; expected 3 (a label and 2 features, as on "
               "line 1)"),
    with_train("row with a missing column", "0,0,1\n1,1\n", data_error,
               "train.csv:2:4: the row has 2 fields; expected 3 (a label and 2 features, as on "
               "line 1)"),
    with_train("row with only a label", "1\n", data_error,
               "train.csv:1:2: the row has only a label; expected the label followed by the "
               "features"),
    with_validation("non-numeric feature", "1,1,0\n0,0,zero\n", data_error,
                    "validation.csv:2:5: feature 'zero' is not a number"),
    with_train("number with trailing junk", "0,0,1\n1,1.5x,0\n", data_error,
               "train.csv:2:3: feature '1.5x' is not a number"),
    with_train("empty feature", "0,,1\n", data_error,
               "train.csv:1:3: empty feature field; expected a number"),
    with_train("NaN feature", "0,nan,1\n", data_error,
               "train.csv:1:3: feature 'nan' is not a finite number (NaN and infinity are not "
               "allowed)"),
    with_train("infinite feature", "0,0,1\n1,-inf,0\n", data_error,
               "train.csv:2:3: feature '-inf' is not a finite number (NaN and infinity are not "
               "allowed)"),
    with_train("feature beyond float range", "0,1e999,1\n", data_error,
               "train.csv:1:3: feature '1e999' is out of the range of float"),
    with_train("negative label", "0,0,1\n-1,1,0\n", data_error,
               "train.csv:2:1: label -1 is negative"),
    with_train("fractional label", "0.5,0,1\n", data_error,
               "train.csv:1:1: label '0.5' is not a whole number"),
    with_validation("label not below classes", "1,1,0\n2,0,1\n", data_error,
                    "validation.csv:2:1: label 2 is not below the class count 2 (see --classes)"),
    with_train("label not a number", "a,0,1\n", data_error,
               "train.csv:1:1: label 'a' is not a number"),
    with_train("blank line between examples", "0,0,1\n\n1,1,0\n", data_error,
               "train.csv:2:1: empty line between examples (blank lines are allowed only at the "
               "end)"),
    with_validation("train and validation feature counts differ", "1,1,0,1\n", data_error,
                    "validation.csv:1:1: validation examples have 3 features but training examples "
                    "(train.csv) have 2"),
    // Hyperparameters: zero, negative, not numbers.
    with_options("zero epochs", {"--epochs", "0"}, usage_error,
                 "--epochs: expected a whole number from 1 to 1000000, got '0'"),
    with_options("negative epochs", {"--epochs", "-3"}, usage_error,
                 "--epochs: expected a whole number from 1 to 1000000, got '-3'"),
    with_options("fractional epochs", {"--epochs", "2.5"}, usage_error,
                 "--epochs: expected a whole number from 1 to 1000000, got '2.5'"),
    with_options("zero hidden", {"--hidden", "0"}, usage_error,
                 "--hidden: expected a whole number from 1 to 1000000, got '0'"),
    with_options("negative hidden", {"--hidden", "-1"}, usage_error,
                 "--hidden: expected a whole number from 1 to 1000000, got '-1'"),
    with_options("hidden not a number", {"--hidden", "many"}, usage_error,
                 "--hidden: expected a whole number from 1 to 1000000, got 'many'"),
    with_options("zero learning rate", {"--lr", "0"}, usage_error,
                 "--lr: expected a positive number such as 0.01, got '0'"),
    with_options("negative learning rate", {"--lr", "-0.1"}, usage_error,
                 "--lr: expected a positive number such as 0.01, got '-0.1'"),
    with_options("learning rate not a number", {"--lr", "fast"}, usage_error,
                 "--lr: expected a positive number such as 0.01, got 'fast'"),
    with_options("NaN learning rate", {"--lr", "nan"}, usage_error,
                 "--lr: expected a positive number such as 0.01, got 'nan'"),
    with_options("learning rate beyond float", {"--lr", "1e50"}, usage_error,
                 "--lr: expected a positive number within float's range, got '1e50'"),
    with_options("unknown init", {"--init", "ones"}, usage_error,
                 "--init: expected random, zero, glorot or he, got 'ones'"),
    with_options("unknown precision", {"--precision", "half"}, usage_error,
                 "--precision: expected float or double, got 'half'"),
    with_options("one class", {"--classes", "1"}, usage_error,
                 "--classes: expected a whole number from 2 to 65536, got '1'"),
    with_options(
        "bad namespace", {"--namespace", "3d"}, usage_error,
        "--namespace: expected a C++ namespace name such as model or app::model, got '3d'"),
    with_options("more samples than validation examples", {"--embed-samples", "3"}, usage_error,
                 "--embed-samples: 3 requested but validation.csv has only 2 examples"),
    with_options("unknown option", {"--hiden", "3"}, usage_error,
                 "The following argument was not expected: --hiden (see --help)"),
    // Positional form.
    positional(
        "positional zero epochs",
        {"train.csv", "validation.csv", "t.labels", "v.labels", "m.txt", "0", "2", "2", "0.1"},
        usage_error, "EPOCHS: expected a whole number from 1 to 1000000, got '0'"),
    positional(
        "positional negative hidden",
        {"train.csv", "validation.csv", "t.labels", "v.labels", "m.txt", "1", "-2", "2", "0.1"},
        usage_error, "HIDDEN: expected a whole number from 1 to 1000000, got '-2'"),
    positional("positional learning rate not a number",
               {"train.csv", "validation.csv", "t.labels", "v.labels", "m.txt", "1", "2", "2", "x"},
               usage_error, "LR: expected a positive number such as 0.01, got 'x'"),
    positional(
        "positional negative learning rate",
        {"train.csv", "validation.csv", "t.labels", "v.labels", "m.txt", "1", "2", "2", "-1"},
        usage_error, "LR: expected a positive number such as 0.01, got '-1'"),
    positional(
        "positional init flag 3",
        {"train.csv", "validation.csv", "t.labels", "v.labels", "m.txt", "1", "2", "3", "0.1"},
        usage_error, "INIT_FLAG: expected 1 (RANDOM) or 2 (ZERO), got '3'"),
    positional("too few positional arguments", {"train.csv", "validation.csv", "t.labels"},
               usage_error,
               "the handout form needs all nine positional arguments (TRAIN VALIDATION TRAIN_OUT "
               "VALIDATION_OUT METRICS_OUT EPOCHS HIDDEN INIT_FLAG LR), got 3; or use --train "
               "and --validation (see --help)"),
    positional("positional and named form mixed",
               {"train.csv", "validation.csv", "t.labels", "v.labels", "m.txt", "1", "2", "2",
                "0.1", "--epochs", "3"},
               usage_error,
               "--epochs: not allowed with the nine positional arguments, whose EPOCHS already "
               "sets it"),
    // Output paths.
    with_options("output equal to an input", {"--metrics", "train.csv"}, usage_error,
                 "--metrics: 'train.csv' is the training input; refusing to overwrite an input"),
    with_options("output equal to an input by another name",
                 {"--header", "./sub/../validation.csv"}, usage_error,
                 "--header: './sub/../validation.csv' is the validation input; refusing to "
                 "overwrite an input"),
    positional(
        "positional output equal to an input",
        {"train.csv", "validation.csv", "t.labels", "v.labels", "train.csv", "1", "2", "2", "0.1"},
        usage_error,
        "METRICS_OUT: 'train.csv' is the training input; refusing to overwrite an input"),
    with_options("two outputs in one file", {"--metrics", "t.labels"}, usage_error,
                 "--metrics: 't.labels' is also the output of --train-labels; give each output its "
                 "own file"),
    with_options("output in a missing directory", {"--header", "no/such/dir/h.hpp"}, io_error,
                 "no/such/dir/h.hpp: cannot write: No such file or directory"),
    with_options("output below a regular file", {"--metrics-json", "train.csv/m.json"}, io_error,
                 "train.csv/m.json: cannot write: Not a directory"),
    with_options("output is a directory", {"--metrics", "."}, io_error,
                 ".: cannot write: Is a directory"),
    // Paths and sizes that once ended in exit 1, "a bug".
    with_options("empty input path", {"--train", ""}, usage_error,
                 "--train: expected a file name, got ''"),
    with_options("empty output path", {"--metrics", ""}, usage_error,
                 "--metrics: expected a file name, got ''"),
    positional("positional empty output path",
               {"train.csv", "validation.csv", "", "v.labels", "m.txt", "1", "2", "2", "0.1"},
               usage_error, "TRAIN_OUT: expected a file name, got ''"),
    with_options("absurd hidden", {"--hidden", "1000000000000"}, usage_error,
                 "--hidden: expected a whole number from 1 to 1000000, got '1000000000000'"),
    with_options("hidden beyond size_t", {"--hidden", "99999999999999999999999"}, usage_error,
                 "--hidden: expected a whole number from 1 to 1000000, got "
                 "'99999999999999999999999'"),
    with_options("absurd epochs", {"--epochs", "18446744073709551615"}, usage_error,
                 "--epochs: expected a whole number from 1 to 1000000, got '18446744073709551615'"),
    with_options("hidden and classes beyond the parameter limit",
                 {"--hidden", "1000000", "--classes", "100"}, usage_error,
                 "--hidden: 1000000 hidden units and 100 classes make more than 33554432 "
                 "parameters, the limit"),
    with_options("/dev/zero as input", {"--validation", "/dev/zero"}, data_error,
                 "/dev/zero:1:1: a NUL byte; this is not a CSV text file"),
    with_train("NUL byte in a CSV file", std::string("0,0,1\n1,\0,0\n", 12), data_error,
               "train.csv:2:3: a NUL byte; this is not a CSV text file"),
    // --namespace values the header cannot use.
    with_options("namespace is a keyword", {"--namespace", "for"}, usage_error,
                 "--namespace: 'for' is a C++ keyword or reserved word; choose another name"),
    with_options("nested namespace is a keyword", {"--namespace", "app::class"}, usage_error,
                 "--namespace: 'class' is a C++ keyword or reserved word; choose another name"),
    with_options("namespace is an alternative token", {"--namespace", "and_eq"}, usage_error,
                 "--namespace: 'and_eq' is a C++ keyword or reserved word; choose another name"),
    with_options("namespace std", {"--namespace", "std::model"}, usage_error,
                 "--namespace: 'std' is reserved for the C++ standard library; choose another "
                 "name"),
    with_options("namespace std2", {"--namespace", "std2"}, usage_error,
                 "--namespace: 'std2' is reserved for the C++ standard library; choose another "
                 "name"),
    with_options("namespace with a leading underscore and capital", {"--namespace", "_Model"},
                 usage_error,
                 "--namespace: '_Model' is a reserved identifier (it begins with '_' or contains "
                 "'__'); choose another name"),
    with_options("namespace with a double underscore", {"--namespace", "app::my__model"},
                 usage_error,
                 "--namespace: 'my__model' is a reserved identifier (it begins with '_' or "
                 "contains '__'); choose another name"),
    with_options("namespace is a predefined macro", {"--namespace", "linux"}, usage_error,
                 "--namespace: 'linux' is a predefined macro; choose another name"),
    with_options("namespace nested too deep", {"--namespace", "a::b::c::d::e::f::g::h::i"},
                 usage_error, "--namespace: nests more than 8 namespaces; choose another name"),
    with_options("namespace too long", {"--namespace", std::string(201, 'n')}, usage_error,
                 "--namespace: 201 characters; at most 200 are allowed; choose another name"),
    // User text with control characters stays on the one line of the message.
    with_options("newline in the namespace", {"--namespace", "a\nb"}, usage_error,
                 "--namespace: expected a C++ namespace name such as model or app::model, got "
                 "'a\\x0ab'"),
    with_options("newline in a missing input's name", {"--train", "no\nsuch.csv"}, io_error,
                 "no\\x0asuch.csv: cannot read: No such file or directory"),
    with_options("carriage return in an output's directory", {"--header", "no\r/h.hpp"}, io_error,
                 "no\\x0d/h.hpp: cannot write: No such file or directory"),
    with_options("terminal escape in an option value", {"--init", "\x1b[2J"}, usage_error,
                 "--init: expected random, zero, glorot or he, got '\\x1b[2J'"),
    with_options("bidi override in an option value",
                 {"--precision",
                  "\u202e"
                  "elbuod"},
                 usage_error, "--precision: expected float or double, got '\\xe2\\x80\\xaeelbuod'"),
    with_options("invalid UTF-8 in a missing input's name", {"--validation", "\xff.csv"}, io_error,
                 "\\xff.csv: cannot read: No such file or directory"),
    // Divergence is found whatever the outputs; here all of them, below each alone.
    with_options("diverging learning rate", {"--lr", "1e38", "--init", "zero"}, data_error,
                 "training diverged in epoch 1 (a weight became NaN or infinite), so no output "
                 "was written; try a smaller learning rate than 1e38"),
    // Layer specs and the options of other optimizers: usage errors naming the item.
    with_options("unknown layer", {"--layers", "dense:4,conv3d:2,dense:2"}, usage_error,
                 "--layers: 'conv3d:2' (item 2): unknown layer; known: dense, conv2d, conv1d, "
                 "maxpool, avgpool, globalavgpool, flatten, relu, sigmoid, tanh"),
    with_options("malformed layer", {"--layers", "conv2d:2:3x,dense:2"}, usage_error,
                 "--layers: 'conv2d:2:3x' (item 1): the window width must be a positive integer "
                 "of at most 1000000, got ''"),
    with_options("conv layer without an input shape", {"--layers", "conv2d:2:3x3,dense:2"},
                 usage_error,
                 "--layers: conv2d:2:3x3 (item 1) needs an image (HxWxC) input, got vector 2; "
                 "give --input-shape HxWxC"),
    with_options("window larger than the image",
                 {"--input-shape", "2x1x1", "--layers", "conv2d:2:3x3,dense:2"}, usage_error,
                 "--layers: conv2d:2:3x3 (item 1) needs at least 3x3 input, got 2x1x1"),
    with_options("last width not the class count", {"--layers", "dense:4,relu,dense:3"},
                 usage_error,
                 "--layers: the last layer must be dense:2 (one output per class, --classes 2), "
                 "got dense:3"),
    with_options("input shape of another size", {"--input-shape", "3x1", "--layers", "dense:2"},
                 usage_error,
                 "--input-shape: 3x1 holds 3 values but each example of train.csv has 2 features"),
    with_options("hidden with layers", {"--layers", "dense:2", "--hidden", "3"}, usage_error,
                 "--hidden: only for the default network; with --layers give every width there"),
    with_options("unknown optimizer", {"--optimizer", "rmsprop"}, usage_error,
                 "--optimizer: expected sgd, momentum, nesterov, adam or adamw, got 'rmsprop'"),
    with_options("adam's option with sgd", {"--beta1", "0.8"}, usage_error,
                 "--beta1: only for --optimizer adam or adamw"),
    with_options("momentum out of range", {"--optimizer", "momentum", "--momentum", "1"},
                 usage_error,
                 "--momentum: expected a number from 0 up to (not including) 1, got '1'"),
    with_options("batch of none", {"--batch", "0"}, usage_error,
                 "--batch: expected a whole number from 1 to 65536, got '0'"),
    with_options("bad schedule", {"--lr-schedule", "step:0:0.5"}, usage_error,
                 "--lr-schedule: expected step:E:F with E a whole number from 1 to 1000000, got "
                 "'0'"),
    with_options("unknown schedule", {"--lr-schedule", "linear"}, usage_error,
                 "--lr-schedule: expected constant, step:E:F, inverse:D or cosine, got 'linear'"),
    positional("layers in the handout form",
               {"train.csv", "validation.csv", "t.labels", "v.labels", "m.txt", "1", "2", "2",
                "0.1", "--layers", "dense:2"},
               usage_error,
               "--layers: not allowed in the handout form, which trains the reference network "
               "by plain SGD; use --train and --validation"),
    // Model files (--model): what is wrong in the file is a data error naming the field.
    with_model("model file not JSON", "{\"format\": \"constnn-model\",\n  \"version\": ", {},
               data_error,
               "model.json:2:14: not a JSON model file: syntax error while parsing value - "
               "unexpected end of input; expected '[', '{', or a literal"),
    with_model("model file with a number beyond double", "{\"version\": 1e999}", {}, data_error,
               "model.json: not a JSON model file: number overflow parsing '1e999'"),
    with_model("model file not an object", "[1, 2]", {}, data_error,
               "model.json: not a model file: expected a JSON object"),
    with_model("model file of another format", R"({"format": "onnx"})", {}, data_error,
               "model.json: \"format\": expected \"constnn-model\", got \"onnx\""),
    with_model("model file of another version",
               R"({"format": "constnn-model", "version": 2})", {}, data_error,
               "model.json: \"version\": this train_export reads version 1, the file is 2"),
    with_model("model file in half precision",
               model_text(R"("precision": "half", "input_shape": "2", "classes": 2)"), {},
               data_error,
               "model.json: \"precision\": expected \"float\" or \"double\", got \"half\""),
    with_model("model file of one class",
               model_text(R"("precision": "float", "input_shape": "2", "classes": 1)"), {},
               data_error,
               "model.json: \"classes\": expected a whole number from 2 to 65536, got 1"),
    with_model("model file without layers",
               model_text(R"("precision": "float", "input_shape": "2", "classes": 2)"), {},
               data_error, "model.json: \"layers\": missing"),
    with_model("model file with an unknown layer",
               model_text(R"("precision": "float", "input_shape": "2", "classes": 2, )"
                          R"("layers": "dense:2,conv3d:1,dense:2")"),
               {}, data_error,
               "model.json: \"layers\": 'conv3d:1' (item 2): unknown layer; known: dense, "
               "conv2d, conv1d, maxpool, avgpool, globalavgpool, flatten, relu, sigmoid, tanh"),
    with_model("model file whose window does not fit",
               model_text(R"("precision": "float", "input_shape": "2x1x1", "classes": 2, )"
                          R"("layers": "conv2d:2:3x3,dense:2")"),
               {}, data_error,
               "model.json: \"layers\": conv2d:2:3x3 (item 1) needs at least 3x3 input, got "
               "2x1x1"),
    with_model("model file for another data width",
               model_text(R"("precision": "float", "input_shape": "3", "classes": 2, )"
                          R"("layers": "dense:2")"),
               {}, data_error,
               "model.json: \"input_shape\" 3 holds 3 values but each example of train.csv has 2 "
               "features"),
    with_model("model file with too few weights",
               model_text(good_fields +
                          R"(, "parameters": [{"weights": [1, 2, 3], "biases": [0, 0]}])"),
               {}, data_error,
               "model.json: \"parameters\"[0] (item 1, dense:2): \"weights\": holds 3 numbers; "
               "the network has 4"),
    with_model("model file with a weight that is text",
               model_text(good_fields +
                          R"(, "parameters": [{"weights": [1, "2", 3, 4], "biases": [0, 0]}])"),
               {}, data_error,
               "model.json: \"parameters\"[0] (item 1, dense:2): \"weights\"[1]: expected a "
               "number, got \"2\""),
    with_model("model file with a weight beyond float",
               model_text(good_fields +
                          R"(, "parameters": [{"weights": [1, 2, 3, 4], "biases": [0, 1e39]}])"),
               {}, data_error,
               "model.json: \"parameters\"[0] (item 1, dense:2): \"biases\"[1]: 1e+39 is not a "
               "finite float"),
    with_model("model file with weights for two layers",
               model_text(good_fields + R"(, "parameters": [{}, {}])"), {}, data_error,
               "model.json: \"parameters\": expected an array of 1 layers (one per layer with "
               "weights), got 2"),
    with_model("model file and --classes disagree", model_text(good_fields), {"--classes", "3"},
               usage_error, "--classes: 3, but model.json is a model for 2 classes"),
    with_model("model file and --precision disagree", model_text(good_fields),
               {"--precision", "double"}, usage_error,
               "--precision: double, but the model model.json is in float; leave --precision out"),
    with_model("init with a model's weights", model_text(good_fields + good_weights),
               {"--init", "he"}, usage_error,
               "--init: model.json holds weights, and training starts from them; --init is for a "
               "model file without weights"),
    with_model("no epochs and no weights", model_text(good_fields), {"--epochs", "0"},
               usage_error,
               "--epochs: 0, but model.json holds no weights to evaluate; train at least one "
               "epoch"),
    with_options("no epochs without a model", {"--epochs", "0"}, usage_error,
                 "--epochs: expected a whole number from 1 to 1000000, got '0'"),
    with_model("layers with a model file", model_text(good_fields), {"--layers", "dense:2"},
               usage_error, "--layers: not with --model, whose file gives the network"),
    with_model("saving onto the model file", model_text(good_fields),
               {"--save-model", "model.json"}, usage_error,
               "--save-model: 'model.json' is the model input; refusing to overwrite an input"),
    with_options("missing model file", {"--model", "absent.json"}, io_error,
                 "absent.json: cannot read: No such file or directory"),
    // --quantize and --calibration.
    with_options("quantize to another scheme", {"--quantize", "int4"}, usage_error,
                 "--quantize: expected int8, got 'int4'"),
    with_options("calibration without quantize", {"--calibration", "validation.csv"},
                 usage_error, "--calibration: only with --quantize int8"),
    with_calibration("calibration of another width", "0,1,0,1\n1,0,1,0\n", data_error,
                     "calibration.csv:1:1: calibration examples have 3 features but training "
                     "examples (train.csv) have 2"),
    with_calibration("calibration with a bad label", "7,0,1\n", data_error,
                     "calibration.csv:1:1: label 7 is not below the class count 2 (see "
                     "--classes)"),
    positional("model file in the handout form",
               {"train.csv", "validation.csv", "t.labels", "v.labels", "m.txt", "1", "2", "2",
                "0.1", "--model", "model.json"},
               usage_error,
               "--model: not allowed in the handout form, which trains the reference network "
               "by plain SGD; use --train and --validation"),
};

// Starts the tool with its memory limited, so a regression fails the test instead of
// exhausting the machine: by address space, or, under AddressSanitizer (whose shadow memory
// needs terabytes of it), by ASan's own resident-size limit.
train_export_test::running_tool start_with_memory_limit(
    const std::vector<std::string>& args, const fs::path& cwd, rlim_t bytes,
    const train_export_test::tool_streams& streams = {}) {
  bool sanitized = false;
#if defined(__SANITIZE_ADDRESS__)
  sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  sanitized = true;
#endif
#endif
  if (sanitized) {
    const char* old = std::getenv("ASAN_OPTIONS");
    const std::string saved = old != nullptr ? old : "";
    const std::string limited = saved + (saved.empty() ? "" : ":") +
                                "hard_rss_limit_mb=" + std::to_string(2 * (bytes >> 20));
    ::setenv("ASAN_OPTIONS", limited.c_str(), 1);  // read by the tool when it starts
    const auto tool = start_tool(args, cwd, streams);
    if (old != nullptr) {
      ::setenv("ASAN_OPTIONS", saved.c_str(), 1);
    } else {
      ::unsetenv("ASAN_OPTIONS");
    }
    return tool;
  }
  rlimit old{};
  ::getrlimit(RLIMIT_AS, &old);
  rlimit limited = old;
  limited.rlim_cur = std::min(bytes, old.rlim_max);
  ::setrlimit(RLIMIT_AS, &limited);  // inherited by the tool; restored at once
  const auto tool = start_tool(args, cwd, streams);
  ::setrlimit(RLIMIT_AS, &old);
  return tool;
}

std::vector<std::string> args_of(const bad_case& c) {
  if (c.positional_args.empty()) return named_args(c);
  auto args = c.positional_args;
  args.insert(args.end(), {"--classes", "2", "--quiet"});
  return args;
}

// Writes the inputs and an old metrics file that a failed run must leave untouched.
void prepare(const scratch_dir& dir, const bad_case& c) {
  if (c.train) write_file(dir / "train.csv", *c.train);
  write_file(dir / "validation.csv", c.validation);
  write_file(dir / "m.txt", "old metrics\n");
  if (c.model) write_file(dir / "model.json", *c.model);
  if (c.calibration) write_file(dir / "calibration.csv", *c.calibration);
}

}  // namespace

// One test over the table (BOOST_DATA_TEST_CASE trips a GCC 12 -Wrestrict false positive);
// the context names the failing case.
BOOST_AUTO_TEST_CASE(bad_input_gives_one_message_its_exit_status_and_no_output) {
  for (const bad_case& c : bad_cases) {
    BOOST_TEST_CONTEXT("case: " << c.name) {
      scratch_dir dir;
      prepare(dir, c);
      const auto before = dir.entries();
      // Bounded in memory and time, so that a regression (an endless read, an absurd size)
      // fails the case instead of exhausting the machine or hanging.
      const auto r =
          wait_tool_for(start_with_memory_limit(args_of(c), dir.path(), rlim_t{2} << 30), 120s);
      BOOST_TEST(!r.timed_out);
      BOOST_TEST(r.status == c.status);
      BOOST_TEST(r.err == expected_stderr(c.message));
      BOOST_TEST(r.out.empty());
      BOOST_TEST((dir.entries() == before), "a failed run created or removed a file");
      BOOST_TEST(read_file(dir / "m.txt") == "old metrics\n", "a failed run changed an output");
      if (c.train) BOOST_TEST(read_file(dir / "train.csv") == *c.train, "an input was changed");
    }
  }
}

BOOST_AUTO_TEST_CASE(unreadable_input_is_an_io_error) {
  if (::geteuid() == 0) {
    BOOST_TEST_MESSAGE("SKIPPED: running as root, which can read any file");
    return;
  }
  scratch_dir dir;
  const bad_case c("unreadable");
  prepare(dir, c);
  fs::permissions(dir / "train.csv", fs::perms::none);
  const auto before = dir.entries();
  const auto r = run_tool(named_args(c), dir.path());
  BOOST_TEST(r.status == io_error);
  BOOST_TEST(r.err == "train_export: train.csv: cannot read: Permission denied\n");
  BOOST_TEST((dir.entries() == before));
}

BOOST_AUTO_TEST_CASE(unwritable_directory_is_an_io_error) {
  if (::geteuid() == 0) {
    BOOST_TEST_MESSAGE("SKIPPED: running as root, which can write into any directory");
    return;
  }
  scratch_dir dir;
  const bad_case c = with_options("unwritable", {"--header", "ro/h.hpp"}, 0, "");
  prepare(dir, c);
  fs::create_directory(dir / "ro");
  fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  const auto r = run_tool(named_args(c), dir.path());
  BOOST_TEST(r.status == io_error);
  BOOST_TEST(r.err == "train_export: ro/h.hpp: cannot write: Permission denied\n");
  BOOST_TEST(!fs::exists(dir / "t.labels"));
}

// CRLF line ends, a UTF-8 BOM, no final newline and trailing blank lines are not errors, and
// the run they give equals the run on the plain file, byte for byte.
struct variant {
  std::string name;
  std::string train;
};
std::ostream& operator<<(std::ostream& os, const variant& v) {
  return os << v.name;
}

const std::vector<variant> harmless_variants = {
    {"CRLF line ends", "0,0,1\r\n1,1,0\r\n"},
    {"UTF-8 byte-order mark",
     "\xEF\xBB\xBF"
     "0,0,1\n1,1,0\n"},
    {"no final newline", "0,0,1\n1,1,0"},
    {"trailing blank lines", "0,0,1\n1,1,0\n\n\r\n\n"},
    {"all four at once",
     "\xEF\xBB\xBF"
     "0,0,1\r\n1,1,0\r\n\r\n\r\n"},
};

BOOST_AUTO_TEST_CASE(harmless_variants_are_accepted_and_change_nothing) {
  for (const variant& v : harmless_variants) {
    BOOST_TEST_CONTEXT("variant: " << v.name) {
      scratch_dir plain, varied;
      // The validation file takes the same variant: a different reader path must not matter.
      write_file(plain / "train.csv", good_train);
      write_file(plain / "validation.csv", good_train);
      write_file(varied / "train.csv", v.train);
      write_file(varied / "validation.csv", v.train);
      const bad_case c(v.name);
      const auto a = run_tool(named_args(c), plain.path());
      const auto b = run_tool(named_args(c), varied.path());
      BOOST_TEST_REQUIRE(a.status == 0, a.err);
      BOOST_TEST_REQUIRE(b.status == 0, b.err);
      BOOST_TEST(b.err.empty());
      for (const char* name : {"t.labels", "v.labels", "m.txt"}) {
        BOOST_TEST(read_file(plain / name) == read_file(varied / name), name);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(features_outside_unit_range_are_accepted_with_one_warning) {
  scratch_dir dir;
  write_file(dir / "train.csv", "0,0,1.5\n1,-2,0\n0,3,3\n");
  write_file(dir / "validation.csv", good_validation);
  const auto r = run_tool(named_args(bad_case("outside")), dir.path());
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.err ==
             "train_export: warning: train.csv:1:5: feature outside [0, 1] (4 such "
             "features in this file); training continues\n");
  BOOST_TEST(fs::exists(dir / "h.hpp"));
}

// --- Outputs that are not regular files -------------------------------------------------------

namespace {

// The sizes of a short good run, for tests that only need the outputs.
std::vector<std::string> short_run(std::vector<std::string> outputs) {
  std::vector<std::string> args = {"--train",   "train.csv", "--validation", "validation.csv",
                                   "--classes", "2",         "--epochs",     "1",
                                   "--hidden",  "2",         "--quiet"};
  args.insert(args.end(), outputs.begin(), outputs.end());
  return args;
}

void prepare_good(const scratch_dir& dir) {
  write_file(dir / "train.csv", good_train);
  write_file(dir / "validation.csv", good_validation);
}

bool is_character_device(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
}

}  // namespace

namespace {

// A null device to write to. As root (who could replace the real one, so a regression here
// would break the machine) a private node in the scratch directory; otherwise /dev/null,
// which only root can replace.
fs::path null_device(const scratch_dir& dir) {
  const fs::path node = dir / "null";
  if (::geteuid() != 0) return "/dev/null";
  BOOST_TEST_REQUIRE(::mknod(node.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) == 0);
  return node;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_character_device_output_is_written_through_and_stays_a_device) {
  scratch_dir dir;
  prepare_good(dir);
  const std::string null = null_device(dir).string();
  const auto once = run_tool(short_run({"--metrics", null}), dir.path());
  BOOST_TEST(once.status == 0, once.err);
  BOOST_TEST_REQUIRE(is_character_device(null), "the device was replaced by a file");
  // Several outputs may share a device.
  const auto r = run_tool(short_run({"--metrics", null, "--metrics-json", null, "--header", null,
                                     "--train-labels", "t.labels"}),
                          dir.path());
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.err.empty());
  BOOST_TEST(is_character_device(null));
  BOOST_TEST(fs::exists(dir / "t.labels"));
  const auto entries = dir.entries();
  const auto hidden_files = std::count_if(entries.begin(), entries.end(),
                                          [](const std::string& n) { return n[0] == '.'; });
  BOOST_TEST(hidden_files == 0);
}

BOOST_AUTO_TEST_CASE(a_fifo_output_receives_the_content_and_stays_a_fifo) {
  scratch_dir dir;
  prepare_good(dir);
  BOOST_TEST_REQUIRE(::mkfifo((dir / "m.fifo").c_str(), 0600) == 0);
  // The read end is open before the tool starts, and the metrics fit in the FIFO's buffer, so
  // no reader thread is needed (one could hang on a FIFO that a broken tool replaced).
  const int reader = ::open((dir / "m.fifo").c_str(), O_RDONLY | O_NONBLOCK);
  BOOST_TEST_REQUIRE(reader >= 0);
  const auto r = wait_tool_for(start_tool(short_run({"--metrics", "m.fifo"}), dir.path()), 60s);
  std::string received;
  char chunk[4096];
  for (ssize_t got; (got = ::read(reader, chunk, sizeof chunk)) > 0;) {
    received.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(reader);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(fs::is_fifo(dir / "m.fifo"), "the FIFO was replaced by a file");
  const auto plain = run_tool(short_run({"--metrics", "m.txt"}), dir.path());
  BOOST_TEST_REQUIRE(plain.status == 0);
  BOOST_TEST(received == read_file(dir / "m.txt"));
}

BOOST_AUTO_TEST_CASE(symbolic_links_are_written_through_to_devices_and_refused_otherwise) {
  scratch_dir dir;
  prepare_good(dir);
  write_file(dir / "real.txt", "old\n");
  fs::create_symlink("real.txt", dir / "link.txt");
  fs::create_symlink("nowhere.txt", dir / "dangling.txt");
  const auto before = dir.entries();
  const auto to_file = run_tool(short_run({"--metrics", "link.txt"}), dir.path());
  BOOST_TEST(to_file.status == io_error);
  BOOST_TEST(to_file.err ==
             "train_export: link.txt: cannot write: it is a symbolic link to a "
             "regular file; to replace that file, name it (" +
                 fs::canonical(dir / "real.txt").string() + ")\n");
  const auto dangling = run_tool(short_run({"--metrics", "dangling.txt"}), dir.path());
  BOOST_TEST(dangling.status == io_error);
  BOOST_TEST(dangling.err ==
             "train_export: dangling.txt: cannot write: it is a symbolic link "
             "that leads nowhere (No such file or directory); name the file to "
             "create instead\n");
  BOOST_TEST((dir.entries() == before));
  BOOST_TEST(read_file(dir / "real.txt") == "old\n");
  BOOST_TEST(fs::is_symlink(dir / "link.txt"));

  const fs::path null = null_device(dir);
  fs::create_symlink(null, dir / "null_link");
  const auto to_device = run_tool(short_run({"--metrics", "null_link"}), dir.path());
  BOOST_TEST(to_device.status == 0, to_device.err);
  BOOST_TEST(fs::is_symlink(dir / "null_link"));
  BOOST_TEST(is_character_device(null));
}

BOOST_AUTO_TEST_CASE(block_devices_and_sockets_are_refused) {
  scratch_dir dir;
  prepare_good(dir);
  // A block device of a major number no driver has: even a broken tool could not write to it.
  const bool have_block = ::mknod((dir / "disk").c_str(), S_IFBLK | 0600, ::makedev(240, 0)) == 0;
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string sock_path = (dir / "sock").string();
  BOOST_TEST_REQUIRE(sock_path.size() < sizeof address.sun_path);
  std::copy(sock_path.begin(), sock_path.end(), address.sun_path);
  BOOST_TEST_REQUIRE(::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  const auto before = dir.entries();
  const auto r = run_tool(short_run({"--metrics", "sock"}), dir.path());
  BOOST_TEST(r.status == io_error);
  BOOST_TEST(r.err == "train_export: sock: cannot write: it is a socket; refusing to write to it\n");
  if (have_block) {
    const auto b = run_tool(short_run({"--header", "disk"}), dir.path());
    BOOST_TEST(b.status == io_error);
    BOOST_TEST(b.err ==
               "train_export: disk: cannot write: it is a block device; refusing to write to it\n");
  }
  BOOST_TEST((dir.entries() == before));
  BOOST_TEST(fs::is_socket(dir / "sock"));
  ::close(sock);
}

BOOST_AUTO_TEST_CASE(several_outputs_may_share_a_fifo) {
  scratch_dir dir;
  prepare_good(dir);
  BOOST_TEST_REQUIRE(::mkfifo((dir / "f").c_str(), 0600) == 0);
  const int reader = ::open((dir / "f").c_str(), O_RDONLY | O_NONBLOCK);
  BOOST_TEST_REQUIRE(reader >= 0);
  const auto r =
      wait_tool_for(start_tool(short_run({"--metrics", "f", "--train-labels", "f"}), dir.path()),
                    60s);
  std::string received;
  char chunk[4096];
  for (ssize_t got; (got = ::read(reader, chunk, sizeof chunk)) > 0;) {
    received.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(reader);
  BOOST_TEST(r.status == 0, r.err);
  const auto plain = run_tool(short_run({"--metrics", "m.txt", "--train-labels", "t.labels"}),
                              dir.path());
  BOOST_TEST_REQUIRE(plain.status == 0);
  // One after the other, in the order of --help's output list.
  BOOST_TEST(received == read_file(dir / "t.labels") + read_file(dir / "m.txt"));
}

// --- All or nothing --------------------------------------------------------------------------

namespace {

// Marks a file immutable for its lifetime (root with CAP_LINUX_IMMUTABLE on a file system that
// has the flag); the scratch directory could not be deleted otherwise.
class immutable_file {
 public:
  explicit immutable_file(const fs::path& path) : path_(path) { ok_ = set(FS_IMMUTABLE_FL); }
  ~immutable_file() {
    if (ok_) set(0);
  }
  immutable_file(const immutable_file&) = delete;
  immutable_file& operator=(const immutable_file&) = delete;
  bool ok() const { return ok_; }

 private:
  bool set(int wanted) {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK);
    if (fd < 0) return false;
    int flags = 0;
    bool done = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    flags = (flags & ~FS_IMMUTABLE_FL) | wanted;
    done = done && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    ::close(fd);
    return done;
  }
  fs::path path_;
  bool ok_ = false;
};

}  // namespace

BOOST_AUTO_TEST_CASE(an_output_that_cannot_be_replaced_leaves_every_output_as_it_was) {
  scratch_dir dir;
  const bad_case c("immutable header");
  prepare(dir, c);
  write_file(dir / "t.labels", "old labels\n");
  write_file(dir / "h.hpp", "old header\n");
  const immutable_file guard(dir / "h.hpp");
  if (!guard.ok()) {
    BOOST_TEST_MESSAGE("SKIPPED: cannot mark a file immutable here (needs root and ext4/xfs)");
    return;
  }
  const auto before = dir.entries();
  const auto r = run_tool(named_args(c), dir.path());
  BOOST_TEST(r.status == io_error);
  BOOST_TEST(r.err ==
             "train_export: h.hpp: cannot write: it is marked immutable or append-only "
             "(see lsattr); it cannot be replaced\n");
  BOOST_TEST((dir.entries() == before));
  BOOST_TEST(read_file(dir / "t.labels") == "old labels\n");
  BOOST_TEST(read_file(dir / "m.txt") == "old metrics\n");
  BOOST_TEST(read_file(dir / "h.hpp") == "old header\n");
}

namespace {

// Bind-mounts a file over another for its lifetime (root only). Such a target passes every
// check (same file system) and its rename fails with EBUSY in the middle of the commit.
class bind_mount {
 public:
  bind_mount(const fs::path& source, const fs::path& target) : target_(target) {
    ok_ = ::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) == 0;
  }
  ~bind_mount() {
    if (ok_) ::umount2(target_.c_str(), MNT_DETACH);
  }
  bind_mount(const bind_mount&) = delete;
  bind_mount& operator=(const bind_mount&) = delete;
  bool ok() const { return ok_; }

 private:
  fs::path target_;
  bool ok_ = false;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_rename_failing_mid_commit_puts_back_the_outputs_already_moved) {
  scratch_dir dir;
  const bad_case c("mounted header");
  prepare(dir, c);
  write_file(dir / "t.labels", "old labels\n");
  write_file(dir / "h.hpp", "old header\n");
  write_file(dir / "over.txt", "mounted over\n");
  const bind_mount mounted(dir / "over.txt", dir / "h.hpp");
  if (!mounted.ok()) {
    BOOST_TEST_MESSAGE("SKIPPED: cannot bind-mount here (needs root)");
    return;
  }
  const auto before = dir.entries();
  // The labels, metrics and JSON outputs are moved before the header, whose move fails.
  const auto r = run_tool(named_args(c), dir.path());
  BOOST_TEST(r.status == io_error);
  BOOST_TEST(r.err ==
             "train_export: h.hpp: cannot write: Device or resource busy; no output was changed\n");
  BOOST_TEST((dir.entries() == before), "an output was left created or a temporary remains");
  BOOST_TEST(read_file(dir / "t.labels") == "old labels\n");
  BOOST_TEST(read_file(dir / "m.txt") == "old metrics\n");
  BOOST_TEST(read_file(dir / "h.hpp") == "mounted over\n");
}

BOOST_AUTO_TEST_CASE(output_names_up_to_name_max_work_and_longer_ones_fail_at_once) {
  scratch_dir dir;
  prepare_good(dir);
  const long name_max = ::pathconf(dir.path().c_str(), _PC_NAME_MAX);
  BOOST_TEST_REQUIRE(name_max >= 255);
  const std::string longest(static_cast<std::size_t>(name_max) - 4, 'h');
  const std::string long_labels(235, 'l');
  const auto r = run_tool(short_run({"--header", longest + ".hpp", "--train-labels", long_labels}),
                          dir.path());
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(fs::exists(dir / (longest + ".hpp")));
  BOOST_TEST(fs::exists(dir / long_labels));

  const std::string too_long(static_cast<std::size_t>(name_max) + 1, 'x');
  const auto before = dir.entries();
  const auto t =
      run_tool(short_run({"--metrics", "m.txt", "--metrics-json", too_long}), dir.path());
  BOOST_TEST(t.status == io_error);
  BOOST_TEST(t.err == "train_export: " + too_long + ": cannot write: File name too long\n");
  BOOST_TEST((dir.entries() == before));
}

// --- Divergence --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(divergence_is_reported_the_same_whatever_outputs_are_asked_for) {
  const std::string message =
      "train_export: training diverged in epoch 1 (a weight became NaN or infinite), so no output "
      "was written; try a smaller learning rate than 1e38\n";
  const std::vector<std::vector<std::string>> output_sets = {{},
                                                             {"--metrics", "m.txt"},
                                                             {"--metrics-json", "m.json"},
                                                             {"--train-labels", "t.labels"},
                                                             {"--header", "h.hpp"}};
  for (const auto& outputs : output_sets) {
    BOOST_TEST_CONTEXT("outputs: " << (outputs.empty() ? "none" : outputs[0])) {
      scratch_dir dir;
      prepare_good(dir);
      auto args = short_run(outputs);
      args.insert(args.end(), {"--lr", "1e38", "--init", "zero"});
      const auto before = dir.entries();
      const auto r = run_tool(args, dir.path());
      BOOST_TEST(r.status == data_error);
      BOOST_TEST(r.err == message);
      BOOST_TEST((dir.entries() == before));
    }
  }
}

// --- Nothing user-controlled reaches the header unescaped --------------------------------------

BOOST_AUTO_TEST_CASE(input_file_names_cannot_inject_code_into_the_header) {
  const std::vector<std::string> names = {"v\nstatic_assert(false, \"injected\");\n.csv",
                                          "v\rstatic_assert(false);.csv",
                                          "v\\",
                                          "v\xe2\x80\xae.csv",
                                          "v\x1b[2J.csv",
                                          "v\xff\xfe.csv"};
  for (const std::string& name : names) {
    BOOST_TEST_CONTEXT("file name: " << name) {
      scratch_dir dir;
      prepare_good(dir);
      write_file(dir / name, good_validation);
      const auto r =
          run_tool({"--train", "train.csv", "--validation", name, "--classes", "2", "--epochs", "1",
                    "--hidden", "2", "--quiet", "--header", "h.hpp", "--metrics-json", "m.json"},
                   dir.path());
      BOOST_TEST_REQUIRE(r.status == 0, r.err);
      const std::string header = read_file(dir / "h.hpp");
      // Every line before the first directive is a comment that the next line cannot extend.
      const std::string head = header.substr(0, header.find("#pragma once"));
      std::size_t lines = 0;
      for (std::size_t at = 0; at < head.size(); at = head.find('\n', at) + 1) {
        ++lines;
        BOOST_TEST(head.compare(at, 2, "//") == 0, "line " << lines << " is not a comment");
        const std::size_t end = head.find('\n', at);
        BOOST_TEST_REQUIRE(end != std::string::npos);
        BOOST_TEST(head[end - 1] != '\\', "line " << lines << " continues the comment");
        BOOST_TEST(head.substr(at, end - at).find('\r') == std::string::npos);
      }
      BOOST_TEST(lines == 7u);
      const bool injected_text_is_escaped =
          header.find("injected") == std::string::npos ||
          header.find("\\x0astatic_assert(false, \"injected\");\\x0a.csv") != std::string::npos;
      BOOST_TEST(injected_text_is_escaped);
      for (const char* hidden : {"\xe2\x80\xae", "\x1b", "\xff"}) {
        BOOST_TEST(header.find(hidden) == std::string::npos);
      }
      BOOST_TEST(read_file(dir / "m.json").find("\"path\"") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_data_error_in_a_file_with_a_newline_in_its_name_is_one_line) {
  scratch_dir dir;
  write_file(dir / "train.csv", good_train);
  write_file(dir / "bad\nname.csv", "1,1,0\n0,x,1\n");
  const auto r = run_tool(
      {"--train", "train.csv", "--validation", "bad\nname.csv", "--classes", "2", "--quiet"},
      dir.path());
  BOOST_TEST(r.status == data_error);
  BOOST_TEST(r.err == "train_export: bad\\x0aname.csv:2:3: feature 'x' is not a number\n");
}

// --- Valid namespaces near the bounds are accepted ----------------------------------------------

BOOST_AUTO_TEST_CASE(namespaces_at_the_bounds_are_accepted) {
  scratch_dir dir;
  prepare_good(dir);
  for (const std::string ns : {"a::b::c::d::e::f::g::h", "app::std", "model_", "Std", "stdx"}) {
    const auto r = run_tool(short_run({"--header", "h.hpp", "--namespace", ns}), dir.path());
    BOOST_TEST(r.status == 0, ns << ": " << r.err);
    BOOST_TEST(read_file(dir / "h.hpp").find("namespace " + ns + " {") != std::string::npos);
  }
}

// --- Memory stays proportional to the input -----------------------------------------------------

namespace {

std::string wide_row(std::size_t features) {
  std::string row = "0";
  for (std::size_t i = 0; i < features; ++i) row += ",0";
  return row + "\n";
}

train_export_test::tool_result run_with_memory_limit(const std::vector<std::string>& args,
                                                     const fs::path& cwd, rlim_t bytes) {
  return wait_tool_for(start_with_memory_limit(args, cwd, bytes), 120s);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_wide_first_row_does_not_make_memory_grow_with_the_line_count) {
  scratch_dir dir;
  // 100 KB of line 1 and 200,000 blank lines: valid, and once 40 GB of reservation.
  const std::string row = wide_row(50'000);
  write_file(dir / "train.csv", row + std::string(200'000, '\n'));
  write_file(dir / "validation.csv", row);
  const std::vector<std::string> args = {
      "--train",  "train.csv", "--validation", "validation.csv", "--classes", "2", "--epochs", "1",
      "--hidden", "2",         "--quiet",      "--metrics",      "m.txt"};
  const rlim_t limit = rlim_t{1} << 30;
  const auto ok = run_with_memory_limit(args, dir.path(), limit);
  BOOST_TEST(ok.status == 0, ok.err);
  BOOST_TEST(fs::exists(dir / "m.txt"));

  write_file(dir / "train.csv", row + std::string(100'000, '\n').replace(0, 4, "1,1\n"));
  fs::remove(dir / "m.txt");
  const auto short_row = run_with_memory_limit(args, dir.path(), limit);
  BOOST_TEST(short_row.status == data_error);
  BOOST_TEST(short_row.err ==
             "train_export: train.csv:2:4: the row has 2 fields; expected 50001 "
             "(a label and 50000 features, as on line 1)\n");
  BOOST_TEST(!fs::exists(dir / "m.txt"));
}

BOOST_AUTO_TEST_CASE(parameters_beyond_the_limit_are_a_usage_error_once_the_width_is_known) {
  scratch_dir dir;
  const std::string row = wide_row(100);
  write_file(dir / "train.csv", row);
  write_file(dir / "validation.csv", row);
  const auto before = dir.entries();
  const auto r = run_tool({"--train", "train.csv", "--validation", "validation.csv", "--classes",
                           "2", "--hidden", "500000", "--quiet", "--metrics", "m.txt"},
                          dir.path());
  BOOST_TEST(r.status == usage_error);
  BOOST_TEST(r.err ==
             "train_export: --hidden: 500000 hidden units with 100 features and 2 "
             "classes make 51500002 parameters; the limit is 33554432\n");
  BOOST_TEST((dir.entries() == before));
}

BOOST_AUTO_TEST_CASE(an_endless_input_stops_at_the_size_limit) {
  scratch_dir dir;
  write_file(dir / "validation.csv", good_validation);
  int pipe_fds[2];
  BOOST_TEST_REQUIRE(::pipe(pipe_fds) == 0);
  ::signal(SIGPIPE, SIG_IGN);  // the writer learns of the tool's end by EPIPE
  train_export_test::tool_streams streams;
  streams.stdin_path = "/dev/fd/" + std::to_string(pipe_fds[0]);
  const auto tool =
      start_with_memory_limit({"--train", "/dev/stdin", "--validation", "validation.csv",
                               "--classes", "2", "--quiet", "--metrics", "m.txt"},
                              dir.path(), rlim_t{1} << 30, streams);
  ::close(pipe_fds[0]);
  std::thread writer([fd = pipe_fds[1]] {
    std::string block;
    for (int i = 0; i < 16384; ++i) block += "0,1\n";
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    ::close(fd);
  });
  const auto r = wait_tool_for(tool, 60s);
  writer.join();
  BOOST_TEST(r.status == data_error);
  BOOST_TEST(r.err ==
             "train_export: /dev/stdin: longer than 256 MiB, the limit on an input file\n");
  BOOST_TEST(!fs::exists(dir / "m.txt"));
}

// --- Signals -------------------------------------------------------------------------------------

namespace {

// Waits until the tool has reserved its outputs (a temporary file exists), so it is past reading
// its inputs and is training; false if that did not happen in time.
bool wait_for_temporaries(const scratch_dir& dir, std::size_t before) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (dir.entries().size() > before) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

// A run whose one epoch takes a minute or more (30 million parameters, 20,000 examples), so
// a prompt stop must come mid-epoch.
std::vector<std::string> long_epoch_run(const scratch_dir& dir) {
  std::string data;
  const std::string row = wide_row(100);
  for (int i = 0; i < 20'000; ++i) {
    data += i % 2 == 0 ? '0' : '1';
    data.append(row, 1);
  }
  write_file(dir / "train.csv", data);
  write_file(dir / "validation.csv", row);
  return {"--train",  "train.csv", "--validation", "validation.csv", "--classes", "2",
          "--epochs", "1",         "--hidden",     "300000",         "--quiet",   "--metrics",
          "m.txt",    "--header",  "h.hpp"};
}

const std::string interrupted = "train_export: interrupted; no output file was written\n";

// Waits until the tool catches SIGINT (its handlers are installed, /proc/PID/status SigCgt), so
// a signal sent now tests the handler, not how fast a loaded machine starts a process.
bool wait_for_handlers(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.starts_with("SigCgt:")) {
        const unsigned long long caught = std::stoull(line.substr(7), nullptr, 16);
        if ((caught >> (SIGINT - 1) & 1) != 0) return true;
      }
    }
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sigint_and_sigterm_stop_a_long_epoch_at_once_and_leave_nothing) {
  for (const int sig : {SIGINT, SIGTERM}) {
    BOOST_TEST_CONTEXT("signal " << sig) {
      scratch_dir dir;
      const auto args = long_epoch_run(dir);
      const auto before = dir.entries();
      const auto tool = start_tool(args, dir.path());
      BOOST_TEST_REQUIRE(wait_for_temporaries(dir, before.size()));
      std::this_thread::sleep_for(100ms);
      ::kill(tool.pid, sig);
      const auto r = wait_tool_for(tool, 10s);
      BOOST_TEST(!r.timed_out, "still training 10 s after the signal");
      BOOST_TEST(r.status == 130);
      BOOST_TEST(r.err == interrupted);
      BOOST_TEST((dir.entries() == before), "temporary files remain");
    }
  }
}

BOOST_AUTO_TEST_CASE(sighup_sigquit_and_sigpipe_leave_no_temporary_files) {
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);  // SIGQUIT would dump one into the scratch directory
  for (const int sig : {SIGHUP, SIGQUIT}) {
    BOOST_TEST_CONTEXT("signal " << sig) {
      scratch_dir dir;
      const auto args = long_epoch_run(dir);
      const auto before = dir.entries();
      const auto tool = start_tool(args, dir.path());
      BOOST_TEST_REQUIRE(wait_for_temporaries(dir, before.size()));
      ::kill(tool.pid, sig);
      const auto r = wait_tool_for(tool, 10s);
      BOOST_TEST(!r.timed_out);
      BOOST_TEST(r.signal == sig, "it ends by the signal, as without a handler");
      BOOST_TEST((dir.entries() == before), "temporary files remain");
    }
  }
  // Progress into a pipe nobody reads (`train_export ... | head` after head exits).
  scratch_dir dir;
  prepare_good(dir);
  int pipe_fds[2];
  BOOST_TEST_REQUIRE(::pipe(pipe_fds) == 0);
  ::close(pipe_fds[0]);
  train_export_test::tool_streams streams;
  streams.stderr_fd = pipe_fds[1];
  auto args = short_run({"--metrics", "m.txt", "--header", "h.hpp"});
  args.erase(std::find(args.begin(), args.end(), "--quiet"));
  const auto before = dir.entries();
  const auto tool = start_tool(args, dir.path(), streams);
  ::close(pipe_fds[1]);
  const auto r = wait_tool_for(tool, 60s);
  BOOST_TEST(r.signal == SIGPIPE);
  BOOST_TEST((dir.entries() == before), "temporary files remain");
}

BOOST_AUTO_TEST_CASE(a_signal_ends_a_read_blocked_on_a_fifo) {
  // Without a writer the tool blocks in open(); with a silent writer, in read().
  for (const bool writer_present : {false, true}) {
    BOOST_TEST_CONTEXT("writer present: " << writer_present) {
      scratch_dir dir;
      write_file(dir / "validation.csv", good_validation);
      BOOST_TEST_REQUIRE(::mkfifo((dir / "train.csv").c_str(), 0600) == 0);
      // O_RDWR opens a FIFO without waiting and counts as a writer that never writes.
      const int held = writer_present ? ::open((dir / "train.csv").c_str(), O_RDWR) : -1;
      if (held >= 0) BOOST_TEST_REQUIRE(::write(held, "0,0,1\n1,", 8) == 8);
      const auto before = dir.entries();
      const auto tool = start_tool(short_run({"--metrics", "m.txt"}), dir.path());
      BOOST_TEST_REQUIRE(wait_for_handlers(tool.pid));
      std::this_thread::sleep_for(200ms);  // into the blocking open() or read()
      ::kill(tool.pid, SIGINT);
      const auto r = wait_tool_for(tool, 10s);
      if (held >= 0) ::close(held);
      BOOST_TEST(!r.timed_out, "the tool did not react to SIGINT while blocked");
      BOOST_TEST(r.status == 130);
      BOOST_TEST(r.err == interrupted);
      BOOST_TEST((dir.entries() == before));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_signal_after_the_last_epoch_is_honoured_and_leaves_nothing) {
  // Training is over and the tool waits for a reader of its FIFO output; the other outputs'
  // temporaries exist then and must go.
  scratch_dir dir;
  prepare_good(dir);
  BOOST_TEST_REQUIRE(::mkfifo((dir / "m.fifo").c_str(), 0600) == 0);
  const auto before = dir.entries();
  const auto tool = start_tool(short_run({"--header", "h.hpp", "--metrics", "m.fifo"}), dir.path());
  BOOST_TEST_REQUIRE(wait_for_temporaries(dir, before.size()));
  std::this_thread::sleep_for(500ms);
  ::kill(tool.pid, SIGTERM);
  const auto r = wait_tool_for(tool, 10s);
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.status == 130);
  BOOST_TEST(r.err == interrupted);
  BOOST_TEST((dir.entries() == before), "temporary files remain");
  BOOST_TEST(fs::is_fifo(dir / "m.fifo"));
}
