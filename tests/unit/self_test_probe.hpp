// The self-test as seen from translation units built with other floating-point flags.
#pragma once

namespace constnn_test {
/// constnn::floating_point_self_test() in a file built with -mfma -O2 -ffp-contract=fast.
bool self_test_with_fp_contract_fast() noexcept;
/// The same in a file built with -mfma -O2 -ffp-contract=off.
bool self_test_with_fp_contract_off() noexcept;
}  // namespace constnn_test
