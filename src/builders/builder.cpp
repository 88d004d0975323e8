#include "builders/builder.hpp"

#include <fstream>

#include <fmt/format.h>

#include "util/error.hpp"

namespace xstage::builders {

using machine_file::Value;

std::vector<StepPlan> plan_steps(const BuildContext& context) {
  const recipe::Recipe& recipe = context.recipe;
  auto source_dir = [&](const std::string& name) {
    auto found = context.sources.find(name);
    return found == context.sources.end() ? std::filesystem::path() : found->second;
  };
  if (recipe.steps.empty()) {
    std::string source = recipe.sources.empty() ? std::string() : recipe.sources.front().name;
    return {StepPlan{recipe.builder, source_dir(source), recipe.options}};
  }
  std::vector<StepPlan> steps;
  for (const recipe::Step& step : recipe.steps) {
    StepPlan plan{step.name, source_dir(step.source), recipe.options, static_cast<int>(steps.size())};
    for (const auto& [key, value] : step.options) {
      auto& merged = plan.options[key];
      if (value.is_array() && merged.is_array()) {
        Value::Array items = merged.as_array();
        items.insert(items.end(), value.as_array().begin(), value.as_array().end());
        merged = Value(items);
      } else {
        merged = value;
      }
    }
    steps.push_back(std::move(plan));
  }
  return steps;
}

bool runs_compilers(const recipe::Recipe& recipe) {
  return recipe.builder != "debian";
}

void run_builder(BuildContext& context) {
  using Builder = void (*)(BuildContext&, const StepPlan&);
  static const std::map<std::string, Builder> builders = {
      {"debian", build_debian},
      {"configure", build_configure},
      {"cmake", build_cmake},
      {"meson", build_meson},
  };
  Builder builder = builders.at(context.recipe.builder); // the recipe validator checked the name
  for (const StepPlan& step : plan_steps(context)) {
    builder(context, step);
  }
}

void run_command(BuildContext& context, const std::string& step, process::Invocation invocation) {
  if (context.on_step) {
    context.on_step(step);
  }
  invocation.log = context.log;
  for (const auto& [name, value] : context.common_env) {
    invocation.env.emplace(name, value); // the step's own value wins
  }
  {
    std::ofstream log(context.log, std::ios::app);
    log << "\n$ " << process::quote_command(invocation.argv) << "\n";
    if (!invocation.cwd.empty()) {
      log << "  (in " << invocation.cwd.string() << ")\n";
    }
    log.flush();
  }
  process::CommandResult result;
  try {
    result = context.runner.run(invocation);
  } catch (const Error& error) {
    throw Error(fmt::format("stage '{}': {}: {}", context.recipe.name, step, error.what()));
  }
  if (result.exit_code != 0) {
    throw Error(fmt::format("stage '{}': {} failed: `{}` exited with {}", context.recipe.name, step,
                            process::quote_command(invocation.argv), result.exit_code));
  }
}

std::string option_string(const StepPlan& step, const std::string& key, const std::string& fallback) {
  auto found = step.options.find(key);
  return found == step.options.end() ? fallback : found->second.as_string();
}

std::vector<std::string> option_list(const BuildContext& context, const StepPlan& step,
                                     const std::string& key) {
  std::vector<std::string> items;
  auto found = step.options.find(key);
  if (found != step.options.end()) {
    for (const Value& item : found->second.as_array()) {
      items.push_back(toolchain::substitute(item.as_string(), context.toolchain, context.env));
    }
  }
  return items;
}

bool option_flag(const StepPlan& step, const std::string& key) {
  auto found = step.options.find(key);
  return found != step.options.end() && found->second.as_bool();
}

std::map<std::string, std::string> option_env(const BuildContext& context, const StepPlan& step) {
  std::map<std::string, std::string> env;
  for (const std::string& entry : option_list(context, step, "env")) {
    auto equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw Error(fmt::format("{}: 'env' entries must look like NAME=value, got '{}'",
                              context.recipe.file.string(), entry));
    }
    env[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  return env;
}

} // namespace xstage::builders
