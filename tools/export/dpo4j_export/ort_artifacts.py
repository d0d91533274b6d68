"""ONNX Runtime training artifacts (training/eval/optimizer models + checkpoint) from the forward graph."""

import contextlib
import os
import re
import struct
import sys
import tempfile
from pathlib import Path

import onnx
from onnxruntime.training import artifacts
from onnxruntime.training import onnxblock
from onnxruntime.training.onnxblock import optim

from . import training_memory
from .errors import ExportError
from .onnx_graphs import MAX_IR_VERSION

BETAS = (0.9, 0.999)
EPS = 1e-8
ADAM_MODE_PYTORCH = 0
CHECKPOINT_VERSION = 2
GRAPH_WEIGHT_DECAY = 0.0  # decay is applied by the runtime (manifest optimizer.decay_parameters)


def generate(forward: onnx.ModelProto, params, out: Path, max_grad_norm, frozen=()) -> None:
    """Writes training_model.onnx, eval_model.onnx, optimizer_model.onnx and checkpoint into ``out``.

    The optimizer graph's AdamW has weight_decay 0: ORT's optimizer has one parameter group, so decoupled weight
    decay (HF's two groups) is applied by the Java runtime to the parameters the manifest lists.

    loss=None puts a pass-through block on top, so the forward graph's first output (``loss``) is the
    loss and the other four outputs are returned by TrainStep/EvalStep in contract order.

    ``forward`` is handed over as a ModelProto whose initializers are external references into
    ``out/weights.data`` (never loaded into protobuf): onnxblock copies and re-serialises the model several times,
    which costs nothing without the data, and it moves every parameter to a graph input before ORT sees the graph.
    The only reader of the weights is ORT's checkpoint writer, which resolves the external data relative to the
    working directory, so generate_artifacts runs with ``out`` as the working directory.

    ``frozen`` (LoRA: the base weights, external initializers of ``forward``) are neither trainable nor checkpoint
    state. They go to generate_artifacts as frozen parameters, so that ORT's pre-training graph optimisation sees
    graph inputs, not constants (as constants it folds e.g. the Transpose of every Linear weight into a new inline
    initializer: a second, transposed copy of the base inside training_model.onnx); the checkpoint is written with
    the trainable tensors only, and afterwards the frozen inputs of the training and eval graphs are turned back into
    the same external initializers into weights.data.
    """
    clip = optim.ClipGradNorm(max_grad_norm) if max_grad_norm is not None else None
    adamw = optim.AdamW(bias_correction=True, betas=BETAS, eps=EPS, weight_decay=GRAPH_WEIGHT_DECAY, clip_grad=clip)
    cwd, out = os.getcwd(), out.resolve()
    with _native_stderr_captured():
        os.chdir(out)
        try:
            with _checkpoint_without_frozen(bool(frozen)):
                artifacts.generate_artifacts(forward, requires_grad=list(params), frozen_params=list(frozen),
                                             loss=None, optimizer=adamw, artifact_directory=str(out))
        finally:
            os.chdir(cwd)
    if frozen:
        layout = {t.name: t for t in forward.graph.initializer if t.name in set(frozen)}
        for f in ("training_model.onnx", "eval_model.onnx"):
            _inputs_to_external(out / f, layout)
    _set_pytorch_adam_mode(out / "optimizer_model.onnx")
    _lower_training_memory(out / "training_model.onnx")
    for f in ("training_model.onnx", "eval_model.onnx", "optimizer_model.onnx"):
        _canonicalize_generated_names(out / f)
        ir = onnx.load(str(out / f), load_external_data=False).ir_version
        if ir > MAX_IR_VERSION:
            raise ExportError(f"{out / f}: ir_version: expected <= {MAX_IR_VERSION}, found {ir}")
    version = checkpoint_version(out / "checkpoint")
    if version != CHECKPOINT_VERSION:
        raise ExportError(f"{out / 'checkpoint'}: version: expected {CHECKPOINT_VERSION}, found {version}")


