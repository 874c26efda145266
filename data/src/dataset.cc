#include "augur/data/dataset.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "augur/core/error.h"
#include "internal/checks.h"

namespace augur::data {
namespace {

std::string ShapeString(const at::Tensor& t) {
  if (!t.defined()) return "undefined";
  std::ostringstream out;
  out << "[";
  for (int64_t i = 0; i < t.dim(); ++i) out << (i ? ", " : "") << t.size(i);
  out << "]";
  return out.str();
}

void CheckColumn(const at::Tensor& t, const char* name, int64_t dims, at::ScalarType dtype) {
  if (!t.defined()) throw ShapeError(StrCat("Dataset column '", name, "' is missing (undefined tensor)"));
  if (t.dim() != dims) {
    throw ShapeError(StrCat("Dataset column '", name, "' has shape ", ShapeString(t), " but must be ", dims,
                            "-D (", dims == 1 ? "[N]" : "[N, D]", ")"));
  }
  if (t.scalar_type() != dtype) {
    throw ShapeError(StrCat("Dataset column '", name, "' has dtype ", at::toString(t.scalar_type()),
                            " but must be ", at::toString(dtype), "; convert it with .to()"));
  }
}

void CheckSameRows(const at::Tensor& t, const char* name, const at::Tensor& ref, const char* ref_name) {
  if (t.size(0) != ref.size(0)) {
    throw ShapeError(StrCat("Dataset column '", name, "' has shape ", ShapeString(t), " but '", ref_name,
                            "' has shape ", ShapeString(ref), ": every column needs the same number of rows"));
  }
}

void AppendStats(const at::Tensor& x2d, ColumnStats* stats) {
  at::Tensor x = x2d.to(at::kDouble);
  if (x.size(0) == 0) return;
  at::Tensor mean = x.mean(0), std = x.std(0, /*unbiased=*/false), mn = std::get<0>(x.min(0)),
             mx = std::get<0>(x.max(0));
  for (int64_t d = 0; d < x.size(1); ++d) {
    stats->mean.push_back(mean[d].item<double>());
    stats->std.push_back(std[d].item<double>());
    stats->min.push_back(mn[d].item<double>());
    stats->max.push_back(mx[d].item<double>());
  }
}

// FNV-1a over bytes, two lanes with different offsets, finalized with a 64-bit mix: stable across machines.
struct Hasher {
  uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
  void Bytes(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) {
      a = (a ^ p[i]) * 0x100000001b3ULL;
      b = (b ^ p[i]) * 0x100000001b3ULL;
      b ^= b >> 29;
    }
  }
  void Int(int64_t v) { Bytes(&v, sizeof(v)); }
  void Tensor(const at::Tensor& t) {
    if (!t.defined()) {
      Int(-1);
      return;
    }
    at::Tensor c = t.contiguous();
    Int(c.dim());
    for (int64_t i = 0; i < c.dim(); ++i) Int(c.size(i));
    Int(static_cast<int64_t>(c.scalar_type()));
    Bytes(c.data_ptr(), c.numel() * c.element_size());
  }
};

uint64_t Finalize(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

// Episode starts implied by the flags: row 0 and every row after a terminal or time-out.
std::vector<int64_t> FlagStarts(const at::Tensor& terminals, const at::Tensor& timeouts) {
  std::vector<int64_t> starts;
  const int64_t n = terminals.size(0);
  at::Tensor ends = at::logical_or(terminals, timeouts).to(at::kCPU).contiguous();
  const bool* e = ends.data_ptr<bool>();
  if (n > 0) starts.push_back(0);
  for (int64_t i = 0; i + 1 < n; ++i) {
    if (e[i]) starts.push_back(i + 1);
  }
  return starts;
}

}  // namespace

bool DatasetMetadata::operator==(const DatasetMetadata& o) const {
  const bool spec_equal =
      env_spec.has_value() == o.env_spec.has_value() &&
      (!env_spec || (env_spec->id == o.env_spec->id && env_spec->observation == o.env_spec->observation &&
                     env_spec->action == o.env_spec->action && env_spec->max_steps == o.env_spec->max_steps &&
                     env_spec->dt == o.env_spec->dt && env_spec->reward_threshold == o.env_spec->reward_threshold));
  return spec_equal && source == o.source && licence == o.licence && behaviour_policy == o.behaviour_policy &&
         extra == o.extra;
}

Dataset::Dataset(at::Tensor observations, at::Tensor actions, at::Tensor rewards, at::Tensor terminals,
                 at::Tensor timeouts, at::Tensor next_observations, DatasetMetadata metadata,
                 at::Tensor sim_states)
    : observations_(std::move(observations)),
      actions_(std::move(actions)),
      rewards_(std::move(rewards)),
      terminals_(std::move(terminals)),
      timeouts_(std::move(timeouts)),
      next_observations_(std::move(next_observations)),
      sim_states_(std::move(sim_states)),
      metadata_(std::move(metadata)) {
  CheckColumn(observations_, "observations", 2, at::kFloat);
  CheckColumn(actions_, "actions", 2, at::kFloat);
  CheckColumn(rewards_, "rewards", 1, at::kFloat);
  CheckColumn(terminals_, "terminals", 1, at::kBool);
  CheckColumn(timeouts_, "timeouts", 1, at::kBool);
  CheckColumn(next_observations_, "next_observations", 2, at::kFloat);
  CheckSameRows(observations_, "observations", rewards_, "rewards");
  CheckSameRows(actions_, "actions", rewards_, "rewards");
  CheckSameRows(terminals_, "terminals", rewards_, "rewards");
  CheckSameRows(timeouts_, "timeouts", rewards_, "rewards");
  CheckSameRows(next_observations_, "next_observations", rewards_, "rewards");
  if (next_observations_.size(1) != observations_.size(1)) {
    throw ShapeError(StrCat("Dataset column 'next_observations' has shape ", ShapeString(next_observations_),
                            " but 'observations' has shape ", ShapeString(observations_),
                            ": both need the same observation dim"));
  }
  if (sim_states_.defined()) {
    CheckColumn(sim_states_, "sim_states", 2, at::kFloat);
    CheckSameRows(sim_states_, "sim_states", rewards_, "rewards");
  }
  for (at::Tensor* t : {&observations_, &actions_, &rewards_, &terminals_, &timeouts_, &next_observations_,
                        &sim_states_}) {
    if (t->defined()) *t = t->contiguous();
  }
  episode_starts_ = FlagStarts(terminals_, timeouts_);
}

int64_t Dataset::EpisodeBegin(int64_t e) const {
  AUGUR_CHECK(e >= 0 && e < num_episodes()) << "episode " << e << " of " << num_episodes();
  return episode_starts_[e];
}

int64_t Dataset::EpisodeEnd(int64_t e) const {
  AUGUR_CHECK(e >= 0 && e < num_episodes()) << "episode " << e << " of " << num_episodes();
  return e + 1 < num_episodes() ? episode_starts_[e + 1] : size();
}

void Dataset::Validate() const {
  if (size() == 0) return;
  internal::CheckFinite(observations_, "observations", "dataset");
  internal::CheckFinite(actions_, "actions", "dataset");
  internal::CheckFinite(rewards_, "rewards", "dataset");
  internal::CheckFinite(next_observations_, "next_observations", "dataset");
  if (sim_states_.defined()) internal::CheckFinite(sim_states_, "sim_states", "dataset");
  if (metadata_.env_spec) {
    const EnvSpec& spec = *metadata_.env_spec;
    if (spec.obs_dim() != obs_dim() || spec.action_dim() != action_dim()) {
      throw DataError(StrCat("Dataset metadata says env '", spec.id, "' with obs dim ", spec.obs_dim(),
                             " and action dim ", spec.action_dim(), " but the columns have obs dim ", obs_dim(),
                             " and action dim ", action_dim(), "; fix the env spec or the data"));
    }
  }
}

std::string Dataset::Digest() const {
  Hasher h;
  for (const at::Tensor* t : {&observations_, &actions_, &rewards_, &terminals_, &timeouts_,
                              &next_observations_, &sim_states_}) {
    h.Tensor(t->defined() ? t->to(at::kCPU) : *t);
  }
  h.Int(static_cast<int64_t>(episode_starts_.size()));
  h.Bytes(episode_starts_.data(), episode_starts_.size() * sizeof(int64_t));
  std::ostringstream out;
  out << std::hex << std::setfill('0') << std::setw(16) << Finalize(h.a) << std::setw(16) << Finalize(h.b);
  return out.str();
}

Dataset Dataset::WithEpisodeStarts(std::vector<int64_t> starts) const {
  const int64_t n = size();
  if (n == 0 ? !starts.empty() : (starts.empty() || starts[0] != 0)) {
    throw ConfigError(StrCat("episode starts must begin with row 0 (dataset of ", n, " rows)"));
  }
  for (size_t i = 1; i < starts.size(); ++i) {
    if (starts[i] <= starts[i - 1] || starts[i] >= n) {
      throw ConfigError(StrCat("episode start ", i, " = ", starts[i], " must be ascending and below ", n));
    }
  }
  // Every flagged row must end an episode.
  for (int64_t s : FlagStarts(terminals_, timeouts_)) {
    if (!std::binary_search(starts.begin(), starts.end(), s)) {
      throw ConfigError(StrCat("episode starts omit row ", s,
                               ", which follows a terminal or time-out row"));
    }
  }
  Dataset out = *this;
  out.episode_starts_ = std::move(starts);
  return out;
}

Dataset Dataset::Slice(int64_t begin, int64_t end) const {
  if (begin < 0 || end > size() || begin > end) {
    throw RangeError(StrCat("Dataset::Slice(", begin, ", ", end, ") is outside [0, ", size(), "]"));
  }
  Dataset out(observations_.slice(0, begin, end), actions_.slice(0, begin, end), rewards_.slice(0, begin, end),
              terminals_.slice(0, begin, end), timeouts_.slice(0, begin, end),
              next_observations_.slice(0, begin, end), metadata_,
              sim_states_.defined() ? sim_states_.slice(0, begin, end) : at::Tensor());
  std::vector<int64_t> starts;
  if (end > begin) starts.push_back(0);
  for (int64_t s : episode_starts_) {
    if (s > begin && s < end) starts.push_back(s - begin);
  }
  return out.WithEpisodeStarts(std::move(starts));
}

Dataset Dataset::SliceEpisodes(int64_t first, int64_t last) const {
  if (first < 0 || last > num_episodes() || first > last) {
    throw RangeError(StrCat("Dataset::SliceEpisodes(", first, ", ", last, ") is outside [0, ", num_episodes(),
                            "]"));
  }
  if (first == last) return Slice(0, 0);
  return Slice(EpisodeBegin(first), EpisodeEnd(last - 1));
}

std::vector<double> Dataset::EpisodeReturns() const {
  std::vector<double> out;
  at::Tensor r = rewards_.to(at::kCPU).contiguous();
  const float* p = r.data_ptr<float>();
  for (int64_t e = 0; e < num_episodes(); ++e) {
    double sum = 0.0;
    for (int64_t i = EpisodeBegin(e); i < EpisodeEnd(e); ++i) sum += p[i];
    out.push_back(sum);
  }
  return out;
}

ColumnStats Dataset::ObservationStats() const {
  ColumnStats s;
  if (size()) AppendStats(observations_, &s);
  return s;
}
ColumnStats Dataset::ActionStats() const {
  ColumnStats s;
  if (size()) AppendStats(actions_, &s);
  return s;
}
ColumnStats Dataset::RewardStats() const {
  ColumnStats s;
  if (size()) AppendStats(rewards_.unsqueeze(1), &s);
  return s;
}

std::string Dataset::Summary() const {
  std::ostringstream out;
  out << "rows " << size() << ", episodes " << num_episodes() << ", obs dim " << obs_dim() << ", action dim "
      << action_dim();
  if (sim_state_dim()) out << ", sim state dim " << sim_state_dim();
  out << "\n";
  if (size()) {
    out << "terminals " << terminals_.sum().item<int64_t>() << ", timeouts " << timeouts_.sum().item<int64_t>()
        << "\n";
    std::vector<double> ret = EpisodeReturns();
    double lo = ret[0], hi = ret[0], sum = 0;
    for (double r : ret) lo = std::min(lo, r), hi = std::max(hi, r), sum += r;
    out << "episode return mean " << sum / ret.size() << ", min " << lo << ", max " << hi << "\n";
  }
  if (metadata_.env_spec) out << "env " << metadata_.env_spec->id << "\n";
  if (!metadata_.source.empty()) out << "source " << metadata_.source << "\n";
  if (!metadata_.licence.empty()) out << "licence " << metadata_.licence << "\n";
  if (!metadata_.behaviour_policy.empty()) out << "behaviour policy " << metadata_.behaviour_policy << "\n";
  for (const auto& [k, v] : metadata_.extra) out << k << ": " << v << "\n";
  out << "digest " << Digest() << "\n";
  return out.str();
}

Dataset Concat(const std::vector<Dataset>& datasets) {
  if (datasets.empty()) throw ConfigError("Concat needs at least one dataset");
  std::vector<at::Tensor> obs, act, rew, term, tout, next, sim;
  const Dataset& first = datasets[0];
  for (size_t i = 0; i < datasets.size(); ++i) {
    const Dataset& d = datasets[i];
    if (d.obs_dim() != first.obs_dim() || d.action_dim() != first.action_dim() ||
        d.sim_state_dim() != first.sim_state_dim()) {
      throw ShapeError(StrCat("Concat: dataset ", i, " has obs/action/sim dims ", d.obs_dim(), "/",
                              d.action_dim(), "/", d.sim_state_dim(), " but dataset 0 has ", first.obs_dim(),
                              "/", first.action_dim(), "/", first.sim_state_dim()));
    }
    obs.push_back(d.observations());
    act.push_back(d.actions());
    rew.push_back(d.rewards());
    term.push_back(d.terminals());
    tout.push_back(d.timeouts());
    next.push_back(d.next_observations());
    if (d.sim_state_dim()) sim.push_back(d.sim_states());
  }
  Dataset out(at::cat(obs), at::cat(act), at::cat(rew), at::cat(term), at::cat(tout), at::cat(next),
              first.metadata(), sim.empty() ? at::Tensor() : at::cat(sim));
  // An incomplete last episode of one dataset must not merge with the first episode of the next.
  std::vector<int64_t> starts;
  int64_t offset = 0;
  for (const Dataset& d : datasets) {
    for (int64_t s : d.episode_starts()) starts.push_back(offset + s);
    offset += d.size();
  }
  return out.WithEpisodeStarts(std::move(starts));
}

}  // namespace augur::data
