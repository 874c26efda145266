#include "augur/serve/plan_service.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "augur/agents/agent.h"
#include "augur/agents/any_planner.h"
#include "augur/core/error.h"
#include "augur/core/logging.h"
#include "augur/core/thread_priority.h"

namespace augur::serve {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

bool AllFinite(std::span<const float> values) {
  return std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); });
}

}  // namespace

PlannerMaker ModelPlannerMaker(std::shared_ptr<const WorldModel> model) {
  if (!model) throw ConfigError("ModelPlannerMaker: model is null; load one with agents::LoadModelForEnv");
  return [model](const std::string& spec, uint64_t seed, Executor& executor) {
    return MakeAnyPlanner(spec, {.model = model, .seed = seed}, executor);
  };
}

void ServiceOptions::Validate() const {
  if (!(dt > 0) || std::isinf(dt)) throw ConfigError(StrCat("serve: dt = ", dt, " must be > 0 (seconds per plan step)"));
  if (iterations < 0) throw ConfigError(StrCat("serve: iterations = ", iterations, " must be >= 0"));
  if (!(deadline_ms >= 0)) throw ConfigError(StrCat("serve: deadline_ms = ", deadline_ms, " must be >= 0"));
  if (threads_per_session < 1) {
    throw ConfigError(StrCat("serve: threads_per_session = ", threads_per_session, " must be >= 1"));
  }
  if (max_sessions < 1) throw ConfigError(StrCat("serve: max_sessions = ", max_sessions, " must be >= 1"));
  if (!(min_replan_period_ms >= 0) || std::isinf(min_replan_period_ms)) {
    throw ConfigError(StrCat("serve: min_replan_period_ms = ", min_replan_period_ms, " must be >= 0 (0: replan at once)"));
  }
  if (planner_nice < 0 || planner_nice > 19) {
    throw ConfigError(StrCat("serve: planner_nice = ", planner_nice, " must be in [0, 19] (0: unchanged)"));
  }
  if (!planner_cpus.empty()) ValidateCores(planner_cpus, "serve: planner_cpus");
  if (planner.empty()) throw ConfigError("serve: no planner spec; give one, e.g. icem:pop=100,horizon=15");
  safety.Validate();
}

int64_t PlanSnapshot::IndexAt(double t) const {
  const double steps = std::floor((t - time) / dt + 1e-9);
  if (!(steps > 0)) return 0;  // before the plan's state, or NaN
  return std::min<int64_t>(static_cast<int64_t>(std::min(steps, 1e15)), horizon - 1);
}

struct PlanService::Session {
  struct Job {
    PlanOptions options;
    std::promise<std::shared_ptr<const PlanSnapshot>> done;
  };

  Session(const std::string& robot_id, const std::string& planner_spec, uint64_t planner_seed,
          const PlannerMaker& maker, const ServiceOptions& service_options)
      : id(robot_id),
        spec(planner_spec),
        seed(planner_seed),
        options(service_options),
        executor(std::make_unique<Executor>(service_options.threads_per_session)),
        planner(maker(planner_spec, planner_seed, *executor)),
        obs_dim(planner->obs_dim()),
        action_dim(planner->action_dim()),
        horizon(planner->horizon()),
        filter(service_options.safety, planner->action_dim()) {
    state.assign(obs_dim, 0.f);
  }

  void Start() { thread = std::thread([this] { Run(); }); }

  void Stop() {
    {
      std::lock_guard lock(mu);
      stop = true;
    }
    cv.notify_all();
    if (thread.joinable()) thread.join();
  }

