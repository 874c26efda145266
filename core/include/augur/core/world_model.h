// The runtime contract of every world model: encode an observation, step a batch of states under actions.
//
// Two paths with one meaning:
//  - Step(): at::Tensor in, at::Tensor out, batch-first. Runs on CPU or CUDA; the general path.
//  - StepCpu(): raw float rows in caller-owned buffers, for small networks on CPU where LibTorch's per-op
//    overhead dominates. No allocation once warm (scratch comes from the Executor's worker). A model that
//    has no such path returns false from has_cpu_path() and callers use Step().
// The conformance suite (tests/conformance) checks that both paths agree to atol 1e-5 + rtol 1e-5.
//
// Ensembles: a batch's rows are grouped by member. Member m owns rows [member_begin[m], member_begin[m+1]).
// Propagation schemes (TS1, TSinf, expectation; rollouts/ implements them) only decide which rows go into
// which group; models never see particles.
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "augur/core/spaces.h"

namespace augur {

class Rng;
class Scratch;

// What kind of thing a model's state is.
enum class StateKind {
  kObservation,  // the state is the observation (PETS-style dynamics models)
  kLatent,       // an encoder maps observations to a learned latent (JEPA / PLDM)
  kTokens,       // discrete token sequences (sequence models)
};

struct ModelSpec {
  std::string type;              // registry name of the family, e.g. "ensemble"
  StateKind state_kind = StateKind::kObservation;
  int64_t obs_dim = 0;           // O
  int64_t state_dim = 0;         // S (== O for kObservation)
  int64_t action_dim = 0;        // A (a discrete action is one float holding its index)
  Space action_space;            // bounds planners must respect
  bool stochastic = false;       // Step samples from a predictive distribution when asked to
  int64_t members = 1;           // ensemble members (1 for a single model)
  bool predicts_done = false;    // done comes from the model (learned or a known termination function)
};

// Per-request state for one Step call.
struct StepContext {
  // Randomness for sampling; an undefined generator means "use the mean" (deterministic).
  std::optional<at::Generator> generator;
  // [E + 1] int64 offsets: member m owns rows [member_begin[m], member_begin[m+1]). Undefined: every row
  // uses the mean of all members ("expectation").
  at::Tensor member_begin;
};

struct Transition {
  at::Tensor next_state;    // [B, S]
  at::Tensor reward;        // [B]
  at::Tensor done;          // [B] bool: the transition terminated the episode
  at::Tensor uncertainty;   // [B] or undefined: the model's own epistemic signal (MOPO: max over members of
                            // the norm of the predicted std), used by penalized objectives
};

// Raw-buffer form of one step, rows row-major, all buffers owned by the caller.
struct CpuStep {
  int64_t rows = 0;
  const float* state = nullptr;         // [rows, S]
  const float* action = nullptr;        // [rows, A]
  std::span<const int64_t> member_begin;  // [E + 1] or empty for expectation
  Rng* rng = nullptr;                   // null: mean prediction
  Scratch* scratch = nullptr;           // the calling worker's scratch
  float* next_state = nullptr;          // [rows, S]
  float* reward = nullptr;              // [rows]
  float* done = nullptr;                // [rows], 0 or 1
  float* uncertainty = nullptr;         // [rows] or null when not wanted
};

class WorldModel {
 public:
  virtual ~WorldModel() = default;

  virtual const ModelSpec& spec() const = 0;

  // [B, O] -> [B, S]. The identity for observation-space models.
  virtual at::Tensor Encode(const at::Tensor& obs) const = 0;

  // state [B, S], action [B, A] on one device -> Transition on that device. Throws ShapeError on wrong shapes.
  virtual Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext& ctx) const = 0;

  virtual bool has_cpu_path() const { return false; }
  // Fused CPU step; only called when has_cpu_path(). Must not allocate once `scratch` has grown.
  virtual void StepCpu(const CpuStep& step) const;
};

// The tensor path of a model whose work is its raw-buffer step: allocates next_state [B, state_dim], reward
// and done, points a CpuStep at them and at the (contiguous copies of the) inputs, calls `run`, and returns
// the Transition (done as bool). Inputs must be float CPU tensors of checked shapes.
Transition RunCpuStepOnTensors(const at::Tensor& state, const at::Tensor& action, int64_t state_dim,
                               const std::function<void(CpuStep&)>& run);

// Throws ShapeError naming `what` unless t is a float tensor of shape [rows, cols] (rows < 0: any).
void CheckMatrix(const at::Tensor& t, int64_t rows, int64_t cols, const std::string& what);

}  // namespace augur
