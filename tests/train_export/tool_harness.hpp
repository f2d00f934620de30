// Test helper: a scratch directory per test and a way to run the train_export binary in it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace train_export_test {

namespace fs = std::filesystem;

/// A fresh directory, deleted with everything in it when the object dies; tests run in
/// parallel under ctest, so each one gets its own.
class scratch_dir {
 public:
  scratch_dir() {
    std::string pattern = (fs::temp_directory_path() / "train_export_test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

  /// The names of every entry, hidden ones included: what a failed run must not add to.
  std::set<std::string> entries() const {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) names.insert(e.path().filename().string());
    return names;
  }

 private:
  fs::path path_;
};

inline void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct tool_result {
  int status = -1;         ///< the exit status, or -1 if the tool died from a signal
  int signal = 0;          ///< the signal that ended the tool, or 0
  bool timed_out = false;  ///< wait_tool_for gave up and killed it
  std::string out;
  std::string err;
};

/// Where a started tool's standard streams come from and go to, besides the defaults.
struct tool_streams {
  std::string stdin_path = "/dev/null";
  std::string stderr_device;  ///< open this (a terminal) as stderr instead of a file
  int stderr_fd = -1;         ///< or give it this descriptor (a pipe) as stderr
};

/// A train_export process started by start_tool, not yet waited for.
struct running_tool {
  pid_t pid = 0;
  fs::path out_file;
  fs::path err_file;  ///< empty when stderr went elsewhere (a terminal)
};

/// Starts the train_export binary (path from CMake) with `args` in directory `cwd`; stdin is
/// /dev/null, stdout and stderr go to temporary files, or stderr to `stderr_device` if given.
inline running_tool start_tool(const std::vector<std::string>& args, const fs::path& cwd,
                               const tool_streams& streams) {
  static int counter = 0;
  running_tool tool;
  tool.out_file =
      fs::temp_directory_path() /
      ("train_export_test_out_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
  const bool err_to_file = streams.stderr_device.empty() && streams.stderr_fd < 0;
  if (err_to_file) tool.err_file = tool.out_file.string() + ".err";

  std::vector<std::string> argv_strings{TRAIN_EXPORT_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, streams.stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, tool.out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  if (err_to_file) {
    posix_spawn_file_actions_addopen(&actions, 2, tool.err_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  } else if (streams.stderr_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, streams.stderr_fd, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, streams.stderr_device.c_str(), O_RDWR | O_NOCTTY,
                                     0);
  }
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  // The tool starts with default signal handling and nothing blocked, whatever a test ignores
  // (an ignored signal would stay ignored across exec).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  const int spawned =
      ::posix_spawn(&tool.pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start " + argv_strings[0]);
  return tool;
}

inline running_tool start_tool(const std::vector<std::string>& args, const fs::path& cwd,
                               const std::string& stderr_device = {}) {
  tool_streams streams;
  streams.stderr_device = stderr_device;
  return start_tool(args, cwd, streams);
}

inline tool_result collect(const running_tool& tool, int wait_status, bool timed_out) {
  tool_result r;
  r.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  r.signal = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
  r.timed_out = timed_out;
  r.out = read_file(tool.out_file);
  fs::remove(tool.out_file);
  if (!tool.err_file.empty()) {
    r.err = read_file(tool.err_file);
    fs::remove(tool.err_file);
  }
  return r;
}

inline tool_result wait_tool(const running_tool& tool) {
  int wait_status = 0;
  ::waitpid(tool.pid, &wait_status, 0);
  return collect(tool, wait_status, false);
}

/// wait_tool, but a tool still running after `limit` is killed and reported as timed out, so
/// a test of promptness fails instead of hanging.
inline tool_result wait_tool_for(const running_tool& tool, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int wait_status = 0;
  while (::waitpid(tool.pid, &wait_status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(tool.pid, SIGKILL);
      ::waitpid(tool.pid, &wait_status, 0);
      return collect(tool, wait_status, true);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return collect(tool, wait_status, false);
}

/// Runs train_export to completion with stdout and stderr captured (stderr is not a terminal).
inline tool_result run_tool(const std::vector<std::string>& args, const fs::path& cwd) {
  return wait_tool(start_tool(args, cwd));
}

inline fs::path fixture(const std::string& name) {
  return fs::path(TRAIN_EXPORT_FIXTURES) / name;
}

}  // namespace train_export_test
