#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace xstage::orchestrator {

// How one task of a scheduled DAG ended.
enum class TaskState {
  done,    // ran and returned
  failed,  // ran and threw
  skipped, // never started: an earlier failure or a stop request came first
};

struct TaskResult {
  TaskState state = TaskState::skipped;
  std::string error; // what() of the exception, for a failed task
};

struct DagTask {
  std::vector<std::size_t> parents; // tasks it waits for; each before it
  // False for a task that runs no compiler (extracting Debian packages is
  // downloads and disk): it starts as soon as it is ready, beside the
  // compiling tasks, and holds no slot.
  bool takes_slots = true;
};

struct DagBudget {
  int jobs = 1;      // job slots shared by the running tasks
  int max_tasks = 0; // tasks running at once at most; 0: no limit but the slots
};

struct DagHooks {
  // Asked before each start; true stops new starts (running tasks finish).
  std::function<bool()> stop_requested = [] { return false; };
  // Called from the scheduling thread about every `tick_interval` while
  // tasks run, so a caller can show elapsed times. Must not throw.
  std::function<void()> tick = [] {};
  std::chrono::milliseconds tick_interval{1000};
};

// Runs every task of a DAG, each on a thread of its own once all its parents
// are done, within a budget of job slots.
//
// A task's parents must come before it (the order is topological). A task
// that takes slots starts with a share of the free slots,
// max(1, free / startable), which it is told as `jobs` and keeps until it
// ends: one ready task gets the whole budget, two get half each. With
// `max_tasks` 1 the tasks run one after another, each with every slot. A
// task that takes no slot is told the whole budget. The tools xstage
// drives take a fixed -j (ninja, which most stages build with, has no
// jobserver client in Debian bookworm), so a share cannot grow later.
//
// A task fails by throwing. After a failure no task starts, the running ones
// finish, and every other task is reported skipped, so a caller can name
// every failure at once. The result has one entry per task, in order.
std::vector<TaskResult> run_dag(const std::vector<DagTask>& tasks, DagBudget budget,
                                const std::function<void(std::size_t task, int jobs)>& run,
                                const DagHooks& hooks = {});

} // namespace xstage::orchestrator
