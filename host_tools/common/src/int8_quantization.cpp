// Post-training quantization by the library, and the int8 network's predictions.
#include "int8_quantization.hpp"

#include <constnn/constnn.hpp>

#include "stack_network.hpp"

namespace host_tools {
namespace {

template <class T>
constnn::dataset_view<T, label_type> view_of(const labeled_data<T>& data) {
  return {data.features.data(), data.labels.data(), data.size(), data.width};
}

// The int8 network's class for every example of `data`, its features put on the input grid.
template <class T>
std::vector<label_type> predict_int8(const stack_network<constnn::int8>& net,
                                     std::span<const std::int8_t> params,
                                     constnn::quantization::affine input,
                                     const labeled_data<T>& data, std::size_t& errors) {
  std::vector<label_type> predictions(data.size());
  std::vector<std::int8_t> x(data.width), ws(net.inference_workspace_size());
  errors = 0;
  for (std::size_t e = 0; e < data.size(); ++e) {
    const T* f = data.features.data() + e * data.width;
    for (std::size_t i = 0; i < data.width; ++i)
      x[i] = static_cast<std::int8_t>(
          constnn::quantization::quantize(static_cast<double>(f[i]), input));
    predictions[e] = static_cast<label_type>(net.predict(params, x, ws));
    errors += predictions[e] != data.labels[e] ? 1 : 0;
  }
  return predictions;
}

// Both sets' classes and error rates, and the RAM the int8 network predicts in.
template <class T>
void predict_both(const stack_network<constnn::int8>& net8, int8_network& q,
                  const labeled_data<T>& train, const labeled_data<T>& validation) {
  const std::span<const std::int8_t> p8(q.parameters);
  q.train_predictions = predict_int8(net8, p8, q.tensors[0], train, q.errors.train_errors);
  q.validation_predictions =
      predict_int8(net8, p8, q.tensors[0], validation, q.errors.validation_errors);
  q.errors.train = train.size() == 0 ? 0
                                     : static_cast<double>(q.errors.train_errors) /
                                           static_cast<double>(train.size());
  q.errors.validation = validation.size() == 0 ? 0
                                               : static_cast<double>(q.errors.validation_errors) /
                                                     static_cast<double>(validation.size());
  q.inference_ram_bytes = net8.inference_workspace_size();
}

}  // namespace

template <class T>
int8_network quantize_int8(const model_description& description, std::span<const T> params,
                           const labeled_data<T>& calibration, const labeled_data<T>& train,
                           const labeled_data<T>& validation, const int8_refusals& refusals) {
  const stack_network<T> net = make_network<T>(description);
  const stack_network<constnn::int8> net8 = make_network<constnn::int8>(description);
  if (!net.valid() || !net8.valid()) throw refusals.sizes;
  std::vector<T> ws(net.inference_workspace_size());
  std::vector<constnn::tensor_range> ranges(stack_network<T>::layer_count + 1);
  if (!constnn::calibrate(net, params, view_of(calibration), std::span<T>(ws),
                          std::span<constnn::tensor_range>(ranges)))
    throw refusals.calibration;
  int8_network q;
  q.parameters.resize(net8.parameters_size());
  q.tensors.resize(ranges.size());
  constnn::quantize(net, params, std::span<const constnn::tensor_range>(ranges), net8,
                    std::span<std::int8_t>(q.parameters),
                    std::span<constnn::quantization::affine>(q.tensors));
  predict_both(net8, q, train, validation);
  q.float_parameter_bytes = net.parameters_size() * sizeof(T);
  q.float_inference_ram_bytes = net.inference_workspace_size() * sizeof(T);
  return q;
}

template <class T>
int8_network int8_from_grids(const model_description& description, std::span<const double> params,
                             std::span<const constnn::quantization::affine> tensors,
                             std::span<const float> weight_scales, const labeled_data<T>& train,
                             const labeled_data<T>& validation, const int8_refusals& refusals) {
  const stack_network<double> net = make_network<double>(description);
  const stack_network<constnn::int8> net8 = make_network<constnn::int8>(description);
  if (!net.valid() || !net8.valid() || tensors.size() != description.layers.size() + 1)
    throw refusals.sizes;
  // The run-time network's tensors: its input layer's output is the input again, and the
  // positions after the last layer (and softmax + cross-entropy) pass the logits on.
  std::vector<constnn::quantization::affine> grids(stack_network<double>::layer_count + 1,
                                                   tensors.back());
  grids[0] = tensors[0];
  for (std::size_t t = 0; t < tensors.size(); ++t) grids[t + 1] = tensors[t];
  int8_network q;
  q.parameters.resize(net8.parameters_size());
  if (!constnn::quantize_on_grids(net, params,
                                  std::span<const constnn::quantization::affine>(grids),
                                  weight_scales, net8, std::span<std::int8_t>(q.parameters)))
    throw refusals.sizes;
  q.tensors = std::move(grids);
  predict_both(net8, q, train, validation);
  q.float_parameter_bytes = net.parameters_size() * sizeof(T);
  q.float_inference_ram_bytes = net.inference_workspace_size() * sizeof(T);
  return q;
}

template int8_network quantize_int8<float>(const model_description&, std::span<const float>,
                                           const labeled_data<float>&, const labeled_data<float>&,
                                           const labeled_data<float>&, const int8_refusals&);
template int8_network quantize_int8<double>(const model_description&, std::span<const double>,
                                            const labeled_data<double>&,
                                            const labeled_data<double>&,
                                            const labeled_data<double>&, const int8_refusals&);

template int8_network int8_from_grids<float>(
    const model_description&, std::span<const double>,
    std::span<const constnn::quantization::affine>, std::span<const float>,
    const labeled_data<float>&, const labeled_data<float>&, const int8_refusals&);
template int8_network int8_from_grids<double>(
    const model_description&, std::span<const double>,
    std::span<const constnn::quantization::affine>, std::span<const float>,
    const labeled_data<double>&, const labeled_data<double>&, const int8_refusals&);

}  // namespace host_tools
