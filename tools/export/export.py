#!/usr/bin/env python3
"""Exports a Hugging Face causal LM (gpt2 / llama / qwen2) into dpo4j's ONNX Runtime training artifacts.

    tools/.venv/bin/python tools/export/export.py --model-dir DIR --name NAME --out artifacts \\
        [--opset 17] [--weight-decay 0.0] [--max-grad-norm X] [--no-verify]

Writes artifacts/NAME/ exactly as tools/CONTRACT.md describes. Everything is written into a temporary
directory beside the target and renamed into place at the end; on any error nothing half-written remains.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import onnxruntime
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dpo4j_export import decay, hf_loader, manifest, onnx_graphs, ort_artifacts, tokenizer_files, verify  # noqa: E402
from dpo4j_export.errors import ExportError  # noqa: E402
from dpo4j_export.wrappers import TRAIN_INPUTS  # noqa: E402


def export(model_dir: Path, name: str, out_root: Path, opset: int = 17, weight_decay: float = 0.0,
           max_grad_norm=None, run_verify: bool = True, decay_rule: str = "hf") -> Path:
    """Runs the whole export; returns the final artifact directory."""
    torch.manual_seed(0)
    if not name or "/" in name or name.startswith("."):
        raise ExportError(f"--name: expected a plain directory name, found {name!r}")
    if not model_dir.is_dir():
        raise ExportError(f"--model-dir: expected a directory, found {model_dir}")
    hf_loader.check_names(TRAIN_INPUTS, "graph input")
    cfg, lm = hf_loader.load_model(model_dir)
    hf_loader.require_file(model_dir / "tokenizer.json", "tokenizer")
    special = tokenizer_files.special_tokens(model_dir, cfg, lm.vocab_size)
    decayed = decay.decay_parameters(model_dir, [n for n, _ in lm.named_parameters()], decay_rule)
    out_root.mkdir(parents=True, exist_ok=True)
    target = out_root / name
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=out_root))
    try:
        with tempfile.TemporaryDirectory(prefix=f".{name}.work-", dir=out_root) as work:
            forward = onnx_graphs.export_all(lm, Path(work), tmp, opset)
        want = verify.expected(lm) if run_verify else None
        params = [n for n, _ in lm.named_parameters()]
        lm.to("meta")  # the weights now live in weights.data only; shapes stay for the manifest
        ort_artifacts.generate(forward, params, tmp, max_grad_norm)
        del forward
        tokenizer_files.copy_files(model_dir, tmp)
        if run_verify:
            verify.run_all(tmp, want)
        manifest.write(tmp / "manifest.json", manifest.build(tmp, name, lm, special, weight_decay, max_grad_norm,
                                                                    decay_rule, decayed))
        tmp.chmod(0o755)  # mkdtemp creates 0700
        _replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _replace(tmp: Path, target: Path) -> None:
    """Moves tmp to target; an existing target is moved aside first and removed only after the swap."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{tmp.name}")
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", type=Path, required=True, help="HF dir: config.json, model.safetensors, tokenizer.json")
    ap.add_argument("--name", required=True, help="artifact directory name under --out")
    ap.add_argument("--out", type=Path, default=Path("artifacts"))
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--weight-decay", type=float, default=0.0,
                    help="default AdamW weight decay of runs on these artifacts (dpo4j train --weight-decay overrides)")
    ap.add_argument("--decay-rule", choices=decay.RULES, default="hf",
                    help="hf: no decay for biases and LayerNorm/LlamaRMSNorm weights (HF Trainer); all: every tensor")
    ap.add_argument("--max-grad-norm", type=float, default=None, help="clip gradients by global L2 norm in the optimizer graph")
    ap.add_argument("--no-verify", action="store_true", help="skip the onnxruntime load/train check")
    a = ap.parse_args(argv)
    onnxruntime.set_default_logger_severity(3)  # generate_artifacts' graph transformers log at INFO otherwise
    start = time.perf_counter()
    try:
        target = export(a.model_dir, a.name, a.out, a.opset, a.weight_decay, a.max_grad_norm, not a.no_verify,
                        a.decay_rule)
    except ExportError as e:
        print(f"export.py: error: {e}", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in target.iterdir())
    print(f"exported {target} ({size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
