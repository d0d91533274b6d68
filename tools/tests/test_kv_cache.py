"""KV-cache path of our GPT-2 / Llama / Qwen2 modules and of inference_kv_model.onnx.

    tools/.venv/bin/python -m pytest -q tools/tests/test_kv_cache.py

Proves: prefill + one-position steps through ``forward_cached`` (left-padded batch, explicit position_ids) give the
full forward's logits within 1e-5; the presents equal transformers' own ``past_key_values`` and a transformers step
fed those caches gives the same logits; the committed artifacts' inference_kv_model.onnx equals their
inference_model.onnx in ONNX Runtime, and the manifest names the graph with the contract's signature.
"""

import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
for _d in (TOOLS / "export", TOOLS / "tests"):
    if str(_d) not in sys.path:
        sys.path.insert(0, str(_d))

from dpo4j_export import hf_loader, kv_graph  # noqa: E402
from test_export import hf_model, save_model_dir  # noqa: E402

ATOL = 1e-5


def _empty_past(lm, n: int) -> list:
    return [(torch.zeros(n, lm.kv_heads, 0, lm.head_dim), torch.zeros(n, lm.kv_heads, 0, lm.head_dim))
            for _ in range(lm.num_layers)]  # (N, KV, 0, D) each


def _left_padded(rows: list) -> tuple:
    """ids (N, T), mask (N, T), positions (N, T) of left-padded rows; positions count real tokens only."""
    t = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), t, dtype=torch.int64)  # (N, T)
    mask = torch.zeros(len(rows), t, dtype=torch.int64)  # (N, T)
    for i, r in enumerate(rows):
        ids[i, t - len(r):] = torch.tensor(r)
        mask[i, t - len(r):] = 1
    pos = (mask.cumsum(dim=1) - 1).clamp(min=0)  # (N, T)
    return ids, mask, pos


@pytest.fixture(scope="module", params=["gpt2", "llama", "qwen2"])
def models(request, tmp_path_factory):
    hf = hf_model(request.param)
    _, ours = hf_loader.load_model(save_model_dir(hf, tmp_path_factory.mktemp(request.param)))
    return hf, ours.eval()


@torch.no_grad()
def test_prefill_then_steps_equal_full_forward_per_row(models):
    """A left-padded batch (lengths 9, 4, 1 after a 3-token prefill split) stepped one position at a time."""
    _, lm = models
    g = torch.Generator().manual_seed(5)
    rows = [torch.randint(0, 512, (n,), generator=g).tolist() for n in (12, 7, 4)]
    prompt = [r[:-3] for r in rows]  # prefill part; the last 3 tokens of each row are fed one per step
    ids, mask, pos = _left_padded(prompt)
    logits, past = lm.forward_cached(ids, mask, pos, _empty_past(lm, len(rows)))  # (N, P, V)
    steps = [logits[:, -1:]]
    for k in range(3):
        new = torch.tensor([[r[len(p) + k]] for r, p in zip(rows, prompt)])  # (N, 1)
        mask = torch.cat([mask, torch.ones(len(rows), 1, dtype=torch.int64)], dim=1)  # (N, P+1)
        pos = pos[:, -1:] + 1  # (N, 1)
        step, past = lm.forward_cached(new, mask, pos, past)  # (N, 1, V)
        steps.append(step)
    for i, r in enumerate(rows):
        full = lm(torch.tensor([r]), torch.ones(1, len(r), dtype=torch.int64))[0]  # (T, V)
        pad = ids.shape[1] - len(prompt[i])
        torch.testing.assert_close(logits[i, pad:], full[:len(prompt[i])], atol=ATOL, rtol=0)
        found = torch.cat([s[i] for s in steps], dim=0)  # (4, V): last prompt position + 3 steps
        torch.testing.assert_close(found, full[len(prompt[i]) - 1:], atol=ATOL, rtol=0)


