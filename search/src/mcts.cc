#include "augur/search/mcts.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#if defined(__AVX__)
#include <immintrin.h>
#endif

#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/rng.h"

namespace augur::search {
namespace {

// 4-wide vectors (GCC vector extensions: AVX2 / AVX-512VL code with -march=native, split elsewhere).
using V4d = double __attribute__((vector_size(32)));
using V4i = int32_t __attribute__((vector_size(16)));
using V4f = float __attribute__((vector_size(16)));

// Copies one state row (a few floats) inline: std::copy_n of a runtime length is a memmove call, several per
// simulation. Whole 4-float vectors, then the tail.
inline void CopyRow(const float* src, int64_t n, float* dst) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    V4f x;
    std::memcpy(&x, src + i, sizeof(x));
    std::memcpy(dst + i, &x, sizeof(x));
  }
  for (; i < n; ++i) dst[i] = src[i];
}

#if defined(__AVX__)
// A mask of the lanes j < n with the lexicographic maximum of (score[j], prior[j]); its lowest lane is what the
// scalar scan "better = score > best || (score == best && prior > best_prior)" from lane 0 finds when no score
// is NaN; 0 when one is (the scalar rule decides then).
inline int TopScoreLanes(V4d score, V4d prior, int32_t n) {
  const __m256d s = reinterpret_cast<__m256d&>(score), pr = reinterpret_cast<__m256d&>(prior);
  if (_mm256_movemask_pd(_mm256_cmp_pd(s, s, _CMP_UNORD_Q)) & ((1 << n) - 1)) return 0;
  static constexpr double kLanes[4] = {0.0, 1.0, 2.0, 3.0};
  const __m256d valid = _mm256_cmp_pd(_mm256_loadu_pd(kLanes), _mm256_set1_pd(static_cast<double>(n)), _CMP_LT_OQ);
  const __m256d ninf = _mm256_set1_pd(-std::numeric_limits<double>::infinity());
  const __m256d sv = _mm256_blendv_pd(ninf, s, valid);
  __m256d m = _mm256_max_pd(sv, _mm256_permute2f128_pd(sv, sv, 1));
  m = _mm256_max_pd(m, _mm256_permute_pd(m, 0b0101));
  const __m256d top = _mm256_and_pd(_mm256_cmp_pd(sv, m, _CMP_EQ_OQ), valid);
  const int top_lanes = _mm256_movemask_pd(top);
  if ((top_lanes & (top_lanes - 1)) == 0) return top_lanes;  // one best score: no tie for the priors to break
  const __m256d pv = _mm256_blendv_pd(ninf, pr, top);
  __m256d pm = _mm256_max_pd(pv, _mm256_permute2f128_pd(pv, pv, 1));
  pm = _mm256_max_pd(pm, _mm256_permute_pd(pm, 0b0101));
  return _mm256_movemask_pd(_mm256_and_pd(top, _mm256_cmp_pd(pv, pm, _CMP_EQ_OQ)));
}
#endif

// StreamId({parts..., part}) from StreamId({parts...}) (StreamId folds its parts in one at a time): the wave's
// key without rehashing the Plan's part every wave.
constexpr uint64_t StreamIdAppend(uint64_t id, uint64_t part) { return Mix64(id ^ Mix64(part)); }
static_assert(StreamIdAppend(StreamId({3, 5}), 7) == StreamId({3, 5, 7}));
static_assert(StreamIdAppend(StreamIdAppend(StreamId({3}), 5), 7) == StreamId({3, 5, 7}));

// Stable descending sort by score, in place (std::stable_sort may allocate a buffer; the root has few actions).
template <typename Score>
void SortDescending(std::vector<int32_t>& v, const Score& score) {
  for (size_t i = 1; i < v.size(); ++i) {
    const int32_t x = v[i];
    const double sx = score(x);
    size_t j = i;
    for (; j > 0 && score(v[j - 1]) < sx; --j) v[j] = v[j - 1];
    v[j] = x;
  }
}

// True when every probability is >= 0 and they sum to 1 within 1e-4 (CheckOutcomeProbs's rule, without building
// its message on every call).
bool ProbsSumToOne(std::span<const float> p) {
  double sum = 0.0;
  for (float x : p) {
    if (!(x >= 0.f)) return false;
    sum += x;
  }
  return std::abs(sum - 1.0) <= 1e-4;
}

// Runs body(begin, end, chunk) over the fixed chunks of [0, n): directly on the calling worker when there is one
// chunk or one thread (no task overhead per wave), else over the Executor. The chunks are the same either way.
template <typename Body>
void ForChunks(Executor& executor, int64_t n, int64_t grain, const Body& body) {
  const int64_t chunks = Executor::NumChunks(n, grain);
  if (chunks <= 1 || executor.threads() == 1) {
    for (int64_t c = 0; c < chunks; ++c) body(c * grain, std::min(n, (c + 1) * grain), c);
    return;
  }
  executor.ParallelFor(n, grain, body);
}

}  // namespace

void MctsOptions::Validate() const {
  if (simulations < 0) throw ConfigError(StrCat("mcts: sims = ", simulations, " must be >= 0 (0: until the deadline)"));
  if (!(c_puct >= 0.0) || !std::isfinite(c_puct)) throw ConfigError(StrCat("mcts: c = ", c_puct, " must be >= 0"));
  if (!(discount > 0.0 && discount <= 1.0))
    throw ConfigError(StrCat("mcts: discount = ", discount, " must be in (0, 1]"));
  if (max_depth < 1) throw ConfigError(StrCat("mcts: depth = ", max_depth, " must be >= 1"));
  if (!(reuse_tolerance >= 0.0)) throw ConfigError(StrCat("mcts: tol = ", reuse_tolerance, " must be >= 0"));
  if (gumbel_actions < 1) throw ConfigError(StrCat("mcts: gumbel_actions = ", gumbel_actions, " must be >= 1"));
  if (!(gumbel_c_visit >= 0.0) || !(gumbel_c_scale >= 0.0)) {
    throw ConfigError(
        StrCat("mcts: gumbel c_visit = ", gumbel_c_visit, " and c_scale = ", gumbel_c_scale, " must be >= 0"));
  }
  if (max_nodes < 2 || max_nodes > (int64_t{1} << 30)) {
    throw ConfigError(StrCat("mcts: max_nodes = ", max_nodes, " must be in [2, 2^30]"));
  }
  if (in_flight < 1 || in_flight > 4096)
    throw ConfigError(StrCat("mcts: in_flight = ", in_flight, " must be in [1, 4096]"));
  if (!(virtual_loss >= 0.0) || !std::isfinite(virtual_loss)) {
    throw ConfigError(StrCat("mcts: virtual_loss = ", virtual_loss, " must be >= 0 (0: off)"));
  }
  if (eval_batch < 1) throw ConfigError(StrCat("mcts: eval_batch = ", eval_batch, " must be >= 1"));
  if (step_batch < 1) throw ConfigError(StrCat("mcts: step_batch = ", step_batch, " must be >= 1"));
  if (!(pw_c > 0.0) || !std::isfinite(pw_c)) throw ConfigError(StrCat("mcts: pw_c = ", pw_c, " must be > 0"));
  if (!(pw_alpha > 0.0 && pw_alpha <= 1.0))
    throw ConfigError(StrCat("mcts: pw_alpha = ", pw_alpha, " must be in (0, 1]"));
  if (pw_max_children < 1 || pw_max_children > 4096) {
    throw ConfigError(StrCat("mcts: pw_max_children = ", pw_max_children, " must be in [1, 4096]"));
  }
  if (!(pw_sigma > 0.0) || !std::isfinite(pw_sigma))
    throw ConfigError(StrCat("mcts: pw_sigma = ", pw_sigma, " must be > 0"));
}

