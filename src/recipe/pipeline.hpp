#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "recipe/options.hpp"
#include "recipe/recipe.hpp"

namespace xstage::recipe {

// A directory of recipes forming a DAG: recipes/<name>/<stage>.ini.
class Pipeline {
public:
  // Loads and validates every *.ini under `project_root`/recipes/`name`.
  // Throws xstage::Error for an unknown pipeline (listing the known ones), any
  // invalid recipe, an unknown parent (located at the recipe's `parents` line)
  // and a dependency cycle (naming the stages around it).
  //
  // `settings` (NAME=VALUE, from -D) set the pipeline's options, declared in
  // recipes/<name>/options.ini; recipes read them as predefined constants.
  // Source tables are read from recipes/<name>/sources/<table>.ini.
  static Pipeline load(const std::filesystem::path& project_root, const std::string& name,
                       const std::vector<std::string>& settings = {});

  // Builds a pipeline from recipes already parsed (for tests); same checks.
  static Pipeline from_recipes(std::string name, std::vector<Recipe> recipes);

  const std::string& name() const { return m_name; }

  // The declared options and the value of each in effect.
  const PipelineOptions& options() const { return m_options; }
  const std::map<std::string, machine_file::Value>& option_values() const { return m_option_values; }

  // Recipes in build order: every parent before its children; ties broken
  // by stage name, so the order is stable.
  const std::vector<Recipe>& stages() const { return m_stages; }

  // The named stage; throws xstage::Error with a "did you mean" hint.
  const Recipe& stage(const std::string& name) const;

  // `names` and all their ancestors, in build order. An empty list means
  // every stage.
  std::vector<const Recipe*> closure(const std::vector<std::string>& names) const;

  // The pipelines available under `project_root`/recipes, sorted.
  static std::vector<std::string> available(const std::filesystem::path& project_root);

private:
  // Every stage's same_version_as ancestors have its version.
  void check_versions() const;

  std::string m_name;
  std::vector<Recipe> m_stages;
  PipelineOptions m_options;
  std::map<std::string, machine_file::Value> m_option_values;
};

} // namespace xstage::recipe
