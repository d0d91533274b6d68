#!/usr/bin/env python3
"""Build the tiny Hugging Face judge directories the Java judge tests run, and their golden scores.

Two random-weight transformers models stand in for real judges exported the way Hugging Face optimum exports them
(`torch.onnx.export`, graph inputs named like the model's forward arguments, int64 (B, T), output `logits`):

    src/test/resources/judge/hf-bert-classifier/   BertForSequenceClassification, 3 labels; input_ids,
        attention_mask, token_type_ids; [CLS] text [SEP]; reads prompt+completion, keep_end truncation to 24 ids;
        score = log_prob of label 2
    src/test/resources/judge/hf-gpt2-reward/       GPT2ForSequenceClassification, 1 label (a reward model, logits
        (B, 1), last non-pad token, pad id 0); reads the completion, keep_start truncation to 16 ids; score = logit

Both share a word-level tokenizer.json (lowercased, whitespace/punctuation split) over a fixed word list, so the
files stay a few kB. Weights are drawn with initializer_range 0.5 (seeded) so that scores differ between texts.

The golden file src/test/resources/judge/hf_golden.json holds, per judge and candidate, the ids the judge feeds
(an independent Python implementation of judge.json's prefix/suffix/truncation rules) and the score computed by the
transformers model in float64 on that one row alone (no padding, no batching); the Java test scores the
candidates batched and right-padded through ORT and must agree within 1e-5.

    tools/.venv/bin/python tools/judge/make_test_judges.py
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
from torch import nn
from transformers import BertConfig, BertForSequenceClassification, GPT2Config, GPT2ForSequenceClassification

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "src" / "test" / "resources" / "judge"
SEED = 7

WORDS = """the a an this that movie film story acting actor actors plot scene scenes music ending script great good
excellent wonderful amazing brilliant beautiful perfect fun funny loved love enjoyed best bad worst awful terrible
boring horrible waste poor stupid dull mess worse annoying disappointing was is were it i you he she they we and but
or not never very really so too quite just of in on at to for with from by about as like what who how why when then
than all some no one two time long short watch watched see seen saw make made review reviews . , ! ? ' -""".split()
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]

CANDIDATES = [
    {"prompt": "Review: the film was", "completion": " great fun and the acting was brilliant!"},
    {"prompt": "Review:", "completion": " awful, boring and a waste of time."},
    {"prompt": "Review: I", "completion": " loved it"},
    {"prompt": "", "completion": "Not bad"},
    {"prompt": "Review: what a", "completion": " mess . the plot is stupid and the ending is the worst ending of "
                                                "all time , really the worst , too long and too dull to watch"},
    {"prompt": "Review: zebra", "completion": " xylophone quux unknown words only"},
    {"prompt": "Review: the music", "completion": " was"},
]


def tokenizer() -> Tokenizer:
    vocab = {w: i for i, w in enumerate(SPECIALS + sorted(set(WORDS)))}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return tok


def encode(tok: Tokenizer, cfg: dict, prompt: str, completion: str) -> list[int]:
    """judge.json's rules, written independently of the Java implementation."""
    text = completion if cfg["text"] == "completion" else prompt + completion
    body = tok.encode(text, add_special_tokens=False).ids if text else []
    prefix, suffix = cfg.get("prefix_ids", []), cfg.get("suffix_ids", [])
    room = cfg["max_length"] - len(prefix) - len(suffix)
    if len(body) > room:
        body = body[len(body) - room:] if cfg["truncation"] == "keep_end" else body[:room]
    return prefix + body + suffix


class Logits(nn.Module):
    """The model's forward returning only logits, with the graph input names optimum uses."""

    def __init__(self, model: nn.Module, token_types: bool):
        super().__init__()
        self.model, self.token_types = model, token_types

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        if self.token_types:
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).logits
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits


