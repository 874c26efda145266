// The gRPC plan service with real parts: a server on 127.0.0.1 (a free port), the C++ client, every method,
// bad input on the wire, and a bounded load test. The Python client test is python_client_test.py.
#include "augur/serve/plan_server.h"

#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "augur/core/system_info.h"
#include "augur/serve/plan_client.h"
#include "serve_test_util.h"

namespace augur::serve {
namespace {

using testing::PendulumServer;

const std::vector<float> kObs = {1.f, 0.f, 0.f};  // cos, sin, angular velocity: upright, at rest

TEST(PlanServerTest, EveryMethodRoundTrips) {
  PendulumServer s;
  PlanClient client(s.server->target());
  HealthInfo health;
  ASSERT_TRUE(client.Health(&health).ok());
  EXPECT_TRUE(health.serving);
  EXPECT_FALSE(health.version.empty());

  SessionInfo info;
  const Status reset = client.Reset("arm", 7, "", &info);
  ASSERT_TRUE(reset.ok()) << reset.message;
  EXPECT_EQ(info.obs_dim, 3);
  EXPECT_EQ(info.action_dim, 1);
  EXPECT_EQ(info.horizon, 8);
  EXPECT_DOUBLE_EQ(info.dt, 0.05);
  EXPECT_EQ(info.planner, testing::kPendulumPlanner);

  ASSERT_TRUE(client.SetState("arm", kObs, 0.0).ok());
  PlanSnapshot plan;
  const Status planned = client.Plan("arm", {.iterations = 2}, &plan);
  ASSERT_TRUE(planned.ok()) << planned.message;
  EXPECT_EQ(plan.horizon, 8);
  EXPECT_EQ(plan.actions.size(), 8u);
  EXPECT_EQ(plan.iterations, 2);
  EXPECT_DOUBLE_EQ(plan.dt, 0.05);
  EXPECT_EQ(plan.predicted_states.size(), 9u * 3u);  // (horizon + 1) x state dim: the predicted trajectory
  for (float a : plan.actions) EXPECT_TRUE(a >= -2.f && a <= 2.f) << a;

  ActionAnswer answer;
  ASSERT_TRUE(client.GetAction("arm", 0.0, /*include_plan=*/true, answer).ok());
  ASSERT_EQ(answer.action.size(), 1u);
  EXPECT_FALSE(answer.safe_action);
  ASSERT_TRUE(answer.plan);
  EXPECT_EQ(answer.plan->id, answer.plan_id);
  EXPECT_EQ(answer.plan->actions.size(), 8u);
  EXPECT_FLOAT_EQ(answer.action[0], answer.plan->actions[0]);
  // The client holds that plan: the server leaves it out and the client keeps it.
  const auto held = answer.plan;
  ASSERT_TRUE(client.GetAction("arm", 0.1, true, answer).ok());
  if (answer.plan_id == held->id) {
    EXPECT_EQ(answer.plan.get(), held.get());
  }
  EXPECT_FLOAT_EQ(answer.action[0], answer.plan->actions[2]);  // t = 0.1 is step 2 at dt = 0.05

  PlanSnapshot latest;
  ASSERT_TRUE(client.GetPlan("arm", &latest).ok());
  EXPECT_GE(latest.id, plan.id);
  ServiceStats stats;
  ASSERT_TRUE(client.Stats("arm", &stats).ok());
  EXPECT_GE(stats.plans, 1);
  EXPECT_EQ(stats.get_action_calls, 2);
  EXPECT_EQ(stats.sessions, 1);
  EXPECT_GT(stats.last_plan_latency_ms, 0.0);
}

// Sends raw bytes as the request of `method` and returns the status.
grpc::Status SendBytes(const std::string& target, const std::string& method, const std::string& bytes) {
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Status result;
  stub.UnaryCall(&context, "/augur.serve.Planner/" + method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status status) {
                   std::lock_guard lock(mu);
                   result = std::move(status);
                   done = true;
                   cv.notify_all();
                 });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  return result;
}

TEST(PlanServerTest, BadInputIsRefusedWithAMessageAndOthersKeepBeingServed) {
  PendulumServer s;
  PlanClient client(s.server->target());
  ASSERT_TRUE(client.Reset("good", 0).ok());
  ASSERT_TRUE(client.SetState("good", kObs, 0.0).ok());
  ASSERT_TRUE(client.Plan("good", {}, nullptr).ok());

  // Garbage bytes in place of a message.
  for (const char* method : {"Reset", "SetState", "GetAction", "Plan", "GetPlan", "Stats", "Health"}) {
    const grpc::Status status = SendBytes(s.server->target(), method, "\xff\xff\xff\xff garbage \x01\x02");
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << method << ": " << status.error_message();
    EXPECT_NE(status.error_message().find("not a valid augur.serve."), std::string::npos) << status.error_message();
  }
  // Garbage bytes on a raw TCP connection (not even HTTP/2).
  {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(s.server->port()));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const std::string junk(4096, '\x5a');
    EXPECT_GT(::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL), 0);
    ::close(fd);
  }

  ActionAnswer answer;
  Status status = client.GetAction("nobody", 0.0, false, answer);
  EXPECT_EQ(status.code, StatusCode::kNotFound);
  EXPECT_NE(status.message.find("nobody"), std::string::npos) << status.message;
  status = client.SetState("nobody", kObs, 0.0);
  EXPECT_EQ(status.code, StatusCode::kNotFound);

  status = client.SetState("good", std::vector<float>{1.f, 0.f}, 0.0);
  EXPECT_EQ(status.code, StatusCode::kInvalidArgument);
  EXPECT_NE(status.message.find("2 values"), std::string::npos) << status.message;

  status = client.SetState("bad", kObs, 0.0);
  EXPECT_EQ(status.code, StatusCode::kNotFound);
  ASSERT_TRUE(client.Reset("bad", 0).ok());
  status = client.SetState("bad", std::vector<float>{NAN, 0.f, 0.f}, 0.0);
  EXPECT_EQ(status.code, StatusCode::kInvalidArgument);
  EXPECT_NE(status.message.find("not finite"), std::string::npos) << status.message;
  status = client.GetAction("bad", 0.0, false, answer);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(answer.safe_action);
  EXPECT_EQ(answer.safety_reason, "nan_state");

  status = client.Reset("other", 0, "nosuchplanner:pop=3");
  EXPECT_EQ(status.code, StatusCode::kNotFound);
  EXPECT_NE(status.message.find("nosuchplanner"), std::string::npos) << status.message;
  status = client.Reset("other", 0, "icem:pop=32,nosuchkey=1");
  EXPECT_EQ(status.code, StatusCode::kInvalidArgument);
  EXPECT_NE(status.message.find("nosuchkey"), std::string::npos) << status.message;
  ASSERT_TRUE(client.Reset("fresh", 0).ok());
  status = client.Plan("fresh", {}, nullptr);
  EXPECT_EQ(status.code, StatusCode::kFailedPrecondition) << status.message;
  status = client.Plan("good", {.iterations = -3}, nullptr);
  EXPECT_EQ(status.code, StatusCode::kInvalidArgument) << status.message;

  // The well-behaved robot is still served.
  ASSERT_TRUE(client.SetState("good", kObs, 0.05).ok());
  status = client.GetAction("good", 0.05, false, answer);
  ASSERT_TRUE(status.ok()) << status.message;
  EXPECT_FALSE(answer.safe_action);
  HealthInfo health;
  ASSERT_TRUE(PlanClient(s.server->target()).Health(&health).ok());
  EXPECT_TRUE(health.serving);
}

