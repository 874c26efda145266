// augur against the plain-PyTorch PETS peer, in one run (issue 5's benchmark section).
//
// Planning: for each configuration an untrained (initialized) EnsembleModel of the peer's architecture (every
// member at inference), a CEM planner with the peer's semantics (population, elites, iterations, horizon,
// particles, TSinf, model sampling on, actions clipped to [-1, 1], no momentum (alpha = 0), initial std 0.5,
// warm start shifted by one step, no predicted-states rollout), warmed up once. Then R rounds (--repeats, default
// 5): each round runs the peer once (../shared/peers/pets_cem.py as a subprocess with /usr/bin/python3,
// OMP_NUM_THREADS=2 and --threads 2; its "ms/plan" is parsed) and then N timed plans (--plans, default 2 large /
// 10 small) of every precision, so that load drifts on the shared machine hit augur and the peer alike (A B A B).
// Printed: min and median ms/plan of both, the ratio of medians and the ratio of minima. Without the peer
// (--repeats 0): 3 rounds. Timing does not depend on training: the forward pass costs the same for any weights.
// Model FLOPs per plan are counted as the peer counts them.
// GEMM reference: the layer shape of the large configuration, 7 products [1000 x 200] x [200 x 200] (all
// members), through torch::mm, torch::linear, torch::mkldnn_linear (oneDNN on mkldnn tensors) and dnnl_sgemm
// (oneDNN's BLAS-like entry point) and augur's own dense kernel (no activation), all with 2 threads; the best
// is the fp32 GEMM limit.
// Training (--train): EnsembleModel::Train epochs against bench/peers/train_ensemble.py, samples/s.
//
// Run: build/bench/suites/augur_pets_peer_bench [--configs small,large] [--plans N per round] [--peer-steps N]
//        [--repeats R] [--chunk-small C] [--chunk-large C] [--bf16] [--ab-kernel] [--no-dense-kernel] [--train]
//        [--json out.json] [--smoke]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/logging.h"
#include "augur/core/torch_rng.h"
#include "augur/models/ensemble/ensemble_model.h"
#include "augur/models/factory.h"
#include "augur/planners/factory.h"
#include "dense_kernel.h"  // models/src/ensemble (private): the kernel as a GEMM reference
#include "run_peer.h"

