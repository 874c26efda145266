#include "augur/data/normalizer.h"

#include <ATen/ATen.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "augur/core/error.h"
#include "augur/data/proto_convert.h"

namespace augur::data {
namespace {

TEST(NormalizerTest, FitNormalizeDenormalize) {
  at::Tensor x = at::stack({at::arange(100, at::kFloat), at::full({100}, 5.f)}, 1);  // [100, 2]
  Normalizer n = Normalizer::Fit(x, 1e-3f);
  EXPECT_NEAR(n.mean()[0], 49.5f, 1e-4);
  EXPECT_NEAR(n.std()[0], 28.866f, 1e-2);
  EXPECT_FLOAT_EQ(n.std()[1], 1e-3f);  // constant dim: epsilon floor
  EXPECT_EQ(n.count(), 100);
  at::Tensor z = n.Normalize(x);
  EXPECT_NEAR(z.select(1, 0).mean().item<float>(), 0.f, 1e-5);
  EXPECT_NEAR(z.select(1, 0).std(false).item<float>(), 1.f, 1e-4);
  EXPECT_TRUE(at::allclose(n.Denormalize(z), x, 1e-5, 1e-4));
  // Works on [B, H, D] too.
  EXPECT_EQ(n.Normalize(x.reshape({10, 10, 2})).sizes(), (std::vector<int64_t>{10, 10, 2}));
}

TEST(NormalizerTest, RefusesNaNAndWrongShapes) {
  at::Tensor x = at::ones({4, 3});
  x[2][1] = std::numeric_limits<float>::quiet_NaN();
  try {
    Normalizer::Fit(x);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("NaN at row 2, dim 1"));
  }
  Normalizer n = Normalizer::Fit(at::ones({4, 3}));
  EXPECT_THROW(n.Normalize(at::ones({4, 2})), ShapeError);
  EXPECT_THROW(Normalizer::Fit(at::ones({0, 3})), ShapeError);
  EXPECT_THROW(Normalizer({0.f}, {0.f}), ConfigError);
}

TEST(NormalizerTest, ProtoRoundTrip) {
  Normalizer n = Normalizer::Fit(at::randn({50, 4}));
  Normalizer back = FromProto(ToProto(n));
  EXPECT_EQ(back.mean(), n.mean());
  EXPECT_EQ(back.std(), n.std());
  EXPECT_EQ(back.count(), 50);
  proto::NormalizerProto bad = ToProto(n);
  bad.mutable_std()->Set(1, -1.f);
  EXPECT_THROW(FromProto(bad), DataError);
}

TEST(ProtoConvertTest, EnvSpecRoundTrip) {
  EnvSpec spec{"Pendulum-v1", Box{{-1, -1, -8}, {1, 1, 8}}, Box::Uniform(1, -2, 2), 200, 0.05, -200.0};
  EnvSpec back = FromProto(ToProto(spec));
  EXPECT_EQ(back.id, spec.id);
  EXPECT_TRUE(std::get<Box>(back.observation) == std::get<Box>(spec.observation));
  EXPECT_EQ(back.max_steps, 200);
  EXPECT_EQ(back.reward_threshold, -200.0);
  EnvSpec discrete{"CartPole-v1", Box::Uniform(4, -5, 5), Discrete{2}, 500, 0.02, {}};
  EXPECT_EQ(std::get<Discrete>(FromProto(ToProto(discrete)).action).n, 2);
  proto::EnvSpec empty;
  EXPECT_THROW(FromProto(empty), DataError);
}

TEST(ProtoConvertTest, EpisodeWithWrongFieldSizesIsADataError) {
  Episode ep;
  ep.obs_dim = 2;
  ep.action_dim = 1;
  ep.observations = {1, 2, 3, 4};
  ep.next_observations = {3, 4, 5, 6};
  ep.actions = {0, 1};
  ep.rewards = {1, 2};
  proto::Episode msg = ToProto(ep);
  EXPECT_EQ(msg.next_observations_size(), 0);  // shifted: only the final observation is stored
  EXPECT_EQ(msg.final_observation_size(), 2);
  EXPECT_EQ(FromProto(msg, 2, 1, 0), ep);
  msg.mutable_actions()->RemoveLast();
  try {
    FromProto(msg, 2, 1, 0);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("field 'actions' holds 1 floats but 2 steps need 2"));
  }
  EXPECT_THROW(FromProto(ToProto(ep), 3, 1, 0), DataError);  // header says obs dim 3
}

}  // namespace
}  // namespace augur::data
