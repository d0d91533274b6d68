"""Shared-prompt training graph: each pair's prompt runs through the model once, not once per completion.

A pair's chosen and rejected sequences start with the same prompt, and under causal attention the prompt's hidden
states do not depend on what follows, so the unpacked layout (tools/CONTRACT.md: 2B rows, chosen then rejected)
computes every prompt twice. Here a pair is one row of ``L`` tokens (prefix sharing, Wang et al. 2024,
"Accelerating Direct Preference Optimization with Prefix Sharing", Fig. 1)::

    [ shared prompt (S) | rest of chosen | rest of rejected | padding ]

and ``segment_ids`` (B, L) says which part each position belongs to (``PAD``, ``PROMPT``, ``CHOSEN``,
``REJECTED``). Attention is causal within the row, except that a token of one completion never sees the other
completion: a query attends a key when the key is real, not later than the query, and either in the shared prompt or
in the query's own segment. Positions restart for the rejected part (position = number of keys the token sees,
minus 1), so every token sees exactly the keys and positions it has in its unpacked sequence, and the per-sequence
statistics are those of :func:`wrappers.sequence_stats` up to float rounding (the attention sums run over extra keys
whose weight is exactly 0). A token is scored from the hidden state of the previous token *it sees* (``prev``): the
first chosen and the first rejected token are both scored from the prompt's last position.

The outputs keep the unpacked order and meaning (``logps`` etc. (N = 2B): chosen rows, then rejected rows), so the
loss, the metrics and the reference log-probs are unchanged. The Java side packs batches the same way
(io.dpo4j.train.SharedPromptRows); :func:`pack` is this module's own packing, for verification and tests.
"""

import torch

from . import wrappers
from .masks import MASKED

PAD, PROMPT, CHOSEN, REJECTED = 0, 1, 2, 3  # segment ids: padding, shared prompt, rest of chosen, rest of rejected

TRAIN_INPUTS = tuple("segment_ids" if n == "attention_mask" else n for n in wrappers.TRAIN_INPUTS)
DIMS = {**wrappers.DIMS, "input_ids": ("B", "L"), "segment_ids": ("B", "L"), "completion_mask": ("B", "L")}


def layout(segment_ids: torch.Tensor, dtype: torch.dtype) -> tuple:
    """Attention bias (B, 1, L, L), position ids (B, L) and the scoring source ``prev`` (B, L) of a packed batch.

    ``keep[b, t, s]``: query t may attend key s (s <= t, key real, key in the shared prompt or in t's segment).
    position(t) = #keys t keeps - 1; prev(t) = the latest key before t that t keeps (0 when none: never scored,
    since a sequence's first token is never a completion token).
    """
    seg = segment_ids
    idx = torch.arange(seg.shape[1], device=seg.device)  # (L)
    key = seg[:, None, :]  # (B, 1, L)
    query = seg[:, :, None]  # (B, L, 1)
    visible = torch.logical_and(key > PAD, torch.logical_or(key == PROMPT, key == query))  # (B, L, L)
    keep = torch.logical_and(visible, (idx[None, :] <= idx[:, None])[None])  # (B, L, L) [query, key]
    positions = torch.clamp(keep.to(torch.int64).sum(dim=-1) - 1, min=0)  # (B, L)
    earlier = torch.logical_and(keep, (idx[None, :] < idx[:, None])[None])  # (B, L, L)
    prev = (earlier.to(torch.int64) * idx[None, None, :]).amax(dim=-1)  # (B, L)
    bias = ((1.0 - keep.to(dtype)) * MASKED)[:, None, :, :]  # (B, 1, L, L)
    return bias, positions, prev


def sequence_stats(hidden, head, input_ids, completion_mask, segment_ids, prev) -> tuple:
    """Summed completion log-probs, completion token counts and completion logits sums, each (N = 2B): chosen rows
    then rejected rows, as :func:`wrappers.sequence_stats` returns them for the unpacked batch.

    Token t (``completion_mask`` 1) is scored from the hidden state at ``prev[t]``; only the K scored tokens plus
    one dummy go through the head (the same gathers as the unpacked graph, whose comments say why these ops).
    """
    b, l = input_ids.shape
    c = hidden.shape[-1]
    flat = completion_mask.reshape(-1)  # (B*L)
    scored = torch.nonzero(flat)[:, 0]  # (K) flat index b*L + t of each scored token, row-major
    row_start = torch.arange(b, device=input_ids.device)[:, None] * l  # (B, 1)
    source = (prev + row_start).reshape(-1)  # (B*L) flat hidden row that scores each token
    zero = torch.zeros(1, dtype=scored.dtype, device=scored.device)
    rows = torch.cat([zero, torch.gather(source, 0, scored)])  # (K+1) slot 0: the dummy
    picked = torch.gather(input_ids.reshape(-1), 0, torch.cat([zero, scored]))  # (K+1) token scored at each slot
    slot = torch.cumsum(flat, 0) * flat  # (B*L) slot of each scored token (1..K), 0 (the dummy) elsewhere
    h = torch.gather(hidden.reshape(b * l, c), 0, rows[:, None].expand(-1, c))  # (K+1, C)
    logits = head(h)  # (K+1, V)
    target_logit = torch.gather(logits, 1, picked[:, None])  # (K+1, 1)
    lse = torch.logsumexp(logits, dim=-1, keepdim=True)  # (K+1, 1)
    per_token = torch.gather((target_logit - lse)[:, 0], 0, slot).reshape(b, l)  # (B, L)
    per_logits = torch.gather(logits.sum(dim=-1), 0, slot).reshape(b, l)  # (B, L)
    maskf = completion_mask.to(hidden.dtype)  # (B, L)
    sides = torch.stack([maskf * (segment_ids == CHOSEN).to(hidden.dtype),
                         maskf * (segment_ids == REJECTED).to(hidden.dtype)])  # (2, B, L)
    logps = (per_token[None] * sides).sum(dim=-1).reshape(-1)  # (2B)
    token_counts = sides.sum(dim=-1).reshape(-1)  # (2B)
    logits_sum = (per_logits[None] * sides).sum(dim=-1).reshape(-1)  # (2B)
    return logps, token_counts, logits_sum


