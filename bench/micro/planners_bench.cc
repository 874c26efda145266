// Planner iteration time and rollout rows/s on the analytic linear model (tests/testing/linear_model.h), for
// the small real-time configuration: population 64, horizon 10, 7 particles (7-member ensemble, TSinf), 3
// iterations. Rates are per wall-clock second (UseRealTime), so a loaded machine shows in them.
// Run: build/bench/micro/augur_planners_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "../../tests/testing/linear_model.h"
#include "augur/planners/factory.h"
#include "augur/rollouts/model_evaluator.h"

namespace augur {
namespace {

std::shared_ptr<testing::LinearModel> Model(bool cpu_path, bool noise = true) {
  testing::LinearModelOptions o;
  o.state_dim = 4;
  o.action_dim = 2;
  o.goal = {0.5f, -0.5f, 0.f, 0.f};
  o.members = 7;
  o.member_offset = 0.01f;
  o.noise_std = noise ? 0.01f : 0.f;  // the CPU path draws Box-Muller normals per value: a large share
  o.cpu_path = cpu_path;
  return std::make_shared<testing::LinearModel>(o);
}

// One Plan (3 iterations); counters: iteration time and model rows stepped per second.
void BM_Plan(benchmark::State& state, std::string spec, int threads) {
  Executor executor(threads);
  PlannerInputs in;
  in.model = Model(true);
  auto planner = MakePlanner(spec + ",horizon=10,iters=3,particles=7,predict=false", in, executor);
  PlanResult result;
  std::vector<float> obs(4, 0.f);
  planner->Plan(obs, Budget::Iterations(3), result);
  int64_t evaluations = 0, iterations = 0;
  for (auto _ : state) {
    planner->Plan(obs, Budget::Iterations(3), result);
    evaluations += result.evaluations;
    iterations += result.iterations;
  }
  state.counters["s/iter"] = benchmark::Counter(static_cast<double>(iterations),
                                                benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(evaluations), benchmark::Counter::kIsRate);
}

// The evaluator alone: 64 sequences x 7 particles x 10 steps, CPU path vs tensor path, with and without
// the model's sampling noise.
void BM_Rollout(benchmark::State& state, bool cpu_path, int threads, bool noise) {
  Executor executor(threads);
  ModelEvaluator ev(Model(cpu_path, noise), Objective::Reward(), {.particles = 7});
  ev.SetStart(std::vector<float>(4, 0.f));
  const int64_t n = 64, horizon = 10;
  std::vector<float> actions(n * horizon * 2, 0.1f), returns(n);
  uint64_t iteration = 0;
  for (auto _ : state) {
    ev.Evaluate(actions, n, horizon, 1, iteration++, returns, executor, std::nullopt);
    benchmark::DoNotOptimize(returns.data());
  }
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n * 7 * horizon), benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_Plan, rs_1thread, std::string("rs:pop=64"), 1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Plan, cem_1thread, std::string("cem:pop=64,elites=8"), 1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Plan, icem_1thread, std::string("icem:pop=64,elites=8"), 1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Plan, mppi_1thread, std::string("mppi:samples=64,elites=8"), 1)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Plan, cem_2threads, std::string("cem:pop=64,elites=8"), 2)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Plan, icem_2threads, std::string("icem:pop=64,elites=8"), 2)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Rollout, cpu_path_1thread, true, 1, true)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Rollout, cpu_path_2threads, true, 2, true)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Rollout, tensor_path, false, 1, true)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Rollout, cpu_path_1thread_no_noise, true, 1, false)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Rollout, cpu_path_2threads_no_noise, true, 2, false)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Rollout, tensor_path_no_noise, false, 1, false)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace augur
