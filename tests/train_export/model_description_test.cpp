// Unit tests of model_description.hpp: the grammar of --input-shape and --layers, each
// refusal's one line, the shapes (taken from the library's layers), and the fixed type.
#include <boost/test/unit_test.hpp>

#include <string>

#include "error.hpp"
#include "model_description.hpp"
#include "stack_network.hpp"

using namespace host_tools;

namespace {

template <class F>
std::string usage_error_of(F&& f) {
  try {
    f();
  } catch (const tool_error& e) {
    BOOST_TEST((e.kind() == failure_kind::usage));
    return e.what();
  }
  BOOST_TEST_FAIL("no usage error");
  return {};
}

std::string layers_error(const std::string& spec) {
  return usage_error_of([&] { parse_layers(spec); });
}

std::string shape_error(const std::string& input, const std::string& spec, std::size_t classes) {
  return usage_error_of([&] {
    model_description d;
    d.input = parse_input_shape(input);
    d.layers = parse_layers(spec);
    shapes_of(d, classes);
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(model_description_grammar)

BOOST_AUTO_TEST_CASE(the_issue_example_parses_and_reads_back) {
  const std::string spec =
      "conv2d:8:3x3:same,relu,maxpool:2x2,conv2d:16:3x3:same,relu,maxpool:2x2,dense:10";
  model_description d{parse_input_shape("16x8x1"), parse_layers(spec)};
  BOOST_TEST(d.layers.size() == 7u);
  BOOST_TEST(layers_text(d.layers) == spec);
  const auto shapes = shapes_of(d, 10);
  BOOST_TEST(shapes[1].text() == "16x8x8");
  BOOST_TEST(shapes[3].text() == "8x4x8");
  BOOST_TEST(shapes[6].text() == "4x2x16");
  BOOST_TEST(shapes[7].text() == "10");
  BOOST_TEST(parameter_count(d, shapes) == (9 * 8 + 8) + (9 * 8 * 16 + 16) + (128 * 10 + 10));
  BOOST_TEST(fixed_network_type(d, "float") ==
             "constnn::sequential<float, constnn::input<16, 8, 1>, constnn::conv2d<8, 3, 3, 1, "
             "constnn::padding::same>, constnn::relu, constnn::max_pool2d<2, 2, 2, 2>, "
             "constnn::conv2d<16, 3, 3, 1, constnn::padding::same>, constnn::relu, "
             "constnn::max_pool2d<2, 2, 2, 2>, constnn::dense<128, 10>, constnn::softmax_xent>");
  // The run-time network has the same parameters as the fixed type would.
  BOOST_TEST(make_network<float>(d).parameters_size() == parameter_count(d, shapes));
  BOOST_TEST(make_network<float>(d).valid());
}

BOOST_AUTO_TEST_CASE(every_item_and_option) {
  const auto l = parse_layers(
      "dense:5,conv2d:4:3x2:s2,conv2d:4:3x3:valid:s3,conv1d:6:5:same:s2,maxpool:3x3:s2,"
      "avgpool:2x1,globalavgpool,flatten,relu,sigmoid,tanh");
  BOOST_TEST(layers_text(l) ==
             "dense:5,conv2d:4:3x2:s2,conv2d:4:3x3:s3,conv1d:6:5:s2:same,maxpool:3x3:s2,"
             "avgpool:2x1,globalavgpool,flatten,relu,sigmoid,tanh");
  BOOST_TEST(l[1].stride == 2u);
  BOOST_TEST(!l[1].same);
  BOOST_TEST(l[3].same);
  BOOST_TEST(l[3].kernel_h == 1u);
  BOOST_TEST(l[3].kernel_w == 5u);
  BOOST_TEST(parse_input_shape("128").rank == 1u);
  BOOST_TEST(parse_input_shape("100x3").text() == "100x3");
  BOOST_TEST(parse_input_shape("28x28x1").size() == 784u);
}

BOOST_AUTO_TEST_CASE(bad_items_name_the_item_and_what_is_wrong) {
  BOOST_TEST(layers_error("dense:10,conv3d:8") ==
             "--layers: 'conv3d:8' (item 2): unknown layer; known: dense, conv2d, conv1d, "
             "maxpool, avgpool, globalavgpool, flatten, relu, sigmoid, tanh");
  BOOST_TEST(layers_error("dense") == "--layers: 'dense' (item 1): expected dense:N (N outputs)");
  BOOST_TEST(layers_error("dense:0") ==
             "--layers: 'dense:0' (item 1): the output count must be a positive integer of at "
             "most 1000000, got '0'");
  BOOST_TEST(layers_error("relu,,dense:3") ==
             "--layers: '' (item 2): empty item (two commas in a row, or one at an end)");
  BOOST_TEST(layers_error("conv2d:8:3") ==
             "--layers: 'conv2d:8:3' (item 1): the window must be KHxKW (like 3x3), got '3'");
  BOOST_TEST(layers_error("conv2d:8:3x3:same:same") ==
             "--layers: 'conv2d:8:3x3:same:same' (item 1): the padding is given twice");
  BOOST_TEST(layers_error("maxpool:2x2:same") ==
             "--layers: 'maxpool:2x2:same' (item 1): unknown option 'same'; expected :sS "
             "(stride)");
  BOOST_TEST(layers_error("relu:2") == "--layers: 'relu:2' (item 1): relu takes no arguments");
  BOOST_TEST(layers_error("conv1d:4:3:s0") ==
             "--layers: 'conv1d:4:3:s0' (item 1): the stride must be a positive integer of at "
             "most 1000000, got '0'");
  BOOST_TEST(layers_error("dense:+3") ==
             "--layers: 'dense:+3' (item 1): the output count must be a positive integer of at "
             "most 1000000, got '+3'");
  BOOST_TEST(layers_error("") == "--layers: no layers given");
  // The item is the user's text: a newline in it cannot split the message (found by the fuzzer).
  BOOST_TEST(layers_error("relu,den\nse:3") ==
             "--layers: 'den\\x0ase:3' (item 2): unknown layer; known: dense, conv2d, conv1d, "
             "maxpool, avgpool, globalavgpool, flatten, relu, sigmoid, tanh");
  std::string many = "relu";
  for (int k = 0; k < 30; ++k) many += ",relu";
  BOOST_TEST(layers_error(many) == "--layers: 31 layers; at most 24");
  BOOST_TEST(usage_error_of([] { parse_input_shape("16x8x0"); }) ==
             "--input-shape: '16x8x0': every axis must be a positive integer of at most 1000000 "
             "(N, LxC or HxWxC)");
  BOOST_TEST(usage_error_of([] { parse_input_shape("2x2x2x2"); }) ==
             "--input-shape: '2x2x2x2' has 4 axes; expected N, LxC or HxWxC");
}

BOOST_AUTO_TEST_CASE(shapes_that_do_not_fit_are_refused_with_both_shapes) {
  // The issue's example: a 5x5 window on what two pools left of 16x8.
  BOOST_TEST(shape_error("16x8x1", "conv2d:16:3x3:same,maxpool:2x2,maxpool:2x2,conv2d:8:5x5,dense:10",
                         10) == "--layers: conv2d:8:5x5 (item 4) needs at least 5x5 input, got 4x2x16");
  BOOST_TEST(shape_error("128", "conv2d:8:3x3,dense:10", 10) ==
             "--layers: conv2d:8:3x3 (item 1) needs an image (HxWxC) input, got vector 128; give "
             "--input-shape HxWxC");
  BOOST_TEST(shape_error("16x8x1", "flatten,conv2d:8:3x3,dense:10", 10) ==
             "--layers: conv2d:8:3x3 (item 2) needs an image (HxWxC) input, got vector 128");
  BOOST_TEST(shape_error("16x8x1", "conv1d:8:3,dense:10", 10) ==
             "--layers: conv1d:8:3 (item 1) needs a series (LxC) input, got image 16x8x1");
  BOOST_TEST(shape_error("4x3", "conv1d:8:5,dense:10", 10) ==
             "--layers: conv1d:8:5 (item 1) needs at least 5 steps of input, got 4x3");
  BOOST_TEST(shape_error("128", "globalavgpool,dense:10", 10) ==
             "--layers: globalavgpool (item 1) needs a series or an image input, got vector 128; "
             "give --input-shape");
  BOOST_TEST(shape_error("128", "dense:50,sigmoid,dense:9", 10) ==
             "--layers: the last layer must be dense:10 (one output per class, --classes 10), got "
             "dense:9");
  BOOST_TEST(shape_error("128", "dense:50,relu", 10) ==
             "--layers: the last layer must be dense:10 (one output per class, --classes 10), got "
             "relu");
  // Same padding always fits.
  model_description d{parse_input_shape("4x2x16"), parse_layers("conv2d:8:5x5:same,dense:3")};
  BOOST_TEST(shapes_of(d, 3)[1].text() == "4x2x8");
}

BOOST_AUTO_TEST_CASE(the_default_is_the_reference_network) {
  const model_description d = default_description(128, 50, 10);
  BOOST_TEST(layers_text(d.layers) == "dense:50,sigmoid,dense:10");
  BOOST_TEST(fixed_network_type(d, "double") ==
             "constnn::sequential<double, constnn::dense<128, 50>, constnn::sigmoid, "
             "constnn::dense<50, 10>, constnn::softmax_xent>");
  BOOST_TEST(parameter_count(d, shapes_of(d, 10)) == 129u * 50u + 51u * 10u);
}

BOOST_AUTO_TEST_SUITE_END()
