#!/usr/bin/env python3
"""Joins dpo4j's and TRL's benchmark rows into the markdown table of tools/gpu/benchmarks-template.md.

    python tools/gpu/results_table.py --dpo4j bench-dpo4j.tsv --trl bench-trl.jsonl [--trl-smi smi-trl.tsv] \\
        --device-name "NVIDIA H100 80GB HBM3" [--peak-tflops 67]

bench-dpo4j.tsv: written by `bundle.sh run bench-dpo4j` (model, params, then `dpo4j bench`'s columns, then the
nvidia-smi memory.used peak of the run). bench-trl.jsonl: tools/bench/bench_trl.py's lines. MFU = 6·params·tokens/s over
the fp32 peak (tools/bench/bench_trl.py's assumption, printed below the table).
"""

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_trl import peak_tflops  # noqa: E402

COLUMNS = ["model", "seq", "batch", "dpo4j pairs/s", "dpo4j tokens/s", "dpo4j peak GPU MiB (smi)", "dpo4j MFU",
           "TRL pairs/s", "TRL tokens/s", "TRL peak MiB (alloc / smi)", "TRL MFU", "tokens/s ratio dpo4j/TRL"]


def read_dpo4j(path: Path) -> dict:
    rows = {}
    if path.is_file():
        with path.open(encoding="utf-8") as f:
            for r in csv.DictReader(f, delimiter="\t"):
                rows[(r["model"], int(r["seq_len"]), int(r["batch"]))] = r
    return rows


def read_trl(path: Path) -> dict:
    rows = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                rows[(r["model"], int(r["seq_len"]), int(r["batch"]))] = r
    return rows


def read_smi(path) -> dict:
    if path is None or not path.is_file():
        return {}
    return dict(line.split("\t", 1) for line in path.read_text(encoding="utf-8").split("\n") if "\t" in line)


def fmt(x, spec=".1f"):
    return "—" if x is None else format(x, spec)


def table(dpo4j: dict, trl: dict, smi_trl: dict, tflops) -> list:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for key in sorted(set(dpo4j) | set(trl)):
        model, seq, batch = key
        d, t = dpo4j.get(key), trl.get(key, {})
        d_tok = float(d["tokens/s"]) if d else None
        d_mfu = 6 * int(d["params"]) * d_tok / (tflops * 1e12) if d and tflops else None
        t_tok = t.get("tokens_per_s")
        t_mfu = 6 * t["params"] * t_tok / (tflops * 1e12) if t_tok and tflops else None
        t_mem = f"{fmt(t.get('peak_gpu_mib'), '.0f')} / {smi_trl.get(model, 'NA').strip()}" if t else "—"
        cells = [model, str(seq), str(batch), fmt(float(d["pairs/s"]) if d else None, ".2f"), fmt(d_tok),
                 d["smi_peak_MiB"] if d else "—", fmt(d_mfu, ".3f"), fmt(t.get("pairs_per_s"), ".2f"),
                 fmt(t_tok), t_mem, fmt(t_mfu, ".3f"),
                 fmt(d_tok / t_tok if d_tok and t_tok else None, ".2f")]
        if t.get("error"):
            cells[7] = f"error: {t['error'][:60]}"
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dpo4j", type=Path, required=True)
    ap.add_argument("--trl", type=Path, required=True)
    ap.add_argument("--trl-smi", type=Path, default=None)
    ap.add_argument("--device-name", default="unknown")
    ap.add_argument("--peak-tflops", type=float, default=None)
    a = ap.parse_args(argv)
    tflops, assumption = peak_tflops(a.device_name, a.peak_tflops)
    print(f"Device: {a.device_name}. fp32, TF32 off. MFU = 6·params·tokens/s ÷ peak; peak: {assumption}.")
    print("dpo4j peak GPU MiB: nvidia-smi memory.used peak during the run (CUDA context and ORT arena included); "
          "TRL: torch.cuda.max_memory_allocated over the training steps / the nvidia-smi peak.\n")
    print("\n".join(table(read_dpo4j(a.dpo4j), read_trl(a.trl), read_smi(a.trl_smi), tflops)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
