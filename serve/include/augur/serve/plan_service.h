// PlanService: the plan service without any transport (the gRPC server and in-process robot code sit on it).
//
// One session per robot id, each with its own planner, executor and planner thread. The thread keeps
// replanning from the newest state, once per new state (planners shift their warm start by one step per plan,
// which matches a robot sending one state per control step); each finished plan is published
// by swapping one shared pointer, so GetAction never waits for the planner: it reads the latest plan, indexes
// it by time since the plan's state (action k holds for [t0 + k*dt, t0 + (k+1)*dt)), and passes the action
// through the session's SafetyFilter. Explicit Plan() calls (a budget, a seed, warm start or not) run on the
// same thread between replans, so a planner is only ever touched by its own thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "augur/core/executor.h"
#include "augur/core/planner.h"
#include "augur/core/world_model.h"
#include "augur/serve/safety.h"

namespace augur::serve {

// Builds the planner of a new session (spec, seed, the session's executor). Throws like MakeAnyPlanner.
using PlannerMaker =
    std::function<std::unique_ptr<augur::Planner>(const std::string& spec, uint64_t seed, Executor& executor)>;
// Planners of any family (agents' MakeAnyPlanner) over one shared model.
PlannerMaker ModelPlannerMaker(std::shared_ptr<const WorldModel> model);

struct ServiceOptions {
  std::string planner;             // default planner spec of new sessions
  double dt = 0.05;                // robot seconds per plan step (the env's dt; Pendulum-v1: 0.05)
  int64_t iterations = 0;          // planner iterations per replan; 0 = the spec's iters
  double deadline_ms = 0.0;        // wall-time budget per replan; 0 = none
  // Replans triggered by a new state start at most this often (a fixed planning rate, e.g. 40 ms = 25 Hz);
  // 0 = replan as soon as a new state arrives. Plan requests never wait. On a machine with fewer cores than
  // busy threads, a planner that never leaves a core idle delays every thread that wakes up (GetAction
  // included) by up to a scheduler tick, whatever its priority: see serve/README.md.
  double min_replan_period_ms = 0.0;
  int threads_per_session = 1;     // executor threads of each session's planner
  int max_sessions = 64;           // a Reset of one robot more -> RangeError (OUT_OF_RANGE)
  // Each session's planner thread runs in Linux's SCHED_IDLE class: planning is background work and serving actions is not, so a thread
  // answering GetAction preempts the planner the moment it wakes, however many threads are busy. Measured
  // with augur_serve_bench on 2 idle cores, 8 clients + replanning: see serve/README.md. With
  // threads_per_session > 1 the executor's TBB workers, shared with the rest of the process, keep their priority.
  bool planner_background = true;
  // With planner_background = false: niceness of each session's planner thread (Linux, per thread;
  // 0 = unchanged, up to 19). Nice 19 still lets the planner finish its time slice before a woken
  // GetAction thread runs (p99/p50 6.5 in the measurement above, against 13.5 at nice 0).
  int planner_nice = 19;
  // Cores the session planner threads may run on (Linux CPU numbers; empty = wherever the scheduler puts
  // them). Robot stacks isolate real-time work this way: with the planners on their own core(s) and the
  // threads answering GetAction kept off them (e.g. `taskset -c 0 augur serve --planner-cpus 1`), a planner
  // never delays an answer.
  std::vector<int> planner_cpus;
  SafetyOptions safety;
  // Throws ConfigError naming the bad field.
  void Validate() const;
};

// A published plan. Immutable once published: readers hold it by shared pointer.
struct PlanSnapshot {
  uint64_t id = 0;                      // 1, 2, ... per session
  double time = 0.0;                    // robot time of the state it was planned from
  double dt = 0.0;                      // robot seconds per plan step
  uint64_t state_version = 0;
  int64_t horizon = 0, action_dim = 0;
  std::vector<float> actions;           // [horizon * action_dim]
  std::vector<float> predicted_states;  // [(horizon + 1) * state_dim] or empty
  double predicted_return = 0.0;
  int64_t iterations = 0;
  double latency_s = 0.0;
  bool cut_short = false;
  bool finite = true;                   // every action is a number
  // The plan step for robot time t: floor((t - time) / dt) clamped to [0, horizon - 1].
  int64_t IndexAt(double t) const;
};

struct SessionInfo {
  int64_t obs_dim = 0, action_dim = 0, horizon = 0;
  double dt = 0.0;
  std::string planner;
};

struct ActionAnswer {
  std::vector<float> action;            // [action_dim], filtered
  bool safe_action = false;             // the safety filter replaced the plan's action
  std::string safety_reason;            // "stale_state", "nan_state", "nan_action", "no_plan" or empty
  uint64_t plan_id = 0;
  double plan_time = 0.0;
  int64_t plan_index = 0;
  std::shared_ptr<const PlanSnapshot> plan;  // set when include_plan
};

struct PlanOptions {
  int64_t iterations = 0;     // 0 = the service's (or the spec's) iterations
  double deadline_ms = 0.0;   // 0 = the service's deadline (or none)
  bool reseed = false;        // Reset(seed) first
  uint64_t seed = 0;
  bool warm_start = true;     // false: forget the previous plan first (Reset with the session's seed)
};

struct ServiceStats {
  int64_t plans = 0;
  double plans_per_second = 0.0;    // plans over the time from the first plan's start to the last one's end
  double last_plan_latency_ms = 0.0;
  double mean_plan_latency_ms = 0.0;
  int64_t deadline_misses = 0;      // plans cut short by their deadline or finished after it
  int64_t get_action_calls = 0;
  int64_t stale_state = 0, nan_state = 0, nan_action = 0, no_plan = 0;  // safe actions served, by cause
  int64_t clipped = 0, rate_limited = 0;
  int64_t sessions = 0;
  int64_t safety_events() const { return stale_state + nan_state + nan_action + no_plan; }
};

class PlanService {
 public:
  // Builds one planner of options.planner to check it (unknown planner -> NotFoundError, bad key ->
  // ConfigError) and throws ConfigError on bad options.
  PlanService(PlannerMaker maker, ServiceOptions options);
  ~PlanService();  // Shutdown()
  PlanService(const PlanService&) = delete;
  PlanService& operator=(const PlanService&) = delete;

