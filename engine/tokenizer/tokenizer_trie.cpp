#include "engine/tokenizer/tokenizer_trie.h"

namespace tern {

int32_t SpecialTokenTrie::child(int32_t node, uint8_t byte) const {
    for (const auto& c : nodes_[static_cast<size_t>(node)].children)
        if (c.first == byte) return c.second;
    return -1;
}

void SpecialTokenTrie::add(std::string_view text, int32_t id, bool always) {
    if (text.empty()) return;  // an empty text would match everywhere
    first_byte_[static_cast<uint8_t>(text[0])] = true;
    int32_t node = 0;
    for (char ch : text) {
        const auto b = static_cast<uint8_t>(ch);
        int32_t next = child(node, b);
        if (next < 0) {
            next = static_cast<int32_t>(nodes_.size());
            nodes_[static_cast<size_t>(node)].children.emplace_back(b, next);
            nodes_.emplace_back();  // may reallocate: index, never hold references across this
        }
        node = next;
    }
    Node& n = nodes_[static_cast<size_t>(node)];
    n.any = id;
    n.always = always ? id : -1;
}

int32_t SpecialTokenTrie::match(std::string_view text, size_t pos, bool parse_special) const {
    int32_t best = -1;
    int32_t node = 0;
    for (size_t k = pos; k < text.size(); ++k) {
        node = child(node, static_cast<uint8_t>(text[k]));
        if (node < 0) break;
        const Node& n = nodes_[static_cast<size_t>(node)];
        const int32_t id = parse_special ? n.any : n.always;
        if (id >= 0) best = id;
    }
    return best;
}

}  // namespace tern
