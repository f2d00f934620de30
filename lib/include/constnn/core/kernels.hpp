// Which implementation of the compute loops runs: the portable one or a vector one.
//
// Every path gives the same bits (see detail/kernels_x86.hpp); this header only lets a
// program ask which one runs, and lets tests and benchmarks choose. Defining
// CONSTNN_PORTABLE_KERNELS (the same way in every translation unit) removes the vector
// paths altogether.
#pragma once

#include "requirements.hpp"

#include "../detail/kernels.hpp"

namespace constnn::kernels {

/// The implementations of the layers' loops.
enum class path {
  portable,  ///< the plain C++ loops, the reference every other path matches bit for bit
  avx2,      ///< x86-64 with AVX2, vectors of 256 bits
  avx512,    ///< x86-64 with AVX-512F, vectors of 512 bits
  cortex_m,  ///< Cortex-M with a single-precision FPU, float only (double stays portable)
};

/// A short name of the path, such as "avx512".
constexpr const char* name(path p) noexcept {
  switch (p) {
    case path::avx2: return "avx2";
    case path::avx512: return "avx512";
    case path::cortex_m: return "cortex-m";
    default: return "portable";
  }
}

/// Whether this build and this CPU can take the path.
inline bool available(path p) noexcept {
  switch (p) {
    case path::portable: return true;
#if CONSTNN_X86_KERNELS
    case path::avx2: return detail::x86::supported_isa() >= detail::x86::isa::avx2;
    case path::avx512: return detail::x86::supported_isa() >= detail::x86::isa::avx512;
#endif
#if CONSTNN_CORTEX_M_KERNELS
    case path::cortex_m: return true;
#endif
    default: return false;
  }
}

/// The path the layers take now: the best available one unless use() chose another.
inline path active() noexcept {
#if CONSTNN_X86_KERNELS
  switch (detail::x86::selected_isa()) {
    case detail::x86::isa::avx512: return path::avx512;
    case detail::x86::isa::avx2: return path::avx2;
    default: return path::portable;
  }
#elif CONSTNN_CORTEX_M_KERNELS
  return detail::cortex_m::enabled() ? path::cortex_m : path::portable;
#else
  return path::portable;
#endif
}

/// Makes the layers take path p from now on (for tests and benchmarks; not thread-safe, call
/// it before other threads use constnn). Returns false, changing nothing, if p is not
/// available.
inline bool use(path p) noexcept {
  if (!available(p)) return false;
#if CONSTNN_X86_KERNELS
  detail::x86::selected_isa() = p == path::avx512 ? detail::x86::isa::avx512
                                : p == path::avx2 ? detail::x86::isa::avx2
                                                  : detail::x86::isa::none;
#elif CONSTNN_CORTEX_M_KERNELS
  detail::cortex_m::enabled() = p == path::cortex_m;
#endif
  return true;
}

}  // namespace constnn::kernels
