// The two marker functions between which the QEMU plugin counts executed instructions.
#include "platform.hpp"

namespace {
// Distinct stores keep identical-code folding from giving both markers one address.
volatile unsigned bench_marker_state = 0;
}  // namespace

extern "C" [[gnu::noinline]] void constnn_bench_begin() noexcept {
  bench_marker_state = 1;
}
extern "C" [[gnu::noinline]] void constnn_bench_end() noexcept {
  bench_marker_state = 2;
}
