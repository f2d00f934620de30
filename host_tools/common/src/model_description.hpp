// The network a run trains, described at run time: its input shape and its layers, as the
// command line (--input-shape, --layers) or a model file gives them.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace host_tools {

/// A vector (rank 1: N), a series (rank 2: L x C) or an image (rank 3: H x W x C, channels
/// last); the values of an example lie in that row-major order.
struct tensor_shape {
  std::size_t rank = 1;
  std::array<std::size_t, 3> dims{};  ///< the first `rank` are used

  std::size_t size() const noexcept;
  /// "128", "100x3", "16x8x1".
  std::string text() const;
  friend bool operator==(const tensor_shape&, const tensor_shape&) = default;
};

enum class layer_kind {
  dense,
  conv2d,
  conv1d,
  max_pool,
  avg_pool,
  global_avg_pool,
  flatten,
  relu,
  sigmoid,
  tanh,
};

/// One item of --layers.
struct layer_spec {
  layer_kind kind = layer_kind::relu;
  std::size_t units = 0;     ///< dense: outputs; conv: filters
  std::size_t kernel_h = 0;  ///< conv and pooling windows (conv1d: 1)
  std::size_t kernel_w = 0;
  std::size_t stride = 1;    ///< conv: 1 unless :sS; pooling: the window unless :sS
  bool stride_given = false;
  bool same = false;         ///< conv: zero padding keeping ceil(n / stride) positions

  /// The item in the grammar's canonical spelling ("conv2d:8:3x3:same", "maxpool:2x2").
  std::string text() const;
  bool has_params() const noexcept { return kind == layer_kind::dense || is_conv(); }
  bool is_conv() const noexcept { return kind == layer_kind::conv2d || kind == layer_kind::conv1d; }
  friend bool operator==(const layer_spec&, const layer_spec&) = default;
};

/// A whole network but its output layer (softmax + cross-entropy, always last).
struct model_description {
  tensor_shape input;
  std::vector<layer_spec> layers;
  friend bool operator==(const model_description&, const model_description&) = default;
};

/// The most layers a description may have (the run-time network's length).
inline constexpr std::size_t max_layers = 24;

/// Parses --input-shape: N, LxC or HxWxC, every axis a positive integer. Throws
/// tool_error(usage) naming `option` and what is wrong.
tensor_shape parse_input_shape(std::string_view text, std::string_view option = "--input-shape");

/// Parses --layers: comma-separated items (see help_text()). Throws tool_error(usage) with
/// one line naming `option`, the item and what is wrong.
std::vector<layer_spec> parse_layers(std::string_view text, std::string_view option = "--layers");

/// The reference network, FEATURES -> dense(HIDDEN) -> sigmoid -> dense(CLASSES).
model_description default_description(std::size_t features, std::size_t hidden,
                                      std::size_t classes);

/// The shapes through the network: [0] the input, [l + 1] the output of layer l. Throws
/// tool_error(usage) naming `option` and the item for a layer that cannot take the shape
/// before it, and for a last layer that is not dense with `classes` outputs.
std::vector<tensor_shape> shapes_of(const model_description& d, std::size_t classes,
                                    std::string_view option = "--layers");

/// Parameters of layer l of d (shapes from shapes_of), and of the whole network.
std::size_t layer_parameter_count(const layer_spec& layer, const tensor_shape& in);
std::size_t parameter_count(const model_description& d, const std::vector<tensor_shape>& shapes);

/// Where one layer's parameters lie in the network's: constnn's layout puts them layer after
/// layer, each layer's weights first (dense [in][out]; conv2d [KH][KW][C][F], HWIO; conv1d
/// [K][C][F]), then its biases [units].
struct parameter_slice {
  std::size_t layer = 0;   ///< index into model_description::layers
  std::size_t offset = 0;  ///< of the first weight
  std::size_t weights = 0;
  std::vector<std::size_t> weight_dims;  ///< their product is `weights`
  std::size_t biases = 0;
};

/// Every layer with parameters, in order (shapes from shapes_of).
std::vector<parameter_slice> parameter_slices(const model_description& d,
                                              const std::vector<tensor_shape>& shapes);

/// The items joined by commas: what --layers would take to give these layers.
std::string layers_text(const std::vector<layer_spec>& layers);

/// The C++ type of d as a fixed constnn network: constnn::sequential<SCALAR, ...,
/// constnn::softmax_xent>, with a leading constnn::input unless the first layer is dense.
std::string fixed_network_type(const model_description& d, std::string_view scalar);

}  // namespace host_tools
