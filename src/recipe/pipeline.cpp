#include "recipe/pipeline.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "recipe/options.hpp"
#include "util/error.hpp"
#include "util/inner_path.hpp"
#include "util/names.hpp"
#include "util/spelling.hpp"
#include "util/text_file.hpp"

namespace fs = std::filesystem;

namespace xstage::recipe {

namespace {

// Declares the pipeline's options; not a stage.
constexpr const char* k_options_file = "options.ini";

// A pipeline's source tables, each read once when a recipe first names it.
class SourceTables {
public:
  SourceTables(fs::path directory, std::string display)
      : m_directory(std::move(directory)), m_display(std::move(display)) {}

  const SourceTable* find(const std::string& name) {
    if (auto found = m_tables.find(name); found != m_tables.end()) {
      return &found->second;
    }
    std::vector<std::string> known = names();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return nullptr;
    }
    SourceTable table;
    table.display_path = fmt::format("{}/{}.ini", m_display, name);
    table.text = util::read_text_file(m_directory / (name + ".ini"), table.display_path);
    table.file.parse_text(table.text, table.display_path);
    return &m_tables.emplace(name, std::move(table)).first->second;
  }

  // The tables there are, by name, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> found;
    std::error_code error;
    for (fs::directory_iterator it(m_directory, error), end; !error && it != end; it.increment(error)) {
      if (it->is_regular_file() && it->path().extension() == ".ini") {
        found.push_back(it->path().stem().string());
      }
    }
    std::sort(found.begin(), found.end());
    return found;
  }

private:
  fs::path m_directory;
  std::string m_display;
  std::map<std::string, SourceTable> m_tables;
};

std::vector<std::string> stage_names(const std::vector<Recipe>& recipes) {
  std::vector<std::string> names;
  for (const Recipe& recipe : recipes) {
    names.push_back(recipe.name);
  }
  return names;
}

void check_references_exist(const std::vector<Recipe>& recipes) {
  std::vector<std::string> names = stage_names(recipes);
  for (const Recipe& recipe : recipes) {
    for (const std::string& parent : recipe.parents) {
      if (std::find(names.begin(), names.end(), parent) == names.end()) {
        throw Error(recipe.diagnostic(recipe.parents_location,
                                      fmt::format("unknown parent '{}' of stage '{}'{}", parent, recipe.name,
                                                  util::did_you_mean(parent, names))));
      }
    }
    if (!recipe.image) {
      continue;
    }
    for (const std::string& runtime : recipe.image->runtime) {
      if (runtime == recipe.name || std::find(names.begin(), names.end(), runtime) == names.end()) {
        throw Error(recipe.diagnostic(recipe.image->runtime_location,
                                      fmt::format("unknown runtime stage '{}' in the image of stage '{}'{}",
                                                  runtime, recipe.name, util::did_you_mean(runtime, names))));
      }
    }
  }
}

// Depth-first search in name order: a stage is emitted after its parents, and
// stages without an order between them come by name. A back edge is a cycle,
// reported with the path around it, located at the recipe that closes it.
class TopologicalSorter {
public:
  explicit TopologicalSorter(std::vector<Recipe>& recipes) {
    for (Recipe& recipe : recipes) {
      m_by_name[recipe.name] = &recipe;
    }
  }

  std::vector<Recipe> sort() {
    for (const auto& [name, recipe] : m_by_name) {
      visit(name);
    }
    std::vector<Recipe> sorted;
    for (const std::string& name : m_order) {
      sorted.push_back(std::move(*m_by_name.at(name)));
    }
    return sorted;
  }

private:
  void visit(const std::string& name) {
    if (m_done.count(name) != 0) {
      return;
    }
    auto on_path = std::find(m_path.begin(), m_path.end(), name);
    if (on_path != m_path.end()) {
      std::vector<std::string> cycle(on_path, m_path.end());
      cycle.push_back(name);
      const Recipe& closer = *m_by_name.at(m_path.back());
      throw Error(closer.diagnostic(closer.parents_location,
                                    fmt::format("dependency cycle: {}", fmt::join(cycle, " -> "))));
    }
    m_path.push_back(name);
    std::vector<std::string> parents = m_by_name.at(name)->parents;
    std::sort(parents.begin(), parents.end());
    for (const std::string& parent : parents) {
      visit(parent);
    }
    m_path.pop_back();
    m_done.insert(name);
    m_order.push_back(name);
  }

