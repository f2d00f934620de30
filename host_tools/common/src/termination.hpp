// Signals that end the tool: whatever it is doing, its temporary files go first.
#pragma once

#include <csignal>
#include <cstddef>
#include <string_view>

namespace host_tools {

/// The tool's name, which starts the interrupted message and names its temporary files
/// (`.NAME.XXXXXX`); "train_export" until set. Set it before installing the handlers. A name
/// longer than 31 bytes is cut there; the handler cannot allocate.
void set_program_name(std::string_view name) noexcept;
std::string_view program_name() noexcept;

/// Installs handlers for SIGINT and SIGTERM (print "NAME: interrupted", exit 130) and for SIGHUP,
/// SIGQUIT and SIGPIPE (end by the signal, as without a handler). Each handler first deletes
/// every registered temporary file, so it acts at once wherever the tool is: reading a FIFO,
/// in the middle of an epoch, writing outputs. A signal that was ignored when the tool started
/// (nohup, a background job) stays ignored.
void install_termination_handlers();

/// Blocks those signals for the rest of the process. Called just before the outputs are
/// renamed into place: from then on the run completes or rolls back, and is not cut short.
void hold_termination_signals() noexcept;

/// Blocks those signals for the lifetime of the object, restoring the previous mask after;
/// creating a temporary file and registering it must not be split by a signal.
class termination_signals_deferred {
 public:
  termination_signals_deferred() noexcept;
  ~termination_signals_deferred();
  termination_signals_deferred(const termination_signals_deferred&) = delete;
  termination_signals_deferred& operator=(const termination_signals_deferred&) = delete;

 private:
  sigset_t previous_;
};

/// Whether stderr's current line is a live progress line without its newline yet; any message,
/// including the signal handler's, then starts with a newline so it gets a line of its own.
void set_progress_line_open(bool open) noexcept;
bool progress_line_open() noexcept;

/// Records `path` for deletion if a signal ends the process; returns its slot. The path is
/// copied into static storage (the handler cannot allocate). Call with signals deferred.
/// Throws tool_error(io) naming `path` if it is too long or every slot is in use.
std::size_t register_temporary(const char* path);

/// Forgets a slot (the file was renamed or deleted). Call with signals deferred.
void unregister_temporary(std::size_t slot) noexcept;

}  // namespace host_tools
