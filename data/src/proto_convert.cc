#include "augur/data/proto_convert.h"

#include <algorithm>
#include <cstring>

#include "augur/core/error.h"

namespace augur::data {
namespace {

void ToProto(const Space& space, proto::Space* out) {
  if (const auto* d = std::get_if<Discrete>(&space)) {
    out->mutable_discrete()->set_n(d->n);
    return;
  }
  const Box& box = std::get<Box>(space);
  auto* b = out->mutable_box();
  b->mutable_low()->Add(box.low.begin(), box.low.end());
  b->mutable_high()->Add(box.high.begin(), box.high.end());
}

Space FromProto(const proto::Space& space, const std::string& what) {
  switch (space.kind_case()) {
    case proto::Space::kDiscrete:
      return Discrete{space.discrete().n()};
    case proto::Space::kBox: {
      Box b{{space.box().low().begin(), space.box().low().end()},
            {space.box().high().begin(), space.box().high().end()}};
      if (b.low.size() != b.high.size()) {
        throw DataError(StrCat(what, ": box has ", b.low.size(), " low and ", b.high.size(), " high bounds"));
      }
      return b;
    }
    default:
      throw DataError(StrCat(what, ": the space holds neither a box nor a discrete space"));
  }
}

template <typename T>
void Assign(const google::protobuf::RepeatedField<T>& from, std::vector<T>* to) {
  to->assign(from.begin(), from.end());
}

template <typename T>
void Add(const std::vector<T>& from, google::protobuf::RepeatedField<T>* to) {
  to->Add(from.begin(), from.end());
}

}  // namespace

proto::EnvSpec ToProto(const EnvSpec& spec) {
  proto::EnvSpec out;
  out.set_id(spec.id);
  ToProto(spec.observation, out.mutable_observation());
  ToProto(spec.action, out.mutable_action());
  out.set_max_steps(spec.max_steps);
  out.set_dt(spec.dt);
  if (spec.reward_threshold) out.set_reward_threshold(*spec.reward_threshold);
  return out;
}

EnvSpec FromProto(const proto::EnvSpec& spec) {
  EnvSpec out;
  out.id = spec.id();
  out.observation = FromProto(spec.observation(), StrCat("env spec '", spec.id(), "' observation"));
  out.action = FromProto(spec.action(), StrCat("env spec '", spec.id(), "' action"));
  out.max_steps = spec.max_steps();
  out.dt = spec.dt();
  if (spec.has_reward_threshold()) out.reward_threshold = spec.reward_threshold();
  return out;
}

proto::Episode ToProto(const Episode& ep) {
  proto::Episode out;
  out.set_episode_id(ep.episode_id);
  out.set_seed(ep.seed);
  out.set_length(ep.length());
  Add(ep.observations, out.mutable_observations());
  Add(ep.actions, out.mutable_actions());
  Add(ep.rewards, out.mutable_rewards());
  const int64_t t = ep.length(), o = ep.obs_dim;
  // next_observations[s] == observations[s + 1] for every s < T - 1: store the last one only. Compared
  // bitwise so that a round trip is exact (NaN payloads and -0.0 included).
  const bool shifted = t > 0 && std::equal(ep.next_observations.begin(), ep.next_observations.begin() + (t - 1) * o,
                                           ep.observations.begin() + o, [](float a, float b) {
                                             return std::memcmp(&a, &b, sizeof(float)) == 0;
                                           });
  if (shifted) {
    out.mutable_final_observation()->Add(ep.next_observations.begin() + (t - 1) * o, ep.next_observations.end());
  } else {
    Add(ep.next_observations, out.mutable_next_observations());
  }
  out.set_terminal(ep.terminal);
  out.set_truncated(ep.truncated);
  Add(ep.sim_states, out.mutable_sim_states());
  out.set_sim_state_dim(ep.sim_state_dim);
  return out;
}

Episode FromProto(const proto::Episode& msg, int64_t obs_dim, int64_t action_dim, int64_t sim_state_dim) {
  Episode ep;
  ep.episode_id = msg.episode_id();
  ep.seed = msg.seed();
  ep.obs_dim = obs_dim;
  ep.action_dim = action_dim;
  ep.sim_state_dim = msg.sim_state_dim();
  const int64_t t = msg.length();
  auto check = [&](int64_t got, int64_t want, const char* field) {
    if (got != want) {
      throw DataError(StrCat("episode ", msg.episode_id(), ": field '", field, "' holds ", got, " floats but ", t,
                             " steps need ", want));
    }
  };
  if (ep.sim_state_dim != sim_state_dim) {
    throw DataError(StrCat("episode ", msg.episode_id(), " has sim state dim ", ep.sim_state_dim,
                           " but the file header says ", sim_state_dim));
  }
  check(msg.observations_size(), t * obs_dim, "observations");
  check(msg.actions_size(), t * action_dim, "actions");
  check(msg.rewards_size(), t, "rewards");
  check(msg.sim_states_size(), t * sim_state_dim, "sim_states");
  Assign(msg.observations(), &ep.observations);
  Assign(msg.actions(), &ep.actions);
  Assign(msg.rewards(), &ep.rewards);
  Assign(msg.sim_states(), &ep.sim_states);
  if (msg.final_observation_size() > 0 || t == 0) {
    check(msg.final_observation_size(), t == 0 ? 0 : obs_dim, "final_observation");
    check(msg.next_observations_size(), 0, "next_observations");
    if (t > 0) {
      ep.next_observations.assign(ep.observations.begin() + obs_dim, ep.observations.end());
      ep.next_observations.insert(ep.next_observations.end(), msg.final_observation().begin(),
                                  msg.final_observation().end());
    }
  } else {
    check(msg.next_observations_size(), t * obs_dim, "next_observations");
    Assign(msg.next_observations(), &ep.next_observations);
  }
  ep.terminal = msg.terminal();
  ep.truncated = msg.truncated();
  return ep;
}

proto::DatasetHeader ToProtoHeader(const DatasetMetadata& m, int64_t obs_dim, int64_t action_dim,
                                   int64_t sim_state_dim) {
  proto::DatasetHeader h;
  h.set_magic("augur.dataset");
  h.set_version(1);
  if (m.env_spec) {
    *h.mutable_env_spec() = ToProto(*m.env_spec);
  }
  h.set_source(m.source);
  h.set_licence(m.licence);
  h.set_behaviour_policy(m.behaviour_policy);
  h.set_observation_dim(obs_dim);
  h.set_action_dim(action_dim);
  h.set_sim_state_dim(sim_state_dim);
  for (const auto& [k, v] : m.extra) (*h.mutable_metadata())[k] = v;
  return h;
}

DatasetMetadata FromProto(const proto::DatasetHeader& h) {
  DatasetMetadata m;
  if (h.has_env_spec()) m.env_spec = FromProto(h.env_spec());
  m.source = h.source();
  m.licence = h.licence();
  m.behaviour_policy = h.behaviour_policy();
  for (const auto& [k, v] : h.metadata()) m.extra[k] = v;
  return m;
}

proto::NormalizerProto ToProto(const Normalizer& n) {
  proto::NormalizerProto out;
  Add(n.mean(), out.mutable_mean());
  Add(n.std(), out.mutable_std());
  out.set_epsilon(n.epsilon());
  out.set_count(n.count());
  return out;
}

Normalizer FromProto(const proto::NormalizerProto& n) {
  try {
    return Normalizer({n.mean().begin(), n.mean().end()}, {n.std().begin(), n.std().end()}, n.epsilon(),
                      n.count());
  } catch (const ConfigError& e) {
    throw DataError(StrCat("stored normalizer is invalid: ", e.what()));
  }
}

}  // namespace augur::data
