#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
build=${AUGUR_BUILD_DIR:-build}
bin="$build/bin/augur"
out=${AUGUR_DEMO_DIR:-demo-out}
mkdir -p "$out"
echo "== augur info: the build, the machine and its GEMM rate"
"$bin" info
echo "== quickstart example"
"$build/examples/augur_quickstart"
