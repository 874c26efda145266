#include <ATen/ATen.h>

#include <cmath>

#include "augur/core/error.h"
#include "augur/data/dataset.h"
#include "internal/checks.h"

namespace augur::data::internal {

void CheckFinite(const at::Tensor& t, const std::string& name, const std::string& where) {
  if (!t.defined() || t.numel() == 0) return;
  at::Tensor c = t.to(at::kCPU).to(at::kFloat).contiguous();
  if (at::isfinite(c).all().item<bool>()) return;
  const float* p = c.data_ptr<float>();
  const int64_t cols = c.dim() >= 2 ? c.numel() / c.size(0) : 1;
  for (int64_t i = 0; i < c.numel(); ++i) {
    if (!std::isfinite(p[i])) {
      throw DataError(StrCat(where, ": column '", name, "' holds ", std::isnan(p[i]) ? "NaN" : "Inf",
                             " at row ", i / cols, (cols > 1 ? StrCat(", dim ", i % cols) : std::string()),
                             "; remove or repair those rows before using the data"));
    }
  }
}

at::Tensor TimeoutsForExport(const Dataset& dataset) {
  at::Tensor out = dataset.timeouts().to(at::kCPU).clone();
  bool* p = out.data_ptr<bool>();
  const bool* term = dataset.terminals().to(at::kCPU).contiguous().data_ptr<bool>();
  for (int64_t e = 0; e + 1 < dataset.num_episodes(); ++e) {
    const int64_t last = dataset.EpisodeEnd(e) - 1;
    if (!p[last] && !term[last]) p[last] = true;
  }
  return out;
}

}  // namespace augur::data::internal
