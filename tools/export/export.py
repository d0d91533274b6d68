#!/usr/bin/env python3
"""Exports a Hugging Face causal LM (gpt2 / llama / qwen2) into dpo4j's ONNX Runtime training artifacts.

    tools/.venv/bin/python tools/export/export.py --model-dir DIR --name NAME --out artifacts \\
        [--opset 17] [--weight-decay 0.0] [--max-grad-norm X] [--no-verify] [--shared-prompt]
        [--lora-r 8 [--lora-alpha 32] [--lora-dropout 0.0] [--lora-targets q_proj,v_proj | all-linear]]

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

from dpo4j_export import decay, hf_loader, lora, manifest, onnx_graphs, ort_artifacts, tokenizer_files, verify  # noqa: E402
from dpo4j_export.errors import ExportError  # noqa: E402
from dpo4j_export.wrappers import TRAIN_INPUTS  # noqa: E402


def export(model_dir: Path, name: str, out_root: Path, opset: int = 17, weight_decay: float = 0.0,
           max_grad_norm=None, run_verify: bool = True, decay_rule: str = "hf", lora_spec=None,
           shared_prompt: bool = False) -> Path:
    """Runs the whole export; returns the final artifact directory. With ``lora_spec`` (a :class:`lora.LoraSpec`) the
    training graph trains LoRA adapters on the frozen base (reference, inference and KV graphs stay the base's). With
    ``shared_prompt`` the training and eval graphs take one packed row per pair (dpo4j_export/shared_prompt.py)."""
    torch.manual_seed(0)
    if not name or "/" in name or name.startswith("."):
        raise ExportError(f"--name: expected a plain directory name, found {name!r}")
    if not model_dir.is_dir():
        raise ExportError(f"--model-dir: expected a directory, found {model_dir}")
    hf_loader.check_names(TRAIN_INPUTS + ("segment_ids",), "graph input")
    cfg, lm = hf_loader.load_model(model_dir)
    hf_loader.require_file(model_dir / "tokenizer.json", "tokenizer")
    special = tokenizer_files.special_tokens(model_dir, cfg, lm.vocab_size)
    if lora_spec is not None:
        lora.resolve_targets(lm, cfg["model_type"], lora_spec.targets)  # fails on bad names before anything is written
    else:
        decayed = decay.decay_parameters(model_dir, [n for n, _ in lm.named_parameters()], decay_rule)
    adapters = []

    def add_adapters(model):
        adapters.extend(lora.apply(model, cfg["model_type"], lora_spec))
        found = dict(model.named_parameters())
        return {n: found[n] for n in lora.adapter_names(adapters)}
    out_root.mkdir(parents=True, exist_ok=True)
    target = out_root / name
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=out_root))
    try:
        with tempfile.TemporaryDirectory(prefix=f".{name}.work-", dir=out_root) as work:
            forward = onnx_graphs.export_all(lm, Path(work), tmp, opset,
                                             add_adapters if lora_spec is not None else None, shared_prompt)
        want = verify.expected(lm, shared_prompt) if run_verify else None
        params = [n for n, _ in lm.named_parameters()] if lora_spec is None else lora.adapter_names(adapters)
        if lora_spec is not None:
            decayed = decay.adapter_decay_parameters(params, decay_rule)
        lm.to("meta")  # the weights now live in weights.data only; shapes stay for the manifest
        frozen = [] if lora_spec is None else [n for n, _ in lm.named_parameters() if n not in set(params)]
        ort_artifacts.generate(forward, params, tmp, max_grad_norm, frozen)
        del forward
        tokenizer_files.copy_files(model_dir, tmp)
        if run_verify:
            verify.run_all(tmp, want)
        manifest.write(tmp / "manifest.json", manifest.build(tmp, name, lm, special, weight_decay, max_grad_norm,
                                                                    decay_rule, decayed, lora_spec, adapters))
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
    ap.add_argument("--shared-prompt", action="store_true",
                    help="training/eval graphs run each pair's prompt once: one packed row [prompt | chosen | rejected] "
                         "per pair instead of two rows (prefix sharing; same losses up to float rounding)")
    g = ap.add_argument_group("LoRA (train adapters on the frozen base; the reference is the base)")
    g.add_argument("--lora-r", type=int, default=0, help="adapter rank r; 0 (default) trains every weight instead")
    g.add_argument("--lora-alpha", type=float, default=32.0,
                   help="scaling numerator: adapters add (alpha / r) * B A x (default 32; PEFT's own default is 8)")
    g.add_argument("--lora-dropout", type=float, default=0.0, help="dropout on the adapters' input (default 0.0, PEFT's)")
    g.add_argument("--lora-targets", default="",
                   help="comma-separated PEFT target_modules (module names, e.g. q_proj,v_proj) or all-linear; default: "
                        "PEFT's for the architecture (gpt2: c_attn; llama, qwen2: q_proj,v_proj)")
    a = ap.parse_args(argv)
    onnxruntime.set_default_logger_severity(3)  # generate_artifacts' graph transformers log at INFO otherwise
    start = time.perf_counter()
    try:
        spec = None
        if a.lora_r:
            spec = lora.LoraSpec(a.lora_r, a.lora_alpha, a.lora_dropout,
                                 tuple(t.strip() for t in a.lora_targets.split(",") if t.strip()))
        elif a.lora_targets or a.lora_dropout or a.lora_alpha != 32.0:
            raise ExportError("--lora-alpha/--lora-dropout/--lora-targets: expected --lora-r >= 1 with them, found "
                              f"--lora-r {a.lora_r}")
        target = export(a.model_dir, a.name, a.out, a.opset, a.weight_decay, a.max_grad_norm, not a.no_verify,
                        a.decay_rule, spec, a.shared_prompt)
    except ExportError as e:
        print(f"export.py: error: {e}", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in target.iterdir())
    print(f"exported {target} ({size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
