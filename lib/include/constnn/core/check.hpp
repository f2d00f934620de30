// The one run-time precondition mechanism of constnn; its behaviour is chosen at build time.
#pragma once

#include "requirements.hpp"

// CONSTNN_CHECK_MODE selects what a failed precondition does:
//   CONSTNN_CHECK_OFF     the condition is not evaluated (zero cost; the caller promises);
//   CONSTNN_CHECK_ASSERT  the program stops at once (__builtin_trap), as assert() would;
//   CONSTNN_CHECK_HANDLER constnn::check_failed(message, file, line), which the user defines,
//                         is called and the operation returns a neutral value without
//                         touching its outputs.
// In a constant expression a failed check is always a compile error.
#include <type_traits>

#define CONSTNN_CHECK_OFF 0
#define CONSTNN_CHECK_ASSERT 1
#define CONSTNN_CHECK_HANDLER 2

#ifndef CONSTNN_CHECK_MODE
#ifdef NDEBUG
#define CONSTNN_CHECK_MODE CONSTNN_CHECK_OFF
#else
#define CONSTNN_CHECK_MODE CONSTNN_CHECK_ASSERT
#endif
#endif

namespace constnn {

#if CONSTNN_CHECK_MODE == CONSTNN_CHECK_HANDLER
/// Called for every failed precondition in handler mode; defined by the application.
void check_failed(const char* message, const char* file, int line) noexcept;
#endif

namespace detail {

// Not constexpr on purpose: reaching it during constant evaluation makes that evaluation fail.
[[noreturn]] inline void check_trap(const char*) noexcept { __builtin_trap(); }

constexpr bool check(bool ok, [[maybe_unused]] const char* message,
                     [[maybe_unused]] const char* file, [[maybe_unused]] int line) noexcept {
  if (ok) return true;
#if CONSTNN_CHECK_MODE == CONSTNN_CHECK_HANDLER
  ::constnn::check_failed(message, file, line);
#else
  check_trap(message);
#endif
  return false;
}

}  // namespace detail
}  // namespace constnn

/// Evaluates to true when `cond` holds; with checks off, `cond` is evaluated only at compile time.
#if CONSTNN_CHECK_MODE == CONSTNN_CHECK_OFF
#define CONSTNN_EXPECT(cond, message) \
  (!std::is_constant_evaluated() ||   \
   ::constnn::detail::check(static_cast<bool>(cond), "constnn: " message, __FILE__, __LINE__))
#else
#define CONSTNN_EXPECT(cond, message) \
  (::constnn::detail::check(static_cast<bool>(cond), "constnn: " message, __FILE__, __LINE__))
#endif
