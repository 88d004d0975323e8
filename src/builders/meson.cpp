// The meson builder: cross/aarch64.ini plus a per-stage overlay (sys_root,
// pkg_config_libdir, exe_wrapper pointed at the sysroot); `meson test` runs
// the project's tests through the exe_wrapper.
#include "builders/builder.hpp"
#include "util/atomic_file.hpp"

namespace fs = std::filesystem;

namespace xstage::builders {

void build_meson(BuildContext& context, const StepPlan& step) {
  fs::path source = step.source_dir / option_string(step, "subdir", "");
  fs::path build = context.work / "build" / step.name;
  fs::path overlay = context.work / (step.name + "-overlay.ini");
  util::write_file_atomically(overlay, toolchain::meson_overlay(context.toolchain, context.env));
  std::vector<std::string> setup = {"meson", "setup"};
  for (const fs::path& file : context.toolchain.files) {
    setup.push_back("--cross-file=" + file.string());
  }
  setup.push_back("--cross-file=" + overlay.string());
  setup.push_back("--prefix=" + context.env.prefix);
  for (std::string& arg : option_list(context, step, "meson_args")) {
    setup.push_back(std::move(arg));
  }
  setup.push_back(build.string());
  setup.push_back(source.string());

  std::map<std::string, std::string> env = option_env(context, step);
  std::string jobs = std::to_string(context.env.jobs);
  run_command(context, step.name + ": setup", {setup, {}, env, {}});
  run_command(context, step.name + ": compile",
              {{"meson", "compile", "-C", build.string(), "-j", jobs}, {}, env, {}});
  if (option_flag(step, "test")) {
    run_command(context, step.name + ": test",
                {{"meson", "test", "-C", build.string(), "--print-errorlogs"}, {}, env, {}});
  }
  run_command(
      context, step.name + ": install",
      {{"meson", "install", "-C", build.string(), "--destdir", context.destdir.string()}, {}, env, {}});
}

} // namespace xstage::builders
