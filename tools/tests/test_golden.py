"""Tests of the golden references: the published DPO vectors, closed-form checks of every loss variant, the
committed golden files against a fresh recomputation, and a quick ORT parity check when artifacts exist.

    tools/.venv/bin/python -m pytest -q tools/tests/test_golden.py
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS / "parity"))

import dpo_reference as ref  # noqa: E402
import golden  # noqa: E402
import golden_torch as gt  # noqa: E402

GOLDEN = ROOT / "src" / "test" / "resources" / "golden"
V = ref.PUBLISHED
LEN_W, LEN_L = golden.DPO_TOKENS_CHOSEN, golden.DPO_TOKENS_REJECTED


def _batch(name: str = "") -> ref.PairBatch:
    len_w, len_l = golden.vector_tokens(name)
    return ref.PairBatch.of(V["policy_logps_chosen"], V["policy_logps_rejected"], V["reference_logps_chosen"],
                            V["reference_logps_rejected"], len_w, len_l)


def _log_sigmoid(x: float) -> float:
    return -math.log1p(math.exp(-x)) if x >= 0 else x - math.log1p(math.exp(x))


def _scalar_losses(i: int, x: ref.LossInputs, name: str = "") -> dict:
    """Pair i of the published vectors, written out with math only (independent of dpo_reference's torch code)."""
    lw, ll = V["policy_logps_chosen"][i], V["policy_logps_rejected"][i]
    rw, rl = V["reference_logps_chosen"][i], V["reference_logps_rejected"][i]
    len_w, len_l = golden.vector_tokens(name)
    nw, nl = len_w[i], len_l[i]
    p = 1.0 if x.pref_prob is None else x.pref_prob[i]
    e = x.label_smoothing
    q = p * (1 - e) + (1 - p) * e
    big_l, lam = x.length_target, x.length_lambda  # iLR-DPO: + lambda((|y_w| - L)^2 - (|y_l| - L)^2)
    z = x.beta * ((lw - rw) - (ll - rl)) + x.length_alpha * (nw - nl) + lam * ((nw - big_l) ** 2 - (nl - big_l) ** 2)
    zs = x.beta * (lw / nw - ll / nl) - x.simpo_gamma
    return {
        "sigmoid": -q * _log_sigmoid(z) - (1 - q) * _log_sigmoid(-z),
        "robust": (-(1 - e) * _log_sigmoid(z) + e * _log_sigmoid(-z)) / (1 - 2 * e),
        "hinge": max(0.0, 1 - z),
        "ipo": ((lw - rw) / nw - (ll - rl) / nl - 1 / (2 * x.beta)) ** 2,
        "simpo": -q * _log_sigmoid(zs) - (1 - q) * _log_sigmoid(-zs),
    }


def test_published_dpo_vectors():
    got = ref.compute(_batch(), ref.LossInputs.one_hot("sigmoid", beta=0.1)).pair_losses.tolist()
    assert got == pytest.approx(V["losses"], abs=5e-7)
    assert ref.published_check() == pytest.approx([math.log(2), -_log_sigmoid(1.0), -_log_sigmoid(2.0)], rel=1e-12)


@pytest.mark.parametrize("name,variant,x", golden.vector_cases(), ids=[c[0] for c in golden.vector_cases()])
def test_every_case_matches_closed_form(name, variant, x):
    r = ref.compute(_batch(name), x)
    weights = [1.0] * 3 if x.pair_weight is None else x.pair_weight
    # RPO as TRL: the NLL is the mean over all chosen tokens of the batch, sum_i w_i (-lw_i) / sum_i |y_w_i|; each
    # pair carries its share -lw_i * B / sum_j |y_w_j| so that loss = mean(w * pair_losses).
    chosen_tokens = sum(golden.vector_tokens(name)[0])
    mixed, shares = [], []
    for i in range(3):
        s = _scalar_losses(i, x, name)
        mixed.append(sum(w * s[v] for w, v in zip(x.loss_mix, ref.VARIANTS)))
        shares.append(-V["policy_logps_chosen"][i] * 3 / chosen_tokens)
    expected = [m + x.rpo_alpha * sh for m, sh in zip(mixed, shares)]
    assert r.pair_losses.tolist() == pytest.approx(expected, rel=1e-12, abs=1e-15)
    nll = sum(w * -lw for w, lw in zip(weights, V["policy_logps_chosen"])) / chosen_tokens
    assert r.loss == pytest.approx(sum(w * m for w, m in zip(weights, mixed)) / 3 + x.rpo_alpha * nll, rel=1e-12)
    assert r.loss == pytest.approx(sum(w * e for w, e in zip(weights, expected)) / 3, rel=1e-12)


def test_ilr_cases_cover_equal_lengths_and_a_target_between_the_lengths():
    cases = {c[0]: c[2] for c in golden.vector_cases()}
    ilr = [n for n, x in cases.items() if x.length_lambda != 0]
    assert {"sigmoid-ilr", "sigmoid-ilr-equal-lengths", "robust-ilr", "hinge-ilr", "all-non-default-ilr"} <= set(ilr)
    len_w, len_l = golden.vector_tokens("sigmoid-ilr-equal-lengths")
    assert len_w == len_l
    plain = ref.compute(_batch("sigmoid-ilr-equal-lengths"), ref.LossInputs.one_hot("sigmoid"))
    equal = ref.compute(_batch("sigmoid-ilr-equal-lengths"), cases["sigmoid-ilr-equal-lengths"])
    assert equal.pair_losses.tolist() == plain.pair_losses.tolist()  # the term is exactly 0
    big_l = cases["sigmoid-ilr"].length_target
    len_w, len_l = golden.vector_tokens("sigmoid-ilr")
    assert any(min(w, l) < big_l < max(w, l) for w, l in zip(len_w, len_l))
    # rewards (TRL's beta*(logp - ref)) do not include the length terms
    with_term = ref.compute(_batch("sigmoid-ilr"), cases["sigmoid-ilr"])
    assert with_term.rewards_chosen.tolist() == ref.compute(_batch(), ref.LossInputs.one_hot("sigmoid")).rewards_chosen.tolist()


@pytest.mark.parametrize("field,value", [("length_target", -1.0), ("length_lambda", -0.1),
                                         ("length_target", float("inf")), ("length_lambda", float("nan"))])
def test_length_coefficients_are_validated(field, value):
    with pytest.raises(ValueError, match=field):
        ref.LossInputs.one_hot("sigmoid", **{field: value})


def test_robust_without_noise_equals_sigmoid_and_rewards_follow_trl():
    pb = _batch()
    s = ref.compute(pb, ref.LossInputs.one_hot("sigmoid"))
    r = ref.compute(pb, ref.LossInputs.one_hot("robust"))
    assert torch.allclose(s.pair_losses, r.pair_losses, rtol=0, atol=0)
    assert s.rewards_chosen.tolist() == pytest.approx([0.1 * (a - b) for a, b in
                                                        zip(V["policy_logps_chosen"], V["reference_logps_chosen"])])
    simpo = ref.compute(pb, ref.LossInputs.one_hot("simpo"))
    assert simpo.rewards_rejected.tolist() == pytest.approx([0.1 * a / n for a, n in
                                                             zip(V["policy_logps_rejected"], LEN_L)])


def test_committed_dpo_vectors_are_reproduced(tmp_path):
    committed = GOLDEN / "dpo_vectors.json"
    if not committed.is_file():
        pytest.skip(f"{committed} not written yet (run tools/parity/golden.py)")
    golden.write_vectors(tmp_path)
    assert json.loads((tmp_path / "dpo_vectors.json").read_text()) == json.loads(committed.read_text())


def _model(name: str):
    art, hf, gold = ROOT / "artifacts" / name, TOOLS / ".cache" / "hf" / name, GOLDEN / f"{name}.json"
    if not (art / "reference_model.onnx").is_file() or not (hf / "config.json").is_file() or not gold.is_file():
        pytest.skip(f"{name}: artifacts, HF dir or golden missing (tools/export/make_tiny_models.py, tools/parity/golden.py)")
    return art, hf, json.loads(gold.read_text())


@pytest.mark.parametrize("name", ["tiny-gpt2", "tiny-llama"])
def test_quick_parity_hf_vs_reference_model_and_golden(name):
    import golden_ort as go
    art, hf, gold = _model(name)
    manifest = json.loads((art / "manifest.json").read_text())
    batch = gt.build_batch(art / "tokenizer.json", manifest["special_tokens"])
    assert batch.input_ids.tolist() == gold["input_ids"]
    assert batch.completion_mask.tolist() == gold["completion_mask"]
    with torch.no_grad():
        stats = gt.sequence_stats(gt.load_model(hf), batch)
    np.testing.assert_allclose(stats.logps.numpy(), gold["logps"], rtol=1e-6)  # float32 recomputation, any CPU
    ort_out = go.reference_model(art, *(t.numpy() for t in (batch.input_ids, batch.attention_mask,
                                                            batch.completion_mask)))
    np.testing.assert_allclose(ort_out["logps"], stats.logps.numpy(), rtol=golden.TOL_REL)
    sigmoid = next(v for v in gold["variants"] if v["name"] == "sigmoid")
    pb = gt.pair_batch(stats.logps, stats.token_counts, torch.tensor(gold["ref_logps"], dtype=torch.float64))
    assert ref.compute(pb, ref.LossInputs.one_hot("sigmoid")).loss == pytest.approx(sigmoid["loss"], rel=1e-6)


@pytest.mark.parametrize("name", ["tiny-gpt2-lora", "tiny-llama-lora"])
def test_lora_golden_trainings_reproduce_with_peft(name):
    """The LoRA goldens' 3 AdamW steps rerun with PEFT (float64) from the checkpoint's starting adapters."""
    pytest.importorskip("peft", reason="PEFT is the LoRA reference (tools/requirements.txt)")
    import golden_ort as go
    art, gold = ROOT / "artifacts" / name, GOLDEN / f"{name}.json"
    hf = TOOLS / ".cache" / "hf" / name[:-len("-lora")]
    if not (hf / "config.json").is_file() or not gold.is_file():
        pytest.skip(f"{name}: HF dir or golden missing (tools/export/make_tiny_models.py, tools/parity/golden.py)")
    doc = json.loads(gold.read_text())
    manifest = json.loads((art / "manifest.json").read_text())
    batch = gt.build_batch(art / "tokenizer.json", manifest["special_tokens"])
    start = go.checkpoint_parameters(art)
    for run in doc["trainings"]:
        model = gt.load_lora_model(hf, manifest["lora"], start, torch.float64)
        x = ref.LossInputs.one_hot("sigmoid", beta=run["loss_inputs"]["beta"])
        losses = gt.train_adamw(model, batch, torch.tensor(run["ref_logps"], dtype=torch.float64), x,
                                run["learning_rate"], run["optimizer"]["betas"], run["optimizer"]["eps"],
                                run["optimizer"]["weight_decay"], run["steps"])
        np.testing.assert_allclose(losses, run["losses"], rtol=1e-9)
        assert losses[0] != losses[-1]  # the adapters moved
        params = gt.named_parameters(model)
        assert sorted(params) == sorted(e["name"] for e in run["params"]["index"])


def test_parity_fails_loudly_naming_the_worst_element():
    from golden_parity import Parity
    par = Parity("toy")
    par.relative("logps", [-10.0, -20.0001, -5.0], [-10.0, -20.0, -5.0], 1e-5)  # rel err 5e-6: within
    par.absolute("params", np.array([[0.0, 0.5], [0.3, 0.2]]), np.array([[0.0, 0.5], [0.3001, 0.2]]), 1e-5)
    with pytest.raises(SystemExit, match=r"FAILED for toy \(1 quantities\)[\s\S]*params[\s\S]*worst \[1,0\]"):
        par.finish()
