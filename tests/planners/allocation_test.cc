// No allocation inside the planning loop after the first call: this executable replaces the global
// operator new/delete with counting versions and checks that the 2nd..Nth Plan (and PlanBatch) allocate
// nothing with the CPU-path analytic model.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "../testing/linear_model.h"
#include "augur/planners/factory.h"

namespace {
std::atomic<int64_t> g_allocations{0};

void* Allocate(std::size_t size, std::size_t align = 0) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (size + align - 1) / align * align)
                                              : std::malloc(size);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t size) { return Allocate(size); }
void* operator new[](std::size_t size) { return Allocate(size); }
void* operator new(std::size_t size, std::align_val_t a) { return Allocate(size, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return Allocate(size, static_cast<std::size_t>(a)); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace augur {
namespace {

PlannerInputs Inputs() {
  testing::LinearModelOptions o;
  o.state_dim = 2;
  o.action_dim = 2;
  o.goal = {0.5f, -0.5f};
  o.members = 7;
  o.member_offset = 0.01f;
  o.noise_std = 0.02f;
  o.uncertainty_scale = 0.1f;
  PlannerInputs in;
  in.model = std::make_shared<testing::LinearModel>(o);
  in.objective = Objective::Penalized(0.5);
  return in;
}

class AllocationTest : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(AllocationTest, SteadyStatePlansAllocateNothing) {
  const auto& [spec, threads] = GetParam();
  Executor executor(threads);
  auto planner = MakePlanner(spec, Inputs(), executor);
  PlanResult result;
  std::vector<float> obs = {0.f, 0.f};
  for (int warm = 0; warm < 3; ++warm) planner->Plan(obs, Budget::Iterations(3), result);
  const int64_t before = g_allocations.load();
  for (int step = 0; step < 5; ++step) {
    obs[0] = 0.1f * step;
    planner->Plan(obs, Budget::IterationsWithin(3, std::chrono::hours(1)), result);
  }
  EXPECT_EQ(g_allocations.load() - before, 0) << spec << " with " << threads << " threads";
  EXPECT_EQ(result.iterations, 3);
}

INSTANTIATE_TEST_SUITE_P(
    Planners, AllocationTest,
    ::testing::Combine(::testing::Values("rs:pop=64,horizon=10,particles=7,propagation=ts1",
                                         "cem:pop=64,elites=8,horizon=10,particles=7",
                                         "icem:pop=64,elites=8,horizon=10,particles=7,propagation=ts1",
                                         "mppi:samples=64,elites=8,horizon=10,particles=7,penalty=disagreement"),
                       ::testing::Values(1, 2)));

TEST(AllocationTest, SteadyStateBatchAllocatesNothing) {
  Executor executor(2);
  auto batch = MakePlannerBatch("icem:pop=32,elites=4,horizon=8,particles=7", Inputs(), 4, executor);
  std::vector<PlanResult> out;
  const std::vector<float> obs(8, 0.1f);
  for (int warm = 0; warm < 3; ++warm) batch->PlanBatch(obs, Budget::Iterations(3), out);
  const int64_t before = g_allocations.load();
  for (int step = 0; step < 5; ++step) batch->PlanBatch(obs, Budget::Iterations(3), out);
  EXPECT_EQ(g_allocations.load() - before, 0);
}

}  // namespace
}  // namespace augur
