// augur replay: step a reference env from every recorded (obs, action) of a dataset and report how many
// transitions match the recorded next observation, reward and termination.
#include <ATen/ATen.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/core/error.h"
#include "augur/data/io.h"
#include "augur/envs/registry.h"
#include "augur/envs/replay.h"
#include "commands.h"

namespace augur::apps {
namespace {

template <typename T = float>
std::span<const float> View(const at::Tensor& t) {
  return {t.data_ptr<float>(), static_cast<size_t>(t.numel())};
}

}  // namespace

Command ReplayCommand() {
  struct Args {
    std::string env, data;
    envs::ReplayOptions options;
    double min_match = -1;
  };
  auto args = std::make_shared<Args>();
  return {"replay", "Validate a dataset against its simulator: fraction of transitions that match, worst rows",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("--env", args->env, "Environment id (default: the dataset's own)");
            sub.add_option("--data", args->data, "Dataset (.augur, .npz, .hdf5)")->required();
            sub.add_option("--atol", args->options.atol, "Absolute tolerance per value")->capture_default_str();
            sub.add_option("--worst", args->options.worst_rows, "How many of the worst rows to list")
                ->capture_default_str();
            sub.add_option("--min-match", args->min_match,
                           "Exit with status 1 when fewer than this fraction of rows match (e.g. 1.0)");
            return [args, &global] {
              const data::Dataset dataset = data::Load(args->data);
              std::string env_id = args->env;
              if (env_id.empty()) {
                if (!dataset.metadata().env_spec) {
                  throw ConfigError(StrCat(args->data, " does not say which env it comes from; pass --env ID"));
                }
                env_id = dataset.metadata().env_spec->id;
              }
              const at::Tensor terminals = dataset.terminals().to(at::kFloat).contiguous();
              const envs::ReplayReport report =
                  envs::Replay(env_id, View(dataset.observations()), View(dataset.actions()),
                               View(dataset.next_observations()), View(dataset.rewards()), View(terminals),
                               dataset.size(), args->options);
              if (global.json) {
                nlohmann::json worst = nlohmann::json::array();
                for (const auto& w : report.worst) {
                  worst.push_back({{"row", w.row}, {"field", w.field}, {"error", w.error}, {"matched", w.matched}});
                }
                std::printf("%s\n", nlohmann::json{{"env", env_id},
                                                   {"rows", report.rows},
                                                   {"next_obs_match", report.obs_match},
                                                   {"reward_match", report.reward_match},
                                                   {"terminal_match", report.done_match},
                                                   {"all_match", report.all_match},
                                                   {"max_obs_error", report.max_obs_error},
                                                   {"max_reward_error", report.max_reward_error},
                                                   {"worst", worst}}
                                        .dump(2)
                                        .c_str());
              } else {
                std::string text = report.ToString();
                if (!text.empty() && text.back() != '\n') text += '\n';
                std::printf("%s on %s: %s", args->data.c_str(), env_id.c_str(), text.c_str());
              }
              if (args->min_match >= 0 && report.all_match < args->min_match) {
                throw DataError(StrCat(args->data, ": only ", 100 * report.all_match, " % of transitions match ",
                                       env_id, " (required ", 100 * args->min_match, " %)"));
              }
            };
          }};
}

}  // namespace augur::apps
