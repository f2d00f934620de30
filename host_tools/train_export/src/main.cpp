// Entry point of train_export: turns Ctrl-C into a clean stop, then runs the tool.
#include <csignal>

#include "run.hpp"
#include "training.hpp"

namespace {

// Stopping between epochs lets the output transaction delete its temporary files; dying at
// once would leave them behind.
extern "C" void request_stop(int) {
  train_export::stop_requested.store(true);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  return train_export::run(argc, argv);
}
