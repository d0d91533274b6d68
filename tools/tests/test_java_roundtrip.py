"""Round trip exporter → Java runtime on external-data artifacts.

    tools/.venv/bin/python -m pytest -q tools/tests/test_java_roundtrip.py

Exports the tiny GPT-2 (tools/.cache/hf/tiny-gpt2, made by tools/export/make_tiny_models.py) into a temporary directory —
reference_model.onnx and inference_model.onnx hold no weights, both point into weights.data — then runs
``tools/dpo4j train`` on it for 2 optimizer steps: the Java side verifies the manifest (weights.data listed with its
SHA-256, the graphs' external-data names listed), runs the reference pass through reference_model.onnx, trains and
writes its checkpoint. Skips, saying why, without the HF directory or a JDK >= 21.
"""

import json
import subprocess
import sys
from pathlib import Path

import onnx
import pytest

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
if str(TOOLS / "export") not in sys.path:
    sys.path.insert(0, str(TOOLS / "export"))

import export as export_cli  # noqa: E402

ROW = {"prompt": "The movie was", "chosen": " great fun.", "rejected": " a bore."}


def _java_available() -> str:
    r = subprocess.run([str(TOOLS / "java-home.sh")], capture_output=True, text=True)
    return "" if r.returncode == 0 and r.stdout.strip() else (r.stderr.strip() or "tools/java-home.sh found no JDK")


def test_fresh_external_data_export_trains_in_java(tmp_path):
    hf = TOOLS / ".cache" / "hf" / "tiny-gpt2"
    if not (hf / "config.json").is_file():
        pytest.skip(f"{hf} missing (tools/export/make_tiny_models.py --no-export builds it)")
    why = _java_available()
    if why:
        pytest.skip(f"no JDK >= 21: {why}")
    art = export_cli.export(hf, "fresh", tmp_path / "out")
    manifest = json.loads((art / "manifest.json").read_text())
    assert "weights.data" in manifest["files"]
    for graph in ("reference_model.onnx", "inference_model.onnx"):
        inits = onnx.load(str(art / graph), load_external_data=False).graph.initializer
        assert inits and all(t.data_location == onnx.TensorProto.EXTERNAL for t in inits), graph
    data = tmp_path / "prefs.jsonl"
    data.write_text("".join(json.dumps(ROW) + "\n" for _ in range(8)))
    out = tmp_path / "run"
    r = subprocess.run([str(TOOLS / "dpo4j"), "train", "--artifacts", str(art), "--data", str(data),
                        "--output", str(out), "--cache-dir", str(tmp_path / "cache"), "--max-steps", "2",
                        "--batch-size", "2", "--no-progress"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    steps = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines() if line.strip()]
    assert any(s.get("step") == 2 for s in steps), steps
    assert list((tmp_path / "cache").glob("ref-*")), "the reference pass wrote no cache"
    # A graph whose weights file the manifest does not list is refused by the Java side, naming both.
    del manifest["files"]["weights.data"]
    (art / "manifest.json").write_text(json.dumps(manifest))
    r = subprocess.run([str(TOOLS / "dpo4j"), "train", "--artifacts", str(art), "--data", str(data),
                        "--output", str(tmp_path / "run2"), "--max-steps", "1", "--no-progress"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0 and "weights.data" in r.stderr and "not listed" in r.stderr, r.stderr[-2000:]
