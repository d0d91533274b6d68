"""Reads a Hugging Face model directory (config.json + safetensors + tokenizer) into our own modules."""

import json
from pathlib import Path

import torch
from safetensors import safe_open

from .errors import ExportError
from .gpt2 import Gpt2Config, Gpt2LM
from .llama import LlamaConfig, LlamaLM

SUPPORTED_MODEL_TYPES = ("gpt2", "llama", "qwen2")
FORBIDDEN_EXACT = "lazy_reset_grad"


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise ExportError(f"missing {what}: expected file {path}")
    return path


def read_config(model_dir: Path) -> dict:
    path = require_file(model_dir / "config.json", "model config")
    try:
        cfg = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ExportError(f"{path}: invalid JSON at line {e.lineno}: {e.msg}") from e
    model_type = cfg.get("model_type")
    if model_type not in SUPPORTED_MODEL_TYPES:
        raise ExportError(f"{path}: model_type: expected one of {list(SUPPORTED_MODEL_TYPES)}, found {model_type!r}")
    return cfg


def build_model(cfg: dict, config_path: str, device: str = "cpu") -> torch.nn.Module:
    """Instantiates our module for ``cfg``; on ``device="meta"`` no parameter memory is allocated (shapes only)
    until :func:`load_weights` assigns the tensors read from the weight files."""
    try:
        with torch.device(device):
            if cfg["model_type"] == "gpt2":
                return Gpt2LM(Gpt2Config.from_hf(cfg, config_path))
            return LlamaLM(LlamaConfig.from_hf(cfg, config_path))
    except KeyError as e:
        raise ExportError(f"{config_path}: missing field {e.args[0]!r} required for model_type {cfg['model_type']!r}") from e


def weight_files(model_dir: Path) -> list:
    single = model_dir / "model.safetensors"
    index = model_dir / "model.safetensors.index.json"
    if single.is_file():
        return [single]
    if index.is_file():
        shards = sorted(set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()))
        return [require_file(model_dir / s, f"weight shard listed in {index}") for s in shards]
    raise ExportError(f"missing model weights: expected file {single} (or {index})")


def load_weights(model: torch.nn.Module, model_dir: Path) -> None:
    """Assigns safetensors weights (HF names) to ``model`` (built on the meta device); every parameter must be found
    exactly once. Tensors are read one at a time and become the parameters themselves (float32), so the weights are
    held once: no state dict beside the model, no copy into preallocated parameters."""
    own = {name: p for name, p in model.named_parameters()}
    where, ignored = {}, {}  # our name -> (file, HF key); HF key -> file
    for f in weight_files(model_dir):
        with safe_open(str(f), framework="pt") as st:
            for key in st.keys():
                if model.ignored_key(key):
                    ignored[key] = f
                else:
                    where[model.hf_key(key)] = (f, key)
    missing = sorted(set(own) - set(where))
    unexpected = sorted(set(where) - set(own))
    if missing or unexpected:
        raise ExportError(f"{model_dir}: weights do not match the config: missing {missing[:10]}, "
                          f"unexpected {unexpected[:10]}")
    by_file = {}
    for name, (f, key) in where.items():
        by_file.setdefault(f, []).append((name, key))
    with torch.no_grad():
        for f, entries in by_file.items():
            with safe_open(str(f), framework="pt") as st:
                for name, key in entries:
                    src = st.get_tensor(key).to(torch.float32)  # the parameter's shape, float32
                    if tuple(src.shape) != tuple(own[name].shape):
                        raise ExportError(f"{f}: weight {key}: expected shape {tuple(own[name].shape)}, "
                                          f"found {tuple(src.shape)}")
                    _assign(model, name, src)
    head_file = ignored.get("lm_head.weight")
    if head_file is not None:
        params = dict(model.named_parameters())
        emb = params.get("transformer.wte.weight", params.get("model.embed_tokens.weight"))
        with safe_open(str(head_file), framework="pt") as st:
            head = st.get_tensor("lm_head.weight")  # (V, H)
        if head.shape != emb.shape or not torch.equal(head.to(torch.float32), emb):
            raise ExportError(f"{head_file}: lm_head.weight differs from the token embedding although the "
                              "config ties them (tie_word_embeddings)")


def _assign(model: torch.nn.Module, name: str, value: torch.Tensor) -> None:
    module_name, _, attr = name.rpartition(".")
    module = model.get_submodule(module_name) if module_name else model
    module._parameters[attr] = torch.nn.Parameter(value.contiguous())


def check_names(names, kind: str) -> None:
    """ORT classifies training-graph inputs by name; these patterns would be misread as gradient buffers."""
    bad = sorted(n for n in names if n.endswith("_grad") or n == FORBIDDEN_EXACT or "_grad.accumulation" in n)
    if bad:
        raise ExportError(f"{kind} names clash with ONNX Runtime's training naming rules (must not end in '_grad', "
                          f"equal 'lazy_reset_grad' or contain '_grad.accumulation'): {bad}")


def load_model(model_dir: Path) -> tuple:
    """Returns (cfg dict, our model in eval mode with the directory's weights)."""
    cfg = read_config(model_dir)
    model = build_model(cfg, str(model_dir / "config.json"), device="meta")
    check_names([n for n, _ in model.named_parameters()], "parameter")
    load_weights(model, model_dir)
    return cfg, model.eval()
