#!/usr/bin/env python3
"""TRL DPOTrainer benchmark with settings equivalent to `dpo4j bench`; one JSON line per (model, batch).

    python tools/bench/bench_trl.py --device cuda:0                       # GPT-2 124M and Qwen2-0.5B shapes, seq 512, batch 8,16
    python tools/bench/bench_trl.py --device cpu --tiny                   # CPU smoke test (tiny shapes, seq 32, batch 2)
    python tools/bench/bench_trl.py --model gpt2-124m --batch-size 8 --seq-len 512 --out results.jsonl

Equivalence with dpo4j's bench (io.dpo4j.bench.TrainBenchmark):
- same model shapes with seeded random weights (tools/gpu/bench_models.py), float32 everywhere: no bf16/fp16,
  TF32 off for matmuls and cuDNN;
- B pairs of seeded random tokens of length T per step: prompt = first T/2 tokens, completion = last T/2 (TRL
  appends EOS to the completion, so T/2 - 1 random completion tokens + EOS); 2B sequences of T tokens per step;
- reference log-probs precomputed (`precompute_ref_log_probs=True`, before the timed steps), so the timed step is
  the policy step: forward of chosen+rejected, DPO sigmoid loss, backward, AdamW (no gradient clipping, no weight
  decay, constant learning rate), as in dpo4j's artifacts;
- the precomputed reference log-probs reach the loss: TRL 0.12.2's PreferenceCollator drops the `ref_chosen_logps` /
  `ref_rejected_logps` columns that `precompute_ref_log_probs` adds, and DPOTrainer then recomputes the reference
  with the policy itself inside every step (an extra forward, and the loss sits at ln 2). This script's collator
  keeps them, and every row fails if the reference was computed during training (`ref_forwards_in_training`);
- huggingface/trl#2330 (`concatenated_forward` cuts at the first all-padding column minus one, dropping a real token)
  cannot trigger: every tokenized sequence is exactly T tokens (check_lengths), so no column is all padding, and
  max_length = T cuts nothing;
- `warmup` untimed steps, then `steps` timed ones. s_per_step times TrainerCallback.on_step_begin -> on_step_end
  (CUDA synchronised): forward of chosen+rejected, loss, backward, AdamW step and zero_grad, with the batch already
  collated, which is exactly what dpo4j's bench times (train step + optimizer step + gradient reset on prebuilt
  feeds). s_per_step_wall times on_step_end -> on_step_end (adds TRL's data collation and logging).
- peak_rss_mib is the process's peak resident set (ru_maxrss = VmHWM, as dpo4j's bench reports), taken after the last
  step; it covers model building, tokenization and the reference pass too.

Metrics: pairs/s = B / s_per_step; tokens/s = 2·B·T / s_per_step; peak GPU memory = torch.cuda.max_memory_allocated
over the training steps; MFU = 6·params·tokens/s / peak FLOP/s, where the peak is --peak-tflops or, for an H100/H200,
the dense fp32 (non-tensor-core) figure of 67 TFLOP/s (the assumption is printed in every line). params counts every
trainable parameter once (tied embeddings once), as dpo4j's manifest `num_parameters` does.

Needs trl (pinned: trl==0.12.2, the last release supporting transformers 4.46.x) with accelerate and datasets.
"""

import argparse
import json
import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gpu"))

import bench_models  # noqa: E402

FP32_DENSE_TFLOPS = {"H100": 67.0, "H200": 67.0}  # NVIDIA datasheets, SXM, FP32 without tensor cores
DATA_SEED = 1234


def peak_tflops(device_name: str, override):
    """(peak TFLOP/s or None, a sentence saying where it came from)."""
    if override is not None:
        return override, f"--peak-tflops {override}"
    for key, value in FP32_DENSE_TFLOPS.items():
        if key in device_name:
            return value, f"{key} SXM dense fp32 (no tensor cores) {value} TFLOP/s, NVIDIA datasheet"
    return None, f"no fp32 peak known for {device_name!r}: pass --peak-tflops to get MFU"


def synthetic_dataset(name: str, pairs: int, seq_len: int):
    """`pairs` rows of seeded random token text: prompt T/2 tokens, chosen/rejected T/2 - 1 tokens (+ EOS by TRL)."""
    import numpy as np
    from datasets import Dataset
    vocab = bench_models.SHAPES[name][1]["vocab_size"]
    rng = np.random.default_rng(DATA_SEED)
    half = seq_len // 2
    prompt = rng.integers(0, vocab, size=(pairs, half))  # (B, T/2)
    chosen = rng.integers(0, vocab, size=(pairs, seq_len - half - 1))  # (B, T/2 - 1)
    rejected = rng.integers(0, vocab, size=(pairs, seq_len - half - 1))  # (B, T/2 - 1)
    return Dataset.from_dict({"prompt": [bench_models.text_of(r) for r in prompt],
                              "chosen": [bench_models.text_of(r) for r in chosen],
                              "rejected": [bench_models.text_of(r) for r in rejected]})