  void Run() {
    if (!options.planner_cpus.empty() && !PinCallingThread(options.planner_cpus)) {
      Log().warn("serve: robot '{}': could not pin the planner thread to the cores given in planner_cpus", id);
    }
    if (options.planner_background) {
      // This thread is ours for the session's life: it stays background (nothing to restore). The executor's
      // TBB workers (threads_per_session > 1) keep their priority: they are shared with the rest of the process.
      if (!EnterBackgroundPriority().valid) {
        Log().warn("serve: robot '{}': could not move the planner thread to SCHED_IDLE", id);
      }
    } else if (options.planner_nice > 0 &&
               setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), options.planner_nice) != 0) {
      // Lower this thread's priority only (on Linux setpriority with a thread id affects that thread alone).
      Log().warn("serve: could not set the planner thread's niceness to {}", options.planner_nice);
    }
    PlanResult result;
    std::vector<float> obs(obs_dim);
    for (;;) {
      std::shared_ptr<Job> job;
      double time = 0;
      uint64_t version = 0;
      {
        std::unique_lock lock(mu);
        const auto replan_due = [&] { return state_version > 0 && state_version != planned_version; };
        cv.wait(lock, [&] { return stop || !jobs.empty() || replan_due(); });
        // Replans of new states start at most every min_replan_period_ms (Plan requests do not wait).
        if (options.min_replan_period_ms > 0 && jobs.empty()) {
          cv.wait_until(lock, next_replan, [&] { return stop || !jobs.empty(); });
        }
        if (stop) break;
        if (!jobs.empty()) {
          job = std::move(jobs.front());
          jobs.pop_front();
        }
        std::copy(state.begin(), state.end(), obs.begin());
        time = state_time;
        version = state_version;
      }
      try {
        int64_t iterations = options.iterations;
        double deadline_ms = options.deadline_ms;
        if (job) {
          if (job->options.reseed) {
            seed = job->options.seed;
            planner->Reset(seed);
          } else if (!job->options.warm_start) {
            planner->Reset(seed);
          }
          if (job->options.iterations > 0 || job->options.deadline_ms > 0) {
            iterations = job->options.iterations;
            deadline_ms = job->options.deadline_ms;
          }
        }
        const Budget budget = agents::PlanBudget(iterations, deadline_ms);
        next_replan = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(1e3 * options.min_replan_period_ms));
        const int64_t start = NowNs();
        planner->Plan(obs, budget, result);
        const Clock::time_point end_time = Clock::now();
        const int64_t end = NowNs();
        planned_version = version;

        auto snapshot = std::make_shared<PlanSnapshot>();
        snapshot->id = ++plan_counter;
        snapshot->time = time;
        snapshot->dt = options.dt;
        snapshot->state_version = version;
        snapshot->horizon = horizon;
        snapshot->action_dim = action_dim;
        snapshot->actions = result.plan;
        snapshot->predicted_states = result.predicted_states;
        snapshot->predicted_return = result.predicted_return;
        snapshot->iterations = result.iterations;
        snapshot->latency_s = 1e-9 * static_cast<double>(end - start);
        snapshot->cut_short = result.cut_short;
        snapshot->finite = AllFinite(result.plan);
        std::shared_ptr<const PlanSnapshot> published = std::move(snapshot);
        latest.store(published);
        if (published->finite) last_good.store(published);

        int64_t expected = 0;
        first_plan_start_ns.compare_exchange_strong(expected, start);
        last_plan_end_ns.store(end);
        last_latency_s.store(published->latency_s);
        total_latency_s.fetch_add(published->latency_s);
        plans.fetch_add(1);
        if (deadline_ms > 0 && (result.cut_short || (budget.deadline && end_time > *budget.deadline))) {
          deadline_misses.fetch_add(1);
        }
        if (job) job->done.set_value(std::move(published));
      } catch (...) {
        planned_version = version;  // do not spin on a state the planner refuses
        if (job) {
          job->done.set_exception(std::current_exception());
        } else {
          plan_errors.fetch_add(1);
          try {
            throw;
          } catch (const std::exception& e) {
            Log().warn("serve: robot '{}': replanning failed: {}", id, e.what());
          }
        }
      }
    }
    std::lock_guard lock(mu);
    for (auto& pending : jobs) {
      pending->done.set_exception(
          std::make_exception_ptr(StateError(StrCat("robot '", id, "': the session was reset or shut down"))));
    }
    jobs.clear();
  }

  const std::string id, spec;
  uint64_t seed;  // planner thread only
  const ServiceOptions& options;
  std::unique_ptr<Executor> executor;
  std::unique_ptr<Planner> planner;  // planner thread only (after construction)
  const int64_t obs_dim, action_dim, horizon;

  // The planner thread's inputs.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<float> state;
  double state_time = 0.0;
  uint64_t state_version = 0;
  bool stop = false;
  std::deque<std::shared_ptr<Job>> jobs;
  uint64_t planned_version = 0;  // planner thread only (also read in its wait predicate)
  uint64_t plan_counter = 0;     // planner thread only
  Clock::time_point next_replan{};  // planner thread only: earliest start of the next state-triggered replan
  std::thread thread;

  // What readers see without waiting for the planner.
  std::atomic<std::shared_ptr<const PlanSnapshot>> latest, last_good;
  std::atomic<double> newest_state_time{0.0};
  std::atomic<bool> bad_state{false};

  std::mutex safety_mu;
  SafetyFilter filter;

  std::atomic<int64_t> plans{0}, plan_errors{0}, deadline_misses{0}, get_action_calls{0};
  std::atomic<int64_t> stale_state{0}, nan_state{0}, nan_action{0}, no_plan{0}, clipped{0}, rate_limited{0};
  std::atomic<double> last_latency_s{0.0}, total_latency_s{0.0};
  std::atomic<int64_t> first_plan_start_ns{0}, last_plan_end_ns{0};
};

