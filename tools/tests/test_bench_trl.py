"""CPU smoke test of tools/bench/bench_trl.py (TRL DPOTrainer benchmark); skipped where trl is not installed."""

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOOLS / "bench"))

pytestmark = pytest.mark.skipif(importlib.util.find_spec("trl") is None,
                                reason="trl is not installed (see tools/bench/bench_trl.py: trl==0.12.2 in a separate venv)")


def _gpt2_params(v, p, d, layers):
    """GPT-2 parameter count from its shape, independent of torch: embeddings, blocks, final norm (head tied)."""
    block = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d)
    return v * d + p * d + layers * block + 2 * d


def test_tiny_cpu_row(tmp_path):
    import bench_trl
    out = tmp_path / "trl.jsonl"
    rc = bench_trl.main(["--device", "cpu", "--tiny", "--model", "tiny-gpt2", "--batch-size", "2", "--seq-len", "32",
                         "--warmup", "1", "--steps", "2", "--peak-tflops", "1.0", "--out", str(out)])
    assert rc == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 1
    r = rows[0]
    assert "error" not in r, r.get("error")
    assert (r["tool"], r["model"], r["batch"], r["seq_len"], r["dtype"]) == ("trl", "tiny-gpt2", 2, 32, "float32")
    assert r["params"] == _gpt2_params(512, 128, 64, 2)
    assert r["s_per_step"] > 0 and r["s_per_step_wall"] >= r["s_per_step"]
    assert r["pairs_per_s"] == pytest.approx(2 / r["s_per_step"], rel=1e-12)
    assert r["tokens_per_s"] == pytest.approx(2 * 2 * 32 / r["s_per_step"], rel=1e-12)
    assert r["mfu"] == pytest.approx(6 * r["params"] * r["tokens_per_s"] / 1e12, rel=1e-12)
    assert r["peak_gpu_mib"] is None  # CPU run
    # Reference log-probs were precomputed from the same starting weights: the first step's DPO loss is log 2.
    assert r["loss_first"] == pytest.approx(math.log(2), abs=1e-3)
    # ... once per batch before training, never inside a step (TRL's own collator would drop them)
    assert (r["ref_forwards_precompute"], r["ref_forwards_in_training"]) == (3, 0)
    assert r["peak_rss_mib"] > 0


def test_precomputed_reference_reaches_the_loss(tmp_path):
    """With a large learning rate the policy leaves the reference: the loss leaves ln 2 (it would stay at ln 2 if the
    reference were recomputed from the policy inside the step, TRL 0.12.2's behaviour with its own collator)."""
    import bench_trl
    out = tmp_path / "trl.jsonl"
    rc = bench_trl.main(["--device", "cpu", "--tiny", "--model", "tiny-gpt2", "--batch-size", "2", "--seq-len", "32",
                         "--warmup", "1", "--steps", "2", "--lr", "0.01", "--out", str(out)])
    assert rc == 0
    r = json.loads(out.read_text().splitlines()[0])
    assert abs(r["loss_last"] - math.log(2)) > 1e-2, r


def test_collator_keeps_reference_columns():
    import bench_trl
    rows = [{"prompt_input_ids": [1, 2], "chosen_input_ids": [3], "rejected_input_ids": [4, 5],
             "ref_chosen_logps": -1.5, "ref_rejected_logps": -2.5},
            {"prompt_input_ids": [1], "chosen_input_ids": [3, 3], "rejected_input_ids": [4],
             "ref_chosen_logps": -0.5, "ref_rejected_logps": -3.0}]
    batch = bench_trl.ref_keeping_collator(0)(rows)
    assert batch["ref_chosen_logps"].tolist() == [-1.5, -0.5]
    assert batch["ref_rejected_logps"].tolist() == [-2.5, -3.0]
    assert "ref_chosen_logps" not in bench_trl.ref_keeping_collator(0)([{k: v for k, v in rows[0].items()
                                                                        if not k.startswith("ref_")}])


def test_peak_assumption():
    import bench_trl
    assert bench_trl.peak_tflops("NVIDIA H100 80GB HBM3", None)[0] == 67.0
    assert bench_trl.peak_tflops("NVIDIA H200", None)[0] == 67.0
    assert bench_trl.peak_tflops("cpu", None)[0] is None
    assert bench_trl.peak_tflops("cpu", 2.5)[0] == 2.5


def test_check_lengths_rejects_wrong_length():
    import bench_trl
    ok = [{"prompt_input_ids": [1] * 4, "chosen_input_ids": [2] * 4, "rejected_input_ids": [3] * 4}]
    bench_trl.check_lengths(ok, 8)
    with pytest.raises(RuntimeError, match="expected 9 tokens"):
        bench_trl.check_lengths(ok, 9)
