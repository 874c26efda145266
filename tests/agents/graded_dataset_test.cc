// True-model evaluator, noisy agent, graded datasets, behaviour cloning and bench cells.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>
#include <unistd.h>

#include "augur/agents/bc.h"
#include "augur/agents/bench_cell.h"
#include "augur/agents/evaluate.h"
#include "augur/agents/graded_dataset.h"
#include "augur/agents/rl/sac.h"
#include "augur/agents/rl/sac_agent.h"
#include "augur/agents/true_model.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/data/dataset_builder.h"
#include "augur/data/io.h"
#include "augur/envs/policies.h"
#include "augur/envs/registry.h"

namespace augur::agents {
namespace {
using ::testing::HasSubstr;

TEST(SimStateEvaluatorTest, ReturnsEqualAManualRolloutFromTheSameState) {
  auto env = envs::Make("Hopper-v4");
  env->Reset(7);
  for (int t = 0; t < 5; ++t) env->Step(std::vector<float>{0.3f, -0.2f, 0.1f});
  const envs::SimState state = env->GetState();
  SimStateEvaluator evaluator(*env);
  evaluator.SetSimState(state);
  evaluator.SetStart(env->Observation());
  const int64_t n = 3, h = 4;
  std::vector<float> actions(n * h * 3);
  for (size_t i = 0; i < actions.size(); ++i) actions[i] = std::sin(0.7 * i);
  std::vector<float> returns(n);
  Executor executor(2);
  ASSERT_TRUE(evaluator.Evaluate(actions, n, h, 0, 0, returns, executor, std::nullopt));
  for (int64_t i = 0; i < n; ++i) {
    auto copy = env->Clone();
    copy->SetState(state);
    double ret = 0;
    for (int64_t t = 0; t < h; ++t) {
      const auto step = copy->Step(std::span<const float>(actions.data() + (i * h + t) * 3, 3));
      ret += step.reward;
      if (step.terminated) break;
    }
    EXPECT_NEAR(returns[i], ret, 1e-4) << i;
  }
  // The evaluator never moves the env it was given the state of.
  EXPECT_EQ(env->GetState(), state);
}

TEST(SimStateEvaluatorTest, WithoutAStateOnLocomotionIsAStateError) {
  auto env = envs::Make("Hopper-v4");
  SimStateEvaluator evaluator(*env);
  EXPECT_THROW(evaluator.SetStart(std::vector<float>(11, 0.f)), StateError);
}

TEST(TrueModelMpcAgentTest, BeatsRandomOnShortHopperEpisodes) {
  auto env = envs::Make("Hopper-v4");
  Executor executor(2);
  TrueModelMpcAgent mpc(*env, "icem:pop=16,elites=4,iters=1,horizon=8,predict=false", executor);
  PolicyAgent random(envs::MakePolicy("random", env->spec()));
  const EvaluationOptions options{.episodes = 2, .seed = 1, .max_steps = 40};
  const double planned = Evaluate(*env, mpc, options).mean_return;
  const double baseline = Evaluate(*env, random, options).mean_return;
  EXPECT_GT(planned, baseline + 5.0);
}

TEST(NoisyAgentTest, RandomActionsStayInsideTheBoxAndSeedsRepeat) {
  auto env = envs::Make("Hopper-v4");
  auto inner = std::make_shared<PolicyAgent>(envs::MakePolicy("random", env->spec()));
  const Box box = std::get<Box>(env->spec().action);
  NoisyAgent agent(inner, box, {.random_prob = 0.5, .sigma = 2.0});
  std::vector<float> obs(11, 0.f);
  agent.Reset(3);
  std::vector<std::vector<float>> first;
  for (int t = 0; t < 50; ++t) first.push_back(agent.Act(obs));
  agent.Reset(3);
  for (int t = 0; t < 50; ++t) EXPECT_EQ(agent.Act(obs), first[t]);
  for (const auto& a : first) {
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_GE(a[i], box.low[i]);
      EXPECT_LE(a[i], box.high[i]);
    }
  }
  EXPECT_THROW(NoisyAgent(inner, box, {.random_prob = 1.5}), ConfigError);
}

GradeOptions Tiny(const std::string& grade) {
  GradeOptions o;
  o.env = "Hopper-v4";
  o.grade = grade;
  o.episodes = 2;
  o.max_steps = 6;
  o.seed = 4;
  o.expert_planner = "icem:pop=8,elites=2,iters=1,horizon=4,predict=false";
  o.medium_planner = "icem:pop=4,elites=2,iters=1,horizon=3,predict=false";
  return o;
}

TEST(GradedDatasetTest, EveryStepRecordsTheSimulatorStateThatReplaysIt) {
  Executor executor(1);
  const data::Dataset d = GenerateGradedDataset(Tiny("medium"), executor);
  ASSERT_EQ(d.num_episodes(), 2);
  ASSERT_GT(d.sim_state_dim(), 12);  // qpos (6) + qvel (6) + time, warm start, elapsed steps
  EXPECT_EQ(d.metadata().extra.at("grade"), "medium");
  // Restoring row 3's state and applying its action gives its next observation.
  auto env = envs::Make("Hopper-v4");
  const at::Tensor s = d.sim_states()[3].to(at::kDouble).contiguous();
  env->SetState(envs::SimState(s.data_ptr<double>(), s.data_ptr<double>() + s.numel()));
  const at::Tensor a = d.actions()[3].contiguous();
  const auto step = env->Step(std::span<const float>(a.data_ptr<float>(), 3));
  const at::Tensor next = d.next_observations()[3];
  for (int i = 0; i < 11; ++i) EXPECT_NEAR(step.observation[i], next[i].item<float>(), 1e-3) << i;
}

TEST(GradedDatasetTest, MediumExpertIsMediumThenExpertOfTheSameSeed) {
  Executor executor(2);
  const data::Dataset medium = GenerateGradedDataset(Tiny("medium"), executor);
  const data::Dataset expert = GenerateGradedDataset(Tiny("expert"), executor);
  const data::Dataset both = GenerateGradedDataset(Tiny("medium-expert"), executor);
  ASSERT_EQ(both.size(), medium.size() + expert.size());
  EXPECT_TRUE(at::equal(both.actions(), at::cat({medium.actions(), expert.actions()})));
  EXPECT_TRUE(at::equal(both.observations(), at::cat({medium.observations(), expert.observations()})));
}

TEST(GradedDatasetTest, MediumReplayStartsFromRandomActions) {
  Executor executor(1);
  GradeOptions o = Tiny("medium-replay");
  o.episodes = 3;
  const data::Dataset d = GenerateGradedDataset(o, executor);
  ASSERT_EQ(d.num_episodes(), 3);
  EXPECT_EQ(d.metadata().extra.at("grade"), "medium-replay");
  // Episode 0 runs with random_prob 1: every action is uniform in the box, so the planner's smooth actions
  // are gone; the last episode uses medium's noise. Both stay inside the box.
  const at::Tensor a = d.actions();
  EXPECT_LE(a.abs().max().item<float>(), 1.f);
  EXPECT_GT(d.sim_state_dim(), 0);
}

TEST(GradedDatasetTest, FileGenerationResumesAfterTheEpisodesAlreadyWritten) {
  Executor executor(1);
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("augur_graded_" + std::to_string(::getpid()) + ".augur")).string();
  std::filesystem::remove(path);
  GradeOptions o = Tiny("random");
  o.episodes = 2;
  GenerateGradedToFile(o, path, executor);
  o.episodes = 3;  // a different command: refused
  EXPECT_THROW(GenerateGradedToFile(o, path, executor), ConfigError);
  o.episodes = 2;
  GenerateGradedToFile(o, path, executor);  // nothing left to do
  const data::Dataset d = data::Load(path);
  EXPECT_EQ(d.num_episodes(), 2);
  EXPECT_TRUE(at::equal(d.actions(), GenerateGradedDataset(o, executor).actions()));
  std::filesystem::remove(path);
}

