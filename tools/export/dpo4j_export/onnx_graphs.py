"""torch.onnx.export (TorchScript exporter) of the training forward, reference and inference graphs.

The weights never pass through the exporter or protobuf: every graph is exported with ``export_params=False``
(parameters become graph inputs under their HF names), the parameters are streamed once into one raw file
(``weights.data``), and each graph's parameter inputs are turned into initializers that point into that file
(ONNX external data: location, offset, length). reference_model.onnx and inference_model.onnx therefore share one
copy of the weights on disk, any model size exports (no 2 GB protobuf limit), and editing a graph only touches its
small protobuf.
"""

import warnings
from pathlib import Path

import onnx
import torch
from onnx import numpy_helper

from . import kv_graph, shared_prompt, wrappers
from .errors import ExportError

MAX_IR_VERSION = 13
WEIGHTS_FILE = "weights.data"
# Offsets of tensors of at least LARGE_TENSOR_BYTES are multiples of LARGE_ALIGN (64 KiB: a multiple of every
# platform's page / mmap granularity, so ONNX Runtime can map them); smaller tensors are aligned to SMALL_ALIGN.
LARGE_TENSOR_BYTES = 1 << 20
LARGE_ALIGN = 1 << 16
SMALL_ALIGN = 64


def _dynamic_axes(names, dims: dict) -> dict:
    axes = {}
    for name in names:
        sym = {i: d for i, d in enumerate(dims[name]) if isinstance(d, str)}
        if sym:
            axes[name] = sym
    return axes


def export_graph(module: torch.nn.Module, example: dict, inputs, outputs, path: Path, opset: int,
                 dims: dict = wrappers.DIMS) -> onnx.ModelProto:
    """Exports ``module`` with the contract's names and returns the graph; parameters are graph inputs under their
    HF names, without data (``export_params=False``), until :func:`attach_weights` points them into the weights file.
    ``dims``: the symbolic dimensions of every input and output name."""
    args = tuple(example[n] for n in inputs)
    with torch.no_grad(), warnings.catch_warnings():
        # TrainingMode.TRAINING and the exporter's internal Bool casts raise deprecation FutureWarnings only.
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"torch\.onnx")
        torch.onnx.export(
            module, args, str(path), input_names=list(inputs), output_names=list(outputs),
            dynamic_axes=_dynamic_axes(list(inputs) + list(outputs), dims), opset_version=opset,
            do_constant_folding=False,  # folding would rename/transposes parameters and break training
            training=torch.onnx.TrainingMode.TRAINING, export_params=False, dynamo=False,
            custom_opsets=custom_opsets(module))
    model = onnx.load(str(path), load_external_data=False)
    if model.ir_version > MAX_IR_VERSION:
        raise ExportError(f"{path}: ir_version: expected <= {MAX_IR_VERSION}, found {model.ir_version}")
    return model


def custom_opsets(module: torch.nn.Module) -> dict:
    """Opset versions of the custom domains the model's symbolic functions use (GPT-2's com.microsoft FastGelu)."""
    return getattr(getattr(module, "lm", module), "custom_opsets", {})


