#!/usr/bin/env bash
# Bayesian vs random search on the embedded default (dpo4j sweep's default search: lr and beta, 50 steps per trial):
# for each seed, the number of trials until eval_loss <= TARGET (budget+1 if never). Trials, not time, are compared,
# so the machine's load does not change the result.
#   tools/bench/sweep_trials_to_target.sh [TARGET] [BUDGET] [SEEDS...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${1:-0.17}"; budget="${2:-12}"; shift 2 || true
seeds=("${@:-0 1 2}")
work="${DPO4J_BENCH_DIR:-$root/tools/.cache/bench-sweep}"
mkdir -p "$work"
for strategy in bayes random; do
  for seed in ${seeds[@]}; do
    out="$work/$strategy-$seed"
    "$root/tools/dpo4j" sweep --strategy "$strategy" --seed "$seed" --trials "$budget" --output "$out" >/dev/null
    n=$(python3 - "$out/trials.jsonl" "$target" "$budget" <<'PY'
import json, sys
done = sorted((r for r in map(json.loads, open(sys.argv[1])) if r["status"] == "done"), key=lambda r: r["trial"])
hit = [r["trial"] + 1 for r in done if r["objective"] <= float(sys.argv[2])]
best = min(r["objective"] for r in done)
print(f"{hit[0] if hit else int(sys.argv[3]) + 1} (best eval_loss {best:.4f})")
PY
)
    echo "$strategy seed $seed: trials to eval_loss <= $target: $n"
  done
done
