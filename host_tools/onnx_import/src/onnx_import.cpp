#include "onnx_import.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <span>

#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "display_text.hpp"
#include "error.hpp"

namespace host_tools {

namespace {

// The opsets whose operators below keep the meaning this file gives them (Softmax changed its
// axis rule at 13, which is checked where it matters).
constexpr std::int64_t min_opset = 7;
constexpr std::int64_t max_opset = 17;
// shapes_of's limit on the values of any tensor.
constexpr std::size_t max_values = 16'000'000;

// A tensor between two nodes. An image is C x H x W in ONNX and H x W x C in constnn; a flat
// vector may hold its values in another order than ONNX's (after a Flatten of an image):
// order[i] is the ONNX index of constnn's value i (empty: the same).
struct value {
  bool image = false;
  std::size_t c = 0, h = 0, w = 0;
  std::size_t n = 0;
  std::vector<std::size_t> order;
};

using constnn::quantization::affine;

// A constant the model quantizes: DequantizeLinear of an integer initializer (how
// onnxruntime's quantizer stores weights and biases), or of QuantizeLinear of a float one (how
// torch.onnx.export writes a fake-quantized weight).
struct quantized_constant {
  std::vector<std::int64_t> q;  // in the tensor's order
  std::vector<std::size_t> dims;
  std::vector<float> scales;  // one, or one per index of `axis`
  std::vector<std::int64_t> zero_points;
  std::size_t axis = 0;
  std::size_t inner = 1;  // values per step of `axis`: the product of the axes after it
  int type = 0;           // ONNX element type of q

  // Element i's index along `axis`, which picks its scale and zero point.
  std::size_t along_axis(std::size_t i) const { return (i / inner) % dims[axis]; }
  float scale_at(std::size_t i) const {
    return scales.size() == 1 ? scales[0] : scales[along_axis(i)];
  }
  std::int64_t zero_point_at(std::size_t i) const {
    return zero_points.size() == 1 ? zero_points[0] : zero_points[along_axis(i)];
  }
};

std::string grid_text(affine g) {
  return fmt::format("scale {}, zero point {}", g.scale, g.zero_point);
}

struct layer_weights {
  std::vector<double> weights;  // constnn's layout
  std::vector<double> biases;
  std::size_t outputs = 0;    // the innermost axis of `weights`
  std::vector<float> scales;  // a QDQ model's: one per output
};

class importer {
 public:
  importer(const std::string& path, const onnx::ModelProto& model) : path_(path), model_(model) {}

  onnx_import run(const std::optional<tensor_shape>& input_shape);

 private:
  // Node, tensor and attribute names are the file's bytes: escaped, the message stays one line.
  [[noreturn]] void fail(const std::string& what) const {
    fail_data(one_line(fmt::format("{}: {}", path_, what)));
  }
  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& what) const {
    fail(fmt::format("node '{}' ({}): {}", n.name(), n.op_type(), what));
  }

  const onnx::TensorProto* constant(const std::string& name) const {
    const auto it = constants_.find(name);
    return it == constants_.end() ? nullptr : it->second;
  }
  const quantized_constant* quantized(const std::string& name) const {
    const auto it = qconsts_.find(name);
    return it == qconsts_.end() ? nullptr : &it->second;
  }
  bool is_constant(const std::string& name) const {
    return constant(name) != nullptr || quantized(name) != nullptr;
  }
  std::vector<std::int64_t> integers(const onnx::NodeProto& n, const std::string& name) const;
  std::vector<double> floats(const onnx::NodeProto& n, const std::string& name) const;
  std::vector<std::size_t> dims(const onnx::NodeProto& n, const std::string& name) const;
  const onnx::AttributeProto* attribute(const onnx::NodeProto& n, const char* name) const;
  std::vector<std::int64_t> ints_attribute(const onnx::NodeProto& n, const char* name,
                                           std::vector<std::int64_t> fallback) const;
  std::int64_t int_attribute(const onnx::NodeProto& n, const char* name,
                             std::int64_t fallback) const;
  float float_attribute(const onnx::NodeProto& n, const char* name, float fallback) const;
  void only_attributes(const onnx::NodeProto& n, std::set<std::string> known) const;

  void read_input(const std::optional<tensor_shape>& input_shape);
  // QDQ models: the constants they quantize, each tensor's grid, the weights' scales.
  void find_quantized_constants();
  float float_scale(const onnx::NodeProto& n, double s) const;
  affine activation_grid(const onnx::NodeProto& n) const;
  void quantize_activation(const onnx::NodeProto& n);
  void dequantize_activation(const onnx::NodeProto& n) const;
  void added(const onnx::NodeProto& n);
  std::vector<float> weight_scales(const onnx::NodeProto& n, const std::string& name,
                                   std::size_t channels, std::size_t channel_axis) const;
  std::vector<double> biases(const onnx::NodeProto& n, const std::string& name,
                             std::size_t channels, affine in, std::span<const float> scales) const;
  affine input_grid(const onnx::NodeProto& n) const;
  void dense(const onnx::NodeProto& n, const std::vector<double>& w, bool transposed,
             std::size_t in, std::size_t out, std::vector<double> bias);
  void conv(const onnx::NodeProto& n);
  void pool(const onnx::NodeProto& n, layer_kind kind);
  void flatten(const onnx::NodeProto& n);
  void batch_norm(const onnx::NodeProto& n);
  // The window of one axis: constnn's padding that gives ONNX's windows, or fail.
  bool same_padding(const onnx::NodeProto& n, std::size_t size, std::size_t k, std::size_t s,
                    std::int64_t before, std::int64_t after) const;

  std::string path_;
  const onnx::ModelProto& model_;
  std::map<std::string, const onnx::TensorProto*> constants_;
  model_description d_;
  std::vector<layer_weights> weights_;
  value v_;
  bool one_d_ = false;
  // Whether the current tensor is the direct output of the last layer with weights (a
  // BatchNormalization can then fold into it).
  bool foldable_ = false;
  bool softmax_ = false;

