#!/usr/bin/env bash
# The runnable distribution: `mvn package` builds target/dpo4j-<version>.jar (+ target/lib); `java -jar` on it, started
# from an unrelated directory, runs two steps of the embedded default and writes metrics; examples/QuickStart.java
# (the library API) compiles against the jar and runs. Called by tools/test.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
JAVA_HOME="${JAVA_HOME:-$("$root/tools/java-home.sh")}"
(cd "$root" && mvn -B -ntp -q -DskipTests package)
jar=$(ls "$root"/target/dpo4j-*.jar | grep -v -- '-sources\|-javadoc' | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$JAVA_HOME/bin/java" -jar "$jar" train --no-progress --max-steps 2 --output run --cache-dir cache)
test -s "$work/run/metrics.jsonl" || { echo "jar-smoke: no metrics written by java -jar $jar" >&2; exit 1; }
echo "jar-smoke: java -jar $(basename "$jar") ran the embedded default from $work"
# The library example compiles against the jar and runs (Java's source launcher), from the repository root.
(cd "$root" && "$JAVA_HOME/bin/java" -cp "$jar" examples/QuickStart.java 6 "$work/example") | tee "$work/example.log"
grep -q "eval_loss" "$work/example.log" && grep -q "last checkpoint: " "$work/example.log" \
  || { echo "jar-smoke: examples/QuickStart.java printed no evaluation or checkpoint" >&2; exit 1; }
