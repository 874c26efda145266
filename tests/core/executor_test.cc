#include "augur/core/executor.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <tbb/parallel_for.h>

#include <atomic>
#include <numeric>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <thread>

#include "augur/core/error.h"
#include "augur/core/rng.h"

namespace augur {
namespace {

// A typical planner-style computation: each chunk fills its rows from its own RNG stream.
std::vector<float> FillRows(Executor& executor, uint64_t seed, int64_t rows, int64_t grain) {
  std::vector<float> out(rows * 8);
  executor.ParallelFor(rows, grain, [&](int64_t begin, int64_t end, int64_t chunk) {
    Rng rng(seed, StreamId({/*iteration=*/0, static_cast<uint64_t>(chunk)}));
    for (int64_t r = begin; r < end; ++r) {
      for (int j = 0; j < 8; ++j) out[r * 8 + j] = rng.Normal();
    }
  });
  return out;
}

TEST(ExecutorTest, SameResultForOneAndTwoThreads) {
  Executor one(1), two(2);
  EXPECT_EQ(one.threads(), 1);
  EXPECT_EQ(two.threads(), 2);
  const auto a = FillRows(one, 7, 1000, 37);
  const auto b = FillRows(two, 7, 1000, 37);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, FillRows(two, 8, 1000, 37));
}

TEST(ExecutorTest, CoversEveryIndexOnceWithFixedChunks) {
  Executor executor(2);
  std::vector<std::atomic<int>> hits(1001);
  std::vector<std::pair<int64_t, int64_t>> ranges(Executor::NumChunks(1001, 100));
  executor.ParallelFor(1001, 100, [&](int64_t begin, int64_t end, int64_t chunk) {
    ranges[chunk] = {begin, end};
    for (int64_t i = begin; i < end; ++i) hits[i]++;
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  ASSERT_EQ(ranges.size(), 11u);
  EXPECT_EQ(ranges[0], (std::pair<int64_t, int64_t>{0, 100}));
  EXPECT_EQ(ranges[10], (std::pair<int64_t, int64_t>{1000, 1001}));
  executor.ParallelFor(0, 10, [&](int64_t, int64_t, int64_t) { FAIL() << "no chunk for n = 0"; });
}

TEST(ExecutorTest, ErrorsInTasksReachTheCaller) {
  Executor executor(2);
  try {
    executor.ParallelFor(100, 1, [&](int64_t begin, int64_t, int64_t) {
      if (begin == 57) throw ConfigError("bad row 57");
    });
    FAIL() << "expected the task's exception";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "bad row 57");
  }
  // The executor is still usable afterwards.
  std::atomic<int> count{0};
  executor.ParallelFor(10, 1, [&](int64_t, int64_t, int64_t) { count++; });
  EXPECT_EQ(count.load(), 10);
}

TEST(ExecutorTest, TorchRunsSingleThreadedInsideTasks) {
  Executor executor(Executor::Options{.threads = 2, .torch_threads = 2});
  EXPECT_EQ(at::get_num_threads(), 2);
  std::vector<int> inside(8, -1);
  executor.ParallelFor(8, 1, [&](int64_t begin, int64_t, int64_t) {
    at::Tensor x = at::ones({64, 64});
    (void)at::mm(x, x);  // first torch op on the worker: must not reset the thread count
    inside[begin] = at::get_num_threads();
  });
  for (int n : inside) EXPECT_EQ(n, 1);
  EXPECT_EQ(at::get_num_threads(), 2);  // unchanged on the calling thread
}

TEST(ExecutorTest, ScratchIsPerWorkerAndReused) {
  Executor executor(2);
  std::set<const float*> first;
  std::mutex mutex;
  executor.ParallelFor(4, 1, [&](int64_t, int64_t, int64_t) {
    auto buf = executor.scratch().Floats(0, 1024);
    std::lock_guard lock(mutex);
    first.insert(buf.data());
  });
  EXPECT_LE(first.size(), 2u);
  executor.ParallelFor(4, 1, [&](int64_t, int64_t, int64_t) {
    auto buf = executor.scratch().Floats(0, 512);  // smaller: no reallocation
    std::lock_guard lock(mutex);
    EXPECT_TRUE(first.contains(buf.data()));
  });
}

// Float buffers start on a 64-byte boundary whatever malloc returns (Eigen's vectorized functions give other
// bits for elements before the first aligned packet): every slot, size and growth.
TEST(ExecutorTest, ScratchFloatsAre64ByteAligned) {
  Scratch scratch;
  for (int slot : {0, 3, 17}) {
    for (size_t n : {1, 7, 100, 4097, 12}) {
      auto buf = scratch.Floats(slot, n);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(buf.data()) % 64, 0u) << slot << " " << n;
      EXPECT_EQ(buf.size(), n);
      buf[n - 1] = 1.f;  // the whole span is usable
    }
  }
}

TEST(ExecutorTest, BadOptionsAreRejected) {
  EXPECT_THROW(Executor(Executor::Options{.threads = -1}), ConfigError);
  EXPECT_THROW(Executor(Executor::Options{.threads = 1, .torch_threads = -2}), ConfigError);
}

// A chunk body that waits on nested parallel work (a model parallelizing its members inside a rollout
// chunk, a planner batch planning robots) must not have its worker pick up another chunk meanwhile: that
// chunk would reuse the same worker's scratch under the waiting body.
TEST(ExecutorTest, NestedParallelismNeverSharesAWorkersScratchBetweenChunks) {
  Executor executor(2);
  std::atomic<int> corrupted{0};
  executor.ParallelFor(64, 1, [&](int64_t, int64_t, int64_t chunk) {
    executor.scratch().Floats(kPlannerSlots, 1)[0] = static_cast<float>(chunk);
    // Uneven nested chunks: the waiting worker runs out of its own nested work while the other finishes.
    tbb::parallel_for(0, 2, [chunk](int c) {
      if ((c + chunk) % 2 == 0) std::this_thread::sleep_for(std::chrono::microseconds(500));
    });
    if (executor.scratch().Floats(kPlannerSlots, 1)[0] != static_cast<float>(chunk)) ++corrupted;
  });
  EXPECT_EQ(corrupted.load(), 0);
}

}  // namespace
}  // namespace augur