  std::map<std::string, quantized_constant> qconsts_;
  std::set<const onnx::NodeProto*> consumed_;  // the nodes that make them
  bool quantized_ = false;                     // the model has QuantizeLinear/DequantizeLinear
  std::vector<std::optional<affine>> grids_;   // [0] the input's, [l + 1] layer l's output's
};

std::vector<double> importer::floats(const onnx::NodeProto& n, const std::string& name) const {
  if (const quantized_constant* qc = quantized(name)) {
    // DequantizeLinear: (q - zero point) * scale, exact in double.
    std::vector<double> out(qc->q.size());
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<double>(qc->q[i] - qc->zero_point_at(i)) *
               static_cast<double>(qc->scale_at(i));
    return out;
  }
  const onnx::TensorProto* t = constant(name);
  if (t == nullptr) fail(n, fmt::format("input '{}' is not a constant", name));
  std::size_t count = 1;
  for (const auto d : dims(n, name)) count *= d;
  std::vector<double> out;
  out.reserve(count);
  // Raw data is little-endian, as ONNX stores it (and every target of these tools is).
  const auto append_raw = [&](auto value) {
    constexpr std::size_t width = sizeof value;
    if (t->raw_data().size() != count * width)
      fail(n, fmt::format("tensor '{}' has {} bytes, not {}", name, t->raw_data().size(),
                          count * width));
    for (std::size_t i = 0; i < count; ++i) {
      std::memcpy(&value, t->raw_data().data() + width * i, width);
      out.push_back(value);
    }
  };
  if (t->data_type() == onnx::TensorProto::FLOAT) {
    if (t->has_raw_data())
      append_raw(0.0f);
    else
      out.assign(t->float_data().begin(), t->float_data().end());
  } else if (t->data_type() == onnx::TensorProto::DOUBLE) {
    if (t->has_raw_data())
      append_raw(0.0);
    else
      out.assign(t->double_data().begin(), t->double_data().end());
  } else {
    fail(n, fmt::format("tensor '{}' is not float or double (ONNX type {})", name, t->data_type()));
  }
  if (out.size() != count)
    fail(n, fmt::format("tensor '{}' holds {} values, its shape {}", name, out.size(), count));
  for (const double x : out)
    if (!std::isfinite(x))
      fail(n, fmt::format("tensor '{}' holds a value that is not finite", name));
  return out;
}

std::vector<std::size_t> importer::dims(const onnx::NodeProto& n, const std::string& name) const {
  if (const quantized_constant* qc = quantized(name)) return qc->dims;
  const onnx::TensorProto* t = constant(name);
  if (t == nullptr) fail(n, fmt::format("input '{}' is not a constant", name));
  // Every value is in the file, so no tensor holds more than it has bytes; a dimension of 0
  // or below, or a product beyond that, would size the layers wrongly.
  std::vector<std::size_t> out;
  std::size_t count = 1;
  for (const auto d : t->dims()) {
    if (d < 1 || d > INT32_MAX || (count *= static_cast<std::size_t>(d)) > INT32_MAX)
      fail(n, fmt::format("tensor '{}' has a dimension of {}", name, d));
    out.push_back(static_cast<std::size_t>(d));
  }
  return out;
}

const onnx::AttributeProto* importer::attribute(const onnx::NodeProto& n, const char* name) const {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::vector<std::int64_t> importer::ints_attribute(const onnx::NodeProto& n, const char* name,
                                                   std::vector<std::int64_t> fallback) const {
  const auto* a = attribute(n, name);
  if (a == nullptr) return fallback;
  return {a->ints().begin(), a->ints().end()};
}

std::int64_t importer::int_attribute(const onnx::NodeProto& n, const char* name,
                                     std::int64_t fallback) const {
  const auto* a = attribute(n, name);
  return a == nullptr ? fallback : a->i();
}

float importer::float_attribute(const onnx::NodeProto& n, const char* name, float fallback) const {
  const auto* a = attribute(n, name);
  return a == nullptr ? fallback : a->f();
}

void importer::only_attributes(const onnx::NodeProto& n, std::set<std::string> known) const {
  for (const auto& a : n.attribute())
    if (!known.contains(a.name()))
      fail(n, fmt::format("attribute '{}' is not supported", a.name()));
}

void importer::read_input(const std::optional<tensor_shape>& input_shape) {
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const auto& i : model_.graph().input())
    if (constant(i.name()) == nullptr) inputs.push_back(&i);
  if (inputs.size() != 1)
    fail(fmt::format("the model has {} inputs; constnn takes one", inputs.size()));
  if (model_.graph().output_size() != 1)
    fail(fmt::format("the model has {} outputs; constnn gives one", model_.graph().output_size()));
  const auto& in = *inputs[0];
  if (!in.type().has_tensor_type() ||
      in.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
    fail(fmt::format("input '{}' is not a float tensor", in.name()));
  const auto& shape = in.type().tensor_type().shape();
  const int rank = shape.dim_size();
  if (rank < 2 || rank > 4)
    fail(fmt::format("input '{}' has rank {}; constnn takes N x F, N x C x L or N x C x H x W",
                     in.name(), rank));
  std::vector<std::size_t> d;
  bool symbolic = false;
  for (int k = 1; k < rank; ++k) {
    if (!shape.dim(k).has_dim_value() || shape.dim(k).dim_value() <= 0) symbolic = true;
    d.push_back(
        static_cast<std::size_t>(shape.dim(k).has_dim_value() ? shape.dim(k).dim_value() : 0));
  }
  if (shape.dim(0).has_dim_value() && shape.dim(0).dim_value() != 1)
    fail(fmt::format("input '{}' has a batch of {}; constnn takes one example", in.name(),
                     shape.dim(0).dim_value()));
  if (symbolic) {
    if (!input_shape)
      fail(fmt::format("input '{}' has axes of unknown size; give --input-shape", in.name()));
    const tensor_shape& s = *input_shape;
    if (s.rank != static_cast<std::size_t>(rank - 1))
      fail(fmt::format("--input-shape {} has rank {}, the model's input {}", s.text(), s.rank,
                       rank - 1));
    // constnn's H x W x C (or L x C) is ONNX's C x H x W (C x L).
    std::vector<std::size_t> given =
        rank == 2   ? std::vector<std::size_t>{s.dims[0]}
        : rank == 3 ? std::vector<std::size_t>{s.dims[1], s.dims[0]}
                    : std::vector<std::size_t>{s.dims[2], s.dims[0], s.dims[1]};
    for (std::size_t k = 0; k < d.size(); ++k)
      if (d[k] != 0 && d[k] != given[k])
        fail(fmt::format("--input-shape {} disagrees with the model's input", s.text()));
    d = given;
  }
  if (rank == 2) {
    v_ = value{false, 0, 0, 0, d[0], {}};
    d_.input = tensor_shape{1, {d[0], 0, 0}};
  } else {
    one_d_ = rank == 3;
    v_ = value{true, d[0], d[1], one_d_ ? 1 : d[2], 0, {}};
    d_.input = tensor_shape{3, {v_.h, v_.w, v_.c}};
  }
  // The sizes a model file's "input_shape" may have, so that no layer's tensor overflows.
  try {
    parse_input_shape(d_.input.text(), fmt::format("input '{}'", in.name()));
  } catch (const tool_error& e) {
    fail(e.what());
  }
}

void importer::dense(const onnx::NodeProto& n, const std::vector<double>& w, bool transposed,
                     std::size_t in, std::size_t out, std::vector<double> bias) {
  if (v_.image) fail(n, "takes an image; a Flatten must come first");
  if (in != v_.n) fail(n, fmt::format("takes {} inputs, the tensor before it has {}", in, v_.n));
  layer_weights lw;
  lw.outputs = out;
  lw.weights.resize(in * out);
  for (std::size_t i = 0; i < in; ++i) {
    const std::size_t from = v_.order.empty() ? i : v_.order[i];
    for (std::size_t o = 0; o < out; ++o)
      lw.weights[i * out + o] = transposed ? w[o * in + from] : w[from * out + o];
  }
  lw.biases = bias.empty() ? std::vector<double>(out, 0.0) : std::move(bias);
  if (lw.biases.size() != out)
    fail(n, fmt::format("has {} biases for {} outputs", lw.biases.size(), out));
  layer_spec l;
  l.kind = layer_kind::dense;
  l.units = out;
  d_.layers.push_back(l);
  added(n);
  weights_.push_back(std::move(lw));
  v_ = value{false, 0, 0, 0, out, {}};
  foldable_ = true;
}

bool importer::same_padding(const onnx::NodeProto& n, std::size_t size, std::size_t k,
                            std::size_t s, std::int64_t before, std::int64_t after) const {
  if (before < 0 || after < 0) fail(n, "negative pads are not supported");
  const auto b = static_cast<std::size_t>(before), a = static_cast<std::size_t>(after);
  if (size + b + a < k) fail(n, fmt::format("its window of {} does not fit {} values", k, size));
  const std::size_t onnx_out = (size + b + a - k) / s + 1;
  if (b == 0 && onnx_out == (size >= k ? (size - k) / s + 1 : 0)) return false;
  const std::size_t out = (size + s - 1) / s;
  const std::size_t span = (out - 1) * s + k;
  const std::size_t same_before = span > size ? (span - size) / 2 : 0;
  if (onnx_out == out && b == same_before) return true;
  fail(n, fmt::format("pads {} before and {} after on an axis of {} (window {}, stride {}) are "
                      "neither none nor constnn's 'same' ({} before, {} outputs)",
                      b, a, size, k, s, same_before, out));
}

void importer::conv(const onnx::NodeProto& n) {
  only_attributes(n, {"kernel_shape", "strides", "pads", "dilations", "group", "auto_pad"});
  if (!v_.image) fail(n, "takes a flat vector; constnn convolves images and series");
  if (int_attribute(n, "group", 1) != 1)
    fail(n, fmt::format("group {} is not supported", int_attribute(n, "group", 1)));
  const std::vector<std::size_t> wd = dims(n, n.input(1));
  const std::size_t axes = one_d_ ? 1 : 2;
  if (wd.size() != axes + 2)
    fail(n, fmt::format("weights of rank {} for a {}-D input", wd.size(), axes));
  for (const auto dl : ints_attribute(n, "dilations", {}))
    if (dl != 1) fail(n, fmt::format("dilation {} is not supported", dl));
  const std::size_t f = wd[0], kh = wd[2], kw = one_d_ ? 1 : wd[3];
  if (wd[1] != v_.c)
    fail(n, fmt::format("takes {} channels, the tensor before it has {}", wd[1], v_.c));
  std::vector<std::int64_t> strides =
      ints_attribute(n, "strides", std::vector<std::int64_t>(axes, 1));
  if (strides.size() != axes || strides[0] < 1 || strides.back() < 1)
    fail(n, "strides must be one positive number per axis");
  if (!one_d_ && strides[0] != strides[1])
    fail(n, fmt::format("strides {}x{} differ; constnn's conv2d has one stride", strides[0],
                        strides[1]));
  const auto s = static_cast<std::size_t>(strides[0]);
  std::vector<std::int64_t> pads =
      ints_attribute(n, "pads", std::vector<std::int64_t>(2 * axes, 0));
  if (pads.size() != 2 * axes) fail(n, "pads must be two numbers per axis");
  const auto* auto_pad = attribute(n, "auto_pad");
  bool same = false;
  if (auto_pad != nullptr && auto_pad->s() != "NOTSET") {
    if (auto_pad->s() == "SAME_UPPER")
      same = true;  // the odd pad after: constnn's 'same'
    else if (auto_pad->s() != "VALID")
      fail(n, fmt::format("auto_pad {} is not supported", auto_pad->s()));
  } else {
    same = same_padding(n, v_.h, kh, s, pads[0], pads[axes]);
    if (!one_d_ && same_padding(n, v_.w, kw, s, pads[1], pads[3]) != same)
      fail(n, "pads 'same' on one axis and none on the other are not supported");
  }
  const std::vector<double> w = floats(n, n.input(1));
  std::vector<float> scales;
  std::vector<double> bias(f, 0.0);
  if (quantized_) {
    scales = weight_scales(n, n.input(1), f, 0);
    if (n.input_size() > 2 && !n.input(2).empty())
      bias = biases(n, n.input(2), f, input_grid(n), scales);
  } else if (n.input_size() > 2 && !n.input(2).empty()) {
    bias = floats(n, n.input(2));
  }
  if (bias.size() != f) fail(n, fmt::format("has {} biases for {} filters", bias.size(), f));
  layer_weights lw;
  lw.outputs = f;
  lw.weights.resize(kh * kw * v_.c * f);
  // ONNX's F x C x KH x KW to constnn's KH x KW x C x F.
  for (std::size_t o = 0; o < f; ++o)
    for (std::size_t c = 0; c < v_.c; ++c)
      for (std::size_t y = 0; y < kh; ++y)
        for (std::size_t x = 0; x < kw; ++x)
          lw.weights[((y * kw + x) * v_.c + c) * f + o] = w[((o * v_.c + c) * kh + y) * kw + x];
  lw.biases = std::move(bias);
  lw.scales = std::move(scales);
  layer_spec l;
  l.kind = layer_kind::conv2d;
  l.units = f;
  l.kernel_h = kh;
  l.kernel_w = kw;
  l.stride = s;
  l.stride_given = s != 1;
  l.same = same;
  const auto out = [&](std::size_t size, std::size_t k) {
    return same ? (size + s - 1) / s : (size - k) / s + 1;
  };
  if (!same && (v_.h < kh || v_.w < kw)) fail(n, "its window does not fit the input");
  v_ = value{true, f, out(v_.h, kh), one_d_ ? 1 : out(v_.w, kw), 0, {}};
  d_.layers.push_back(l);
  added(n);
  weights_.push_back(std::move(lw));
  foldable_ = true;
}

void importer::pool(const onnx::NodeProto& n, layer_kind kind) {
  only_attributes(n, {"kernel_shape", "strides", "pads", "ceil_mode", "count_include_pad",
                      "dilations", "storage_order", "auto_pad"});
  if (!v_.image) fail(n, "takes a flat vector; constnn pools images and series");
  const std::size_t axes = one_d_ ? 1 : 2;
  const std::vector<std::int64_t> k = ints_attribute(n, "kernel_shape", {});
  if (k.size() != axes) fail(n, "kernel_shape does not match the input's rank");
  const std::vector<std::int64_t> s =
      ints_attribute(n, "strides", std::vector<std::int64_t>(axes, 1));
  if (s.size() != axes) fail(n, "strides do not match the input's rank");
  for (std::size_t a = 0; a < axes; ++a)
    if (k[a] < 1 || s[a] < 1) fail(n, "kernel_shape and strides must be positive");
  for (const auto p : ints_attribute(n, "pads", {}))
    if (p != 0) fail(n, "padding is not supported (constnn pools without it)");
  for (const auto dl : ints_attribute(n, "dilations", {}))
    if (dl != 1) fail(n, fmt::format("dilation {} is not supported", dl));
  if (int_attribute(n, "storage_order", 0) != 0) fail(n, "storage_order 1 is not supported");
  const auto* auto_pad = attribute(n, "auto_pad");
  if (auto_pad != nullptr && auto_pad->s() != "NOTSET" && auto_pad->s() != "VALID")
    fail(n, fmt::format("auto_pad {} is not supported", auto_pad->s()));
  layer_spec l;
  l.kind = kind;
  l.kernel_h = static_cast<std::size_t>(k[0]);
  l.kernel_w = one_d_ ? 1 : static_cast<std::size_t>(k[1]);
  const std::size_t sh = static_cast<std::size_t>(s[0]);
  const std::size_t sw = one_d_ ? l.kernel_w : static_cast<std::size_t>(s[1]);
  if (sh == l.kernel_h && sw == l.kernel_w) {
    l.stride = 1;  // unused, as parse_layers leaves it without :sS, so descriptions compare equal
  } else if (sh == sw || one_d_) {
    l.stride = sh;
    l.stride_given = true;
  } else {
    fail(n, fmt::format("strides {}x{} for a {}x{} window are not supported", sh, sw, l.kernel_h,
                        l.kernel_w));
  }
  if (v_.h < l.kernel_h || v_.w < l.kernel_w) fail(n, "its window does not fit the input");
  const std::size_t step_w = one_d_ ? 1 : (l.stride_given ? l.stride : l.kernel_w);
  const std::size_t step_h = l.stride_given ? l.stride : l.kernel_h;
  const std::size_t oh = (v_.h - l.kernel_h) / step_h + 1, ow = (v_.w - l.kernel_w) / step_w + 1;
  // ceil_mode may add a last window; constnn has none, so it must not change the count.
  if (int_attribute(n, "ceil_mode", 0) != 0 &&
      ((v_.h - l.kernel_h) % step_h != 0 || (!one_d_ && (v_.w - l.kernel_w) % step_w != 0)))
    fail(n, "ceil_mode 1 adds a window here, which constnn does not have");
  v_ = value{true, v_.c, oh, ow, 0, {}};
  d_.layers.push_back(l);
  added(n);
  foldable_ = false;
}

void importer::flatten(const onnx::NodeProto& n) {
  if (!v_.image) return;  // already flat
  // Checked before the order below is allocated (shapes_of's limit, which comes later).
  if (v_.c * v_.h * v_.w > max_values)
    fail(n, fmt::format("flattens {} values; constnn's tensors hold at most {}", v_.c * v_.h * v_.w,
                        max_values));
  // ONNX flattens C x H x W, constnn H x W x C; the dense layer after reads in constnn's order.
  std::vector<std::size_t> order(v_.c * v_.h * v_.w);
  for (std::size_t y = 0; y < v_.h; ++y)
    for (std::size_t x = 0; x < v_.w; ++x)
      for (std::size_t c = 0; c < v_.c; ++c)
        order[(y * v_.w + x) * v_.c + c] = (c * v_.h + y) * v_.w + x;
  bool identity = true;
  for (std::size_t i = 0; i < order.size(); ++i) identity = identity && order[i] == i;
  layer_spec l;
  l.kind = layer_kind::flatten;
  d_.layers.push_back(l);
  added(n);
  v_ =
      value{false, 0, 0, 0, order.size(), identity ? std::vector<std::size_t>{} : std::move(order)};
  (void)n;
  foldable_ = false;
}

void importer::batch_norm(const onnx::NodeProto& n) {
  only_attributes(n, {"epsilon", "momentum", "training_mode", "spatial"});
  if (int_attribute(n, "training_mode", 0) != 0) fail(n, "training_mode 1 is not supported");
  if (!foldable_ || weights_.empty())
    fail(n, "folds only into the Conv, Gemm or MatMul right before it");
  if (n.input_size() != 5) fail(n, "needs scale, bias, mean and variance");
  const std::vector<double> scale = floats(n, n.input(1)), shift = floats(n, n.input(2)),
                            mean = floats(n, n.input(3)), var = floats(n, n.input(4));
  layer_weights& lw = weights_.back();
  const std::size_t f = lw.outputs;
  if (scale.size() != f || shift.size() != f || mean.size() != f || var.size() != f)
    fail(n, fmt::format("has {} channels, the layer before it {}", scale.size(), f));
  const double eps = float_attribute(n, "epsilon", 1e-5f);
  // y = (x - mean) * scale / sqrt(var + eps) + shift, with x = w . in + b: in double, once.
  for (std::size_t o = 0; o < f; ++o) {
    const double k = scale[o] / std::sqrt(var[o] + eps);
    for (std::size_t i = o; i < lw.weights.size(); i += f) lw.weights[i] *= k;
    lw.biases[o] = (lw.biases[o] - mean[o]) * k + shift[o];
  }
  // A variance below -epsilon, or folds one after another, would leave weights that are not
  // numbers.
  for (const auto* v : {&lw.weights, &lw.biases})
    for (const double x : *v)
      if (!std::isfinite(x)) fail(n, "folding it gives weights that are not finite");
}

std::vector<std::int64_t> importer::integers(const onnx::NodeProto& n,
                                             const std::string& name) const {
  const onnx::TensorProto* t = constant(name);
  if (t == nullptr) fail(n, fmt::format("input '{}' is not a constant", name));
  std::size_t width = 0;
  switch (t->data_type()) {
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
      width = 1;
      break;
    case onnx::TensorProto::INT32:
      width = 4;
      break;
    case onnx::TensorProto::INT64:
      width = 8;
      break;
    default:
      fail(n, fmt::format("tensor '{}' is not of an integer type (ONNX type {})", name,
                          t->data_type()));
  }
  const std::vector<std::size_t> shape = dims(n, name);
  std::vector<std::int64_t> out;
  if (t->has_raw_data()) {
    const std::string& raw = t->raw_data();
    if (raw.size() % width != 0) fail(n, fmt::format("tensor '{}' has a partial value", name));
    for (std::size_t i = 0; i < raw.size(); i += width) {
      // Little-endian, as ONNX stores raw data; sign-extended from the type's width.
      const auto* b = reinterpret_cast<const unsigned char*>(raw.data() + i);
      std::uint64_t bits = 0;
      for (std::size_t k = 0; k < width; ++k) bits |= std::uint64_t{b[k]} << (8 * k);
      if (t->data_type() == onnx::TensorProto::UINT8) {
        out.push_back(static_cast<std::int64_t>(bits));
      } else {
        const unsigned shift = static_cast<unsigned>(64 - 8 * width);
        out.push_back(static_cast<std::int64_t>(bits << shift) >> shift);
      }
    }
  } else if (t->data_type() == onnx::TensorProto::INT64) {
    out.assign(t->int64_data().begin(), t->int64_data().end());
  } else {
    out.assign(t->int32_data().begin(), t->int32_data().end());  // int8, uint8, int32
  }
  std::size_t count = 1;
  for (const auto d : shape) count *= d;
  if (out.size() != count)
    fail(n, fmt::format("tensor '{}' holds {} values, its shape {}", name, out.size(), count));
  return out;
}

void importer::find_quantized_constants() {
  std::map<std::string, const onnx::NodeProto*> producer;
  for (const auto& n : model_.graph().node()) {
    for (const auto& o : n.output()) producer[o] = &n;
    quantized_ = quantized_ || n.op_type() == "QuantizeLinear" || n.op_type() == "DequantizeLinear";
  }
  for (const auto& n : model_.graph().node()) {
    if (n.op_type() != "DequantizeLinear" || n.input_size() < 2) continue;
    const auto from = producer.find(n.input(0));
    const onnx::NodeProto* q_node = from != producer.end() &&
                                            from->second->op_type() == "QuantizeLinear" &&
                                            constant(from->second->input(0)) != nullptr
                                        ? from->second
                                        : nullptr;
    const onnx::TensorProto* t = constant(n.input(0));
    if (t == nullptr && q_node == nullptr) continue;  // an activation
    only_attributes(n, {"axis"});
    quantized_constant qc;
    const std::vector<double> scales = floats(n, n.input(1));
    for (const double s : scales) qc.scales.push_back(float_scale(n, s));
    if (n.input_size() > 2 && !n.input(2).empty()) {
      qc.zero_points = integers(n, n.input(2));
      qc.type = constant(n.input(2))->data_type();
    } else {
      qc.zero_points = {0};
      qc.type = t != nullptr ? t->data_type() : onnx::TensorProto::UINT8;
    }
    const onnx::NodeProto& holder = q_node != nullptr ? *q_node : n;
    qc.dims = dims(holder, holder.input(0));
    const std::int64_t axis = int_attribute(n, "axis", 1);
    const auto rank = static_cast<std::int64_t>(qc.dims.size());
    if (axis < -rank || axis >= std::max<std::int64_t>(rank, 1))
      fail(n, fmt::format("axis {} for a tensor of rank {}", axis, rank));
    qc.axis = static_cast<std::size_t>(axis < 0 ? axis + rank : axis);
    for (std::size_t a = qc.axis + 1; a < qc.dims.size(); ++a) qc.inner *= qc.dims[a];
    if (qc.scales.size() != 1 && (qc.dims.empty() || qc.scales.size() != qc.dims[qc.axis]))
      fail(n, fmt::format("{} scales for an axis of {}", qc.scales.size(),
                          qc.dims.empty() ? 0 : qc.dims[qc.axis]));
    if (qc.zero_points.size() != 1 && qc.zero_points.size() != qc.scales.size())
      fail(n, "the zero points do not match the scales");
    if (q_node != nullptr) {
      // torch.onnx.export's fake-quantized weight: the integers are QuantizeLinear's of the
      // float values, saturate(round_half_to_even(x / scale) + zero point) in float, by ONNX's
      // definition; the DequantizeLinear must take them back with the same scale and zero point.
      const onnx::NodeProto& qn = *q_node;
      if (qn.input_size() < 2 || floats(qn, qn.input(1)) != scales ||
          (qn.input_size() > 2 ? qn.input(2) : std::string()) !=
              (n.input_size() > 2 ? n.input(2) : std::string()))
        fail(n, "dequantizes with another scale or zero point than its QuantizeLinear");
      const std::vector<double> w = floats(qn, qn.input(0));
      const double lo = qc.type == onnx::TensorProto::UINT8 ? 0 : -128;
      const double hi = qc.type == onnx::TensorProto::UINT8 ? 255 : 127;
      qc.q.resize(w.size());
      for (std::size_t i = 0; i < w.size(); ++i) {
        const float x = static_cast<float>(w[i]) / qc.scale_at(i);
        const double r = std::nearbyint(static_cast<double>(x)) +
                         static_cast<double>(qc.zero_point_at(i));
        qc.q[i] = static_cast<std::int64_t>(r < lo ? lo : r > hi ? hi : r);
      }
      consumed_.insert(q_node);
    } else {
      qc.q = integers(n, n.input(0));
      if (t->data_type() != qc.type)
        fail(n, "the zero point's type is not the quantized tensor's");
    }
    consumed_.insert(&n);
    qconsts_[n.output(0)] = std::move(qc);
  }
}

// A scale as the int8 scheme keeps it, in float (TFLite's): positive and finite there too.
float importer::float_scale(const onnx::NodeProto& n, double s) const {
  const auto f = static_cast<float>(s);
  if (!(f > 0) || !std::isfinite(f))
    fail(n, fmt::format("a scale of {}, not a positive float", s));
  return f;
}

affine importer::activation_grid(const onnx::NodeProto& n) const {
  only_attributes(n, {"axis"});
  if (n.input_size() < 2) fail(n, "has no scale");
  const std::vector<double> scale = floats(n, n.input(1));
  if (scale.size() != 1)
    fail(n, fmt::format("{} scales for an activation; constnn's int8 activations take one scale "
                        "per tensor",
                        scale.size()));
  const float grid_scale = float_scale(n, scale[0]);
  if (n.input_size() < 3 || n.input(2).empty())
    fail(n, "has no zero point, so ONNX quantizes to uint8; constnn's int8 activations are "
            "int8 (TFLite's scheme)");
  if (constant(n.input(2)) == nullptr || constant(n.input(2))->data_type() != onnx::TensorProto::INT8)
    fail(n, "quantizes to another type than int8; constnn's int8 activations are int8 "
            "(TFLite's scheme)");
  const std::vector<std::int64_t> zero = integers(n, n.input(2));
  if (zero.size() != 1) fail(n, "has more than one zero point for an activation");
  if (zero[0] < -128 || zero[0] > 127) fail(n, "a zero point outside int8");
  return {grid_scale, static_cast<std::int32_t>(zero[0])};
}

void importer::quantize_activation(const onnx::NodeProto& n) {
  const affine g = activation_grid(n);
  foldable_ = false;
  if (softmax_) return;  // the probabilities' grid: constnn's int8 network outputs its logits
  std::size_t k = d_.layers.size();
  if (grids_[k] && *grids_[k] != g) {
    const layer_spec* before = k > 0 ? &d_.layers[k - 1] : nullptr;
    if (before != nullptr &&
        (before->kind == layer_kind::sigmoid || before->kind == layer_kind::tanh))
      fail(n, fmt::format("quantizes the {} to {}; constnn's int8 {} gives TFLite's fixed {}",
                          before->kind == layer_kind::sigmoid ? "Sigmoid" : "Tanh",
                          grid_text(g),
                          before->kind == layer_kind::sigmoid ? "sigmoid" : "tanh",
                          grid_text(*grids_[k])));
    if (before != nullptr && !before->has_params())
      fail(n, fmt::format("requantizes {} to {} after a {}, whose int8 form keeps its input's "
                          "grid; quantize once, after it",
                          grid_text(*grids_[k]), grid_text(g), before->text()));
    fail(n, fmt::format("requantizes {} to {}; constnn's int8 tensors have one grid each",
                        grid_text(*grids_[k]), grid_text(g)));
  }
  grids_[k] = g;
  // Back through the layers that keep their input's grid (ReLU, pooling, flatten): their
  // inputs were on this grid too, as constnn's int8 forms require.
  for (; k > 0; --k) {
    const layer_spec& l = d_.layers[k - 1];
    if (l.has_params() || l.kind == layer_kind::sigmoid || l.kind == layer_kind::tanh) break;
    if (grids_[k - 1] && *grids_[k - 1] != g)
      fail(n, fmt::format("requantizes {} to {} after a {}, whose int8 form keeps its input's "
                          "grid; quantize once, after it",
                          grid_text(*grids_[k - 1]), grid_text(g), l.text()));
    grids_[k - 1] = g;
  }
}

void importer::dequantize_activation(const onnx::NodeProto& n) const {
  const affine g = activation_grid(n);
  if (softmax_) return;
  const std::optional<affine>& here = grids_[d_.layers.size()];
  if (!here) fail(n, "dequantizes a tensor that no QuantizeLinear quantized");
  if (*here != g)
    fail(n, fmt::format("dequantizes with {}, but the tensor is on {}", grid_text(g),
                        grid_text(*here)));
}

affine importer::input_grid(const onnx::NodeProto& n) const {
  const std::optional<affine>& in = grids_[d_.layers.size()];
  if (!in)
    fail(n, "its input is not quantized (no QuantizeLinear before it); constnn imports a QDQ "
            "model whose every layer takes and gives int8 tensors");
  return *in;
}

void importer::added(const onnx::NodeProto& n) {
  const std::optional<affine> in = grids_.back();
  grids_.push_back(std::nullopt);
  if (!quantized_) return;
  const layer_kind kind = d_.layers.back().kind;
  if (d_.layers.back().has_params() || kind == layer_kind::sigmoid || kind == layer_kind::tanh) {
    if (!in)
      fail(n, "its input is not quantized (no QuantizeLinear before it); constnn imports a QDQ "
              "model whose every layer takes and gives int8 tensors");
  }
  if (d_.layers.back().has_params()) return;  // its output's grid is the QuantizeLinear after it
  if (kind == layer_kind::sigmoid || kind == layer_kind::tanh) {
    // TFLite's int8 LOGISTIC and TANH have fixed output grids; the table maps to them.
    grids_.back() = kind == layer_kind::sigmoid ? constnn::quantization::sigmoid_output
                                                : constnn::quantization::tanh_output;
  } else {
    grids_.back() = in;
  }
}

std::vector<float> importer::weight_scales(const onnx::NodeProto& n, const std::string& name,
                                           std::size_t channels,
                                           std::size_t channel_axis) const {
  const quantized_constant* qc = quantized(name);
  if (qc == nullptr)
    fail(n, fmt::format("its weights '{}' are not quantized (no DequantizeLinear); constnn "
                        "imports a QDQ model whose every layer has int8 weights",
                        name));
  if (qc->type != onnx::TensorProto::INT8)
    fail(n, fmt::format("its weights are of ONNX type {}, not int8 (TFLite's int8 scheme)",
                        qc->type));
  for (const auto z : qc->zero_points)
    if (z != 0)
      fail(n, fmt::format("its weights have zero point {}; TFLite's int8 weights are symmetric "
                          "(zero point 0)",
                          z));
  for (const auto q : qc->q)
    if (q < -constnn::quantization::weight_max)
      fail(n, fmt::format("a weight is {}; TFLite's symmetric int8 weights lie in [-127, 127]",
                          q));
  if (qc->scales.size() == 1) return std::vector<float>(channels, qc->scales[0]);
  if (qc->axis != channel_axis || qc->scales.size() != channels)
    fail(n, fmt::format("its weights have {} scales along axis {}; constnn takes one per output "
                        "channel (axis {}) or one in all",
                        qc->scales.size(), qc->axis, channel_axis));
  return qc->scales;
}

std::vector<double> importer::biases(const onnx::NodeProto& n, const std::string& name,
                                     std::size_t channels, affine in,
                                     std::span<const float> scales) const {
  const quantized_constant* qc = quantized(name);
  // A float bias: constnn rounds it to s_in * s_w half away from zero, as TFLite's converter.
  if (qc == nullptr) return floats(n, name);
  if (qc->type != onnx::TensorProto::INT32)
    fail(n, fmt::format("its bias is of ONNX type {}, not int32 (TFLite's int8 scheme)",
                        qc->type));
  if (qc->q.size() != channels)
    fail(n, fmt::format("has {} biases for {} outputs", qc->q.size(), channels));
  std::vector<double> out(channels);
  for (std::size_t c = 0; c < channels; ++c) {
    if (qc->zero_point_at(c) != 0) fail(n, "its bias has a zero point other than 0");
    // The int32 is kept exactly when its scale is s_in * s_w (to float precision, as a
    // quantizer computes it): then q * s_in * s_w in double rounds back to q.
    const double expected = static_cast<double>(in.scale) * static_cast<double>(scales[c]);
    const double given = qc->scale_at(c);
    if (std::abs(given - expected) > 1e-6 * expected)
      fail(n, fmt::format("the bias of output {} has scale {}; TFLite's is the input's scale "
                          "times the weights' ({})",
                          c, given, expected));
    out[c] = static_cast<double>(qc->q[c]) * expected;
  }
  return out;
}

onnx_import importer::run(const std::optional<tensor_shape>& input_shape) {
  const auto& g = model_.graph();
  std::int64_t opset = -1;
  for (const auto& o : model_.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
    else
      fail(fmt::format("operator set '{}' is not supported", o.domain()));
  }
  if (opset < min_opset || opset > max_opset)
    fail(fmt::format("opset {} is not supported (constnn reads {} to {})", opset, min_opset,
                     max_opset));
  for (const auto& t : g.initializer()) constants_[t.name()] = &t;
  for (const auto& n : g.node())
    if (n.op_type() == "Constant" && n.output_size() == 1) {
      const auto* a = attribute(n, "value");
      if (a == nullptr || !a->has_t()) fail(n, "only a tensor 'value' is supported");
      constants_[n.output(0)] = &a->t();
    }
  find_quantized_constants();
  grids_ = {std::nullopt};
  read_input(input_shape);
  std::string current;
  for (const auto& i : g.input())
    if (constant(i.name()) == nullptr) current = i.name();
  for (const auto& n : g.node()) {
    const std::string& op = n.op_type();
    if (op == "Constant" || consumed_.contains(&n)) continue;
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail(n, fmt::format("domain '{}' is not supported", n.domain()));
    if (n.input_size() == 0 || n.input(0) != current)
      fail(n, "does not take the output of the node before it; constnn imports a chain of layers");
    for (int k = 1; k < n.input_size(); ++k)
      if (!n.input(k).empty() && !is_constant(n.input(k)))
        fail(n, fmt::format("input '{}' is not a constant", n.input(k)));
    const bool requantizes = op == "QuantizeLinear" || op == "DequantizeLinear";
    if (softmax_ && !requantizes) fail(n, "follows the Softmax, which must be last");
    if (op == "QuantizeLinear") {
      quantize_activation(n);
    } else if (op == "DequantizeLinear") {
      dequantize_activation(n);
    } else if (op == "Gemm") {
      only_attributes(n, {"alpha", "beta", "transA", "transB"});
      if (float_attribute(n, "alpha", 1.0f) != 1.0f || float_attribute(n, "beta", 1.0f) != 1.0f)
        fail(n, "alpha and beta other than 1 are not supported");
      if (int_attribute(n, "transA", 0) != 0) fail(n, "transA 1 is not supported");
      const bool transposed = int_attribute(n, "transB", 0) != 0;
      const std::vector<std::size_t> wd = dims(n, n.input(1));
      if (wd.size() != 2) fail(n, "B is not a matrix");
      const std::size_t in = transposed ? wd[1] : wd[0], out = transposed ? wd[0] : wd[1];
      const bool has_bias = n.input_size() > 2 && !n.input(2).empty();
      std::vector<float> scales;
      std::vector<double> bias;
      if (quantized_) {
        // B is out x in with transB, else in x out: the output channel's axis.
        scales = weight_scales(n, n.input(1), out, transposed ? 0 : 1);
        if (has_bias) bias = biases(n, n.input(2), out, input_grid(n), scales);
      } else if (has_bias) {
        bias = floats(n, n.input(2));
      }
      dense(n, floats(n, n.input(1)), transposed, in, out, std::move(bias));
      weights_.back().scales = std::move(scales);
    } else if (op == "MatMul") {
      const std::vector<std::size_t> wd = dims(n, n.input(1));
      if (wd.size() != 2) fail(n, "the weights are not a matrix");
      std::vector<float> scales;
      if (quantized_) scales = weight_scales(n, n.input(1), wd[1], 1);
      dense(n, floats(n, n.input(1)), false, wd[0], wd[1], {});
      weights_.back().scales = std::move(scales);
    } else if (op == "Add") {
      // The bias of a MatMul, as torch writes x @ W + b.
      if (!foldable_ || weights_.empty() || d_.layers.back().kind != layer_kind::dense)
        fail(n, "is supported only as the bias right after a MatMul or Gemm");
      const std::vector<double> b =
          quantized_ ? biases(n, n.input(1), weights_.back().outputs,
                              *grids_[d_.layers.size() - 1], weights_.back().scales)
                     : floats(n, n.input(1));
      if (b.size() != weights_.back().outputs)
        fail(n, fmt::format("adds {} values to {} outputs", b.size(), weights_.back().outputs));
      for (std::size_t o = 0; o < b.size(); ++o) weights_.back().biases[o] += b[o];
    } else if (op == "Conv") {
      conv(n);
    } else if (op == "MaxPool") {
      if (n.output_size() > 1 && !n.output(1).empty())
        fail(n, "the indices output is not supported");
      pool(n, layer_kind::max_pool);
    } else if (op == "AveragePool") {
      pool(n, layer_kind::avg_pool);
    } else if (op == "GlobalAveragePool") {
      if (!v_.image) fail(n, "takes a flat vector");
      layer_spec l;
      l.kind = layer_kind::global_avg_pool;
      d_.layers.push_back(l);
      added(n);
      // C x 1 x 1 in ONNX, already the flat C of constnn: a Flatten after it adds nothing.
      v_ = value{false, 0, 0, 0, v_.c, {}};
      foldable_ = false;
    } else if (op == "Flatten") {
      if (int_attribute(n, "axis", 1) != 1) fail(n, "only axis 1 is supported");
      flatten(n);
    } else if (op == "Reshape") {
      const std::vector<std::int64_t> shape = integers(n, n.input(1));
      const std::size_t total = v_.image ? v_.c * v_.h * v_.w : v_.n;
      if (shape.size() != 2 || (shape[0] != 1 && shape[0] != -1 && shape[0] != 0) ||
          (shape[1] != -1 && shape[1] != static_cast<std::int64_t>(total)))
        fail(n, "only a reshape to a flat vector (N x features) is supported");
      flatten(n);
    } else if (op == "Relu" || op == "Sigmoid" || op == "Tanh") {
      layer_spec l;
      l.kind = op == "Relu"      ? layer_kind::relu
               : op == "Sigmoid" ? layer_kind::sigmoid
                                 : layer_kind::tanh;
      d_.layers.push_back(l);
      added(n);
      foldable_ = false;
    } else if (op == "Softmax") {
      const std::int64_t axis = int_attribute(n, "axis", opset >= 13 ? -1 : 1);
      if (v_.image || (axis != 1 && axis != -1))
        fail(n, "only a softmax over a flat vector is supported");
      softmax_ = true;
    } else if (op == "BatchNormalization") {
      if (quantized_)
        fail(n, "cannot be folded into int8 weights without moving them off their grid; fold "
                "it into the layer before quantizing the model");
      batch_norm(n);
    } else if (op == "Pad") {
      const std::vector<std::int64_t> pads =
          n.input_size() > 1 ? integers(n, n.input(1)) : ints_attribute(n, "pads", {});
      for (const auto p : pads)
        if (p != 0) fail(n, "padding other than none is supported only as a Conv's own pads");
    } else if (op == "Identity" || op == "Dropout") {
      if (n.output_size() > 1 && !n.output(1).empty()) fail(n, "the mask output is not supported");
    } else {
      fail(n, "this operator is not supported");
    }
    if (n.output_size() < 1) fail(n, "has no output");
    current = n.output(0);
  }
  if (g.output(0).name() != current) fail("the graph's output is not the last node's");
  if (d_.layers.empty() || d_.layers.back().kind != layer_kind::dense)
    fail(
        "the model must end in a Gemm or MatMul (then optionally a Softmax): constnn's output "
        "layer is softmax + cross-entropy on a dense layer's outputs");
  if (d_.layers.size() > max_layers)
    fail(fmt::format("the model has {} layers; constnn's run-time networks take {}",
                     d_.layers.size(), max_layers));
  onnx_import out;
  out.classes = d_.layers.back().units;
  // As --classes and a model file's "classes".
  if (out.classes < 2 || out.classes > 65536)
    fail(fmt::format("the model has {} outputs; constnn classifies into 2 to 65536 classes",
                     out.classes));
  // A refusal here is the file's, not the command line's.
  std::vector<tensor_shape> shapes;
  try {
    shapes = shapes_of(d_, out.classes, path_);
  } catch (const tool_error& e) {
    fail_data(e.what());
  }
  for (const auto& lw : weights_) {
    out.parameters.insert(out.parameters.end(), lw.weights.begin(), lw.weights.end());
    out.parameters.insert(out.parameters.end(), lw.biases.begin(), lw.biases.end());
  }
  if (out.parameters.size() != parameter_count(d_, shapes))
    fail("internal: the imported weights do not match the network's parameter count");
  if (quantized_) {
    if (!grids_.back())
      fail("the model's output is not quantized: constnn's int8 network ends in int8 logits, "
           "a QuantizeLinear after the last Gemm or MatMul");
    qdq_grids q;
    for (std::size_t t = 0; t < grids_.size(); ++t) {
      if (!grids_[t])
        fail(fmt::format("the output of layer {} ({}) is not quantized", t, d_.layers[t - 1].text()));
      q.tensors.push_back(*grids_[t]);
    }
    for (const auto& lw : weights_) q.weight_scales.insert(q.weight_scales.end(), lw.scales.begin(), lw.scales.end());
    out.int8 = std::move(q);
  }
  out.description = d_;
  return out;
}

}  // namespace

onnx_import import_onnx(const std::string& path, const std::string& bytes,
                        const std::optional<tensor_shape>& input_shape) {
  onnx::ModelProto model;
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    fail_data(one_line(
        fmt::format("{}: not an ONNX model (the protobuf does not parse; truncated?)", path)));
  try {
    // The checker prints warnings (experimental operators) to std::cout, where they would
    // mix with the tool's own output and its one-line refusals; the importer judges those
    // operators itself.
    std::ostringstream silenced;
    struct restore {
      std::streambuf* out;
      std::streambuf* err;
      ~restore() {
        std::cout.rdbuf(out);
        std::cerr.rdbuf(err);
      }
    } const guard{std::cout.rdbuf(silenced.rdbuf()), std::cerr.rdbuf(silenced.rdbuf())};
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    std::string what = e.what();
    if (const auto nl = what.find('\n'); nl != std::string::npos) what.resize(nl);
    fail_data(one_line(fmt::format("{}: the ONNX checker refuses it: {}", path, what)));
  }
  return importer(path, model).run(input_shape);
}

}  // namespace host_tools
