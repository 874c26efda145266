// PlanClient: a C++ client of the gRPC plan service. Every call returns a Status (gRPC's code and message)
// instead of throwing, so robot code can decide what a failure means; no gRPC type appears here.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "augur/core/budget.h"
#include "augur/serve/plan_service.h"
#include "augur/serve/status.h"

namespace augur::serve {

struct HealthInfo {
  bool serving = false;
  std::string version;
  int64_t sessions = 0;
  double uptime_s = 0.0;
};

class PlanClient {
 public:
  // Connects (lazily) to "host:port" over an insecure channel (loopback or a trusted network).
  explicit PlanClient(const std::string& target);
  ~PlanClient();
  PlanClient(const PlanClient&) = delete;
  PlanClient& operator=(const PlanClient&) = delete;

  // `deadline`: the call fails with DEADLINE_EXCEEDED when no answer came by then (none = wait).
  using Deadline = std::optional<Clock::time_point>;
  Status Reset(const std::string& robot_id, uint64_t seed, std::string_view planner = "", SessionInfo* info = nullptr,
               Deadline deadline = std::nullopt);
  Status SetState(const std::string& robot_id, std::span<const float> observation, double time,
                  Deadline deadline = std::nullopt);
  // With include_plan, out.plan is the plan the action came from; the client sends the id of the plan it
  // holds in `out`, and the server leaves the plan out when it has not changed (out.plan is kept).
  Status GetAction(const std::string& robot_id, double time, bool include_plan, ActionAnswer& out,
                   Deadline deadline = std::nullopt);
  Status Plan(const std::string& robot_id, const PlanOptions& options, PlanSnapshot* plan,
              Deadline deadline = std::nullopt);
  Status GetPlan(const std::string& robot_id, PlanSnapshot* plan, Deadline deadline = std::nullopt);
  Status Stats(const std::string& robot_id, ServiceStats* stats, Deadline deadline = std::nullopt);
  Status Health(HealthInfo* health, Deadline deadline = std::nullopt);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace augur::serve
