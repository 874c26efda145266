// What this build and this machine are: versions, ISA, BLAS in use, threads, GPU. Shown by `augur info`
// and printed at the top of every benchmark so figures can be read against the machine.
#pragma once

#include <string>

namespace augur {

struct SystemInfo {
  std::string augur_version;
  std::string compiler;          // e.g. "g++ 12.2.0"
  std::string build_type;        // CMake build type
  bool native_isa = false;       // built with -march=native
  std::string torch_version;
  std::string blas_library;      // resolved path of the library that provides sgemm
  std::string cpu_model;
  bool avx512f = false;
  bool avx512_bf16 = false;
  int hardware_threads = 0;
  int torch_threads = 0;         // LibTorch intra-op threads of the calling thread
  int cuda_devices = 0;          // 0 when CUDA is not built in or no GPU is present
};

SystemInfo GetSystemInfo();
// One line per field, "key: value".
std::string ToString(const SystemInfo& info);

// Times an n x n x n float GEMM through LibTorch (torch::mm, the path models use) for about `seconds` and
// returns GFLOP/s. A reference BLAS gives ~3; OpenBLAS ~60 per core.
double MeasureGemmGflops(int n = 512, double seconds = 0.2);

// Resident memory of this process in bytes (/proc/self/statm; 0 where it cannot be read), for memory reports.
long ResidentMemoryBytes();

}  // namespace augur
