#!/usr/bin/env python3
"""Generate the toy ORT training artifacts and golden values used by the Java runtime tests.

Model: features (N, 4) -> Linear(4, 8) -> ReLU -> Linear(8, 3) -> prediction (N, 3); loss = MSE(prediction, target).
`fc2.bias` is frozen so that trainable-only and all-parameter counts differ.

Writes into src/test/resources/toy/ (default):
  training_model.onnx, eval_model.onnx, optimizer_model.onnx, checkpoint  (onnxruntime.training.artifacts)
  golden.json  values computed with onnxruntime-training's own Python API (onnxruntime.training.api)

Independent cross-check: the first loss and the first AdamW step are recomputed with plain torch and must agree
with the ORT Python values (the script fails otherwise).

Deterministic: fixed torch/numpy seeds; re-running produces identical golden values.
Usage: tools/.venv/bin/python tools/export/make_toy_artifacts.py [out_dir]
"""
import json
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnxruntime.training import artifacts
from onnxruntime.training.api import CheckpointState, LinearLRScheduler, Module, Optimizer

IN, HIDDEN, OUT = 4, 8, 3
LR = 0.05
FROZEN = ["fc2.bias"]
ADAM_BETAS, ADAM_EPS, ADAM_WD = (0.9, 0.999), 1e-6, 0.0  # onnxblock.optim.AdamW defaults


class Toy(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(IN, HIDDEN)
        self.fc2 = torch.nn.Linear(HIDDEN, OUT)

    def forward(self, features):
        return self.fc2(torch.relu(self.fc1(features)))


def export_onnx(model):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "toy.onnx")
        torch.onnx.export(model, (torch.zeros(2, IN),), path, input_names=["features"],
                          output_names=["prediction"], opset_version=17, do_constant_folding=False,
                          dynamic_axes={"features": {0: "N"}, "prediction": {0: "N"}})
        return onnx.load(path)


def batches():
    rng = np.random.RandomState(7)
    def one(n):
        return (rng.uniform(-1, 1, (n, IN)).astype(np.float32),   # (n, IN)
                rng.uniform(-1, 1, (n, OUT)).astype(np.float32))  # (n, OUT)
    return {"a": one(5), "b": one(3), "c": one(4)}


def flat(a):
    return [float(x) for x in np.asarray(a, dtype=np.float32).reshape(-1)]


def open_module(out):
    state = CheckpointState.load_checkpoint(os.path.join(out, "checkpoint"))
    module = Module(os.path.join(out, "training_model.onnx"), state, os.path.join(out, "eval_model.onnx"))
    optimizer = Optimizer(os.path.join(out, "optimizer_model.onnx"), module)
    return state, module, optimizer


def ort_golden(out, data):
    g = {}
    state, module, opt = open_module(out)
    names = [n for n, _ in state.parameters]
    g["parameter_names"] = names
    g["initial_parameters"] = {n: flat(state.parameters[n].data) for n in names}
    g["parameter_shapes"] = {n: list(state.parameters[n].data.shape) for n in names}
    g["trainable_count"] = module.get_parameters_size(True)
    g["total_count"] = module.get_parameters_size(False)
    g["training_input_names"] = module.input_names()
    g["training_output_names"] = module.output_names()
    g["initial_trainable_flat"] = flat(module.get_contiguous_parameters(True).numpy())
    module.train()
    opt.set_learning_rate(LR)
    xa, ya = data["a"]
    loss, pred = module(xa, ya)
    g["step1"] = {"loss": float(loss), "prediction": flat(pred)}
    opt.step()
    g["step1"]["trainable_flat_after"] = flat(module.get_contiguous_parameters(True).numpy())
    g["step1"]["params_after"] = {n: flat(state.parameters[n].data) for n in names}
    module.lazy_reset_grad()
    xb, yb = data["b"]
    loss2, _ = module(xb, yb)
    opt.step()
    g["step2"] = {"loss": float(loss2), "trainable_flat_after": flat(module.get_contiguous_parameters(True).numpy())}
    module.eval()
    xc, yc = data["c"]
    eloss, epred = module(xc, yc)
    g["eval_after_step2"] = {"loss": float(eloss), "prediction": flat(epred)}
    return g