// ---------------------------------------------------------------------------------------------------------
// One tree: its node pool, statistics and the per-node rules. The MctsBatch owns the wave and the batched
// model and evaluator calls.

struct MctsBatch::Tree {
  static constexpr int32_t kStatPad = 4;  // PUCT computes scores in vectors of 4 children
  // A node's structure (cold: read once per level of a descent). Its statistics live in the Tree's flat arrays
  // below (structure of arrays, indexed by node), so the children of a node, one contiguous block, have their
  // visits, Q values and priors contiguous too: PUCT over them is one vectorizable loop.
  struct Node {
    int32_t parent = -1;
    int32_t children = -1;     // first of the node's block of children, -1 while unexpanded
    int32_t num_children = 0;  // children in use (K actions, the outcomes, or the widened count)
    int32_t action = -1;       // index of this node in its parent's block (the action, outcome or widened child)
    int32_t depth = 0;
    int32_t pending = -1;  // the wave slot that selected this leaf first, -1 when none is pending
    bool has_state = false;  // the transition into this node has been predicted
    bool terminal = false;   // that transition ended the episode
    bool chance = false;     // a chance node: (parent state, action) before the outcome; no state of its own
  };

  Tree(const MctsBatch& batch, int32_t index) : o(batch), id(index) {
    gumbel.resize(o.width_);
    plan_visits.resize(o.width_);
    remaining.reserve(o.width_);
    outcome_probs.resize(std::max<int64_t>(o.m_, 1));
    scores.resize(o.width_ + kStatPad);
    stats.visits.resize(o.width_);
    stats.policy.resize(o.width_);
    stats.q.resize(o.width_);
    stats.prior.resize(o.width_);
    if (o.options_.widening) stats.actions.resize(o.width_ * o.a_dim_);
  }

  const MctsBatch& o;
  const int32_t id;
  std::vector<Node> nodes, spare_nodes;       // the pool and the buffer tree reuse copies into
  // Per-node statistics (and their spare copies for tree reuse):
  std::vector<int32_t> visits, spare_visits;     // visits (pending virtual visits included)
  std::vector<double> value_sum, spare_value;    // sum of backed-up returns from the node on
  std::vector<double> qv, spare_q;               // ChildQ(node) when visits > 0 (kept current by every update)
  std::vector<float> prior, spare_prior;         // the evaluator's prior, an outcome's probability
  std::vector<float> reward, spare_reward;       // reward of the transition into the node
  std::vector<double> scores;                    // [width] PUCT scores of one node's children
  std::vector<float> states, spare_states;    // [capacity, S]
  std::vector<float> actions, spare_actions;  // [capacity, A] widening only: the action into each node
  std::vector<int32_t> queue;                 // reuse copy queue
  int32_t size = 0;
  bool has_tree = false;
  int32_t last_child = -1;
  double min_q = 1.0, max_q = -1.0;  // min-max statistics over backed-up Q values (empty: min > max)
  double root_estimate = 0.0;        // the evaluator's value of the root when it was expanded
  std::vector<float> outcome_probs;
  // Gumbel root: per-action noise, this Plan's root visits, surviving actions, halving schedule.
  std::vector<float> gumbel;
  std::vector<int64_t> plan_visits;
  std::vector<int32_t> remaining;
  int64_t gumbel_sims = 0, gumbel_phases = 1, phase_target = 0;
  SearchStats stats;

  int64_t capacity() const { return static_cast<int64_t>(nodes.size()); }
  int64_t Block(const Node& n) const { return n.chance ? o.m_ : o.width_; }
  float* State(int32_t node) { return states.data() + static_cast<size_t>(node) * o.s_dim_; }
  float* Action(int32_t node) { return actions.data() + static_cast<size_t>(node) * o.a_dim_; }

  void Reserve(int64_t count) {
    count = std::min(count, o.options_.max_nodes);
    if (capacity() >= count) return;
    nodes.resize(count);
    spare_nodes.resize(count);
    states.resize(static_cast<size_t>(count) * o.s_dim_);
    spare_states.resize(static_cast<size_t>(count) * o.s_dim_);
    if (o.options_.widening) {
      actions.resize(static_cast<size_t>(count) * o.a_dim_);
      spare_actions.resize(static_cast<size_t>(count) * o.a_dim_);
    }
    queue.resize(count);
    // The statistics have kStatPad entries past the pool, so selection reads whole blocks of children.
    for (auto* v : {&visits, &spare_visits}) v->resize(count + kStatPad);
    for (auto* v : {&value_sum, &spare_value, &qv, &spare_q}) v->resize(count + kStatPad);
    for (auto* v : {&prior, &spare_prior, &reward, &spare_reward}) v->resize(count + kStatPad);
  }

  // A fresh node's statistics.
  void ClearStats(int32_t n, float p) {
    visits[n] = 0;
    value_sum[n] = 0.0;
    qv[n] = 0.0;
    prior[n] = p;
    reward[n] = 0.f;
  }

  int32_t CopySubtree(int32_t root) {
    // Breadth-first copy into the spare pool: children blocks stay contiguous (a widening block keeps its
    // free slots), indices are renumbered.
    const int32_t base_depth = nodes[root].depth;
    const int64_t s = o.s_dim_, a = o.a_dim_;
    const bool widening = o.options_.widening;
    int32_t count = 1;
    queue[0] = root;
    spare_nodes[0] = nodes[root];
    spare_nodes[0].parent = -1;
    for (int32_t i = 0; i < count; ++i) {
      const int32_t src = queue[i];
      Node& dst = spare_nodes[i];
      dst.depth -= base_depth;
      spare_visits[i] = visits[src];
      spare_value[i] = value_sum[src];
      spare_q[i] = qv[src];
      spare_prior[i] = prior[src];
      spare_reward[i] = reward[src];
      std::copy_n(states.data() + static_cast<size_t>(src) * s, s, spare_states.data() + static_cast<size_t>(i) * s);
      if (widening) {
        std::copy_n(actions.data() + static_cast<size_t>(src) * a, a,
                    spare_actions.data() + static_cast<size_t>(i) * a);
      }
      if (nodes[src].children < 0) continue;
      const int32_t first = nodes[src].children, used = nodes[src].num_children;
      dst.children = count;
      for (int32_t j = 0; j < used; ++j) {
        spare_nodes[count + j] = nodes[first + j];
        spare_nodes[count + j].parent = i;
        queue[count + j] = first + j;
      }
      count += static_cast<int32_t>(Block(nodes[src]));
    }
    std::swap(nodes, spare_nodes);
    std::swap(visits, spare_visits);
    std::swap(value_sum, spare_value);
    std::swap(qv, spare_q);
    std::swap(prior, spare_prior);
    std::swap(reward, spare_reward);
    std::swap(states, spare_states);
    std::swap(actions, spare_actions);
    return count;
  }

  bool Matches(int32_t node, std::span<const float> obs) {
    const Node& n = nodes[node];
    if (!n.has_state || n.terminal || visits[node] == 0) return false;
    const float* s = State(node);
    for (int64_t i = 0; i < o.s_dim_; ++i) {
      if (!(std::abs(s[i] - obs[i]) <= o.options_.reuse_tolerance)) return false;
    }
    return true;
  }

