#!/usr/bin/env bash
# Usage: outside_project.sh AUGUR_BUILD_DIR EXAMPLES_DIR WORK_DIR
set -euo pipefail
build=$1 examples=$2 work=$3
rm -rf "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work.install.log" 2>&1 || { cat "$work.install.log"; exit 1; }
launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$examples" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" \
  "${launcher[@]}" > "$work.configure.log" 2>&1 || { cat "$work.configure.log"; exit 1; }
cmake --build "$work/build" > "$work.build.log" 2>&1 || { cat "$work.build.log"; exit 1; }
out=$("$work/build/augur_quickstart")
echo "$out"
grep -q "pi ~ 3.1" <<< "$out"
"$work/build/augur_pendulum_mpc" --quick
"$work/build/augur_robot_loop" --quick
echo "outside project OK"
