// MujocoEnv: the base of the MuJoCo locomotion envs (HalfCheetah-v4, Hopper-v4, Walker2d-v4).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "augur/envs/env.h"

// MuJoCo's model and data structs (mujoco/mjmodel.h, mujoco/mjdata.h), declared here so that this header
// does not include MuJoCo: augur_envs links MuJoCo privately.
struct mjModel_;
struct mjData_;

namespace augur::envs {

// A MuJoCo model compiled into the library (envs/assets/*.xml) and one mjData, stepped `frame_skip`
// physics steps per env step as Gymnasium's MujocoEnv does (gymnasium/envs/mujoco/mujoco_env.py:
// data.ctrl = action, mj_step frame_skip times; MuJoCo clamps ctrl to the actuators' ctrlrange).
//
// SimState layout (physics_state_size() = nq + 2 nv + 1, then the elapsed-steps entry of every Env):
//   [qpos (nq), qvel (nv), time (s), qacc_warmstart (nv)]
// qpos and qvel are what D4RL's infos/qpos and infos/qvel record; the constraint solver's warm start makes
// SetState exact, so that an env restored from GetState() takes bitwise the same next steps as the
// original. MakeState builds a SimState from a recorded qpos and qvel alone, with time 0 and the warm start
// that Gymnasium's set_state leaves (mj_forward's); the next steps then agree with the recording to the
// solver's tolerance, not bitwise.
//
// The observations of the locomotion envs omit the x position (Gymnasium's
// exclude_current_positions_from_observation=True), so the observation does not determine the state:
// CanSetFromObservation() is false and a true-model rollout restarts from a recorded SimState.
//
// The model (read-only while stepping) is loaded once per asset and shared by all envs and clones; each
// env owns its mjData. Clone() makes a new mjData holding the same state, inputs and warm start: the clone
// continues bitwise as the original. A clone costs about 50 us (mj_makeData reserves MuJoCo's ~10 MB stack
// arena), more than a step: a planner should clone one env per thread and restart it with SetState (about
// 1 us plus one mj_forward) rather than clone per rollout.
class MujocoEnv : public Env {
 public:
  ~MujocoEnv() override;
  MujocoEnv& operator=(const MujocoEnv&) = delete;

  bool CanSetFromObservation() const override { return false; }

  // Sizes of the model: position coordinates, velocity coordinates, actuators.
  int nq() const;
  int nv() const;
  int nu() const;
  // Physics steps per env step; spec().dt = timestep * frame_skip.
  int frame_skip() const { return frame_skip_; }
  // The physics step of the model in seconds (MJCF option/timestep).
  double timestep() const;

  // Copies of the current qpos [nq] and qvel [nv] (throw StateError before any start state).
  std::vector<double> qpos() const;
  std::vector<double> qvel() const;
  // A SimState for SetState from a recorded qpos [nq] and qvel [nv] (e.g. D4RL's infos/qpos, infos/qvel):
  // time 0, the warm start mj_forward computes for that state, the given elapsed steps. Throws ShapeError
  // on wrong sizes and RangeError on a non-finite value.
  SimState MakeState(std::span<const double> qpos, std::span<const double> qvel, int elapsed_steps = 0) const;

 protected:
  // `asset`: the file name under envs/assets/ ("hopper.xml"). spec.dt must equal the model's timestep times
  // frame_skip and spec.action must match the actuators' ctrlrange (checked: a mismatch is a bug).
  MujocoEnv(EnvSpec spec, std::string_view asset, int frame_skip);
  MujocoEnv(const MujocoEnv& other);

  SimState DoGetState() const override;
  void DoSetState(std::span<const double> state) override;
  int64_t physics_state_size() const override;

  // For subclasses (their .cc files include MuJoCo).
  const mjModel_* model() const { return model_.get(); }
  mjData_* data() { return data_.get(); }
  const mjData_* data() const { return data_.get(); }
  // mj_resetData: the model's reference pose qpos0, zero velocity, time 0, zero warm start.
  void ResetData();
  // mj_forward: recomputes the quantities derived from qpos and qvel (call after writing them).
  void Forward();
  // data.ctrl = action, then frame_skip calls of mj_step.
  void Simulate(std::span<const float> action);
  // Gymnasium's locomotion reset: ResetData, qpos += uniform(-s, s); qvel += uniform(-s, s) (or
  // s * standard normal when `normal_velocity`, as HalfCheetah-v4 does); then Forward.
  void ResetWithNoise(Rng& rng, double s, bool normal_velocity);
  // Gymnasium's locomotion observation: qpos without the x position, then qvel clipped to +-velocity_clip
  // (infinity: not clipped), as float32.
  void WriteObservation(std::span<float> observation, double velocity_clip) const;

 private:
  struct DataDeleter {
    void operator()(mjData_* d) const;
  };

  std::shared_ptr<const mjModel_> model_;
  std::unique_ptr<mjData_, DataDeleter> data_;
  int frame_skip_;
};

// Option checks shared by the MuJoCo envs' Options::Validate. Throw ConfigError naming env and option.
void CheckOptionNonNegative(std::string_view env, const char* name, double value);
void CheckOptionRange(std::string_view env, const char* name, double low, double high);

}  // namespace augur::envs
