#!/usr/bin/env python3
"""Independent expectations for io.dpo4j.data tests (exact token ids of tokenized and collated batches).

Reads the small input files under src/test/resources/data/, re-implements the data rules of io.dpo4j.data in
Python (reading, implicit-prompt split, chat templates through jinja2 configured like transformers'
apply_chat_template, boundary-exact tokenization with the Hugging Face `tokenizers` library, BOS/EOS, truncation,
collation) and writes src/test/resources/data/expected_<tokenizer>.json. Also writes the chat-template tokenizer
configs the conversational cases use (the tiny tokenizers ship none): the Llama-2-chat template on tiny-llama's
config and a ChatML template on tiny-gpt2's config.

Usage: tools/.venv/bin/python tools/data/make_data_expectations.py   (from the repository root)
"""
import csv
import hashlib
import io
import json
import os
import sys

import jinja2
import jinja2.ext
import jinja2.sandbox
from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "src", "test", "resources", "data")

sys.path.insert(0, os.path.join(ROOT, "tools", "export"))
from dpo4j_export.chat_templates import CHATML_TEMPLATE, LLAMA2_CHAT_TEMPLATE  # noqa: E402

TOKENIZERS = {
    "gpt2": {"dir": "artifacts/tiny-gpt2", "template": CHATML_TEMPLATE, "config_out": "gpt2_chatml_tokenizer_config.json"},
    "llama": {"dir": "artifacts/tiny-llama", "template": LLAMA2_CHAT_TEMPLATE,
              "config_out": "llama2_chat_tokenizer_config.json"},
}

# (case name, input file, format, max_length, max_prompt_length, truncation mode)
CASES = [
    ("standard", "standard.jsonl", "jsonl", 512, 256, "keep_end"),
    ("implicit", "implicit.jsonl", "jsonl", 512, 256, "keep_end"),
    ("conversational", "conversational.jsonl", "jsonl", 512, 256, "keep_end"),
    ("seed_csv", "seed.csv", "csv", 512, 256, "keep_end"),
    ("tsv", "standard.tsv", "tsv", 512, 256, "keep_end"),
    ("json_array", "array.json", "json", 512, 256, "keep_end"),
    ("truncate_keep_end", "standard.jsonl", "jsonl", 12, 6, "keep_end"),
    ("truncate_keep_start", "standard.jsonl", "jsonl", 12, 6, "keep_start"),
    ("truncate_drop", "standard.jsonl", "jsonl", 8, 8, "keep_start"),
]


def read_rows(path, fmt):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if fmt == "jsonl":
        return [json.loads(line) for line in text.split("\n") if line.strip()]
    if fmt == "json":
        return json.loads(text)
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text, newline="")))
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))


def implicit_split(chosen, rejected):
    common = os.path.commonprefix([chosen, rejected])
    top = min(len(common), len(chosen) - 1, len(rejected) - 1)
    for i in range(top, 0, -1):
        if chosen[i].isspace() and rejected[i].isspace() and not chosen[i - 1].isspace():
            return chosen[:i], chosen[i:], rejected[i:]
    return "", chosen, rejected


def render(template, bos, eos, messages, add_generation_prompt):
    def raise_exception(msg):
        raise jinja2.exceptions.TemplateError(msg)
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                                       extensions=[jinja2.ext.loopcontrols])
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template).render(messages=messages, bos_token=bos, eos_token=eos,
                                            add_generation_prompt=add_generation_prompt)


def to_text_pair(row, chat):
    chosen = row.get("chosen", row.get("preferred_response"))
    rejected = row.get("rejected", row.get("non_preferred_response"))
    prompt = row.get("prompt")
    if isinstance(chosen, list):
        if prompt is None:
            k = 0
            while k < min(len(chosen), len(rejected)) and chosen[k] == rejected[k]:
                k += 1
            prompt, chosen, rejected = chosen[:k], chosen[k:], rejected[k:]
        p = render(chat["template"], chat["bos"], chat["eos"], prompt, True)
        c = render(chat["template"], chat["bos"], chat["eos"], prompt + chosen, False)
        r = render(chat["template"], chat["bos"], chat["eos"], prompt + rejected, False)
        assert c.startswith(p) and r.startswith(p)
        return p, c[len(p):], r[len(p):]
    if prompt is None:
        return implicit_split(chosen, rejected)
    return prompt, chosen, rejected


def number(value, default):
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return default
    return float(value)


def encode(tok, text):
    return tok.encode(text, add_special_tokens=False).ids if text else []


def completion_ids(tok, prompt, raw_prompt, text):
    if not raw_prompt:
        return encode(tok, text), False
    joint = encode(tok, prompt + text)
    if len(joint) > len(raw_prompt) and joint[:len(raw_prompt)] == raw_prompt:
        return joint[len(raw_prompt):], False
    return encode(tok, text), True