  bool TryReuse(std::span<const float> obs) {
    const Node& root = nodes[0];
    if (root.children < 0) return false;
    for (int32_t n = -1; n < root.num_children; ++n) {
      const int32_t a = n < 0 ? last_child : n;
      if (a < 0 || a >= root.num_children || (n >= 0 && a == last_child)) continue;
      const int32_t c = root.children + a;
      const Node& child = nodes[c];
      if (!child.chance) {
        if (!Matches(c, obs)) continue;
        size = CopySubtree(c);
        return true;
      }
      for (int32_t j = 0; child.children >= 0 && j < child.num_children; ++j) {
        if (!Matches(child.children + j, obs)) continue;
        size = CopySubtree(child.children + j);
        return true;
      }
    }
    return false;
  }

  int64_t SubtreeNodes(int64_t child) const {
    if (!has_tree || nodes[0].children < 0 || child < 0 || child >= nodes[0].num_children) return 0;
    int64_t count = 0;
    std::vector<int32_t> stack{static_cast<int32_t>(nodes[0].children + child)};
    while (!stack.empty()) {
      const int32_t n = stack.back();
      stack.pop_back();
      ++count;
      if (nodes[n].children < 0) continue;
      for (int32_t j = 0; j < nodes[n].num_children; ++j) stack.push_back(nodes[n].children + j);
    }
    return count;
  }

  // A decision node's block: K children with the evaluator's priors, or (widening) width free slots.
  void Expand(int32_t node, const float* priors) {
    const int32_t first = size;
    nodes[node].children = first;
    size += static_cast<int32_t>(o.width_);
    if (o.options_.widening) {
      nodes[node].num_children = 0;
      return;
    }
    double sum = 0.0;
    for (int64_t j = 0; j < o.k_; ++j) {
      if (!(priors[j] >= 0.f)) {
        throw ConfigError(StrCat("mcts: the evaluator's prior[", j, "] = ", priors[j], " is negative or NaN"));
      }
      sum += priors[j];
    }
    if (std::abs(sum - 1.0) > 1e-4) {
      throw ConfigError(StrCat("mcts: the evaluator's prior sums to ", sum, ", not 1 (within 1e-4)"));
    }
    Node child;
    child.parent = node;
    child.depth = nodes[node].depth + 1;
    child.chance = o.chance_model_ != nullptr;
    for (int32_t j = 0; j < o.k_; ++j) {
      child.action = j;
      nodes[first + j] = child;
    }
    // One array at a time, in whole vectors of kStatPad entries (no memset call per array): the entries past
    // the block are free pool slots (or the padding), which every later allocation initializes.
    for (int64_t j = 0; j < o.k_; j += kStatPad) {
      std::memset(visits.data() + first + j, 0, kStatPad * sizeof(int32_t));
      std::memset(value_sum.data() + first + j, 0, kStatPad * sizeof(double));
      std::memset(qv.data() + first + j, 0, kStatPad * sizeof(double));
      std::memset(reward.data() + first + j, 0, kStatPad * sizeof(float));
    }
    CopyRow(priors, o.k_, prior.data() + first);
    nodes[node].num_children = static_cast<int32_t>(o.k_);
  }

  void ExpandChance(int32_t node) {
    const Node& c = nodes[node];
    const float action = static_cast<float>(c.action);
    o.chance_model_->OutcomeProbsCpu(1, State(c.parent), &action, outcome_probs.data(), &o.executor_.scratch());
    if (!ProbsSumToOne(outcome_probs)) {
      CheckOutcomeProbs(outcome_probs, 1, o.m_,
                        StrCat("mcts: chance model '", o.model_->spec().type, "' (action ", c.action, ")"));
    }
    const int32_t first = size;
    for (int32_t j = 0; j < o.m_; ++j) {
      Node& out = nodes[first + j];
      out = Node{};
      out.parent = node;
      out.action = j;  // the outcome index
      out.depth = c.depth;
      ClearStats(first + j, outcome_probs[j]);
    }
    nodes[node].children = first;
    nodes[node].num_children = static_cast<int32_t>(o.m_);
    size += static_cast<int32_t>(o.m_);
  }

