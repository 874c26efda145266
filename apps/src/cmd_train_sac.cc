// augur train-sac: online SAC in a reference env, the RL expert of the graded locomotion datasets (augur
// dataset --expert-policy / --medium-policy take its snapshots; its replay.rec is a medium-replay dataset).
// Resumable: a rerun with the same --out continues.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/agents/rl/online_sac.h"
#include "augur/core/executor.h"
#include "augur/core/progress.h"
#include "commands.h"

namespace augur::apps {

Command TrainSacCommand() {
  auto o = std::make_shared<agents::rl::OnlineSacOptions>();
  auto out = std::make_shared<std::string>();
  return {"train-sac",
          "Online SAC in a reference env (the RL expert for graded datasets): replay, snapshots at every "
          "evaluation and evals.json under --out (resumable)",
          [o, out](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("--env", o->env, "Env id with Box actions")->capture_default_str();
            sub.add_option("--out", *out, "Output folder (resumed when it holds a run)")->required();
            sub.add_option("--steps", o->steps, "Env steps in total")->capture_default_str();
            sub.add_option("--start-steps", o->start_steps, "Uniform random actions for the first steps")
                ->capture_default_str();
            sub.add_option("--update-after", o->update_after, "First gradient step after this many transitions")
                ->capture_default_str();
            sub.add_option("--critics", o->critics, "Critics (min over them in the target)")->capture_default_str();
            sub.add_option("--hidden", o->hidden, "Width of actor and critic layers")->capture_default_str();
            sub.add_option("--layers", o->layers, "Hidden layers of actor and critics")->capture_default_str();
            sub.add_option("--lr", o->lr, "Adam learning rate of actor, critics and alpha")->capture_default_str();
            sub.add_option("--gamma", o->gamma, "Discount")->capture_default_str();
            sub.add_option("--batch", o->batch, "Batch size")->capture_default_str();
            sub.add_option("--replay", o->replay_capacity, "Replay buffer capacity (transitions)")
                ->capture_default_str();
            sub.add_option("--eval-every", o->eval_every, "Env steps between evaluations and snapshots")
                ->capture_default_str();
            sub.add_option("--eval-episodes", o->eval_episodes, "Episodes per evaluation")->capture_default_str();
            sub.add_option("--max-steps", o->max_steps, "Steps per episode (0: the env's limit)")
                ->capture_default_str();
            sub.add_option("--seed", o->seed, "Seed")->capture_default_str();
            return [o, out, &global] {
              o->Validate();
              const Executor executor(global.threads);  // sets LibTorch's intra-op threads for the updates
              Progress progress({.label = "train-sac " + o->env, .total = o->steps, .unit = "step"});
              const agents::rl::OnlineSacResult r = agents::rl::TrainOnlineSac(
                  *o, *out, &progress, [](const agents::rl::OnlineSacEval& e) {
                    std::fprintf(stderr, "\n");
                    std::fprintf(stderr, "step %lld: return %.1f +- %.1f", static_cast<long long>(e.step),
                                 e.mean_return, e.std_return);
                    if (std::isfinite(e.normalized)) std::fprintf(stderr, " (normalized %.1f)", e.normalized);
                    std::fprintf(stderr, ", %s\n", e.snapshot.c_str());
                  });
              progress.Finish();
              nlohmann::json evals = nlohmann::json::array();
              for (const auto& e : r.evals) {
                evals.push_back({{"step", e.step},
                                 {"episodes", e.episodes},
                                 {"mean_return", e.mean_return},
                                 {"std_return", e.std_return},
                                 {"normalized", std::isfinite(e.normalized) ? nlohmann::json(e.normalized)
                                                                            : nlohmann::json()},
                                 {"snapshot", e.snapshot}});
              }
              const nlohmann::json j = {{"env", o->env},         {"out", *out},
                                        {"start_step", r.start_step}, {"final_step", r.final_step},
                                        {"episodes", r.episodes},  {"seconds", r.seconds},
                                        {"updates_per_second", r.updates_per_second}, {"evals", evals}};
              if (global.json) {
                std::printf("%s\n", j.dump(2).c_str());
              } else if (!r.evals.empty()) {
                const auto& e = r.evals.back();
                std::printf("train-sac %s: %lld env steps, %lld episodes, %.0f s (%.0f updates/s); last evaluation "
                            "return %.1f +- %.1f; snapshots and evals.json in %s\n",
                            o->env.c_str(), static_cast<long long>(r.final_step), static_cast<long long>(r.episodes),
                            r.seconds, r.updates_per_second, e.mean_return, e.std_return, out->c_str());
              }
            };
          }};
}

}  // namespace augur::apps
