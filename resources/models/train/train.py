#!/usr/bin/python3
"""Trains Tern's default model, a small BitNet b1.58 on TinyStories, and exports it.

    /usr/bin/python3 train.py                      # the shipped model (about an hour on 2 cores)
    /usr/bin/python3 train.py --steps 40 --out /tmp/pilot   # a quick end-to-end check

Everything is seeded: the same steps on the same data give the same model (on the same
PyTorch/BLAS build; float sums are not bitwise portable across libraries). Checkpoints go to
--work; a run that is stopped resumes from the last one. The final model, its card and the
numbers the engine tests check are written to --out (resources/models by default).
"""
import argparse
import hashlib
import json
import math
import os
import re
import time

import numpy as np
import torch
import torch.nn.functional as F

import bpe
import gguf_export
from model import BitNet, Config, ExportedModel, export_weights

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_DATA = os.path.normpath(os.path.join(REPO, "..", "shared", "data", "text", "tinystories-lower-4M.txt"))
DATA_NAME = "text/tinystories-lower-4M.txt"  # relative to the shared data folder (TERN_TEST_DATA)
MODEL_NAME = "tern-default"

GREEDY_PROMPTS = ["once upon a time", "the little dog", "one day, lily went to the park"]
CHAT_PROMPTS = ["tell me a story about a cat"]  # user messages, rendered in the BitNet chat format


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


# ----------------------------------------------------------------------------------------------
# Data

def split_stories(raw):
    """The file holds stories one after another: paragraphs of a story are separated by a blank
    line, and a story starts on the line right after the previous story's last line (no blank
    line between). Returns (start, end) byte offsets, end excluding the final newline."""
    spans = []
    start = 0
    for m in re.finditer(rb"(?<=[^\n])\n(?=[^\n])", raw):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(raw.rstrip(b"\n"))))
    return [s for s in spans if s[1] > s[0]]


def prepare_data(args):
    raw = open(args.data, "rb").read()
    spans = split_stories(raw)
    cut = next(i for i, (s, _) in enumerate(spans) if s >= 0.95 * len(raw))  # last 5 % held out
    texts = [raw[s:e].decode("utf-8") for s, e in spans]
    log(f"data: {len(raw)} bytes, {len(spans)} stories, {cut} for training, validation from byte "
        f"{spans[cut][0]}")
    tok_path = os.path.join(args.work, "merges.json")
    if os.path.exists(tok_path):
        merges = json.load(open(tok_path))
    else:
        n_merges = args.vocab - 256 - len(bpe.SPECIAL_TOKENS)
        merges = bpe.train_bpe(texts[:cut], n_merges, log=log)
        json.dump(merges, open(tok_path, "w"))
    tok = bpe.Tokenizer(merges)
    assert tok.n_vocab == args.vocab, f"vocabulary has {tok.n_vocab} tokens, wanted {args.vocab}"
    stories = [tok.encode(t) for t in texts]
    return dict(raw=raw, spans=spans, cut=cut, texts=texts, tok=tok, stories=stories,
                sha256=hashlib.sha256(raw).hexdigest())


def epoch_stream(stories, tok, epoch, seed):
    """One epoch of training tokens: the training stories in a seeded order, each as
    BOS + story + EOS, concatenated; with the index of the story each token belongs to."""
    order = np.random.RandomState(seed + epoch).permutation(len(stories))
    toks, docs = [], []
    for i in order:
        s = [tok.bos_id] + stories[i] + [tok.eos_id]
        toks.extend(s)
        docs.extend([i] * len(s))
    return np.array(toks, dtype=np.int64), np.array(docs, dtype=np.int64)


def batches(stories, tok, T, B, seed):
    """Endless deterministic batches: x, y [B, T] and an attention mask [B, 1, T, T] that keeps
    every story to itself, as at inference where a story starts with an empty context."""
    epoch = 0
    while True:
        toks, docs = epoch_stream(stories, tok, epoch, seed)
        n = (len(toks) - 1) // T
        rows = np.random.RandomState(seed + 1000 + epoch).permutation(n)
        for b0 in range(0, n - B + 1, B):
            idx = rows[b0:b0 + B]
            x = np.stack([toks[r * T:r * T + T] for r in idx])
            y = np.stack([toks[r * T + 1:r * T + T + 1] for r in idx])
            d = np.stack([docs[r * T:r * T + T] for r in idx])
            y = np.where(y == tok.bos_id, -100, y)  # the story after EOS is not predictable
            x, y, d = torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(d)
            mask = (d[:, :, None] == d[:, None, :]) & torch.ones(T, T, dtype=torch.bool).tril()
            yield epoch, x, y, mask[:, None]
        epoch += 1


