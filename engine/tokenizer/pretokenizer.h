#pragma once
// The pre-tokenizer splits of byte-level BPE tokenizers: text is cut into "words" by a regex
// before BPE merges run inside each word. The regexes are implemented as hand-written matchers
// with the same leftmost-first, greedy-with-backtracking semantics, which is both faster and
// portable (std::regex knows nothing about \p{L}).
#include <string_view>
#include <vector>

namespace tern {

enum class PreTokenizerKind {
    // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    Gpt2,
    // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*
    //   |\s*[\r\n]+|\s+(?!\S)|\s+
    // (?i:) folds as Unicode does: "'ſ" (U+017F long s) is a contraction too.
    Llama3,
};

const char* pre_tokenizer_name(PreTokenizerKind);  // "gpt2", "llama3"

// Cuts text into consecutive pieces that cover it exactly (views into text). Invalid UTF-8
// bytes count as "other" characters (neither letter, number nor space), so no byte is lost.
std::vector<std::string_view> pre_tokenize(std::string_view text, PreTokenizerKind kind);

}  // namespace tern
