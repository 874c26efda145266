#include "augur/core/executor.h"

#include <ATen/Parallel.h>
#include <omp.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdint>
#include <thread>

#include "augur/core/error.h"

namespace augur {

// Float buffers start on a 64-byte boundary (the buffer holds 16 floats of slack): Eigen's vectorized
// coefficient-wise functions (tanh, exp, ...) compute the elements before the first aligned packet on a scalar
// path with other rounding, so an unaligned buffer made results depend on where malloc put a worker's scratch
// (seen as different MCTS results under another glibc malloc setting). Aligned, every worker computes the same
// bits, which the 1-vs-N-thread determinism of planners and search needs.
std::span<float> Scratch::Floats(int slot, size_t n) {
  constexpr size_t kAlignBytes = 64, kSlack = kAlignBytes / sizeof(float);
  AUGUR_CHECK_GE(slot, 0);
  if (static_cast<size_t>(slot) >= floats_.size()) floats_.resize(slot + 1);
  auto& buffer = floats_[slot];
  if (buffer.size() < n + kSlack) buffer.resize(n + kSlack);
  const auto address = reinterpret_cast<uintptr_t>(buffer.data());
  return {buffer.data() + (kAlignBytes - address % kAlignBytes) % kAlignBytes / sizeof(float), n};
}

std::span<int64_t> Scratch::Ints(int slot, size_t n) {
  AUGUR_CHECK_GE(slot, 0);
  if (static_cast<size_t>(slot) >= ints_.size()) ints_.resize(slot + 1);
  auto& buffer = ints_[slot];
  if (buffer.size() < n) buffer.resize(n);
  return {buffer.data(), n};
}

size_t Scratch::bytes() const {
  size_t total = 0;
  for (const auto& b : floats_) total += b.capacity() * sizeof(float);
  for (const auto& b : ints_) total += b.capacity() * sizeof(int64_t);
  return total;
}

SingleThreadedTorch::SingleThreadedTorch() {
  // ATen initializes a thread's OpenMP size lazily on its first parallel op, from the global setting; do it
  // now so our setting below is the one that stays.
  at::internal::lazy_init_num_threads();
  previous_ = omp_get_max_threads();
  omp_set_num_threads(1);
}

SingleThreadedTorch::~SingleThreadedTorch() { omp_set_num_threads(previous_); }

struct Executor::Impl {
  explicit Impl(int threads) : arena(threads), scratch(threads) {}
  tbb::task_arena arena;
  std::vector<Scratch> scratch;
};

Executor::Executor() : Executor(Options{}) {}
Executor::Executor(int threads) : Executor(Options{.threads = threads}) {}

Executor::Executor(const Options& options) {
  if (options.threads < 0) {
    throw ConfigError(StrCat("Executor: threads = ", options.threads, " must be >= 0 (0 = all hardware threads)"));
  }
  if (options.torch_threads < 0) {
    throw ConfigError(StrCat("Executor: torch_threads = ", options.torch_threads, " must be >= 0 (0 = threads)"));
  }
  threads_ = options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  torch_threads_ = options.torch_threads > 0 ? options.torch_threads : threads_;
  impl_ = std::make_unique<Impl>(threads_);
  ApplyTorchThreads();
}

Executor::~Executor() = default;

void Executor::ApplyTorchThreads() const { at::set_num_threads(torch_threads_); }

void Executor::ParallelFor(int64_t n, int64_t grain, const ChunkBody& body) {
  if (n <= 0) return;
  AUGUR_CHECK_GT(grain, 0);
  const int64_t chunks = NumChunks(n, grain);
  // Each chunk runs isolated: while it waits on nested parallel work (a model's own TBB loop, a planner batch's
  // per-robot evaluations), its worker may only take tasks of that nested work, never another chunk of this
  // loop, which would reuse the worker's scratch under the waiting chunk (oneTBB "work isolation").
  auto run_chunk = [&](int64_t c) {
    const int64_t begin = c * grain;
    tbb::this_task_arena::isolate([&] { body(begin, std::min(n, begin + grain), c); });
  };
  if (chunks == 1 || threads_ == 1) {
    impl_->arena.execute([&] {
      SingleThreadedTorch single;
      for (int64_t c = 0; c < chunks; ++c) run_chunk(c);
    });
    return;
  }
  impl_->arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<int64_t>(0, chunks, 1),
        [&](const tbb::blocked_range<int64_t>& r) {
          SingleThreadedTorch single;
          for (int64_t c = r.begin(); c < r.end(); ++c) run_chunk(c);
        },
        tbb::simple_partitioner());
  });
}

void Executor::Run(const std::function<void()>& f) {
  impl_->arena.execute([&] { f(); });
}

int Executor::worker_index() const {
  const int index = tbb::this_task_arena::current_thread_index();
  AUGUR_CHECK(index >= 0 && index < threads_) << "Executor::scratch() called outside the executor's tasks";
  return index;
}

Scratch& Executor::scratch() { return impl_->scratch[worker_index()]; }

Scratch& Executor::worker_scratch(int worker) {
  AUGUR_CHECK(worker >= 0 && worker < threads_) << "worker " << worker << " of " << threads_;
  return impl_->scratch[worker];
}

}  // namespace augur
