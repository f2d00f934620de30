// A run's network as a model description, checked with the model description's own rules so
// that the experiments and train_export accept the same networks.
#include "run_network.hpp"

#include <fmt/format.h>

#include "display_text.hpp"
#include "error.hpp"

namespace experiments {
namespace {

using host_tools::layer_kind;
using host_tools::layer_spec;
using host_tools::model_description;
using host_tools::tensor_shape;

// shapes_of speaks of train_export's options; a grid file has fields.
std::string in_grid_terms(std::string message) {
  const std::string option = "--input-shape";
  for (std::size_t at = message.find(option); at != std::string::npos;
       at = message.find(option, at))
    message.replace(at, option.size(), "\"input_shape\"");
  return message;
}

layer_kind activation_layer(activation_kind a) {
  switch (a) {
    case activation_kind::relu: return layer_kind::relu;
    case activation_kind::tanh: return layer_kind::tanh;
    case activation_kind::sigmoid: break;
  }
  return layer_kind::sigmoid;
}

}  // namespace

model_description mlp_description(const std::vector<std::size_t>& hidden, activation_kind activation,
                                  std::size_t features, std::size_t classes) {
  model_description d;
  d.input = tensor_shape{1, {features, 0, 0}};
  for (const std::size_t h : hidden) {
    d.layers.push_back(layer_spec{.kind = layer_kind::dense, .units = h});
    d.layers.push_back(layer_spec{.kind = activation_layer(activation)});
  }
  d.layers.push_back(layer_spec{.kind = layer_kind::dense, .units = classes});
  return d;
}

model_description description_of(const run_spec& spec, std::size_t features, std::size_t classes) {
  if (!spec.network.empty()) return spec.network_model;
  return mlp_description(spec.hidden, spec.activation, features, classes);
}

std::vector<tensor_shape> shapes_through(const model_description& d, const std::string& where) {
  if (d.layers.empty()) host_tools::fail_data(fmt::format("{}: \"layers\": no layers", where));
  const layer_spec& last = d.layers.back();
  if (last.kind != layer_kind::dense)
    host_tools::fail_data(fmt::format(
        "{}: \"layers\": the last layer must be dense (dense:CLASSES, one output per class), got {}",
        where, last.text()));
  try {
    return host_tools::shapes_of(d, last.units, fmt::format("{}: \"layers\"", where));
  } catch (const host_tools::tool_error& e) {
    // A network that does not fit is a fault of the grid file, not of the command line.
    host_tools::fail_data(host_tools::one_line(in_grid_terms(e.what())));
  }
}

void check_classes(const run_spec& spec, std::size_t classes, const std::string& where) {
  if (spec.network.empty() || spec.network_model.layers.empty()) return;
  const layer_spec& last = spec.network_model.layers.back();
  if (last.units != classes)
    host_tools::fail_data(fmt::format("{}: network {} ends in {}, but data set {} has {} classes",
                                      where, spec.network, last.text(), spec.dataset, classes));
}

void check_features(const run_spec& spec, std::size_t features, const std::string& where) {
  if (spec.network.empty()) return;
  const tensor_shape& in = spec.network_model.input;
  if (in.size() != features)
    host_tools::fail_data(fmt::format(
        "{}: network {} takes {} ({} values an example), but data set {} has {} features", where,
        spec.network, in.text(), in.size(), spec.dataset, features));
}

bool starts_as_mlp(const model_description& d) {
  const auto& l = d.layers;
  const auto activation = [](layer_kind k) {
    return k == layer_kind::relu || k == layer_kind::sigmoid || k == layer_kind::tanh;
  };
  return l.size() >= 3 && l[0].kind == layer_kind::dense && activation(l[1].kind) &&
         l[2].kind == layer_kind::dense;
}

std::vector<std::size_t> widths_of(const model_description& d,
                                   const std::vector<tensor_shape>& shapes) {
  std::vector<std::size_t> widths{shapes[0].size()};
  for (std::size_t k = 0; k < d.layers.size(); ++k)
    if (d.layers[k].has_params()) widths.push_back(shapes[k + 1].size());
  return widths;
}

double multiply_adds(const model_description& d, const std::vector<tensor_shape>& shapes) {
  double macs = 0;
  for (std::size_t k = 0; k < d.layers.size(); ++k) {
    const layer_spec& l = d.layers[k];
    if (!l.has_params()) continue;
    const std::size_t parameters = host_tools::layer_parameter_count(l, shapes[k]);
    // Each position of the output (one for dense, every pixel or step for a convolution)
    // computes one sum a unit.
    const std::size_t positions = shapes[k + 1].size() / l.units;
    macs += static_cast<double>(parameters - l.units) * static_cast<double>(positions);
  }
  return macs;
}

}  // namespace experiments
