#!/usr/bin/env bash
# GPU bundle: packs what a bare, offline GPU machine needs to run dpo4j's GPU checks and benchmarks, and the
# device-side steps that receive, unpack and run it.
#
#   tools/gpu/bundle.sh pack          here: build (-Pgpu), jlink a Java runtime, download wheels, tar.xz, split
#   tools/gpu/bundle.sh recv N        device: copy part N out of the repo copy into $DPO4J_RECV_DIR, check its sha256
#   tools/gpu/bundle.sh run [STAGE..] device: check + unpack, then stages (default: all, in this order):
#                                       setup verify export bench-dpo4j bench-trl report
#   tools/gpu/bundle.sh calls         prints the device call sequence for the bundle in tools/.gpu-bundle
#
# What `pack` writes (git-ignored): tools/.gpu-bundle/part-NN (each below the chunk size) and SHA256SUMS (one line
# per part, plus the whole bundle as `bundle.tar.xz`). The chunk size is chosen so that one part plus the working
# tree that travels with every device call stays under the 64 MiB a call may carry (at most 56 MiB).
#
# Device call sequence (print the exact one with `tools/gpu/bundle.sh calls`); back to back, since a machine stays
# warm only ~30 s after a call and a fresh one starts without /tmp/dpo4j-bundle:
#   call 1..K-1:  carry ["tools/.gpu-bundle/part-NN", "tools/.gpu-bundle/SHA256SUMS"]
#                 command: bash tools/gpu/bundle.sh recv NN
#   call K:       carry ["tools/.gpu-bundle/part-LAST", "tools/.gpu-bundle/SHA256SUMS"]
#                 command: bash tools/gpu/bundle.sh recv LAST && bash tools/gpu/bundle.sh run setup verify export
#   call K+1:     carry [] ; command: bash tools/gpu/bundle.sh run bench-dpo4j bench-trl report
# Every `run` copies the results so far to $OUT (at most 8 files): summary.txt, results.md, bench-dpo4j.tsv,
# bench-trl.jsonl, logs.tar.gz. A stage that fails is reported in summary.txt and the later stages still run.
#
# Environment (all optional):
#   DPO4J_BUNDLE_DIR      pack output (default tools/.gpu-bundle)
#   DPO4J_BUNDLE_PROFILE  gpu (default: onnxruntime linux-x86_64-gpu natives) or cpu (CPU natives; local tests)
#   DPO4J_BUNDLE_PYTHONS  Python versions to fetch wheels for (default "3.12 3.11"; the GPU image has 3.12)
#   DPO4J_BUNDLE_CHUNK_MIB  part size (default: 62 MiB minus the travelling tree, at most 56)
#   DPO4J_RECV_DIR        where parts are collected on the device (default /tmp/dpo4j-bundle)
#   DPO4J_UNPACK_DIR      where the bundle is unpacked (default /tmp/dpo4j)
#   DPO4J_PY              Python holding torch (default /opt/torch/.venv/bin/python3, else python3)
#   DPO4J_CUDA_LIBS       colon-separated dirs with the CUDA 13 libraries (default: found under DPO4J_PY's venv)
#   DPO4J_BENCH_DEVICE    cuda:0 (default) or cpu; cpu switches to tiny shapes and sizes (local end-to-end test)
#   DPO4J_BENCH_MODELS    models to export and benchmark (default "gpt2-124m qwen2-0.5b"; cpu: tiny ones)
#   DPO4J_BENCH_BATCHES / DPO4J_BENCH_SEQ / DPO4J_BENCH_STEPS   default 8,16 / 512 / 10 (cpu: 2 / 32 / 2)
#   DPO4J_PEAK_TFLOPS     fp32 peak for MFU when the device is not an H100/H200
#   OUT                   results folder (default ./gpu-results)
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JDK="${DPO4J_JLINK_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
BUNDLE_DIR="${DPO4J_BUNDLE_DIR:-$ROOT/tools/.gpu-bundle}"
RECV_DIR="${DPO4J_RECV_DIR:-/tmp/dpo4j-bundle}"
UNPACK_DIR="${DPO4J_UNPACK_DIR:-/tmp/dpo4j}"
# Wheels the bundle carries: the exporter's pins (tools/requirements.txt) and TRL's, minus what a torch venv has.
WHEELS=(onnx==1.16.2 onnxruntime-training-cpu==1.19.2 transformers==4.46.3 tokenizers==0.20.3 safetensors==0.4.5
        huggingface-hub==0.36.2 trl==0.12.2 accelerate==1.1.1 datasets==3.1.0 fsspec==2024.9.0 dill==0.3.8
        multiprocess==0.70.16 coloredlogs==15.0.1 humanfriendly==10.0 cerberus==1.3.8)
