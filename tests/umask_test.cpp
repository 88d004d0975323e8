// The umask a build's commands see is k_build_umask, even while other threads
// make libarchive disk writers (which set the umask to 0 and back): the
// modes of the directories a build makes end up in its layer.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <archive.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "process/spawn.hpp"
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

} // namespace

TEST_CASE("children and the process keep the build umask while disk writers are made", "[umask]") {
  xstage::util::set_build_umask();
  std::atomic<bool> done{false};
  std::vector<std::thread> churners;
  for (int i = 0; i < 3; ++i) {
    churners.emplace_back(churn_disk_writers, std::cref(done));
  }
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
