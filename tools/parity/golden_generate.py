"""Generation goldens for the Java generators: Hugging Face transformers' own ``generate`` (float32) on the tiny
models, written to ``src/test/resources/golden/generate.json``.

* ``new_ids``: greedy (``do_sample=False``) continuation of ``prompt_ids``.
* ``sampler``: one fixed 16-token logit row through transformers' processors (``probs``) and 64 draws per setting.
* ``cases``: greedy with a repetition penalty and seeded sampling (temperature, top-k, top-p, repetition penalty,
  several samples per prompt, prompts of different lengths). transformers does the filtering with its own logits
  processors; only the final random draw is replaced, so that both sides draw identically: ``torch.multinomial`` is
  swapped for the Java sampler's draw — row r (sample j of its prompt) owns a SplitMix64 stream equal to Java's
  ``new SplittableRandom(seed + j)``, ``u = nextDouble() * sum(probs)``, and the token is the first in vocabulary
  order whose running sum of probabilities exceeds u. ``splitmix`` records the first draws so the Java test can check
  that its ``SplittableRandom`` is this stream. EOS is switched off (every case runs ``max_new_tokens``).

Usage: ``tools/.venv/bin/python tools/parity/golden_generate.py`` (needs tools/.cache/hf from tools/export/make_tiny_models.py).
"""

import json
import sys
from pathlib import Path
from unittest import mock

import torch
import transformers
from tokenizers import Tokenizer

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
PROMPT = "Review: This movie had a great ensemble of adult actors ...\nHighlight:"
SHORT_PROMPT = "Review: Dull.\nHighlight:"
NEW_TOKENS = 12
MASK64 = (1 << 64) - 1
CASES = [  # name, settings (the Java SamplingConfig's fields), prompts
    ("greedy-penalty", dict(temperature=0.0, top_k=0, top_p=1.0, repetition_penalty=1.3, samples=1, seed=0), [PROMPT]),
    ("sample-t1", dict(temperature=1.0, top_k=0, top_p=1.0, repetition_penalty=1.0, samples=2, seed=7), [PROMPT]),
    # The tiny models' logits spread only about +-0.6, so low temperatures make top-k / top-p / the penalty bite.
    ("sample-all-filters", dict(temperature=0.05, top_k=20, top_p=0.8, repetition_penalty=1.2, samples=2, seed=3),
     [PROMPT, SHORT_PROMPT]),
    ("sample-top-p", dict(temperature=0.1, top_k=0, top_p=0.6, repetition_penalty=1.0, samples=1, seed=11),
     [SHORT_PROMPT]),
]
# Sampler definitions on a fixed 16-token logit row: transformers' processors vs the Java Sampler.
SAMPLER_CONTEXT = [2, 5, 5, 9, 12]
SAMPLER_CASES = [
    dict(temperature=1.0, top_k=0, top_p=1.0, repetition_penalty=1.5, seed=21),
    dict(temperature=0.7, top_k=5, top_p=1.0, repetition_penalty=1.0, seed=22),  # the 5th and 6th scores tie
    dict(temperature=1.0, top_k=0, top_p=0.7, repetition_penalty=1.0, seed=23),
    dict(temperature=0.8, top_k=8, top_p=0.9, repetition_penalty=1.3, seed=24),
    dict(temperature=1.0, top_k=0, top_p=0.01, repetition_penalty=1.0, seed=25),
]
SAMPLER_DRAWS = 64


class SplitMix64:
    """java.util.SplittableRandom(seed): nextLong = mix64(seed += GOLDEN_GAMMA), nextDouble = (nextLong >>> 11) * 2^-53."""

    GAMMA = 0x9E3779B97F4A7C15

    def __init__(self, seed: int):
        self.state = seed & MASK64

    def next_long(self) -> int:
        self.state = (self.state + self.GAMMA) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def next_double(self) -> float:
        return (self.next_long() >> 11) * 2.0 ** -53


def java_draw(streams: list):
    """A torch.multinomial(probs, 1) replacement: row r draws from streams[r] by inverse CDF in vocabulary order."""

    def draw(probs, num_samples=1, *args, **kwargs):
        assert num_samples == 1 and probs.shape[0] == len(streams), (num_samples, probs.shape)
        out = []
        for r in range(probs.shape[0]):
            p = probs[r].double()  # (V)
            u = streams[r].next_double() * p.sum().item()
            cum = torch.cumsum(p, dim=0)  # (V)
            idx = int(torch.searchsorted(cum, torch.tensor([u], dtype=torch.float64), right=True)[0])
            out.append(min(idx, int(torch.nonzero(p)[-1])))
        return torch.tensor(out, dtype=torch.long)[:, None]  # (B, 1)

    return draw


