// The configure builder: `configure && make && make install` out of tree,
// in two dialects. Autotools scripts read the toolchain from CC/CXX/AR/...
// and --host; FFmpeg's configure takes --cc/--cxx and its own cross options,
// which the recipe spells (with @CROSS_PREFIX@ and @SYSROOT@).
#include <fmt/format.h>

#include "builders/builder.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::builders {

void build_configure(BuildContext& context, const StepPlan& step) {
  const auto& toolchain = context.toolchain;
  std::string style = option_string(step, "style", "autotools");
  fs::path source = step.source_dir / option_string(step, "subdir", "");
  fs::path build = context.work / "build" / step.name;
  fs::create_directories(build);

  std::map<std::string, std::string> env = toolchain::pkg_config_environment(toolchain, context.env);
  std::vector<std::string> configure = {(source / "configure").string(), "--prefix=" + context.env.prefix};
  if (style == "ffmpeg") {
    // The compilers as autotools gets them: confined to the sysroot (FFmpeg
    // links with its --cc too).
    std::map<std::string, std::string> compilers = toolchain::configure_environment(toolchain, context.env);
    configure.push_back("--cc=" + compilers.at("CC"));
    configure.push_back("--cxx=" + compilers.at("CXX"));
  } else if (style == "autotools") {
    env = toolchain::configure_environment(toolchain, context.env);
    configure.push_back("--host=" + toolchain::substitute("@TRIPLE@", toolchain, context.env));
  } else {
    throw Error(fmt::format("{}: unknown configure style '{}'; styles are autotools and ffmpeg",
                            context.recipe.file.string(), style));
  }
  for (std::string& arg : option_list(context, step, "configure_args")) {
    configure.push_back(std::move(arg));
  }
  for (auto& [name, value] : option_env(context, step)) {
    env[name] = value;
  }

  std::string jobs = "-j" + std::to_string(context.env.jobs);
  std::vector<std::string> make = {"make", jobs};
  for (std::string& arg : option_list(context, step, "make_args")) {
    make.push_back(std::move(arg));
  }
  run_command(context, step.name + ": configure", {configure, build, env, {}});
  run_command(context, step.name + ": make", {make, build, env, {}});
  run_command(context, step.name + ": install",
              {{"make", "install", "DESTDIR=" + context.destdir.string()}, build, env, {}});
}

} // namespace xstage::builders
