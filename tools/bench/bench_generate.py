#!/usr/bin/env python3
"""Generation speed and peak RSS: dpo4j's KV-cache path vs its no-cache path vs transformers ``generate`` on CPU.

    tools/.venv/bin/python tools/bench/bench_generate.py [--artifacts artifacts/tiny-gpt2 --hf-dir tools/.cache/hf/tiny-gpt2]

Greedy, one prompt, ``--new-tokens`` (128) tokens; transformers' EOS is switched off, dpo4j stops only at the model's
EOS (the benchmark uses models whose greedy continuation does not reach it and reports the tokens actually generated).
Every row runs in its own process, so its peak RSS (``ru_maxrss`` from ``wait4``) is that row's own: dpo4j rows are
``tools/dpo4j generate`` (a fresh JVM; dpo4j's own timing of the generation loop, session creation excluded; best of
``--repeats`` processes), transformers rows a child of this script timed around ``model.generate`` (use_cache True
or False) after one warm-up call, best of ``--repeats`` calls, with torch's default threads or each of ``--torch-threads``. Also runs the KV path on a batch of 8 prompts (aggregate
tokens/s). Before each row it waits up to ``--idle-wait`` seconds for the 1-minute load average to fall below
``--idle-load`` and records the load just before and after the row. Prints a Markdown table.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
PROMPT = "Review: I watched this film with my family last night ...\nHighlight:"
BATCH = [PROMPT] + [f"Review: film number {i} was" for i in range(7)]
LINE = re.compile(r"generate: (\d+) tokens in ([0-9.]+) s")


def run_child(cmd: list) -> tuple:
    """Runs ``cmd`` to completion; returns (stdout, stderr, return code, peak RSS in MiB of the child)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(p.pid, 0)  # reaps the child itself, so Popen must not wait again
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return out.read(), err.read(), p.returncode, usage.ru_maxrss / 1024  # Linux: KiB


def dpo4j_row(art: Path, new: int, repeats: int, *extra: str) -> dict:
    """Best (tokens, seconds) of ``repeats`` CLI processes and the largest peak RSS among them."""
    best, rss = None, 0.0
    for _ in range(repeats):
        cmd = [str(TOOLS / "dpo4j"), "generate", "--artifacts", str(art), "--max-new-tokens", str(new), *extra]
        _, err, rc, peak = run_child(cmd)
        m = LINE.search(err)
        if rc != 0 or m is None:
            raise RuntimeError(f"{' '.join(cmd)}: exit {rc}, no timing line in: {err[-2000:]}")
        tokens, secs = int(m.group(1)), float(m.group(2))
        rss = max(rss, peak)
        if best is None or secs / tokens < best[1] / best[0]:
            best = (tokens, secs)
    return {"tokens": best[0], "seconds": best[1], "rss_mib": rss}


def hf_row(model_dir: Path, art: Path, new: int, use_cache: bool, repeats: int, threads: int) -> dict:
    """transformers ``generate`` in a child process (its peak RSS its own)."""
    cmd = [sys.executable, __file__, "--hf-child", "--hf-dir", str(model_dir), "--artifacts", str(art),
           "--new-tokens", str(new), "--repeats", str(repeats), "--torch-threads", str(threads)]
    cmd += [] if use_cache else ["--no-cache"]
    out, err, rc, peak = run_child(cmd)
    if rc != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {rc}: {err[-2000:]}")
    return json.loads(out.strip().splitlines()[-1]) | {"rss_mib": peak}


def hf_child(model_dir: Path, art: Path, new: int, use_cache: bool, repeats: int, threads: int) -> dict:
    import torch
    import transformers
    from tokenizers import Tokenizer
    if threads > 0:
        torch.set_num_threads(threads)
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
    return {"tokens": best[0], "seconds": best[1], "torch_threads": torch.get_num_threads()}


def load1() -> float:
    return os.getloadavg()[0]


def wait_idle(limit_s: float, below: float) -> float:
    """Waits up to ``limit_s`` seconds for the 1-minute load average to fall below ``below``; returns seconds waited."""
    start = time.monotonic()
    while load1() >= below and time.monotonic() - start < limit_s:
        time.sleep(5)
    return time.monotonic() - start


def rows_for(a) -> list:
    """(name, thunk) per row, in the order they run."""
    batch = [x for p in BATCH for x in ("--prompt", p)]
    rows = [("dpo4j KV cache", lambda: dpo4j_row(a.artifacts, a.new_tokens, a.repeats, "--prompt", PROMPT)),
            ("dpo4j KV cache, batch of 8 prompts",
             lambda: dpo4j_row(a.artifacts, a.new_tokens, a.repeats, *batch))]
    if not a.skip_no_cache:
        rows.append(("dpo4j no cache",
                     lambda: dpo4j_row(a.artifacts, a.new_tokens, a.repeats, "--prompt", PROMPT, "--no-kv-cache")))
    for threads in a.torch_threads:
        label = "" if threads == 0 else f", {threads} torch thread{'s' if threads > 1 else ''}"
        rows.append((f"transformers generate, use_cache{label}",
                     lambda t=threads: hf_row(a.hf_dir, a.artifacts, a.new_tokens, True, a.repeats, t)))
        rows.append((f"transformers generate, no cache{label}",
                     lambda t=threads: hf_row(a.hf_dir, a.artifacts, a.new_tokens, False, a.repeats, t)))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--artifacts", type=Path, default=ROOT / "artifacts" / "tiny-gpt2")
    ap.add_argument("--hf-dir", type=Path, default=TOOLS / ".cache" / "hf" / "tiny-gpt2")
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-no-cache", action="store_true", help="skip dpo4j's no-cache path")
    ap.add_argument("--idle-load", type=float, default=1.0, help="wait for the 1-minute load to fall below this")
    ap.add_argument("--idle-wait", type=float, default=0.0, help="longest wait for it per row, seconds (default 0)")
    ap.add_argument("--torch-threads", type=int, nargs="+", default=[0],
                    help="transformers rows once per value; 0 = torch's default (one per core). Default: 0")
    ap.add_argument("--json", type=Path, help="also write the rows to this file as JSON lines")
    ap.add_argument("--hf-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--no-cache", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.hf_child:
        print(json.dumps(hf_child(a.hf_dir, a.artifacts, a.new_tokens, not a.no_cache, a.repeats,
                                  a.torch_threads[0])))
        return 0
    subprocess.run([str(TOOLS / "dpo4j"), "--version"], check=True, capture_output=True)  # build outside the rows
    results = []
    for name, thunk in rows_for(a):
        waited = wait_idle(a.idle_wait, a.idle_load)
        before = load1()
        r = thunk()
        results.append(r | {"row": name, "load_before": before, "load_after": load1(), "waited_s": round(waited)})
        print(f"{name}: {r}", file=sys.stderr, flush=True)
    print(f"| {a.artifacts.name} | tokens | seconds | tokens/s | peak RSS (MiB) | load before → after |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['row']} | {r['tokens']} | {r['seconds']:.3f} | {r['tokens'] / r['seconds']:.1f} | "
              f"{r['rss_mib']:,.0f} | {r['load_before']:.2f} → {r['load_after']:.2f} |")
    if a.json:
        with a.json.open("w") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
