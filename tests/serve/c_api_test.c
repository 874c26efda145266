/* The C API from C: compiled as C (not C++), linked against augur_serve. Returns 0 when every check holds. */
#include <augur/augur_c.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                                                     \
  do {                                                                                                  \
    if (!(cond)) {                                                                                      \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, __LINE__, #cond,         \
              augur_last_error());                                                                      \
      ++failures;                                                                                       \
    }                                                                                                   \
  } while (0)

int main(void) {
  augur_model* model = NULL;
  augur_model* missing = NULL;
  augur_planner* planner = NULL;
  augur_planner* bad = NULL;
  int64_t obs_dim = 0, action_dim = 0, horizon = 0;
  float obs[3] = {1.f, 0.f, 0.f};
  float nan_obs[3] = {NAN, 0.f, 0.f};
  float action[1] = {0.f}, again[1] = {0.f}, plan[8];
  augur_plan_info info;
  int i;

  CHECK(strlen(augur_version()) > 0);
  CHECK(augur_version_number() > 0);
  CHECK(strcmp(augur_status_name(AUGUR_NOT_FOUND), "NOT_FOUND") == 0);

  /* Models: the true simulator, a missing checkpoint, an unknown env. */
  CHECK(augur_model_load("true", "Pendulum-v1", &model) == AUGUR_OK);
  CHECK(augur_model_dims(model, &obs_dim, &action_dim) == AUGUR_OK);
  CHECK(obs_dim == 3 && action_dim == 1);
  CHECK(augur_model_load("/nonexistent/pendulum.ckpt", "Pendulum-v1", &missing) != AUGUR_OK);
  CHECK(missing == NULL);
  CHECK(strlen(augur_last_error()) > 0);
  CHECK(augur_model_load("true", "NoSuchEnv-v0", &missing) == AUGUR_NOT_FOUND);
  CHECK(strstr(augur_last_error(), "NoSuchEnv-v0") != NULL);
  CHECK(augur_model_load(NULL, "Pendulum-v1", &missing) == AUGUR_INVALID_ARGUMENT);

  /* Planners: an unknown name, a bad key, then a good one (which keeps the model after it is freed). */
  CHECK(augur_planner_create(model, "nosuchplanner:pop=3", 0, 1, &bad) == AUGUR_NOT_FOUND);
  CHECK(strstr(augur_last_error(), "nosuchplanner") != NULL);
  CHECK(bad == NULL);
  CHECK(augur_planner_create(model, "icem:pop=32,nosuchkey=1", 0, 1, &bad) == AUGUR_INVALID_ARGUMENT);
  CHECK(augur_planner_create(model, "icem:pop=32,elites=4,iters=2,horizon=8", 7, 1, &planner) == AUGUR_OK);
  augur_model_free(model);
  CHECK(augur_planner_dims(planner, &obs_dim, &action_dim, &horizon) == AUGUR_OK);
  CHECK(obs_dim == 3 && action_dim == 1 && horizon == 8);

  /* Plan into caller-owned buffers. */
  CHECK(augur_planner_plan(planner, obs, 3, 0, 0.0, action, 1, plan, 8, &info) == AUGUR_OK);
  CHECK(action[0] >= -2.f && action[0] <= 2.f);
  CHECK(plan[0] == action[0]);
  for (i = 0; i < 8; ++i) CHECK(plan[i] >= -2.f && plan[i] <= 2.f);
  CHECK(info.iterations == 2);
  CHECK(info.evaluations > 0);
  CHECK(info.cut_short == 0);
  /* Same seed, no warm start: the same action. */
  CHECK(augur_planner_reset(planner, 7) == AUGUR_OK);
  CHECK(augur_planner_plan(planner, obs, 3, 0, 0.0, again, 1, NULL, 0, NULL) == AUGUR_OK);
  CHECK(again[0] == action[0]);

  /* Bad input: each a status and a message, never a crash. */
  CHECK(augur_planner_plan(planner, obs, 2, 0, 0.0, action, 1, NULL, 0, NULL) == AUGUR_INVALID_ARGUMENT);
  CHECK(strstr(augur_last_error(), "2 values") != NULL);
  CHECK(augur_planner_plan(planner, nan_obs, 3, 0, 0.0, action, 1, NULL, 0, NULL) == AUGUR_INVALID_ARGUMENT);
  CHECK(augur_planner_plan(planner, obs, 3, 0, 0.0, action, 0, NULL, 0, NULL) == AUGUR_INVALID_ARGUMENT);
  CHECK(augur_planner_plan(planner, obs, 3, 0, 0.0, action, 1, plan, 4, NULL) == AUGUR_INVALID_ARGUMENT);
  CHECK(augur_planner_plan(planner, obs, 3, -1, 0.0, action, 1, NULL, 0, NULL) == AUGUR_INVALID_ARGUMENT);
  CHECK(augur_planner_plan(NULL, obs, 3, 0, 0.0, action, 1, NULL, 0, NULL) == AUGUR_INVALID_ARGUMENT);
  CHECK(augur_planner_create(NULL, "icem", 0, 1, &bad) == AUGUR_INVALID_ARGUMENT);
  /* A good call after the bad ones still works. */
  CHECK(augur_planner_plan(planner, obs, 3, 1, 0.0, action, 1, NULL, 0, NULL) == AUGUR_OK);

  augur_planner_free(planner);
  augur_planner_free(NULL);
  augur_model_free(NULL);
  if (failures == 0) printf("C API: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
