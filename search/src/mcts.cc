#include "augur/search/mcts.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/rng.h"

namespace augur::search {

void MctsOptions::Validate() const {
  if (simulations < 0) throw ConfigError(StrCat("mcts: sims = ", simulations, " must be >= 0 (0: until the deadline)"));
  if (!(c_puct >= 0.0) || !std::isfinite(c_puct)) throw ConfigError(StrCat("mcts: c = ", c_puct, " must be >= 0"));
  if (!(discount > 0.0 && discount <= 1.0)) throw ConfigError(StrCat("mcts: discount = ", discount, " must be in (0, 1]"));
  if (max_depth < 1) throw ConfigError(StrCat("mcts: depth = ", max_depth, " must be >= 1"));
  if (!(reuse_tolerance >= 0.0)) throw ConfigError(StrCat("mcts: tol = ", reuse_tolerance, " must be >= 0"));
  if (gumbel_actions < 1) throw ConfigError(StrCat("mcts: gumbel_actions = ", gumbel_actions, " must be >= 1"));
  if (!(gumbel_c_visit >= 0.0) || !(gumbel_c_scale >= 0.0)) {
    throw ConfigError(StrCat("mcts: gumbel c_visit = ", gumbel_c_visit, " and c_scale = ", gumbel_c_scale,
                             " must be >= 0"));
  }
  if (max_nodes < 2 || max_nodes > (int64_t{1} << 30)) {
    throw ConfigError(StrCat("mcts: max_nodes = ", max_nodes, " must be in [2, 2^30]"));
  }
}

Mcts::Mcts(std::shared_ptr<const WorldModel> model, std::shared_ptr<Evaluator> evaluator, MctsOptions options,
           Executor& executor)
    : model_(std::move(model)), evaluator_(std::move(evaluator)), options_(options), executor_(executor) {
  if (!model_) throw ConfigError("mcts: model is null");
  if (!evaluator_) throw ConfigError("mcts: evaluator is null");
  options_.Validate();
  const ModelSpec& spec = model_->spec();
  k_ = DiscreteActions(spec, "mcts (PUCT)");
  s_dim_ = spec.state_dim;
  if (!model_->has_cpu_path()) {
    throw ConfigError(StrCat("mcts: model '", spec.type,
                             "' has no fused CPU path (has_cpu_path() is false); the tensor path is not supported yet"));
  }
  if (spec.state_kind != StateKind::kObservation || spec.state_dim != spec.obs_dim) {
    throw ConfigError(StrCat("mcts: model '", spec.type,
                             "' does not plan in observation space; latent and token models are not supported yet"));
  }
  if (evaluator_->state_dim() != s_dim_ || evaluator_->num_actions() != k_) {
    throw ConfigError(StrCat("mcts: the evaluator takes states of ", evaluator_->state_dim(), " values and ",
                             evaluator_->num_actions(), " actions but the model has ", s_dim_, " and ", k_));
  }
  chance_model_ = dynamic_cast<const ChanceModel*>(model_.get());
  if (chance_model_) {
    m_ = chance_model_->num_outcomes();
    if (m_ < 1) throw ConfigError(StrCat("mcts: chance model '", spec.type, "' has ", m_, " outcomes; needs >= 1"));
    outcome_probs_.resize(m_);
  }
  gumbel_.resize(k_);
  plan_visits_.resize(k_);
  remaining_.reserve(k_);
  leaf_value_.resize(1);
  leaf_prior_.resize(k_);
  step_reward_.resize(1);
  step_done_.resize(1);
  stats_.visits.resize(k_);
  stats_.policy.resize(k_);
  stats_.q.resize(k_);
  stats_.prior.resize(k_);
  Reset(options_.seed);
}

Mcts::~Mcts() = default;

int64_t Mcts::obs_dim() const { return model_->spec().obs_dim; }

void Mcts::Reset(uint64_t seed) {
  seed_ = seed;
  plans_ = 0;
  has_tree_ = false;
  size_ = 0;
  last_action_ = -1;
}

void Mcts::Reserve(int64_t nodes) {
  nodes = std::min(nodes, options_.max_nodes);
  if (static_cast<int64_t>(nodes_.size()) >= nodes) return;
  nodes_.resize(nodes);
  spare_nodes_.resize(nodes);
  states_.resize(static_cast<size_t>(nodes) * s_dim_);
  spare_states_.resize(static_cast<size_t>(nodes) * s_dim_);
  queue_.resize(nodes);
}

int32_t Mcts::CopySubtree(int32_t root) {
  // Breadth-first copy into the spare pool: children blocks stay contiguous, indices are renumbered.
  const int32_t base_depth = nodes_[root].depth;
  int32_t size = 1;
  queue_[0] = root;
  spare_nodes_[0] = nodes_[root];
  spare_nodes_[0].parent = -1;
  for (int32_t i = 0; i < size; ++i) {
    const int32_t src = queue_[i];
    Node& dst = spare_nodes_[i];
    dst.depth -= base_depth;
    std::copy_n(states_.data() + static_cast<size_t>(src) * s_dim_, s_dim_,
                spare_states_.data() + static_cast<size_t>(i) * s_dim_);
    if (nodes_[src].children < 0) continue;
    const int32_t first = nodes_[src].children, count = nodes_[src].num_children;
    dst.children = size;
    for (int32_t j = 0; j < count; ++j) {
      spare_nodes_[size + j] = nodes_[first + j];
      spare_nodes_[size + j].parent = i;
      queue_[size + j] = first + j;
    }
    size += count;
  }
  std::swap(nodes_, spare_nodes_);
  std::swap(states_, spare_states_);
  return size;
}

bool Mcts::TryReuse(std::span<const float> obs) {
  const Node& root = nodes_[0];
  if (root.children < 0) return false;
  for (int32_t n = -1; n < k_; ++n) {
    const int32_t a = n < 0 ? last_action_ : n;
    if (a < 0 || (n >= 0 && a == last_action_)) continue;
    const int32_t c = root.children + a;
    const Node& child = nodes_[c];
    if (!child.chance) {
      if (!Matches(c, obs)) continue;
      size_ = CopySubtree(c);
      return true;
    }
    for (int32_t j = 0; child.children >= 0 && j < child.num_children; ++j) {
      if (!Matches(child.children + j, obs)) continue;
      size_ = CopySubtree(child.children + j);
      return true;
    }
  }
  return false;
}

bool Mcts::Matches(int32_t node, std::span<const float> obs) {
  const Node& n = nodes_[node];
  if (!n.has_state || n.terminal || n.visits == 0) return false;
  const float* s = State(node);
  for (int64_t i = 0; i < s_dim_; ++i) {
    if (!(std::abs(s[i] - obs[i]) <= options_.reuse_tolerance)) return false;
  }
  return true;
}

int64_t Mcts::SubtreeNodes(int64_t action) const {
  if (!has_tree_ || action < 0 || action >= k_ || nodes_[0].children < 0) return 0;
  // Children blocks hold K nodes each: count the blocks below the child.
  int64_t count = 0;
  std::vector<int32_t> stack{static_cast<int32_t>(nodes_[0].children + action)};
  while (!stack.empty()) {
    const int32_t n = stack.back();
    stack.pop_back();
    ++count;
    if (nodes_[n].children < 0) continue;
    for (int32_t j = 0; j < nodes_[n].num_children; ++j) stack.push_back(nodes_[n].children + j);
  }
  return count;
}

void Mcts::Expand(int32_t node, std::span<const float> priors) {
  double sum = 0.0;
  for (int64_t j = 0; j < k_; ++j) {
    if (!(priors[j] >= 0.f)) {
      throw ConfigError(StrCat("mcts: the evaluator's prior[", j, "] = ", priors[j], " is negative or NaN"));
    }
    sum += priors[j];
  }
  if (std::abs(sum - 1.0) > 1e-4) {
    throw ConfigError(StrCat("mcts: the evaluator's prior sums to ", sum, ", not 1 (within 1e-4)"));
  }
  const int32_t first = size_;
  for (int32_t j = 0; j < k_; ++j) {
    Node& c = nodes_[first + j];
    c = Node{};
    c.parent = node;
    c.action = j;
    c.depth = nodes_[node].depth + 1;
    c.prior = priors[j];
    c.chance = chance_model_ != nullptr;
  }
  nodes_[node].children = first;
  nodes_[node].num_children = static_cast<int32_t>(k_);
  size_ += static_cast<int32_t>(k_);
}

void Mcts::ExpandChance(int32_t node) {
  const Node& c = nodes_[node];
  const float action = static_cast<float>(c.action);
  chance_model_->OutcomeProbsCpu(1, State(c.parent), &action, outcome_probs_.data(), &executor_.scratch());
  CheckOutcomeProbs(outcome_probs_, 1, m_,
                    StrCat("mcts: chance model '", model_->spec().type, "' (action ", c.action, ")"));
  const int32_t first = size_;
  for (int32_t j = 0; j < m_; ++j) {
    Node& o = nodes_[first + j];
    o = Node{};
    o.parent = node;
    o.action = j;  // the outcome index
    o.depth = c.depth;
    o.prior = outcome_probs_[j];
  }
  nodes_[node].children = first;
  nodes_[node].num_children = static_cast<int32_t>(m_);
  size_ += static_cast<int32_t>(m_);
}

int32_t Mcts::SelectOutcome(int32_t node, int64_t simulation) const {
  const Node& c = nodes_[node];
  if (options_.chance == ChanceMode::kSample) {
    Rng rng(seed_, StreamId({0x6368616eULL, plans_, static_cast<uint64_t>(simulation), static_cast<uint64_t>(node)}));
    const float u = rng.Uniform();
    float cumulative = 0.f;
    int32_t last = -1;
    for (int32_t j = 0; j < c.num_children; ++j) {
      const float p = nodes_[c.children + j].prior;
      if (p <= 0.f) continue;
      last = j;
      cumulative += p;
      if (u < cumulative) return c.children + j;
    }
    return c.children + last;  // rounding: the last outcome with mass
  }
  // The outcome furthest behind its share of the visits.
  int32_t best = 0;
  double best_score = -std::numeric_limits<double>::infinity();
  const double total = static_cast<double>(c.visits) + 1.0;
  for (int32_t j = 0; j < c.num_children; ++j) {
    const Node& o = nodes_[c.children + j];
    const double score = o.prior - static_cast<double>(o.visits) / total;
    if (o.prior > 0.f && score > best_score) {
      best = j;
      best_score = score;
    }
  }
  return c.children + best;
}

double Mcts::ChildQ(const Node& child) const {
  if (child.chance && child.children >= 0) {
    double sum = 0.0, mass = 0.0;
    for (int32_t j = 0; j < child.num_children; ++j) {
      const Node& o = nodes_[child.children + j];
      if (o.visits == 0) continue;
      sum += o.prior * (o.reward + options_.discount * (o.value_sum / static_cast<double>(o.visits)));
      mass += o.prior;
    }
    if (mass > 0.0) return sum / mass;
  }
  if (child.chance) return child.value_sum / static_cast<double>(child.visits);
  return child.reward + options_.discount * (child.value_sum / static_cast<double>(child.visits));
}

double Mcts::Normalize(double q) const {
  if (options_.normalize && max_q_ > min_q_) return (q - min_q_) / (max_q_ - min_q_);
  return q;
}

int32_t Mcts::SelectChild(int32_t node) const {
  const Node& parent = nodes_[node];
  const double explore = options_.c_puct * std::sqrt(static_cast<double>(std::max<int64_t>(parent.visits, 1)));
  int32_t best = -1;
  double best_score = -std::numeric_limits<double>::infinity();
  float best_prior = -1.f;
  for (int32_t j = 0; j < k_; ++j) {
    const Node& c = nodes_[parent.children + j];
    const double q = c.visits > 0 ? Normalize(ChildQ(c)) : 0.0;
    const double score = q + explore * c.prior / (1.0 + static_cast<double>(c.visits));
    // Ties: the higher prior, then the lower index (deterministic).
    if (score > best_score || (score == best_score && c.prior > best_prior)) {
      best = parent.children + j;
      best_score = score;
      best_prior = c.prior;
    }
  }
  return best;
}

void Mcts::Backup(int32_t leaf, double value) {
  int32_t n = leaf;
  double v = value;
  while (true) {
    Node& node = nodes_[n];
    node.value_sum += v;
    node.visits += 1;
    if (node.parent < 0) break;
    const double q = ChildQ(node);
    if (min_q_ > max_q_) {
      min_q_ = max_q_ = q;
    } else {
      min_q_ = std::min(min_q_, q);
      max_q_ = std::max(max_q_, q);
    }
    if (!node.chance) v = node.reward + options_.discount * v;  // a chance edge has no reward and no step
    n = node.parent;
  }
}

void Mcts::Simulate(int64_t simulation, PlanResult& out) {
  int32_t n = 0;
  if (options_.root == RootRule::kGumbel) n = GumbelSelect();
  while (true) {
    if (nodes_[n].chance) {
      if (nodes_[n].children < 0) ExpandChance(n);
      n = SelectOutcome(n, simulation);
      continue;
    }
    if (nodes_[n].children < 0) break;
    n = SelectChild(n);
  }
  Node& leaf = nodes_[n];
  stats_.max_depth = std::max<int64_t>(stats_.max_depth, leaf.depth);
  Scratch& scratch = executor_.scratch();
  if (!leaf.has_state) {
    const Node& parent = nodes_[leaf.parent];
    const float action = static_cast<float>(parent.chance ? parent.action : leaf.action);
    CpuStep step;
    step.rows = 1;
    step.state = State(parent.chance ? parent.parent : leaf.parent);
    step.action = &action;
    step.scratch = &scratch;
    step.next_state = State(n);
    step.reward = step_reward_.data();
    step.done = step_done_.data();
    if (parent.chance) {
      const int64_t outcome = leaf.action;
      chance_model_->StepOutcomeCpu(step, &outcome);
    } else {
      model_->StepCpu(step);
    }
    leaf.reward = step_reward_[0];
    leaf.terminal = step_done_[0] > 0.5f;
    leaf.has_state = true;
    out.evaluations += 1;
  }
  double value = 0.0;
  if (!leaf.terminal) {
    out.evaluations += evaluator_->Evaluate({State(n), static_cast<size_t>(s_dim_)}, 1, seed_,
                                            StreamId({plans_, static_cast<uint64_t>(simulation)}), leaf_value_,
                                            leaf_prior_, scratch);
    value = leaf_value_[0];
    if (leaf.depth < options_.max_depth && size_ + k_ <= static_cast<int64_t>(nodes_.size())) {
      Expand(n, leaf_prior_);
    }
  }
  Backup(n, value);
}

void Mcts::DoPlan(std::span<const float> obs, const Budget& budget, PlanResult& out) {
  const int64_t sims = budget.iterations > 0 ? budget.iterations : options_.simulations;
  stats_.simulations = stats_.reused_visits = stats_.reused_nodes = stats_.max_depth = 0;
  stats_.reused_value = 0.0;
  stats_.pool_full = false;
  executor_.Run([&] {
    bool reused = false;
    if (options_.reuse_tree && has_tree_) reused = TryReuse(obs);
    if (reused) {
      stats_.reused_visits = nodes_[0].visits;
      stats_.reused_nodes = size_;
      stats_.reused_value = nodes_[0].value_sum / static_cast<double>(nodes_[0].visits);
    }
    // A simulation adds at most one block of K children; a deadline-only search starts with room for 4096
    // expansions and doubles the pool when it fills (up to max_nodes), so it too stops allocating once warm.
    const int64_t want = size_ + ((sims > 0 ? sims : 4096) + 1) * (k_ + m_) + 1;
    Reserve(std::max<int64_t>(want, k_ + 1));
    if (!reused) {
      size_ = 1;
      nodes_[0] = Node{};
      nodes_[0].has_state = true;
      std::copy(obs.begin(), obs.end(), State(0));
      min_q_ = 1.0;
      max_q_ = -1.0;  // empty
    }
    has_tree_ = true;
    if (nodes_[0].children < 0) {
      out.evaluations += evaluator_->Evaluate({State(0), static_cast<size_t>(s_dim_)}, 1, seed_,
                                              StreamId({plans_, ~uint64_t{0}}), leaf_value_, leaf_prior_,
                                              executor_.scratch());
      Expand(0, leaf_prior_);
    }
    if (options_.root == RootRule::kGumbel) {
      GumbelStart(sims > 0 ? sims : (options_.simulations > 0 ? options_.simulations : 4096));
    }
    const int64_t first_child = nodes_[0].children;
    for (int64_t j = 0; j < k_; ++j) stats_.prior[j] = nodes_[first_child + j].prior;
    int64_t s = 0;
    for (;; ++s) {
      if (sims > 0 && s >= sims) break;
      if (budget.Expired()) {
        out.cut_short = sims > 0;
        break;
      }
      if (size_ + k_ + m_ > static_cast<int64_t>(nodes_.size()) &&
          static_cast<int64_t>(nodes_.size()) < options_.max_nodes) {
        Reserve(2 * static_cast<int64_t>(nodes_.size()));
      }
      if (size_ + k_ + m_ > static_cast<int64_t>(nodes_.size())) {
        stats_.pool_full = true;
        out.cut_short = true;
        break;
      }
      Simulate(s, out);
    }
    stats_.simulations = s;
    out.iterations = s;
  });
  ++plans_;
  Fill(out);
}

void Mcts::Fill(PlanResult& out) {
  const Node& root = nodes_[0];
  const int32_t first = root.children;
  int64_t total = 0;
  int32_t best = 0;
  for (int32_t j = 0; j < k_; ++j) {
    const Node& c = nodes_[first + j];
    stats_.visits[j] = c.visits;
    stats_.q[j] = c.visits > 0 ? static_cast<float>(ChildQ(c)) : 0.f;
    total += c.visits;
    const Node& b = nodes_[first + best];
    if (c.visits > b.visits || (c.visits == b.visits && c.visits > 0 && ChildQ(c) > ChildQ(b))) best = j;
  }
  if (options_.root == RootRule::kGumbel) {
    best = remaining_[0];
    for (int32_t a : remaining_) {
      if (GumbelScore(a) > GumbelScore(best)) best = a;
    }
  }
  for (int32_t j = 0; j < k_; ++j) {
    stats_.policy[j] = total > 0 ? static_cast<float>(stats_.visits[j]) / static_cast<float>(total) : 1.f / k_;
  }
  stats_.root_visits = root.visits;
  stats_.nodes = size_;
  stats_.root_value = root.visits > 0 ? root.value_sum / static_cast<double>(root.visits) : leaf_value_[0];
  last_action_ = best;
  out.action.assign(1, static_cast<float>(best));
  out.predicted_return = stats_.root_value;
  // Principal variation: the most visited child, while it has visits.
  out.plan.clear();
  out.predicted_states.assign(State(0), State(0) + s_dim_);
  int32_t n = 0;
  while (nodes_[n].children >= 0) {
    const int32_t c0 = nodes_[n].children;
    int32_t pick = -1;
    for (int32_t j = 0; j < k_; ++j) {
      const Node& c = nodes_[c0 + j];
      if (c.visits > 0 && (pick < 0 || c.visits > nodes_[c0 + pick].visits)) pick = j;
    }
    if (n == 0) pick = best;
    if (pick < 0 || nodes_[c0 + pick].visits == 0) break;
    n = c0 + pick;
    out.plan.push_back(static_cast<float>(pick));
    if (nodes_[n].chance) {  // follow the most visited outcome
      if (nodes_[n].children < 0) {
        out.predicted_states.clear();  // the outcome is unknown: no state to predict
        break;
      }
      int32_t o = nodes_[n].children;
      for (int32_t j = 1; j < nodes_[n].num_children; ++j) {
        if (nodes_[nodes_[n].children + j].visits > nodes_[o].visits) o = nodes_[n].children + j;
      }
      if (nodes_[o].visits == 0 || !nodes_[o].has_state) {
        out.predicted_states.clear();
        break;
      }
      n = o;
    }
    out.predicted_states.insert(out.predicted_states.end(), State(n), State(n) + s_dim_);
  }
  if (out.plan.empty()) out.plan.push_back(static_cast<float>(best));
}

}  // namespace augur::search

