"""Exporter tests: HF parity of our GPT-2 / Llama / Qwen2 modules, manifest vs contract, bad inputs leave nothing
behind, and one ORT training step on freshly exported artifacts.

    tools/.venv/bin/python -m pytest -q tools/tests/test_export.py
"""

import json
import shutil
import sys
from pathlib import Path

import torch
import transformers

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
if str(TOOLS / "export") not in sys.path:
    sys.path.insert(0, str(TOOLS / "export"))

TOKENIZER_DIR = ROOT / "artifacts" / "tiny-gpt2"  # committed; any real tokenizer.json will do for the exporter


def hf_model(kind: str, seed: int = 7, std: float = 0.2):
    """A small random HF model; weights drawn wider than HF's init so that the logits carry signal."""
    torch.manual_seed(seed)
    common = dict(vocab_size=512, bos_token_id=1, eos_token_id=2)
    if kind == "gpt2":
        m = transformers.GPT2LMHeadModel(transformers.GPT2Config(n_positions=64, n_embd=32, n_layer=2, n_head=4,
                                                                 **common))
    elif kind == "llama":
        m = transformers.LlamaForCausalLM(transformers.LlamaConfig(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
            max_position_embeddings=64, rope_theta=500.0, tie_word_embeddings=False, **common))
    elif kind == "qwen2":
        m = transformers.Qwen2ForCausalLM(transformers.Qwen2Config(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1,
            max_position_embeddings=64, rope_theta=10000.0, tie_word_embeddings=True, **common))
    else:
        raise ValueError(kind)
    with torch.no_grad():
        for name, p in m.named_parameters():
            is_norm_gain = p.dim() == 1 and name.endswith("weight") and ("norm" in name or ".ln_" in name)
            p.normal_(1.0 if is_norm_gain else 0.0, std)
    m.config._attn_implementation = "eager"
    return m.eval()


def save_model_dir(model, path: Path) -> Path:
    model.save_pretrained(path, safe_serialization=True)
    shutil.copyfile(TOKENIZER_DIR / "tokenizer.json", path / "tokenizer.json")
    return path


def padded_batch(vocab: int, lengths, t: int, seed: int = 3):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab, (len(lengths), t), generator=g)  # (N, T)
    mask = torch.zeros(len(lengths), t, dtype=torch.int64)  # (N, T)
    for i, n in enumerate(lengths):
        mask[i, :n] = 1
    return ids, mask


# ---------------------------------------------------------------- HF parity -----------------------------------

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import pytest  # noqa: E402

from dpo4j_export import hf_loader, wrappers  # noqa: E402
from dpo4j_export.errors import ExportError  # noqa: E402
import export as export_cli  # noqa: E402

PARITY_ATOL = 1e-5


@pytest.mark.parametrize("kind", ["gpt2", "llama", "qwen2"])
def test_logits_equal_hf_transformers(kind, tmp_path):
    hf = hf_model(kind)
    _, ours = hf_loader.load_model(save_model_dir(hf, tmp_path / kind))
    ids, mask = padded_batch(512, [12, 9, 5, 1], t=12)  # (N, T) right padded
    with torch.no_grad():
        want = hf(input_ids=ids, attention_mask=mask).logits  # (N, T, V)
        got = ours(ids, mask)  # (N, T, V)
    real = mask.bool()
    assert got.shape == want.shape
    assert want[real].abs().max() > 1.0  # the comparison is not between near-zero logits
    assert torch.max(torch.abs(got[real] - want[real])).item() <= PARITY_ATOL