class StepTimer:
    """A TrainerCallback-compatible timer of each optimizer step; resets the CUDA peak at train begin."""

    def __init__(self, cuda: bool):
        import torch
        self.torch, self.cuda = torch, cuda
        self.begin, self.durations, self.ends, self.losses = 0.0, [], [], []
        self.ref_calls, self.ref_calls_at_begin = [0], None  # reference forwards counted by run_one

    def _sync(self):
        if self.cuda:
            self.torch.cuda.synchronize()

    def on_train_begin(self, args, state, control, **kw):
        # Trainer builds the dataloader (where TRL precomputes the reference log-probs) before on_train_begin
        self.ref_calls_at_begin = self.ref_calls[0]
        if self.cuda:
            self.torch.cuda.reset_peak_memory_stats()

    def on_step_begin(self, args, state, control, **kw):
        self._sync()
        self.begin = time.perf_counter()

    def on_step_end(self, args, state, control, **kw):
        self._sync()
        now = time.perf_counter()
        self.durations.append(now - self.begin)
        self.ends.append(now)

    def on_log(self, args, state, control, logs=None, **kw):
        if logs and "loss" in logs:
            self.losses.append(float(logs["loss"]))


def make_callback(timer: StepTimer):
    from transformers import TrainerCallback

    class _Cb(TrainerCallback):
        pass
    cb = _Cb()
    for hook in ("on_train_begin", "on_step_begin", "on_step_end", "on_log"):
        setattr(cb, hook, getattr(timer, hook))
    return cb


def ref_keeping_collator(pad_token_id: int):
    """TRL's PreferenceCollator, plus the precomputed reference log-probs when the rows have them (B) each."""
    import torch
    from trl.trainer.dpo_trainer import PreferenceCollator

    class _RefKeeping(PreferenceCollator):
        def torch_call(self, examples):
            out = super().torch_call(examples)
            for key in ("ref_chosen_logps", "ref_rejected_logps"):
                if key in examples[0]:
                    out[key] = torch.tensor([float(e[key]) for e in examples])  # (B)
            return out
    return _RefKeeping(pad_token_id=pad_token_id)


def check_lengths(tokenized, seq_len: int) -> None:
    """Every tokenized pair must be exactly T tokens per sequence (prompt T/2, completion T/2 with EOS)."""
    for i, row in enumerate(tokenized):
        for side in ("chosen", "rejected"):
            n = len(row["prompt_input_ids"]) + len(row[f"{side}_input_ids"])
            if n != seq_len:
                raise RuntimeError(f"bench_trl: row {i} {side}: expected {seq_len} tokens after TRL's tokenization, "
                                   f"found {n}")


