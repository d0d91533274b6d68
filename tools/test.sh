#!/usr/bin/env bash
# The project's test command (README "Tests"; .ci/run calls it): all Java tests on CPU.
# GPU tests skip themselves unless DPO4J_TEST_CUDA=1 on a machine with a CUDA device.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME="$(tools/java-home.sh)"
export JAVA_HOME
exec mvn -B -ntp test "$@"
