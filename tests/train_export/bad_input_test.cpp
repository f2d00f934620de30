// train_export on bad input: each case checks the one-line message, the exit status and that
// no output file appeared or changed; the four harmless CSV variants must be accepted.
#define BOOST_TEST_MODULE train_export_bad_input
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "tool_harness.hpp"

namespace fs = std::filesystem;
using train_export_test::read_file;
using train_export_test::run_tool;
using train_export_test::scratch_dir;
using train_export_test::write_file;

namespace {

constexpr int usage_error = 2, data_error = 3, io_error = 4;

const std::string good_train = "0,0,1\n1,1,0\n";
const std::string good_validation = "1,1,0\n0,0.5,1\n";

// Every output option, so a failure anywhere must leave all of them absent.
const std::vector<std::string> all_outputs = {"--train-labels", "t.labels",  "--validation-labels",
                                              "v.labels",       "--metrics", "m.txt",
                                              "--metrics-json", "m.json",    "--header",
                                              "h.hpp"};

struct bad_case {
  explicit bad_case(std::string case_name) : name(std::move(case_name)) {}

  std::string name;
  std::optional<std::string> train = good_train;  // nullopt: the file does not exist
  std::string validation = good_validation;
  std::vector<std::string> extra_args;  // replace a default option when they name it
  int status = 0;
  std::string message;  // the whole of stderr, without "train_export: " and "\n"
  std::vector<std::string> positional_args;  // when set, used instead of the named form
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
                 "--init: expected random or zero, got 'ones'"),
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
};

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
      const auto r = run_tool(args_of(c), dir.path());
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
