// How much work a planner may do: a number of iterations, a deadline, or both (whichever ends first).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace augur {

using Clock = std::chrono::steady_clock;

struct Budget {
  // Iterations (planner iterations, MCTS simulations); 0 means "until the deadline".
  int64_t iterations = 0;
  // Absolute deadline; none means "until the iterations are done".
  std::optional<Clock::time_point> deadline;

  static Budget Iterations(int64_t n) { return Budget{n, std::nullopt}; }
  // A deadline `within` from now.
  static Budget Deadline(Clock::duration within) { return Budget{0, Clock::now() + within}; }
  static Budget DeadlineAt(Clock::time_point at) { return Budget{0, at}; }
  // Both limits: whichever ends first.
  static Budget IterationsWithin(int64_t n, Clock::duration within) { return Budget{n, Clock::now() + within}; }

  // Throws ConfigError when neither limit is set or iterations < 0.
  void Validate() const;
  bool Expired(Clock::time_point now = Clock::now()) const { return deadline && now >= *deadline; }
  // True when `completed` iterations exhaust the budget or the deadline has passed.
  bool Done(int64_t completed, Clock::time_point now = Clock::now()) const {
    return (iterations > 0 && completed >= iterations) || Expired(now);
  }
  // Time left before the deadline (zero when passed); nullopt without a deadline.
  std::optional<Clock::duration> Remaining(Clock::time_point now = Clock::now()) const;
};

}  // namespace augur
