"""The committed preference set (artifacts/datasets/imdb-pref) is well formed, has the designed preference, and is
reproduced byte for byte by tools/data/make_preferences.py.

    tools/.venv/bin/python -m pytest -q tools/tests/test_preferences.py
"""

import json
import subprocess
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
DATA = ROOT / "artifacts" / "datasets" / "imdb-pref"
sys.path.insert(0, str(TOOLS / "data"))

import make_preferences as mp  # noqa: E402


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines()]


def test_rerun_reproduces_committed_bytes(tmp_path):
    subprocess.run([sys.executable, str(TOOLS / "data" / "make_preferences.py"), "--out", str(tmp_path)], check=True,
                   stdout=subprocess.DEVNULL)
    for name in ("train.jsonl", "eval.jsonl"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_sizes_and_format():
    train, evals = _rows("train.jsonl"), _rows("eval.jsonl")
    assert (len(train), len(evals)) == (400, 100)
    assert sum((DATA / n).stat().st_size for n in ("train.jsonl", "eval.jsonl")) < 300_000
    ids = [r["id"] for r in train + evals]
    assert len(set(ids)) == len(ids)
    for row in train + evals:
        assert list(row) == ["id", "prompt", "chosen", "rejected"], row["id"]
        assert row["prompt"].startswith("Review: ") and row["prompt"].endswith(" ...\nHighlight:"), row["id"]
        assert len(row["prompt"][len("Review: "):-len(" ...\nHighlight:")].split()) == mp.PROMPT_WORDS, row["id"]
        for key in ("chosen", "rejected"):
            assert row[key].startswith(" ") and row[key][1:] == row[key].strip(), (row["id"], key)
        assert row["chosen"] != row["rejected"], row["id"]


def test_preference_is_lexical_and_length_matched():
    for row in _rows("train.jsonl") + _rows("eval.jsonl"):
        pos_w, neg_w, negated_w = mp.lexicon_hits(row["chosen"])
        pos_l, neg_l, negated_l = mp.lexicon_hits(row["rejected"])
        assert pos_w >= 1 and neg_w == 0 and not negated_w, row["id"]
        assert neg_l >= 1 and pos_l == 0 and not negated_l, row["id"]
        assert abs(len(row["chosen"].split()) - len(row["rejected"].split())) <= 1, row["id"]


def test_train_and_eval_share_no_text():
    train, evals = _rows("train.jsonl"), _rows("eval.jsonl")
    train_text = {r[k] for r in train for k in ("prompt", "chosen", "rejected")}
    eval_text = {r[k] for r in evals for k in ("prompt", "chosen", "rejected")}
    assert not train_text & eval_text
    completions = [r[k] for r in train + evals for k in ("chosen", "rejected")]
    assert len(set(completions)) == len(completions)