  std::map<std::string, Recipe*> m_by_name;
  std::vector<std::string> m_path;
  std::set<std::string> m_done;
  std::vector<std::string> m_order;
};

} // namespace

Pipeline Pipeline::from_recipes(std::string name, std::vector<Recipe> recipes) {
  check_references_exist(recipes);
  Pipeline pipeline;
  pipeline.m_name = std::move(name);
  pipeline.m_stages = TopologicalSorter(recipes).sort();
  pipeline.check_versions();
  return pipeline;
}

namespace {

// "6.8.2" -> "6.8": the release line of a dotted version.
std::string_view minor_line(std::string_view version) {
  size_t first = version.find('.');
  size_t second = first == std::string_view::npos ? first : version.find('.', first + 1);
  return version.substr(0, second);
}

} // namespace

// A target Qt module built with another version's host tools, or over a
// qtbase of another minor line, fails deep in its build, if at all; refuse
// it before anything runs. A stage whose version is its source's own (a
// module taken at an earlier patch tag than its table) may build over a
// newer patch of its minor line: Qt keeps patch releases compatible, and
// CMake's AnyNewerVersion accepts them.
void Pipeline::check_versions() const {
  for (const Recipe& recipe : m_stages) {
    std::vector<const Recipe*> ancestors = closure({recipe.name});
    for (const std::string& other : recipe.same_version_as) {
      auto found = std::find_if(ancestors.begin(), ancestors.end(), [&](const Recipe* ancestor) {
        return ancestor->name == other && ancestor != &recipe;
      });
      if (found == ancestors.end()) {
        throw Error(recipe.diagnostic(recipe.same_version_location,
                                      fmt::format("stage '{}' lists '{}' in same_version_as, but it is not "
                                                  "one of its ancestors",
                                                  recipe.name, other)));
      }
      const std::string& theirs = (*found)->version;
      bool accepted = recipe.version_from_source ? minor_line(theirs) == minor_line(recipe.version) &&
                                                       compare_versions(theirs, recipe.version) >= 0
                                                 : theirs == recipe.version;
      if (!accepted) {
        std::string needed = recipe.version_from_source
                                 ? fmt::format("it needs '{}' of the {} line at {} or newer", other,
                                               minor_line(recipe.version), recipe.version)
                                 : std::string("they must be the same version");
        throw Error(recipe.diagnostic(
            recipe.same_version_location,
            fmt::format("stage '{}' is version {}, but stage '{}' it builds with is version {}; {}",
                        recipe.name, recipe.version, other, theirs.empty() ? std::string("unset") : theirs,
                        needed)));
      }
    }
  }
}

namespace {

// Reads each <stage>.lock beside the recipes into its `debian` stage. A lock
// that no debian stage owns is an error: it would pin nothing, silently.
void attach_locks(const fs::path& directory, const std::string& pipeline, std::vector<Recipe>& recipes) {
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    if (entry.path().extension() != ".lock") {
      continue;
    }
    std::string display = fmt::format("recipes/{}/{}", pipeline, entry.path().filename().string());
    std::string stage = entry.path().stem().string();
    auto owner = std::find_if(recipes.begin(), recipes.end(),
                              [&](const Recipe& recipe) { return recipe.name == stage; });
    if (owner == recipes.end() || owner->builder != "debian") {
      throw Error(fmt::format("{} locks no stage: there is no recipes/{}/{}.ini with builder 'debian'",
                              display, pipeline, stage));
    }
    owner->lock = parse_debian_lock(util::read_text_file(entry.path(), display), display);
  }
}

} // namespace