PLATFORMS=(manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64)

die() { echo "bundle.sh: error: $*" >&2; exit 1; }
log() { echo "[bundle] $*" >&2; }

# ---------------------------------------------------------------------------------------------------------- pack
tree_bytes() {  # what travels with every device call: tracked + untracked-not-ignored files
  (cd "$ROOT" && { git ls-files -z; git ls-files -z -o --exclude-standard; } | xargs -0 -r stat -c %s 2>/dev/null \
    | awk '{s += $1} END {print s + 0}')
}

pack_build() {  # $1 = stage dir; builds in a private copy so the shared target/ is left alone
  local build="$BUNDLE_DIR/build" prof=() stage="$1"
  [ "${DPO4J_BUNDLE_PROFILE:-gpu}" = gpu ] && prof=(-Pgpu)
  mkdir -p "$build" && rm -rf "$build/src" "$build/target/dependency"
  cp "$ROOT/pom.xml" "$build/" && cp -r "$ROOT/src" "$build/src" && rm -rf "$build/src/test"
  log "mvn ${prof[*]:-(cpu)} package + copy-dependencies (in $build)"
  (cd "$build" && JAVA_HOME="$JDK" mvn -o -B -q -ntp "${prof[@]}" -DskipTests -Dmaven.test.skip=true package \
      dependency:copy-dependencies -DincludeScope=runtime >&2) || die "maven build failed (offline: run once online)"
  mkdir -p "$stage/lib"
  cp "$build"/target/dependency/*.jar "$stage/lib/" && cp "$build"/target/dpo4j-*.jar "$stage/lib/dpo4j.jar"
  if [ "${DPO4J_BUNDLE_PROFILE:-gpu}" = gpu ]; then
    ls "$stage"/lib/onnxruntime-*-linux-x86_64-gpu.jar >/dev/null 2>&1 || die "no linux-x86_64-gpu onnxruntime jar"
  fi
}

pack_jlink() {  # $1 = stage dir
  local stage="$1" mods
  mods=$("$JDK/bin/jdeps" --multi-release 21 --ignore-missing-deps --print-module-deps \
      --class-path "$stage/lib/*" "$stage/lib/dpo4j.jar" 2>/dev/null) || die "jdeps failed"
  mods="$mods,java.base,java.logging,java.management,jdk.unsupported,jdk.zipfs"
  log "jlink modules: $mods"
  "$JDK/bin/jlink" --add-modules "$mods" --strip-debug --no-header-files --no-man-pages --compress=zip-6 \
      --output "$stage/jre" || die "jlink failed"
}

pack_wheels() {  # $1 = stage dir
  local wdir="$1/wheels" v plats=()
  mkdir -p "$wdir"
  for p in "${PLATFORMS[@]}"; do plats+=(--platform "$p"); done
  for v in ${DPO4J_BUNDLE_PYTHONS:-3.12 3.11}; do
    log "pip download (Python $v): ${WHEELS[*]}"
    "${DPO4J_PACK_PY:-python3}" -m pip download -q --no-deps --only-binary=:all: --implementation cp \
        --python-version "$v" "${plats[@]}" -d "$wdir" "${WHEELS[@]}" >&2 || die "pip download for Python $v failed"
  done
}

pack_files() {  # $1 = stage dir: exporter, benchmarks, goldens, tiny artifacts
  local stage="$1"
  mkdir -p "$stage/tools/export" "$stage/tools/bench" "$stage/artifacts"
  cp -r "$ROOT/tools/export/export.py" "$ROOT/tools/export/dpo4j_export" "$stage/tools/export/"
  cp "$ROOT/tools/bench/bench_trl.py" "$stage/tools/bench/"
  cp -r "$ROOT/tools/gpu" "$ROOT/tools/CONTRACT.md" "$ROOT/tools/requirements.txt" "$stage/tools/"
  cp -r "$ROOT"/artifacts/tiny-* "$stage/artifacts/"
  cp -r "$ROOT/src/test/resources/golden" "$stage/golden"
  find "$stage" -name __pycache__ -prune -exec rm -rf {} +
  (cd "$ROOT" && git rev-parse HEAD 2>/dev/null || echo unknown) > "$stage/COMMIT"
}

cmd_pack() {
  command -v xz >/dev/null || die "xz not found (apt-get install xz-utils)"
  local stage="$BUNDLE_DIR/stage/dpo4j" tree chunk
  rm -rf "$BUNDLE_DIR/stage" "$BUNDLE_DIR"/part-* "$BUNDLE_DIR/SHA256SUMS"
  mkdir -p "$stage"
  pack_build "$stage"; pack_jlink "$stage"; pack_wheels "$stage"; pack_files "$stage"
  log "checking the jlinked runtime: dpo4j --help"
  "$stage/jre/bin/java" -cp "$stage/lib/*" io.dpo4j.cli.Main --help >/dev/null || die "jlinked runtime cannot run the CLI"
  tree=$(tree_bytes)
  chunk=${DPO4J_BUNDLE_CHUNK_MIB:-$(( (62 * 1048576 - tree) / 1048576 ))}
  [ "$chunk" -gt 56 ] && chunk=56
  [ "$chunk" -ge 8 ] || die "the travelling tree is $((tree / 1048576)) MiB: too little room for parts under 64 MiB"
  log "tar + xz (tree travelling with each call: $((tree / 1048576)) MiB; part size: $chunk MiB)"
  # xz, not zstd: the device may lack a zstd binary, while Python's tarfile reads xz everywhere.
  tar -C "$BUNDLE_DIR/stage" -cf - dpo4j | xz -T0 -6 > "$BUNDLE_DIR/bundle.tar.xz" || die "tar/xz failed"
  (cd "$BUNDLE_DIR" && split -b "${chunk}M" -d -a 2 bundle.tar.xz part- && sha256sum part-* bundle.tar.xz > SHA256SUMS)
  rm -f "$BUNDLE_DIR/bundle.tar.xz"
  log "$(du -sh "$BUNDLE_DIR/stage/dpo4j" | cut -f1) unpacked; parts:"; ls -l "$BUNDLE_DIR"/part-* >&2
  cmd_calls
}

cmd_calls() {
  local parts last n
  [ -f "$BUNDLE_DIR/SHA256SUMS" ] || die "no $BUNDLE_DIR/SHA256SUMS: run pack first"
  parts=$(cd "$BUNDLE_DIR" && ls part-* | sed 's/part-//'); last=$(echo "$parts" | tail -1); n=1
  rel="${BUNDLE_DIR#"$ROOT"/}"
  echo "Device calls (back to back):"
  for p in $parts; do
    local cmd="bash tools/gpu/bundle.sh recv $p"
    [ "$p" = "$last" ] && cmd="$cmd && bash tools/gpu/bundle.sh run setup verify export"
    echo "  $n. carry [\"$rel/part-$p\", \"$rel/SHA256SUMS\"]  command: $cmd"; n=$((n + 1))
  done
  echo "  $n. carry []  command: bash tools/gpu/bundle.sh run bench-dpo4j bench-trl report"
}

# ---------------------------------------------------------------------------------------------------------- recv
cmd_recv() {
  local n="${1:-}" part
  [[ "$n" =~ ^[0-9][0-9]$ ]] || die "recv: expected a two-digit part number (00, 01, ...), found '${n}'"
  part="$BUNDLE_DIR/part-$n"
  [ -f "$part" ] || die "recv: $part is not in this copy of the repo: carry it (carry: [\"tools/.gpu-bundle/part-$n\", ...])"
  [ -f "$BUNDLE_DIR/SHA256SUMS" ] || die "recv: $BUNDLE_DIR/SHA256SUMS missing: carry it with every part"
  mkdir -p "$RECV_DIR"
  if [ -f "$RECV_DIR/SHA256SUMS" ] && ! cmp -s "$RECV_DIR/SHA256SUMS" "$BUNDLE_DIR/SHA256SUMS"; then
    log "recv: $RECV_DIR holds parts of another bundle: starting over"; rm -f "$RECV_DIR"/part-* "$RECV_DIR/SHA256SUMS"
  fi
  cp "$BUNDLE_DIR/SHA256SUMS" "$RECV_DIR/SHA256SUMS" && cp "$part" "$RECV_DIR/part-$n.tmp" \
    && mv "$RECV_DIR/part-$n.tmp" "$RECV_DIR/part-$n" || die "recv: copy into $RECV_DIR failed"
  (cd "$RECV_DIR" && grep " part-$n\$" SHA256SUMS | sha256sum -c --quiet -) || die "recv: part-$n sha256 mismatch"
  local have want
  have=$(cd "$RECV_DIR" && ls part-* 2>/dev/null | grep -vc '\.tmp$'); want=$(grep -c ' part-' "$RECV_DIR/SHA256SUMS")
  echo "recv: part-$n ok ($have of $want parts in $RECV_DIR)"
}

# ----------------------------------------------------------------------------------------------------------- run
DEV="${DPO4J_BENCH_DEVICE:-cuda:0}"
U="$UNPACK_DIR/dpo4j"          # the unpacked bundle
W="$UNPACK_DIR/work"           # exported models, scratch
R="$W/results"                 # results; copied to $OUT after every run
OUTD="${OUT:-$PWD/gpu-results}"
CUDA_SONAMES=(libcudart.so.13 libcublasLt.so.13 libcublas.so.13 libcufft.so.12 libcudnn.so.9)
if [ "$DEV" = cpu ]; then
  MODELS="${DPO4J_BENCH_MODELS:-tiny-gpt2 tiny-qwen2}"; BATCHES="${DPO4J_BENCH_BATCHES:-2}"
  SEQ="${DPO4J_BENCH_SEQ:-32}"; STEPS="${DPO4J_BENCH_STEPS:-2}"; WARMUP=1
else
  MODELS="${DPO4J_BENCH_MODELS:-gpt2-124m qwen2-0.5b}"; BATCHES="${DPO4J_BENCH_BATCHES:-8,16}"
  SEQ="${DPO4J_BENCH_SEQ:-512}"; STEPS="${DPO4J_BENCH_STEPS:-10}"; WARMUP=2
fi

pick_python() {
  if [ -n "${DPO4J_PY:-}" ]; then echo "$DPO4J_PY"
  elif [ -x /opt/torch/.venv/bin/python3 ]; then echo /opt/torch/.venv/bin/python3
  else command -v python3; fi
}
PY="$(pick_python)"

run_unpack() {
  [ -f "$RECV_DIR/SHA256SUMS" ] || die "run: no parts in $RECV_DIR: recv every part first (a fresh machine needs all)"
  if [ -f "$U/.bundle-sha" ] && cmp -s "$U/.bundle-sha" "$RECV_DIR/SHA256SUMS"; then log "bundle already unpacked in $U"; return 0; fi
  local p missing=()
  for p in $(awk '/ part-/ {print $2}' "$RECV_DIR/SHA256SUMS"); do [ -f "$RECV_DIR/$p" ] || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] || die "run: parts not received yet: ${missing[*]} (recv them; $RECV_DIR has $(ls "$RECV_DIR" | tr '\n' ' '))"
  (cd "$RECV_DIR" && grep ' part-' SHA256SUMS | sha256sum -c --quiet -) || die "run: a part's sha256 differs"
  [ "$(cat "$RECV_DIR"/part-* | sha256sum | cut -d' ' -f1)" = "$(awk '/ bundle.tar.xz$/ {print $1}' "$RECV_DIR/SHA256SUMS")" ] \
    || die "run: the joined parts do not match bundle.tar.xz's sha256"
  rm -rf "$U" && mkdir -p "$UNPACK_DIR"
  log "unpacking into $U"
  if command -v xz >/dev/null; then cat "$RECV_DIR"/part-* | xz -dc | tar -C "$UNPACK_DIR" -xf - || die "run: unpack failed"
  else cat "$RECV_DIR"/part-* | "$PY" -c "import sys, tarfile; tarfile.open(fileobj=sys.stdin.buffer, mode='r|xz').extractall(sys.argv[1], filter='tar')" "$UNPACK_DIR" || die "run: unpack failed"; fi
  cp "$RECV_DIR/SHA256SUMS" "$U/.bundle-sha"
}

find_cuda_libs() {  # prints colon-separated dirs holding the CUDA sonames; reports the missing ones on stderr
  local dirs=() lib d found venv
  if [ -n "${DPO4J_CUDA_LIBS:-}" ]; then IFS=: read -r -a dirs <<< "$DPO4J_CUDA_LIBS"
  else
    venv="$(cd "$(dirname "$PY")/.." && pwd)"
    for d in "$venv"/lib/python3*/site-packages/nvidia/*/lib "$venv"/lib/python3*/site-packages/nvidia/*/lib64 \
             /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do [ -d "$d" ] && dirs+=("$d"); done
    for lib in "${CUDA_SONAMES[@]}"; do  # anywhere else in the venv (newer wheels nest by CUDA version)
      found=$(find "$venv" -name "$lib" 2>/dev/null | head -1); [ -n "$found" ] && dirs+=("$(dirname "$found")")
    done
  fi
  local out=() seen=" "
  for lib in "${CUDA_SONAMES[@]}"; do
    found=""
    for d in "${dirs[@]}"; do if [ -e "$d/$lib" ]; then found="$d"; break; fi; done
    if [ -z "$found" ]; then echo "missing: $lib" >&2
    else echo "found: $found/$lib" >&2; case "$seen" in *" $found "*) ;; *) out+=("$found"); seen="$seen$found ";; esac; fi
  done
  (IFS=:; echo "${out[*]}")
}

stage_setup() {
  { date -u; uname -a; echo "device: $DEV  python: $PY"; nvidia-smi 2>&1 | head -20
    "$U/jre/bin/java" -version 2>&1; echo "bundle commit: $(cat "$U/COMMIT")"; } > "$R/env.txt"
  if [ "$DEV" != cpu ]; then
    CUDA_DIRS=$(find_cuda_libs 2>>"$R/env.txt")
    grep -q '^missing' "$R/env.txt" && { cat "$R/env.txt"; echo "CUDA 13 libraries missing (set DPO4J_CUDA_LIBS)"; return 1; }
    echo "$CUDA_DIRS" > "$W/cuda-dirs"
  fi
  if [ ! -f "$U/pylib/.done" ]; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --find-links "$U/wheels" \
        --target "$U/pylib" "${WHEELS[@]}" || { echo "pip install of the bundled wheels failed for $("$PY" -V)"; return 1; }
    touch "$U/pylib/.done"
  fi
  PYTHONPATH="$U/pylib" "$PY" -c "import sys, torch, numpy, onnx, onnxruntime, transformers, trl, datasets
from onnxruntime.training import artifacts
print('python', sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'numpy', numpy.__version__,
      'onnx', onnx.__version__, 'onnxruntime', onnxruntime.__version__, onnxruntime.__file__, 'transformers', transformers.__version__,
      'trl', trl.__version__, 'datasets', datasets.__version__)" | tee -a "$R/env.txt" || return 1
  dpo4j --version | tee -a "$R/env.txt"
}

dpo4j() {  # the CLI through the jlinked runtime, with the CUDA library dirs on the library path
  local dirs=""; [ -f "$W/cuda-dirs" ] && dirs=$(cat "$W/cuda-dirs")
  LD_LIBRARY_PATH="${dirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" DPO4J_CUDA_LIBS="${DPO4J_CUDA_LIBS:-$dirs}" \
    "$U/jre/bin/java" --enable-native-access=ALL-UNNAMED -Ddpo4j.home="$U" -cp "$U/lib/*" io.dpo4j.cli.Main "$@"
}

stage_verify() {
  # shellcheck disable=SC2086
  dpo4j verify --device "$DEV" --golden-dir "$U/golden" --artifacts-root "$U/artifacts" --work "$W/verify" \
      ${DPO4J_VERIFY_ARGS:-}
}

stage_export() {
  local m
  for m in $MODELS; do
    if [ -f "$W/artifacts/$m/manifest.json" ]; then echo "$m: already exported"; continue; fi
    PYTHONPATH="$U/pylib" "$PY" "$U/tools/gpu/bench_models.py" --model "$m" --out "$W/hf/$m" || return 1
    # shellcheck disable=SC2086
    PYTHONPATH="$U/pylib" "$PY" "$U/tools/export/export.py" --model-dir "$W/hf/$m" --name "$m" --out "$W/artifacts" \
        ${DPO4J_EXPORT_ARGS:-} || return 1
  done
}

smi_start() {  # samples GPU memory.used (MiB) every 200 ms into $1
  SMI_PID=""
  command -v nvidia-smi >/dev/null && [ "$DEV" != cpu ] || return 0
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 > "$1" 2>/dev/null & SMI_PID=$!
}
smi_stop() {  # prints the peak sampled in $1, or NA
  [ -n "${SMI_PID:-}" ] && kill "$SMI_PID" 2>/dev/null && wait "$SMI_PID" 2>/dev/null
  if [ -s "$1" ]; then sort -n "$1" | tail -1; else echo NA; fi
}

stage_bench_dpo4j() {
  local m rc=0 out peak params
  [ -f "$R/bench-dpo4j.tsv" ] || printf 'model\tparams\tbatch\tseq_len\tpairs/s\ttokens/s\ts/step\tpeak_rss_MiB\tsmi_peak_MiB\n' > "$R/bench-dpo4j.tsv"
  for m in $MODELS; do
    [ -f "$W/artifacts/$m/manifest.json" ] || { echo "$m: not exported (run the export stage)"; rc=1; continue; }
    params=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['num_parameters'])" "$W/artifacts/$m/manifest.json")
    out="$R/logs/bench-dpo4j-$m.out"
    smi_start "$W/smi-dpo4j-$m"
    dpo4j bench --device "$DEV" --artifacts "$W/artifacts/$m" --batch-size "$BATCHES" --seq-len "$SEQ" \
        --warmup "$WARMUP" --steps "$STEPS" | tee "$out" || rc=1
    peak=$(smi_stop "$W/smi-dpo4j-$m")
    grep -E '^[0-9]+'$'\t' "$out" | awk -v m="$m" -v p="$params" -v s="$peak" 'BEGIN{OFS="\t"} {print m, p, $0, s}' >> "$R/bench-dpo4j.tsv"
  done
  return $rc
}

stage_bench_trl() {
  local m rc=0 peak extra=()
  [ -n "${DPO4J_PEAK_TFLOPS:-}" ] && extra=(--peak-tflops "$DPO4J_PEAK_TFLOPS")
  for m in $MODELS; do
    smi_start "$W/smi-trl-$m"
    PYTHONPATH="$U/pylib" PYTHONUNBUFFERED=1 "$PY" "$U/tools/bench/bench_trl.py" --device "$DEV" --model "$m" \
        --batch-size "$BATCHES" --seq-len "$SEQ" --warmup "$WARMUP" --steps "$STEPS" --out "$R/bench-trl.jsonl" \
        "${extra[@]}" > "$R/logs/bench-trl-$m.out" 2>&1 || rc=1
    grep '^{' "$R/logs/bench-trl-$m.out"
    peak=$(smi_stop "$W/smi-trl-$m"); printf '%s\t%s\n' "$m" "$peak" >> "$R/smi-trl.tsv"
  done
  return $rc
}

stage_report() {
  local name=cpu extra=()
  [ "$DEV" != cpu ] && name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
  [ -n "${DPO4J_PEAK_TFLOPS:-}" ] && extra=(--peak-tflops "$DPO4J_PEAK_TFLOPS")
  "$PY" "$U/tools/gpu/results_table.py" --dpo4j "$R/bench-dpo4j.tsv" --trl "$R/bench-trl.jsonl" \
      --trl-smi "$R/smi-trl.tsv" --device-name "${name:-unknown}" "${extra[@]}" | tee "$R/results.md"
}

run_stage() {  # $1 = stage name: logs to $R/logs/NAME.log, records ok/FAILED in summary.txt, never stops the run
  local name="$1" fn="stage_${1//-/_}" t0 rc
  declare -F "$fn" >/dev/null || die "run: unknown stage '$name' (expected setup verify export bench-dpo4j bench-trl report)"
  echo "=== $name ($(date -u +%H:%M:%S))"
  t0=$(date +%s)
  "$fn" > >(tee "$R/logs/$name.log") 2>&1; rc=$?
  sleep 0.2  # let tee flush
  if [ $rc -eq 0 ]; then echo "$name: ok ($(( $(date +%s) - t0 )) s)" | tee -a "$R/summary.txt"
  else
    { echo "$name: FAILED (exit $rc, $(( $(date +%s) - t0 )) s); last lines of logs/$name.log:"
      tail -n 15 "$R/logs/$name.log" | sed 's/^/    /'; } | tee -a "$R/summary.txt"
  fi
  return $rc
}

copy_out() {
  mkdir -p "$OUTD"
  local f
  for f in summary.txt results.md bench-dpo4j.tsv bench-trl.jsonl env.txt; do [ -f "$R/$f" ] && cp "$R/$f" "$OUTD/"; done
  tar -C "$R" -czf "$OUTD/logs.tar.gz" logs 2>/dev/null
  echo "results in $OUTD: $(ls "$OUTD" | tr '\n' ' ')"
}

cmd_run() {
  local stages=("$@") s failed=0
  [ ${#stages[@]} -gt 0 ] || stages=(setup verify export bench-dpo4j bench-trl report)
  run_unpack
  mkdir -p "$R/logs"
  echo "--- run ${stages[*]} on $DEV ($(date -u))" >> "$R/summary.txt"
  [ -f "$R/env.txt" ] || [ "${stages[0]}" = setup ] || run_stage setup || failed=1
  for s in "${stages[@]}"; do run_stage "$s" || failed=1; done
  copy_out
  echo "--- summary"; cat "$R/summary.txt"
  return $failed
}

case "${1:-}" in
  pack) shift; cmd_pack "$@" ;;
  recv) shift; cmd_recv "$@" ;;
  run) shift; cmd_run "$@" ;;
  calls) cmd_calls ;;
  *) sed -n '2,40p' "$0"; exit 2 ;;
esac
