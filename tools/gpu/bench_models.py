#!/usr/bin/env python3
"""The benchmark model shapes shared by the dpo4j and TRL benchmarks, built from configs with a fixed seed.

    python tools/gpu/bench_models.py --model gpt2-124m --out DIR   # writes a Hugging Face model dir for export.py

No pretrained weights are involved (none are reachable): every model is `AutoModelForCausalLM.from_config` after
`torch.manual_seed(seed)`. The tokenizer is a synthetic word-level one (`t0 .. t{V-1}`, whitespace separated)
with exactly the model's vocabulary, so benchmark text maps 1:1 to token ids on both sides.
"""

import argparse
import json
import sys
from pathlib import Path

SEED = 1234

# name -> (architecture, config kwargs). The big two are the benchmark rows; the tiny ones are CPU smoke shapes.
SHAPES = {
    "gpt2-124m": ("gpt2", dict(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                               bos_token_id=50256, eos_token_id=50256)),
    # Qwen2-0.5B's dimensions (a Llama-family shape with q/k/v biases and tied embeddings).
    "qwen2-0.5b": ("qwen2", dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                                 num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=4096,
                                 rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                                 bos_token_id=151643, eos_token_id=151643)),
    # TinyLlama-1.1B's dimensions (Llama 2 shape: 22 layers, grouped-query attention, untied head).
    "tinyllama-1.1b": ("llama", dict(vocab_size=32000, hidden_size=2048, intermediate_size=5632, num_hidden_layers=22,
                                     num_attention_heads=32, num_key_value_heads=4, max_position_embeddings=2048,
                                     rope_theta=10000.0, rms_norm_eps=1e-5, tie_word_embeddings=False,
                                     bos_token_id=1, eos_token_id=2)),
    "tiny-gpt2": ("gpt2", dict(vocab_size=512, n_positions=128, n_embd=64, n_layer=2, n_head=4,
                               bos_token_id=511, eos_token_id=511)),
    "tiny-qwen2": ("qwen2", dict(vocab_size=512, hidden_size=64, intermediate_size=176, num_hidden_layers=2,
                                 num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                                 rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                                 bos_token_id=511, eos_token_id=511)),
}
BENCH_MODELS = ("gpt2-124m", "qwen2-0.5b")
TINY_MODELS = ("tiny-gpt2", "tiny-qwen2")


def config(name: str):
    """The transformers config of a named shape."""
    import transformers
    if name not in SHAPES:
        raise SystemExit(f"bench_models: unknown model {name!r}; expected one of {sorted(SHAPES)}")
    arch, kwargs = SHAPES[name]
    cls = {"gpt2": transformers.GPT2Config, "qwen2": transformers.Qwen2Config, "llama": transformers.LlamaConfig}[arch]
    extra = {"attn_pdrop": 0.0, "embd_pdrop": 0.0, "resid_pdrop": 0.0} if arch == "gpt2" else {"attention_dropout": 0.0}
    return cls(**kwargs, **extra)


def build_model(name: str, seed: int = SEED):
    """A float32 model of the named shape with seeded random weights."""
    import torch
    import transformers
    torch.manual_seed(seed)
    return transformers.AutoModelForCausalLM.from_config(config(name), torch_dtype=torch.float32)


def eos_id(name: str) -> int:
    return SHAPES[name][1]["eos_token_id"]


def word_tokenizer(vocab: int):
    """A word-level tokenizer: token i is the word `t{i}`; whitespace splits words; no added special tokens."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    tok = Tokenizer(models.WordLevel({f"t{i}": i for i in range(vocab)}, unk_token=f"t{vocab - 1}"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return tok


def text_of(ids) -> str:
    """The text that word_tokenizer encodes back to exactly `ids`."""
    return " ".join(f"t{int(i)}" for i in ids)


def hf_tokenizer(name: str):
    """word_tokenizer wrapped for transformers/TRL, with EOS (= pad) set."""
    from transformers import PreTrainedTokenizerFast
    vocab = SHAPES[name][1]["vocab_size"]
    eos = f"t{eos_id(name)}"
    return PreTrainedTokenizerFast(tokenizer_object=word_tokenizer(vocab), eos_token=eos, pad_token=eos)


def write_hf_dir(name: str, out: Path, seed: int = SEED) -> int:
    """Writes config.json, model.safetensors, tokenizer.json, tokenizer_config.json; returns the parameter count."""
    model = build_model(name, seed)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    word_tokenizer(SHAPES[name][1]["vocab_size"]).save(str(out / "tokenizer.json"))
    eos = f"t{eos_id(name)}"
    tcfg = {"eos_token": eos, "pad_token": eos, "add_bos_token": False,
            "model_max_length": int(getattr(model.config, "max_position_embeddings", 0)
                                    or getattr(model.config, "n_positions"))}
    (out / "tokenizer_config.json").write_text(json.dumps(tcfg, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return sum(p.numel() for p in model.parameters())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, choices=sorted(SHAPES))
    ap.add_argument("--out", type=Path, required=True, help="Hugging Face model directory to write")
    ap.add_argument("--seed", type=int, default=SEED)
    a = ap.parse_args(argv)
    n = write_hf_dir(a.model, a.out, a.seed)
    print(f"{a.model}: {n} parameters (seed {a.seed}) -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
