// Signals that end the tool: whatever it is doing, its temporary files go first.
#include "termination.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>

#include <fmt/format.h>
#include <unistd.h>

#include "error.hpp"

namespace host_tools {
namespace {

constexpr std::array<int, 5> handled_signals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};

// A few outputs each have one temporary; fixed storage keeps the handler free of allocation.
struct temporary_slot {
  volatile std::sig_atomic_t used = 0;
  char path[PATH_MAX] = {};
};
std::array<temporary_slot, 16> temporaries;
volatile std::sig_atomic_t line_open = 0;
// Fixed storage, so the handler reads it without allocating.
std::array<char, 32> name_storage = {'t', 'r', 'a', 'i', 'n', '_', 'e', 'x', 'p', 'o', 'r', 't'};
std::size_t name_length = 12;

void write_stderr(const char* text, std::size_t length) noexcept {
  [[maybe_unused]] const auto ignored = ::write(STDERR_FILENO, text, length);
}

sigset_t handled_set() noexcept {
  sigset_t set;
  sigemptyset(&set);
  for (const int s : handled_signals) sigaddset(&set, s);
  return set;
}

// Only async-signal-safe calls: unlink, write, _exit, sigaction, sigprocmask, raise.
extern "C" void on_termination_signal(int sig) {
  const int saved_errno = errno;
  for (temporary_slot& slot : temporaries) {
    if (slot.used != 0) ::unlink(slot.path);
  }
  if (sig == SIGINT || sig == SIGTERM) {
    static constexpr char message[] = ": interrupted; no output file was written\n";
    if (line_open != 0) write_stderr("\n", 1);
    write_stderr(name_storage.data(), name_length);
    write_stderr(message, sizeof message - 1);
    ::_exit(exit_interrupted);
  }
  // The others end the process as they would without a handler (a shell sees 128 + sig).
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  ::sigaction(sig, &default_action, nullptr);
  sigset_t just_this;
  sigemptyset(&just_this);
  sigaddset(&just_this, sig);
  ::sigprocmask(SIG_UNBLOCK, &just_this, nullptr);
  ::raise(sig);
  errno = saved_errno;
}

}  // namespace

void set_program_name(std::string_view name) noexcept {
  name_length = std::min(name.size(), name_storage.size() - 1);
  std::memcpy(name_storage.data(), name.data(), name_length);
  name_storage[name_length] = '\0';
}

std::string_view program_name() noexcept {
  return {name_storage.data(), name_length};
}

void install_termination_handlers() {
  struct sigaction action {};
  action.sa_handler = on_termination_signal;
  // While one handler runs, the others wait: it ends the process before they matter.
  action.sa_mask = handled_set();
  for (const int s : handled_signals) {
    struct sigaction previous {};
    ::sigaction(s, nullptr, &previous);
    if (previous.sa_handler == SIG_IGN) continue;
    ::sigaction(s, &action, nullptr);
  }
}

void hold_termination_signals() noexcept {
  const sigset_t set = handled_set();
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
}

termination_signals_deferred::termination_signals_deferred() noexcept {
  const sigset_t set = handled_set();
  ::sigprocmask(SIG_BLOCK, &set, &previous_);
}

termination_signals_deferred::~termination_signals_deferred() {
  ::sigprocmask(SIG_SETMASK, &previous_, nullptr);
}

void set_progress_line_open(bool open) noexcept {
  line_open = open ? 1 : 0;
}

bool progress_line_open() noexcept {
  return line_open != 0;
}

std::size_t register_temporary(const char* path) {
  const std::size_t length = std::strlen(path);
  if (length >= PATH_MAX) {
    fail_io(fmt::format("{}: cannot write: {}", path, std::strerror(ENAMETOOLONG)));
  }
  for (std::size_t i = 0; i < temporaries.size(); ++i) {
    if (temporaries[i].used == 0) {
      std::memcpy(temporaries[i].path, path, length + 1);
      temporaries[i].used = 1;
      return i;
    }
  }
  fail_io(fmt::format("{}: cannot write: too many outputs at once", path));
}

void unregister_temporary(std::size_t slot) noexcept {
  if (slot < temporaries.size()) temporaries[slot].used = 0;
}

}  // namespace host_tools
