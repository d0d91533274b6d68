"""Shared-prompt training graphs (export.py --shared-prompt) against independent computations.

    tools/.venv/bin/python -m pytest -q tools/tests/test_shared_prompt.py

1. float64, no ONNX: the packed graph's sequence log-probs against Hugging Face transformers' own model (same weights,
   each sequence run unpacked, log-softmax at every position) and its DPO loss against the sigmoid loss written out
   here; its parameter gradients against the unpacked graph's (autograd). Pairs cover a shared prompt, prompts that
   differ after their first token and from their first token (nothing shared), padding, and a tie (chosen ==
   rejected, policy == reference: z = 0, loss ln 2). A batch without any scored token (K = 0) gives zeros, ln 2 and no
   gradient, in float64 and in ONNX Runtime.
2. The exported artifacts (onnxruntime-training; both tiny models, and LoRA r 8 on the tiny Llama): the packed
   training/eval graphs on the packed batch against the unpacked artifacts on the unpacked batch, before and after one
   optimizer step.
3. The Java trainer (tools/dpo4j) on both artifact sets: the same metrics every step (the Java packing,
   io.dpo4j.train.SharedPromptRows, feeds the packed graph); on the shared-prompt set, two runs write byte-identical
   checkpoints and a run resumed half way ends byte-identical to the uninterrupted one.

Skips, saying why, without the tiny models' HF directories (tools/export/make_tiny_models.py --no-export) or a JDK.
"""

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import transformers

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
if str(TOOLS / "export") not in sys.path:
    sys.path.insert(0, str(TOOLS / "export"))

import export as export_cli  # noqa: E402
from dpo4j_export import hf_loader, lora, shared_prompt, verify, wrappers  # noqa: E402

MODELS = ("tiny-gpt2", "tiny-llama")
BETA = 0.1

# (prompt of chosen, chosen completion, prompt of rejected, rejected completion) as token ids (< 100: both vocabularies)
PAIRS = [
    ([5, 6, 7, 8], [9, 10, 11], [5, 6, 7, 8], [12, 13]),  # shared prompt, completions of different lengths
    ([5, 6, 7], [20, 21], [5, 9, 7], [22, 23, 24]),  # prompts agree on the first token only
    ([30, 31], [32, 33, 34], [40, 41], [42]),  # prompts differ from the first token: nothing shared
    ([50, 51, 52], [53, 54], [50, 51, 52], [53, 54]),  # a tie: chosen == rejected
]


def _hf_dir(model: str) -> Path:
    hf = TOOLS / ".cache" / "hf" / model
    if not (hf / "config.json").is_file():
        pytest.skip(f"{hf} missing (tools/export/make_tiny_models.py --no-export builds it)")
    return hf


def _unpacked() -> dict:
    """The pairs in the unpacked layout (N = 2B rows, chosen then rejected, right padded with 0)."""
    rows = [(p + c, len(p)) for p, c, _, _ in PAIRS] + [(p + c, len(p)) for _, _, p, c in PAIRS]
    t = max(len(ids) for ids, _ in rows)
    ids = torch.zeros(len(rows), t, dtype=torch.int64)  # (N, T)
    attn = torch.zeros_like(ids)  # (N, T)
    comp = torch.zeros_like(ids)  # (N, T)
    for r, (seq, prompt) in enumerate(rows):
        ids[r, :len(seq)] = torch.tensor(seq)
        attn[r, :len(seq)] = 1
        comp[r, prompt:len(seq)] = 1
    return {"input_ids": ids, "attention_mask": attn, "completion_mask": comp}


def _loss_inputs(ref_logps: torch.Tensor, dtype) -> dict:
    b = len(PAIRS)
    d = wrappers.LOSS_INPUT_DEFAULTS
    return {"ref_logps": ref_logps.to(dtype), "pref_prob": torch.ones(b, dtype=dtype),
            "pair_weight": torch.ones(b, dtype=dtype), "loss_mix": torch.tensor(d["loss_mix"], dtype=dtype),
            **{k: torch.tensor([d[k] if k != "beta" else BETA], dtype=dtype)
               for k in ("beta", "label_smoothing", "length_alpha", "simpo_gamma", "rpo_alpha", "length_target",
                         "length_lambda")}}