def test_sequence_logps_match_a_direct_sum():
    """The head runs on the scored positions only; the sums equal the full (N, T, V) log-softmax's, in float64."""
    torch.manual_seed(0)
    hidden = torch.randn(3, 5, 4, dtype=torch.float64)  # (N, T, C)
    w = torch.randn(7, 4, dtype=torch.float64)  # (V, C)
    logits = hidden @ w.t()  # (N, T, V)
    ids = torch.randint(0, 7, (3, 5))  # (N, T)
    comp = torch.tensor([[0, 0, 1, 1, 0], [0, 1, 1, 1, 1], [0, 0, 0, 0, 0]])  # (N, T) row 2: nothing scored
    seen = []

    def head(h):
        seen.append(h.shape[0])
        return h @ w.t()  # (K+1, V)
    logps, counts, lsum = wrappers.sequence_stats(hidden, head, ids, comp)
    assert seen == [int(comp[:, 1:].sum()) + 1]  # the K scored positions and the one dummy
    for i in range(3):
        exp_lp = sum(torch.log_softmax(logits[i, t - 1], -1)[ids[i, t]].item() for t in range(1, 5) if comp[i, t])
        exp_ls = sum(logits[i, t - 1].sum().item() for t in range(1, 5) if comp[i, t])
        assert logps[i].item() == pytest.approx(exp_lp, abs=1e-12)
        assert lsum[i].item() == pytest.approx(exp_ls, abs=1e-12)
        assert counts[i].item() == comp[i, 1:].sum().item()
    assert logps[2].item() == 0.0 and lsum[2].item() == 0.0


def test_no_scored_position_gives_zeros_and_zero_gradients():
    """K = 0 (no completion token in the whole batch): zeros, and a backward pass that leaves the head untouched."""
    hidden = torch.randn(2, 4, 3, requires_grad=True)  # (N, T, C)
    w = torch.randn(5, 3, requires_grad=True)  # (V, C)
    ids = torch.randint(0, 5, (2, 4))  # (N, T)
    logps, counts, lsum = wrappers.sequence_stats(hidden, lambda h: h @ w.t(), ids, torch.zeros(2, 4, dtype=torch.int64))
    assert logps.tolist() == [0.0, 0.0] and counts.tolist() == [0.0, 0.0] and lsum.tolist() == [0.0, 0.0]
    (logps.sum() + lsum.sum()).backward()
    assert not hidden.grad.any() and not w.grad.any()


# ---------------------------------------------------------------- export + manifest ----------------------------

CONTRACT_TRAIN_INPUTS = [
    ("input_ids", "int64", ["N", "T"]), ("attention_mask", "int64", ["N", "T"]),
    ("completion_mask", "int64", ["N", "T"]), ("ref_logps", "float", ["N"]), ("pref_prob", "float", ["B"]),
    ("pair_weight", "float", ["B"]), ("loss_mix", "float", [5]), ("beta", "float", [1]),
    ("label_smoothing", "float", [1]), ("length_alpha", "float", [1]), ("simpo_gamma", "float", [1]),
    ("rpo_alpha", "float", [1]), ("length_target", "float", [1]), ("length_lambda", "float", [1])]
CONTRACT_TRAIN_OUTPUTS = [("loss", "float", []), ("logps", "float", ["N"]), ("token_counts", "float", ["N"]),
                          ("logits_sum", "float", ["N"]), ("pair_losses", "float", ["B"])]


def _sig(entries):
    return [(e["name"], e["type"], e["shape"]) for e in entries]


