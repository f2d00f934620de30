// The grammar of --input-shape and --layers, and the shapes a description gives, taken from
// the library's own layers (any_layer) so that the tool and the library cannot disagree.
#include "model_description.hpp"

#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "display_text.hpp"
#include "error.hpp"
#include "stack_network.hpp"

namespace host_tools {
namespace {

// Larger than any layer that fits in max_parameters, small enough that products of three
// never overflow.
constexpr std::size_t max_size = 1'000'000;

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// A positive integer of at most max_size, digits only.
std::optional<std::size_t> positive(std::string_view text) {
  if (text.empty() || text.size() > 7) return std::nullopt;
  for (const char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  std::size_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  if (value == 0 || value > max_size) return std::nullopt;
  return value;
}

std::string shape_name(const tensor_shape& s) {
  switch (s.rank) {
    case 1:
      return fmt::format("vector {}", s.text());
    case 2:
      return fmt::format("series {}", s.text());
    default:
      return fmt::format("image {}", s.text());
  }
}

struct item_parser {
  std::string_view option;
  std::string_view item;
  std::size_t index;  // 1-based

  [[noreturn]] void fail(std::string_view what) const {
    // The item is the user's text: escaped, the message stays one line whatever it holds.
    fail_usage(one_line(fmt::format("{}: '{}' (item {}): {}", option, item, index, what)));
  }
  std::size_t number(std::string_view text, std::string_view what) const {
    const auto v = positive(text);
    if (!v) fail(fmt::format("{} must be a positive integer of at most {}, got '{}'", what,
                             max_size, text));
    return *v;
  }
  // KHxKW
  void window(std::string_view text, layer_spec& l) const {
    const auto axes = split(text, 'x');
    if (axes.size() != 2) fail(fmt::format("the window must be KHxKW (like 3x3), got '{}'", text));
    l.kernel_h = number(axes[0], "the window height");
    l.kernel_w = number(axes[1], "the window width");
  }
  // [:sS][:same|:valid] in any order, each at most once; padding only for convolutions.
  void options(const std::vector<std::string_view>& parts, std::size_t first, layer_spec& l,
               bool padding) const {
    bool padding_given = false;
    for (std::size_t k = first; k < parts.size(); ++k) {
      const std::string_view o = parts[k];
      if (!o.empty() && o[0] == 's' && o != "same") {
        if (l.stride_given) fail("the stride is given twice");
        l.stride = number(o.substr(1), "the stride");
        l.stride_given = true;
      } else if (padding && (o == "same" || o == "valid")) {
        if (padding_given) fail("the padding is given twice");
        l.same = o == "same";
        padding_given = true;
      } else {
        fail(fmt::format("unknown option '{}'; expected {}", o,
                         padding ? ":sS (stride), :same or :valid" : ":sS (stride)"));
      }
    }
  }
};

layer_spec parse_item(const item_parser& p) {
  if (p.item.empty()) p.fail("empty item (two commas in a row, or one at an end)");
  const auto parts = split(p.item, ':');
  const std::string_view name = parts[0];
  layer_spec l;
  const auto arguments = [&](std::size_t least, std::size_t most, std::string_view form) {
    if (parts.size() - 1 < least || parts.size() - 1 > most)
      p.fail(fmt::format("expected {}", form));
  };
  if (name == "dense") {
    arguments(1, 1, "dense:N (N outputs)");
    l.kind = layer_kind::dense;
    l.units = p.number(parts[1], "the output count");
  } else if (name == "conv2d") {
    arguments(2, 4, "conv2d:FILTERS:KHxKW[:sS][:same|:valid]");
    l.kind = layer_kind::conv2d;
    l.units = p.number(parts[1], "the filter count");
    p.window(parts[2], l);
    p.options(parts, 3, l, true);
  } else if (name == "conv1d") {
    arguments(2, 4, "conv1d:FILTERS:K[:sS][:same|:valid]");
    l.kind = layer_kind::conv1d;
    l.units = p.number(parts[1], "the filter count");
    l.kernel_h = 1;
    l.kernel_w = p.number(parts[2], "the kernel size");
    p.options(parts, 3, l, true);
  } else if (name == "maxpool" || name == "avgpool") {
    arguments(1, 2, fmt::format("{}:KHxKW[:sS]", name));
    l.kind = name == "maxpool" ? layer_kind::max_pool : layer_kind::avg_pool;
    p.window(parts[1], l);
    p.options(parts, 2, l, false);
  } else if (name == "globalavgpool" || name == "flatten" || name == "relu" ||
             name == "sigmoid" || name == "tanh") {
    if (parts.size() != 1) p.fail(fmt::format("{} takes no arguments", name));
    l.kind = name == "globalavgpool" ? layer_kind::global_avg_pool
             : name == "flatten"     ? layer_kind::flatten
             : name == "relu"        ? layer_kind::relu
             : name == "sigmoid"     ? layer_kind::sigmoid
                                     : layer_kind::tanh;
  } else {
    p.fail(
        "unknown layer; known: dense, conv2d, conv1d, maxpool, avgpool, globalavgpool, flatten, "
        "relu, sigmoid, tanh");
  }
  return l;
}

// What layer l needs of its input, or an empty string when it takes it.
std::string refusal(const layer_spec& l, const tensor_shape& in, bool input_is_default) {
  const std::string hint = input_is_default ? "; give --input-shape" : "";
  switch (l.kind) {
    case layer_kind::conv2d:
    case layer_kind::max_pool:
    case layer_kind::avg_pool:
      if (in.rank != 3)
        return fmt::format("needs an image (HxWxC) input, got {}{}", shape_name(in),
                           input_is_default ? "; give --input-shape HxWxC" : "");
      if (!l.same && (in.dims[0] < l.kernel_h || in.dims[1] < l.kernel_w))
        return fmt::format("needs at least {}x{} input, got {}", l.kernel_h, l.kernel_w, in.text());
      return {};
    case layer_kind::conv1d:
      if (in.rank != 2)
        return fmt::format("needs a series (LxC) input, got {}{}", shape_name(in),
                           input_is_default ? "; give --input-shape LxC" : "");
      if (!l.same && in.dims[0] < l.kernel_w)
        return fmt::format("needs at least {} steps of input, got {}", l.kernel_w, in.text());
      return {};
    case layer_kind::global_avg_pool:
      if (in.rank == 1)
        return fmt::format("needs a series or an image input, got {}{}", shape_name(in), hint);
      return {};
    default:
      return {};
  }
}

// The shape after l, as the library's layer computes it, read back in l's own terms.
tensor_shape output_of(const layer_spec& l, const tensor_shape& in) {
  const constnn::any_shape out = to_any_layer(l).output_shape(to_any_shape(in));
  switch (l.kind) {
    case layer_kind::dense:
    case layer_kind::global_avg_pool:
    case layer_kind::flatten:
      return tensor_shape{1, {out.extent(2), 0, 0}};
    case layer_kind::conv1d:
      return tensor_shape{2, {out.extent(1), out.extent(2), 0}};
    case layer_kind::relu:
    case layer_kind::sigmoid:
    case layer_kind::tanh:
      return in;
    default:
      return tensor_shape{3, {out.extent(0), out.extent(1), out.extent(2)}};
  }
}

}  // namespace

constnn::any_layer to_any_layer(const layer_spec& l) {
  using constnn::any_layer;
  const constnn::padding pad = l.same ? constnn::padding::same : constnn::padding::valid;
  switch (l.kind) {
    case layer_kind::dense:
      return any_layer::dense_kind(l.units);
    case layer_kind::conv2d:
      return any_layer::conv2d_kind(l.units, l.kernel_h, l.kernel_w, l.stride, pad);
    case layer_kind::conv1d:
      return any_layer::conv1d_kind(l.units, l.kernel_w, l.stride, pad);
    case layer_kind::max_pool:
    case layer_kind::avg_pool: {
      const std::size_t sh = l.stride_given ? l.stride : l.kernel_h;
      const std::size_t sw = l.stride_given ? l.stride : l.kernel_w;
      if (l.kind == layer_kind::max_pool)
        return any_layer::max_pool2d_kind(l.kernel_h, l.kernel_w, sh, sw);
      return any_layer::avg_pool2d_kind(l.kernel_h, l.kernel_w, sh, sw);
    }
    case layer_kind::global_avg_pool:
      return constnn::global_avg_pool{};
    case layer_kind::flatten:
      return constnn::flatten{};
    case layer_kind::relu:
      return constnn::relu{};
    case layer_kind::sigmoid:
      return constnn::sigmoid{};
    case layer_kind::tanh:
      return constnn::tanh{};
  }
  return {};
}

constnn::any_shape to_any_shape(const tensor_shape& s) {
  switch (s.rank) {
    case 1:
      return constnn::any_shape({1, 1, s.dims[0]});
    case 2:
      return constnn::any_shape({1, s.dims[0], s.dims[1]});
    default:
      return constnn::any_shape({s.dims[0], s.dims[1], s.dims[2]});
  }
}

std::size_t tensor_shape::size() const noexcept {
  std::size_t n = 1;
  for (std::size_t i = 0; i < rank; ++i) n *= dims[i];
  return n;
}

std::string tensor_shape::text() const {
  std::string s = fmt::format("{}", dims[0]);
  for (std::size_t i = 1; i < rank; ++i) s += fmt::format("x{}", dims[i]);
  return s;
}

std::string layer_spec::text() const {
  const std::string stride_text = stride_given ? fmt::format(":s{}", stride) : "";
  switch (kind) {
    case layer_kind::dense:
      return fmt::format("dense:{}", units);
    case layer_kind::conv2d:
      return fmt::format("conv2d:{}:{}x{}{}{}", units, kernel_h, kernel_w, stride_text,
                         same ? ":same" : "");
    case layer_kind::conv1d:
      return fmt::format("conv1d:{}:{}{}{}", units, kernel_w, stride_text, same ? ":same" : "");
    case layer_kind::max_pool:
      return fmt::format("maxpool:{}x{}{}", kernel_h, kernel_w, stride_text);
    case layer_kind::avg_pool:
      return fmt::format("avgpool:{}x{}{}", kernel_h, kernel_w, stride_text);
    case layer_kind::global_avg_pool:
      return "globalavgpool";
    case layer_kind::flatten:
      return "flatten";
    case layer_kind::relu:
      return "relu";
    case layer_kind::sigmoid:
      return "sigmoid";
    case layer_kind::tanh:
      return "tanh";
  }
  return {};
}

tensor_shape parse_input_shape(std::string_view text, std::string_view option) {
  const auto axes = split(text, 'x');
  if (axes.size() > 3)
    fail_usage(one_line(fmt::format("{}: '{}' has {} axes; expected N, LxC or HxWxC", option,
                                    text, axes.size())));
  tensor_shape s;
  s.rank = axes.size();
  std::size_t size = 1;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    const auto v = positive(axes[i]);
    if (!v)
      fail_usage(one_line(fmt::format("{}: '{}': every axis must be a positive integer of at "
                                      "most {} (N, LxC or HxWxC)",
                                      option, text, max_size)));
    s.dims[i] = *v;
    size *= *v;
    if (size > max_size * 16)
      fail_usage(one_line(fmt::format("{}: '{}' has more than {} values", option, text,
                                      max_size * 16)));
  }
  return s;
}

std::vector<layer_spec> parse_layers(std::string_view text, std::string_view option) {
  if (text.empty()) fail_usage(fmt::format("{}: no layers given", option));
  std::vector<layer_spec> layers;
  const auto items = split(text, ',');
  if (items.size() > max_layers)
    fail_usage(fmt::format("{}: {} layers; at most {}", option, items.size(), max_layers));
  for (std::size_t k = 0; k < items.size(); ++k)
    layers.push_back(parse_item(item_parser{option, items[k], k + 1}));
  return layers;
}

model_description default_description(std::size_t features, std::size_t hidden,
                                      std::size_t classes) {
  model_description d;
  d.input = tensor_shape{1, {features, 0, 0}};
  d.layers = {layer_spec{.kind = layer_kind::dense, .units = hidden},
              layer_spec{.kind = layer_kind::sigmoid},
              layer_spec{.kind = layer_kind::dense, .units = classes}};
  return d;
}

std::vector<tensor_shape> shapes_of(const model_description& d, std::size_t classes,
                                    std::string_view option) {
  if (d.layers.empty()) fail_usage(fmt::format("{}: no layers given", option));
  if (d.layers.size() > max_layers)
    fail_usage(fmt::format("{}: {} layers; at most {}", option, d.layers.size(), max_layers));
  std::vector<tensor_shape> shapes{d.input};
  for (std::size_t k = 0; k < d.layers.size(); ++k) {
    const layer_spec& l = d.layers[k];
    const tensor_shape& in = shapes.back();
    const std::string why = refusal(l, in, k == 0 && in.rank == 1);
    if (!why.empty()) fail_usage(fmt::format("{}: {} (item {}) {}", option, l.text(), k + 1, why));
    // The library's layer says what it makes of the shape, and must agree that it takes it.
    const constnn::any_layer layer = to_any_layer(l);
    const constnn::any_shape any = to_any_shape(in);
    if (!layer.takes_shape(any))
      fail_usage(fmt::format("{}: {} (item {}) cannot take {}", option, l.text(), k + 1,
                             shape_name(in)));
    const tensor_shape next = output_of(l, in);
    if (next.size() > max_size * 16)
      fail_usage(fmt::format("{}: {} (item {}) makes {} values; at most {}", option, l.text(),
                             k + 1, next.size(), max_size * 16));
    shapes.push_back(next);
  }
  const layer_spec& last = d.layers.back();
  if (last.kind != layer_kind::dense || last.units != classes)
    fail_usage(fmt::format(
        "{}: the last layer must be dense:{} (one output per class, --classes {}), got {}",
        option, classes, classes, last.text()));
  return shapes;
}

std::size_t layer_parameter_count(const layer_spec& l, const tensor_shape& in) {
  switch (l.kind) {
    case layer_kind::dense:
      return (in.size() + 1) * l.units;
    case layer_kind::conv2d:
    case layer_kind::conv1d:
      return (l.kernel_h * l.kernel_w * in.dims[in.rank - 1] + 1) * l.units;
    default:
      return 0;
  }
}

std::size_t parameter_count(const model_description& d, const std::vector<tensor_shape>& shapes) {
  std::size_t n = 0;
  for (std::size_t k = 0; k < d.layers.size(); ++k) n += layer_parameter_count(d.layers[k], shapes[k]);
  return n;
}

std::vector<parameter_slice> parameter_slices(const model_description& d,
                                              const std::vector<tensor_shape>& shapes) {
  std::vector<parameter_slice> slices;
  std::size_t offset = 0;
  for (std::size_t k = 0; k < d.layers.size(); ++k) {
    const layer_spec& l = d.layers[k];
    if (!l.has_params()) continue;
    const tensor_shape& in = shapes[k];
    parameter_slice s{.layer = k, .offset = offset, .weights = 0, .weight_dims = {}, .biases = l.units};
    if (l.kind == layer_kind::dense)
      s.weight_dims = {in.size(), l.units};
    else if (l.kind == layer_kind::conv2d)
      s.weight_dims = {l.kernel_h, l.kernel_w, in.dims[2], l.units};
    else
      s.weight_dims = {l.kernel_w, in.dims[1], l.units};
    s.weights = layer_parameter_count(l, in) - l.units;
    offset += s.weights + s.biases;
    slices.push_back(std::move(s));
  }
  return slices;
}

std::string layers_text(const std::vector<layer_spec>& layers) {
  std::string s;
  for (const layer_spec& l : layers) {
    if (!s.empty()) s += ',';
    s += l.text();
  }
  return s;
}

std::string fixed_network_type(const model_description& d, std::string_view scalar) {
  // The last layer's width is whatever it is: the type states the network as described.
  std::vector<tensor_shape> shapes{d.input};
  for (const layer_spec& l : d.layers) shapes.push_back(output_of(l, shapes.back()));
  std::string t = fmt::format("constnn::sequential<{}", scalar);
  if (d.layers.empty() || d.layers[0].kind != layer_kind::dense) {
    t += ", constnn::input<";
    for (std::size_t i = 0; i < d.input.rank; ++i) t += fmt::format("{}{}", i ? ", " : "", d.input.dims[i]);
    t += ">";
  }
  for (std::size_t k = 0; k < d.layers.size(); ++k) {
    const layer_spec& l = d.layers[k];
    const std::string_view padding = l.same ? "constnn::padding::same" : "constnn::padding::valid";
    switch (l.kind) {
      case layer_kind::dense:
        t += fmt::format(", constnn::dense<{}, {}>", shapes[k].size(), l.units);
        break;
      case layer_kind::conv2d:
        t += fmt::format(", constnn::conv2d<{}, {}, {}, {}, {}>", l.units, l.kernel_h, l.kernel_w,
                         l.stride, padding);
        break;
      case layer_kind::conv1d:
        t += fmt::format(", constnn::conv1d<{}, {}, {}, {}>", l.units, l.kernel_w, l.stride,
                         padding);
        break;
      case layer_kind::max_pool:
      case layer_kind::avg_pool: {
        const std::size_t sh = l.stride_given ? l.stride : l.kernel_h;
        const std::size_t sw = l.stride_given ? l.stride : l.kernel_w;
        t += fmt::format(", constnn::{}<{}, {}, {}, {}>",
                         l.kind == layer_kind::max_pool ? "max_pool2d" : "avg_pool2d", l.kernel_h,
                         l.kernel_w, sh, sw);
        break;
      }
      case layer_kind::global_avg_pool:
        t += ", constnn::global_avg_pool";
        break;
      case layer_kind::flatten:
        t += ", constnn::flatten";
        break;
      case layer_kind::relu:
        t += ", constnn::relu";
        break;
      case layer_kind::sigmoid:
        t += ", constnn::sigmoid";
        break;
      case layer_kind::tanh:
        t += ", constnn::tanh";
        break;
    }
  }
  t += ", constnn::softmax_xent>";
  return t;
}

}  // namespace host_tools