def _aligned(offset: int, nbytes: int) -> int:
    align = LARGE_ALIGN if nbytes >= LARGE_TENSOR_BYTES else SMALL_ALIGN
    return -(-offset // align) * align


def write_weights(lm: torch.nn.Module, path: Path) -> dict:
    """Streams every parameter (float32, little-endian, row-major) into ``path`` in ``named_parameters`` order.

    Returns {name: (offset, length, dims)}. One tensor at a time is converted, so no second copy of the model is
    held; padding between tensors is zero bytes, so the file is byte-reproducible.
    """
    layout = {}
    offset = 0
    with path.open("wb") as f:
        for name, param in lm.named_parameters():
            arr = param.detach().to(torch.float32).contiguous().numpy()  # param's shape, float32
            if arr.dtype.byteorder == ">":
                raise ExportError(f"{path}: parameter {name}: expected little-endian float32, found big-endian")
            start = _aligned(offset, arr.nbytes)
            f.write(b"\0" * (start - offset))
            f.write(memoryview(arr.reshape(-1)).cast("B"))
            layout[name] = (start, arr.nbytes, tuple(arr.shape))
            offset = start + arr.nbytes
    return layout


def attach_weights(model: onnx.ModelProto, layout: dict, path: Path, user_inputs, require_all: bool,
                   inline: dict = None) -> None:
    """Turns the parameter inputs of ``model`` (saved as ``path``) into initializers stored in ``WEIGHTS_FILE``.

    Every graph input must be a user input (``user_inputs``) or a parameter of ``layout`` with its shape; with
    ``require_all`` every parameter must appear (the training forward: the checkpoint is built from it).
    ``inline`` (name -> tensor: LoRA adapters, small) become initializers holding their values, and must all appear.
    """
    g = model.graph
    inline = inline or {}
    params = [i for i in g.input if i.name not in user_inputs and i.name not in inline]
    unknown = sorted(i.name for i in params if i.name not in layout)
    missing = sorted(set(layout) - {i.name for i in params}) if require_all else []
    missing += sorted(set(inline) - {i.name for i in g.input})
    if unknown or missing:
        raise ExportError(f"{path}: graph inputs differ from user inputs + model parameters: unexpected {unknown[:10]}, "
                          f"missing parameters {missing[:10]}")
    for vi in params:
        offset, length, dims = layout[vi.name]
        found = tuple(d.dim_value for d in vi.type.tensor_type.shape.dim)
        if found != dims or vi.type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
            raise ExportError(f"{path}: parameter input {vi.name}: expected float {dims}, found elem type "
                              f"{vi.type.tensor_type.elem_type} shape {found}")
        t = onnx.TensorProto(name=vi.name, data_type=onnx.TensorProto.FLOAT, dims=dims,
                             data_location=onnx.TensorProto.EXTERNAL)
        for key, value in (("location", WEIGHTS_FILE), ("offset", str(offset)), ("length", str(length))):
            t.external_data.add(key=key, value=value)
        g.initializer.append(t)
    for name, value in inline.items():
        g.initializer.append(numpy_helper.from_array(value.detach().to(torch.float32).contiguous().numpy(), name))
    kept = [i for i in g.input if i.name in user_inputs]
    del g.input[:]
    g.input.extend(kept)


def expose_layernorm_stats(model: onnx.ModelProto) -> None:
    """Gives every LayerNormalization its optional Mean / InvStdDev outputs.

    The TorchScript exporter emits only Y, but ORT's LayerNormalizationGrad builder reads outputs 1 and 2
    (it fails with "i < node_->OutputDefs().size() was false" otherwise).
    """
    for node in model.graph.node:
        if node.op_type == "LayerNormalization" and len(node.output) == 1:
            node.output.extend([node.output[0] + "_mean", node.output[0] + "_inv_std_dev"])


def export_all(lm: torch.nn.Module, work: Path, out: Path, opset: int, add_adapters=None,
               shared: bool = False) -> onnx.ModelProto:
    """Writes ``weights.data``, reference_model.onnx, inference_model.onnx and inference_kv_model.onnx into ``out``;
    returns the training forward graph (its initializers point into ``out/weights.data``; nothing of it is saved).

    With ``add_adapters`` (a function that adds LoRA adapters to ``lm`` in place and returns their trainable tensors by
    name), the weights file and the three inference graphs are the base model's, written before the adapters exist,
    and only the training forward carries the adapters: the base weights as external initializers into the same
    ``weights.data`` (frozen: never graph inputs, so never checkpoint parameters), the adapters inline.
    With ``shared`` the training forward is shared_prompt.TrainGraph (one packed row per pair).
    """
    example = wrappers.example_inputs(lm.vocab_size)
    layout = write_weights(lm, out / WEIGHTS_FILE)
    forward_path = work / "forward_model.onnx"
    if add_adapters is None:
        forward = _export_forward(lm, layout, forward_path, opset, None, shared)
    for module, inputs, outputs, name in (
            (wrappers.ReferenceGraph(lm), wrappers.REFERENCE_INPUTS, wrappers.REFERENCE_OUTPUTS, "reference_model.onnx"),
            (wrappers.InferenceGraph(lm), wrappers.INFERENCE_INPUTS, wrappers.INFERENCE_OUTPUTS, "inference_model.onnx")):
        model = export_graph(module, example, inputs, outputs, out / name, opset)
        attach_weights(model, layout, out / name, inputs, require_all=False)
        onnx.save(model, str(out / name))
    kv_graph.export(lm, out, opset, layout)
    if add_adapters is not None:
        forward = _export_forward(lm, layout, forward_path, opset, add_adapters(lm), shared)
    return forward


def _export_forward(lm, layout: dict, path: Path, opset: int, adapters, shared: bool) -> onnx.ModelProto:
    if shared:
        example = shared_prompt.example_inputs(lm.vocab_size)[0]
        graph, inputs, dims = shared_prompt.TrainGraph(lm), shared_prompt.TRAIN_INPUTS, shared_prompt.DIMS
    else:
        example = wrappers.example_inputs(lm.vocab_size)
        graph, inputs, dims = wrappers.TrainGraph(lm), wrappers.TRAIN_INPUTS, wrappers.DIMS
    forward = export_graph(graph, example, inputs, wrappers.TRAIN_OUTPUTS, path, opset, dims)
    attach_weights(forward, layout, path, inputs, require_all=True, inline=adapters)
    expose_layernorm_stats(forward)
    return forward
