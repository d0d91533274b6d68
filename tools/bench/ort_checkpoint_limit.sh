#!/usr/bin/env bash
# Does ONNX Runtime (the JVM runtime) write a checkpoint with the AdamW moments for models of N trainable values?
# For each N: a one-tensor model (ort_checkpoint_limit_model.py, no external data), one train + AdamW step, then
# SaveCheckpoint with the optimizer state and a reopen (src/test/java/io/dpo4j/runtime/CheckpointSaveProbe.java).
# Measured 2026-12-02: 150M saves (1.8 GB) and reopens, 200M fails (ORT's 2 GiB checkpoint buffer); README, Training.
#   tools/bench/ort_checkpoint_limit.sh [N ...]      (default: 150000000 200000000; needs `mvn test-compile` and
#                                                     tools/setup-python.sh; ~10 GB of memory and 2 GB of disk)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
work=tools/.cache/ort-checkpoint-limit
java_home=$(tools/java-home.sh)
[ -d target/test-classes/io/dpo4j/runtime ] || JAVA_HOME=$java_home mvn -B -ntp -q test-compile
[ -d target/lib ] || JAVA_HOME=$java_home mvn -B -ntp -q -DskipTests package
cp="target/test-classes:target/classes:$(ls target/lib/*.jar | tr '\n' ':')"
for n in "${@:-150000000 200000000}"; do
  for v in $n; do
    dir=$work/n$v
    [ -f "$dir/checkpoint" ] || tools/.venv/bin/python tools/bench/ort_checkpoint_limit_model.py "$v" "$dir" 2>/dev/null
    rm -f "$work/saved-$v"
    echo "== N = $v"
    "$java_home/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" io.dpo4j.runtime.CheckpointSaveProbe \
      "$dir" "$work/saved-$v" 2>&1 | grep -v "MergeShapeInfo\|^WARNING"
    rm -f "$work/saved-$v"
  done
done
