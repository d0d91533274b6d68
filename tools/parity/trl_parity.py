"""TRL-parity harness: TRL's DPOTrainer (trl 0.12.2) on the tiny models' weights and fixed token ids, for every loss
variant and modifier TRL has, written to src/test/resources/golden/trl/<model>.json for the Java test
io.dpo4j.train.TrlParityTest, which runs dpo4j on the same artifacts and the same token ids and compares.

    tools/.venv/bin/python tools/parity/trl_parity.py [--models tiny-gpt2 tiny-llama] [--out DIR]

What runs on the TRL side (independent of dpo4j's exporter and Java code):
- the Hugging Face model from tools/.cache/hf/<model> (tools/export/make_tiny_models.py), float32, dropout off;
- TRL's own ``get_batch_loss_metrics`` (its concatenated forward, ``dpo_loss``, RPO NLL and metric names), with a
  frozen copy of the starting model as ``ref_model`` (so step 1 has policy == reference, z = 0, as in TRL);
- the optimizer HF ``Trainer.create_optimizer`` builds (torch AdamW, HF's weight-decay groups), constant learning
  rate, no gradient clipping (the tiny artifacts do not clip), one micro-batch per optimizer step.

Both sides get identical token ids (prompt ids with the model's BOS rule, completion ids + EOS), tokenised here from
real IMDb preference rows plus one chat row whose message contains ``{{ 7*7 }}`` (rendered literally by HF's jinja2
chat template for tiny-llama). Known TRL 0.12.2 defects are neutralised, not inherited:
- huggingface/trl#2330: ``concatenated_forward`` cuts at ``first_empty_col - 1`` and drops the last real token of the
  longest row whenever the batch has padding columns. Every batch here is composed so that one pair has both the
  longest prompt and the longest completion (no all-padding column), and the harness asserts it.
- The RPO NLL uses ``cross_entropy(..., ignore_index=0)``, so a real completion token with id 0 would be ignored:
  rows whose chosen completion contains id 0 are not used (asserted).
- The DPO data collator drops precomputed ``ref_*`` columns (loss stuck at ln 2): not used; the reference is a model.
Tokenisation differences (TRL 0.12 tokenises prompt and completion separately and adds EOS itself) are outside this
comparison on purpose: both sides are fed the same ids.

LoRA sets (``tiny-gpt2-lora``, ``tiny-llama-lora``): TRL gets the base model with ``peft_config`` (PEFT 0.13.2's
LoraConfig with the artifacts' r, alpha, target modules, no dropout) and no ``ref_model``, so its reference is the
policy with the adapters disabled, as TRL does it; the adapters start from the exported checkpoint's values (B = 0)
and only they are trained and compared.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
DEFAULT_OUT = ROOT / "src" / "test" / "resources" / "golden" / "trl"
DATA = ROOT / "artifacts" / "datasets" / "imdb-pref" / "train.jsonl"
PAIRS_PER_STEP = 4
STEPS = 5
LEARNING_RATE = 5e-3
# LoRA cases run at 2e-2 (LoRA usually takes a higher learning rate than full fine-tuning). Measured against the
# unchanged tolerances of io.dpo4j.train.TrlParityTest: at 5e-3 the adapters (B = 0 at step 1) move so little that
# the step-2 rewards (mean |r| ~ 0.007) are differences of ~200-nat float32 sequence log-probs a few ulps apart, and
# dpo4j vs TRL differed by 2.0e-4 of the mean |reward| (both sides float32: a float32 floor); at 5e-2 one GPT-2 adapter
# value differed by 2.1e-4 after 5 steps (tolerance 1e-4; Adam at that rate amplifies float32 gradient differences).
# At 2e-2 the worst figures are 5.8e-5 (rewards) and 2.7e-6 (parameters).
LORA_LEARNING_RATE = 2e-2
PARAM_SAMPLES = 16  # sampled elements per tensor written for the Java side (the Python check uses all)
TEMPLATE_ROW = {"prompt": "Show the template {{ 7*7 }} and {% for x in y %}{{ x }}{% endfor %} as text.",
                "chosen": " It stays {{ 7*7 }}.", "rejected": " It is 49."}

# (case name, DPOConfig overrides, weight decay). TRL's loss types and modifiers dpo4j also has; SimPO lives in
# TRL's CPOTrainer (loss_type="simpo", cpo_alpha=0), whose logits/* metrics average over every position of the padded
# sequences (prompt and padding included), not over completion tokens as DPOTrainer (and dpo4j) do: not compared.
CASES = (
    ("sigmoid", dict(loss_type="sigmoid", beta=0.1), 0.0),
    ("sigmoid-cdpo", dict(loss_type="sigmoid", beta=0.1, label_smoothing=0.1), 0.0),
    ("robust", dict(loss_type="robust", beta=0.1, label_smoothing=0.1), 0.0),
    ("hinge", dict(loss_type="hinge", beta=0.1), 0.0),
    ("ipo", dict(loss_type="ipo", beta=0.5), 0.0),
    ("sigmoid-rpo", dict(loss_type="sigmoid", beta=0.1, rpo_alpha=0.5), 0.0),
    ("sigmoid-weight-decay", dict(loss_type="sigmoid", beta=0.1), 0.5),
    ("simpo", dict(loss_type="simpo", beta=2.0, simpo_gamma=0.5, cpo_alpha=0.0), 0.0),
)
CPO_LOSSES = ("simpo",)
METRICS = ("rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen",
           "logps/rejected", "logits/chosen", "logits/rejected")


def tokenized_rows(art: Path, hf: Path, want: int) -> list[dict]:
    """``want`` rows of token ids: IMDb rows without id 0 in the chosen completion, plus the template row."""
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer
    manifest = json.loads((art / "manifest.json").read_text())
    st = manifest["special_tokens"]
    tok = Tokenizer.from_file(str(art / "tokenizer.json"))
    rows = [json.loads(line) for line in DATA.read_text().splitlines()]
    template_prompt = TEMPLATE_ROW["prompt"]
    hf_tok = AutoTokenizer.from_pretrained(str(hf))
    if hf_tok.chat_template:  # tiny-llama: HF's jinja2 renders message content literally
        template_prompt = hf_tok.apply_chat_template([{"role": "user", "content": TEMPLATE_ROW["prompt"]}],
                                                     tokenize=False)
    rows.insert(0, {"id": "template-row", "prompt": template_prompt, "chosen": TEMPLATE_ROW["chosen"],
                    "rejected": TEMPLATE_ROW["rejected"]})
    out = []
    for r in rows:
        prompt = tok.encode(r["prompt"], add_special_tokens=False).ids
        if st["add_bos"] and not (prompt and prompt[0] == st["bos"]):
            prompt = [st["bos"]] + prompt
        chosen = tok.encode(r["chosen"], add_special_tokens=False).ids + ([st["eos"]] if st["add_eos_to_completion"] else [])
        rejected = tok.encode(r["rejected"], add_special_tokens=False).ids + ([st["eos"]] if st["add_eos_to_completion"] else [])
        if 0 in chosen or chosen == rejected:  # RPO's ignore_index=0 defect; identical pairs carry no preference
            continue
        out.append({"id": r["id"], "prompt": prompt, "chosen": chosen, "rejected": rejected})
        if len(out) == want * 3:
            break
    return out


def compose_batches(rows: list[dict], batches: int, b: int) -> list[list[dict]]:
    """Batches in which one pair has the longest prompt and the longest completion (trl#2330 cannot trigger)."""
    pool = list(rows)
    out = []
    for _ in range(batches):
        lead = max(pool, key=lambda r: (len(r["prompt"]), max(len(r["chosen"]), len(r["rejected"]))))
        pool.remove(lead)
        lp, lc = len(lead["prompt"]), max(len(lead["chosen"]), len(lead["rejected"]))
        rest = [r for r in pool if len(r["prompt"]) <= lp and max(len(r["chosen"]), len(r["rejected"])) <= lc][:b - 1]
        if len(rest) < b - 1:
            raise SystemExit(f"trl_parity: cannot compose a batch of {b} pairs led by {lead['id']}")
        for r in rest:
            pool.remove(r)
        out.append([lead] + rest)
    return out


def collate(trainer, batch_rows: list[dict]) -> dict:
    if trainer.__class__.__name__ == "CPOTrainer":
        return collate_cpo(trainer, batch_rows)
    from trl.trainer.dpo_trainer import PreferenceCollator
    coll = PreferenceCollator(pad_token_id=trainer.padding_value)
    features = [{"prompt_input_ids": r["prompt"], "chosen_input_ids": r["chosen"],
                 "rejected_input_ids": r["rejected"]} for r in batch_rows]
    batch = coll.torch_call(features)
    cat = trainer.concatenated_inputs(batch, padding_value=trainer.padding_value)
    width = cat["prompt_input_ids"].shape[1] + cat["completion_input_ids"].shape[1]
    longest = max(len(r["prompt"]) + max(len(r["chosen"]), len(r["rejected"])) for r in batch_rows)
    if longest != width:
        raise SystemExit(f"trl_parity: batch {[r['id'] for r in batch_rows]} has an all-padding column "
                         f"(width {width}, longest row {longest}): huggingface/trl#2330 would drop a token")
    return batch


def collate_cpo(trainer, batch_rows: list[dict]) -> dict:
    """CPOTrainer's batch layout: full sequences (prompt + completion, right padded) with labels -100 on the prompt."""
    from trl.trainer.utils import DPODataCollatorWithPadding
    features = []
    for r in batch_rows:
        f = {}
        for side in ("chosen", "rejected"):
            ids = r["prompt"] + r[side]
            f[f"{side}_input_ids"] = ids
            f[f"{side}_attention_mask"] = [1] * len(ids)
            f[f"{side}_labels"] = [trainer.label_pad_token_id] * len(r["prompt"]) + r[side]
        features.append(f)
    return DPODataCollatorWithPadding(pad_token_id=trainer.padding_value,
                                      label_pad_token_id=trainer.label_pad_token_id)(features)


def peft_config(lora: dict):
    """PEFT's LoraConfig for the artifacts' adapters (manifest ``lora``)."""
    import peft
    return peft.LoraConfig(r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=0.0,
                           target_modules=list(lora["target_modules"]), task_type="CAUSAL_LM",
                           fan_in_fan_out=any(a["fan_in_fan_out"] for a in lora["adapters"]))


def set_start_adapters(model, start: dict) -> None:
    """The PEFT model's adapters <- the exported checkpoint's starting values (PEFT draws its own A otherwise)."""
    trainable = {peft_name(n): p for n, p in model.named_parameters() if p.requires_grad}
    if set(trainable) != set(start):
        raise SystemExit(f"trl_parity: PEFT's adapters differ from the checkpoint's: "
                         f"{sorted(set(trainable) ^ set(start))[:5]}")
    with torch.no_grad():
        for n, p in trainable.items():
            p.copy_(torch.as_tensor(start[n]).reshape(p.shape))


def peft_name(name: str) -> str:
    """A PEFT parameter name as the artifacts name it (``base_model.model.X.lora_A.default.weight`` -> ``X.lora_A.weight``)."""
    if name.startswith("base_model.model."):
        name = name[len("base_model.model."):]
    return name.replace(".lora_A.default.", ".lora_A.").replace(".lora_B.default.", ".lora_B.")


def make_trainer(hf: Path, config: dict, weight_decay: float, work: Path, lora: dict = None, start: dict = None,
                 lr: float = LEARNING_RATE):
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOConfig, DPOTrainer
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(str(hf), torch_dtype=torch.float32, attn_implementation="eager")
    model.eval()  # no dropout: dpo4j's graphs have none
    ref = copy.deepcopy(model).eval() if lora is None else None  # LoRA: TRL's reference = adapters disabled
    extra = {} if lora is None else {"peft_config": peft_config(lora)}
    tok = AutoTokenizer.from_pretrained(str(hf))
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    common = dict(output_dir=str(work), learning_rate=lr, weight_decay=weight_decay,
                  per_device_train_batch_size=PAIRS_PER_STEP, max_grad_norm=None, report_to=[], use_cpu=True,
                  seed=0, disable_dropout=True)
    dummy = Dataset.from_dict({"prompt": ["a"], "chosen": [" b"], "rejected": [" c"]})
    if config["loss_type"] in CPO_LOSSES:  # reference-free: no ref_model
        from trl import CPOConfig, CPOTrainer
        args = CPOConfig(max_length=4096, max_prompt_length=2048, **common, **config)
        trainer = CPOTrainer(model=model, args=args, train_dataset=dummy, processing_class=tok, **extra)
    else:
        args = DPOConfig(max_length=None, max_prompt_length=None, max_completion_length=None, **common, **config)
        trainer = DPOTrainer(model=model, ref_model=ref, args=args, train_dataset=dummy, processing_class=tok, **extra)
    if lora is not None:
        set_start_adapters(trainer.model, start)
        trainer.model.eval()
    return trainer, trainer.model


def logits_abs_mean(model, batch_rows: list[dict]) -> dict:
    """Mean |logit| over the completion-predicting positions and the vocabulary, chosen and rejected: the scale
    against which ``logits/*`` (means of logits of both signs, which cancel) are compared."""
    out = {}
    with torch.no_grad():
        for side in ("chosen", "rejected"):
            total, count = 0.0, 0
            for r in batch_rows:
                ids = torch.tensor([r["prompt"] + r[side]])
                logits = model(input_ids=ids).logits[0].double()  # (T, V)
                start = len(r["prompt"]) - 1  # logits at t-1 predict completion token t
                total += logits[start:start + len(r[side])].abs().sum().item()
                count += len(r[side]) * logits.shape[-1]
            out[side] = total / count
    return out


def run_case(hf: Path, batches: list, name: str, config: dict, weight_decay: float, lora: dict = None,
             start: dict = None) -> dict:
    lr = LEARNING_RATE if lora is None else LORA_LEARNING_RATE
    with tempfile.TemporaryDirectory() as work:
        trainer, model = make_trainer(hf, config, weight_decay, Path(work), lora, start, lr)
        opt = trainer.create_optimizer()
        decay_group = sorted(peft_name(n) for n, p in model.named_parameters()
                             if any(p is q for g in opt.param_groups if g["weight_decay"] > 0 for q in g["params"]))
        steps = []
        for batch_rows in batches:
            batch = collate(trainer, batch_rows)
            with torch.no_grad():
                fwd = trainer.concatenated_forward(model, batch)
                if isinstance(fwd, tuple):  # CPOTrainer: (chosen_logps, rejected_logps, logits, logits, nll)
                    fwd = {"chosen_logps": fwd[0], "rejected_logps": fwd[1]}
            opt.zero_grad(set_to_none=True)
            loss, metrics = trainer.get_batch_loss_metrics(model, batch, "train")
            loss.backward()
            opt.step()
            steps.append({"pairs": [r["id"] for r in batch_rows], "loss": float(loss.detach()),
                          "logits_abs_mean": logits_abs_mean(model, batch_rows),
                          "metrics": {k: float(metrics[k]) for k in METRICS},
                          "policy_logps": torch.cat([fwd["chosen_logps"], fwd["rejected_logps"]]).tolist()})
        params = {peft_name(n): p.detach().float().numpy().copy() for n, p in model.named_parameters()
                  if p.requires_grad}  # a PEFT model: the adapters
    return {"name": name, "config": {**config, "learning_rate": lr, "weight_decay": weight_decay,
                                      "pairs_per_step": PAIRS_PER_STEP, "steps": STEPS,
                                      "logps_are_per_token_means": config["loss_type"] in ("ipo", "simpo"),
                                      "logits_comparable": config["loss_type"] not in CPO_LOSSES},
            "decay_parameters": decay_group, "steps": steps, "params": params}


def sampled(params: dict) -> list[dict]:
    out = []
    for n, a in params.items():
        flat = a.ravel()
        idx = np.unique(np.linspace(0, flat.size - 1, num=min(PARAM_SAMPLES, flat.size)).round().astype(int))
        out.append({"name": n, "index": idx.tolist(), "values": [float(flat[i]) for i in idx]})
    return out


def model_doc(name: str, art: Path, hf: Path) -> dict:
    import trl
    import transformers
    lora = json.loads((art / "manifest.json").read_text()).get("lora")
    start = None
    if lora:
        sys.path.insert(0, str(TOOLS / "parity"))
        import golden_ort
        start = golden_ort.checkpoint_parameters(art)
    rows = tokenized_rows(art, hf, PAIRS_PER_STEP * STEPS)
    batches = compose_batches(rows, STEPS, PAIRS_PER_STEP)
    cases = []
    for case, config, wd in CASES:
        print(f"== {name} {case}", flush=True)
        r = run_case(hf, batches, case, config, wd, lora, start)
        r["params"] = sampled(r["params"])
        cases.append(r)
    doc = {"model": name, "description": __doc__.split("\n\n")[0],
           "pairs": {r["id"]: {k: r[k] for k in ("prompt", "chosen", "rejected")} for b in batches for r in b},
           "cases": cases, "tools": {"trl": trl.__version__, "transformers": transformers.__version__,
                                     "torch": torch.__version__}}
    if lora:
        import peft
        doc["tools"]["peft"] = peft.__version__
        doc["lora"] = {"note": "TRL with peft_config (no ref_model: reference = adapters disabled); adapters start "
                               "from the exported checkpoint's values; params are the adapters",
                       **{k: lora[k] for k in ("r", "alpha", "target_modules")}}
    return doc


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", nargs="*", default=["tiny-gpt2", "tiny-llama", "tiny-gpt2-lora", "tiny-llama-lora"])
    p.add_argument("--artifacts", type=Path, default=ROOT / "artifacts")
    p.add_argument("--hf", type=Path, default=TOOLS / ".cache" / "hf")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = p.parse_args(argv)
    torch.use_deterministic_algorithms(True)
    a.out.mkdir(parents=True, exist_ok=True)
    for name in a.models:
        base = name[:-len("-lora")] if name.endswith("-lora") else name  # a LoRA set's HF model is its base
        doc = model_doc(name, a.artifacts / name, a.hf / base)
        path = a.out / f"{name}.json"
        path.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
