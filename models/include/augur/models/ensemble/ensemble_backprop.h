// EnsembleBackprop: the training loss of the Gaussian ensemble (per-member Gaussian NLL + the log-variance bound
// regularizer, as TrainEnsemble defines it) and its gradient, by a hand-written forward and backward pass for
// CPU fp32, without autograd. The same network as ForwardEnsemble: layers 0..L-1 hidden (SiLU or ReLU), layer L
// the output [mean | raw log-variance], soft-bounded by softplus (ATen's threshold 20) between learned bounds.
//
// One step runs in two parallel phases over 2E equal tasks (at::parallel_for, torch's intra-op threads):
//   1. per (member, half of the rows): gather the minibatch rows, forward through every layer, the loss and its
//      gradient at the output, then the backward chain of input gradients (row-independent);
//   2. per (member, half of each weight's input rows): weight gradients A^T dZ and bias gradients, each block
//      handed to an optional callback (the optimizer's update) while it is in cache.
// GEMMs go to oneDNN's dnnl_sgemm when the build found libdnnl (2x OpenBLAS's rate on these shapes, see
// bench/README.md), else to Eigen. Each task's arithmetic does not depend on the thread count, so results are
// identical for 1 or 2 threads. Tested against autograd (tests/models/ensemble_backprop_test.cc).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <new>
#include <vector>

#include "augur/models/ensemble/ensemble_options.h"
#include "augur/models/ensemble/ensemble_weights.h"

namespace augur::models {

namespace detail {
// 64-byte aligned storage: where a vector kernel splits into scalar and packet parts then depends only on the
// shapes, never on where malloc put a buffer, so results repeat exactly (1 or 2 threads, run after run).
template <typename T>
struct Aligned64 {
  using value_type = T;
  Aligned64() = default;
  template <typename U>
  Aligned64(const Aligned64<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  template <typename U>
  bool operator==(const Aligned64<U>&) const { return true; }
};
using AlignedFloats = std::vector<float, Aligned64<float>>;
}  // namespace detail

class EnsembleBackprop {
 public:
  // Shapes from `shape` (weights [E, in, out] per layer, bounds [D]); buffers for up to `max_rows` rows per member.
  EnsembleBackprop(const EnsembleWeights& shape, Activation activation, int64_t max_rows);

  // x: [N, In], y: [N, D] contiguous float (normalized rows); index: [E, rows] row numbers into x / y (member e
  // trains on rows index[e, :]). Writes the gradient of
  //   loss = sum_e mean_{rows, D}((mean - y)^2 exp(-logvar) + logvar) + bound_weight * (sum max_logvar - sum min_logvar)
  // with respect to params' weight, bias, max_logvar and min_logvar into the same fields of `grads`
  // (contiguous float tensors of the same shapes; overwritten, not accumulated). Returns the NLL sum over
  // members (the loss without the bound term). Throws ShapeError when rows > max_rows or a shape differs.
  //
  // `done`, when set, is called from the worker threads as soon as a block of a weight or bias gradient is final:
  // layer l's weight (bias = false) or bias (bias = true) gradient, flat elements [begin, end); the blocks of
  // one call cover every weight and bias gradient exactly once. The trainer updates the block there (FusedAdam::
  // Update) while it is in cache. The bound gradients are final when LossAndGrad returns.
  using BlockDone = std::function<void(int64_t layer, bool bias, int64_t begin, int64_t end)>;
  double LossAndGrad(const EnsembleWeights& params, const EnsembleWeights& grads, const at::Tensor& x,
                     const at::Tensor& y, const int64_t* index, int64_t rows, double bound_weight,
                     const BlockDone& done = {});

  // Whether the GEMMs are oneDNN's (else Eigen's).
  static bool uses_onednn();

 private:
  Activation activation_;
  int64_t members_ = 0, max_rows_ = 0, layers_ = 0, d_ = 0;
  std::vector<int64_t> in_dims_, out_dims_;
  // Per layer l: input activations A_l [E, max_rows, in_l] (A_0 = the gathered minibatch), the hidden layers'
  // sigmoid(z) [E, max_rows, out_l] (SiLU only), and the gradient of the loss wrt z_l [E, max_rows, out_l].
  std::vector<detail::AlignedFloats> act_, sig_, dz_;
  detail::AlignedFloats out_, target_;     // [E, max_rows, 2D] network output; [E, max_rows, D] gathered targets
  std::vector<float> bound_grad_;         // [2E tasks, 2, D] partial max/min log-variance gradients
  std::vector<double> nll_;               // [2E tasks] partial NLL sums
};

}  // namespace augur::models
