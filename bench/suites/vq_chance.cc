// The VQ world model (models/vq) on the stochastic SlipperyGrid-v0 (the cliff map, p = 0.8): how close its
// learned outcome distributions are to the true ones (total variation), and what MCTS returns when it plans
// with the VQ model's codes as chance outcomes, with the true chance model (ChanceEnvModel), and with
// deterministic models that predict one outcome (the true env's most likely move; the VQ decoder's most
// likely code) or the mean (a probabilistic ensemble's expectation).
//
//   build/bench/suites/augur_vq_chance [--episodes 100] [--sims 400] [--rows 20000] [--epochs 60] [--out f.json]
//   build/bench/suites/augur_vq_chance --smoke   (tiny sizes: keeps the program working; a ctest)
//
// Every planner is MCTS (PUCT, c = 1.0, discount 0.95, depth 30, chance outcomes expanded in proportion to
// their probabilities) with the same leaf evaluator (ShortestPathEvaluator: the value and a sharp prior of the
// deterministic grid, which know the map but not the slips). The models decide what the tree sees of the
// slips. With a uniform prior (--sharpness 0) MCTS's mean backups of exploratory moves into the holes make every
// model shun the cliff and dither at 200-1000 simulations (most episodes time out): the prior is what lets the
// search commit to a route.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "augur/agents/agent.h"
#include "augur/agents/evaluate.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/envs/chance_env_model.h"
#include "augur/envs/slippery_grid.h"
#include "augur/models/factory.h"
#include "augur/models/vq/vq_model.h"
#include "augur/search/evaluator.h"
#include "augur/search/factory.h"
#include "augur/search/mcts.h"

namespace {

using namespace augur;

// value(s) = discount^(d(s)), d = the length of the shortest path to the goal that avoids holes and walls
// (breadth-first search on the map): the value of the deterministic (p = 1) grid. Prior: softmax over actions
// of `sharpness` x the value of the cell the intended move reaches (a hole counts -1), as a policy network
// trained on the deterministic grid would give. Both know the map but not the slips, so what the tree sees
// of the risk comes from the model. A state is read as its nearest cell.
class ShortestPathEvaluator : public search::Evaluator {
 public:
  ShortestPathEvaluator(const envs::SlipperyGridEnv& env, double discount, double sharpness)
      : env_(env), sharpness_(sharpness), width_(env.width()), height_(env.height()), value_(width_ * height_, 0.f) {
    std::vector<int> dist(width_ * height_, -1), queue;
    for (int y = 0; y < height_; ++y) {
      for (int x = 0; x < width_; ++x) {
        if (env.Cell(x, y) == 'G') dist[y * width_ + x] = 0, queue.push_back(y * width_ + x);
      }
    }
    for (size_t i = 0; i < queue.size(); ++i) {
      const int x = queue[i] % width_, y = queue[i] / width_;
      for (int d = 0; d < 4; ++d) {
        const int nx = x + envs::SlipperyGridEnv::kDx[d], ny = y + envs::SlipperyGridEnv::kDy[d];
        if (nx < 0 || nx >= width_ || ny < 0 || ny >= height_ || dist[ny * width_ + nx] >= 0) continue;
        const char c = env.Cell(nx, ny);
        if (c == 'H' || c == '#') continue;
        dist[ny * width_ + nx] = dist[queue[i]] + 1;
        queue.push_back(ny * width_ + nx);
      }
    }
    for (size_t i = 0; i < dist.size(); ++i) value_[i] = dist[i] < 0 ? 0.f : static_cast<float>(std::pow(discount, dist[i]));
  }
  int64_t state_dim() const override { return 2; }
  int64_t num_actions() const override { return 4; }
  int64_t Evaluate(std::span<const float> states, int64_t batch, uint64_t, uint64_t, std::span<float> values,
                   std::span<float> priors, Scratch&) override {
    for (int64_t r = 0; r < batch; ++r) {
      const int x = std::clamp(static_cast<int>(std::lround(states[2 * r])), 0, width_ - 1);
      const int y = std::clamp(static_cast<int>(std::lround(states[2 * r + 1])), 0, height_ - 1);
      values[r] = value_[y * width_ + x];
      double logits[4], top = -1e30, sum = 0;
      for (int j = 0; j < 4; ++j) {
        int nx, ny;
        env_.Move(x, y, j, &nx, &ny);
        const char c = env_.Cell(nx, ny);
        logits[j] = sharpness_ * (c == 'H' ? -1.0 : c == 'G' ? 1.0 : value_[ny * width_ + nx]);
        top = std::max(top, logits[j]);
      }
      for (int j = 0; j < 4; ++j) sum += (logits[j] = std::exp(logits[j] - top));
      for (int j = 0; j < 4; ++j) priors[4 * r + j] = static_cast<float>(logits[j] / sum);
    }
    return 0;
  }