TEST(GradedDatasetTest, BadNamesListTheValidOnes) {
  Executor executor(1);
  GradeOptions o = Tiny("great");
  try {
    GenerateGradedDataset(o, executor);
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("medium-replay"));
  }
  o = Tiny("medium");
  o.env = "Hoper-v4";
  EXPECT_THROW(GenerateGradedDataset(o, executor), NotFoundError);
}

// A small untrained SAC policy for Hopper-v4 (or other sizes), saved to a temp file.
std::string SavedPolicy(const std::string& name, int64_t obs_dim, int64_t action_dim) {
  rl::SacOptions o;
  o.obs_dim = obs_dim;
  o.action_dim = action_dim;
  o.critics = 2;
  o.hidden = 16;
  o.layers = 1;
  o.seed = 3;
  const std::string path = (std::filesystem::temp_directory_path() /
                            (name + std::to_string(::getpid()) + ".ckpt")).string();
  rl::Sac(o).Save(path);
  return path;
}

TEST(GradedDatasetTest, MediumPolicyActsInsteadOfThePlannerAndIsRecorded) {
  Executor executor(1);
  const std::string path = SavedPolicy("augur_medium_policy_", 11, 3);
  GradeOptions o = Tiny("medium");
  o.medium_policy = path;
  o.medium_random_prob = 0;
  o.medium_sigma = 0;  // no noise: every action is the policy's mean action on the recorded observation
  const data::Dataset d = GenerateGradedDataset(o, executor);
  ASSERT_EQ(d.num_episodes(), 2);
  EXPECT_GT(d.sim_state_dim(), 12);
  EXPECT_EQ(d.metadata().extra.at("medium_policy"), path);
  EXPECT_EQ(d.metadata().extra.count("medium_planner"), 0u);
  EXPECT_THAT(d.metadata().source, HasSubstr("--medium-policy " + path));
  auto agent = rl::SacAgent::Load(path);
  for (int64_t row = 0; row < d.size(); ++row) {
    const at::Tensor obs = d.observations()[row].contiguous();
    const std::vector<float> a = agent->Act(std::span<const float>(obs.data_ptr<float>(), 11));
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(d.actions()[row][i].item<float>(), a[i], 1e-6) << row << " " << i;
  }
  // With noise the actions leave the policy's but stay in the box, and the same seed repeats them.
  o.medium_random_prob = 0.2;
  o.medium_sigma = 0.3;
  const data::Dataset noisy = GenerateGradedDataset(o, executor);
  EXPECT_LE(noisy.actions().abs().max().item<float>(), 1.f);
  EXPECT_FALSE(at::equal(noisy.actions().narrow(0, 0, 3), d.actions().narrow(0, 0, 3)));
  EXPECT_TRUE(at::equal(noisy.actions(), GenerateGradedDataset(o, executor).actions()));
  std::filesystem::remove(path);
}

