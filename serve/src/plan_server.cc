#include "augur/serve/plan_server.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/support/method_handler.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include "augur/core/error.h"
#include "augur/core/version.h"
#include "augur/serve/augur_serve.grpc.pb.h"
#include "augur/serve/status.h"
#include "proto_convert.h"

namespace augur::serve {
namespace {

grpc::Status ToGrpc(const Status& status) {
  return status.ok() ? grpc::Status::OK
                     : grpc::Status(static_cast<grpc::StatusCode>(status.code), status.message);
}

// The Planner service with its requests taken as raw bytes: a request that does not parse is the client's
// error (INVALID_ARGUMENT with a message), not gRPC's default INTERNAL, and every exception of the service
// becomes its status code in one place (status.h).
class RawPlannerService : public grpc::Service {
 public:
  explicit RawPlannerService(std::shared_ptr<PlanService> service)
      : service_(std::move(service)), started_(Clock::now()) {
    Add<ResetRequest, ResetReply>("Reset", [this](const ResetRequest& req, ResetReply& reply) {
      const SessionInfo info = service_->Reset(req.robot_id(), req.seed(), req.planner());
      reply.set_obs_dim(info.obs_dim);
      reply.set_action_dim(info.action_dim);
      reply.set_horizon(info.horizon);
      reply.set_dt(info.dt);
      reply.set_planner(info.planner);
    });
    Add<SetStateRequest, SetStateReply>("SetState", [this](const SetStateRequest& req, SetStateReply& reply) {
      reply.set_state_version(service_->SetState(
          req.robot_id(), std::span<const float>(req.observation().data(), req.observation_size()), req.time()));
    });
    Add<GetActionRequest, GetActionReply>("GetAction", [this](const GetActionRequest& req, GetActionReply& reply) {
      thread_local ActionAnswer answer;
      service_->GetAction(req.robot_id(), req.time(), req.include_plan(), answer);
      reply.mutable_action()->Assign(answer.action.begin(), answer.action.end());
      reply.set_safe_action(answer.safe_action);
      reply.set_safety_reason(answer.safety_reason);
      reply.set_plan_id(answer.plan_id);
      reply.set_plan_time(answer.plan_time);
      reply.set_plan_index(answer.plan_index);
      reply.set_dt(service_->options().dt);
      if (answer.plan && answer.plan->id != req.known_plan_id()) {
        reply.mutable_plan()->Assign(answer.plan->actions.begin(), answer.plan->actions.end());
      }
      answer.plan.reset();
    });
    Add<PlanRequest, PlanReply>("Plan", [this](const PlanRequest& req, PlanReply& reply) {
      const auto plan = service_->Plan(req.robot_id(), {.iterations = req.iterations(),
                                                        .deadline_ms = req.deadline_ms(),
                                                        .reseed = req.reseed(),
                                                        .seed = req.seed(),
                                                        .warm_start = req.warm_start()});
      ToProto(*plan, reply);
    });
    Add<GetPlanRequest, PlanReply>("GetPlan", [this](const GetPlanRequest& req, PlanReply& reply) {
      ToProto(*service_->GetPlan(req.robot_id()), reply);
    });
    Add<StatsRequest, StatsReply>("Stats", [this](const StatsRequest& req, StatsReply& reply) {
      ToProto(service_->Stats(req.robot_id()), reply);
    });
    Add<HealthRequest, HealthReply>("Health", [this](const HealthRequest&, HealthReply& reply) {
      reply.set_serving(true);
      reply.set_version(AUGUR_VERSION);
      reply.set_sessions(service_->sessions());
      reply.set_uptime_s(std::chrono::duration<double>(Clock::now() - started_).count());
    });
    // Every method of the proto's service is served (a method added there without a handler fails here).
    const auto* descriptor = ResetRequest::descriptor()->file()->FindServiceByName("Planner");
    AUGUR_CHECK(descriptor != nullptr);
    AUGUR_CHECK_EQ(descriptor->method_count(), added_);
  }

