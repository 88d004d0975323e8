// Locks between xstage processes: the file lock, a stage's work-directory
// lock (waiting, leftovers of a killed holder), emptying and trimming work
// directories.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "orchestrator/stage_lock.hpp"
#include "orchestrator/work_dir.hpp"
#include "process/leftovers.hpp"
#include "test_support.hpp"
#include "util/error.hpp"
#include "util/file_lock.hpp"

namespace fs = std::filesystem;
using xstage::orchestrator::StageLock;
using xstage::test::make_temp_dir;
using xstage::test::read_file;
using xstage::test::write_file;
using xstage::util::FileLock;

TEST_CASE("a file lock excludes a second holder until it is released", "[orchestrator]") {
  fs::path dir = make_temp_dir("file-lock");
  FileLock first(dir / "sub" / "lock");
  REQUIRE(first.try_lock(FileLock::Mode::exclusive));
  FileLock second(dir / "sub" / "lock");
  CHECK_FALSE(second.try_lock(FileLock::Mode::shared));
  CHECK_THROWS_WITH(second.lock(
                        FileLock::Mode::exclusive, [] { return true; }, "the first"),
                    "interrupted while waiting for the first");
  first.write_record("pid 1\n");
  CHECK(second.record() == "pid 1\n");
  first.unlock();
  CHECK(second.try_lock(FileLock::Mode::shared));
  FileLock third(dir / "sub" / "lock");
  CHECK(third.try_lock(FileLock::Mode::shared)); // shared with shared
  CHECK_FALSE(first.try_lock(FileLock::Mode::exclusive));
}

TEST_CASE("a second build of a stage waits for the first, told its pid", "[orchestrator]") {
  fs::path dir = make_temp_dir("stage-lock");
  auto holder = std::make_unique<StageLock>(
      dir / "work/demo/app", [](long) { FAIL("waited"); }, [] { return false; });
  CHECK(read_file(dir / "work/demo/app.lock").starts_with("pid " + std::to_string(::getpid()) + "\n"));
  std::atomic<long> told{-1};
  std::atomic<bool> taken{false};
  std::thread second([&] {
    StageLock lock(
        dir / "work/demo/app", [&](long pid) { told = pid; }, [] { return false; });
    taken = true;
  });
  while (told == -1) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(told == ::getpid());
  CHECK_FALSE(taken);
  holder.reset();
  second.join();
  CHECK(taken);
  CHECK(read_file(dir / "work/demo/app.lock").empty()); // released cleanly
}

TEST_CASE("the next holder stops what a killed holder left running", "[orchestrator]") {
  fs::path dir = make_temp_dir("stage-leftovers");
  const std::string token = "killed-" + std::to_string(::getpid());
  write_file(dir / "app.lock", "pid 999999\ntoken " + token + "\n");
  std::string variable = std::string(xstage::process::k_token_variable) + "=" + token;
  char* argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"), const_cast<char*>("sleep 60"), nullptr};
  char* envp[] = {variable.data(), const_cast<char*>("PATH=/usr/bin:/bin"), nullptr};
  pid_t orphan = 0;
  REQUIRE(::posix_spawn(&orphan, "/bin/sh", nullptr, nullptr, argv, envp) == 0);
  // Until the exec is done, /proc shows an empty environment.
  for (int tries = 0; tries < 200 && read_file("/proc/" + std::to_string(orphan) + "/environ").empty();
       ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  StageLock lock(
      dir / "app", [](long) {}, [] { return false; });
  CHECK(lock.leftovers_stopped() >= 1);
  int status = 0;
  REQUIRE(::waitpid(orphan, &status, 0) == orphan);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  CHECK(xstage::process::stop_tagged_processes(lock.token(), 100) == 0);
}

TEST_CASE("a work directory is emptied but for its kept sysroot and log; gc skips a held one",
          "[orchestrator]") {
  fs::path dir = make_temp_dir("work-dir");
  for (const char* stage : {"app", "ffmpeg"}) {
    fs::path work = dir / "work/demo" / stage;
    write_file(work / "sysroot/usr/lib/libz.so", "z");
    write_file(work / "sysroot.json", "{}");
    write_file(work / "build.log", "log");
    write_file(work / "src/main.c", std::string(1000, 'c'));
    write_file(work / "build/main.o", std::string(500, 'o'));
  }
  StageLock held(
      dir / "work/demo/ffmpeg", [](long) {}, [] { return false; });
  xstage::orchestrator::WorkTrim trim = xstage::orchestrator::trim_work_root(dir / "work");
  CHECK(trim.trimmed == 1);
  CHECK(trim.busy == 1);
  CHECK(trim.bytes_freed == 1500);
  CHECK(fs::exists(dir / "work/demo/app/sysroot/usr/lib/libz.so"));
  CHECK(fs::exists(dir / "work/demo/app/build.log"));
  CHECK_FALSE(fs::exists(dir / "work/demo/app/src"));
  CHECK(fs::exists(dir / "work/demo/ffmpeg/src/main.c"));
  CHECK(xstage::orchestrator::clear_work_dir(dir / "work/demo/ffmpeg", "ffmpeg", false) == 1503);
  CHECK_FALSE(fs::exists(dir / "work/demo/ffmpeg/build.log"));
  CHECK(fs::exists(dir / "work/demo/ffmpeg/sysroot.json"));
}