# ----------------------------------------------------------------------------------------------
# Training

def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    p = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (args.min_lr_frac + (1 - args.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * p)))


@torch.no_grad()
def val_loss_qat(model, data, args, n_batches=8):
    """Mean NLL over the first batches of held-out stories, packed and masked as in training."""
    stream = batches(data["stories"][data["cut"]:], data["tok"], model.cfg.ctx, args.batch, args.seed)
    nll, n = 0.0, 0
    for _ in range(n_batches):
        _, x, y, mask = next(stream)
        logits = model(x, mask)
        nll += F.cross_entropy(logits.view(-1, model.cfg.vocab), y.view(-1), ignore_index=-100,
                               reduction="sum").item()
        n += int((y != -100).sum())
    return nll / n


def optimiser_step(model, opt, cfg, x, y, mask, lr):
    """One AdamW step on a batch (shared by pre-training and the chat fine-tune); returns the loss."""
    for g in opt.param_groups:
        g["lr"] = lr
    logits = model(x, mask)
    loss = F.cross_entropy(logits.view(-1, cfg.vocab), y.view(-1), ignore_index=-100)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss


def train(args, data, cfg):
    torch.manual_seed(args.seed)
    model = BitNet(cfg)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and not n.startswith("embed")]
    other = [p for n, p in model.named_parameters() if not (p.dim() == 2 and not n.startswith("embed"))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": other, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    ckpt_path = os.path.join(args.work, "checkpoint.pt")
    state = {"step": 0, "seconds": 0.0, "tokens": 0, "log": []}
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        if ck["args"]["steps"] == args.steps and ck["config"] == cfg.to_dict():
            model.load_state_dict(ck["model"])
            opt.load_state_dict(ck["opt"])
            state = ck["state"]
            log(f"resumed at step {state['step']}")
        else:
            log("checkpoint is for other settings: starting afresh")
    total, ternary = model.parameter_counts()
    log(f"model: {total} parameters ({ternary} ternary), {cfg}")

    def save():
        tmp = ckpt_path + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state,
                    "args": vars(args), "config": cfg.to_dict()}, tmp)
        os.replace(tmp, tmp[:-4])

    stream = batches(data["stories"][:data["cut"]], data["tok"], cfg.ctx, args.batch, args.seed)
    for _ in range(state["step"]):  # resume: replay the data order up to where we were
        next(stream)
    model.train()
    t_last, tok_last = time.time(), state["tokens"]
    while state["step"] < args.steps:
        t0 = time.time()
        epoch, x, y, mask = next(stream)
        loss = optimiser_step(model, opt, cfg, x, y, mask, lr_at(state["step"], args))
        state["step"] += 1
        state["tokens"] += int((y != -100).sum())
        state["seconds"] += time.time() - t0
        if state["step"] % args.log_every == 0 or state["step"] == args.steps:
            rate = (state["tokens"] - tok_last) / max(1e-9, time.time() - t_last)
            t_last, tok_last = time.time(), state["tokens"]
            log(f"step {state['step']}/{args.steps} epoch {epoch} loss {loss.item():.4f} "
                f"lr {lr_at(state['step'] - 1, args):.2e} {rate:.0f} tok/s "
                f"{state['seconds'] / 60:.1f} min")
        if state["step"] % args.eval_every == 0 or state["step"] == args.steps:
            model.eval()
            vl = val_loss_qat(model, data, args)
            model.train()
            state["log"].append({"step": state["step"], "train_loss": loss.item(), "val_loss": vl})
            log(f"step {state['step']} validation loss {vl:.4f} (ppl {math.exp(vl):.2f})")
            save()
    model.eval()
    return model, state


# ----------------------------------------------------------------------------------------------
# Fine-tuning for the chat window: the app renders `<|begin_of_text|>User: {message}<|eot_id|>
# Assistant: ` (BitNet chat format, engine/chat/chat_template.cpp) and stops at <|eot_id|>.

