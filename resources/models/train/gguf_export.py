"""Writes the trained model as a GGUF v3 file in the layout of the official BitNet b1.58 2B4T file
(bitnet-formats.md §2): the same metadata keys in the same order, I2_S linear weights, an F16
token_embd that doubles as the output matrix, F32 norms. Also reads such a file back (for the
round-trip check the training script does after writing).
"""
import struct

import numpy as np

from model import LINEAR_NAMES

ALIGNMENT = 32
GGML_F32, GGML_F16, GGML_I2_S = 0, 1, 36
FILE_TYPE_I2_S = 40  # LLAMA_FTYPE_MOSTLY_I2_S
# GGUF metadata value types
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)

ARCH = "bitnet-b1.58"

# The BitNet format the model family was trained with (bitnet-formats.md §6): the engine renders
# it for this architecture whatever the template says, so the template documents that format.
CHAT_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = message['role'] | capitalize + ': '+ message['content'] | trim + '<|eot_id|>' %}"
    "{{ content }}{% endfor %}{% if add_generation_prompt %}{{ 'Assistant: ' }}{% endif %}")


# ----------------------------------------------------------------------------------------------
# I2_S (bitnet-formats.md §3.2)

def i2s_pack(t, scale):
    """t: int8 ternary [out, in] (row-major, rows contiguous along `in`). Returns n/4 bytes of
    2-bit codes in 128-value blocks (byte j = c[j]<<6 | c[j+32]<<4 | c[j+64]<<2 | c[j+96], code =
    value + 1) and a 32-byte tail whose first 4 bytes are the float32 scale."""
    assert t.shape[-1] % 128 == 0, "I2_S needs rows of a multiple of 128 values"
    c = (t.reshape(-1, 4, 32).astype(np.int16) + 1).astype(np.uint8)
    packed = (c[:, 0] << 6) | (c[:, 1] << 4) | (c[:, 2] << 2) | c[:, 3]
    tail = struct.pack("<f", float(scale)) + bytes(28)
    return packed.astype(np.uint8).tobytes() + tail


