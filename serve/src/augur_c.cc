// The C API over agents/ (model loading, MakeAnyPlanner): every entry point runs inside Call(), which turns
// exceptions into status codes (serve/status.h, the one mapping) and keeps the message per thread.
#include "augur/augur_c.h"

#include <algorithm>
#include <memory>
#include <string>

#include "augur/agents/agent.h"
#include "augur/agents/model_loading.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/version.h"
#include "augur/envs/registry.h"
#include "augur/serve/plan_service.h"
#include "augur/serve/status.h"

struct augur_model {
  std::shared_ptr<const augur::WorldModel> model;
  int64_t obs_dim = 0, action_dim = 0;
};

struct augur_planner {
  std::unique_ptr<augur::Executor> executor;  // declared first: the planner uses it until destroyed
  std::unique_ptr<augur::Planner> planner;
  augur::PlanResult result;
};

namespace {

using augur::ConfigError;
using augur::StrCat;

std::string& LastError() {
  thread_local std::string message;
  return message;
}

template <typename F>
augur_status Call(F&& f) noexcept {
  const augur::serve::Status status = augur::serve::Guarded(std::forward<F>(f));
  try {
    LastError() = status.message;
  } catch (...) {
  }
  return static_cast<augur_status>(status.code);
}

template <typename T>
void Require(const T* pointer, const char* what) {
  if (pointer == nullptr) throw ConfigError(StrCat(what, " is NULL"));
}

}  // namespace

extern "C" {

const char* augur_version(void) { return AUGUR_VERSION; }

int augur_version_number(void) {
  return AUGUR_VERSION_MAJOR * 10000 + AUGUR_VERSION_MINOR * 100 + AUGUR_VERSION_PATCH;
}

const char* augur_status_name(augur_status status) {
  return augur::serve::StatusCodeName(static_cast<augur::serve::StatusCode>(status));
}

const char* augur_last_error(void) { return LastError().c_str(); }

augur_status augur_model_load(const char* path, const char* env_id, augur_model** out) {
  return Call([&] {
    Require(out, "augur_model_load: out");
    *out = nullptr;
    Require(path, "augur_model_load: path");
    Require(env_id, "augur_model_load: env_id");
    const auto env = augur::envs::Make(env_id);
    auto model = std::make_unique<augur_model>();
    model->model = augur::agents::LoadModelForEnv(path, *env);
    model->obs_dim = env->spec().obs_dim();
    model->action_dim = env->spec().action_dim();
    *out = model.release();
  });
}

void augur_model_free(augur_model* model) { delete model; }

augur_status augur_model_dims(const augur_model* model, int64_t* obs_dim, int64_t* action_dim) {
  return Call([&] {
    Require(model, "augur_model_dims: model");
    if (obs_dim) *obs_dim = model->obs_dim;
    if (action_dim) *action_dim = model->action_dim;
  });
}

augur_status augur_planner_create(const augur_model* model, const char* spec, uint64_t seed, int threads,
                                  augur_planner** out) {
  return Call([&] {
    Require(out, "augur_planner_create: out");
    *out = nullptr;
    Require(model, "augur_planner_create: model");
    Require(spec, "augur_planner_create: spec");
    if (threads < 1) throw ConfigError(StrCat("augur_planner_create: threads = ", threads, " must be >= 1"));
    auto planner = std::make_unique<augur_planner>();
    planner->executor = std::make_unique<augur::Executor>(threads);
    planner->planner = augur::serve::ModelPlannerMaker(model->model)(spec, seed, *planner->executor);
    *out = planner.release();
  });
}

void augur_planner_free(augur_planner* planner) { delete planner; }

augur_status augur_planner_dims(const augur_planner* planner, int64_t* obs_dim, int64_t* action_dim,
                                int64_t* horizon) {
  return Call([&] {
    Require(planner, "augur_planner_dims: planner");
    if (obs_dim) *obs_dim = planner->planner->obs_dim();
    if (action_dim) *action_dim = planner->planner->action_dim();
    if (horizon) *horizon = planner->planner->horizon();
  });
}

augur_status augur_planner_reset(augur_planner* planner, uint64_t seed) {
  return Call([&] {
    Require(planner, "augur_planner_reset: planner");
    planner->planner->Reset(seed);
  });
}

augur_status augur_planner_plan(augur_planner* planner, const float* obs, size_t obs_len, int64_t iterations,
                                double deadline_ms, float* action, size_t action_len, float* plan, size_t plan_len,
                                augur_plan_info* info) {
  return Call([&] {
    Require(planner, "augur_planner_plan: planner");
    Require(obs, "augur_planner_plan: obs");
    Require(action, "augur_planner_plan: action");
    augur::Planner& p = *planner->planner;
    const size_t action_dim = static_cast<size_t>(p.action_dim());
    const size_t plan_size = static_cast<size_t>(p.horizon()) * action_dim;
    if (action_len < action_dim) {
      throw augur::ShapeError(StrCat("augur_planner_plan: action_len = ", action_len, " but the planner's actions have ",
                                     action_dim, " values"));
    }
    if (plan != nullptr && plan_len < plan_size) {
      throw augur::ShapeError(StrCat("augur_planner_plan: plan_len = ", plan_len, " but the plan has horizon x action_dim = ",
                                     plan_size, " values; pass a larger buffer or plan = NULL"));
    }
    p.Plan(std::span<const float>(obs, obs_len), augur::agents::PlanBudget(iterations, deadline_ms), planner->result);
    const augur::PlanResult& r = planner->result;
    std::copy(r.action.begin(), r.action.end(), action);
    if (plan != nullptr) std::copy(r.plan.begin(), r.plan.begin() + static_cast<std::ptrdiff_t>(plan_size), plan);
    if (info != nullptr) {
      *info = {r.iterations, r.evaluations, r.seconds, r.predicted_return, r.cut_short ? 1 : 0};
    }
  });
}

}  // extern "C"
