#!/usr/bin/env python3
"""Seeded corpus of malformed preference rows mixed into valid ones, for io.dpo4j.data reader tests.

Writes src/test/resources/data/bad_rows.jsonl (raw bytes: some lines are deliberately not UTF-8, not JSON, or
too long) and src/test/resources/data/bad_rows_expected.json with, for every bad line, its 1-based line number,
the field the reader must name ("-" for the whole row), the reason category and a substring the reason must
contain, plus counts per category and the number of valid rows. Blank lines are neither rows nor bad rows.

The reader is run with an 8 KiB line limit in the test (package-private overload), so the "too_long" lines
(8-12 KiB of otherwise valid JSON) are bad rows there.

Usage: tools/.venv/bin/python tools/data/make_bad_rows.py [--seed 20241123] [--bad 600] [--valid 1000]
"""
import argparse
import collections
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "src", "test", "resources", "data")
MAX_LINE_BYTES = 8 * 1024

WORDS = ("the a movie plot actor was great terrible boring moving score scene ending story film character "
         "dialogue funny slow brilliant weak camera music script").split()
UNICODE = ["café", "naïve", "日本語のテキスト", "emoji 🎬🍿", "Ελληνικά", "русский текст", "עברית"]


def sentence(rng, n=None):
    words = [rng.choice(WORDS) for _ in range(n or rng.randint(3, 12))]
    if rng.random() < 0.2:
        words.append(rng.choice(UNICODE))
    return " ".join(words).capitalize() + "."


def valid_row(rng, i):
    row = {"id": f"v{i}", "prompt": "Review: " + sentence(rng) + "\nSentiment:",
           "chosen": " " + sentence(rng), "rejected": " " + sentence(rng)}
    if row["chosen"] == row["rejected"]:
        row["rejected"] += " Not."
    if rng.random() < 0.3:
        row["preference"] = round(rng.random(), 3)
    if rng.random() < 0.3:
        row["weight"] = round(rng.uniform(0, 3), 3)
    return row


def dumps(row):
    return json.dumps(row, ensure_ascii=rng_ascii[0]).encode("utf-8")


rng_ascii = [False]


