// Tokenizer, Trajectory Transformer (KV cache == recompute, shapes, checkpoints, bad input).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "augur/core/error.h"
#include "augur/models/ensemble/checkpoint.h"
#include "augur/models/factory.h"
#include "augur/models/sequence/tokenizer.h"
#include "augur/models/sequence/tt_model.h"
#include "../testing/chain_mdp.h"

namespace augur::models {
namespace {

TEST(TokenizerTest, UniformBinsKnownEdgesAndCentres) {
  const at::Tensor values = at::linspace(0, 10, 11).unsqueeze(1);  // [11, 1]: 0, 1, ..., 10
  const Tokenizer t = Tokenizer::Fit(values, 10, BinKind::kUniform);
  EXPECT_TRUE(at::allclose(t.edges()[0], at::linspace(0, 10, 11)));
  const at::Tensor x = at::tensor({-5.0f, 0.0f, 0.5f, 1.0f, 9.99f, 10.0f, 100.0f}).unsqueeze(1);
  const at::Tensor tokens = t.Encode(x, 0).squeeze(1);
  EXPECT_TRUE(at::equal(tokens, at::tensor({0, 0, 0, 1, 9, 9, 9}, at::kLong)));
  const at::Tensor centres = t.Decode(at::tensor({0, 3, 9}, at::kLong).unsqueeze(1), 0).squeeze(1);
  EXPECT_TRUE(at::allclose(centres, at::tensor({0.5f, 3.5f, 9.5f})));
}

TEST(TokenizerTest, UniformRoundTripsWithinHalfABin) {
  const at::Tensor values = at::rand({500, 3}, at::TensorOptions().dtype(at::kFloat)) * 4 - 2;
  const Tokenizer t = Tokenizer::Fit(values, 100, BinKind::kUniform);
  const at::Tensor tokens = t.Encode(values, 0);
  EXPECT_GE(tokens.min().item<int64_t>(), 0);
  EXPECT_LT(tokens.max().item<int64_t>(), 100);
  const at::Tensor width = (t.edges().select(1, 100) - t.edges().select(1, 0)) / 100;  // [3]
  EXPECT_TRUE(((t.Decode(tokens, 0) - values).abs() <= width * 0.5 + 1e-5).all().item<bool>());
  // every token decodes to a value that encodes back to it
  const at::Tensor all = at::arange(100, at::kLong).unsqueeze(1).repeat({1, 3});
  EXPECT_TRUE(at::equal(t.Encode(t.Decode(all, 0), 0), all));
}

TEST(TokenizerTest, QuantileBinsHoldEqualMass) {
  const at::Tensor values = at::arange(1, 101, at::kFloat).pow(2).unsqueeze(1);  // skewed
  const Tokenizer t = Tokenizer::Fit(values, 4, BinKind::kQuantile);
  const at::Tensor counts = at::bincount(t.Encode(values, 0).squeeze(1), {}, 4);
  EXPECT_TRUE(at::equal(counts, at::full({4}, 25, at::kLong))) << counts;
}

TEST(TokenizerTest, ConstantColumnDecodesToItsValue) {
  const Tokenizer t = Tokenizer::Fit(at::full({10, 1}, 3.0f), 5, BinKind::kUniform);
  EXPECT_FLOAT_EQ(t.Decode(t.Encode(at::full({1, 1}, 3.0f), 0), 0).item<float>(), 3.0f);
}

TEST(TokenizerTest, BadInput) {
  EXPECT_THROW(Tokenizer::Fit(at::rand({10, 2}), 1, BinKind::kUniform), ConfigError);
  const Tokenizer t = Tokenizer::Fit(at::rand({10, 2}), 8, BinKind::kUniform);
  EXPECT_THROW(t.Decode(at::tensor({8}, at::kLong).unsqueeze(1), 0), RangeError);
  EXPECT_THROW(t.Decode(at::tensor({-1}, at::kLong).unsqueeze(1), 0), RangeError);
  EXPECT_THROW(t.Encode(at::full({1, 1}, NAN), 0), DataError);
  EXPECT_THROW(t.Encode(at::zeros({1, 3}), 0), ShapeError);  // 3 dims from 0 but only 2
  EXPECT_THROW(Tokenizer::Fit(at::full({3, 1}, NAN), 8, BinKind::kUniform), DataError);
  EXPECT_THROW(ParseBinKind("log"), ConfigError);
}

// One tiny TT trained for a few steps, shared by the tests below.
class TtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new data::Dataset(testing::ChainDataset(40, 8, 1));
    auto model = CreateSequenceModel("tt:bins=20,layers=2,heads=2,width=16,steps=4,dropout=0.1",
                                     {.obs_dim = 1, .action_dim = 1, .action_bounds = Box::Uniform(1, -1, 1),
                                      .env_id = "chain"});
    model->Train(*data_, {.max_epochs = 2, .batch_size = 16, .seed = 3}, nullptr);
    model_ = model.release();
  }
  static void TearDownTestSuite() {
    delete model_;
    delete data_;
  }
  static at::Tensor RandomTokens(int64_t b, int64_t t, uint64_t seed) {
    at::Generator g = at::detail::createCPUGenerator(seed);
    return at::randint(20, {b, t}, g, at::kLong);
  }
  static inline data::Dataset* data_ = nullptr;
  static inline LearnedSequenceModel* model_ = nullptr;
};

