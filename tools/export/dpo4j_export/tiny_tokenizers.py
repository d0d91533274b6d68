"""Genuine truncated BPE tokenizers (vocab 4096) built from the real GPT-2 and Llama-2 vocabularies.

GPT-2: the 256 byte tokens, the first 3839 merges in rank order (their results are ids 256..4094 in
encoder.json) and ``<|endoftext|>`` as id 4095.

Llama-2 (SentencePiece-style BPE with byte fallback): its single-character pieces sit at ids >= 28705, so
keeping only ids < 4096 would leave no alphabet and every text would fall back to bytes. We keep ids < L
(3 specials, 256 byte-fallback tokens, the most frequent multi-character pieces with their Llama-2 ids) and
renumber, in Llama-2 order, the single characters those pieces are made of (topped up with the next most
frequent characters) to ids L..4095; L is the largest cut for which everything fits in 4096. Only merges
whose two parts and result stay in the vocabulary are kept.
"""

import json
from pathlib import Path

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

from .errors import ExportError

VOCAB = 4096
EOT = "<|endoftext|>"


def gpt2_tokenizer(encoder_json: Path, vocab_bpe: Path, size: int = VOCAB) -> Tokenizer:
    """GPT-2 byte-level BPE with ``size`` ids (4096 for the tiny model, 50257 = the full GPT-2 tokenizer)."""
    encoder = json.loads(encoder_json.read_text(encoding="utf-8"))
    lines = vocab_bpe.read_text(encoding="utf-8").split("\n")
    merges = [tuple(l.split(" ")) for l in lines[1:] if l.strip()][: size - 256 - 1]  # first line: version
    vocab = {tok: i for tok, i in encoder.items() if i < size - 1}
    for rank, (a, b) in enumerate(merges):
        if encoder.get(a + b) != 256 + rank or a not in vocab or b not in vocab:
            raise ExportError(f"{vocab_bpe}: merge {rank} ({a!r} {b!r}) expected to produce id {256 + rank}")
    if len(vocab) != size - 1:
        raise ExportError(f"{encoder_json}: expected {size - 1} ids below {size - 1}, found {len(vocab)}")
    vocab[EOT] = size - 1
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, fuse_unk=False))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.add_special_tokens([AddedToken(EOT, special=True, normalized=False)])
    return tok


def gpt2_tokenizer_config() -> dict:
    return {"add_bos_token": False, "add_prefix_space": False, "bos_token": EOT, "clean_up_tokenization_spaces": False,
            "eos_token": EOT, "model_max_length": 256, "pad_token": None, "tokenizer_class": "GPT2Tokenizer",
            "unk_token": EOT}


def llama_tokenizer_json(full: dict) -> dict:
    """Truncates the Llama-2 tokenizer.json dict to ids < 4096 (keeps normalizer, decoder, post-processor)."""
    out = json.loads(json.dumps(full))
    model = out["model"]
    vocab = _llama_vocab(model["vocab"])
    kept = []
    for m in model["merges"]:
        a, b = m.split(" ") if isinstance(m, str) else m
        if a in vocab and b in vocab and a + b in vocab:
            kept.append(m)
    model["vocab"] = vocab
    model["merges"] = kept
    out["added_tokens"] = [t for t in out["added_tokens"] if t["id"] < VOCAB]
    return out


_FIRST_PIECE = 3 + 256  # <unk> <s> </s>, then <0x00>..<0xFF>


def _alphabet(full_vocab: dict, cut: int) -> set:
    """Characters of the ordinary pieces with ids in [259, cut)."""
    return {ch for tok, i in full_vocab.items() if _FIRST_PIECE <= i < cut for ch in tok}


def _llama_vocab(full_vocab: dict) -> dict:
    singles = sorted((i, t) for t, i in full_vocab.items() if len(t) == 1)  # by frequency rank
    cut = VOCAB
    while cut + len({c for c in _alphabet(full_vocab, cut) if full_vocab.get(c, 0) >= cut}) > VOCAB:
        cut -= 1
    vocab = {tok: i for tok, i in full_vocab.items() if i < cut}
    needed = {c for c in _alphabet(full_vocab, cut) if c not in vocab}
    chars = [t for _, t in singles if t in needed]
    chars += [t for _, t in singles if t not in needed and t not in vocab][: VOCAB - cut - len(chars)]
    for k, ch in enumerate(chars):
        vocab[ch] = cut + k
    if len(vocab) != VOCAB or sorted(vocab.values()) != list(range(VOCAB)):
        raise ExportError(f"llama vocab truncation produced {len(vocab)} ids, expected 0..{VOCAB - 1}")
    return vocab


def check_round_trip(tok: Tokenizer, sentences, label: str) -> int:
    """Encodes/decodes real sentences; every id must be < 4096 and the text must come back. Returns #tokens."""
    total = 0
    for s in sentences:
        ids = tok.encode(s, add_special_tokens=False).ids
        if not ids or max(ids) >= VOCAB:
            raise ExportError(f"{label}: ids out of range for {s!r}: max {max(ids) if ids else None}")
        back = tok.decode(ids, skip_special_tokens=False)
        if back != s:
            raise ExportError(f"{label}: round trip failed: expected {s!r}, found {back!r}")
        total += len(ids)
    return total
