#include "augur/search/factory.h"

#include <limits>

#include "augur/core/error.h"
#include "augur/core/registry.h"
#include "augur/search/beam.h"
#include "augur/search/mcts.h"
#include "augur/search/mlp_evaluator.h"
#include "augur/search/torchscript_evaluator.h"

namespace augur::search {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

MctsOptions ParseMcts(SpecParams& p) {
  MctsOptions o;
  o.simulations =
      p.Int("sims", o.simulations, "simulations per plan when the budget gives none (0: until the deadline)", 0, kMax);
  o.c_puct = p.Double("c", o.c_puct, "PUCT exploration constant (CWMB 1.0, AlphaZero 1.25)", 0.0);
  o.discount = p.Double("discount", o.discount, "per-step discount", 1e-9, 1.0);
  o.max_depth = p.Int("depth", o.max_depth, "deepest expanded node below the root", 1, 1 << 20);
  o.normalize = p.Bool("normalize", o.normalize, "min-max normalization of Q values");
  o.reuse_tree = p.Bool("reuse", o.reuse_tree, "keep the matching subtree between plans");
  o.reuse_tolerance = p.Double("tol", o.reuse_tolerance, "max abs state difference for tree reuse", 0.0);
  o.chance = p.String("chance", "expand", "chance nodes (ChanceModel): expand in proportion or sample outcomes",
                      {"expand", "sample"}) == "sample"
                 ? ChanceMode::kSample
                 : ChanceMode::kExpand;
  o.root = p.String("root", "puct", "root selection: puct, or gumbel (Gumbel-top-m with sequential halving)",
                    {"puct", "gumbel"}) == "gumbel"
               ? RootRule::kGumbel
               : RootRule::kPuct;
  o.gumbel_actions =
      p.Int("gumbel_actions", o.gumbel_actions, "m: actions Gumbel-top-m considers at the root", 1, 1 << 20);
  o.max_nodes = p.Int("max_nodes", o.max_nodes, "node pool capacity", 2, int64_t{1} << 30);
  o.in_flight = p.Int("in_flight", o.in_flight, "simulations selected before one batched evaluation", 1, 4096);
  o.virtual_loss = p.Double("virtual_loss", o.virtual_loss, "return a pending visit counts as (0: off)", 0.0);
  o.eval_batch = p.Int("eval_batch", o.eval_batch, "rows per evaluator call", 1, kMax);
  o.widening = p.Bool("widening", o.widening, "progressive widening over a continuous (Box) action space");
  o.pw_c = p.Double("pw_c", o.pw_c, "widening: k(n) = ceil(pw_c * n^pw_alpha) children", 1e-9);
  o.pw_alpha = p.Double("pw_alpha", o.pw_alpha, "widening exponent", 1e-9, 1.0);
  o.pw_max_children = p.Int("pw_max", o.pw_max_children, "widening: children slots per node", 1, 4096);
  o.pw_proposal = p.String("pw_proposal", "uniform",
                           "widening: new actions uniform in the box, or local (half of them around the best child)",
                           {"uniform", "local"}) == "local"
                      ? WideningProposal::kLocal
                      : WideningProposal::kUniform;
  o.pw_sigma = p.Double("pw_sigma", o.pw_sigma, "local proposal std as a fraction of the box width", 1e-9);
  return o;
}

struct EvaluatorKeys {
  std::string kind, net, device, activation;
  RolloutEvaluator::Options rollout;
};

EvaluatorKeys ParseEvaluator(SpecParams& p, double discount) {
  EvaluatorKeys k;
  k.kind = p.String("evaluator", "rollout",
                    "leaf evaluator: random rollouts, null, mlp (the fused kernel on a TorchScript stack of Linear "
                    "layers) or torchscript (any TorchScript network through LibTorch)",
                    {"rollout", "null", "mlp", "torchscript"});
  k.rollout.depth = p.Int("rollout_depth", k.rollout.depth, "steps per random rollout", 0, kMax);
  k.rollout.rollouts = p.Int("rollouts", k.rollout.rollouts, "random rollouts per leaf", 1, kMax);
  k.rollout.discount = discount;
  k.net = p.String("net", "", "evaluator=mlp/torchscript: the TorchScript file, forward(states [B, S]) -> [B, 1 + K]");
  k.device = p.String("device", "cpu", "evaluator=torchscript: cpu, cuda or cuda:N");
  k.activation = p.String("activation", "tanh", "evaluator=mlp: hidden activation", {"tanh", "relu"});
  return k;
}

std::shared_ptr<Evaluator> MakeEvaluator(const EvaluatorKeys& k, const MctsOptions& o, const WorldModel& model,
                                         std::shared_ptr<const WorldModel> shared) {
  if (k.kind == "null") {
    const int64_t actions = o.widening ? 0 : DiscreteActions(model.spec(), "search planner 'mcts' (widening=false)");
    return std::make_shared<NullEvaluator>(model.spec().state_dim, actions);
  }
  if (k.kind == "rollout") return std::make_shared<RolloutEvaluator>(std::move(shared), k.rollout);
  if (k.net.empty()) {
    throw ConfigError(StrCat("search planner 'mcts': evaluator=", k.kind,
                             " needs net=PATH (a TorchScript file whose forward maps states [B, ",
                             model.spec().state_dim, "] to [B, 1 + K])"));
  }
  std::shared_ptr<Evaluator> e;
  if (k.kind == "mlp") {
    e = std::make_shared<MlpEvaluator>(
        LoadMlpWeights(k.net, k.activation == "relu" ? MlpActivation::kRelu : MlpActivation::kTanh));
  } else {
    e = std::make_shared<TorchScriptEvaluator>(k.net, model.spec().state_dim, k.device);
  }
  if (e->state_dim() != model.spec().state_dim) {
    throw ShapeError(StrCat("search planner 'mcts': the evaluator in '", k.net, "' takes states of ", e->state_dim(),
                            " but the model's state has ", model.spec().state_dim));
  }
  if (!o.widening) {
    const int64_t actions = DiscreteActions(model.spec(), "search planner 'mcts' (widening=false)");
    if (e->num_actions() != actions) {
      throw ShapeError(StrCat("search planner 'mcts': the evaluator in '", k.net, "' gives ", e->num_actions(),
                              " prior logits but the model has ", actions, " actions"));
    }
  }
  return e;
}

BeamOptions ParseBeam(SpecParams& p) {
  BeamOptions o;
  o.width = p.Int("width", o.width, "beams kept per step (TT: 128; small presets 16-32)", 1, 1 << 20);
  o.horizon = p.Int("horizon", o.horizon, "steps planned (TT: 15); at most the model's window in steps", 1, 1 << 16);
  o.expand = p.Int("expand", o.expand, "candidates per beam per step (TT: 2)", 1, 1 << 16);
  o.select = p.String("select", "sample", "action tokens: sample (nucleus, cdf) or topk", {"sample", "topk"}) == "topk"
                 ? ActionSelect::kTopK
                 : ActionSelect::kSample;
  o.cdf = p.Double("cdf", o.cdf, "probability mass kept when sampling action tokens (TT: 0.6)", 1e-9, 1.0);
  o.cache = p.Bool("cache", o.cache, "KV cache (false: recompute the whole prefix for every token)");
  o.dedup = p.Bool("dedup", o.dedup, "drop candidates identical to a better one before keeping the best width");
  return o;
}

constexpr const char* kBeamHelp =
    "Trajectory Transformer beam search over a sequence model (augur train --model tt:...): width, horizon, "
    "expand, select, cdf, cache, dedup";

using SearchRegistry = Registry<Planner, const SearchInputs&, Executor&>;

constexpr const char* kMctsHelp =
    "Monte-Carlo tree search (PUCT, min-max normalized Q, tree reuse) over a discrete-action model";

const SearchRegistry& Searchers() {
  static const SearchRegistry* registry = [] {
    auto* r = new SearchRegistry("search planner");
    r->Register("mcts", kMctsHelp, [](SpecParams& p, const SearchInputs& in, Executor& ex) -> std::unique_ptr<Planner> {
      MctsOptions o = ParseMcts(p);
      o.seed = in.seed;
      if (!in.model) throw ConfigError("search planner 'mcts': missing input: a model (SearchInputs::model)");
      std::shared_ptr<Evaluator> evaluator = in.evaluator;
      if (!evaluator) evaluator = MakeEvaluator(ParseEvaluator(p, o.discount), o, *in.model, in.model);
      return std::make_unique<Mcts>(in.model, std::move(evaluator), o, ex);
    });
    r->Register("beam", kBeamHelp,
                [](SpecParams& p, const SearchInputs& in, Executor& ex) -> std::unique_ptr<Planner> {
                  BeamOptions o = ParseBeam(p);
                  o.seed = in.seed;
                  if (!in.sequence_model) {
                    throw ConfigError(
                        "search planner 'beam': missing input: a sequence model (SearchInputs::sequence_model / "
                        "PlannerInputs::sequence_model), e.g. a checkpoint from `augur train --model tt:...`");
                  }
                  return std::make_unique<BeamPlanner>(in.sequence_model, o, ex);
                });
    return r;
  }();
  return *registry;
}

}  // namespace

std::unique_ptr<Planner> MakeSearchPlanner(std::string_view spec, const SearchInputs& inputs, Executor& executor) {
  return Searchers().Create(spec, inputs, executor);
}

bool IsSearchPlanner(std::string_view name) { return Searchers().Contains(name); }

std::vector<std::string> SearchPlannerNames() { return Searchers().Names(); }

std::string SearchPlannerHelp(std::string_view name) {
  if (name == "mcts") {
    SpecParams p(FactorySpec{"mcts", {}}, "search planner");
    ParseEvaluator(p, ParseMcts(p).discount);
    return StrCat("mcts: ", kMctsHelp, "\n", p.Help());
  }
  if (name == "beam") {
    SpecParams p(FactorySpec{"beam", {}}, "search planner");
    ParseBeam(p);
    return StrCat("beam: ", kBeamHelp, "\n", p.Help());
  }
  throw NotFoundError(StrCat("unknown search planner '", name, "'; valid: ", Searchers().JoinedNames()));
}

}  // namespace augur::search
