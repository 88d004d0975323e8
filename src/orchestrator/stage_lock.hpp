#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "util/file_lock.hpp"

namespace xstage::orchestrator {

// The lock a build holds on a stage's work directory, so that two xstage
// processes sharing a work root (two checkouts of one project, the
// ordinary case for one user) never build into the same directory at once.
//
// It is <work>.lock, beside the directory (which builds empty and gc
// trims). Its record names the holder ("pid N", "token T"); a holder that
// finishes, fails or is interrupted empties it. A record left behind means
// the holder was killed: the next holder stops whatever still carries its
// token (process::k_token_variable), before touching the directory.
class StageLock {
public:
  // Takes the lock of `work`. When another process holds it, `waiting` is
  // called once with that holder's pid (0 when unknown) and the lock is
  // waited for, asking `stop` as FileLock::lock does. Throws xstage::Error.
  StageLock(const std::filesystem::path& work, const std::function<void(long pid)>& waiting,
            const std::function<bool()>& stop);
  // Empties the record and releases the lock.
  ~StageLock();
  StageLock(const StageLock&) = delete;
  StageLock& operator=(const StageLock&) = delete;

  // The value of process::k_token_variable for this holder's commands.
  const std::string& token() const { return m_token; }

  // How many processes of a killed earlier holder were stopped.
  std::size_t leftovers_stopped() const { return m_leftovers; }

  // Takes the lock of `work` only if it is free at once (for gc).
  static std::unique_ptr<StageLock> try_take(const std::filesystem::path& work);

private:
  explicit StageLock(const std::filesystem::path& work);
  void take_over();

  util::FileLock m_file;
  std::string m_token;
  std::size_t m_leftovers = 0;
};

// <work>.lock for the work directory `work`.
std::filesystem::path stage_lock_path(const std::filesystem::path& work);

} // namespace xstage::orchestrator