class TrainGraph(wrappers._Graph):
    """training_model / eval_model forward on packed pairs: the loss and outputs of :class:`wrappers.TrainGraph`."""

    def forward(self, input_ids, segment_ids, completion_mask, ref_logps, pref_prob, pair_weight, loss_mix,
                beta, label_smoothing, length_alpha, simpo_gamma, rpo_alpha, length_target, length_lambda):
        bias, positions, prev = layout(segment_ids, next(self.lm.parameters()).dtype)  # (B, 1, L, L), (B, L), (B, L)
        hidden = self.lm.hidden_packed(input_ids, bias, positions)  # (B, L, C)
        stats = sequence_stats(hidden, self.lm.head, input_ids, completion_mask, segment_ids, prev)  # 3 x (N)
        return wrappers.train_outputs(stats, ref_logps, pref_prob, pair_weight, loss_mix, beta, label_smoothing,
                                      length_alpha, simpo_gamma, rpo_alpha, length_target, length_lambda)


def shared_prefix(ids_c, mask_c, comp_c, ids_r, mask_r, comp_r) -> int:
    """S: the longest common prefix of the two rows' tokens that is real and before either completion."""
    limit = min(int(mask_c.sum()), int(mask_r.sum()))
    s = 0
    while s < limit and comp_c[s] == 0 and comp_r[s] == 0 and ids_c[s] == ids_r[s]:
        s += 1
    return s


def pack(input_ids: torch.Tensor, attention_mask: torch.Tensor, completion_mask: torch.Tensor) -> dict:
    """Packs an unpacked batch ((N, T) each, right padded) into ``input_ids``, ``segment_ids``, ``completion_mask``
    of shape (B, L), L the longest packed row; padding ids are 0."""
    n = input_ids.shape[0]
    b = n // 2
    rows = []
    for p in range(b):
        c, r = p, b + p
        s = shared_prefix(input_ids[c], attention_mask[c], completion_mask[c],
                          input_ids[r], attention_mask[r], completion_mask[r])
        len_c, len_r = int(attention_mask[c].sum()), int(attention_mask[r].sum())
        ids = torch.cat([input_ids[c, :len_c], input_ids[r, s:len_r]])
        seg = torch.tensor([PROMPT] * s + [CHOSEN] * (len_c - s) + [REJECTED] * (len_r - s), dtype=torch.int64)
        comp = torch.cat([completion_mask[c, :len_c], completion_mask[r, s:len_r]])
        rows.append((ids, seg, comp))
    width = max(len(ids) for ids, _, _ in rows)
    out = {k: torch.zeros(b, width, dtype=torch.int64) for k in ("input_ids", "segment_ids", "completion_mask")}
    for p, (ids, seg, comp) in enumerate(rows):
        out["input_ids"][p, :len(ids)] = ids
        out["segment_ids"][p, :len(ids)] = seg
        out["completion_mask"][p, :len(ids)] = comp
    return out


def example_inputs(vocab_size: int, pairs: int = 2, t: int = 8) -> tuple:
    """(packed, unpacked): :func:`wrappers.example_inputs` with each rejected row's prompt made equal to its chosen
    row's, as the packed training-graph inputs and as the unpacked batch."""
    ex = wrappers.example_inputs(vocab_size, pairs, t)
    ids = ex["input_ids"].clone()  # (N, T)
    first = int(ex["completion_mask"][0].nonzero()[0])
    ids[pairs:, :first] = ids[:pairs, :first]
    ex["input_ids"] = ids
    unpacked = dict(ex)
    ex.update(pack(ids, ex["attention_mask"], ex["completion_mask"]))
    del ex["attention_mask"]
    return ex, unpacked
