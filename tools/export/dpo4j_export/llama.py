"""Llama family (Touvron et al. 2023) written out plainly, with Hugging Face parameter names.

Pre-RMSNorm transformer with rotary position embeddings (Su et al. 2021, base ``rope_theta``),
grouped-query attention (``num_key_value_heads``), SwiGLU MLP (Shazeer 2020) and an optional
tied lm_head. Covers Llama / SmolLM (``model_type`` llama) and Qwen2 (bias on q/k/v).
"""

import math
from dataclasses import dataclass

import torch
from torch import nn

from .embedding import lookup
from .errors import ExportError
from .fused_ops import matmul_transposed, skip_rms_norm
from .masks import attention_bias, cached_attention_bias


@dataclass(frozen=True)
class LlamaConfig:
    vocab_size: int
    max_positions: int
    hidden_size: int
    intermediate_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    rms_norm_eps: float
    rope_theta: float
    qkv_bias: bool
    o_bias: bool
    mlp_bias: bool
    tie_word_embeddings: bool

    @staticmethod
    def from_hf(cfg: dict, path: str) -> "LlamaConfig":
        model_type = cfg["model_type"]
        act = cfg.get("hidden_act", "silu")
        if act != "silu":
            raise ExportError(f"{path}: hidden_act: expected 'silu', found {act!r}")
        if cfg.get("rope_scaling") is not None:
            raise ExportError(f"{path}: rope_scaling: expected null, found {cfg['rope_scaling']!r} (not supported)")
        if model_type == "qwen2" and cfg.get("use_sliding_window", False):
            raise ExportError(f"{path}: use_sliding_window: expected false, found true (not supported)")
        hidden, heads = int(cfg["hidden_size"]), int(cfg["num_attention_heads"])
        kv_heads = int(cfg.get("num_key_value_heads") or heads)
        if heads % kv_heads != 0:
            raise ExportError(f"{path}: num_attention_heads {heads} is not a multiple of num_key_value_heads {kv_heads}")
        head_dim = int(cfg.get("head_dim") or hidden // heads)
        attention_bias = bool(cfg.get("attention_bias", False))
        return LlamaConfig(
            vocab_size=int(cfg["vocab_size"]), max_positions=int(cfg["max_position_embeddings"]),
            hidden_size=hidden, intermediate_size=int(cfg["intermediate_size"]),
            num_layers=int(cfg["num_hidden_layers"]), num_heads=heads, num_kv_heads=kv_heads,
            head_dim=head_dim, rms_norm_eps=float(cfg.get("rms_norm_eps", 1e-6)),
            rope_theta=float(cfg.get("rope_theta", 10000.0)),
            qkv_bias=model_type == "qwen2" or attention_bias, o_bias=attention_bias,
            mlp_bias=bool(cfg.get("mlp_bias", False)),
            tie_word_embeddings=bool(cfg.get("tie_word_embeddings", False)))


class RmsNorm(nn.Module):
    """y = x / sqrt(mean(x^2) + eps) * w (Zhang & Sennrich 2019)."""

    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        var = (x * x).mean(dim=-1, keepdim=True)  # (N, T, 1)
        return self.weight * (x * torch.rsqrt(var + self.eps))  # (N, T, C)


def rope_tables(t: int, head_dim: int, theta: float, device) -> tuple:
    """cos, sin of shape (T, D): angle(p, i) = p * theta^(-2i/D), duplicated over both halves."""
    exponent = torch.arange(0, head_dim, 2, dtype=torch.int64, device=device).float() / head_dim  # (D/2)
    inv_freq = 1.0 / (theta ** exponent)  # (D/2)
    pos = torch.arange(t, dtype=torch.int64, device=device).float()  # (T)
    freqs = pos[:, None] * inv_freq[None, :]  # (T, D/2)
    angles = torch.cat([freqs, freqs], dim=-1)  # (T, D)
    return torch.cos(angles), torch.sin(angles)  # (T, D) each


def rope_tables_at(position_ids: torch.Tensor, head_dim: int, theta: float) -> tuple:
    """cos, sin of shape (N, 1, S, D) for explicit positions ``position_ids`` (N, S) (same angles as rope_tables)."""
    exponent = torch.arange(0, head_dim, 2, dtype=torch.int64, device=position_ids.device).float() / head_dim  # (D/2)
    inv_freq = 1.0 / (theta ** exponent)  # (D/2)
    freqs = position_ids.float()[:, :, None] * inv_freq[None, None, :]  # (N, S, D/2)
    angles = torch.cat([freqs, freqs], dim=-1)[:, None, :, :]  # (N, 1, S, D)
    return torch.cos(angles), torch.sin(angles)  # (N, 1, S, D) each


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)  # (N, H, T, D)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    return x * cos + rotate_half(x) * sin  # (N, H, T, D)