 private:
  const envs::SlipperyGridEnv& env_;
  double sharpness_;
  int width_, height_;
  std::vector<float> value_;
};

// A model seen without its ChanceModel interface: search steps its mean-free Step (one outcome per action).
// The env's Discrete(4) action space (the ensemble itself only knows unbounded action floats).
class Deterministic : public WorldModel {
 public:
  Deterministic(std::shared_ptr<const WorldModel> inner, std::string type) : inner_(std::move(inner)) {
    spec_ = inner_->spec();
    spec_.type = std::move(type);
    spec_.stochastic = false;
    spec_.action_space = Discrete{4};
  }
  const ModelSpec& spec() const override { return spec_; }
  at::Tensor Encode(const at::Tensor& obs) const override { return inner_->Encode(obs); }
  Transition Step(const at::Tensor& state, const at::Tensor& action, StepContext&) const override {
    StepContext mean;
    return inner_->Step(state, action, mean);
  }
  bool has_cpu_path() const override { return inner_->has_cpu_path(); }
  void StepCpu(const CpuStep& step) const override {
    CpuStep mean = step;
    mean.rng = nullptr;
    inner_->StepCpu(mean);
  }

 private:
  std::shared_ptr<const WorldModel> inner_;
  ModelSpec spec_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"VQ world model vs the true chance model on SlipperyGrid-v0: TV distance and MCTS returns"};
  bool smoke = false;
  int episodes = 100, epochs = 60;
  int64_t sims = 400, rows = 20000;
  std::string vq_spec = "vq:codes=8,code_dim=8,hidden=64,layers=2", out;
  uint64_t seed = 0;
  double discount = 0.95, c = 1.0, sharpness = 20;
  app.add_option("--sharpness", sharpness, "prior sharpness (0: uniform prior)")->capture_default_str();
  std::string extra_keys;
  app.add_option("--keys", extra_keys, "more MCTS spec keys, e.g. normalize=false")->capture_default_str();
  app.add_option("--discount", discount, "MCTS discount (and the leaf value's)")->capture_default_str();
  app.add_option("--c", c, "PUCT exploration constant")->capture_default_str();
  app.add_flag("--smoke", smoke, "tiny sizes (a ctest keeping the program working; figures meaningless)");
  app.add_option("--episodes", episodes, "evaluation episodes per planner")->capture_default_str();
  app.add_option("--sims", sims, "MCTS simulations per action")->capture_default_str();
  app.add_option("--rows", rows, "training transitions (uniform cells and actions)")->capture_default_str();
  app.add_option("--epochs", epochs, "training epochs")->capture_default_str();
  app.add_option("--vq", vq_spec, "VQ model spec")->capture_default_str();
  app.add_option("--seed", seed, "data, training and evaluation seed")->capture_default_str();
  app.add_option("--out", out, "write the figures as JSON");
  bool trace = false;
  app.add_flag("--trace", trace, "print each planner's first episode (cells and actions)");
  CLI11_PARSE(app, argc, argv);
  if (smoke) episodes = 2, epochs = 2, sims = 20, rows = 600;

