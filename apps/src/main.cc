#include <malloc.h>

#include "augur/apps/cli.h"

int main(int argc, char** argv) {
  // Keep freed tensor buffers in the heap instead of returning them to the kernel: with glibc's defaults a
  // buffer over the (dynamic) mmap threshold is mmapped and unmapped on every allocation, and the heap top is
  // trimmed, so small-network training (SAC updates on [10, 256, 64] activations, ~650 KB each) spent a
  // quarter of its CPU time in page faults and zeroing fresh pages (perf, bench/README.md "offline RL speed").
  // Buffers up to 64 MB come from the heap; up to 256 MB of free heap top is kept.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  return augur::apps::RunCli(argc, argv);
}
