// MCTS simulations per second: the tree's own overhead (NullEvaluator) against the issue's learned evaluator
// (a 2 x 64 tanh MLP on a 4-d state, value + prior over 4 actions), sequential and with simulations in flight,
// 1 vs 2 threads over a batch of trees, and the MLP evaluator batched against one row at a time.
// The model is a cheap deterministic 4-d drift (4 actions), so the figures are the search's, not a simulator's.
// Rates are per wall-clock second (UseRealTime), so a loaded machine shows in them.
// Run: build/bench/micro/augur_search_bench --benchmark_counters_tabular=true
// The three targets of issue 8, each one benchmark that runs A and B interleaved in the same process (so a
// loaded machine slows both alike) and prints the ratio as a counter, each for two evaluators of the same 2x64
// MLP: /fused (MlpEvaluator, augur's fused CPU kernel, ~0.2 us a state) and /torchscript (TorchScriptEvaluator:
// the network as a TorchScript file run through LibTorch, as a user's PyTorch network runs, ~tens of us a call):
//   BM_TreeOverhead/E/in_flight:N overhead = (s/sim, null evaluator) / (s/sim, MLP evaluator)   (target <= 0.10)
//                                 eval_s/state: the MLP alone on the same batch size; tree_s/sim: the null
//                                 search's time per simulation (tree + the drift model's step)
//   BM_MlpBatching/E              speedup = (s/state, 16 one-row calls) / (s/state, one 16-row call)  (>= 3)
//   BM_ThreadScaling/E            scaling = (sims/s, 2 threads) / (sims/s, 1 thread), 16 trees x 4 in flight,
//                                 the MLP evaluator, 4 groups of 4 trees (eval_batch 16)           (>= 1.7)
// e.g. build/bench/micro/augur_search_bench --benchmark_filter='TreeOverhead|MlpBatching|ThreadScaling'
//        --benchmark_counters_tabular=true
// BM_OneTree / BM_Batch / BM_MlpEvaluate give the single figures (aten_mlp: the same network through ATen ops,
// LibTorch's per-call overhead, for comparison).
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>
#include <torch/script.h>

#include <algorithm>
#include <time.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "augur/core/executor.h"
#include "augur/search/evaluator.h"
#include "augur/search/mcts.h"
#include "augur/search/mlp_evaluator.h"
#include "augur/search/torchscript_evaluator.h"

namespace augur::search {
namespace {

// s' = 0.95 s + 0.1 e(a) (a pushes one coordinate), reward = -|s'|^2, never done.
class DriftModel : public WorldModel {
 public:
  DriftModel() {
    spec_.type = "drift";
    spec_.obs_dim = spec_.state_dim = 4;
    spec_.action_dim = 1;
    spec_.action_space = Discrete{4};
  }
  const ModelSpec& spec() const override { return spec_; }
  at::Tensor Encode(const at::Tensor& obs) const override { return obs; }
  bool has_cpu_path() const override { return true; }
  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext&) const override {
    return RunCpuStepOnTensors(state, action, 4, [this](CpuStep& step) { StepCpu(step); });
  }
  void StepCpu(const CpuStep& step) const override {
    for (int64_t r = 0; r < step.rows; ++r) {
      float cost = 0.f;
      for (int i = 0; i < 4; ++i) {
        float x = 0.95f * step.state[r * 4 + i] + (static_cast<int>(step.action[r]) == i ? 0.1f : -0.02f);
        step.next_state[r * 4 + i] = x;
        cost += x * x;
      }
      step.reward[r] = -cost;
      step.done[r] = 0.f;
    }
  }