def run_one(name: str, batch: int, seq_len: int, warmup: int, steps: int, device: str, override_tflops,
            lr: float = 1e-6):
    import torch
    import transformers
    import trl
    cuda = device.startswith("cuda")
    if cuda:
        torch.cuda.set_device(torch.device(device))
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    model = bench_models.build_model(name)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = warmup + steps
    with tempfile.TemporaryDirectory(prefix="bench-trl-") as tmp:
        cfg = trl.DPOConfig(
            output_dir=tmp, per_device_train_batch_size=batch, gradient_accumulation_steps=1, max_steps=total,
            learning_rate=lr, lr_scheduler_type="constant", warmup_steps=0, weight_decay=0.0, max_grad_norm=0.0,
            optim="adamw_torch", adam_beta1=0.9, adam_beta2=0.999, adam_epsilon=1e-8,
            beta=0.1, loss_type="sigmoid", precompute_ref_log_probs=True,
            max_length=seq_len, max_prompt_length=seq_len // 2, max_completion_length=seq_len - seq_len // 2,
            bf16=False, fp16=False, tf32=False if cuda else None, use_cpu=not cuda, seed=bench_models.SEED,
            logging_steps=1, report_to="none", save_strategy="no", disable_tqdm=True,
            dataloader_num_workers=0, remove_unused_columns=False)
        timer = StepTimer(cuda)
        tok = bench_models.hf_tokenizer(name)
        trainer = trl.DPOTrainer(model=model, ref_model=None, args=cfg, train_dataset=synthetic_dataset(name, total * batch, seq_len),
                                 processing_class=tok, data_collator=ref_keeping_collator(tok.pad_token_id),
                                 callbacks=[make_callback(timer)])
        check_lengths(trainer.train_dataset, seq_len)
        compute_ref = trainer.compute_ref_log_probs

        def counting_ref(batch_):
            timer.ref_calls[0] += 1
            return compute_ref(batch_)
        trainer.compute_ref_log_probs = counting_ref
        trainer.train()
    ref_in_training = timer.ref_calls[0] - timer.ref_calls_at_begin
    if ref_in_training != 0:
        raise RuntimeError(f"bench_trl: expected 0 reference forwards during training (precomputed), found "
                           f"{ref_in_training}: the collator dropped the precomputed reference log-probs")
    if len(timer.durations) != total:
        raise RuntimeError(f"bench_trl: expected {total} optimizer steps, found {len(timer.durations)}")
    secs = sum(timer.durations[warmup:]) / steps
    wall = (timer.ends[-1] - timer.ends[warmup - 1]) / steps if warmup > 0 else float("nan")
    tokens = 2 * batch * seq_len / secs
    dev_name = torch.cuda.get_device_name(torch.device(device)) if cuda else "cpu"
    tflops, assumption = peak_tflops(dev_name, override_tflops)
    return {
        "tool": "trl", "trl": trl.__version__, "transformers": transformers.__version__, "torch": torch.__version__,
        "model": name, "params": params, "seq_len": seq_len, "batch": batch, "warmup": warmup, "steps": steps,
        "device": device, "device_name": dev_name, "dtype": "float32", "tf32": False,
        "s_per_step": secs, "s_per_step_wall": wall, "pairs_per_s": batch / secs, "tokens_per_s": tokens,
        "peak_gpu_mib": torch.cuda.max_memory_allocated(torch.device(device)) / 2**20 if cuda else None,
        "mfu": 6 * params * tokens / (tflops * 1e12) if tflops else None,
        "peak_tflops_assumed": tflops, "peak_assumption": assumption,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "torch_threads": torch.get_num_threads(),
        "ref_forwards_precompute": timer.ref_calls_at_begin, "ref_forwards_in_training": ref_in_training,
        "loss_first": timer.losses[0] if timer.losses else None, "loss_last": timer.losses[-1] if timer.losses else None,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", choices=sorted(bench_models.SHAPES),
                    help="repeatable; default: gpt2-124m and qwen2-0.5b (with --tiny: the tiny shapes)")
    ap.add_argument("--batch-size", default=None, help="pairs per step, comma list; default 8,16 (--tiny: 2)")
    ap.add_argument("--seq-len", type=int, default=None, help="tokens per sequence; default 512 (--tiny: 32)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed steps; default 2 (--tiny: 1)")
    ap.add_argument("--steps", type=int, default=None, help="timed steps; default 10 (--tiny: 2)")
    ap.add_argument("--device", default="cuda:0", help="cuda:N or cpu")
    ap.add_argument("--tiny", action="store_true", help="tiny shapes and sizes (CPU smoke test)")
    ap.add_argument("--peak-tflops", type=float, default=None, help="device fp32 peak for MFU (default: known GPUs)")
    ap.add_argument("--lr", type=float, default=1e-6, help="constant learning rate; default 1e-6")
    ap.add_argument("--out", type=Path, default=None, help="also append the JSON lines to this file")
    a = ap.parse_args(argv)
    models = a.model or list(bench_models.TINY_MODELS if a.tiny else bench_models.BENCH_MODELS)
    batches = [int(b) for b in (a.batch_size or ("2" if a.tiny else "8,16")).split(",")]
    seq_len = a.seq_len or (32 if a.tiny else 512)
    warmup = a.warmup if a.warmup is not None else (1 if a.tiny else 2)
    steps = a.steps if a.steps is not None else (2 if a.tiny else 10)
    if seq_len < 4 or steps < 1 or warmup < 0 or min(batches) < 1:
        ap.error(f"expected seq-len >= 4, steps >= 1, warmup >= 0, batch >= 1; found {seq_len}, {steps}, {warmup}, {batches}")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    status = 0
    for name in models:
        for b in batches:
            try:
                row = run_one(name, b, seq_len, warmup, steps, a.device, a.peak_tflops, a.lr)
            except Exception as e:  # one failed row (e.g. out of memory) must not hide the others
                row = {"tool": "trl", "model": name, "seq_len": seq_len, "batch": b, "device": a.device,
                       "error": f"{type(e).__name__}: {e}"}
                status = 1
            line = json.dumps(row, sort_keys=True)
            print(line, flush=True)
            if a.out:
                with a.out.open("a", encoding="utf-8") as f:
                    f.write(line + "\n")
            if "error" not in row and not math.isfinite(row["loss_last"] or float("nan")):
                print(f"bench_trl: non-finite loss in {name} batch {b}", file=sys.stderr)
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
