#include "orchestrator/stage_lock.hpp"

#include <chrono>
#include <memory>
#include <random>
#include <sstream>

#include <unistd.h>

#include <fmt/format.h>

#include "process/leftovers.hpp"

namespace fs = std::filesystem;

namespace xstage::orchestrator {

namespace {

// How long leftovers of a killed run get to be gone after SIGKILL.
constexpr int k_leftover_grace_ms = 5000;

std::string new_token() {
  std::random_device random;
  return fmt::format("{}-{:08x}{:08x}", ::getpid(), random(), random());
}

// The value of "NAME VALUE" in a record, or "".
std::string record_field(const std::string& record, const std::string& name) {
  std::istringstream lines(record);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(name + " ")) {
      return line.substr(name.size() + 1);
    }
  }
  return "";
}

} // namespace

fs::path stage_lock_path(const fs::path& work) {
  return fs::path(work.string() + ".lock");
}

StageLock::StageLock(const fs::path& work) : m_file(stage_lock_path(work)), m_token(new_token()) {}

StageLock::StageLock(const fs::path& work, const std::function<void(long pid)>& waiting,
                     const std::function<bool()>& stop)
    : StageLock(work) {
  m_file.lock(util::FileLock::Mode::exclusive, stop, fmt::format("the lock {}", m_file.path().string()), [&] {
    long pid = 0;
    try {
      pid = std::stol(record_field(m_file.record(), "pid"));
    } catch (const std::exception&) {
      // no record yet: the holder has only just taken the lock
    }
    waiting(pid);
  });
  take_over();
}

std::unique_ptr<StageLock> StageLock::try_take(const fs::path& work) {
  std::unique_ptr<StageLock> lock(new StageLock(work));
  if (!lock->m_file.try_lock(util::FileLock::Mode::exclusive)) {
    return nullptr;
  }
  lock->take_over();
  return lock;
}

void StageLock::take_over() {
  // A record left behind is a holder that never released: killed, so
  // what it started may still run and write into the directory.
  std::string previous = record_field(m_file.record(), "token");
  m_leftovers = process::stop_tagged_processes(previous, k_leftover_grace_ms);
  m_file.write_record(fmt::format("pid {}\ntoken {}\n", ::getpid(), m_token));
}

StageLock::~StageLock() {
  try {
    m_file.write_record("");
  } catch (...) {
    // The lock is released with the descriptor anyway; a record left
    // behind only makes the next holder look for leftovers.
  }
  m_file.unlock();
}

} // namespace xstage::orchestrator