namespace augur::search {

void Mcts::GumbelStart(int64_t simulations) {
  Rng rng(seed_, StreamId({0x67756d62ULL, plans_}));
  for (int64_t a = 0; a < k_; ++a) {
    const double u = std::max(static_cast<double>(rng.Uniform()), 1e-12);
    gumbel_[a] = static_cast<float>(-std::log(-std::log(u)));
    plan_visits_[a] = 0;
  }
  const int32_t first = nodes_[0].children;
  remaining_.clear();
  for (int32_t a = 0; a < k_; ++a) remaining_.push_back(a);
  auto noisy_logit = [&](int32_t a) {
    return gumbel_[a] + std::log(std::max(static_cast<double>(nodes_[first + a].prior), 1e-30));
  };
  std::stable_sort(remaining_.begin(), remaining_.end(),
                   [&](int32_t a, int32_t b) { return noisy_logit(a) > noisy_logit(b); });
  const int64_t m = std::min<int64_t>(options_.gumbel_actions, k_);
  remaining_.resize(m);
  gumbel_sims_ = simulations;
  gumbel_phases_ = m > 1 ? static_cast<int64_t>(std::ceil(std::log2(static_cast<double>(m)))) : 1;
  phase_target_ = std::max<int64_t>(1, simulations / (gumbel_phases_ * m));
}

double Mcts::GumbelScore(int32_t action) const {
  const int32_t first = nodes_[0].children;
  int64_t max_visits = 0;
  for (int32_t j = 0; j < k_; ++j) max_visits = std::max(max_visits, nodes_[first + j].visits);
  const Node& c = nodes_[first + action];
  // Completed Q: an unvisited action takes the root's value estimate.
  const double root_value = nodes_[0].visits > 0 ? nodes_[0].value_sum / static_cast<double>(nodes_[0].visits)
                                                 : static_cast<double>(leaf_value_[0]);
  const double q = Normalize(c.visits > 0 ? ChildQ(c) : root_value);
  const double sigma = (options_.gumbel_c_visit + static_cast<double>(max_visits)) * options_.gumbel_c_scale * q;
  return gumbel_[action] + std::log(std::max(static_cast<double>(c.prior), 1e-30)) + sigma;
}

int32_t Mcts::GumbelSelect() {
  bool phase_done = true;
  for (int32_t a : remaining_) phase_done &= plan_visits_[a] >= phase_target_;
  if (phase_done && remaining_.size() > 1) {
    // Sequential halving: keep the better half by g + logits + sigma(q), then give the next phase its share.
    std::stable_sort(remaining_.begin(), remaining_.end(),
                     [&](int32_t a, int32_t b) { return GumbelScore(a) > GumbelScore(b); });
    remaining_.resize((remaining_.size() + 1) / 2);
    phase_target_ += std::max<int64_t>(
        1, gumbel_sims_ / (gumbel_phases_ * static_cast<int64_t>(remaining_.size())));
  }
  int32_t pick = remaining_[0];
  for (int32_t a : remaining_) {
    if (plan_visits_[a] < plan_visits_[pick]) pick = a;
  }
  ++plan_visits_[pick];
  return nodes_[0].children + pick;
}

}  // namespace augur::search
