#pragma once
// Finds special-token texts ("<|eot_id|>", "<s>", added tokens) inside user text: a byte trie,
// so the cost per text position is the length of the longest partial match, not the number of
// special tokens (LLaMA 3 has 256, all starting with "<|").
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace tern {

class SpecialTokenTrie {
public:
    // always: matched even when the caller does not ask for special tokens (UserDefined tokens).
    // A text added twice keeps the later id.
    void add(std::string_view text, int32_t id, bool always);
    // The longest token text starting at text[pos] (among `always` tokens unless parse_special),
    // or -1. Its length is the token's text length.
    int32_t match(std::string_view text, size_t pos, bool parse_special) const;
    // Cheap pre-check: does any token text start with this byte?
    bool may_start(uint8_t byte) const { return first_byte_[byte]; }

private:
    struct Node {
        int32_t any = -1;     // token ending here
        int32_t always = -1;  // same, if it is an `always` token
        std::vector<std::pair<uint8_t, int32_t>> children;  // few per node: linear search
    };
    int32_t child(int32_t node, uint8_t byte) const;

    std::vector<Node> nodes_{1};  // nodes_[0] is the root
    std::array<bool, 256> first_byte_{};
};

}  // namespace tern
