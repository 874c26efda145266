// Random numbers per second of core's Rng: scalar draws against the bulk (vectorized Philox + float
// Box-Muller) fills that the fused ensemble and the planners use for their noise.
#include <benchmark/benchmark.h>

#include <vector>

#include "augur/core/rng.h"

namespace {

using augur::Rng;

void BM_NormalScalar(benchmark::State& state) {
  Rng rng(1, 2);
  std::vector<float> out(state.range(0));
  for (auto _ : state) {
    for (float& v : out) v = rng.Normal();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_NormalScalar)->Arg(1152)->Arg(65536);

void BM_FillNormal(benchmark::State& state) {
  Rng rng(1, 2);
  std::vector<float> out(state.range(0));
  for (auto _ : state) {
    rng.FillNormal(out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_FillNormal)->Arg(4)->Arg(256)->Arg(1152)->Arg(65536);

void BM_PhiloxBlocks(benchmark::State& state) {
  std::vector<uint32_t> out(4 * state.range(0));
  uint64_t block = 0;
  for (auto _ : state) {
    augur::PhiloxBlocks(block, 7, {1u, 2u}, state.range(0), out.data());
    block += state.range(0);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0) * 4);  // 32-bit words
}
BENCHMARK(BM_PhiloxBlocks)->Arg(64)->Arg(4096);

}  // namespace

BENCHMARK_MAIN();
