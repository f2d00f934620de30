// An ONNX model read into the tool's model description: the layers, and every weight in
// constnn's layout, so the rest of train_export (predict, fine-tune, quantize, export) takes
// it as it takes a model file; a quantized (QDQ) one also brings its int8 grids.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <constnn/core/quantization.hpp>

#include "model_description.hpp"

namespace host_tools {

/// A quantized (QDQ) model's int8 network, as constnn::quantize_on_grids takes it: the grid of
/// every tensor ([0] the input's, [l + 1] layer l's output's) and the weight scale of every
/// output channel of each layer with weights, layer after layer.
struct qdq_grids {
  std::vector<constnn::quantization::affine> tensors;
  std::vector<float> weight_scales;
};

/// What an import gives: the description (checked by shapes_of), the classes of its last
/// dense layer and the parameters in constnn's layout (parameter_slices). For a QDQ model the
/// parameters are its integers dequantized (weights q * s, biases q * s_in * s_w, exact in
/// double), and `int8` holds its grids.
struct onnx_import {
  model_description description;
  std::size_t classes = 0;
  std::vector<double> parameters;
  std::optional<qdq_grids> int8;
};

/// Reads the ONNX file at `path` (its bytes already in `bytes`). ONNX is N x C x H x W and
/// constnn H x W x C, so weights are transposed, and a dense layer after a Flatten takes its
/// inputs in constnn's order. A 1-D model (N x C x L) becomes an L x 1 x C image, its Conv
/// and pools K x 1 windows, which have the same weights in the same order. BatchNormalization
/// is folded into the Conv or Gemm before it; Identity, Dropout and zero Pad nodes vanish.
/// QuantizeLinear/DequantizeLinear pairs make it a QDQ model, read only in TFLite's int8
/// scheme (README, "From PyTorch to the device").
/// `input_shape` (constnn's H x W x C, L x C or N) is needed when the model's input has
/// symbolic axes beyond the batch. Throws tool_error(data) with one line: `FILE: node 'NAME'
/// (OP): what is wrong`, or `FILE: what is wrong` for the model as a whole.
onnx_import import_onnx(const std::string& path, const std::string& bytes,
                        const std::optional<tensor_shape>& input_shape);

}  // namespace host_tools
