// The cmake builder: a toolchain file rendered from the cross file per stage,
// Ninja, optional tests under the emulator (ctest), install into DESTDIR.
#include "builders/builder.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::builders {

void build_cmake(BuildContext& context, const StepPlan& step) {
  fs::path source = step.source_dir / option_string(step, "subdir", "");
  fs::path build = context.work / "build" / step.name;
  fs::create_directories(build);

  std::vector<std::string> configure = {
      "cmake",         "-G", "Ninja",        "-S",
      source.string(), "-B", build.string(), "-DCMAKE_INSTALL_PREFIX=" + context.env.prefix};
  std::map<std::string, std::string> env = option_env(context, step);
  if (option_flag(step, "native")) {
    // Built for the build machine: its own compilers, still through ccache.
    configure.push_back("-DCMAKE_C_COMPILER_LAUNCHER=ccache");
    configure.push_back("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache");
    if (step.index > 0) {
      // Later steps (Qt's modules after qtbase) find what earlier ones installed.
      configure.push_back("-DCMAKE_PREFIX_PATH=" +
                          (context.destdir / fs::path(context.env.prefix).relative_path()).string());
    }
  } else {
    std::string host_path =
        toolchain::substitute(option_string(step, "host_path", ""), context.toolchain, context.env);
    fs::path toolchain_file = context.work / (step.name + "-toolchain.cmake");
    util::write_file_atomically(toolchain_file,
                                toolchain::cmake_toolchain_file(context.toolchain, context.env, host_path));
    configure.push_back("-DCMAKE_TOOLCHAIN_FILE=" + toolchain_file.string());
  }
  for (std::string& arg : option_list(context, step, "cmake_args")) {
    configure.push_back(std::move(arg));
  }

  std::string jobs = std::to_string(context.env.jobs);
  run_command(context, step.name + ": configure", {configure, {}, env, {}});
  run_command(context, step.name + ": build",
              {{"cmake", "--build", build.string(), "-j", jobs}, {}, env, {}});
  if (option_flag(step, "test")) {
    run_command(context, step.name + ": test",
                {{"ctest", "--test-dir", build.string(), "--output-on-failure", "-j", jobs}, {}, env, {}});
  }
  env["DESTDIR"] = context.destdir.string();
  run_command(context, step.name + ": install", {{"cmake", "--install", build.string()}, {}, env, {}});
}

} // namespace xstage::builders
