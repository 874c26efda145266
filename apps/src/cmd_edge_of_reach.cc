// augur edge-of-reach: experiment 1 of RAVL — the 2D toy trained with the true dynamics on truncated rollouts,
// with a single unprotected critic and with RAVL, and an HTML report of the learned values by reach distance.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "augur/agents/rl/edge_of_reach.h"
#include "augur/core/executor.h"
#include "augur/envs/edge_of_reach.h"
#include "commands.h"
#include "report.h"

namespace augur::apps {
namespace {

nlohmann::ordered_json Heatmap(const agents::rl::EdgeOfReachResult& r, int grid, int k) {
  nlohmann::ordered_json z = nlohmann::ordered_json::array();
  for (int iy = 0; iy < grid; ++iy) {
    std::vector<double> row(grid);
    for (int ix = 0; ix < grid; ++ix) row[ix] = r.grid_values[iy * grid + ix];
    z.push_back(row);
  }
  const double b = envs::EdgeOfReachEnv::kBound, d = envs::EdgeOfReachEnv::kDataHalfWidth;
  const double e = d + k * envs::EdgeOfReachEnv::kStep;
  return {{"title", r.method + ": final V(s) = min_i Q_i(s, pi(s))" + (r.diverged ? " (diverged)" : "")},
          {"xlabel", "x"}, {"ylabel", "y"}, {"kind", "heatmap"}, {"z", z}, {"extent", {-b, b, -b, b}},
          {"zlabel", "V"}, {"boxes", {{-d, d, -d, d}, {-e, e, -e, e}}}};
}

}  // namespace

Command EdgeOfReachCommand() {
  auto o = std::make_shared<agents::rl::EdgeOfReachOptions>();
  auto report = std::make_shared<std::string>();
  return {"edge-of-reach",
          "Edge-of-reach toy: single-critic SAC vs RAVL on truncated true-model rollouts, values by reach "
          "distance (HTML report)",
          [o, report](CLI::App& sub, const GlobalOptions& global) -> std::function<void()> {
            sub.add_option("--steps", o->steps, "Gradient steps per method")->capture_default_str();
            sub.add_option("--seed", o->seed, "Seed")->capture_default_str();
            sub.add_option("--hidden", o->hidden, "Network width")->capture_default_str();
            sub.add_option("--gamma", o->gamma, "Discount")->capture_default_str();
            sub.add_option("--rollout-length", o->rollout_length, "k")->capture_default_str();
            sub.add_option("--lr", o->lr, "Learning rate")->capture_default_str();
            sub.add_option("--tau", o->tau, "Target soft-update factor")->capture_default_str();
            sub.add_option("--alpha", o->alpha, "Fixed entropy coefficient (0: automatic)")->capture_default_str();
            sub.add_option("--reward-scale", o->reward_scale, "Scale of the toy's rewards")->capture_default_str();
            sub.add_option("--data-rows", o->data_rows, "Transitions in the offline data")->capture_default_str();
            sub.add_option("--rollout-starts", o->rollout_starts, "Start states per rollout round")->capture_default_str();
            sub.add_option("--batch", o->batch, "Batch size")->capture_default_str();
            sub.add_option("--report", *report, "Write the HTML report here");
            return [o, report, &global] {
              Executor executor(global.threads);
              std::vector<agents::rl::EdgeOfReachResult> results;
              for (const char* method : {"sac", "ravl"}) {
                agents::rl::EdgeOfReachOptions m = *o;
                m.method = method;
                results.push_back(agents::rl::RunEdgeOfReach(m, executor));
                const auto& r = results.back();
                std::printf("%s: %lld steps, max |Q| %.3g (true values <= %.3g)%s; mean V by reach distance:",
                            method, static_cast<long long>(r.final_step), r.max_abs_value(), r.bound,
                            r.diverged ? ", DIVERGED (non-finite loss)" : "");
                for (double v : r.v_by_reach) std::printf(" %.3g", v);
                std::printf("\n");
              }
              if (report->empty()) return;
              nlohmann::ordered_json page{{"title", "Edge-of-reach toy: single critic vs RAVL"}};
              page["summary"] = {{"steps", o->steps}, {"rollout length k", o->rollout_length},
                                 {"gamma", o->gamma}, {"largest true soft value", results[0].bound},
                                 {"max |Q| single critic", results[0].max_abs_value()},
                                 {"max |Q| RAVL", results[1].max_abs_value()}};
              nlohmann::ordered_json over = LinePlot("max |V| over states reachable within k steps", "step", "|V|");
              nlohmann::ordered_json edge = LinePlot("mean V at the edge of reach (reach distance k)", "step", "V");
              nlohmann::ordered_json by = LinePlot("final mean V by reach distance from the data", "steps from the data box", "V");
              for (const auto& r : results) {
                AddSeries(over, r.method, r.steps, r.v_reach_max);
                AddSeries(edge, r.method, r.steps, r.v_edge_mean);
                std::vector<double> d(r.v_by_reach.size());
                for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<double>(i);
                AddSeries(by, r.method, d, r.v_by_reach);
              }
              std::vector<double> bx{results[0].steps.empty() ? 0.0 : results[0].steps.front(),
                                     static_cast<double>(o->steps)};
              AddSeries(over, "largest true soft value", bx, {results[0].bound, results[0].bound});
              over["logy"] = true;
              page["sections"] = {
                  {{"title", "Values during training"},
                   {"text", "Offline data covers the box [-0.5, 0.5]^2 (inner dashed box); k-step rollouts with the "
                            "true dynamics reach the outer dashed box. States at reach distance k appear only as next "
                            "states: their values are bootstrapped from but never trained. A single critic "
                            "overestimates them and the error propagates inward; RAVL's minimum over a Q-ensemble "
                            "stays below the largest true value."},
                   {"plots", {over, edge, by}}},
                  {{"title", "Final values over the state box"},
                   {"plots", {Heatmap(results[0], o->grid, o->rollout_length),
                              Heatmap(results[1], o->grid, o->rollout_length)}}}};
              RenderReport(page, *report);
              std::printf("report: %s\n", report->c_str());
            };
          }};
}

}  // namespace augur::apps
