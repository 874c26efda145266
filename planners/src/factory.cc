#include "augur/planners/factory.h"

#include <limits>

#include "augur/core/error.h"
#include "augur/core/registry.h"
#include "augur/planners/cem.h"
#include "augur/planners/icem.h"
#include "augur/planners/random_shooting.h"
#include "augur/rollouts/model_evaluator.h"

namespace augur {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

SamplingOptions ParseCommon(SpecParams& p, SamplingOptions defaults) {
  SamplingOptions o = defaults;
  o.horizon = p.Int("horizon", defaults.horizon, "steps planned", 1, 100000);
  o.iters =
      p.Int("iters", defaults.iters, "iterations per plan when the budget gives none (0: until the deadline)", 0, kMax);
  o.predict_states = p.Bool("predict", defaults.predict_states, "fill the plan's predicted states");
  return o;
}

RolloutOptions ParseRollout(SpecParams& p) {
  const RolloutOptions d;
  RolloutOptions o;
  o.particles = p.Int("particles", d.particles, "particles per sequence (PETS 20)", 1, kMax);
  o.propagation = ParsePropagation(p.String("propagation", std::string(PropagationName(d.propagation)),
                                            "particle propagation", {"ts1", "tsinf", "expectation"}));
  o.chunk = p.Int("chunk", d.chunk, "sequences per executor chunk", 1, kMax);
  o.sample = p.Bool("sample", d.sample, "sample the model's predictive distribution");
  o.penalty = ParsePenaltySource(p.String("penalty", std::string(PenaltySourceName(d.penalty)),
                                          "uncertainty penalty source", {"model", "disagreement"}));
  return o;
}

// Declares the rollout keys (when the evaluator is built here) and returns the evaluator.
std::shared_ptr<SequenceEvaluator> Evaluator(SpecParams& p, const PlannerInputs& in) {
  if (in.evaluator && in.model) {
    throw ConfigError(StrCat("planner '", p.name(), "': both a model and an evaluator were given; pass one"));
  }
  if (in.evaluator) return in.evaluator;
  const RolloutOptions rollout = ParseRollout(p);
  if (!in.model) {
    throw ConfigError(StrCat("planner '", p.name(),
                             "': missing input: PlannerInputs::model (with an objective) or PlannerInputs::evaluator"));
  }
  return std::make_shared<ModelEvaluator>(in.model, in.objective, rollout);
}

Cem::Options ParseCem(SpecParams& p) {
  Cem::Options o;
  o.common = ParseCommon(p, o.common);
  o.pop = p.Int("pop", o.pop, "sequences per iteration", 2, kMax);
  o.elites = p.Int("elites", o.elites, "elites refitted to", 1, kMax);
  o.alpha = p.Double("alpha", o.alpha, "momentum of mean and std", 0.0, 0.999999);
  o.init_std = p.Double("init_std", o.init_std, "initial std, fraction of the action half range", 1e-9);
  o.min_std = p.Double("min_std", o.min_std, "std floor, fraction of the action half range", 0.0);
  return o;
}

Icem::Options ParseIcem(SpecParams& p) {
  Icem::Options o;
  o.common = ParseCommon(p, o.common);
  o.pop = p.Int("pop", o.pop, "sequences in iteration 0", 2, kMax);
  o.elites = p.Int("elites", o.elites, "elites per iteration", 1, kMax);
  o.beta = p.Double("beta", o.beta, "noise colour exponent (0 white, 2 to 4 smooth)", 0.0);
  o.decay = p.Double("decay", o.decay, "population shrink factor per iteration", 1.0);
  o.keep = p.Double("keep", o.keep, "fraction of elites kept", 0.0, 1.0);
  o.alpha = p.Double("alpha", o.alpha, "momentum of mean and std", 0.0, 0.999999);
  o.init_std = p.Double("init_std", o.init_std, "initial std, fraction of the action half range", 1e-9);
  o.min_std = p.Double("min_std", o.min_std, "std floor, fraction of the action half range", 0.0);
  return o;
}

Mppi::Options ParseMppi(SpecParams& p) {
  Mppi::Options o;
  o.common = ParseCommon(p, o.common);
  o.samples = p.Int("samples", o.samples, "Gaussian sequences per iteration", 1, kMax);
  o.elites = p.Int("elites", o.elites, "elites weighted", 1, kMax);
  o.temperature = p.Double("temperature", o.temperature, "lambda: weights exp((R - R_max) / lambda)", 1e-12);
  o.init_std = p.Double("init_std", o.init_std, "std at the start of a plan, fraction of the action half range", 1e-9);
  o.min_std = p.Double("min_std", o.min_std, "std floor, fraction of the action half range", 0.0);
  o.max_std = p.Double("max_std", o.max_std, "std ceiling, fraction of the action half range", 0.0);
  o.prior_samples = p.Int("prior_samples", o.prior_samples, "policy-prior sequences (with a prior)", 0, kMax);
  return o;
}

RandomShooting::Options ParseRs(SpecParams& p) {
  RandomShooting::Options o;
  o.common = ParseCommon(p, o.common);
  o.pop = p.Int("pop", o.pop, "sequences per iteration", 1, kMax);
  return o;
}

using PlannerRegistry = Registry<Planner, const PlannerInputs&, Executor&>;

struct Entry {
  const char* name;
  const char* help;
  void (*declare)(SpecParams&);  // declares the keys (for PlannerHelp)
};

const Entry kEntries[] = {
    {"cem", "cross-entropy method (PETS): Gaussian sampling, elites refit with momentum, executes the mean",
     [](SpecParams& p) { ParseCem(p); }},
    {"icem", "improved CEM (iCEM): colored noise, shrinking population, kept elites, executes the best",
     [](SpecParams& p) { ParseIcem(p); }},
    {"mppi", "MPPI (TD-MPC2 form): exponentially weighted elites, optional policy-prior samples, executes the mean",
     [](SpecParams& p) { ParseMppi(p); }},
    {"rs", "random shooting: uniform sequences in the action box, executes the best",
     [](SpecParams& p) { ParseRs(p); }},
};

const PlannerRegistry& Planners() {
  static const PlannerRegistry* registry = [] {
    auto* r = new PlannerRegistry("planner");
    r->Register("cem", kEntries[0].help,
                [](SpecParams& p, const PlannerInputs& in, Executor& ex) -> std::unique_ptr<Planner> {
                  Cem::Options o = ParseCem(p);
                  o.common.seed = in.seed;
                  return std::make_unique<Cem>(Evaluator(p, in), ex, o);
                });
    r->Register("icem", kEntries[1].help,
                [](SpecParams& p, const PlannerInputs& in, Executor& ex) -> std::unique_ptr<Planner> {
                  Icem::Options o = ParseIcem(p);
                  o.common.seed = in.seed;
                  return std::make_unique<Icem>(Evaluator(p, in), ex, o);
                });
    r->Register("mppi", kEntries[2].help,
                [](SpecParams& p, const PlannerInputs& in, Executor& ex) -> std::unique_ptr<Planner> {
                  Mppi::Options o = ParseMppi(p);
                  o.common.seed = in.seed;
                  o.prior = in.prior;
                  return std::make_unique<Mppi>(Evaluator(p, in), ex, o);
                });
    r->Register("rs", kEntries[3].help,
                [](SpecParams& p, const PlannerInputs& in, Executor& ex) -> std::unique_ptr<Planner> {
                  RandomShooting::Options o = ParseRs(p);
                  o.common.seed = in.seed;
                  return std::make_unique<RandomShooting>(Evaluator(p, in), ex, o);
                });
    return r;
  }();
  return *registry;
}

}  // namespace

