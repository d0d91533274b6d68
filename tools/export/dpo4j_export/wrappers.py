"""The three exported graphs' forward functions (names, order and shapes of tools/CONTRACT.md)."""

import torch
from torch import nn

from . import dpo_loss

TRAIN_INPUTS = ("input_ids", "attention_mask", "completion_mask", "ref_logps", "pref_prob", "pair_weight",
                "loss_mix", "beta", "label_smoothing", "length_alpha", "simpo_gamma", "rpo_alpha", "length_target",
                "length_lambda")
TRAIN_OUTPUTS = ("loss", "logps", "token_counts", "logits_sum", "pair_losses")
REFERENCE_INPUTS = ("input_ids", "attention_mask", "completion_mask")
REFERENCE_OUTPUTS = ("logps", "token_counts", "logits_sum")
INFERENCE_INPUTS = ("input_ids", "attention_mask")
INFERENCE_OUTPUTS = ("logits",)

LOSS_INPUT_DEFAULTS = {
    "pref_prob": 1.0, "pair_weight": 1.0, "loss_mix": [1.0, 0.0, 0.0, 0.0, 0.0], "beta": 0.1,
    "label_smoothing": 0.0, "length_alpha": 0.0, "simpo_gamma": 0.5, "rpo_alpha": 0.0, "length_target": 0.0,
    "length_lambda": 0.0,
}

# Symbolic dimension of every graph input / output (shapes in CONTRACT.md).
DIMS = {
    "input_ids": ("N", "T"), "attention_mask": ("N", "T"), "completion_mask": ("N", "T"), "ref_logps": ("N",),
    "pref_prob": ("B",), "pair_weight": ("B",), "loss_mix": (len(dpo_loss.VARIANTS),), "beta": (1,),
    "label_smoothing": (1,), "length_alpha": (1,), "simpo_gamma": (1,), "rpo_alpha": (1,), "length_target": (1,),
    "length_lambda": (1,),
    "loss": (), "logps": ("N",), "token_counts": ("N",), "logits_sum": ("N",), "pair_losses": ("B",),
    "logits": ("N", "T", "V"),
}


def sequence_stats(hidden: torch.Tensor, head, input_ids: torch.Tensor, completion_mask: torch.Tensor) -> tuple:
    """Summed completion log-probs, completion token counts and completion logits sums, each (N).

    ``hidden`` (N, T, C) are the final hidden states, ``head`` the LM head (hidden (..., C) -> logits (..., V)). The
    log-prob of token t is read from the logits at position t-1, so position 0 never counts: the targets and the mask
    are shifted one position left (position t scores token t+1; the last position has mask 0). Only the K scored
    positions (shifted mask 1), plus one dummy position, go through the head: their hidden rows are gathered into
    (K+1, C), the head gives (K+1, V), and the log-prob is ``logit[id] - logsumexp(logit)`` (GatherElements +
    ReduceLogSumExp; no log-softmax is materialised). Prompt and padding positions never reach the head, forward or
    backward. The per-position values are gathered back to (N, T) (the dummy's at every unscored position, masked to
    0) and summed per row as before the head was restricted, so a row's sums do not depend on the other rows of the
    batch or on its padding (bit for bit); K = 0 gives zeros.
    """
    n, t = input_ids.shape
    c = hidden.shape[-1]
    target = torch.cat([input_ids[:, 1:], input_ids[:, :1]], dim=1)  # (N, T) last column: any valid id, masked
    mask = torch.cat([completion_mask[:, 1:], torch.zeros_like(completion_mask[:, :1])], dim=1)  # (N, T)
    flat = mask.reshape(-1)  # (N*T)
    scored = torch.nonzero(flat)[:, 0]  # (K) flat positions n*T + t, row-major
    # Slot 0 is a dummy (flat position 0, never summed): it keeps every tensor below non-empty. With K = 0 (no scored
    # position in the batch) ORT 1.19's training graph fails in the target gather's gradient ("GatherElementsGrad ...
    # Indices vs dY dimensions differs at position=1 1 vs V").
    idx = torch.cat([torch.zeros(1, dtype=scored.dtype, device=scored.device), scored])  # (K+1)
    slot = torch.cumsum(flat, 0) * flat  # (N*T) slot of each scored position (1..K), 0 (the dummy) elsewhere
    picked = target.reshape(-1)[idx]  # (K+1) token scored at each slot
    # GatherElements, not Gather: its CPU gradient is deterministic (see embedding.lookup). No Reshape of a (.., K, ..)
    # shape: ONNX Reshape reads a 0 in the target shape as "copy this dimension".
    h = torch.gather(hidden.reshape(n * t, c), 0, idx[:, None].expand(-1, c))  # (K+1, C)
    logits = head(h)  # (K+1, V)
    target_logit = torch.gather(logits, 1, picked[:, None])  # (K+1, 1)
    # keepdim: ORT 1.19's ReduceLogSumExp gradient builder emits an opset-13+-invalid Unsqueeze when keepdims=0.
    lse = torch.logsumexp(logits, dim=-1, keepdim=True)  # (K+1, 1)
    maskf = mask.to(hidden.dtype)  # (N, T)
    per_token = torch.gather((target_logit - lse)[:, 0], 0, slot).reshape(n, t)  # (N, T)
    per_logits = torch.gather(logits.sum(dim=-1), 0, slot).reshape(n, t)  # (N, T)
    logps = (per_token * maskf).sum(dim=-1)  # (N)
    token_counts = maskf.sum(dim=-1)  # (N)
    logits_sum = (per_logits * maskf).sum(dim=-1)  # (N)
    return logps, token_counts, logits_sum


