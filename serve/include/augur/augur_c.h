/* augur's C API: load a model, build a planner from a spec string, plan into caller-owned buffers.
 *
 * Every function returns an augur_status (0 = AUGUR_OK); after a failure augur_last_error() returns the
 * message of the calling thread's last failed call. No C++ exception crosses this boundary. Handles are
 * opaque; free each with its _free function (NULL is accepted). A planner is not thread-safe: use one per
 * thread. Status values are gRPC's canonical codes, the same numbers the plan service returns.
 *
 *   augur_model* model = NULL;  augur_planner* planner = NULL;
 *   if (augur_model_load("pendulum.ckpt", "Pendulum-v1", &model) != AUGUR_OK) puts(augur_last_error());
 *   augur_planner_create(model, "icem:pop=100,horizon=15", 0, 1, &planner);
 *   float obs[3] = {1, 0, 0}, action[1];
 *   augur_planner_plan(planner, obs, 3, 3, 0.0, action, 1, NULL, 0, NULL);
 */
#ifndef AUGUR_AUGUR_C_H_
#define AUGUR_AUGUR_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum augur_status {
  AUGUR_OK = 0,
  AUGUR_INVALID_ARGUMENT = 3,    /* bad spec, shape, NaN, null pointer, buffer too small */
  AUGUR_DEADLINE_EXCEEDED = 4,
  AUGUR_NOT_FOUND = 5,           /* unknown planner, env or model name; missing file */
  AUGUR_RESOURCE_EXHAUSTED = 8,  /* out of memory */
  AUGUR_FAILED_PRECONDITION = 9,
  AUGUR_OUT_OF_RANGE = 11,
  AUGUR_UNIMPLEMENTED = 12,
  AUGUR_INTERNAL = 13,
  AUGUR_UNAVAILABLE = 14,        /* the operating system refused a read or write */
  AUGUR_DATA_LOSS = 15           /* corrupt or truncated checkpoint */
} augur_status;

typedef struct augur_model augur_model;
typedef struct augur_planner augur_planner;

/* What one plan call did. */
typedef struct augur_plan_info {
  int64_t iterations;       /* complete planner iterations */
  int64_t evaluations;      /* model transitions predicted */
  double seconds;           /* wall time of the call */
  double predicted_return;  /* the plan's objective value as the planner estimated it */
  int cut_short;            /* 1 when the deadline ended planning early */
} augur_plan_info;

/* "0.1.0": the library's version (static storage). */
const char* augur_version(void);
/* major * 10000 + minor * 100 + patch. */
int augur_version_number(void);
/* "OK", "INVALID_ARGUMENT", ... (static storage). */
const char* augur_status_name(augur_status status);
/* The message of this thread's last failed call ("" when none); valid until this thread's next call. */
const char* augur_last_error(void);

/* Loads a model for the env `env_id` (its spaces and bounds): `path` is an augur checkpoint, a TorchScript
 * file (*.pt) or "true" (the simulator itself). */
augur_status augur_model_load(const char* path, const char* env_id, augur_model** out);
void augur_model_free(augur_model* model);
augur_status augur_model_dims(const augur_model* model, int64_t* obs_dim, int64_t* action_dim);

/* A planner of any family ("icem:pop=100,horizon=15", "mppi:...", "mcts:...") over `model` (which may be
 * freed afterwards: the planner keeps what it needs), seeded with `seed`, planning on `threads` threads. */
augur_status augur_planner_create(const augur_model* model, const char* spec, uint64_t seed, int threads,
                                  augur_planner** out);
void augur_planner_free(augur_planner* planner);
augur_status augur_planner_dims(const augur_planner* planner, int64_t* obs_dim, int64_t* action_dim,
                                int64_t* horizon);
/* Forgets the warm start and reseeds. */
augur_status augur_planner_reset(augur_planner* planner, uint64_t seed);
/* Plans from obs[obs_len] with at most `iterations` iterations (0 = the spec's) and `deadline_ms`
 * milliseconds (0 = none). Writes the action to execute now into action[action_len] (action_len >=
 * action_dim) and, when plan != NULL, the time-indexed plan into plan[plan_len] (plan_len >= horizon *
 * action_dim). info may be NULL. */
augur_status augur_planner_plan(augur_planner* planner, const float* obs, size_t obs_len, int64_t iterations,
                                double deadline_ms, float* action, size_t action_len, float* plan, size_t plan_len,
                                augur_plan_info* info);

#ifdef __cplusplus
}
#endif

#endif /* AUGUR_AUGUR_C_H_ */