namespace {

// A checkout's recipes, locks and tables are read only from the checkout: a
// symlink in it that leads out (to /etc/shadow, to a CI secret) is refused
// before it is read, since errors quote the line they are about.
void refuse_links_out(const fs::path& project_root, const fs::path& directory, const std::string& display) {
  std::error_code error;
  if (!util::resolves_inside(project_root, directory)) {
    throw Error(fmt::format("{} leads out of the project (to {}); refusing to read it", display,
                            fs::weakly_canonical(directory, error).string()));
  }
  for (fs::recursive_directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    if (it->is_symlink() && !util::resolves_inside(project_root, it->path())) {
      throw Error(fmt::format("{}/{} is a symlink out of the project (to {}); refusing to read it", display,
                              it->path().lexically_relative(directory).string(),
                              fs::weakly_canonical(it->path(), error).string()));
    }
  }
}

} // namespace

Pipeline Pipeline::load(const fs::path& project_root, const std::string& name,
                        const std::vector<std::string>& settings) {
  fs::path directory = project_root / "recipes" / name;
  if (!util::is_name(name) || !fs::is_directory(directory)) {
    std::vector<std::string> known = available(project_root);
    throw Error(fmt::format("unknown pipeline '{}' (no directory recipes/{}){}; pipelines: {}", name, name,
                            util::did_you_mean(name, known), fmt::join(known, ", ")));
  }
  refuse_links_out(project_root, directory, fmt::format("recipes/{}", name));
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".ini" &&
        entry.path().filename() != k_options_file) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    throw Error(fmt::format("pipeline '{}' has no recipes (no recipes/{}/*.ini)", name, name));
  }
  PipelineOptions options =
      PipelineOptions::load(directory / k_options_file, fmt::format("recipes/{}/{}", name, k_options_file));
  RecipeInputs inputs;
  inputs.options = options.resolve(settings);
  SourceTables tables(directory / "sources", fmt::format("recipes/{}/sources", name));
  inputs.table = [&tables](const std::string& table) { return tables.find(table); };
  inputs.table_names = tables.names();
  // Every table is read now, not only the ones this run's options select: a
  // mistake in the table of another version fails today, not the day
  // someone switches to it.
  for (const std::string& table : inputs.table_names) {
    tables.find(table);
  }
  std::vector<Recipe> recipes;
  for (const fs::path& file : files) {
    recipes.push_back(
        load_recipe(file, fmt::format("recipes/{}/{}", name, file.filename().string()), inputs));
  }
  attach_locks(directory, name, recipes);
  Pipeline pipeline = from_recipes(name, std::move(recipes));
  pipeline.m_options = std::move(options);
  pipeline.m_option_values = std::move(inputs.options);
  return pipeline;
}

const Recipe& Pipeline::stage(const std::string& name) const {
  for (const Recipe& recipe : m_stages) {
    if (recipe.name == name) {
      return recipe;
    }
  }
  std::vector<std::string> names = stage_names(m_stages);
  throw Error(fmt::format("unknown stage '{}' in pipeline '{}'{}; stages: {}", name, m_name,
                          util::did_you_mean(name, names), fmt::join(names, ", ")));
}

std::vector<const Recipe*> Pipeline::closure(const std::vector<std::string>& names) const {
  std::set<std::string> wanted;
  std::vector<std::string> pending = names;
  if (names.empty()) {
    pending = stage_names(m_stages);
  }
  while (!pending.empty()) {
    std::string name = pending.back();
    pending.pop_back();
    if (wanted.insert(name).second) {
      const Recipe& recipe = stage(name);
      pending.insert(pending.end(), recipe.parents.begin(), recipe.parents.end());
    }
  }
  std::vector<const Recipe*> ordered;
  for (const Recipe& recipe : m_stages) {
    if (wanted.count(recipe.name) != 0) {
      ordered.push_back(&recipe);
    }
  }
  return ordered;
}

std::vector<std::string> Pipeline::available(const fs::path& project_root) {
  std::vector<std::string> names;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(project_root / "recipes", error)) {
    if (entry.is_directory()) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace xstage::recipe
