#pragma once

namespace xstage::cli {

// Parses the command line, runs the command and returns the exit status. The
// one place that catches xstage::Error and prints "xstage: error: MESSAGE".
int run(int argc, char** argv);

} // namespace xstage::cli