TEST(GradedDatasetTest, MediumPolicyOfTheWrongGradeFileOrSizeIsRefused) {
  Executor executor(1);
  const std::string path = SavedPolicy("augur_medium_policy_bad_", 11, 3);
  GradeOptions o = Tiny("expert");
  o.medium_policy = path;
  try {
    o.Validate();
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no medium episodes"));
  }
  o = Tiny("medium");
  o.medium_policy = path + ".missing";
  try {
    o.Validate();
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr(".missing"));
  }
  const std::string pendulum = SavedPolicy("augur_medium_policy_pendulum_", 3, 1);
  o.medium_policy = pendulum;  // a Pendulum-sized policy for Hopper
  try {
    GenerateGradedDataset(o, executor);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("maps 3 observations to 1 actions"));
  }
  o.medium_policy = path;
  EXPECT_NO_THROW(o.Validate());
  std::filesystem::remove(path);
  std::filesystem::remove(pendulum);
}

// Actions that are a known function of the observation: BC must recover it.
data::Dataset LinearPolicyData() {
  data::DatasetBuilder builder(2, 1, 0);
  Rng rng(1, 2);
  for (int e = 0; e < 20; ++e) {
    data::Episode ep;
    ep.obs_dim = 2;
    ep.action_dim = 1;
    for (int t = 0; t < 50; ++t) {
      const float x = rng.Uniform(-1, 1), y = rng.Uniform(-1, 1);
      ep.observations.insert(ep.observations.end(), {x, y});
      ep.actions.push_back(0.5f * x - 0.3f * y);
      ep.rewards.push_back(0.f);
      ep.next_observations.insert(ep.next_observations.end(), {x, y});
    }
    ep.truncated = true;
    builder.AddEpisode(ep);
  }
  data::DatasetMetadata m;
  m.env_spec = EnvSpec{"toy", Box::Uniform(2, -1, 1), Box::Uniform(1, -1, 1), 50, 0.0};
  return builder.Build(m);
}