#ifdef AUGUR_HAVE_ONEDNN
extern "C" int dnnl_sgemm(char transa, char transb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
#endif

namespace {

using Clock = std::chrono::steady_clock;

struct Config {
  std::string name;
  int64_t obs, act, ens, hid, layers, pop, elites, particles, horizon, iters;
  int64_t chunk;  // sequences per Executor chunk
};

// The peer's FLOP count per plan.
double PlanFlops(const Config& c) {
  return static_cast<double>(c.iters * c.horizon * c.pop * c.particles) * 2.0 *
         static_cast<double>((c.obs + c.act) * c.hid + (c.layers - 1) * c.hid * c.hid + c.hid * 2 * (c.obs + 1));
}

struct Stats {
  double min = 0, median = 0;
};
Stats Summarize(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.median = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  return s;
}

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// CPU time of this process (all threads), seconds.
double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct PlanRun {
  Stats ms;
  Stats cpu_ms;  // process CPU time per plan (all threads): robust to other processes' load, ~threads x ms idle
  std::vector<float> first_action;  // of the first timed plan
  double predicted_return = 0;      // of the first timed plan
};

// One precision's planner, built and warmed up once; Time(k) runs k more timed plans, so that the rounds of
// several precisions and of the peer can alternate (A B A B: load drifts hit all of them).
// precision: "fp32", "bf16", or "fp32-gemm" / "bf16-gemm" (augur's dense kernels off: oneDNN / Eigen GEMMs).
class PlanTimer {
 public:
  PlanTimer(const Config& c, std::string precision, augur::Executor& executor)
      : c_(c), precision_(std::move(precision)), kernel_(!IsGemmVariant(precision_)) {
    KernelScope scope(kernel_);
    const std::string model_spec =
        augur::StrCat("ensemble:members=", c.ens, ",elites=", c.ens, ",hidden=", c.hid, ",layers=", c.layers,
                      precision_.rfind("bf16", 0) == 0 ? ",precision=bf16" : "");
    std::shared_ptr<const augur::WorldModel> model = augur::models::Create(
        model_spec, c.obs, c.act, augur::Box::Uniform(c.act, -1.f, 1.f));
    augur::PlannerInputs in;
    in.model = model;
    in.objective = augur::Objective::Reward();
    const std::string spec = augur::StrCat("cem:pop=", c.pop, ",elites=", c.elites, ",iters=", c.iters,
                                           ",horizon=", c.horizon, ",particles=", c.particles,
                                           ",propagation=tsinf,sample=true,alpha=0,init_std=0.5,predict=false,chunk=",
                                           c.chunk);
    planner_ = augur::MakePlanner(spec, in, executor);
    at::Generator gen = augur::MakeCpuGenerator(0);
    const at::Tensor obs_t = at::randn({c.obs}, gen, at::kFloat);
    obs_.assign(obs_t.data_ptr<float>(), obs_t.data_ptr<float>() + c.obs);
    for (int w = 0; w < 2; ++w) planner_->Plan(obs_, augur::Budget::Iterations(c.iters), result_);
    planner_->Reset(1);
  }

  void Time(int plans) {
    KernelScope scope(kernel_);
    for (int i = 0; i < plans; ++i) {
      const double c0 = CpuSeconds();
      const auto t0 = Clock::now();
      planner_->Plan(obs_, augur::Budget::Iterations(c_.iters), result_);
      ms_.push_back(1e3 * Seconds(t0, Clock::now()));
      cpu_ms_.push_back(1e3 * (CpuSeconds() - c0));
      if (ms_.size() == 1) {
        run_.first_action = result_.action;
        run_.predicted_return = result_.predicted_return;
      }
    }
  }

  PlanRun run() const {
    PlanRun r = run_;
    r.ms = Summarize(ms_);
    r.cpu_ms = Summarize(cpu_ms_);
    return r;
  }
  const std::string& precision() const { return precision_; }

 private:
  static bool IsGemmVariant(const std::string& p) { return p.size() > 5 && p.substr(p.size() - 5) == "-gemm"; }
  // The dense-kernel switch is global: set it for this planner's calls, restore it after.
  struct KernelScope {
    explicit KernelScope(bool on) : saved(augur::models::FusedEnsemble::dense_kernel()) {
      if (!on) augur::models::FusedEnsemble::set_dense_kernel(false);
    }
    ~KernelScope() { augur::models::FusedEnsemble::set_dense_kernel(saved); }
    bool saved;
  };

  Config c_;
  std::string precision_;
  bool kernel_;
  std::unique_ptr<augur::Planner> planner_;
  std::vector<float> obs_;
  augur::PlanResult result_;
  std::vector<double> ms_, cpu_ms_;
  PlanRun run_;
};

std::string PeerPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  const std::filesystem::path p = std::filesystem::path(AUGUR_SOURCE_DIR) / ".." / "shared" / "peers" / "pets_cem.py";
  return std::filesystem::exists(p) ? std::filesystem::weakly_canonical(p).string() : std::string();
}

using augur::bench::Capture;

// The number before `unit` in `text` (e.g. "123.4 ms/plan"), or NaN.
double ParseBefore(const std::string& text, const std::string& unit) {
  const size_t at = text.find(unit);
  if (at == std::string::npos) return std::nan("");
  size_t b = at;
  while (b > 0 && text[b - 1] == ' ') --b;
  size_t e = b;
  while (b > 0 && (std::isdigit(static_cast<unsigned char>(text[b - 1])) || text[b - 1] == '.')) --b;
  return b == e ? std::nan("") : std::stod(text.substr(b, e - b));
}

std::string PeerCommand(const std::string& path, const Config& c, int steps) {
  return augur::StrCat("OMP_NUM_THREADS=2 /usr/bin/python3 ", path, " --obs ", c.obs, " --act ", c.act, " --ens ",
                       c.ens, " --hid ", c.hid, " --layers ", c.layers, " --pop ", c.pop, " --elites ", c.elites,
                       " --particles ", c.particles, " --horizon ", c.horizon, " --iters ", c.iters, " --steps ",
                       steps, " --threads 2");
}

// One peer run: its ms/plan (NaN when it failed), its first output line in *line.
double RunPeerOnce(const std::string& cmd, std::string* line) {
  const std::string out = Capture(cmd);
  const double v = ParseBefore(out, "ms/plan");
  if (std::isnan(v)) {
    std::fprintf(stderr, "peer failed: %s\n%s\n", cmd.c_str(), out.c_str());
    return v;
  }
  *line = out.substr(0, out.find('\n'));
  return v;
}

// Best time (seconds) of `f` over `windows` windows of at least 0.2 s each.
template <class F>
double BestTime(F&& f, int windows = 5) {
  f();
  double best = 1e30;
  for (int w = 0; w < windows; ++w) {
    int n = 0;
    const auto t0 = Clock::now();
    double s = 0;
    while (s < 0.2) {
      f();
      ++n;
      s = Seconds(t0, Clock::now());
    }
    best = std::min(best, s / n);
  }
  return best;
}

struct GemmRef {
  std::vector<std::pair<std::string, double>> gflops;  // path -> GFLOP/s
  std::string best_path;
  double best = 0;
};

// 7 products [rows x k] x [k x n] with `threads` threads: torch's / OpenMP's pool on this thread, and (the way
// augur's rollouts run them) each member's rows in two halves over an Executor, one thread per product.
GemmRef MeasureGemm(int64_t members, int64_t rows, int64_t k, int64_t n, int threads) {
  at::NoGradGuard no_grad;
  GemmRef ref;
  const double flops = 2.0 * members * rows * k * n;
  std::vector<at::Tensor> x, w, wt, b, c, xm, wm, bm;
  for (int64_t m = 0; m < members; ++m) {
    x.push_back(at::randn({rows, k}));
    w.push_back(at::randn({k, n}) / std::sqrt(static_cast<double>(k)));
    wt.push_back(w.back().t().contiguous());
    b.push_back(at::zeros({n}));
    c.push_back(at::empty({rows, n}));
    xm.push_back(x.back().to_mkldnn());
    wm.push_back(wt.back().to_mkldnn());
    bm.push_back(b.back().to_mkldnn());
  }
  auto add = [&](const std::string& name, double seconds) {
    const double g = flops / seconds / 1e9;
    ref.gflops.emplace_back(name, g);
    if (g > ref.best) {
      ref.best = g;
      ref.best_path = name;
    }
  };
  add("torch::mm", BestTime([&] {
        for (int64_t m = 0; m < members; ++m) at::mm_out(c[m], x[m], w[m]);
      }));
  add("torch::linear", BestTime([&] {
        for (int64_t m = 0; m < members; ++m) c[m] = at::linear(x[m], wt[m], b[m]);
      }));
  add("torch::mkldnn_linear", BestTime([&] {
        for (int64_t m = 0; m < members; ++m) {
          at::Tensor y = at::mkldnn_linear(xm[m], wm[m], bm[m]);
        }
      }));
#ifdef AUGUR_HAVE_ONEDNN
  add("dnnl_sgemm", BestTime([&] {
        for (int64_t m = 0; m < members; ++m) {
          dnnl_sgemm('N', 'N', rows, n, k, 1.f, x[m].data_ptr<float>(), k, w[m].data_ptr<float>(), n, 0.f,
                     c[m].data_ptr<float>(), n);
        }
      }));
  {
    augur::Executor executor(threads);
    at::set_num_threads(threads);  // the Executor resets torch's pool; keep this thread's setting
    const int64_t half = rows / 2;
    add("dnnl_sgemm 1 thread x workers", BestTime([&] {
          executor.ParallelFor(2 * members, 1, [&](int64_t begin, int64_t, int64_t) {
            const int64_t m = begin / 2, r0 = (begin % 2) * half, nr = begin % 2 ? rows - half : half;
            dnnl_sgemm('N', 'N', nr, n, k, 1.f, x[m].data_ptr<float>() + r0 * k, k, w[m].data_ptr<float>(), n, 0.f,
                       c[m].data_ptr<float>() + r0 * n, n);
          });
        }));
  }
#endif
  if (augur::models::kernels::dense_kernel_available()) {
    // augur's register-blocked kernel (dense_kernel.h) as the fused path calls it: bias, no activation, the
    // same halves per worker.
    augur::Executor executor(threads);
    at::set_num_threads(threads);
    const int64_t half = rows / 2;
    add("augur dense kernel 1 thread x workers", BestTime([&] {
          executor.ParallelFor(2 * members, 1, [&](int64_t begin, int64_t, int64_t) {
            const int64_t m = begin / 2, r0 = (begin % 2) * half, nr = begin % 2 ? rows - half : half;
            augur::models::kernels::Dense(nr, k, n, x[m].data_ptr<float>() + r0 * k, k, w[m].data_ptr<float>(),
                                          b[m].data_ptr<float>(), c[m].data_ptr<float>() + r0 * n, n,
                                          augur::models::kernels::DenseAct::kNone);
          });
        }));
  }
  return ref;
}

struct TrainRun {
  std::string shape;
  double augur = 0, peer = 0, train_gflops = 0, bmm_gflops = 0, dnnl_gflops = 0;
  double gemm_best() const { return std::max(bmm_gflops, dnnl_gflops); }
};

double TrainRowFlops(int64_t obs, int64_t act, int64_t hid, int64_t layers) {
  return 2.0 * ((obs + act) * hid + (layers - 1) * hid * hid + hid * 2 * (obs + 1));
}

// augur's training epochs and the peer's run alternate `rounds` times (A B A B ...), so load drifts hit both;
// each side reports its best epoch.
TrainRun RunTrain(const std::string& shape, int epochs, int threads, int rounds) {
  const bool large = shape == "large";
  const int64_t obs = large ? 17 : 3, act = large ? 6 : 1, hid = large ? 200 : 64, layers = large ? 4 : 2;
  const int64_t rows = 16384, ens = 7, batch = 256;
  TrainRun r;
  r.shape = shape;
  at::set_num_threads(threads);
  at::Generator gen = augur::MakeCpuGenerator(3);
  augur::models::TransitionBatch data;
  data.obs = at::randn({rows, obs}, gen, at::kFloat);
  data.actions = at::rand({rows, act}, gen, at::kFloat);
  data.next_obs = data.obs + 0.1 * at::randn({rows, obs}, gen, at::kFloat);
  data.rewards = at::randn({rows}, gen, at::kFloat);
  augur::models::TrainOptions train;
  train.max_epochs = 1;
  train.holdout_ratio = 0;
  train.batch_size = batch;
  const std::filesystem::path peer = std::filesystem::path(AUGUR_SOURCE_DIR) / "bench" / "peers" / "train_ensemble.py";
  for (int round = 0; round < rounds; ++round) {
    for (int e = 0; e < epochs; ++e) {
      auto model = augur::models::Create(augur::StrCat("ensemble:members=", ens, ",elites=", ens, ",hidden=", hid,
                                                       ",layers=", layers),
                                         obs, act);
      const auto report = model->Train(data, train, nullptr);
      r.augur = std::max(r.augur, report.epochs.at(0).samples_per_second);
    }
    const std::string out =
        Capture(augur::StrCat("OMP_NUM_THREADS=", threads, " /usr/bin/python3 ", peer.string(), " --shape ", shape,
                              " --threads ", threads, " --epochs ", epochs, " --batch ", batch, " --rows ", rows));
    const double p = ParseBefore(out, "samples/s");
    if (std::isnan(p)) std::fprintf(stderr, "training peer failed:\n%s\n", out.c_str());
    else r.peer = std::max(r.peer, p);
  }
  if (r.peer == 0) r.peer = std::nan("");
  r.train_gflops = r.augur * ens * 3 * TrainRowFlops(obs, act, hid, layers) / 1e9;
  // GEMM limit of training: the hidden layer's products [E, batch, H] x [E, H, H], through torch's bmm (what
  // the peer runs) and through dnnl_sgemm as augur's training step calls it (each member's rows in two halves,
  // one single-threaded product per task over torch's threads).
  const at::Tensor a = at::randn({ens, batch, hid}), b = at::randn({ens, hid, hid});
  at::Tensor c = at::bmm(a, b);
  const double flops = 2.0 * ens * batch * hid * hid;
  r.bmm_gflops = flops / BestTime([&] { at::bmm_out(c, a, b); }) / 1e9;
#ifdef AUGUR_HAVE_ONEDNN
  r.dnnl_gflops = flops / BestTime([&] {
                    at::parallel_for(0, 2 * ens, 1, [&](int64_t begin, int64_t end) {
                      for (int64_t t = begin; t < end; ++t) {
                        const int64_t m = t / 2, r0 = (t % 2) * (batch / 2);
                        dnnl_sgemm('N', 'N', batch / 2, hid, hid, 1.f, a[m].data_ptr<float>() + r0 * hid, hid,
                                   b[m].data_ptr<float>(), hid, 0.f, c[m].data_ptr<float>() + r0 * hid, hid);
                      }
                    });
                  }) / 1e9;
#endif
  return r;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) v.push_back(item);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::string configs = "small,large", json, peer_flag;
  int plans = -1, peer_steps = -1, repeats = 5, threads = 2, train_epochs = 3, train_rounds = 2;
  int64_t chunk_small = 32, chunk_large = 250;
  bool smoke = false, bf16 = false, train = false, gemm = true, ab_kernel = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--smoke") smoke = true;
    else if (a == "--configs") configs = next();
    else if (a == "--plans") plans = std::stoi(next());
    else if (a == "--peer-steps") peer_steps = std::stoi(next());
    else if (a == "--repeats") repeats = std::stoi(next());
    else if (a == "--chunk-small") chunk_small = std::stoll(next());
    else if (a == "--chunk-large") chunk_large = std::stoll(next());
    else if (a == "--gemm-min-rows") augur::models::FusedEnsemble::set_gemm_min_rows(std::stoll(next()));
    else if (a == "--bf16") bf16 = true;
    else if (a == "--ab-kernel") ab_kernel = true;
    else if (a == "--no-dense-kernel") augur::models::FusedEnsemble::set_dense_kernel(false);
    else if (a == "--train") train = true;
    else if (a == "--train-epochs") train_epochs = std::stoi(next());
    else if (a == "--train-rounds") train_rounds = std::stoi(next());
    else if (a == "--no-gemm") gemm = false;
    else if (a == "--peer") peer_flag = next();
    else if (a == "--json") json = next();
    else if (a == "--threads") threads = std::stoi(next());
    else {
      std::fprintf(stderr,
                   "usage: %s [--configs small,large] [--plans N] [--peer-steps N] [--repeats R] [--chunk-small C] "
                   "[--chunk-large C] [--gemm-min-rows N] [--bf16] [--ab-kernel] [--no-dense-kernel] [--train] "
                   "[--train-epochs N] [--train-rounds N] [--no-gemm] "
                   "[--peer PATH] [--json FILE] [--threads N] [--smoke]\n",
                   argv[0]);
      return 2;
    }
  }
  augur::SetLogLevel("warn");
  std::vector<Config> all = {
      {"small", 3, 1, 7, 64, 2, 64, 6, 7, 10, 3, chunk_small},
      {"large", 17, 6, 7, 200, 4, 500, 50, 14, 30, 5, chunk_large},
  };
  if (smoke) {
    // Tiny sizes, no peer, no GEMM reference: the program's plumbing only.
    all = {{"smoke", 3, 1, 7, 16, 2, 16, 4, 7, 4, 2, 2}};
    configs = "smoke";
    repeats = 0;
    gemm = false;
    if (plans < 0) plans = 2;
  }
  const std::string peer = smoke ? std::string() : PeerPath(peer_flag);
  if (!smoke && peer.empty()) {
    std::fprintf(stderr, "peer skipped: %s/../shared/peers/pets_cem.py not found (pass --peer PATH)\n",
                 AUGUR_SOURCE_DIR);
  }
  std::printf(
      "augur vs python-pytorch PETS-CEM, %d threads, fp32 dense kernel (AVX-512, fused bias + activation): %s, "
      "oneDNN GEMM in the fused path: %s (min rows %lld)\n",
      threads, augur::models::FusedEnsemble::dense_kernel() ? "yes" : "no",
      augur::models::FusedEnsemble::has_onednn() ? "yes" : "no",
      static_cast<long long>(augur::models::FusedEnsemble::gemm_min_rows()));

  GemmRef ref;
  if (gemm) {
    at::set_num_threads(threads);
    ref = MeasureGemm(7, 1000, 200, 200, threads);
    std::printf("fp32 GEMM reference, 7 x [1000 x 200] x [200 x 200], %d threads:", threads);
    for (const auto& [name, g] : ref.gflops) std::printf("  %s %.0f", name.c_str(), g);
    std::printf(" GFLOP/s; best %s %.0f\n", ref.best_path.c_str(), ref.best);
  }

  std::ostringstream js;
  js << "{\n  \"threads\": " << threads << ",\n  \"gemm_reference_gflops\": {";
  for (size_t i = 0; i < ref.gflops.size(); ++i) {
    js << (i ? ", " : "") << "\"" << ref.gflops[i].first << "\": " << ref.gflops[i].second;
  }
  js << "},\n  \"gemm_best_gflops\": " << ref.best << ",\n  \"plans\": [";

  std::printf("\n%-6s %-9s %6s %12s %12s %12s %12s %8s %8s %9s %9s %6s %12s\n", "config", "prec", "chunk", "augur min",
              "augur med", "peer min", "peer med", "med/med", "min/min", "GFLOP/s", "GEMM best", "frac", "cpu ms med");
  bool first_row = true;
  for (const std::string& name : Split(configs)) {
    auto it = std::find_if(all.begin(), all.end(), [&](const Config& c) { return c.name == name; });
    if (it == all.end()) {
      std::fprintf(stderr, "unknown config '%s'\n", name.c_str());
      return 2;
    }
    const Config& c = *it;
    const bool is_large = c.name == "large";
    // Rounds: each runs the peer once, then `n` timed plans of every precision (A B A B ...).
    const bool with_peer = !peer.empty() && repeats > 0;
    const int rounds = with_peer ? repeats : 3;
    const int n = plans > 0 ? plans : (is_large ? 2 : 10);
    const int steps = peer_steps > 0 ? peer_steps : (is_large ? 3 : 30);
    std::vector<std::string> precisions = {"fp32"};
    if (ab_kernel && augur::models::FusedEnsemble::dense_kernel()) precisions.push_back("fp32-gemm");
    if (bf16 && augur::models::FusedEnsemble::has_onednn()) {
      precisions.push_back("bf16");
      if (ab_kernel && augur::models::FusedEnsemble::dense_kernel()) precisions.push_back("bf16-gemm");
    }
    augur::Executor executor(threads);
    std::vector<std::unique_ptr<PlanTimer>> timers;
    for (const std::string& precision : precisions) timers.push_back(std::make_unique<PlanTimer>(c, precision, executor));
    const std::string peer_cmd = with_peer ? PeerCommand(peer, c, steps) : std::string();
    std::string peer_line;
    std::vector<double> peer_runs;
    for (int round = 0; round < rounds; ++round) {
      if (with_peer) {
        const double v = RunPeerOnce(peer_cmd, &peer_line);
        if (!std::isnan(v)) peer_runs.push_back(v);
      }
      for (auto& timer : timers) timer->Time(n);
    }
    if (with_peer) std::fprintf(stderr, "peer (%zu runs): %s\n", peer_runs.size(), peer_cmd.c_str());
    const Stats peer_ms = Summarize(peer_runs);
    std::vector<float> fp32_action;
    for (const auto& timer : timers) {
      const std::string& precision = timer->precision();
      const PlanRun run = timer->run();
      const double gflops = PlanFlops(c) / (run.ms.median / 1e3) / 1e9;
      const double ratio = peer_ms.median > 0 ? peer_ms.median / run.ms.median : 0;
      const double ratio_min = peer_ms.min > 0 ? peer_ms.min / run.ms.min : 0;
      const double frac = ref.best > 0 ? gflops / ref.best : 0;
      std::printf("%-6s %-9s %6lld %9.2f ms %9.2f ms %9.2f ms %9.2f ms %7.2fx %7.2fx %9.1f %9.1f %5.0f%% %12.2f\n",
                  c.name.c_str(), precision.c_str(), static_cast<long long>(c.chunk), run.ms.min, run.ms.median,
                  peer_ms.min, peer_ms.median, ratio, ratio_min, gflops, ref.best, 100 * frac, run.cpu_ms.median);
      double action_diff = 0;
      if (precision == "fp32") {
        fp32_action = run.first_action;
      } else {
        for (size_t k = 0; k < fp32_action.size() && k < run.first_action.size(); ++k) {
          action_diff = std::max(action_diff, static_cast<double>(std::fabs(fp32_action[k] - run.first_action[k])));
        }
        std::printf("       %s vs fp32: first action max |diff| %.4f (same seed and start; untrained weights)\n",
                    precision.c_str(), action_diff);
      }
      js << (first_row ? "\n" : ",\n") << "    {\"config\": \"" << c.name << "\", \"precision\": \"" << precision
         << "\", \"chunk\": " << c.chunk << ", \"rounds\": " << rounds << ", \"plans_per_round\": " << n
         << ", \"augur_ms_min\": " << run.ms.min << ", \"augur_ms_median\": " << run.ms.median
         << ", \"augur_cpu_ms_min\": " << run.cpu_ms.min << ", \"augur_cpu_ms_median\": " << run.cpu_ms.median
         << ", \"peer_runs\": " << peer_runs.size() << ", \"peer_ms_min\": " << peer_ms.min
         << ", \"peer_ms_median\": " << peer_ms.median << ", \"ratio\": " << ratio << ", \"ratio_min\": " << ratio_min
         << ", \"flops_per_plan\": " << PlanFlops(c) << ", \"augur_gflops\": " << gflops
         << ", \"fraction_of_gemm\": " << frac << ", \"first_action_diff_vs_fp32\": " << action_diff << "}";
      first_row = false;
    }
    if (!peer_line.empty()) std::printf("       peer (last run): %s\n", peer_line.c_str());
  }
  js << "\n  ]";

  if (train && !smoke) {
    js << ",\n  \"training\": [";
    std::printf("\n%-6s %14s %14s %7s %12s %9s %9s %6s\n", "train", "augur samp/s", "peer samp/s", "ratio",
                "train GF/s", "bmm GF/s", "dnnl GF/s", "frac");
    bool first = true;
    for (const std::string& shape : {std::string("small"), std::string("large")}) {
      const TrainRun r = RunTrain(shape, train_epochs, threads, train_rounds);
      const double ratio = r.peer > 0 ? r.augur / r.peer : 0;
      std::printf("%-6s %14.0f %14.0f %6.2fx %12.1f %9.1f %9.1f %5.0f%%\n", shape.c_str(), r.augur, r.peer, ratio,
                  r.train_gflops, r.bmm_gflops, r.dnnl_gflops, 100 * r.train_gflops / r.gemm_best());
      js << (first ? "\n" : ",\n") << "    {\"shape\": \"" << shape << "\", \"augur_samples_per_s\": " << r.augur
         << ", \"peer_samples_per_s\": " << r.peer << ", \"ratio\": " << ratio
         << ", \"train_gflops\": " << r.train_gflops << ", \"bmm_gflops\": " << r.bmm_gflops
         << ", \"dnnl_gflops\": " << r.dnnl_gflops << ", \"fraction_of_gemm\": " << r.train_gflops / r.gemm_best()
         << "}";
      first = false;
    }
    js << "\n  ]";
  }
  js << "\n}\n";
  if (!json.empty()) {
    std::ofstream(json) << js.str();
    std::printf("\nwrote %s\n", json.c_str());
  }
  return 0;
}
