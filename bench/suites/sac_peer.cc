// augur_sac_peer_bench: gradient steps per second of the 10-critic SAC-N / EDAC update (batch 256, critics as
// one batched ensemble layer) against the plain PyTorch peer bench/peers/sac_update.py, side by side in one
// run, with the ms of each phase on both sides; then rollout transitions per second of MBPO-style branched
// rollouts through an (untrained) 7-member ensemble with the SAC actor as policy.
//
// Both sides run LibTorch 1.13's ATen kernels with the same thread count. augur does less work per update:
// the EDAC term reuses the critic-loss forward (one tiled forward instead of two), the actor step runs the
// critics on detached weights (no critic weight gradients), the alpha and actor steps share one actor sample,
// and there is no Python dispatch per op.
//
// Usage: augur_sac_peer_bench [--obs 17] [--act 6] [--critics 10] [--hidden 256] [--layers 3] [--batch 256]
//        [--steps 30] [--threads 1] [--rollout-starts 10000] [--no-peer] [--json FILE] [--smoke]
//        [--eta 1] [--autograd] [--ab] [--default-malloc]
// --eta 0 or --act 1 (no EDAC term) runs the hand-written gradient path (SacOptions::autograd); --autograd
// forces autograd; --ab runs both interleaved and prints their ratio; --default-malloc keeps glibc's malloc
// thresholds (the CLI and this bench keep freed buffers in the heap).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "augur/agents/rl/sac.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/torch_rng.h"
#include "augur/models/factory.h"
#include "augur/rollouts/branched_rollouts.h"
#include "run_peer.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  int64_t obs = 17, act = 6;
  int critics = 10, hidden = 256, layers = 3, batch = 256, steps = 30, threads = 1;
  double eta = 1.0;
  bool default_malloc = false;
  int64_t rollout_starts = 10000;
  bool peer = true, smoke = false, autograd = false, ab = false;
  std::string json;
};

using augur::bench::Capture;