@pytest.fixture(scope="module")
def exported_llama(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    model_dir = save_model_dir(hf_model("llama"), root / "hf")
    return export_cli.export(model_dir, "m", root / "out", max_grad_norm=1.0)


def test_manifest_matches_contract(exported_llama):
    m = json.loads((exported_llama / "manifest.json").read_text())
    for graph in ("training_model.onnx", "eval_model.onnx"):
        assert _sig(m["graphs"][graph]["inputs"]) == CONTRACT_TRAIN_INPUTS
        assert _sig(m["graphs"][graph]["outputs"]) == CONTRACT_TRAIN_OUTPUTS
    assert _sig(m["graphs"]["reference_model.onnx"]["inputs"]) == CONTRACT_TRAIN_INPUTS[:3]
    assert _sig(m["graphs"]["reference_model.onnx"]["outputs"]) == CONTRACT_TRAIN_OUTPUTS[1:4]
    assert _sig(m["graphs"]["inference_model.onnx"]["outputs"]) == [("logits", "float", ["N", "T", "V"])]
    assert [e["name"] for e in m["graphs"]["optimizer_model.onnx"]["inputs"]] == [
        "learning_rate", "step", "params", "gradients", "first_order_moments", "second_order_moments"]
    assert m["format"] == 1 and m["architecture"] == "llama" and m["vocab_size"] == 512
    decay = m["optimizer"].pop("decay_parameters")
    assert m["optimizer"] == {"type": "adamw", "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0,
                              "max_grad_norm": 1.0, "graph_weight_decay": 0.0, "decay_rule": "hf"}
    # HF Trainer's rule for Llama: every weight except the RMSNorm ones (this model has no biases).
    from safetensors.torch import load_file
    weights = load_file(str(exported_llama.parent.parent / "hf" / "model.safetensors"))
    assert sorted(decay) == sorted(n for n in weights if not n.endswith("norm.weight"))

    assert m["loss_variants"] == ["sigmoid", "robust", "hinge", "ipo", "simpo"]
    assert m["loss_inputs"]["loss_mix"] == [1.0, 0.0, 0.0, 0.0, 0.0] and m["loss_inputs"]["simpo_gamma"] == 0.5
    assert m["loss_inputs"]["length_target"] == 0.0 and m["loss_inputs"]["length_lambda"] == 0.0  # iLR-DPO off
    files = sorted(p.name for p in exported_llama.iterdir() if p.name != "manifest.json")
    assert sorted(m["files"]) == files
    import hashlib
    for name, digest in m["files"].items():
        assert hashlib.sha256((exported_llama / name).read_bytes()).hexdigest() == digest


def test_decay_rule_all_decays_every_tensor(tmp_path):
    model_dir = save_model_dir(hf_model("gpt2"), tmp_path / "hf")
    out = export_cli.export(model_dir, "g", tmp_path / "out", weight_decay=0.01, run_verify=False, decay_rule="all")
    opt = json.loads((out / "manifest.json").read_text())["optimizer"]
    hf = export_cli.export(model_dir, "h", tmp_path / "out", weight_decay=0.01, run_verify=False)
    hf_opt = json.loads((hf / "manifest.json").read_text())["optimizer"]
    assert opt["decay_rule"] == "all" and opt["weight_decay"] == 0.01 and opt["graph_weight_decay"] == 0.0
    assert len(opt["decay_parameters"]) > len(hf_opt["decay_parameters"])
    # HF's rule on GPT-2: no biases, no LayerNorm (ln_1, ln_2, ln_f) weights; the rest decays.
    assert sorted(hf_opt["decay_parameters"]) == sorted(
        n for n in opt["decay_parameters"] if not n.endswith(".bias") and ".ln_" not in n)



def test_graph_contract_details(exported_llama):
    opt = onnx.load(str(exported_llama / "optimizer_model.onnx"))
    adamw = [n for n in opt.graph.node if n.op_type == "AdamWOptimizer"]
    assert len(adamw) == 1
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in adamw[0].attribute}
    assert attrs["adam_mode"] == 0 and attrs["correct_bias"] == 1
    assert any(n.op_type == "InplaceClipGradNorm" for n in opt.graph.node)  # --max-grad-norm 1.0
    train = onnx.load(str(exported_llama / "training_model.onnx"))
    names = {i.name for i in train.graph.input}
    assert "lazy_reset_grad" in names and "model.embed_tokens.weight_grad.accumulation.buffer" in names
    for f in ("training_model.onnx", "eval_model.onnx", "optimizer_model.onnx", "reference_model.onnx",
              "inference_model.onnx"):
        assert onnx.load(str(exported_llama / f), load_external_data=False).ir_version <= 13
    from dpo4j_export.ort_artifacts import checkpoint_version
    assert checkpoint_version(exported_llama / "checkpoint") == 2


def test_ort_training_api_runs_one_step(exported_llama):
    from dpo4j_export import verify
    example = wrappers.example_inputs(512)
    eval_out, train_out, after = verify.train_one_step(exported_llama, example, lr=1e-2)
    assert [o.shape for o in train_out] == [(), (4,), (4,), (4,), (2,)]
    assert np.isfinite(train_out[0]) and np.isfinite(after[0])
    assert float(after[0]) < float(eval_out[0])  # one AdamW step on this batch lowers its loss


