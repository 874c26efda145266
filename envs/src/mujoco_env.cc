// MuJoCo plumbing shared by the locomotion envs. The stepping follows Gymnasium's
// gymnasium/envs/mujoco/mujoco_env.py (reset: mj_resetData then set_state with mj_forward; step: ctrl, then
// mj_step frame_skip times; dt = model.opt.timestep * frame_skip).
#include "augur/envs/mujoco_env.h"

#include <mujoco/mujoco.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <variant>

#include "augur/core/error.h"
#include "mujoco_assets.h"

namespace augur::envs {
namespace {

// Compiles an embedded MJCF through a MuJoCo virtual file system (no file on disk). The model is a bug-free
// part of the library, so a failure is an invariant violation.
std::shared_ptr<const mjModel> CompileAsset(std::string_view asset) {
  const std::string_view text = internal::MujocoAsset(asset);
  AUGUR_CHECK(!text.empty()) << "no embedded MJCF named " << asset;
  const std::string name(asset);
  auto vfs = std::make_unique<mjVFS>();  // about 2 MB: not on the stack
  mj_defaultVFS(vfs.get());
  AUGUR_CHECK_EQ(mj_makeEmptyFileVFS(vfs.get(), name.c_str(), static_cast<int>(text.size())), 0);
  const int index = mj_findFileVFS(vfs.get(), name.c_str());
  AUGUR_CHECK_GE(index, 0);
  std::memcpy(vfs->filedata[index], text.data(), text.size());
  char error[1000] = "";
  mjModel* model = mj_loadXML(name.c_str(), vfs.get(), error, sizeof(error));
  mj_deleteVFS(vfs.get());
  AUGUR_CHECK(model != nullptr) << "MuJoCo " << mj_versionString() << " cannot compile " << asset << ": " << error;
  return std::shared_ptr<const mjModel>(model, [](const mjModel* m) { mj_deleteModel(const_cast<mjModel*>(m)); });
}

// One compiled model per asset for the whole process.
std::shared_ptr<const mjModel> SharedModel(std::string_view asset) {
  static std::mutex mutex;
  static auto* models = new std::map<std::string, std::shared_ptr<const mjModel>, std::less<>>();
  std::lock_guard<std::mutex> lock(mutex);
  auto it = models->find(asset);
  if (it == models->end()) it = models->emplace(std::string(asset), CompileAsset(asset)).first;
  return it->second;
}

}  // namespace

void MujocoEnv::DataDeleter::operator()(mjData_* d) const { mj_deleteData(d); }

MujocoEnv::MujocoEnv(EnvSpec spec, std::string_view asset, int frame_skip)
    : Env(std::move(spec)), model_(SharedModel(asset)), data_(mj_makeData(model_.get())), frame_skip_(frame_skip) {
  AUGUR_CHECK(data_ != nullptr) << "mj_makeData failed for " << asset;
  AUGUR_CHECK_GE(frame_skip_, 1);
  const EnvSpec& s = this->spec();
  AUGUR_CHECK_EQ(s.dt, model_->opt.timestep * frame_skip_) << asset;
  const Box& box = std::get<Box>(s.action);
  AUGUR_CHECK_EQ(box.dim(), static_cast<int64_t>(model_->nu)) << asset;
  for (int i = 0; i < model_->nu; ++i) {
    AUGUR_CHECK(model_->actuator_ctrllimited[i]) << asset << " actuator " << i;
    AUGUR_CHECK_EQ(box.low[i], static_cast<float>(model_->actuator_ctrlrange[2 * i])) << asset;
    AUGUR_CHECK_EQ(box.high[i], static_cast<float>(model_->actuator_ctrlrange[2 * i + 1])) << asset;
  }
}

MujocoEnv::MujocoEnv(const MujocoEnv& other)
    : Env(other), model_(other.model_), data_(mj_makeData(model_.get())), frame_skip_(other.frame_skip_) {
  AUGUR_CHECK(data_ != nullptr) << "mj_makeData failed";
  // Copies what mj_step reads (the state, the inputs and the solver's warm start), then recomputes the
  // derived quantities: the clone steps bitwise like the original, at about a third of mj_copyData's cost
  // (which copies MuJoCo's whole ~10 MB stack arena).
  const mjModel* m = model_.get();
  const mjData* src = other.data_.get();
  mjData* dst = data_.get();
  dst->time = src->time;
  std::copy(src->qpos, src->qpos + m->nq, dst->qpos);
  std::copy(src->qvel, src->qvel + m->nv, dst->qvel);
  std::copy(src->act, src->act + m->na, dst->act);
  std::copy(src->ctrl, src->ctrl + m->nu, dst->ctrl);
  std::copy(src->qfrc_applied, src->qfrc_applied + m->nv, dst->qfrc_applied);
  std::copy(src->xfrc_applied, src->xfrc_applied + 6 * m->nbody, dst->xfrc_applied);
  std::copy(src->mocap_pos, src->mocap_pos + 3 * m->nmocap, dst->mocap_pos);
  std::copy(src->mocap_quat, src->mocap_quat + 4 * m->nmocap, dst->mocap_quat);
  std::copy(src->userdata, src->userdata + m->nuserdata, dst->userdata);
  mj_forward(m, dst);
  std::copy(src->qacc_warmstart, src->qacc_warmstart + m->nv, dst->qacc_warmstart);
}

MujocoEnv::~MujocoEnv() = default;

int MujocoEnv::nq() const { return model_->nq; }
int MujocoEnv::nv() const { return model_->nv; }
int MujocoEnv::nu() const { return model_->nu; }
double MujocoEnv::timestep() const { return model_->opt.timestep; }

std::vector<double> MujocoEnv::qpos() const {
  if (!has_state()) throw StateError(StrCat(spec().id, ": qpos() before any start state; call Reset(seed) first"));
  return std::vector<double>(data_->qpos, data_->qpos + model_->nq);
}

std::vector<double> MujocoEnv::qvel() const {
  if (!has_state()) throw StateError(StrCat(spec().id, ": qvel() before any start state; call Reset(seed) first"));
  return std::vector<double>(data_->qvel, data_->qvel + model_->nv);
}

SimState MujocoEnv::MakeState(std::span<const double> qpos, std::span<const double> qvel, int elapsed_steps) const {
  if (static_cast<int>(qpos.size()) != model_->nq || static_cast<int>(qvel.size()) != model_->nv) {
    throw ShapeError(StrCat(spec().id, ": MakeState got qpos of ", qpos.size(), " and qvel of ", qvel.size(),
                            " values but the model has nq = ", model_->nq, " and nv = ", model_->nv));
  }
  for (size_t i = 0; i < qpos.size() + qvel.size(); ++i) {
    const double v = i < qpos.size() ? qpos[i] : qvel[i - qpos.size()];
    if (!std::isfinite(v)) {
      throw RangeError(StrCat(spec().id, ": MakeState value ", i < qpos.size() ? "qpos[" : "qvel[",
                              i < qpos.size() ? i : i - qpos.size(), "] = ", v, " is not finite"));
    }
  }
  // The warm start that Gymnasium's set_state (qpos, qvel, then mj_forward) leaves, from a scratch mjData.
  std::unique_ptr<mjData, DataDeleter> scratch(mj_makeData(model_.get()));
  AUGUR_CHECK(scratch != nullptr) << "mj_makeData failed";
  std::copy(qpos.begin(), qpos.end(), scratch->qpos);
  std::copy(qvel.begin(), qvel.end(), scratch->qvel);
  mj_forward(model_.get(), scratch.get());
  SimState state;
  state.reserve(physics_state_size() + 1);
  state.insert(state.end(), qpos.begin(), qpos.end());
  state.insert(state.end(), qvel.begin(), qvel.end());
  state.push_back(0.0);  // time
  state.insert(state.end(), scratch->qacc_warmstart, scratch->qacc_warmstart + model_->nv);
  state.push_back(static_cast<double>(elapsed_steps));
  return state;
}

int64_t MujocoEnv::physics_state_size() const { return model_->nq + 2 * model_->nv + 1; }

SimState MujocoEnv::DoGetState() const {
  const int nq = model_->nq, nv = model_->nv;
  SimState state;
  state.reserve(nq + 2 * nv + 2);
  state.insert(state.end(), data_->qpos, data_->qpos + nq);
  state.insert(state.end(), data_->qvel, data_->qvel + nv);
  state.push_back(data_->time);
  state.insert(state.end(), data_->qacc_warmstart, data_->qacc_warmstart + nv);
  return state;
}

void MujocoEnv::DoSetState(std::span<const double> state) {
  const int nq = model_->nq, nv = model_->nv;
  const double* p = state.data();
  std::copy(p, p + nq, data_->qpos);
  std::copy(p + nq, p + nq + nv, data_->qvel);
  data_->time = p[nq + nv];
  mj_forward(model_.get(), data_.get());
  // Written after mj_forward so that the next mj_step starts its solver exactly where the original did.
  std::copy(p + nq + nv + 1, p + nq + 2 * nv + 1, data_->qacc_warmstart);
}

void MujocoEnv::ResetData() { mj_resetData(model_.get(), data_.get()); }

void MujocoEnv::Forward() { mj_forward(model_.get(), data_.get()); }

void MujocoEnv::Simulate(std::span<const float> action) {
  for (int i = 0; i < model_->nu; ++i) data_->ctrl[i] = action[i];
  for (int k = 0; k < frame_skip_; ++k) mj_step(model_.get(), data_.get());
}

void MujocoEnv::ResetWithNoise(Rng& rng, double s, bool normal_velocity) {
  ResetData();
  mjData* d = data();
  for (int i = 0; i < nq(); ++i) d->qpos[i] += -s + 2 * s * rng.UniformDouble();
  for (int i = 0; i < nv(); ++i) {
    d->qvel[i] += normal_velocity ? s * static_cast<double>(rng.Normal()) : -s + 2 * s * rng.UniformDouble();
  }
  Forward();
}

void MujocoEnv::WriteObservation(std::span<float> observation, double velocity_clip) const {
  const mjData* d = data();
  int k = 0;
  for (int i = 1; i < nq(); ++i) observation[k++] = static_cast<float>(d->qpos[i]);
  for (int i = 0; i < nv(); ++i) {
    observation[k++] = static_cast<float>(std::clamp(d->qvel[i], -velocity_clip, velocity_clip));
  }
}

void CheckOptionNonNegative(std::string_view env, const char* name, double value) {
  if (!(value >= 0) || !std::isfinite(value)) {
    throw ConfigError(StrCat(env, ": ", name, " = ", value, " must be finite and >= 0"));
  }
}

void CheckOptionRange(std::string_view env, const char* name, double low, double high) {
  if (!(low < high) || std::isnan(low) || std::isnan(high)) {
    throw ConfigError(StrCat(env, ": ", name, " = (", low, ", ", high, ") needs low < high"));
  }
}

}  // namespace augur::envs
