"""GPT-2 (Radford et al. 2019) written out plainly, with Hugging Face parameter names.

Pre-LayerNorm transformer: learned absolute positions, fused QKV projection stored as a
"Conv1D" (weight shape (in, out), y = x @ W + b), gelu_new MLP, final LayerNorm and an
lm_head tied to the token embedding.
"""

import math
from dataclasses import dataclass

import torch
from torch import nn

from .embedding import lookup
from .errors import ExportError
from . import gpt2_kv
from .masks import attention_bias


@dataclass(frozen=True)
class Gpt2Config:
    vocab_size: int
    n_positions: int
    n_embd: int
    n_layer: int
    n_head: int
    n_inner: int
    layer_norm_epsilon: float

    @staticmethod
    def from_hf(cfg: dict, path: str) -> "Gpt2Config":
        act = cfg.get("activation_function", "gelu_new")
        if act != "gelu_new":
            raise ExportError(f"{path}: activation_function: expected 'gelu_new', found {act!r}")
        for flag, want in (("scale_attn_weights", True), ("scale_attn_by_inverse_layer_idx", False),
                           ("reorder_and_upcast_attn", False)):
            if cfg.get(flag, want) != want:
                raise ExportError(f"{path}: {flag}: expected {want}, found {cfg.get(flag)!r}")
        if cfg.get("tie_word_embeddings", True) is not True:
            raise ExportError(f"{path}: tie_word_embeddings: expected true for gpt2, found false")
        n_embd = int(cfg["n_embd"])
        if n_embd % int(cfg["n_head"]) != 0:
            raise ExportError(f"{path}: n_embd {n_embd} is not divisible by n_head {cfg['n_head']}")
        return Gpt2Config(int(cfg["vocab_size"]), int(cfg["n_positions"]), n_embd, int(cfg["n_layer"]),
                          int(cfg["n_head"]), int(cfg.get("n_inner") or 4 * n_embd),
                          float(cfg.get("layer_norm_epsilon", 1e-5)))


class Conv1D(nn.Module):
    """GPT-2's linear layer: weight stored transposed, shape (in_features, out_features)."""

    def __init__(self, n_in: int, n_out: int):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(n_in, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weight + self.bias  # (..., out)


def _gelu_new_math(x: torch.Tensor) -> torch.Tensor:
    inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * (x * x * x))  # (..., F)
    return 0.5 * x * (1.0 + torch.tanh(inner))  # (..., F)


