// Env steps per second: one env stepped in a loop (every registered env, MuJoCo locomotion included), a
// restore-then-step, Clone(), and a VectorEnv of N envs (serial and on TBB).
// Counter "steps/s" counts single-env transitions (N per vector step).
#include <benchmark/benchmark.h>

#include <string>
#include <variant>
#include <vector>

#include "augur/envs/registry.h"
#include "augur/envs/vector_env.h"

namespace augur::envs {
namespace {

const std::vector<std::string>& Ids() {
  static const auto* ids = new std::vector<std::string>(RegisteredEnvs());
  return *ids;
}

// The benchmark argument of an env id.
int64_t IndexOf(const std::string& id) {
  for (size_t i = 0; i < Ids().size(); ++i) {
    if (Ids()[i] == id) return static_cast<int64_t>(i);
  }
  return -1;
}

// A fixed valid action per row: the middle of a box or alternating discrete choices.
std::vector<float> Actions(const EnvSpec& spec, int64_t n) {
  std::vector<float> a(n * spec.action_dim());
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < spec.action_dim(); ++k) {
      if (const auto* d = std::get_if<Discrete>(&spec.action)) {
        a[i * spec.action_dim() + k] = static_cast<float>(i % d->n);
      } else {
        const Box& box = std::get<Box>(spec.action);
        a[i * spec.action_dim() + k] = 0.25f * box.low[k] + 0.75f * box.high[k];
      }
    }
  }
  return a;
}

void BM_EnvStep(benchmark::State& state) {
  const std::string& id = Ids()[state.range(0)];
  auto env = Make(id);
  const std::vector<float> action = Actions(env->spec(), 1);
  std::vector<float> obs(env->spec().obs_dim());
  env->Reset(0);
  uint64_t episode = 0;
  for (auto _ : state) {
    const StepInfo info = env->StepInto(action, obs);
    if (info.terminated || info.truncated) env->Reset(++episode);
    benchmark::DoNotOptimize(obs.data());
  }
  state.SetLabel(id);
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EnvStep)->DenseRange(0, static_cast<int>(Ids().size()) - 1);

// Restoring a recorded state then stepping once: the cost of a true-model rollout restarted from a dataset
// state (MuJoCo: qpos, qvel, warm start, then mj_forward).
void BM_EnvSetStateAndStep(benchmark::State& state) {
  const std::string& id = Ids()[state.range(0)];
  auto env = Make(id);
  const std::vector<float> action = Actions(env->spec(), 1);
  std::vector<float> obs(env->spec().obs_dim());
  env->Reset(0);
  for (int t = 0; t < 10; ++t) env->StepInto(action, obs);
  const SimState saved = env->GetState();
  for (auto _ : state) {
    env->SetState(saved);
    env->StepInto(action, obs);
    benchmark::DoNotOptimize(obs.data());
  }
  state.SetLabel(id);
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EnvSetStateAndStep)
    ->Arg(IndexOf("HalfCheetah-v4"))
    ->Arg(IndexOf("Hopper-v4"))
    ->Arg(IndexOf("Walker2d-v4"));

// Clone(): what a planner pays per particle when it copies the env (MuJoCo: mj_makeData + mj_copyData).
void BM_EnvClone(benchmark::State& state) {
  const std::string& id = Ids()[state.range(0)];
  auto env = Make(id);
  env->Reset(0);
  for (auto _ : state) {
    auto clone = env->Clone();
    benchmark::DoNotOptimize(clone.get());
  }
  state.SetLabel(id);
}
BENCHMARK(BM_EnvClone)
    ->Arg(IndexOf("HalfCheetah-v4"))
    ->Arg(IndexOf("Hopper-v4"))
    ->Arg(IndexOf("Walker2d-v4"))
    ->Arg(IndexOf("Pendulum-v1"));

void BM_VectorEnvStep(benchmark::State& state) {
  const std::string& id = Ids()[state.range(0)];
  const int64_t n = state.range(1);
  const bool parallel = state.range(2) != 0;
  VectorEnv venv(id, n, {.auto_reset = true, .parallel_threshold = parallel ? 1 : 0});
  const std::vector<float> actions = Actions(venv.spec(), n);
  venv.Reset(0);
  for (auto _ : state) {
    const VectorStepResult& r = venv.Step(actions);
    benchmark::DoNotOptimize(r.observations.data());
  }
  state.SetLabel(id + (parallel ? " tbb" : " serial"));
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}
// CartPole and Pendulum at N = 1, 64, 1024, 16384, serial and on TBB.
BENCHMARK(BM_VectorEnvStep)
    ->ArgsProduct({{IndexOf("CartPole-v1"), IndexOf("Pendulum-v1")}, {1, 64, 1024, 16384}, {0, 1}});
// The MuJoCo envs at N = 1, 16, 64, serial and on TBB.
BENCHMARK(BM_VectorEnvStep)
    ->ArgsProduct({{IndexOf("HalfCheetah-v4"), IndexOf("Hopper-v4"), IndexOf("Walker2d-v4")}, {1, 16, 64}, {0, 1}});

}  // namespace
}  // namespace augur::envs
