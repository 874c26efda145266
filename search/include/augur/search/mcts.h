// Mcts and MctsBatch: Monte-Carlo tree search over a WorldModel, behind core's Planner contract.
//
// One engine (MctsBatch) searches B trees at once (a batch of envs or robots, one observation each); Mcts is
// the Planner over one tree. Per tree: PUCT selection (AlphaZero: score = Q_norm + c * P * sqrt(N_parent) /
// (1 + N_child), unvisited children score Q_norm = 0), min-max normalization of Q over the tree (MuZero),
// discount, a depth limit, and an Evaluator for the leaf value and prior. Model transitions run on the model's
// fused CPU path and are cached in the nodes (the mean prediction). A predicted termination makes a terminal
// node (value 0, never expanded).
//
// Parallel search, in waves: every tree selects `in_flight` leaves one after the other (with virtual loss when
// virtual_loss > 0: each pending path counts one more visit returning -virtual_loss, so the next selection
// looks elsewhere; without it a repeated leaf is evaluated once and backed up once per selection). Then the
// new leaves of the trees are stepped through the model together (one StepCpu per chunk of `step_batch`
// rows), and evaluated together (one Evaluator call per chunk of `eval_batch` rows), then expanded and
// backed up. Trees are searched in fixed groups of max(1, eval_batch / in_flight) trees (the leaves of a group
// fill one evaluator call; with the defaults all trees of a small batch are one group): each group runs its
// own waves as one task on the Executor (TBB over groups, no barrier per wave); a single group spreads its
// trees' selection and backup, its step and evaluation chunks over the threads within each wave instead.
// Groups and chunks are fixed and every random draw is keyed by (seed, tree, plan, ...), so a seed gives the
// same result with 1 or N threads (with or without virtual loss). in_flight = 1 is sequential MCTS
// (simulation s sees the result of s - 1).
//
// Chance nodes: when the model is a ChanceModel (with a CPU path), every action leads to a chance node whose
// children are the model's K outcomes with their probabilities (checked to sum to 1 within 1e-4). Selection
// at a chance node either follows the probabilities deterministically (kExpand: the outcome most behind its
// share p_k - n_k / (N + 1)) or samples them (kSample). Q(s, a) at a chance node is the expectation
// sum_k p_k (r_k + discount * V(s_k)) over the outcomes visited so far, renormalized by their probability mass:
// exact once every outcome has been visited and the outcome values are exact.
//
// Continuous actions (widening = true, a Box action space with finite bounds): progressive widening (Coulom
// 2007; Couetoux et al. 2011, "Continuous upper confidence trees"): a decision node visited n times has at most
// k(n) = ceil(pw_c * n^pw_alpha) children (capped at pw_max_children); while it has fewer, selection adds a
// child whose action is drawn from the proposal (uniform in the box, or `local`: every other new child Gaussian
// around the action of the visited child with the best Q, sigma = pw_sigma * box width, clipped; the others
// uniform), else PUCT with
// prior 1 / children. The evaluator gives values only (num_actions() == 0). The discrete-only rules (PUCT over
// a fixed K, Gumbel, chance nodes) given a continuous model are ConfigErrors naming the space and the option.
//
// Memory: nodes live in a pool of indices (no pointers), children of a node in one contiguous block (K
// actions, the chance model's outcomes, or pw_max_children slots); node statistics are flat arrays (structure
// of arrays: visits, value sums, cached Q, priors, rewards), so PUCT over a block of children is one
// vectorized loop over contiguous values; no virtual call, std::function or lock per simulation. The pool,
// the state rows and the wave buffers are preallocated and only grow when a larger budget asks for more, so a
// warm search allocates nothing per simulation.
//
// Tree reuse: after a Plan, the next Plan keeps the subtree of the root child whose state matches the new
// observation within `reuse_tolerance` (max abs difference), trying the chosen action first, and rebuilds
// otherwise. Reset() forgets the trees.
//
// The root is expanded before the simulations (it is evaluated once, all roots in one batch); Budget::iterations
// counts simulations per tree; a deadline is checked between waves.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "augur/core/budget.h"
#include "augur/core/chance_model.h"
#include "augur/core/planner.h"
#include "augur/core/world_model.h"
#include "augur/search/evaluator.h"

