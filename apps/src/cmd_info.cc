#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/core/executor.h"
#include "augur/core/logging.h"
#include "augur/core/system_info.h"
#include "commands.h"

namespace augur::apps {
namespace {

// Below this GEMM rate LibTorch is almost surely on the reference BLAS.
constexpr double kSlowBlasGflops = 10.0;

}  // namespace

Command InfoCommand() {
  struct Args {
    bool no_gemm = false;
  };
  auto args = std::make_shared<Args>();
  return {"info", "Show the build, the machine (BLAS, ISA, threads, GPU) and a GEMM rate check",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_flag("--no-gemm", args->no_gemm, "Skip the 0.2 s GEMM rate measurement");
            return [args, &global] {
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
                                 {"cuda_devices", info.cuda_devices}};
                if (!args->no_gemm) j["gemm_gflops"] = gflops;
                std::printf("%s\n", j.dump(2).c_str());
              } else {
                std::printf("%s", ToString(info).c_str());
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
