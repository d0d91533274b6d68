#!/usr/bin/env python3
"""A one-tensor training model of N float32 values, as ORT training artifacts (tools/bench/ort_checkpoint_limit.sh).

loss = MSE(sum(X * W), target); W has N values, all trainable, AdamW. generate_artifacts writes the checkpoint
without external data below 1.8 GB of parameters, so a save with the optimizer state puts 12 bytes per value into
ORT's checkpoint buffer.

    tools/.venv/bin/python tools/bench/ort_checkpoint_limit_model.py 150000000 OUT_DIR
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.training import artifacts


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: ort_checkpoint_limit_model.py N OUT_DIR")
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    w = numpy_helper.from_array(np.full((n,), 0.5, dtype=np.float32), "W")  # (N,)
    graph = helper.make_graph(
        [helper.make_node("Mul", ["X", "W"], ["p"]),  # (N,)
         helper.make_node("ReduceSum", ["p"], ["y"], keepdims=0)],  # ()
        "one_tensor", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [n])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    artifacts.generate_artifacts(model, requires_grad=["W"], loss=artifacts.LossType.MSELoss,
                                 optimizer=artifacts.OptimType.AdamW, artifact_directory=out)
    print(out, sorted(os.listdir(out)))


if __name__ == "__main__":
    main()