class Attention(nn.Module):
    def __init__(self, c: LlamaConfig):
        super().__init__()
        self.c = c
        self.q_proj = nn.Linear(c.hidden_size, c.num_heads * c.head_dim, bias=c.qkv_bias)
        self.k_proj = nn.Linear(c.hidden_size, c.num_kv_heads * c.head_dim, bias=c.qkv_bias)
        self.v_proj = nn.Linear(c.hidden_size, c.num_kv_heads * c.head_dim, bias=c.qkv_bias)
        self.o_proj = nn.Linear(c.num_heads * c.head_dim, c.hidden_size, bias=c.o_bias)

    def forward(self, x, bias, cos, sin, past=None):
        """Without ``past``: (N, T, C). With ``past`` = (key, value), each (N, KV, P, D) after RoPE, the new keys and
        values are appended and the result is ((N, T, C), (key, value) each (N, KV, P+T, D)); ``bias`` is then
        (N, 1, T, P+T) and cos / sin are (N, 1, T, D)."""
        c = self.c
        n, t, _ = x.shape
        rep = c.num_heads // c.num_kv_heads
        q = self.q_proj(x).reshape(n, t, c.num_heads, c.head_dim).transpose(1, 2)  # (N, H, T, D)
        k = self.k_proj(x).reshape(n, t, c.num_kv_heads, c.head_dim).transpose(1, 2)  # (N, KV, T, D)
        v = self.v_proj(x).reshape(n, t, c.num_kv_heads, c.head_dim).transpose(1, 2)  # (N, KV, T, D)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)  # (N, H, T, D), (N, KV, T, D)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)  # (N, KV, P+T, D)
            v = torch.cat([past[1], v], dim=2)  # (N, KV, P+T, D)
        present = (k, v)
        keys = t if past is None else k.shape[2]  # P+T
        if rep > 1:  # grouped-query attention: every KV head serves `rep` query heads
            k = k[:, :, None].expand(n, c.num_kv_heads, rep, keys, c.head_dim).reshape(n, c.num_heads, keys,
                                                                                      c.head_dim)  # (N, H, P+T, D)
            v = v[:, :, None].expand(n, c.num_kv_heads, rep, keys, c.head_dim).reshape(n, c.num_heads, keys,
                                                                                      c.head_dim)  # (N, H, P+T, D)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(c.head_dim) + bias  # (N, H, T, P+T)
        probs = torch.softmax(scores, dim=-1)  # (N, H, T, P+T)
        out = (probs @ v).transpose(1, 2).reshape(n, t, c.num_heads * c.head_dim)  # (N, T, H*D)
        out = self.o_proj(out)  # (N, T, C)
        return out if past is None else (out, present)


class Mlp(nn.Module):
    """SwiGLU: down(silu(gate(x)) * up(x))."""

    def __init__(self, c: LlamaConfig):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=c.mlp_bias)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=c.mlp_bias)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=c.mlp_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        g = self.gate_proj(x)  # (N, T, F)
        return self.down_proj(g * torch.sigmoid(g) * self.up_proj(x))  # (N, T, C)


class DecoderLayer(nn.Module):
    def __init__(self, c: LlamaConfig):
        super().__init__()
        self.input_layernorm = RmsNorm(c.hidden_size, c.rms_norm_eps)
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RmsNorm(c.hidden_size, c.rms_norm_eps)
        self.mlp = Mlp(c)

    def forward(self, x, bias, cos, sin, past=None):
        """(N, T, C); with ``past`` (see Attention) also the layer's present (key, value)."""
        if past is None:
            x = x + self.self_attn(self.input_layernorm(x), bias, cos, sin)  # (N, T, C)
            return x + self.mlp(self.post_attention_layernorm(x))  # (N, T, C)
        a, present = self.self_attn(self.input_layernorm(x), bias, cos, sin, past)  # (N, T, C), 2 x (N, KV, P+T, D)
        x = x + a  # (N, T, C)
        return x + self.mlp(self.post_attention_layernorm(x)), present  # (N, T, C)


class Backbone(nn.Module):
    def __init__(self, c: LlamaConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(c) for _ in range(c.num_layers)])
        self.norm = RmsNorm(c.hidden_size, c.rms_norm_eps)


