"""manifest.json (tools/CONTRACT.md): model facts, defaults, graph signatures read back from the files, sha256s."""

import hashlib
import json
import platform
from pathlib import Path

import onnx
import onnxruntime
import torch
import transformers

from . import dpo_loss, wrappers
from .errors import ExportError
from .ort_artifacts import BETAS, EPS, GRAPH_WEIGHT_DECAY

FORMAT = 1
GRAPH_FILES = ("training_model.onnx", "eval_model.onnx", "optimizer_model.onnx", "reference_model.onnx",
               "inference_model.onnx", "inference_kv_model.onnx")

_TYPES = {onnx.TensorProto.FLOAT: "float", onnx.TensorProto.INT64: "int64", onnx.TensorProto.BOOL: "bool"}


def _value_type(vi) -> tuple:
    t = vi.type
    if t.HasField("sequence_type"):
        return "seq(" + _TYPES.get(t.sequence_type.elem_type.tensor_type.elem_type, "?") + ")", None
    shape = [d.dim_param if d.dim_param else (d.dim_value if d.HasField("dim_value") else None)
             for d in t.tensor_type.shape.dim]
    return _TYPES.get(t.tensor_type.elem_type, str(t.tensor_type.elem_type)), shape


def _is_internal(name: str, params: set) -> bool:
    """Parameters, gradient buffers and the reset flag are ORT's business, not user inputs/outputs."""
    return name in params or name == "lazy_reset_grad" or "_grad.accumulation." in name


def graph_signature(path: Path, params: set) -> dict:
    g = onnx.load(str(path), load_external_data=False).graph
    inits = {i.name for i in g.initializer}

    def entries(vis):
        out = []
        for vi in vis:
            if vi.name in inits or _is_internal(vi.name, params):
                continue
            typ, shape = _value_type(vi)
            out.append({"name": vi.name, "type": typ, "shape": shape})
        return out

    return {"inputs": entries(g.input), "outputs": entries(g.output)}


def external_data_files(path: Path) -> list:
    """The external-data locations every initializer of the graph ``path`` points to (the weights file)."""
    g = onnx.load(str(path), load_external_data=False).graph
    found = set()
    for t in g.initializer:
        if t.data_location == onnx.TensorProto.EXTERNAL:
            found.update(e.value for e in t.external_data if e.key == "location")
    return sorted(found)


def check_external_data(out: Path) -> None:
    """Every external-data file a graph names must be a plain file of the artifact directory, so that it is listed
    in ``files`` with its SHA-256 (the Java side refuses a graph whose data file is not listed)."""
    for f in GRAPH_FILES:
        for loc in external_data_files(out / f):
            p = out / loc
            if "/" in loc or "\\" in loc or loc.startswith(".") or not p.is_file() or p.is_symlink():
                raise ExportError(f"{out / f}: external data location {loc!r}: expected a regular file directly in "
                                  f"{out}, found {'no such file' if not p.exists() else 'another kind of name'}")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def weight_offsets(path: Path) -> dict:
    """{tensor name: offset} of the external initializers of the graph ``path`` (the layout of weights.data)."""
    g = onnx.load(str(path), load_external_data=False).graph
    return {t.name: int(next(e.value for e in t.external_data if e.key == "offset"))
            for t in g.initializer if t.data_location == onnx.TensorProto.EXTERNAL}


def lora_section(out: Path, spec, adapters: list) -> dict:
    """manifest.json ``lora``: the options, every adapted module, and where each base tensor lies in weights.data
    (what `dpo4j export-hf` / `export-inference --merge` / `generate --checkpoint` read to merge the adapters)."""
    from . import lora
    return {
        "r": spec.r, "alpha": spec.alpha, "dropout": spec.dropout, "scaling": spec.scaling, "init_seed": spec.seed,
        "target_modules": lora.target_module_names([a["module"] for a in adapters]),
        "num_trainable": sum(a["in_features"] * spec.r + spec.r * a["out_features"] for a in adapters),
        "adapters": adapters,
        "base_weights": {"file": "weights.data", "offsets": weight_offsets(out / "inference_kv_model.onnx")},
    }


def build(out: Path, name: str, lm, special_tokens: dict, weight_decay: float, max_grad_norm, decay_rule: str,
          decay_parameters: list, lora_spec=None, adapters=()) -> dict:
    params = {n for n, _ in lm.named_parameters()}
    trainable = set(n for a in adapters for n in (a["lora_A"], a["lora_B"]))
    check_external_data(out)
    doc = {
        "format": FORMAT,
        "name": name,
        "architecture": lm.architecture,
        "vocab_size": lm.vocab_size,
        "max_positions": lm.max_positions,
        "hidden_size": lm.hidden_size,
        "num_layers": lm.num_layers,
        "num_parameters": sum(p.numel() for p in lm.parameters()),
        # Hugging Face names and shapes of the trainable tensors (tied weights once), in the model's order: what
        # `dpo4j export-hf` writes to model.safetensors.
        # With LoRA: the base model's tensors (frozen; the adapters are listed under "lora").
        "parameters": [{"name": n, "shape": list(p.shape)} for n, p in lm.named_parameters() if n not in trainable],
        "special_tokens": special_tokens,
        "optimizer": {"type": "adamw", "betas": list(BETAS), "eps": EPS, "weight_decay": weight_decay,
                      "max_grad_norm": max_grad_norm, "graph_weight_decay": GRAPH_WEIGHT_DECAY,
                      "decay_rule": decay_rule, "decay_parameters": list(decay_parameters)},
        "loss_variants": list(dpo_loss.VARIANTS),
        "loss_inputs": dict(wrappers.LOSS_INPUT_DEFAULTS),
        "graphs": {f: graph_signature(out / f, params) for f in GRAPH_FILES},
        "tools": {"python": platform.python_version(), "torch": torch.__version__, "onnx": onnx.__version__,
                  "onnxruntime-training": onnxruntime.__version__, "transformers": transformers.__version__},
        "files": {p.name: sha256(p) for p in sorted(out.iterdir()) if p.is_file() and p.name != "manifest.json"},
    }
    if lora_spec is not None:
        doc["lora"] = lora_section(out, lora_spec, list(adapters))
    return doc


def write(path: Path, manifest: dict) -> None:
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
