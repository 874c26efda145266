#!/usr/bin/env python3
"""Regenerates the golden trajectories in this folder from Gymnasium's own classic-control envs.

Usage:
    python3 regenerate.py /path/to/Gymnasium [output_dir]

Each case also records the unwrapped env's full float64 state after every step ("states"), so a test can
start every step from Gymnasium's exact state; "open_loop_steps" says how many steps of the case a free
rollout from the start state can be compared over: CartPole under a stabilising controller is open-loop
unstable (rounding differences of 1 ulp between NumPy and C math grow about e^(4 t), reaching 1e-5 after
~330 steps), so its long case is compared open-loop over its first 200 steps only.

`/path/to/Gymnasium` is a checkout of https://github.com/Farama-Foundation/Gymnasium (the folder that
contains the `gymnasium` package; set GYMNASIUM_COMMIT to record the commit when it is not a git
work tree); only numpy is needed besides it. If gymnasium's small pure-Python
dependencies (cloudpickle, typing_extensions, farama_notifications) are missing, empty stand-ins are
created in a temporary folder for the import (the classic-control envs do not use them).

For every env and every case, the script sets the unwrapped env's state to a fixed start state, steps a
fixed action sequence through gymnasium.make(id) (so the TimeLimit wrapper sets `truncated`), and writes
<env id>.json: {"env", "gymnasium_commit", "cases": [{"name", "state", "actions", "observations",
"rewards", "terminated", "truncated"}]}. augur's tests set the same start state with Env::SetState and
compare every step to 1e-5. The files are generated, never edited by hand.
"""

import json
import math
import os
import subprocess
import sys
import tempfile


def _import_gymnasium(checkout):
    sys.path.insert(0, checkout)
    stubs = tempfile.mkdtemp(prefix="augur_gym_stubs_")
    for name, text in [
        ("cloudpickle", ""),
        ("farama_notifications", ""),
        ("typing_extensions", "from typing import *\ndef deprecated(*a, **k):\n    return lambda f: f\n"),
    ]:
        try:
            __import__(name)
        except ImportError:
            with open(os.path.join(stubs, name + ".py"), "w") as f:
                f.write(text)
    sys.path.append(stubs)
    import gymnasium  # noqa: E402

    return gymnasium


def _commit(checkout):
    try:
        return subprocess.check_output(["git", "-C", checkout, "rev-parse", "HEAD"], text=True).strip()
    except Exception:  # not a git checkout
        return "unknown"


def _cartpole_pd(obs):
    x, x_dot, theta, theta_dot = obs
    return int(10 * theta + 2 * theta_dot + 0.1 * x + 0.5 * x_dot > 0)


def _run_case(gym, np, env_id, name, state, actions=None, policy=None, steps=None, open_loop_steps=None):
    """Steps env_id from `state` with the given actions (or a policy of the observation)."""
    env = gym.make(env_id, disable_env_checker=True)
    env.reset(seed=0)
    raw = env.unwrapped
    if env_id == "MountainCar-v0":
        raw.state = (float(state[0]), float(state[1]))  # mountain_car.py keeps a tuple after a step
    else:
        raw.state = np.array(state, dtype=np.float64)
    discrete = isinstance(env.action_space, gym.spaces.Discrete)
    obs = None
    case = {"name": name, "state": [float(v) for v in state], "actions": [], "observations": [],
            "rewards": [], "terminated": [], "truncated": [], "states": []}
    n = len(actions) if actions is not None else steps
    for t in range(n):
        if actions is not None:
            a = actions[t]
        else:
            a = policy(obs if obs is not None else np.array(raw.state, dtype=np.float32))
        if discrete:
            act = int(a)
            case["actions"].append([float(act)])
        else:
            act = np.array([a], dtype=np.float32)
            case["actions"].append([float(act[0])])
        obs, reward, terminated, truncated, _ = env.step(act)
        case["observations"].append([float(v) for v in obs])
        case["rewards"].append(float(reward))
        case["terminated"].append(bool(terminated))
        case["truncated"].append(bool(truncated))
        case["states"].append(_sim_state(raw, env_id))
    case["open_loop_steps"] = n if open_loop_steps is None else open_loop_steps
    return case


