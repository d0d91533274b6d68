"""Smoke test of tools/bench/bench_generate.py on the tiny GPT-2: every row runs, in its own process, and reports the
tokens it was asked for and that process's own peak RSS."""

import json
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS / "bench"))
HF = TOOLS / ".cache" / "hf" / "tiny-gpt2"


@pytest.mark.skipif(not (HF / "config.json").is_file(),
                    reason=f"needs {HF} (tools/export/make_tiny_models.py writes it)")
def test_tiny_rows(tmp_path, capsys):
    import bench_generate
    out = tmp_path / "rows.jsonl"
    rc = bench_generate.main(["--artifacts", str(ROOT / "artifacts" / "tiny-gpt2"), "--hf-dir", str(HF),
                              "--new-tokens", "4", "--repeats", "1", "--json", str(out)])
    assert rc == 0
    rows = {r["row"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert list(rows) == ["dpo4j KV cache", "dpo4j KV cache, batch of 8 prompts", "dpo4j no cache",
                          "transformers generate, use_cache", "transformers generate, no cache"]
    # the random-init tiny model does not reach EOS within 4 tokens (its greedy continuation repeats one token)
    assert rows["dpo4j KV cache, batch of 8 prompts"]["tokens"] == 8 * 4
    for name, r in rows.items():
        if "batch" not in name:
            assert r["tokens"] == 4, name
        assert r["seconds"] > 0, name
        # a JVM with ONNX Runtime, or Python with torch, holds well over 50 MiB; each row its own process
        assert 50 < r["rss_mib"] < 8192, name
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("| tiny-gpt2 | tokens |") and table[1].startswith("|---|")
    assert [line.split(" | ")[0] for line in table[2:]] == ["| " + name for name in rows]
