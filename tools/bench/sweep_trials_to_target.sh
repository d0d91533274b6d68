#!/usr/bin/env bash
# Bayesian vs random search on the embedded default (dpo4j sweep's default search: lr and beta, 50 steps per trial):
# for each strategy and seed, the best eval_loss after BUDGET trials and the number of trials until eval_loss <= each
# of the targets 0.22, 0.20, 0.18 and TARGET (budget+1 if never). Trials, not time, are compared, so the machine's load
# does not change the result. STRATEGIES (env) limits the strategies run (default "bayes random").
#   tools/bench/sweep_trials_to_target.sh [TARGET] [BUDGET] [SEEDS...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${1:-0.17}"; budget="${2:-12}"; shift 2 || true
seeds=("${@:-0 1 2}")
work="${DPO4J_BENCH_DIR:-$root/tools/.cache/bench-sweep}"
mkdir -p "$work"
for strategy in ${STRATEGIES:-bayes random}; do
  for seed in ${seeds[@]}; do
    out="$work/$strategy-$seed"
    rm -rf "$out"
    "$root/tools/dpo4j" sweep --strategy "$strategy" --seed "$seed" --trials "$budget" --output "$out" >/dev/null
    n=$(python3 - "$out/trials.jsonl" "$target" "$budget" <<'PY'
import json, sys
done = sorted((r for r in map(json.loads, open(sys.argv[1])) if r["status"] == "done"), key=lambda r: r["trial"])
best = min(r["objective"] for r in done)
hits = []
for t in (0.22, 0.20, 0.18, float(sys.argv[2])):
    hit = [r["trial"] + 1 for r in done if r["objective"] <= t]
    hits.append(f"<= {t}: {hit[0] if hit else int(sys.argv[3]) + 1}")
print(f"best {best:.4f}; trials to eval_loss " + ", ".join(hits))
PY
)
    echo "$strategy seed $seed: $n"
  done
done