namespace augur::search {

enum class ChanceMode {
  kExpand,  // outcomes in proportion to their probabilities, deterministically
  kSample,  // outcomes sampled from their probabilities (Rng keyed by seed, tree, plan, simulation, node)
};

// How the root picks the child of a simulation.
enum class RootRule {
  kPuct,    // PUCT, as every other node; the action is the most visited child
  kGumbel,  // Gumbel MuZero: Gumbel-top-m actions, sequential halving over the simulations, the action is
            // argmax g + logits + sigma(completed Q) among the last survivors (PUCT below the root)
};

// Where progressive widening draws a new child's action.
enum class WideningProposal {
  kUniform,  // uniform in the action box
  kLocal,    // every other new child: Gaussian around the best-Q child's action; the others uniform
};

struct MctsOptions {
  int64_t simulations = 25;       // simulations per Plan when the budget gives none (deadline only: until it)
  double c_puct = 1.0;            // exploration constant c (CWMB: 1.0; AlphaZero: about 1.25)
  double discount = 0.99;         // per-step discount in (0, 1]
  int64_t max_depth = 50;         // deepest node below the root (>= 1); a node at this depth is evaluated, not expanded
  bool normalize = true;          // min-max normalization of Q values (MuZero)
  bool reuse_tree = true;         // keep the matching subtree between Plans
  double reuse_tolerance = 1e-4;  // max abs difference between the observation and a child's state for reuse
  int64_t max_nodes = 1 << 20;    // pool capacity cap per tree (a deadline-only search stops when full)
  RootRule root = RootRule::kPuct;
  int64_t gumbel_actions = 16;   // m: actions considered at the root (Gumbel-top-m), >= 1
  double gumbel_c_visit = 50.0;  // sigma(q) = (c_visit + max_b N(b)) * c_scale * q_normalized
  double gumbel_c_scale = 1.0;
  ChanceMode chance = ChanceMode::kExpand;  // how chance nodes pick an outcome (ChanceModel only)
  // Parallel search.
  int64_t in_flight = 1;      // simulations selected per tree before one batched step + evaluation, >= 1
  double virtual_loss = 1.0;  // return a pending visit counts as (> 0), 0: off
  int64_t eval_batch = 256;   // rows per Evaluator call (fixed chunks: results do not depend on threads)
  int64_t step_batch = 256;   // rows per model StepCpu call
  // Continuous actions: progressive widening.
  bool widening = false;         // progressive widening over a continuous (Box) action space
  double pw_c = 1.0;             // k(n) = ceil(pw_c * n^pw_alpha)
  double pw_alpha = 0.5;         // in (0, 1]
  int64_t pw_max_children = 16;  // children slots per node, >= 1
  WideningProposal pw_proposal = WideningProposal::kUniform;
  double pw_sigma = 0.1;  // local proposal: std as a fraction of the box width, > 0
  uint64_t seed = 0;
  void Validate() const;  // ConfigError naming the field and its range
};

// What the last Plan found at a root.
struct SearchStats {
  std::vector<int64_t> visits;  // [K] root child visit counts (K: actions, or pw_max_children slots)
  std::vector<float> policy;    // [K] visits / sum(visits): the visit distribution
  std::vector<float> q;         // [K] r + discount * V(child), the outcome expectation for a chance child
                                //     (0 when unvisited)
  std::vector<float> prior;     // [K] the evaluator's prior at the root (widening: 1 / children)
  std::vector<float> actions;   // [K, A] widening only: the root children's actions (unused slots 0)
  int64_t children = 0;         // root children (K, or the widened count)
  int64_t simulations = 0;      // simulations this Plan
  int64_t root_visits = 0;      // visits of the root after the Plan (reused visits included)
  int64_t reused_visits = 0;    // visits the root had from the previous Plan's subtree (0: rebuilt)
  int64_t reused_nodes = 0;     // nodes kept from the previous tree
  double reused_value = 0.0;    // the kept root's value (value_sum / visits) when it was reused
  int64_t nodes = 0;            // nodes in the tree after the Plan
  int64_t max_depth = 0;        // deepest node reached
  double root_value = 0.0;      // value_sum / visits at the root
  int64_t waves = 0;            // batched step + evaluation rounds this Plan
  bool pool_full = false;       // the node pool ran out before the budget did
};

// B trees searched together. Not a Planner (its Plan takes B observations); Mcts is the one-tree Planner.
class MctsBatch {
 public:
  // The evaluator must have the model's state_dim and action count (0 with widening). Throws ConfigError on a
  // null model or evaluator, trees < 1, an action space the options cannot search, a model without a CPU path,
  // mismatched sizes or bad options.
  MctsBatch(std::shared_ptr<const WorldModel> model, std::shared_ptr<Evaluator> evaluator, MctsOptions options,
            int64_t trees, Executor& executor);
  ~MctsBatch();
  MctsBatch(const MctsBatch&) = delete;
  MctsBatch& operator=(const MctsBatch&) = delete;

  // obs [B, O] row-major -> out[b] for tree b (out.size() == B; vectors reused: no allocation once warm).
  // Checks obs (size, NaN) and the budget (ConfigError when it has neither simulations nor a deadline).
  void Plan(std::span<const float> obs, const Budget& budget, std::span<PlanResult> out);
  void Reset(uint64_t seed);

  int64_t trees() const { return static_cast<int64_t>(trees_.size()); }
  int64_t obs_dim() const { return s_dim_; }
  int64_t action_dim() const { return a_dim_; }
  int64_t num_actions() const { return width_; }  // K, or pw_max_children with widening
  const MctsOptions& options() const { return options_; }
  const SearchStats& stats(int64_t tree) const;
  // Nodes in tree's subtree under the root's child `child` (the child included; 0 before any Plan): what tree
  // reuse keeps when that child is taken.
  int64_t SubtreeNodes(int64_t tree, int64_t child) const;

