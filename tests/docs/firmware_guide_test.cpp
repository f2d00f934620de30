// docs/firmware.md's C++ snippets (compiled from the guide into guide.cpp) do what the guide
// says, against a header train_export wrote: predictions from flash equal the host's, the
// RAM copy trains, the self-test passes and the handler hears of a failed check.
#define BOOST_TEST_MODULE firmware_guide
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>

#include <constnn/constnn.hpp>

#include "model.hpp"

// Defined by the guide's snippets.
std::size_t classify(std::span<const model::scalar> features);
void start_learning();
model::scalar learn(std::span<const model::scalar> features, std::size_t label);
std::size_t classify_learned(std::span<const model::scalar> features);
bool arithmetic_is_as_on_the_host();
extern const char* last_check_failure;
extern constinit constnn::model<model::network> on_device;

namespace {
constexpr std::size_t inputs = model::network{}.input_size();
std::span<const model::scalar> sample(std::size_t e) {
  return std::span<const model::scalar>(model::sample_features).subspan(e * inputs, inputs);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(firmware_guide)

BOOST_AUTO_TEST_CASE(prediction_from_flash_equals_the_hosts) {
  for (std::size_t e = 0; e < model::sample_count; ++e)
    BOOST_TEST(classify(sample(e)) == model::sample_predictions[e]);
}

BOOST_AUTO_TEST_CASE(the_ram_copy_predicts_the_same_then_trains) {
  start_learning();
  BOOST_TEST(on_device.parameters == model::parameters);
  for (std::size_t e = 0; e < model::sample_count; ++e)
    BOOST_TEST(classify_learned(sample(e)) == classify(sample(e)));
  const model::scalar loss = learn(sample(0), model::sample_labels[0]);
  BOOST_TEST(std::isfinite(loss));
  BOOST_TEST(loss > model::scalar(0));
  BOOST_TEST(on_device.parameters != model::parameters);
}

BOOST_AUTO_TEST_CASE(the_start_up_self_test_passes_in_this_build) {
  BOOST_TEST(arithmetic_is_as_on_the_host());
}

BOOST_AUTO_TEST_CASE(a_failed_check_reaches_the_guides_handler) {
  last_check_failure = nullptr;
  std::array<model::scalar, inputs> bad{};
  bad[0] = std::numeric_limits<model::scalar>::quiet_NaN();
  BOOST_TEST(classify(bad) == model::network{}.output_size());
  BOOST_TEST_REQUIRE(last_check_failure != nullptr);
  BOOST_TEST(std::string(last_check_failure).find("input is not finite") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