def tokenize_pair(tok, st, prompt, chosen, rejected, max_len, max_prompt, mode):
    raw = encode(tok, prompt)
    c, cm = completion_ids(tok, prompt, raw, chosen)
    r, rm = completion_ids(tok, prompt, raw, rejected)
    if st["add_eos_to_completion"]:
        c = c if c and c[-1] == st["eos"] else c + [st["eos"]]
        r = r if r and r[-1] == st["eos"] else r + [st["eos"]]
    p = raw if not st["add_bos"] or (raw and raw[0] == st["bos"]) else [st["bos"]] + raw
    p_trunc = len(p) > max_prompt
    if p_trunc:
        if mode == "keep_start":
            p = p[:max_prompt]
        elif st["bos"] is not None and p[0] == st["bos"] and max_prompt > 1:
            p = [p[0]] + p[len(p) - (max_prompt - 1):]
        else:
            p = p[len(p) - max_prompt:]
    room = max_len - len(p)
    c_trunc, r_trunc = len(c) > room, len(r) > room
    c, r = c[:max(room, 0)], r[:max(room, 0)]
    need = 2 if not p else 1
    # identical ids after EOS handling and truncation carry no preference signal: dropped like empty completions
    kept = len(c) >= need and len(r) >= need and c != r
    return {"prompt_ids": p, "chosen_ids": c, "rejected_ids": r, "boundary_merges": int(cm) + int(rm),
            "prompt_truncated": p_trunc, "chosen_truncated": c_trunc, "rejected_truncated": r_trunc, "kept": kept}


def collate(pairs, pad):
    b = len(pairs)
    t = max(len(p["prompt_ids"]) + max(len(p["chosen_ids"]), len(p["rejected_ids"])) for p in pairs)
    ids, att, comp = [], [], []
    for side in ("chosen_ids", "rejected_ids"):
        for p in pairs:
            row = p["prompt_ids"] + p[side]
            n = len(row)
            ids += row + [pad] * (t - n)
            att += [1] * n + [0] * (t - n)
            comp += [1 if (i >= len(p["prompt_ids"]) and i > 0) else 0 for i in range(n)] + [0] * (t - n)
    return {"pairs": b, "seq_len": t, "input_ids": ids, "attention_mask": att, "completion_mask": comp}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    for name, spec in TOKENIZERS.items():
        art = os.path.join(ROOT, spec["dir"])
        tok_path = os.path.join(art, "tokenizer.json")
        tok = Tokenizer.from_file(tok_path)
        st = json.load(open(os.path.join(art, "manifest.json")))["special_tokens"]
        config = json.load(open(os.path.join(art, "tokenizer_config.json")))
        config["chat_template"] = spec["template"]
        with open(os.path.join(DATA, spec["config_out"]), "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)
            f.write("\n")
        chat = {"template": spec["template"], "bos": config["bos_token"], "eos": config["eos_token"]}
        out = {"generator": "tools/make_data_expectations.py", "tokenizer": spec["dir"] + "/tokenizer.json",
               "tokenizer_sha256": sha256(tok_path), "chat_config": spec["config_out"], "special_tokens": st,
               "cases": []}
        for case, file, fmt, max_len, max_prompt, mode in CASES:
            pairs = []
            for row in read_rows(os.path.join(DATA, file), fmt):
                prompt, chosen, rejected = to_text_pair(row, chat)
                enc = tokenize_pair(tok, st, prompt, chosen, rejected, max_len, max_prompt, mode)
                enc.update({"id": str(row["id"]) if row.get("id") not in (None, "") else None, "prompt": prompt,
                            "chosen": chosen, "rejected": rejected,
                            "pref_prob": number(row.get("preference"), 1.0), "weight": number(row.get("weight"), 1.0)})
                pairs.append(enc)
            kept = [p for p in pairs if p["kept"]]
            counters = {"pairs": len(pairs), "kept": len(kept), "dropped": len(pairs) - len(kept),
                        "boundary_merges": sum(p["boundary_merges"] for p in pairs),
                        "prompt_truncated": sum(p["prompt_truncated"] for p in pairs),
                        "chosen_truncated": sum(p["chosen_truncated"] for p in pairs),
                        "rejected_truncated": sum(p["rejected_truncated"] for p in pairs)}
            out["cases"].append({"name": case, "file": file, "format": fmt, "max_length": max_len,
                                 "max_prompt_length": max_prompt, "truncation_mode": mode, "pairs": pairs,
                                 "counters": counters, "batch": collate(kept, st["pad"]) if kept else None})
        merges = sum(c["counters"]["boundary_merges"] for c in out["cases"])
        if merges == 0:
            sys.exit(f"{name}: expected at least one prompt/completion boundary merge in the cases, found none")
        path = os.path.join(DATA, f"expected_{name}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print(f"wrote {path}: {len(out['cases'])} cases, {merges} boundary merges")


if __name__ == "__main__":
    main()
