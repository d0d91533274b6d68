#!/usr/bin/env python3
"""Generation speed: dpo4j's KV-cache path vs its no-cache path vs transformers ``generate`` on CPU.

    tools/.venv/bin/python tools/bench/bench_generate.py [--artifacts artifacts/tiny-gpt2 --hf-dir tools/.cache/hf/tiny-gpt2]

Greedy, one prompt, ``--new-tokens`` (128) tokens with EOS switched off on every side (dpo4j: a ``--stop`` string
that cannot occur does not stop anything, so EOS is the only early stop; the benchmark uses models whose greedy
continuation does not reach EOS and reports the tokens actually generated). dpo4j runs through ``tools/dpo4j
generate`` and reports its own timing of the generation loop (session creation excluded; each run in a fresh JVM,
best of ``--repeats``); transformers is timed around ``model.generate`` (use_cache True and False) after one warm-up
call. Also runs the KV path on a batch of 8 prompts (aggregate tokens/s). Prints a Markdown table.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import torch
import transformers

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
PROMPT = "Review: I watched this film with my family last night ...\nHighlight:"
LINE = re.compile(r"generate: (\d+) tokens in ([0-9.]+) s")


def dpo4j(art: Path, new: int, repeats: int, *extra: str) -> tuple:
    """Best (tokens, seconds) of ``repeats`` CLI runs."""
    best = None
    for _ in range(repeats):
        cmd = [str(TOOLS / "dpo4j"), "generate", "--artifacts", str(art), "--max-new-tokens", str(new), *extra]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        m = LINE.search(res.stderr)
        if m is None:
            raise RuntimeError(f"no timing line in: {res.stderr}")
        tokens, secs = int(m.group(1)), float(m.group(2))
        if best is None or secs / tokens < best[1] / best[0]:
            best = (tokens, secs)
    return best


def hf(model_dir: Path, art: Path, new: int, use_cache: bool, repeats: int) -> tuple:
    from tokenizers import Tokenizer
    ids = Tokenizer.from_file(str(art / "tokenizer.json")).encode(PROMPT, add_special_tokens=False).ids
    model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
    model.generation_config.eos_token_id = None
    x = torch.tensor([ids])
    kw = dict(attention_mask=torch.ones_like(x), do_sample=False, pad_token_id=0, use_cache=use_cache)
    with torch.no_grad():
        model.generate(x, max_new_tokens=4, **kw)  # warm-up
        best = None
        for _ in range(repeats):
            start = time.perf_counter()
            out = model.generate(x, max_new_tokens=new, **kw)
            secs = time.perf_counter() - start
            tokens = out.shape[1] - len(ids)
            if best is None or secs / tokens < best[1] / best[0]:
                best = (tokens, secs)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--artifacts", type=Path, default=ROOT / "artifacts" / "tiny-gpt2")
    ap.add_argument("--hf-dir", type=Path, default=TOOLS / ".cache" / "hf" / "tiny-gpt2")
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-no-cache", action="store_true", help="skip dpo4j's no-cache path (slow on big models)")
    a = ap.parse_args(argv)
    print(f"torch threads {torch.get_num_threads()}, load average {os.getloadavg()}", file=sys.stderr)
    rows = [("dpo4j KV cache", dpo4j(a.artifacts, a.new_tokens, a.repeats))]
    batch = ["--prompt", PROMPT] + [x for i in range(7) for x in ("--prompt", f"Review: film number {i} was")]
    rows.append(("dpo4j KV cache, batch of 8 prompts", dpo4j(a.artifacts, a.new_tokens, a.repeats, *batch)))
    if not a.skip_no_cache:
        rows.append(("dpo4j no cache", dpo4j(a.artifacts, a.new_tokens, a.repeats, "--no-kv-cache")))
    rows.append(("transformers generate, use_cache", hf(a.hf_dir, a.artifacts, a.new_tokens, True, a.repeats)))
    rows.append(("transformers generate, no cache", hf(a.hf_dir, a.artifacts, a.new_tokens, False, a.repeats)))
    print(f"| {a.artifacts.name} | tokens | seconds | tokens/s |\n|---|---|---|---|")
    for name, (tokens, secs) in rows:
        print(f"| {name} | {tokens} | {secs:.3f} | {tokens / secs:.1f} |")
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