 private:
  struct Tree;
  struct Leaf {
    int32_t tree = 0, node = 0;
    int32_t eval_row = -1;   // row in the wave's evaluation batch, -1: terminal or a repeat
    int32_t repeat_of = -1;  // the slot (in the tree's wave) that first selected this leaf, -1: first
  };

  void PlanTrees(std::span<const float> obs, const Budget& budget, std::span<PlanResult> out);
  void PrepareTree(int64_t b, std::span<const float> obs, int64_t sims);
  void SelectWave(int64_t b);
  void SearchGroup(int64_t g);  // the waves of group g's trees until their budget is spent
  // The new leaves of trees [first, last); serial: run on the calling worker with this scratch, nullptr: chunks
  // over the Executor.
  void StepLeaves(int64_t first, int64_t last, Scratch* serial);
  // Evaluates eval rows [row0, row0 + rows) in chunks of eval_batch (chunk c: key (key, c), count in
  // eval_count_[count0 + c]); serial as StepLeaves.
  void EvaluateRows(int64_t row0, int64_t rows, uint64_t key, int64_t count0, Scratch* serial);
  void AttributeEvaluations(int64_t row0, int64_t rows, int64_t count0);  // the evaluator's transitions to trees
  void FinishWave(int64_t b);
  bool StartWave(int64_t first, int64_t last);  // which of trees [first, last) search this wave; false: none

  std::shared_ptr<const WorldModel> model_;
  std::shared_ptr<Evaluator> evaluator_;
  MctsOptions options_;
  Executor& executor_;
  const ChanceModel* chance_model_ = nullptr;
  int64_t k_ = 0;      // evaluator prior width (discrete actions; 0 with widening)
  int64_t width_ = 0;  // children slots per decision node
  int64_t m_ = 0;      // outcomes per chance node
  int64_t s_dim_ = 0, a_dim_ = 1;
  std::vector<float> low_, high_;  // widening: the action box
  std::vector<double> explore_;     // c_puct * sqrt(n) for n < 1024 (PUCT's exploration factor)
  uint64_t seed_ = 0, plans_ = 0;
  // Trees are searched in fixed groups of group_trees_ = max(1, eval_batch / in_flight) trees (their leaves fill
  // one evaluator call); each group runs its own waves as one task.
  int64_t group_trees_ = 1, groups_ = 1, group_chunks_ = 1;
  int64_t sims_ = 0;  // per tree this Plan (0: until the deadline)
  std::vector<std::unique_ptr<Tree>> trees_;
  // The wave: leaves of all trees (tree b owns [b * in_flight, (b + 1) * in_flight)), the rows to step and
  // to evaluate (compacted), and their buffers.
  std::vector<Leaf> leaves_;
  std::vector<int32_t> step_leaves_;  // indices into leaves_
  std::vector<float> step_state_, step_action_, step_next_, step_reward_, step_done_;
  std::vector<int64_t> step_outcome_;
  std::vector<int32_t> eval_leaves_;  // indices into leaves_ (or trees for the root batch)
  std::vector<float> eval_state_, eval_value_, eval_prior_;
  std::vector<int64_t> eval_count_;   // transitions each evaluation chunk predicted
  // Per tree, one cache line each (the groups' tasks write their trees' lines every wave: no false sharing).
  struct alignas(64) TreeWave {
    int64_t evaluations = 0;  // model transitions this Plan
    int64_t sims = 0;         // simulations done this Plan
    int32_t slots = 0;        // leaves selected this wave
    uint8_t active = 0;       // still searching this wave
  };
  std::vector<TreeWave> tw_;
  // The current Plan's arguments (members, so that the tasks capture only `this`: no std::function allocation).
  std::span<const float> obs_;
  const Budget* budget_ = nullptr;
  std::span<PlanResult> out_;
};

// The Planner over one tree (MctsBatch with B = 1).
class Mcts : public Planner {
 public:
  // Throws ConfigError as MctsBatch.
  Mcts(std::shared_ptr<const WorldModel> model, std::shared_ptr<Evaluator> evaluator, MctsOptions options,
       Executor& executor);
  ~Mcts() override;

  std::string name() const override { return "mcts"; }
  int64_t obs_dim() const override { return batch_.obs_dim(); }
  int64_t action_dim() const override { return batch_.action_dim(); }
  int64_t horizon() const override { return batch_.options().max_depth; }
  void Reset(uint64_t seed) override { batch_.Reset(seed); }

  const MctsOptions& options() const { return batch_.options(); }
  const SearchStats& last_stats() const { return batch_.stats(0); }
  int64_t num_actions() const { return batch_.num_actions(); }
  // Nodes in the subtree under the root's child for `action` (the child included; 0 before any Plan): what
  // tree reuse keeps when that action is taken.
  int64_t SubtreeNodes(int64_t action) const { return batch_.SubtreeNodes(0, action); }

 protected:
  void DoPlan(std::span<const float> obs, const Budget& budget, PlanResult& out) override;

 private:
  MctsBatch batch_;
};

}  // namespace augur::search
