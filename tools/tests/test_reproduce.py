"""Rebuilding the tiny models from scratch reproduces the committed artifacts byte for byte.

    tools/.venv/bin/python -m pytest -q tools/tests/test_reproduce.py

Fresh npm packages, HF model directories and artifact directories in a temporary folder (about a minute); every
file's SHA-256 is compared with the committed manifest.json, and the manifests themselves must be identical.
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]
ROOT = TOOLS.parent


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_rebuild_reproduces_committed_tiny_artifacts(tmp_path):
    subprocess.run([sys.executable, str(TOOLS / "export" / "make_tiny_models.py"), "--hf-dir", str(tmp_path / "hf"),
                    "--npm-dir", str(tmp_path / "npm"), "--out", str(tmp_path / "artifacts")], check=True)
    for name in ("tiny-gpt2", "tiny-llama"):
        committed = json.loads((ROOT / "artifacts" / name / "manifest.json").read_text())
        rebuilt_dir = tmp_path / "artifacts" / name
        rebuilt = json.loads((rebuilt_dir / "manifest.json").read_text())
        assert sorted(rebuilt["files"]) == sorted(committed["files"]), name
        for f, sha in committed["files"].items():
            assert _sha(rebuilt_dir / f) == sha, f"{name}/{f}: rebuilt bytes differ from the committed file"
        assert _sha(rebuilt_dir / "manifest.json") == _sha(ROOT / "artifacts" / name / "manifest.json"), name
