// run_dag: the order, the job shares, overlap of independent tasks, and what
// a failure stops.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "orchestrator/dag_scheduler.hpp"
#include "util/error.hpp"

using namespace xstage;
using orchestrator::TaskState;

namespace {

// Counts how many tasks run at once, and the most there ever were.
struct Concurrency {
  std::atomic<int> now{0};
  std::atomic<int> most{0};

  void enter() {
    int running = ++now;
    int seen = most.load();
    while (running > seen && !most.compare_exchange_weak(seen, running)) {
    }
  }
  void leave() { --now; }
};

// Tasks that take slots, from their parents' lists.
std::vector<orchestrator::DagTask> dag(const std::vector<std::vector<std::size_t>>& parents) {
  std::vector<orchestrator::DagTask> tasks;
  for (const auto& list : parents) {
    tasks.push_back({list, true});
  }
  return tasks;
}

void pause_ms(int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

} // namespace

TEST_CASE("independent tasks share the job slots and run at once", "[orchestrator]") {
  Concurrency concurrency;
  std::mutex mutex;
  std::vector<int> shares(3, 0);
  // 0 and 1 are independent; 2 needs both.
  auto results = orchestrator::run_dag(dag({{}, {}, {0, 1}}), {2}, [&](std::size_t task, int jobs) {
    concurrency.enter();
    {
      std::lock_guard lock(mutex);
      shares[task] = jobs;
    }
    pause_ms(100);
    concurrency.leave();
  });
  CHECK(concurrency.most == 2);
  CHECK(shares == std::vector<int>{1, 1, 2});
  for (const auto& result : results) {
    CHECK(result.state == TaskState::done);
  }
}

TEST_CASE("one job slot runs tasks one at a time, parents first", "[orchestrator]") {
  Concurrency concurrency;
  std::mutex mutex;
  std::vector<std::size_t> order;
  orchestrator::run_dag(dag({{}, {}, {1}, {0, 2}}), {1}, [&](std::size_t task, int jobs) {
    CHECK(jobs == 1);
    concurrency.enter();
    pause_ms(20);
    {
      std::lock_guard lock(mutex);
      order.push_back(task);
    }
    concurrency.leave();
  });
  CHECK(concurrency.most == 1);
  CHECK(order == std::vector<std::size_t>{0, 1, 2, 3});
}

TEST_CASE("shares split the free slots between the ready tasks", "[orchestrator]") {
  std::mutex mutex;
  std::vector<int> shares(3, 0);
  orchestrator::run_dag(dag({{}, {}, {}}), {8}, [&](std::size_t task, int jobs) {
    std::lock_guard lock(mutex);
    shares[task] = jobs;
  });
  CHECK(shares == std::vector<int>{2, 3, 3});
}

TEST_CASE("one task at a time gets every slot", "[orchestrator]") {
  Concurrency concurrency;
  std::vector<int> shares(2, 0);
  orchestrator::run_dag(dag({{}, {}}), {2, 1}, [&](std::size_t task, int jobs) {
    concurrency.enter();
    shares[task] = jobs;
    pause_ms(20);
    concurrency.leave();
  });
  CHECK(concurrency.most == 1);
  CHECK(shares == std::vector<int>{2, 2});
}

TEST_CASE("a task that takes no slot runs beside one that takes them all", "[orchestrator]") {
  Concurrency concurrency;
  std::vector<int> shares(3, 0);
  // 0 extracts packages, beside 1, which compiles; 2 compiles after 0.
  std::vector<orchestrator::DagTask> tasks{{{}, false}, {{}, true}, {{0}, true}};
  orchestrator::run_dag(tasks, {2}, [&](std::size_t task, int jobs) {
    concurrency.enter();
    shares[task] = jobs;
    pause_ms(task == 1 ? 200 : 50);
    concurrency.leave();
  });
  CHECK(concurrency.most == 2);
  // 2 waits for 1's slots, then gets them all.
  CHECK(shares == std::vector<int>{2, 2, 2});
}

TEST_CASE("a failure lets the running task finish and starts nothing new", "[orchestrator]") {
  std::atomic<bool> failed{false};
  // 0 fails at once; 1 is running beside it and finishes after; 2 needs 1;
  // 3 needs 0.
  auto results = orchestrator::run_dag(dag({{}, {}, {1}, {0}}), {2}, [&](std::size_t task, int) {
    if (task == 0) {
      failed = true;
      throw Error("stage 'zero': build failed");
    }
    if (task == 1) {
      while (!failed) {
        pause_ms(5);
      }
      pause_ms(50); // the scheduler has seen the failure by now
    }
  });
  CHECK(results[0].state == TaskState::failed);
  CHECK(results[0].error == "stage 'zero': build failed");
  CHECK(results[1].state == TaskState::done);
  CHECK(results[2].state == TaskState::skipped);
  CHECK(results[3].state == TaskState::skipped);
}

TEST_CASE("two failures are both reported", "[orchestrator]") {
  auto results = orchestrator::run_dag(dag({{}, {}}), {2}, [&](std::size_t task, int) {
    pause_ms(20);
    throw Error(task == 0 ? "first" : "second");
  });
  CHECK(results[0].state == TaskState::failed);
  CHECK(results[1].state == TaskState::failed);
  CHECK(results[1].error == "second");
}

TEST_CASE("a stop request starts nothing more", "[orchestrator]") {
  std::atomic<bool> stop{false};
  orchestrator::DagHooks hooks;
  hooks.stop_requested = [&] { return stop.load(); };
  auto results = orchestrator::run_dag(
      dag({{}, {0}}), {1}, [&](std::size_t, int) { stop = true; }, hooks);
  CHECK(results[0].state == TaskState::done);
  CHECK(results[1].state == TaskState::skipped);
}

TEST_CASE("ticks come while tasks run", "[orchestrator]") {
  std::atomic<int> ticks{0};
  orchestrator::DagHooks hooks;
  hooks.tick = [&] { ++ticks; };
  hooks.tick_interval = std::chrono::milliseconds(10);
  orchestrator::run_dag(
      dag({{}}), {1}, [&](std::size_t, int) { pause_ms(200); }, hooks);
  CHECK(ticks >= 3);
}

TEST_CASE("a parent listed after its child is refused", "[orchestrator]") {
  REQUIRE_THROWS_WITH(orchestrator::run_dag(dag({{1}, {}}), {1}, [](std::size_t, int) {}),
                      "task 0 waits for task 1, which is not before it");
}
