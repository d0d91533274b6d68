"""ONNX Runtime contrib ops (``com.microsoft``) for the inference graph with a KV cache (inference_kv_model.onnx).

Written out, a cached GPT-2 layer is ~50 ONNX nodes after ORT's own optimisations (head split/merge reshapes and
transposes, the cache ``Concat``s, the causal + padding bias and its shape arithmetic for dynamic N, P, S, bias and
residual ``Add``s); at small widths a generation step is bound by ORT's per-node cost. Each function here runs the
plain math eagerly (so the torch tests of ``forward_cached`` see the same numbers as before) and exports as one node:

- :class:`CachedMultiHeadAttention` -> ``MultiHeadAttention`` (ORT contrib op; CPU kernel with ``past_key`` /
  ``past_value`` and ``unidirectional`` in ORT 1.19, which tools/ uses, and 1.24, which dpo4j's Java side uses). It
  takes the projected (N, S, C) query/key/value and their bias, the (N, P+S) key padding mask and the (N, H, P, D) past
  key/value, appends the new keys/values to the past (its ``present`` outputs, (N, H, P+S, D): tools/CONTRACT.md's
  cache layout) and masks causally with the new positions after the past: query ``j`` sees key ``k`` when
  ``k <= P+j`` and the key is real, as :func:`masks.cached_attention_bias`. Rows with no real key (padding queries)
  differ from the eager math (ORT adds a finite ``mask_filter_value`` where the eager math adds -1e9): those are
  padding positions, whose outputs nothing reads.
- :class:`SkipLayerNorm` -> ``SkipLayerNormalization``: ``LayerNorm(x + skip + bias)`` and the sum itself (the next
  residual), in place of two ``Add``s and a ``LayerNormalization``.
- :class:`SkipRmsNorm` -> ``SkipSimplifiedLayerNormalization``: the same for RMSNorm (Llama, Qwen2), in place of
  the residual ``Add`` and the six nodes RMSNorm is written out as.
- :class:`MatMulTransposedB` -> ``FusedMatMul`` with ``transB``: the tied LM head ``x @ wte^T`` without a
  ``Transpose`` node. ORT folds that transpose into a second (V, C) copy of the embedding at load, and does not when
  its optimisations are off (trained weights passed as initializer overrides), where it then transposed the whole
  embedding at every step.
"""

import math

import torch
from torch.nn import functional as F
from torch.onnx import symbolic_helper

from .masks import cached_attention_bias