  // Creates the robot's session (or resets it: new seed, no warm start, no plan, no state). `planner` picks a
  // spec other than the default (a different spec replaces the session). Unknown planner -> NotFoundError,
  // bad keys -> ConfigError, empty robot id -> ConfigError, too many sessions -> RangeError.
  SessionInfo Reset(const std::string& robot_id, uint64_t seed, std::string_view planner = "");
  // The newest state, observed at robot time `time`. Wrong size -> ShapeError; NaN or inf -> ConfigError, and
  // the session serves its safe action until a valid state arrives; unknown robot -> NotFoundError.
  // Returns the state's version (1, 2, ...).
  uint64_t SetState(const std::string& robot_id, std::span<const float> observation, double time);
  // The action to apply at robot time `time`, from the latest plan, never waiting for the planner.
  // `out`'s vectors are reused between calls. Unknown robot -> NotFoundError.
  void GetAction(const std::string& robot_id, double time, bool include_plan, ActionAnswer& out);
  // Plans now from the newest state with the given budget, on the session's planner thread, and returns the
  // published plan. No state yet -> StateError; planner errors are rethrown.
  std::shared_ptr<const PlanSnapshot> Plan(const std::string& robot_id, const PlanOptions& options);
  // The latest plan (StateError when there is none yet).
  std::shared_ptr<const PlanSnapshot> GetPlan(const std::string& robot_id) const;
  // One robot's statistics, or the sum over every session (plans_per_second summed) for an empty id.
  ServiceStats Stats(const std::string& robot_id = "") const;
  SessionInfo Info(const std::string& robot_id) const;
  int64_t sessions() const;
  const ServiceOptions& options() const { return options_; }

  // Stops every planner thread (pending Plan() calls fail with StateError); Stats stay readable, Reset and
  // Plan throw StateError afterwards. Idempotent.
  void Shutdown();

 private:
  struct Session;
  std::shared_ptr<Session> Find(const std::string& robot_id) const;
  std::shared_ptr<Session> NewSession(const std::string& robot_id, const std::string& spec, uint64_t seed);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  PlannerMaker maker_;
  ServiceOptions options_;
};

}  // namespace augur::serve