 private:
  ModelSpec spec_;
};

// The same MLP through ATen ops (addmm, tanh, softmax per call): what an evaluator on LibTorch's tensor path
// costs, for the tree-overhead ratio against a per-call framework overhead.
class AtenMlpEvaluator : public Evaluator {
 public:
  explicit AtenMlpEvaluator(const MlpWeights& w) : sizes_(w.sizes) {
    for (size_t l = 0; l < w.weight.size(); ++l) {
      weight_.push_back(
          at::from_blob(const_cast<float*>(w.weight[l].data()), {w.sizes[l + 1], w.sizes[l]}).clone().t());
      bias_.push_back(at::from_blob(const_cast<float*>(w.bias[l].data()), {w.sizes[l + 1]}).clone());
    }
  }
  int64_t state_dim() const override { return sizes_.front(); }
  int64_t num_actions() const override { return sizes_.back() - 1; }
  int64_t Evaluate(std::span<const float> states, int64_t batch, uint64_t, uint64_t, std::span<float> values,
                   std::span<float> priors, Scratch&) override {
    at::Tensor h = at::from_blob(const_cast<float*>(states.data()), {batch, sizes_.front()});
    for (size_t l = 0; l < weight_.size(); ++l) {
      h = at::addmm(bias_[l], h, weight_[l]);
      if (l + 1 < weight_.size()) h = at::tanh(h);
    }
    at::Tensor v = h.select(1, 0).contiguous(), p = at::softmax(h.slice(1, 1), 1).contiguous();
    std::copy_n(v.data_ptr<float>(), batch, values.data());
    std::copy_n(p.data_ptr<float>(), batch * num_actions(), priors.data());
    return 0;
  }

