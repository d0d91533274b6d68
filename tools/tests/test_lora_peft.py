"""PEFT round trip of LoRA artifacts through the Java CLI:

* `dpo4j export-adapter` on a trained LoRA checkpoint writes a directory that `peft.PeftModel.from_pretrained` loads
  onto the base model with logits within 1e-5 (of the largest |logit|) of dpo4j's own merged model
  (`export-inference --merge`, run in onnxruntime), and `export-hf` of the same checkpoint is that merged model in
  transformers;
* an adapter written by PEFT itself (random nonzero A and B) imported with `train --init-adapter` gives, after a step
  at lr 1e-30 (no movement), a merged model equal to PEFT's.

Both committed tiny LoRA sets (GPT-2 c_attn with fan_in_fan_out; Llama q_proj/v_proj with GQA) and a fresh all-linear
Llama export.

    tools/.venv/bin/python -m pytest -q tools/tests/test_lora_peft.py
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
if str(TOOLS / "export") not in sys.path:
    sys.path.insert(0, str(TOOLS / "export"))

peft = pytest.importorskip("peft", reason="PEFT is the LoRA reference (pip install -r tools/requirements.txt)")
ROW = {"prompt": "The movie was", "chosen": " great fun.", "rejected": " a bore."}
IDS = np.array([[5, 17, 300, 42, 4000, 7, 99, 1000], [12, 13, 14, 15, 16, 17, 18, 19]], dtype=np.int64)  # (N, T)


def _java_or_skip():
    if subprocess.run([str(TOOLS / "java-home.sh")], capture_output=True).returncode != 0:
        pytest.skip("needs a JDK >= 21 (tools/java-home.sh)")


def _run(args, cwd):
    r = subprocess.run([str(TOOLS / "dpo4j"), *args], capture_output=True, text=True, cwd=cwd)
    assert r.returncode == 0, r.stderr[-3000:]
    return r


def _hf_dir(base: str) -> Path:
    hf = TOOLS / ".cache" / "hf" / base
    if not (hf / "config.json").is_file():
        pytest.skip(f"{hf} missing (tools/export/make_tiny_models.py --no-export builds it)")
    return hf


def _train(art: Path, tmp: Path, name: str, lr: str, steps: int, *extra) -> Path:
    data = tmp / "prefs.jsonl"
    data.write_text("".join(json.dumps(ROW) + "\n" for _ in range(8)))
    out = tmp / name
    _run(["train", "--artifacts", str(art), "--data", str(data), "--output", str(out), "--cache-dir",
          str(tmp / "cache"), "--max-steps", str(steps), "--batch-size", "2", "--lr", lr, "--eval-fraction", "0",
          "--no-progress", *extra], tmp)
    return out / "checkpoints" / f"step-{steps:06d}"


def _merged_logits(art: Path, ckpt: Path, tmp: Path, name: str) -> np.ndarray:
    onnx_file = tmp / f"{name}.onnx"
    _run(["export-inference", "--artifacts", str(art), "--checkpoint", str(ckpt), "--merge", "--output",
          str(onnx_file)], tmp)
    sess = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    return sess.run(["logits"], {"input_ids": IDS, "attention_mask": np.ones_like(IDS)})[0]  # (N, T, V)


def _hf_logits(model) -> np.ndarray:
    with torch.no_grad():
        return model(input_ids=torch.from_numpy(IDS), attention_mask=torch.ones_like(torch.from_numpy(IDS))).logits.numpy()


def _base(hf: Path):
    from transformers import AutoModelForCausalLM
    return AutoModelForCausalLM.from_pretrained(str(hf), torch_dtype=torch.float32, attn_implementation="eager").eval()


def _close(got, want):
    scale = max(1.0, float(np.abs(want).max()))
    err = float(np.abs(got - want).max())
    print(f"max |logit diff| {err:.3g} (largest |logit| {scale:.3g})")
    assert err <= 1e-5 * scale, f"max |diff| {err} > 1e-5 x {scale}"


@pytest.fixture(scope="module")
def all_linear_llama(tmp_path_factory):
    import export as export_cli
    from dpo4j_export import lora
    hf = _hf_dir("tiny-llama")
    return export_cli.export(hf, "tiny-llama-all-linear", tmp_path_factory.mktemp("art"),
                             lora_spec=lora.LoraSpec(4, 8.0, 0.0, ("all-linear",)))


def _case(request, name):
    if name == "all-linear":
        return request.getfixturevalue("all_linear_llama"), "tiny-llama"
    return ROOT / "artifacts" / name, name[:-len("-lora")]


@pytest.mark.parametrize("name", ["tiny-gpt2-lora", "tiny-llama-lora", "all-linear"])
def test_exported_adapter_loads_in_peft_and_equals_the_merged_model(name, tmp_path, request):
    _java_or_skip()
    art, base = _case(request, name)
    hf = _hf_dir(base)
    ckpt = _train(art, tmp_path, "run", "1e-2", 3)
    adapter = tmp_path / "adapter"
    _run(["export-adapter", "--artifacts", str(art), "--checkpoint", str(ckpt), "--output", str(adapter)], tmp_path)
    model = peft.PeftModel.from_pretrained(_base(hf), str(adapter)).eval()
    want = _hf_logits(model)
    ours = _merged_logits(art, ckpt, tmp_path, "merged")
    _close(ours, want)
    assert np.abs(want - _hf_logits(_base(hf))).max() > 1e-4  # trained adapters, not the identity
    # export-hf of the same checkpoint: the merged model, loadable by transformers alone
    _run(["export-hf", "--artifacts", str(art), "--checkpoint", str(ckpt), "--output", str(tmp_path / "hf")], tmp_path)
    _close(_hf_logits(_base(tmp_path / "hf")), want)
    with torch.no_grad():
        merged = model.merge_and_unload()
    _close(_hf_logits(merged), want)  # PEFT's own merge agrees too


@pytest.mark.parametrize("name", ["tiny-gpt2-lora", "tiny-llama-lora"])
def test_peft_written_adapter_starts_training(name, tmp_path):
    _java_or_skip()
    art = ROOT / "artifacts" / name
    hf = _hf_dir(name[:-len("-lora")])
    manifest = json.loads((art / "manifest.json").read_text())
    cfg = peft.LoraConfig(r=manifest["lora"]["r"], lora_alpha=manifest["lora"]["alpha"], lora_dropout=0.0,
                          target_modules=manifest["lora"]["target_modules"], task_type="CAUSAL_LM",
                          fan_in_fan_out=manifest["architecture"] == "gpt2")
    model = peft.get_peft_model(_base(hf), cfg)
    g = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if p.requires_grad:
                p.copy_(torch.randn(p.shape, generator=g) * 0.05)
    model.save_pretrained(str(tmp_path / "peft"))
    want = _hf_logits(model.eval())
    ckpt = _train(art, tmp_path, "run", "1e-30", 1, "--init-adapter", str(tmp_path / "peft"))
    _close(_merged_logits(art, ckpt, tmp_path, "merged"), want)
