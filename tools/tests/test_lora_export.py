"""LoRA export: targets and forward equal PEFT 0.13.2's, only the adapters are trainable (training graph, checkpoint,
optimizer state), the frozen base lives once in weights.data, and LoRA off leaves the export unchanged.

    tools/.venv/bin/python -m pytest -q tools/tests/test_lora_export.py
"""

import json
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
import transformers

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
if str(TOOLS / "export") not in sys.path:
    sys.path.insert(0, str(TOOLS / "export"))

from dpo4j_export import hf_loader, lora, wrappers  # noqa: E402
from dpo4j_export.errors import ExportError  # noqa: E402
import export as export_cli  # noqa: E402
from test_export import hf_model, padded_batch, save_model_dir  # noqa: E402

peft = pytest.importorskip("peft", reason="PEFT is the reference for LoRA (pip install -r tools/requirements.txt)")

KINDS = ["gpt2", "llama", "qwen2"]


def _peft_model(hf, targets, r=4, alpha=8.0):
    cfg = peft.LoraConfig(r=r, lora_alpha=alpha, lora_dropout=0.0, target_modules=targets, task_type="CAUSAL_LM",
                          fan_in_fan_out=hf.config.model_type == "gpt2")
    return peft.get_peft_model(hf, cfg)


@pytest.mark.parametrize("kind", KINDS)
def test_default_targets_are_pefts(kind):
    from peft.utils.constants import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as peft_defaults
    assert list(lora.DEFAULT_TARGETS[kind]) == peft_defaults[kind]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("targets", [None, "all-linear"])
def test_adapted_modules_and_forward_equal_pefts(kind, targets, tmp_path):
    """Same modules adapted as PEFT's resolution of the targets, and with PEFT's (random, nonzero) A and B copied in,
    our model's logits equal the PEFT model's."""
    hf = hf_model(kind)
    _, ours = hf_loader.load_model(save_model_dir(hf, tmp_path / kind))
    spec = lora.LoraSpec(4, 8.0, 0.0, (targets,) if targets else ())
    adapters = lora.apply(ours, kind, spec)
    pm = _peft_model(hf, targets if targets else None).eval()
    prefix = "base_model.model."
    peft_weights = {k[len(prefix):].replace(".default", ""): v for k, v in pm.state_dict().items() if "lora_" in k}
    assert sorted(peft_weights) == sorted(lora.adapter_names(adapters))
    g = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for name, p in ours.named_parameters():
            if name in peft_weights:
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)
                peft_weights[name].copy_(p)
    ids, mask = padded_batch(512, [12, 9, 5], t=12)  # (N, T)
    with torch.no_grad():
        want = pm(input_ids=ids, attention_mask=mask).logits  # (N, T, V)
        got = ours(ids, mask)  # (N, T, V)
        base = hf_model(kind)(input_ids=ids, attention_mask=mask).logits  # (N, T, V)
    real = mask.bool()
    np.testing.assert_allclose(got[real].numpy(), want[real].numpy(), atol=1e-5, rtol=1e-5)
    assert (got[real] - base[real]).abs().max() > 1e-3  # the adapters do change the outputs
    assert lora.target_module_names([a["module"] for a in adapters]) == sorted(pm.peft_config["default"].target_modules)


def test_untrained_adapters_leave_outputs_unchanged_and_a_is_peft_initialised(tmp_path):
    hf = hf_model("llama")
    _, ours = hf_loader.load_model(save_model_dir(hf, tmp_path / "m"))
    ids, mask = padded_batch(512, [12, 9], t=12)
    with torch.no_grad():
        before = ours(ids, mask)
    adapters = lora.apply(ours, "llama", lora.LoraSpec(8, 32.0))
    with torch.no_grad():
        after = ours(ids, mask)
    assert torch.equal(before, after)
    params = dict(ours.named_parameters())
    for a in adapters:
        w = params[a["lora_A"]]
        bound = 1 / np.sqrt(a["in_features"])  # kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        assert w.abs().max() <= bound and w.abs().max() > 0.5 * bound
        assert torch.count_nonzero(params[a["lora_B"]]) == 0
    assert [n for n, p in ours.named_parameters() if p.requires_grad] == lora.adapter_names(adapters)


