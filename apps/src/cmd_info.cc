#include <ATen/ATen.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/core/executor.h"
#include "augur/core/logging.h"
#include "augur/core/system_info.h"
#include "augur/data/io.h"
#include "augur/envs/registry.h"
#include "commands.h"

namespace augur::apps {
namespace {

// Below this GEMM rate LibTorch is almost surely on the reference BLAS.
constexpr double kSlowBlasGflops = 10.0;

nlohmann::json StatsJson(const data::ColumnStats& s) {
  return {{"mean", s.mean}, {"std", s.std}, {"min", s.min}, {"max", s.max}};
}

void DatasetInfo(const std::string& path, bool json) {
  const data::Dataset dataset = data::Load(path);
  if (!json) {
    std::printf("%s\n%s", path.c_str(), dataset.Summary().c_str());
    const auto print = [](const char* name, const data::ColumnStats& s) {
      for (size_t d = 0; d < s.mean.size(); ++d) {
        std::printf("  %s[%zu]  mean %10.4g  std %10.4g  min %10.4g  max %10.4g\n", name, d, s.mean[d], s.std[d],
                    s.min[d], s.max[d]);
      }
    };
    std::printf("per-dimension statistics:\n");
    print("obs", dataset.ObservationStats());
    print("action", dataset.ActionStats());
    print("reward", dataset.RewardStats());
    return;
  }
  const std::vector<double> returns = dataset.EpisodeReturns();
  const auto& m = dataset.metadata();
  nlohmann::json j{{"path", path},
                   {"rows", dataset.size()},
                   {"episodes", dataset.num_episodes()},
                   {"obs_dim", dataset.obs_dim()},
                   {"action_dim", dataset.action_dim()},
                   {"sim_state_dim", dataset.sim_state_dim()},
                   {"terminals", dataset.terminals().sum().item<int64_t>()},
                   {"timeouts", dataset.timeouts().sum().item<int64_t>()},
                   {"episode_returns", returns},
                   {"observations", StatsJson(dataset.ObservationStats())},
                   {"actions", StatsJson(dataset.ActionStats())},
                   {"rewards", StatsJson(dataset.RewardStats())},
                   {"env", m.env_spec ? m.env_spec->id : ""},
                   {"source", m.source},
                   {"licence", m.licence},
                   {"behaviour_policy", m.behaviour_policy},
                   {"digest", dataset.Digest()}};
  std::printf("%s\n", j.dump(2).c_str());
}

}  // namespace

Command InfoCommand() {
  struct Args {
    bool no_gemm = false;
    std::string dataset;
  };
  auto args = std::make_shared<Args>();
  return {"info", "Show the build and the machine (BLAS, ISA, threads, GPU, GEMM rate), or describe a dataset",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_flag("--no-gemm", args->no_gemm, "Skip the 0.2 s GEMM rate measurement");
            sub.add_option("dataset", args->dataset,
                           "A dataset (.augur, .npz, .hdf5) to describe: shapes, episodes, returns, per-dim stats");
            return [args, &global] {
              if (!args->dataset.empty()) {
                DatasetInfo(args->dataset, global.json);
                return;
              }
              Executor executor(global.threads);  // sizes LibTorch's thread pool as the other commands do
              const SystemInfo info = GetSystemInfo();
              const double gflops = args->no_gemm ? 0.0 : MeasureGemmGflops();
              if (global.json) {
                nlohmann::json j{{"augur_version", info.augur_version},
                                 {"compiler", info.compiler},
                                 {"build_type", info.build_type},
                                 {"native_isa", info.native_isa},
                                 {"libtorch", info.torch_version},
                                 {"blas", info.blas_library},
                                 {"cpu", info.cpu_model},
                                 {"avx512f", info.avx512f},
                                 {"avx512_bf16", info.avx512_bf16},
                                 {"hardware_threads", info.hardware_threads},
                                 {"torch_threads", info.torch_threads},
                                 {"cuda_devices", info.cuda_devices},
                                 {"envs", envs::RegisteredEnvs()}};
                if (!args->no_gemm) j["gemm_gflops"] = gflops;
                std::printf("%s\n", j.dump(2).c_str());
              } else {
                std::printf("%s", ToString(info).c_str());
                std::string envs;
                for (const auto& id : envs::RegisteredEnvs()) envs += (envs.empty() ? "" : ", ") + id;
                std::printf("envs: %s\n", envs.c_str());
                if (!args->no_gemm) std::printf("gemm 512^3 (torch::mm): %.1f GFLOP/s\n", gflops);
              }
              if (!args->no_gemm && gflops < kSlowBlasGflops) {
                Log().warn("GEMM runs at {:.1f} GFLOP/s: LibTorch is probably on the reference BLAS. "
                           "Install libopenblas0-openmp (scripts/setup.sh does).",
                           gflops);
              }
            };
          }};
}

}  // namespace augur::apps
