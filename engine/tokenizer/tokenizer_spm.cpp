#include "engine/tokenizer/tokenizer_spm.h"

#include "engine/error.h"
#include "engine/tokenizer/unicode.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace tern {

namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// "<0xAB>" -> 0xAB, else -1.
int parse_byte_piece(const std::string& t) {
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
    const int hi = hex_digit(t[3]), lo = hex_digit(t[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

struct Symbol {
    size_t offset, length;  // bytes of the escaped text; length 0 once merged into the left
    int32_t prev, next;
};

struct Bigram {
    float score;
    int32_t left;
    size_t length;  // of the merged text, to detect stale entries
    // Heap order: highest score first, then leftmost.
    bool operator<(const Bigram& o) const {
        return score != o.score ? score < o.score : left > o.left;
    }
};

}  // namespace

SpmTokenizer::SpmTokenizer(const GgufFile& file) : Tokenizer(file) {
    add_bos_ = vocab_.add_bos_key().value_or(true);
    add_space_prefix_ = vocab_.add_space_prefix_key().value_or(true);
    byte_token_.fill(-1);
    for (int32_t id = 0; id < vocab_.size(); ++id) {
        if (vocab_.type(id) != TokenType::Byte) continue;
        const int b = parse_byte_piece(vocab_.text(id));
        if (b >= 0 && byte_token_[b] < 0) byte_token_[b] = id;
    }
    // An ASCII byte that occurs in no piece text can produce can never be merged with anything.
    std::array<bool, 256> used{};
    for (int32_t id = 0; id < vocab_.size(); ++id) {
        const TokenType t = vocab_.type(id);
        if (t != TokenType::Normal && t != TokenType::UserDefined) continue;
        for (char c : vocab_.text(id)) used[static_cast<uint8_t>(c)] = true;
    }
    for (int b = 0; b < 0x80; ++b) barrier_[b] = !used[b];
}

int32_t SpmTokenizer::text_piece(std::string_view text) const {
    const auto id = vocab_.find(text);
    if (!id) return -1;
    // Control, byte and unknown pieces are never spelled by text: "<0x41>" typed by a user
    // must stay six characters, not become the byte 'A'.
    const TokenType t = vocab_.type(*id);
    return (t == TokenType::Normal || t == TokenType::UserDefined) ? *id : -1;
}

void SpmTokenizer::encode_text(std::string_view raw, bool fragment_start, std::vector<int32_t>& out) const {
    std::string text;
    text.reserve(raw.size() + 8);
    if (add_space_prefix_ && fragment_start) text += kSpaceMark;
    for (char c : raw) {
        if (c == ' ') {
            text += kSpaceMark;
        } else {
            text += c;
        }
    }

    // Cut at barrier bytes (see the header): merges never cross them, so the parts can be
    // merged independently with small heaps, e.g. line by line.
    size_t begin = 0;
    for (size_t pos = 0; pos < text.size(); ++pos) {
        if (!barrier_[static_cast<uint8_t>(text[pos])]) continue;
        encode_segment(std::string_view(text).substr(begin, pos - begin), out);
        encode_segment(std::string_view(text).substr(pos, 1), out);
        begin = pos + 1;
    }
    encode_segment(std::string_view(text).substr(begin), out);
}

void SpmTokenizer::encode_segment(std::string_view text, std::vector<int32_t>& out) const {
    if (text.empty()) return;
    // One symbol per UTF-8 character (an invalid byte sequence is one symbol of its own).
    std::vector<Symbol> sym;
    sym.reserve(text.size());
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    for (size_t pos = 0; pos < text.size();) {
        const size_t len = utf8_scan(bytes + pos, text.size() - pos).length;
        const auto n = static_cast<int32_t>(sym.size());
        sym.push_back({pos, len, n - 1, -1});
        if (n > 0) sym[n - 1].next = n;
        pos += len;
    }

    std::vector<Bigram> heap;
    auto candidate = [&](int32_t left, int32_t right) {
        if (left < 0 || right < 0) return false;
        const size_t len = sym[left].length + sym[right].length;
        const int32_t id = text_piece(text.substr(sym[left].offset, len));
        if (id < 0) return false;
        heap.push_back({vocab_.score(id), left, len});
        return true;
    };
    auto try_add = [&](int32_t left, int32_t right) {
        if (candidate(left, right)) std::push_heap(heap.begin(), heap.end());
    };
    for (int32_t i = 0; i + 1 < static_cast<int32_t>(sym.size()); ++i) candidate(i, i + 1);
    std::make_heap(heap.begin(), heap.end());

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end());
        const Bigram b = heap.back();
        heap.pop_back();
        Symbol& l = sym[b.left];
        if (l.length == 0 || l.next < 0) continue;
        Symbol& r = sym[l.next];
        // Stale: one side has grown since this pair was queued.
        if (r.length == 0 || l.length + r.length != b.length) continue;
        l.length += r.length;
        r.length = 0;
        l.next = r.next;
        if (l.next >= 0) sym[l.next].prev = b.left;
        try_add(l.prev, b.left);
        try_add(b.left, l.next);
    }

    for (int32_t i = 0; i >= 0; i = sym[i].next) {
        const std::string_view piece = text.substr(sym[i].offset, sym[i].length);
        const int32_t id = text_piece(piece);
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        for (char c : piece) {  // byte fallback
            const int32_t bt = byte_token_[static_cast<uint8_t>(c)];
            if (bt >= 0) {
                out.push_back(bt);
            } else if (vocab_.unk_id() >= 0) {
                out.push_back(vocab_.unk_id());
                break;  // one <unk> per character, as SentencePiece does without byte fallback
            }
        }
    }
}

std::string SpmTokenizer::token_bytes(int32_t id) const {
    check_id(id);
    const std::string& text = vocab_.text(id);
    switch (vocab_.type(id)) {
        case TokenType::Byte: {
            const int b = parse_byte_piece(text);
            return b >= 0 ? std::string(1, static_cast<char>(b)) : text;
        }
        case TokenType::Control:
        case TokenType::Unknown:
        case TokenType::UserDefined:
            return text;
        default: {
            std::string out;
            out.reserve(text.size());
            for (size_t pos = 0; pos < text.size();) {
                if (text.compare(pos, kSpaceMark.size(), kSpaceMark) == 0) {
                    out += ' ';
                    pos += kSpaceMark.size();
                } else {
                    out += text[pos++];
                }
            }
            return out;
        }
    }
}

}  // namespace tern
