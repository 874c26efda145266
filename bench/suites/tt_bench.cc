// Trajectory Transformer benchmarks in one run (not a test; see bench/README.md):
//  1. beam-search planning time per action with the KV cache against recompute of the full prefix (the
//     published implementation's way), width 32, horizon 15 by default: the ratio (target >= 5x);
//  2. transformer forward tokens/s: a full forward of [B, window] tokens and incremental decoding with the cache;
//  3. training tokens/s of TtModel::Train against the same model and step in a plain PyTorch loop
//     (bench/peers/train_tt.py, /usr/bin/python3, OMP_NUM_THREADS matched), side by side: the ratio
//     (target >= 1.2x).
// Model: the paper's (4 layers, 4 heads, width 128, 100 bins) on Pendulum-shaped data (obs 3, action 1; random
// values: timings do not depend on what the weights learned).
//   build/bench/suites/augur_tt_bench [--threads 2] [--width 32] [--horizon 15] [--plans 3] [--no-peer]
//   build/bench/suites/augur_tt_bench --smoke        (tiny sizes, no peer: keeps the program working)
#include <CLI/CLI.hpp>
#include <ATen/ATen.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/logging.h"
#include "augur/core/torch_rng.h"
#include "augur/data/dataset.h"
#include "augur/models/factory.h"
#include "augur/search/beam.h"
#include "run_peer.h"

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// `episodes` x `length` rows of uniform random values, obs 3 and action 1 (Pendulum's dims).
augur::data::Dataset RandomData(int64_t episodes, int64_t length) {
  at::Generator g = augur::MakeCpuGenerator(0, 0);
  const int64_t n = episodes * length;
  at::Tensor timeouts = at::zeros({n}, at::kBool);
  for (int64_t e = 0; e < episodes; ++e) timeouts[(e + 1) * length - 1] = true;
  return augur::data::Dataset(at::rand({n, 3}, g) * 2 - 1, at::rand({n, 1}, g) * 4 - 2, -at::rand({n}, g) * 10,
                              at::zeros({n}, at::kBool), timeouts, at::rand({n, 3}, g) * 2 - 1);
}

using augur::bench::Capture;

