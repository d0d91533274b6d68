"""Loads freshly written artifacts with onnxruntime(-training) and checks them against the PyTorch graphs."""

from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from onnxruntime.training import api as ort_api

from . import shared_prompt, wrappers
from .errors import ExportError

TOLERANCE = 1e-4  # float32 ORT vs PyTorch on the same weights (different kernels / summation order)


def _np(example: dict, names) -> list:
    return [example[n].numpy() for n in names]


def _close(label: str, found, expected) -> None:
    found, expected = np.asarray(found), np.asarray(expected)
    if found.shape != expected.shape or not np.allclose(found, expected, rtol=TOLERANCE, atol=TOLERANCE):
        diff = np.max(np.abs(found - expected)) if found.shape == expected.shape else "shape"
        raise ExportError(f"{label}: ONNX Runtime differs from PyTorch: max |diff| {diff}, expected <= {TOLERANCE}")


def train_one_step(art: Path, example: dict, lr: float = 1e-3, names=wrappers.TRAIN_INPUTS) -> tuple:
    """One TrainStep + OptimizerStep through onnxruntime.training.api on the inputs ``names`` of ``example``;
    returns (eval outputs, train outputs)."""
    state = ort_api.CheckpointState.load_checkpoint(str(art / "checkpoint"))
    module = ort_api.Module(str(art / "training_model.onnx"), state, str(art / "eval_model.onnx"))
    optimizer = ort_api.Optimizer(str(art / "optimizer_model.onnx"), module)
    optimizer.set_learning_rate(lr)
    inputs = _np(example, names)
    module.eval()
    eval_out = module(*inputs)
    module.train()
    train_out = module(*inputs)
    optimizer.step()
    module.lazy_reset_grad()
    module.eval()
    after = module(*inputs)
    return eval_out, train_out, after


def _examples(vocab_size: int, shared: bool) -> tuple:
    """(unpacked example, training-graph example): with ``shared`` the rejected rows repeat their chosen row's prompt
    and the training graph gets the packed rows (shared_prompt.py), else both are wrappers.example_inputs."""
    if shared:
        packed, unpacked = shared_prompt.example_inputs(vocab_size)
        return unpacked, packed
    example = wrappers.example_inputs(vocab_size)
    return example, example


def expected(lm: torch.nn.Module, shared: bool = False) -> dict:
    """PyTorch's outputs on the example batch, computed before the model's weights are released:
    ``train`` the five training-graph outputs, ``logits`` (N, T, V). Always from the unpacked graph
    (wrappers.TrainGraph), so that a shared-prompt training graph is checked against the unpacked computation."""
    example = _examples(lm.vocab_size, shared)[0]
    with torch.no_grad():
        want_train = [t.numpy() for t in wrappers.TrainGraph(lm)(*[example[n] for n in wrappers.TRAIN_INPUTS])]
        want_logits = lm(example["input_ids"], example["attention_mask"]).numpy()  # (N, T, V)
    return {"vocab_size": lm.vocab_size, "train": want_train, "logits": want_logits, "shared": shared}


def run_all(art: Path, want: dict) -> None:
    """Loads the artifacts with onnxruntime, runs one training step and compares every graph with ``want``
    (:func:`expected`). Holds the model's training state: about 5 times the weight bytes."""
    example, train_example = _examples(want["vocab_size"], want["shared"])
    want_train, want_logits = want["train"], want["logits"]
    names = shared_prompt.TRAIN_INPUTS if want["shared"] else wrappers.TRAIN_INPUTS
    eval_out, train_out, after = train_one_step(art, train_example, names=names)
    for name, got, want in zip(wrappers.TRAIN_OUTPUTS, eval_out, want_train):
        _close(f"{art / 'eval_model.onnx'} output {name}", got, want)
    _close(f"{art / 'training_model.onnx'} output loss", train_out[0], want_train[0])
    if not np.isfinite(after[0]) or float(after[0]) == float(eval_out[0]):
        raise ExportError(f"{art}: optimizer step did not change the loss to a new finite value: "
                          f"before {float(eval_out[0])}, after {float(after[0])}")
    ref = ort.InferenceSession(str(art / "reference_model.onnx"), providers=["CPUExecutionProvider"])
    for name, got, want in zip(wrappers.REFERENCE_OUTPUTS, ref.run(None, dict(zip(
            wrappers.REFERENCE_INPUTS, _np(example, wrappers.REFERENCE_INPUTS)))), want_train[1:4]):
        _close(f"{art / 'reference_model.onnx'} output {name}", got, want)
    inf = ort.InferenceSession(str(art / "inference_model.onnx"), providers=["CPUExecutionProvider"])
    got = inf.run(None, dict(zip(wrappers.INFERENCE_INPUTS, _np(example, wrappers.INFERENCE_INPUTS))))[0]
    _close(f"{art / 'inference_model.onnx'} output logits", got, want_logits)
