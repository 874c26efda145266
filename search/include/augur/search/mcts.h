// Mcts: Monte-Carlo tree search over a discrete-action WorldModel, behind core's Planner contract.
//
// One tree, PUCT selection (AlphaZero: score = Q_norm + c * P * sqrt(N_parent) / (1 + N_child), unvisited
// children score Q_norm = 0), min-max normalization of Q over the tree (MuZero), discount, a depth limit, and
// an Evaluator for the leaf value and prior. Model transitions run on the model's fused CPU path and are cached
// in the nodes (the mean prediction: a stochastic model's sample is not drawn; chance nodes will handle that).
// A predicted termination makes a terminal node (value 0, never expanded).
//
// Chance nodes: when the model is a ChanceModel (with a CPU path), every action leads to a chance node whose
// children are the model's K outcomes with their probabilities (checked to sum to 1 within 1e-4). Selection
// at a chance node either follows the probabilities deterministically (kExpand: the outcome most behind its
// share p_k - n_k / (N + 1)) or samples them (kSample). Q(s, a) at a chance node is the expectation
// sum_k p_k (r_k + discount * V(s_k)) over the outcomes visited so far, renormalized by their probability mass:
// exact once every outcome has been visited and the outcome values are exact.
//
// Memory: nodes live in a pool of indices (no pointers), children of a node in one contiguous block of K; the
// pool and the state rows are preallocated and only grow when a larger budget asks for more, so a warm search
// allocates nothing per simulation.
//
// Tree reuse: after a Plan, the next Plan keeps the subtree of the root child whose state matches the new
// observation within `reuse_tolerance` (max abs difference), trying the chosen action first, and rebuilds
// otherwise. Reset() forgets the tree.
//
// The root is expanded before the simulations (it is evaluated once); Budget::iterations counts simulations.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "augur/core/chance_model.h"
#include "augur/core/planner.h"
#include "augur/core/world_model.h"
#include "augur/search/evaluator.h"

namespace augur::search {

enum class ChanceMode {
  kExpand,  // outcomes in proportion to their probabilities, deterministically
  kSample,  // outcomes sampled from their probabilities (Rng keyed by seed, plan, simulation, node)
};

// How the root picks the child of a simulation.
enum class RootRule {
  kPuct,    // PUCT, as every other node; the action is the most visited child
  kGumbel,  // Gumbel MuZero: Gumbel-top-m actions, sequential halving over the simulations, the action is
            // argmax g + logits + sigma(completed Q) among the last survivors (PUCT below the root)
};

struct MctsOptions {
  int64_t simulations = 25;   // simulations per Plan when the budget gives none (deadline only: until it)
  double c_puct = 1.0;        // exploration constant c (CWMB: 1.0; AlphaZero: about 1.25)
  double discount = 0.99;     // per-step discount in (0, 1]
  int64_t max_depth = 50;     // deepest node below the root (>= 1); a node at this depth is evaluated, not expanded
  bool normalize = true;      // min-max normalization of Q values (MuZero)
  bool reuse_tree = true;     // keep the matching subtree between Plans
  double reuse_tolerance = 1e-4;  // max abs difference between the observation and a child's state for reuse
  int64_t max_nodes = 1 << 20;    // pool capacity cap (a deadline-only search stops when full)
  RootRule root = RootRule::kPuct;
  int64_t gumbel_actions = 16;    // m: actions considered at the root (Gumbel-top-m), >= 1
  double gumbel_c_visit = 50.0;   // sigma(q) = (c_visit + max_b N(b)) * c_scale * q_normalized
  double gumbel_c_scale = 1.0;
  ChanceMode chance = ChanceMode::kExpand;  // how chance nodes pick an outcome (ChanceModel only)
  uint64_t seed = 0;
  void Validate() const;  // ConfigError naming the field and its range
};

// What the last Plan found at the root.
struct SearchStats {
  std::vector<int64_t> visits;  // [K] root child visit counts
  std::vector<float> policy;    // [K] visits / sum(visits): the visit distribution
  std::vector<float> q;         // [K] r + discount * V(child), the outcome expectation for a chance child
                                //     (0 when unvisited)
  std::vector<float> prior;     // [K] the evaluator's prior at the root
  int64_t simulations = 0;      // simulations this Plan
  int64_t root_visits = 0;      // visits of the root after the Plan (reused visits included)
  int64_t reused_visits = 0;    // visits the root had from the previous Plan's subtree (0: rebuilt)
  int64_t reused_nodes = 0;     // nodes kept from the previous tree
  double reused_value = 0.0;    // the kept root's value (value_sum / visits) when it was reused
  int64_t nodes = 0;            // nodes in the tree after the Plan
  int64_t max_depth = 0;        // deepest node reached
  double root_value = 0.0;      // value_sum / visits at the root
  bool pool_full = false;       // the node pool ran out before the budget did
};

class Mcts : public Planner {
 public:
  // The evaluator must have the model's state_dim and action count. Throws ConfigError on a null model or
  // evaluator, a continuous action space, a model without a CPU path, mismatched sizes or bad options.
  Mcts(std::shared_ptr<const WorldModel> model, std::shared_ptr<Evaluator> evaluator, MctsOptions options,
       Executor& executor);
  ~Mcts() override;

