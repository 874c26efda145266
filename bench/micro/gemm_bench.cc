// GEMM reference: the rate every other figure is read against. A slow BLAS shows up here at once.
//
// Shapes: the square 512^3 product, and the world model's own layer shape [rows x 200] x [200 x 200]
// (rows = 7000: 7 members x 1000 particles, the PETS-size planning batch). Paths: torch::mm (OpenBLAS),
// torch::linear, oneDNN through torch::mkldnn_linear on mkldnn tensors (fp32), torch::mm in bf16, and Eigen
// (compiled for the host ISA when AUGUR_NATIVE is on).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cstdio>

#include "augur/core/executor.h"
#include "augur/core/system_info.h"

namespace {

void SetFlops(benchmark::State& state, double m, double k, double n) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * m * k * n * state.iterations(), benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void BM_TorchMm(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  at::NoGradGuard no_grad;
  const at::Tensor a = at::randn({m, k}), b = at::randn({k, n});
  at::Tensor c = at::mm(a, b);
  for (auto _ : state) {
    at::mm_out(c, a, b);
    benchmark::DoNotOptimize(c.data_ptr());
  }
  SetFlops(state, m, k, n);
}

void BM_TorchLinear(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  at::NoGradGuard no_grad;
  const at::Tensor x = at::randn({m, k}), w = at::randn({n, k}), b = at::randn({n});
  for (auto _ : state) {
    at::Tensor y = at::linear(x, w, b);
    benchmark::DoNotOptimize(y.data_ptr());
  }
  SetFlops(state, m, k, n);
}

void BM_OneDnnLinear(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  at::NoGradGuard no_grad;
  const at::Tensor x = at::randn({m, k}).to_mkldnn(), w = at::randn({n, k}).to_mkldnn(),
                   b = at::randn({n}).to_mkldnn();
  for (auto _ : state) {
    at::Tensor y = at::mkldnn_linear(x, w, b);  // mkldnn tensors have no plain data pointer
    benchmark::DoNotOptimize(y);
  }
  SetFlops(state, m, k, n);
}

void BM_TorchMmBf16(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  at::NoGradGuard no_grad;
  const at::Tensor a = at::randn({m, k}).to(at::kBFloat16), b = at::randn({k, n}).to(at::kBFloat16);
  for (auto _ : state) {
    at::Tensor c = at::mm(a, b);
    benchmark::DoNotOptimize(c.data_ptr());
  }
  SetFlops(state, m, k, n);
}

void BM_Eigen(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::setNbThreads(1);  // Eigen's own threading is off in augur; parallelism comes from the Executor
  const Matrix a = Matrix::Random(m, k), b = Matrix::Random(k, n);
  Matrix c(m, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, m, k, n);
}

void Shapes(benchmark::internal::Benchmark* b) {
  b->Args({512, 512, 512})->Args({7000, 200, 200})->Args({1000, 200, 200})->Args({64, 64, 64});
  b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_TorchMm)->Apply(Shapes);
BENCHMARK(BM_TorchLinear)->Apply(Shapes);
BENCHMARK(BM_OneDnnLinear)->Apply(Shapes);
BENCHMARK(BM_TorchMmBf16)->Apply(Shapes);
BENCHMARK(BM_Eigen)->Apply(Shapes);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  augur::Executor executor(0);  // all cores for torch ops on this thread
  const augur::SystemInfo info = augur::GetSystemInfo();
  std::fprintf(stderr, "%s", augur::ToString(info).c_str());
  const double gflops = augur::MeasureGemmGflops();
  std::fprintf(stderr, "gemm 512^3 (torch::mm): %.1f GFLOP/s%s\n", gflops,
               gflops < 10 ? "  <-- SLOW: LibTorch is on the reference BLAS; install libopenblas0-openmp" : "");
  benchmark::AddCustomContext("blas", info.blas_library);
  benchmark::AddCustomContext("torch_threads", std::to_string(info.torch_threads));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
