"""Copies the tokenizer/config files into the artifact directory and derives the special-token ids."""

import json
import shutil
from pathlib import Path

from tokenizers import Tokenizer

from .errors import ExportError
from .hf_loader import require_file

COPIED = ("config.json", "tokenizer.json", "tokenizer_config.json")


def copy_files(model_dir: Path, out: Path) -> None:
    require_file(model_dir / "tokenizer.json", "tokenizer")
    for name in COPIED:
        if (model_dir / name).is_file():
            shutil.copyfile(model_dir / name, out / name)


def _token_text(value):
    return value.get("content") if isinstance(value, dict) else value


def special_tokens(model_dir: Path, cfg: dict, vocab_size: int) -> dict:
    """bos/eos/pad ids (pad falls back to eos), whether the tokenizer adds BOS, and EOS after completions."""
    tok_path = model_dir / "tokenizer.json"
    tok = Tokenizer.from_file(str(tok_path))
    tcfg_path = model_dir / "tokenizer_config.json"
    tcfg = json.loads(tcfg_path.read_text(encoding="utf-8")) if tcfg_path.is_file() else {}

    def token_id(key: str, cfg_key: str):
        text = _token_text(tcfg.get(key))
        if text is not None:
            tid = tok.token_to_id(text)
            if tid is None:
                raise ExportError(f"{tcfg_path}: {key} {text!r} is not in the vocabulary of {tok_path}")
            return tid
        return cfg.get(cfg_key)

    eos = token_id("eos_token", "eos_token_id")
    if eos is None:
        raise ExportError(f"{model_dir}: no EOS token: expected eos_token in tokenizer_config.json or eos_token_id "
                          "in config.json, found neither")
    bos = token_id("bos_token", "bos_token_id")
    pad = token_id("pad_token", "pad_token_id")
    for label, tid in (("bos", bos), ("eos", eos), ("pad", pad)):
        if tid is not None and not 0 <= tid < vocab_size:
            raise ExportError(f"{model_dir}: {label} id {tid} outside the model vocabulary 0..{vocab_size - 1}")
    return {"bos": bos, "eos": eos, "pad": eos if pad is None else pad,
            "add_bos": bool(tcfg.get("add_bos_token", False)), "add_eos_to_completion": True}
