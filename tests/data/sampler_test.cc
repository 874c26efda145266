#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "augur/core/error.h"
#include "augur/data/transition_sampler.h"
#include "augur/data/window_sampler.h"
#include "test_util.h"

namespace augur::data {
namespace {

TEST(TransitionSamplerTest, UniformAndReproducible) {
  Dataset d = testing::CollectToy(6, 10);
  TransitionSampler a(d, 123), b(d, 123), c(d, 124);
  at::Tensor ia = a.SampleIndices(4096), ib = b.SampleIndices(4096), ic = c.SampleIndices(4096);
  EXPECT_TRUE(at::equal(ia, ib));
  EXPECT_FALSE(at::equal(ia, ic));
  EXPECT_FALSE(at::equal(a.SampleIndices(16), ia.slice(0, 0, 16)));  // later calls differ
  EXPECT_GE(ia.min().item<int64_t>(), 0);
  EXPECT_LT(ia.max().item<int64_t>(), d.size());
  // Roughly uniform: every row is hit with 4096 draws over ~< 400 rows.
  std::set<int64_t> seen(ia.data_ptr<int64_t>(), ia.data_ptr<int64_t>() + ia.numel());
  EXPECT_GT(static_cast<int64_t>(seen.size()), d.size() * 9 / 10);
  TransitionBatch batch = TransitionSampler(d, 1).Sample(8);
  EXPECT_EQ(batch.observations.sizes(), (std::vector<int64_t>{8, 3}));
  EXPECT_TRUE(at::equal(batch.rewards, d.rewards().index_select(0, batch.indices)));
  EXPECT_THROW(a.SampleIndices(0), ConfigError);
}

TEST(WindowSamplerTest, WindowsNeverCrossEpisodeBoundaries) {
  Dataset d = testing::CollectToy(7, 20);
  const int64_t len = 12;
  WindowSampler s(d, len, 5);
  int64_t skipped = 0, windows = 0;
  for (int64_t e = 0; e < d.num_episodes(); ++e) {
    if (d.EpisodeLength(e) < len) ++skipped;
    else windows += d.EpisodeLength(e) - len + 1;
  }
  EXPECT_EQ(s.skipped_episodes(), skipped);
  EXPECT_EQ(s.num_windows(), windows);
  WindowBatch w = s.Sample(2000);
  EXPECT_EQ(w.observations.sizes(), (std::vector<int64_t>{2000, len, 3}));
  EXPECT_EQ(w.rewards.sizes(), (std::vector<int64_t>{2000, len}));
  const auto& starts = d.episode_starts();
  for (int64_t i = 0; i < 2000; ++i) {
    const int64_t st = w.starts[i].item<int64_t>();
    const int64_t e = std::upper_bound(starts.begin(), starts.end(), st) - starts.begin() - 1;
    ASSERT_LE(st + len, d.EpisodeEnd(e)) << "window at " << st << " crosses the end of episode " << e;
    // Only the last step of a window may end an episode.
    EXPECT_FALSE(at::logical_or(w.terminals[i], w.timeouts[i]).slice(0, 0, len - 1).any().item<bool>());
  }
  // Inside a window next_observations[t] == observations[t + 1].
  EXPECT_TRUE(at::equal(w.next_observations.slice(1, 0, len - 1), w.observations.slice(1, 1, len)));
  WindowSampler again(d, len, 5);
  EXPECT_TRUE(at::equal(again.SampleStarts(2000), w.starts));
}

TEST(WindowSamplerTest, ErrorsNameTheProblem) {
  Dataset d = testing::CollectToy(7, 3);
  try {
    WindowSampler s(d, 1000, 0);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("no episode has 1000 steps"));
  }
  WindowSampler s(d, 4, 0);
  const int64_t bad = d.EpisodeEnd(0) - 2;
  EXPECT_THROW(s.Gather(at::tensor({bad}, at::kLong)), RangeError);
}

}  // namespace
}  // namespace augur::data

namespace augur::data {
namespace {

// Datasets may live on CUDA: samplers gather there and the normalizer follows its input's device.
TEST(SamplerTest, DatasetOnDevice_CUDA) {
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device";
  Dataset cpu = testing::CollectToy(7, 10);
  const at::Device dev(at::kCUDA);
  Dataset d(cpu.observations().to(dev), cpu.actions().to(dev), cpu.rewards().to(dev), cpu.terminals().to(dev),
            cpu.timeouts().to(dev), cpu.next_observations().to(dev));
  EXPECT_EQ(d.episode_starts(), cpu.episode_starts());
  TransitionBatch b = TransitionSampler(d, 3).Sample(64);
  EXPECT_TRUE(b.observations.is_cuda());
  EXPECT_TRUE(at::equal(b.observations.cpu(), TransitionSampler(cpu, 3).Sample(64).observations));
  WindowBatch w = WindowSampler(d, 4, 3).Sample(16);
  EXPECT_TRUE(at::equal(w.actions.cpu(), WindowSampler(cpu, 4, 3).Sample(16).actions));
  EXPECT_EQ(d.Digest(), cpu.Digest());
}

}  // namespace
}  // namespace augur::data
