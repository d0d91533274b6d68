#!/usr/bin/env bash
# Length control in iterative DPO, measured on the iterate demo (random-weight tiny GPT-2, IMDb prompts, 3 rounds).
# Per seed, two runs that differ only in the length terms:
#   terms:    judge = sentiment + length:L@W, and the iLR-DPO loss term (--length-target L --length-lambda LAMBDA)
#   baseline: judge = sentiment only, LAMBDA = 0 (--length-target L is still given, so the report has the in-band
#             fraction; with lambda 0 the loss is plain DPO)
# Both stop a completion at the first token whose text contains STOP (kept in the completion), standing in for a
# sentence end: the random model almost never samples EOS, so without a common stop string every completion runs to
# --max-new-tokens and there is no length to prefer.
# Printed per round 0..3: held-out sentiment reward mean (the judge score minus the length judge's part), the
# combined judge's reward mean, completion length mean / p50 / p90, fraction within L ± BAND·L, fraction ending in EOS,
# KL to the start model.
#   tools/bench/iterate_length_demo.sh [SEEDS...]      (default: 0 1)
# Environment: STOP (y), MAX_NEW (64), TARGET (32), BAND (0.2), LENGTH_W (16), LAMBDA (0.005), EPOCHS (2, training
# epochs per round, both runs), MODES ("terms baseline"),
# ITERATE_OPTS (extra iterate options), DPO4J_BENCH_DIR (output root, default tools/.cache/bench-iterate-length).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seeds=("${@:-0 1}")
stop="${STOP:-y}"
max_new="${MAX_NEW:-64}"
target="${TARGET:-32}"
band="${BAND:-0.2}"
weight="${LENGTH_W:-16}"
lambda="${LAMBDA:-0.005}"
epochs="${EPOCHS:-2}"
modes="${MODES:-terms baseline}"
work="${DPO4J_BENCH_DIR:-$root/tools/.cache/bench-iterate-length}"
mkdir -p "$work"
"$root/tools/dpo4j" --version >/dev/null # build the jar outside the timing
echo "stop '$stop', max-new-tokens $max_new, length target $target, band ±$band·L, terms: judge length:$target@$weight, lambda $lambda; $epochs epochs per round"
for seed in ${seeds[@]}; do
  for mode in $modes; do
    out="$work/seed-$seed-$mode"
    rm -rf "$out"
    if [ "$mode" = terms ]; then
      extra=(--judge "length:$target@$weight" --length-lambda "$lambda")
    else
      extra=(--length-lambda 0)
    fi
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$root/tools/dpo4j" iterate --no-progress --seed "$seed" --output "$out" --stop "$stop" \
      --max-new-tokens "$max_new" --length-target "$target" --length-band "$band" --epochs "$epochs" \
      --judge onnx:"$root"/artifacts/judges/sentiment "${extra[@]}" ${ITERATE_OPTS:-} >"$out.log" 2>&1
    end=$(date +%s.%N)
    python3 - "$out" "$seed" "$mode" "$target" "$weight" "$start" "$end" <<'PY'
import json, sys, os
out, seed, mode, target, weight = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
rows = [json.loads(line) for line in open(os.path.join(out, "report.jsonl"))]
print(f"seed {seed}, {mode} ({float(sys.argv[7]) - float(sys.argv[6]):.0f} s)")
print("  round  pairs  sentiment  reward  len mean  len p50  len p90  in band    EOS     KL")
for r in rows:
    samples = [json.loads(l) for l in open(os.path.join(out, f"round-{r['round']}", "eval-samples.jsonl"))]
    # the length judge's part of a score is -W·|n - L|/max(L, 1); the terms run adds it, the baseline has none
    w = weight if mode == "terms" else 0.0
    senti = [s["score"] + w * abs(s["tokens"] - target) / max(target, 1.0) for s in samples if s["score"] is not None]
    print(f"  {r['round']:5d}  {str(r.get('pairs', '-')):>5}  {sum(senti) / len(senti):9.3f}  {r['reward_mean']:6.3f}"
          f"  {r['length_mean']:8.2f}  {r['length_p50']:7d}  {r['length_p90']:7d}  {r['length_in_band']:7.3f}"
          f"  {r['eos_fraction']:5.3f}  {r['kl']:5.2f}")
PY
  done
done
