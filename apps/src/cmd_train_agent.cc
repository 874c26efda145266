// augur train-agent: offline model-based RL (RAVL, MOPO, MOBILE, plain SAC-N) on branched rollouts of a learned
// ensemble or of the true simulator; checkpoints the policy and critics every N steps (a rerun with the same
// --out resumes), writes metrics JSON, and evaluates the final policy in the env.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "augur/agents/evaluate.h"
#include "augur/agents/rl/offline_rl.h"
#include "augur/agents/rl/sac_agent.h"
#include "augur/core/error.h"
#include "augur/core/executor.h"
#include "augur/core/logging.h"
#include "augur/core/progress.h"
#include "augur/data/io.h"
#include "augur/envs/env_model.h"
#include "augur/envs/registry.h"
#include "augur/models/data_box.h"
#include "augur/models/known_reward.h"
#include "commands.h"
#include "augur/agents/model_loading.h"
#include "report.h"

namespace augur::apps {
namespace {

struct TrainAgentArgs {
  agents::rl::OfflineRlOptions o;
  std::string data, env, model = "true", out, metrics, reward = "learned", box = "none";
  int eval_episodes = 10;
};

nlohmann::json LogJson(const agents::rl::OfflineRlLog& l) {
  const auto& m = l.metrics;
  return {{"step", l.step},           {"critic_loss", m.critic_loss},   {"actor_loss", m.actor_loss},
          {"alpha", m.alpha},         {"diversity_loss", m.diversity_loss}, {"q_mean", m.q_mean},
          {"q_abs_max", m.q_abs_max}, {"entropy", m.entropy},           {"penalty_mean", l.penalty_mean},
          {"rollout_reward", l.rollout_reward}, {"rollout_seconds", l.rollout_seconds},
          {"buffer_rows", l.buffer_rows}, {"seconds", l.seconds},       {"updates_per_second", l.updates_per_second}};
}

}  // namespace

Command TrainAgentCommand() {
  auto args = std::make_shared<TrainAgentArgs>();
  return {"train-agent",
          "Offline model-based RL on k-step rollouts: RAVL, MOPO, MOBILE or SAC-N, with a learned ensemble or "
          "the true env as the model (resumable)",
          [args](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            auto& o = args->o;
            sub.add_option("--data", args->data, "Offline dataset (record file, npz or HDF5)")->required();
            sub.add_option("--env", args->env, "Env id for the true model and evaluation (default: the dataset's)");
            sub.add_option("--model", args->model,
                           "Rollout model: 'true' (the simulator, restarted from recorded sim states when the "
                           "dataset has them) or an ensemble checkpoint from augur train")
                ->capture_default_str();
            sub.add_option("--reward", args->reward,
                           "With an ensemble --model: 'learned' (its reward head) or 'known' (its predicted transitions "
                           "scored with the env's reward function; DMSD, Pendulum-v1)")
                ->check(CLI::IsMember({"learned", "known"}))->capture_default_str();
            sub.add_option("--box", args->box,
                           "With an ensemble --model: 'none' (its raw predictions) or 'data' (predicted next observations "
                           "clamped into --data's per-dimension observation [min, max], rewards into its reward range)")
                ->check(CLI::IsMember({"none", "data"}))->capture_default_str();
            sub.add_option("--method", o.method, "ravl, mopo, mobile or sac")->capture_default_str();
            sub.add_option("--out", args->out, "Checkpoint of policy and critics (resumed when it exists)")
                ->required();
            sub.add_option("--metrics", args->metrics, "Write metrics JSON here (default: OUT.json)");
            sub.add_option("--steps", o.steps, "Total gradient steps")->capture_default_str();
            sub.add_option("--critics", o.critics, "Q-ensemble size (0: method default, ravl 10, mopo/mobile 2)")
                ->capture_default_str();
            sub.add_option("--eta", o.eta, "EDAC diversity weight (< 0: method default, ravl 1)")
                ->capture_default_str();
            sub.add_option("--penalty", o.penalty, "MOPO lambda / MOBILE beta")->capture_default_str();
            sub.add_option("--hidden", o.hidden, "Width of actor and critic layers")->capture_default_str();
            sub.add_option("--layers", o.layers, "Hidden layers of actor and critics")->capture_default_str();
            sub.add_option("--gamma", o.gamma, "Discount")->capture_default_str();
            sub.add_option("--lr", o.critic_lr, "Learning rate of actor, critics and alpha")
                ->capture_default_str();
            sub.add_option("--batch", o.batch, "Batch size")->capture_default_str();
            sub.add_option("--real-ratio", o.real_ratio, "Share of dataset rows per batch")->capture_default_str();
            sub.add_option("--rollout-length", o.rollout_length, "k, steps per rollout")->capture_default_str();
            sub.add_option("--rollout-starts", o.rollout_starts, "Start states per rollout round")
                ->capture_default_str();
            sub.add_option("--rollout-every", o.rollout_every, "Gradient steps per rollout round")
                ->capture_default_str();
            sub.add_option("--retain-rounds", o.retain_rounds, "Rollout rounds kept in the synthetic buffer")
                ->capture_default_str();
            sub.add_option("--checkpoint-every", o.checkpoint_every, "Steps between checkpoints (0: at the end)")
                ->capture_default_str();
            sub.add_option("--log-every", o.log_every, "Steps between metric rows")->capture_default_str();
            sub.add_option("--seed", o.seed, "Seed")->capture_default_str();
            sub.add_option("--eval-episodes", args->eval_episodes, "Episodes to evaluate the final policy (0: none)")
                ->capture_default_str();
            return [args, &global] {
              Executor executor(global.threads);
              agents::rl::OfflineRlOptions o = args->o;
              o.actor_lr = o.alpha_lr = o.critic_lr;
              o.Validate();
              const data::Dataset dataset = data::Load(args->data);
              agents::rl::CheckOfflineDataset(dataset);
              std::string env_id = args->env;
              if (env_id.empty() && dataset.metadata().env_spec) env_id = dataset.metadata().env_spec->id;
              if (env_id.empty()) throw ConfigError("augur train-agent: the dataset names no env; pass --env ID");
              std::unique_ptr<envs::Env> env = envs::Make(env_id);
              if (const Box* box = std::get_if<Box>(&env->spec().action)) {
                o.action_low = box->low;
                o.action_high = box->high;
              }
              if (args->reward == "known" && args->model == "true") {
                throw ConfigError("augur train-agent: --reward known applies to an ensemble checkpoint (--model CKPT); "
                                  "the true model's reward is already the env's");
              }
              if (args->box == "data" && args->model == "true") {
                throw ConfigError("augur train-agent: --box data applies to an ensemble checkpoint (--model CKPT), not "
                                  "to the true model");
              }
              std::shared_ptr<const WorldModel> model;
              std::unique_ptr<rollouts::RolloutStepper> stepper;
              std::string model_desc;
              if (args->model == "true" && dataset.sim_state_dim() > 0) {
                stepper = agents::rl::MakeSimStateStepper(*env, dataset);
                model_desc = "true (restarted from recorded sim states)";
              } else {
                model = agents::LoadModelForEnv(args->model, *env);
                if (args->box == "data") model = std::make_shared<models::DataBoxModel>(model, models::DataBoxOf(dataset));
                if (args->reward == "known") model = std::make_shared<models::KnownRewardModel>(model, env->spec().id);
                stepper = std::make_unique<rollouts::WorldModelStepper>(*model, /*sample=*/args->model != "true");
                model_desc = args->model == "true" ? "true (set from observations)"
                                                   : args->model + (args->reward == "known" ? " (known reward)" : "") +
                                                         (args->box == "data" ? " (data box)" : "");
              }
              agents::rl::OfflineRlTrainer trainer(o, dataset, *stepper, model.get(), executor);
              const bool resuming = std::filesystem::exists(args->out);
              if (resuming) Log().info("train-agent: resuming from {}", args->out);
              Progress progress({.label = "train-agent " + o.method, .total = o.steps, .unit = "step"});
              const agents::rl::OfflineRlResult result = trainer.Run(args->out, &progress);
              progress.Finish();
              nlohmann::json log = nlohmann::json::array();
              for (const auto& l : result.log) log.push_back(LogJson(l));
              const auto& r = trainer.options();
              nlohmann::json out = {
                  {"env", env_id},
                  {"data", args->data},
                  {"model", model_desc},
                  {"checkpoint", args->out},
                  {"options",
                   {{"method", r.method}, {"critics", r.critics}, {"eta", r.eta}, {"penalty", r.penalty},
                    {"hidden", r.hidden}, {"layers", r.layers}, {"gamma", r.gamma}, {"lr", r.critic_lr},
                    {"batch", r.batch}, {"real_ratio", r.real_ratio}, {"rollout_length", r.rollout_length},
                    {"rollout_starts", r.rollout_starts}, {"rollout_every", r.rollout_every},
                    {"retain_rounds", r.retain_rounds}, {"steps", r.steps}, {"seed", r.seed}}},
                  {"start_step", result.start_step},
                  {"final_step", result.final_step},
                  {"seconds", result.seconds},
                  {"rollout_seconds", result.rollout_seconds},
                  {"log", log}};
              if (args->eval_episodes > 0) {
                auto agent = agents::rl::SacAgent::Load(args->out);
                const agents::EvaluationReport report =
                    agents::Evaluate(*env, *agent, {.episodes = args->eval_episodes, .seed = 1000 + o.seed});
                out["eval"] = agents::ToJson(report);
                std::printf("%s %s on %s, model %s, %lld steps: mean return %.2f +- %.2f", r.method.c_str(),
                            args->out.c_str(), env_id.c_str(), model_desc.c_str(),
                            static_cast<long long>(result.final_step), report.mean_return, report.std_return);
                if (report.normalized_mean) std::printf(", normalized score %.1f", *report.normalized_mean);
                std::printf("\n");
              }
              const std::string metrics = args->metrics.empty() ? args->out + ".json" : args->metrics;
              WriteFileAtomically(metrics, out.dump(2) + "\n");
              if (global.json) std::printf("%s\n", out.dump(2).c_str());
            };
          }};
}

}  // namespace augur::apps