def test_ort_step_without_scored_positions(exported_llama):
    """K = 0 in ONNX Runtime: a batch without any completion token evaluates, trains and references to zeros."""
    from dpo4j_export import verify
    import onnxruntime as ort
    example = wrappers.example_inputs(512)
    example["completion_mask"][:] = 0
    eval_out, train_out, after = verify.train_one_step(exported_llama, example, lr=1e-2)
    for out in (eval_out, train_out, after):
        assert out[1].tolist() == [0.0] * 4 and out[2].tolist() == [0.0] * 4 and out[3].tolist() == [0.0] * 4
        assert float(out[0]) == pytest.approx(np.log(2), abs=1e-6)  # sigmoid DPO at h = 0
    ref = ort.InferenceSession(str(exported_llama / "reference_model.onnx"), providers=["CPUExecutionProvider"])
    got = ref.run(None, {n: example[n].numpy() for n in wrappers.REFERENCE_INPUTS})
    assert [g.tolist() for g in got] == [[0.0] * 4] * 3


@pytest.mark.parametrize("graph", ["training_model.onnx", "eval_model.onnx", "reference_model.onnx"])
def test_lm_head_runs_on_gathered_positions_only(exported_llama, graph):
    """The LM head's MatMul takes the gathered (K+1, C) rows, not the (N, T, C) hidden states; no value is named
    ``logits`` (there is no (N, T, V) tensor to cut a generation model from)."""
    g = onnx.load(str(exported_llama / graph), load_external_data=False).graph
    producer = {o: n for n in g.node for o in n.output}
    heads = [n for n in g.node if n.op_type == "MatMul" and n.input[1] in producer
             and producer[n.input[1]].op_type == "Transpose" and producer[n.input[1]].input[0] == "lm_head.weight"]
    assert len(heads) == 1
    assert producer[heads[0].input[0]].op_type == "GatherElements"
    assert "logits" not in {o for n in g.node for o in n.output}


def test_export_is_deterministic(exported_llama, tmp_path):
    model_dir = exported_llama.parent.parent / "hf"
    again = export_cli.export(model_dir, "m", tmp_path, max_grad_norm=1.0)
    first = json.loads((exported_llama / "manifest.json").read_text())["files"]
    second = json.loads((again / "manifest.json").read_text())["files"]
    assert first == second


# ---------------------------------------------------------------- bad inputs ----------------------------------

def _assert_nothing_left(out: Path):
    assert not out.exists() or list(out.iterdir()) == []


def test_missing_files_are_named(tmp_path):
    model_dir = save_model_dir(hf_model("gpt2"), tmp_path / "hf")
    for missing in ("tokenizer.json", "model.safetensors", "config.json"):
        (model_dir / missing).rename(tmp_path / missing)
        with pytest.raises(ExportError, match=missing.replace(".", r"\.")):
            export_cli.export(model_dir, "x", tmp_path / "out")
        (tmp_path / missing).rename(model_dir / missing)
        _assert_nothing_left(tmp_path / "out")


def test_unsupported_model_type_lists_supported(tmp_path):
    model_dir = save_model_dir(hf_model("gpt2"), tmp_path / "hf")
    cfg = json.loads((model_dir / "config.json").read_text())
    cfg["model_type"] = "bloom"
    (model_dir / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ExportError, match=r"model_type.*'gpt2', 'llama', 'qwen2'.*'bloom'"):
        export_cli.export(model_dir, "x", tmp_path / "out")
    _assert_nothing_left(tmp_path / "out")


def test_grad_like_names_are_rejected():
    with pytest.raises(ExportError, match=r"\['a.weight_grad', 'b._grad.accumulation.x', 'lazy_reset_grad'\]"):
        hf_loader.check_names(["ok.weight", "a.weight_grad", "lazy_reset_grad", "b._grad.accumulation.x"], "parameter")