def test_hf_trainer_decays_every_adapter(tmp_path):
    """HF Trainer (TRL) groups: only parameters that require grad, biases and norm weights excluded: on a PEFT model
    that is every lora_A / lora_B weight, which is what the exporter lists."""
    pm = _peft_model(hf_model("llama"), "all-linear")
    decayed = set(transformers.Trainer.get_decay_parameter_names(None, pm))
    trainable = [n for n, p in pm.named_parameters() if p.requires_grad]
    assert trainable and all(n in decayed for n in trainable)


def test_bad_targets_and_options_are_named(tmp_path):
    hf = hf_model("gpt2")
    _, ours = hf_loader.load_model(save_model_dir(hf, tmp_path / "m"))
    with pytest.raises(ExportError, match=r"'q_proj' matches no module.*\['c_attn', 'c_fc', 'c_proj'\]"):
        lora.resolve_targets(ours, "gpt2", ("q_proj",))
    with pytest.raises(ExportError, match="not linear layers"):
        lora.resolve_targets(ours, "gpt2", ("ln_1",))
    _, untied = hf_loader.load_model(save_model_dir(hf_model("llama"), tmp_path / "l"))
    assert isinstance(untied.lm_head, torch.nn.Linear)  # a module the head could be mistaken for
    with pytest.raises(ExportError, match=r"'lm_head' matches the LM head \['lm_head'\].*valid names: \[.*'q_proj'"):
        lora.resolve_targets(untied, "llama", ("lm_head",))
    with pytest.raises(ExportError, match="--lora-r: expected an integer >= 1"):
        lora.LoraSpec(0, 8.0)
    with pytest.raises(ExportError, match="--lora-dropout"):
        lora.LoraSpec(8, 8.0, 1.0)
    with pytest.raises(ExportError, match="all-linear' alone"):
        lora.LoraSpec(8, 8.0, 0.0, ("all-linear", "c_fc"))
    assert export_cli.main(["--model-dir", str(tmp_path / "m"), "--name", "x", "--out", str(tmp_path / "o"),
                            "--lora-targets", "c_fc"]) == 2  # LoRA options without --lora-r
    assert not (tmp_path / "o" / "x").exists()


# ---------------------------------------------------------------- exported artifacts ----------------------------