def _hf_logps(model_dir: Path, batch: dict) -> torch.Tensor:
    """Summed completion log-probs of every unpacked row by transformers' own model in float64 (N)."""
    hf = transformers.AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float64).eval()
    out = []
    with torch.no_grad():
        for ids, attn, comp in zip(batch["input_ids"], batch["attention_mask"], batch["completion_mask"]):
            n = int(attn.sum())
            logits = hf(ids[None, :n]).logits[0]  # (n, V)
            logp = F.log_softmax(logits[:-1], dim=-1).gather(1, ids[1:n, None])[:, 0]  # (n-1) token t+1 from t
            out.append(float((logp * comp[1:n]).sum()))
    return torch.tensor(out, dtype=torch.float64)


@pytest.mark.parametrize("model", MODELS)
def test_packed_graph_matches_transformers_in_float64(model):
    hf_dir = _hf_dir(model)
    _, lm = hf_loader.load_model(hf_dir)
    lm = lm.double()
    batch = _unpacked()
    packed = shared_prompt.pack(**batch)
    assert packed["input_ids"].shape[0] == len(PAIRS)
    assert packed["input_ids"].shape[1] < batch["input_ids"].shape[1] * 2  # something was shared
    want = _hf_logps(hf_dir, batch)  # (N)
    # pairs 0..2: z != 0 against this reference; the tie (pair 3) keeps z = 0 (its two references move together)
    ref = want - torch.tensor([0.3, -0.2, 0.5, 0.1, 0.0, 0.0, 0.0, 0.1], dtype=torch.float64)  # (N)
    inputs = {**packed, **_loss_inputs(ref, torch.float64)}
    graph = shared_prompt.TrainGraph(lm)
    loss, logps, counts, logits_sum, pair = graph(*[inputs[n] for n in shared_prompt.TRAIN_INPUTS])
    # Our Llama builds its RoPE tables in float32 (as the exported graphs do), transformers' float64 model differs
    # from them by ~1e-9 relative; the unpacked graph shows the same difference, and the packed graph equals it to
    # float64 rounding.
    np.testing.assert_allclose(logps.detach().numpy(), want.numpy(), rtol=1e-8, atol=1e-10)
    unpacked = {**batch, **_loss_inputs(ref, torch.float64)}
    with torch.no_grad():
        same = wrappers.TrainGraph(lm)(*[unpacked[n] for n in wrappers.TRAIN_INPUTS])
    for name, x, y in zip(wrappers.TRAIN_OUTPUTS, same, (loss, logps, counts, logits_sum, pair)):
        np.testing.assert_allclose(y.detach().numpy(), x.numpy(), rtol=1e-12, atol=1e-12, err_msg=name)
    np.testing.assert_array_equal(counts.detach().numpy(), batch["completion_mask"][:, 1:].sum(1).double().numpy())
    b = len(PAIRS)
    z = BETA * ((want[:b] - ref[:b]) - (want[b:] - ref[b:]))  # (B) DPO, Rafailov et al. 2023, eq. 7
    np.testing.assert_allclose(pair.detach().numpy(), (-F.logsigmoid(z)).numpy(), rtol=1e-8, atol=1e-12)
    assert float(z[3]) == 0.0 and abs(float(pair[3]) - math.log(2)) < 1e-12  # the tie
    assert all(abs(float(v)) > 1e-3 for v in z[:3])
    assert abs(float(loss) - float(-F.logsigmoid(z).mean())) < 1e-8


