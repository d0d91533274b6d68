#!/usr/bin/env bash
# Length control in iterative DPO, measured on the iterate demo (random-weight tiny GPT-2, IMDb prompts, 3 rounds).
# Per seed, up to two runs that differ only in the length terms:
#   terms:    --length-target L alone: iterate adds the length:L@W judge to the default sentiment judge and uses the
#             default iLR-DPO lambda (K/L^2); both are printed in the run's log and recorded in its config.yaml
#   baseline: judge = sentiment only, --length-lambda 0 (--length-target L is still given, so the report has the
#             in-band fraction; with lambda 0 the loss is plain DPO)
# Both stop a completion at the first token whose text contains STOP (kept in the completion), standing in for a
# sentence end: the random model almost never samples EOS, so without a common stop string every completion runs to
# --max-new-tokens and there is no length to prefer.
# Printed per round 0..3: held-out sentiment reward mean (the judge score minus the length judge's part), the
# combined judge's reward mean, completion length mean / p50 / p90, fraction within L ± BAND·L, fraction ending in EOS,
# KL to the start model; then the run's wall time and the load average before and after it.
#   tools/bench/iterate_length_demo.sh [SEEDS...]      (default: 0 1 2)
# Environment: STOP (y), MAX_NEW (64), TARGET (32), BAND (0.2), SAMPLES (8, samples per prompt), EPOCHS (2, training
# epochs per round), MODES ("terms baseline"), ITERATE_OPTS (extra iterate options, e.g. "--judge ... --length-lambda
# 0.002" to try other settings), DPO4J_BENCH_DIR (output root, default tools/.cache/bench-iterate-length).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seeds=("${@:-0 1 2}")
stop="${STOP:-y}"
max_new="${MAX_NEW:-64}"
target="${TARGET:-32}"
band="${BAND:-0.2}"
samples="${SAMPLES:-8}"
epochs="${EPOCHS:-2}"
modes="${MODES:-terms baseline}"
work="${DPO4J_BENCH_DIR:-$root/tools/.cache/bench-iterate-length}"
mkdir -p "$work"
"$root/tools/dpo4j" --version >/dev/null # build the jar outside the timing
echo "stop '$stop', max-new-tokens $max_new, length target $target, band ±$band·L, $samples samples per prompt, $epochs epochs per round"
for seed in ${seeds[@]}; do
  for mode in $modes; do
    out="$work/seed-$seed-$mode"
    rm -rf "$out"
    if [ "$mode" = terms ]; then
      extra=()
    else
      extra=(--judge onnx:"$root"/artifacts/judges/sentiment --length-lambda 0)
    fi
    load0=$(cut -d' ' -f1-3 /proc/loadavg)
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$root/tools/dpo4j" iterate --no-progress --seed "$seed" --output "$out" --stop "$stop" \
      --max-new-tokens "$max_new" --length-target "$target" --length-band "$band" --samples-per-prompt "$samples" \
      --epochs "$epochs" "${extra[@]}" ${ITERATE_OPTS:-} >"$out.log" 2>&1
    end=$(date +%s.%N)
    load1=$(cut -d' ' -f1-3 /proc/loadavg)
    python3 - "$out" "$seed" "$mode" "$target" "$start" "$end" "$load0" "$load1" <<'PY'
import json, sys, os, re
out, seed, mode, target = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
rows = [json.loads(line) for line in open(os.path.join(out, "report.jsonl"))]
# the run's effective judge specs (config.yaml lists them when --length-target added the length judge): the length
# judges' part of a score is -W·|n - L'|/max(L', 1) for each length:L'@W
config = open(os.path.join(out, "config.yaml")).read()
length_judges = [(float(m.group(1)), float(m.group(2) or 1.0))
                 for m in re.finditer(r'"length:([0-9]+)(?:@([0-9.eE+-]+))?"', config)]
lam = re.search(r"^length-lambda: (\S+)", config, re.M)
print(f"seed {seed}, {mode}: length judges {length_judges or 'none'}, length-lambda {lam.group(1) if lam else 0}"
      f" ({float(sys.argv[6]) - float(sys.argv[5]):.0f} s wall, load average {sys.argv[7]} before, {sys.argv[8]} after)")
print("  round  pairs  sentiment  reward  len mean  len p50  len p90  in band    EOS     KL")
for r in rows:
    samples = [json.loads(l) for l in open(os.path.join(out, f"round-{r['round']}", "eval-samples.jsonl"))]
    senti = [s["score"] + sum(w * abs(s["tokens"] - l) / max(l, 1.0) for l, w in length_judges)
             for s in samples if s["score"] is not None]
    print(f"  {r['round']:5d}  {str(r.get('pairs', '-')):>5}  {sum(senti) / len(senti):9.3f}  {r['reward_mean']:6.3f}"
          f"  {r['length_mean']:8.2f}  {r['length_p50']:7d}  {r['length_p90']:7d}  {r['length_in_band']:7.3f}"
          f"  {r['eos_fraction']:5.3f}  {r['kl']:5.2f}")
PY
  done
done
