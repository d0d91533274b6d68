"""Per-model golden: Hugging Face model statistics and losses on the fixed batch, a 3-step torch AdamW run,
the cross-check against the exported artifacts, and the files ``<model>.json`` / ``<model>-params-<run>.bin``."""
from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import torch

import dpo_reference as ref
import golden_ort as go
import golden_torch as gt
from golden_parity import Parity

ARTIFACT_FILES = ("manifest.json", "tokenizer.json", "checkpoint", "training_model.onnx", "eval_model.onnx",
                  "optimizer_model.onnx", "reference_model.onnx", "inference_model.onnx")
TRAIN_INPUTS = ref.LossInputs.one_hot("sigmoid", beta=0.1)
# iLR-DPO's target-length term on (L = 10 between the chosen and rejected lengths of pairs 0 and 1 of both models).
# λ = 0.005 made one tiny-gpt2 gradient element vanish at step 1 (-2.7e-9, below AdamW's eps 1e-8), where Adam's
# normalised update amplifies float32 rounding (ORT vs torch 6.7e-5 after 3 steps); at λ = 0.004 the worst element is
# 5.3e-6, like the other runs.
TRAIN_INPUTS_ILR = ref.LossInputs.one_hot("sigmoid", beta=0.1, length_target=10.0, length_lambda=0.004)
# (name, reference log-probs offset from the starting model's own?, weight decay, loss inputs, models or None = all)
# of the golden training runs. The second run starts at policy == reference (z = 0, where a log-sigmoid with the wrong
# slope doubles the gradient) and decays with HF's two groups at wd 1.0 (LayerNorm/RMSNorm weights ~1 would move 1e-3
# per step if decayed). The third checks the length term's effect on the parameter updates; it runs on tiny-gpt2 only
# (the loss graph is the same code for every architecture, and each run adds a full parameter file to the repo).
TRAIN_RUNS = (("offset-refs", True, 0.0, TRAIN_INPUTS, None),
              ("policy-equals-reference-wd1", False, 1.0, TRAIN_INPUTS, None),
              ("offset-refs-ilr", True, 0.0, TRAIN_INPUTS_ILR, ("tiny-gpt2",)))


def _require(art: Path, hf: Path) -> dict:
    missing = [str(art / f) for f in ARTIFACT_FILES if not (art / f).is_file()]
    if not (hf / "config.json").is_file():
        missing.append(str(hf / "config.json"))
    if missing:
        raise SystemExit(f"golden: missing inputs (run tools/export/make_tiny_models.py and tools/export/export.py): {missing}")
    return json.loads((art / "manifest.json").read_text())


def optimizer_config(manifest: dict, art: Path, train: dict) -> dict:
    """AdamW hyper-parameters: the optimizer graph's attributes, checked against the manifest and the fixed
    training settings (betas, eps) of the golden run. The graph's weight decay must be the manifest's
    ``graph_weight_decay`` (0: the runtime decays ``decay_parameters``)."""
    attrs = go.adamw_attributes(art)
    m = manifest["optimizer"]
    graph_wd = m.get("graph_weight_decay", m["weight_decay"])
    expect = {"alpha": (train["betas"][0], m["betas"][0]), "beta": (train["betas"][1], m["betas"][1]),
              "epsilon": (train["eps"], m["eps"]), "weight_decay": (graph_wd, 0.0)}
    for key, values in expect.items():
        for v in values:
            if abs(attrs[key] - v) > 1e-6 * max(1.0, abs(v)):
                raise SystemExit(f"{art / 'optimizer_model.onnx'}: AdamWOptimizer.{key} expected {v} "
                                 f"(manifest/golden settings), found {attrs[key]}")
    if attrs.get("adam_mode", 0) != 0 or attrs.get("correct_bias", 1) != 1:
        raise SystemExit(f"{art / 'optimizer_model.onnx'}: expected adam_mode 0 (PyTorch) and correct_bias 1, "
                         f"found {attrs.get('adam_mode')} / {attrs.get('correct_bias')}")
    if m.get("max_grad_norm") is not None:
        raise SystemExit(f"{art / 'manifest.json'}: optimizer.max_grad_norm {m['max_grad_norm']} is not supported "
                         f"by the golden AdamW run (expected null)")
    return {"type": "adamw", "betas": list(train["betas"]), "eps": train["eps"],
            "decay_parameters": list(m.get("decay_parameters", []))}