TEST(BcPolicyTest, ClonesALinearPolicyAndRoundTripsThroughAFile) {
  BcOptions options;
  options.hidden = 32;
  options.max_epochs = 60;
  options.batch = 64;
  options.learning_rate = 3e-3;
  BcTrainReport report;
  const BcPolicy policy = BcPolicy::Train(LinearPolicyData(), options, nullptr, &report);
  for (float x : {-0.8f, 0.f, 0.6f}) {
    for (float y : {-0.5f, 0.4f}) {
      const std::vector<float> obs{x, y};
      EXPECT_NEAR(policy.Act(obs)[0], 0.5f * x - 0.3f * y, 0.06) << x << " " << y;
    }
  }
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("augur_bc_" + std::to_string(::getpid()) + ".json")).string();
  policy.Save(path);
  const BcPolicy loaded = BcPolicy::Load(path);
  const std::vector<float> obs{0.3f, -0.2f};
  EXPECT_EQ(loaded.Act(obs), policy.Act(obs));
  EXPECT_EQ(loaded.env_id(), "toy");
  EXPECT_THROW(loaded.Act(std::vector<float>{1.f}), ShapeError);
  std::filesystem::remove(path);
  EXPECT_THROW(BcPolicy::Load(path), NotFoundError);
  // Same seed, same policy.
  EXPECT_EQ(BcPolicy::Train(LinearPolicyData(), options).Act(obs), policy.Act(obs));
}

TEST(BenchCellTest, ApplyBudgetOverridesAndAppendsKeys) {
  EXPECT_EQ(ApplyBudget("icem:pop=100,horizon=15", "pop=64,iters=2"), "icem:pop=64,horizon=15,iters=2");
  EXPECT_EQ(ApplyBudget("cem:pop=10", ""), "cem:pop=10");
  EXPECT_THROW(ApplyBudget("cem:pop=10", "pop"), ConfigError);
}

TEST(BenchCellTest, NormalizeScalesD4rlReferencesToShortEpisodes) {
  CellResult r;
  r.returns = {3234.3 * 0.2, -20.272305 * 0.2};
  Normalize("Hopper-v4", 200, 1000, r);
  ASSERT_TRUE(r.normalized_mean);
  EXPECT_NEAR(*r.normalized_mean, 50.0, 1e-9);
  EXPECT_THAT(r.normalization, HasSubstr("200/1000"));
  CellResult unknown;
  unknown.returns = {1.0};
  Normalize("NoSuchEnv", 0, 0, unknown);
  EXPECT_FALSE(unknown.normalized_mean);
}

