// Test helper for the gRPC plan service: a real server on 127.0.0.1 (a free port) planning with the true
// Pendulum-v1 simulator as its model.
#pragma once

#include <memory>

#include "augur/envs/env_model.h"
#include "augur/envs/registry.h"
#include "augur/serve/plan_server.h"

namespace augur::serve::testing {

// A small, fast iCEM over the true pendulum (no training needed).
inline constexpr const char* kPendulumPlanner = "icem:pop=32,elites=4,iters=2,horizon=8";

inline ServiceOptions PendulumOptions() {
  ServiceOptions options{.planner = kPendulumPlanner, .dt = 0.05};
  options.safety.bounds = Box::Uniform(1, -2.f, 2.f);
  options.safety.max_state_age_s = 0;  // tests send states at their own pace
  return options;
}

struct PendulumServer {
  explicit PendulumServer(ServiceOptions options = PendulumOptions()) {
    auto env = envs::Make("Pendulum-v1");
    service = std::make_shared<PlanService>(ModelPlannerMaker(std::make_shared<envs::EnvModel>(*env)), options);
    server = std::make_unique<PlanServer>(service, ServerOptions{.address = "127.0.0.1", .port = 0});
  }
  std::shared_ptr<PlanService> service;
  std::unique_ptr<PlanServer> server;
};

}  // namespace augur::serve::testing
