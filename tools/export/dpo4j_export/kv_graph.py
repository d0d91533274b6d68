"""inference_kv_model.onnx: next-token logits with a KV cache (tools/CONTRACT.md).

Inputs: ``input_ids`` (N, S) new tokens, ``attention_mask`` (N, P+S) over past + new, ``position_ids`` (N, S), and per
layer ``past.{i}.key`` / ``past.{i}.value`` (N, KV_HEADS, P, HEAD_DIM) with P possibly 0 (prefill). Outputs: ``logits``
(N, S, V) and per layer ``present.{i}.key`` / ``present.{i}.value`` (N, KV_HEADS, P+S, HEAD_DIM).
"""

import warnings
from pathlib import Path

import onnx
import torch

from .errors import ExportError
from . import onnx_graphs

FILE = "inference_kv_model.onnx"
HEAD_INPUTS = ("input_ids", "attention_mask", "position_ids")
# ORT contrib ops of fused_ops.py (every architecture's LM head is a FusedMatMul; GPT-2 also fuses attention and norms)
KV_OPSETS = {"com.microsoft": 1}


def past_names(num_layers: int) -> list:
    """``past.{i}.key``, ``past.{i}.value`` for every layer, in layer order."""
    return [f"past.{i}.{kind}" for i in range(num_layers) for kind in ("key", "value")]


def present_names(num_layers: int) -> list:
    """``present.{i}.key``, ``present.{i}.value`` for every layer, in layer order."""
    return [f"present.{i}.{kind}" for i in range(num_layers) for kind in ("key", "value")]


def input_names(num_layers: int) -> list:
    return list(HEAD_INPUTS) + past_names(num_layers)


def output_names(num_layers: int) -> list:
    return ["logits"] + present_names(num_layers)


def dynamic_axes(num_layers: int) -> dict:
    """Symbolic dimensions: N, S (new positions), P (past), P+S (all keys); heads and head size stay fixed."""
    axes = {"input_ids": {0: "N", 1: "S"}, "attention_mask": {0: "N", 1: "P+S"}, "position_ids": {0: "N", 1: "S"},
            "logits": {0: "N", 1: "S"}}
    for name in past_names(num_layers):
        axes[name] = {0: "N", 2: "P"}
    for name in present_names(num_layers):
        axes[name] = {0: "N", 2: "P+S"}
    return axes


class KvGraph(torch.nn.Module):
    """Flat-argument wrapper of ``lm.forward_cached`` for export: (ids, mask, positions, *past) -> (logits, *present).

    Like wrappers._Graph it registers the model's children under their own names, so initializers keep HF names.
    """

    def __init__(self, lm: torch.nn.Module):
        super().__init__()
        object.__setattr__(self, "lm", lm)
        for name, child in lm.named_children():
            self.add_module(name, child)

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        logits, presents = self.lm.forward_cached(input_ids, attention_mask, position_ids, past)  # (N, S, V)
        return (logits,) + tuple(t for kv in presents for t in kv)


def example_inputs(lm: torch.nn.Module, n: int = 2, past: int = 3, new: int = 2) -> dict:
    """Deterministic example step used for tracing (values do not matter, only dtypes / ranks); P > 0 and S > 1."""
    g = torch.Generator().manual_seed(0)
    ex = {"input_ids": torch.randint(0, lm.vocab_size, (n, new), generator=g),  # (N, S)
          "attention_mask": torch.ones(n, past + new, dtype=torch.int64),  # (N, P+S)
          "position_ids": torch.arange(past, past + new).repeat(n, 1)}  # (N, S)
    ex["attention_mask"][0, 0] = 0  # a left-padded row
    for name in past_names(lm.num_layers):
        ex[name] = torch.randn(n, lm.kv_heads, past, lm.head_dim, generator=g)  # (N, KV, P, D)
    return ex


def output_shapes(lm: torch.nn.Module) -> dict:
    """The contract's output shapes: logits (N, S, V), every present (N, KV, P+S, D)."""
    shapes = {"logits": ["N", "S", lm.vocab_size]}
    for name in present_names(lm.num_layers):
        shapes[name] = ["N", lm.kv_heads, "P+S", lm.head_dim]
    return shapes


def set_output_shapes(model: onnx.ModelProto, lm: torch.nn.Module) -> None:
    """Writes :func:`output_shapes` into the graph's outputs: torch's shape inference does not see through the
    ``com.microsoft`` ops (fused_ops.py) that produce them and leaves made-up dimension names."""
    shapes = output_shapes(lm)
    for out in model.graph.output:
        dims = out.type.tensor_type.shape.dim
        del dims[:]
        for d in shapes[out.name]:
            dim = dims.add()
            if isinstance(d, int):
                dim.dim_value = d
            else:
                dim.dim_param = d


def export(lm: torch.nn.Module, out: Path, opset: int, layout: dict) -> Path:
    """Writes ``out / inference_kv_model.onnx``; its parameters (HF names) point into the shared weights file
    ``layout`` describes (:func:`onnx_graphs.write_weights`), like the reference and inference graphs."""
    path = out / FILE
    inputs, outputs = input_names(lm.num_layers), output_names(lm.num_layers)
    example = example_inputs(lm)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"torch\.onnx")
        torch.onnx.export(
            KvGraph(lm), tuple(example[n] for n in inputs), str(path), input_names=inputs, output_names=outputs,
            dynamic_axes=dynamic_axes(lm.num_layers), opset_version=opset, do_constant_folding=False,
            export_params=False, dynamo=False, custom_opsets=onnx_graphs.custom_opsets(lm) | KV_OPSETS,
            # TRAINING mode, like the other graphs: in EVAL mode the exporter deduplicates parameters with equal
            # values (freshly initialised LayerNorm weights and biases), so another layer's name stood for them and a
            # trained policy's weights could not be put back by name.
            training=torch.onnx.TrainingMode.TRAINING)
    model = onnx.load(str(path), load_external_data=False)
    set_output_shapes(model, lm)
    onnx_graphs.attach_weights(model, layout, path, inputs, require_all=True)
    onnx.save(model, str(path))
    if model.ir_version > onnx_graphs.MAX_IR_VERSION:
        raise ExportError(f"{path}: ir_version: expected <= {onnx_graphs.MAX_IR_VERSION}, found {model.ir_version}")
    found = [i.name for i in model.graph.input if i.name in set(inputs)]
    if found != inputs:
        raise ExportError(f"{path}: graph inputs: expected {inputs}, found {found}")
    return path
