#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then configures and builds augur into build/.
# Usage: scripts/build.sh [extra cmake arguments]     Env: AUGUR_BUILD_DIR (default build), AUGUR_JOBS
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build=${AUGUR_BUILD_DIR:-build}
jobs=${AUGUR_JOBS:-$(nproc)}
start=$(date +%s)
if [ ! -f "$build/build.ninja" ] || [ $# -gt 0 ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" > "$build.configure.log" 2>&1 \
    || { cat "$build.configure.log" >&2; exit 1; }
fi
if [ -t 1 ]; then
  cmake --build "$build" -j "$jobs"
else
  cmake --build "$build" -j "$jobs" > "$build.build.log" 2>&1 || { tail -n 80 "$build.build.log" >&2; exit 1; }
fi
echo "build: done in $(( $(date +%s) - start )) s ($build/)" >&2
