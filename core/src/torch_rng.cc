#include "augur/core/torch_rng.h"

#include <ATen/CPUGeneratorImpl.h>

#include "augur/core/rng.h"

namespace augur {

at::Generator MakeCpuGenerator(uint64_t seed, uint64_t stream) {
  return at::make_generator<at::CPUGeneratorImpl>(StreamId({seed, stream}));
}

}  // namespace augur
