#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "recipe/recipe.hpp"

namespace xstage::recipe {

// A directory of recipes forming a DAG: recipes/<name>/<stage>.ini.
class Pipeline {
public:
  // Loads and validates every *.ini under `project_root`/recipes/`name`.
  // Throws xstage::Error for an unknown pipeline (listing the known ones), any
  // invalid recipe, an unknown parent (located at the recipe's `parents` line)
  // and a dependency cycle (naming the stages around it).
  static Pipeline load(const std::filesystem::path& project_root, const std::string& name);

  // Builds a pipeline from recipes already parsed (for tests); same checks.
  static Pipeline from_recipes(std::string name, std::vector<Recipe> recipes);

  const std::string& name() const { return m_name; }

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
  std::string m_name;
  std::vector<Recipe> m_stages;
};

} // namespace xstage::recipe