struct PlanService::Impl {
  mutable std::shared_mutex mu;
  std::unordered_map<std::string, std::shared_ptr<Session>> sessions;
  bool shut_down = false;
};

PlanService::PlanService(PlannerMaker maker, ServiceOptions options)
    : impl_(std::make_unique<Impl>()), maker_(std::move(maker)), options_(std::move(options)) {
  if (!maker_) throw ConfigError("PlanService: no planner maker; use ModelPlannerMaker(model)");
  options_.Validate();
  // Fail now, not at the first robot's Reset, on a default spec that does not build.
  Executor probe(options_.threads_per_session);
  maker_(options_.planner, 0, probe);
}

PlanService::~PlanService() { Shutdown(); }

void PlanService::Shutdown() {
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::unique_lock lock(impl_->mu);
    impl_->shut_down = true;
    for (const auto& [id, session] : impl_->sessions) sessions.push_back(session);
  }
  // Stopped sessions stay in the map, so their statistics can still be read.
  for (auto& session : sessions) session->Stop();
}

std::shared_ptr<PlanService::Session> PlanService::Find(const std::string& robot_id) const {
  std::shared_lock lock(impl_->mu);
  auto it = impl_->sessions.find(robot_id);
  if (it == impl_->sessions.end()) {
    throw NotFoundError(StrCat("robot '", robot_id, "' has no session; call Reset for it first"));
  }
  return it->second;
}

SessionInfo PlanService::Reset(const std::string& robot_id, uint64_t seed, std::string_view planner) {
  if (robot_id.empty()) throw ConfigError("Reset: robot_id is empty; name the robot");
  const std::string spec = planner.empty() ? options_.planner : std::string(planner);
  {
    std::shared_lock lock(impl_->mu);
    if (impl_->shut_down) throw StateError("the plan service is shut down");
    if (!impl_->sessions.contains(robot_id) && static_cast<int>(impl_->sessions.size()) >= options_.max_sessions) {
      throw RangeError(StrCat("Reset: ", impl_->sessions.size(), " sessions already (max_sessions = ",
                              options_.max_sessions, "); reuse a robot id or raise the limit"));
    }
  }
  // Built outside the lock: a new planner may take a while, and readers of other robots must not wait.
  auto session = std::make_shared<Session>(robot_id, spec, seed, maker_, options_);
  std::shared_ptr<Session> old;
  {
    std::unique_lock lock(impl_->mu);
    if (impl_->shut_down) throw StateError("the plan service is shut down");
    auto& slot = impl_->sessions[robot_id];
    old = std::move(slot);
    slot = session;
    session->Start();
  }
  if (old) old->Stop();
  return Info(robot_id);
}

SessionInfo PlanService::Info(const std::string& robot_id) const {
  auto s = Find(robot_id);
  return {s->obs_dim, s->action_dim, s->horizon, options_.dt, s->spec};
}

uint64_t PlanService::SetState(const std::string& robot_id, std::span<const float> observation, double time) {
  auto s = Find(robot_id);
  if (static_cast<int64_t>(observation.size()) != s->obs_dim) {
    throw ShapeError(StrCat("SetState: robot '", robot_id, "': observation has ", observation.size(),
                            " values but the planner expects ", s->obs_dim));
  }
  if (!std::isfinite(time)) throw ConfigError(StrCat("SetState: robot '", robot_id, "': time = ", time, " is not finite"));
  for (size_t i = 0; i < observation.size(); ++i) {
    if (!std::isfinite(observation[i])) {
      s->bad_state.store(true);
      throw ConfigError(StrCat("SetState: robot '", robot_id, "': observation[", i, "] = ", observation[i],
                               " is not finite; the robot gets its safe action until a finite state arrives"));
    }
  }
  uint64_t version;
  {
    std::lock_guard lock(s->mu);
    std::copy(observation.begin(), observation.end(), s->state.begin());
    s->state_time = time;
    version = ++s->state_version;
    s->newest_state_time.store(time);
    s->bad_state.store(false);
  }
  s->cv.notify_one();
  return version;
}