def test_failure_mid_export_leaves_no_directory(tmp_path, monkeypatch):
    model_dir = save_model_dir(hf_model("gpt2"), tmp_path / "hf")
    from dpo4j_export import ort_artifacts

    def boom(*args, **kwargs):
        raise RuntimeError("injected failure after the ONNX graphs were written")

    monkeypatch.setattr(ort_artifacts, "generate", boom)
    with pytest.raises(RuntimeError, match="injected"):
        export_cli.export(model_dir, "x", tmp_path / "out")
    _assert_nothing_left(tmp_path / "out")


def test_cli_reports_errors_with_exit_code_2(tmp_path, capsys):
    rc = export_cli.main(["--model-dir", str(tmp_path / "nope"), "--name", "x", "--out", str(tmp_path / "out")])
    assert rc == 2
    assert "expected a directory" in capsys.readouterr().err


def _ort_module(art: Path):
    from onnxruntime.training import api as ort_api
    state = ort_api.CheckpointState.load_checkpoint(str(art / "checkpoint"))
    return ort_api.Module(str(art / "training_model.onnx"), state, str(art / "eval_model.onnx"))


@pytest.mark.parametrize("variant", range(5))
def test_ort_loss_equals_torch_for_every_variant(exported_llama, variant):
    _, lm = hf_loader.load_model(exported_llama.parent.parent / "hf")
    ex = wrappers.example_inputs(512)
    ex.update(ref_logps=torch.tensor([-40.0, -35.0, -41.0, -30.0]), pref_prob=torch.tensor([0.9, 0.6]),
              pair_weight=torch.tensor([1.0, 0.5]), beta=torch.tensor([0.3]), label_smoothing=torch.tensor([0.1]),
              length_alpha=torch.tensor([0.05]), simpo_gamma=torch.tensor([0.4]), rpo_alpha=torch.tensor([0.2]),
              length_target=torch.tensor([3.5]), length_lambda=torch.tensor([0.02]))
    ex["loss_mix"] = torch.nn.functional.one_hot(torch.tensor(variant), 5).float()
    ex["completion_mask"][0, 3] = 0  # unequal completion lengths so the length terms matter
    with torch.no_grad():
        want = wrappers.TrainGraph(lm)(*[ex[n] for n in wrappers.TRAIN_INPUTS])
    module = _ort_module(exported_llama)
    module.eval()
    got = module(*[ex[n].numpy() for n in wrappers.TRAIN_INPUTS])
    for name, g, w in zip(wrappers.TRAIN_OUTPUTS, got, want):
        np.testing.assert_allclose(g, w.numpy(), rtol=1e-4, atol=1e-4, err_msg=name)


@pytest.mark.parametrize("beta,eps", [(0.1, 0.5), (0.0, 0.1)])  # robust / ipo undefined, weighted 0
def test_ort_gradients_finite_when_undefined_variant_weighted_zero(exported_llama, beta, eps):
    ex = wrappers.example_inputs(512)
    ex.update(label_smoothing=torch.tensor([eps]), beta=torch.tensor([beta]), rpo_alpha=torch.tensor([0.5]),
              loss_mix=torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0]))
    from onnxruntime.training import api as ort_api
    module = _ort_module(exported_llama)
    optimizer = ort_api.Optimizer(str(exported_llama / "optimizer_model.onnx"), module)
    before = module.get_contiguous_parameters(trainable_only=True).numpy().copy()
    module.train()
    out = module(*[ex[n].numpy() for n in wrappers.TRAIN_INPUTS])
    optimizer.step()  # a NaN/Inf gradient would turn parameters NaN here
    after = module.get_contiguous_parameters(trainable_only=True).numpy()
    assert np.isfinite(out[0])
    assert np.isfinite(after).all() and not np.array_equal(before, after)


# ---------------------------------------------------------------- committed tiny artifacts ---------------------

@pytest.mark.parametrize("name", ["tiny-gpt2", "tiny-llama"])
def test_committed_artifacts_match_their_manifest(name):
    import hashlib
    art = ROOT / "artifacts" / name
    m = json.loads((art / "manifest.json").read_text())
    assert m["name"] == name and m["vocab_size"] == 4096 and m["max_positions"] == 256
    assert m["hidden_size"] == 64 and m["num_layers"] == 2
    for f, digest in m["files"].items():
        assert hashlib.sha256((art / f).read_bytes()).hexdigest() == digest, f


