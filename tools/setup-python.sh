#!/usr/bin/env bash
# Creates tools/.venv with the pinned Python side (exporter, goldens, tests): tools/requirements.txt.
# The torch wheel from PyPI pulls CUDA libraries (~6 GB installed); nothing here needs a GPU.
set -euo pipefail
cd "$(dirname "$0")"
py="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
.venv/bin/python -c "import torch, transformers, onnx, onnxruntime; print('tools/.venv ready: torch', torch.__version__, \
'transformers', transformers.__version__, 'onnxruntime-training', onnxruntime.__version__)"
