#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs the main job:
# collect an offline Pendulum dataset, inspect and validate it, and evaluate baselines with an HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
build=${AUGUR_BUILD_DIR:-build}
augur="$build/bin/augur"
out=${AUGUR_DEMO_DIR:-demo-out}
mkdir -p "$out"
start=$(date +%s)

echo "== 1. the machine: build, BLAS, ISA, GEMM rate"
"$augur" info

echo "== 2. collect an offline dataset with non-expert behaviour (random, medium and expert episodes mixed)"
rm -f "$out/pendulum-mixed.augur"
"$augur" collect --env Pendulum-v1 --policy mixed --episodes 100 --seed 0 --out "$out/pendulum-mixed.augur"
"$augur" info "$out/pendulum-mixed.augur"

echo "== 3. validate every transition against the simulator"
"$augur" replay --data "$out/pendulum-mixed.augur" --min-match 1.0 --worst 3

echo "== 4. export for Python users (NeoRL-2 npz keys) and import it back"
"$augur" export "$out/pendulum-mixed.augur" --out "$out/pendulum-mixed.npz"
"$augur" import "$out/pendulum-mixed.npz" --env Pendulum-v1 --out "$out/pendulum-reimported.augur"

echo "== 5. baselines: the behaviour policies, scored with D4RL-style normalization"
for agent in random medium expert; do
  "$augur" eval --env Pendulum-v1 --agent "$agent" --episodes 10 --report "$out/eval-$agent.html"
done

echo "== done in $(( $(date +%s) - start )) s; reports: $out/eval-*.html"