@pytest.mark.parametrize("model", MODELS)
def test_packed_gradients_equal_the_unpacked_gradients_in_float64(model):
    _, lm = hf_loader.load_model(_hf_dir(model))
    lm = lm.double()
    batch = _unpacked()
    ref = torch.linspace(-40.0, -20.0, 2 * len(PAIRS), dtype=torch.float64)  # (N)
    grads = []
    for graph, inputs, names in (
            (wrappers.TrainGraph(lm), {**batch, **_loss_inputs(ref, torch.float64)}, wrappers.TRAIN_INPUTS),
            (shared_prompt.TrainGraph(lm), {**shared_prompt.pack(**batch), **_loss_inputs(ref, torch.float64)},
             shared_prompt.TRAIN_INPUTS)):
        lm.zero_grad()
        graph(*[inputs[n] for n in names])[0].backward()
        grads.append({n: p.grad.clone() for n, p in lm.named_parameters()})
    for name, g in grads[0].items():
        np.testing.assert_allclose(grads[1][name].numpy(), g.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("model", MODELS)
def test_packed_batch_without_a_scored_token_gives_zeros_and_no_gradient(model):
    """K = 0 (every completion empty): zero log-probs, counts and logit sums, sigmoid DPO at z = 0 (ln 2), and no
    parameter gradient, as the unpacked graph (tests/test_export.py) gives."""
    _, lm = hf_loader.load_model(_hf_dir(model))
    lm = lm.double()
    batch = _unpacked()
    batch["completion_mask"][:] = 0
    ref = torch.zeros(2 * len(PAIRS), dtype=torch.float64)  # (N)
    inputs = {**shared_prompt.pack(**batch), **_loss_inputs(ref, torch.float64)}
    lm.zero_grad()
    loss, logps, counts, logits_sum, pair = shared_prompt.TrainGraph(lm)(
        *[inputs[n] for n in shared_prompt.TRAIN_INPUTS])
    assert logps.tolist() == [0.0] * 8 and counts.tolist() == [0.0] * 8 and logits_sum.tolist() == [0.0] * 8
    assert pair.tolist() == [math.log(2)] * 4 and float(loss) == math.log(2)
    loss.backward()
    assert all(p.grad is None or not p.grad.any() for p in lm.parameters())


@pytest.fixture(scope="module", params=MODELS + ("tiny-llama+lora",))
def exported_pair(request, tmp_path_factory):
    """(unpacked artifacts, shared-prompt artifacts) of one tiny model (full or LoRA r 8), both verified by export.py
    (which checks the packed ORT graphs against the unpacked PyTorch graph)."""
    model, _, lora_r = request.param.partition("+")
    hf = _hf_dir(model)
    spec = lora.LoraSpec(8, 32.0, 0.0, ()) if lora_r else None
    out = tmp_path_factory.mktemp(model)
    return (export_cli.export(hf, "unpacked", out, lora_spec=spec),
            export_cli.export(hf, "shared", out, lora_spec=spec, shared_prompt=True))


def test_exported_packed_graphs_train_like_the_unpacked_ones(exported_pair):
    unpacked_art, shared_art = exported_pair
    batch = _unpacked()
    ref = torch.linspace(-40.0, -20.0, 2 * len(PAIRS))  # (N) float32 as fed
    unpacked = {**batch, **_loss_inputs(ref, torch.float32)}
    packed = {**shared_prompt.pack(**batch), **_loss_inputs(ref, torch.float32)}
    a = verify.train_one_step(unpacked_art, unpacked, lr=1e-3)
    b = verify.train_one_step(shared_art, packed, lr=1e-3, names=shared_prompt.TRAIN_INPUTS)
    # before the step (eval and train graphs): float32, same weights, attention sums over extra zero-weight keys
    for before_a, before_b in ((a[0], b[0]), (a[1], b[1])):
        for name, x, y in zip(wrappers.TRAIN_OUTPUTS, before_a, before_b):
            np.testing.assert_allclose(y, x, rtol=2e-6, atol=2e-5, err_msg=name)
    # after one AdamW step (lr 1e-3): the gradients differ in their last bits, and Adam's first step moves every
    # weight by about lr * sign(gradient), so a weight whose gradient is ~0 may move either way. The tie's (pair 3)
    # chosen and rejected gradients cancel to rounding noise, and the embedding rows of its tokens get no other
    # gradient: compare its loss only, and pairs 0..2 (rows 0..2 and 4..6) everywhere.
    rows = [0, 1, 2, 4, 5, 6]
    np.testing.assert_allclose(b[2][0], a[2][0], rtol=1e-5, atol=1e-6, err_msg="loss")
    for name, x, y in zip(wrappers.TRAIN_OUTPUTS[1:4], a[2][1:4], b[2][1:4]):
        np.testing.assert_allclose(y[rows], x[rows], rtol=1e-5, atol=1e-4, err_msg=name)
    np.testing.assert_allclose(b[2][4][:3], a[2][4][:3], rtol=1e-5, atol=1e-6, err_msg="pair_losses")
    assert not np.allclose(a[2][1], a[0][1], rtol=1e-6), "the step changed nothing"


def test_exported_packed_graphs_without_a_scored_token_step_to_zeros(exported_pair):
    """K = 0 in ONNX Runtime on the packed graphs: eval, train and the state after a step give zero log-probs and
    the loss ln 2, as the unpacked artifacts do (tests/test_export.py)."""
    _, shared_art = exported_pair
    batch = _unpacked()
    batch["completion_mask"][:] = 0
    packed = {**shared_prompt.pack(**batch), **_loss_inputs(torch.zeros(2 * len(PAIRS)), torch.float32)}
    for out in verify.train_one_step(shared_art, packed, lr=1e-3, names=shared_prompt.TRAIN_INPUTS):
        assert out[1].tolist() == [0.0] * 8 and out[2].tolist() == [0.0] * 8 and out[3].tolist() == [0.0] * 8
        assert float(out[0]) == pytest.approx(math.log(2), abs=1e-6)


def _java_available() -> str:
    r = subprocess.run([str(TOOLS / "java-home.sh")], capture_output=True, text=True)
    return "" if r.returncode == 0 and r.stdout.strip() else (r.stderr.strip() or "tools/java-home.sh found no JDK")


def test_java_trains_shared_prompt_artifacts_like_unpacked_ones(exported_pair, tmp_path):
    why = _java_available()
    if why:
        pytest.skip(f"no JDK >= 21: {why}")
    data = ROOT / "artifacts" / "datasets" / "imdb-pref" / "train.jsonl"
    metrics = []
    for art in exported_pair:
        out = tmp_path / art.name
        r = subprocess.run([str(TOOLS / "dpo4j"), "train", "--artifacts", str(art), "--data", str(data),
                            "--output", str(out), "--cache-dir", str(tmp_path / f"cache-{art.name}"),
                            "--max-steps", "4", "--batch-size", "4", "--log-every", "1", "--no-progress"],
                           capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 0, r.stderr[-3000:]
        metrics.append([json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines() if x.strip()])
    unpacked, shared = metrics
    assert [m.get("step") for m in shared] == [m.get("step") for m in unpacked] and len(unpacked) >= 4
    keys = ("loss", "logps/chosen", "logps/rejected", "rewards/chosen", "rewards/rejected", "rewards/margins",
            "logits/chosen", "logits/rejected")
    for u, s in zip(unpacked, shared):
        for k in keys:
            if k in u:
                assert abs(s[k] - u[k]) <= 1e-5 * max(1.0, abs(u[k])), (u.get("step"), k, u[k], s[k])


def test_java_shared_prompt_runs_are_bitwise_reproducible_and_resume_exactly(exported_pair, tmp_path):
    why = _java_available()
    if why:
        pytest.skip(f"no JDK >= 21: {why}")
    art = exported_pair[1]
    data = ROOT / "artifacts" / "datasets" / "imdb-pref" / "train.jsonl"

    def train(out: Path, steps: int, *extra: str) -> None:
        r = subprocess.run([str(TOOLS / "dpo4j"), "train", "--artifacts", str(art), "--data", str(data),
                            "--output", str(out), "--cache-dir", str(tmp_path / "cache"), "--max-steps", str(steps),
                            "--batch-size", "4", "--save-every", "2", "--no-progress", *extra],
                           capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 0, r.stderr[-3000:]

    train(tmp_path / "a", 4)
    train(tmp_path / "b", 4)
    final = Path("checkpoints") / "step-000004" / "checkpoint"
    assert (tmp_path / "a" / final).read_bytes() == (tmp_path / "b" / final).read_bytes()
    # resume b from its step-2 checkpoint (same settings: the schedule's length is part of the run's fingerprint)
    shutil.rmtree(tmp_path / "b" / "checkpoints" / "step-000004")
    train(tmp_path / "b", 4, "--resume", str(tmp_path / "b" / "checkpoints" / "step-000002"))
    assert (tmp_path / "b" / final).read_bytes() == (tmp_path / "a" / final).read_bytes()