std::unique_ptr<Planner> MakePlanner(std::string_view spec, const PlannerInputs& inputs, Executor& executor) {
  return Planners().Create(spec, inputs, executor);
}

std::unique_ptr<PlannerBatch> MakePlannerBatch(std::string_view spec, const PlannerInputs& inputs, int64_t robots,
                                               Executor& executor) {
  if (robots > 1 && inputs.evaluator) {
    throw ConfigError(StrCat("planner batch '", spec, "': ", robots,
                             " robots need one evaluator each; pass PlannerInputs::model and ::objective instead of "
                             "an evaluator"));
  }
  return std::make_unique<PlannerBatch>(
      robots, [&](int64_t) { return MakePlanner(spec, inputs, executor); }, executor, inputs.seed);
}

std::vector<std::string> PlannerNames() { return Planners().Names(); }

std::string PlannerHelp(std::string_view name) {
  for (const Entry& e : kEntries) {
    if (name == e.name) {
      SpecParams p(FactorySpec{std::string(name), {}}, "planner");
      e.declare(p);
      ParseRollout(p);
      return StrCat(e.name, ": ", e.help, "\n", p.Help(), "  (rollout keys apply when planning on a model)\n");
    }
  }
  throw NotFoundError(StrCat("unknown planner '", name, "'; valid planners: ", Planners().JoinedNames()));
}

}  // namespace augur
