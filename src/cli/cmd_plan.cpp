// xstage plan [--format json]: the pipeline's stages in build order with
// parents and keys.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"

namespace xstage::cli {

void add_plan_command(CLI::App& app, const GlobalOptions& options) {
  auto* command = app.add_subcommand("plan", "List the stages in build order with their parents and keys");
  auto format = std::make_shared<std::string>("text");
  command->add_option("--format", *format, "text, or json (for CI: one object per stage)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->callback([&options, format] {
    Project project = load_project(options);
    auto keys = project.keys();
    const auto& stages = project.pipeline.stages();
    if (*format == "json") {
      // {"pipeline": NAME, "stages": [{"name", "builder", "parents", "key"}...]}
      // in build order, so a workflow can expose every key as a job output.
      nlohmann::json listed = nlohmann::json::array();
      for (const auto& recipe : stages) {
        listed.push_back({{"name", recipe.name},
                          {"builder", recipe.builder},
                          {"parents", recipe.parents},
                          {"key", keys.at(recipe.name).key}});
      }
      fmt::print("{}\n", nlohmann::json{{"pipeline", project.pipeline.name()}, {"stages", listed}}.dump());
      return;
    }
    std::size_t name_width = 5;
    std::size_t parents_width = 7;
    for (const auto& recipe : stages) {
      name_width = std::max(name_width, recipe.name.size());
      parents_width = std::max(parents_width, fmt::format("{}", fmt::join(recipe.parents, ",")).size());
    }
    fmt::print("pipeline {}: {} stages in build order\n", project.pipeline.name(), stages.size());
    for (const recipe::OptionSpec& spec : project.pipeline.options().specs()) {
      const machine_file::Value& value = project.pipeline.option_values().at(spec.name);
      bool is_default = value == spec.default_value;
      fmt::print("option {} = {}{}  ({})\n", spec.name, value.to_source(), is_default ? "" : " (set)",
                 spec.help);
    }
    fmt::print("{:<{}}  {:<9}  {:<{}}  {}\n", "stage", name_width, "builder", "parents", parents_width,
               "key");
    for (const auto& recipe : stages) {
      std::string parents = recipe.parents.empty() ? "-" : fmt::format("{}", fmt::join(recipe.parents, ","));
      fmt::print("{:<{}}  {:<9}  {:<{}}  {}\n", recipe.name, name_width, recipe.builder, parents,
                 parents_width, keys.at(recipe.name).key);
    }
  });
}

} // namespace xstage::cli
