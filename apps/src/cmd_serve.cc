// augur serve: the gRPC plan service (serve/proto/augur_serve.proto) for robot stacks. One session per robot
// id, each replanning from its newest state on its own thread; GetAction answers from the latest plan through
// the safety filter. Prints "listening on HOST:PORT" once it accepts calls; SIGTERM or SIGINT shuts it down
// gracefully (calls in flight finish, planner threads stop) and it exits 0.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <pthread.h>

#include "augur/agents/model_loading.h"
#include "augur/core/error.h"
#include "augur/core/logging.h"
#include "augur/core/thread_priority.h"
#include "augur/envs/registry.h"
#include "augur/serve/plan_server.h"
#include "commands.h"

namespace augur::apps {

Command ServeCommand() {
  struct Args {
    std::string env = "Pendulum-v1", model = "true", planner = "icem:pop=100,elites=10,iters=3,horizon=15";
    std::string address = "127.0.0.1", safe_action = "hold";
    int port = 50051, session_threads = 1, max_sessions = 64, max_pollers = serve::ServerOptions{}.max_pollers;
    int64_t iterations = 0;
    bool foreground_planner = false;
    std::string planner_cpus = "auto", serve_cpus;
    double deadline_ms = 0, min_replan_period_ms = 0, max_rate = 0, max_state_age_ms = 500;
  };
  auto args = std::make_shared<Args>();
  return {"serve", "Serve plans over gRPC to robot stacks (augur.serve.Planner on HOST:PORT)",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("--env", args->env, "Environment id (spaces, action bounds, dt)")->capture_default_str();
            sub.add_option("--model", args->model, "'true' (the simulator), a checkpoint, or a TorchScript .pt file")
                ->capture_default_str();
            sub.add_option("--planner", args->planner,
                           "Default planner spec of new sessions (names and keys: augur plan --help, --planner-help)")
                ->capture_default_str();
            sub.add_option("--address", args->address, "Address to listen on (0.0.0.0: every interface)")
                ->capture_default_str();
            sub.add_option("--port", args->port, "Port (0 = any free port, printed on start)")
                ->check(CLI::Range(0, 65535))->capture_default_str();
            sub.add_option("--iterations", args->iterations, "Planner iterations per replan (0 = the spec's iters)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--deadline-ms", args->deadline_ms, "Wall-time budget per replan in ms (0 = none)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--min-replan-period-ms", args->min_replan_period_ms,
                           "Start replans of new states at most this often (0 = as soon as a state arrives)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--session-threads", args->session_threads, "Planner threads per robot session")
                ->check(CLI::PositiveNumber)->capture_default_str();
            sub.add_flag("--foreground-planner", args->foreground_planner,
                         "Plan at normal priority (default: the planner runs as SCHED_IDLE background work, so "
                         "GetAction never waits for it)");
            sub.add_option("--planner-cpus", args->planner_cpus,
                           "Cores for the planner threads: auto (of the cores this process may use, when 2 or more: "
                           "all but the first, and the threads answering calls on the first, so GetAction never "
                           "waits behind a planner), none "
                           "(the OS places every thread), or a list such as 1, 2,3 or 1-3")
                ->capture_default_str();
            sub.add_option("--serve-cpus", args->serve_cpus,
                           "Cores for the threads answering calls (default: the cores the planners do not get; "
                           "all cores with --planner-cpus none)");
            sub.add_option("--max-pollers", args->max_pollers,
                           "Most threads kept waiting for calls (more concurrent callers than this start and end "
                           "threads per call, which adds latency)")
                ->check(CLI::Range(1, 1024))->capture_default_str();
            sub.add_option("--max-sessions", args->max_sessions, "Most robot sessions at once")
                ->check(CLI::PositiveNumber)->capture_default_str();
            sub.add_option("--safe-action", args->safe_action,
                           "Served instead of an unsafe action: hold, zero or last_good_plan")
                ->check(CLI::IsMember({"hold", "zero", "last_good_plan"}))->capture_default_str();
            sub.add_option("--max-rate", args->max_rate, "Largest action change per second (0 = no limit)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            sub.add_option("--max-state-age-ms", args->max_state_age_ms,
                           "A state older than this is stale: the safe action is served (0 = no check)")
                ->check(CLI::NonNegativeNumber)->capture_default_str();
            return [args, &global] {
              // Block SIGTERM and SIGINT before any thread starts, so every thread inherits the mask and
              // this thread takes them with sigwait.
              sigset_t signals;
              sigemptyset(&signals);
              sigaddset(&signals, SIGTERM);
              sigaddset(&signals, SIGINT);
              pthread_sigmask(SIG_BLOCK, &signals, nullptr);

              // Affinity before any thread starts: gRPC's threads inherit this thread's cores.
              std::vector<int> planner_cpus, serve_cpus;
              if (args->planner_cpus == "auto") {
                // Of the cores this process may use (taskset, cgroups): the first answers calls, the rest plan.
                CoreSplit split = SplitCoresForServing();
                planner_cpus = std::move(split.plan);
                if (args->serve_cpus.empty()) serve_cpus = std::move(split.serve);
              } else if (args->planner_cpus != "none") {
                planner_cpus = ParseCores(args->planner_cpus, "--planner-cpus");
              }
              if (!args->serve_cpus.empty()) {
                serve_cpus = ParseCores(args->serve_cpus, "--serve-cpus");
              } else if (serve_cpus.empty() && !planner_cpus.empty()) {
                serve_cpus = OtherCores(planner_cpus);
                if (serve_cpus.empty()) {
                  throw ConfigError("--planner-cpus names every core; leave at least one for answering calls, or "
                                    "give --serve-cpus");
                }
              }
              if (!serve_cpus.empty() && !PinProcessThreads(serve_cpus)) {
                Log().warn("serve: could not pin the threads answering calls to cores {}", CoresText(serve_cpus));
              }

              auto env = envs::Make(args->env);
              const EnvSpec& spec = env->spec();
              serve::ServiceOptions options{.planner = args->planner,
                                            .dt = spec.dt,
                                            .iterations = args->iterations,
                                            .deadline_ms = args->deadline_ms,
                                            .min_replan_period_ms = args->min_replan_period_ms,
                                            .threads_per_session = args->session_threads,
                                            .max_sessions = args->max_sessions,
                                            .planner_background = !args->foreground_planner};
              if (const auto* box = std::get_if<Box>(&spec.action)) options.safety.bounds = *box;
              options.planner_cpus = planner_cpus;
              options.safety.max_rate = args->max_rate;
              options.safety.max_state_age_s = 1e-3 * args->max_state_age_ms;
              options.safety.safe_action = serve::ParseSafeAction(args->safe_action);
              auto service = std::make_shared<serve::PlanService>(
                  serve::ModelPlannerMaker(agents::LoadModelForEnv(args->model, *env)), options);
              serve::PlanServer server(service,
                                       {.address = args->address, .port = args->port, .max_pollers = args->max_pollers});
              std::printf("listening on %s\n", server.target().c_str());
              std::fflush(stdout);
              Log().info("serve: {} on {} with '{}' (model {}), safe action {}; planner cores {}, answering cores {}",
                         args->env, server.target(), args->planner, args->model, args->safe_action,
                         CoresText(planner_cpus), CoresText(serve_cpus));
              int signal = 0;
              sigwait(&signals, &signal);
              Log().info("serve: signal {}: shutting down", signal);
              server.Shutdown();
              const serve::ServiceStats stats = service->Stats();
              if (global.json) {
                std::printf("%s\n", nlohmann::json{{"plans", stats.plans},
                                                   {"get_action_calls", stats.get_action_calls},
                                                   {"safety_events", stats.safety_events()},
                                                   {"deadline_misses", stats.deadline_misses}}
                                        .dump()
                                        .c_str());
              }
              Log().info("serve: stopped after {} plans and {} GetAction calls", stats.plans, stats.get_action_calls);
            };
          }};
}

}  // namespace augur::apps