def build(out: Path, name: str, model: nn.Module, cfg: dict, tok: Tokenizer, token_types: bool) -> dict:
    wrapper = Logits(model, token_types).eval()  # export restores the wrapper's mode (recursively): keep it eval
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if token_types else [])
    ids = torch.tensor([[2, 5, 6, 3], [2, 7, 3, 0]], dtype=torch.long)          # (2, 4)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long)          # (2, 4)
    example = (ids, mask) + ((torch.zeros_like(ids),) if token_types else ())
    axes = {n: {0: "batch", 1: "sequence"} for n in names} | {"logits": {0: "batch"}}
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        stage = Path(tmp) / name
        stage.mkdir()
        torch.onnx.export(wrapper, example, str(stage / "model.onnx"), input_names=names, output_names=["logits"],
                          dynamic_axes=axes, opset_version=17, do_constant_folding=True)
        tok.save(str(stage / "tokenizer.json"))
        (stage / "judge.json").write_text(json.dumps(cfg, indent=2) + "\n")
        target = out / name
        if target.exists():
            shutil.rmtree(target)
        stage.rename(target)
    model64 = Logits(model.double(), token_types).eval()                      # no dropout in the reference
    assert not any(mod.training for mod in model64.modules())
    rows = []
    for c in CANDIDATES:
        ids = encode(tok, cfg, c["prompt"], c["completion"])
        x = torch.tensor([ids], dtype=torch.long)                               # (1, T)
        args = [x, torch.ones_like(x)] + ([torch.zeros_like(x)] if token_types else [])
        with torch.no_grad():
            z = model64(*args)[0]                                               # (C,) float64
        if cfg["score"] == "logit":
            score = float(z[0])
        else:
            score = float(torch.log_softmax(z, dim=-1)[cfg["positive_index"]])
        rows.append(c | {"ids": ids, "torch_float64_score": score})
    return {"judge": f"src/test/resources/judge/{name}", "candidates": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT, help="folder for the two judge directories and hf_golden.json")
    out = ap.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED)
    tok = tokenizer()
    vocab = tok.get_vocab_size()
    bert = BertForSequenceClassification(BertConfig(
        vocab_size=vocab, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=32, type_vocab_size=2, num_labels=3, initializer_range=0.5,
        attn_implementation="eager"))
    bert_cfg = {
        "format": "dpo4j-judge/1", "description": "random-weight BERT classifier for tests (make_test_judges.py)",
        "text": "prompt+completion",
        "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask", "token_type_ids": "token_type_ids"},
        "prefix_ids": [2], "suffix_ids": [3], "max_length": 24, "truncation": "keep_end", "pad_id": 0,
        "batch_size": 3, "output": "logits", "score": "log_prob", "positive_index": 2,
    }
    gpt2 = GPT2ForSequenceClassification(GPT2Config(
        vocab_size=vocab, n_embd=16, n_layer=2, n_head=2, n_positions=32, num_labels=1, pad_token_id=0,
        initializer_range=0.5, use_cache=False, attn_implementation="eager"))
    gpt2_cfg = {
        "format": "dpo4j-judge/1", "description": "random-weight GPT-2 reward model for tests (make_test_judges.py)",
        "text": "completion", "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask"},
        "max_length": 16, "truncation": "keep_start", "pad_id": 0, "output": "logits", "score": "logit",
    }
    golden = {"generated_by": "tools/judge/make_test_judges.py",
              "judges": [build(out, "hf-bert-classifier", bert, bert_cfg, tok, True),
                         build(out, "hf-gpt2-reward", gpt2, gpt2_cfg, tok, False)]}
    for j in golden["judges"]:
        print(j["judge"], [round(r["torch_float64_score"], 4) for r in j["candidates"]])
    tmp = out / "hf_golden.json.tmp"
    judges = ",\n".join('  {"judge": ' + json.dumps(j["judge"]) + ', "candidates": [\n' + ",\n".join(
        "   " + json.dumps(c, ensure_ascii=False) for c in j["candidates"]) + "\n  ]}" for j in golden["judges"])
    tmp.write_text('{\n "generated_by": ' + json.dumps(golden["generated_by"]) + ',\n "judges": [\n' + judges
                   + "\n ]\n}\n")
    json.loads((tmp).read_text())
    tmp.replace(out / "hf_golden.json")


if __name__ == "__main__":
    main()
