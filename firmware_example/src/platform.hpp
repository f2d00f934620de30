// What the firmware example needs from where it runs: a console and two benchmark markers.
#pragma once

namespace fw {

/// Writes a NUL-terminated string to the console (stdout on a host, semihosting on a target).
void write_text(const char* s) noexcept;

}  // namespace fw

extern "C" {
/// Called around a measured region. They do nothing; the instruction-count plugin recognises
/// their entry addresses, so they must stay real, distinct, non-inlined functions.
void constnn_bench_begin() noexcept;
void constnn_bench_end() noexcept;
}
