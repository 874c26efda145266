#!/usr/bin/env bash
# Graded locomotion datasets with an RL expert, D4RL's recipe (Fu et al. 2020): online SAC per env
# (`augur train-sac`), the expert = its best evaluated snapshot, medium = the snapshot whose evaluation return
# is closest to a third of the expert's (mean actions plus Gaussian noise of 0.1 half-widths, as a stochastic
# policy adds), medium-replay = the training episodes recorded until that snapshot,
# medium-expert = medium then expert episodes. Every file records qpos/qvel per step; `augur info FILE` shows
# its behaviour returns. Resumable: rerun the same command (train-sac and dataset resume).
#
#   scripts/make_sac_datasets.sh                       # 3 envs, 100k SAC steps (2 x 128), 20 x 1000-step episodes
#   scripts/make_sac_datasets.sh --envs Hopper-v4 --steps 300000 --hidden 256 --episodes 100
#
# Options: --out DIR (default datasets-sac/), --envs A,B, --steps N (SAC env steps), --hidden N,
# --episodes N (per dataset), --seed S. Time: SAC ~180 updates/s at 2 x 128 on one loaded core of the
# development machine (100k steps ~10 min per env); datasets of 20 x 1000 steps take about a minute each.
set -euo pipefail
cd "$(dirname "$0")/.."
augur=${AUGUR:-${AUGUR_BUILD_DIR:-build}/bin/augur}
out=datasets-sac steps=100000 hidden=128 episodes=20 seed=0
envs=Hopper-v4,HalfCheetah-v4,Walker2d-v4
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --envs) envs=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --hidden) hidden=$2; shift 2 ;;
    --episodes) episodes=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "make_sac_datasets.sh: unknown option $1 (see --help)" >&2; exit 1 ;;
  esac
done
mkdir -p "$out"
for env in ${envs//,/ }; do
  name=$(echo "$env" | tr '[:upper:]' '[:lower:]' | sed 's/-v4//')
  sac="$out/sac-$name"
  echo "== $env: online SAC -> $sac"
  "$augur" --threads 1 train-sac --env "$env" --steps "$steps" --hidden "$hidden" --start-steps 5000 \
    --eval-every 10000 --eval-episodes 5 --seed "$seed" --out "$sac"
  # expert: the best evaluation; medium: the evaluation closest to a third of its return, no later than it.
  read -r expert medium medium_episodes < <(/usr/bin/python3 - "$sac/evals.json" <<'PY'
import json, sys
evals = json.load(open(sys.argv[1]))["evals"]
best = max(range(len(evals)), key=lambda i: evals[i]["mean_return"])
target = evals[best]["mean_return"] / 3
med = min(range(best + 1), key=lambda i: abs(evals[i]["mean_return"] - target))
print(evals[best]["snapshot"], evals[med]["snapshot"], evals[med].get("episodes", -1))
PY
)
  echo "   expert $expert, medium $medium ($medium_episodes training episodes before it)"
  noise=(--medium-random-prob 0 --medium-sigma 0.1)
  "$augur" dataset --env "$env" --grade expert --episodes "$episodes" --seed "$seed" --expert-policy "$expert" \
    --out "$out/$name-expert.augur"
  "$augur" dataset --env "$env" --grade medium --episodes "$episodes" --seed "$seed" --medium-policy "$medium" \
    "${noise[@]}" --out "$out/$name-medium.augur"
  "$augur" dataset --env "$env" --grade medium-expert --episodes "$episodes" --seed "$seed" \
    --expert-policy "$expert" --medium-policy "$medium" "${noise[@]}" --out "$out/$name-medium-expert.augur"
  if [[ "$medium_episodes" -gt 0 && ! -e "$out/$name-medium-replay.augur" ]]; then
    "$augur" import "$sac/replay.rec" --episodes "$medium_episodes" --env "$env" \
      --source "augur train-sac replay until $medium" --policy "online SAC until the medium snapshot" \
      --out "$out/$name-medium-replay.augur"
  fi
done
