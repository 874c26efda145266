#!/usr/bin/env bash
# Issue 7, planning with learned values: short-horizon MPPI with and without a RAVL agent's critics as the
# terminal value V(s_H) (Objective::terminal_value, as in TD-MPC2), at the same planner compute (same samples,
# iterations and horizon; the value adds one critic-ensemble forward per sample), on Pendulum-v1 with the true
# model (MODEL=ckpt: a learned ensemble), plus the plain planner at 3x the horizon for reference. One line per planner.
#   bench/value_planning.sh [AGENT.ckpt] [EPISODES]
# Without AGENT.ckpt it trains one like bench/configs/ravl_pendulum.pbtxt's ravl-true seed 0 (10k steps, some
# few minutes); with it, any train-agent / augur bench checkpoint (OUT/models/agent-*.ckpt; results.json
# names each cell's checkpoint).
set -euo pipefail
AUGUR=${AUGUR:-build/bin/augur}
CKPT=${1:-}
EPISODES=${2:-10}
MODEL=${MODEL:-true}   # or an ensemble checkpoint (augur train; a bench OUT/models/model-*.ckpt)
WORK=${WORK:-$(mktemp -d)}
if [[ -z "$CKPT" ]]; then
  "$AUGUR" --threads 1 dataset --env Pendulum-v1 --grade medium --episodes 20 --max-steps 200 --out "$WORK/pendulum-medium.augur"
  "$AUGUR" --threads 1 train-agent --data "$WORK/pendulum-medium.augur" --model true --method ravl --hidden 64 \
    --layers 2 --steps 10000 --lr 0.001 --rollout-starts 2000 --rollout-every 250 --eval-episodes 5 --out "$WORK/ravl.ckpt"
  CKPT="$WORK/ravl.ckpt"
fi
BASE="samples=128,elites=16,iters=2,particles=1,chunk=128,predict=false"  # one chunk: one value call per iteration
run() {  # label, planner spec, extra args
  local label=$1 spec=$2
  shift 2
  printf '%-34s ' "$label"
  "$AUGUR" --threads 1 eval --env Pendulum-v1 --model "$MODEL" --planner "$spec" --episodes "$EPISODES" --seed 0 "$@" |
    sed -e 's/^.* on Pendulum-v1: //'
}
echo "value-guided planning on Pendulum-v1, model $MODEL, $EPISODES episodes, seed 0, value from $CKPT"
run "mppi H=5" "mppi:horizon=5,$BASE"
run "mppi H=5 + RAVL terminal value" "mppi:horizon=5,$BASE" --value "$CKPT"
run "mppi H=3" "mppi:horizon=3,$BASE"
run "mppi H=3 + RAVL terminal value" "mppi:horizon=3,$BASE" --value "$CKPT"
run "mppi H=15 (3x compute)" "mppi:horizon=15,$BASE"
