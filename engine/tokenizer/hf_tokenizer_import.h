#pragma once
// Converts a Hugging Face tokenizer.json (byte-level BPE: GPT-2, LLaMA 3) into GGUF
// tokenizer.* metadata, so models converted from safetensors, and tests, get the same
// vocabulary files llama.cpp would write.
#include <string>

namespace tern {

class GgufWriter;

// Reads `tokenizer_json_path` and adds to `out`:
//   tokenizer.ggml.model = "gpt2", .pre ("llama-bpe" for the LLaMA 3 split regex, "gpt-2" for a
//   plain ByteLevel pre-tokenizer), .tokens, .token_type (Control for special added tokens,
//   UserDefined for other added tokens, Normal otherwise), .merges ("left right"),
//   .bos_token_id / .eos_token_id / .eot_token_id (when found), .add_bos_token.
// BOS/EOS come from a tokenizer_config.json beside the file when it names them (the file name
// with "tokenizer.json" replaced by "tokenizer_config.json" is tried first, e.g.
// "llama3-tokenizer_config.json"), else from the usual texts (<|begin_of_text|>, <s>, ...).
// Throws tern::Error with a clear message for anything else: other model types, normalizers
// or pre-tokenizers, gaps in the id range, conflicting entries.
void import_hf_tokenizer(const std::string& tokenizer_json_path, GgufWriter& out);

}  // namespace tern