def hf_probs(logits: torch.Tensor, context: list, s: dict) -> torch.Tensor:
    """transformers' processors in generate's order (penalty, temperature, top-k, top-p), then softmax: (V)."""
    lp = transformers.generation.logits_process
    scores = logits[None, :].clone()  # (1, V)
    ids = torch.tensor([context])  # (1, T)
    if s["repetition_penalty"] != 1.0:
        scores = lp.RepetitionPenaltyLogitsProcessor(s["repetition_penalty"])(ids, scores)
    if s["temperature"] != 1.0:
        scores = lp.TemperatureLogitsWarper(s["temperature"])(ids, scores)
    if s["top_k"] != 0:
        scores = lp.TopKLogitsWarper(s["top_k"])(ids, scores)
    if s["top_p"] < 1.0:
        scores = lp.TopPLogitsWarper(s["top_p"])(ids, scores)
    return torch.softmax(scores, dim=-1)[0]  # (V)


def sampler_goldens() -> dict:
    g = torch.Generator().manual_seed(4)
    logits = torch.randn(16, generator=g) * 1.5  # (V)
    order = torch.argsort(logits, descending=True)
    logits[order[5]] = logits[order[4]]  # a tie at the top-5 boundary (transformers keeps both)
    cases = []
    for s in SAMPLER_CASES:
        probs = hf_probs(logits, SAMPLER_CONTEXT, s)  # (V)
        stream = [SplitMix64(s["seed"])]
        draw = java_draw(stream)
        tokens = [int(draw(probs[None, :])[0, 0]) for _ in range(SAMPLER_DRAWS)]
        cases.append({"settings": s, "probs": probs.tolist(), "tokens": tokens})
    return {"logits": logits.tolist(), "context": SAMPLER_CONTEXT, "cases": cases}


def encode(art: Path, special: dict, text: str) -> list:
    ids = Tokenizer.from_file(str(art / "tokenizer.json")).encode(text, add_special_tokens=False).ids
    return [special["bos"]] + ids if special.get("add_bos") else ids


def greedy(model, ids: list, special: dict) -> list:
    with torch.no_grad():
        out = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             do_sample=False, max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS,
                             pad_token_id=special["pad"], eos_token_id=special["eos"])
    return out[0, len(ids):].tolist()


def run_case(model, ids: list, s: dict, special: dict) -> list:
    """One prompt alone (no padding), ``samples`` rows; returns the generated ids of each row."""
    n = s["samples"]
    streams = [SplitMix64(s["seed"] + j) for j in range(n)]
    sample = s["temperature"] > 0
    kw = dict(do_sample=True, temperature=s["temperature"], top_k=s["top_k"], top_p=s["top_p"]) if sample else \
        dict(do_sample=False)
    model.generation_config.eos_token_id = None  # no early stop: the Java side runs with eos -1
    with torch.no_grad(), mock.patch.object(torch, "multinomial", java_draw(streams)):
        out = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             max_new_tokens=NEW_TOKENS, repetition_penalty=s["repetition_penalty"],
                             num_return_sequences=n, pad_token_id=special["pad"], **kw)
    if sample:
        assert all(st.state != (s["seed"] + j) & MASK64 for j, st in enumerate(streams)), "sampler was not used"
    return [row[len(ids):].tolist() for row in out]


def model_goldens(model_dir: Path, art: Path) -> dict:
    manifest = json.loads((art / "manifest.json").read_text())
    special = manifest["special_tokens"]
    ids = encode(art, special, PROMPT)
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
    doc = {"prompt": PROMPT, "prompt_ids": ids, "new_ids": greedy(model, ids, special),
           "tokenizer_sha256": manifest["files"]["tokenizer.json"],
           "checkpoint_sha256": manifest["files"]["checkpoint"], "cases": []}
    for name, settings, prompts in CASES:
        prompt_ids = [encode(art, special, p) for p in prompts]
        outputs = [row for p in prompt_ids for row in run_case(model, p, settings, special)]
        doc["cases"].append({"name": name, "settings": settings | {"max_new_tokens": NEW_TOKENS},
                             "prompt_ids": prompt_ids, "outputs": outputs})
    return doc


def main() -> int:
    rng = SplitMix64(7)
    doc = {"description": "transformers generate on the tiny models' HF directories (greedy; seeded sampling with the "
                          "Java sampler's draw, see tools/golden_generate.py); rerun with tools/golden_generate.py",
           "transformers": transformers.__version__, "models": {},
           "splitmix": {"seed": 7, "next_double": [rng.next_double() for _ in range(4)]},
           "sampler": sampler_goldens()}
    for name in ("tiny-gpt2", "tiny-llama"):
        doc["models"][name] = model_goldens(TOOLS / ".cache" / "hf" / name, ROOT / "artifacts" / name)
    out = ROOT / "src" / "test" / "resources" / "golden" / "generate.json"
    out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
