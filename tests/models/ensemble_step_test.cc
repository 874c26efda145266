// The tensor path (Step) and the fused CPU path (StepCpu) of the ensemble agree to atol 1e-5 + rtol 1e-5.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/rng.h"
#include "augur/core/torch_rng.h"
#include "augur/models/ensemble/ensemble_model.h"
#include "augur/models/factory.h"
#include "sine_data.h"

namespace augur::models {
namespace {

constexpr int64_t kObs = 4, kAct = 2;

// A briefly trained model, so normalizers and bounds are not trivial.
std::unique_ptr<EnsembleModel> TrainedModel(const std::string& env_id = "") {
  EnsembleOptions o;
  o.members = 4;
  o.elites = 3;
  o.hidden = 32;
  o.layers = 2;
  auto model = std::make_unique<EnsembleModel>(o, ModelInputs{.obs_dim = kObs, .action_dim = kAct, .env_id = env_id});
  at::Generator gen = MakeCpuGenerator(5);
  TransitionBatch data;
  data.obs = at::randn({600, kObs}, gen, at::kFloat) * 2 + 1;
  data.actions = at::rand({600, kAct}, gen, at::kFloat) * 2 - 1;
  data.next_obs = data.obs + 0.3 * at::tanh(data.obs) + 0.1 * data.actions.sum(1, true) +
                  0.05 * at::randn({600, kObs}, gen, at::kFloat);
  data.rewards = -data.obs.square().sum(1) + 0.1 * at::randn({600}, gen, at::kFloat);
  TrainOptions train;
  train.max_epochs = 5;
  model->Train(data, train, nullptr);
  return model;
}

struct CpuResult {
  std::vector<float> next_state, reward, done, uncertainty;
};

CpuResult RunCpu(const EnsembleModel& model, const at::Tensor& state, const at::Tensor& action,
                 const std::vector<int64_t>& member_begin, Rng* rng, Scratch& scratch, bool uncertainty) {
  const int64_t rows = state.size(0);
  CpuResult r;
  r.next_state.resize(rows * kObs);
  r.reward.resize(rows);
  r.done.resize(rows);
  r.uncertainty.resize(rows);
  CpuStep step;
  step.rows = rows;
  step.state = state.data_ptr<float>();
  step.action = action.data_ptr<float>();
  step.member_begin = member_begin;
  step.rng = rng;
  step.scratch = &scratch;
  step.next_state = r.next_state.data();
  step.reward = r.reward.data();
  step.done = r.done.data();
  step.uncertainty = uncertainty ? r.uncertainty.data() : nullptr;
  model.StepCpu(step);
  return r;
}

at::Tensor AsTensor(std::vector<float>& v, std::vector<int64_t> shape) { return at::from_blob(v.data(), shape, at::kFloat); }

void ExpectClose(const at::Tensor& a, const at::Tensor& b, const char* what) {
  EXPECT_TRUE(at::allclose(a, b, 1e-5, 1e-5)) << what << ": max abs diff " << (a - b).abs().max().item<float>();
}

class EnsembleGroupsTest : public ::testing::TestWithParam<std::vector<int64_t>> {};

TEST_P(EnsembleGroupsTest, FusedCpuPathMatchesTensorPathInMeanMode) {
  auto model = TrainedModel();
  const std::vector<int64_t> member_begin = GetParam();
  const int64_t rows = member_begin.back();
  at::Generator gen = MakeCpuGenerator(11);
  const at::Tensor state = at::randn({rows, kObs}, gen, at::kFloat) * 2;
  const at::Tensor action = at::rand({rows, kAct}, gen, at::kFloat) * 2 - 1;
  StepContext ctx;
  ctx.member_begin = at::tensor(member_begin, at::kLong);
  const Transition t = model->Step(state, action, ctx);
  ASSERT_EQ(t.next_state.sizes(), (std::vector<int64_t>{rows, kObs}));
  ASSERT_EQ(t.reward.sizes(), (std::vector<int64_t>{rows}));
  Scratch scratch;
  for (bool uncertainty : {false, true}) {
    CpuResult r = RunCpu(*model, state, action, member_begin, nullptr, scratch, uncertainty);
    ExpectClose(AsTensor(r.next_state, {rows, kObs}), t.next_state, "next_state");
    ExpectClose(AsTensor(r.reward, {rows}), t.reward, "reward");
    EXPECT_FALSE(t.done.any().item<bool>());
  }
  // Uncertainty: both paths give max over elites of ||std||.
  model->set_tensor_uncertainty(true);
  const Transition tu = model->Step(state, action, ctx);
  ExpectClose(tu.next_state, t.next_state, "next_state with uncertainty");
  CpuResult r = RunCpu(*model, state, action, member_begin, nullptr, scratch, true);
  ExpectClose(AsTensor(r.uncertainty, {rows}), tu.uncertainty, "uncertainty");
  const EnsembleModel::Prediction p = model->Predict(state, action);
  ExpectClose(tu.uncertainty, p.std.norm(2, -1).amax(0), "uncertainty vs Predict");
}

INSTANTIATE_TEST_SUITE_P(Groups, EnsembleGroupsTest,
                         ::testing::Values(std::vector<int64_t>{0, 64, 128, 192},   // equal groups
                                           std::vector<int64_t>{0, 5, 5, 37},      // unequal, one empty
                                           std::vector<int64_t>{0, 1, 2, 3}));

// Large member groups go through oneDNN's GEMM (when the build has it), which sums in another order than the
// tensor path's baddbmm and Eigen: the same results to atol 1e-4 + rtol 1e-4 (observed: ~1e-6).
TEST(EnsembleStepTest, OneDnnGemmPathMatchesTensorPathAndEigen) {
  auto model = TrainedModel();
  const std::vector<int64_t> member_begin{0, 300, 600, 900};
  at::Generator gen = MakeCpuGenerator(21);
  const at::Tensor state = at::randn({900, kObs}, gen, at::kFloat) * 2;
  const at::Tensor action = at::rand({900, kAct}, gen, at::kFloat) * 2 - 1;
  StepContext ctx;
  ctx.member_begin = at::tensor(member_begin, at::kLong);
  const Transition t = model->Step(state, action, ctx);
  Scratch scratch;
  ASSERT_LE(FusedEnsemble::gemm_min_rows(), 300);
  const bool saved_kernel = FusedEnsemble::dense_kernel();
  FusedEnsemble::set_dense_kernel(false);  // this test is about the GEMM paths
  CpuResult fast = RunCpu(*model, state, action, member_begin, nullptr, scratch, false);
  EXPECT_TRUE(at::allclose(AsTensor(fast.next_state, {900, kObs}), t.next_state, 1e-4, 1e-4));
  EXPECT_TRUE(at::allclose(AsTensor(fast.reward, {900}), t.reward, 1e-4, 1e-4));
  const int64_t saved = FusedEnsemble::gemm_min_rows();
  FusedEnsemble::set_gemm_min_rows(std::numeric_limits<int64_t>::max());  // Eigen only
  CpuResult eigen = RunCpu(*model, state, action, member_begin, nullptr, scratch, false);
  FusedEnsemble::set_gemm_min_rows(saved);
  FusedEnsemble::set_dense_kernel(saved_kernel);
  EXPECT_TRUE(at::allclose(AsTensor(fast.next_state, {900, kObs}), AsTensor(eigen.next_state, {900, kObs}), 1e-4, 1e-4));
  EXPECT_TRUE(at::allclose(AsTensor(fast.reward, {900}), AsTensor(eigen.reward, {900}), 1e-4, 1e-4));
}

// augur's register-blocked AVX-512 kernel (on by default in AVX-512 builds): the tensor path's results to
// atol 1e-5 + rtol 1e-5 at group sizes that exercise every row-block shape (1 to 300 rows), with ReLU too,
// and the GEMM path's to 1e-5.
TEST(EnsembleStepTest, DenseKernelMatchesTensorPathAndGemmPath) {
  if (!FusedEnsemble::has_dense_kernel()) GTEST_SKIP() << "no AVX-512 dense kernel in this build";
  for (const char* activation : {"silu", "relu"}) {
    auto model = Create(StrCat("ensemble:members=3,elites=3,hidden=200,layers=3,act=", activation),
                        ModelInputs{.obs_dim = kObs, .action_dim = kAct});
    const std::vector<int64_t> member_begin{0, 1, 14, 314};
    const int64_t rows = member_begin.back();
    at::Generator gen = MakeCpuGenerator(23);
    const at::Tensor state = at::randn({rows, kObs}, gen, at::kFloat) * 2;
    const at::Tensor action = at::rand({rows, kAct}, gen, at::kFloat) * 2 - 1;
    StepContext ctx;
    ctx.member_begin = at::tensor(member_begin, at::kLong);
    const Transition t = model->Step(state, action, ctx);
    const auto& m = dynamic_cast<const EnsembleModel&>(*model);
    Scratch scratch;
    ASSERT_TRUE(FusedEnsemble::dense_kernel());
    CpuResult kernel = RunCpu(m, state, action, member_begin, nullptr, scratch, false);
    ExpectClose(AsTensor(kernel.next_state, {rows, kObs}), t.next_state, activation);
    ExpectClose(AsTensor(kernel.reward, {rows}), t.reward, activation);
    FusedEnsemble::set_dense_kernel(false);
    CpuResult gemm = RunCpu(m, state, action, member_begin, nullptr, scratch, false);
    FusedEnsemble::set_dense_kernel(true);
    ExpectClose(AsTensor(kernel.next_state, {rows, kObs}), AsTensor(gemm.next_state, {rows, kObs}), activation);
  }
}

// The bf16 kernel (vdpbf16ps) and oneDNN's bf16 GEMM round the same values to bf16 and accumulate in fp32:
// the same results up to the order of the sums.
TEST(EnsembleStepTest, Bf16KernelMatchesOneDnnBf16) {
  if (!FusedEnsemble::has_dense_kernel() || !FusedEnsemble::has_onednn()) GTEST_SKIP() << "no kernel or oneDNN";
  auto model = Create("ensemble:members=3,elites=3,hidden=64,layers=3,precision=bf16",
                      ModelInputs{.obs_dim = kObs, .action_dim = kAct});
  const std::vector<int64_t> member_begin{0, 7, 40, 100};
  at::Generator gen = MakeCpuGenerator(24);
  const at::Tensor state = at::randn({100, kObs}, gen, at::kFloat);
  const at::Tensor action = at::rand({100, kAct}, gen, at::kFloat) * 2 - 1;
  const auto& m = dynamic_cast<const EnsembleModel&>(*model);
  Scratch scratch;
  CpuResult kernel = RunCpu(m, state, action, member_begin, nullptr, scratch, false);
  FusedEnsemble::set_dense_kernel(false);
  CpuResult gemm = RunCpu(m, state, action, member_begin, nullptr, scratch, false);
  FusedEnsemble::set_dense_kernel(true);
  const at::Tensor a = AsTensor(kernel.next_state, {100, kObs}), b = AsTensor(gemm.next_state, {100, kObs});
  EXPECT_TRUE(at::allclose(a, b, 1e-3, 1e-3)) << "max abs diff " << (a - b).abs().max().item<float>();
}

// precision=bf16 (oneDNN bf16 GEMMs): an approximation of the fp32 step, within bf16's rounding (relative
// ~1e-2 per layer); identical to fp32 in a build without oneDNN (it falls back).
TEST(EnsembleStepTest, Bf16PrecisionApproximatesFp32) {
  const ModelInputs inputs{.obs_dim = kObs, .action_dim = kAct};
  auto fp32 = Create("ensemble:members=3,elites=3,hidden=64,layers=3", inputs);
  auto bf16 = Create("ensemble:members=3,elites=3,hidden=64,layers=3,precision=bf16", inputs);
  EXPECT_EQ(dynamic_cast<EnsembleModel&>(*bf16).options().precision, Precision::kBf16);
  EXPECT_NE(bf16->card().config.find("precision=bf16"), std::string::npos);
  EXPECT_EQ(fp32->card().config.find("precision"), std::string::npos);
  const std::vector<int64_t> member_begin{0, 100, 200, 300};
  at::Generator gen = MakeCpuGenerator(22);
  const at::Tensor state = at::randn({300, kObs}, gen, at::kFloat);
  const at::Tensor action = at::rand({300, kAct}, gen, at::kFloat) * 2 - 1;
  Scratch scratch;
  const auto& a = dynamic_cast<const EnsembleModel&>(*fp32);
  const auto& b = dynamic_cast<const EnsembleModel&>(*bf16);
  CpuResult r32 = RunCpu(a, state, action, member_begin, nullptr, scratch, false);
  CpuResult r16 = RunCpu(b, state, action, member_begin, nullptr, scratch, false);
  const at::Tensor d32 = AsTensor(r32.next_state, {300, kObs}) - state, d16 = AsTensor(r16.next_state, {300, kObs}) - state;
  EXPECT_TRUE(at::allclose(d16, d32, 5e-2, 2e-2)) << "max abs diff " << (d16 - d32).abs().max().item<float>();
  EXPECT_TRUE(at::allclose(AsTensor(r16.reward, {300}), AsTensor(r32.reward, {300}), 5e-2, 2e-2));
}

TEST(EnsembleStepTest, ExpectationIsMeanOfEliteMeans) {
  auto model = TrainedModel();
  at::Generator gen = MakeCpuGenerator(12);
  const at::Tensor state = at::randn({50, kObs}, gen, at::kFloat), action = at::rand({50, kAct}, gen, at::kFloat);
  StepContext ctx;  // member_begin undefined
  const Transition t = model->Step(state, action, ctx);
  const EnsembleModel::Prediction p = model->Predict(state, action);
  const at::Tensor mean = p.mean.mean(0);
  ExpectClose(t.next_state, state + mean.narrow(1, 0, kObs), "expectation next_state");
  ExpectClose(t.reward, mean.select(1, kObs), "expectation reward");
  Scratch scratch;
  CpuResult r = RunCpu(*model, state, action, {}, nullptr, scratch, true);
  ExpectClose(AsTensor(r.next_state, {50, kObs}), t.next_state, "cpu expectation next_state");
  ExpectClose(AsTensor(r.reward, {50}), t.reward, "cpu expectation reward");
  ExpectClose(AsTensor(r.uncertainty, {50}), t.uncertainty, "cpu expectation uncertainty");
}

// Sampling: both paths draw mean + std * N(0, 1); the standardized residuals have mean 0 and variance 1.
TEST(EnsembleStepTest, SamplingStatisticsMatchPredictedStd) {
  auto model = TrainedModel();
  const int64_t rows = 3 * 2000;
  at::Generator gen = MakeCpuGenerator(13);
  const at::Tensor state = at::randn({1, kObs}, gen, at::kFloat).expand({rows, kObs}).contiguous();
  const at::Tensor action = at::rand({1, kAct}, gen, at::kFloat).expand({rows, kAct}).contiguous();
  const std::vector<int64_t> member_begin{0, 2000, 4000, 6000};
  const EnsembleModel::Prediction p = model->Predict(state.narrow(0, 0, 1), action.narrow(0, 0, 1));  // [3, 1, D]
  const at::Tensor mean = p.mean.squeeze(1).repeat_interleave(2000, 0), std = p.std.squeeze(1).repeat_interleave(2000, 0);

  auto check = [&](const at::Tensor& next_state, const at::Tensor& reward, const char* what) {
    const at::Tensor y = at::cat({next_state - state, reward.unsqueeze(1)}, 1);  // [rows, D]
    const at::Tensor z = (y - mean) / std;
    EXPECT_LT(z.mean().abs().item<double>(), 0.05) << what;
    EXPECT_NEAR(z.var().item<double>(), 1.0, 0.05) << what;
  };
  StepContext ctx;
  ctx.member_begin = at::tensor(member_begin, at::kLong);
  ctx.generator = MakeCpuGenerator(1);
  const Transition t = model->Step(state, action, ctx);
  check(t.next_state, t.reward, "tensor path");
  Scratch scratch;
  Rng rng(7);
  CpuResult r = RunCpu(*model, state, action, member_begin, &rng, scratch, false);
  check(AsTensor(r.next_state, {rows, kObs}), AsTensor(r.reward, {rows}), "fused path");
  // Same seed, same draws.
  Rng rng2(7);
  CpuResult r2 = RunCpu(*model, state, action, member_begin, &rng2, scratch, false);
  EXPECT_EQ(r.next_state, r2.next_state);
  ctx.generator = MakeCpuGenerator(1);
  EXPECT_TRUE(at::equal(model->Step(state, action, ctx).next_state, t.next_state));
}

TEST(EnsembleStepTest, WarmFusedStepDoesNotGrowScratch) {
  auto model = TrainedModel();
  const at::Tensor state = at::randn({90, kObs}), action = at::rand({90, kAct});
  Scratch scratch;
  Rng rng(1);
  RunCpu(*model, state, action, {0, 30, 60, 90}, &rng, scratch, true);
  const size_t bytes = scratch.bytes();
  RunCpu(*model, state, action, {0, 10, 60, 90}, &rng, scratch, true);
  RunCpu(*model, state, action, {0, 30, 60, 90}, &rng, scratch, false);
  EXPECT_EQ(scratch.bytes(), bytes);
}

TEST(EnsembleStepTest, KnownTerminationAndBadInputs) {
  auto model = TrainedModel("CartPole-v1");
  EXPECT_TRUE(model->spec().predicts_done);
  at::Tensor state = at::zeros({3, kObs}), action = at::zeros({3, kAct});
  state[1][0] = 30.f;  // far outside the cart limits: the next state stays outside
  StepContext ctx;
  const Transition t = model->Step(state, action, ctx);
  EXPECT_TRUE(t.done[1].item<bool>());
  EXPECT_THROW(model->Step(at::zeros({3, kObs + 1}), action, ctx), ShapeError);
  EXPECT_THROW(model->Step(state, at::zeros({2, kAct}), ctx), ShapeError);
  ctx.member_begin = at::tensor(std::vector<int64_t>{0, 1, 3}, at::kLong);
  EXPECT_THROW(model->Step(state, action, ctx), ShapeError);
}

TEST(EnsembleStepTest, TensorPathOnCuda_CUDA) {
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device";
  auto model = TrainedModel();
  const at::Tensor state = at::randn({60, kObs}), action = at::rand({60, kAct});
  StepContext ctx;
  ctx.member_begin = at::tensor(std::vector<int64_t>{0, 20, 40, 60}, at::kLong);
  const Transition cpu = model->Step(state, action, ctx);
  model->To(at::Device(at::kCUDA));
  const Transition gpu = model->Step(state.cuda(), action.cuda(), ctx);
  ExpectClose(gpu.next_state.cpu(), cpu.next_state, "cuda next_state");
  ExpectClose(gpu.reward.cpu(), cpu.reward, "cuda reward");
}

}  // namespace
}  // namespace augur::models
