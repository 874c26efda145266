#include "augur/agents/agent.h"

#include <chrono>

#include "augur/core/error.h"
#include "augur/envs/policies.h"

namespace augur::agents {

void MpcAgent::Options::Validate() const {
  if (iterations < 0) throw ConfigError(StrCat("MpcAgent: iterations = ", iterations, " must be >= 0"));
  if (!(deadline_ms >= 0)) throw ConfigError(StrCat("MpcAgent: deadline_ms = ", deadline_ms, " must be >= 0"));
}

MpcAgent::MpcAgent(std::shared_ptr<Planner> planner, Options options)
    : planner_(std::move(planner)), options_(options) {
  if (!planner_) throw ConfigError("MpcAgent: planner is null; create one with MakePlanner");
  options_.Validate();
}

std::string MpcAgent::name() const { return "mpc(" + planner_->name() + ")"; }

void MpcAgent::Reset(uint64_t seed) { planner_->Reset(seed); }

Budget PlanBudget(int64_t iterations, double deadline_ms) {
  if (iterations < 0 || !(deadline_ms >= 0)) {
    throw ConfigError(StrCat("plan budget: iterations = ", iterations, " and deadline_ms = ", deadline_ms,
                             " must both be >= 0 (0 = the planner's own iters / no deadline)"));
  }
  Budget budget;
  budget.iterations = iterations;
  if (deadline_ms > 0) {
    budget.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double, std::milli>(deadline_ms));
  } else if (iterations == 0) {
    // Neither limit: the planner runs its spec's `iters`. Planners read a deadline-only budget that way; an
    // hour stands for "no deadline" (a Budget needs one of the two limits).
    budget.deadline = Clock::now() + std::chrono::hours(1);
  }
  return budget;
}

Budget MpcAgent::MakeBudget() const { return PlanBudget(options_.iterations, options_.deadline_ms); }

std::vector<float> MpcAgent::Act(std::span<const float> obs) {
  planner_->Plan(obs, MakeBudget(), last_plan_);
  return last_plan_.action;
}

PolicyAgent::PolicyAgent(std::unique_ptr<envs::Policy> policy) : policy_(std::move(policy)) {
  if (!policy_) throw ConfigError("PolicyAgent: policy is null");
}
PolicyAgent::~PolicyAgent() = default;

std::string PolicyAgent::name() const { return policy_->name(); }

void PolicyAgent::Reset(uint64_t seed) {
  rng_ = Rng(seed, /*stream=*/0x706f6c);
  policy_->BeginEpisode(rng_);
}

std::vector<float> PolicyAgent::Act(std::span<const float> obs) { return policy_->Act(obs, rng_); }

}  // namespace augur::agents