def ort_accumulation_golden(out, data):
    _, module, opt = open_module(out)
    module.train()
    opt.set_learning_rate(LR)
    module.lazy_reset_grad()
    la, _ = module(*data["a"])
    lb, _ = module(*data["b"])
    opt.step()
    return {"loss_a": float(la), "loss_b": float(lb),
            "trainable_flat_after": flat(module.get_contiguous_parameters(True).numpy())}


def ort_scheduler_golden(out, data):
    _, module, opt = open_module(out)
    module.train()
    warmup, total, lr0 = 2, 6, 0.1
    # The 1.19 Python binding passes its 2nd/3rd arguments to C++ as (total, warmup): swap them here so the
    # scheduler gets warmup=2, total=6 like the C API's RegisterLinearLRScheduler(warmup, total, lr).
    sched = LinearLRScheduler(opt, total, warmup, lr0)
    lrs = []
    for _ in range(7):
        module.lazy_reset_grad()
        module(*data["a"])
        opt.step()
        sched.step()
        lrs.append(float(opt.get_learning_rate()))
    for step, lr in enumerate(lrs, start=1):  # closed form: linear warmup, then linear decay to 0
        factor = step / warmup if step < warmup else max(0.0, (total - step) / (total - warmup))
        assert abs(lr - lr0 * factor) < 1e-7, f"scheduler step {step}: ORT lr {lr} vs formula {lr0 * factor}"
    return {"warmup": warmup, "total": total, "initial_lr": lr0, "lr_after_each_step": lrs}


def torch_check(model, data, g):
    """Independent reference: torch MSE loss and gradients, then one AdamW step written out by hand.

    onnxblock.optim.AdamW emits adam_mode=1 (Hugging Face AdamW: eps added to sqrt(v) before bias correction):
    p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps), with m, v the raw moment estimates.
    """
    xa, ya = (torch.from_numpy(t) for t in data["a"])
    loss = torch.nn.functional.mse_loss(model(xa), ya)
    assert abs(loss.item() - g["step1"]["loss"]) < 1e-6, (loss.item(), g["step1"]["loss"])
    loss.backward()
    (b1, b2), t = ADAM_BETAS, 1
    for n, p in model.named_parameters():
        w = p.detach().numpy().astype(np.float64).reshape(-1)
        if n not in FROZEN:
            grad = p.grad.numpy().astype(np.float64).reshape(-1)
            m, v = (1 - b1) * grad, (1 - b2) * grad * grad
            w = w - LR * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + ADAM_EPS) - LR * ADAM_WD * w
        got = np.array(g["step1"]["params_after"][n], dtype=np.float64)
        diff = float(np.max(np.abs(w - got)))
        assert diff < 1e-6, f"reference AdamW vs ORT differ for {n}: {diff}"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "src", "test",
                                                               "resources", "toy")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1234)
    model = Toy()
    names = [n for n, _ in model.named_parameters()]
    artifacts.generate_artifacts(export_onnx(model), requires_grad=[n for n in names if n not in FROZEN],
                                 frozen_params=FROZEN, loss=artifacts.LossType.MSELoss,
                                 optimizer=artifacts.OptimType.AdamW, artifact_directory=out,
                                 additional_output_names=["prediction"])
    data = batches()
    g = {"learning_rate": LR, "frozen": FROZEN,
         "batches": {k: {"features": flat(x), "target": flat(y), "n": int(x.shape[0])} for k, (x, y) in data.items()}}
    g.update(ort_golden(out, data))
    g["accumulation"] = ort_accumulation_golden(out, data)
    g["scheduler"] = ort_scheduler_golden(out, data)
    torch_check(model, data, g)
    with open(os.path.join(out, "golden.json"), "w") as f:
        json.dump(g, f, indent=1)
    print("wrote", sorted(os.listdir(out)))


if __name__ == "__main__":
    main()