void PlanService::GetAction(const std::string& robot_id, double time, bool include_plan, ActionAnswer& out) {
  auto s = Find(robot_id);
  s->get_action_calls.fetch_add(1, std::memory_order_relaxed);
  if (!std::isfinite(time)) {
    throw ConfigError(StrCat("GetAction: robot '", robot_id, "': time = ", time, " is not finite"));
  }
  out.action.resize(s->action_dim);
  out.safe_action = false;
  out.safety_reason.clear();
  out.plan_id = 0;
  out.plan_time = 0.0;
  out.plan_index = 0;
  out.plan.reset();

  std::shared_ptr<const PlanSnapshot> plan = s->latest.load();
  std::string_view reason;
  const double max_age = options_.safety.max_state_age_s;
  if (s->bad_state.load()) {
    reason = "nan_state";
  } else if (!plan) {
    reason = "no_plan";
  } else if (max_age > 0 && time - s->newest_state_time.load() > max_age) {
    reason = "stale_state";
  } else if (!plan->finite) {
    reason = "nan_action";
  }
  if (plan) {
    out.plan_id = plan->id;
    out.plan_time = plan->time;
    out.plan_index = plan->IndexAt(time);
    if (include_plan) out.plan = plan;
  }

  std::lock_guard lock(s->safety_mu);
  if (reason.empty()) {
    const float* a = plan->actions.data() + out.plan_index * s->action_dim;
    std::copy(a, a + s->action_dim, out.action.begin());
  } else {
    std::atomic<int64_t>& counter = reason == "nan_state"     ? s->nan_state
                                    : reason == "no_plan"     ? s->no_plan
                                    : reason == "stale_state" ? s->stale_state
                                                              : s->nan_action;
    counter.fetch_add(1, std::memory_order_relaxed);
    out.safe_action = true;
    out.safety_reason = reason;
    std::shared_ptr<const PlanSnapshot> good;
    if (options_.safety.safe_action == SafeAction::kLastGoodPlan) good = s->last_good.load();
    if (good) {
      const float* a = good->actions.data() + good->IndexAt(time) * s->action_dim;
      std::copy(a, a + s->action_dim, out.action.begin());
    } else {
      s->filter.SafeInto(out.action);
    }
  }
  const SafetyFilter::Outcome outcome = s->filter.Enforce(out.action, time);
  if (outcome.clipped) s->clipped.fetch_add(1, std::memory_order_relaxed);
  if (outcome.rate_limited) s->rate_limited.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<const PlanSnapshot> PlanService::Plan(const std::string& robot_id, const PlanOptions& options) {
  auto s = Find(robot_id);
  if (options.iterations < 0 || !(options.deadline_ms >= 0)) {
    throw ConfigError(StrCat("Plan: iterations = ", options.iterations, " and deadline_ms = ", options.deadline_ms,
                             " must both be >= 0"));
  }
  auto job = std::make_shared<Session::Job>();
  job->options = options;
  auto result = job->done.get_future();
  {
    std::lock_guard lock(s->mu);
    if (s->state_version == 0) {
      throw StateError(StrCat("Plan: robot '", robot_id, "' has no state yet; call SetState first"));
    }
    if (s->stop) throw StateError(StrCat("Plan: robot '", robot_id, "': the session was reset or shut down"));
    s->jobs.push_back(job);
  }
  s->cv.notify_one();
  return result.get();
}

std::shared_ptr<const PlanSnapshot> PlanService::GetPlan(const std::string& robot_id) const {
  auto plan = Find(robot_id)->latest.load();
  if (!plan) throw StateError(StrCat("GetPlan: robot '", robot_id, "' has no plan yet; send a state first"));
  return plan;
}

int64_t PlanService::sessions() const {
  std::shared_lock lock(impl_->mu);
  return static_cast<int64_t>(impl_->sessions.size());
}

ServiceStats PlanService::Stats(const std::string& robot_id) const {
  std::vector<std::shared_ptr<Session>> selected;
  if (robot_id.empty()) {
    std::shared_lock lock(impl_->mu);
    for (const auto& [id, s] : impl_->sessions) selected.push_back(s);
  } else {
    selected.push_back(Find(robot_id));
  }
  ServiceStats stats;
  stats.sessions = static_cast<int64_t>(selected.size());
  double total_latency = 0.0;
  int64_t last_end = 0;
  for (const auto& s : selected) {
    const int64_t plans = s->plans.load();
    stats.plans += plans;
    total_latency += s->total_latency_s.load();
    const int64_t first = s->first_plan_start_ns.load(), end = s->last_plan_end_ns.load();
    if (plans > 0 && end > first) stats.plans_per_second += static_cast<double>(plans) / (1e-9 * (end - first));
    if (end > last_end) {
      last_end = end;
      stats.last_plan_latency_ms = 1e3 * s->last_latency_s.load();
    }
    stats.deadline_misses += s->deadline_misses.load();
    stats.get_action_calls += s->get_action_calls.load();
    stats.stale_state += s->stale_state.load();
    stats.nan_state += s->nan_state.load();
    stats.nan_action += s->nan_action.load();
    stats.no_plan += s->no_plan.load();
    stats.clipped += s->clipped.load();
    stats.rate_limited += s->rate_limited.load();
  }
  if (stats.plans > 0) stats.mean_plan_latency_ms = 1e3 * total_latency / static_cast<double>(stats.plans);
  return stats;
}

}  // namespace augur::serve
