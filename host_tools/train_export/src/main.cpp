// Entry point of train_export: makes signals clean up first, then runs the tool.
#include "run.hpp"
#include "host_tools.hpp"

int main(int argc, char** argv) {
  train_export::install_termination_handlers();
  return train_export::run(argc, argv);
}