@torch.no_grad()
def test_presents_and_step_equal_transformers_past_key_values(models):
    hf, lm = models
    g = torch.Generator().manual_seed(6)
    ids = torch.randint(0, 512, (2, 8), generator=g)  # (N, T)
    mask = torch.ones(2, 8, dtype=torch.int64)  # (N, T)
    pos = torch.arange(8).repeat(2, 1)  # (N, T)
    out = hf(input_ids=ids[:, :7], attention_mask=mask[:, :7], use_cache=True)
    logits, past = lm.forward_cached(ids[:, :7], mask[:, :7], pos[:, :7], _empty_past(lm, 2))  # (N, 7, V)
    torch.testing.assert_close(logits, out.logits, atol=ATOL, rtol=0)
    for i, (k, v) in enumerate(past):
        torch.testing.assert_close(k, out.past_key_values[i][0], atol=ATOL, rtol=0)  # (N, KV, 7, D)
        torch.testing.assert_close(v, out.past_key_values[i][1], atol=ATOL, rtol=0)
    nxt = hf(input_ids=ids[:, 7:], attention_mask=mask, past_key_values=out.past_key_values, use_cache=True)
    step, _ = lm.forward_cached(ids[:, 7:], mask, pos[:, 7:], past)  # (N, 1, V)
    torch.testing.assert_close(step, nxt.logits, atol=ATOL, rtol=0)


def _ort(path: Path) -> ort.InferenceSession:
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _committed_sessions(name: str) -> tuple:
    """A committed set's layers, vocabulary, sessions on inference_model.onnx and the KV graph, KV heads, head dim."""
    art = ROOT / "artifacts" / name
    manifest = json.loads((art / "manifest.json").read_text())
    full_s, kv_s = _ort(art / "inference_model.onnx"), _ort(art / kv_graph.FILE)
    kv_in = [i for i in kv_s.get_inputs() if i.name.startswith("past.")]
    return manifest["num_layers"], manifest["vocab_size"], full_s, kv_s, kv_in[0].shape[1], kv_in[0].shape[3]


@pytest.mark.parametrize("name", ["tiny-gpt2", "tiny-llama"])
def test_committed_kv_graph_equals_inference_graph(name):
    """3 rows (the graph was traced with 2), a P = 0 prefill of 6 positions, then 4 single-position steps."""
    layers, vocab, full_s, kv_s, heads, dim = _committed_sessions(name)
    g = np.random.default_rng(7)
    ids = g.integers(0, vocab, (3, 10)).astype(np.int64)  # (N, T)
    ones = np.ones((3, 10), np.int64)  # (N, T)
    (full,) = full_s.run(["logits"], {"input_ids": ids, "attention_mask": ones})  # (N, T, V)
    feeds = {"input_ids": ids[:, :6], "attention_mask": ones[:, :6], "position_ids": np.tile(np.arange(6), (3, 1))}
    feeds |= {n: np.zeros((3, heads, 0, dim), np.float32) for n in kv_graph.past_names(layers)}  # P = 0
    outs = kv_s.run(None, feeds)
    found = [outs[0]]  # (N, 6, V)
    for t in range(6, 10):
        feeds = {"input_ids": ids[:, t:t + 1], "attention_mask": ones[:, :t + 1],
                 "position_ids": np.full((3, 1), t, np.int64)}
        feeds |= dict(zip(kv_graph.past_names(layers), outs[1:]))
        outs = kv_s.run(None, feeds)
        assert outs[1].shape == (3, heads, t + 1, dim)
        found.append(outs[0])  # (N, 1, V)
    np.testing.assert_allclose(np.concatenate(found, axis=1), full, atol=ATOL, rtol=0)


