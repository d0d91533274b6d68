"""training_memory's rewrites of the training graph: the values ORT's own graph computes (the forward pass bit for bit,
gradients and updates to float32 rounding), and the memory-relevant structure (no forward softmax read by the backward pass, shapes read early, no recorded shapes)."""

import sys
from pathlib import Path

import numpy as np
import onnx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_export import hf_model, save_model_dir  # noqa: E402

from dpo4j_export import training_memory, wrappers  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnxruntime.training import api as ort_api  # noqa: E402
import export as export_cli  # noqa: E402


def _export(kind: str, root: Path, rewrite: bool, monkeypatch) -> Path:
    if not rewrite:
        monkeypatch.setattr(training_memory, "lower_peak_memory", lambda model: {})
    model_dir = save_model_dir(hf_model(kind), root / f"hf-{kind}")
    out = export_cli.export(model_dir, kind, root / f"out-{kind}-{rewrite}", max_grad_norm=1.0)
    monkeypatch.undo()
    return out


def _two_steps(art: Path, example: dict) -> list:
    """Train outputs of two TrainStep + AdamW steps, then every parameter (the gradients show up in them)."""
    state = ort_api.CheckpointState.load_checkpoint(str(art / "checkpoint"))
    so = ort.SessionOptions()
    so.use_deterministic_compute = True
    so.intra_op_num_threads = 1  # the Python runtime's threaded backward differs run to run even for ORT's own graph
    module = ort_api.Module(str(art / "training_model.onnx"), state, str(art / "eval_model.onnx"), session_options=so)
    optimizer = ort_api.Optimizer(str(art / "optimizer_model.onnx"), module)
    optimizer.set_learning_rate(1e-2)
    inputs = [example[n].numpy() for n in wrappers.TRAIN_INPUTS]
    got = []
    module.train()
    module.lazy_reset_grad()
    for _ in range(2):
        got.extend(np.asarray(o) for o in module(*inputs))
        optimizer.step()
        module.lazy_reset_grad()
    got.append(module.get_contiguous_parameters().numpy())
    return got


@pytest.mark.parametrize("kind", ["gpt2", "llama", "qwen2"])
def test_rewritten_graph_trains_like_ort_generated_graph(kind, tmp_path, monkeypatch):
    plain = _export(kind, tmp_path, rewrite=False, monkeypatch=monkeypatch)
    lowered = _export(kind, tmp_path, rewrite=True, monkeypatch=monkeypatch)
    names = [[n.name for n in onnx.load(str(a / "training_model.onnx"), load_external_data=False).graph.node]
             for a in (plain, lowered)]
    assert not any("_Recompute" in n for n in names[0]) and sum(n.endswith("/Softmax") for n in names[1]) == 4
    example = wrappers.example_inputs(512)
    example["completion_mask"][0, 3] = 0  # unequal completion lengths
    want, got = _two_steps(plain, example), _two_steps(lowered, example)
    assert len(got) == len(want) == 2 * len(wrappers.TRAIN_OUTPUTS) + 1
    first = len(wrappers.TRAIN_OUTPUTS)
    for i, (g, w) in enumerate(zip(got[:first], want[:first])):  # the forward pass is untouched: bit for bit
        np.testing.assert_array_equal(g, w, err_msg=f"step 1 output {i}")
    # Step 2 runs on the parameters after one backward pass + AdamW. The recomputed softmax runs the same kernel on the
    # same inputs, but buffers now sit at other addresses and ORT 1.19's vectorised reductions may round the last bit
    # differently, so the step-2 outputs agree to float32 rounding. (The parameters themselves are not compared: Adam's
    # first update is lr * sign(g), so a gradient component of ~1e-9 that flips sign moves by 2 lr. dpo4j's own runs
    # are bit for bit reproducible on ORT 1.24: the Java bitwise-resume and session-setting tests.)
    for i, (g, w) in enumerate(zip(got[first:2 * first], want[first:2 * first])):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=f"step 2 output {i}")


@pytest.mark.parametrize("name,layers", [("tiny-gpt2", 2), ("tiny-llama", 2)])
def test_committed_training_graphs_are_rewritten(name, layers):
    root = Path(__file__).resolve().parents[2] / "artifacts" / name
    model = onnx.load(str(root / "training_model.onnx"), load_external_data=False)
    nodes = list(model.graph.node)
    assert len(model.graph.value_info) == 0
    softmaxes = [n for n in nodes if n.op_type == "Softmax" and not training_memory.is_backward(n)
                 and "_Recompute" not in n.name]
    assert len(softmaxes) == layers
    for sm in softmaxes:
        readers = [n for n in nodes if sm.output[0] in n.input]
        assert [r.op_type for r in readers] == ["MatMul"], sm.name  # only P V; the backward reads the recomputed copy
    recomputed = [n for n in nodes if n.op_type == "Softmax" and "_Recompute" in n.name]
    assert len(recomputed) == layers
    for sm in recomputed:
        assert sorted(r.op_type for r in nodes if sm.output[0] in r.input) == ["FusedMatMul", "SoftmaxGrad_13"]
    forward_outputs = {o for m in nodes if not training_memory.is_backward(m) for o in m.output}
    shapes = [n for n in nodes if n.op_type == "Shape" and training_memory.is_backward(n)
              and n.input[0] in forward_outputs]
    assert shapes
    aliased = 0
    for shape in shapes:  # the forward pass reads such a tensor only through aliases that wait for its Shape nodes
        readers = [r for r in nodes if shape.input[0] in r.input and not training_memory.is_backward(r)]
        assert all(r.op_type == "Reshape" and r.input[0] == shape.input[0] for r in readers), shape.name
        assert len(readers) <= 1, shape.name
        aliased += [list(r.input) for r in readers] == [[shape.input[0], shape.output[0]]]
    assert aliased >= len(shapes) // 2  # the rest read a tensor with no other forward reader or chain their aliases


def test_recomputation_skips_a_softmax_the_backward_pass_does_not_read():
    """A softmax without gradient readers (an inference graph) is left alone; nothing else changes."""
    from onnx import TensorProto, helper
    g = helper.make_graph(
        [helper.make_node("MatMul", ["q", "kt"], ["s"], name="/attn/MatMul"),
         helper.make_node("Div", ["s", "c"], ["d"], name="/attn/Div"),
         helper.make_node("Softmax", ["d"], ["p"], name="/attn/Softmax", axis=-1)],
        "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 2, 2]) for n in ("q", "kt")],
        [helper.make_tensor_value_info("p", TensorProto.FLOAT, [1, 2, 2])],
        [helper.make_tensor("c", TensorProto.FLOAT, [], [2.0])])
    model = helper.make_model(g)
    before = model.SerializeToString()
    assert training_memory.recompute_attention_probs(model) == 0
    assert training_memory.read_shapes_early(model) == 0
    assert model.SerializeToString() == before
