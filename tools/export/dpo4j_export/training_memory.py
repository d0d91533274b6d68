"""Rewrites of the generated training graph that lower its peak memory without changing any value it computes.

ORT builds the backward pass from the forward graph and keeps every forward tensor that a gradient node reads alive
from the moment it is produced until that gradient node has run. Three things kept far more than that:

* **Attention probabilities** (``recompute_attention_probs``). ``P = softmax(Q Kᵀ / √d + mask)`` is (N, H, T, T) per
  layer and the backward pass reads it twice (``dV = Pᵀ dO`` and the softmax gradient), so every layer's ``P`` is
  alive at the start of the backward pass: 12 × 201 MB for GPT-2 124M at 16 sequences of 512. Those two gradient
  nodes now read a copy of ``MatMul → scale → mask → Softmax`` computed from the layer's ``Q`` and ``Kᵀ`` (which the
  backward pass keeps anyway), so each forward ``P`` dies after ``P V`` and one layer's recomputed ``P`` is alive at a
  time (activation recomputation of one subgraph, as FlashAttention's backward pass does). The copy must not run
  before the backward pass reaches its layer, so its ``Q`` input is ``Reshape(Q, Shape(Q) ++ Shape(dO)[0:0])``: the
  same tensor (ORT's Reshape aliases its input) that cannot exist before ``dO``, the gradient flowing into ``P V``.
* **Shapes** (``read_shapes_early``). ORT's Reshape gradient is ``Reshape(dY, Shape(X))``; its ``Shape(X)`` node is
  part of the backward pass, so ORT schedules it there and keeps all of ``X`` (e.g. the three (N, T, C) outputs of
  the QKV ``Split``) alive through the forward pass for a handful of integers. The forward readers of ``X`` now read
  ``Reshape(X, Shape(X))`` (an alias), which makes ``Shape(X)`` run before them.
* **Buffer reuse across the forward/backward gap** (``forget_shapes``). ORT's allocation planner hands a dead
  tensor's buffer to a later tensor of the same *recorded* symbolic shape and frees the buffer only after the last
  tensor using it. The gradient of a forward tensor has that tensor's recorded shape, so a forward buffer that died
  early (the ``P`` above, the softmax input, ...) was kept through the rest of the forward pass to hold its own
  gradient in the backward pass. Without ``value_info`` ORT infers shapes itself, with unnamed dimensions where they
  depend on ``Reshape`` targets, and such buffers are freed when their tensor dies.

Measured on GPT-2 124M (benchmarks.md, "Training graph memory"). The rewrites add aliases, shape reads and one
recomputed score/softmax chain per layer that runs the same kernels on the same inputs: the forward pass is bit for
bit ORT's own, the gradients equal to float32 rounding (buffers sit at other addresses, and vectorised reductions may
round the last bit differently).
"""

import onnx
from onnx import helper

from .errors import ExportError

# Between the Softmax and the scores MatMul the exporters emit a scale and an additive mask.
_CHAIN_OPS = {"Add", "Sub", "Mul", "Div", "Where"}
_SCORES_OPS = {"MatMul", "FusedMatMul"}


def is_backward(node: onnx.NodeProto) -> bool:
    """ORT's gradient builder names every node it adds ``<forward node>_Grad/<op>_<i>``."""
    return "_Grad/" in node.name


class _Graph:
    """The node list as independent NodeProto copies, with producer/consumer maps (``refresh`` after each edit)."""

    def __init__(self, graph: onnx.GraphProto):
        self.graph = graph
        self.nodes = []
        for node in graph.node:
            copy = onnx.NodeProto()
            copy.CopyFrom(node)
            self.nodes.append(copy)
        self.refresh()

    def refresh(self) -> None:
        self.producer = {}
        self.consumers = {}
        for node in self.nodes:
            for t in node.output:
                self.producer[t] = node
            for t in node.input:
                self.consumers.setdefault(t, []).append(node)

    def backward_readers(self, tensor: str) -> list:
        return [n for n in self.consumers.get(tensor, []) if is_backward(n)]

    def forward_readers(self, tensor: str) -> list:
        return [n for n in self.consumers.get(tensor, []) if not is_backward(n)]

    def index(self, node: onnx.NodeProto) -> int:
        for i, n in enumerate(self.nodes):
            if n is node:
                return i
        raise ExportError(f"node {node.name} is not in the graph")

    def commit(self) -> None:
        del self.graph.node[:]
        self.graph.node.extend(self.nodes)


def _whole_shape(shape: onnx.NodeProto) -> bool:
    """True for a Shape node that returns every dimension (no ``end``, ``start`` absent or 0)."""
    return all(a.name == "start" and a.i == 0 for a in shape.attribute)


