"""torch.onnx.export (TorchScript exporter) of the training forward, reference and inference graphs."""

import warnings
from pathlib import Path

import onnx
import torch

from . import wrappers
from .errors import ExportError

MAX_IR_VERSION = 13


def _dynamic_axes(names) -> dict:
    axes = {}
    for name in names:
        sym = {i: d for i, d in enumerate(wrappers.DIMS[name]) if isinstance(d, str)}
        if sym:
            axes[name] = sym
    return axes


def export_graph(module: torch.nn.Module, example: dict, inputs, outputs, path: Path, opset: int) -> None:
    """Exports ``module`` to ``path`` with the contract's names; parameters stay initializers under HF names."""
    args = tuple(example[n] for n in inputs)
    custom = getattr(getattr(module, "lm", module), "custom_opsets", {})  # e.g. GPT-2's com.microsoft FastGelu
    with torch.no_grad(), warnings.catch_warnings():
        # TrainingMode.TRAINING and the exporter's internal Bool casts raise deprecation FutureWarnings only.
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"torch\.onnx")
        torch.onnx.export(
            module, args, str(path), input_names=list(inputs), output_names=list(outputs),
            dynamic_axes=_dynamic_axes(list(inputs) + list(outputs)), opset_version=opset,
            do_constant_folding=False,  # folding would rename/transposes parameters and break training
            training=torch.onnx.TrainingMode.TRAINING, export_params=True, dynamo=False,
            custom_opsets=custom)
    model = onnx.load(str(path))
    if model.ir_version > MAX_IR_VERSION:
        raise ExportError(f"{path}: ir_version: expected <= {MAX_IR_VERSION}, found {model.ir_version}")


def expose_layernorm_stats(path: Path) -> None:
    """Gives every LayerNormalization its optional Mean / InvStdDev outputs.

    The TorchScript exporter emits only Y, but ORT's LayerNormalizationGrad builder reads outputs 1 and 2
    (it fails with "i < node_->OutputDefs().size() was false" otherwise).
    """
    model = onnx.load(str(path))
    for node in model.graph.node:
        if node.op_type == "LayerNormalization" and len(node.output) == 1:
            node.output.extend([node.output[0] + "_mean", node.output[0] + "_inv_std_dev"])
    onnx.save(model, str(path))


def name_logits(path: Path, vocab_size: int) -> None:
    """Renames the LM head's output of the forward graph to ``logits`` (N, T, V).

    The eval graph then holds a value called ``logits``, so ORT's ExportModelForInferencing can cut a trained
    policy's generation model out of it (``dpo4j export-inference --outputs logits``). The LM head is the one MatMul
    whose second input is the transpose of a (V, H) parameter.
    """
    model = onnx.load(str(path))
    g = model.graph
    shapes = {i.name: list(i.dims) for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    heads = []
    for node in g.node:
        if node.op_type != "MatMul" or node.input[1] not in producer:
            continue
        t = producer[node.input[1]]
        if t.op_type == "Transpose" and len(shapes.get(t.input[0], [])) == 2 and shapes[t.input[0]][0] == vocab_size:
            heads.append(node)
    if len(heads) != 1:
        raise ExportError(f"{path}: expected exactly one LM-head MatMul (x @ W^T with W of {vocab_size} rows), "
                          f"found {len(heads)}")
    old = heads[0].output[0]
    for node in g.node:
        node.input[:] = ["logits" if i == old else i for i in node.input]
        node.output[:] = ["logits" if o == old else o for o in node.output]
    onnx.save(model, str(path))


def check_initializers(path: Path, param_names) -> None:
    """Every initializer of the forward graph must be a named model parameter (nothing folded or renamed)."""
    model = onnx.load(str(path), load_external_data=False)
    inits = {i.name for i in model.graph.initializer}
    extra = sorted(inits - set(param_names))
    missing = sorted(set(param_names) - inits)
    if extra or missing:
        raise ExportError(f"{path}: initializers differ from model parameters: extra {extra[:10]}, missing {missing[:10]}")


def export_all(lm: torch.nn.Module, work: Path, out: Path, opset: int) -> Path:
    """Writes reference_model.onnx and inference_model.onnx into ``out``; returns the forward graph in ``work``."""
    example = wrappers.example_inputs(lm.vocab_size)
    params = [n for n, _ in lm.named_parameters()]
    forward = work / "forward_model.onnx"
    export_graph(wrappers.TrainGraph(lm), example, wrappers.TRAIN_INPUTS, wrappers.TRAIN_OUTPUTS, forward, opset)
    check_initializers(forward, params)
    expose_layernorm_stats(forward)
    name_logits(forward, lm.vocab_size)
    export_graph(wrappers.ReferenceGraph(lm), example, wrappers.REFERENCE_INPUTS, wrappers.REFERENCE_OUTPUTS,
                 out / "reference_model.onnx", opset)
    export_graph(wrappers.InferenceGraph(lm), example, wrappers.INFERENCE_INPUTS, wrappers.INFERENCE_OUTPUTS,
                 out / "inference_model.onnx", opset)
    return forward
