// Behaviour cloning: a small MLP policy regressed on a dataset's (observation, action) pairs, the floor of
// every offline benchmark table (as in D4RL's and NeoRL-2's tables: "BC").
//
// Network: standardized observation -> `layers` x ReLU(hidden) -> tanh -> scaled to the action box (so its
// actions always lie inside the bounds). Loss: mean squared error of the box-normalized action in [-1, 1].
// Adam, minibatches sampled with a seeded torch generator, best epoch on a held-out 10 % of the episodes kept
// (early stopping by `patience`). Inference is plain C++ over the stored weights (no torch per action).
// Saved as one JSON file (dims, env, normalizer, weights, training metrics), written atomically.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "augur/agents/agent.h"
#include "augur/core/spaces.h"
#include "augur/data/dataset.h"

namespace augur {
class Progress;
}

namespace augur::agents {

struct BcOptions {
  int64_t hidden = 256;          // units per hidden layer (>= 1)
  int64_t layers = 2;            // hidden layers (>= 1)
  int64_t max_epochs = 50;       // passes over the training rows (>= 1)
  int64_t batch = 256;           // rows per minibatch (>= 1)
  double learning_rate = 1e-3;   // Adam step size (> 0)
  int64_t patience = 10;         // stop after this many epochs without a better held-out loss (0 = never)
  uint64_t seed = 0;             // initialization and minibatch order
  // Throws ConfigError naming the field.
  void Validate() const;
};

struct BcTrainReport {
  std::vector<double> train_loss, holdout_loss;  // per epoch
  int64_t best_epoch = 0;
  double seconds = 0;
};

class BcPolicy {
 public:
  // Trains on `dataset` (action bounds from its env spec, else the data's min / max). Throws ConfigError on an
  // empty dataset or bad options. Deterministic for a seed (training runs on the calling thread).
  static BcPolicy Train(const data::Dataset& dataset, const BcOptions& options, Progress* progress = nullptr,
                        BcTrainReport* report = nullptr);
  // Throws NotFoundError / DataError naming the file.
  static BcPolicy Load(const std::string& path);
  // Atomic (temp file + rename); IoError when it cannot be written.
  void Save(const std::string& path) const;

  int64_t obs_dim() const { return obs_dim_; }
  int64_t action_dim() const { return action_dim_; }
  const std::string& env_id() const { return env_id_; }
  // obs [obs_dim] -> action [action_dim] inside the box. ShapeError on a wrong size.
  std::vector<float> Act(std::span<const float> obs) const;

 private:
  struct Layer {
    int64_t in = 0, out = 0;
    std::vector<float> weight;  // [out, in] row-major
    std::vector<float> bias;    // [out]
  };
  int64_t obs_dim_ = 0, action_dim_ = 0;
  std::string env_id_;
  std::vector<float> obs_mean_, obs_std_;    // [O]
  std::vector<float> act_low_, act_high_;    // [A]
  std::vector<Layer> layers_;
  BcOptions options_;
  BcTrainReport report_;
};

// A BC policy acting in an env (deterministic; Reset does nothing).
class BcAgent : public Agent {
 public:
  explicit BcAgent(std::shared_ptr<const BcPolicy> policy) : policy_(std::move(policy)) {}
  std::string name() const override { return "bc"; }
  void Reset(uint64_t) override {}
  std::vector<float> Act(std::span<const float> obs) override { return policy_->Act(obs); }

 private:
  std::shared_ptr<const BcPolicy> policy_;
};

}  // namespace augur::agents
