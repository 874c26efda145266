#include "augur/serve/plan_client.h"

#include <grpcpp/grpcpp.h>

#include "augur/serve/augur_serve.grpc.pb.h"
#include "proto_convert.h"

namespace augur::serve {
namespace {

Status FromGrpc(const grpc::Status& status) {
  return {static_cast<StatusCode>(status.error_code()), status.error_message()};
}

}  // namespace

struct PlanClient::Impl {
  std::unique_ptr<Planner::Stub> stub;

  // One unary call with its own context and the deadline converted to the system clock gRPC uses.
  template <typename Request, typename Reply>
  grpc::Status Call(grpc::Status (Planner::Stub::*method)(grpc::ClientContext*, const Request&, Reply*),
                    const Request& request, Reply& reply, Deadline deadline) {
    grpc::ClientContext context;
    if (deadline) {
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::duration_cast<std::chrono::system_clock::duration>(*deadline - Clock::now()));
    }
    return (stub.get()->*method)(&context, request, &reply);
  }

  // A call whose reply, when it succeeds and the caller wants it, converts into *out (FromProto).
  template <typename Request, typename Reply, typename Out>
  Status CallInto(grpc::Status (Planner::Stub::*method)(grpc::ClientContext*, const Request&, Reply*),
                  const Request& request, Out* out, Deadline deadline) {
    Reply reply;
    const grpc::Status status = Call(method, request, reply, deadline);
    if (status.ok() && out) FromProto(reply, *out);
    return FromGrpc(status);
  }
};

PlanClient::PlanClient(const std::string& target) : impl_(std::make_unique<Impl>()) {
  impl_->stub = Planner::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
}

PlanClient::~PlanClient() = default;

Status PlanClient::Reset(const std::string& robot_id, uint64_t seed, std::string_view planner, SessionInfo* info,
                         Deadline deadline) {
  ResetRequest request;
  request.set_robot_id(robot_id);
  request.set_seed(seed);
  request.set_planner(std::string(planner));
  ResetReply reply;
  const grpc::Status status = impl_->Call(&Planner::Stub::Reset, request, reply, deadline);
  if (status.ok() && info) {
    *info = {reply.obs_dim(), reply.action_dim(), reply.horizon(), reply.dt(), reply.planner()};
  }
  return FromGrpc(status);
}

Status PlanClient::SetState(const std::string& robot_id, std::span<const float> observation, double time,
                            Deadline deadline) {
  SetStateRequest request;
  request.set_robot_id(robot_id);
  request.mutable_observation()->Assign(observation.begin(), observation.end());
  request.set_time(time);
  SetStateReply reply;
  return FromGrpc(impl_->Call(&Planner::Stub::SetState, request, reply, deadline));
}

Status PlanClient::GetAction(const std::string& robot_id, double time, bool include_plan, ActionAnswer& out,
                             Deadline deadline) {
  GetActionRequest request;
  request.set_robot_id(robot_id);
  request.set_time(time);
  request.set_include_plan(include_plan);
  if (include_plan && out.plan) request.set_known_plan_id(out.plan->id);
  GetActionReply reply;
  const grpc::Status status = impl_->Call(&Planner::Stub::GetAction, request, reply, deadline);
  if (!status.ok()) return FromGrpc(status);
  out.action.assign(reply.action().begin(), reply.action().end());
  out.safe_action = reply.safe_action();
  out.safety_reason = reply.safety_reason();
  out.plan_id = reply.plan_id();
  out.plan_time = reply.plan_time();
  out.plan_index = reply.plan_index();
  if (!include_plan) {
    out.plan.reset();
  } else if (reply.plan_size() > 0) {
    auto plan = std::make_shared<PlanSnapshot>();
    plan->id = reply.plan_id();
    plan->time = reply.plan_time();
    plan->dt = reply.dt();
    plan->action_dim = reply.action_size();
    plan->horizon = plan->action_dim > 0 ? reply.plan_size() / plan->action_dim : 0;
    plan->actions.assign(reply.plan().begin(), reply.plan().end());
    out.plan = std::move(plan);
  }
  return {};
}

Status PlanClient::Plan(const std::string& robot_id, const PlanOptions& options, PlanSnapshot* plan,
                        Deadline deadline) {
  PlanRequest request;
  request.set_robot_id(robot_id);
  request.set_iterations(options.iterations);
  request.set_deadline_ms(options.deadline_ms);
  request.set_reseed(options.reseed);
  request.set_seed(options.seed);
  request.set_warm_start(options.warm_start);
  return impl_->CallInto(&Planner::Stub::Plan, request, plan, deadline);
}

Status PlanClient::GetPlan(const std::string& robot_id, PlanSnapshot* plan, Deadline deadline) {
  GetPlanRequest request;
  request.set_robot_id(robot_id);
  return impl_->CallInto(&Planner::Stub::GetPlan, request, plan, deadline);
}

Status PlanClient::Stats(const std::string& robot_id, ServiceStats* stats, Deadline deadline) {
  StatsRequest request;
  request.set_robot_id(robot_id);
  return impl_->CallInto(&Planner::Stub::Stats, request, stats, deadline);
}

Status PlanClient::Health(HealthInfo* health, Deadline deadline) {
  HealthReply reply;
  const grpc::Status status = impl_->Call(&Planner::Stub::Health, HealthRequest(), reply, deadline);
  if (status.ok() && health) *health = {reply.serving(), reply.version(), reply.sessions(), reply.uptime_s()};
  return FromGrpc(status);
}

}  // namespace augur::serve
