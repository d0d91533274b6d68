"""Gradient clipping carried by the optimizer graph (``export.py --max-grad-norm``) equals PyTorch's
``clip_grad_norm_`` followed by AdamW, over 3 steps on the golden batch.

    tools/.venv/bin/python -m pytest -q tools/tests/test_clip.py
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS / "parity"))

import dpo_reference as ref  # noqa: E402
import golden_ort as go  # noqa: E402
import golden_torch as gt  # noqa: E402

HF = TOOLS / ".cache" / "hf" / "tiny-gpt2"
# Far below the gradient norms of the first steps (2.27, 1.15, 0.77), so clipping is active. Adam is nearly
# invariant to a constant gradient scale, but the clip factor differs per step: the same comparison against
# unclipped torch AdamW differs by 1.6e-3, so this test tells clipping from no clipping at the 1e-4 tolerance.
MAX_NORM = 0.05
LR, STEPS = 1e-3, 3


@pytest.mark.skipif(not HF.is_dir(), reason="needs tools/.cache/hf/tiny-gpt2 (tools/export/make_tiny_models.py --no-export)")
def test_clipped_adamw_matches_torch(tmp_path):
    subprocess.run([sys.executable, str(TOOLS / "export" / "export.py"), "--model-dir", str(HF), "--name", "clip",
                    "--out", str(tmp_path), "--max-grad-norm", str(MAX_NORM), "--no-verify"], check=True)
    art = tmp_path / "clip"
    manifest = json.loads((art / "manifest.json").read_text())
    assert manifest["optimizer"]["max_grad_norm"] == MAX_NORM
    batch = gt.build_batch(art / "tokenizer.json", manifest["special_tokens"])
    model = gt.load_model(HF)
    start = gt.sequence_stats(model, batch)
    ref_logps = gt.reference_logps(start.logps, batch.input_ids.shape[0] // 2)
    x = ref.LossInputs.one_hot("sigmoid", beta=0.1)

    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    norms = []
    for _ in range(STEPS):
        opt.zero_grad(set_to_none=True)
        s = gt.sequence_stats(model, batch)
        ref.compute(gt.pair_batch(s.logps, s.token_counts, ref_logps), x).loss_tensor.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM)))
        opt.step()
    assert min(norms) > 10 * MAX_NORM, f"clipping must be active in every step, gradient norms {norms}"
    want = gt.named_parameters(model)

    feeds = go.feeds(batch.input_ids.numpy(), batch.attention_mask.numpy(), batch.completion_mask.numpy(),
                     ref_logps.numpy(), x)
    _, got = go.train(art, feeds, LR, STEPS)
    assert set(got) == set(want)
    worst = max(float(np.abs(got[n] - want[n]).max()) for n in want)
    assert worst <= 1e-4, f"max |ORT - torch| after {STEPS} clipped AdamW steps: {worst}"
