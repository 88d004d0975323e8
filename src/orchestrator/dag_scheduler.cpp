#include "orchestrator/dag_scheduler.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "util/error.hpp"

namespace xstage::orchestrator {

namespace {

enum class Phase { waiting, running, finished };

} // namespace

std::vector<TaskResult> run_dag(const std::vector<DagTask>& tasks, DagBudget budget,
                                const std::function<void(std::size_t, int)>& run, const DagHooks& hooks) {
  const std::size_t count = tasks.size();
  for (std::size_t task = 0; task < count; ++task) {
    for (std::size_t parent : tasks[task].parents) {
      if (parent >= task) {
        throw Error(fmt::format("task {} waits for task {}, which is not before it", task, parent));
      }
    }
  }
  std::vector<TaskResult> results(count);
  std::vector<Phase> phases(count, Phase::waiting);
  std::vector<int> shares(count, 0);
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::condition_variable changed;
  const int all_slots = std::max(1, budget.jobs);
  int free_slots = all_slots;
  const std::size_t max_running = budget.max_tasks > 0 ? static_cast<std::size_t>(budget.max_tasks)
                                                       : std::numeric_limits<std::size_t>::max();
  std::size_t running = 0;
  std::size_t ended = 0; // tasks ended so far: the change the loop waits for
  bool failed = false;

  auto is_ready = [&](std::size_t task) {
    return phases[task] == Phase::waiting &&
           std::all_of(tasks[task].parents.begin(), tasks[task].parents.end(), [&](std::size_t parent) {
             return phases[parent] == Phase::finished && results[parent].state == TaskState::done;
           });
  };

  auto worker = [&](std::size_t task, int share) {
    TaskResult result{TaskState::done, ""};
    try {
      run(task, share);
    } catch (const std::exception& error) {
      result = {TaskState::failed, error.what()};
    } catch (...) {
      result = {TaskState::failed, "unknown error"};
    }
    std::lock_guard lock(mutex);
    results[task] = std::move(result);
    phases[task] = Phase::finished;
    free_slots += shares[task];
    --running;
    ++ended;
    failed = failed || results[task].state == TaskState::failed;
    changed.notify_all();
  };

  // Called with the lock held; `held` slots come back when the task ends.
  auto start = [&](std::size_t task, int held, int jobs_told) {
    shares[task] = held;
    free_slots -= held;
    phases[task] = Phase::running;
    ++running;
    threads.emplace_back(worker, task, jobs_told);
  };

  std::unique_lock lock(mutex);
  while (true) {
    if (!failed && !hooks.stop_requested()) {
      std::vector<std::size_t> ready; // the ones that take slots
      for (std::size_t task = 0; task < count && running < max_running; ++task) {
        if (!is_ready(task)) {
          continue;
        }
        if (tasks[task].takes_slots) {
          ready.push_back(task);
        } else {
          start(task, 0, all_slots);
        }
      }
      for (std::size_t i = 0; i < ready.size() && free_slots > 0 && running < max_running; ++i) {
        std::size_t startable = std::min(ready.size() - i, max_running - running);
        int share = std::max(1, free_slots / static_cast<int>(startable));
        start(ready[i], share, share);
      }
    }
    if (running == 0) {
      break; // nothing runs, so nothing more can become ready
    }
    std::size_t seen = ended;
    if (!changed.wait_for(lock, hooks.tick_interval, [&] { return ended != seen; })) {
      lock.unlock();
      hooks.tick();
      lock.lock();
    }
  }
  lock.unlock();
  for (std::thread& thread : threads) {
    thread.join();
  }
  return results;
}

} // namespace xstage::orchestrator