@contextlib.contextmanager
def _checkpoint_without_frozen(active: bool):
    """While active, generate_artifacts' checkpoint holds only the trainable parameters (its frozen list is dropped)."""
    if not active:
        yield
        return
    save = onnxblock.save_checkpoint

    def trainable_only(parameters, path, nominal_checkpoint=False):
        trainable, _frozen = parameters
        return save((trainable, []), path, nominal_checkpoint=nominal_checkpoint)

    onnxblock.save_checkpoint = trainable_only
    try:
        yield
    finally:
        onnxblock.save_checkpoint = save


def _inputs_to_external(path: Path, layout: dict) -> None:
    """Replaces the graph inputs named in ``layout`` (name -> external-data TensorProto) by those initializers."""
    model = onnx.load(str(path), load_external_data=False)
    g = model.graph
    found = [i for i in g.input if i.name in layout]
    if len(found) != len(layout):
        missing = sorted(set(layout) - {i.name for i in found})
        raise ExportError(f"{path}: expected every frozen weight as a graph input, missing {missing[:10]}")
    kept = [i for i in g.input if i.name not in layout]
    del g.input[:]
    g.input.extend(kept)
    for i in found:
        g.initializer.append(layout[i.name])
    onnx.save(model, str(path))


@contextlib.contextmanager
def _native_stderr_captured():
    """ORT's graph transformers log every pass at INFO level to fd 2 during generate_artifacts; keep that
    out of the console unless something fails, then show its tail."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            log.seek(0)
            tail = log.read().decode("utf-8", "replace").splitlines()[-20:]
            print("\n".join(["onnxruntime log (last lines):"] + tail), file=sys.stderr)
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _lower_training_memory(path: Path) -> None:
    """Applies training_memory's rewrites (recomputed attention softmax, early shape reads, no recorded shapes)."""
    model = onnx.load(str(path), load_external_data=False)  # a LoRA graph's frozen base stays in weights.data
    training_memory.lower_peak_memory(model)
    onnx.save(model, str(path))


def _set_pytorch_adam_mode(path: Path) -> None:
    """onnxblock's AdamW hard-codes adam_mode=1 (HF); the contract's optimizer is PyTorch's AdamW (mode 0)."""
    model = onnx.load(str(path), load_external_data=False)
    nodes = [n for n in model.graph.node if n.op_type == "AdamWOptimizer"]
    if len(nodes) != 1:
        raise ExportError(f"{path}: expected exactly one AdamWOptimizer node, found {len(nodes)}")
    for attr in nodes[0].attribute:
        if attr.name == "adam_mode":
            attr.i = ADAM_MODE_PYTORCH
    onnx.save(model, str(path))


_GENERATED = re.compile(r"^onnx::(.+)::(\d+)$")


def _canonicalize_generated_names(path: Path) -> None:
    """onnxblock numbers its names (``onnx::adamw.updated_flag::7``) with a process-wide counter; renumber them
    in order of appearance so that exporting twice in one process writes identical bytes."""
    model = onnx.load(str(path), load_external_data=False)  # a LoRA graph's frozen base stays in weights.data
    g = model.graph
    mapping = {}

    def canon(name: str) -> str:
        m = _GENERATED.match(name)
        if not m:
            return name
        if name not in mapping:
            mapping[name] = f"onnx::{m.group(1)}::{len(mapping) + 1}"
        return mapping[name]

    for vi in list(g.input) + list(g.output) + list(g.value_info):
        vi.name = canon(vi.name)
    for init in g.initializer:
        init.name = canon(init.name)
    for node in g.node:
        node.name = canon(node.name)
        node.input[:] = [canon(n) for n in node.input]
        node.output[:] = [canon(n) for n in node.output]
    onnx.save(model, str(path))


def checkpoint_version(path: Path) -> int:
    """Reads field 0 (``version``) of the ORT checkpoint flatbuffer (file identifier "ODTC")."""
    buf = path.read_bytes()
    if buf[4:8] != b"ODTC":
        raise ExportError(f"{path}: file identifier: expected b'ODTC', found {buf[4:8]!r}")
    root = struct.unpack_from("<I", buf, 0)[0]
    vtable = root - struct.unpack_from("<i", buf, root)[0]
    vt_size = struct.unpack_from("<H", buf, vtable)[0]
    field = struct.unpack_from("<H", buf, vtable + 4)[0] if vt_size > 4 else 0
    return struct.unpack_from("<i", buf, root + field)[0] if field else 0
