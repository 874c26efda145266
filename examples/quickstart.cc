// Quickstart: the pieces every augur program uses. An Executor owns the threads, a counter-based Rng makes
// parallel work reproducible, a Budget bounds the work, and factory strings configure objects.
#include <augur/augur.h>

#include <cstdio>
#include <vector>

int main() {
  augur::Executor executor(/*threads=*/2);
  std::printf("augur %s on %d threads\n", AUGUR_VERSION, executor.threads());

  // Estimate pi with 1e6 samples in chunks of 10000; each chunk draws from its own stream, so the estimate
  // is the same for a seed whatever the thread count.
  const int64_t samples = 1000000, grain = 10000;
  std::vector<int64_t> inside(augur::Executor::NumChunks(samples, grain));
  executor.ParallelFor(samples, grain, [&](int64_t begin, int64_t end, int64_t chunk) {
    augur::Rng rng(/*seed=*/42, /*stream=*/chunk);
    for (int64_t i = begin; i < end; ++i) {
      const float x = rng.Uniform(), y = rng.Uniform();
      inside[chunk] += x * x + y * y <= 1.f;
    }
  });
  int64_t total = 0;
  for (int64_t n : inside) total += n;
  std::printf("pi ~ %.5f\n", 4.0 * total / samples);

  // Factory strings configure objects by name, with typed, range-checked parameters.
  augur::SpecParams params(augur::FactorySpec::Parse("icem:pop=300,horizon=30"), "planner");
  std::printf("%s: pop=%lld horizon=%lld\n", params.name().c_str(),
              static_cast<long long>(params.Int("pop", 100, "population", 1)),
              static_cast<long long>(params.Int("horizon", 15, "steps", 1)));
  params.Finish();

  // Bad input is a typed error that names the problem and the fix.
  try {
    augur::Budget{}.Validate();
  } catch (const augur::Error& e) {
    std::printf("as expected: %s\n", e.what());
  }
  return 0;
}
