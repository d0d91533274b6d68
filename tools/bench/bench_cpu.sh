#!/usr/bin/env bash
# dpo4j (`tools/dpo4j bench`) vs TRL (tools/bench/bench_trl.py) on CPU, GPT-2 124M shape, float32: one process per row, so
# every peak RSS is that row's own. Rows print as tab-separated lines (and append to $OUT when set).
#
#   tools/bench/bench_cpu.sh                                            # both sides at 1x128, 4x256, 8x512
#   SHAPES="4x256" SIDES=dpo4j LABEL=arena-on DPO4J_OPTS="--cpu-arena on" tools/bench/bench_cpu.sh
#   SIDES=dpo4j LABEL=shared-prompt ART=tools/.cache/artifacts/gpt2-124m-random-shared tools/bench/bench_cpu.sh
#       (artifacts of `../.venv/bin/python -m dpo4j_export.bench --shared-prompt` in tools/export: prompt once per pair)
#
# Settings (environment): SHAPES ("BxT ..."), SIDES ("dpo4j trl"), WARMUP (2), STEPS (3), ART (dpo4j artifacts,
# default tools/.cache/artifacts/gpt2-124m-random, built by `cd tools/export && ../.venv/bin/python -m dpo4j_export.bench`),
# DPO4J_OPTS (extra `dpo4j bench` options), LABEL (names the setting in the row), OUT (file to append rows to),
# IDLE_LOAD (1.0) and IDLE_WAIT (180 s): before each row, wait up to IDLE_WAIT seconds for the 1-minute load
# average to drop below IDLE_LOAD. Each row runs under flock $LOCK (/tmp/dpo4j-bigmem.lock), the lock the machine's
# users take for every big-memory job, so no other big job runs beside it. The row records the 1-minute load average
# just before and just after the run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
ART="${ART:-$root/tools/.cache/artifacts/gpt2-124m-random}"
SHAPES="${SHAPES:-1x128 4x256 8x512}"
SIDES="${SIDES:-dpo4j trl}"
WARMUP="${WARMUP:-2}"
STEPS="${STEPS:-3}"
DPO4J_OPTS="${DPO4J_OPTS:-}"
LABEL="${LABEL:-default}"
IDLE_LOAD="${IDLE_LOAD:-1.0}"
IDLE_WAIT="${IDLE_WAIT:-180}"
LOCK="${LOCK:-/tmp/dpo4j-bigmem.lock}"
OUT="${OUT:-}"
py="$root/tools/.venv/bin/python"

load1() { cut -d' ' -f1 /proc/loadavg; }

wait_idle() {
  local waited=0
  while awk -v l="$(load1)" -v m="$IDLE_LOAD" 'BEGIN { exit !(l >= m) }' && [ "$waited" -lt "$IDLE_WAIT" ]; do
    sleep 5
    waited=$((waited + 5))
  done
  echo "$waited"
}

emit() {
  printf '%s\n' "$1"
  if [ -n "$OUT" ]; then printf '%s\n' "$1" >> "$OUT"; fi
}

# One row, run inside the lock: side label B T -> "side label B T pairs/s s/step peak_rss_MiB load_before load_after waited"
row() {
  local side="$1" b="$2" t="$3" log waited before after
  log="$(mktemp)"
  waited="$(wait_idle)"
  before="$(load1)"
  if [ "$side" = dpo4j ]; then
    # shellcheck disable=SC2086
    "$root/tools/dpo4j" bench --artifacts "$ART" --batch-size "$b" --seq-len "$t" --warmup "$WARMUP" --steps "$STEPS" \
        $DPO4J_OPTS > "$log" 2>&1 || { after="$(load1)"; echo "$side	$LABEL	$b	$t	error	-	-	$before	$after	$waited	$(tail -1 "$log")"; rm -f "$log"; return; }
    after="$(load1)"
    awk -v s="$side" -v l="$LABEL" -v lb="$before" -v la="$after" -v w="$waited" -F'\t' \
        '$1 ~ /^[0-9]+$/ { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s, l, $1, $2, $3, $5, $6, lb, la, w }' "$log"
  else
    (cd "$root/tools/bench" && TOKENIZERS_PARALLELISM=false "$py" bench_trl.py --device cpu --model gpt2-124m \
        --batch-size "$b" --seq-len "$t" --warmup "$WARMUP" --steps "$STEPS") > "$log" 2>&1 || true
    after="$(load1)"
    "$py" -c "$TRL_ROW" "$(grep '^{' "$log" | tail -1)" "$side" "$LABEL" "$before" "$after" "$waited"
  fi
  if [ -n "$OUT" ]; then cp "$log" "$OUT.$side-${b}x$t-$LABEL.log"; fi
  rm -f "$log"
}

# TRL's JSON line -> the row's columns
TRL_ROW='
import json, sys
line, s, l, lb, la, w = sys.argv[1:7]
r = json.loads(line) if line else {"error": "no JSON line from bench_trl.py", "batch": "?", "seq_len": "?"}
head = [s, l, str(r["batch"]), str(r["seq_len"])]
if "error" in r:
    print("\t".join(head + ["error", "-", "-", lb, la, w, r["error"]]))
else:
    print("\t".join(head + [format(r["pairs_per_s"], ".2f"), format(r["s_per_step"], ".4f"),
                             format(r["peak_rss_mib"], ".0f"), lb, la, w]))
'
export -f row wait_idle load1
export OUT root ART WARMUP STEPS DPO4J_OPTS LABEL IDLE_LOAD IDLE_WAIT py TRL_ROW
emit "# $(date -u +%FT%TZ) $(uname -n) $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); warmup $WARMUP, steps $STEPS; dpo4j options: ${DPO4J_OPTS:-none}"
emit "side	setting	batch	seq_len	pairs/s	s/step	peak_rss_MiB	load1_before	load1_after	waited_s"
for shape in $SHAPES; do
  b="${shape%x*}"
  t="${shape#*x}"
  for side in $SIDES; do
    emit "$(flock "$LOCK" bash -c 'row "$@"' _ "$side" "$b" "$t")"
  done
done