TEST(PlanServerTest, ShutdownFinishesAndRefusesNewCalls) {
  PendulumServer s;
  const std::string target = s.server->target();
  PlanClient client(target);
  ASSERT_TRUE(client.Reset("r", 0).ok());
  s.server->Shutdown();
  s.server->Wait();
  const Status status = client.Health(nullptr, Clock::now() + std::chrono::seconds(2));
  EXPECT_FALSE(status.ok());
  ServerOptions bad_port;
  bad_port.port = 70000;
  EXPECT_THROW(PlanServer(s.service, bad_port), ConfigError);
  ServerOptions no_pollers;
  no_pollers.max_pollers = 0;
  try {
    PlanServer server(s.service, no_pollers);
    FAIL() << "max_pollers = 0 must be refused";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("max_pollers = 0"), std::string::npos) << e.what();
  }
}

int64_t LoadCalls() {
  const char* env = std::getenv("AUGUR_SERVE_LOAD_CALLS");
  return env ? std::max(1L, std::atol(env)) : 10000;
}

// 8 concurrent clients x LoadCalls() GetAction calls while a replanning loop sends a new state every 10 ms:
// zero errors, and resident memory flat from warm-up to the end. Prints p50/p99 (not checked: timing).
TEST(PlanServerTest, LoadOfEightClientsWithReplanning) {
  PendulumServer s;
  const std::string target = s.server->target();
  PlanClient control(target);
  ASSERT_TRUE(control.Reset("load", 0).ok());
  ASSERT_TRUE(control.SetState("load", kObs, 0.0).ok());
  ASSERT_TRUE(control.Plan("load", {}, nullptr).ok());

  constexpr int kClients = 8;
  const int64_t calls = LoadCalls();
  std::atomic<bool> stop{false};
  std::atomic<int64_t> errors{0}, states{0};
  std::atomic<double> robot_time{0.0};
  std::thread replanner([&] {
    PlanClient client(target);
    for (int64_t i = 1; !stop.load(); ++i) {
      const double t = 0.05 * static_cast<double>(i);
      const float angle = static_cast<float>(0.3 * std::sin(t));
      if (!client.SetState("load", std::vector<float>{std::cos(angle), std::sin(angle), 0.f}, t).ok()) ++errors;
      robot_time.store(t);
      ++states;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  auto run_clients = [&](int64_t per_client, std::vector<double>* latencies) {
    std::vector<std::thread> threads;
    std::vector<std::vector<double>> per(kClients);
    for (int c = 0; c < kClients; ++c) {
      threads.emplace_back([&, c] {
        PlanClient client(target);
        ActionAnswer answer;
        per[c].reserve(per_client);
        for (int64_t i = 0; i < per_client; ++i) {
          const auto start = Clock::now();
          const Status status = client.GetAction("load", robot_time.load(), false, answer);
          per[c].push_back(std::chrono::duration<double>(Clock::now() - start).count());
          if (!status.ok() || answer.action.size() != 1 || !(std::abs(answer.action[0]) <= 2.f)) ++errors;
        }
      });
    }
    for (auto& t : threads) t.join();
    if (latencies) {
      for (auto& p : per) latencies->insert(latencies->end(), p.begin(), p.end());
    }
  };
  run_clients(200, nullptr);  // warm-up: channels, thread pools, allocator
  const long rss_before = ResidentMemoryBytes();
  std::vector<double> latencies;
  run_clients(calls, &latencies);
  const long rss_after = ResidentMemoryBytes();
  stop.store(true);
  replanner.join();

  ServiceStats stats;
  ASSERT_TRUE(control.Stats("load", &stats).ok());
  std::sort(latencies.begin(), latencies.end());
  const double p50 = latencies[latencies.size() / 2], p99 = latencies[latencies.size() * 99 / 100];
  std::printf("load: %d clients x %lld GetAction, %lld states sent, %lld plans: p50 %.0f us, p99 %.0f us; "
              "RSS %.1f MiB before, %.1f MiB after\n",
              kClients, static_cast<long long>(calls), static_cast<long long>(states.load()),
              static_cast<long long>(stats.plans), 1e6 * p50, 1e6 * p99, rss_before / 1048576.0,
              rss_after / 1048576.0);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(static_cast<int64_t>(latencies.size()), kClients * calls);
  EXPECT_GE(stats.get_action_calls, kClients * (calls + 200));
  EXPECT_GT(stats.plans, 1);
  // Flat: a leak of one small allocation per call would add megabytes over the calls.
  EXPECT_LT(rss_after - rss_before, 32L << 20) << "RSS grew from " << rss_before << " to " << rss_after;
}

}  // namespace
}  // namespace augur::serve