class _FastGelu(torch.autograd.Function):
    """gelu_new exported as one com.microsoft ``FastGelu`` node (ORT's kernel of the same tanh formula).

    Written out element-wise, the formula is ~9 ONNX nodes, and ORT's backward keeps several (N, T, 4C) intermediates
    of each layer alive until its gradient runs; ``FastGeluGrad`` needs only the input.
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _gelu_new_math(x)  # (..., F)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with torch.enable_grad():
            xr = x.detach().requires_grad_(True)
            (gx,) = torch.autograd.grad(_gelu_new_math(xr), xr, grad)  # (..., F)
        return gx

    @staticmethod
    def symbolic(g, x):
        return g.op("com.microsoft::FastGelu", x).setType(x.type())


def gelu_new(x: torch.Tensor) -> torch.Tensor:
    """Tanh approximation of GELU (Hendrycks & Gimpel 2016), as GPT-2 uses it."""
    return _FastGelu.apply(x)  # (..., F)


class Attention(nn.Module):
    def __init__(self, c: Gpt2Config):
        super().__init__()
        self.n_head = c.n_head
        self.head_dim = c.n_embd // c.n_head
        self.c_attn = Conv1D(c.n_embd, 3 * c.n_embd)
        self.c_proj = Conv1D(c.n_embd, c.n_embd)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        """(N, T, C) with ``bias`` the (N, 1, T, T) additive mask; the KV-cache step is gpt2_kv.py."""
        n, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=-1)  # 3 x (N, T, C)
        q = q.reshape(n, t, self.n_head, self.head_dim).transpose(1, 2)  # (N, H, T, D)
        k = k.reshape(n, t, self.n_head, self.head_dim).transpose(1, 2)  # (N, H, T, D)
        v = v.reshape(n, t, self.n_head, self.head_dim).transpose(1, 2)  # (N, H, T, D)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.head_dim) + bias  # (N, H, T, T)
        probs = torch.softmax(scores, dim=-1)  # (N, H, T, T)
        return self.c_proj((probs @ v).transpose(1, 2).reshape(n, t, c))  # (N, T, C)


class Mlp(nn.Module):
    def __init__(self, c: Gpt2Config):
        super().__init__()
        self.c_fc = Conv1D(c.n_embd, c.n_inner)
        self.c_proj = Conv1D(c.n_inner, c.n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.c_proj(gelu_new(self.c_fc(x)))  # (N, T, C)


class Block(nn.Module):
    def __init__(self, c: Gpt2Config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)
        self.attn = Attention(c)
        self.ln_2 = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)
        self.mlp = Mlp(c)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x), bias)  # (N, T, C)
        return x + self.mlp(self.ln_2(x))  # (N, T, C)


class Transformer(nn.Module):
    def __init__(self, c: Gpt2Config):
        super().__init__()
        self.wte = nn.Embedding(c.vocab_size, c.n_embd)
        self.wpe = nn.Embedding(c.n_positions, c.n_embd)
        self.h = nn.ModuleList([Block(c) for _ in range(c.n_layer)])
        self.ln_f = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)


class Gpt2LM(nn.Module):
    """GPT-2 language model; parameter names equal GPT2LMHeadModel's (``transformer.*``)."""

    architecture = "gpt2"
    custom_opsets = {"com.microsoft": 1}  # FastGelu; KV graph: MultiHeadAttention, SkipLayerNormalization

    def __init__(self, c: Gpt2Config):
        super().__init__()
        self.config = c
        self.transformer = Transformer(c)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """input_ids, attention_mask: (N, T) right padded. Returns logits (N, T, V)."""
        return self.head(self.hidden(input_ids, attention_mask))  # (N, T, V)

    def hidden(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """input_ids, attention_mask: (N, T) right padded. Returns the final hidden states (N, T, C) (after ln_f)."""
        tr = self.transformer
        t = input_ids.shape[1]
        pos = torch.arange(t, device=input_ids.device)  # (T)
        x = lookup(tr.wte.weight, input_ids) + lookup(tr.wpe.weight, pos[None, :])  # (N, T, C)
        bias = attention_bias(attention_mask, x.dtype)  # (N, 1, T, T)
        for block in tr.h:
            x = block(x, bias)  # (N, T, C)
        return tr.ln_f(x)  # (N, T, C)

    def hidden_packed(self, input_ids: torch.Tensor, bias: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        """Final hidden states (B, L, C) of packed rows (shared_prompt.py): input_ids, positions (B, L), attention bias
        (B, 1, L, L)."""
        tr = self.transformer
        x = lookup(tr.wte.weight, input_ids) + lookup(tr.wpe.weight, positions)  # (B, L, C)
        for block in tr.h:
            x = block(x, bias)  # (B, L, C)
        return tr.ln_f(x)  # (B, L, C)

    def head(self, x: torch.Tensor) -> torch.Tensor:
        """The LM head on hidden states (..., C): logits (..., V), tied to the token embedding."""
        return x @ self.transformer.wte.weight.t()  # (..., V)

    def forward_cached(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, position_ids: torch.Tensor,
                       past: list) -> tuple:
        """KV-cache step. input_ids, position_ids: (N, S) new positions; attention_mask: (N, P+S) past + new (either
        padding side); past: per layer (key, value), each (N, H, P, D), P may be 0.

        Returns logits (N, S, V) and per layer the present (key, value), each (N, H, P+S, D).
        """
        return gpt2_kv.forward_cached(self, input_ids, attention_mask, position_ids, past)

    @property
    def kv_heads(self) -> int:
        return self.config.n_head

    @property
    def head_dim(self) -> int:
        return self.config.n_embd // self.config.n_head

    @staticmethod
    def hf_key(name: str) -> str:
        """Maps a checkpoint key to our name (GPT2Model checkpoints lack the ``transformer.`` prefix)."""
        return name if name.startswith(("transformer.", "lm_head.")) else "transformer." + name

    # HF keys that are buffers or the tied head, not parameters of their own.
    @staticmethod
    def ignored_key(name: str) -> bool:
        return name == "lm_head.weight" or name.endswith((".attn.bias", ".attn.masked_bias"))

    @property
    def vocab_size(self) -> int:
        return self.config.vocab_size

    @property
    def max_positions(self) -> int:
        return self.config.n_positions

    @property
    def hidden_size(self) -> int:
        return self.config.n_embd

    @property
    def num_layers(self) -> int:
        return self.config.n_layer
