#!/usr/bin/env bash
# The project's test command (README "Tests"; .ci/run calls it with --with-python).
#   tools/test.sh                all Java tests on CPU (mvn test with a JDK >= 21), then the runnable jar's smoke run
#   tools/test.sh --with-python  also the Python side (exporter, goldens, reproducibility), in tools/.venv
# GPU tests skip themselves unless DPO4J_TEST_CUDA=1 on a machine with a CUDA device.
set -euo pipefail
cd "$(dirname "$0")/.."
python_tests=0
if [ "${1:-}" = "--with-python" ]; then python_tests=1; shift; fi
JAVA_HOME="$(tools/java-home.sh)"
export JAVA_HOME
mvn -B -ntp test "$@"
tools/jar-smoke.sh  # the runnable jar (mvn package) works from another directory
if [ "$python_tests" = 1 ]; then
  tools/setup-python.sh
  # The goldens' parity tests need the tiny models' HF directories (seeded, rebuilt in tools/.cache/hf).
  tools/.venv/bin/python tools/export/make_tiny_models.py --no-export
  tools/.venv/bin/python -m pytest -q tools/tests
fi
