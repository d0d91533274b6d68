"""GPT-2's KV-cache step (``Gpt2LM.forward_cached``) written for a small exported graph.

The same arithmetic as ``Gpt2LM.forward`` over a cache, arranged so that inference_kv_model.onnx has few nodes (per
layer: ``LayerNormalization`` or ``SkipLayerNormalization``, the QKV ``MatMul`` and its ``Split``, one
``MultiHeadAttention``, the output ``MatMul``, ``SkipLayerNormalization`` (bias + residual + ln_2), the MLP's two
``MatMul``s and ``FastGelu``; the LM head one ``FusedMatMul``; see fused_ops.py): the token and position embeddings are plain ``Gather``s (this graph is
never differentiated, so embedding.lookup's deterministic gradient is not needed), every bias that ORT's kernels
accept as an input is handed to them, and each residual ``Add`` is fused with the LayerNorm after it.
"""

import torch

from .fused_ops import cached_attention, matmul_transposed, skip_layer_norm


def forward_cached(lm, input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor,
                   past: list) -> tuple:
    """See ``Gpt2LM.forward_cached``: logits (N, S, V) and per layer (key, value), each (N, H, P+S, D)."""
    tr = lm.transformer
    c = lm.config.n_embd
    x = tr.wte.weight[input_ids] + tr.wpe.weight[position_ids]  # (N, S, C)
    mask = attention_mask.to(torch.int32)  # (N, P+S), cast once for every layer
    h = tr.h[0].ln_1(x)  # (N, S, C)
    presents = []
    for i, (block, layer_past) in enumerate(zip(tr.h, past)):
        attn, mlp = block.attn, block.mlp
        q, k, v = (h @ attn.c_attn.weight).split(c, dim=-1)  # 3 x (N, S, C), bias added inside the attention
        a, present = cached_attention(q, k, v, attn.c_attn.bias, mask, layer_past, attn.n_head,
                                      attn.head_dim)  # (N, S, C)
        h, x = skip_layer_norm(x, a @ attn.c_proj.weight, attn.c_proj.bias, block.ln_2)  # 2 x (N, S, C)
        m = mlp.c_fc(h)  # (N, S, F); ORT folds the bias into FastGelu
        following = tr.h[i + 1].ln_1 if i + 1 < len(tr.h) else tr.ln_f
        h, x = skip_layer_norm(x, gelu(m) @ mlp.c_proj.weight, mlp.c_proj.bias, following)  # 2 x (N, S, C)
        presents.append(present)
    return matmul_transposed(h, tr.wte.weight), presents  # (N, S, V) tied lm_head


def gelu(x: torch.Tensor) -> torch.Tensor:
    from .gpt2 import gelu_new  # gpt2 imports this module
    return gelu_new(x)  # (N, S, F)
