// Built with -mfma -O2 -ffp-contract=fast (tests/unit/CMakeLists.txt): the self-test must fail.
#include <constnn/core/self_test.hpp>

#include "self_test_probe.hpp"

bool constnn_test::self_test_with_fp_contract_fast() noexcept {
  return constnn::floating_point_self_test();
}
