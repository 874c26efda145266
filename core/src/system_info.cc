#include "augur/core/system_info.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <dlfcn.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "augur/core/version.h"

#include <torch/version.h>

namespace augur {
namespace {

std::string CpuField(const std::string& field) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "";
}

std::string BlasLibrary() {
  void* symbol = dlsym(RTLD_DEFAULT, "sgemm_");
  if (!symbol) symbol = dlsym(RTLD_DEFAULT, "cblas_sgemm");
  if (!symbol) return "unknown (no sgemm symbol loaded)";
  Dl_info info;
  if (!dladdr(symbol, &info) || !info.dli_fname) return "unknown";
  char resolved[PATH_MAX];
  if (realpath(info.dli_fname, resolved)) return resolved;
  return info.dli_fname;
}

}  // namespace

SystemInfo GetSystemInfo() {
  SystemInfo info;
  info.augur_version = AUGUR_VERSION;
#if defined(__clang__)
  info.compiler = "clang++ " __clang_version__;
#elif defined(__GNUC__)
  info.compiler = "g++ " __VERSION__;
#endif
#ifdef AUGUR_BUILD_TYPE
  info.build_type = AUGUR_BUILD_TYPE;
#endif
#ifdef AUGUR_NATIVE_BUILD
  info.native_isa = true;
#endif
  info.torch_version = TORCH_VERSION;
  info.blas_library = BlasLibrary();
  info.cpu_model = CpuField("model name");
  const std::string flags = " " + CpuField("flags") + " ";
  info.avx512f = flags.find(" avx512f ") != std::string::npos;
  info.avx512_bf16 = flags.find(" avx512_bf16 ") != std::string::npos;
  info.hardware_threads = static_cast<int>(std::thread::hardware_concurrency());
  info.torch_threads = at::get_num_threads();
  info.cuda_devices = at::detail::getCUDAHooks().getNumGPUs();
  return info;
}

std::string ToString(const SystemInfo& info) {
  std::ostringstream out;
  out << "augur version: " << info.augur_version << "\n"
      << "compiler: " << info.compiler << "\n"
      << "build type: " << info.build_type << (info.native_isa ? " (-march=native)" : " (generic ISA)") << "\n"
      << "libtorch: " << info.torch_version << "\n"
      << "blas: " << info.blas_library << "\n"
      << "cpu: " << info.cpu_model << (info.avx512f ? " [avx512f]" : "") << (info.avx512_bf16 ? " [avx512_bf16]" : "")
      << "\n"
      << "hardware threads: " << info.hardware_threads << "\n"
      << "torch threads: " << info.torch_threads << "\n"
      << "cuda devices: " << info.cuda_devices << "\n";
  return out.str();
}

double MeasureGemmGflops(int n, double seconds) {
  at::NoGradGuard no_grad;
  const at::Tensor a = at::ones({n, n}), b = at::ones({n, n});
  at::Tensor c = at::mm(a, b);  // warm-up
  int reps = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    at::mm_out(c, a, b);
    ++reps;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds);
  return 2.0 * n * n * static_cast<double>(n) * reps / elapsed / 1e9;
}

long ResidentMemoryBytes() {
  long pages = 0, resident = 0;
  std::ifstream statm("/proc/self/statm");
  if (!(statm >> pages >> resident)) return 0;
  return resident * ::sysconf(_SC_PAGESIZE);
}

}  // namespace augur