double MsPerPlan(const std::shared_ptr<const augur::SequenceModel>& model, int64_t width, int64_t horizon, bool cache,
                 int plans, augur::Executor& executor, int64_t* calls) {
  augur::search::BeamOptions o;
  o.width = width;
  o.horizon = horizon;
  o.cache = cache;
  augur::search::BeamPlanner planner(model, o, executor);
  const std::vector<float> obs{0.1f, -0.2f, 0.3f};
  planner.Plan(obs, augur::Budget::Iterations(1));  // warm-up
  const auto t0 = Clock::now();
  for (int i = 0; i < plans; ++i) planner.Plan(obs, augur::Budget::Iterations(1));
  *calls = planner.last_model_calls();
  return 1e3 * Since(t0) / plans;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Trajectory Transformer: KV-cached beam search vs recompute, forward tokens/s, training vs PyTorch");
  bool smoke = false, no_peer = false;
  int threads = 2, plans = 3, train_batch = 64, peer_iters = 20;
  int64_t width = 32, horizon = 15;
  app.add_flag("--smoke", smoke, "tiny sizes, no peer, no figures to read");
  app.add_flag("--no-peer", no_peer, "skip the Python peer");
  app.add_option("--threads", threads, "torch threads (the peer gets OMP_NUM_THREADS equal)")->capture_default_str();
  app.add_option("--width", width, "beam width")->capture_default_str();
  app.add_option("--horizon", horizon, "beam horizon (the model's window is made to fit it)")->capture_default_str();
  app.add_option("--plans", plans, "timed plans per mode")->capture_default_str();
  app.add_option("--batch", train_batch, "training windows per step (augur and peer)")->capture_default_str();
  app.add_option("--peer-iters", peer_iters, "timed peer training steps")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  augur::SetLogLevel("warn");
  if (smoke) width = 4, horizon = 3, plans = 1, train_batch = 8, no_peer = true;
  try {
    augur::Executor executor(augur::Executor::Options{.threads = threads, .torch_threads = threads});
    const std::string net = smoke ? "layers=1,heads=1,width=16,bins=20" : "layers=4,heads=4,width=128,bins=100";
    const augur::data::Dataset data = RandomData(smoke ? 4 : 20, smoke ? 12 : 50);
    const augur::models::ModelInputs inputs{.obs_dim = 3, .action_dim = 1, .action_bounds = augur::Box::Uniform(1, -2, 2)};

    // 3. training (window 10 steps as the paper and the peer)
    const int64_t train_steps = smoke ? 3 : 10;
    auto trainee = augur::models::CreateSequenceModel(augur::StrCat("tt:", net, ",steps=", train_steps), inputs);
    augur::models::TrainOptions to;
    to.max_epochs = 1;
    to.batch_size = train_batch;
    to.holdout_ratio = 0;
    const auto report = trainee->Train(data, to, nullptr);
    const double augur_train = report.epochs.back().samples_per_second;

    // 1. planning: a model whose window holds the horizon
    auto planner_model = augur::models::CreateSequenceModel(augur::StrCat("tt:", net, ",steps=", horizon), inputs);
    to.max_epochs = 1;
    planner_model->Train(data, to, nullptr);
    std::shared_ptr<const augur::SequenceModel> model(planner_model.release());
    int64_t calls_cache = 0, calls_full = 0;
    const double ms_cache = MsPerPlan(model, width, horizon, true, plans, executor, &calls_cache);
    const double ms_full = MsPerPlan(model, width, horizon, false, plans, executor, &calls_full);

    // 2. forward tokens/s: full window, and one token at a time with the cache
    const int64_t rows = smoke ? 4 : 64, window = model->sequence_spec().max_tokens;
    at::Generator g = augur::MakeCpuGenerator(1, 0);
    const at::Tensor tokens = at::randint(model->sequence_spec().bins, {rows, window}, g, at::kLong);
    model->Forward(tokens, nullptr);
    auto t0 = Clock::now();
    const int reps = smoke ? 1 : 5;
    for (int i = 0; i < reps; ++i) model->Forward(tokens, nullptr);
    const double full_tps = reps * rows * window / Since(t0);
    auto cache = model->NewCache(rows);
    t0 = Clock::now();
    for (int64_t p = 0; p < window; ++p) model->Forward(tokens.narrow(1, p, 1), cache.get());
    const double inc_tps = rows * window / Since(t0);

    std::printf("augur Trajectory Transformer benchmark (%s), %d torch threads, %s\n", net.c_str(), threads,
                smoke ? "SMOKE (sizes too small to read)" : "figures below");
    std::printf("beam search width %lld, horizon %lld (%lld tokens per step):\n", static_cast<long long>(width),
                static_cast<long long>(horizon), static_cast<long long>(model->sequence_spec().layout.step_tokens()));
    std::printf("  KV cache          %10.2f ms/action  (%lld model calls)\n", ms_cache, static_cast<long long>(calls_cache));
    std::printf("  full recompute    %10.2f ms/action  (%lld model calls)\n", ms_full, static_cast<long long>(calls_full));
    std::printf("  speed-up of the cache: %.2fx (target >= 5x)\n", ms_full / ms_cache);
    std::printf("forward, %lld rows x %lld tokens:\n", static_cast<long long>(rows), static_cast<long long>(window));
    std::printf("  full window       %10.0f tokens/s\n", full_tps);
    std::printf("  incremental (KV)  %10.0f tokens/s\n", inc_tps);
    std::printf("training (window %lld steps, batch %d):\n", static_cast<long long>(train_steps), train_batch);
    std::printf("  augur             %10.0f tokens/s\n", augur_train);
    if (!no_peer) {
      const std::filesystem::path peer = std::filesystem::path(AUGUR_SOURCE_DIR) / "bench" / "peers" / "train_tt.py";
      const std::string cmd =
          augur::StrCat("OMP_NUM_THREADS=", threads, " /usr/bin/python3 ", peer.string(), " --obs 3 --act 1 --batch ",
                        train_batch, " --steps ", train_steps, " --iters ", peer_iters, " --threads ", threads);
      const std::string out = Capture(cmd);
      const size_t at = out.find("peer tokens_per_s ");
      if (at == std::string::npos) {
        std::printf("  peer failed: %s\n%s\n", cmd.c_str(), out.c_str());
      } else {
        const double peer_tps = std::stod(out.substr(at + 18));
        std::printf("  PyTorch peer      %10.0f tokens/s\n", peer_tps);
        std::printf("  augur / peer: %.2fx (target >= 1.2x)\n", augur_train / peer_tps);
      }
    }
  } catch (const augur::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
