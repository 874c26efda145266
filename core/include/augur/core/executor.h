// Executor: the caller-owned pool that planners, rollouts and trainers run their parallel work on.
//
// It wraps a tbb::task_arena of `threads` workers, keeps a scratch buffer per worker (reused, so a hot loop
// stops allocating after its first call), and sizes LibTorch's OpenMP pool: torch ops called directly run
// with `torch_threads`, torch ops inside Executor tasks run with one OpenMP thread, so TBB workers and
// OpenMP threads never oversubscribe the cores.
//
// Determinism: ParallelFor splits [0, n) into chunks of a fixed `grain` whatever the thread count, and
// passes the chunk index to the body; a body that draws from Rng(seed, StreamId({..., chunk})) and writes
// only its own rows gives the same result with 1 or N threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace augur {

// Scratch slot ranges, so that nested users of one worker's scratch never share a buffer: the innermost
// callee (a WorldModel's StepCpu, a ValueFunction's ValueCpu) uses [kModelSlots, kRolloutSlots), rollouts/
// uses [kRolloutSlots, kPlannerSlots), planners and search use kPlannerSlots and above.
inline constexpr int kModelSlots = 0;
inline constexpr int kRolloutSlots = 64;
inline constexpr int kPlannerSlots = 96;

// Per-worker scratch: named float buffers that grow to the largest size asked for and are then reused.
class Scratch {
 public:
  // A buffer of at least n floats for `slot`; contents are unspecified. Allocates only when it grows.
  std::span<float> Floats(int slot, size_t n);
  std::span<int64_t> Ints(int slot, size_t n);
  // Bytes currently held, for memory reports.
  size_t bytes() const;

 private:
  std::vector<std::vector<float>> floats_;
  std::vector<std::vector<int64_t>> ints_;
};

class Executor {
 public:
  struct Options {
    int threads = 0;         // TBB workers; 0 = all hardware threads
    int torch_threads = 0;   // LibTorch/OpenMP threads for torch calls outside tasks; 0 = same as `threads`
  };

  Executor();
  explicit Executor(int threads);
  explicit Executor(const Options& options);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  int threads() const { return threads_; }
  int torch_threads() const { return torch_threads_; }

  using ChunkBody = std::function<void(int64_t begin, int64_t end, int64_t chunk)>;
  // Runs body(begin, end, chunk) for every chunk [chunk*grain, min(n, (chunk+1)*grain)) of [0, n), in
  // parallel. The first exception thrown by a body is rethrown here after the others finish. Each body runs
  // isolated (tbb::this_task_arena::isolate), so a body that waits on nested parallel work never has another
  // chunk of this loop run on its worker meanwhile: a body's scratch() is its own until it returns.
  void ParallelFor(int64_t n, int64_t grain, const ChunkBody& body);
  // Number of chunks ParallelFor(n, grain, ...) uses.
  static int64_t NumChunks(int64_t n, int64_t grain) { return grain <= 0 ? 0 : (n + grain - 1) / grain; }

  // Runs f inside the arena (so nested TBB algorithms use this executor's workers).
  void Run(const std::function<void()>& f);

  // Scratch of the calling worker; valid inside a ParallelFor body or Run. Index range [0, threads()).
  Scratch& scratch();
  int worker_index() const;
  // Scratch of worker `worker` in [0, threads()), for pre-sizing every worker's buffers from the calling
  // thread outside of tasks (so the steady state allocates nothing whichever worker runs which chunk).
  Scratch& worker_scratch(int worker);

  // Sets LibTorch's thread count for the calling thread's torch ops (intra-op, OpenMP) to `threads_`.
  void ApplyTorchThreads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int threads_;
  int torch_threads_;
};

// While alive, torch ops on this thread run single-threaded (one OpenMP thread); restores on exit.
class SingleThreadedTorch {
 public:
  SingleThreadedTorch();
  ~SingleThreadedTorch();
  SingleThreadedTorch(const SingleThreadedTorch&) = delete;
  SingleThreadedTorch& operator=(const SingleThreadedTorch&) = delete;

 private:
  int previous_;
};

}  // namespace augur