@pytest.mark.parametrize("name", ["tiny-gpt2", "tiny-llama"])
def test_manifest_names_kv_graph_with_contract_signature(name):
    m = json.loads((ROOT / "artifacts" / name / "manifest.json").read_text())
    assert kv_graph.FILE in m["files"]
    sig = m["graphs"][kv_graph.FILE]
    layers = m["num_layers"]
    assert [e["name"] for e in sig["inputs"]] == kv_graph.input_names(layers)
    assert [e["name"] for e in sig["outputs"]] == kv_graph.output_names(layers)
    shapes = {e["name"]: e["shape"] for e in sig["inputs"] + sig["outputs"]}
    assert shapes["input_ids"] == ["N", "S"] and shapes["position_ids"] == ["N", "S"]
    assert shapes["attention_mask"] == ["N", "P+S"]
    assert shapes["logits"] == ["N", "S", m["vocab_size"]]
    assert shapes["past.0.key"][:3:2] == ["N", "P"] and shapes["present.0.value"][:3:2] == ["N", "P+S"]
    if m["architecture"] == "llama":
        assert shapes["past.0.key"][1] == 2  # GQA: 2 KV heads for 4 query heads


@pytest.mark.parametrize("model", ["tiny-gpt2", "tiny-llama"])
def test_kv_graph_names_every_parameter_once(model):
    # Exported in EVAL mode, torch deduplicated parameters of equal value (fresh LayerNorm weights, zero biases) under
    # one layer's name, so `generate --checkpoint` could not put trained values back by name.
    import onnx
    art = ROOT / "artifacts" / model
    params = [p["name"] for p in json.loads((art / "manifest.json").read_text())["parameters"]]
    for graph in ("inference_kv_model.onnx", "inference_model.onnx"):
        inits = [t.name for t in onnx.load(str(art / graph), load_external_data=False).graph.initializer]
        assert sorted(inits) == sorted(params), graph


@pytest.mark.parametrize("name", ["tiny-gpt2", "tiny-llama"])
def test_committed_kv_graph_left_padded_batch_equals_each_row_alone(name):
    """Rows of 9, 5 and 2 prompt tokens left-padded into one P = 0 prefill, then 3 single-position steps: every real
    position's logits equal inference_model.onnx run on that row alone (GPT-2's graph masks inside the fused
    com.microsoft MultiHeadAttention, fused_ops.py), and the caches keep the contract's shape."""
    layers, vocab, full_s, kv_s, heads, dim = _committed_sessions(name)
    g = np.random.default_rng(8)
    rows = [g.integers(0, vocab, n + 3).tolist() for n in (9, 5, 2)]
    ids, mask, pos = (t.numpy() for t in _left_padded([r[:-3] for r in rows]))  # (N, 9) each
    feeds = {"input_ids": ids, "attention_mask": mask, "position_ids": pos}
    feeds |= {n: np.zeros((3, heads, 0, dim), np.float32) for n in kv_graph.past_names(layers)}  # P = 0
    outs = kv_s.run(None, feeds)
    prefill, steps = outs[0], []  # (N, 9, V)
    for k in range(3):
        mask = np.concatenate([mask, np.ones((3, 1), np.int64)], axis=1)  # (N, P+1)
        pos = pos[:, -1:] + 1  # (N, 1)
        feeds = {"input_ids": np.array([[r[len(r) - 3 + k]] for r in rows]), "attention_mask": mask,
                 "position_ids": pos}
        feeds |= dict(zip(kv_graph.past_names(layers), outs[1:]))
        outs = kv_s.run(None, feeds)
        assert all(o.shape == (3, heads, 10 + k, dim) for o in outs[1:])
        steps.append(outs[0])  # (N, 1, V)
    for i, r in enumerate(rows):
        (alone,) = full_s.run(["logits"], {"input_ids": np.array([r]), "attention_mask": np.ones((1, len(r)),
                                                                                                 np.int64)})
        n = len(r) - 3
        np.testing.assert_allclose(prefill[i, 9 - n:], alone[0, :n], atol=ATOL, rtol=0)
        np.testing.assert_allclose(np.concatenate([s[i] for s in steps]), alone[0, n:], atol=ATOL, rtol=0)