  Executor executor(1);
  const envs::SlipperyGridEnv env;
  const envs::GridTransitions t = envs::SampleUniformTransitions(env, rows, seed);
  const auto data = models::TransitionBatch::FromRows(2, 1, t.obs, t.action, t.next_obs, t.reward, t.done);
  const models::ModelInputs inputs{.obs_dim = 2, .action_dim = 1, .env_id = "SlipperyGrid-v0", .discrete_actions = 4};
  models::TrainOptions train;
  train.max_epochs = epochs;
  train.batch_size = 256;
  train.learning_rate = 3e-3;
  train.patience = epochs;
  train.seed = seed;
  auto vq_owned = models::Create(vq_spec, inputs);
  const models::TrainReport vq_report = vq_owned->Train(data, train, nullptr);
  std::shared_ptr<const models::VqModel> vq(dynamic_cast<models::VqModel*>(vq_owned.release()));
  // The mean-prediction baseline: a probabilistic ensemble's expectation (members' mean of the mean).
  models::TrainOptions ens_train = train;
  ens_train.patience = 5;
  auto ensemble_owned = models::Create("ensemble:members=3,elites=3,hidden=64,layers=2", inputs);
  ensemble_owned->Train(data, ens_train, nullptr);
  std::shared_ptr<const WorldModel> ensemble(std::move(ensemble_owned));
  auto truth = std::make_shared<envs::ChanceEnvModel>(env);

  // Total variation over every (non-terminal cell, action).
  std::vector<float> s, a;
  for (const auto& cell : env.NonTerminalCells()) {
    for (int action = 0; action < 4; ++action) s.insert(s.end(), cell.begin(), cell.end()), a.push_back(action);
  }
  const int64_t pairs = static_cast<int64_t>(a.size());
  const at::Tensor states = at::tensor(s).view({pairs, 2}), actions = at::tensor(a).view({pairs, 1});
  auto mean_max = [](const std::vector<double>& v) {
    return std::make_pair(std::accumulate(v.begin(), v.end(), 0.0) / v.size(), *std::max_element(v.begin(), v.end()));
  };
  const auto [tv_vq, tv_vq_max] = mean_max(envs::OutcomeTotalVariation(*vq, *truth, states, actions));
  // A deterministic model puts probability 1 on one outcome: the intended move's TV is 1 - p_intended merged.
  std::vector<double> tv_det(pairs);
  {
    const at::Tensor probs = truth->OutcomeProbs(states, actions);
    StepContext mean;
    const Transition likely = truth->Step(states, actions, mean);
    for (int64_t r = 0; r < pairs; ++r) {
      double same = 0;
      for (int64_t k = 0; k < truth->num_outcomes(); ++k) {
        const Transition t = truth->StepOutcome(states.narrow(0, r, 1), actions.narrow(0, r, 1), at::full({1}, k, at::kLong));
        if (at::equal(t.next_state[0], likely.next_state[r])) same += probs[r][k].item<double>();
      }
      tv_det[r] = 1.0 - same;
    }
  }
  const auto [tv_d, tv_d_max] = mean_max(tv_det);
  const auto& last = vq_report.epochs.back();
  std::printf("SlipperyGrid-v0 (cliff 6x3, p = 0.8): %lld training rows, %s, %zu epochs in %.1f s, %g codes used\n",
              static_cast<long long>(rows), vq_spec.c_str(), vq_report.epochs.size(), vq_report.seconds,
              last.extra.at("codes_used"));
  std::printf("total variation to the true outcome distribution over %lld (cell, action) pairs:\n",
              static_cast<long long>(pairs));
  std::printf("  %-36s mean %.4f  max %.4f\n", "vq (prior over decoded codes)", tv_vq, tv_vq_max);
  std::printf("  %-36s mean %.4f  max %.4f\n", "most likely outcome only", tv_d, tv_d_max);

