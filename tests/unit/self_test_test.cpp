// Tests of core/self_test.hpp: the start-up check passes in a build that rounds every
// operation, and detects contraction in a translation unit that fuses a*b+c into an FMA.
#define BOOST_TEST_MODULE self_test
#include <boost/test/unit_test.hpp>

#include <constnn/core/self_test.hpp>

#include "self_test_probe.hpp"

BOOST_AUTO_TEST_SUITE(self_test)

BOOST_AUTO_TEST_CASE(passes_in_a_build_with_the_cmake_targets_flags) {
  BOOST_TEST(constnn::floating_point_self_test());
}

#if CONSTNN_TEST_FMA_TRANSLATION_UNITS
// The two probe files are built with -mfma -O2, one with -ffp-contract=fast and one with
// -ffp-contract=off; their code may run only where the CPU has FMA.
BOOST_AUTO_TEST_CASE(detects_contraction_in_a_translation_unit_built_with_fp_contract_fast) {
  if (!__builtin_cpu_supports("fma")) {
    BOOST_TEST_MESSAGE("SKIPPED: this CPU has no FMA instruction");
    return;
  }
  BOOST_TEST(!constnn_test::self_test_with_fp_contract_fast());
}

BOOST_AUTO_TEST_CASE(passes_in_a_translation_unit_with_fma_but_fp_contract_off) {
  if (!__builtin_cpu_supports("fma")) {
    BOOST_TEST_MESSAGE("SKIPPED: this CPU has no FMA instruction");
    return;
  }
  BOOST_TEST(constnn_test::self_test_with_fp_contract_off());
}
#endif

BOOST_AUTO_TEST_SUITE_END()
