// Ensemble world model: forward per batch size on three paths, and training throughput.
//
// Shapes (7 members each): small = obs 3, act 1, 2 x 64 SiLU; large = obs 17, act 6, 4 x 200 SiLU.
// Forward paths, mean prediction, rows grouped by member:
//  - Torch: EnsembleModel::Step (ATen baddbmm chain, one batched call, plus normalization and termination).
//  - Fused: EnsembleModel::StepCpu (Eigen, host ISA), one thread.
//  - FusedTbb: StepCpu split into one row chunk per Executor worker (members over TBB).
//  - OneDnn: the network only, per member: mkldnn_linear on to_mkldnn() tensors, SiLU on dense tensors.
// Training: one epoch of EnsembleModel::Train (batch 256 per member, bootstrapped) reported as samples/s
// (rows per member per second; bench/peers/train_ensemble.py reports the same), training GFLOP/s
// (forward + backward = 3 x forward FLOPs) and its fraction of the batched-GEMM rate at the layer shape.
//
// Train step parts (TrainStep/shape/part), one minibatch of 256 rows per member: part 0 = loss + gradients by
// autograd over ForwardEnsemble (the ATen ops the Python peer runs), 1 = the same by EnsembleBackprop (what
// TrainEnsemble runs), 2 = FusedAdam::Step alone; samples/s counts member-rows per second of that part.
//
// Run: build/bench/micro/augur_models_bench --benchmark_counters_tabular=true [--threads=N]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "augur/core/executor.h"
#include "augur/core/logging.h"
#include "augur/core/torch_rng.h"
#include "augur/models/ensemble/ensemble_backprop.h"
#include "augur/models/ensemble/ensemble_model.h"
#include "augur/models/ensemble/ensemble_weights.h"
#include "augur/models/fused_adam.h"

