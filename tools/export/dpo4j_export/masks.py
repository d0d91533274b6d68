"""Additive attention bias shared by both architectures (causal + right-padding mask)."""

import torch

# Finite "minus infinity": exp(x - max) underflows to exactly 0 in float32, and adding two of
# them (causal + padding) cannot overflow to -inf, so fully padded rows stay finite.
MASKED = -1e9


def attention_bias(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Returns (N, 1, T, T): 0 where query t may attend key s (s <= t and key s is real), else MASKED."""
    t = attention_mask.shape[1]
    pos = torch.arange(t, device=attention_mask.device)  # (T)
    causal = pos[None, :] <= pos[:, None]  # (T, T) key <= query
    real_key = attention_mask[:, None, None, :] > 0  # (N, 1, 1, T)
    keep = torch.logical_and(causal[None, None, :, :], real_key)  # (N, 1, T, T)
    return (1.0 - keep.to(dtype)) * MASKED  # (N, 1, T, T)


def cached_attention_bias(attention_mask: torch.Tensor, new: int, dtype: torch.dtype) -> torch.Tensor:
    """Bias of ``new`` queries appended after a KV cache: (N, 1, S, P+S) with S = ``new``.

    ``attention_mask`` (N, P+S) covers past and new keys (0 = padding, on either side). Query i sits at index P+i of
    the key axis; it may attend key j when j <= P+i and key j is real, else the bias is MASKED.
    """
    total = attention_mask.shape[1]
    key = torch.arange(total, device=attention_mask.device)  # (P+S)
    query = key[total - new:]  # (S) absolute index of each new position
    causal = key[None, :] <= query[:, None]  # (S, P+S)
    real_key = attention_mask[:, None, None, :] > 0  # (N, 1, 1, P+S)
    keep = torch.logical_and(causal[None, None, :, :], real_key)  # (N, 1, S, P+S)
    return (1.0 - keep.to(dtype)) * MASKED  # (N, 1, S, P+S)