def _scores_chain(g: _Graph, softmax: onnx.NodeProto):
    """The forward nodes from the scores MatMul to ``softmax`` (MatMul first), or None if the pattern differs."""
    chain = [softmax]
    tensor = softmax.input[0]
    while True:
        node = g.producer.get(tensor)
        if node is None or is_backward(node):
            return None
        if node.op_type in _SCORES_OPS:
            chain.append(node)
            return list(reversed(chain))
        if node.op_type not in _CHAIN_OPS or len(chain) > 4:
            return None
        # the chain continues through the input computed from the scores (the first one, as the exporters emit it)
        chain.append(node)
        tensor = node.input[0]


def recompute_attention_probs(model: onnx.ModelProto) -> int:
    """Gives every attention softmax's backward readers a recomputed copy of it; returns the number rewritten."""
    g = _Graph(model.graph)
    rewritten = 0
    for softmax in [n for n in g.nodes if n.op_type == "Softmax" and not is_backward(n)]:
        probs = softmax.output[0]
        readers = g.backward_readers(probs)
        chain = _scores_chain(g, softmax) if readers else None
        if chain is None:
            continue
        q, kt = chain[0].input[0], chain[0].input[1]
        if not g.backward_readers(q) or not g.backward_readers(kt):
            continue  # recomputing would keep Q or Kᵀ alive longer than the backward pass does already
        gate = _upstream_gradient(readers, probs)
        if gate is None:
            continue
        prefix = softmax.name + "_Recompute"
        nodes = [
            helper.make_node("Shape", [q], [prefix + "/q_shape"], name=prefix + "/Shape_q"),
            helper.make_node("Shape", [gate], [prefix + "/gate_empty"], name=prefix + "/Shape_gate", start=0, end=0),
            helper.make_node("Concat", [prefix + "/q_shape", prefix + "/gate_empty"], [prefix + "/q_shape_gated"],
                             name=prefix + "/Concat", axis=0),
            helper.make_node("Reshape", [q, prefix + "/q_shape_gated"], [prefix + "/q"], name=prefix + "/Reshape_q"),
        ]
        renamed = {q: prefix + "/q"}
        for node in chain:
            copy = onnx.NodeProto()
            copy.CopyFrom(node)
            copy.name = prefix + "/" + node.name
            copy.input[:] = [renamed.get(t, t) for t in node.input]
            for i, t in enumerate(node.output):
                renamed[t] = prefix + "/" + t
                copy.output[i] = renamed[t]
            nodes.append(copy)
        for reader in readers:
            reader.input[:] = [renamed[probs] if t == probs else t for t in reader.input]
        at = min(g.index(r) for r in readers)
        g.nodes[at:at] = nodes
        g.refresh()
        rewritten += 1
    g.commit()
    return rewritten


def _upstream_gradient(readers: list, probs: str):
    """The gradient flowing into ``P V``: the other input of the backward MatMul that reads ``probs`` (dV = Pᵀ dO)."""
    for reader in readers:
        if reader.op_type in _SCORES_OPS:
            others = [t for t in reader.input if t != probs]
            if len(others) == 1 and others[0].endswith("_grad"):
                return others[0]
    return None


def read_shapes_early(model: onnx.ModelProto) -> int:
    """Makes the forward readers of every tensor whose shape a backward ``Shape`` node takes wait for that node."""
    g = _Graph(model.graph)
    rewritten = 0
    for shape in [n for n in g.nodes if n.op_type == "Shape" and is_backward(n) and _whole_shape(n)]:
        x = shape.input[0]
        producer = g.producer.get(x)
        forward = g.forward_readers(x)
        if producer is None or is_backward(producer) or not forward:
            continue
        alias = x + "_EarlyShape"  # a forward node's name: is_backward() is false for it
        while alias in g.producer:  # a second Shape of the same tensor: its alias reads this one's
            alias += "_"
        for reader in forward:
            reader.input[:] = [alias if t == x else t for t in reader.input]
        g.nodes.remove(shape)
        at = g.index(producer) + 1
        g.nodes[at:at] = [shape, helper.make_node("Reshape", [x, shape.output[0]], [alias], name=alias + "/Reshape")]
        g.refresh()
        rewritten += 1
    g.commit()
    return rewritten


def forget_shapes(model: onnx.ModelProto) -> int:
    """Drops every recorded intermediate shape (``value_info``); graph inputs and outputs keep theirs."""
    n = len(model.graph.value_info)
    del model.graph.value_info[:]
    return n


def lower_peak_memory(model: onnx.ModelProto) -> dict:
    """Applies the three rewrites to a generated training graph; returns how many places each one changed."""
    return {
        "shape reads moved forward": read_shapes_early(model),
        "attention softmaxes recomputed": recompute_attention_probs(model),
        "recorded shapes dropped": forget_shapes(model),
    }