TEST_F(TtTest, SpecAndShapes) {
  const SequenceSpec& spec = model_->sequence_spec();
  EXPECT_EQ(spec.type, "tt");
  EXPECT_EQ(spec.layout.step_tokens(), 4);
  EXPECT_EQ(spec.max_tokens, 16);
  EXPECT_EQ(spec.bins, 20);
  const at::Tensor logits = model_->Forward(RandomTokens(3, 7, 1), nullptr);
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{3, 7, 20}));
  EXPECT_TRUE(at::isfinite(logits).all().item<bool>());
  EXPECT_EQ(model_->card().metrics.epochs.size(), 2u);
}

TEST_F(TtTest, KvCacheEqualsFullRecompute) {
  const at::Tensor tokens = RandomTokens(5, 16, 2);
  const at::Tensor full = model_->Forward(tokens, nullptr);  // [5, 16, N]
  auto cache = model_->NewCache(5);
  std::vector<at::Tensor> parts{model_->Forward(tokens.narrow(1, 0, 6), cache.get())};  // a prefix, then 1 by 1
  for (int64_t p = 6; p < 16; ++p) parts.push_back(model_->Forward(tokens.narrow(1, p, 1), cache.get()));
  EXPECT_EQ(cache->length(), 16);
  EXPECT_TRUE(at::allclose(at::cat(parts, 1), full, /*rtol=*/0, /*atol=*/1e-5));
}

TEST_F(TtTest, KvCacheReorderFollowsRows) {
  const at::Tensor tokens = RandomTokens(3, 9, 3);
  auto cache = model_->NewCache(3);
  model_->Forward(tokens.narrow(1, 0, 8), cache.get());
  const at::Tensor rows = at::tensor({2, 2, 0, 1}, at::kLong);
  cache->Reorder(rows);
  EXPECT_EQ(cache->batch(), 4);
  const at::Tensor next = model_->Forward(tokens.index_select(0, rows).narrow(1, 8, 1), cache.get());
  const at::Tensor full = model_->Forward(tokens.index_select(0, rows), nullptr).narrow(1, 8, 1);
  EXPECT_TRUE(at::allclose(next, full, 0, 1e-5));
  EXPECT_THROW(cache->Reorder(at::tensor({4}, at::kLong)), RangeError);
}

TEST_F(TtTest, ForwardRejectsBadInput) {
  EXPECT_THROW(model_->Forward(at::full({1, 2}, 20, at::kLong), nullptr), RangeError);   // id == bins
  EXPECT_THROW(model_->Forward(at::full({1, 2}, -1, at::kLong), nullptr), RangeError);
  EXPECT_THROW(model_->Forward(at::zeros({1, 17}, at::kLong), nullptr), ConfigError);   // > 16 positions
  EXPECT_THROW(model_->Forward(at::zeros({1, 2}, at::kFloat), nullptr), ShapeError);
  auto cache = model_->NewCache(2);
  EXPECT_THROW(model_->Forward(at::zeros({3, 1}, at::kLong), cache.get()), ShapeError);  // rows != cache rows
  model_->Forward(at::zeros({2, 16}, at::kLong), cache.get());
  EXPECT_THROW(model_->Forward(at::zeros({2, 1}, at::kLong), cache.get()), ConfigError);  // window full
  EXPECT_THROW(model_->Tokenize(at::zeros({1, 5}), 0), ShapeError);                       // only 4 dims
}