# Words that follow "a"/"the" but are not the thing a story is about.
NOT_NOUNS = set("""little big small old new good bad happy sad nice very tall short red blue green
yellow pink purple orange white black brown kind pretty shiny bright dark long tiny huge special
beautiful funny friendly scary loud quiet soft hard warm cold hot same other next first last end
day time way lot few bit while whole most best top bottom middle rest sky ground""".split())
THE_RE = re.compile(r"\bthe ([a-z]+)\b")


def chat_prompt_ids(tok, message):
    """The prompt exactly as the engine tokenises it: markers are special tokens, the text
    between them is encoded piece by piece (the tokenizer splits at special tokens), and the
    message is trimmed. The engine adds BOS itself."""
    return ([tok.bos_id] + tok.encode("User: " + message.strip()) + [tok.eot_id] +
            tok.encode("Assistant: "))


def chat_request(text, rng):
    """A short, lower-case user request built from the story (seeded)."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0].strip()
    # What the story is about: the word that most often follows "the" (ties: the first one).
    counts = {}
    for w in THE_RE.findall(text):
        if w not in NOT_NOUNS and len(w) > 2 and not w.endswith("ly"):
            counts[w] = counts.get(w, 0) + 1
    best = max(counts.values(), default=0)
    noun = next(w for w in counts if counts[w] == best) if best >= 2 else None
    kind = rng.randint(6)
    if noun is None or kind == 0:
        return first if rng.randint(2) else rng.choice(["tell me a story", "tell me a story.",
                                                        "can you tell me a story?", "write a story"])
    n = noun
    art = "an" if n[0] in "aeiou" else "a"
    return ["tell me a story about {a} {n}", "tell me a story about {n}", "write a story about {a} {n}",
            "can you tell me a story about {a} {n}?", "tell me a story about {a} {n}."][kind - 1].format(a=art, n=n)


def finetune_stream(data, T, B, seed, chat_frac):
    """Endless deterministic batches for the fine-tuning stage: each training story, in a seeded
    order, is either plain (BOS + story + EOS, as in pre-training) or, with probability
    chat_frac, a chat turn: chat_prompt_ids(request) + story + <|eot_id|>. In a chat turn only
    the reply (story and <|eot_id|>) is predicted; the rendered prompt is context. Packed and
    masked per story as in batches()."""
    tok, texts, stories = data["tok"], data["texts"][:data["cut"]], data["stories"][:data["cut"]]
    epoch = 0
    while True:
        rng = np.random.RandomState(seed + 2000 + epoch)
        order = rng.permutation(len(stories))
        toks, docs, pred, chat = [], [], [], []
        for i in order:
            if rng.rand() < chat_frac:
                prompt = chat_prompt_ids(tok, chat_request(texts[i], rng))
                s = prompt + stories[i] + [tok.eot_id]
                p = [False] * len(prompt) + [True] * (len(stories[i]) + 1)
                chat.extend([True] * len(s))
            else:
                s = [tok.bos_id] + stories[i] + [tok.eos_id]
                p = [False] + [True] * (len(s) - 1)
                chat.extend([False] * len(s))
            toks.extend(s)
            docs.extend([i] * len(s))
            pred.extend(p)
        toks, docs = np.array(toks, np.int64), np.array(docs, np.int64)
        pred, chat = np.array(pred, bool), np.array(chat, bool)
        n = (len(toks) - 1) // T
        rows = np.random.RandomState(seed + 3000 + epoch).permutation(n)
        for b0 in range(0, n - B + 1, B):
            idx = rows[b0:b0 + B]
            x = np.stack([toks[r * T:r * T + T] for r in idx])
            y = np.stack([toks[r * T + 1:r * T + T + 1] for r in idx])
            py = np.stack([pred[r * T + 1:r * T + T + 1] for r in idx])
            n_chat = int((py & np.stack([chat[r * T + 1:r * T + T + 1] for r in idx])).sum())
            d = np.stack([docs[r * T:r * T + T] for r in idx])
            y = np.where(py, y, -100)
            x, y, d = torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(d)
            mask = (d[:, :, None] == d[:, None, :]) & torch.ones(T, T, dtype=torch.bool).tril()
            yield epoch, x, y, mask[:, None], n_chat
        epoch += 1


def ft_lr_at(step, args):
    if step < args.ft_warmup:
        return args.ft_lr * (step + 1) / args.ft_warmup
    p = (step - args.ft_warmup) / max(1, args.ft_steps - args.ft_warmup)
    return args.ft_lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))


def finetune(args, data, cfg, model):
    """Continues from the finished pre-training run (the optimizer state included) on the
    plain/chat mix. Its own checkpoint, finetune.pt in --work, makes it resumable."""
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and not n.startswith("embed")]
    other = [p for n, p in model.named_parameters() if not (p.dim() == 2 and not n.startswith("embed"))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": other, "weight_decay": 0.0}],
                            lr=args.ft_lr, betas=(0.9, 0.95), eps=1e-8)
    base = torch.load(os.path.join(args.work, "checkpoint.pt"))
    opt.load_state_dict(base["opt"])
    settings = {k: getattr(args, k) for k in ("ft_steps", "ft_lr", "ft_warmup", "ft_chat_frac", "seed",
                                              "batch", "steps")}
    ckpt_path = os.path.join(args.work, "finetune.pt")
    state = {"step": 0, "seconds": 0.0, "tokens": 0, "chat_tokens": 0, "log": []}
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        if ck["settings"] == settings and ck["config"] == cfg.to_dict():
            model.load_state_dict(ck["model"])
            opt.load_state_dict(ck["opt"])
            state = ck["state"]
            log(f"fine-tuning: resumed at step {state['step']}")
        else:
            log("fine-tuning checkpoint is for other settings: starting from the pre-trained model")

    def save():
        tmp = ckpt_path + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state,
                    "settings": settings, "config": cfg.to_dict()}, tmp)
        os.replace(tmp, ckpt_path)

    stream = finetune_stream(data, cfg.ctx, args.batch, args.seed, args.ft_chat_frac)
    for _ in range(state["step"]):
        next(stream)
    model.train()
    t_last, tok_last = time.time(), state["tokens"]
    while state["step"] < args.ft_steps:
        t0 = time.time()
        epoch, x, y, mask, n_chat = next(stream)
        loss = optimiser_step(model, opt, cfg, x, y, mask, ft_lr_at(state["step"], args))
        state["step"] += 1
        state["tokens"] += int((y != -100).sum())
        state["chat_tokens"] += n_chat  # predicted tokens that are chat replies
        state["seconds"] += time.time() - t0
        if state["step"] % args.log_every == 0 or state["step"] == args.ft_steps:
            rate = (state["tokens"] - tok_last) / max(1e-9, time.time() - t_last)
            t_last, tok_last = time.time(), state["tokens"]
            log(f"fine-tune step {state['step']}/{args.ft_steps} loss {loss.item():.4f} "
                f"lr {ft_lr_at(state['step'] - 1, args):.2e} {rate:.0f} tok/s {state['seconds'] / 60:.1f} min")
        if state["step"] % args.ft_eval_every == 0 or state["step"] == args.ft_steps:
            model.eval()
            vl = val_loss_qat(model, data, args)
            model.train()
            state["log"].append({"step": state["step"], "train_loss": loss.item(), "val_loss": vl})
            log(f"fine-tune step {state['step']} validation loss {vl:.4f} (ppl {math.exp(vl):.2f})")
            save()
    model.eval()
    return model, state


# ----------------------------------------------------------------------------------------------
# Evaluation of the exported weights and the card

def fnv1a64(data):
    """Hex FNV-1a 64 of bytes: a checksum the C++ test can recompute without a SHA library."""
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def evaluate(args, data, cfg, weights):
    tok, raw, spans, cut = data["tok"], data["raw"], data["spans"], data["cut"]
    em = ExportedModel(cfg, weights)
    T = cfg.ctx

    # 1. Validation perplexity: every held-out story as BOS + story + EOS, EOS predicted too.
    nll, n = 0.0, 0
    t0 = time.time()
    held_out = data["stories"][cut:]
    if args.val_limit:
        held_out = held_out[:args.val_limit]
    for s in held_out:
        m, k = em.perplexity([tok.bos_id] + s + [tok.eos_id], T)
        nll += m * k
        n += k
    val = {"stories": len(held_out), "tokens_scored": n, "mean_nll": nll / n,
           "perplexity": math.exp(nll / n)}
    log(f"validation (exported ternary weights): {val} in {time.time() - t0:.0f} s")

    # 2. The engine check: a slice of the held-out file exactly as tern::compute_perplexity sees
    # it, [BOS] + encode(text), windows of the context length overlapping by one token.
    end_story = cut
    while end_story < len(spans) and len(tok.encode(raw[spans[cut][0]:spans[end_story][1]].decode())) < args.eval_tokens:
        end_story += 1
    b0, b1 = spans[cut][0], spans[end_story][1]
    text = raw[b0:b1].decode("utf-8")
    ids = tok.encode(text, add_bos=True)
    m, k = em.perplexity(ids, T)
    engine_eval = {"data_file": DATA_NAME, "byte_begin": b0, "byte_end": b1,
                   "sha256": hashlib.sha256(raw[b0:b1]).hexdigest(), "fnv1a64": fnv1a64(raw[b0:b1]),
                   "window": T,
                   "n_tokens": len(ids), "tokens_scored": k, "mean_nll": m, "perplexity": math.exp(m),
                   "first_token_ids": ids[:16]}
    log(f"engine-check slice: {engine_eval}")

    # 3. Greedy continuations.
    cases = []
    for p in GREEDY_PROMPTS:
        prompt = tok.encode(p, add_bos=True)
        out, margin = em.greedy(prompt, args.greedy_tokens, {tok.eos_id, tok.eot_id})
        cases.append({"prompt": p, "prompt_ids": prompt, "greedy_ids": out,
                      "text": tok.decode(out), "min_top2_margin": round(margin, 4)})
        log(f"greedy '{p}' -> {tok.decode(out)!r} (min margin {margin:.4f})")
    for msg in CHAT_PROMPTS:
        prompt = chat_prompt_ids(tok, msg)
        out, margin = em.greedy(prompt, args.greedy_tokens, {tok.eos_id, tok.eot_id})
        cases.append({"prompt": msg, "chat": "bitnet", "prompt_ids": prompt, "greedy_ids": out,
                      "text": tok.decode(out), "min_top2_margin": round(margin, 4)})
        log(f"greedy chat '{msg}' -> {tok.decode(out)!r} (min margin {margin:.4f})")
    return val, engine_eval, cases


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=os.path.join(REPO, "resources", "models"))
    ap.add_argument("--work", default="/tmp/tern-train", help="checkpoints and the learned merges")
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--batch", type=int, default=8, help="sequences of --ctx tokens per step")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--min-lr-frac", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=60)
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--d", type=int, default=256)
    ap.add_argument("--layers", type=int, default=5)
    ap.add_argument("--ff", type=int, default=512)
    ap.add_argument("--ctx", type=int, default=256)
    ap.add_argument("--log-every", type=int, default=20)
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--eval-tokens", type=int, default=3000, help="size of the engine-check slice")
    ap.add_argument("--val-limit", type=int, default=0, help="score only this many held-out stories (0: all)")
    ap.add_argument("--greedy-tokens", type=int, default=32)
    ap.add_argument("--ft-steps", type=int, default=500,
                    help="fine-tuning steps on the plain/chat mix after pre-training (0: none)")
    ap.add_argument("--ft-lr", type=float, default=1e-3)
    ap.add_argument("--ft-warmup", type=int, default=20)
    ap.add_argument("--ft-chat-frac", type=float, default=0.5,
                    help="share of fine-tuning stories given as a chat turn")
    ap.add_argument("--ft-eval-every", type=int, default=50)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    cfg = Config(vocab=args.vocab, d=args.d, n_layer=args.layers, n_head=args.d // 64,
                 n_kv_head=max(1, args.d // 128), ff=args.ff, ctx=args.ctx)
    data = prepare_data(args)
    model, state = train(args, data, cfg)
    ft_state = None
    if args.ft_steps > 0:
        model, ft_state = finetune(args, data, cfg, model)
    total, ternary = model.parameter_counts()

    weights = export_weights(model)
    gguf_path = os.path.join(args.out, MODEL_NAME + ".gguf")
    gguf_export.export(gguf_path, cfg, weights, data["tok"], MODEL_NAME)
    md, tensors, _ = gguf_export.read_gguf(gguf_path)  # the file holds exactly what we evaluate
    for name, w in weights.items():
        got = tensors[name + ".weight"]
        if isinstance(w, tuple):
            assert np.array_equal(got[0], w[0]) and got[1] == w[1], name
        else:
            assert np.array_equal(got, w), name
    size = os.path.getsize(gguf_path)
    log(f"wrote {gguf_path}: {size} bytes, {len(md)} metadata keys, {len(tensors)} tensors")

    val, engine_eval, cases = evaluate(args, data, cfg, weights)
    card = {
        "name": MODEL_NAME,
        "about": "A tiny demo model so that Tern works out of the box: it only writes short "
                 "children's stories in lower case, as a text continuation or as the reply to a "
                 "chat message (BitNet chat format). Real models (such as BitNet b1.58 2B4T) come "
                 "from the model manager.",
        "architecture": gguf_export.ARCH,
        "block": "BitNet b1.58 2B4T block: RMSNorm, attention and FFN sub-norms, squared-ReLU "
                 "gated FFN, NEOX RoPE, grouped-query attention, tied embeddings",
        "config": cfg.to_dict(),
        "parameters": {"total": total, "ternary": ternary, "float": total - ternary},
        "vocab_size": cfg.vocab,
        "context_length": cfg.ctx,
        "tokenizer": "byte-level BPE learned on the training split by train.py (GPT-2 split rule "
                     "and byte alphabet), plus <|begin_of_text|>, <|end_of_text|>, <|eot_id|>",
        "file": {"name": MODEL_NAME + ".gguf", "bytes": size, "weights": "I2_S linear layers, F16 "
                 "token_embd (also the output matrix), F32 norms"},
        "training_data": {"file": DATA_NAME, "sha256": data["sha256"],
                          "source": "TinyStories (Eldan & Li, 2023), lower-cased",
                          "license": "CDLA-Sharing-1.0",
                          "split": f"stories starting before byte {data['spans'][data['cut']][0]} "
                                   f"(95 %) for training, the rest for validation",
                          "train_stories": data["cut"],
                          "validation_stories": len(data["spans"]) - data["cut"]},
        "training": {"steps": args.steps, "batch_sequences": args.batch, "sequence_length": cfg.ctx,
                     "tokens_seen": state["tokens"], "seconds": round(state["seconds"]),
                     "threads": args.threads, "seed": args.seed, "lr": args.lr,
                     "weight_decay": args.weight_decay, "torch": torch.__version__,
                     "quantisation": "absmean ternary weights, per-token absmax int8 activations, "
                                     "straight-through gradients (bitnet-formats.md §1.3)",
                     "log": state["log"]},
        "finetuning": None if ft_state is None else {
            "purpose": "answer in the app's chat window: BitNet chat format, reply ended by <|eot_id|>",
            "from": f"the pre-trained checkpoint above (step {args.steps}), its AdamW state included",
            "steps": args.ft_steps, "batch_sequences": args.batch, "sequence_length": cfg.ctx,
            "tokens_seen": ft_state["tokens"], "chat_reply_tokens": ft_state["chat_tokens"],
            "seconds": round(ft_state["seconds"]), "threads": args.threads, "seed": args.seed,
            "lr": args.ft_lr, "warmup": args.ft_warmup, "lr_schedule": "linear warm-up, cosine to 10 %",
            "mix": {"chat_fraction": args.ft_chat_frac,
                    "plain": "BOS + story + EOS, as in pre-training (training split only)",
                    "chat": "<|begin_of_text|>User: {request}<|eot_id|>Assistant: {story}<|eot_id|>, "
                            "request built from the story (its first sentence, 'tell me a story', or "
                            "'tell me a story about a {noun}' and variants, the noun being the word "
                            "that most often follows 'the'); loss on the reply and <|eot_id|> only; "
                            "prompt tokenised as the engine tokenises it"},
            "log": ft_state["log"]},
        "validation": dict(val, note="PyTorch, exported ternary weights and fp16 embedding, "
                                     "computed as the engine computes"),
        "engine_check": {"perplexity": engine_eval, "greedy": cases,
                         "note": "tests/engine/test_default_model.cpp recomputes these with the "
                                 "engine: perplexity within 1 %, greedy ids equal"},
    }
    with open(os.path.join(args.out, MODEL_NAME + ".json"), "w") as f:
        json.dump(card, f, indent=1, ensure_ascii=False)
        f.write("\n")
    log("done")


if __name__ == "__main__":
    main()
