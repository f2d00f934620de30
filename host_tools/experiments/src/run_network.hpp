// The network a run trains as a model description (a network the grid names, or the MLP of
// `hidden` and `activation` on the data's features), and what can be told from it before
// training: whether it fits the data, its widths and its cost.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "grid.hpp"
#include "model_description.hpp"

namespace experiments {

/// The most hidden layers an MLP may have: each is a dense layer and an activation, and the
/// output layer follows, within host_tools::max_layers.
inline constexpr std::size_t max_hidden_layers = (host_tools::max_layers - 1) / 2;

/// FEATURES -> dense(h1) -> ACT -> ... -> dense(hn) -> ACT -> dense(CLASSES); with one hidden
/// layer of sigmoid units, train_export's default_description.
host_tools::model_description mlp_description(const std::vector<std::size_t>& hidden,
                                              activation_kind activation, std::size_t features,
                                              std::size_t classes);

/// The run's network: its named one, or its MLP on `features` inputs.
host_tools::model_description description_of(const run_spec& spec, std::size_t features,
                                             std::size_t classes);

/// The shapes through d (host_tools::shapes_of), for a last layer that is dense whatever its
/// width. Throws tool_error(data), one line starting with `where`, for a last layer that is
/// not dense and for a layer that cannot take the shape before it.
std::vector<host_tools::tensor_shape> shapes_through(const host_tools::model_description& d,
                                                     const std::string& where);

/// Refuses (tool_error(data), one line starting with `where`) a named network whose last
/// layer is not dense:classes, the data set's classes.
void check_classes(const run_spec& spec, std::size_t classes, const std::string& where);

/// Refuses (tool_error(data), one line starting with `where`) a named network whose input is
/// not `features` values, the data's width.
void check_features(const run_spec& spec, std::size_t features, const std::string& where);

/// Whether d starts dense, activation, dense: the first hidden layer that track_symmetry and
/// keep_first_layer read, with the layer after it.
bool starts_as_mlp(const host_tools::model_description& d);

/// The input size, then the output size of each layer with parameters (the results' "widths":
/// FEATURES, HIDDEN..., CLASSES for an MLP).
std::vector<std::size_t> widths_of(const host_tools::model_description& d,
                                   const std::vector<host_tools::tensor_shape>& shapes);

/// Multiply-adds of one forward pass: for each layer with parameters, its parameters less its
/// biases (one a unit), times the positions it computes them at.
double multiply_adds(const host_tools::model_description& d,
                     const std::vector<host_tools::tensor_shape>& shapes);

}  // namespace experiments
