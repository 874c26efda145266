// Robot-stack integration end to end: Pendulum-v1 driven at a fixed rate through augur's gRPC plan service.
// The service runs in this process on 127.0.0.1 (in a robot stack it is `augur serve` on another machine or
// process); the robot side is a FixedRateLoop that each period sends the state, gets the action by its
// deadline (falling back to the previous plan when late) and applies it.
//   augur_robot_loop [--quick] [--model CKPT]     (default model: the true simulator, no training)
#include <augur/augur.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  bool quick = false;
  std::string model = "true";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") quick = true;
    if (arg == "--model" && i + 1 < argc) model = argv[++i];
  }
  try {
    auto env = augur::envs::Make("Pendulum-v1");
    const augur::Box bounds = std::get<augur::Box>(env->spec().action);

    // The service: one planner thread per robot, replanning from each new state.
    augur::serve::ServiceOptions options{.planner = "icem:pop=100,elites=10,iters=3,horizon=15",
                                         .dt = env->spec().dt};
    options.safety.bounds = bounds;
    options.safety.max_state_age_s = 0.2;
    auto service = std::make_shared<augur::serve::PlanService>(
        augur::serve::ModelPlannerMaker(augur::agents::LoadModelForEnv(model, *env)), options);
    augur::serve::PlanServer server(service, {.address = "127.0.0.1", .port = 0});

    // The robot: a gRPC client and a loop at the pendulum's own rate (dt = 0.05 s: 20 Hz).
    augur::serve::PlanClient client(server.target());
    const augur::serve::Status reset = client.Reset("pendulum", /*seed=*/0);
    if (!reset.ok()) {
      std::fprintf(stderr, "reset failed: %s\n", reset.message.c_str());
      return 1;
    }
    augur::serve::ClientActionSource source(client, "pendulum");
    augur::serve::FixedRateLoop loop(source, {.rate_hz = 1.0 / env->spec().dt, .action_dim = 1, .bounds = bounds});
    std::vector<float> obs = env->Reset(/*seed=*/0);
    double ret = 0;
    const int64_t steps = quick ? 20 : 200;
    loop.Run(
        steps, [&](std::span<float> out) { std::copy(obs.begin(), obs.end(), out.begin()); },
        [&](std::span<const float> action) {
          const augur::envs::StepResult step = env->Step(action);
          ret += step.reward;
          obs = step.observation;
        },
        env->spec().obs_dim());

    const augur::serve::LoopStats& stats = loop.stats();
    const augur::serve::ServiceStats served = service->Stats();
    std::printf("Pendulum-v1 over gRPC at %.0f Hz (%s model): return %.1f over %lld steps\n", 1.0 / env->spec().dt,
                model.c_str(), ret, static_cast<long long>(steps));
    std::printf("loop: %lld late (%lld from the previous plan), %lld overruns, action p50 %.2f ms, p99 %.2f ms\n",
                static_cast<long long>(stats.misses), static_cast<long long>(stats.fallbacks),
                static_cast<long long>(stats.overruns), 1e3 * stats.LatencyQuantile(0.5),
                1e3 * stats.LatencyQuantile(0.99));
    std::printf("service: %lld plans, %.1f plans/s, last plan %.2f ms, %lld safety events\n",
                static_cast<long long>(served.plans), served.plans_per_second, served.last_plan_latency_ms,
                static_cast<long long>(served.safety_events()));
    server.Shutdown();
    return 0;
  } catch (const augur::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
