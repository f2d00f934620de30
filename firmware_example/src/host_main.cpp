// The host build of the firmware example: the same application, printing to stdout.
#include "app.hpp"

int main() {
  return fw::run_example();
}
