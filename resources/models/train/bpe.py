"""Byte-level BPE in the GPT-2 style, as the Tern engine reads it from a GGUF file.

The engine (engine/tokenizer/tokenizer_bpe.cpp) pre-tokenizes a vocabulary that is not LLaMA 3's with the
GPT-2 split rule, maps every byte to GPT-2's printable alphabet, then applies the merges by rank
(lowest rank first, leftmost on ties). Encoding here does exactly that, so the token ids the
model was trained on are the ids the engine produces for the same text.
"""
import heapq
from collections import Counter

import regex

# GPT-2's pre-tokenizer rule: the engine uses it when tokenizer.ggml.pre is absent and the
# vocabulary is not LLaMA 3's 128,256 tokens.
GPT2_SPLIT = regex.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")

# Named like LLaMA 3's, so the engine recognises BOS, end of text and end of turn by name.
BOS = "<|begin_of_text|>"
EOS = "<|end_of_text|>"
EOT = "<|eot_id|>"
SPECIAL_TOKENS = [BOS, EOS, EOT]


def byte_alphabet():
    """GPT-2's map from the 256 byte values to printable characters, in GPT-2's order."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) +
                 list(range(ord("\xae"), ord("\xff") + 1)))
    order = list(printable)
    chars = [chr(b) for b in printable]
    extra = 0
    for b in range(256):
        if b not in printable:
            order.append(b)
            chars.append(chr(256 + extra))
            extra += 1
    return order, chars  # order[i] = byte of token i, chars[i] = its printable character


def pre_tokenize(text):
    return [w.encode("utf-8") for w in GPT2_SPLIT.findall(text)]


class Tokenizer:
    """Vocabulary: 256 byte tokens, one token per merge, then the special tokens."""

    def __init__(self, merges):
        order, chars = byte_alphabet()
        self.token_bytes = [bytes([b]) for b in order]
        self.token_text = list(chars)
        byte_char = {b: c for b, c in zip(order, chars)}
        self.byte_id = {b: i for i, b in enumerate(order)}
        self.merges = [tuple(m) for m in merges]  # (left id, right id), in rank order
        self.rank = {}
        for rank, (a, b) in enumerate(self.merges):
            new_id = len(self.token_bytes)
            self.rank[(a, b)] = (rank, new_id)
            self.token_bytes.append(self.token_bytes[a] + self.token_bytes[b])
            self.token_text.append(self.token_text[a] + self.token_text[b])
        self.special = {}
        for s in SPECIAL_TOKENS:
            self.special[s] = len(self.token_text)
            self.token_text.append(s)
            self.token_bytes.append(s.encode("utf-8"))
        self.bos_id = self.special[BOS]
        self.eos_id = self.special[EOS]
        self.eot_id = self.special[EOT]
        self._cache = {}
        assert all(c == byte_char[b] for b, c in zip(order, chars))

    @property
    def n_vocab(self):
        return len(self.token_text)

    def merge_strings(self):
        """Merges as the GGUF stores them: "left right" in the byte alphabet, in rank order."""
        return [self.token_text[a] + " " + self.token_text[b] for a, b in self.merges]

    def _encode_word(self, word):
        ids = self._cache.get(word)
        if ids is not None:
            return ids
        ids = [self.byte_id[b] for b in word]
        while len(ids) > 1:
            best = None
            for i in range(len(ids) - 1):
                r = self.rank.get((ids[i], ids[i + 1]))
                if r is not None and (best is None or r[0] < best[0]):
                    best = (r[0], r[1], i)  # strict <: the leftmost pair wins a tie
            if best is None:
                break
            _, new_id, i = best
            ids = ids[:i] + [new_id] + ids[i + 2:]
        self._cache[word] = ids
        return ids

    def encode(self, text, add_bos=False):
        out = [self.bos_id] if add_bos else []
        for word in pre_tokenize(text):
            out.extend(self._encode_word(word))
        return out

    def decode(self, ids):
        return b"".join(self.token_bytes[i] for i in ids).decode("utf-8", errors="replace")


def train_bpe(texts, n_merges, log=print):
    """Learns n_merges merges from the texts: repeatedly merges the most frequent adjacent pair
    (ties: the pair of lowest ids, so the result never depends on dict order)."""
    order, _ = byte_alphabet()
    byte_id = {b: i for i, b in enumerate(order)}
    counts = Counter()
    for t in texts:
        counts.update(pre_tokenize(t))
    words = [[byte_id[b] for b in w] for w in sorted(counts)]
    freq = [counts[w] for w in sorted(counts)]

    pair_count = Counter()
    where = {}  # pair -> set of word indices that contain it
    for wi, w in enumerate(words):
        for p in zip(w, w[1:]):
            pair_count[p] += freq[wi]
            where.setdefault(p, set()).add(wi)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)

    merges = []
    next_id = 256
    while len(merges) < n_merges and heap:
        neg, p = heapq.heappop(heap)
        if pair_count.get(p, 0) != -neg or -neg <= 0:
            continue  # stale heap entry: the count changed since it was pushed
        if -neg < 2:
            break  # nothing left worth merging
        merges.append(p)
        new_id = next_id
        next_id += 1
        changed = Counter()
        for wi in sorted(where.pop(p, ())):
            w = words[wi]
            f = freq[wi]
            for q in zip(w, w[1:]):
                changed[q] -= f
            merged = []
            i = 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == p[0] and w[i + 1] == p[1]:
                    merged.append(new_id)
                    i += 2
                else:
                    merged.append(w[i])
                    i += 1
            words[wi] = merged
            for q in zip(merged, merged[1:]):
                changed[q] += f
                where.setdefault(q, set()).add(wi)
        for q, d in changed.items():
            if d == 0:
                continue
            pair_count[q] += d
            if pair_count[q] <= 0:
                del pair_count[q]
            else:
                heapq.heappush(heap, (-pair_count[q], q))
        pair_count.pop(p, None)
        if log and len(merges) % 500 == 0:
            log(f"bpe: {len(merges)} merges")
    return merges
