"""HF round trip: `dpo4j export-hf` on a trained checkpoint writes a directory that transformers'
AutoModelForCausalLM.from_pretrained loads, with logits equal (≤ 1e-5 of the largest |logit|) to the ONNX inference
model that `dpo4j export-inference` cuts from the same checkpoint, for both tiny models.

    tools/.venv/bin/python -m pytest -q tools/tests/test_export_hf.py
"""
import json
import subprocess
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
ROW = {"prompt": "The movie was", "chosen": " great fun.", "rejected": " a bore."}


def _run(args, cwd):
    r = subprocess.run([str(TOOLS / "dpo4j"), *args], capture_output=True, text=True, cwd=cwd)
    assert r.returncode == 0, r.stderr[-3000:]


@pytest.mark.parametrize("model", ["tiny-gpt2", "tiny-llama"])
def test_exported_hf_model_matches_the_onnx_policy(model, tmp_path):
    if subprocess.run([str(TOOLS / "java-home.sh")], capture_output=True).returncode != 0:
        pytest.skip("needs a JDK >= 21 (tools/java-home.sh)")
    from transformers import AutoModelForCausalLM, AutoTokenizer
    art = ROOT / "artifacts" / model
    data = tmp_path / "prefs.jsonl"
    data.write_text("".join(json.dumps(ROW) + "\n" for _ in range(8)))
    run = tmp_path / "run"
    _run(["train", "--artifacts", str(art), "--data", str(data), "--output", str(run), "--cache-dir",
          str(tmp_path / "cache"), "--max-steps", "3", "--batch-size", "2", "--lr", "1e-2", "--no-progress"], tmp_path)
    ckpt = run / "checkpoints" / "step-000003"
    _run(["export-hf", "--artifacts", str(art), "--checkpoint", str(ckpt), "--output", str(tmp_path / "hf")], tmp_path)
    _run(["export-inference", "--artifacts", str(art), "--checkpoint", str(ckpt), "--output",
          str(tmp_path / "policy.onnx")], tmp_path)
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in (tmp_path / "hf").iterdir()}

    hf = AutoModelForCausalLM.from_pretrained(str(tmp_path / "hf"), torch_dtype=torch.float32,
                                              attn_implementation="eager").eval()
    AutoTokenizer.from_pretrained(str(tmp_path / "hf"))  # the tokenizer files load too
    ids = np.array([[5, 17, 300, 42, 4000, 7, 99, 1000], [12, 13, 14, 15, 16, 17, 18, 19]], dtype=np.int64)  # (N, T)
    mask = np.ones_like(ids)  # (N, T)
    with torch.no_grad():
        want = hf(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).logits.numpy()  # (N, T, V)
    sess = ort.InferenceSession(str(tmp_path / "policy.onnx"), providers=["CPUExecutionProvider"])
    got = sess.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]  # (N, T, V)
    scale = np.abs(want).max()
    assert np.abs(got - want).max() <= 1e-5 * max(1.0, scale), np.abs(got - want).max()

    # the trained weights, not the starting ones: the starting model's logits differ
    start = AutoModelForCausalLM.from_pretrained(str(TOOLS / ".cache" / "hf" / model), torch_dtype=torch.float32,
                                                 attn_implementation="eager").eval() \
        if (TOOLS / ".cache" / "hf" / model / "config.json").is_file() else None
    if start is not None:
        with torch.no_grad():
            before = start(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).logits.numpy()
        assert np.abs(before - want).max() > 1e-4