  int32_t SelectOutcome(int32_t node, int64_t simulation) const {
    const Node& c = nodes[node];
    if (o.options_.chance == ChanceMode::kSample) {
      Rng rng(o.seed_, StreamId({0x6368616eULL, static_cast<uint64_t>(id), o.plans_, static_cast<uint64_t>(simulation),
                                 static_cast<uint64_t>(node)}));
      const float u = rng.Uniform();
      float cumulative = 0.f;
      int32_t last = -1;
      for (int32_t j = 0; j < c.num_children; ++j) {
        const float p = prior[c.children + j];
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
    const double total = static_cast<double>(visits[node]) + 1.0;
    for (int32_t j = 0; j < c.num_children; ++j) {
      const int32_t out = c.children + j;
      const double score = prior[out] - static_cast<double>(visits[out]) / total;
      if (prior[out] > 0.f && score > best_score) {
        best = j;
        best_score = score;
      }
    }
    return c.children + best;
  }

  // r + discount * V(n), or a chance node's expectation over its visited outcomes; n must have visits. The
  // tree keeps it current in qv[n] (Backup, VirtualLoss): selection reads qv.
  double ComputeQ(int32_t n) const {
    const double discount = o.options_.discount;
    const Node& child = nodes[n];
    if (child.chance && child.children >= 0) {
      double sum = 0.0, mass = 0.0;
      for (int32_t j = 0; j < child.num_children; ++j) {
        const int32_t out = child.children + j;
        if (visits[out] == 0) continue;
        sum += prior[out] * (reward[out] + discount * (value_sum[out] / static_cast<double>(visits[out])));
        mass += prior[out];
      }
      if (mass > 0.0) return sum / mass;
    }
    if (child.chance) return value_sum[n] / static_cast<double>(visits[n]);
    return reward[n] + discount * (value_sum[n] / static_cast<double>(visits[n]));
  }
  void RefreshQ(int32_t n) { qv[n] = visits[n] > 0 ? ComputeQ(n) : 0.0; }
  double ChildQ(int32_t n) const { return qv[n]; }

  double Normalize(double q) const {
    if (o.options_.normalize && max_q > min_q) return (q - min_q) / (max_q - min_q);
    return q;
  }

  // Progressive widening: a new child with an action from the proposal.
  int32_t AddWidenedChild(int32_t node) {
    Node& parent = nodes[node];
    const int32_t index = parent.num_children;
    const int32_t c = parent.children + index;
    nodes[c] = Node{};
    nodes[c].parent = node;
    nodes[c].action = index;
    nodes[c].depth = parent.depth + 1;
    ClearStats(c, 0.f);
    Rng rng(o.seed_, StreamId({0x70776964ULL, static_cast<uint64_t>(id), o.plans_, static_cast<uint64_t>(node),
                               static_cast<uint64_t>(index)}));
    float* a = Action(c);
    // Local proposal: every other new child refines around the visited child with the best Q, the others stay
    // uniform (so the search keeps exploring the whole box).
    int32_t around = -1;
    if (o.options_.pw_proposal == WideningProposal::kLocal && index % 2 == 1) {
      double best_q = -std::numeric_limits<double>::infinity();
      for (int32_t j = 0; j < index; ++j) {
        const int32_t c = parent.children + j;
        if (visits[c] > 0 && ChildQ(c) > best_q) {
          best_q = ChildQ(c);
          around = j;
        }
      }
    }
    for (int64_t i = 0; i < o.a_dim_; ++i) {
      const float lo = o.low_[i], hi = o.high_[i];
      if (around < 0) {
        a[i] = rng.Uniform(lo, hi);
      } else {
        const float mean = Action(parent.children + around)[i];
        a[i] = std::clamp(rng.Normal(mean, static_cast<float>(o.options_.pw_sigma) * (hi - lo)), lo, hi);
      }
    }
    parent.num_children = index + 1;
    return c;
  }

  int32_t SelectChild(int32_t node) {
    const Node& parent = nodes[node];
    const int32_t parent_n = std::max<int32_t>(visits[node], 1);
    const double parent_visits = static_cast<double>(parent_n);
    const bool widening = o.options_.widening;
    if (widening) {
      const int64_t allowed = std::min<int64_t>(
          o.width_, static_cast<int64_t>(std::ceil(o.options_.pw_c * std::pow(parent_visits, o.options_.pw_alpha))));
      if (parent.num_children < allowed) return AddWidenedChild(node);
    }
    // PUCT over the children's contiguous statistics: one branch-free loop (vectorized), then the argmax.
    // c * sqrt(N) from a table for small N: a square root's latency is off the path from one level to the next.
    const double explore = parent_n < static_cast<int32_t>(o.explore_.size())
                               ? o.explore_[parent_n]
                               : o.options_.c_puct * std::sqrt(parent_visits);
    const int32_t first = parent.children, n = parent.num_children;
    const bool norm = o.options_.normalize && max_q > min_q;
    const double lo = norm ? min_q : 0.0, range = norm ? max_q - min_q : 1.0;
    const float uniform = 1.f / static_cast<float>(std::max(n, 1));
    const int32_t* v = visits.data() + first;
    const double* q = qv.data() + first;
    const float* p = prior.data() + first;
    double* score = scores.data();
    // Every term is computed for every child (no conditional division), then selected, in vectors of kStatPad
    // children (the arrays are padded past the pool): one iteration for up to 4 actions. Same arithmetic as
    // score = (N > 0 ? (Q - min) / (max - min) : 0) + c * sqrt(N_parent) * P / (1 + N) child by child.
    const V4d lo_v = V4d{} + lo, range_v = V4d{} + range, explore_v = V4d{} + explore;
    const V4d uniform_v = V4d{} + static_cast<double>(uniform), one = V4d{} + 1.0;
#if defined(__AVX__)
    // Up to 4 discrete children (one vector, the common case): the scores and their argmax in registers. Ties:
    // the higher prior, then the lower index, as the scalar rule below.
    if (!widening && n >= 1 && n <= kStatPad) {
      V4i vi;
      V4d qb;
      V4f pf;
      std::memcpy(&vi, v, sizeof(vi));
      std::memcpy(&qb, q, sizeof(qb));
      std::memcpy(&pf, p, sizeof(pf));
      const V4d nv = __builtin_convertvector(vi, V4d);
      const V4d pj = __builtin_convertvector(pf, V4d);
      const V4d qn = (qb - lo_v) / range_v;
      const V4d sc = (nv > V4d{} ? qn : V4d{}) + explore_v * pj / (one + nv);
      const int win = TopScoreLanes(sc, pj, n);
      // Branches on the winner, not an index computed from it: the next level's loads then depend on a
      // predicted branch, so the descent runs ahead of the divisions (a data-dependent index makes every
      // level wait for them: measured ~1.5x slower per simulation).
      if (win & 1) {
        asm volatile("");
        return first;
      }
      if (win & 2) {
        asm volatile("");
        return first + 1;
      }
      if (win & 4) {
        asm volatile("");
        return first + 2;
      }
      if (win & 8) return first + 3;
      // 0: a NaN score, decided by the scalar rule
    }
#endif
    for (int32_t j0 = 0; j0 < n; j0 += kStatPad) {
      V4i vi;
      V4d qb;
      V4f pf;
      std::memcpy(&vi, v + j0, sizeof(vi));
      std::memcpy(&qb, q + j0, sizeof(qb));
      std::memcpy(&pf, p + j0, sizeof(pf));
      const V4d nv = __builtin_convertvector(vi, V4d);
      const V4d pj = widening ? uniform_v : __builtin_convertvector(pf, V4d);
      const V4d qn = (qb - lo_v) / range_v;
      const V4d sc = (nv > V4d{} ? qn : V4d{}) + explore_v * pj / (one + nv);
      std::memcpy(score + j0, &sc, sizeof(sc));
    }
    // Ties: the higher prior, then the lower index (deterministic). Branch-free (selects, no mispredicted jumps).
    int32_t best = 0;
    double best_score = score[0];
    float best_prior = widening ? 0.f : p[0];
    for (int32_t j = 1; j < n; ++j) {
      const float pj = widening ? 0.f : p[j];
      const bool better = (score[j] > best_score) | ((score[j] == best_score) & (pj > best_prior));
      best = better ? j : best;
      best_score = better ? score[j] : best_score;
      best_prior = better ? pj : best_prior;
    }
    return first + best;
  }

  // A pending visit: every node on the path counts one more visit with return -virtual_loss.
  // Taking a pending visit back (sign -1) leaves qv stale on the path: the Backup of that same path, which
  // follows before any selection, recomputes it (backups read visits and value sums, never qv).
  void VirtualLoss(int32_t leaf, int sign) {
    const double loss = o.options_.virtual_loss;
    const Node* nd = nodes.data();
    int32_t* vis = visits.data();
    double* vs = value_sum.data();
    if (sign < 0) {
      for (int32_t n = leaf; n >= 0; n = nd[n].parent) {
        vis[n] -= 1;
        vs[n] += loss;
      }
      return;
    }
    // +1: Q refreshed as ComputeQ does (a decision node inline: visits >= 1 now).
    double* qs = qv.data();
    const float* rw = reward.data();
    const double discount = o.options_.discount;
    for (int32_t n = leaf; n >= 0; n = nd[n].parent) {
      const int32_t count = vis[n] + 1;
      const double sum = vs[n] - loss;
      vis[n] = count;
      vs[n] = sum;
      qs[n] = nd[n].chance ? ComputeQ(n) : rw[n] + discount * (sum / static_cast<double>(count));
    }
  }

  // The statistics in locals and raw pointers (stores through the arrays cannot alias the min-max bounds), and
  // the common decision-node Q computed from the values just written: the same arithmetic as ComputeQ.
  void Backup(int32_t leaf, double value) {
    const Node* nd = nodes.data();
    int32_t* vis = visits.data();
    double* vs = value_sum.data();
    double* qs = qv.data();
    const float* rw = reward.data();
    const double discount = o.options_.discount;
    double lo = min_q, hi = max_q;
    int32_t n = leaf;
    double v = value;
    while (true) {
      const Node& node = nd[n];
      const double sum = vs[n] + v;
      const int32_t count = vis[n] + 1;
      vs[n] = sum;
      vis[n] = count;
      if (node.parent < 0) break;
      const double q = node.chance ? ComputeQ(n) : rw[n] + discount * (sum / static_cast<double>(count));
      qs[n] = q;
      if (lo > hi) {
        lo = hi = q;
      } else {
        lo = std::min(lo, q);
        hi = std::max(hi, q);
      }
      if (!node.chance) v = rw[n] + discount * v;  // a chance edge has no reward and no step
      n = node.parent;
    }
    min_q = lo;
    max_q = hi;
  }

  // Descends from the root to a leaf for simulation `simulation` (expanding chance nodes on the way).
  int32_t Descend(int64_t simulation) {
    int32_t n = 0;
    if (o.options_.root == RootRule::kGumbel) n = GumbelSelect();
    while (true) {
      if (nodes[n].chance) {
        if (nodes[n].children < 0) ExpandChance(n);
        n = SelectOutcome(n, simulation);
        continue;
      }
      if (nodes[n].children < 0) return n;
      n = SelectChild(n);
    }
  }

  void GumbelStart(int64_t simulations);
  double GumbelScore(int32_t action) const;
  int32_t GumbelSelect();
  void Fill(PlanResult& out);
};

void MctsBatch::Tree::GumbelStart(int64_t simulations) {
  Rng rng(o.seed_, StreamId({0x67756d62ULL, static_cast<uint64_t>(id), o.plans_}));
  for (int64_t a = 0; a < o.width_; ++a) {
    const double u = std::max(static_cast<double>(rng.Uniform()), 1e-12);
    gumbel[a] = static_cast<float>(-std::log(-std::log(u)));
    plan_visits[a] = 0;
  }
  const int32_t first = nodes[0].children;
  remaining.clear();
  for (int32_t a = 0; a < o.width_; ++a) remaining.push_back(a);
  auto noisy_logit = [&](int32_t a) {
    return gumbel[a] + std::log(std::max(static_cast<double>(prior[first + a]), 1e-30));
  };
  SortDescending(remaining, noisy_logit);
  const int64_t m = std::min<int64_t>(o.options_.gumbel_actions, o.width_);
  remaining.resize(m);
  gumbel_sims = simulations;
  gumbel_phases = m > 1 ? static_cast<int64_t>(std::ceil(std::log2(static_cast<double>(m)))) : 1;
  phase_target = std::max<int64_t>(1, simulations / (gumbel_phases * m));
}

double MctsBatch::Tree::GumbelScore(int32_t action) const {
  const int32_t first = nodes[0].children;
  int64_t max_visits = 0;
  for (int32_t j = 0; j < o.width_; ++j) max_visits = std::max<int64_t>(max_visits, visits[first + j]);
  const int32_t c = first + action;
  // Completed Q: an unvisited action takes the root's value estimate.
  const double root_value = visits[0] > 0 ? value_sum[0] / static_cast<double>(visits[0]) : root_estimate;
  const double q = Normalize(visits[c] > 0 ? ChildQ(c) : root_value);
  const double sigma = (o.options_.gumbel_c_visit + static_cast<double>(max_visits)) * o.options_.gumbel_c_scale * q;
  return gumbel[action] + std::log(std::max(static_cast<double>(prior[c]), 1e-30)) + sigma;
}

int32_t MctsBatch::Tree::GumbelSelect() {
  bool phase_done = true;
  for (int32_t a : remaining) phase_done &= plan_visits[a] >= phase_target;
  if (phase_done && remaining.size() > 1) {
    // Sequential halving: keep the better half by g + logits + sigma(q), then give the next phase its share.
    SortDescending(remaining, [this](int32_t a) { return GumbelScore(a); });
    remaining.resize((remaining.size() + 1) / 2);
    phase_target += std::max<int64_t>(1, gumbel_sims / (gumbel_phases * static_cast<int64_t>(remaining.size())));
  }
  int32_t pick = remaining[0];
  for (int32_t a : remaining) {
    if (plan_visits[a] < plan_visits[pick]) pick = a;
  }
  ++plan_visits[pick];
  return nodes[0].children + pick;
}

void MctsBatch::Tree::Fill(PlanResult& out) {
  const Node& root = nodes[0];
  const int32_t first = root.children;
  const int32_t used = root.num_children;
  const bool widening = o.options_.widening;
  int64_t total = 0;
  int32_t best = 0;
  for (int32_t j = 0; j < o.width_; ++j) {
    if (j >= used) {
      stats.visits[j] = 0;
      stats.q[j] = stats.prior[j] = 0.f;
      continue;
    }
    const int32_t c = first + j, b = first + best;
    stats.visits[j] = visits[c];
    stats.q[j] = visits[c] > 0 ? static_cast<float>(ChildQ(c)) : 0.f;
    stats.prior[j] = widening ? 1.f / static_cast<float>(used) : prior[c];
    total += visits[c];
    if (visits[c] > visits[b] || (visits[c] == visits[b] && visits[c] > 0 && ChildQ(c) > ChildQ(b))) best = j;
  }
  if (o.options_.root == RootRule::kGumbel) {
    best = remaining[0];
    for (int32_t a : remaining) {
      if (GumbelScore(a) > GumbelScore(best)) best = a;
    }
  }
  for (int32_t j = 0; j < o.width_; ++j) {
    stats.policy[j] = total > 0 ? static_cast<float>(stats.visits[j]) / static_cast<float>(total)
                                : (j < used ? 1.f / static_cast<float>(used) : 0.f);
  }
  if (widening) {
    std::fill(stats.actions.begin(), stats.actions.end(), 0.f);
    for (int32_t j = 0; j < used; ++j) std::copy_n(Action(first + j), o.a_dim_, stats.actions.data() + j * o.a_dim_);
  }
  stats.children = used;
  stats.root_visits = visits[0];
  stats.nodes = size;
  stats.root_value = visits[0] > 0 ? value_sum[0] / static_cast<double>(visits[0]) : root_estimate;
  last_child = best;
  auto push_action = [&](std::vector<float>& v, int32_t node, int32_t index) {
    if (widening) {
      v.insert(v.end(), Action(node), Action(node) + o.a_dim_);
    } else {
      v.push_back(static_cast<float>(index));
    }
  };
  // Room for the longest principal variation, so that a reused PlanResult stops allocating.
  out.action.reserve(o.a_dim_);
  out.plan.reserve(static_cast<size_t>(o.options_.max_depth + 1) * o.a_dim_);
  out.predicted_states.reserve(static_cast<size_t>(o.options_.max_depth + 2) * o.s_dim_);
  out.action.clear();
  if (used > 0) {
    push_action(out.action, first + best, best);
  } else {  // widening before any simulation: the middle of the box
    for (int64_t i = 0; i < o.a_dim_; ++i) out.action.push_back(0.5f * (o.low_[i] + o.high_[i]));
  }
  out.predicted_return = stats.root_value;
  // Principal variation: the most visited child, while it has visits.
  out.plan.clear();
  out.predicted_states.assign(State(0), State(0) + o.s_dim_);
  int32_t n = 0;
  while (nodes[n].children >= 0) {
    const int32_t c0 = nodes[n].children;
    int32_t pick = -1;
    for (int32_t j = 0; j < nodes[n].num_children; ++j) {
      const int32_t c = c0 + j;
      if (visits[c] > 0 && (pick < 0 || visits[c] > visits[c0 + pick])) pick = j;
    }
    if (n == 0 && used > 0) pick = best;
    if (pick < 0 || visits[c0 + pick] == 0) break;
    n = c0 + pick;
    push_action(out.plan, n, pick);
    if (nodes[n].chance) {  // follow the most visited outcome
      if (nodes[n].children < 0) {
        out.predicted_states.clear();  // the outcome is unknown: no state to predict
        break;
      }
      int32_t best_outcome = nodes[n].children;
      for (int32_t j = 1; j < nodes[n].num_children; ++j) {
        if (visits[nodes[n].children + j] > visits[best_outcome]) best_outcome = nodes[n].children + j;
      }
      if (visits[best_outcome] == 0 || !nodes[best_outcome].has_state) {
        out.predicted_states.clear();
        break;
      }
      n = best_outcome;
    }
    out.predicted_states.insert(out.predicted_states.end(), State(n), State(n) + o.s_dim_);
  }
  if (out.plan.empty()) out.plan.assign(out.action.begin(), out.action.end());
}

// ---------------------------------------------------------------------------------------------------------

MctsBatch::MctsBatch(std::shared_ptr<const WorldModel> model, std::shared_ptr<Evaluator> evaluator, MctsOptions options,
                     int64_t trees, Executor& executor)
    : model_(std::move(model)), evaluator_(std::move(evaluator)), options_(options), executor_(executor) {
  if (!model_) throw ConfigError("mcts: model is null");
  if (!evaluator_) throw ConfigError("mcts: evaluator is null");
  if (trees < 1 || trees > (int64_t{1} << 20))
    throw ConfigError(StrCat("mcts: trees = ", trees, " must be in [1, 2^20]"));
  options_.Validate();
  const ModelSpec& spec = model_->spec();
  s_dim_ = spec.state_dim;
  chance_model_ = dynamic_cast<const ChanceModel*>(model_.get());
  if (options_.widening) {
    if (IsDiscrete(spec.action_space)) {
      throw ConfigError(StrCat("mcts: widening = true needs a continuous (Box) action space; the model's is ",
                               ToString(spec.action_space), " (use widening = false)"));
    }
    if (options_.root == RootRule::kGumbel) {
      throw ConfigError(StrCat("mcts: root = gumbel needs a Discrete action space; the model's action space ",
                               ToString(spec.action_space), " is continuous (use root = puct with widening)"));
    }
    if (chance_model_) {
      throw ConfigError(StrCat("mcts: chance model '", spec.type,
                               "' with widening = true: chance nodes over continuous actions are not supported"));
    }
    const Box& box = std::get<Box>(spec.action_space);
    for (int64_t i = 0; i < box.dim(); ++i) {
      if (!std::isfinite(box.low[i]) || !std::isfinite(box.high[i])) {
        throw ConfigError(StrCat("mcts: widening samples actions in the model's box, but its bound ", i, " is [",
                                 box.low[i], ", ", box.high[i], "]; it needs finite bounds"));
      }
    }
    low_ = box.low;
    high_ = box.high;
    a_dim_ = box.dim();
    width_ = options_.pw_max_children;
    k_ = evaluator_->num_actions();  // priors are ignored
  } else {
    const char* who = options_.root == RootRule::kGumbel
                          ? "mcts: root = gumbel"
                          : "mcts (PUCT over discrete actions; widening = true searches a continuous space)";
    k_ = width_ = DiscreteActions(spec, who);
    if (evaluator_->num_actions() != k_) {
      throw ConfigError(StrCat("mcts: the evaluator gives priors over ", evaluator_->num_actions(),
                               " actions but the model has ", k_));
    }
  }
  if (!model_->has_cpu_path()) {
    throw ConfigError(
        StrCat("mcts: model '", spec.type,
               "' has no fused CPU path (has_cpu_path() is false); the tensor path is not supported yet"));
  }
  if (spec.state_kind != StateKind::kObservation || spec.state_dim != spec.obs_dim) {
    throw ConfigError(StrCat("mcts: model '", spec.type,
                             "' does not plan in observation space; latent and token models are not supported yet"));
  }
  if (evaluator_->state_dim() != s_dim_) {
    throw ConfigError(
        StrCat("mcts: the evaluator takes states of ", evaluator_->state_dim(), " values but the model has ", s_dim_));
  }
  if (chance_model_) {
    m_ = chance_model_->num_outcomes();
    if (m_ < 1) throw ConfigError(StrCat("mcts: chance model '", spec.type, "' has ", m_, " outcomes; needs >= 1"));
  }
  explore_.resize(1024);
  for (size_t n = 0; n < explore_.size(); ++n) explore_[n] = options_.c_puct * std::sqrt(static_cast<double>(n));
  for (int64_t b = 0; b < trees; ++b) trees_.push_back(std::make_unique<Tree>(*this, static_cast<int32_t>(b)));
  const int64_t rows = trees * options_.in_flight;
  leaves_.resize(rows);
  step_leaves_.resize(rows);
  step_state_.resize(rows * s_dim_);
  step_action_.resize(rows * a_dim_);
  step_next_.resize(rows * s_dim_);
  step_reward_.resize(rows);
  step_done_.resize(rows);
  step_outcome_.resize(rows);
  eval_leaves_.resize(rows);
  eval_state_.resize(rows * s_dim_);
  eval_value_.resize(rows);
  eval_prior_.resize(rows * std::max<int64_t>(k_, 1));
  // Fixed groups of trees (never the thread count): as many trees as fill one evaluator call with their leaves.
  group_trees_ = std::max<int64_t>(1, options_.eval_batch / options_.in_flight);
  groups_ = (trees + group_trees_ - 1) / group_trees_;
  group_chunks_ = Executor::NumChunks(group_trees_ * options_.in_flight, options_.eval_batch);
  group_chunks_ += 8;  // a cache line between the groups' counts (no false sharing between their tasks)
  eval_count_.resize(std::max(groups_ * group_chunks_, Executor::NumChunks(trees, options_.eval_batch)));
  tw_.resize(trees);
  Reset(options_.seed);
}

MctsBatch::~MctsBatch() = default;

void MctsBatch::Reset(uint64_t seed) {
  seed_ = seed;
  plans_ = 0;
  for (auto& t : trees_) {
    t->has_tree = false;
    t->size = 0;
    t->last_child = -1;
  }
}

const SearchStats& MctsBatch::stats(int64_t tree) const {
  if (tree < 0 || tree >= trees()) throw RangeError(StrCat("mcts: tree ", tree, " is not in [0, ", trees(), ")"));
  return trees_[tree]->stats;
}

int64_t MctsBatch::SubtreeNodes(int64_t tree, int64_t child) const {
  if (tree < 0 || tree >= trees()) throw RangeError(StrCat("mcts: tree ", tree, " is not in [0, ", trees(), ")"));
  return trees_[tree]->SubtreeNodes(child);
}

void MctsBatch::Plan(std::span<const float> obs, const Budget& budget, std::span<PlanResult> out) {
  const int64_t b = trees();
  if (static_cast<int64_t>(obs.size()) != b * s_dim_) {
    throw ShapeError(StrCat("mcts: observations have ", obs.size(), " values; expected ", b, " trees x ", s_dim_));
  }
  if (static_cast<int64_t>(out.size()) != b) {
    throw ShapeError(StrCat("mcts: ", out.size(), " results for ", b, " trees"));
  }
  for (size_t i = 0; i < obs.size(); ++i) {
    if (!std::isfinite(obs[i])) {
      throw ConfigError(StrCat("mcts: observation ", i / s_dim_, " value ", i % s_dim_, " is ", obs[i],
                               "; pass finite observations"));
    }
  }
  budget.Validate();
  const auto start = Clock::now();
  for (PlanResult& r : out) {
    r.predicted_return = 0.0;
    r.iterations = r.evaluations = 0;
    r.cut_short = false;
  }
  PlanTrees(obs, budget, out);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (PlanResult& r : out) r.seconds = seconds;
}

void MctsBatch::PrepareTree(int64_t b, std::span<const float> obs, int64_t sims) {
  Tree& t = *trees_[b];
  SearchStats& st = t.stats;
  st.simulations = st.reused_visits = st.reused_nodes = st.max_depth = st.waves = 0;
  st.reused_value = 0.0;
  st.pool_full = false;
  const bool reused = options_.reuse_tree && t.has_tree && t.TryReuse(obs);
  if (reused) {
    st.reused_visits = t.visits[0];
    st.reused_nodes = t.size;
    st.reused_value = t.value_sum[0] / static_cast<double>(t.visits[0]);
  }
  // A simulation adds at most one decision block and one chance block; a deadline-only search starts with
  // room for 4096 simulations and doubles the pool when it fills (up to max_nodes), so it too stops allocating
  // once warm.
  const int64_t per_sim = width_ + m_;
  const int64_t want = t.size + ((sims > 0 ? sims : 4096) + options_.in_flight) * per_sim + 1;
  t.Reserve(std::max<int64_t>(want, width_ + 1));
  if (!reused) {
    t.size = 1;
    t.nodes[0] = Tree::Node{};
    t.ClearStats(0, 1.f);
    t.nodes[0].has_state = true;
    std::copy(obs.begin(), obs.end(), t.State(0));
    t.min_q = 1.0;
    t.max_q = -1.0;  // empty
  }
  t.has_tree = true;
  tw_[b].evaluations = 0;
  tw_[b].sims = 0;
}

void MctsBatch::EvaluateRows(int64_t row0, int64_t rows, uint64_t key, int64_t count0, Scratch* serial) {
  if (rows == 0) return;
  auto body = [this, key, row0, count0, serial](int64_t begin, int64_t end, int64_t chunk) {
    const int64_t n = end - begin, kw = std::max<int64_t>(k_, 1), at = row0 + begin;
    eval_count_[count0 + chunk] = evaluator_->Evaluate(
        std::span<const float>(eval_state_.data() + at * s_dim_, n * s_dim_), n, seed_,
        StreamId({key, static_cast<uint64_t>(chunk)}), std::span<float>(eval_value_.data() + at, n),
        std::span<float>(eval_prior_.data() + at * kw, n * kw), serial ? *serial : executor_.scratch());
  };
  if (!serial) {
    ForChunks(executor_, rows, options_.eval_batch, body);
  } else if (rows <= options_.eval_batch) {
    body(0, rows, 0);  // one chunk (no division per wave)
  } else {
    for (int64_t c = 0; c < Executor::NumChunks(rows, options_.eval_batch); ++c) {
      body(c * options_.eval_batch, std::min(rows, (c + 1) * options_.eval_batch), c);
    }
  }
}

void MctsBatch::AttributeEvaluations(int64_t row0, int64_t rows, int64_t count0) {
  const int64_t chunks = rows <= options_.eval_batch ? (rows > 0 ? 1 : 0) : Executor::NumChunks(rows, options_.eval_batch);
  for (int64_t c = 0; c < chunks; ++c) {
    if (eval_count_[count0 + c] == 0) continue;  // an evaluator without model transitions (no division per wave)
    const int64_t begin = row0 + c * options_.eval_batch, end = row0 + std::min(rows, (c + 1) * options_.eval_batch);
    const int64_t n = end - begin, share = eval_count_[count0 + c] / n;
    tw_[eval_leaves_[begin]].evaluations += eval_count_[count0 + c] % n;
    for (int64_t r = begin; r < end; ++r) tw_[eval_leaves_[r]].evaluations += share;
  }
}

bool MctsBatch::StartWave(int64_t first, int64_t last) {
  const bool expired = budget_->deadline.has_value() && budget_->Expired();  // no clock read without a deadline
  bool any = false;
  const int64_t per_slot = width_ + m_;
  for (int64_t b = first; b < last; ++b) {
    Tree& t = *trees_[b];
    tw_[b].active = 0;
    tw_[b].slots = 0;
    if (t.stats.pool_full || (sims_ > 0 && tw_[b].sims >= sims_)) continue;
    if (expired) {
      out_[b].cut_short = sims_ > 0;
      continue;
    }
    const int64_t need = t.size + options_.in_flight * per_slot;
    if (need > t.capacity() && t.capacity() < options_.max_nodes) t.Reserve(std::max(2 * t.capacity(), need));
    if (need > t.capacity()) {
      t.stats.pool_full = true;
      out_[b].cut_short = true;
      continue;
    }
    tw_[b].active = 1;
    any = true;
  }
  return any;
}

void MctsBatch::SelectWave(int64_t b) {
  Tree& t = *trees_[b];
  if (!tw_[b].active) return;
  const int64_t slots = sims_ > 0 ? std::min(options_.in_flight, sims_ - tw_[b].sims) : options_.in_flight;
  const bool virtual_loss = options_.virtual_loss > 0.0;
  for (int64_t slot = 0; slot < slots; ++slot) {
    const int32_t n = t.Descend(tw_[b].sims + slot);
    Leaf& leaf = leaves_[b * options_.in_flight + slot];
    leaf.tree = static_cast<int32_t>(b);
    leaf.node = n;
    leaf.eval_row = -1;
    leaf.repeat_of = t.nodes[n].pending;
    if (leaf.repeat_of < 0) t.nodes[n].pending = static_cast<int32_t>(slot);
    // The wave's last selection needs no virtual loss: no later selection of this wave would see it.
    if (virtual_loss && slot + 1 < slots) t.VirtualLoss(n, +1);
  }
  tw_[b].slots = static_cast<int32_t>(slots);
}

void MctsBatch::StepLeaves(int64_t first, int64_t last, Scratch* serial) {
  // The new leaves of the group's trees (first selections without a predicted transition), compacted into the
  // group's rows [row0, row0 + rows).
  const int64_t row0 = first * options_.in_flight;
  int64_t rows = row0;
  for (int64_t b = first; b < last; ++b) {
    Tree& t = *trees_[b];
    for (int32_t slot = 0; slot < tw_[b].slots; ++slot) {
      const int32_t li = static_cast<int32_t>(b * options_.in_flight + slot);
      const Leaf& leaf = leaves_[li];
      const Tree::Node& node = t.nodes[leaf.node];
      if (leaf.repeat_of >= 0 || node.has_state) continue;
      const Tree::Node& parent = t.nodes[node.parent];
      const int32_t from = parent.chance ? parent.parent : node.parent;
      CopyRow(t.State(from), s_dim_, step_state_.data() + rows * s_dim_);
      if (options_.widening) {
        std::copy_n(t.Action(leaf.node), a_dim_, step_action_.data() + rows * a_dim_);
      } else {
        step_action_[rows] = static_cast<float>(parent.chance ? parent.action : node.action);
      }
      step_outcome_[rows] = parent.chance ? node.action : 0;
      step_leaves_[rows] = li;
      ++rows;
    }
  }
  rows -= row0;
  if (rows == 0) return;
  auto body = [this, row0, serial](int64_t chunk_begin, int64_t chunk_end, int64_t) {
    const int64_t begin = row0 + chunk_begin, end = row0 + chunk_end;
    CpuStep step;
    step.rows = end - begin;
    step.state = step_state_.data() + begin * s_dim_;
    step.action = step_action_.data() + begin * a_dim_;
    step.scratch = serial ? serial : &executor_.scratch();
    step.next_state = step_next_.data() + begin * s_dim_;
    step.reward = step_reward_.data() + begin;
    step.done = step_done_.data() + begin;
    if (chance_model_) {
      chance_model_->StepOutcomeCpu(step, step_outcome_.data() + begin);
    } else {
      model_->StepCpu(step);
    }
  };
  if (!serial) {
    ForChunks(executor_, rows, options_.step_batch, body);
  } else if (rows <= options_.step_batch) {
    body(0, rows, 0);
  } else {
    for (int64_t c = 0; c < Executor::NumChunks(rows, options_.step_batch); ++c) {
      body(c * options_.step_batch, std::min(rows, (c + 1) * options_.step_batch), c);
    }
  }
  for (int64_t r = row0; r < row0 + rows; ++r) {
    const Leaf& leaf = leaves_[step_leaves_[r]];
    Tree& t = *trees_[leaf.tree];
    Tree::Node& node = t.nodes[leaf.node];
    CopyRow(step_next_.data() + r * s_dim_, s_dim_, t.State(leaf.node));
    t.reward[leaf.node] = step_reward_[r];
    node.terminal = step_done_[r] > 0.5f;
    node.has_state = true;
    tw_[leaf.tree].evaluations += 1;
  }
}

void MctsBatch::FinishWave(int64_t b) {
  Tree& t = *trees_[b];
  const int64_t base = b * options_.in_flight;
  const int64_t kw = std::max<int64_t>(k_, 1);
  if (options_.virtual_loss > 0.0) {
    for (int32_t slot = 0; slot + 1 < tw_[b].slots; ++slot) t.VirtualLoss(leaves_[base + slot].node, -1);
  }
  for (int32_t slot = 0; slot < tw_[b].slots; ++slot) {
    const Leaf& leaf = leaves_[base + slot];
    Tree::Node& node = t.nodes[leaf.node];
    node.pending = -1;
    t.stats.max_depth = std::max<int64_t>(t.stats.max_depth, node.depth);
    double value = 0.0;
    if (!node.terminal) {
      const int32_t row = leaf.repeat_of < 0 ? leaf.eval_row : leaves_[base + leaf.repeat_of].eval_row;
      value = eval_value_[row];
      if (leaf.repeat_of < 0 && node.depth < options_.max_depth && node.children < 0 &&
          t.size + width_ <= t.capacity()) {
        t.Expand(leaf.node, eval_prior_.data() + row * kw);
      }
    }
    t.Backup(leaf.node, value);
  }
  tw_[b].sims += tw_[b].slots;
  t.stats.waves += tw_[b].slots > 0 ? 1 : 0;
}

void MctsBatch::SearchGroup(int64_t g) {
  const int64_t first = g * group_trees_, last = std::min(trees(), first + group_trees_);
  const int64_t row0 = first * options_.in_flight, count0 = g * group_chunks_;
  // A single group spreads its trees, steps and evaluation chunks over the threads within each wave (the
  // chunks are fixed, so the result does not depend on the threads); several groups run one task each.
  const bool parallel = groups_ == 1 && executor_.threads() > 1;
  Scratch* serial = parallel ? nullptr : &executor_.scratch();  // this task's worker's (one lookup per Plan)
  const uint64_t plan_key = StreamId({plans_});
  const int64_t tree_grain = (last - first + executor_.threads() - 1) / executor_.threads();
  for (uint64_t wave = 0; StartWave(first, last); ++wave) {
    if (parallel) {
      ForChunks(executor_, last - first, tree_grain, [this, first](int64_t begin, int64_t end, int64_t) {
        for (int64_t b = first + begin; b < first + end; ++b) SelectWave(b);
      });
    } else {
      for (int64_t b = first; b < last; ++b) SelectWave(b);
    }
    StepLeaves(first, last, serial);
    // The leaves to evaluate: first selections that are not terminal.
    int64_t eval_rows = row0;
    for (int64_t b = first; b < last; ++b) {
      Tree& t = *trees_[b];
      for (int32_t slot = 0; slot < tw_[b].slots; ++slot) {
        Leaf& leaf = leaves_[b * options_.in_flight + slot];
        if (leaf.repeat_of >= 0 || t.nodes[leaf.node].terminal) continue;
        CopyRow(t.State(leaf.node), s_dim_, eval_state_.data() + eval_rows * s_dim_);
        leaf.eval_row = static_cast<int32_t>(eval_rows);
        eval_leaves_[eval_rows++] = static_cast<int32_t>(b);
      }
    }
    // Random streams keyed by (plan, wave, group, chunk): the same draws whatever thread runs the group.
    const uint64_t wave_key = StreamIdAppend(plan_key, wave);
    const uint64_t key = g == 0 ? wave_key : StreamIdAppend(wave_key, static_cast<uint64_t>(g));
    EvaluateRows(row0, eval_rows - row0, key, count0, serial);
    AttributeEvaluations(row0, eval_rows - row0, count0);
    if (parallel) {
      ForChunks(executor_, last - first, tree_grain, [this, first](int64_t begin, int64_t end, int64_t) {
        for (int64_t b = first + begin; b < first + end; ++b) FinishWave(b);
      });
    } else {
      for (int64_t b = first; b < last; ++b) FinishWave(b);
    }
  }
}

void MctsBatch::PlanTrees(std::span<const float> obs, const Budget& budget, std::span<PlanResult> out) {
  obs_ = obs;
  budget_ = &budget;
  out_ = out;
  sims_ = budget.iterations > 0 ? budget.iterations : options_.simulations;
  executor_.Run([this] {
    const int64_t count = trees();
    for (int64_t b = 0; b < count; ++b) PrepareTree(b, obs_.subspan(b * s_dim_, s_dim_), sims_);
    // Every root still unexpanded is evaluated in one batch.
    int64_t rows = 0;
    for (int64_t b = 0; b < count; ++b) {
      Tree& t = *trees_[b];
      if (t.nodes[0].children >= 0) continue;
      std::copy_n(t.State(0), s_dim_, eval_state_.data() + rows * s_dim_);
      eval_leaves_[rows++] = static_cast<int32_t>(b);
    }
    EvaluateRows(0, rows, StreamId({plans_, ~uint64_t{0}}), 0, nullptr);
    const int64_t kw = std::max<int64_t>(k_, 1);
    for (int64_t r = 0; r < rows; ++r) {
      Tree& t = *trees_[eval_leaves_[r]];
      t.root_estimate = eval_value_[r];
      t.Expand(0, eval_prior_.data() + r * kw);
    }
    AttributeEvaluations(0, rows, 0);
    for (int64_t b = 0; b < count; ++b) {
      Tree& t = *trees_[b];
      if (options_.root == RootRule::kGumbel) {
        t.GumbelStart(sims_ > 0 ? sims_ : (options_.simulations > 0 ? options_.simulations : 4096));
      }
    }
    // The groups of trees search independently, each in its own waves: one task per group, no barrier per wave.
    if (groups_ == 1) {
      SearchGroup(0);
    } else {
      ForChunks(executor_, groups_, 1, [this](int64_t g, int64_t, int64_t) { SearchGroup(g); });
    }
    for (int64_t b = 0; b < count; ++b) {
      Tree& t = *trees_[b];
      t.stats.simulations = tw_[b].sims;
      out_[b].iterations = tw_[b].sims;
      out_[b].evaluations = tw_[b].evaluations;
      t.Fill(out_[b]);
    }
  });
  ++plans_;
}

// ---------------------------------------------------------------------------------------------------------

Mcts::Mcts(std::shared_ptr<const WorldModel> model, std::shared_ptr<Evaluator> evaluator, MctsOptions options,
           Executor& executor)
    : batch_(std::move(model), std::move(evaluator), options, 1, executor) {}

Mcts::~Mcts() = default;

void Mcts::DoPlan(std::span<const float> obs, const Budget& budget, PlanResult& out) {
  batch_.Plan(obs, budget, std::span<PlanResult>(&out, 1));
}

}  // namespace augur::search
