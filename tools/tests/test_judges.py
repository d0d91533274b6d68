"""The judge builders in tools/judge reproduce the committed judges and goldens byte for byte.

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
import onnxruntime as ort

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
SENTIMENT = ROOT / "artifacts" / "judges" / "sentiment"
RESOURCES = ROOT / "src" / "test" / "resources" / "judge"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
        for f in ("model.onnx", "tokenizer.json", "judge.json"):
            assert _sha(tmp_path / name / f) == _sha(RESOURCES / name / f), f"{name}/{f} differs"
    assert _sha(tmp_path / "hf_golden.json") == _sha(RESOURCES / "hf_golden.json")


def test_train_sentiment_reproduces_committed_judge(tmp_path):
    out = tmp_path / "sentiment"
    subprocess.run([sys.executable, str(TOOLS / "judge" / "train_sentiment.py"), "--out", str(out),
                    "--golden", str(tmp_path / "golden.json")], check=True)
    for f in ("model.onnx", "tokenizer.json", "judge.json", "README.md"):
        assert _sha(out / f) == _sha(SENTIMENT / f), f"sentiment/{f} differs"
    assert _sha(tmp_path / "golden.json") == _sha(RESOURCES / "sentiment_golden.json")