@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A Llama with all-linear adapters and dropout, and the same model without LoRA."""
    root = tmp_path_factory.mktemp("lora")
    model_dir = save_model_dir(hf_model("llama"), root / "hf")
    full = export_cli.export(model_dir, "full", root / "out")
    adapted = export_cli.export(model_dir, "lora", root / "out", lora_spec=lora.LoraSpec(4, 16.0, 0.1, ("all-linear",)))
    return full, adapted


def _checkpoint_names(art: Path):
    from onnxruntime.training import api as ort_api
    state = ort_api.CheckpointState.load_checkpoint(str(art / "checkpoint"))
    return {name for name, _ in state.parameters}, state


def test_only_adapters_are_trainable_and_the_base_is_external(exported):
    full, art = exported
    m = json.loads((art / "manifest.json").read_text())
    names = lora.adapter_names(m["lora"]["adapters"])
    assert len(m["lora"]["adapters"]) == 2 * 7  # 2 layers x q,k,v,o,gate,up,down
    assert m["lora"]["target_modules"] == sorted(lora.LINEAR_LAYERS["llama"])
    assert m["lora"]["scaling"] == 4.0 and m["lora"]["dropout"] == 0.1
    assert m["optimizer"]["decay_parameters"] == names
    ckpt, _ = _checkpoint_names(art)
    assert ckpt == set(names)
    assert m["lora"]["num_trainable"] == sum(p.data.size for _, p in _checkpoint_names(art)[1].parameters)
    base = json.loads((full / "manifest.json").read_text())
    assert m["parameters"] == base["parameters"]  # the base model's tensors, not the adapters
    for f in ("training_model.onnx", "eval_model.onnx"):
        g = onnx.load(str(art / f), load_external_data=False).graph
        external = {t.name: {e.key: e.value for e in t.external_data} for t in g.initializer
                    if t.data_location == onnx.TensorProto.EXTERNAL}
        assert set(external) == {p["name"] for p in m["parameters"]}, f
        assert {int(e["offset"]) for e in external.values()} == set(m["lora"]["base_weights"]["offsets"].values())
        inline = sum(len(t.raw_data) + 4 * len(t.float_data) for t in g.initializer)
        assert inline < 10_000, f"{f}: {inline} bytes of inline initializers (a folded copy of the base?)"
        assert not set(names) & {t.name for t in g.initializer}
    for f in ("weights.data", "reference_model.onnx", "inference_model.onnx", "inference_kv_model.onnx"):
        assert (art / f).read_bytes() == (full / f).read_bytes(), f


def test_optimizer_state_is_adapter_sized(exported):
    """One ORT training step: the optimizer's moments cover the adapters only, the base never changes."""
    from onnxruntime.training import api as ort_api
    _, art = exported
    names, state = _checkpoint_names(art)
    module = ort_api.Module(str(art / "training_model.onnx"), state, str(art / "eval_model.onnx"))
    opt = ort_api.Optimizer(str(art / "optimizer_model.onnx"), module)
    ex = wrappers.example_inputs(512)
    module.train()
    module(*[ex[n].numpy() for n in wrappers.TRAIN_INPUTS])
    opt.step()
    module.lazy_reset_grad()
    n_adapters = module.get_parameters_size(trainable_only=True)
    assert n_adapters == module.get_parameters_size(trainable_only=False)  # nothing frozen in the checkpoint
    module.export_model_for_inferencing(str(art.parent / "inf.onnx"), ["logps"])  # what export-inference cuts
    saved = art.parent / "ckpt"
    ort_api.CheckpointState.save_checkpoint(state, str(saved), include_optimizer_state=True)
    assert saved.stat().st_size < 3 * 4 * n_adapters + 20_000  # parameters + two moments, no base


def test_dropout_only_in_the_training_graph(exported):
    _, art = exported
    train = [n for n in onnx.load(str(art / "training_model.onnx"), load_external_data=False).graph.node
             if n.op_type == "Dropout"]
    ev = [n for n in onnx.load(str(art / "eval_model.onnx"), load_external_data=False).graph.node
          if n.op_type == "Dropout"]
    assert train  # kept in the training graph (training_mode true)
    assert all(len(n.input) < 3 or n.input[2] == "" for n in ev)  # the eval graph's dropouts are identities


@pytest.mark.parametrize("name,base", [("tiny-gpt2-lora", "tiny-gpt2"), ("tiny-llama-lora", "tiny-llama")])
def test_committed_lora_artifacts_share_the_base(name, base):
    art, full = ROOT / "artifacts" / name, ROOT / "artifacts" / base
    m = json.loads((art / "manifest.json").read_text())
    assert m["lora"]["r"] == 8 and m["lora"]["alpha"] == 32.0
    assert m["lora"]["target_modules"] == list(lora.DEFAULT_TARGETS[m["architecture"]])
    for f in ("weights.data", "reference_model.onnx", "inference_model.onnx", "inference_kv_model.onnx",
              "tokenizer.json"):
        assert (art / f).read_bytes() == (full / f).read_bytes(), f
    assert _checkpoint_names(art)[0] == set(lora.adapter_names(m["lora"]["adapters"]))
