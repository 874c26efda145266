#include "augur/data/dataset_builder.h"

#include <ATen/ATen.h>

#include <cstring>

#include "augur/core/error.h"

namespace augur::data {
namespace {

void CheckSpan(std::span<const float> s, int64_t dim, const char* what) {
  if (static_cast<int64_t>(s.size()) != dim) {
    throw ShapeError(StrCat("DatasetBuilder::AddStep: ", what, " has ", s.size(), " values but the builder was made for ",
                            dim));
  }
}

void Append(std::vector<float>* v, std::span<const float> s) { v->insert(v->end(), s.begin(), s.end()); }

}  // namespace

DatasetBuilder::DatasetBuilder(int64_t obs_dim, int64_t action_dim, int64_t sim_state_dim)
    : obs_dim_(obs_dim), action_dim_(action_dim), sim_state_dim_(sim_state_dim) {
  if (obs_dim < 1 || action_dim < 1 || sim_state_dim < 0) {
    throw ConfigError(StrCat("DatasetBuilder: obs_dim ", obs_dim, " and action_dim ", action_dim,
                             " must be >= 1 and sim_state_dim ", sim_state_dim, " >= 0"));
  }
  current_.obs_dim = obs_dim;
  current_.action_dim = action_dim;
  current_.sim_state_dim = sim_state_dim;
}

void DatasetBuilder::AddStep(std::span<const float> observation, std::span<const float> action, float reward,
                             std::span<const float> next_observation, bool terminal, bool truncated,
                             std::span<const float> sim_state) {
  CheckSpan(observation, obs_dim_, "observation");
  CheckSpan(action, action_dim_, "action");
  CheckSpan(next_observation, obs_dim_, "next_observation");
  CheckSpan(sim_state, sim_state_dim_, "sim_state");
  if (current_.length() == 0) current_.episode_id = static_cast<int64_t>(episodes_.size());
  Append(&current_.observations, observation);
  Append(&current_.actions, action);
  current_.rewards.push_back(reward);
  Append(&current_.next_observations, next_observation);
  Append(&current_.sim_states, sim_state);
  ++num_steps_;
  if (terminal || truncated) {
    current_.terminal = terminal;
    current_.truncated = truncated;
    episodes_.push_back(std::move(current_));
    current_ = Episode{};
    current_.obs_dim = obs_dim_;
    current_.action_dim = action_dim_;
    current_.sim_state_dim = sim_state_dim_;
  }
}

void DatasetBuilder::AddEpisode(const Episode& episode) {
  if (current_.length() != 0) {
    throw StateError("DatasetBuilder::AddEpisode: an episode is in flight; end it with EndIncompleteEpisode()");
  }
  episode.CheckShapes();
  if (episode.obs_dim != obs_dim_ || episode.action_dim != action_dim_ || episode.sim_state_dim != sim_state_dim_) {
    throw ShapeError(StrCat("DatasetBuilder::AddEpisode: episode ", episode.episode_id, " has dims ",
                            episode.obs_dim, "/", episode.action_dim, "/", episode.sim_state_dim,
                            " but the builder was made for ", obs_dim_, "/", action_dim_, "/", sim_state_dim_));
  }
  if (episode.length() == 0) return;
  episodes_.push_back(episode);
  num_steps_ += episode.length();
}

void DatasetBuilder::EndIncompleteEpisode() {
  if (current_.length() == 0) return;
  episodes_.push_back(std::move(current_));
  current_ = Episode{};
  current_.obs_dim = obs_dim_;
  current_.action_dim = action_dim_;
  current_.sim_state_dim = sim_state_dim_;
}

Dataset DatasetBuilder::Build(DatasetMetadata metadata) const {
  std::vector<Episode> all = episodes_;
  if (current_.length()) all.push_back(current_);
  Dataset d = FromEpisodes(all, obs_dim_, action_dim_, std::move(metadata));
  return d;
}

Episode GetEpisode(const Dataset& dataset, int64_t e) {
  if (e < 0 || e >= dataset.num_episodes()) {
    throw RangeError(StrCat("episode ", e, " is outside [0, ", dataset.num_episodes(), ")"));
  }
  const int64_t b = dataset.EpisodeBegin(e), end = dataset.EpisodeEnd(e), t = end - b;
  Episode ep;
  ep.episode_id = e;
  ep.obs_dim = dataset.obs_dim();
  ep.action_dim = dataset.action_dim();
  ep.sim_state_dim = dataset.sim_state_dim();
  auto copy = [&](const at::Tensor& col, int64_t dim, std::vector<float>* out) {
    if (!col.defined() || dim == 0) return;
    at::Tensor s = col.slice(0, b, end).to(at::kCPU).contiguous();
    out->assign(s.data_ptr<float>(), s.data_ptr<float>() + t * dim);
  };
  copy(dataset.observations(), ep.obs_dim, &ep.observations);
  copy(dataset.actions(), ep.action_dim, &ep.actions);
  copy(dataset.rewards(), 1, &ep.rewards);
  copy(dataset.next_observations(), ep.obs_dim, &ep.next_observations);
  copy(dataset.sim_states(), ep.sim_state_dim, &ep.sim_states);
  ep.terminal = dataset.terminals()[end - 1].item<bool>();
  ep.truncated = dataset.timeouts()[end - 1].item<bool>();
  return ep;
}

Dataset FromEpisodes(const std::vector<Episode>& episodes, int64_t obs_dim, int64_t action_dim,
                     DatasetMetadata metadata) {
  int64_t n = 0;
  const int64_t k = episodes.empty() ? 0 : episodes[0].sim_state_dim;
  for (const Episode& ep : episodes) {
    ep.CheckShapes();
    if (ep.obs_dim != obs_dim || ep.action_dim != action_dim || ep.sim_state_dim != k) {
      throw ShapeError(StrCat("episode ", ep.episode_id, " has dims ", ep.obs_dim, "/", ep.action_dim, "/",
                              ep.sim_state_dim, " but the dataset needs ", obs_dim, "/", action_dim, "/", k));
    }
    n += ep.length();
  }
  at::Tensor obs = at::empty({n, obs_dim}, at::kFloat), act = at::empty({n, action_dim}, at::kFloat),
             rew = at::empty({n}, at::kFloat), next = at::empty({n, obs_dim}, at::kFloat),
             sim = k ? at::empty({n, k}, at::kFloat) : at::Tensor();
  at::Tensor term = at::zeros({n}, at::kBool), tout = at::zeros({n}, at::kBool);
  bool* tp = term.data_ptr<bool>();
  bool* op = tout.data_ptr<bool>();
  auto put = [](const std::vector<float>& v, const at::Tensor& t, int64_t row, int64_t dim) {
    if (!v.empty()) std::memcpy(t.data_ptr<float>() + row * dim, v.data(), v.size() * sizeof(float));
  };
  std::vector<int64_t> starts;
  int64_t row = 0;
  for (const Episode& ep : episodes) {
    if (ep.length() == 0) continue;
    starts.push_back(row);
    put(ep.observations, obs, row, obs_dim);
    put(ep.actions, act, row, action_dim);
    put(ep.rewards, rew, row, 1);
    put(ep.next_observations, next, row, obs_dim);
    if (k) put(ep.sim_states, sim, row, k);
    row += ep.length();
    tp[row - 1] = ep.terminal;
    op[row - 1] = ep.truncated;
  }
  Dataset d(obs, act, rew, term, tout, next, std::move(metadata), sim);
  return d.WithEpisodeStarts(std::move(starts));
}

}  // namespace augur::data
