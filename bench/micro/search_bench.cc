// MCTS simulations per second: the tree's own overhead (NullEvaluator) against the learned evaluator
// (a 2 x 64 tanh MLP on a 4-d state, value + prior over 4 actions), sequential and with simulations in flight,
// 1 vs 2 threads over a batch of trees, and the MLP evaluator batched against one row at a time.
// The model is a cheap deterministic 4-d drift (4 actions), so the figures are the search's, not a simulator's.
// Rates are per wall-clock second (UseRealTime), so a loaded machine shows in them.
// Run: build/bench/micro/augur_search_bench --benchmark_counters_tabular=true
//   tree overhead = (s/sim with evaluator=null) / (s/sim with evaluator=mlp), same in_flight; aten_mlp is the
//   same network through ATen ops (LibTorch's per-call overhead), for comparison
//   2-thread scaling = sims/s of BM_Batch/threads:2 / BM_Batch/threads:1
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "augur/core/executor.h"
#include "augur/search/evaluator.h"
#include "augur/search/mcts.h"
#include "augur/search/mlp_evaluator.h"

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

enum class Leaf { kNull, kMlp, kAtenMlp };

std::shared_ptr<Evaluator> MakeEvaluator(Leaf leaf) {
  const MlpWeights w = MlpWeights::Random({4, 64, 64, 5}, 0);
  if (leaf == Leaf::kMlp) return std::make_shared<MlpEvaluator>(w);
  if (leaf == Leaf::kAtenMlp) return std::make_shared<AtenMlpEvaluator>(w);
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
}

void BM_OneTree(benchmark::State& state, Leaf leaf) { RunSearch(state, leaf, state.range(0), 1, 1); }
BENCHMARK_CAPTURE(BM_OneTree, null, Leaf::kNull)->ArgName("in_flight")->Arg(1)->Arg(16)->UseRealTime();
BENCHMARK_CAPTURE(BM_OneTree, mlp, Leaf::kMlp)->ArgName("in_flight")->Arg(1)->Arg(16)->UseRealTime();
BENCHMARK_CAPTURE(BM_OneTree, aten_mlp, Leaf::kAtenMlp)->ArgName("in_flight")->Arg(1)->Arg(16)->UseRealTime();

// 16 trees, 4 simulations in flight each, the MLP evaluator in chunks of 16 rows (4 chunks a wave, so that the
// evaluation too is split over threads): 1 vs 2 threads.
void BM_Batch(benchmark::State& state) { RunSearch(state, Leaf::kMlp, 4, 16, static_cast<int>(state.range(0)), 16); }
BENCHMARK(BM_Batch)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();

// The MLP alone on 16 states: one call of 16 rows against 16 calls of one row; counter: states per second.
void BM_MlpEvaluate(benchmark::State& state, bool batched) {
  Executor executor(1);
  MlpEvaluator eval(MlpWeights::Random({4, 64, 64, 5}, 0));
  const int64_t batch = 16;
  std::vector<float> states(batch * 4, 0.3f), values(batch), priors(batch * 4);
  executor.Run([&] {
    Scratch& scratch = executor.scratch();
    for (auto _ : state) {
      if (batched) {
        eval.Evaluate(states, batch, 0, 0, values, priors, scratch);
      } else {
        for (int64_t r = 0; r < batch; ++r) {
          eval.Evaluate(std::span<const float>(states.data() + r * 4, 4), 1, 0, 0,
                        std::span<float>(values.data() + r, 1), std::span<float>(priors.data() + r * 4, 4), scratch);
        }
      }
      benchmark::DoNotOptimize(values.data());
    }
  });
  state.counters["states/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_MlpEvaluate, batch16, true)->UseRealTime();
BENCHMARK_CAPTURE(BM_MlpEvaluate, rows16, false)->UseRealTime();

}  // namespace
}  // namespace augur::search