@pytest.mark.parametrize("name", ["tiny-gpt2", "tiny-llama"])
def test_committed_tokenizers_round_trip_real_text(name):
    from tokenizers import Tokenizer
    from make_tiny_models import SENTENCES
    from dpo4j_export import tiny_tokenizers
    tok = Tokenizer.from_file(str(ROOT / "artifacts" / name / "tokenizer.json"))
    assert tok.get_vocab_size() == 4096
    n_tokens = tiny_tokenizers.check_round_trip(tok, SENTENCES, name)  # raises on ids >= 4096 or lossy decode
    n_chars = sum(len(s) for s in SENTENCES)
    assert n_tokens < 0.6 * n_chars  # real merges are used, not one token per byte


def test_llama_tokenizer_adds_bos_and_uses_real_pieces():
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(ROOT / "artifacts" / "tiny-llama" / "tokenizer.json"))
    enc = tok.encode("The quick brown fox")
    assert enc.ids[0] == 1 and enc.tokens[1] == "\u2581The" and enc.ids[1] == 415  # Llama-2's own id for "▁The"


def test_reference_and_inference_share_one_weights_file(exported_llama):
    """No graph carries weights inline: reference_model.onnx and inference_model.onnx point at the same tensors
    (same offsets) of weights.data, the only copy of the weights besides the checkpoint."""
    import onnx
    m = json.loads((exported_llama / "manifest.json").read_text())
    layouts = []
    for f in ("reference_model.onnx", "inference_model.onnx"):
        g = onnx.load(str(exported_llama / f), load_external_data=False).graph
        assert all(t.data_location == onnx.TensorProto.EXTERNAL and not t.raw_data for t in g.initializer), f
        layouts.append({t.name: {e.key: e.value for e in t.external_data} for t in g.initializer})
        assert {e["location"] for e in layouts[-1].values()} == {"weights.data"}, f
        assert (exported_llama / f).stat().st_size < 100_000, f
    assert layouts[0] == layouts[1]
    size = (exported_llama / "weights.data").stat().st_size
    assert 4 * m["num_parameters"] <= size < 4 * m["num_parameters"] + 64 * len(layouts[0]) + (1 << 16)
    assert "weights.data" in m["files"]


def test_attach_weights_names_file_and_says_expected_vs_found(tmp_path):
    """A graph input that is neither a user input nor a parameter, or a parameter of another shape, is an error
    naming the graph file, what was expected and what was found."""
    import onnx
    import pytest
    from onnx import TensorProto, helper

    from dpo4j_export import onnx_graphs
    from dpo4j_export.errors import ExportError

    def model(*inputs):
        g = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
        return helper.make_model(g)

    layout = {"w": (0, 24, (2, 3))}
    path = tmp_path / "g.onnx"
    with pytest.raises(ExportError, match=r"g\.onnx: graph inputs differ .*unexpected \['stray'\]"):
        onnx_graphs.attach_weights(model(("x", [2]), ("stray", [1])), layout, path, ("x",), require_all=False)
    with pytest.raises(ExportError, match=r"g\.onnx: .*missing parameters \['w'\]"):
        onnx_graphs.attach_weights(model(("x", [2])), layout, path, ("x",), require_all=True)
    with pytest.raises(ExportError, match=r"g\.onnx: parameter input w: expected float \(2, 3\), .*shape \(3, 2\)"):
        onnx_graphs.attach_weights(model(("x", [2]), ("w", [3, 2])), layout, path, ("x",), require_all=True)
    m = model(("x", [2]), ("w", [2, 3]))
    onnx_graphs.attach_weights(m, layout, path, ("x",), require_all=True)
    assert [i.name for i in m.graph.input] == ["x"]
    (t,) = m.graph.initializer
    assert t.data_location == onnx.TensorProto.EXTERNAL and list(t.dims) == [2, 3]
    assert {e.key: e.value for e in t.external_data} == {"location": "weights.data", "offset": "0", "length": "24"}
