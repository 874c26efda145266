#!/usr/bin/env bash
# README command 2: installs what is missing, builds, and runs every test (unit, conformance, CLI, examples
# built as an outside project).   Usage: scripts/test.sh [ctest arguments, e.g. -R Rng]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
build=${AUGUR_BUILD_DIR:-build}
start=$(date +%s)
export AUGUR_PROGRESS=off
# ctest runs two test processes at once, each with an OpenMP pool: let idle OpenMP threads sleep instead of
# spinning on the other process's core.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
ctest --test-dir "$build" -j "$(nproc)" --output-on-failure --timeout 900 "$@"
echo "tests: done in $(( $(date +%s) - start )) s" >&2
