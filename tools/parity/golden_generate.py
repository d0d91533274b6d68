"""Greedy-generation goldens for the Java generator: Hugging Face transformers' own ``generate`` (greedy, float32)
on the tiny models, written to ``src/test/resources/golden/generate.json``.

Usage: ``tools/.venv/bin/python tools/parity/golden_generate.py`` (needs tools/.cache/hf from tools/export/make_tiny_models.py).
"""

import json
import sys
from pathlib import Path

import torch
import transformers
from tokenizers import Tokenizer

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent
PROMPT = "Review: This movie had a great ensemble of adult actors ...\nHighlight:"
NEW_TOKENS = 12


def greedy(model_dir: Path, art: Path) -> dict:
    manifest = json.loads((art / "manifest.json").read_text())
    special = manifest["special_tokens"]
    ids = Tokenizer.from_file(str(art / "tokenizer.json")).encode(PROMPT, add_special_tokens=False).ids
    if special.get("add_bos"):
        ids = [special["bos"]] + ids
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
    with torch.no_grad():
        out = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             do_sample=False, max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS,
                             pad_token_id=special["pad"], eos_token_id=special["eos"])
    return {"prompt": PROMPT, "prompt_ids": ids, "new_ids": out[0, len(ids):].tolist(),
            "tokenizer_sha256": manifest["files"]["tokenizer.json"],
            "checkpoint_sha256": manifest["files"]["checkpoint"]}


def main() -> int:
    doc = {"description": "transformers generate(do_sample=False) on the tiny models' HF directories; rerun with "
                          "tools/golden_generate.py", "transformers": transformers.__version__, "models": {}}
    for name in ("tiny-gpt2", "tiny-llama"):
        doc["models"][name] = greedy(TOOLS / ".cache" / "hf" / name, ROOT / "artifacts" / name)
    out = ROOT / "src" / "test" / "resources" / "golden" / "generate.json"
    out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