nlohmann::json RunAugur(const Args& a, bool autograd) {
  augur::agents::rl::SacOptions o;
  o.autograd = autograd;
  o.eta = a.eta;
  o.obs_dim = a.obs;
  o.action_dim = a.act;
  o.critics = a.critics;
  o.hidden = a.hidden;
  o.layers = a.layers;
  augur::agents::rl::Sac sac(o);
  const int64_t rows = 10000;
  at::Generator gen = augur::MakeCpuGenerator(0);
  const at::Tensor obs = at::randn({rows, a.obs}, gen), act = at::rand({rows, a.act}, gen) * 2 - 1,
                   rew = at::randn({rows}, gen), next = at::randn({rows, a.obs}, gen), done = at::zeros({rows});
  auto batch = [&] {
    at::Tensor idx = at::randint(0, rows, {a.batch}, gen, at::kLong);
    return augur::agents::rl::SacBatch{obs.index_select(0, idx), act.index_select(0, idx), rew.index_select(0, idx),
                                       next.index_select(0, idx), done.index_select(0, idx)};
  };
  for (int i = 0; i < 3; ++i) sac.Update(batch());
  double actor = 0, target = 0, critic = 0, other = 0;
  const auto t0 = Clock::now();
  for (int i = 0; i < a.steps; ++i) {
    const auto m = sac.Update(batch());
    actor += m.actor_ms, target += m.target_ms, critic += m.critic_ms, other += m.other_ms;
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  return {{"updates_per_second", a.steps / s}, {"actor_ms", actor / a.steps}, {"target_ms", target / a.steps},
          {"critic_ms", critic / a.steps},     {"other_ms", other / a.steps}};
}

nlohmann::json RunRollouts(const Args& a, augur::Executor& executor) {
  std::shared_ptr<const augur::WorldModel> model = augur::models::Create(
      "ensemble:members=7,elites=5,hidden=200,layers=4", a.obs, a.act, augur::Box::Uniform(a.act, -1.f, 1.f));
  augur::agents::rl::SacOptions o;
  o.obs_dim = a.obs;
  o.action_dim = a.act;
  o.critics = 2;
  o.eta = 0;
  o.hidden = a.hidden;
  o.layers = a.layers;
  augur::agents::rl::Sac sac(o);
  augur::rollouts::WorldModelStepper stepper(*model);
  at::Generator gen = augur::MakeCpuGenerator(1);
  const at::Tensor start = at::randn({a.rollout_starts, a.obs}, gen) * 0.1;
  const at::Tensor rows = at::arange(a.rollout_starts, at::kLong);
  double policy_s = 0;
  augur::rollouts::RolloutPolicy policy = [&](const at::Tensor& x, int64_t) {
    const auto t0 = Clock::now();
    at::Tensor u = sac.Act(x, false, gen);
    policy_s += std::chrono::duration<double>(Clock::now() - t0).count();
    return u;
  };
  const auto r = augur::rollouts::BranchedRollout(stepper, policy, start, rows, {.length = 5, .seed = 1}, executor);
  return {{"transitions", r.transitions.size()},
          {"seconds", r.seconds},
          {"transitions_per_second", r.transitions.size() / r.seconds},
          {"policy_seconds", policy_s},
          {"model", "ensemble 7 members (5 elites), 4 x 200, untrained"}};
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string s = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) throw augur::ConfigError(s + " needs a value");
        return argv[++i];
      };
      if (s == "--obs") a.obs = std::stoll(next());
      else if (s == "--act") a.act = std::stoll(next());
      else if (s == "--critics") a.critics = std::stoi(next());
      else if (s == "--hidden") a.hidden = std::stoi(next());
      else if (s == "--layers") a.layers = std::stoi(next());
      else if (s == "--batch") a.batch = std::stoi(next());
      else if (s == "--steps") a.steps = std::stoi(next());
      else if (s == "--threads") a.threads = std::stoi(next());
      else if (s == "--rollout-starts") a.rollout_starts = std::stoll(next());
      else if (s == "--no-peer") a.peer = false;
      else if (s == "--autograd") a.autograd = true;
      else if (s == "--ab") a.ab = true;
      else if (s == "--eta") a.eta = std::stod(next());
      else if (s == "--default-malloc") a.default_malloc = true;
      else if (s == "--json") a.json = next();
      else if (s == "--smoke") a.smoke = true;
      else {
        std::fprintf(stderr, "usage: augur_sac_peer_bench [--obs N] [--act N] [--critics N] [--hidden N] [--layers N] "
                             "[--batch N] [--steps N] [--threads N] [--rollout-starts N] [--no-peer] [--autograd] [--ab] "
                             "[--eta X] [--default-malloc] [--json FILE] [--smoke]\n");
        return s == "--help" ? 0 : 2;
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  if (!a.default_malloc) {
    // As the augur CLI (apps/src/main.cc): freed tensor buffers stay in the heap (no mmap/munmap and page
    // faults per activation buffer).
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
  }
  if (a.smoke) {
    a.critics = 3, a.hidden = 16, a.layers = 2, a.batch = 16, a.steps = 2, a.rollout_starts = 64, a.peer = false;
  }
  augur::Executor executor(a.threads);
  at::set_num_threads(a.threads);
  std::printf("SAC-N/EDAC update: obs %lld, act %lld, %d critics of %d x %d, batch %d, %d threads, %d steps\n",
              static_cast<long long>(a.obs), static_cast<long long>(a.act), a.critics, a.layers, a.hidden, a.batch,
              a.threads, a.steps);
  nlohmann::json out = {{"config",
                         {{"obs", a.obs}, {"act", a.act}, {"critics", a.critics}, {"hidden", a.hidden},
                          {"layers", a.layers}, {"batch", a.batch}, {"threads", a.threads}, {"steps", a.steps}}}};
  auto row = [](const char* who, const nlohmann::json& j) {
    std::printf("  %-14s %8.2f updates/s | ms: alpha+actor %.2f, target %.2f, critic+EDAC %.2f, other %.2f\n", who,
                j["updates_per_second"].get<double>(), j["actor_ms"].get<double>(), j["target_ms"].get<double>(),
                j["critic_ms"].get<double>(), j["other_ms"].get<double>());
  };
  if (a.ab) {
    // The hand-written gradient path against autograd (SacOptions::autograd), interleaved, best of 3 each;
    // the same path unless the EDAC term is off (--eta 0 or --act 1).
    nlohmann::json best[2];
    for (int round = 0; round < 3; ++round) {
      for (int path = 0; path < 2; ++path) {
        nlohmann::json j = RunAugur(a, path == 1);
        if (best[path].is_null() || j["updates_per_second"] > best[path]["updates_per_second"]) best[path] = j;
      }
    }
    out["augur"] = best[0];
    out["augur_autograd"] = best[1];
    row("augur", best[0]);
    row("augur autograd", best[1]);
    const double r = best[0]["updates_per_second"].get<double>() / best[1]["updates_per_second"].get<double>();
    out["ratio_fused_autograd"] = r;
    std::printf("  ratio hand-written / autograd: %.2fx\n", r);
  } else {
    out["augur"] = RunAugur(a, a.autograd);
    row("augur", out["augur"]);
  }
  if (a.peer) {
    const std::filesystem::path peer = std::filesystem::path(AUGUR_SOURCE_DIR) / "bench/peers/sac_update.py";
    const std::string cmd = augur::StrCat(
        "OMP_NUM_THREADS=", a.threads, " /usr/bin/python3 ", peer.string(), " --obs ", a.obs, " --act ", a.act,
        " --critics ", a.critics, " --hidden ", a.hidden, " --layers ", a.layers, " --batch ", a.batch, " --steps ",
        a.steps, " --threads ", a.threads);
    const std::string text = Capture(cmd);
    const size_t brace = text.rfind('{');
    try {
      out["peer"] = nlohmann::json::parse(text.substr(brace == std::string::npos ? 0 : brace));
      row("pytorch", out["peer"]);
      const double ratio =
          out["augur"]["updates_per_second"].get<double>() / out["peer"]["updates_per_second"].get<double>();
      out["ratio"] = ratio;
      std::printf("  ratio augur / pytorch: %.2fx\n", ratio);
    } catch (const std::exception&) {
      std::printf("  peer failed: %s\n", text.c_str());
    }
  }
  out["rollouts"] = RunRollouts(a, executor);
  std::printf("branched rollouts (k = 5, %lld starts, %s): %.0f transitions/s (policy %.2f s of %.2f s)\n",
              static_cast<long long>(a.rollout_starts), out["rollouts"]["model"].get<std::string>().c_str(),
              out["rollouts"]["transitions_per_second"].get<double>(), out["rollouts"]["policy_seconds"].get<double>(),
              out["rollouts"]["seconds"].get<double>());
  if (!a.json.empty()) std::ofstream(a.json) << out.dump(2) << "\n";
  return 0;
}
