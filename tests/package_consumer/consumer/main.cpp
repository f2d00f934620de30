// Defines the reference network, initialises it, predicts, trains a little and predicts again.
#include <constnn/constnn.hpp>

#include <array>
#include <cstddef>
#include <cstdio>

using reference_net = constnn::sequential<float, constnn::dense<128, 50>, constnn::sigmoid,
                                          constnn::dense<50, 10>, constnn::softmax_xent>;
static_assert(reference_net::param_count == 50 * 129 + 10 * 51);

int main() {
  static constnn::model<reference_net> m;
  m.initialize(constnn::init_scheme::random, 1);

  std::array<float, 128> x{};
  for (std::size_t k = 0; k < x.size(); k += 3) x[k] = 1.0f;
  const std::size_t label = 7;

  const std::size_t before = m.predict(x);
  for (int step = 0; step < 20; ++step) m.train_step(x, label, 0.1f);
  const std::size_t after = m.predict(x);

  std::printf("constnn %s consumer: class %zu before training, %zu after; training RAM %zu bytes\n",
              CONSTNN_VERSION_STRING, before, after, reference_net::training_ram_bytes);
  return before < 10 && after == label ? 0 : 1;
}
