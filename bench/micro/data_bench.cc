// Dataset I/O throughput: record files (write with and without fsync per episode, read) and npz.
// Bytes counted are the dataset's float payload (obs, actions, rewards, next obs), so MB/s compare formats.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "augur/core/rng.h"
#include "augur/data/dataset_builder.h"
#include "augur/data/hdf5.h"
#include "augur/data/npz.h"
#include "augur/data/record_reader.h"
#include "augur/data/record_writer.h"

namespace {

using namespace augur;
using namespace augur::data;

constexpr int64_t kObs = 17, kAct = 6, kEpisodeLength = 1000;  // HalfCheetah-like shapes

Episode MakeEpisode(int64_t id) {
  Rng rng(1, static_cast<uint64_t>(id));
  Episode ep;
  ep.episode_id = id;
  ep.obs_dim = kObs;
  ep.action_dim = kAct;
  std::vector<float> obs((kEpisodeLength + 1) * kObs);
  rng.FillNormal(obs);
  ep.observations.assign(obs.begin(), obs.end() - kObs);
  ep.next_observations.assign(obs.begin() + kObs, obs.end());
  ep.actions.resize(kEpisodeLength * kAct);
  rng.FillUniform(ep.actions, -1.f, 1.f);
  ep.rewards.resize(kEpisodeLength);
  rng.FillNormal(ep.rewards);
  ep.truncated = true;
  return ep;
}

int64_t PayloadBytes(int64_t steps) { return steps * (2 * kObs + kAct + 1) * static_cast<int64_t>(sizeof(float)); }

std::string TempFile(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("augur_bench_" + std::to_string(::getpid()) + "_" + name)).string();
}

const Dataset& BenchDataset(int64_t episodes) {
  static std::map<int64_t, Dataset> cache;
  auto it = cache.find(episodes);
  if (it == cache.end()) {
    std::vector<Episode> eps;
    for (int64_t i = 0; i < episodes; ++i) eps.push_back(MakeEpisode(i));
    it = cache.emplace(episodes, FromEpisodes(eps, kObs, kAct)).first;
  }
  return it->second;
}

// Streaming writer, one chunk per episode; arg 1 = fsync after each episode.
void BM_RecordAppend(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  const Episode ep = MakeEpisode(0);
  const std::string path = TempFile("append.augur");
  int64_t episodes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove(path);
    RecordWriterOptions o;
    o.obs_dim = kObs;
    o.action_dim = kAct;
    o.sync_every_episode = sync;
    state.ResumeTiming();
    RecordWriter w(path, o);
    for (int i = 0; i < 20; ++i) w.Append(ep);
    w.Close();
    episodes += 20;
  }
  std::filesystem::remove(path);
  state.SetBytesProcessed(PayloadBytes(episodes * kEpisodeLength));
  state.counters["episodes/s"] = benchmark::Counter(static_cast<double>(episodes), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RecordAppend)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Whole dataset, written atomically (one fsync at the end).
void BM_RecordWriteDataset(benchmark::State& state) {
  const Dataset& d = BenchDataset(state.range(0));
  const std::string path = TempFile("write.augur");
  for (auto _ : state) WriteRecordFile(d, path);
  std::filesystem::remove(path);
  state.SetBytesProcessed(PayloadBytes(d.size()) * state.iterations());
}
BENCHMARK(BM_RecordWriteDataset)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_RecordReadDataset(benchmark::State& state) {
  const Dataset& d = BenchDataset(state.range(0));
  const std::string path = TempFile("read.augur");
  WriteRecordFile(d, path);
  for (auto _ : state) {
    Dataset back = ReadRecordFile(path);
    benchmark::DoNotOptimize(back.size());
  }
  std::filesystem::remove(path);
  state.SetBytesProcessed(PayloadBytes(d.size()) * state.iterations());
}
BENCHMARK(BM_RecordReadDataset)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_NpzExport(benchmark::State& state) {
  const Dataset& d = BenchDataset(state.range(0));
  const std::string path = TempFile("write.npz");
  for (auto _ : state) ExportNpz(d, path);
  std::filesystem::remove(path);
  state.SetBytesProcessed(PayloadBytes(d.size()) * state.iterations());
}
BENCHMARK(BM_NpzExport)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_NpzImport(benchmark::State& state) {
  const Dataset& d = BenchDataset(state.range(0));
  const std::string path = TempFile("read.npz");
  ExportNpz(d, path);
  for (auto _ : state) {
    Dataset back = ImportNpz(path);
    benchmark::DoNotOptimize(back.size());
  }
  std::filesystem::remove(path);
  state.SetBytesProcessed(PayloadBytes(d.size()) * state.iterations());
}
BENCHMARK(BM_NpzImport)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_D4rlHdf5Export(benchmark::State& state) {
  const Dataset& d = BenchDataset(state.range(0));
  const std::string path = TempFile("write.hdf5");
  for (auto _ : state) ExportD4rlHdf5(d, path);
  std::filesystem::remove(path);
  state.SetBytesProcessed(PayloadBytes(d.size()) * state.iterations());
}
BENCHMARK(BM_D4rlHdf5Export)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_D4rlHdf5Import(benchmark::State& state) {
  const Dataset& d = BenchDataset(state.range(0));
  const std::string path = TempFile("read.hdf5");
  ExportD4rlHdf5(d, path);
  for (auto _ : state) {
    Dataset back = ImportD4rlHdf5(path);
    benchmark::DoNotOptimize(back.size());
  }
  std::filesystem::remove(path);
  state.SetBytesProcessed(PayloadBytes(d.size()) * state.iterations());
}
BENCHMARK(BM_D4rlHdf5Import)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

// The real NeoRL-2 DMSD train split (100000 rows, deflate-compressed npz), when ../shared is present.
void BM_NpzImportNeorl2Dmsd(benchmark::State& state) {
  // __FILE__ is bench/micro/data_bench.cc under the source root (CMake passes absolute paths).
  const auto root = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  const std::string path = (root / ".." / "shared/data/neorl2/DMSD-high-100000-train.npz").string();
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("../shared/data/neorl2 is missing");
    return;
  }
  int64_t rows = 0;
  for (auto _ : state) {
    Dataset d = ImportNpz(path);
    rows = d.size();
  }
  state.SetBytesProcessed(rows * (6 + 2 + 6 + 3) * 4 * state.iterations());
}
BENCHMARK(BM_NpzImportNeorl2Dmsd)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