TEST_F(TtTest, TrainingIsDeterministicForASeed) {
  auto a = CreateSequenceModel("tt:bins=20,layers=1,heads=1,width=8,steps=2", {.obs_dim = 1, .action_dim = 1});
  auto b = CreateSequenceModel("tt:bins=20,layers=1,heads=1,width=8,steps=2", {.obs_dim = 1, .action_dim = 1});
  const TrainOptions o{.max_epochs = 1, .batch_size = 8, .seed = 5};
  EXPECT_EQ(a->Train(*data_, o, nullptr).epochs[0].train_nll, b->Train(*data_, o, nullptr).epochs[0].train_nll);
}

TEST_F(TtTest, CheckpointRoundTrip) {
  const std::string path = (std::filesystem::temp_directory_path() / "augur_tt_roundtrip.ckpt").string();
  model_->Save(path);
  EXPECT_TRUE(IsSequenceModelCheckpoint(path));
  auto loaded = LoadSequenceModel(path, {.obs_dim = 1, .action_dim = 1, .env_id = "chain"});
  const at::Tensor tokens = RandomTokens(2, 10, 4);
  EXPECT_TRUE(at::equal(loaded->Forward(tokens, nullptr), model_->Forward(tokens, nullptr)));
  EXPECT_TRUE(at::equal(loaded->BinCentres(0), model_->BinCentres(0)));
  EXPECT_EQ(loaded->card().config, model_->card().config);
  // mismatches with the env, and a world-model loader on a sequence checkpoint
  EXPECT_THROW(LoadSequenceModel(path, {.obs_dim = 3}), ShapeError);
  EXPECT_THROW(LoadSequenceModel(path, {.env_id = "Pendulum-v1"}), DataError);
  EXPECT_THROW(Load(path), DataError);
  std::filesystem::remove(path);
}

TEST_F(TtTest, CorruptCheckpointIsADataError) {
  const std::string path = (std::filesystem::temp_directory_path() / "augur_tt_corrupt.ckpt").string();
  model_->Save(path);
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size / 2);
  EXPECT_ANY_THROW(LoadSequenceModel(path));
  try {
    LoadSequenceModel(path);
  } catch (const Error& e) {
    EXPECT_TRUE(dynamic_cast<const DataError*>(&e) || dynamic_cast<const IoError*>(&e)) << e.what();
  }
  EXPECT_THROW(LoadSequenceModel("/nonexistent/tt.ckpt"), NotFoundError);
  std::filesystem::remove(path);
}

TEST_F(TtTest, MismatchedCheckpointIsADataError) {
  const std::string path = (std::filesystem::temp_directory_path() / "augur_tt_mismatch.ckpt").string();
  ModelCard card = model_->card();
  // tensors missing
  WriteCheckpoint(path, card, {{"tokenizer.edges", at::zeros({4, 21})}});
  EXPECT_THROW(LoadSequenceModel(path), DataError);
  // a config that does not parse
  card.config = "tt:bins=1";
  WriteCheckpoint(path, card, {{"tokenizer.edges", at::zeros({4, 21})}});
  EXPECT_THROW(LoadSequenceModel(path), DataError);
  std::filesystem::remove(path);
}

TEST(TtSpecTest, BadSpecs) {
  const ModelInputs in{.obs_dim = 2, .action_dim = 1};
  EXPECT_THROW(CreateSequenceModel("tt:bins=1", in), ConfigError);
  EXPECT_THROW(CreateSequenceModel("tt:width=10,heads=4", in), ConfigError);
  EXPECT_THROW(CreateSequenceModel("tt:colour=red", in), ConfigError);
  EXPECT_THROW(CreateSequenceModel("gpt:layers=2", in), NotFoundError);
  EXPECT_THROW(Create("tt:layers=2", in), ConfigError);  // a sequence model is not a world model
  auto untrained = CreateSequenceModel("tt:layers=1,width=8,heads=1", in);
  EXPECT_THROW(untrained->Forward(at::zeros({1, 1}, at::kLong), nullptr), StateError);
}

TEST(RewardToGoTest, DiscountedSumAfterEachReward) {
  // one episode of rewards 1, 2, 3 -> V = [2 + 0.5 * 3, 3, 0]
  const at::Tensor o = at::zeros({3, 1});
  const data::Dataset d(o, o.clone(), at::tensor({1.0f, 2.0f, 3.0f}), at::zeros({3}, at::kBool),
                        at::tensor({0, 0, 1}).to(at::kBool), o.clone());
  EXPECT_TRUE(at::allclose(RewardToGo(d, 0.5), at::tensor({3.5f, 3.0f, 0.0f})));
}

}  // namespace
}  // namespace augur::models
