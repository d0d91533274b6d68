"""The judge builders in tools/judge reproduce the committed judges and goldens: byte for byte where no float
arithmetic of the CPU is involved, within the measured cross-CPU float noise elsewhere (see FLOAT64_REL).

    tools/.venv/bin/python -m pytest -q tools/tests/test_judges.py

test_committed_sentiment_judge_matches_golden is quick (Python onnxruntime on the committed model); the two rebuild
tests retrain / re-export into a temporary folder (the sentiment judge takes about two minutes on 2 cores).
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
SENTIMENT = ROOT / "artifacts" / "judges" / "sentiment"
RESOURCES = ROOT / "src" / "test" / "resources" / "judge"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Rebuilt on another CPU, the float results differ in their last bits (torch's CPU kernels, Intel MKL included, take
# vendor-specific paths). Measured, rebuilding on an AMD EPYC VM what was committed from an Intel Xeon VM: float64
# golden scores within 2e-15 relative; the sentiment judge (float32, trained for ~2 minutes) within 7.2e-7 in every
# weight and 3.6e-7 in its golden scores. Text files, graphs and every non-float value must still match exactly.
FLOAT64_REL = 1e-12
FLOAT32_TRAINED_ABS = 1e-5


def _same_json(found: Path, expected: Path, rel: float, abs_: float) -> None:
    def walk(a, b, at):
        if isinstance(b, float):
            assert isinstance(a, float) and abs(a - b) <= max(abs_, rel * abs(b)), (at, a, b)
        elif isinstance(b, dict):
            assert isinstance(a, dict) and a.keys() == b.keys(), at
            for k in b:
                walk(a[k], b[k], f"{at}/{k}")
        elif isinstance(b, list):
            assert isinstance(a, list) and len(a) == len(b), at
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{at}[{i}]")
        else:
            assert a == b, (at, a, b)
    walk(json.loads(found.read_text()), json.loads(expected.read_text()), found.name)


def _same_onnx(found: Path, expected: Path, abs_: float) -> None:
    """Same graph (nodes, inputs, outputs) byte for byte; initializers of the same names, types and shapes whose values
    differ by at most ``abs_``."""
    a, b = onnx.load(str(found)), onnx.load(str(expected))
    for part in ("node", "input", "output"):
        assert [x.SerializeToString() for x in getattr(a.graph, part)] == \
            [x.SerializeToString() for x in getattr(b.graph, part)], f"{found}: graph {part} differs"
    assert [t.name for t in a.graph.initializer] == [t.name for t in b.graph.initializer], found
    for x, y in zip(a.graph.initializer, b.graph.initializer):
        u, v = numpy_helper.to_array(x), numpy_helper.to_array(y)
        assert u.dtype == v.dtype and u.shape == v.shape, (found, x.name)
        assert np.array_equal(u, v) if not np.issubdtype(v.dtype, np.floating) else \
            float(np.max(np.abs(u - v), initial=0.0)) <= abs_, (found, x.name)


def test_committed_sentiment_judge_matches_golden():
    golden = json.loads((RESOURCES / "sentiment_golden.json").read_text())
    sess = ort.InferenceSession(str(SENTIMENT / "model.onnx"), providers=["CPUExecutionProvider"])
    for c in golden["candidates"]:
        ids = np.array([c["ids"]], dtype=np.int64)                              # (1, T)
        z = sess.run(["logits"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]
        assert abs((float(z[1]) - float(z[0])) - c["torch_float64_score"]) < 1e-5, c["completion"][:40]
    cfg = json.loads((SENTIMENT / "judge.json").read_text())
    assert cfg["score"] == "logit_margin" and cfg["positive_index"] == 1


def test_make_test_judges_reproduces_committed_files(tmp_path):
    subprocess.run([sys.executable, str(TOOLS / "judge" / "make_test_judges.py"), "--out", str(tmp_path)], check=True)
    for name in ("hf-bert-classifier", "hf-gpt2-reward"):
        for f in ("model.onnx", "tokenizer.json", "judge.json"):  # seeded weights, no training: exact
            assert _sha(tmp_path / name / f) == _sha(RESOURCES / name / f), f"{name}/{f} differs"
    _same_json(tmp_path / "hf_golden.json", RESOURCES / "hf_golden.json", FLOAT64_REL, 0.0)


def test_train_sentiment_reproduces_committed_judge(tmp_path):
    out = tmp_path / "sentiment"
    subprocess.run([sys.executable, str(TOOLS / "judge" / "train_sentiment.py"), "--out", str(out),
                    "--golden", str(tmp_path / "golden.json")], check=True)
    for f in ("tokenizer.json", "judge.json", "README.md"):
        assert _sha(out / f) == _sha(SENTIMENT / f), f"sentiment/{f} differs"
    _same_onnx(out / "model.onnx", SENTIMENT / "model.onnx", FLOAT32_TRAINED_ABS)
    _same_json(tmp_path / "golden.json", RESOURCES / "sentiment_golden.json", 0.0, FLOAT32_TRAINED_ABS)
