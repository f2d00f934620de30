// Unit tests of options.hpp: both command-line forms, their defaults and their refusals.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "error.hpp"
#include "options.hpp"

using host_tools::failure_kind;
using train_export::initialization;
using train_export::options;
using train_export::precision;
using host_tools::tool_error;

namespace {

options parse(std::vector<std::string> args) {
  args.insert(args.begin(), "train_export");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  const auto parsed = train_export::parse_command_line(static_cast<int>(argv.size()), argv.data());
  BOOST_TEST_REQUIRE(parsed.run.has_value());
  return *parsed.run;
}

std::string usage_error_of(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const tool_error& e) {
    BOOST_TEST((e.kind() == failure_kind::usage));
    return e.what();
  }
  BOOST_TEST_FAIL("no usage error");
  return {};
}

const std::vector<std::string> handout = {"tr.csv", "va.csv", "t.out", "v.out", "m.out",
                                          "2",      "4",      "2",     "0.1"};

}  // namespace

BOOST_AUTO_TEST_SUITE(options_parsing)

BOOST_AUTO_TEST_CASE(handout_form_maps_nine_positionals_and_defaults_to_double) {
  const options o = parse(handout);
  BOOST_TEST(o.handout_form);
  BOOST_TEST(o.train == "tr.csv");
  BOOST_TEST(o.validation == "va.csv");
  BOOST_TEST(*o.train_labels == "t.out");
  BOOST_TEST(*o.validation_labels == "v.out");
  BOOST_TEST(*o.metrics == "m.out");
  BOOST_TEST(o.epochs == 2u);
  BOOST_TEST(o.hidden == 4u);
  BOOST_TEST((o.init == initialization::zero));
  BOOST_TEST(o.learning_rate == 0.1);
  BOOST_TEST((o.scalar == precision::double_precision));
  BOOST_TEST(!o.header.has_value());
  BOOST_TEST(o.outputs().size() == 3u);
  BOOST_TEST(o.outputs()[2].option == "METRICS_OUT");
}

BOOST_AUTO_TEST_CASE(named_form_has_the_documented_defaults) {
  const options o = parse({"--train", "tr.csv", "--validation", "va.csv"});
  BOOST_TEST(!o.handout_form);
  BOOST_TEST(o.epochs == 100u);
  BOOST_TEST(o.hidden == 50u);
  BOOST_TEST(o.classes == 10u);
  BOOST_TEST((o.init == initialization::random));
  BOOST_TEST(o.learning_rate == 0.01);
  BOOST_TEST(o.seed == 0u);
  BOOST_TEST((o.scalar == precision::single_precision));
  BOOST_TEST(o.header_namespace == "model");
  BOOST_TEST(o.embed_samples == 0u);
  BOOST_TEST(!o.quiet);
  BOOST_TEST(o.outputs().empty());
}

BOOST_AUTO_TEST_CASE(named_form_reads_every_option) {
  const options o = parse({"--train",
                           "tr.csv",
                           "--validation",
                           "va.csv",
                           "--epochs",
                           "010",
                           "--hidden",
                           "7",
                           "--init",
                           "zero",
                           "--lr",
                           "1e-3",
                           "--seed",
                           "99",
                           "--precision",
                           "double",
                           "--classes",
                           "26",
                           "--train-labels",
                           "a",
                           "--validation-labels",
                           "b",
                           "--metrics",
                           "c",
                           "--metrics-json",
                           "d",
                           "--header",
                           "e",
                           "--namespace",
                           "fw::net",
                           "--embed-samples",
                           "5",
                           "--quiet"});
  BOOST_TEST(o.epochs == 10u, "leading zeros are decimal, not octal");
  BOOST_TEST(o.hidden == 7u);
  BOOST_TEST((o.init == initialization::zero));
  BOOST_TEST(o.learning_rate == 1e-3);
  BOOST_TEST(o.learning_rate_text == "1e-3");
  BOOST_TEST(o.seed == 99u);
  BOOST_TEST((o.scalar == precision::double_precision));
  BOOST_TEST(o.classes == 26u);
  BOOST_TEST(o.header_namespace == "fw::net");
  BOOST_TEST(o.embed_samples == 5u);
  BOOST_TEST(o.quiet);
  BOOST_TEST(o.outputs().size() == 5u);
}

BOOST_AUTO_TEST_CASE(float_runs_use_the_float_nearest_the_typed_learning_rate) {
  const options o = parse({"--train", "tr.csv", "--validation", "va.csv", "--lr", "0.1"});
  BOOST_TEST(o.learning_rate_as<float>() == 0.1f);
  BOOST_TEST(o.learning_rate_as<double>() == 0.1);
}

BOOST_AUTO_TEST_CASE(output_options_may_follow_the_positionals) {
  auto args = handout;
  args.insert(args.end(), {"--header", "h.hpp", "--precision", "float", "--embed-samples", "3"});
  const options o = parse(args);
  BOOST_TEST(o.handout_form);
  BOOST_TEST(*o.header == "h.hpp");
  BOOST_TEST((o.scalar == precision::single_precision));
  BOOST_TEST(o.embed_samples == 3u);
}

BOOST_AUTO_TEST_CASE(contradictions_are_usage_errors) {
  auto mixed = handout;
  mixed.insert(mixed.end(), {"--lr", "0.5"});
  BOOST_TEST(usage_error_of(mixed) ==
             "--lr: not allowed with the nine positional arguments, whose LR already sets it");
  BOOST_TEST(usage_error_of({"--train", "a.csv", "--validation", "b.csv", "--epochs", "2",
                             "--epochs", "3"}) == "--epochs: given 2 times; give it once");
  BOOST_TEST(usage_error_of({"--validation", "va.csv"}) ==
             "--train: required (or give the nine positional arguments of the handout form)");
  BOOST_TEST(usage_error_of({"--train", "a.csv", "--validation", "b.csv", "--embed-samples",
                             "2"}) == "--embed-samples: only meaningful with --header FILE");
  BOOST_TEST(usage_error_of({"--train", "a.csv", "--validation", "b.csv", "--header", "a.csv"}) ==
             "--header: 'a.csv' is the training input; refusing to overwrite an input");
  BOOST_TEST(usage_error_of({"--train", "a.csv", "--validation", "b.csv", "--metrics", "x",
                             "--header", "./x"}) ==
             "--header: './x' is also the output of --metrics; give each output its own file");
}

BOOST_AUTO_TEST_SUITE_END()
