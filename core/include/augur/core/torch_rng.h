// Per-request LibTorch generators keyed like augur::Rng, so tensor sampling never touches the global one.
#pragma once

#include <ATen/core/Generator.h>

#include <cstdint>

namespace augur {

// A CPU generator whose stream is determined by (seed, stream).
at::Generator MakeCpuGenerator(uint64_t seed, uint64_t stream = 0);

}  // namespace augur
