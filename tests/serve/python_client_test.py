#!/usr/bin/env python3
"""A real Python client against a real `augur serve`: Debian's python3-grpcio and protobuf, with stubs
generated from serve/proto/augur_serve.proto at test time (protoc + grpc_python_plugin).

Usage: python_client_test.py --augur BIN --proto PROTO --protoc PROTOC --grpc-python-plugin PLUGIN
Checks every method, bad input (garbage bytes, wrong dims, NaN, unknown planner and robot) and a graceful
exit on SIGTERM."""
import argparse
import math
import os
import signal
import subprocess
import sys
import tempfile

parser = argparse.ArgumentParser()
parser.add_argument("--augur", required=True)
parser.add_argument("--proto", required=True)
parser.add_argument("--protoc", required=True)
parser.add_argument("--grpc-python-plugin", required=True)
args = parser.parse_args()

import grpc  # noqa: E402  (Debian's python3-grpcio)

stubs = tempfile.mkdtemp(prefix="augur_serve_py_")
subprocess.run([args.protoc, f"--proto_path={os.path.dirname(args.proto)}", f"--python_out={stubs}",
                f"--grpc_out={stubs}", f"--plugin=protoc-gen-grpc={args.grpc_python_plugin}", args.proto],
               check=True)
sys.path.insert(0, stubs)
import augur_serve_pb2 as pb  # noqa: E402
import augur_serve_pb2_grpc as pb_grpc  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAILED: {what}", file=sys.stderr)


def expect_error(call, code, fragment, what):
    try:
        call()
    except grpc.RpcError as e:
        check(e.code() == code, f"{what}: code {e.code()} != {code} ({e.details()})")
        check(fragment in (e.details() or ""), f"{what}: '{fragment}' not in message '{e.details()}'")
        return
    check(False, f"{what}: no error")


server = subprocess.Popen([args.augur, "serve", "--model", "true", "--planner", "icem:pop=32,elites=4,iters=2,horizon=8",
                           "--port", "0", "--max-state-age-ms", "0"],
                          stdout=subprocess.PIPE, text=True, env={**os.environ, "AUGUR_PROGRESS": "off"})
try:
    line = server.stdout.readline().strip()
    check(line.startswith("listening on "), f"first line: {line!r}")
    target = line.split()[-1]
    channel = grpc.insecure_channel(target)
    grpc.channel_ready_future(channel).result(timeout=30)
    stub = pb_grpc.PlannerStub(channel)

    health = stub.Health(pb.HealthRequest(), timeout=10)
    check(health.serving and health.version, f"health: {health}")

    # Default --planner-cpus auto: with 2 or more usable cores the threads answering calls (every thread so far:
    # no session has a planner yet) run on the first of them only.
    usable = os.sched_getaffinity(0)
    if len(usable) >= 2 and os.path.isdir(f"/proc/{server.pid}/task"):
        for tid in os.listdir(f"/proc/{server.pid}/task"):
            check(os.sched_getaffinity(int(tid)) == {min(usable)}, f"thread {tid} of augur serve may run on "
                  f"{sorted(os.sched_getaffinity(int(tid)))}, expected core {min(usable)} only")
    reset = stub.Reset(pb.ResetRequest(robot_id="py", seed=3), timeout=30)
    check((reset.obs_dim, reset.action_dim, reset.horizon) == (3, 1, 8), f"reset: {reset}")
    check(abs(reset.dt - 0.05) < 1e-12, f"dt: {reset.dt}")
    state = stub.SetState(pb.SetStateRequest(robot_id="py", observation=[1.0, 0.0, 0.0], time=0.0), timeout=10)
    check(state.state_version == 1, f"state version {state.state_version}")
    plan = stub.Plan(pb.PlanRequest(robot_id="py", iterations=2, warm_start=True), timeout=30)
    check(len(plan.actions) == 8 and plan.iterations == 2, f"plan: {len(plan.actions)} actions, {plan.iterations} it")
    check(all(-2.0 <= a <= 2.0 for a in plan.actions), f"plan within bounds: {list(plan.actions)}")
    check(len(plan.predicted_states) == 9 * 3, f"predicted trajectory: {len(plan.predicted_states)} values")
    action = stub.GetAction(pb.GetActionRequest(robot_id="py", time=0.0, include_plan=True), timeout=10)
    check(len(action.action) == 1 and -2.0 <= action.action[0] <= 2.0, f"action: {list(action.action)}")
    check(not action.safe_action and len(action.plan) == 8, f"action reply: {action}")
    again = stub.GetAction(pb.GetActionRequest(robot_id="py", time=0.1, include_plan=True,
                                               known_plan_id=action.plan_id), timeout=10)
    check(again.plan_id != action.plan_id or len(again.plan) == 0, "a known plan is not sent again")
    got = stub.GetPlan(pb.GetPlanRequest(robot_id="py"), timeout=10)
    check(got.plan_id >= plan.plan_id and len(got.actions) == 8, f"get plan: {got.plan_id}")
    stats = stub.Stats(pb.StatsRequest(robot_id="py"), timeout=10)
    check(stats.plans >= 1 and stats.get_action_calls == 2 and stats.sessions == 1, f"stats: {stats}")

    # Bad input: codes and messages, and the server goes on serving.
    raw = channel.unary_unary("/augur.serve.Planner/GetAction")  # no serializer: raw bytes
    expect_error(lambda: raw(b"\xff\xff\xff\xff garbage", timeout=10), grpc.StatusCode.INVALID_ARGUMENT,
                 "not a valid augur.serve.GetActionRequest", "garbage bytes")
    expect_error(lambda: stub.GetAction(pb.GetActionRequest(robot_id="nobody", time=0.0), timeout=10),
                 grpc.StatusCode.NOT_FOUND, "nobody", "unknown robot")
    expect_error(lambda: stub.SetState(pb.SetStateRequest(robot_id="py", observation=[1.0, 0.0], time=0.1),
                                       timeout=10), grpc.StatusCode.INVALID_ARGUMENT, "2 values", "wrong dims")
    expect_error(lambda: stub.SetState(pb.SetStateRequest(robot_id="py", observation=[math.nan, 0.0, 0.0],
                                                          time=0.1), timeout=10),
                 grpc.StatusCode.INVALID_ARGUMENT, "not finite", "NaN state")
    safe = stub.GetAction(pb.GetActionRequest(robot_id="py", time=0.1), timeout=10)
    check(safe.safe_action and safe.safety_reason == "nan_state", f"safe action after NaN state: {safe}")
    expect_error(lambda: stub.Reset(pb.ResetRequest(robot_id="py2", planner="nosuchplanner:x=1"), timeout=30),
                 grpc.StatusCode.NOT_FOUND, "nosuchplanner", "unknown planner")
    stub.SetState(pb.SetStateRequest(robot_id="py", observation=[0.0, 1.0, 0.0], time=0.2), timeout=10)
    ok = stub.GetAction(pb.GetActionRequest(robot_id="py", time=0.2), timeout=10)
    check(not ok.safe_action, f"served again after a good state: {ok}")
    channel.close()
finally:
    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        code = None
    check(code == 0, f"augur serve exit code after SIGTERM: {code}")

if failures:
    print(f"{len(failures)} checks failed", file=sys.stderr)
    sys.exit(1)
print("python client: all checks passed")
