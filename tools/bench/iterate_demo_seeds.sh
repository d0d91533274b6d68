#!/usr/bin/env bash
# The iterative-DPO demo (`dpo4j iterate` with its defaults: tiny GPT-2, IMDb prompts, the sentiment judge, 3 rounds)
# for several seeds: per seed, the held-out reward mean, KL to the start model and win rate of rounds 0..3, whether the
# reward rose strictly every round, and the wall time of the whole command (the jar is built first, not timed).
#   tools/bench/iterate_demo_seeds.sh [SEEDS...]          (default: 0 1 2)
# Extra iterate options: ITERATE_OPTS (env), e.g. ITERATE_OPTS="--epochs 3".
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seeds=("${@:-0 1 2}")
work="${DPO4J_BENCH_DIR:-$root/tools/.cache/bench-iterate}"
mkdir -p "$work"
"$root/tools/dpo4j" --version >/dev/null # build the jar outside the timing
for seed in ${seeds[@]}; do
  out="$work/seed-$seed"
  rm -rf "$out"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$root/tools/dpo4j" iterate --no-progress --seed "$seed" --output "$out" ${ITERATE_OPTS:-} >"$out.log" 2>&1
  end=$(date +%s.%N)
  python3 - "$out/report.jsonl" "$seed" "$start" "$end" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
reward = [r["reward_mean"] for r in rows]
rising = all(b > a for a, b in zip(reward, reward[1:]))
print(f"seed {sys.argv[2]}: reward " + " ".join(f"{x:.3f}" for x in reward)
      + " | KL " + " ".join(f"{r['kl']:.2f}" for r in rows)
      + " | win rate " + " ".join(f"{r['win_rate']:.3f}" for r in rows)
      + f" | strictly rising: {'yes' if rising else 'NO'} | {float(sys.argv[4]) - float(sys.argv[3]):.0f} s")
PY
done