def i2s_unpack(data, shape):
    n = shape[0] * shape[1]
    b = np.frombuffer(data[:n // 4], dtype=np.uint8).reshape(-1, 32)
    c = np.stack([(b >> 6) & 3, (b >> 4) & 3, (b >> 2) & 3, b & 3], axis=1)
    t = (c.astype(np.int8) - 1).reshape(shape)
    scale = struct.unpack("<f", data[n // 4:n // 4 + 4])[0]
    return t, np.float32(scale)


# ----------------------------------------------------------------------------------------------
# Writer

def _str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _value(vtype, v):
    if vtype == STR:
        return _str(v)
    if vtype == BOOL:
        return struct.pack("<B", 1 if v else 0)
    if vtype == ARR:
        etype, items = v
        out = [struct.pack("<IQ", etype, len(items))]
        if etype == STR:
            out.extend(_str(s) for s in items)
        elif etype == F32:
            out.append(np.asarray(items, dtype="<f4").tobytes())
        elif etype == I32:
            out.append(np.asarray(items, dtype="<i4").tobytes())
        else:
            raise ValueError(f"array of type {etype} not needed here")
        return b"".join(out)
    fmt = {U32: "<I", I32: "<i", F32: "<f", U64: "<Q"}[vtype]
    return struct.pack(fmt, v)


def _pad(n):
    return (ALIGNMENT - n % ALIGNMENT) % ALIGNMENT


def write_gguf(path, metadata, tensors):
    """metadata: list of (key, type, value); tensors: list of (name, ggml type, ne, bytes)."""
    head = [b"GGUF", struct.pack("<IQQ", 3, len(tensors), len(metadata))]
    for key, vtype, v in metadata:
        head += [_str(key), struct.pack("<I", vtype), _value(vtype, v)]
    offset = 0
    for name, gtype, ne, data in tensors:
        head += [_str(name), struct.pack("<I", len(ne)), struct.pack(f"<{len(ne)}Q", *ne),
                 struct.pack("<IQ", gtype, offset)]
        offset += len(data) + _pad(len(data))
    header = b"".join(head)
    with open(path, "wb") as f:
        f.write(header + bytes(_pad(len(header))))
        for _, _, _, data in tensors:
            f.write(data + bytes(_pad(len(data))))


def export(path, cfg, weights, tok, name):
    """Writes the model. weights: model.export_weights(); tok: bpe.Tokenizer."""
    a = ARCH + "."
    n_vocab = tok.n_vocab
    types = [1] * n_vocab
    for i in tok.special.values():
        types[i] = 3  # control
    md = [
        ("general.architecture", STR, ARCH),
        ("general.name", STR, name),
        (a + "vocab_size", U32, n_vocab),
        (a + "context_length", U32, cfg.ctx),
        (a + "embedding_length", U32, cfg.d),
        (a + "block_count", U32, cfg.n_layer),
        (a + "feed_forward_length", U32, cfg.ff),
        (a + "rope.dimension_count", U32, cfg.head_dim),
        (a + "attention.head_count", U32, cfg.n_head),
        (a + "attention.head_count_kv", U32, cfg.n_kv_head),
        ("tokenizer.ggml.add_bos_token", BOOL, True),
        (a + "attention.layer_norm_rms_epsilon", F32, cfg.eps),
        (a + "rope.freq_base", F32, cfg.rope_base),
        ("general.file_type", U32, FILE_TYPE_I2_S),
        ("tokenizer.ggml.model", STR, "gpt2"),
        ("tokenizer.ggml.tokens", ARR, (STR, tok.token_text)),
        ("tokenizer.ggml.scores", ARR, (F32, [0.0] * n_vocab)),
        ("tokenizer.ggml.token_type", ARR, (I32, types)),
        ("tokenizer.ggml.merges", ARR, (STR, tok.merge_strings())),
        ("tokenizer.ggml.bos_token_id", U32, tok.bos_id),
        ("tokenizer.ggml.eos_token_id", U32, tok.eos_id),
        ("tokenizer.ggml.padding_token_id", U32, tok.eos_id),
        ("tokenizer.chat_template", STR, CHAT_TEMPLATE),
        ("general.quantization_version", U32, 2),
    ]
    d, kv = cfg.d, cfg.n_kv_head * cfg.head_dim
    out_dim = {"attn_q": d, "attn_k": kv, "attn_v": kv, "attn_output": d,
               "ffn_gate": cfg.ff, "ffn_up": cfg.ff, "ffn_down": d}
    in_dim = {n: (cfg.ff if n == "ffn_down" else d) for n in LINEAR_NAMES}

    def norm(name, n):
        w = np.ascontiguousarray(weights[name], dtype="<f4")
        assert w.shape == (n,)
        return (name + ".weight", GGML_F32, [n], w.tobytes())

    def linear(name, short):
        t, s = weights[name]
        assert t.shape == (out_dim[short], in_dim[short])
        return (name + ".weight", GGML_I2_S, [in_dim[short], out_dim[short]], i2s_pack(t, s))

    emb = np.ascontiguousarray(weights["token_embd"], dtype="<f2")
    tensors = [("token_embd.weight", GGML_F16, [d, n_vocab], emb.tobytes())]
    for i in range(cfg.n_layer):  # tensor order of the official file (bitnet-formats.md §2.2)
        b = f"blk.{i}."
        tensors += [norm(b + "attn_norm", d), linear(b + "attn_q", "attn_q"),
                    linear(b + "attn_k", "attn_k"), linear(b + "attn_v", "attn_v"),
                    norm(b + "attn_sub_norm", d), linear(b + "attn_output", "attn_output"),
                    norm(b + "ffn_norm", d), linear(b + "ffn_gate", "ffn_gate"),
                    linear(b + "ffn_up", "ffn_up"), norm(b + "ffn_sub_norm", cfg.ff),
                    linear(b + "ffn_down", "ffn_down")]
    tensors.append(norm("output_norm", d))
    write_gguf(path, md, tensors)


# ----------------------------------------------------------------------------------------------
# Reader (enough of GGUF to check what export() wrote)

def read_gguf(path):
    data = open(path, "rb").read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def string():
        nonlocal pos
        n = take("<Q")
        s = data[pos:pos + n].decode("utf-8")
        pos += n
        return s

    def value(t):
        if t == STR:
            return string()
        if t == ARR:
            et, n = take("<IQ")
            return [value(et) for _ in range(n)]
        return take({U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f",
                     BOOL: "<?", U64: "<Q", I64: "<q", F64: "<d"}[t])

    assert data[:4] == b"GGUF"
    pos = 4
    version, n_tensors, n_kv = take("<IQQ")
    assert version == 3
    md = {}
    for _ in range(n_kv):
        k = string()
        md[k] = value(take("<I"))
    infos = []
    for _ in range(n_tensors):
        name = string()
        nd = take("<I")
        ne = [take("<Q") for _ in range(nd)]
        gtype, off = take("<IQ")
        infos.append((name, gtype, ne, off))
    base = pos + _pad(pos)
    tensors = {}
    for name, gtype, ne, off in infos:
        assert off % ALIGNMENT == 0
        n = int(np.prod(ne))
        if gtype == GGML_I2_S:
            tensors[name] = i2s_unpack(data[base + off:base + off + n // 4 + 32], (ne[1], ne[0]))
        elif gtype == GGML_F16:
            tensors[name] = np.frombuffer(data, "<f2", n, base + off).reshape(ne[::-1])
        else:
            tensors[name] = np.frombuffer(data, "<f4", n, base + off).reshape(ne[::-1])
    return md, tensors, [i[0] for i in infos]