  const std::string spec = "mcts:sims=" + std::to_string(sims) + ",c=" + StrCat(c) + ",discount=" + StrCat(discount) +
                           ",chance=expand," + (extra_keys.empty() ? std::string("depth=30") : extra_keys);
  struct Row {
    std::string name;
    std::shared_ptr<const WorldModel> model;
  };
  const std::vector<Row> planners = {
      {"true chance model", truth},
      {"vq chance model (codes)", vq},
      {"true most-likely (deterministic)", std::make_shared<Deterministic>(truth, "true-most-likely")},
      {"vq most-likely code (deterministic)", std::make_shared<Deterministic>(vq, "vq-most-likely")},
      {"ensemble mean (deterministic)", std::make_shared<Deterministic>(ensemble, "ensemble-mean")},
  };
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  std::printf("MCTS (%s), %d episodes each, shortest-safe-path leaf value:\n", spec.c_str(), episodes);
  std::printf("  %-36s %8s %8s %8s %8s %10s\n", "model", "return", "std", "goal", "hole", "ms/action");
  for (const Row& row : planners) {
    search::SearchInputs in;
    in.model = row.model;
    in.evaluator = std::make_shared<ShortestPathEvaluator>(env, discount, sharpness);
    in.seed = seed;
    std::shared_ptr<Planner> planner = search::MakeSearchPlanner(spec, in, executor);
    if (trace) {
      for (const auto& cell : std::vector<std::array<float, 2>>{{0, 0}, {0, 1}, {2, 1}}) {
        planner->Reset(seed);
        planner->Plan(cell, Budget::Iterations(sims));
        const auto& st = dynamic_cast<search::Mcts&>(*planner).last_stats();
        std::printf("  probe (%g,%g):", cell[0], cell[1]);
        for (int j = 0; j < 4; ++j) std::printf(" %c n=%lld q=%.3f", "LDRU"[j], static_cast<long long>(st.visits[j]), st.q[j]);
        std::printf("\n");
      }
      planner->Reset(seed);
    }
    agents::MpcAgent agent(planner, {});
    agents::EvaluationOptions options;
    options.episodes = episodes;
    options.seed = seed;
    options.record_trajectory = trace;
    const agents::EvaluationReport report = agents::Evaluate(env, agent, options);
    if (trace) {
      std::printf("  %s, episode 0:", row.name.c_str());
      for (size_t t = 0; t < report.actions.size(); ++t) {
        std::printf(" (%g,%g)%c", report.observations[2 * t], report.observations[2 * t + 1], "LDRU"[static_cast<int>(report.actions[t])]);
      }
      std::printf("\n");
    }
    int goal = 0, hole = 0;
    for (const auto& e : report.episodes) goal += e.ret > 0.5, hole += e.ret < -0.5;
    std::printf("  %-36s %8.3f %8.3f %7.0f%% %7.0f%% %10.3f\n", row.name.c_str(), report.mean_return,
                report.std_return, 100.0 * goal / episodes, 100.0 * hole / episodes, report.mean_action_ms);
    results.push_back({{"model", row.name},        {"mean_return", report.mean_return},
                       {"std_return", report.std_return}, {"goal_rate", double(goal) / episodes},
                       {"hole_rate", double(hole) / episodes}, {"ms_per_action", report.mean_action_ms}});
  }
  if (!out.empty()) {
    nlohmann::ordered_json j{{"env", "SlipperyGrid-v0"},
                             {"rows", rows},
                             {"vq", vq_spec},
                             {"epochs", vq_report.epochs.size()},
                             {"train_seconds", vq_report.seconds},
                             {"codes_used", last.extra.at("codes_used")},
                             {"tv_vq_mean", tv_vq},
                             {"tv_vq_max", tv_vq_max},
                             {"tv_most_likely_mean", tv_d},
                             {"tv_most_likely_max", tv_d_max},
                             {"mcts", spec},
                             {"episodes", episodes},
                             {"planners", results}};
    std::ofstream(out) << j.dump(2) << "\n";
  }
  return 0;
}
