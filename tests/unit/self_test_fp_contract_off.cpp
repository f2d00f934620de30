// Built with -mfma -O2 -ffp-contract=off (tests/unit/CMakeLists.txt): the self-test must pass.
#include <constnn/core/self_test.hpp>

#include "self_test_probe.hpp"

bool constnn_test::self_test_with_fp_contract_off() noexcept {
  return constnn::floating_point_self_test();
}