 private:
  template <typename Request, typename Reply>
  void Add(const char* method, std::function<void(const Request&, Reply&)> body) {
    using Handler = grpc::internal::RpcMethodHandler<RawPlannerService, grpc::ByteBuffer, grpc::ByteBuffer>;
    const std::string name = StrCat("/", Planner::service_full_name(), "/", method);
    auto handler = [body = std::move(body)](RawPlannerService*, grpc::ServerContext*, const grpc::ByteBuffer* raw,
                                            grpc::ByteBuffer* out) -> grpc::Status {
      Request request;
      grpc::ByteBuffer bytes(*raw);
      if (bytes.Valid() && !grpc::SerializationTraits<Request>::Deserialize(&bytes, &request).ok()) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            StrCat("the request is not a valid ", Request::descriptor()->full_name(),
                                   " message (", raw->Length(), " bytes); send the message the method expects"));
      }
      Reply reply;
      const Status status = Guarded([&] { body(request, reply); });
      if (!status.ok()) return ToGrpc(status);
      bool own_buffer = false;
      return grpc::SerializationTraits<Reply>::Serialize(reply, out, &own_buffer);
    };
    AddMethod(new grpc::internal::RpcServiceMethod(names_.emplace_back(name).c_str(), grpc::internal::RpcMethod::NORMAL_RPC,
                                                   new Handler(handler, this)));
    ++added_;
  }

  std::shared_ptr<PlanService> service_;
  Clock::time_point started_;
  std::deque<std::string> names_;  // RpcServiceMethod keeps the name's pointer
  int added_ = 0;
};

}  // namespace

void ServerOptions::Validate() const {
  if (address.empty()) throw ConfigError("serve: address is empty; use 127.0.0.1 (loopback) or 0.0.0.0");
  if (port < 0 || port > 65535) throw ConfigError(StrCat("serve: port = ", port, " must be in [0, 65535] (0 = any free port)"));
  if (max_message_bytes < 1024) {
    throw ConfigError(StrCat("serve: max_message_bytes = ", max_message_bytes, " must be >= 1024"));
  }
  if (max_pollers < 1 || max_pollers > 1024) {
    throw ConfigError(StrCat("serve: max_pollers = ", max_pollers, " must be in [1, 1024]"));
  }
}

struct PlanServer::Impl {
  std::shared_ptr<PlanService> service;
  std::unique_ptr<RawPlannerService> grpc_service;
  std::unique_ptr<grpc::Server> server;
  std::string address;
  int port = 0;
  std::mutex mu;
  std::condition_variable cv;
  bool shutting_down = false, shut_down = false;
};

PlanServer::PlanServer(std::shared_ptr<PlanService> service, ServerOptions options) : impl_(std::make_unique<Impl>()) {
  if (!service) throw ConfigError("PlanServer: service is null");
  options.Validate();
  impl_->service = std::move(service);
  impl_->grpc_service = std::make_unique<RawPlannerService>(impl_->service);
  impl_->address = options.address;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(StrCat(options.address, ":", options.port), grpc::InsecureServerCredentials(),
                           &impl_->port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, options.max_pollers);
  builder.RegisterService(impl_->grpc_service.get());
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || impl_->port == 0) {
    throw IoError(StrCat("serve: cannot listen on ", options.address, ":", options.port,
                         "; is the port in use? pick another with --port (0 = any free port)"));
  }
}

PlanServer::~PlanServer() {
  Shutdown();
  Wait();
}

int PlanServer::port() const { return impl_->port; }
std::string PlanServer::target() const { return StrCat(impl_->address, ":", impl_->port); }

void PlanServer::Shutdown(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->shutting_down) return;
    impl_->shutting_down = true;
  }
  impl_->server->Shutdown(std::chrono::system_clock::now() + grace);
  impl_->server->Wait();
  impl_->service->Shutdown();
  {
    std::lock_guard lock(impl_->mu);
    impl_->shut_down = true;
  }
  impl_->cv.notify_all();
}

void PlanServer::Wait() {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return impl_->shut_down; });
}

}  // namespace augur::serve
