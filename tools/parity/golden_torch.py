"""PyTorch side of the golden references: the fixed batch, per-sequence statistics of a Hugging Face causal LM
and a plain ``torch.optim.AdamW`` run. Independent of ONNX and of the exporter's model code."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from tokenizers import Tokenizer

import dpo_reference as ref

# B = 3 preference pairs of real English; prompts and completions of different lengths.
PAIRS = (
    ("Write a short reply to a friend who just got a new job.",
     " Congratulations! I am so happy for you and proud of all your hard work.",
     " Whatever."),
    ("Question: What is the capital of France?\nAnswer:",
     " Paris.",
     " The capital of France is Berlin, which is a city in Germany."),
    ("The film opened with a quiet scene in a small coastal town, and",
     " it slowly grew into a warm and moving story about a family.",
     " then nothing happened for two hours. It was bad."),
)

# Reference log-probs = the starting model's own log-probs plus these offsets, so that the losses are not all
# log 2 (h = off_rejected - off_chosen = [5.5, -2.5, 6.5], i.e. beta*h = [0.55, -0.25, 0.65] at beta = 0.1).
REF_OFFSET_CHOSEN = (-2.5, 1.5, -6.0)
REF_OFFSET_REJECTED = (3.0, -1.0, 0.5)


@dataclass(frozen=True)
class Batch:
    """Rows [chosen_0..chosen_{B-1}; rejected_0..rejected_{B-1}], right padded, int64 tensors of shape (N, T)."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    completion_mask: torch.Tensor

    def __post_init__(self):
        for name in ("attention_mask", "completion_mask"):
            found = getattr(self, name).shape
            if found != self.input_ids.shape:
                raise ValueError(f"Batch.{name}: expected shape {tuple(self.input_ids.shape)}, found {tuple(found)}")
        if self.input_ids.shape[0] % 2:
            raise ValueError(f"Batch: expected an even number of rows, found {self.input_ids.shape[0]}")
        if bool(self.completion_mask[:, 0].any()):
            raise ValueError("Batch.completion_mask: column 0 must be 0 (no logits before the first token)")

    @property
    def pairs(self) -> int:
        return self.input_ids.shape[0] // 2


def build_batch(tokenizer_json: Path, special: dict, pairs=PAIRS) -> Batch:
    """Tokenise prompts and completions separately (no automatic special tokens), then lay out
    ``[bos] prompt completion [eos] pad...`` per the manifest's ``special_tokens``."""
    tok = Tokenizer.from_file(str(tokenizer_json))
    enc = lambda s: tok.encode(s, add_special_tokens=False).ids  # noqa: E731
    rows = []
    for column in (1, 2):  # chosen rows first, then rejected rows
        for pair in pairs:
            prompt = ([special["bos"]] if special.get("add_bos") else []) + enc(pair[0])
            completion = enc(pair[column]) + ([special["eos"]] if special.get("add_eos_to_completion") else [])
            rows.append((prompt, completion))
    t = max(len(p) + len(c) for p, c in rows)
    ids = torch.full((len(rows), t), special["pad"], dtype=torch.int64)  # (N, T)
    attn = torch.zeros((len(rows), t), dtype=torch.int64)  # (N, T)
    comp = torch.zeros((len(rows), t), dtype=torch.int64)  # (N, T)
    for i, (p, c) in enumerate(rows):
        ids[i, :len(p) + len(c)] = torch.tensor(p + c)
        attn[i, :len(p) + len(c)] = 1
        comp[i, len(p):len(p) + len(c)] = 1
    return Batch(ids, attn, comp)


def load_model(hf_dir: Path) -> torch.nn.Module:
    """The Hugging Face model in float32, eval mode (no dropout), eager attention."""
    from transformers import AutoModelForCausalLM
    model = AutoModelForCausalLM.from_pretrained(str(hf_dir), torch_dtype=torch.float32, attn_implementation="eager")
    model.eval()
    return model


@dataclass(frozen=True)
class SeqStats:
    logps: torch.Tensor  # (N) float64, summed completion log-probs (keeps the autograd graph when built with grad)
    token_counts: torch.Tensor  # (N) float64
    logits_sum: torch.Tensor  # (N) float64
    logits_abs_sum: torch.Tensor  # (N) float64, sum of |logits| over the same positions (error scale of logits_sum)
    logits: torch.Tensor  # (N, T, V) float32


def sequence_stats(model: torch.nn.Module, batch: Batch) -> SeqStats:
    """Log-prob of token t read from the logits at position t-1, summed over completion tokens."""
    logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask).logits  # (N, T, V)
    logp = torch.log_softmax(logits[:, :-1].to(_float_dtype(logits)), dim=-1)  # (N, T-1, V)
    tok_logp = logp.gather(-1, batch.input_ids[:, 1:, None]).squeeze(-1)  # (N, T-1)
    mask = batch.completion_mask[:, 1:].double()  # (N, T-1)
    logps = (tok_logp.double() * mask).sum(-1)  # (N)
    shifted = logits[:, :-1].detach().double()  # (N, T-1, V)
    logits_sum = (shifted.sum(-1) * mask).sum(-1)  # (N)
    logits_abs = (shifted.abs().sum(-1) * mask).sum(-1)  # (N)
    return SeqStats(logps, mask.sum(-1), logits_sum, logits_abs, logits.detach())