def _sim_state(raw, env_id):
    """The unwrapped env's full state after a step, in augur's SimState layout (without elapsed steps)."""
    state = [float(v) for v in raw.state]
    if env_id == "CartPole-v1":
        sbt = raw.steps_beyond_terminated
        state.append(-1.0 if sbt is None else float(sbt))
    return state


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    checkout = os.path.abspath(sys.argv[1])
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    gym = _import_gymnasium(checkout)
    import numpy as np

    rng = np.random.default_rng(20240601)  # only draws the fixed action sequences, which are recorded

    def uniform_actions(low, high, n):
        return [float(np.float32(v)) for v in rng.uniform(low, high, size=n)]

    def discrete_actions(k, n):
        return [int(v) for v in rng.integers(0, k, size=n)]

    cases = {
        "Pendulum-v1": [
            # Torques outside [-2, 2] check the clipping; high speed checks the velocity clip at 8 rad/s.
            ("hanging", [math.pi, 0.0], uniform_actions(-3.0, 3.0, 60)),
            ("fast", [0.3, 7.9], uniform_actions(-2.0, 2.0, 40)),
            ("wrapped_angle", [-5.0, -3.0], uniform_actions(-2.5, 2.5, 40)),
            ("full_episode", [1.0, -0.5], uniform_actions(-2.0, 2.0, 200)),
        ],
        "CartPole-v1": [
            ("random", [0.01, -0.02, 0.03, 0.04], discrete_actions(2, 60)),
            # Keeps pushing right until the pole falls, then steps on (reward 0 after termination).
            ("fall", [0.0, 0.0, 0.15, 0.5], [1] * 20),
            ("x_limit", [2.35, 1.0, 0.0, 0.0], [1, 0, 1, 0, 1, 0, 1, 0]),
        ],
        "MountainCar-v0": [
            ("random", [-0.5, 0.0], discrete_actions(3, 60)),
            # Drives into the left wall: position clipped to -1.2, velocity set to 0.
            ("left_wall", [-1.15, -0.06], [0] * 10),
            ("goal", [0.45, 0.05], [2] * 5),
            ("full_episode", [-0.45, 0.0], discrete_actions(3, 200)),
        ],
        "MountainCarContinuous-v0": [
            ("random", [-0.5, 0.0], uniform_actions(-1.5, 1.5, 60)),
            ("left_wall", [-1.15, -0.06], [-1.0] * 10),
            ("goal", [0.40, 0.06], [0.5, 2.0, -0.2, 1.0]),
        ],
        "Acrobot-v1": [
            ("random", [0.05, -0.03, 0.02, -0.01], discrete_actions(3, 80)),
            ("fast", [2.5, -2.0, 12.0, -27.0], discrete_actions(3, 30)),
            # Starts almost upright so that the terminal condition triggers.
            ("terminal", [math.pi - 0.2, 0.1, 1.0, 0.5], [2, 2, 1]),
        ],
    }
    commit = os.environ.get("GYMNASIUM_COMMIT") or _commit(checkout)
    for env_id, env_cases in cases.items():
        data = {"env": env_id, "gymnasium_commit": commit, "cases": []}
        for name, state, actions in env_cases:
            data["cases"].append(_run_case(gym, np, env_id, name, state, actions=actions))
        if env_id == "CartPole-v1":
            # A full 500-step episode under a PD controller: checks truncation by the TimeLimit wrapper.
            data["cases"].append(_run_case(gym, np, env_id, "full_episode", [0.02, 0.0, -0.02, 0.0],
                                           policy=_cartpole_pd, steps=500,
                                           open_loop_steps=200))
        if env_id == "MountainCarContinuous-v0":
            data["cases"].append(_run_case(gym, np, env_id, "full_episode", [-0.55, 0.0],
                                           actions=uniform_actions(-1.0, 1.0, 999)))
        if env_id == "Acrobot-v1":
            data["cases"].append(_run_case(gym, np, env_id, "full_episode", [0.01, 0.02, -0.03, 0.04],
                                           actions=discrete_actions(3, 500)))
        path = os.path.join(out_dir, env_id + ".json")
        with open(path, "w") as f:
            json.dump(data, f, separators=(",", ":"))
            f.write("\n")
        print(f"wrote {path}: {len(data['cases'])} cases")


if __name__ == "__main__":
    main()
