// What a translation unit that includes constnn must be compiled with, checked before any
// other line of the library so that a wrong build stops with one message that says why.
#pragma once

// Without C++20 the rest of the headers would fail in hundreds of places (concepts,
// std::span, consteval paths) without naming the cause.
#if defined(_MSVC_LANG)
#define CONSTNN_DETAIL_CPLUSPLUS _MSVC_LANG
#else
#define CONSTNN_DETAIL_CPLUSPLUS __cplusplus
#endif
#if CONSTNN_DETAIL_CPLUSPLUS < 202002L
#error "constnn needs C++20: compile with -std=c++20 or later (linking the CMake target constnn::constnn asks for it)"
// #error does not stop GCC or clang; a missing include does, so no other diagnostic follows.
#include "constnn stops here: see the error above"
#endif
#undef CONSTNN_DETAIL_CPLUSPLUS

// -ffast-math lets the compiler reassociate sums, contract a*b+c into one rounding and assume
// no NaN or infinity: results would differ between builds and targets, and the library's
// finiteness checks (x - x == 0) would be folded away.
#if defined(__FAST_MATH__)
#error "constnn must not be compiled with -ffast-math: it reorders and fuses floating-point operations, so results stop being the same bits on every target, and it removes the checks for NaN and infinity"
#elif defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__
#error "constnn must not be compiled with -ffinite-math-only: the library's checks for NaN and infinity would be folded away"
#endif
