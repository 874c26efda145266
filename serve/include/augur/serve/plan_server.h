// PlanServer: the gRPC `augur.serve.Planner` service (serve/proto/augur_serve.proto) over a PlanService.
// No gRPC type appears here, so users of this header need no gRPC headers.
//
//   auto service = std::make_shared<augur::serve::PlanService>(augur::serve::ModelPlannerMaker(model), options);
//   augur::serve::PlanServer server(service, {.address = "127.0.0.1", .port = 0});
//   std::printf("listening on %s\n", server.target().c_str());
//   server.Wait();   // until Shutdown() from another thread (augur serve calls it on SIGTERM)
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "augur/serve/plan_service.h"

namespace augur::serve {

struct ServerOptions {
  std::string address = "127.0.0.1";  // loopback by default; "0.0.0.0" to listen on every interface
  int port = 0;                       // 0 = a free port, see PlanServer::port()
  int max_message_bytes = 4 << 20;    // larger requests are refused by gRPC (RESOURCE_EXHAUSTED)
  // Most threads kept waiting for calls (gRPC's sync-server MAX_POLLERS). gRPC's default, 2, makes a server
  // with more concurrent callers start and end a thread every few calls (measured: ~17,000 thread starts for
  // ~66,000 calls from 8 clients), which shows as latency tails; threads up to this count stay and wait.
  int max_pollers = 16;
  void Validate() const;
};

class PlanServer {
 public:
  // Starts listening. Throws IoError when the address cannot be bound, ConfigError on bad options.
  PlanServer(std::shared_ptr<PlanService> service, ServerOptions options);
  ~PlanServer();  // Shutdown()
  PlanServer(const PlanServer&) = delete;
  PlanServer& operator=(const PlanServer&) = delete;

  int port() const;
  std::string target() const;  // "address:port", what a client connects to
  // Stops accepting calls, lets calls in flight finish (cancelled after `grace`), then stops the planner
  // threads. Idempotent; safe from any thread but a handler's.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  // Blocks until Shutdown() has completed.
  void Wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace augur::serve
