"""BitNet b1.58 in PyTorch: the block of BitNet b1.58 2B4T (bitnet-formats.md §1.2) trained with
quantisation in the loop (§1.3), and a second forward pass over the exported ternary weights that
computes what the Tern engine computes, operation for operation.
"""
import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab: int = 4096
    d: int = 256
    n_layer: int = 6
    n_head: int = 4
    n_kv_head: int = 2
    ff: int = 768
    ctx: int = 512
    rope_base: float = 10000.0
    eps: float = 1e-5

    @property
    def head_dim(self):
        return self.d // self.n_head

    def to_dict(self):
        return asdict(self)


# ----------------------------------------------------------------------------------------------
# Quantisation (bitnet-formats.md §1.3)

def weight_quant(w):
    """Absmean ternary: returns (ternary values as float, scale = mean|W|)."""
    scale = w.abs().mean().clamp(min=1e-5)
    return (w / scale).round().clamp(-1, 1), scale


def act_quant(x):
    """Per-token absmax int8: returns (integer values as float, scale = 127 / max|x|)."""
    scale = 127.0 / x.abs().amax(dim=-1, keepdim=True).clamp(min=1e-5)
    return (x * scale).round().clamp(-128, 127), scale  # torch.round: half to even, as the engine


class BitLinear(nn.Module):
    """Linear layer without bias whose forward pass uses ternary weights and int8 activations;
    gradients pass straight through both roundings to the float latent weights."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_out, n_in))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        t, s = weight_quant(self.weight)
        w = self.weight + (t * s - self.weight).detach()
        q, xs = act_quant(x)
        x = x + (q / xs - x).detach()
        return F.linear(x, w)


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(cfg, n_pos):
    """cos/sin [n_pos, head_dim/2], theta = pos * base^(-2i/head_dim) computed the way the engine's
    kernel does (float32, one multiplication per pair index), so both sides rotate identically."""
    hd = cfg.head_dim
    step = np.float32(np.power(np.float32(cfg.rope_base), np.float32(-2.0) / np.float32(hd)))
    theta = np.empty((n_pos, hd // 2), dtype=np.float32)
    cur = np.arange(n_pos, dtype=np.float32)
    for i in range(hd // 2):
        theta[:, i] = cur
        cur = (cur * step).astype(np.float32)
    return torch.from_numpy(np.cos(theta)), torch.from_numpy(np.sin(theta))


def apply_rope(x, cos, sin):
    """NEOX pairing: element i rotates with element i + head_dim/2. x: [B, H, T, hd]."""
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)


def split_heads(q, k, v, cfg):
    """q [B,T,H*hd], k/v [B,T,KV*hd] -> [B,H,T,hd], [B,KV,T,hd] (head h = columns h*hd..)."""
    B, T, _ = q.shape
    hd = cfg.head_dim
    q = q.view(B, T, cfg.n_head, hd).transpose(1, 2)
    k = k.view(B, T, cfg.n_kv_head, hd).transpose(1, 2)
    v = v.view(B, T, cfg.n_kv_head, hd).transpose(1, 2)
    return q, k, v


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, kv = cfg.d, cfg.n_kv_head * cfg.head_dim
        self.attn_norm = RMSNorm(d, cfg.eps)
        self.q, self.k, self.v = BitLinear(d, d), BitLinear(d, kv), BitLinear(d, kv)
        self.attn_sub_norm = RMSNorm(d, cfg.eps)
        self.o = BitLinear(d, d)
        self.ffn_norm = RMSNorm(d, cfg.eps)
        self.gate, self.up = BitLinear(d, cfg.ff), BitLinear(d, cfg.ff)
        self.ffn_sub_norm = RMSNorm(cfg.ff, cfg.eps)
        self.down = BitLinear(cfg.ff, d)


class BitNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab, cfg.d)
        nn.init.normal_(self.embed.weight, std=0.02)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.out_norm = RMSNorm(cfg.d, cfg.eps)
        cos, sin = rope_tables(cfg, cfg.ctx)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(self, idx, mask):
        """idx [B,T]; mask [B,1,T,T] bool, True where attention is allowed. Returns logits."""
        cfg = self.cfg
        T = idx.shape[1]
        cos, sin = self.cos[:T], self.sin[:T]
        group = cfg.n_head // cfg.n_kv_head
        x = self.embed(idx)
        for blk in self.blocks:
            a = blk.attn_norm(x)
            q, k, v = split_heads(blk.q(a), blk.k(a), blk.v(a), cfg)
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            k = k.repeat_interleave(group, dim=1)  # GQA: query head h reads kv head h // group
            v = v.repeat_interleave(group, dim=1)
            s = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(cfg.head_dim))
            s = s.masked_fill(~mask, float("-inf"))
            o = (s.softmax(-1) @ v).transpose(1, 2).reshape(x.shape)
            x = x + blk.o(blk.attn_sub_norm(o))
            f = blk.ffn_norm(x)
            g = F.relu(blk.gate(f)).square() * blk.up(f)
            x = x + blk.down(blk.ffn_sub_norm(g))
        return F.linear(self.out_norm(x), self.embed.weight)  # tied output

    def parameter_counts(self):
        total = sum(p.numel() for p in self.parameters())
        ternary = sum(m.weight.numel() for m in self.modules() if isinstance(m, BitLinear))
        return total, ternary


# ----------------------------------------------------------------------------------------------
# The exported model, computed as the engine computes it

LINEAR_NAMES = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"]
BLOCK_ATTR = {"attn_q": "q", "attn_k": "k", "attn_v": "v", "attn_output": "o",
              "ffn_gate": "gate", "ffn_up": "up", "ffn_down": "down"}


def export_weights(model):
    """What goes into the GGUF: fp16 embedding, float32 norms, and per linear layer the int8
    ternary matrix [out, in] with its float32 absmean scale."""
    w = {"token_embd": model.embed.weight.detach().to(torch.float16).numpy(),
         "output_norm": model.out_norm.weight.detach().float().numpy()}
    for i, blk in enumerate(model.blocks):
        for name in ("attn_norm", "attn_sub_norm", "ffn_norm", "ffn_sub_norm"):
            w[f"blk.{i}.{name}"] = getattr(blk, name).weight.detach().float().numpy()
        for name in LINEAR_NAMES:
            t, s = weight_quant(getattr(blk, BLOCK_ATTR[name]).weight.detach().float())
            w[f"blk.{i}.{name}"] = (t.to(torch.int8).numpy(), np.float32(s.item()))
    return w


def _rmsnorm_exact(x, w, eps):
    # kernels::rmsnorm: sum of squares in double, the factor rounded to float, (x * f) * w.
    ms = x.double().pow(2).mean(-1, keepdim=True)
    f = torch.rsqrt(ms + eps).float()
    return (x * f) * w


def _ternary_linear_exact(x, t, s):
    # Engine: y = float(Σ t·q) * (w_scale / act_scale); integer sums are exact in float32 here.
    q, xs = act_quant(x)
    return (q @ t.T) * (s / xs)


class ExportedModel:
    """Forward pass over exported weights (export_weights) in the engine's order of operations."""

    def __init__(self, cfg, weights):
        self.cfg = cfg
        self.embd = torch.from_numpy(weights["token_embd"].astype(np.float32))
        self.out_norm = torch.from_numpy(weights["output_norm"])
        self.layers = []
        for i in range(cfg.n_layer):
            L = {}
            for name in ("attn_norm", "attn_sub_norm", "ffn_norm", "ffn_sub_norm"):
                L[name] = torch.from_numpy(weights[f"blk.{i}.{name}"])
            for name in LINEAR_NAMES:
                t, s = weights[f"blk.{i}.{name}"]
                L[name] = (torch.from_numpy(t.astype(np.float32)), torch.tensor(np.float32(s)))
            self.layers.append(L)
        self.cos, self.sin = rope_tables(cfg, cfg.ctx)

    @torch.no_grad()
    def logits(self, ids):
        """ids: list of token ids starting at position 0. Returns [T, vocab] float32."""
        cfg = self.cfg
        T = len(ids)
        hd, group = cfg.head_dim, cfg.n_head // cfg.n_kv_head
        eps = float(np.float32(cfg.eps))  # the file stores eps as float32
        cos, sin = self.cos[:T], self.sin[:T]
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        x = self.embd[torch.tensor(ids)]
        lin = _ternary_linear_exact
        for L in self.layers:
            a = _rmsnorm_exact(x, L["attn_norm"], eps)
            q = lin(a, *L["attn_q"]).view(T, cfg.n_head, hd).transpose(0, 1)
            k = lin(a, *L["attn_k"]).view(T, cfg.n_kv_head, hd).transpose(0, 1)
            v = lin(a, *L["attn_v"]).view(T, cfg.n_kv_head, hd).transpose(0, 1)
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            k = k.repeat_interleave(group, dim=0)
            v = v.repeat_interleave(group, dim=0)
            s = (q @ k.transpose(-1, -2)) * np.float32(1.0 / math.sqrt(hd))
            s = s.masked_fill(~mask, float("-inf")).double().softmax(-1).float()
            o = (s @ v).transpose(0, 1).reshape(T, cfg.d)
            x = x + lin(_rmsnorm_exact(o, L["attn_sub_norm"], eps), *L["attn_output"])
            f = _rmsnorm_exact(x, L["ffn_norm"], eps)
            g = F.relu(lin(f, *L["ffn_gate"])).square() * lin(f, *L["ffn_up"])
            x = x + lin(_rmsnorm_exact(g, L["ffn_sub_norm"], eps), *L["ffn_down"])
        return _rmsnorm_exact(x, self.out_norm, eps) @ self.embd.T

    def perplexity(self, tokens, window):
        """As engine/chat/perplexity.cpp: windows of `window` tokens overlapping by one, each from an
        empty cache; every token after the first predicted once. Returns (mean NLL, n scored)."""
        nll, n = 0.0, 0
        start = 0
        while start + 1 < len(tokens):
            chunk = tokens[start:start + window]
            lp = self.logits(chunk).double().log_softmax(-1)
            tgt = torch.tensor(chunk[1:])
            nll += -lp[:-1].gather(1, tgt[:, None]).sum().item()
            n += len(chunk) - 1
            start += window - 1
        return nll / n, n

    def greedy(self, prompt, n_new, stop_ids):
        """Greedy continuation (argmax, ties to the lowest id as the engine's sampler) of prompt;
        also returns the smallest top-1/top-2 logit margin seen, to show how safe a match is."""
        ids = list(prompt)
        out, margin = [], float("inf")
        for _ in range(n_new):
            if len(ids) >= self.cfg.ctx:
                break
            row = self.logits(ids)[-1]
            top2 = torch.topk(row, 2)
            margin = min(margin, (top2.values[0] - top2.values[1]).item())
            nxt = int(torch.argmax(row).item())  # first maximum = lowest id
            out.append(nxt)
            ids.append(nxt)
            if nxt in stop_ids:
                break
        return out, margin