def _cross_check(par: Parity, art: Path, batch: gt.Batch, stats: gt.SeqStats, ref_logps, cases, results,
                 tol_rel: float) -> None:
    ids, am, cm = (t.numpy() for t in (batch.input_ids, batch.attention_mask, batch.completion_mask))
    rl = ref_logps.numpy()
    outs = go.evaluate(art, [go.feeds(ids, am, cm, rl, x) for _, _, x in cases])
    par.relative("eval logps", outs[0].logps, stats.logps, tol_rel)
    par.absolute("eval token_counts", outs[0].token_counts, stats.token_counts, 0.0)
    par.relative("eval logits_sum (rel. to sum|logits|)", outs[0].logits_sum, stats.logits_sum, tol_rel,
                 scale=stats.logits_abs_sum)
    for (case, _, _), o, r in zip(cases, outs, results):
        par.relative(f"eval loss [{case}]", o.loss, r.loss, tol_rel)
        par.relative(f"eval pair_losses [{case}]", o.pair_losses, r.pair_losses, tol_rel)
    rm = go.reference_model(art, ids, am, cm)
    par.relative("reference_model logps", rm["logps"], stats.logps, tol_rel)
    par.absolute("reference_model token_counts", rm["token_counts"], stats.token_counts, 0.0)
    par.relative("reference_model logits_sum (rel. to sum|logits|)", rm["logits_sum"], stats.logits_sum, tol_rel,
                 scale=stats.logits_abs_sum)
    real = am.astype(bool)
    logits = stats.logits.numpy()[real]  # (real tokens, V)
    par.relative("inference_model logits (rel. to max|logit|)", go.inference_logits(art, ids, am)[real], logits,
                 tol_rel, scale=np.full(logits.shape, np.abs(logits).max()))


def _check_training(par: Parity, run: str, art: Path, batch: gt.Batch, stats: gt.SeqStats, ref_logps, x: ref.LossInputs,
                    train_losses, train_params, decay_parameters, weight_decay: float, train: dict, tol_rel: float,
                    tol_param: float) -> None:
    ids, am, cm = (t.numpy() for t in (batch.input_ids, batch.attention_mask, batch.completion_mask))
    steps, params = go.train(art, go.feeds(ids, am, cm, ref_logps.numpy(), x), train["lr"],
                             train["steps"], weight_decay, decay_parameters)
    par.relative(f"train loss per step [{run}]", [s.loss for s in steps], train_losses, tol_rel)
    par.relative(f"train step-1 logps [{run}]", steps[0].logps, stats.logps, tol_rel)
    if set(params) != set(train_params):
        raise SystemExit(f"{art / 'checkpoint'}: parameter names differ from the HF model's: only in checkpoint "
                         f"{sorted(set(params) - set(train_params))}, only in HF "
                         f"{sorted(set(train_params) - set(params))}")
    for pname, want in train_params.items():
        if params[pname].shape != want.shape:
            raise SystemExit(f"{art / 'checkpoint'}: {pname}: expected shape {want.shape}, found "
                             f"{params[pname].shape}")
    flat = lambda d: np.concatenate([d[k].ravel() for k in train_params])  # noqa: E731
    par.absolute(f"params after {train['steps']} AdamW steps [{run}]", flat(params), flat(train_params), tol_param)


def _params_file(out: Path, name: str, run: str, params: dict) -> tuple[str, list]:
    index, offset, chunks = [], 0, []
    for pname, arr in params.items():
        index.append({"name": pname, "shape": list(arr.shape), "offset": offset})
        offset += arr.size
        chunks.append(arr.astype("<f4").ravel())
    fname = f"{name}-params-{run}.bin"
    path = out / fname
    path.parent.mkdir(parents=True, exist_ok=True)
    np.concatenate(chunks).tofile(path)
    print(f"wrote {path} ({path.stat().st_size} bytes)")
    return fname, index


