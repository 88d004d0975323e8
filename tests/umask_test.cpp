// The umask a build's commands see is k_build_umask, even while other threads
// make libarchive disk writers and extract layers through them (libarchive
// sets the umask to 0 and back for each writer and each entry): the modes of
// the directories a build makes end up in its layer.
#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <archive.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "layer/layer.hpp"
#include "process/spawn.hpp"
#include "test_support.hpp"
#include "util/umask.hpp"

using xstage::util::k_build_umask;

namespace {

// Makes and frees disk writers until `done`, as extractions on other stages'
// threads do.
void churn_disk_writers(const std::atomic<bool>& done) {
  while (!done) {
    archive* writer = xstage::util::under_umask_lock(archive_write_disk_new);
    archive_write_free(writer);
  }
}

// Extracts a layer of many entries again and again until `done`, as stages
// starting beside each other extract their sysroots.
void churn_extractions(const std::atomic<bool>& done, const std::filesystem::path& layer,
                       const xstage::layer::LayerInfo& info, const std::filesystem::path& scratch) {
  for (int round = 0; !done; ++round) {
    std::filesystem::path root = scratch / std::to_string(round);
    xstage::layer::PathOwners owners;
    xstage::layer::extract_layer(layer, info, root, "churn", owners);
    std::filesystem::remove_all(root);
  }
}

// Starts 40 children while `churners` run, stops the churners, then checks
// that every child and the process itself had the build umask.
void check_umask_kept(std::vector<std::thread>& churners, std::atomic<bool>& done) {
  xstage::process::SpawnRunner runner;
  std::set<std::string> seen;
  for (int i = 0; i < 40; ++i) {
    seen.insert(runner.run({"sh", "-c", "umask"}).output);
  }
  done = true;
  for (std::thread& churner : churners) {
    churner.join();
  }
  CHECK(seen == std::set<std::string>{"0022\n"});
  mode_t after = ::umask(k_build_umask);
  CHECK(after == k_build_umask);
}

} // namespace

TEST_CASE("children and the process keep the build umask while layers are extracted", "[umask]") {
  xstage::util::set_build_umask();
  std::filesystem::path dir = xstage::test::make_temp_dir("umask");
  for (int i = 0; i < 300; ++i) {
    xstage::test::write_file(dir / "tree" / ("d" + std::to_string(i % 30)) / ("f" + std::to_string(i)), "x");
  }
  xstage::layer::LayerInfo info = xstage::layer::write_layer(dir / "tree", dir / "layer.tar.zst");
  std::atomic<bool> done{false};
  std::vector<std::thread> churners;
  for (int i = 0; i < 2; ++i) {
    churners.emplace_back(churn_extractions, std::cref(done), dir / "layer.tar.zst", std::cref(info),
                          dir / ("out" + std::to_string(i)));
  }
  check_umask_kept(churners, done);
}

TEST_CASE("children and the process keep the build umask while disk writers are made", "[umask]") {
  xstage::util::set_build_umask();
  std::atomic<bool> done{false};
  std::vector<std::thread> churners;
  for (int i = 0; i < 3; ++i) {
    churners.emplace_back(churn_disk_writers, std::cref(done));
  }
  check_umask_kept(churners, done);
}