TEST(BenchCellTest, KindsAreARegistryWithCheckedMethods) {
  EXPECT_THAT(CellKindNames(), ::testing::IsSupersetOf({"bc", "dataset", "mobile", "mopo", "mpc", "ravl"}));
  try {
    FindCellKind("raval");
    FAIL();
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.what(), HasSubstr("bc, dataset, mobile, mopo, mpc, ravl"));
  }
  // Offline RL kinds: model learned / true / a model spec, known params keys, the method's own checks.
  const CellKind& ravl = FindCellKind("ravl");
  EXPECT_NO_THROW(ravl.validate({"m", "ravl", "learned", "", 0, {{"steps", "100"}}}));
  EXPECT_NO_THROW(ravl.validate({"m", "ravl", "true", "", 0, {}}));
  EXPECT_NO_THROW(ravl.validate({"m", "ravl", "ensemble:members=2", "", 0, {}}));
  EXPECT_THROW(ravl.validate({"m", "ravl", "sim", "", 0, {}}), NotFoundError);
  EXPECT_THROW(ravl.validate({"m", "ravl", "true", "", 0, {{"step", "100"}}}), NotFoundError);
  EXPECT_THROW(ravl.validate({"m", "ravl", "true", "", 0, {{"steps", "many"}}}), ConfigError);
  EXPECT_THROW(ravl.validate({"m", "ravl", "true", "", 0, {{"critics", "1"}}}), ConfigError);
  EXPECT_NO_THROW(FindCellKind("mopo").validate({"m", "mopo", "true", "", 0, {{"critics", "1"}}}));
  EXPECT_THROW(FindCellKind("mobile").validate({"m", "mobile", "true", "cem", 0, {}}), ConfigError);
  const CellKind& mpc = FindCellKind("mpc");
  EXPECT_THROW(mpc.validate({"m", "mpc", "true", "", 0, {}}), ConfigError);
  EXPECT_THROW(mpc.validate({"m", "mpc", "true", "beem:width=3", 0, {}}), NotFoundError);
  // Beam search plans over a sequence model, and a sequence model only with beam search.
  EXPECT_THROW(mpc.validate({"m", "mpc", "true", "beam:width=3", 0, {}}), ConfigError);
  EXPECT_THROW(mpc.validate({"m", "mpc", "tt:layers=1", "icem:pop=8", 0, {}}), ConfigError);
  EXPECT_NO_THROW(mpc.validate({"m", "mpc", "tt:layers=1", "beam:width=3", 0, {}}));
  EXPECT_THROW(mpc.validate({"m", "mpc", "transformer:layers=2", "cem", 0, {}}), NotFoundError);
  EXPECT_NO_THROW(mpc.validate({"m", "mpc", "ensemble:members=2", "icem:pop=8", 0, {}}));
  // The planner's reward: the model's learned head or the env's known function; a MOPO-style penalty weight.
  EXPECT_NO_THROW(mpc.validate({"m", "mpc", "ensemble:members=2", "icem:pop=8", 0, {{"reward", "known"}, {"penalty", "1"}}}));
  EXPECT_THROW(mpc.validate({"m", "mpc", "ensemble:members=2", "icem:pop=8", 0, {{"reward", "true"}}}), ConfigError);
  EXPECT_THROW(mpc.validate({"m", "mpc", "ensemble:members=2", "icem:pop=8", 0, {{"penalty", "-1"}}}), ConfigError);
  EXPECT_THROW(mpc.validate({"m", "mpc", "ensemble:members=2", "icem:pop=8", 0, {{"rewards", "known"}}}), NotFoundError);
  EXPECT_THROW(mpc.validate({"m", "mpc", "true", "icem:pop=8", 0, {{"reward", "known"}}}), ConfigError);
  EXPECT_NO_THROW(ravl.validate({"m", "ravl", "learned", "", 0, {{"reward", "known"}}}));
  EXPECT_THROW(ravl.validate({"m", "ravl", "learned", "", 0, {{"reward", "env"}}}), ConfigError);
  EXPECT_THROW(ravl.validate({"m", "ravl", "true", "", 0, {{"reward", "known"}}}), ConfigError);
  // The dataset box: none | data, on a learned model only.
  EXPECT_NO_THROW(mpc.validate({"m", "mpc", "ensemble:members=2", "icem:pop=8", 0, {{"box", "data"}, {"reward", "known"}}}));
  EXPECT_NO_THROW(mpc.validate({"m", "mpc", "ensemble:members=2", "icem:pop=8", 0, {{"box", "none"}}}));
  EXPECT_THROW(mpc.validate({"m", "mpc", "ensemble:members=2", "icem:pop=8", 0, {{"box", "yes"}}}), ConfigError);
  EXPECT_THROW(mpc.validate({"m", "mpc", "true", "icem:pop=8", 0, {{"box", "data"}}}), ConfigError);
  EXPECT_NO_THROW(ravl.validate({"m", "ravl", "learned", "", 0, {{"box", "data"}}}));
  EXPECT_THROW(ravl.validate({"m", "ravl", "learned", "", 0, {{"box", "dataset"}}}), ConfigError);
  EXPECT_THROW(ravl.validate({"m", "ravl", "true", "", 0, {{"box", "data"}}}), ConfigError);
  // A new kind is one registration away.
  RegisterCellKind({"constant", "always returns 1", false, [](const MethodSpec&) {},
                    [](const CellInputs&) {
                      CellResult r;
                      r.returns = {1.0};
                      r.mean_return = 1.0;
                      return r;
                    }});
  EXPECT_EQ(FindCellKind("constant").run({}).mean_return, 1.0);
}

}  // namespace
}  // namespace augur::agents