def _split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    n, s, c = x.shape
    return x.reshape(n, s, heads, c // heads).transpose(1, 2)  # (N, H, S, D)


class CachedMultiHeadAttention(torch.autograd.Function):
    """(q, k, v (N, S, C) without bias, bias (3C), mask (N, P+S) int32, past key/value (N, H, P, D), heads, head_dim)
    -> (out (N, S, C), present key, present value (N, H, P+S, D)). Eager: the plain math; exported: one node."""

    @staticmethod
    def forward(ctx, q, k, v, bias, mask, past_key, past_value, heads: int, head_dim: int):
        c = heads * head_dim
        q = _split_heads(q + bias[:c], heads)  # (N, H, S, D)
        key = torch.cat([past_key, _split_heads(k + bias[c:2 * c], heads)], dim=2)  # (N, H, P+S, D)
        value = torch.cat([past_value, _split_heads(v + bias[2 * c:], heads)], dim=2)  # (N, H, P+S, D)
        scores = (q @ key.transpose(-1, -2)) / math.sqrt(head_dim)  # (N, H, S, P+S)
        scores = scores + cached_attention_bias(mask, q.shape[2], q.dtype)  # (N, H, S, P+S)
        out = torch.softmax(scores, dim=-1) @ value  # (N, H, S, D)
        n, _, s, _ = out.shape
        return out.transpose(1, 2).reshape(n, s, c), key, value  # (N, S, C), 2 x (N, H, P+S, D)

    @staticmethod
    def symbolic(g, q, k, v, bias, mask, past_key, past_value, heads: int, head_dim: int):
        none = symbolic_helper._optional_input_placeholder_tensor(g)
        out, key, value = g.op("com.microsoft::MultiHeadAttention", q, k, v, bias, mask, none, past_key, past_value,
                               num_heads_i=heads, unidirectional_i=1, outputs=3)
        out.setType(q.type())
        key.setType(past_key.type().with_sizes([None, heads, None, head_dim]))
        value.setType(past_value.type().with_sizes([None, heads, None, head_dim]))
        return out, key, value


def cached_attention(q, k, v, bias, mask, past: tuple, heads: int, head_dim: int) -> tuple:
    """See :class:`CachedMultiHeadAttention`; ``mask`` is the int32 (N, P+S) attention mask, ``past`` (key, value);
    ``heads`` and ``head_dim`` are Python ints (they become attributes and fixed dimensions of the graph)."""
    out, key, value = CachedMultiHeadAttention.apply(q, k, v, bias, mask, past[0], past[1], heads, head_dim)
    return out, (key, value)  # (N, S, C), 2 x (N, H, P+S, D)


class SkipLayerNorm(torch.autograd.Function):
    """(x, skip, bias, weight, ln_bias, eps) -> (LayerNorm(x + skip + bias), x + skip + bias), each (N, S, C)."""

    @staticmethod
    def forward(ctx, x, skip, bias, weight, ln_bias, eps: float):
        total = x + skip + bias  # (N, S, C)
        return F.layer_norm(total, (total.shape[-1],), weight, ln_bias, eps), total  # 2 x (N, S, C)

    @staticmethod
    def symbolic(g, x, skip, bias, weight, ln_bias, eps: float):
        out, _, _, total = g.op("com.microsoft::SkipLayerNormalization", x, skip, weight, ln_bias, bias,
                                epsilon_f=eps, outputs=4)
        out.setType(x.type())
        total.setType(x.type())
        return out, total


def skip_layer_norm(x, skip, bias, norm: torch.nn.LayerNorm) -> tuple:
    """``norm(x + skip + bias)`` and the sum (the next residual stream), each (N, S, C); one node when exported."""
    return SkipLayerNorm.apply(x, skip, bias, norm.weight, norm.bias, norm.eps)


class SkipRmsNorm(torch.autograd.Function):
    """(x, skip, weight, eps) -> (weight * t / sqrt(mean(t^2) + eps), t) with t = x + skip, each (N, S, C)."""

    @staticmethod
    def forward(ctx, x, skip, weight, eps: float):
        total = x + skip  # (N, S, C)
        var = (total * total).mean(dim=-1, keepdim=True)  # (N, S, 1)
        return weight * (total * torch.rsqrt(var + eps)), total  # 2 x (N, S, C)

    @staticmethod
    def symbolic(g, x, skip, weight, eps: float):
        out, _, _, total = g.op("com.microsoft::SkipSimplifiedLayerNormalization", x, skip, weight, epsilon_f=eps,
                                outputs=4)
        out.setType(x.type())
        total.setType(x.type())
        return out, total


def skip_rms_norm(x, skip, norm: torch.nn.Module) -> tuple:
    """``norm(x + skip)`` for an RMSNorm module (``weight``, ``eps``) and the sum, each (N, S, C); one node."""
    return SkipRmsNorm.apply(x, skip, norm.weight, norm.eps)


class MatMulTransposedB(torch.autograd.Function):
    """(x (..., C), w (V, C)) -> x @ w^T (..., V)."""

    @staticmethod
    def forward(ctx, x, w):
        return x @ w.t()  # (..., V)

    @staticmethod
    def symbolic(g, x, w):
        out = g.op("com.microsoft::FusedMatMul", x, w, transB_i=1, alpha_f=1.0)
        out.setType(x.type().with_sizes(None) if x.type().sizes() is None else x.type())
        return out


def matmul_transposed(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """``x @ w.T``; one ``FusedMatMul`` (transB) when exported."""
    return MatMulTransposedB.apply(x, w)  # (..., V)