namespace {

using augur::models::EnsembleModel;
using augur::models::EnsembleOptions;

struct Shape {
  const char* name;
  int64_t obs, act, hidden, layers;
};
constexpr Shape kShapes[] = {{"small", 3, 1, 64, 2}, {"large", 17, 6, 200, 4}};
constexpr int64_t kMembers = 7;

std::unique_ptr<EnsembleModel> MakeModel(const Shape& s) {
  EnsembleOptions o;
  o.members = kMembers;
  o.elites = kMembers;  // every member runs at inference
  o.hidden = s.hidden;
  o.layers = s.layers;
  return std::make_unique<EnsembleModel>(o, augur::models::ModelInputs{.obs_dim = s.obs, .action_dim = s.act});
}

// Forward FLOPs of one row through one member.
double RowFlops(const Shape& s) {
  return 2.0 * ((s.obs + s.act) * s.hidden + (s.layers - 1) * s.hidden * s.hidden + s.hidden * 2 * (s.obs + 1));
}

struct Batch {
  at::Tensor state, action;
  std::vector<int64_t> member_begin;
};

Batch MakeBatch(const Shape& s, int64_t per_member) {
  Batch b;
  const int64_t rows = per_member * kMembers;
  b.state = at::randn({rows, s.obs});
  b.action = at::rand({rows, s.act}) * 2 - 1;
  for (int64_t m = 0; m <= kMembers; ++m) b.member_begin.push_back(m * per_member);
  return b;
}

void SetForwardCounters(benchmark::State& state, const Shape& s, int64_t rows) {
  state.SetLabel(s.name);
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["GFLOP/s"] = benchmark::Counter(RowFlops(s) * rows * state.iterations(), benchmark::Counter::kIsRate,
                                                 benchmark::Counter::kIs1000);
}

void BM_EnsembleForwardTorch(benchmark::State& state) {
  const Shape& s = kShapes[state.range(0)];
  auto model = MakeModel(s);
  Batch b = MakeBatch(s, state.range(1));
  augur::StepContext ctx;
  ctx.member_begin = at::tensor(b.member_begin, at::kLong);
  for (auto _ : state) {
    augur::Transition t = model->Step(b.state, b.action, ctx);
    benchmark::DoNotOptimize(t.next_state.data_ptr());
  }
  SetForwardCounters(state, s, b.state.size(0));
}

struct CpuBuffers {
  std::vector<float> next_state, reward, done;
  augur::CpuStep Step(const Batch& b, int64_t obs) {
    const int64_t rows = b.state.size(0);
    next_state.resize(rows * obs);
    reward.resize(rows);
    done.resize(rows);
    augur::CpuStep step;
    step.rows = rows;
    step.state = b.state.data_ptr<float>();
    step.action = b.action.data_ptr<float>();
    step.member_begin = b.member_begin;
    step.next_state = next_state.data();
    step.reward = reward.data();
    step.done = done.data();
    return step;
  }
};

void BM_EnsembleForwardFused(benchmark::State& state) {
  const Shape& s = kShapes[state.range(0)];
  auto model = MakeModel(s);
  Batch b = MakeBatch(s, state.range(1));
  CpuBuffers out;
  augur::Scratch scratch;
  augur::CpuStep step = out.Step(b, s.obs);
  step.scratch = &scratch;
  for (auto _ : state) {
    model->StepCpu(step);
    benchmark::DoNotOptimize(out.next_state.data());
  }
  SetForwardCounters(state, s, b.state.size(0));
}

// One chunk of members per worker: each chunk is a contiguous row range with its own member offsets.
void BM_EnsembleForwardFusedTbb(benchmark::State& state) {
  const Shape& s = kShapes[state.range(0)];
  auto model = MakeModel(s);
  Batch b = MakeBatch(s, state.range(1));
  CpuBuffers out;
  const augur::CpuStep whole = out.Step(b, s.obs);
  const int torch_threads = at::get_num_threads();
  augur::Executor executor(2);
  at::set_num_threads(torch_threads);  // the Executor resets torch's pool; keep the bench's setting for the rest
  const int64_t chunks = executor.threads(), per_member = state.range(1);
  std::vector<std::vector<int64_t>> offsets(chunks);
  std::vector<int64_t> row_begin(chunks + 1);
  for (int64_t c = 0; c <= chunks; ++c) row_begin[c] = (kMembers * c / chunks) * per_member;
  for (int64_t c = 0; c < chunks; ++c) {
    for (int64_t m = 0; m <= kMembers; ++m) {
      offsets[c].push_back(std::clamp(b.member_begin[m] - row_begin[c], int64_t{0}, row_begin[c + 1] - row_begin[c]));
    }
  }
  for (auto _ : state) {
    executor.ParallelFor(chunks, 1, [&](int64_t begin, int64_t, int64_t) {
      const int64_t c = begin, r0 = row_begin[c];
      augur::CpuStep step = whole;
      step.rows = row_begin[c + 1] - r0;
      step.state += r0 * s.obs;
      step.action += r0 * s.act;
      step.next_state += r0 * s.obs;
      step.reward += r0;
      step.done += r0;
      step.member_begin = offsets[c];
      step.scratch = &executor.scratch();
      model->StepCpu(step);
    });
    benchmark::DoNotOptimize(out.next_state.data());
  }
  SetForwardCounters(state, s, b.state.size(0));
}

void BM_EnsembleForwardOneDnn(benchmark::State& state) {
  const Shape& s = kShapes[state.range(0)];
  auto model = MakeModel(s);
  const auto& w = model->weights();
  std::vector<std::vector<at::Tensor>> weight(kMembers), bias(kMembers);
  for (int64_t m = 0; m < kMembers; ++m) {
    for (size_t l = 0; l < w.weight.size(); ++l) {
      weight[m].push_back(w.weight[l][m].t().contiguous().to_mkldnn());  // [out, in]
      bias[m].push_back(w.bias[l][m].reshape({-1}).contiguous().to_mkldnn());
    }
  }
  const int64_t per_member = state.range(1);
  const at::Tensor x = at::randn({kMembers, per_member, s.obs + s.act});
  for (auto _ : state) {
    for (int64_t m = 0; m < kMembers; ++m) {
      at::Tensor h = x[m].to_mkldnn();
      for (size_t l = 0; l < weight[m].size(); ++l) {
        h = at::mkldnn_linear(h, weight[m][l], bias[m][l]);
        if (l + 1 < weight[m].size()) h = at::silu(h.to_dense()).to_mkldnn();
      }
      at::Tensor y = h.to_dense();
      benchmark::DoNotOptimize(y.data_ptr());
    }
  }
  SetForwardCounters(state, s, kMembers * per_member);
}

void ForwardArgs(benchmark::internal::Benchmark* b) {
  for (int64_t rows : {16, 64, 256}) b->Args({0, rows});
  for (int64_t rows : {100, 1000}) b->Args({1, rows});
  b->ArgNames({"shape", "rows_per_member"});
}
BENCHMARK(BM_EnsembleForwardTorch)->Apply(ForwardArgs);
BENCHMARK(BM_EnsembleForwardFused)->Apply(ForwardArgs);
BENCHMARK(BM_EnsembleForwardFusedTbb)->Apply(ForwardArgs)->UseRealTime();
BENCHMARK(BM_EnsembleForwardOneDnn)->Apply(ForwardArgs);

// Batched GEMM rate at the training layer shape [E, 256, K] x [E, K, N], GFLOP/s: the best of five 0.1 s
// windows, so a busy machine lowers it less.
double BmmGflops(int64_t k, int64_t n) {
  const at::Tensor a = at::randn({kMembers, 256, k}), b = at::randn({kMembers, k, n});
  at::Tensor c = at::bmm(a, b);
  double best = 0;
  for (int window = 0; window < 5; ++window) {
    const auto start = std::chrono::steady_clock::now();
    int iterations = 0;
    double seconds = 0;
    while (seconds < 0.1) {
      at::bmm_out(c, a, b);
      ++iterations;
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    best = std::max(best, 2.0 * kMembers * 256 * k * n * iterations / seconds / 1e9);
  }
  return best;
}

void BM_EnsembleTrainEpoch(benchmark::State& state) {
  const Shape& s = kShapes[state.range(0)];
  const int64_t rows = state.range(1);
  at::Generator gen = augur::MakeCpuGenerator(3);
  augur::models::TransitionBatch data;
  data.obs = at::randn({rows, s.obs}, gen, at::kFloat);
  data.actions = at::rand({rows, s.act}, gen, at::kFloat);
  data.next_obs = data.obs + 0.1 * at::randn({rows, s.obs}, gen, at::kFloat);
  data.rewards = at::randn({rows}, gen, at::kFloat);
  augur::models::TrainOptions train;
  train.max_epochs = 1;
  train.holdout_ratio = 0;
  // Best epoch of the runs (the peer reports its best epoch too): the least disturbed by other load.
  double samples_per_second = 0;
  for (auto _ : state) {
    auto model = MakeModel(s);
    const auto report = model->Train(data, train, nullptr);
    samples_per_second = std::max(samples_per_second, report.epochs.at(0).samples_per_second);
  }
  const double gflops = samples_per_second * kMembers * 3 * RowFlops(s) / 1e9;
  const double limit = BmmGflops(s.hidden, s.hidden);
  state.SetLabel(s.name);
  state.counters["samples/s"] = samples_per_second;
  state.counters["train_GFLOP/s"] = gflops;
  state.counters["bmm_GFLOP/s"] = limit;
  state.counters["fraction_of_gemm"] = gflops / limit;
}
void BM_TrainStep(benchmark::State& state) {
  using namespace augur::models;
  const Shape& s = kShapes[state.range(0)];
  const int part = static_cast<int>(state.range(1));
  constexpr int64_t kRows = 4096, kBatch = 256;
  EnsembleOptions o;
  o.members = kMembers;
  o.hidden = s.hidden;
  o.layers = s.layers;
  EnsembleWeights w = EnsembleWeights::Init(o, s.obs, s.act, 1);
  for (auto& t : w.weight) t.set_requires_grad(true);
  for (auto& t : w.bias) t.set_requires_grad(true);
  w.max_logvar.set_requires_grad(true);
  w.min_logvar.set_requires_grad(true);
  EnsembleWeights g = w;
  std::vector<at::Tensor> params;
  auto grad = [&](const at::Tensor& p) {
    p.mutable_grad() = at::zeros_like(p);
    params.push_back(p);
    return p.grad();
  };
  for (size_t l = 0; l < w.weight.size(); ++l) {
    g.weight[l] = grad(w.weight[l]);
    g.bias[l] = grad(w.bias[l]);
  }
  g.max_logvar = grad(w.max_logvar);
  g.min_logvar = grad(w.min_logvar);
  FusedAdam adam({AdamGroup{params, 1e-4}}, AdamConfig{});
  at::Generator gen = augur::MakeCpuGenerator(4);
  const at::Tensor x = at::randn({kRows, s.obs + s.act}, gen), y = at::randn({kRows, s.obs + 1}, gen);
  const at::Tensor index = at::randint(kRows, {kMembers, kBatch}, gen, at::kLong);
  EnsembleBackprop backprop(w, Activation::kSilu, kBatch);
  for (auto _ : state) {
    if (part == 0) {
      const at::Tensor flat = index.reshape({-1});
      const at::Tensor xb = x.index_select(0, flat).view({kMembers, kBatch, -1});
      const at::Tensor yb = y.index_select(0, flat).view({kMembers, kBatch, -1});
      const EnsembleOutput out = ForwardEnsemble(w, Activation::kSilu, xb);
      const at::Tensor loss = ((out.mean - yb).square() * at::exp(-out.logvar) + out.logvar).mean({1, 2}).sum() +
                              0.01 * (w.max_logvar.sum() - w.min_logvar.sum());
      adam.ZeroGrad();
      loss.backward();
    } else if (part == 1) {
      backprop.LossAndGrad(w, g, x, y, index.data_ptr<int64_t>(), kBatch, 0.01);
    } else {
      adam.Step();
    }
  }
  state.SetLabel(std::string(s.name) + (part == 0 ? " autograd" : part == 1 ? " backprop" : " adam"));
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(kBatch), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_TrainStep)->ArgsProduct({{0, 1}, {0, 1, 2}})->ArgNames({"shape", "part"})->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_EnsembleTrainEpoch)->Args({0, 16384})->Args({1, 16384})->ArgNames({"shape", "rows"})
    ->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
  // --threads=N (ours, removed before Google Benchmark parses the rest): torch/OpenMP threads; 0 = all cores.
  int threads = 0;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--threads=", 0) == 0) {
      threads = std::stoi(arg.substr(10));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  augur::Executor executor(threads);
  benchmark::AddCustomContext("torch_threads", std::to_string(executor.torch_threads()));
  augur::SetLogLevel("warn");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