 private:
  std::vector<int64_t> sizes_;
  std::vector<at::Tensor> weight_, bias_;
};

enum class Leaf { kNull, kMlp, kAtenMlp, kTorchScript };

// The 2x64 MLP as a TorchScript module (what torch.jit.script(nn.Sequential(...)).save() gives a user), saved
// once per process for TorchScriptEvaluator.
std::string ScriptedMlpPath(const MlpWeights& w) {
  static const std::string path = [&] {
    torch::jit::Module module("Mlp");
    const char* names[] = {"w0", "b0", "w1", "b1", "w2", "b2"};
    for (size_t l = 0; l < 3; ++l) {
      module.register_parameter(names[2 * l], torch::tensor(w.weight[l]).reshape({w.sizes[l + 1], w.sizes[l]}), false);
      module.register_parameter(names[2 * l + 1], torch::tensor(w.bias[l]), false);
    }
    module.define(R"(
def forward(self, x):
    h = torch.tanh(torch.addmm(self.b0, x, self.w0.t()))
    h = torch.tanh(torch.addmm(self.b1, h, self.w1.t()))
    return torch.addmm(self.b2, h, self.w2.t())
)");
    const std::string file = (std::filesystem::temp_directory_path() / "augur_search_bench_mlp.pt").string();
    module.save(file);
    return file;
  }();
  return path;
}

std::shared_ptr<Evaluator> MakeEvaluator(Leaf leaf) {
  const MlpWeights w = MlpWeights::Random({4, 64, 64, 5}, 0);
  if (leaf == Leaf::kMlp) return std::make_shared<MlpEvaluator>(w);
  if (leaf == Leaf::kAtenMlp) return std::make_shared<AtenMlpEvaluator>(w);
  if (leaf == Leaf::kTorchScript) return std::make_shared<TorchScriptEvaluator>(ScriptedMlpPath(w), 4);
  return std::make_shared<NullEvaluator>(4, 4);
}

// Trees x simulations per Plan; counters: simulations per second and seconds per simulation.
void RunSearch(benchmark::State& state, Leaf leaf, int64_t in_flight, int64_t trees, int threads,
               int64_t eval_batch = 256) {
  Executor executor(threads);
  MctsOptions o;
  o.in_flight = in_flight;
  o.eval_batch = eval_batch;
  o.reuse_tree = false;
  o.max_depth = 50;
  MctsBatch search(std::make_shared<DriftModel>(), MakeEvaluator(leaf), o, trees, executor);
  std::vector<float> obs(trees * 4, 0.1f);
  std::vector<PlanResult> out(trees);
  const int64_t sims = 400;
  search.Plan(obs, Budget::Iterations(sims), out);
  int64_t total = 0;
  for (auto _ : state) {
    search.Plan(obs, Budget::Iterations(sims), out);
    total += sims * trees;
  }
  state.counters["sims/s"] = benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
  state.counters["s/sim"] =
      benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["max_depth"] = static_cast<double>(search.stats(0).max_depth);  // tree 0's deepest leaf
}

void BM_OneTree(benchmark::State& state, Leaf leaf) { RunSearch(state, leaf, state.range(0), 1, 1); }
BENCHMARK_CAPTURE(BM_OneTree, null, Leaf::kNull)->ArgName("in_flight")->Arg(1)->Arg(16)->Arg(64)->UseRealTime();
BENCHMARK_CAPTURE(BM_OneTree, mlp, Leaf::kMlp)->ArgName("in_flight")->Arg(1)->Arg(16)->UseRealTime();
BENCHMARK_CAPTURE(BM_OneTree, aten_mlp, Leaf::kAtenMlp)->ArgName("in_flight")->Arg(1)->Arg(16)->UseRealTime();

// 16 trees, 4 simulations in flight each, the MLP evaluator in chunks of 16 rows (4 chunks a wave, so that the
// evaluation too is split over threads): 1 vs 2 threads.
void BM_Batch(benchmark::State& state) { RunSearch(state, Leaf::kMlp, 4, 16, static_cast<int>(state.range(0)), 16); }
BENCHMARK(BM_Batch)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();

// The MLP alone on 16 states: one call of 16 rows against 16 calls of one row; counter: states per second.
// The 4-d states [batch, 4] through the evaluator: in one call, or as one call per row.
void EvaluateRows(Evaluator& eval, std::span<const float> states, int64_t batch, bool one_call,
                  std::span<float> values, std::span<float> priors, Scratch& scratch) {
  if (one_call) {
    eval.Evaluate(states, batch, 0, 0, values, priors, scratch);
    return;
  }
  for (int64_t r = 0; r < batch; ++r) {
    eval.Evaluate(states.subspan(r * 4, 4), 1, 0, 0, values.subspan(r, 1), priors.subspan(r * 4, 4), scratch);
  }
}

void BM_MlpEvaluate(benchmark::State& state, bool batched) {
  Executor executor(1);
  MlpEvaluator eval(MlpWeights::Random({4, 64, 64, 5}, 0));
  const int64_t batch = 16;
  std::vector<float> states(batch * 4, 0.3f), values(batch), priors(batch * 4);
  executor.Run([&] {
    Scratch& scratch = executor.scratch();
    for (auto _ : state) {
      EvaluateRows(eval, states, batch, batched, values, priors, scratch);
      benchmark::DoNotOptimize(values.data());
    }
  });
  state.counters["states/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_MlpEvaluate, batch16, true)->UseRealTime();
BENCHMARK_CAPTURE(BM_MlpEvaluate, rows16, false)->UseRealTime();

// ---------------------------------------------------------------------------------------------------------
// The targets, A against B interleaved in one process.

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// CPU seconds of the calling thread (an Executor of 1 thread runs its work on the caller): on a loaded machine
// the time the search itself ran, without the time other processes took the core.
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Search {
  Search(Leaf leaf, int64_t in_flight, int64_t trees, Executor& executor, int64_t eval_batch = 256)
      : obs(trees * 4, 0.1f), out(trees) {
    MctsOptions o;
    o.in_flight = in_flight;
    o.eval_batch = eval_batch;
    o.reuse_tree = false;
    o.max_depth = 50;
    batch = std::make_unique<MctsBatch>(std::make_shared<DriftModel>(), MakeEvaluator(leaf), o, trees, executor);
    batch->Plan(obs, Budget::Iterations(kSims), out);  // warm: pools and buffers sized
  }
  // Seconds for one Plan of kSims simulations per tree (wall clock; `cpu`: the calling thread's CPU time).
  double Time(double* cpu = nullptr) {
    const double cpu0 = ThreadCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    batch->Plan(obs, Budget::Iterations(kSims), out);
    if (cpu) *cpu += ThreadCpuSeconds() - cpu0;
    return Seconds(start);
  }
  static constexpr int64_t kSims = 400;
  std::vector<float> obs;
  std::vector<PlanResult> out;
  std::unique_ptr<MctsBatch> batch;
};

// The MLP alone on `batch` states: one call of `batch` rows, or `batch` calls of one row (seconds per state;
// `cpu`: the thread's CPU seconds per state).
double MlpSecondsPerState(Evaluator& eval, Executor& executor, int64_t batch, bool one_call, int reps,
                          double* cpu = nullptr) {
  std::vector<float> states(batch * 4), values(batch), priors(batch * 4);
  for (size_t i = 0; i < states.size(); ++i) states[i] = 0.05f * static_cast<float>(i % 17) - 0.4f;
  double seconds = 0.0;
  executor.Run([&] {
    Scratch& scratch = executor.scratch();
    eval.Evaluate(states, batch, 0, 0, values, priors, scratch);
    const double cpu0 = ThreadCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) {
      EvaluateRows(eval, states, batch, one_call, values, priors, scratch);
      benchmark::DoNotOptimize(values.data());
      benchmark::DoNotOptimize(priors.data());
    }
    seconds = Seconds(start);
    if (cpu) *cpu = (ThreadCpuSeconds() - cpu0) / static_cast<double>(reps * batch);
  });
  return seconds / static_cast<double>(reps * batch);
}

// Tree overhead: one tree, 400 simulations per Plan, the null evaluator and the 2x64 MLP alternating. `leaf`:
// augur's fused MlpEvaluator, or the same network as TorchScript through LibTorch (TorchScriptEvaluator).
void BM_TreeOverhead(benchmark::State& state, Leaf leaf) {
  const int64_t in_flight = state.range(0);
  Executor executor(1);
  Search null_search(Leaf::kNull, in_flight, 1, executor), mlp_search(leaf, in_flight, 1, executor);
  double null_s = 0.0, mlp_s = 0.0, null_cpu = 0.0, mlp_cpu = 0.0;
  for (auto _ : state) {
    null_s += null_search.Time(&null_cpu);
    mlp_s += mlp_search.Time(&mlp_cpu);
  }
  const double sims = static_cast<double>(state.iterations() * Search::kSims);
  auto eval = MakeEvaluator(leaf);
  double eval_cpu = 0.0;
  MlpSecondsPerState(*eval, executor, in_flight, true, 20000 / in_flight + 100, &eval_cpu);
  state.counters["null_s/sim"] = null_s / sims;
  state.counters["mlp_s/sim"] = mlp_s / sims;
  state.counters["overhead"] = null_s / mlp_s;
  // The same from the thread's CPU time (what to read on a loaded machine).
  state.counters["cpu_null_s/sim"] = null_cpu / sims;
  state.counters["cpu_mlp_s/sim"] = mlp_cpu / sims;
  state.counters["cpu_eval_s/state"] = eval_cpu;
  state.counters["cpu_overhead"] = null_cpu / mlp_cpu;
}
BENCHMARK_CAPTURE(BM_TreeOverhead, fused, Leaf::kMlp)
    ->ArgName("in_flight")->Arg(1)->Arg(16)->Arg(64)->UseRealTime()->MinTime(1.0);
BENCHMARK_CAPTURE(BM_TreeOverhead, torchscript, Leaf::kTorchScript)
    ->ArgName("in_flight")->Arg(1)->Arg(16)->Arg(64)->UseRealTime()->MinTime(1.0);

// The evaluator: one call of 16 rows against 16 calls of one row, alternating.
void BM_MlpBatching(benchmark::State& state, Leaf leaf) {
  Executor executor(1);
  auto eval = MakeEvaluator(leaf);
  double batched = 0.0, rows = 0.0, batched_cpu = 0.0, rows_cpu = 0.0;
  for (auto _ : state) {
    double cpu = 0.0;
    batched += MlpSecondsPerState(*eval, executor, 16, true, 200, &cpu);
    batched_cpu += cpu;
    rows += MlpSecondsPerState(*eval, executor, 16, false, 200, &cpu);
    rows_cpu += cpu;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["batch16_s/state"] = batched / n;
  state.counters["rows16_s/state"] = rows / n;
  state.counters["speedup"] = rows / batched;
  state.counters["cpu_speedup"] = rows_cpu / batched_cpu;
}
BENCHMARK_CAPTURE(BM_MlpBatching, fused, Leaf::kMlp)->UseRealTime()->MinTime(1.0);
BENCHMARK_CAPTURE(BM_MlpBatching, torchscript, Leaf::kTorchScript)->UseRealTime()->MinTime(1.0);

// 2-thread scaling: 16 trees x 4 in flight with the MLP evaluator (eval_batch 16: 4 groups of 4 trees, each
// group one task), the same search on an Executor of 1 and of 2 threads, alternating.
void BM_ThreadScaling(benchmark::State& state, Leaf leaf) {
  Executor one(1), two(2);
  Search s1(leaf, 4, 16, one, 16), s2(leaf, 4, 16, two, 16);
  double t1 = 0.0, t2 = 0.0;
  for (auto _ : state) {
    t1 += s1.Time();
    t2 += s2.Time();
  }
  const double sims = static_cast<double>(state.iterations() * Search::kSims * 16);
  state.counters["1thread_sims/s"] = sims / t1;
  state.counters["2threads_sims/s"] = sims / t2;
  state.counters["scaling"] = t1 / t2;
}
BENCHMARK_CAPTURE(BM_ThreadScaling, fused, Leaf::kMlp)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(BM_ThreadScaling, torchscript, Leaf::kTorchScript)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace augur::search