def bad_line(rng, i):
    """Returns (bytes, category, field, reason substring)."""
    base = valid_row(rng, i)
    kind = rng.choice(CATEGORIES)
    if kind == "missing_chosen":
        del base["chosen"]
        return dumps(base), kind, "chosen", "no such field"
    if kind == "missing_rejected":
        del base["rejected"]
        return dumps(base), kind, "rejected", "no such field"
    if kind == "null_chosen":
        base["chosen"] = None
        return dumps(base), kind, "chosen", "found null"
    if kind == "chosen_not_string":
        base["chosen"] = rng.choice([42, 3.5, True, {"text": "x"}])
        return dumps(base), kind, "chosen", "expected a string"
    if kind == "prompt_not_string":
        base["prompt"] = rng.choice([7, False, {"p": 1}])
        return dumps(base), kind, "prompt", "expected a string"
    if kind == "empty_chosen":
        base["chosen"] = rng.choice(["", "   ", "\n\t"])
        return dumps(base), kind, "chosen", "non-empty completion"
    if kind == "empty_rejected":
        base["rejected"] = rng.choice(["", " "])
        return dumps(base), kind, "rejected", "non-empty completion"
    if kind == "identical":
        base["rejected"] = base["chosen"]
        return dumps(base), kind, "rejected", "identical"
    if kind == "invalid_utf8":
        raw = dumps(base)
        cut = raw.index(b'"chosen": "') + len(b'"chosen": "') + 1
        junk = rng.choice([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xc0\xaf"])
        return raw[:cut] + junk + raw[cut:], kind, "-", "invalid byte sequence"
    if kind == "not_json":
        raw = dumps(base)
        choice = rng.randrange(5)
        if choice == 0:
            line = raw[: rng.randint(1, len(raw) - 2)]
        elif choice == 1:
            line = b"this is not json at all"
        elif choice == 2:
            line = raw + b" trailing"
        elif choice == 3:
            line = b'{"prompt": ' + b"[" * 1500 + b"]" * 1500 + b"}"
        else:
            line = b"{'prompt': 'single quotes', 'chosen': 'a', 'rejected': 'b'}"
        if line.strip() == b"":
            line = b"{"
        return line, kind, "-", "invalid JSON"
    if kind == "not_object":
        return rng.choice([b"[1, 2, 3]", b'"just a string"', b"12", b"null", b"true"]), kind, "-", "expected a JSON object"
    if kind == "prob_out_of_range":
        base["preference"] = rng.choice([1.5, -0.1, 2, 100, "NaN", "1.01"])
        return dumps(base), kind, "preference", "probability in [0, 1]"
    if kind == "prob_not_numeric":
        base["preference"] = rng.choice(["high", "", "0.5x", [0.5], {"p": 1}, True])
        if base["preference"] == "":
            base["preference"] = "n/a"
        return dumps(base), kind, "preference", "expected a number"
    if kind == "weight_not_numeric":
        base["weight"] = rng.choice(["heavy", [1], {"w": 2}, False, "1,5"])
        return dumps(base), kind, "weight", "expected a number"
    if kind == "weight_negative":
        base["weight"] = rng.choice([-1, -0.001, "-3", "Infinity"])
        return dumps(base), kind, "weight", "finite number >= 0"
    if kind == "lone_surrogate":
        raw = dumps(base)
        cut = raw.index(b'"rejected": "') + len(b'"rejected": "')
        return raw[:cut] + rng.choice([b"\\ud800", b"\\udfff x", b"a\\ud83d"]) + raw[cut:], kind, "rejected", "unpaired surrogate"
    if kind == "bad_id":
        base["id"] = rng.choice([{"x": 1}, [1, 2], True])
        return dumps(base), kind, "id", "expected a string or number"
    if kind == "conversational_no_template":
        base["prompt"] = [{"role": "user", "content": "hi"}]
        base["chosen"] = [{"role": "assistant", "content": "hello"}]
        base["rejected"] = [{"role": "assistant", "content": "go away"}]
        return dumps(base), kind, "prompt", "expected a chat template"
    if kind == "too_long":
        base["prompt"] = "x" * (MAX_LINE_BYTES + rng.randint(1, 4000))
        return dumps(base), kind, "-", "at most"
    raise AssertionError(kind)


CATEGORIES = ["missing_chosen", "missing_rejected", "null_chosen", "chosen_not_string", "prompt_not_string",
              "empty_chosen", "empty_rejected", "identical", "invalid_utf8", "not_json", "not_object",
              "prob_out_of_range", "prob_not_numeric", "weight_not_numeric", "weight_negative", "lone_surrogate",
              "bad_id", "conversational_no_template", "too_long"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20241123)
    ap.add_argument("--bad", type=int, default=600)
    ap.add_argument("--valid", type=int, default=1000)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    kinds = ["valid"] * args.valid + ["bad"] * args.bad
    rng.shuffle(kinds)
    if kinds[0] == "bad":  # line 1 carries the byte order mark and stays valid
        j = kinds.index("valid")
        kinds[0], kinds[j] = kinds[j], kinds[0]
    lines, expected, counts = [], [], collections.Counter()
    for i, k in enumerate(kinds):
        if rng.random() < 0.03:
            lines.append(rng.choice([b"", b"   ", b"\t"]))  # blank lines: ignored
        if k == "valid":
            rng_ascii[0] = rng.random() < 0.5
            line = dumps(valid_row(rng, i))
            lines.append(line + (b"\r" if rng.random() < 0.1 else b""))
            counts["valid"] += 1
        else:
            rng_ascii[0] = False
            line, cat, field, reason = bad_line(rng, i)
            assert b"\n" not in line
            lines.append(line)
            expected.append({"line": len(lines), "category": cat, "field": field, "reason_contains": reason})
            counts[cat] += 1
    lines[0] = b"\xef\xbb\xbf" + lines[0]  # a UTF-8 byte order mark on line 1 is accepted
    with open(os.path.join(OUT, "bad_rows.jsonl"), "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    summary = {"generator": "tools/make_bad_rows.py", "seed": args.seed, "max_line_bytes": MAX_LINE_BYTES,
               "valid": counts.pop("valid"), "bad": len(expected), "by_category": dict(sorted(counts.items())),
               "rows": expected}
    with open(os.path.join(OUT, "bad_rows_expected.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    print(f"wrote bad_rows.jsonl: {summary['valid']} valid, {summary['bad']} bad rows, {len(lines)} lines; "
          f"categories: {summary['by_category']}")


if __name__ == "__main__":
    main()