  std::string name() const override { return "mcts"; }
  int64_t obs_dim() const override;
  int64_t action_dim() const override { return 1; }
  int64_t horizon() const override { return options_.max_depth; }
  void Reset(uint64_t seed) override;

  const MctsOptions& options() const { return options_; }
  const SearchStats& last_stats() const { return stats_; }
  int64_t num_actions() const { return k_; }
  // Nodes in the subtree under the root's child for `action` (the child included; 0 before any Plan): what
  // tree reuse keeps when that action is taken.
  int64_t SubtreeNodes(int64_t action) const;

 protected:
  void DoPlan(std::span<const float> obs, const Budget& budget, PlanResult& out) override;

 private:
  struct Node {
    int32_t parent = -1;
    int32_t children = -1;   // first of num_children contiguous children, -1 while unexpanded
    int32_t num_children = 0;  // K actions (decision node) or the model's outcomes (chance node)
    int32_t action = -1;     // action that led here from the parent
    int32_t depth = 0;
    int64_t visits = 0;
    double value_sum = 0.0;  // sum of backed-up returns from this node on
    float prior = 0.f;
    float reward = 0.f;      // reward of the transition into this node
    bool has_state = false;  // the transition into this node has been predicted
    bool terminal = false;   // that transition ended the episode
    bool chance = false;     // a chance node: (parent state, action) before the outcome; no state of its own
  };

  void Reserve(int64_t nodes);
  bool TryReuse(std::span<const float> obs);
  int32_t CopySubtree(int32_t root);
  void Expand(int32_t node, std::span<const float> priors);
  void ExpandChance(int32_t node);
  int32_t SelectOutcome(int32_t node, int64_t simulation) const;
  bool Matches(int32_t node, std::span<const float> obs);
  int32_t SelectChild(int32_t node) const;
  double ChildQ(const Node& child) const;
  double Normalize(double q) const;
  void Backup(int32_t leaf, double value);
  void Simulate(int64_t simulation, PlanResult& out);
  void Fill(PlanResult& out);
  void GumbelStart(int64_t simulations);
  int32_t GumbelSelect();
  double GumbelScore(int32_t action) const;
  float* State(int32_t node) { return states_.data() + static_cast<size_t>(node) * s_dim_; }

  std::shared_ptr<const WorldModel> model_;
  std::shared_ptr<Evaluator> evaluator_;
  MctsOptions options_;
  Executor& executor_;
  const ChanceModel* chance_model_ = nullptr;  // model_ as a ChanceModel, or null
  int64_t k_ = 0, s_dim_ = 0;
  int64_t m_ = 0;  // outcomes per chance node (0 without a ChanceModel)
  uint64_t seed_ = 0;
  uint64_t plans_ = 0;  // Plans since Reset: part of the random stream key

  std::vector<Node> nodes_, spare_nodes_;    // the pool and the buffer tree reuse copies into
  std::vector<float> states_, spare_states_; // [capacity, S]
  std::vector<int32_t> queue_;               // reuse copy queue
  int32_t size_ = 0;                         // nodes in use
  bool has_tree_ = false;
  int32_t last_action_ = -1;
  double min_q_ = 0.0, max_q_ = 0.0;         // min-max statistics over backed-up Q values
  std::vector<float> outcome_probs_;
  // Gumbel root: per-action noise, this Plan's root visits, surviving actions, halving schedule.
  std::vector<float> gumbel_;
  std::vector<int64_t> plan_visits_;
  std::vector<int32_t> remaining_;
  int64_t gumbel_sims_ = 0, gumbel_phases_ = 1, phase_target_ = 0;
  std::vector<float> leaf_value_, leaf_prior_, step_reward_, step_done_;
  SearchStats stats_;
};

}  // namespace augur::search
