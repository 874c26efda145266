// The README's example, end to end: offline data -> ensemble -> iCEM model-predictive control on Pendulum.
// Small sizes so it runs in seconds; the demo (scripts/demo.sh) runs the full-size version.
#include <augur/augur.h>

#include <cstdio>

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  augur::Executor exec(/*threads=*/2);
  augur::data::Dataset data = augur::agents::CollectDataset(
      {.env = "Pendulum-v1", .policy = "mixed", .episodes = quick ? 10 : 50, .seed = 0});
  auto model = augur::models::Create("ensemble:members=5,elites=3,hidden=96,layers=3", 3, 1,
                                     augur::Box::Uniform(1, -2, 2), "Pendulum-v1");
  model->Train(augur::models::ToTransitions(data), {.max_epochs = quick ? 3 : 40}, nullptr);
  auto planner = augur::MakePlanner("icem:pop=100,elites=10,iters=3,horizon=15,particles=5",
                                    {.model = std::move(model)}, exec);
  auto env = augur::envs::Make("Pendulum-v1");
  std::vector<float> obs = env->Reset(/*seed=*/0);
  double ret = 0;
  const int steps = quick ? 20 : 200;
  for (int t = 0; t < steps; ++t) {
    const augur::PlanResult plan = planner->Plan(obs, augur::Budget::Iterations(3));
    const augur::envs::StepResult step = env->Step(plan.action);
    ret += step.reward;
    obs = step.observation;
  }
  std::printf("return over %d steps: %.1f\n", steps, ret);
  return 0;
}