def _float_dtype(t: torch.Tensor) -> torch.dtype:
    """float64 stays float64 (the LoRA goldens run in float64); anything else is computed in float32."""
    return torch.float64 if t.dtype == torch.float64 else torch.float32


def peft_name(name: str) -> str:
    """A PEFT model's parameter name as the artifacts (and PEFT's saved adapter files) name it:
    ``base_model.model.X.lora_A.default.weight`` -> ``X.lora_A.weight``; other names are returned unchanged."""
    if name.startswith("base_model.model."):
        name = name[len("base_model.model."):]
    return name.replace(".lora_A.default.", ".lora_A.").replace(".lora_B.default.", ".lora_B.")


def load_lora_model(hf_dir: Path, lora: dict, start: dict, dtype: torch.dtype) -> torch.nn.Module:
    """The base model wrapped by PEFT's LoRA with the artifacts' settings (manifest ``lora``) and their starting
    adapter values ``start`` (name -> array, the exported checkpoint's), in ``dtype``, eval mode. Only the adapters
    require gradients."""
    import peft
    if lora["dropout"] != 0.0:
        raise SystemExit(f"golden: LoRA dropout {lora['dropout']}: expected 0 (dropout is random in the ORT graph)")
    cfg = peft.LoraConfig(r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=0.0,
                          target_modules=list(lora["target_modules"]), task_type="CAUSAL_LM",
                          fan_in_fan_out=any(a["fan_in_fan_out"] for a in lora["adapters"]))
    model = peft.get_peft_model(load_model(hf_dir).to(dtype), cfg)
    trainable = {peft_name(n): p for n, p in model.named_parameters() if p.requires_grad}
    if set(trainable) != set(start):
        raise SystemExit(f"golden: PEFT's adapters differ from the checkpoint's: only in PEFT "
                         f"{sorted(set(trainable) - set(start))[:5]}, only in checkpoint "
                         f"{sorted(set(start) - set(trainable))[:5]}")
    with torch.no_grad():
        for n, p in trainable.items():
            p.copy_(torch.as_tensor(start[n]).to(dtype).reshape(p.shape))
    model.eval()
    return model


def float32(x) -> torch.Tensor:
    """Round to float32 and back: the values the float32 graphs are fed."""
    return torch.as_tensor(x, dtype=torch.float64).float().double()


def reference_logps(start_logps: torch.Tensor, b: int) -> torch.Tensor:
    offsets = torch.tensor(REF_OFFSET_CHOSEN[:b] + REF_OFFSET_REJECTED[:b], dtype=torch.float64)
    return float32(start_logps.detach() + offsets)  # (N)


def pair_batch(logps: torch.Tensor, counts: torch.Tensor, ref_logps: torch.Tensor) -> ref.PairBatch:
    b = logps.shape[0] // 2
    return ref.PairBatch(logps[:b], logps[b:], ref_logps[:b], ref_logps[b:], counts[:b], counts[b:])


def decay_parameter_names(model: torch.nn.Module) -> list[str]:
    """Hugging Face Trainer's weight-decay group (what TRL decays), from transformers' own function, among the
    model's parameters with tied weights once (``lm_head.weight`` is GPT-2's ``transformer.wte.weight``)."""
    import transformers
    decay = set(transformers.Trainer.get_decay_parameter_names(None, model))
    # HF Trainer's optimizer groups hold only parameters that require gradients (a PEFT model's adapters).
    return [peft_name(n) for n, p in model.named_parameters() if n in decay and p.requires_grad]


def train_adamw(model: torch.nn.Module, batch: Batch, ref_logps: torch.Tensor, x: ref.LossInputs, lr: float,
                betas, eps: float, weight_decay: float, steps: int) -> list[float]:
    """``steps`` AdamW steps on the full batch with HF Trainer's two parameter groups (weight decay only on
    :func:`decay_parameter_names`); returns the loss of each step (before its update)."""
    decay = set(decay_parameter_names(model))
    named = [(peft_name(n), p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [{"params": [p for n, p in named if n in decay], "weight_decay": weight_decay},
              {"params": [p for n, p in named if n not in decay], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=lr, betas=tuple(betas), eps=eps)
    losses = []
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        s = sequence_stats(model, batch)
        loss = ref.compute(pair_batch(s.logps, s.token_counts, ref_logps), x).loss_tensor
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return losses


def named_parameters(model: torch.nn.Module) -> dict:
    """HF parameter names (tied weights once) of the trainable tensors -> float32 numpy copies (a PEFT model: its
    adapters, named as in the artifacts)."""
    return {peft_name(n): p.detach().float().numpy().copy() for n, p in model.named_parameters() if p.requires_grad}
