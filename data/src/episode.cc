#include "augur/data/episode.h"

#include "augur/core/error.h"

namespace augur::data {
namespace {

void CheckField(const std::vector<float>& v, int64_t t, int64_t dim, const char* field, int64_t id) {
  if (static_cast<int64_t>(v.size()) != t * dim) {
    throw ShapeError(StrCat("episode ", id, ": field '", field, "' holds ", v.size(), " floats but ", t,
                            " steps x dim ", dim, " = ", t * dim, " are needed"));
  }
}

}  // namespace

void Episode::CheckShapes() const {
  const int64_t t = length();
  if (obs_dim < 1 || action_dim < 1 || sim_state_dim < 0) {
    throw ShapeError(StrCat("episode ", episode_id, ": obs_dim ", obs_dim, " and action_dim ", action_dim,
                            " must be >= 1, sim_state_dim ", sim_state_dim, " >= 0"));
  }
  CheckField(observations, t, obs_dim, "observations", episode_id);
  CheckField(actions, t, action_dim, "actions", episode_id);
  CheckField(next_observations, t, obs_dim, "next_observations", episode_id);
  CheckField(sim_states, t, sim_state_dim, "sim_states", episode_id);
}

}  // namespace augur::data