class _Graph(nn.Module):
    """Holds the language model so that exported parameter names stay the HF names (no wrapper prefix)."""

    def __init__(self, lm: nn.Module):
        super().__init__()
        object.__setattr__(self, "lm", lm)  # not registered as a child ...
        for name, child in lm.named_children():
            self.add_module(name, child)  # ... its children are, under their own names


class TrainGraph(_Graph):
    """training_model / eval_model forward: policy statistics + the mixed DPO-family loss."""

    def forward(self, input_ids, attention_mask, completion_mask, ref_logps, pref_prob, pair_weight, loss_mix,
                beta, label_smoothing, length_alpha, simpo_gamma, rpo_alpha, length_target, length_lambda):
        hidden = self.lm.hidden(input_ids, attention_mask)  # (N, T, C)
        stats = sequence_stats(hidden, self.lm.head, input_ids, completion_mask)  # 3 x (N)
        return train_outputs(stats, ref_logps, pref_prob, pair_weight, loss_mix, beta, label_smoothing, length_alpha,
                             simpo_gamma, rpo_alpha, length_target, length_lambda)


def train_outputs(stats: tuple, ref_logps, pref_prob, pair_weight, *loss_args) -> tuple:
    """The five training-graph outputs (TRAIN_OUTPUTS) from the policy's (logps, token_counts, logits_sum), each (N)
    with chosen rows then rejected rows; ``loss_args`` are loss_mix .. length_lambda in TRAIN_INPUTS order."""
    logps, token_counts, logits_sum = stats
    lp = logps.reshape(2, -1)  # (2, B) rows: chosen, rejected
    ref = ref_logps.reshape(2, -1)  # (2, B)
    cnt = token_counts.reshape(2, -1)  # (2, B)
    pair = dpo_loss.pair_losses(lp[0], lp[1], ref[0], ref[1], cnt[0], cnt[1], pref_prob, *loss_args)  # (B)
    loss = (pair_weight * pair).mean()  # ()
    return loss, logps, token_counts, logits_sum, pair


class ReferenceGraph(_Graph):
    """reference_model forward: sequence log-prob statistics only."""

    def forward(self, input_ids, attention_mask, completion_mask):
        hidden = self.lm.hidden(input_ids, attention_mask)  # (N, T, C)
        return sequence_stats(hidden, self.lm.head, input_ids, completion_mask)


class InferenceGraph(_Graph):
    """inference_model forward: next-token logits (no KV cache)."""

    def forward(self, input_ids, attention_mask):
        return self.lm(input_ids, attention_mask)  # (N, T, V)


def example_inputs(vocab_size: int, pairs: int = 2, t: int = 8) -> dict:
    """Deterministic example batch used to trace the graphs (values do not matter, only dtypes/ranks)."""
    g = torch.Generator().manual_seed(0)
    n = 2 * pairs
    ids = torch.randint(0, vocab_size, (n, t), generator=g)  # (N, T)
    attn = torch.ones(n, t, dtype=torch.int64)  # (N, T)
    attn[:, -2:] = 0
    comp = torch.zeros(n, t, dtype=torch.int64)  # (N, T)
    comp[:, 3:-2] = 1
    d = LOSS_INPUT_DEFAULTS
    return {
        "input_ids": ids, "attention_mask": attn, "completion_mask": comp,
        "ref_logps": torch.zeros(n),  # (N)
        "pref_prob": torch.full((pairs,), d["pref_prob"]), "pair_weight": torch.full((pairs,), d["pair_weight"]),
        "loss_mix": torch.tensor(d["loss_mix"]), "beta": torch.tensor([d["beta"]]),
        "label_smoothing": torch.tensor([d["label_smoothing"]]), "length_alpha": torch.tensor([d["length_alpha"]]),
        "simpo_gamma": torch.tensor([d["simpo_gamma"]]), "rpo_alpha": torch.tensor([d["rpo_alpha"]]),
        "length_target": torch.tensor([d["length_target"]]), "length_lambda": torch.tensor([d["length_lambda"]]),
    }
