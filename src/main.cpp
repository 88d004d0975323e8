// The xstage program: everything lives in the library; this only forwards.
#include "cli/cli.hpp"

int main(int argc, char** argv) {
  return xstage::cli::run(argc, argv);
}