class LlamaLM(nn.Module):
    """Llama-family language model; parameter names equal LlamaForCausalLM's (``model.*``, ``lm_head.*``)."""

    architecture = "llama"

    def __init__(self, c: LlamaConfig):
        super().__init__()
        self.config = c
        self.model = Backbone(c)
        if not c.tie_word_embeddings:
            self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """input_ids, attention_mask: (N, T) right padded. Returns logits (N, T, V)."""
        return self.head(self.hidden(input_ids, attention_mask))  # (N, T, V)

    def hidden(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """input_ids, attention_mask: (N, T) right padded. Returns the final hidden states (N, T, C) (after norm)."""
        c = self.config
        x = lookup(self.model.embed_tokens.weight, input_ids)  # (N, T, C)
        cos, sin = rope_tables(input_ids.shape[1], c.head_dim, c.rope_theta, input_ids.device)  # (T, D)
        bias = attention_bias(attention_mask, x.dtype)  # (N, 1, T, T)
        for layer in self.model.layers:
            x = layer(x, bias, cos, sin)  # (N, T, C)
        return self.model.norm(x)  # (N, T, C)

    def hidden_packed(self, input_ids: torch.Tensor, bias: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        """Final hidden states (B, L, C) of packed rows (shared_prompt.py): input_ids, positions (B, L), attention bias
        (B, 1, L, L)."""
        c = self.config
        x = lookup(self.model.embed_tokens.weight, input_ids)  # (B, L, C)
        cos, sin = rope_tables_at(positions, c.head_dim, c.rope_theta)  # (B, 1, L, D)
        for layer in self.model.layers:
            x = layer(x, bias, cos, sin)  # (B, L, C)
        return self.model.norm(x)  # (B, L, C)

    def head(self, x: torch.Tensor) -> torch.Tensor:
        """The LM head on hidden states (..., C): logits (..., V); lm_head, or the token embedding when tied."""
        c = self.config
        weight = self.model.embed_tokens.weight if c.tie_word_embeddings else self.lm_head.weight  # (V, C)
        return x @ weight.t()  # (..., V)

    def forward_cached(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor,
                       past: list) -> tuple:
        """KV-cache step. input_ids, position_ids: (N, S) new positions; attention_mask: (N, P+S) past + new (either
        padding side); past: per layer (key, value), each (N, KV, P, D) (keys after RoPE), P may be 0.

        Returns logits (N, S, V) and per layer the present (key, value), each (N, KV, P+S, D).
        """
        c = self.config
        x = self.model.embed_tokens.weight[input_ids]  # (N, S, C) one Gather: this graph is never differentiated
        cos, sin = rope_tables_at(position_ids, c.head_dim, c.rope_theta)  # (N, 1, S, D)
        bias = cached_attention_bias(attention_mask, input_ids.shape[1], x.dtype)  # (N, 1, S, P+S)
        layers = self.model.layers
        h = layers[0].input_layernorm(x)  # (N, S, C)
        presents = []
        for i, (layer, layer_past) in enumerate(zip(layers, past)):
            a, present = layer.self_attn(h, bias, cos, sin, layer_past)  # (N, S, C), 2 x (N, KV, P+S, D)
            h, x = skip_rms_norm(x, a, layer.post_attention_layernorm)  # 2 x (N, S, C): one fused node
            following = layers[i + 1].input_layernorm if i + 1 < len(layers) else self.model.norm
            h, x = skip_rms_norm(x, layer.mlp(h), following)  # 2 x (N, S, C)
            presents.append(present)
        head = self.model.embed_tokens.weight if c.tie_word_embeddings else self.lm_head.weight  # (V, C)
        return matmul_transposed(h, head), presents  # (N, S, V) one FusedMatMul (transB), no Transpose node

    @property
    def kv_heads(self) -> int:
        return self.config.num_kv_heads

    @property
    def head_dim(self) -> int:
        return self.config.head_dim

    def hf_key(self, name: str) -> str:
        return name if name.startswith(("model.", "lm_head.")) else "model." + name

    def ignored_key(self, name: str) -> bool:
        return name.endswith("rotary_emb.inv_freq") or (self.config.tie_word_embeddings and name == "lm_head.weight")

    @property
    def vocab_size(self) -> int:
        return self.config.vocab_size

    @property
    def max_positions(self) -> int:
        return self.config.max_positions

    @property
    def hidden_size(self) -> int:
        return self.config.hidden_size

    @property
    def num_layers(self) -> int:
        return self.config.num_layers
