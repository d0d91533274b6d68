"""ONNX Runtime side of the golden cross-check: runs the exported artifacts of tools/CONTRACT.md through
onnxruntime-training's own Python API (CheckpointState / Module / Optimizer) and ``onnxruntime.InferenceSession``."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx

import dpo_reference as ref


@dataclass(frozen=True)
class GraphOutputs:
    loss: float
    logps: np.ndarray  # (N)
    token_counts: np.ndarray  # (N)
    logits_sum: np.ndarray  # (N)
    pair_losses: np.ndarray  # (B)


def feeds(input_ids, attention_mask, completion_mask, ref_logps, x: ref.LossInputs) -> dict:
    """All user inputs of training_model.onnx / eval_model.onnx, keyed by contract name (a graph takes those it
    declares: artifacts exported before length_target / length_lambda have no such inputs)."""
    n = input_ids.shape[0]
    b = n // 2
    ones = np.ones(b, dtype=np.float32)
    f32 = lambda v: np.asarray(v, dtype=np.float32)  # noqa: E731
    return {
        "input_ids": np.ascontiguousarray(input_ids, dtype=np.int64),  # (N, T)
        "attention_mask": np.ascontiguousarray(attention_mask, dtype=np.int64),  # (N, T)
        "completion_mask": np.ascontiguousarray(completion_mask, dtype=np.int64),  # (N, T)
        "ref_logps": f32(ref_logps),  # (N)
        "pref_prob": ones if x.pref_prob is None else f32(x.pref_prob),  # (B)
        "pair_weight": ones if x.pair_weight is None else f32(x.pair_weight),  # (B)
        "loss_mix": f32(x.loss_mix),  # (K)
        "beta": f32([x.beta]),
        "label_smoothing": f32([x.label_smoothing]),
        "length_alpha": f32([x.length_alpha]),
        "simpo_gamma": f32([x.simpo_gamma]),
        "rpo_alpha": f32([x.rpo_alpha]),
        "length_target": f32([x.length_target]),
        "length_lambda": f32([x.length_lambda]),
    }


def _ordered(module, named: dict) -> list:
    names = module.input_names()
    missing = [n for n in names if n not in named]
    if missing:
        raise ValueError(f"{'training' if module.training else 'eval'} graph: inputs {missing} are not in the "
                         f"contract's user inputs {sorted(named)}")
    return [named[n] for n in names]


def _outputs(module, values) -> GraphOutputs:
    out = dict(zip(module.output_names(), values))
    expected = ["loss", "logps", "token_counts", "logits_sum", "pair_losses"]
    if list(out)[:5] != expected:
        raise ValueError(f"graph outputs: expected {expected}, found {list(out)}")
    return GraphOutputs(float(out["loss"]), out["logps"], out["token_counts"], out["logits_sum"],
                        out["pair_losses"])


def _module(art: Path):
    from onnxruntime.training.api import CheckpointState, Module
    state = CheckpointState.load_checkpoint(str(art / "checkpoint"))
    module = Module(str(art / "training_model.onnx"), state, str(art / "eval_model.onnx"), device="cpu")
    return state, module


def evaluate(art: Path, named_feeds: list[dict]) -> list[GraphOutputs]:
    """eval_model.onnx on the starting weights, one run per feed dict."""
    _, module = _module(art)
    module.eval()
    return [_outputs(module, module(*_ordered(module, f))) for f in named_feeds]


def train(art: Path, named_feeds: dict, learning_rate: float, steps: int, weight_decay: float = 0.0,
          decay_parameters=()) -> tuple[list[GraphOutputs], dict]:
    """``steps`` TrainStep + OptimizerStep + LazyResetGrad on one batch; returns per-step outputs and the
    checkpoint parameters afterwards (name -> float32 array). Weight decay is applied the way the Java runtime
    does for artifacts whose AdamW graph has none: ``p *= float32(1 - lr*wd)`` on ``decay_parameters`` before
    each optimizer step."""
    from onnxruntime.training.api import Optimizer
    state, module = _module(art)
    opt = Optimizer(str(art / "optimizer_model.onnx"), module)
    opt.set_learning_rate(learning_rate)
    module.train()
    per_step = []
    factor = np.float32(1.0 - learning_rate * weight_decay)
    for _ in range(steps):
        per_step.append(_outputs(module, module(*_ordered(module, named_feeds))))
        if weight_decay:
            for name in decay_parameters:
                p = state.parameters[name]
                p.data = (np.array(p.data, dtype=np.float32) * factor).astype(np.float32)
        opt.step()
        module.lazy_reset_grad()
    params = {name: np.array(p.data, dtype=np.float32) for name, p in state.parameters}
    return per_step, params


def checkpoint_parameters(art: Path) -> dict:
    """The artifacts' starting checkpoint: parameter name -> float32 array (a LoRA set's: its adapters)."""
    from onnxruntime.training.api import CheckpointState
    state = CheckpointState.load_checkpoint(str(art / "checkpoint"))
    return {name: np.array(p.data, dtype=np.float32) for name, p in state.parameters}


def reference_model(art: Path, input_ids, attention_mask, completion_mask) -> dict:
    """reference_model.onnx through onnxruntime.InferenceSession: logps, token_counts, logits_sum."""
    import onnxruntime as ort
    sess = ort.InferenceSession(str(art / "reference_model.onnx"), providers=["CPUExecutionProvider"])
    feed = {"input_ids": input_ids.astype(np.int64), "attention_mask": attention_mask.astype(np.int64),
            "completion_mask": completion_mask.astype(np.int64)}
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, feed)))


def inference_logits(art: Path, input_ids, attention_mask) -> np.ndarray:
    """inference_model.onnx: next-token logits (N, T, V)."""
    import onnxruntime as ort
    sess = ort.InferenceSession(str(art / "inference_model.onnx"), providers=["CPUExecutionProvider"])
    return sess.run(["logits"], {"input_ids": input_ids.astype(np.int64),
                                 "attention_mask": attention_mask.astype(np.int64)})[0]


def adamw_attributes(art: Path) -> dict:
    """Attributes of the single AdamWOptimizer node of optimizer_model.onnx."""
    graph = onnx.load(str(art / "optimizer_model.onnx")).graph
    nodes = [n for n in graph.node if n.op_type == "AdamWOptimizer"]
    if len(nodes) != 1:
        raise ValueError(f"{art / 'optimizer_model.onnx'}: expected 1 AdamWOptimizer node, found {len(nodes)}")
    return {a.name: onnx.helper.get_attribute_value(a) for a in nodes[0].attribute}
