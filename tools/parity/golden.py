"""Writes the golden references of src/test/resources/golden/ (rerunnable, deterministic):

* ``dpo_vectors.json``: the published DPO vectors and every loss variant of tools/CONTRACT.md on them, from the
  independent float64 reference in tools/parity/dpo_reference.py;
* ``<model>.json`` + ``<model>-params-<run>.bin`` for each tiny model: Hugging Face transformers (float32, eval)
  log-probs, losses, rewards and a 3-step torch AdamW run on a fixed batch, cross-checked against the exported
  artifacts run through onnxruntime-training's Python API (fails with a non-zero exit naming the worst element);
  for the LoRA sets (``tiny-gpt2-lora``, ``tiny-llama-lora``) the model is PEFT's LoRA on the base, in float64, and
  the 3 AdamW steps train the adapters only.

Usage: ``tools/.venv/bin/python tools/parity/golden.py [--models tiny-gpt2 tiny-llama] [--vectors-only]``
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

TOOLS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOOLS / "parity"))

import dpo_reference as ref  # noqa: E402
from golden_model import model_golden, write_json  # noqa: E402

ROOT = TOOLS.parent
DEFAULT_OUT = ROOT / "src" / "test" / "resources" / "golden"
DPO_TOKENS_CHOSEN = (3.0, 5.0, 7.0)
DPO_TOKENS_REJECTED = (4.0, 6.0, 2.0)
TRAIN_LR = 1e-3
TRAIN_STEPS = 3
TRAIN_BETAS = (0.9, 0.999)
TRAIN_EPS = 1e-8
TOL_REL = 1e-5  # log-probs and losses, ORT vs torch
TOL_PARAM = 1e-4  # parameters after TRAIN_STEPS, absolute per element
NON_DEFAULT = dict(label_smoothing=0.1, pref_prob=(1.0, 0.7, 0.5), length_alpha=0.05, simpo_gamma=0.5,
                   rpo_alpha=0.5)
MIX = (0.4, 0.2, 0.1, 0.2, 0.1)
# iLR-DPO target-length term (Liu et al. 2024; dpo4j issue 13 item 4). On the vectors' lengths (3, 4), (5, 6), (7, 2)
# L = 5.5 lies between the two lengths of pairs 1 (equidistant: the term is 0) and 2, and above both of pair 0.
ILR = dict(length_target=5.5, length_lambda=0.01)
# Completion lengths of the cases that do not use DPO_TOKENS_*: |y_w| = |y_l| in every pair (the term is 0 for any L).
CASE_TOKENS = {"sigmoid-ilr-equal-lengths": ((3.0, 5.0, 7.0), (3.0, 5.0, 7.0))}
LORA_SUFFIX = "-lora"


def vector_cases() -> list[tuple[str, str, ref.LossInputs]]:
    """(case name, variant, loss inputs) for dpo_vectors.json: defaults and the non-default coefficients."""
    one = ref.LossInputs.one_hot
    return [
        ("sigmoid", "sigmoid", one("sigmoid")),
        ("sigmoid-cdpo", "sigmoid", one("sigmoid", label_smoothing=0.1)),
        ("sigmoid-soft-label", "sigmoid", one("sigmoid", pref_prob=(1.0, 0.7, 0.5))),
        ("sigmoid-soft-label-cdpo", "sigmoid", one("sigmoid", label_smoothing=0.1, pref_prob=(1.0, 0.7, 0.5))),
        ("sigmoid-rdpo", "sigmoid", one("sigmoid", length_alpha=0.05)),
        ("sigmoid-rpo", "sigmoid", one("sigmoid", rpo_alpha=0.5)),
        ("sigmoid-pair-weight", "sigmoid", one("sigmoid", pair_weight=(1.0, 0.5, 2.0))),
        ("robust", "robust", one("robust")),
        ("robust-eps", "robust", one("robust", label_smoothing=0.1, pref_prob=(1.0, 0.7, 0.5))),
        ("hinge", "hinge", one("hinge")),
        ("hinge-rdpo", "hinge", one("hinge", length_alpha=0.05)),
        ("ipo", "ipo", one("ipo")),
        ("ipo-beta-0.5", "ipo", one("ipo", beta=0.5)),
        ("simpo", "simpo", one("simpo", simpo_gamma=0.5)),
        ("simpo-beta-2-soft", "simpo", one("simpo", beta=2.0, label_smoothing=0.1, pref_prob=(1.0, 0.7, 0.5))),
        ("all-non-default", "mix", ref.LossInputs(loss_mix=MIX, pair_weight=(1.0, 0.5, 2.0), **NON_DEFAULT)),
        ("sigmoid-ilr", "sigmoid", one("sigmoid", **ILR)),
        ("sigmoid-ilr-equal-lengths", "sigmoid", one("sigmoid", length_target=2.0, length_lambda=0.05)),
        ("sigmoid-ilr-soft-label", "sigmoid", one("sigmoid", length_alpha=0.05, pref_prob=(1.0, 0.7, 0.5), **ILR)),
        ("robust-ilr", "robust", one("robust", label_smoothing=0.1, length_target=4.0, length_lambda=0.02)),
        ("hinge-ilr", "hinge", one("hinge", **ILR)),
        ("all-non-default-ilr", "mix", ref.LossInputs(loss_mix=MIX, pair_weight=(1.0, 0.5, 2.0), **NON_DEFAULT,
                                                      **ILR)),
    ]


def vector_tokens(name: str) -> tuple[tuple, tuple]:
    """(chosen, rejected) completion lengths of a dpo_vectors.json case."""
    return CASE_TOKENS.get(name, (DPO_TOKENS_CHOSEN, DPO_TOKENS_REJECTED))


# The tiny models' batch has completion lengths chosen (23, 4, 17) / rejected (4, 19, 12) (tiny-gpt2) and
# (26, 5, 20) / (6, 20, 14) (tiny-llama): L = 10 lies between the lengths of pairs 0 and 1 and below both of pair 2.
MODEL_ILR = dict(length_target=10.0, length_lambda=0.005)


def model_cases() -> list[tuple[str, str, ref.LossInputs]]:
    """Loss configurations evaluated on each tiny model (B = 3)."""
    one = ref.LossInputs.one_hot
    return [
        ("sigmoid", "sigmoid", one("sigmoid")),
        ("robust", "robust", one("robust", label_smoothing=0.1)),
        ("hinge", "hinge", one("hinge")),
        ("ipo", "ipo", one("ipo")),
        ("simpo", "simpo", one("simpo")),
        ("sigmoid-non-default", "sigmoid", one("sigmoid", pair_weight=(1.0, 0.5, 2.0), **NON_DEFAULT)),
        ("all-non-default", "mix", ref.LossInputs(loss_mix=MIX, pair_weight=(1.0, 0.5, 2.0), **NON_DEFAULT)),
        ("sigmoid-ilr", "sigmoid", one("sigmoid", **MODEL_ILR)),
        ("all-non-default-ilr", "mix", ref.LossInputs(loss_mix=MIX, pair_weight=(1.0, 0.5, 2.0), **NON_DEFAULT,
                                                      **MODEL_ILR)),
    ]


def write_vectors(out: Path) -> None:
    got = ref.published_check()
    v = ref.PUBLISHED
    cases = []
    for name, variant, x in vector_cases():
        tokens_w, tokens_l = vector_tokens(name)
        pb = ref.PairBatch.of(v["policy_logps_chosen"], v["policy_logps_rejected"], v["reference_logps_chosen"],
                              v["reference_logps_rejected"], tokens_w, tokens_l)
        case = {"name": name, "variant": variant, "coefficients": x.to_json(pb.size),
                "policy_logps_chosen": v["policy_logps_chosen"], "policy_logps_rejected": v["policy_logps_rejected"],
                "reference_logps_chosen": v["reference_logps_chosen"],
                "reference_logps_rejected": v["reference_logps_rejected"],
                "token_counts_chosen": list(tokens_w), "token_counts_rejected": list(tokens_l)}
        case.update(ref.compute(pb, x).to_json())
        cases.append(case)
    doc = {
        "description": "DPO-family losses of tools/CONTRACT.md on the published DPO check vectors, from the "
                       "independent float64 PyTorch reference tools/dpo_reference.py (written by tools/golden.py). "
                       "rewards = beta*(logp - ref) (TRL), for a pure SimPO mix beta*logp/|y|, for a pure IPO mix "
                       "beta*(logp - ref)/|y|. variant_losses are "
                       "each variant's per-pair loss on the case's coefficients before loss_mix / rpo / pair_weight.",
        "variants": list(ref.VARIANTS),
        "cases": cases,
        "published": {**v, "reference_losses": got, "tolerance": 5e-7},
    }
    write_json(out / "dpo_vectors.json", doc)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", nargs="*", default=["tiny-gpt2", "tiny-llama", "tiny-gpt2-lora", "tiny-llama-lora"])
    p.add_argument("--artifacts", type=Path, default=ROOT / "artifacts")
    p.add_argument("--hf", type=Path, default=TOOLS / ".cache" / "hf", help="directory of the HF model dirs")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--vectors-only", action="store_true", help="write dpo_vectors.json only")
    a = p.parse_args(argv)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    write_vectors(a.out)
    if a.vectors_only:
        return 0
    for name in a.models:
        base = name[:-len(LORA_SUFFIX)] if name.endswith(LORA_SUFFIX) else name  # a LoRA set's HF model: its base
        model_golden(name, a.artifacts / name, a.hf / base, a.out, model_cases(),
                     train=dict(lr=TRAIN_LR, steps=TRAIN_STEPS, betas=TRAIN_BETAS, eps=TRAIN_EPS),
                     tol_rel=TOL_REL, tol_param=TOL_PARAM)
    return 0


if __name__ == "__main__":
    sys.exit(main())