def write_json(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


def _peft_version() -> str:
    import peft
    return peft.__version__


def _tools() -> dict:
    import onnx
    import onnxruntime
    import tokenizers
    import transformers
    return {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__, "onnx": onnx.__version__, "onnxruntime-training": onnxruntime.__version__}


def model_golden(name: str, art: Path, hf: Path, out: Path, cases, train: dict, tol_rel: float,
                 tol_param: float) -> None:
    print(f"== {name}: HF {hf}, artifacts {art}", flush=True)
    manifest = _require(art, hf)
    batch = gt.build_batch(art / "tokenizer.json", manifest["special_tokens"])
    b = batch.pairs
    lora = manifest.get("lora")
    if lora:  # PEFT's LoRA on the base model, in float64, from the checkpoint's starting adapters
        start = go.checkpoint_parameters(art)
        load = lambda: gt.load_lora_model(hf, lora, start, torch.float64)  # noqa: E731
    else:
        load = lambda: gt.load_model(hf)  # noqa: E731
    with torch.no_grad():
        stats = gt.sequence_stats(load(), batch)
    ref_logps = gt.reference_logps(stats.logps, b)  # (N)
    pb = gt.pair_batch(stats.logps, stats.token_counts, ref_logps)
    results = [ref.compute(pb, x) for _, _, x in cases]
    opt = optimizer_config(manifest, art, train)
    par = Parity(name)
    _cross_check(par, art, batch, stats, ref_logps, cases, results, tol_rel)
    trainings = []
    for run, offsets, weight_decay, x, models in TRAIN_RUNS:
        if models is not None and name not in models:
            continue
        run_ref = ref_logps if offsets else gt.float32(stats.logps)  # (N); own logps: z = 0 at step 1
        model = load()
        hf_decay = gt.decay_parameter_names(model)
        if weight_decay and sorted(hf_decay) != sorted(opt["decay_parameters"]):
            raise SystemExit(f"{art / 'manifest.json'}: optimizer.decay_parameters differ from transformers' "
                             f"get_decay_parameter_names: only in manifest "
                             f"{sorted(set(opt['decay_parameters']) - set(hf_decay))}, only in HF "
                             f"{sorted(set(hf_decay) - set(opt['decay_parameters']))}")
        losses = gt.train_adamw(model, batch, run_ref, x, train["lr"], opt["betas"], opt["eps"],
                                weight_decay, train["steps"])
        params = gt.named_parameters(model)
        _check_training(par, run, art, batch, stats, run_ref, x, losses, params, opt["decay_parameters"], weight_decay,
                        train, tol_rel, tol_param)
        fname, index = _params_file(out, name, run, params)
        trainings.append({"name": run, "learning_rate": train["lr"], "steps": train["steps"],
                          "optimizer": {"type": "adamw", "betas": opt["betas"], "eps": opt["eps"],
                                        "weight_decay": weight_decay, "decay_parameters": sorted(hf_decay)},
                          "loss_inputs": x.to_json(b), "ref_logps": run_ref.tolist(), "losses": losses,
                          "params": {"file": fname, "dtype": "float32", "byte_order": "little",
                                     "offset_unit": "float32 elements", "index": index}})
    par.finish()
    doc = {
        "model": name,
        "architecture": manifest.get("architecture"),
        "description": "Golden of tools/golden.py: Hugging Face transformers model (float32, eval mode, eager "
                       "attention) on a fixed batch; losses from tools/dpo_reference.py in float64; cross-checked "
                       "against the exported artifacts via onnxruntime-training (see 'parity').",
        "reference_logps_note": "ref_logps = float32(starting model's own logps + offsets) so that the losses are "
                                "not all log 2; offsets chosen/rejected below.",
        "reference_offsets": {"chosen": list(gt.REF_OFFSET_CHOSEN), "rejected": list(gt.REF_OFFSET_REJECTED)},
        "text": [{"prompt": p, "chosen": c, "rejected": r} for p, c, r in gt.PAIRS],
        "pairs": b,
        "input_ids": batch.input_ids.tolist(),
        "attention_mask": batch.attention_mask.tolist(),
        "completion_mask": batch.completion_mask.tolist(),
        "ref_logps": ref_logps.tolist(),
        "pref_prob": [1.0] * b,
        "pair_weight": [1.0] * b,
        "logps": stats.logps.tolist(),
        "token_counts": stats.token_counts.tolist(),
        "logits_sum": stats.logits_sum.tolist(),
        "logits_abs_sum": stats.logits_abs_sum.tolist(),
        "variants": [{"name": c, "variant": v, "loss_inputs": x.to_json(b), **r.to_json()}
                     for (c, v, x), r in zip(cases, results)],
        "trainings_note": "torch.optim.AdamW with Hugging Face Trainer's two parameter groups (decay only on "
                           "transformers.Trainer.get_decay_parameter_names); 'policy-equals-reference' feeds the "
                           "starting model's own log-probs as ref_logps, so z = 0 at step 1 (TRL's first step).",
        "trainings": trainings,
        "parity": {"tolerances": {"relative": tol_rel, "params_absolute": tol_param}, **par.summary()},
        "artifact_sha256": {f: manifest.get("files", {}).get(f) for f in ("checkpoint", "tokenizer.json")},
        "tools": _tools(),
    }
    if lora:
        doc["lora"] = {"note": "The golden model is peft.get_peft_model(base, LoraConfig(r, lora_alpha, "
                               "target_modules, fan_in_fan_out)) (PEFT " + _peft_version() + ") run in float64, its "
                               "adapters set to the exported checkpoint's starting values (B = 0); the trainings "
                               "train the adapters only, named as in the checkpoint. logps, reference_model and "
                               "inference_model are the base model's.",
                       **{k: lora[k] for k in ("r", "alpha", "dropout", "scaling", "target_modules")}}
    write_json(out / f"{name}.json", doc)
